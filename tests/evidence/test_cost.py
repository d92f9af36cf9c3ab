"""cost_model: compounding growth, the break-even quarter and the shape of the YAML."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from fmgate.errors import InputError
from fmgate.evidence import cost

from .helpers import COST_MODEL


def model(**changes) -> dict:
    data = yaml.safe_load(COST_MODEL)
    for key, value in changes.items():
        data[key] = value
    return cost.parse(data, "cost.yaml")


def test_flat_scenario_costs() -> None:
    m = cost.project(model(), 4)
    today = m["scenarios"][0]
    calls = 12_000_000 * 91
    assert [q["calls"] for q in today["quarters"]] == [calls] * 4
    assert today["buy_cost_usd"] == pytest.approx(4 * calls * 0.001125)
    assert today["candidate_inference_cost_usd"] == pytest.approx(4 * calls / 1000 * 0.05)
    assert m["fixed_cost_usd"] == 400_000 + 50_000 + 4 * 40_000
    assert m["includes"] == {"engineering": True, "training": True, "eval_monitoring": True}
    assert today["savings_usd"] == pytest.approx(today["buy_cost_usd"] - today["candidate_inference_cost_usd"])


def test_growth_compounds_each_quarter() -> None:
    growth = cost.project(model(), 4)["scenarios"][1]
    expected = [12_000_000 * 91 * 1.15**q for q in range(4)]
    assert [q["calls"] for q in growth["quarters"]] == pytest.approx(expected)


def test_break_even_is_the_first_quarter_whose_savings_exceed_the_costs_so_far() -> None:
    data = model(scenarios=[{"name": "slow", "calls_per_day": 5000, "growth_per_quarter": 0.0}])
    data["buy"] = {
        "input_price_per_million_tokens": 1_000_000,
        "output_price_per_million_tokens": 0,
        "avg_input_tokens": 1,
        "avg_output_tokens": 0,
    }  # $1 per call
    data["candidate"] = {"inference_cost_per_thousand_calls": 0, "engineering_cost_usd": 910_000}
    # Savings are 5000 x 91 = $455,000 a quarter: cumulative 455k, 910k (not above), 1,365k.
    scenario = cost.project(data, 4)["scenarios"][0]
    assert scenario["break_even_quarter"] == 3
    data["candidate"]["engineering_cost_usd"] = 909_999
    assert cost.project(data, 4)["scenarios"][0]["break_even_quarter"] == 2


def test_no_break_even_within_the_horizon() -> None:
    data = model(scenarios=[{"name": "tiny", "calls_per_day": 1, "growth_per_quarter": 0.0}])
    scenario = cost.project(data, 4)["scenarios"][0]
    assert scenario["break_even_quarter"] is None
    assert scenario["net_savings_usd"] < 0


def test_costs_left_out_count_as_zero_and_show_in_includes() -> None:
    data = model()
    data["candidate"] = {"inference_cost_per_thousand_calls": 0.05, "training_cost_usd": 0}
    m = cost.project(data, 4)
    assert m["includes"] == {"engineering": False, "training": True, "eval_monitoring": False}
    assert m["fixed_cost_usd"] == 0


def test_evaluate_uses_the_threshold_horizon(tmp_path: Path) -> None:
    path = tmp_path / "cost.yaml"
    path.write_text(COST_MODEL.replace("horizon_quarters: 4", "horizon_quarters: 8"))
    assert cost.evaluate(path, horizon_quarters=4).measurements["horizon_quarters"] == 4
    assert cost.evaluate(path, horizon_quarters=None).measurements["horizon_quarters"] == 8


@pytest.mark.parametrize(
    "text, field",
    [
        ("buy: {}\ncandidate: {}\nscenarios: []\n", "buy.input_price_per_million_tokens"),
        ("- a list\n", "(file)"),
        (COST_MODEL.replace("scenarios:", "scenarioz:"), "(file).scenarios"),
        (
            COST_MODEL.replace("calls_per_day: 12000000, growth_per_quarter: 0.0", "calls_per_day: 1"),
            "scenarios[0].growth_per_quarter",
        ),
    ],
)
def test_unusable_cost_models_raise(tmp_path: Path, text: str, field: str) -> None:
    path = tmp_path / "cost.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as info:
        cost.evaluate(path)
    assert info.value.field == field
    assert "cost.yaml" in str(info.value) and info.value.fix


def test_negative_prices_and_shrinking_growth_invalidate(tmp_path: Path) -> None:
    path = tmp_path / "cost.yaml"
    path.write_text(
        COST_MODEL.replace("input_price_per_million_tokens: 1.25", "input_price_per_million_tokens: -1").replace(
            "growth_per_quarter: 0.15", "growth_per_quarter: -1.0"
        )
    )
    evidence = cost.evaluate(path)
    assert not evidence.valid
    errors = " ".join(evidence.all_errors())
    assert "buy.input_price_per_million_tokens" in errors and "growth_per_quarter" in errors


def test_text_where_a_number_belongs_invalidates(tmp_path: Path) -> None:
    path = tmp_path / "cost.yaml"
    path.write_text(
        COST_MODEL.replace(
            "calls_per_day: 12000000, growth_per_quarter: 0.0", "calls_per_day: lots, growth_per_quarter: 0.0"
        )
    )
    evidence = cost.evaluate(path)
    assert not evidence.valid
    assert any("calls_per_day" in e for e in evidence.all_errors())
