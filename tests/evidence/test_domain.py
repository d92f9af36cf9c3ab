"""domain_data: streamed measurement, exact checks beyond the sample, and dedup across batches."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from fmgate.errors import InputError
from fmgate.evidence import domain

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
