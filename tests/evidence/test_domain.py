"""domain_data: streamed measurement, exact checks beyond the sample, and dedup across batches."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from fmgate.errors import InputError
from fmgate.evidence import domain
from fmgate.evidence.dates import resolve_as_of

from .helpers import AS_OF, write_rows


def rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [f"d{i}" for i in range(12)],
            "text": ["Alpha", "alpha ", "BETA", "gamma", "", "   ", None, "delta", "Delta", "eps", "zeta", "eta"],
            "quality": ["high", "high", "high", "high", "high", "high", "high", "high", "high", "low", "medium", "low"],
        }
    )


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
@pytest.mark.parametrize("batch_size", [1, 5, 1000])
def test_measurements_do_not_depend_on_format_or_batch_size(tmp_path: Path, suffix: str, batch_size: int) -> None:
    path = write_rows(tmp_path / f"domain{suffix}", rows())
    evidence = domain.evaluate(path, batch_size=batch_size, sample_rows=4, as_of=AS_OF)
    assert evidence.valid
    assert evidence.measurements == {
        "rows_total": 12,
        "rows_nonempty": 9,
        "rows_high_quality": 6,
        "high_quality_unique": 4,  # alpha (twice), beta, gamma, delta (twice)
        "duplicate_ids": 0,
        "rows_by_quality": {"high": 9, "low": 2, "medium": 1},
    }


def test_a_bad_row_beyond_the_sample_is_caught_by_the_exact_checks(tmp_path: Path) -> None:
    frame = rows()
    frame.loc[11, "quality"] = "excellent"
    path = write_rows(tmp_path / "domain.csv", frame)
    evidence = domain.evaluate(path, batch_size=3, sample_rows=3, as_of=AS_OF)
    assert not evidence.valid
    failure = next(f for f in evidence.validation["failed"] if f["column"] == "quality")
    assert "1 of 12 rows" in failure["details"] and "'excellent'" in failure["details"]
    assert "exact check" in failure["details"]


def test_repeated_ids_across_batches_are_a_warning(tmp_path: Path) -> None:
    frame = rows()
    frame.loc[10, "id"] = "d0"
    evidence = domain.evaluate(write_rows(tmp_path / "domain.parquet", frame), batch_size=2, as_of=AS_OF)
    assert evidence.valid
    assert evidence.measurements["duplicate_ids"] == 1
    assert any(f["column"] == "id" and f["severity"] == "warning" for f in evidence.validation["failed"])


def test_missing_ids_invalidate(tmp_path: Path) -> None:
    frame = rows()
    frame.loc[7, "id"] = None
    evidence = domain.evaluate(write_rows(tmp_path / "domain.parquet", frame), batch_size=4, sample_rows=2, as_of=AS_OF)
    assert not evidence.valid
    assert any("'id'" in e and "missing" in e for e in evidence.all_errors())


def test_header_only_file_raises(tmp_path: Path) -> None:
    path = tmp_path / "domain.csv"
    path.write_text("id,text,quality\n")
    with pytest.raises(InputError, match="no rows"):
        domain.evaluate(path, as_of=AS_OF)


def split_rows(tmp_path: Path, frame: pd.DataFrame, sizes: list[int], suffix: str = ".parquet") -> list[Path]:
    """*frame* written as consecutive parts of the given row counts, in order."""
    bounds = [sum(sizes[:i]) for i in range(len(sizes) + 1)]
    assert bounds[-1] == len(frame)
    return [
        write_rows(tmp_path / f"part-{i}{suffix}", frame.iloc[lo:hi].reset_index(drop=True))
        for i, (lo, hi) in enumerate(zip(bounds, bounds[1:]))
    ]


@pytest.mark.parametrize("batch_size", [2, 1000])
@pytest.mark.parametrize("sample_rows", [3, 6, 100])
def test_a_dataset_split_into_three_files_reads_as_the_whole_file(
    tmp_path: Path, batch_size: int, sample_rows: int
) -> None:
    frame = rows()
    frame.loc[10, "id"] = "d1"  # an id repeated across parts
    frame.loc[11, "quality"] = "excellent"  # a bad label in the last part, beyond a small sample
    whole = write_rows(tmp_path / "whole.parquet", frame)
    parts = split_rows(tmp_path, frame, [4, 3, 5])
    kwargs = {"batch_size": batch_size, "sample_rows": sample_rows, "as_of": resolve_as_of(AS_OF)}
    outcomes, measurements = domain.scan(whole, **kwargs)
    split_outcomes, split_measurements = domain.scan(parts, **kwargs)
    assert split_measurements == measurements
    assert split_outcomes == outcomes
    assert measurements["duplicate_ids"] == 1 and measurements["high_quality_unique"] == 4
    assert any(not o.success and o.rule.column == "quality" and o.examples == ["excellent"] for o in outcomes)


def test_evidence_of_a_dataset_is_recorded_under_its_label_with_the_rows_read(tmp_path: Path) -> None:
    parts = split_rows(tmp_path, rows(), [5, 5, 2])
    whole = domain.evaluate(write_rows(tmp_path / "whole.parquet", rows()), sample_rows=4, as_of=AS_OF)
    evidence = domain.evaluate(parts, label="warehouse.domain_examples (3 files)", sample_rows=4, as_of=AS_OF)
    assert evidence.valid and evidence.measurements == whole.measurements
    assert evidence.validation == whole.validation
    (facts,) = evidence.inputs
    assert (facts.name, facts.path, facts.rows) == ("domain_data", "warehouse.domain_examples (3 files)", 12)
    assert whole.inputs[0].rows is None  # one file: recorded by its path, its rows counted from it
    unlabelled = domain.evaluate(parts, sample_rows=4, as_of=AS_OF)
    assert unlabelled.inputs[0].path == f"{parts[0]} and 2 more files"


def test_a_dataset_of_mixed_formats_or_with_no_rows_is_refused(tmp_path: Path) -> None:
    parts = split_rows(tmp_path, rows(), [6, 6])
    csv_part = write_rows(tmp_path / "part-2.csv", rows().iloc[:2])
    with pytest.raises(InputError, match="one format"):
        domain.scan([*parts, csv_part], as_of=resolve_as_of(AS_OF))
    empty = [write_rows(tmp_path / f"empty-{i}.parquet", rows().iloc[:0]) for i in range(2)]
    with pytest.raises(InputError, match="no rows, nor does the dataset's other file"):
        domain.scan(empty, as_of=resolve_as_of(AS_OF))
    with pytest.raises(InputError, match="no files"):
        domain.scan([], as_of=resolve_as_of(AS_OF))
