"""cost_model evidence: buy vs candidate cost under each usage scenario over the horizon.

A quarter is 91 days. A scenario's daily calls grow by ``growth_per_quarter``
at the start of every quarter after the first, compounding:
quarter q (1-based) runs at ``calls_per_day * (1 + growth) ** (q - 1)``.

* buy cost of a call = avg input tokens x input price + avg output tokens x
  output price (prices per million tokens);
* candidate inference cost = calls / 1000 x cost per thousand calls;
* fixed cost = engineering + training + eval/drift monitoring per quarter x
  horizon (a cost the file leaves out counts as zero and shows as ``false``
  in ``includes``);
* savings = buy cost - candidate inference cost over the horizon; the
  break-even quarter is the first whose cumulative savings exceed the fixed
  cost incurred up to then (engineering + training + monitoring so far).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputError
from .document import Evidence, InputFile
from .io import read_yaml
from .validate import cost_model_suite, run_rules

QUARTER_DAYS = 91
BUY_FIELDS = (
    "input_price_per_million_tokens",
    "output_price_per_million_tokens",
    "avg_input_tokens",
    "avg_output_tokens",
)
CANDIDATE_REQUIRED = ("inference_cost_per_thousand_calls",)
FIXED_COSTS = {
    "engineering": "engineering_cost_usd",
    "training": "training_cost_usd",
    "eval_monitoring": "eval_monitoring_cost_per_quarter_usd",
}
SCENARIO_FIELDS = ("name", "calls_per_day", "growth_per_quarter")
EXAMPLE = (
    "see the cost_model example in the memo spec: buy {prices, avg tokens}, candidate {costs}, "
    "scenarios [{name, calls_per_day, growth_per_quarter}], horizon_quarters"
)


def _mapping(value: Any, where: str, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InputError(
            f"'{where}' must be a mapping of fields, got {type(value).__name__}", path=path, field=where, fix=EXAMPLE
        )
    return value


def _require(section: Mapping[str, Any], keys: tuple[str, ...], where: str, path: str) -> None:
    missing = [k for k in keys if k not in section]
    if missing:
        raise InputError(
            f"missing {', '.join(repr(m) for m in missing)} in '{where}'",
            path=path,
            field=f"{where}.{missing[0]}",
            fix=EXAMPLE,
        )


def parse(data: Any, path: str) -> dict[str, Any]:
    """Check the shape of a loaded cost model (InputError for anything unusable)."""
    model = _mapping(data, "(file)", path)
    _require(model, ("buy", "candidate", "scenarios"), "(file)", path)
    buy = _mapping(model["buy"], "buy", path)
    _require(buy, BUY_FIELDS, "buy", path)
    candidate = _mapping(model["candidate"], "candidate", path)
    _require(candidate, CANDIDATE_REQUIRED, "candidate", path)
    scenarios = model["scenarios"]
    if not isinstance(scenarios, list) or not scenarios:
        raise InputError(
            "'scenarios' must be a non-empty list (the first is the base scenario)",
            path=path,
            field="scenarios",
            fix=EXAMPLE,
        )
    for index, scenario in enumerate(scenarios):
        _require(_mapping(scenario, f"scenarios[{index}]", path), SCENARIO_FIELDS, f"scenarios[{index}]", path)
    return {
        "buy": dict(buy),
        "candidate": dict(candidate),
        "scenarios": [dict(s) for s in scenarios],
        "horizon_quarters": model.get("horizon_quarters"),
    }


def frame(model: Mapping[str, Any], horizon: int | None) -> pd.DataFrame:
    """One row per scenario with the buy and candidate numbers alongside, for validation."""
    rows = []
    for scenario in model["scenarios"]:
        row = {field: scenario.get(field) for field in SCENARIO_FIELDS}
        row["horizon_quarters"] = horizon
        row.update({f"buy.{k}": model["buy"][k] for k in BUY_FIELDS})
        row.update(
            {
                f"candidate.{k}": model["candidate"][k]
                for k in (*CANDIDATE_REQUIRED, *FIXED_COSTS.values())
                if k in model["candidate"]
            }
        )
        rows.append(row)
    out = pd.DataFrame(rows)
    for column in out.columns:
        if column != "name":
            out[column] = out[column].infer_objects()
    return out


def buy_cost_per_call(buy: Mapping[str, Any]) -> float:
    return (
        float(buy["avg_input_tokens"]) * float(buy["input_price_per_million_tokens"])
        + float(buy["avg_output_tokens"]) * float(buy["output_price_per_million_tokens"])
    ) / 1e6


def project(model: Mapping[str, Any], horizon: int) -> dict[str, Any]:
    """The cost_model measurements of docs/policy-input.md."""
    candidate = model["candidate"]
    includes = {name: key in candidate for name, key in FIXED_COSTS.items()}
    engineering = float(candidate.get(FIXED_COSTS["engineering"], 0) or 0)
    training = float(candidate.get(FIXED_COSTS["training"], 0) or 0)
    monitoring = float(candidate.get(FIXED_COSTS["eval_monitoring"], 0) or 0)
    fixed = engineering + training + monitoring * horizon
    per_call = buy_cost_per_call(model["buy"])
    per_thousand = float(candidate["inference_cost_per_thousand_calls"])
    scenarios = []
    for scenario in model["scenarios"]:
        daily = float(scenario["calls_per_day"])
        growth = float(scenario["growth_per_quarter"])
        quarters, cumulative, break_even = [], 0.0, None
        for q in range(1, horizon + 1):
            calls = daily * (1 + growth) ** (q - 1) * QUARTER_DAYS
            buy_cost = calls * per_call
            inference = calls / 1000 * per_thousand
            cumulative += buy_cost - inference
            if break_even is None and cumulative > engineering + training + monitoring * q:
                break_even = q
            quarters.append(
                {
                    "quarter": q,
                    "calls": round(calls, 3),
                    "buy_cost_usd": round(buy_cost, 6),
                    "candidate_inference_cost_usd": round(inference, 6),
                }
            )
        buy_total = sum(item["buy_cost_usd"] for item in quarters)
        inference_total = sum(item["candidate_inference_cost_usd"] for item in quarters)
        scenarios.append(
            {
                "name": str(scenario["name"]),
                "calls_per_day": daily,
                "growth_per_quarter": growth,
                "quarters": quarters,
                "buy_cost_usd": round(buy_total, 6),
                "candidate_inference_cost_usd": round(inference_total, 6),
                "savings_usd": round(buy_total - inference_total, 6),
                "net_savings_usd": round(buy_total - inference_total - fixed, 6),
                "break_even_quarter": break_even,
            }
        )
    return {
        "horizon_quarters": horizon,
        "includes": includes,
        "fixed_cost_usd": round(fixed, 6),
        "buy_cost_per_call_usd": per_call,
        "scenarios": scenarios,
    }


def evaluate(cost_model: str | Path, *, horizon_quarters: int | None = None) -> Evidence:
    """Read, check and project a cost model.

    The horizon is *horizon_quarters* when given (the organisation's
    threshold), else the file's ``horizon_quarters``, else 4.
    """
    path = str(cost_model)
    model = parse(read_yaml(cost_model, what="cost_model"), path)
    horizon = horizon_quarters if horizon_quarters is not None else model["horizon_quarters"]
    if horizon is None:
        horizon = 4
    table = frame(model, horizon)
    outcomes = run_rules(table, cost_model_suite(list(table.columns)))
    evidence = Evidence("cost_model", [InputFile("cost_model", path)], outcomes)
    if evidence.valid:
        if isinstance(horizon, bool) or not float(horizon).is_integer():
            evidence.errors.append(
                f"cost_model: horizon_quarters is {horizon!r}, not a whole number of "
                "quarters; fix: write horizon_quarters as an integer"
            )
            return evidence
        evidence.measurements = project(model, int(horizon))
        evidence.data = {"model": model}
    return evidence
