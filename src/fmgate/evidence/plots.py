"""The one picture per evidence kind that a reviewer would rather look at than read.

Each function takes an :class:`~fmgate.evidence.document.Evidence` and the
thresholds it is judged against, and returns a matplotlib Figure, or None
when the evidence is not valid (there is nothing trustworthy to draw).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

from .document import Evidence

_COLOURS = {"candidate": "#2a6f97", "buy": "#c8553d", "line": "#444444", "ok": "#4d908e", "mute": "#bbbbbb"}


def _figure(width: float = 11, height: float = 4, cols: int = 1) -> tuple[Figure, Any]:
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, cols, figsize=(width, height), constrained_layout=True)
    return fig, axes


def prompting_log(
    evidence: Evidence, *, window: int = 5, epsilon: float = 0.01, hours_threshold: float = 20
) -> Figure | None:
    """Best-so-far score by iteration with the plateau window shaded; hours per variant."""
    if not evidence.valid:
        return None
    m = evidence.measurements
    rows = evidence.data["rows"]
    fig, (left, right) = _figure(cols=2)
    x = np.arange(1, len(rows) + 1)
    left.scatter(x, rows["score"], s=14, color=_COLOURS["mute"], label="score of the iteration")
    left.step(x, m["best_so_far"], where="post", color=_COLOURS["candidate"], label="best so far")
    if len(x) > window:
        left.axvspan(x[-1 - window], x[-1], color=_COLOURS["ok"], alpha=0.15, label=f"last {window} iterations")
        gain = m["plateau_gain"]
        verdict = "plateaued" if gain is not None and gain <= epsilon + 1e-9 else "still rising"
        left.set_title(f"Rise over the last {window}: {gain:.3f} (epsilon {epsilon}) - {verdict}")
    else:
        left.set_title(f"Only {len(x)} iterations: a plateau needs more than {window}")
    left.set_xlabel("iteration (in order)")
    left.set_ylabel("eval score")
    left.set_ylim(0, 1.02)
    left.legend(loc="lower right", fontsize=8)
    variants = m["hours_by_variant"]
    right.barh(list(variants), list(variants.values()), color=_COLOURS["candidate"])
    right.set_xlabel("hours")
    right.set_title(f"Hours per variant: {m['total_hours']:g} in total (threshold {hours_threshold:g})")
    return fig


def usage_log(evidence: Evidence, *, threshold: float = 10_000_000) -> Figure | None:
    """Daily calls with the measurement window, its median and the volume threshold."""
    if not evidence.valid:
        return None
    import matplotlib.dates as mdates
    import pandas as pd

    m = evidence.measurements
    daily = evidence.data["daily"]
    fig, ax = _figure()
    dates = pd.to_datetime(pd.Series(daily.index))
    ax.plot(dates, daily.to_numpy(), color=_COLOURS["candidate"], lw=1.2, label="calls per day")
    ax.axhline(threshold, color=_COLOURS["buy"], ls="--", label=f"threshold {threshold:,.0f}")
    start, end = pd.Timestamp(m["window_start"]), pd.Timestamp(m["window_end"])
    ax.axvspan(start, end, color=_COLOURS["ok"], alpha=0.15, label=f"last {m['window_days']} days")
    ax.hlines(
        m["median_daily_calls"],
        start,
        end,
        color=_COLOURS["line"],
        lw=2,
        label=f"median {m['median_daily_calls']:,.0f} ({m['days_covered']} days with data)",
    )
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))
    ax.set_xlabel("date")
    peak = float(daily.max()) if len(daily) else 0.0
    if 0 < peak and threshold / peak > 20:
        # far below the threshold a linear axis flattens the series onto zero
        ax.set_yscale("log")
        ax.set_ylabel("calls (log scale)")
    else:
        ax.set_ylabel("calls")
        ax.set_ylim(bottom=0)
    ax.legend(loc="best", fontsize=8)
    ax.set_title("Daily calls against the cost-at-scale volume threshold")
    return fig


def head_to_head(evidence: Evidence, *, ratio_threshold: float = 0.95) -> Figure | None:
    """Score distributions of both systems; the quality ratio with its bootstrap interval."""
    if not evidence.valid or not evidence.measurements.get("items"):
        return None
    m = evidence.measurements
    paired = evidence.data["paired"]
    fig, (left, right) = _figure(cols=2)
    bins = np.linspace(0, 1, 21)
    for system in ("buy", "candidate"):
        left.hist(
            paired[f"score_{system}"],
            bins=bins,
            alpha=0.55,
            color=_COLOURS[system],
            label=f"{system} (mean {m['systems'][system]['mean_score']:.3f})",
        )
    left.axvline(m["useful_task_score"], color=_COLOURS["line"], ls=":", label="useful-task score")
    left.set_xlabel("item score")
    left.set_ylabel("items")
    left.set_title(f"Scores on {m['items']} paired eval items")
    left.legend(fontsize=8)
    ratio = m["quality_ratio"]
    if ratio and ratio["point"] is not None:
        low = ratio["lower"] if ratio["lower"] is not None else ratio["point"]
        high = ratio["upper"] if ratio["upper"] is not None else ratio["point"]
        right.errorbar(
            [ratio["point"]],
            [0],
            xerr=[[ratio["point"] - low], [high - ratio["point"]]],
            fmt="o",
            color=_COLOURS["candidate"],
            capsize=6,
            label="candidate / buy (95% interval)",
        )
    right.axvline(ratio_threshold, color=_COLOURS["buy"], ls="--", label=f"required {ratio_threshold}")
    right.set_yticks([])
    right.set_xlabel("quality ratio")
    right.set_title(f"Paired bootstrap, {ratio['resamples'] if ratio else 0:,} resamples")
    right.legend(fontsize=8, loc="upper left")
    return fig


def cost_model(evidence: Evidence) -> Figure | None:
    """Cumulative cost of buy vs the candidate per scenario, with the break-even quarter."""
    if not evidence.valid:
        return None
    m = evidence.measurements
    scenarios = m["scenarios"]
    fig, axes = _figure(height=4, cols=len(scenarios))
    axes = np.atleast_1d(axes)
    model = evidence.data["model"]["candidate"]
    engineering = float(model.get("engineering_cost_usd", 0) or 0) + float(model.get("training_cost_usd", 0) or 0)
    monitoring = float(model.get("eval_monitoring_cost_per_quarter_usd", 0) or 0)
    for ax, scenario in zip(axes, scenarios):
        q = np.array([item["quarter"] for item in scenario["quarters"]])
        buy = np.cumsum([item["buy_cost_usd"] for item in scenario["quarters"]])
        cand = np.cumsum([item["candidate_inference_cost_usd"] for item in scenario["quarters"]])
        cand = cand + engineering + monitoring * q
        ax.plot(q, buy, "o-", color=_COLOURS["buy"], label="buy")
        ax.plot(q, cand, "o-", color=_COLOURS["candidate"], label="candidate (all costs)")
        if scenario["break_even_quarter"]:
            ax.axvline(
                scenario["break_even_quarter"],
                color=_COLOURS["ok"],
                ls="--",
                label=f"break-even in quarter {scenario['break_even_quarter']}",
            )
        ax.set_xticks(q)
        ax.set_xlabel("quarter")
        ax.set_ylabel("cumulative cost (USD)")
        ax.set_title(f"{scenario['name']} (growth {scenario['growth_per_quarter']:.0%}/quarter)")
        ax.legend(fontsize=8)
    return fig


def corpus_manifest(evidence: Evidence, *, threshold: float = 1e11) -> Figure | None:
    """Tokens by source (qualifying and other), and tokens carrying each flag."""
    if not evidence.valid:
        return None
    m = evidence.measurements
    sources = list(m["tokens_by_source"])
    qualifying = np.array([m["tokens_qualifying_by_source"].get(s, 0) for s in sources], dtype=float)
    other = np.array([m["tokens_by_source"][s] for s in sources], dtype=float) - qualifying
    fig, (left, right) = _figure(height=max(3, 0.4 * len(sources) + 1.5), cols=2)
    left.barh(sources, qualifying, color=_COLOURS["ok"], label="proprietary, domain-relevant, high quality")
    left.barh(sources, other, left=qualifying, color=_COLOURS["mute"], label="other")
    left.set_xlabel("tokens")
    left.set_title(f"Qualifying tokens: {m['tokens_qualifying']:,} of {m['tokens_total']:,}")
    left.legend(fontsize=8)
    flags = m.get("tokens_by_flag", {})
    labels = {
        "proprietary": "proprietary",
        "domain_relevant": "domain-relevant",
        "high": "high quality",
        "qualifying": "all three",
    }
    right.barh(
        [labels[k] for k in labels if k in flags][::-1],
        [flags[k] for k in labels if k in flags][::-1],
        color=[_COLOURS["ok"]] + [_COLOURS["candidate"]] * 3,
    )
    right.axvline(threshold, color=_COLOURS["buy"], ls="--", label=f"required {threshold:,.0f}")
    right.set_xlabel("tokens")
    right.set_title("Tokens by flag")
    right.legend(fontsize=8)
    return fig


def eval_set(evidence: Evidence, *, threshold: int = 200) -> Figure | None:
    """Valid items and the reasons the others were left out."""
    if not evidence.valid:
        return None
    m = evidence.measurements
    labels = ["valid", "repeated id", "blank field", "repeated input", "in training data"]
    values = [
        m["items_valid"],
        m["duplicate_ids"],
        m["empty_fields"],
        m["duplicate_inputs"],
        m["overlap_with_training"] or 0,
    ]
    fig, ax = _figure(height=3)
    ax.barh(labels[::-1], values[::-1], color=[_COLOURS["mute"]] * 4 + [_COLOURS["ok"]])
    ax.axvline(threshold, color=_COLOURS["buy"], ls="--", label=f"required valid items {threshold}")
    ax.set_xlabel("items")
    ax.set_title(f"{m['items_valid']} of {m['items_total']} eval items are valid")
    ax.legend(fontsize=8)
    return fig


def domain_data(evidence: Evidence, *, threshold: int = 10_000) -> Figure | None:
    """Rows by quality label and the deduplicated high-quality count."""
    if not evidence.valid:
        return None
    m = evidence.measurements
    labels = [*m["rows_by_quality"], "high, non-empty, unique"]
    values = [*m["rows_by_quality"].values(), m["high_quality_unique"]]
    fig, ax = _figure(height=3)
    ax.barh(labels, values, color=[_COLOURS["mute"]] * (len(labels) - 1) + [_COLOURS["ok"]])
    ax.axvline(threshold, color=_COLOURS["buy"], ls="--", label=f"required {threshold:,}")
    ax.set_xlabel("rows")
    ax.set_title(f"{m['high_quality_unique']:,} usable high-quality examples of {m['rows_total']:,} rows")
    ax.legend(fontsize=8)
    return fig
