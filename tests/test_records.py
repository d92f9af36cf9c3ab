"""Decision records against the in-toto spec: `fmgate check --record` on a real repository and OPA.

Golden tests: the statement's shape is the spec's (checked field by field and with the
in-toto-attestation library's own validator), the DSSE envelope wraps exactly the
statement's bytes, and what the predicate holds.
"""

from __future__ import annotations

import base64
import json
import subprocess
from pathlib import Path

import pytest
from google.protobuf import json_format
from in_toto_attestation.v1 import statement_pb2
from in_toto_attestation.v1.statement import Statement
from securesystemslib.dsse import Envelope

from fmgate import records
from fmgate.cli import main
from fmgate.errors import InputError
from test_cli_check import COMPLETE_BUY, INCOMPLETE_BUY, write
from test_verify import write_key_pair

PREDICATE_FIELDS = {
    "memo",
    "decision",
    "decision_id",
    "policy_bundle",
    "policy_input",
    "tools",
    "source",
    "base_commit",
    "head_commit",
    "pull_request",
    "decided_at",
}


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def recorded(decision_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, Path, Path]:
    """(repository, records folder, public key): two memos decided and recorded, signed, at a commit."""
    write(decision_repo, "reply-drafting.md", COMPLETE_BUY)
    write(decision_repo, "half-done.md", INCOMPLETE_BUY)
    git(decision_repo, "init", "-q", "-b", "main")
    git(decision_repo, "-c", "user.email=t@example.com", "-c", "user.name=t", "add", "-A")
    git(decision_repo, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "memos")
    key, public = write_key_pair(tmp_path, "key")
    folder = tmp_path / "records"
    code = main(
        [
            "--repo",
            str(decision_repo),
            "check",
            str(decision_repo / "memos" / "reply-drafting.md"),
            str(decision_repo / "memos" / "half-done.md"),
            "--now",
            "2026-11-24",
            "--format",
            "json",
            "--record",
            str(folder),
            "--sign-key",
            str(key),
        ]
    )
    assert code == 1  # the half-done memo is denied, and recorded as denied
    capsys.readouterr()
    return decision_repo, folder, public


def test_statement_has_the_specs_shape(recorded: tuple[Path, Path, Path]) -> None:
    root, folder, _ = recorded
    statement = json.loads((folder / "reply-drafting.intoto.json").read_text())
    assert set(statement) == {"_type", "subject", "predicateType", "predicate"}
    assert statement["_type"] == "https://in-toto.io/Statement/v1"
    assert statement["predicateType"] == "https://fmgate.dev/decision/v1"
    for subject in statement["subject"]:
        assert set(subject) == {"name", "digest"} and set(subject["digest"]) == {"sha256"}
        assert len(subject["digest"]["sha256"]) == 64 and int(subject["digest"]["sha256"], 16) >= 0
    names = [s["name"] for s in statement["subject"]]
    assert "memos/reply-drafting.md" in names and "policy-bundle" in names
    assert len(names) == len(set(names))
    # the library's own validator accepts it
    Statement.copy_from_pb(json_format.ParseDict(statement, statement_pb2.Statement())).validate()
    assert isinstance(statement["predicate"], dict) and set(statement["predicate"]) == PREDICATE_FIELDS


def test_subject_digests_are_the_files_sha256(recorded: tuple[Path, Path, Path]) -> None:
    root, folder, _ = recorded
    statement = json.loads((folder / "reply-drafting.intoto.json").read_text())
    for subject in statement["subject"]:
        if subject["name"] == "policy-bundle":
            files = statement["predicate"]["policy_bundle"]["files"]
            assert "fmgate.yaml" in files and "policies/data.json" in files
            assert not any(p.endswith("_test.rego") for p in files)
            for path, digest in files.items():
                assert records.sha256_bytes((root / path).read_bytes()) == digest
            assert records.bundle_digest(files) == subject["digest"]["sha256"]
        else:
            assert records.sha256_bytes((root / subject["name"]).read_bytes()) == subject["digest"]["sha256"]


def test_predicate_holds_the_decision_as_made(recorded: tuple[Path, Path, Path]) -> None:
    root, folder, _ = recorded
    predicate = json.loads((folder / "half-done.intoto.json").read_text())["predicate"]
    assert predicate["memo"] == {"id": "half-done", "path": "memos/half-done.md"}
    assert predicate["decision"]["outcome"] == "denied"
    assert "MEMO-FIELDS" in records.violation_ids(predicate["decision"])
    assert predicate["policy_input"] == {"now": "2026-11-24", "provenance": None}
    assert predicate["tools"]["opa"] and predicate["tools"]["fmgate"]
    assert predicate["source"] == "check" and predicate["pull_request"] is None and predicate["base_commit"] is None
    assert predicate["head_commit"] == git(root, "rev-parse", "HEAD").strip()
    assert predicate["decided_at"].endswith("Z")
    assert isinstance(predicate["decision_id"], str) and len(predicate["decision_id"]) == 36
    # whole numbers stay whole numbers (protobuf's Struct would make them doubles)
    thresholds = [
        c["required"]
        for g in predicate["decision"]["gates"].values()
        for c in g["checks"]
        if isinstance(c.get("required"), (int, float)) and not isinstance(c.get("required"), bool)
    ]
    assert thresholds and all(isinstance(t, int) for t in thresholds if float(t).is_integer())


def test_envelope_wraps_the_statement_bytes(recorded: tuple[Path, Path, Path]) -> None:
    _, folder, public = recorded
    raw = json.loads((folder / "reply-drafting.dsse.json").read_text())
    assert set(raw) == {"payload", "payloadType", "signatures"}
    assert raw["payloadType"] == "application/vnd.in-toto+json"
    assert base64.b64decode(raw["payload"]) == (folder / "reply-drafting.intoto.json").read_bytes()
    assert [set(s) for s in raw["signatures"]] == [{"keyid", "sig"}]
    key = records.load_public_key(public)
    Envelope.from_dict(raw).verify([key], 1)  # securesystemslib's own verification


def test_check_records_verify(recorded: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    root, folder, public = recorded
    for memo in ("reply-drafting", "half-done"):  # a denial verifies too: it is still the decision made
        code = main(["--repo", str(root), "verify", str(folder / f"{memo}.dsse.json"), "--key", str(public)])
        output = capsys.readouterr().out
        assert code == 0, output


def test_find_records_prefers_the_signed_one(recorded: tuple[Path, Path, Path]) -> None:
    _, folder, _ = recorded
    found = records.find_records(folder)
    assert found == {"half-done": folder / "half-done.dsse.json", "reply-drafting": folder / "reply-drafting.dsse.json"}


def test_unsigned_rewrite_removes_a_stale_signature(recorded: tuple[Path, Path, Path]) -> None:
    root, folder, _ = recorded
    assert (
        main(
            [
                "--repo",
                str(root),
                "check",
                str(root / "memos" / "reply-drafting.md"),
                "--record",
                str(folder),
                "--format",
                "json",
            ]
        )
        == 0
    )
    assert not (folder / "reply-drafting.dsse.json").exists()


@pytest.mark.parametrize("option", [["--sign-key", "KEY"], ["--record", "DIR", "--sign-key", "RSA"]])
def test_bad_signing_options_are_bad_input(
    recorded: tuple[Path, Path, Path], tmp_path: Path, option: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    root, folder, _ = recorded
    rsa_key = tmp_path / "rsa.pem"
    rsa_key.write_bytes(
        rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    values = {"KEY": str(tmp_path / "key.pem"), "DIR": str(tmp_path / "out"), "RSA": str(rsa_key)}
    argv = [values.get(a, a) for a in option]
    capsys.readouterr()
    code = main(["--repo", str(root), "check", str(root / "memos" / "reply-drafting.md"), *argv])
    assert code == 2
    assert "--sign-key" in capsys.readouterr().err


def test_validate_statement_names_what_is_wrong() -> None:
    with pytest.raises(InputError) as caught:
        records.validate_statement(
            {
                "_type": "https://in-toto.io/Statement/v1",
                "subject": [],
                "predicateType": records.PREDICATE_TYPE,
                "predicate": {"x": 1},
            },
            where="r.intoto.json",
        )
    assert "At least one subject required" in str(caught.value) and "r.intoto.json" in str(caught.value)


def test_only_the_attest_job_may_mint_tokens_and_attest() -> None:
    import yaml

    workflow = yaml.safe_load(
        (Path(__file__).resolve().parents[1] / ".github" / "workflows" / "decision-gate.yml").read_text()
    )
    assert workflow["permissions"] == {"contents": "read", "pull-requests": "read"}
    jobs = workflow["jobs"]
    assert "permissions" not in jobs["decide"]  # the deciding job keeps the read-only defaults
    attest = jobs["attest"]
    assert attest["needs"] == "decide"
    assert attest["permissions"] == {"contents": "read", "id-token": "write", "attestations": "write"}
    [step] = [s for s in attest["steps"] if str(s.get("uses", "")).startswith("actions/attest")]
    assert step["with"]["subject-path"].endswith("records/*.intoto.json")
    assert not any(str(s.get("uses", "")).startswith("actions/checkout") for s in attest["steps"])


def test_register_shows_whether_records_hold_and_the_decision_as_made(
    recorded: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, folder, _ = recorded
    site = tmp_path / "site"
    assert main(["--repo", str(root), "site", "--out", str(site), "--records", str(folder), "--now", "2026-11-24"]) == 0
    index = (site / "index.html").read_text()
    assert index.count('class="badge record-verified"') == 2
    page = (site / "memos" / "reply-drafting.html").read_text()
    assert "Decision record" in page and "is as recorded" in page and "As made" not in page

    memo = root / "memos" / "reply-drafting.md"
    memo.write_text(memo.read_text().replace("owner: dana.kim\n", ""))  # today: denied, no owner
    assert main(["--repo", str(root), "site", "--out", str(site), "--records", str(folder), "--now", "2026-11-24"]) == 0
    assert 'class="badge record-changed"' in (site / "index.html").read_text()
    page = (site / "memos" / "reply-drafting.html").read_text()
    assert "<code>memos/reply-drafting.md</code>" in page
    record_part = page.split('id="record"', 1)[1].split("</section>", 1)[0]
    assert "As made" in record_part and "outcome-approved" in record_part and "outcome-denied" in record_part
    assert "MEMO-" in record_part


def test_register_without_the_records_folder_is_bad_input(
    recorded: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, _, _ = recorded
    assert (
        main(["--repo", str(root), "site", "--out", str(tmp_path / "site"), "--records", str(tmp_path / "nowhere")])
        == 2
    )
    assert "--records" in capsys.readouterr().err
