"""One unreadable memo in the repository: the rest is still decided, nothing is approved.

A memo that cannot be parsed is left out of the repository index, so no
decision made alongside it could compare against it (MEMO-CONFLICT, the
lifecycle rules). `check`, `relitigate` and `site` decide and print everything
they can, name each unreadable memo with its line and fix, and exit 2 (bad
input), never 0. Real memos, the repository's policies, a real OPA server.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fmgate.cli import main
from fmgate.errors import InputError
from fmgate.evaluate import DecisionSession
from fmgate.repo import Repository
from test_cli_check import COMPLETE_BUY, write

NOW = "2026-11-24"
BAD_DATE = COMPLETE_BUY.replace("id: reply-drafting", "id: broken").replace("date: 2026-11-02", "date: 2026-13-45")
# an approved fine-tune without a head-to-head: due for re-litigation at once
APPROVED_FINE_TUNE = (
    COMPLETE_BUY.replace("id: reply-drafting", "id: tuned")
    .replace("workload: support-reply-drafting", "workload: tuned-replies")
    .replace("decision: buy", "decision: fine-tune")
    .replace("status: proposed", "status: approved")
)


def run(repo: Path, *args: str) -> int:
    return main(["--repo", str(repo), *args])


def assert_names_the_broken_memo(err: str) -> None:
    assert "memos/broken.md:8: field 'date'" in err and "not a valid date" in err and "fix:" in err
    assert "Traceback" not in err


# --- the repository -------------------------------------------------------


def test_memos_still_raise_by_default_and_readable_memos_report(decision_repo: Path) -> None:
    write(decision_repo, "reply.md", COMPLETE_BUY)
    write(decision_repo, "broken.md", BAD_DATE)
    repo = Repository(decision_repo)
    with pytest.raises(InputError) as caught:
        repo.memos  # noqa: B018 - callers that cannot report partial results still stop here
    assert caught.value.path == "memos/broken.md"
    memos, problems = repo.readable_memos()
    assert [m.relpath for m in memos] == ["memos/reply.md"]
    assert [(p.path, p.line, p.field) for p in problems] == [("memos/broken.md", 8, "date")]


def test_a_tolerant_repository_indexes_what_it_can_and_says_what_is_missing(decision_repo: Path) -> None:
    write(decision_repo, "reply.md", COMPLETE_BUY)
    write(decision_repo, "broken.md", BAD_DATE)
    write(decision_repo, "twin.md", COMPLETE_BUY)  # the same id as reply.md
    repo = Repository(decision_repo, skip_unreadable=True)
    assert [m.relpath for m in repo.memos] == ["memos/reply.md"]
    assert [p.path for p in repo.unreadable] == ["memos/broken.md", "memos/twin.md"]
    assert "also used by memos/reply.md" in str(repo.unreadable[1])
    index = repo.index()
    assert set(index["memos"]) == {"reply-drafting"}
    assert index["unreadable"] == ["memos/broken.md", "memos/twin.md"]
    assert repo.load(decision_repo / "memos" / "reply.md").relpath == "memos/reply.md"
    for name in ("broken.md", "twin.md"):  # a memo left out of the index is never decided
        with pytest.raises(InputError) as caught:
            repo.load(decision_repo / "memos" / name)
        assert caught.value.path == f"memos/{name}"


def test_a_session_opens_over_an_unreadable_memo_only_when_asked(decision_repo: Path) -> None:
    write(decision_repo, "reply.md", COMPLETE_BUY)
    write(decision_repo, "broken.md", BAD_DATE)
    with pytest.raises(InputError):
        DecisionSession.open(decision_repo)
    with DecisionSession.open(decision_repo, skip_unreadable=True) as session:
        assert [p.path for p in session.repo.unreadable] == ["memos/broken.md"]


# --- check ----------------------------------------------------------------


def test_check_decides_the_requested_memo_and_exits_2_naming_the_unreadable_one(
    decision_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    memo = write(decision_repo, "reply.md", COMPLETE_BUY)
    write(decision_repo, "broken.md", BAD_DATE)
    assert run(decision_repo, "check", str(memo), "--now", NOW) == 2
    captured = capsys.readouterr()
    assert captured.out.startswith("APPROVED  memos/reply.md")  # what the policies said, with what they saw
    assert_names_the_broken_memo(captured.err)
    assert "could not be read" in captured.err and "nothing is approved" in captured.err


def test_an_unreadable_rival_cannot_let_a_conflict_pass(
    decision_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    memo = write(decision_repo, "reply.md", COMPLETE_BUY)
    rival = COMPLETE_BUY.replace("id: reply-drafting", "id: rival").replace("status: proposed", "status: approved")
    write(decision_repo, "broken.md", rival.replace("date: 2026-11-02", "date: 2026-13-45"))
    assert run(decision_repo, "check", str(memo), "--format", "json", "--now", NOW) == 2
    captured = capsys.readouterr()
    json.loads(captured.out)  # stdout stays a decision document a tool can read
    assert "memos/broken.md:8" in captured.err
    # once readable, the rival is seen and the conflict denies
    write(decision_repo, "broken.md", rival)
    assert run(decision_repo, "check", str(memo), "--format", "json", "--now", NOW) == 1
    assert "MEMO-CONFLICT" in {v["id"] for v in json.loads(capsys.readouterr().out)["violations"]}


def test_check_of_the_unreadable_memo_itself_exits_2(decision_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(decision_repo, "reply.md", COMPLETE_BUY)
    broken = write(decision_repo, "broken.md", BAD_DATE)
    assert run(decision_repo, "check", str(broken), "--now", NOW) == 2
    captured = capsys.readouterr()
    assert "APPROVED" not in captured.out
    assert_names_the_broken_memo(captured.err)


def test_check_with_every_memo_readable_is_unchanged(decision_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    memo = write(decision_repo, "reply.md", COMPLETE_BUY)
    assert run(decision_repo, "check", str(memo), "--now", NOW) == 0
    assert capsys.readouterr().err == ""


# --- relitigate -----------------------------------------------------------


def test_relitigate_lists_what_is_due_and_exits_2_naming_the_unreadable_memo(
    decision_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(decision_repo, "tuned.md", APPROVED_FINE_TUNE)
    write(decision_repo, "broken.md", BAD_DATE.replace("status: proposed", "status: approved"))
    assert run(decision_repo, "relitigate", "--now", NOW) == 2
    captured = capsys.readouterr()
    assert "DUE  memos/tuned.md  (tuned)" in captured.out and "RELIT-DUE" in captured.out
    assert_names_the_broken_memo(captured.err)
    assert run(decision_repo, "relitigate", "--now", NOW, "--format", "json") == 2
    assert [d["memo_id"] for d in json.loads(capsys.readouterr().out)["due"]] == ["tuned"]


def test_relitigate_with_nothing_due_still_exits_2(decision_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(decision_repo, "reply.md", COMPLETE_BUY)
    write(decision_repo, "broken.md", BAD_DATE.replace("status: proposed", "status: approved"))
    assert run(decision_repo, "relitigate", "--now", NOW) == 2
    captured = capsys.readouterr()
    assert "0 of 0 approved decision(s) due" in captured.out
    assert_names_the_broken_memo(captured.err)


# --- site -----------------------------------------------------------------


def test_site_writes_the_readable_memos_and_exits_2_naming_the_unreadable_one(
    decision_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(decision_repo, "reply.md", COMPLETE_BUY)
    write(decision_repo, "tuned.md", APPROVED_FINE_TUNE)
    write(decision_repo, "broken.md", BAD_DATE)
    out = tmp_path / "register"
    assert run(decision_repo, "site", "--out", str(out), "--now", NOW) == 2
    captured = capsys.readouterr()
    assert "for 2 memo(s)" in captured.out
    assert_names_the_broken_memo(captured.err)
    assert "leaves out" in captured.err
    pages = sorted(p.name for p in (out / "memos").glob("*.html"))
    assert pages == ["reply-drafting.html", "tuned.html"]
    assert "memos/broken.md" not in (out / "index.html").read_text()


def test_files_that_are_no_memo_at_all_are_named_as_listed(decision_repo: Path) -> None:
    memos = decision_repo / "memos"
    write(decision_repo, "reply.md", COMPLETE_BUY)
    (memos / "loop.md").symlink_to("loop.md")
    (memos / "dangling.md").symlink_to(decision_repo / "nowhere.md")
    (memos / "folder.md").mkdir()
    (memos / "latin.md").write_bytes("---\ntitle: caf\xe9\n---\n".encode("latin-1"))
    (memos / "empty.md").write_text("")
    repo = Repository(decision_repo, skip_unreadable=True)
    assert [m.relpath for m in repo.memos] == ["memos/reply.md"]
    problems = {p.path: p for p in repo.unreadable}
    assert set(problems) == {
        "memos/loop.md",
        "memos/dangling.md",
        "memos/folder.md",
        "memos/latin.md",
        "memos/empty.md",
    }
    assert all(p.fix and p.exit_code == 2 for p in problems.values())


def test_bad_input_still_wins_over_an_engine_that_cannot_start(
    decision_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    memo = write(decision_repo, "reply.md", COMPLETE_BUY)
    write(decision_repo, "broken.md", BAD_DATE)
    monkeypatch.setenv("FMGATE_OPA_BIN", str(tmp_path / "no-opa"))
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr("fmgate.engine.__file__", str(tmp_path / "x" / "y" / "engine.py"))
    assert run(decision_repo, "check", str(memo)) == 2
    assert_names_the_broken_memo(capsys.readouterr().err)
