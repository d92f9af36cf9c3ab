"""corpus_manifest evidence: how many tokens qualify for building a model.

A token qualifies when its shard is proprietary, domain-relevant and of high
quality. Shards with the same ``sha256`` are the same content listed twice;
their tokens count once (the first listing is kept).

The manifest (one file, or several read one after the other) is streamed in
Arrow record batches. great-expectations runs the corpus_manifest suite on a
bounded sample (the first ``sample_rows`` rows); missing values, negative
token counts, malformed digests, quality labels and shard uniqueness are
also checked exactly over every row while streaming, and those exact results
replace the sample's in the validation summary.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .dates import resolve_as_of
from .document import Evidence
from .hashing import DistinctCounter, FirstSeen, hash_strings
from .io import Paths, dataset_name, input_file, iter_batches, no_rows_error, no_rows_found
from .specs import CORPUS_MANIFEST, QUALITY_LEVELS
from .streaming import Sample, Tally, blank
from .validate import SHA256_PATTERN, Outcome, exact_outcome, find_rule, merge, prepare, run_rules, suite

DEFAULT_BATCH_SIZE = 131_072
DEFAULT_SAMPLE_ROWS = 10_000
_COLUMNS = ("shard", "tokens", "sha256", "source", "proprietary", "domain_relevant", "quality")


class CorpusScan:
    """Streaming accumulator for a corpus manifest."""

    def __init__(self, sample_rows: int = DEFAULT_SAMPLE_ROWS) -> None:
        self.sample = Sample(sample_rows)
        self.rows = 0
        self.tokens_total = 0
        self.tokens_qualifying = 0
        self.tokens_duplicate = 0
        self.duplicate_shards = 0
        self.by_source: Counter[str] = Counter()
        self.by_source_qualifying: Counter[str] = Counter()
        self.by_flag: Counter[str] = Counter()
        self.shards = DistinctCounter()
        self.contents = FirstSeen()
        self.tallies: dict[str, Tally] = {f"{c}_null": Tally() for c in _COLUMNS}
        for key in (
            "shard_blank",
            "source_blank",
            "sha256_blank",
            "quality_blank",
            "tokens_negative",
            "sha256_format",
            "quality_set",
        ):
            self.tallies[key] = Tally()

    def add(self, batch: pa.RecordBatch) -> None:
        self.sample.add(batch)
        self.rows += batch.num_rows
        col = {name: batch.column(name) for name in _COLUMNS}
        t = self.tallies
        for name in _COLUMNS:
            t[f"{name}_null"].add(col[name], pc.is_null(col[name]))
        for name in ("shard", "source", "sha256", "quality"):
            t[f"{name}_blank"].add(col[name], blank(col[name]))
        tokens = col["tokens"]
        t["tokens_negative"].add(tokens, pc.less(tokens, 0))
        sha = col["sha256"]
        t["sha256_format"].add(sha, pc.invert(pc.match_substring_regex(sha, SHA256_PATTERN)))
        quality = col["quality"]
        t["quality_set"].add(quality, pc.invert(pc.is_in(quality, value_set=pa.array(QUALITY_LEVELS))))
        self.shards.add(hash_strings(pc.filter(col["shard"], pc.is_valid(col["shard"]))))

        # Content dedup: a row counts when its sha256 is seen for the first time.
        first = np.ones(batch.num_rows, dtype=bool)
        has_sha = pc.is_valid(sha).to_numpy(zero_copy_only=False)
        if has_sha.any():
            first[has_sha] = self.contents.first(hash_strings(pc.filter(sha, has_sha)))
        first_mask = pa.array(first)
        token_values = pc.fill_null(tokens, 0)
        dup_tokens = pc.sum(pc.filter(token_values, pc.invert(first_mask))).as_py() or 0
        self.tokens_duplicate += int(dup_tokens)
        self.duplicate_shards += int((~first).sum())

        kept = pa.table(
            {
                "source": pc.fill_null(col["source"], ""),
                "tokens": token_values,
                "proprietary": pc.fill_null(col["proprietary"], False),
                "domain_relevant": pc.fill_null(col["domain_relevant"], False),
                "high": pc.fill_null(pc.equal(quality, "high"), False),
            }
        ).filter(first_mask)
        qualifying = pc.and_(pc.and_(kept["proprietary"], kept["domain_relevant"]), kept["high"])
        kept = kept.append_column("qualifying", qualifying)
        self.tokens_total += int(pc.sum(kept["tokens"]).as_py() or 0)
        self.tokens_qualifying += int(pc.sum(pc.filter(kept["tokens"], qualifying)).as_py() or 0)
        for flag in ("proprietary", "domain_relevant", "high", "qualifying"):
            self.by_flag[flag] += int(pc.sum(pc.filter(kept["tokens"], kept[flag])).as_py() or 0)
        grouped = kept.group_by(["source", "qualifying"]).aggregate([("tokens", "sum")])
        for row in grouped.to_pylist():
            self.by_source[row["source"]] += int(row["tokens_sum"] or 0)
            if row["qualifying"]:
                self.by_source_qualifying[row["source"]] += int(row["tokens_sum"] or 0)

    def outcomes(self, as_of: dt.date) -> list[Outcome]:
        frame = self.sample.frame()
        rules = suite("corpus_manifest", list(frame.columns), as_of=as_of)
        sampled = run_rules(prepare(frame, "corpus_manifest"), rules)
        t = self.tallies

        def exact(expectation: str, column: str, key: str) -> Outcome:
            return exact_outcome(find_rule(rules, expectation, column), t[key].unexpected, self.rows, t[key].examples)

        exacts = [exact("ExpectColumnValuesToNotBeNull", c, f"{c}_null") for c in _COLUMNS]
        exacts += [
            exact("ExpectColumnValuesToNotMatchRegex", c, f"{c}_blank")
            for c in ("shard", "source", "sha256", "quality")
        ]
        exacts += [
            exact("ExpectColumnValuesToBeBetween", "tokens", "tokens_negative"),
            exact("ExpectColumnValuesToMatchRegex", "sha256", "sha256_format"),
            exact("ExpectColumnValuesToBeInSet", "quality", "quality_set"),
            exact_outcome(find_rule(rules, "ExpectColumnValuesToBeUnique", "shard"), self.shards.duplicates, self.rows),
        ]
        return merge(sampled, exacts)

    def measurements(self) -> dict[str, Any]:
        return {
            "shards": self.rows,
            "tokens_total": self.tokens_total,
            "tokens_qualifying": self.tokens_qualifying,
            "tokens_by_source": dict(sorted(self.by_source.items())),
            "tokens_qualifying_by_source": dict(sorted(self.by_source_qualifying.items())),
            "tokens_by_flag": {k: self.by_flag[k] for k in ("proprietary", "domain_relevant", "high", "qualifying")},
            "duplicate_shards": self.duplicate_shards,
            "tokens_duplicate": self.tokens_duplicate,
        }


def scan(
    path: Paths,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    sample_rows: int = DEFAULT_SAMPLE_ROWS,
    as_of: dt.date | None = None,
) -> tuple[list[Outcome], dict[str, Any]]:
    """Stream *path* once: validation outcomes and measurements.

    *path* is one file, or a manifest split into files of one format, read
    in the given order as one stream.
    """
    state = CorpusScan(sample_rows)
    for batch in iter_batches(path, CORPUS_MANIFEST, batch_size=batch_size):
        state.add(batch)
    if state.rows == 0:
        raise no_rows_error(dataset_name(path), CORPUS_MANIFEST, no_rows_found(path))
    return state.outcomes(as_of or resolve_as_of(None)), state.measurements()


def evaluate(
    corpus_manifest: Paths | Mapping[str, Any],
    *,
    label: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    sample_rows: int = DEFAULT_SAMPLE_ROWS,
    as_of: str | dt.date | None = None,
) -> Evidence:
    """Stream, validate and measure a corpus manifest: one file, or a manifest's files in order.

    For several files the input is recorded under *label* (a description of
    the dataset; by default its first file and how many more), with the rows
    read; one file is recorded by its path, as given.
    """
    # a dataset read in place (fmgate.sources): its source's engine measures it
    if isinstance(corpus_manifest, Mapping):
        from .datasets import evaluate as evaluate_in_place

        return evaluate_in_place(
            "corpus_manifest", corpus_manifest, batch_size=batch_size, sample_rows=sample_rows, as_of=as_of
        )
    outcomes, measurements = scan(
        corpus_manifest, batch_size=batch_size, sample_rows=sample_rows, as_of=resolve_as_of(as_of)
    )
    evidence = Evidence(
        "corpus_manifest", [input_file("corpus_manifest", corpus_manifest, label, measurements["shards"])], outcomes
    )
    if evidence.valid:
        evidence.measurements = measurements
    return evidence
