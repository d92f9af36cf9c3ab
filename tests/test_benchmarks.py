"""The benchmarks run end to end at a tiny size and close with their JSON line.

Behaviour only: each script is run in a subprocess at the smallest size that
still exercises every step (one round; the one-notebook example memo
``contract-summaries-draft`` for collect and ci; 20 memos for register; 20,000
rows in a throwaway PostgreSQL server for usage_sql), and
the last line of its stdout must be one JSON object with the shared keys and
numeric value, baseline and ratio. No timing is asserted.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = REPO_ROOT / "benchmarks"
KEYS = {"benchmark", "metric", "value", "baseline", "ratio", "target", "ok"}
SMALL_EXAMPLE = "contract-summaries-draft"  # a buy memo: one notebook (cost_model)


def closing_json(script: str, *args: str, timeout: float = 240) -> dict:
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args],
        cwd=BENCHMARKS,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.strip().splitlines()
    assert lines, done.stderr[-2000:]
    payload = json.loads(lines[-1])
    assert isinstance(payload, dict)
    assert KEYS <= payload.keys()
    for key in ("value", "baseline", "ratio", "target"):
        assert isinstance(payload[key], (int, float)) and not isinstance(payload[key], bool), key
    assert isinstance(payload["ok"], bool)
    return payload


def test_decisions_closes_with_json() -> None:
    payload = closing_json("decisions.py", "--memos", "30", "--rounds", "2")
    assert payload["benchmark"] == "decisions" and payload["memos"] == 30
    assert payload["decisions_per_second"] > 0 and payload["deciding_per_second"] > 0
    assert len(payload["rounds_seconds"]) == 2 and isinstance(payload["rate_ok"], bool)


def test_domain_scan_closes_with_json(tmp_path: Path) -> None:
    payload = closing_json("domain_scan.py", "--rows", "20000", "--repeat", "1", "--cache", str(tmp_path))
    assert payload["benchmark"] == "domain_scan" and payload["peak_rss_mb"] > 0


def test_usage_sql_closes_with_json() -> None:
    payload = closing_json("usage_sql.py", "--rows", "20000", "--days", "40")
    assert payload["benchmark"] == "usage_sql" and payload["rows"] == 20000
    assert payload["measurements_equal"] is True and payload["baseline_out_of_memory"] is False
    assert 0 < payload["pinned_rows"] < 20000 and payload["peak_rss_mb"] > 0
    assert set(payload["fmgate_steps"]) >= {"validate", "content_digest", "profile"}


def test_register_closes_with_json() -> None:
    payload = closing_json("register.py", "--memos", "20", "--rounds", "1")
    assert payload["benchmark"] == "register" and payload["memos"] == 20
    assert payload["fine_tunes"] == 2 and payload["relit_evaluated"] == 2
    assert isinstance(payload["site_size_ok"], bool)


def test_collect_closes_with_json() -> None:
    payload = closing_json("collect.py", "--memo", SMALL_EXAMPLE, "--rounds", "1")
    assert payload["benchmark"] == "collect" and payload["kinds"] == ["cost_model"]
    assert payload["collect_seconds"] > 0 and payload["trivial_seconds"] > 0


def test_ci_closes_with_json() -> None:
    payload = closing_json("ci.py", "--memo", SMALL_EXAMPLE, "--rounds", "1")
    assert payload["benchmark"] == "ci" and payload["ci_exit"] in (0, 1)
    assert payload["ci_seconds"] > 0 and payload["direct_seconds"] > 0


@pytest.mark.parametrize("script", ["collect.py", "ci.py", "register.py"])
def test_bad_arguments_are_usage_errors(script: str) -> None:
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--rounds", "0"],
        cwd=BENCHMARKS,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2 and "--rounds" in done.stderr
