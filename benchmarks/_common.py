"""Helpers shared by the benchmarks: a throwaway repository and the closing JSON line."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]


def scratch_repository() -> Path:
    """A temporary decision repository with this repository's policies and settings."""
    root = Path(tempfile.mkdtemp(prefix="fmgate-bench-"))
    shutil.copytree(REPO_ROOT / "policies", root / "policies")
    if (REPO_ROOT / "schemas").is_dir():
        shutil.copytree(REPO_ROOT / "schemas", root / "schemas")
    shutil.copy(REPO_ROOT / "fmgate.yaml", root / "fmgate.yaml")
    (root / "memos").mkdir()
    (root / "evidence").mkdir()
    return root


def buy_memo(index: int, *, workload: str | None = None) -> str:
    return f"""---
id: bench-{index:05d}
title: Benchmark memo {index}
workload: {workload or f"bench-workload-{index:05d}"}
workload_shape: standard
decision: buy
status: proposed
date: 2026-11-02
owner: dana.kim
proposer: {{team: bench, type: in-house}}
reviewers: [lee.wong]
engineering_started: null
supersedes: null
buy_alternative: {{provider: example-ai, model: frontier-1, deployment: public-api}}
dimensions: {{criticality: supportive, workflow_complexity: simple, control_need: low}}
candidates:
  buy: "Good enough today."
  fine-tune: "Not needed at this volume."
  build: "Not our business."
rationale_tags: [quality]
gates_claimed: []
evidence: {{}}
---
Generated for benchmarking.
"""


def closing_line(
    benchmark: str,
    metric: str,
    value: float,
    baseline: float,
    target: float,
    lower_is_better: bool = True,
    **extra: Any,
) -> str:
    ratio = value / baseline if baseline else float("inf")
    ok = ratio <= target if lower_is_better else ratio >= target
    payload = {
        "benchmark": benchmark,
        "metric": metric,
        "value": round(value, 6),
        "baseline": round(baseline, 6),
        "ratio": round(ratio, 4),
        "target": target,
        "ok": ok,
    }
    payload.update(extra)
    return json.dumps(payload)
