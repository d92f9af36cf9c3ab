"""head_to_head: pairing, per-system figures, cost per useful task and the paired bootstrap."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fmgate.evidence import head_to_head as h2h

from .helpers import AS_OF, write_rows


def bench(
    candidate: list[float],
    buy: list[float],
    *,
    cost_c: float = 0.001,
    cost_b: float = 0.01,
    run_date: str = "2026-11-01",
) -> pd.DataFrame:
    rows = []
    for i, (c, b) in enumerate(zip(candidate, buy)):
        rows.append({"item_id": f"e{i}", "system": "candidate", "score": c, "cost_usd": cost_c, "run_date": run_date})
        rows.append({"item_id": f"e{i}", "system": "buy", "score": b, "cost_usd": cost_b, "run_date": run_date})
    return pd.DataFrame(rows)


def test_a_score_of_exactly_the_useful_threshold_is_useful() -> None:
    stats = h2h.system_stats(np.array([0.5, 0.4999, 1.0]), np.array([1.0, 1.0, 1.0]), 0.5)
    assert stats["useful_tasks"] == 2
    assert stats["cost_per_useful_task"] == 1.5
    assert stats["total_cost_usd"] == 3.0


def test_no_useful_task_means_no_cost_per_useful_task() -> None:
    assert h2h.system_stats(np.array([0.1, 0.2]), np.array([1.0, 1.0]), 0.5)["cost_per_useful_task"] is None


def test_percentiles() -> None:
    stats = h2h.system_stats(np.linspace(0, 1, 11), np.zeros(11), 0.5)
    assert (stats["p10"], stats["p50"], stats["p90"]) == pytest.approx((0.1, 0.5, 0.9))


def test_identical_systems_have_ratio_one_without_spread() -> None:
    scores = np.linspace(0.2, 0.9, 50)
    ratio = h2h.bootstrap_ratio(scores, scores, resamples=500, seed=1)
    assert ratio["point"] == ratio["lower"] == ratio["upper"] == pytest.approx(1.0)


def test_point_estimate_exactly_at_the_threshold() -> None:
    ratio = h2h.bootstrap_ratio(np.full(10, 0.95), np.full(10, 1.0), resamples=100)
    assert ratio["point"] == 0.95


def test_bootstrap_is_seeded_and_paired() -> None:
    rng = np.random.default_rng(3)
    buy = rng.uniform(0.3, 0.9, 300)
    candidate = np.clip(buy + rng.normal(0, 0.02, 300), 0, 1)  # closely tracks buy, item by item
    first = h2h.bootstrap_ratio(candidate, buy, seed=7)
    assert first == h2h.bootstrap_ratio(candidate, buy, seed=7)
    assert first != h2h.bootstrap_ratio(candidate, buy, seed=8)
    assert first["resamples"] == 10_000
    assert first["lower"] < first["point"] < first["upper"]
    # Pairing keeps the interval narrow; resampling the systems independently would not.
    assert first["upper"] - first["lower"] < 0.01


def test_bootstrap_blocks_do_not_change_the_result(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(4)
    a, b = rng.uniform(size=40), rng.uniform(size=40)
    whole = h2h.bootstrap_ratio(a, b, resamples=1000, seed=5)
    monkeypatch.setattr(h2h, "BLOCK_CELLS", 40 * 7)  # blocks of 7 resamples
    assert h2h.bootstrap_ratio(a, b, resamples=1000, seed=5) == pytest.approx(whole)


def test_measure_pairs_items_and_counts_unknown_ids() -> None:
    frame = bench([0.9, 0.8, 0.2], [0.8, 0.8, 0.6])
    frame = pd.concat(
        [
            frame,
            pd.DataFrame(
                [
                    {"item_id": "zz", "system": "candidate", "score": 1.0, "cost_usd": 0.0, "run_date": "2026-11-03"},
                    {"item_id": "e9", "system": "buy", "score": 1.0, "cost_usd": 0.0, "run_date": "2026-10-01"},
                ]
            ),
        ]
    )
    m = h2h.measure(frame, {"e0", "e1", "e2", "e9"}, resamples=200)
    assert m["items"] == 3
    assert m["unknown_item_ids"] == 1
    assert m["unpaired_items"] == 1
    assert m["run_date"] == "2026-11-03"
    assert m["systems"]["candidate"]["useful_tasks"] == 2
    assert m["systems"]["candidate"]["cost_per_useful_task"] == pytest.approx(0.0015)
    assert m["systems"]["buy"]["cost_per_useful_task"] == pytest.approx(0.01)
    assert m["quality_ratio"]["point"] == pytest.approx((1.9 / 3) / (2.2 / 3))


def test_evaluate_with_the_eval_set(tmp_path: Path) -> None:
    eval_path = write_rows(
        tmp_path / "eval.csv", [{"id": f"e{i}", "input": f"q{i}", "expected": "a"} for i in range(5)]
    )
    path = write_rows(tmp_path / "h2h.parquet", bench([0.9] * 5, [0.8] * 5))
    evidence = h2h.evaluate(path, eval_path, resamples=100, as_of=AS_OF)
    assert evidence.valid
    assert evidence.measurements["items"] == 5 and evidence.measurements["unknown_item_ids"] == 0
    assert [i.name for i in evidence.inputs] == ["head_to_head", "eval_set"]


def test_scores_out_of_range_and_future_runs_invalidate(tmp_path: Path) -> None:
    frame = bench([1.2, 0.5], [0.5, 0.5], run_date="2026-12-01")
    evidence = h2h.evaluate(write_rows(tmp_path / "h2h.csv", frame), as_of=AS_OF)
    assert not evidence.valid
    errors = " ".join(evidence.all_errors())
    assert "'score'" in errors and "'run_date'" in errors


def test_models_name_each_system_s_model_once() -> None:
    import pandas as pd

    from fmgate.evidence.head_to_head import models

    frame = pd.DataFrame(
        {
            "item_id": ["a", "a", "b", "b"],
            "system": ["candidate", "buy", "candidate", "buy"],
            "provider": ["in-house", "openai", "in-house", " openai "],
            "model": ["small", "gpt-5", "small", "gpt-5"],
            "deployment": ["self-hosted", "public-api", "self-hosted", "public-api"],
        }
    )
    assert models(frame) == {
        "candidate": [{"provider": "in-house", "model": "small", "deployment": "self-hosted"}],
        "buy": [{"provider": "openai", "model": "gpt-5", "deployment": "public-api"}],
    }
    mixed = frame.assign(model=["small", "gpt-5", "small", "gpt-5-mini"])
    assert [m["model"] for m in models(mixed)["buy"]] == ["gpt-5", "gpt-5-mini"]
    unnamed = frame.drop(columns=["provider", "model", "deployment"])
    assert models(unnamed) == {"candidate": [], "buy": []}
