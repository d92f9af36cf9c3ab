"""corpus_manifest: qualifying tokens, content dedup by sha256, and exact checks."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from fmgate.evidence import corpus
from fmgate.evidence.dates import resolve_as_of

from .helpers import AS_OF, write_rows

A, B, C, D = ("a" * 64, "b" * 64, "c" * 64, "d" * 64)


def manifest() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "shard": "s3://c/1",
                "tokens": 100,
                "sha256": A,
                "source": "crm",
                "proprietary": True,
                "domain_relevant": True,
                "quality": "high",
            },
            {
                "shard": "s3://c/2",
                "tokens": 50,
                "sha256": B,
                "source": "crm",
                "proprietary": True,
                "domain_relevant": False,
                "quality": "high",
            },
            {
                "shard": "s3://c/3",
                "tokens": 30,
                "sha256": C,
                "source": "web",
                "proprietary": False,
                "domain_relevant": True,
                "quality": "high",
            },
            {
                "shard": "s3://c/4",
                "tokens": 20,
                "sha256": D,
                "source": "tickets",
                "proprietary": True,
                "domain_relevant": True,
                "quality": "medium",
            },
            {
                "shard": "s3://c/1-copy",
                "tokens": 100,
                "sha256": A,
                "source": "crm",
                "proprietary": True,
                "domain_relevant": True,
                "quality": "high",
            },
        ]
    )


@pytest.mark.parametrize("batch_size", [1, 2, 100])
def test_qualifying_tokens_count_each_content_once(tmp_path: Path, batch_size: int) -> None:
    path = write_rows(tmp_path / "corpus.csv", manifest())
    evidence = corpus.evaluate(path, batch_size=batch_size, sample_rows=2, as_of=AS_OF)
    assert evidence.valid
    m = evidence.measurements
    assert m["shards"] == 5
    assert m["tokens_total"] == 200
    assert m["tokens_qualifying"] == 100
    assert m["tokens_by_source"] == {"crm": 150, "tickets": 20, "web": 30}
    assert m["tokens_qualifying_by_source"] == {"crm": 100}
    assert m["duplicate_shards"] == 1 and m["tokens_duplicate"] == 100
    assert m["tokens_by_flag"] == {"proprietary": 170, "domain_relevant": 150, "high": 180, "qualifying": 100}


def test_negative_tokens_and_bad_digests_invalidate(tmp_path: Path) -> None:
    frame = manifest()
    frame.loc[3, "tokens"] = -20
    frame.loc[4, "sha256"] = "not-a-digest"
    evidence = corpus.evaluate(write_rows(tmp_path / "corpus.parquet", frame), batch_size=2, sample_rows=1, as_of=AS_OF)
    assert not evidence.valid
    errors = " ".join(evidence.all_errors())
    assert "'tokens'" in errors and "-20" in errors
    assert "'sha256'" in errors and "not-a-digest" in errors


def test_a_shard_listed_twice_is_a_warning(tmp_path: Path) -> None:
    frame = manifest()
    frame.loc[4, "shard"] = "s3://c/1"
    evidence = corpus.evaluate(write_rows(tmp_path / "corpus.jsonl", frame), as_of=AS_OF)
    assert evidence.valid
    assert any(f["column"] == "shard" and f["severity"] == "warning" for f in evidence.validation["failed"])


@pytest.mark.parametrize("batch_size", [1, 100])
def test_a_manifest_split_into_three_files_reads_as_the_whole_file(tmp_path: Path, batch_size: int) -> None:
    frame = manifest()
    frame.loc[3, "tokens"] = -20  # a bad value in the middle part
    frame.loc[4, "shard"] = "s3://c/1"  # a shard listed again in the last part
    whole = write_rows(tmp_path / "whole.parquet", frame)
    bounds = [0, 2, 4, 5]
    parts = [
        write_rows(tmp_path / f"part-{i}.parquet", frame.iloc[lo:hi].reset_index(drop=True))
        for i, (lo, hi) in enumerate(zip(bounds, bounds[1:]))
    ]
    day = resolve_as_of(AS_OF)
    outcomes, measurements = corpus.scan(whole, batch_size=batch_size, sample_rows=3, as_of=day)
    split_outcomes, split_measurements = corpus.scan(parts, batch_size=batch_size, sample_rows=3, as_of=day)
    assert split_measurements == measurements
    assert split_outcomes == outcomes
    # the content listed in the first part is the one counted; the copy in the last part is the duplicate
    assert measurements["duplicate_shards"] == 1 and measurements["tokens_duplicate"] == 100
    evidence = corpus.evaluate(parts, label="lake.corpus_manifest (3 files)", sample_rows=3, as_of=AS_OF)
    assert evidence.validation == corpus.evaluate(whole, sample_rows=3, as_of=AS_OF).validation
    assert (evidence.inputs[0].path, evidence.inputs[0].rows) == ("lake.corpus_manifest (3 files)", 5)
