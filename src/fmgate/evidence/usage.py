"""usage_log evidence: call volume over the last window and task stability by quarter.

Volume is the median of daily call totals over the last ``window_days``
days of the log (the window ends on the log's last date; several rows on one
date are added up). Days without a row are not counted as zero: they lower
``days_covered``, which the policy compares with the window.

Stability looks at the four 91-day quarters that end the day before the memo
date and counts, per quarter, the task-definition changes marked meaningful.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .dates import as_day, resolve_as_of
from .document import Evidence, frame_facts
from .inplace import SqlInput, open_sql
from .io import DEFAULT_MAX_BYTES, read_table
from .specs import TASK_CHANGES, USAGE_LOG
from .validate import validate_frame

QUARTER_DAYS = 91


def daily_calls(frame: pd.DataFrame) -> pd.Series:
    """Total calls per date (dates as datetime.date), in date order."""
    dates = pd.to_datetime(frame["date"], format="%Y-%m-%d").dt.date
    return frame.assign(date=dates).groupby("date")["calls"].sum().sort_index().astype("int64")


def volume(daily: pd.Series, window_days: int) -> dict[str, Any]:
    """Median daily calls over the last *window_days* days of the log."""
    if window_days < 1:
        raise ValueError("window_days must be at least 1")
    end: dt.date = daily.index.max()
    start = end - dt.timedelta(days=window_days - 1)
    inside = daily[(daily.index >= start) & (daily.index <= end)]
    median = float(np.median(inside.to_numpy())) if len(inside) else 0.0
    return {
        "window_days": int(window_days),
        "window_start": start.isoformat(),
        "window_end": end.isoformat(),
        "days_covered": int(len(inside)),
        "median_daily_calls": median,
    }


def quarter_bounds(memo_date: dt.date, count: int = 4) -> list[tuple[dt.date, dt.date]]:
    """*count* 91-day quarters, oldest first, the last one ending the day before *memo_date*."""
    bounds = []
    for back in range(count - 1, -1, -1):
        end = memo_date - dt.timedelta(days=1 + back * QUARTER_DAYS)
        bounds.append((end - dt.timedelta(days=QUARTER_DAYS - 1), end))
    return bounds


def quarter_entries(bounds: list[tuple[dt.date, dt.date]], counts: list[int]) -> list[dict[str, Any]]:
    return [
        {"start": start.isoformat(), "end": end.isoformat(), "meaningful_changes": int(hits)}
        for (start, end), hits in zip(bounds, counts)
    ]


def _frame_counts(changes: pd.DataFrame, bounds: list[tuple[dt.date, dt.date]]) -> list[int]:
    dates = pd.to_datetime(changes["date"], format="%Y-%m-%d").dt.date
    meaningful = changes["meaningful"].astype(bool)
    chosen = dates[meaningful.to_numpy()]
    return [int(((chosen >= start) & (chosen <= end)).sum()) for start, end in bounds]


def quarters(changes: pd.DataFrame, memo_date: dt.date, count: int = 4) -> list[dict[str, Any]]:
    """Meaningful task-definition changes in each quarter before the memo date."""
    bounds = quarter_bounds(memo_date, count)
    return quarter_entries(bounds, _frame_counts(changes, bounds))


def measure(
    usage: pd.DataFrame, changes: pd.DataFrame | None, *, memo_date: dt.date | None, window_days: int
) -> dict[str, Any]:
    """The usage_log measurements of docs/policy-input.md.

    Without a task_changes input or a memo date, ``quarters`` and
    ``unstable_quarters`` are null: stability was not measured.
    """
    counter = None if changes is None else (lambda bounds: _frame_counts(changes, bounds))
    return _measure(daily_calls(usage), counter, memo_date=memo_date, window_days=window_days)


QuarterCounter = Callable[[list[tuple[dt.date, dt.date]]], list[int]]


def _measure(
    daily: pd.Series, count_quarters: QuarterCounter | None, *, memo_date: dt.date | None, window_days: int
) -> dict[str, Any]:
    """Measurements from daily totals and a way to count meaningful changes per quarter (file or database)."""
    result = volume(daily, window_days)
    if count_quarters is not None and memo_date is not None:
        bounds = quarter_bounds(memo_date)
        q = quarter_entries(bounds, count_quarters(bounds))
        result["quarters"] = q
        result["unstable_quarters"] = sum(1 for item in q if item["meaningful_changes"] > 0)
    else:
        result["quarters"] = None
        result["unstable_quarters"] = None
    return result


def _sql_daily(part: SqlInput) -> pd.Series:
    """Daily call totals summed in the database: one row per day came back."""
    totals = part.grouped.totals()
    index = [dt.date.fromisoformat(day) for day, _ in totals]
    return pd.Series([n for _, n in totals], index=index, dtype="int64", name="calls").rename_axis("date")


def _sql_counter(part: SqlInput) -> QuarterCounter:
    from ..sources import sql

    def count(bounds: list[tuple[dt.date, dt.date]]) -> list[int]:
        iso = [(start.isoformat(), end.isoformat()) for start, end in bounds]
        return sql.counts_between(part.connection, part.projection, "date", iso, where="meaningful")

    return count


def evaluate(
    usage_log: str | Path | Mapping[str, Any],
    task_changes: str | Path | Mapping[str, Any] | None = None,
    *,
    memo_date: str | dt.date | None = None,
    window_days: int = 28,
    as_of: str | dt.date | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Evidence:
    """Read, validate and measure a usage log and (optionally) its task-change log.

    Either input is a file path or a SQL reference (see :mod:`fmgate.sources`);
    a reference is validated and measured in its database.
    """
    today = resolve_as_of(as_of)
    with ExitStack() as stack:
        errors: list[str] = []
        if isinstance(usage_log, Mapping):
            usage_sql = open_sql(stack, usage_log, USAGE_LOG, as_of=today)
            inputs, outcomes, errors = [usage_sql.facts], list(usage_sql.outcomes), list(usage_sql.errors)
            daily_of: Callable[[], pd.Series] = lambda: _sql_daily(usage_sql)  # noqa: E731
        else:
            usage = read_table(usage_log, USAGE_LOG, max_bytes=max_bytes)
            inputs = [frame_facts("usage_log", usage_log, usage, "date")]
            outcomes = validate_frame(usage, "usage_log", as_of=today)
            daily_of = lambda: daily_calls(usage)  # noqa: E731
        counter: QuarterCounter | None = None
        if isinstance(task_changes, Mapping):
            changes_sql = open_sql(stack, task_changes, TASK_CHANGES, as_of=today)
            inputs.append(changes_sql.facts)
            outcomes += changes_sql.outcomes
            errors += changes_sql.errors
            counter = _sql_counter(changes_sql)
        elif task_changes:
            changes = read_table(task_changes, TASK_CHANGES, max_bytes=max_bytes)
            inputs.append(frame_facts("task_changes", task_changes, changes, "date"))
            outcomes += validate_frame(changes, "task_changes", as_of=today)
            counter = lambda bounds: _frame_counts(changes, bounds)  # noqa: E731
        evidence = Evidence("usage_log", inputs, outcomes, errors=errors)
        if evidence.valid:
            daily = daily_of()
            evidence.measurements = _measure(
                daily, counter, memo_date=as_day(memo_date, name="memo_date"), window_days=window_days
            )
            evidence.data = {"daily": daily}
    return evidence
