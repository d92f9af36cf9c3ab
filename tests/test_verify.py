"""`fmgate verify` on records `fmgate ci` wrote: real git repositories, the real OPA, real keys.

One pull request is decided once per module (notebooks run once); each case copies the
repository, changes one thing in a new commit and verifies the record against that commit.
"""

from __future__ import annotations

import base64
import json
import shlex
import shutil
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fmgate.cli import main
from test_ci import SETTINGS, add_buy_with_cost_model, commit, git

REPO_ROOT = Path(__file__).resolve().parents[1]
MEMO = "reply-drafting"


def write_key_pair(folder: Path, name: str) -> tuple[Path, Path]:
    key = Ed25519PrivateKey.generate()
    private = folder / f"{name}.pem"
    public = folder / f"{name}.pub.pem"
    private.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    public.write_bytes(
        key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return private, public


class Decided:
    """A repository whose pull request fmgate ci decided, signed, and which was then merged."""

    def __init__(self, root: Path, out: Path, key: Path, public: Path, head: str, merge: str) -> None:
        self.root, self.out, self.key, self.public, self.head, self.merge = root, out, key, public, head, merge

    @property
    def statement(self) -> Path:
        return self.out / "records" / f"{MEMO}.intoto.json"

    @property
    def envelope(self) -> Path:
        return self.out / "records" / f"{MEMO}.dsse.json"


@pytest.fixture(scope="module")
def decided(tmp_path_factory: pytest.TempPathFactory) -> Decided:
    base = tmp_path_factory.mktemp("verify")
    root = base / "decisions"
    root.mkdir()
    for folder in ("policies", "notebooks", "schemas"):
        shutil.copytree(REPO_ROOT / folder, root / folder)
    (root / "fmgate.yaml").write_text(SETTINGS)
    (root / "memos").mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "ci@example.com")
    git(root, "config", "user.name", "ci")
    commit(root, "base")
    git(root, "checkout", "-q", "-b", "proposal")
    add_buy_with_cost_model(root, MEMO)
    commit(root, "propose reply drafting")
    head = git(root, "rev-parse", "HEAD").strip()
    key, public = write_key_pair(base, "decision-key")
    out = base / "out"
    code = main(
        [
            "--repo",
            str(root),
            "ci",
            "--base",
            "main",
            "--author",
            "ana.ruiz",
            "--approval",
            "lee.wong",
            "--format",
            "json",
            "--out",
            str(out),
            "--sign-key",
            str(key),
        ]
    )
    assert code == 0
    git(root, "checkout", "-q", "main")
    git(root, "merge", "-q", "--no-ff", "-m", "merge the proposal", "proposal")
    merge = git(root, "rev-parse", "HEAD").strip()
    return Decided(root, out, key, public, head, merge)


def verify(capsys: pytest.CaptureFixture[str], root: Path, record: Path, *extra: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["--repo", str(root), "verify", str(record), *extra])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def changed_copy(decided: Decided, tmp_path: Path, path: str) -> tuple[Path, str]:
    """A copy of the repository with one byte of *path* changed in a new commit: (root, commit)."""
    root = tmp_path / "copy"
    shutil.copytree(decided.root, root, symlinks=True)
    target = root / path
    target.write_bytes(target.read_bytes() + b"\n")  # one more byte: still valid JSON, YAML, HTML and Rego
    commit(root, f"change {path}")
    return root, git(root, "rev-parse", "HEAD").strip()


def test_record_verifies_on_the_commits_it_was_made_for(decided: Decided, capsys: pytest.CaptureFixture[str]) -> None:
    for commit_sha in (decided.head, decided.merge):
        code, output = verify(
            capsys, decided.root, decided.envelope, "--key", str(decided.public), "--commit", commit_sha
        )
        assert code == 0, output
        assert "signature: valid" in output and "verified: everything still matches" in output
    code, output = verify(capsys, decided.root, decided.statement, "--commit", decided.merge)
    assert code == 0, output
    assert "decision as made: approved" in output and "approvals counted: lee.wong" in output


@pytest.mark.parametrize(
    "path",
    [
        f"evidence/{MEMO}/inputs/cost_model.yaml",  # an input
        f"evidence/{MEMO}/cost_model.json",  # an evidence document
        f"evidence/{MEMO}/cost_model.html",  # a rendered notebook
        "policies/fmgate/decision/decision.rego",  # a policy file
        "policies/data.json",  # policy data
        "fmgate.yaml",  # the settings
    ],
)
def test_one_changed_byte_fails_verification_and_is_named(
    decided: Decided, tmp_path: Path, path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    root, changed = changed_copy(decided, tmp_path, path)
    recorded = json.loads(decided.statement.read_text())
    code, output = verify(capsys, root, decided.envelope, "--key", str(decided.public), "--commit", changed)
    assert code == 1, output
    assert f"CHANGED {path}: recorded sha256 " in output
    if path.startswith(("policies/", "fmgate.yaml")):
        assert "CHANGED policy-bundle: recorded sha256 " in output
        assert recorded["predicate"]["policy_bundle"]["files"][path] in output
    else:
        digests = {s["name"]: s["digest"]["sha256"] for s in recorded["subject"]}
        assert digests[path] in output
    assert "NOT VERIFIED" in output


def test_a_file_added_to_the_evidence_folder_is_named(
    decided: Decided, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "copy"
    shutil.copytree(decided.root, root, symlinks=True)
    (root / "evidence" / MEMO / "extra.json").write_text("{}\n")
    commit(root, "add a document")
    code, output = verify(capsys, root, decided.statement, "--commit", git(root, "rev-parse", "HEAD").strip())
    assert code == 1 and f"CHANGED evidence/{MEMO}/extra.json: not in the record (added since)" in output


def _envelope(decided: Decided) -> dict:
    return json.loads(decided.envelope.read_text())


def test_altered_signature_fails(decided: Decided, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    envelope = _envelope(decided)
    signature = bytearray(base64.b64decode(envelope["signatures"][0]["sig"]))
    signature[0] ^= 0x01
    envelope["signatures"][0]["sig"] = base64.b64encode(bytes(signature)).decode()
    altered = tmp_path / "altered.dsse.json"
    altered.write_text(json.dumps(envelope))
    code, output = verify(capsys, decided.root, altered, "--key", str(decided.public), "--commit", decided.merge)
    assert code == 1 and "signature does not verify" in output


def test_swapped_signature_fails(decided: Decided, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A record signed by another key, and a signature moved onto another payload."""
    other_key, _ = write_key_pair(tmp_path, "other")
    other_out = tmp_path / "records"
    assert main(
        [
            "--repo",
            str(decided.root),
            "check",
            str(decided.root / "memos" / f"{MEMO}.md"),
            "--record",
            str(other_out),
            "--sign-key",
            str(other_key),
            "--format",
            "json",
        ]
    ) in (0, 1)
    code, output = verify(capsys, decided.root, other_out / f"{MEMO}.dsse.json", "--key", str(decided.public))
    assert code == 1 and "signature does not verify" in output

    envelope = _envelope(decided)
    foreign = json.loads((other_out / f"{MEMO}.dsse.json").read_text())
    envelope["payload"] = foreign["payload"]  # the ci signature over another statement
    swapped = tmp_path / "swapped.dsse.json"
    swapped.write_text(json.dumps(envelope))
    code, output = verify(capsys, decided.root, swapped, "--key", str(decided.public))
    assert code == 1 and "signature does not verify" in output


def test_a_key_refuses_an_unsigned_record(decided: Decided, capsys: pytest.CaptureFixture[str]) -> None:
    code, output = verify(
        capsys, decided.root, decided.statement, "--key", str(decided.public), "--commit", decided.merge
    )
    assert code == 1 and "not signed" in output


def test_a_signed_record_needs_the_key(decided: Decided, capsys: pytest.CaptureFixture[str]) -> None:
    code, output = verify(capsys, decided.root, decided.envelope, "--commit", decided.merge)
    assert code == 1 and "no --key was given" in output


def test_a_decision_that_differs_is_named(decided: Decided, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    statement = json.loads(decided.statement.read_text())
    statement["predicate"]["decision"]["outcome"] = "denied"
    statement["predicate"]["decision"]["violations"] = [{"id": "MEMO-REVIEW"}]
    edited = tmp_path / "edited.intoto.json"
    edited.write_text(json.dumps(statement))
    code, output = verify(capsys, decided.root, edited, "--commit", decided.merge)
    assert code == 1
    assert "DECISION DIFFERS outcome: recorded denied, now approved" in output
    assert "no longer: MEMO-REVIEW" in output


@pytest.mark.parametrize("damage", ["not json", "wrong type", "bad digest", "no bundle", "bad envelope"])
def test_malformed_record_is_bad_input(
    decided: Decided, tmp_path: Path, damage: str, capsys: pytest.CaptureFixture[str]
) -> None:
    statement = json.loads(decided.statement.read_text())
    record = tmp_path / "bad.intoto.json"
    if damage == "not json":
        record.write_text("{")
    else:
        if damage == "wrong type":
            statement["_type"] = "https://in-toto.io/Statement/v0.1"
        elif damage == "bad digest":
            statement["subject"][0]["digest"] = {"sha256": "abc"}
        elif damage == "no bundle":
            statement["subject"] = [s for s in statement["subject"] if s["name"] != "policy-bundle"]
        else:
            statement = {"payloadType": "application/vnd.in-toto+json", "payload": "%%%", "signatures": []}
        record.write_text(json.dumps(statement))
    code, output = verify(capsys, decided.root, record)
    assert code == 2, output
    assert str(record) in output and "fix:" in output


def test_decision_id_points_at_opas_decision_log(decided: Decided) -> None:
    statement = json.loads(decided.statement.read_text())
    decision_id = statement["predicate"]["decision_id"]
    entries = [
        json.loads(line) for line in (decided.out / "records" / "opa-decision-log.jsonl").read_text().splitlines()
    ]
    [entry] = [e for e in entries if e["decision_id"] == decision_id]
    assert entry["path"] == "fmgate/decision/decision"
    assert entry["result"]["outcome"] == statement["predicate"]["decision"]["outcome"]
    assert entry["input"]["pull_request"] == statement["predicate"]["pull_request"]


def _readme_walkthrough() -> str:
    text = (REPO_ROOT / "README.md").read_text()
    section = text.split("## Decision records and verification", 1)[1].split("\n## ", 1)[0]
    return section


def test_readme_walkthrough_commands_work(
    decided: Decided, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The auditor's walkthrough: its fmgate commands, run as written on a merged pull request."""
    monkeypatch.chdir(decided.root)
    records = decided.root / "records"
    records.mkdir(exist_ok=True)
    for name in (f"{MEMO}.intoto.json", f"{MEMO}.dsse.json"):
        shutil.copy(decided.out / "records" / name, records / name)
    shutil.copy(decided.public, decided.root / "decision-key.pub.pem")
    values = {"$MEMO": MEMO, "$MERGE": decided.merge}
    commands = [line.strip() for line in _readme_walkthrough().splitlines() if line.strip().startswith("fmgate verify")]
    assert len(commands) >= 2
    for line in commands:
        for name, value in values.items():
            line = line.replace(name, value)
        argv = shlex.split(line.split("#", 1)[0])[1:]
        capsys.readouterr()
        code = main(argv)
        output = capsys.readouterr().out
        assert code == 0, (line, output)
        assert "verified: everything still matches" in output or '"verified": true' in output
