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

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

T = TypeVar("T")
R = TypeVar("R")


def count_true(mask: pa.Array) -> int:
    """Number of True values (nulls count as False)."""
    return int(pc.sum(pc.fill_null(mask, False)).as_py() or 0)


def blank(values: pa.Array) -> pa.Array:
    """True where a value is present but empty or only whitespace (nulls are False)."""
    return pc.fill_null(pc.or_(pc.equal(pc.binary_length(values), 0), pc.utf8_is_space(values)), False)


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
