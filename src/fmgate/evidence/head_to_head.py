"""head_to_head evidence: the candidate against the buy alternative, item by item.

Only *paired* items count: items scored for both systems (and, when the eval
set is given, whose id is in it). Per system: mean score, the 10th/50th/90th
percentiles of item scores, total cost, useful tasks (items scoring at least
``useful_task_score``) and cost per useful task (total cost / useful tasks;
null when no task was useful).

The quality ratio is candidate mean / buy mean. Its interval comes from a
paired bootstrap: each resample draws items with replacement and uses the
same draw for both systems. The draws are made with a seeded NumPy generator
in blocks of whole resamples, so the result depends only on the data, the
number of resamples and the seed. Means, percentiles and ratios are rounded
to 9 decimals.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .dates import resolve_as_of
from .document import Evidence, frame_facts
from .io import DEFAULT_MAX_BYTES, read_table
from .specs import EVAL_SET, HEAD_TO_HEAD
from .validate import validate_frame

DEFAULT_RESAMPLES = 10_000
DEFAULT_SEED = 20_261_102
#: Upper bound on index-matrix cells per bootstrap block (int32: 16 MB).
BLOCK_CELLS = 4_000_000
#: Means, percentiles and ratios are rounded to this many decimals, so that a value meant to be
#: exactly a threshold (ten scores of 0.95 against ten of 1.0) is not a hair under it.
ROUND = 9


def pair(frame: pd.DataFrame, eval_ids: set[str] | None = None) -> tuple[pd.DataFrame, dict[str, int | None]]:
    """One row per paired item with candidate/buy scores and costs, plus counts of what was left out."""
    rows = frame.assign(item_id=frame["item_id"].astype(str))
    unknown: int | None = None
    if eval_ids is not None:
        known = rows["item_id"].isin(eval_ids)
        unknown = int(rows.loc[~known, "item_id"].nunique())
        rows = rows[known]
    wide = rows.pivot(index="item_id", columns="system", values=["score", "cost_usd"])
    wide.columns = [f"{value}_{system}" for value, system in wide.columns]
    for name in ("score_candidate", "score_buy", "cost_usd_candidate", "cost_usd_buy"):
        if name not in wide.columns:
            wide[name] = np.nan
    complete = wide[["score_candidate", "score_buy"]].notna().all(axis=1)
    paired = wide[complete].sort_index()
    return paired.astype(float), {"unknown_item_ids": unknown, "unpaired_items": int((~complete).sum())}


def system_stats(scores: np.ndarray, costs: np.ndarray, useful_task_score: float) -> dict[str, Any]:
    """Quality and cost figures for one system over the paired items."""
    useful = int(np.count_nonzero(scores >= useful_task_score))
    total = float(costs.sum())
    p10, p50, p90 = (round(float(v), ROUND) for v in np.percentile(scores, [10, 50, 90]))
    return {
        "mean_score": round(float(scores.mean()), ROUND),
        "p10": p10,
        "p50": p50,
        "p90": p90,
        "total_cost_usd": round(total, 6),
        "useful_tasks": useful,
        "cost_per_useful_task": round(total / useful, 6) if useful else None,
    }


def bootstrap_ratio(
    candidate: np.ndarray,
    buy: np.ndarray,
    *,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
    confidence: float = 0.95,
) -> dict[str, Any]:
    """Point estimate and paired-bootstrap percentile interval of mean(candidate) / mean(buy).

    Resamples in which the buy mean is zero give an infinite ratio (or no
    ratio when both means are zero, and those are left out). The point is
    null when the buy mean is zero.
    """
    candidate = np.asarray(candidate, dtype=float)
    buy = np.asarray(buy, dtype=float)
    n = len(candidate)
    if n == 0 or len(buy) != n:
        raise ValueError("bootstrap needs two equally long, non-empty score arrays")
    point = round(float(candidate.mean() / buy.mean()), ROUND) if buy.mean() > 0 else None
    rng = np.random.default_rng(seed)
    block = max(1, BLOCK_CELLS // n)
    c_means = np.empty(resamples)
    b_means = np.empty(resamples)
    for start in range(0, resamples, block):
        size = min(block, resamples - start)
        idx = rng.integers(0, n, size=(size, n), dtype=np.int32 if n < 2**31 else np.int64)
        c_means[start : start + size] = candidate[idx].mean(axis=1)
        b_means[start : start + size] = buy[idx].mean(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = c_means / b_means
    ratios = ratios[~np.isnan(ratios)]
    tail = (1 - confidence) / 2 * 100
    if len(ratios):
        with np.errstate(invalid="ignore"):  # infinite ratios (a buy mean of zero) interpolate to nan
            lower, upper = np.percentile(ratios, [tail, 100 - tail])
    else:
        lower = upper = np.nan

    def finite(value: float) -> float | None:
        return round(float(value), ROUND) if np.isfinite(value) else None

    return {
        "point": point,
        "lower": finite(lower),
        "upper": finite(upper),
        "resamples": int(resamples),
        "seed": int(seed),
        "confidence": confidence,
    }


MODEL_COLUMNS = ("provider", "model", "deployment")


def models(frame: pd.DataFrame) -> dict[str, list[dict[str, str | None]]]:
    """Per system, every distinct (provider, model, deployment) its rows name, sorted; [] when none do.

    A system benchmarked as one model names exactly one; the policy reads
    the buy system's to check that it is the memo's buy alternative.
    """
    present = [c for c in MODEL_COLUMNS if c in frame.columns]
    found: dict[str, list[dict[str, str | None]]] = {}
    for system in ("candidate", "buy"):
        rows = frame.loc[frame["system"].astype(str) == system, present]
        seen: list[dict[str, str | None]] = []
        for values in rows.itertuples(index=False):
            named = {c: str(v).strip() or None for c, v in zip(present, values) if v is not None and not pd.isna(v)}
            entry = {c: named.get(c) for c in MODEL_COLUMNS}
            if any(entry.values()) and entry not in seen:
                seen.append(entry)
        found[system] = sorted(seen, key=lambda e: tuple(str(e[c]) for c in MODEL_COLUMNS))
    return found


def measure(
    frame: pd.DataFrame,
    eval_ids: set[str] | None = None,
    *,
    useful_task_score: float = 0.5,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> dict[str, Any]:
    """The head_to_head measurements of docs/policy-input.md."""
    paired, left_out = pair(frame, eval_ids)
    run_dates = pd.to_datetime(frame["run_date"], format="%Y-%m-%d")
    result: dict[str, Any] = {
        "items": int(len(paired)),
        "unknown_item_ids": left_out["unknown_item_ids"],
        "unpaired_items": left_out["unpaired_items"],
        "run_date": run_dates.max().date().isoformat(),
        "useful_task_score": useful_task_score,
        "models": models(frame),
    }
    if len(paired) == 0:
        result["systems"] = {"candidate": None, "buy": None}
        result["quality_ratio"] = None
        return result
    result["systems"] = {
        system: system_stats(
            paired[f"score_{system}"].to_numpy(), paired[f"cost_usd_{system}"].to_numpy(), useful_task_score
        )
        for system in ("candidate", "buy")
    }
    result["quality_ratio"] = bootstrap_ratio(
        paired["score_candidate"].to_numpy(), paired["score_buy"].to_numpy(), resamples=resamples, seed=seed
    )
    return result


def evaluate(
    head_to_head: str | Path,
    eval_set: str | Path | None = None,
    *,
    useful_task_score: float = 0.5,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
    as_of: str | dt.date | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Evidence:
    """Read, validate and measure a head-to-head benchmark (against the eval set's ids when given)."""
    today = resolve_as_of(as_of)
    frame = read_table(head_to_head, HEAD_TO_HEAD, max_bytes=max_bytes)
    outcomes = validate_frame(frame, "head_to_head", as_of=today)
    inputs = [frame_facts("head_to_head", head_to_head, frame, "run_date")]
    eval_ids = None
    if eval_set:
        eval_frame = read_table(eval_set, EVAL_SET, max_bytes=max_bytes)
        eval_ids = set(eval_frame["id"].dropna().astype(str))
        inputs.append(frame_facts("eval_set", eval_set, eval_frame))
    evidence = Evidence("head_to_head", inputs, outcomes)
    if evidence.valid:
        evidence.measurements = measure(
            frame, eval_ids, useful_task_score=useful_task_score, resamples=resamples, seed=seed
        )
        paired, _ = pair(frame, eval_ids)
        evidence.data = {"paired": paired}
    return evidence
