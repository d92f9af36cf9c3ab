"""usage_log: the 28-day median volume and the four quarters of task stability."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from fmgate.errors import InputError
from fmgate.evidence import usage

from .helpers import AS_OF, usage_rows, write_rows


def frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows)


def test_median_uses_exactly_the_last_28_days() -> None:
    # 10 old days at 1 call, then 28 days at 10,000,000: only the last 28 count.
    rows = usage_rows("2026-09-01", 10, 1) + usage_rows("2026-09-11", 28, 10_000_000)
    m = usage.volume(usage.daily_calls(frame(rows)), 28)
    assert m == {
        "window_days": 28,
        "window_start": "2026-09-11",
        "window_end": "2026-10-08",
        "days_covered": 28,
        "median_daily_calls": 10_000_000.0,
    }


def test_the_day_before_the_window_does_not_count() -> None:
    rows = usage_rows("2026-09-10", 1, 0) + usage_rows("2026-09-11", 28, [10_000_000] * 14 + [9_999_998] * 14)
    m = usage.volume(usage.daily_calls(frame(rows)), 28)
    assert m["days_covered"] == 28
    assert m["median_daily_calls"] == 9_999_999.0  # the median of the 28 days, the zero day excluded


def test_27_days_of_coverage_is_reported_as_27() -> None:
    rows = usage_rows("2026-09-11", 28)
    del rows[5]  # a gap inside the window
    m = usage.volume(usage.daily_calls(frame(rows)), 28)
    assert m["days_covered"] == 27
    assert m["window_start"] == "2026-09-11"


def test_a_log_shorter_than_the_window() -> None:
    m = usage.volume(usage.daily_calls(frame(usage_rows("2026-10-01", 27))), 28)
    assert m["days_covered"] == 27


def test_rows_on_the_same_day_are_added_up() -> None:
    rows = [{"date": "2026-10-01", "calls": 4}, {"date": "2026-10-01", "calls": 6}]
    assert usage.daily_calls(frame(rows)).tolist() == [10]


def test_quarters_end_the_day_before_the_memo_date() -> None:
    bounds = usage.quarter_bounds(dt.date(2026, 11, 2))
    assert bounds[-1] == (dt.date(2026, 8, 3), dt.date(2026, 11, 1))
    assert all((end - start).days == 90 for start, end in bounds)
    assert all(bounds[i][1] + dt.timedelta(days=1) == bounds[i + 1][0] for i in range(3))
    assert bounds[0][0] == dt.date(2026, 11, 2) - dt.timedelta(days=4 * 91)


def changes(*items: tuple[str, bool]) -> pd.DataFrame:
    return pd.DataFrame([{"date": d, "description": "change", "meaningful": m} for d, m in items])


MEMO_DATE = dt.date(2026, 11, 2)


def test_one_unstable_quarter() -> None:
    c = changes(("2026-11-01", True), ("2026-10-01", True), ("2026-06-01", False))
    m = usage.measure(frame(usage_rows("2026-10-01", 28)), c, memo_date=MEMO_DATE, window_days=28)
    assert m["unstable_quarters"] == 1
    assert [q["meaningful_changes"] for q in m["quarters"]] == [0, 0, 0, 2]


def test_two_unstable_quarters() -> None:
    c = changes(("2026-11-01", True), ("2026-08-02", True))  # 2026-08-02 is the last day of quarter 3
    m = usage.measure(frame(usage_rows("2026-10-01", 28)), c, memo_date=MEMO_DATE, window_days=28)
    assert m["unstable_quarters"] == 2


def test_changes_outside_the_four_quarters_do_not_count() -> None:
    first_day = MEMO_DATE - dt.timedelta(days=364)
    c = changes(
        ("2026-11-02", True), ((first_day - dt.timedelta(days=1)).isoformat(), True), (first_day.isoformat(), True)
    )
    m = usage.measure(frame(usage_rows("2026-10-01", 28)), c, memo_date=MEMO_DATE, window_days=28)
    assert m["quarters"][0]["start"] == first_day.isoformat()
    assert [q["meaningful_changes"] for q in m["quarters"]] == [1, 0, 0, 0]


def test_evaluate_end_to_end(tmp_path: Path) -> None:
    log = write_rows(tmp_path / "usage.parquet", usage_rows("2026-10-01", 28))
    tc = write_rows(tmp_path / "tc.jsonl", [{"date": "2026-10-05", "description": "new label", "meaningful": True}])
    evidence = usage.evaluate(log, tc, memo_date="2026-11-02", as_of=AS_OF)
    assert evidence.valid
    assert evidence.measurements["median_daily_calls"] == 12_000_000.0
    assert evidence.measurements["unstable_quarters"] == 1
    assert [i.name for i in evidence.inputs] == ["usage_log", "task_changes"]


def test_without_task_changes_stability_is_not_measured(tmp_path: Path) -> None:
    log = write_rows(tmp_path / "usage.csv", usage_rows("2026-10-01", 28))
    evidence = usage.evaluate(log, None, memo_date="2026-11-02", as_of=AS_OF)
    assert evidence.measurements["quarters"] is None
    assert evidence.measurements["unstable_quarters"] is None


def test_negative_calls_and_future_dates_make_the_evidence_invalid(tmp_path: Path) -> None:
    rows = usage_rows("2026-11-20", 6)
    rows[0]["calls"] = -5
    evidence = usage.evaluate(write_rows(tmp_path / "usage.csv", rows), as_of=AS_OF)
    assert not evidence.valid
    assert evidence.measurements == {}
    text = " ".join(evidence.all_errors())
    assert "'calls'" in text and "below 0" in text
    assert "'date'" in text and "future" in text and "2026-11-25" in text


def test_unusable_input_raises(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="missing required column"):
        usage.evaluate(write_rows(tmp_path / "usage.csv", [{"day": "2026-10-01", "calls": 1}]), as_of=AS_OF)
