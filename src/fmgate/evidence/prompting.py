"""prompting_log evidence: how hard, by whom and how far prompting was pushed.

The quality-vs-iteration curve is the best eval score reached so far, one
value per iteration in iteration order. It has plateaued when it rose by no
more than epsilon over the last ``window`` iterations; this needs more than
``window`` iterations. Rises are rounded to 1e-9 before the comparison so a
rise of exactly epsilon (0.81 - 0.80) is not pushed over it by binary
floating point.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd

from .dates import resolve_as_of
from .document import Evidence, frame_facts
from .io import DEFAULT_MAX_BYTES, read_table
from .specs import PROMPTING_LOG
from .validate import validate_frame

ROUND = 9


def ordered(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows in iteration order (timestamp breaks ties)."""
    return frame.sort_values(["iteration", "timestamp"], kind="stable").reset_index(drop=True)


def best_so_far(scores: list[float] | pd.Series) -> list[float]:
    """Running maximum of the scores, in the order given."""
    best: list[float] = []
    top = float("-inf")
    for score in scores:
        top = max(top, float(score))
        best.append(top)
    return best


def plateau_gain(best: list[float], window: int) -> float | None:
    """Rise of the best-so-far curve over the last *window* iterations (None if too short)."""
    if window < 1 or len(best) <= window:
        return None
    return round(best[-1] - best[-1 - window], ROUND)


def has_plateaued(best: list[float], window: int, epsilon: float) -> bool:
    """True when there are more than *window* iterations and the last rise is <= *epsilon*."""
    gain = plateau_gain(best, window)
    return gain is not None and gain <= round(epsilon, ROUND)


def measure(frame: pd.DataFrame, *, plateau_window: int = 5) -> dict[str, Any]:
    """The prompting_log measurements of docs/policy-input.md, plus the plateau rise."""
    rows = ordered(frame)
    hours = rows["hours"].astype(float)
    by_variant = hours.groupby(rows["variant"].astype(str)).sum()
    best = best_so_far(rows["score"].astype(float))
    return {
        "iterations": int(len(rows)),
        "total_hours": round(float(hours.sum()), 6),
        "hours_by_variant": {str(k): round(float(v), 6) for k, v in sorted(by_variant.items())},
        "variants": sorted(rows["variant"].astype(str).unique().tolist()),
        "seniority_levels": sorted(rows["seniority"].astype(str).unique().tolist()),
        "practitioners": sorted(rows["practitioner"].astype(str).unique().tolist()),
        "best_so_far": best,
        "max_eval_set_size": int(rows["eval_set_size"].max()),
        "plateau_window": int(plateau_window),
        "plateau_gain": plateau_gain(best, plateau_window),
    }


def evaluate(
    prompting_log: str | Path,
    *,
    plateau_window: int = 5,
    as_of: str | dt.date | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Evidence:
    """Read, validate and measure a prompting log."""
    today = resolve_as_of(as_of)
    frame = read_table(prompting_log, PROMPTING_LOG, max_bytes=max_bytes)
    outcomes = validate_frame(frame, "prompting_log", as_of=today)
    evidence = Evidence("prompting_log", [frame_facts("prompting_log", prompting_log, frame, "timestamp")], outcomes)
    if evidence.valid:
        evidence.measurements = measure(frame, plateau_window=plateau_window)
        evidence.data = {"rows": ordered(frame)}
    return evidence
