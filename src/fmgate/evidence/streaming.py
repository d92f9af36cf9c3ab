"""Exact checks on streamed Arrow batches, for the kinds too large to load whole.

Each check is a boolean mask per batch; :class:`Tally` adds up the rows that
failed it and keeps a few examples for the validation summary. :class:`Sample`
keeps the first rows of the stream for the great-expectations suite.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .hashing import string_layout

T = TypeVar("T")
R = TypeVar("R")


def count_true(mask: pa.Array) -> int:
    """Number of True values (nulls count as False)."""
    return int(pc.sum(pc.fill_null(mask, False)).as_py() or 0)


def blank(values: pa.Array) -> pa.Array:
    """True where a value is present but empty or only whitespace (nulls are False)."""
    return pc.fill_null(pc.or_(pc.equal(pc.binary_length(values), 0), pc.utf8_is_space(values)), False)


def blank_rows(values: pa.Array) -> np.ndarray:
    """:func:`blank` as a NumPy mask, checking only the strings that could be blank.

    A string whose first byte is from 0x21 to 0x7F (ASCII, not a space or a
    control) is neither empty nor whitespace only; the few others are
    checked by :func:`blank`.
    """
    offsets, data = string_layout(values)
    maybe = offsets[1:] == offsets[:-1]
    if len(data):
        first = data.view(np.int8)[np.minimum(offsets[:-1], len(data) - 1)]
        maybe |= first <= 0x20  # a space, a control byte, or (negative) the lead byte of a non-ASCII character
    else:
        maybe[:] = True
    if values.null_count:
        maybe &= valid_rows(values)
    return _check_some(values, maybe)


def _check_some(values: pa.Array, maybe: np.ndarray) -> np.ndarray:
    """:func:`blank` of the rows where *maybe* is True; False elsewhere."""
    out = np.zeros(len(values), dtype=bool)
    rows = np.flatnonzero(maybe)
    if len(rows):
        out[rows] = blank(values.take(pa.array(rows))).to_numpy(zero_copy_only=False)
    return out


def blank_among(values: pa.Array, plain: np.ndarray) -> np.ndarray:
    """:func:`blank` as a NumPy mask, given :func:`~fmgate.evidence.hashing.plain_rows` of *values*.

    A plain string is never blank, so only the others are checked.
    """
    maybe = ~plain
    if values.null_count:
        maybe &= valid_rows(values)
    return _check_some(values, maybe)


def valid_rows(values: pa.Array) -> np.ndarray:
    """NumPy mask: True where a value is present."""
    if not values.null_count:
        return np.ones(len(values), dtype=bool)
    return pc.is_valid(values).to_numpy(zero_copy_only=False)


def label_codes(values: pa.Array) -> tuple[np.ndarray, list[Any]]:
    """Each row's position in a list of the distinct labels, and that list; a null row gets ``len(labels)``.

    A dictionary-encoded column (as Parquet keeps a label column) is used as
    it is; any other is encoded first. Checks on labels then compare codes
    (see :func:`label_rows`) instead of every row's string.
    """
    if not pa.types.is_dictionary(values.type):
        values = pc.dictionary_encode(values)
    labels = values.dictionary.to_pylist()
    indices = values.indices
    if indices.null_count:
        indices = pc.fill_null(indices, len(labels))
    return indices.to_numpy(zero_copy_only=False).astype(np.intp, copy=False), labels


def label_rows(
    codes: np.ndarray, labels: list[Any], counts: np.ndarray, wanted: Callable[[Any], bool]
) -> np.ndarray | None:
    """NumPy mask of the rows whose label is *wanted*; None when there are none.

    *codes* and *labels* are from :func:`label_codes` (a null row's label is
    None), *counts* the rows per code (``np.bincount(codes)``).
    """
    hits = [code for code, label in enumerate([*labels, None]) if counts[code] and wanted(label)]
    if not hits:
        return None
    if len(hits) == 1:
        return codes == hits[0]
    return np.isin(codes, hits)


def failures_where(values: pa.Array, mask: np.ndarray) -> tuple[int, list[Any]]:
    """:func:`failures` for a NumPy mask."""
    bad = int(np.count_nonzero(mask))
    if not bad:
        return 0, []
    return bad, values.take(pa.array(np.flatnonzero(mask)[:5])).to_pylist()


class Tally:
    """Rows that failed one exact check, and up to five examples of them."""

    def __init__(self) -> None:
        self.unexpected = 0
        self.examples: list[Any] = []

    def add(self, values: pa.Array, mask: pa.Array) -> None:
        self.merge(*failures(values, mask))

    def merge(self, unexpected: int, examples: list[Any]) -> None:
        self.unexpected += unexpected
        self.examples += examples[: 5 - len(self.examples)]


def failures(values: pa.Array, mask: pa.Array) -> tuple[int, list[Any]]:
    """(rows where *mask* is True, up to five of their values)."""
    mask = pc.fill_null(mask, False)
    bad = count_true(mask)
    return bad, (pc.filter(values, mask).slice(0, 5).to_pylist() if bad else [])


class Sample:
    """The first *limit* rows of a stream, for the suite run by great-expectations."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.rows = 0
        self._batches: list[pa.RecordBatch] = []

    def add(self, batch: pa.RecordBatch) -> None:
        if self.rows < self.limit:
            take = batch.slice(0, self.limit - self.rows)
            if any(pa.types.is_dictionary(field.type) for field in take.schema):  # kept as plain values
                take = pa.RecordBatch.from_arrays(
                    [
                        column.dictionary_decode() if pa.types.is_dictionary(column.type) else column
                        for column in take.columns
                    ],
                    names=take.schema.names,
                )
            self._batches.append(take)
            self.rows += take.num_rows

    def frame(self) -> pd.DataFrame:
        return pa.Table.from_batches(self._batches).to_pandas()


def ordered_map(function: Callable[[T], R], items: Iterable[T], *, workers: int = 2, in_flight: int = 3) -> Iterator[R]:
    """``map(function, items)`` on *workers* threads, in order, with at most *in_flight* items pending.

    Arrow and NumPy release the interpreter lock in their kernels, so batches
    are measured on both cores; the bound keeps memory at a few batches.
    """
    if workers <= 1:
        yield from map(function, items)
        return
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fmgate-batch") as pool:
        pending: deque[Future[R]] = deque()
        for item in items:
            pending.append(pool.submit(function, item))
            if len(pending) >= in_flight:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
