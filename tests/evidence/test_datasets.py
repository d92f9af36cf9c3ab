"""Datasets read in place: their files, their digest, and the same evidence on either engine."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from fmgate.errors import InputError
from fmgate.evidence import datasets
from fmgate.evidence.document import build
from fmgate.sources.reference import Reference

AS_OF = dt.date(2026, 11, 30)


def domain_rows(count: int, offset: int = 0) -> pa.Table:
    quality = ["high", "medium", "low", "high", "bad-label"]
    return pa.table(
        {
            "id": [f"ex-{offset + i:05d}" for i in range(count)],
            "text": [f"Ticket {(offset + i) % 37}:  refund the DUPLICATE charge" for i in range(count)],
            "quality": [quality[(offset + i) % 4] for i in range(count)],
        }
    )


def split_dataset(folder: Path, parts: int = 3, rows: int = 300) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    per = rows // parts
    for index in range(parts):
        pq.write_table(domain_rows(per, index * per), folder / f"part-{index:03d}.parquet")
    (folder / "_SUCCESS").write_text("")  # what Spark and Hadoop leave beside the data
    return folder


def reference(location: str, **more: Any) -> dict[str, Any]:
    return {
        "input": "domain_data",
        "kind": "dataset",
        "label": location,
        "location": location,
        "pin": {"snapshot": "x"},
        **more,
    }


def test_a_dataset_is_its_data_files_in_path_order(tmp_path: Path) -> None:
    folder = split_dataset(tmp_path / "domain")
    located = datasets.locate(Reference.from_json(reference(str(folder))))
    assert [Path(f).name for f in located.files] == ["part-000.parquet", "part-001.parquet", "part-002.parquet"]
    glob = datasets.locate(Reference.from_json(reference(str(folder / "part-00[12].parquet"))))
    assert [Path(f).name for f in glob.files] == ["part-001.parquet", "part-002.parquet"]
    assert glob.digest != located.digest


def test_the_digest_follows_names_sizes_and_bytes(tmp_path: Path) -> None:
    folder = split_dataset(tmp_path / "domain")
    first = datasets.locate(Reference.from_json(reference(str(folder)))).digest
    copy = split_dataset(tmp_path / "elsewhere")  # same files under another root: the same dataset
    assert datasets.locate(Reference.from_json(reference(str(copy)))).digest == first
    pq.write_table(domain_rows(100, 1), folder / "part-001.parquet")  # one row changed its content
    assert datasets.locate(Reference.from_json(reference(str(folder)))).digest != first
    assert first.startswith("sha256:") and len(first) == 71


def test_a_dataset_that_names_nothing_or_mixes_formats_is_bad_input(tmp_path: Path) -> None:
    folder = split_dataset(tmp_path / "domain")
    with pytest.raises(InputError, match="names no files"):
        datasets.locate(Reference.from_json(reference(str(folder / "*.csv"))))
    with pytest.raises(InputError, match="does not exist"):
        datasets.locate(Reference.from_json(reference(str(tmp_path / "absent"))))
    (folder / "notes.csv").write_text("id,text,quality\n")
    with pytest.raises(InputError, match="mixes"):
        datasets.locate(Reference.from_json(reference(str(folder))))


@pytest.mark.parametrize("engine", ["arrow", "spark"])
def test_the_evidence_is_the_same_as_for_one_file(tmp_path: Path, engine: str) -> None:
    folder = split_dataset(tmp_path / "domain")
    whole = tmp_path / "whole.parquet"
    pq.write_table(pa.concat_tables(pq.read_table(p) for p in sorted(folder.glob("*.parquet"))), whole)
    from fmgate.evidence import domain

    single = domain.evaluate(whole, as_of=AS_OF)
    read = datasets.evaluate(
        "domain_data",
        reference(str(folder), engine=engine, master="local[1]"),
        batch_size=64,
        sample_rows=10_000,
        as_of=AS_OF,
    )
    assert read.valid is single.valid
    assert read.measurements == single.measurements
    assert read.validation == single.validation
    entry = build(read, memo_id="m", notebook_path="whole.parquet", parameters={}, root=tmp_path)["provenance"][
        "inputs"
    ][0]
    assert entry["engine"] == engine and entry["files"] == 3 and entry["rows"] == 300
    assert entry["digest"] == datasets.locate(Reference.from_json(reference(str(folder)))).digest
    json.dumps(entry)
