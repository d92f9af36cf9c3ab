"""Inputs with no rows: read and measured where zero rows is an answer, refused with the reason where not.

Zero rows is a meaningful answer for task_changes alone (no change to the task
definition: a stable task). For every other kind the reader refuses a file
with no rows and says why it cannot be evidence of that kind. A file that does
not state its columns (no bytes, a CSV with no header, JSON Lines with no
records) is never read as zero rows, even for task_changes: an export that
failed looks the same, and reading it as "the task never changed" would pass
FT-COST-STABILITY on an error.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from fmgate.errors import EXIT_BAD_INPUT, InputError
from fmgate.evidence import corpus, domain, eval_set, head_to_head, io, prompting, usage
from fmgate.evidence.specs import INPUTS, TASK_CHANGES, InputSpec
from fmgate.evidence.validate import validate_frame

from .helpers import AS_OF, usage_rows, write_rows

ARROW = {
    "string": pa.string(),
    "text": pa.string(),
    "date": pa.string(),
    "datetime": pa.string(),
    "int": pa.int64(),
    "number": pa.float64(),
    "bool": pa.bool_(),
}


def header_only(path: Path, spec: InputSpec) -> Path:
    """A file that states the spec's columns and holds no rows: a CSV header, or a Parquet schema."""
    if path.suffix == ".csv":
        path.write_text(",".join(spec.names) + "\n")
    else:
        pq.write_table(pa.table({c.name: pa.array([], ARROW[c.type]) for c in spec.columns}), path)
    return path


def refused(call, *fragments: str) -> InputError:
    with pytest.raises(InputError) as info:
        call()
    text = str(info.value)
    for fragment in fragments:
        assert fragment in text, f"{fragment!r} not in {text!r}"
    assert info.value.fix and info.value.exit_code == EXIT_BAD_INPUT
    return info.value


# --- task_changes: zero changes is the stable task ------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_task_changes_file_with_no_rows_is_read_with_the_spec_types(tmp_path: Path, suffix: str) -> None:
    frame = io.read_table(header_only(tmp_path / f"task_changes{suffix}", TASK_CHANGES), TASK_CHANGES)
    assert len(frame) == 0
    assert list(frame.columns) == ["date", "description", "meaningful"]
    assert frame["meaningful"].dtype == bool
    assert str(frame["date"].dtype) in ("str", "string", "object")
    outcomes = validate_frame(frame, "task_changes", as_of=dt.date(2026, 11, 24))
    assert len(outcomes) >= 10  # the suite ran: columns, nulls, blanks, dates, booleans
    assert all(o.success for o in outcomes), [o.message() for o in outcomes if not o.success]


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_no_task_change_measures_zero_changes_in_every_quarter(tmp_path: Path, suffix: str) -> None:
    log = write_rows(tmp_path / "usage.csv", usage_rows("2026-10-01", 28))
    changes = header_only(tmp_path / f"task_changes{suffix}", TASK_CHANGES)
    evidence = usage.evaluate(log, changes, memo_date="2026-11-02", as_of=AS_OF)
    assert evidence.valid, evidence.all_errors()
    assert [q["meaningful_changes"] for q in evidence.measurements["quarters"]] == [0, 0, 0, 0]
    assert evidence.measurements["unstable_quarters"] == 0
    read = {item.name: item for item in evidence.inputs}
    assert read["task_changes"].rows == 0 and read["task_changes"].dates is None


@pytest.mark.parametrize(
    "name, content, said",
    [
        ("task_changes.csv", b"", "is empty (no bytes)"),
        ("task_changes.csv", b"\n", "has no header row"),
        ("task_changes.jsonl", b"", "is empty (no bytes)"),
        ("task_changes.jsonl", b"\n\n", "has no records"),
    ],
)
def test_a_task_changes_file_that_does_not_state_its_columns_is_not_zero_changes(
    tmp_path: Path, name: str, content: bytes, said: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    log = write_rows(tmp_path / "usage.csv", usage_rows("2026-10-01", 28))
    error = refused(
        lambda: usage.evaluate(log, path, memo_date="2026-11-02", as_of=AS_OF),
        name,
        said,
        "an export that failed looks the same",
    )
    assert "date,description,meaningful" in error.fix  # the stable case can follow this fix


# --- every other kind: zero rows is refused, with the reason ---------------------------------------

WHY = {
    "usage_log": "a usage log with no days measures no volume",
    "eval_set": "an eval set with no items scores nothing",
    "prompting_log": "a prompting log with no iterations shows no prompting effort",
    "head_to_head": "a head-to-head with no scored items compares nothing",
    "domain_data": "domain data with no examples holds nothing to fine-tune on",
    "corpus_manifest": "a corpus manifest with no shards lists no tokens",
}


def evaluate(kind: str, path: Path):
    """The kind's own evaluate, as its notebook calls it."""
    call = {
        "usage_log": usage.evaluate,
        "eval_set": eval_set.evaluate,
        "prompting_log": prompting.evaluate,
        "head_to_head": head_to_head.evaluate,
        "domain_data": domain.evaluate,
        "corpus_manifest": corpus.evaluate,
    }[kind]
    return call(path, as_of=AS_OF)


@pytest.mark.parametrize("kind", sorted(WHY))
@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_header_without_rows_is_refused_with_the_reason(tmp_path: Path, kind: str, suffix: str) -> None:
    path = header_only(tmp_path / f"{kind}{suffix}", INPUTS[kind])
    refused(lambda: evaluate(kind, path), f"{kind}{suffix}", "no rows", "zero rows cannot be evidence", WHY[kind])


@pytest.mark.parametrize("kind", sorted(WHY))
@pytest.mark.parametrize(
    "suffix, content, said",
    [
        (".csv", b"", "is empty (no bytes)"),
        (".csv", b"\n", "no header row"),
        (".jsonl", b"", "is empty (no bytes)"),
        (".jsonl", b"\n \n", "has no records"),
    ],
)
def test_a_file_without_header_or_records_is_refused_with_the_reason(
    tmp_path: Path, kind: str, suffix: str, content: bytes, said: str
) -> None:
    path = tmp_path / f"{kind}{suffix}"
    path.write_bytes(content)
    refused(lambda: evaluate(kind, path), f"{kind}{suffix}", said, WHY[kind])


def test_the_eval_sets_overlap_check_refuses_domain_data_with_no_rows(tmp_path: Path) -> None:
    items = write_rows(tmp_path / "eval.csv", [{"id": "a", "input": "q", "expected": "x"}])
    empty = header_only(tmp_path / "domain.parquet", INPUTS["domain_data"])
    refused(lambda: eval_set.evaluate(items, empty, as_of=AS_OF), "domain.parquet", "no rows", WHY["domain_data"])


def test_the_head_to_head_refuses_an_eval_set_with_no_rows(tmp_path: Path) -> None:
    bench = write_rows(
        tmp_path / "h2h.csv",
        [
            {"item_id": "a", "system": s, "score": 0.9, "cost_usd": 0.01, "run_date": "2026-11-01"}
            for s in ("candidate", "buy")
        ],
    )
    empty = header_only(tmp_path / "eval.csv", INPUTS["eval_set"])
    refused(lambda: head_to_head.evaluate(bench, empty, resamples=10, as_of=AS_OF), "eval.csv", WHY["eval_set"])


def test_every_kind_decides_what_zero_rows_means() -> None:
    for spec in INPUTS.values():
        assert spec.no_rows and spec.no_rows_fix, spec.name
    assert [name for name, spec in INPUTS.items() if spec.empty_ok] == ["task_changes"]
