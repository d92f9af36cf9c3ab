"""Every measurement the policy reads, pinned against an independent reference.

Each test computes the measurement a second way (the standard library,
scipy, or a few lines of plain Python written from docs/policy-input.md)
on data where the plausible alternatives give different answers, so that a
change of method (a mean for a median, other percentiles for the stated
confidence, the last listing for the first, a sum for a count) fails here
even when every other test still passes. Where a threshold decides, the data
puts the right method and the wrong one on opposite sides of the threshold
the policy uses (read from policies/data.json).
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from fmgate.evidence import corpus, cost, domain, eval_set, prompting, usage
from fmgate.evidence import head_to_head as h2h

from .helpers import AS_OF, REPO_ROOT, write_rows

THRESHOLDS = json.loads((REPO_ROOT / "policies" / "data.json").read_text())["fmgate"]["defaults"]["thresholds"]


# --- usage_log: median daily calls over the window (FT-COST-VOLUME) -------------------------------


def skewed_usage() -> list[dict]:
    """28 days whose median is under the volume threshold and whose mean is far over it, after 10
    older days so busy that including them would lift the median over it too; one day is written as
    two rows (two endpoints)."""
    days = pd.date_range("2026-09-21", periods=38, freq="D").strftime("%Y-%m-%d").tolist()
    calls = [100_000_000] * 10 + [8_000_000] * 13 + [9_200_000, 9_800_000] + [40_000_000] * 13
    rows = [{"date": d, "calls": c} for d, c in zip(days, calls)]
    split = rows.pop(15)  # a quiet day inside the window, reported per endpoint
    rows += [{"date": split["date"], "calls": 3_000_000}, {"date": split["date"], "calls": 5_000_000}]
    return rows


def reference_volume(rows: list[dict], window_days: int) -> tuple[float, int]:
    """statistics.median of the per-day totals over the last *window_days* calendar days of the log."""
    totals: dict[dt.date, int] = {}
    for row in rows:
        day = dt.date.fromisoformat(row["date"])
        totals[day] = totals.get(day, 0) + row["calls"]
    last = max(totals)
    inside = [v for d, v in totals.items() if (last - d).days < window_days]
    return statistics.median(inside), len(inside)


def test_volume_is_the_median_of_daily_calls_not_the_mean(tmp_path: Path) -> None:
    rows = skewed_usage()
    window = THRESHOLDS["cost_usage_window_days"]
    threshold = THRESHOLDS["cost_volume_calls_per_day"]
    median, covered = reference_volume(rows, window)
    daily_in_window = [v for _, v in sorted(pd.DataFrame(rows).groupby("date")["calls"].sum().items())][-window:]
    # the data separates the methods: the median is under the threshold, the alternatives are over it
    assert median < threshold < statistics.mean(daily_in_window)
    assert statistics.median_high(daily_in_window) < threshold  # and it is the median of an even count
    assert median != statistics.median_low(daily_in_window) != statistics.median_high(daily_in_window)
    assert reference_volume(rows, window + 10)[0] > threshold  # the older days must stay out

    evidence = usage.evaluate(write_rows(tmp_path / "usage.csv", rows), as_of=AS_OF, window_days=window)
    assert evidence.valid
    m = evidence.measurements
    assert m["median_daily_calls"] == median == 9_500_000
    assert m["days_covered"] == covered == window
    assert m["window_days"] == window


def reference_unstable_quarters(changes: list[tuple[str, bool]], memo_date: dt.date) -> list[int]:
    """Meaningful changes per 91-day quarter, oldest first, the last quarter ending the day before the memo."""
    counts = [0, 0, 0, 0]
    for day, meaningful in changes:
        back = (memo_date - dt.date.fromisoformat(day)).days - 1  # 0 = the day before the memo date
        if meaningful and 0 <= back < 4 * 91:
            counts[3 - back // 91] += 1
    return counts


def test_unstable_quarters_count_quarters_not_changes(tmp_path: Path) -> None:
    memo = dt.date(2026, 11, 2)
    changes = [
        ("2026-11-01", True),
        ("2026-10-20", True),
        ("2026-09-01", True),  # three in the last quarter
        ("2026-05-04", False),  # not meaningful
        ("2025-11-02", True),
        ("2025-11-03", True),
    ]  # the day before the first quarter, and its first day
    counts = reference_unstable_quarters(changes, memo)
    assert counts == [1, 0, 0, 3]
    # counting changes (4) instead of quarters (2) would cross the limit differently
    assert sum(counts) > THRESHOLDS["cost_max_unstable_quarters"]
    tc = write_rows(tmp_path / "tc.csv", [{"date": d, "description": "x", "meaningful": m} for d, m in changes])
    log = write_rows(tmp_path / "usage.csv", skewed_usage())
    m = usage.evaluate(log, tc, memo_date=memo.isoformat(), as_of=AS_OF).measurements
    assert [q["meaningful_changes"] for q in m["quarters"]] == counts
    assert m["unstable_quarters"] == sum(1 for c in counts if c) == 2


# --- head_to_head: quality ratio and its paired bootstrap interval (FT-COST-QUALITY) --------------


def bench(candidate: np.ndarray, buy: np.ndarray, *, cost_c: float = 0.001, cost_b: float = 0.01) -> pd.DataFrame:
    rows = []
    for i, (c, b) in enumerate(zip(candidate, buy)):
        rows.append(
            {
                "item_id": f"e{i:03d}",
                "system": "candidate",
                "score": float(c),
                "cost_usd": cost_c,
                "run_date": "2026-11-01",
            }
        )
        rows.append(
            {"item_id": f"e{i:03d}", "system": "buy", "score": float(b), "cost_usd": cost_b, "run_date": "2026-11-01"}
        )
    return pd.DataFrame(rows)


def near_threshold_scores() -> tuple[np.ndarray, np.ndarray]:
    """60 paired items whose ratio is about 0.975, with a 95% lower bound under 0.95 and a 90% one over it."""
    rng = np.random.default_rng(2026)
    buy = np.round(rng.uniform(0.5, 0.95, 60), 3)
    candidate = np.round(np.clip(buy * 0.994 + rng.normal(0, 0.08, 60), 0, 1), 3)
    return candidate, buy


def ratio_of_means(c: np.ndarray, b: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.mean(c, axis=axis) / np.mean(b, axis=axis)


def scipy_interval(candidate: np.ndarray, buy: np.ndarray, confidence: float, resamples: int):
    return stats.bootstrap(
        (candidate, buy),
        ratio_of_means,
        paired=True,
        vectorized=True,
        n_resamples=resamples,
        confidence_level=confidence,
        method="percentile",
        rng=np.random.default_rng(99),
    )


def test_the_interval_is_scipys_paired_percentile_bootstrap_at_95_percent() -> None:
    candidate, buy = near_threshold_scores()
    resamples = 100_000
    ratio = h2h.measure(bench(candidate, buy), resamples=resamples)["quality_ratio"]
    reference = scipy_interval(candidate, buy, 0.95, resamples)
    # Monte Carlo error of a 2.5% percentile from 100,000 resamples, two independent runs: about
    # 0.012 bootstrap standard errors; the tolerance is five times that. Taking the interval at
    # other percentiles moves a bound by 0.15 standard errors or more (97%: 0.21, 90%: 0.31).
    tolerance = 0.06 * reference.standard_error
    assert ratio["confidence"] == 0.95
    assert ratio["lower"] == pytest.approx(reference.confidence_interval.low, abs=tolerance)
    assert ratio["upper"] == pytest.approx(reference.confidence_interval.high, abs=tolerance)
    assert ratio["point"] == pytest.approx(candidate.mean() / buy.mean(), abs=1e-9)
    for other in (0.90, 0.97):
        moved = scipy_interval(candidate, buy, other, resamples).confidence_interval
        assert abs(moved.low - reference.confidence_interval.low) > 2 * tolerance
        assert abs(moved.high - reference.confidence_interval.high) > 2 * tolerance


def test_the_lower_bound_the_policy_compares_is_the_95_percent_one() -> None:
    """With the notebook's resamples and seed: the 95% lower bound is under the quality ratio, the 90%
    one is over it, so an interval taken at other percentiles would turn a deny into a pass."""
    candidate, buy = near_threshold_scores()
    threshold = THRESHOLDS["cost_quality_ratio"]
    reference95 = scipy_interval(candidate, buy, 0.95, 100_000).confidence_interval
    reference90 = scipy_interval(candidate, buy, 0.90, 100_000).confidence_interval
    assert reference95.low < threshold < reference90.low
    ratio = h2h.measure(bench(candidate, buy))["quality_ratio"]
    assert ratio["resamples"] == h2h.DEFAULT_RESAMPLES == 10_000
    assert ratio["point"] >= threshold
    assert ratio["lower"] < threshold
    assert ratio["lower"] == pytest.approx(reference95.low, abs=0.2 * (threshold - reference95.low))


def test_the_point_is_the_ratio_of_means_not_the_mean_of_ratios() -> None:
    candidate = np.array([0.2, 0.9, 0.9, 0.9])
    buy = np.array([0.1, 1.0, 1.0, 1.0])
    point = h2h.measure(bench(candidate, buy), resamples=100)["quality_ratio"]["point"]
    assert point == pytest.approx(2.9 / 3.1, abs=1e-9)
    assert abs(point - float(np.mean(candidate / buy))) > 0.1


def test_per_system_figures_match_a_plain_reference() -> None:
    candidate = np.array([0.1, 0.5, 0.49, 0.9, 0.95, 0.3, 0.7])
    buy = np.array([0.6, 0.6, 0.2, 0.8, 0.5, 0.1, 1.0])
    frame = bench(candidate, buy, cost_c=0.002, cost_b=0.02)
    # an item scored for the candidate only: counted as unpaired, its cost is not part of the totals
    frame = pd.concat(
        [
            frame,
            pd.DataFrame(
                [{"item_id": "x", "system": "candidate", "score": 1.0, "cost_usd": 5.0, "run_date": "2026-11-05"}]
            ),
        ]
    )
    useful_score = THRESHOLDS["useful_task_score"]
    m = h2h.measure(frame, useful_task_score=useful_score, resamples=100)
    assert m["items"] == 7 and m["unpaired_items"] == 1 and m["run_date"] == "2026-11-05"
    for name, scores, each in (("candidate", candidate, 0.002), ("buy", buy, 0.02)):
        got = m["systems"][name]
        q = statistics.quantiles(scores.tolist(), n=10, method="inclusive")  # linear interpolation
        useful = sum(1 for s in scores if s >= useful_score)
        assert got["mean_score"] == pytest.approx(statistics.fmean(scores.tolist()), abs=1e-9)
        assert (got["p10"], got["p50"], got["p90"]) == pytest.approx((q[0], q[4], q[8]), abs=1e-9)
        assert got["useful_tasks"] == useful
        assert got["total_cost_usd"] == pytest.approx(each * len(scores))
        assert got["cost_per_useful_task"] == pytest.approx(each * len(scores) / useful)
    # the data separates the methods: another percentile rule or a strict threshold would differ
    assert np.percentile(candidate, 10, method="lower") != pytest.approx(m["systems"]["candidate"]["p10"])
    assert sum(1 for s in candidate if s > useful_score) != m["systems"]["candidate"]["useful_tasks"]


# --- eval_set: valid items (FT-DOMAIN-EVALSET) ------------------------------------------------------


def normal(text: str) -> str:
    return " ".join(text.split()).lower()


def reference_items_valid(rows: list[dict], training: set[str]) -> int:
    seen_ids: set[str] = set()
    seen_inputs: set[str] = set()
    valid = 0
    for row in rows:
        first_id = row["id"] not in seen_ids
        seen_ids.add(row["id"])
        if not first_id or not row["input"].strip() or not row["expected"].strip():
            continue
        key = normal(row["input"])
        repeated = key in seen_inputs
        seen_inputs.add(key)
        if not repeated and key not in training:
            valid += 1
    return valid


def test_valid_eval_items_match_a_plain_reference(tmp_path: Path) -> None:
    rows = [
        {"id": "a", "input": "How do I reset my password?", "expected": "link"},
        {"id": "b", "input": "  how do I   RESET my password?", "expected": "link"},  # same input, once
        {"id": "a", "input": "A new question", "expected": "x"},  # repeated id: not valid
        {"id": "c", "input": "A new question", "expected": "x"},  # its input was never counted: valid
        {"id": "d", "input": "   ", "expected": "x"},  # blank input
        {"id": "e", "input": "Blank answer", "expected": ""},
        {"id": "f", "input": "Seen in training", "expected": "y"},  # overlaps the domain data
        {"id": "g", "input": "Unique one", "expected": "z"},
    ]
    training = {"seen in training"}
    domain_path = write_rows(tmp_path / "domain.csv", [{"id": "t1", "text": "SEEN in  training", "quality": "high"}])
    evidence = eval_set.evaluate(write_rows(tmp_path / "eval.csv", rows), domain_path, as_of=AS_OF)
    assert evidence.measurements["items_valid"] == reference_items_valid(rows, training) == 3
    assert evidence.measurements["items_total"] == len(rows)


# --- prompting_log (FT-DOMAIN-PROMPT-*) ------------------------------------------------------------


def test_prompting_measurements_match_a_plain_reference(tmp_path: Path) -> None:
    rows = [  # written out of iteration order; the best score is not the last, the largest eval set neither
        {
            "iteration": 3,
            "timestamp": "2026-10-03T09:00:00Z",
            "practitioner": "kim",
            "seniority": "staff",
            "hours": 1.25,
            "variant": "few_shot",
            "score": 0.62,
            "eval_set_size": 400,
        },
        {
            "iteration": 1,
            "timestamp": "2026-10-01T09:00:00Z",
            "practitioner": "lee",
            "seniority": "junior",
            "hours": 4.5,
            "variant": "system_prompt",
            "score": 0.70,
            "eval_set_size": 200,
        },
        {
            "iteration": 2,
            "timestamp": "2026-10-02T09:00:00Z",
            "practitioner": "lee",
            "seniority": "junior",
            "hours": 3.0,
            "variant": "chain_of_thought",
            "score": 0.55,
            "eval_set_size": 250,
        },
        {
            "iteration": 4,
            "timestamp": "2026-10-04T09:00:00Z",
            "practitioner": "ana",
            "seniority": "mid",
            "hours": 0.75,
            "variant": "few_shot",
            "score": 0.74,
            "eval_set_size": 300,
        },
    ]
    evidence = prompting.evaluate(write_rows(tmp_path / "log.csv", rows), plateau_window=2, as_of=AS_OF)
    m = evidence.measurements
    in_order = sorted(rows, key=lambda r: r["iteration"])
    best, top = [], float("-inf")
    for row in in_order:
        top = max(top, row["score"])
        best.append(top)
    assert m["best_so_far"] == best == [0.70, 0.70, 0.70, 0.74]
    assert m["total_hours"] == pytest.approx(sum(r["hours"] for r in rows))
    assert m["variants"] == sorted({r["variant"] for r in rows})
    assert m["seniority_levels"] == sorted({r["seniority"] for r in rows})
    assert m["practitioners"] == ["ana", "kim", "lee"]
    assert m["max_eval_set_size"] == max(r["eval_set_size"] for r in rows) == 400
    assert m["plateau_gain"] == pytest.approx(best[-1] - best[-3])
    assert m["hours_by_variant"] == pytest.approx({"chain_of_thought": 3.0, "few_shot": 2.0, "system_prompt": 4.5})


# --- domain_data (FT-DOMAIN-DATA) -------------------------------------------------------------------


@pytest.mark.parametrize("batch_size", [2, 1000])
def test_high_quality_unique_examples_match_a_plain_reference(tmp_path: Path, batch_size: int) -> None:
    rows = [
        {"id": "1", "text": "Refund the duplicate charge", "quality": "high"},
        {"id": "2", "text": "  refund the   DUPLICATE charge ", "quality": "high"},  # same text
        {"id": "3", "text": "Refund the duplicate charge", "quality": "low"},  # not high
        {"id": "4", "text": "   ", "quality": "high"},  # blank
        {"id": "5", "text": "Escalate to tier two", "quality": "high"},
        {"id": "6", "text": "Escalate to tier 2", "quality": "high"},
        {"id": "7", "text": "Close as spam", "quality": "medium"},
    ]
    reference = len({normal(r["text"]) for r in rows if r["quality"] == "high" and r["text"].strip()})
    evidence = domain.evaluate(
        write_rows(tmp_path / "domain.csv", rows), batch_size=batch_size, sample_rows=3, as_of=AS_OF
    )
    assert evidence.measurements["high_quality_unique"] == reference == 3
    assert (
        evidence.measurements["rows_high_quality"]
        == sum(1 for r in rows if r["quality"] == "high" and r["text"].strip())
        == 4
    )
    assert evidence.measurements["rows_total"] == len(rows)


# --- corpus_manifest (BUILD-DATA) -------------------------------------------------------------------


@pytest.mark.parametrize("batch_size", [1, 3, 1000])
def test_qualifying_tokens_match_a_plain_reference(tmp_path: Path, batch_size: int) -> None:
    a, b, c, d = ("a" * 64, "b" * 64, "c" * 64, "d" * 64)
    row = lambda shard, tokens, sha, p, r, q: {  # noqa: E731
        "shard": shard,
        "tokens": tokens,
        "sha256": sha,
        "source": shard.split("/")[0],
        "proprietary": p,
        "domain_relevant": r,
        "quality": q,
    }
    rows = [
        row("crm/1", 700, a, True, True, "high"),
        row("web/1", 500, b, False, True, "high"),  # not proprietary
        row("crm/2", 300, c, True, False, "high"),  # not domain relevant
        row("crm/3", 200, d, True, True, "medium"),  # not high
        row("tickets/1", 900, a, True, True, "high"),  # same content as crm/1, listed again: counts once
        row("tickets/2", 50, b, True, True, "high"),  # same content as web/1: the first listing decides
    ]
    seen: set[str] = set()
    qualifying = 0
    for r in rows:
        if r["sha256"] in seen:
            continue
        seen.add(r["sha256"])
        if r["proprietary"] and r["domain_relevant"] and r["quality"] == "high":
            qualifying += r["tokens"]
    evidence = corpus.evaluate(
        write_rows(tmp_path / "corpus.csv", rows), batch_size=batch_size, sample_rows=2, as_of=AS_OF
    )
    m = evidence.measurements
    assert m["tokens_qualifying"] == qualifying == 700
    assert m["tokens_total"] == 700 + 500 + 300 + 200
    assert m["tokens_duplicate"] == 950 and m["duplicate_shards"] == 2
    assert m["tokens_qualifying_by_source"] == {"crm": 700}
    assert m["tokens_by_source"] == {"crm": 1200, "web": 500}


@pytest.mark.parametrize("batch_size", [1, 1000])
def test_qualifying_tokens_by_source_add_up_across_batches(tmp_path: Path, batch_size: int) -> None:
    rows = [
        {
            "shard": f"crm/{i}",
            "tokens": tokens,
            "sha256": f"{i:064x}",
            "source": "crm",
            "proprietary": True,
            "domain_relevant": True,
            "quality": "high",
        }
        for i, tokens in enumerate([300, 0, 200])
    ]
    evidence = corpus.evaluate(write_rows(tmp_path / "corpus.csv", rows), batch_size=batch_size, as_of=AS_OF)
    assert evidence.valid  # a shard of no tokens is not a negative count
    assert evidence.measurements["tokens_qualifying_by_source"] == {"crm": 500}
    assert evidence.measurements["tokens_qualifying"] == 500


# --- cost_model (FT-COST-SAVINGS, FT-COST-PROJECTION) -----------------------------------------------


def test_cost_projection_matches_a_plain_reference() -> None:
    model = cost.parse(
        {
            "buy": {
                "input_price_per_million_tokens": 2.0,
                "output_price_per_million_tokens": 8.0,
                "avg_input_tokens": 600,
                "avg_output_tokens": 80,
            },
            "candidate": {
                "inference_cost_per_thousand_calls": 0.2,
                "engineering_cost_usd": 300_000,
                "training_cost_usd": 80_000,
                "eval_monitoring_cost_per_quarter_usd": 25_000,
            },
            "scenarios": [{"name": "base", "calls_per_day": 1_000_000, "growth_per_quarter": 0.3}],
            "horizon_quarters": 4,
        },
        "cost.yaml",
    )
    per_call = (600 * 2.0 + 80 * 8.0) / 1e6
    savings, cumulative, break_even = 0.0, 0.0, None
    for q in range(1, 5):
        calls = 1_000_000 * 1.3 ** (q - 1) * 91
        saved = calls * per_call - calls / 1000 * 0.2
        savings += saved
        cumulative += saved
        if break_even is None and cumulative > 300_000 + 80_000 + 25_000 * q:
            break_even = q
    m = cost.project(model, 4)
    base = m["scenarios"][0]
    assert m["fixed_cost_usd"] == 300_000 + 80_000 + 4 * 25_000
    assert m["horizon_quarters"] == 4
    assert base["savings_usd"] == pytest.approx(savings, rel=1e-9)
    assert base["break_even_quarter"] == break_even == 3
    # simple (not compounding) growth would give other savings
    simple = sum(1_000_000 * (1 + 0.3 * (q - 1)) * 91 * (per_call - 0.2 / 1000) for q in range(1, 5))
    assert abs(simple - savings) > 1_000


def test_an_overlap_found_in_an_early_batch_of_domain_data_is_kept(tmp_path: Path) -> None:
    """The overlap is accumulated over every batch of the streamed domain data, not just the last."""
    rows = [
        {"id": "a", "input": "First question", "expected": "x"},
        {"id": "b", "input": "Second question", "expected": "y"},
        {"id": "c", "input": "Third question", "expected": "z"},
    ]
    training = ["first QUESTION", "unrelated", "unrelated too", "third question", "more", "and more"]
    domain_path = write_rows(
        tmp_path / "domain.csv", [{"id": f"t{i}", "text": t, "quality": "high"} for i, t in enumerate(training)]
    )
    reference = reference_items_valid(rows, {normal(t) for t in training})
    for batch_size in (1, 2, 100):
        m = eval_set.evaluate(
            write_rows(tmp_path / "eval.csv", rows), domain_path, as_of=AS_OF, batch_size=batch_size
        ).measurements
        assert m["overlap_with_training"] == 2, batch_size
        assert m["items_valid"] == reference == 1, batch_size


# --- the shape the policy and the reviewer's report read (docs/policy-input.md) -------------------


def test_quarters_carry_the_documented_bounds(tmp_path: Path) -> None:
    memo = dt.date(2026, 11, 2)
    m = usage.measure(
        pd.DataFrame(skewed_usage()),
        pd.DataFrame([{"date": "2026-10-01", "description": "x", "meaningful": True}]),
        memo_date=memo,
        window_days=28,
    )
    expected = []
    for back in (3, 2, 1, 0):  # oldest first, the last ending the day before the memo date
        end = memo - dt.timedelta(days=1 + 91 * back)
        expected.append(
            {
                "start": (end - dt.timedelta(days=90)).isoformat(),
                "end": end.isoformat(),
                "meaningful_changes": int(back == 0),
            }
        )
    assert m["quarters"] == expected
    assert set(m) == {
        "window_days",
        "window_start",
        "window_end",
        "days_covered",
        "median_daily_calls",
        "quarters",
        "unstable_quarters",
    }


def test_head_to_head_reports_the_documented_fields() -> None:
    candidate, buy = np.array([0.9, 0.4, 0.7]), np.array([0.8, 0.6, 0.7])
    m = h2h.measure(bench(candidate, buy), resamples=50, seed=3)
    assert set(m) == {
        "items",
        "unknown_item_ids",
        "unpaired_items",
        "run_date",
        "useful_task_score",
        "models",
        "systems",
        "quality_ratio",
    }
    assert m["unknown_item_ids"] is None  # no eval set given: not counted, not zero
    assert set(m["systems"]) == {"candidate", "buy"}
    for stats_ in m["systems"].values():
        assert set(stats_) == {
            "mean_score",
            "p10",
            "p50",
            "p90",
            "total_cost_usd",
            "useful_tasks",
            "cost_per_useful_task",
        }
    assert m["quality_ratio"]["resamples"] == 50 and m["quality_ratio"]["seed"] == 3
    assert set(m["quality_ratio"]) == {"point", "lower", "upper", "resamples", "seed", "confidence"}
    assert h2h.measure(bench(candidate, buy), resamples=50, seed=4)["quality_ratio"] != m["quality_ratio"]


def test_no_paired_item_leaves_both_systems_and_the_ratio_null() -> None:
    frame = bench(np.array([0.9, 0.8]), np.array([0.7, 0.6]))
    m = h2h.measure(frame, {"other"}, resamples=50)  # no item id is in the eval set
    assert (m["items"], m["unknown_item_ids"]) == (0, 2)
    assert m["systems"] == {"candidate": None, "buy": None} and m["quality_ratio"] is None
    assert m["run_date"] == "2026-11-01" and m["useful_task_score"] == 0.5
    only_candidate = frame[frame["system"] == "candidate"]
    m = h2h.measure(only_candidate, resamples=50)
    assert (m["items"], m["unpaired_items"]) == (0, 2) and m["quality_ratio"] is None
    one = h2h.measure(bench(np.array([0.9]), np.array([0.6])), resamples=50)
    assert one["items"] == 1 and one["systems"]["candidate"]["mean_score"] == 0.9
    assert one["quality_ratio"]["point"] == pytest.approx(1.5)


def test_evaluate_passes_on_the_threshold_resamples_and_seed(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "h2h.csv", bench(np.array([0.9, 0.75, 0.6]), np.array([0.8, 0.7, 0.65])))
    m = h2h.evaluate(path, useful_task_score=0.75, resamples=77, seed=5, as_of=AS_OF).measurements
    assert m["useful_task_score"] == 0.75
    assert m["systems"]["candidate"]["useful_tasks"] == 2 and m["systems"]["buy"]["useful_tasks"] == 1
    assert (m["quality_ratio"]["resamples"], m["quality_ratio"]["seed"]) == (77, 5)
    default = h2h.evaluate(path, resamples=20, as_of=AS_OF).measurements
    assert default["useful_task_score"] == THRESHOLDS["useful_task_score"]


def test_cost_per_useful_task_is_rounded_to_the_micro_dollar() -> None:
    got = h2h.system_stats(np.array([0.9, 0.9, 0.9]), np.array([0.0001, 0.0001, 0.00012]), 0.5)
    assert got["cost_per_useful_task"] == round(0.00032 / 3, 6) == 0.000107


def test_a_plateau_over_a_window_of_one_iteration() -> None:
    assert prompting.plateau_gain([0.5, 0.7], 1) == pytest.approx(0.2)
    assert prompting.plateau_gain([0.5], 1) is None


# --- cost_model: the break-even quarter and totals over a sweep of volumes ---------------------


def reference_projection(
    calls_per_day: float,
    growth: float,
    horizon: int,
    per_call: float,
    per_thousand: float,
    engineering: float,
    training: float,
    monitoring: float,
) -> dict:
    buy_total = inference_total = cumulative = 0.0
    break_even = None
    for q in range(1, horizon + 1):
        calls = calls_per_day * (1 + growth) ** (q - 1) * 91
        buy, inference = calls * per_call, calls / 1000 * per_thousand
        buy_total += buy
        inference_total += inference
        cumulative += buy - inference
        if break_even is None and cumulative > engineering + training + monitoring * q:
            break_even = q
    fixed = engineering + training + monitoring * horizon
    return {
        "buy_cost_usd": buy_total,
        "candidate_inference_cost_usd": inference_total,
        "savings_usd": buy_total - inference_total,
        "net_savings_usd": buy_total - inference_total - fixed,
        "break_even_quarter": break_even,
    }


def test_break_even_and_totals_match_a_plain_reference_over_a_sweep() -> None:
    buy = {
        "input_price_per_million_tokens": 2.0,
        "output_price_per_million_tokens": 8.0,
        "avg_input_tokens": 600,
        "avg_output_tokens": 80,
    }
    fixed = {
        "engineering_cost_usd": 300_000,
        "training_cost_usd": 80_000,
        "eval_monitoring_cost_per_quarter_usd": 60_000,
    }
    volumes = [400_000, 600_000, 800_000, 1_000_000, 1_200_000, 1_600_000, 2_400_000]
    model = cost.parse(
        {
            "buy": buy,
            "candidate": {"inference_cost_per_thousand_calls": 0.2, **fixed},
            "scenarios": [{"name": f"v{v}", "calls_per_day": v, "growth_per_quarter": 0.1} for v in volumes],
        },
        "cost.yaml",
    )
    m = cost.project(model, 4)
    per_call = (600 * 2.0 + 80 * 8.0) / 1e6
    assert m["buy_cost_per_call_usd"] == pytest.approx(per_call)
    seen = set()
    for volume, got in zip(volumes, m["scenarios"]):
        ref = reference_projection(volume, 0.1, 4, per_call, 0.2, 300_000, 80_000, 60_000)
        assert got["break_even_quarter"] == ref["break_even_quarter"], volume
        for key in ("buy_cost_usd", "candidate_inference_cost_usd", "savings_usd", "net_savings_usd"):
            assert got[key] == pytest.approx(ref[key], abs=1e-5), (volume, key)
        assert [q["quarter"] for q in got["quarters"]] == [1, 2, 3, 4]
        assert set(got) == {
            "name",
            "calls_per_day",
            "growth_per_quarter",
            "quarters",
            "buy_cost_usd",
            "candidate_inference_cost_usd",
            "savings_usd",
            "net_savings_usd",
            "break_even_quarter",
        }
        assert (got["name"], got["calls_per_day"], got["growth_per_quarter"]) == (f"v{volume}", volume, 0.1)
        assert set(got["quarters"][0]) == {"quarter", "calls", "buy_cost_usd", "candidate_inference_cost_usd"}
        seen.add(ref["break_even_quarter"])
    assert len(seen) >= 4  # the sweep crosses the break-even quarters, so a changed rule moves some of them
    # and the alternatives a slip would give differ on it: inference added, monitoring divided
    wrong = [
        reference_projection(v, 0.1, 4, per_call, -0.2, 300_000, 80_000, 60_000)["break_even_quarter"] for v in volumes
    ]
    assert wrong != [s["break_even_quarter"] for s in m["scenarios"]]


def test_a_horizon_of_no_quarters_and_negative_fixed_costs_invalidate(tmp_path: Path) -> None:
    path = tmp_path / "cost.yaml"
    base = {
        "buy": {
            "input_price_per_million_tokens": 1.0,
            "output_price_per_million_tokens": 1.0,
            "avg_input_tokens": 10,
            "avg_output_tokens": 10,
        },
        "candidate": {"inference_cost_per_thousand_calls": 0.1, "engineering_cost_usd": 1000},
        "scenarios": [{"name": "a", "calls_per_day": 10, "growth_per_quarter": 0.0}],
    }
    path.write_text(json.dumps(base))  # JSON is YAML; no horizon anywhere: four quarters
    evidence = cost.evaluate(path)
    assert evidence.valid and evidence.measurements["horizon_quarters"] == 4
    assert evidence.measurements["includes"] == {"engineering": True, "training": False, "eval_monitoring": False}
    path.write_text(json.dumps({**base, "horizon_quarters": 0}))
    assert not cost.evaluate(path).valid
    path.write_text(json.dumps({**base, "candidate": {**base["candidate"], "engineering_cost_usd": -5}}))
    evidence = cost.evaluate(path)
    assert not evidence.valid
    assert any("engineering_cost_usd" in e for e in evidence.all_errors())


def test_a_window_of_one_day_is_the_last_days_calls() -> None:
    m = usage.volume(usage.daily_calls(pd.DataFrame(skewed_usage())), 1)
    assert (m["days_covered"], m["median_daily_calls"]) == (1, 40_000_000.0)
    with pytest.raises(ValueError):
        usage.volume(usage.daily_calls(pd.DataFrame(skewed_usage())), 0)


def test_a_buy_alternative_that_scores_nothing_gives_no_finite_ratio() -> None:
    ratio = h2h.bootstrap_ratio(np.array([0.5, 0.0, 0.2]), np.zeros(3), resamples=200, seed=1)
    assert ratio["point"] is None  # a ratio over zero is not a number the policy can compare
    assert ratio["lower"] is None and ratio["upper"] is None
    nothing = h2h.bootstrap_ratio(np.zeros(3), np.zeros(3), resamples=200, seed=1)
    assert (nothing["point"], nothing["lower"], nothing["upper"]) == (None, None, None)


def test_the_interval_is_exactly_the_stated_percentiles_of_the_seeded_paired_draws() -> None:
    """The documented algorithm, written out: one seeded draw of item indices per resample, used for both
    systems, and the (1 - confidence) / 2 percentiles of the ratios of means. Equal to the last digit, so
    an interval taken a hair off the stated percentiles, or from one draw fewer, fails here even where it
    stays inside the Monte Carlo tolerance of the comparison with scipy."""
    candidate, buy = near_threshold_scores()
    n, resamples, seed = len(candidate), 5_000, 11
    idx = np.random.default_rng(seed).integers(0, n, size=(resamples, n), dtype=np.int32)
    ratios = candidate[idx].mean(axis=1) / buy[idx].mean(axis=1)
    lower, upper = np.percentile(ratios, [2.5, 97.5])
    got = h2h.bootstrap_ratio(candidate, buy, resamples=resamples, seed=seed)
    assert (got["lower"], got["upper"]) == (round(float(lower), 9), round(float(upper), 9))
