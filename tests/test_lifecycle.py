from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from fmgate.lifecycle import check_repository, check_transition
from fmgate.memo import parse_memo


def memo(memo_id: str = "triage", **fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": memo_id,
        "title": "Ticket triage",
        "workload": f"{memo_id}-workload",
        "decision": "buy",
        "status": "proposed",
        "date": dt.date(2026, 11, 2),
        "owner": "dana.kim",
        "supersedes": None,
        "reviewers": ["lee.wong"],
        "evidence": {"cost_model": f"evidence/{memo_id}/inputs/cost_model.yaml"},
    }
    base.update(fields)
    return base


def fields_of(problems: list[dict[str, str]]) -> list[tuple[str, str]]:
    return [(p["field"], p["message"]) for p in problems]


# -- one memo, before and after ----------------------------------------------


def test_a_new_memo_has_no_transition_problem() -> None:
    assert check_transition(None, memo()) == []


@pytest.mark.parametrize(
    "before,after",
    [
        ("proposed", "approved"),
        ("proposed", "rejected"),
        ("proposed", "retired"),
        ("approved", "superseded"),
        ("approved", "retired"),
        ("approved", "approved"),
    ],
)
def test_allowed_status_moves(before: str, after: str) -> None:
    assert check_transition(memo(status=before), memo(status=after)) == []


@pytest.mark.parametrize(
    "before,after",
    [
        ("approved", "proposed"),
        ("approved", "rejected"),
        ("superseded", "approved"),
        ("rejected", "proposed"),
        ("retired", "approved"),
        ("proposed", "superseded"),
    ],
)
def test_forbidden_status_moves(before: str, after: str) -> None:
    problems = check_transition(memo(status=before), memo(status=after))
    assert [p["field"] for p in problems] == ["status"]
    assert f"from {before} to {after}" in problems[0]["message"]
    assert problems[0]["path"] == "memos/triage.md" and problems[0]["fix"]


def test_a_proposed_memo_may_be_edited_freely() -> None:
    assert check_transition(memo(), memo(decision="fine-tune", owner="priya.rao", workload="x")) == []


@pytest.mark.parametrize(
    "field,value",
    [
        ("decision", "fine-tune"),
        ("owner", "priya.rao"),
        ("workload", "other"),
        ("date", dt.date(2026, 12, 1)),
        ("supersedes", "older"),
        ("evidence", {"cost_model": "evidence/triage/inputs/other.yaml"}),
        ("gates_claimed", ["cost_at_scale"]),
    ],
)
def test_editing_a_decision_field_of_an_approved_memo(field: str, value: object) -> None:
    problems = check_transition(memo(status="approved"), memo(status="approved", **{field: value}))
    assert [p["field"] for p in problems] == [field]
    assert "approved" in problems[0]["message"]
    assert "supersedes: triage" in problems[0]["fix"]


def test_approving_and_editing_at_once_is_fine() -> None:
    # The approval itself happens on a proposed memo: its fields may still move.
    assert check_transition(memo(), memo(status="approved", reviewers=["lee.wong", "sam.ortiz"])) == []


def test_superseding_an_approved_memo_may_not_edit_it_either() -> None:
    problems = check_transition(memo(status="approved"), memo(status="superseded", decision="build"))
    assert fields_of(problems) == [
        ("decision", "the memo is approved; its decision field 'decision' may not be edited")
    ]


def test_title_and_equivalent_spellings_are_not_edits() -> None:
    old = memo(status="approved")
    new = memo(
        status="approved",
        title="Ticket triage (typo fixed)",
        date="2026-11-02",
        evidence={"cost_model": {"path": "evidence/triage/inputs/cost_model.yaml"}},
        path="memos/triage.md",
    )
    assert check_transition(old, new) == []


def test_adding_or_removing_a_field_of_an_approved_memo_is_an_edit() -> None:
    new = memo(status="approved", engineering_started=dt.date(2026, 1, 1))
    assert [p["field"] for p in check_transition(memo(status="approved"), new)] == ["engineering_started"]
    old = memo(status="approved", build=None)
    assert check_transition(old, memo(status="approved")) == []  # absent and null say the same


def test_rejected_memos_are_final_records() -> None:
    problems = check_transition(memo(status="rejected"), memo(status="rejected", decision="fine-tune"))
    assert [p["field"] for p in problems] == ["decision"]


def test_path_comes_from_the_argument_or_the_memo() -> None:
    problems = check_transition(memo(status="approved"), memo(status="proposed", path="memos/x.md"))
    assert problems[0]["path"] == "memos/x.md"
    problems = check_transition(memo(status="approved"), memo(status="proposed"), path="memos/given.md")
    assert problems[0]["path"] == "memos/given.md"


def test_memo_files_are_accepted(tmp_path: Path) -> None:
    def parsed(status: str, decision: str) -> object:
        text = f"---\nid: triage\nstatus: {status}\ndecision: {decision}\ndate: 2026-11-02\n---\nBody\n"
        return parse_memo(text, path=tmp_path / "memos" / "triage.md", relpath="memos/triage.md")

    problems = check_transition(parsed("approved", "buy"), parsed("approved", "build"))
    assert fields_of(problems) == [
        ("decision", "the memo is approved; its decision field 'decision' may not be edited")
    ]
    assert problems[0]["path"] == "memos/triage.md"


# -- the repository as a whole ------------------------------------------------


def test_a_consistent_repository() -> None:
    memos = [memo("a", status="superseded"), memo("b", status="approved", supersedes="a"), memo("c")]
    assert check_repository(memos) == []


def test_superseded_memo_nobody_names() -> None:
    problems = check_repository([memo("a", status="superseded", path="memos/a.md"), memo("b")])
    assert [(p["path"], p["field"]) for p in problems] == [("memos/a.md", "status")]
    assert "supersedes: a" in problems[0]["fix"]


def test_a_memo_cannot_supersede_itself() -> None:
    problems = check_repository([memo("a", supersedes="a")])
    assert fields_of(problems) == [("supersedes", "the memo supersedes itself")]


def test_a_superseded_memo_named_only_by_itself_is_still_unnamed() -> None:
    problems = check_repository([memo("a", status="superseded", supersedes="a")])
    assert sorted(p["field"] for p in problems) == ["status", "supersedes"]


def test_superseding_a_missing_id() -> None:
    problems = check_repository([memo("b", supersedes="ghost")])
    assert [p["field"] for p in problems] == ["supersedes"]
    assert "'ghost'" in problems[0]["message"]


def test_supersedes_must_be_one_id() -> None:
    problems = check_repository([memo("a"), memo("b", supersedes=["a"])])
    assert [p["field"] for p in problems] == ["supersedes"]


def test_a_loop_is_reported_once() -> None:
    memos = [
        memo("a", supersedes="c"),
        memo("b", supersedes="a"),
        memo("c", supersedes="b"),
        memo("d", supersedes="a"),
    ]  # d hangs off the loop without being part of it
    problems = check_repository(memos)
    assert fields_of(problems) == [("supersedes", "supersedes links form a loop: a -> c -> b -> a")]
    assert problems[0]["path"] == "memos/a.md"


def test_two_memo_loop() -> None:
    problems = check_repository([memo("a", supersedes="b"), memo("b", supersedes="a")])
    assert [p["message"] for p in problems] == ["supersedes links form a loop: a -> b -> a"]


def test_an_approved_successor_leaves_its_predecessor_approved() -> None:
    problems = check_repository([memo("a", status="approved"), memo("b", status="approved", supersedes="a")])
    assert [(p["path"], p["field"]) for p in problems] == [("memos/a.md", "status")]
    # while the successor is only proposed, the predecessor stays the live decision
    assert check_repository([memo("a", status="approved"), memo("b", supersedes="a")]) == []


def test_ids_fall_back_to_the_file_name(tmp_path: Path) -> None:
    text = "---\nstatus: superseded\n---\n"
    old = parse_memo(text, path=tmp_path / "memos" / "old.md", relpath="memos/old.md")
    assert check_repository([old, memo("new", supersedes="old")]) == []
