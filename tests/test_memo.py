from __future__ import annotations

from pathlib import Path

import pytest

from fmgate.errors import EXIT_BAD_INPUT, InputError
from fmgate.memo import MAX_MEMO_BYTES, load_memo, parse_memo

GOOD = """---
id: ticket-triage
title: Triage tickets
workload: support-ticket-triage
decision: fine-tune
status: proposed
date: 2026-11-02
owner: dana.kim
engineering_started: null
candidates: {buy: works, fine-tune: cheaper, build: "no"}
evidence:
  eval_set: evidence/ticket-triage/inputs/eval_set.jsonl
  cost_model: {path: evidence/ticket-triage/inputs/cost.yaml}
---
# Why

Body text.
"""


def parse(text: str):
    return parse_memo(text, path=Path("memos/m.md"), relpath="memos/m.md")


def test_policy_view_is_json_with_aliases_and_path() -> None:
    memo = parse(GOOD)
    view = memo.policy_view()
    assert view["date"] == "2026-11-02"
    assert view["candidates"]["fine-tune"] == "cheaper"
    assert view["evidence"]["eval_set"] == {"path": "evidence/ticket-triage/inputs/eval_set.jsonl"}
    assert view["engineering_started"] is None  # an explicit null is kept
    assert view["path"] == "memos/m.md"
    assert memo.body.startswith("# Why")


def test_missing_fields_load_so_the_policy_can_name_them() -> None:
    memo = parse("---\nid: bare\n---\n")
    assert memo.memo.decision is None
    assert memo.memo_id == "bare"


def test_id_falls_back_to_file_stem() -> None:
    assert parse("---\ntitle: t\n---\n").memo_id == "m"


@pytest.mark.parametrize(
    "line, field",
    [
        ("decision: sell", "decision"),
        ("status: maybe", "status"),
        ("reviewers: lee.wong", "reviewers"),
        ("date: next week", "date"),
        ("id: Not_Kebab", "id"),
        ("rationale_tags: [vibes]", "rationale_tags.0"),
        ("evidence: {weather: x.csv}", "evidence.weather.[key]"),
        ("dimensions: {criticality: medium}", "dimensions.criticality"),
        ("build: {committed_capital_usd: -5}", "build.committed_capital_usd"),
    ],
)
def test_wrong_types_and_unknown_values_name_file_line_and_field(line: str, field: str) -> None:
    with pytest.raises(InputError) as caught:
        parse(f"---\nid: x\n{line}\n---\n")
    error = caught.value
    assert error.exit_code == EXIT_BAD_INPUT
    assert error.path == "memos/m.md"
    assert error.field == field
    assert error.line == 3
    assert "schemas/memo.schema.json" in str(error)


def test_no_front_matter() -> None:
    with pytest.raises(InputError) as caught:
        parse("# just markdown\n")
    assert "---" in str(caught.value)


def test_unclosed_front_matter() -> None:
    with pytest.raises(InputError) as caught:
        parse("---\nid: x\n")
    assert "never closed" in str(caught.value)


def test_front_matter_must_be_a_mapping() -> None:
    with pytest.raises(InputError):
        parse("---\n- a\n- b\n---\n")


def test_oversized_memo(tmp_path: Path) -> None:
    big = tmp_path / "big.md"
    big.write_text("---\nid: big\n---\n" + "x" * (MAX_MEMO_BYTES + 1))
    with pytest.raises(InputError) as caught:
        load_memo(big, tmp_path)
    assert "larger" in str(caught.value)


def test_non_utf8_memo(tmp_path: Path) -> None:
    memo = tmp_path / "latin.md"
    memo.write_bytes("---\ntitle: caf\xe9\n---\n".encode("latin-1"))
    with pytest.raises(InputError) as caught:
        load_memo(memo, tmp_path)
    assert "UTF-8" in str(caught.value)


def test_missing_memo(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        load_memo(tmp_path / "nope.md", tmp_path)
    assert "not found" in str(caught.value)


def test_bare_no_gets_a_quoting_hint() -> None:
    with pytest.raises(InputError) as caught:
        parse("---\nid: x\ncandidates: {build: no}\n---\n")
    assert "quotes" in str(caught.value)


@pytest.mark.parametrize(
    "line, field, words",
    [
        ("date: 2026-13-45", "date", "not a valid date"),
        ("engineering_started: 2026-02-30", "engineering_started", "not a valid date"),
        ("proposer: {team: !!int x}", "proposer.team", "!!int"),
        ("notes: !!binary /w==", "notes", "binary"),
        ("build: {committed_capital_usd: .inf}", "build.committed_capital_usd", "not a finite number"),
        ("id: 0x" + "f" * 4000, "id", "too large"),
        ("2026-01-01: null", "2026-01-01", "field names"),
    ],
)
def test_values_yaml_cannot_build_name_file_line_and_field(line: str, field: str, words: str) -> None:
    with pytest.raises(InputError) as caught:
        parse(f"---\nid: x\n{line}\n---\n")
    error = caught.value
    assert error.path == "memos/m.md" and error.line == 3 and error.field == field
    assert words in error.message and error.fix
