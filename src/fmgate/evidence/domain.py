"""domain_data evidence: how many deduplicated, non-empty, high-quality domain examples exist.

The file (or a dataset's files, one after the other) is streamed in Arrow
record batches and never loaded whole, so a dataset of tens of millions of
rows is measured in bounded memory (about 16 bytes per row for the hashes,
plus a few batches in flight). Batches are measured on two threads; Arrow
and NumPy do the work outside the interpreter lock.

How it is validated: great-expectations runs the full domain_data suite on
a bounded sample, the first ``sample_rows`` rows. Every check whose result
can differ outside the sample is also computed exactly over every row while
streaming (Arrow and NumPy per batch): missing ids, texts and labels, blank
ids and texts, allowed ``quality`` labels (a blank label is not an allowed
one), and id uniqueness (64-bit hashes of the ids, see
:mod:`fmgate.evidence.hashing`). Those exact results replace the sample's in
the validation summary and say so in their details.

Deduplication uses 64-bit hashes of the normalised text (trimmed,
lower-cased, whitespace collapsed) of the non-empty rows marked high quality.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .dates import resolve_as_of
from .document import Evidence
from .hashing import DistinctCounter, hash_normalized, hash_strings, plain_rows
from .io import Paths, dataset_name, input_file, iter_batches, no_rows_error, no_rows_found
from .specs import DOMAIN_DATA, QUALITY_LEVELS
from .streaming import (
    Sample,
    Tally,
    blank_among,
    blank_rows,
    failures_where,
    label_codes,
    label_rows,
    ordered_map,
    valid_rows,
)
from .validate import Outcome, exact_outcome, find_rule, merge, prepare, run_rules, suite

DEFAULT_BATCH_SIZE = 262_144
DEFAULT_SAMPLE_ROWS = 10_000
_CHECKS = ("id_null", "id_blank", "text_null", "text_blank", "quality_null", "quality_set")


def measure_batch(batch: pa.RecordBatch) -> dict[str, Any]:
    """Everything one batch contributes; pure, so batches can be measured in parallel.

    Masks are NumPy arrays; labels are looked up by their dictionary code (see
    :func:`~fmgate.evidence.streaming.label_codes`); the text column's bytes are
    scanned once (:func:`~fmgate.evidence.hashing.plain_rows`), which tells
    which texts need Arrow's normalisation and which could be blank at all.
    """
    ids, text, quality = batch.column("id"), batch.column("text"), batch.column("quality")
    codes, labels = label_codes(quality)
    counts = np.bincount(codes, minlength=len(labels) + 1)
    label_null = label_rows(codes, labels, counts, lambda label: label is None)
    outside = label_rows(codes, labels, counts, lambda label: label is not None and label not in QUALITY_LEVELS)
    high_label = label_rows(codes, labels, counts, lambda label: label == "high")

    plain = plain_rows(text)
    blank_text = blank_among(text, plain)
    nonempty = ~blank_text
    if text.null_count:
        nonempty &= valid_rows(text)
    high = nonempty & high_label if high_label is not None else np.zeros(len(nonempty), dtype=bool)
    present_ids = pc.filter(ids, pc.is_valid(ids)) if ids.null_count else ids
    none: tuple[int, list[Any]] = (0, [])
    return {
        "rows": batch.num_rows,
        "nonempty": int(np.count_nonzero(nonempty)),
        "high": int(np.count_nonzero(high)),
        "by_quality": [
            (label, int(count))
            for label, count in zip(labels, counts.tolist(), strict=False)
            if label is not None and count
        ],
        "id_hashes": hash_strings(present_ids),
        "text_hashes": hash_normalized(text, high, plain),
        "checks": {
            "id_null": failures_where(ids, ~valid_rows(ids)) if ids.null_count else none,
            "id_blank": failures_where(ids, blank_rows(ids)),
            "text_null": failures_where(text, ~valid_rows(text)) if text.null_count else none,
            "text_blank": failures_where(text, blank_text),
            "quality_null": failures_where(quality, label_null) if label_null is not None else none,
            "quality_set": failures_where(quality, outside) if outside is not None else none,
        },
    }


class DomainScan:
    """Streaming accumulator for domain_data: feed batches (or their measurements), then read the results."""

    def __init__(self, sample_rows: int = DEFAULT_SAMPLE_ROWS) -> None:
        self.sample = Sample(sample_rows)
        self.rows = 0
        self.nonempty = 0
        self.high = 0
        self.by_quality: Counter[str] = Counter()
        self.ids = DistinctCounter()
        self.high_texts = DistinctCounter()
        self.tallies = {key: Tally() for key in _CHECKS}

    def add(self, batch: pa.RecordBatch) -> None:
        self.sample.add(batch)
        self.merge(measure_batch(batch))

    def merge(self, part: dict[str, Any]) -> None:
        self.rows += part["rows"]
        self.nonempty += part["nonempty"]
        self.high += part["high"]
        for value, count in part["by_quality"]:
            self.by_quality[str(value)] += int(count)
        self.ids.add(part["id_hashes"])
        self.high_texts.add(part["text_hashes"])
        for key, (unexpected, examples) in part["checks"].items():
            self.tallies[key].merge(unexpected, examples)

    def sample_outcomes(self, as_of: dt.date) -> tuple[list[Any], list[Outcome]]:
        """The suite's rules and their outcomes on the sample (great-expectations)."""
        frame = self.sample.frame()
        rules = suite("domain_data", list(frame.columns), as_of=as_of)
        return rules, run_rules(prepare(frame, "domain_data"), rules)

    def outcomes(self, as_of: dt.date, sampled: tuple[list[Any], list[Outcome]] | None = None) -> list[Outcome]:
        """Sample outcomes from great-expectations, with exact results where they exist."""
        rules, sampled_outcomes = sampled or self.sample_outcomes(as_of)
        t = self.tallies

        def exact(expectation: str, column: str, tally: Tally) -> Outcome:
            return exact_outcome(find_rule(rules, expectation, column), tally.unexpected, self.rows, tally.examples)

        exacts = [
            exact("ExpectColumnValuesToNotBeNull", "id", t["id_null"]),
            exact("ExpectColumnValuesToNotMatchRegex", "id", t["id_blank"]),
            exact("ExpectColumnValuesToNotBeNull", "text", t["text_null"]),
            exact("ExpectColumnValuesToNotMatchRegex", "text", t["text_blank"]),
            exact("ExpectColumnValuesToNotBeNull", "quality", t["quality_null"]),
            exact("ExpectColumnValuesToBeInSet", "quality", t["quality_set"]),
            exact_outcome(find_rule(rules, "ExpectColumnValuesToBeUnique", "id"), self.ids.duplicates, self.rows),
        ]
        return merge(sampled_outcomes, exacts)

    def measurements(self) -> dict[str, Any]:
        return {
            "rows_total": self.rows,
            "rows_nonempty": self.nonempty,
            "rows_high_quality": self.high,
            "high_quality_unique": self.high_texts.distinct(),
            "duplicate_ids": self.ids.duplicates,
            "rows_by_quality": dict(sorted(self.by_quality.items())),
        }


def scan(
    path: Paths,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    sample_rows: int = DEFAULT_SAMPLE_ROWS,
    as_of: dt.date | None = None,
    workers: int = 2,
) -> tuple[list[Outcome], dict[str, Any]]:
    """Stream *path* once: validation outcomes and measurements.

    *path* is one file, or a dataset split into files of one format, read in
    the given order as one stream. The sample's great-expectations run starts
    in the background as soon as the sample is complete, and the two hash
    sorts at the end run side by side.
    """
    state = DomainScan(sample_rows)
    day = as_of or resolve_as_of(None)
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="fmgate-domain") as background:
        sampled: Future[Any] | None = None

        def batches() -> Iterator[pa.RecordBatch]:
            nonlocal sampled
            for batch in iter_batches(path, DOMAIN_DATA, batch_size=batch_size, dictionary=("quality",)):
                state.sample.add(batch)  # on the reading side, so the sample is the first rows in order
                if sampled is None and state.sample.rows >= state.sample.limit:
                    sampled = background.submit(state.sample_outcomes, day)
                yield batch

        for part in ordered_map(measure_batch, batches(), workers=workers):
            state.merge(part)
        if state.rows == 0:
            raise no_rows_error(dataset_name(path), DOMAIN_DATA, no_rows_found(path))
        sorts = [background.submit(counter.distinct) for counter in (state.ids, state.high_texts)]
        for future in sorts:
            future.result()
        outcomes = state.outcomes(day, sampled.result() if sampled is not None else None)
    return outcomes, state.measurements()


def evaluate(
    domain_data: Paths | Mapping[str, Any],
    *,
    label: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    sample_rows: int = DEFAULT_SAMPLE_ROWS,
    as_of: str | dt.date | None = None,
) -> Evidence:
    """Stream, validate and measure a domain dataset: one file, or a dataset's files in order.

    For several files the input is recorded under *label* (a description of
    the dataset; by default its first file and how many more), with the rows
    read; one file is recorded by its path, as given.
    """
    if isinstance(domain_data, Mapping):  # a dataset read in place (fmgate.sources): its source's engine measures it
        from .datasets import evaluate as evaluate_in_place

        return evaluate_in_place(
            "domain_data", domain_data, batch_size=batch_size, sample_rows=sample_rows, as_of=as_of
        )
    outcomes, measurements = scan(
        domain_data, batch_size=batch_size, sample_rows=sample_rows, as_of=resolve_as_of(as_of)
    )
    evidence = Evidence(
        "domain_data", [input_file("domain_data", domain_data, label, measurements["rows_total"])], outcomes
    )
    if evidence.valid:
        evidence.measurements = measurements
    return evidence
