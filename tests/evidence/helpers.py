"""Plain helpers for the evidence tests: input files in every format and memos."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

REPO_ROOT = Path(__file__).resolve().parents[2]
AS_OF = "2026-11-24"

SETTINGS = """\
decision_owners: [dana.kim]
senior_reviewers: [lee.wong]
required_approvals: 1
thresholds: {}
opa: {url: null, token_env: null}
"""


def write_rows(path: Path, rows: list[dict[str, Any]] | pd.DataFrame) -> Path:
    """Write rows as CSV, JSON Lines or Parquet, chosen by the file's extension."""
    frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".csv":
        frame.to_csv(path, index=False)
    elif path.suffix == ".jsonl":
        with open(path, "w", encoding="utf-8") as handle:
            clean = frame.astype(object).where(frame.notna(), None)  # JSON null, not NaN
            for record in clean.to_dict(orient="records"):
                handle.write(json.dumps(record) + "\n")
    elif path.suffix == ".parquet":
        frame.to_parquet(path, index=False)
    else:
        raise ValueError(path.suffix)
    return path


def usage_rows(start: str, days: int, calls: int | list[int] = 12_000_000) -> list[dict[str, Any]]:
    dates = pd.date_range(start, periods=days, freq="D").strftime("%Y-%m-%d")
    values = calls if isinstance(calls, list) else [calls] * days
    return [{"date": d, "calls": c} for d, c in zip(dates, values)]


COST_MODEL = """\
buy: {input_price_per_million_tokens: 1.25, output_price_per_million_tokens: 10.0, avg_input_tokens: 500, avg_output_tokens: 50}
candidate: {inference_cost_per_thousand_calls: 0.05, engineering_cost_usd: 400000, training_cost_usd: 50000, eval_monitoring_cost_per_quarter_usd: 40000}
scenarios:
  - {name: today, calls_per_day: 12000000, growth_per_quarter: 0.0}
  - {name: growth, calls_per_day: 12000000, growth_per_quarter: 0.15}
horizon_quarters: 4
"""


def write_memo(
    root: Path,
    memo_id: str,
    decision: str,
    evidence: dict[str, str],
    gates: list[str] | None = None,
    date: str = "2026-11-02",
) -> Path:
    lines = [
        "---",
        f"id: {memo_id}",
        "title: Test memo",
        "workload: test-workload",
        f"decision: {decision}",
        "status: proposed",
        f"date: {date}",
        f"gates_claimed: {json.dumps(gates or [])}",
        "evidence:",
    ]
    lines += [f"  {kind}: {path}" for kind, path in evidence.items()]
    lines += ["---", "", "Body.", ""]
    path = root / "memos" / f"{memo_id}.md"
    path.write_text("\n".join(lines))
    return path
