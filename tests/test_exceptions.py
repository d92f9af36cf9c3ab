"""Exceptions end to end: files under exceptions/, judged by the real policies, agreed on by every command.

A buy memo nobody was asked to review fails MEMO-REVIEW; an exception
approved by an exception approver waives exactly that rule for exactly that
memo until it expires. `check`, `relitigate`, `site` and `ci` all ask OPA, so
they agree at every date.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from fmgate.cli import main
from test_cli_check import COMPLETE_BUY, write

REPO_ROOT = Path(__file__).resolve().parents[1]
SETTINGS = """\
decision_owners: [dana.kim, priya.rao]
senior_reviewers: [lee.wong, sam.ortiz]
exception_approvers: [gina.hart]
required_approvals: 1
thresholds: {}
opa: {url: null, token_env: null}
"""
UNREVIEWED = COMPLETE_BUY.replace("reviewers: [lee.wong]", "reviewers: []")
EXCEPTION = """\
memo: reply-drafting
waives: [MEMO-REVIEW]
justification: "The senior reviewers are both on leave; the CTO signed off in writing."
approved_by: gina.hart
ticket: GOV-42
granted: 2026-11-01
expires: 2027-01-15
"""


@pytest.fixture
def repo(decision_repo: Path) -> Path:
    (decision_repo / "fmgate.yaml").write_text(SETTINGS)
    write(decision_repo, "reply-drafting.md", UNREVIEWED)
    (decision_repo / "exceptions").mkdir()
    (decision_repo / "exceptions" / "reply-review.yaml").write_text(EXCEPTION)
    return decision_repo


def check(root: Path, capsys: pytest.CaptureFixture[str], now: str) -> tuple[int, dict]:
    capsys.readouterr()
    code = main(
        ["--repo", str(root), "check", str(root / "memos" / "reply-drafting.md"), "--format", "json", "--now", now]
    )
    return code, json.loads(capsys.readouterr().out)


def ids(document: dict) -> set[str]:
    return {v["id"] for v in document["violations"]}


def test_an_exception_in_force_waives_its_rule_and_shows_it(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, document = check(repo, capsys, "2026-11-24")
    assert code == 0 and document["outcome"] == "approved"
    assert [w["id"] for w in document["waived"]] == ["MEMO-REVIEW"]
    assert document["exceptions"][0]["path"] == "exceptions/reply-review.yaml"
    assert document["exceptions"][0]["state"] == "active"
    capsys.readouterr()
    main(["--repo", str(repo), "check", str(repo / "memos" / "reply-drafting.md"), "--now", "2026-11-24"])
    assert "waived by an exception in force: MEMO-REVIEW" in capsys.readouterr().out


def test_the_exception_counts_until_its_expiry_day_and_warns_before(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, document = check(repo, capsys, "2027-01-15")
    assert code == 0 and "WARN-EXC-EXPIRING" in [w["id"] for w in document["warnings"]]
    code, document = check(repo, capsys, "2027-01-16")
    assert code == 1 and ids(document) == {"EXC-EXPIRED", "MEMO-REVIEW"} and document["waived"] == []


def test_an_exception_its_proposer_approved_is_refused(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = repo / "fmgate.yaml"
    settings.write_text(settings.read_text().replace("[gina.hart]", "[gina.hart, jo.park]"))
    memo = repo / "memos" / "reply-drafting.md"
    memo.write_text(memo.read_text().replace("person: ana.ruiz", "person: jo.park"))
    exception = repo / "exceptions" / "reply-review.yaml"
    exception.write_text(exception.read_text().replace("approved_by: gina.hart", "approved_by: jo.park"))
    code, document = check(repo, capsys, "2026-11-24")
    assert code == 1 and ids(document) == {"EXC-INVALID", "MEMO-REVIEW"}
    (invalid,) = [v for v in document["violations"] if v["id"] == "EXC-INVALID"]
    assert "jo.park proposed the memo and cannot approve an exception to it" in invalid["message"]


def test_relitigate_lists_expired_exceptions_and_exits_1(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["--repo", str(repo), "relitigate", "--now", "2026-11-24"]) == 0
    capsys.readouterr()
    assert main(["--repo", str(repo), "relitigate", "--now", "2026-12-20", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)["exceptions"]
    assert [(e["path"], e["state"]) for e in listed] == [("exceptions/reply-review.yaml", "expiring")]
    assert main(["--repo", str(repo), "relitigate", "--now", "2027-01-16"]) == 1
    assert "EXPIRED  exception exceptions/reply-review.yaml for reply-drafting" in capsys.readouterr().out


def test_site_shows_the_exception_and_agrees_with_check(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for now, outcome in (("2026-12-20", "approved"), ("2027-01-16", "denied")):
        out = tmp_path / now
        main(["--repo", str(repo), "site", "--out", str(out), "--now", now])
        page = (out / "memos" / "reply-drafting.html").read_text()
        assert "exceptions/reply-review.yaml" in page
        assert f'<span class="badge outcome-{outcome}">{outcome}</span>' in page
        assert check(repo, capsys, now)[1]["outcome"] == outcome
        assert "exceptions/reply-review.yaml" in (out / "relitigation.html").read_text()


def test_a_malformed_exception_file_is_bad_input(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "exceptions" / "broken.yaml").write_text("- just\n- a list\n")
    capsys.readouterr()
    assert main(["--repo", str(repo), "check", str(repo / "memos" / "reply-drafting.md")]) == 2
    assert "exceptions/broken.yaml" in capsys.readouterr().err


def test_new_exception_writes_a_template_and_never_overwrites(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "--repo",
        str(repo),
        "new",
        "--exception",
        "--id",
        "order",
        "--memo",
        "reply-drafting",
        "--waive",
        "FT-BENCH-ORDER",
    ]
    assert main(args) == 0
    text = (repo / "exceptions" / "order.yaml").read_text()
    assert "memo: reply-drafting" in text and "waives: [FT-BENCH-ORDER]" in text
    assert main(args) == 2
    assert "never overwrites" in capsys.readouterr().err


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True).stdout


def test_ci_and_site_agree_and_an_exception_in_the_same_pull_request_does_not_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    for folder in ("policies", "notebooks", "schemas"):
        shutil.copytree(REPO_ROOT / folder, root / folder)
    (root / "fmgate.yaml").write_text(SETTINGS)
    (root / "memos").mkdir()
    (root / "exceptions").mkdir()
    (root / "exceptions" / "reply-review.yaml").write_text(EXCEPTION)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "config", "user.email", "ci@example.com")
    _git(root, "config", "user.name", "ci")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "main, with the exception merged")
    _git(root, "checkout", "-q", "-b", "proposal")
    write(root, "reply-drafting.md", UNREVIEWED)
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "the memo")
    capsys.readouterr()
    code = main(
        ["--repo", str(root), "ci", "--base", "main", "--author", "ana.ruiz", "--format", "json", "--now", "2026-11-24"]
    )
    ci_document = json.loads(capsys.readouterr().out)
    assert code == 0 and [w["id"] for w in ci_document["waived"]] == ["MEMO-REVIEW"]
    main(["--repo", str(root), "site", "--out", str(tmp_path / "site"), "--now", "2026-11-24"])
    page = (tmp_path / "site" / "memos" / "reply-drafting.html").read_text()
    assert '<span class="badge outcome-approved">approved</span>' in page

    # the same exception proposed alongside another memo: a rule change, and not in force for it
    _git(root, "checkout", "-q", "main")
    _git(root, "checkout", "-q", "-b", "sneaky")
    (root / "exceptions" / "other-review.yaml").write_text(EXCEPTION.replace("reply-drafting", "other-drafting"))
    (root / "memos").mkdir(exist_ok=True)
    write(
        root,
        "other-drafting.md",
        UNREVIEWED.replace("id: reply-drafting", "id: other-drafting").replace(
            "workload: support-reply-drafting", "workload: other-drafting"
        ),
    )
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "memo and its own exception")
    capsys.readouterr()
    code = main(
        ["--repo", str(root), "ci", "--base", "main", "--author", "ana.ruiz", "--format", "json", "--now", "2026-11-24"]
    )
    document = json.loads(capsys.readouterr().out)
    assert code == 1 and ids(document) == {"MEMO-REVIEW", "PROV-RULES-CHANGED"} and document["exceptions"] == []
