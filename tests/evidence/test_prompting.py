"""prompting_log: effort, coverage and the plateau of the best-so-far curve."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from fmgate.evidence import prompting

from .helpers import AS_OF, write_rows

VARIANTS = ["system_prompt", "few_shot", "chain_of_thought", "retrieval_augmented"]


def log(scores: list[float], hours: float = 2.0, seniority: str = "senior") -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "iteration": i + 1,
                "timestamp": f"2026-10-{i + 1:02d}T09:00:00Z",
                "practitioner": f"p{i % 2}",
                "seniority": seniority if i == 0 else "junior",
                "hours": hours,
                "variant": VARIANTS[i % 4],
                "score": s,
                "eval_set_size": 200 + i,
            }
            for i, s in enumerate(scores)
        ]
    )


def test_best_so_far_is_a_running_maximum() -> None:
    assert prompting.best_so_far([0.5, 0.4, 0.7, 0.6]) == [0.5, 0.5, 0.7, 0.7]


def test_a_rise_of_exactly_epsilon_is_a_plateau() -> None:
    best = prompting.best_so_far([0.5, 0.8, 0.8, 0.8, 0.8, 0.8, 0.81])  # 0.81 - 0.80 over the last 5
    assert prompting.plateau_gain(best, 5) == 0.01
    assert prompting.has_plateaued(best, 5, 0.01)


def test_a_rise_just_over_epsilon_is_not() -> None:
    best = prompting.best_so_far([0.5, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8101])
    assert not prompting.has_plateaued(best, 5, 0.01)


def test_the_window_is_the_last_window_iterations() -> None:
    # A big rise six iterations back lies outside a window of 5.
    best = prompting.best_so_far([0.1, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8])
    assert prompting.plateau_gain(best, 5) == 0.0
    assert prompting.plateau_gain(best, 6) == pytest.approx(0.7)


def test_exactly_window_iterations_cannot_show_a_plateau() -> None:
    best = prompting.best_so_far([0.8] * 5)
    assert prompting.plateau_gain(best, 5) is None
    assert not prompting.has_plateaued(best, 5, 0.01)
    assert prompting.has_plateaued(prompting.best_so_far([0.8] * 6), 5, 0.01)


def test_measurements() -> None:
    frame = log([0.5, 0.6, 0.55, 0.7, 0.7, 0.7], hours=3.5).sample(frac=1, random_state=1)  # any row order
    m = prompting.measure(frame)
    assert m["iterations"] == 6
    assert m["total_hours"] == 21.0
    assert m["hours_by_variant"] == {
        "chain_of_thought": 3.5,
        "few_shot": 7.0,
        "retrieval_augmented": 3.5,
        "system_prompt": 7.0,
    }
    assert m["variants"] == sorted(VARIANTS)
    assert m["seniority_levels"] == ["junior", "senior"]
    assert m["practitioners"] == ["p0", "p1"]
    assert m["best_so_far"] == [0.5, 0.6, 0.6, 0.7, 0.7, 0.7]
    assert m["max_eval_set_size"] == 205
    assert m["plateau_window"] == 5 and m["plateau_gain"] == pytest.approx(0.2)


def test_hours_that_add_up_to_the_threshold_exactly() -> None:
    m = prompting.measure(log([0.5] * 200, hours=0.1))
    assert m["total_hours"] == 20.0  # rounded, so 0.1 x 200 is not 19.999999999999996


def test_evaluate(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "prompting.csv", log([0.5, 0.6, 0.7, 0.7, 0.7, 0.7, 0.7]))
    evidence = prompting.evaluate(path, as_of=AS_OF)
    assert evidence.valid and evidence.measurements["iterations"] == 7


def test_unknown_seniority_invalidates(tmp_path: Path) -> None:
    frame = log([0.5, 0.6])
    frame.loc[0, "seniority"] = "guru"
    evidence = prompting.evaluate(write_rows(tmp_path / "p.csv", frame), as_of=AS_OF)
    assert not evidence.valid
    assert any("seniority" in e and "guru" in e for e in evidence.all_errors())
