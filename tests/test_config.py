from __future__ import annotations

from pathlib import Path

import pytest

from fmgate.config import load_config
from fmgate.errors import InputError

DEFAULTS = {
    "thresholds": {
        "cost_volume_calls_per_day": 10000000,
        "cost_quality_ratio": 0.95,
        "domain_prompt_variants": ["system_prompt", "few_shot"],
        "evidence_max_age_days": 90,
    }
}


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "fmgate.yaml").write_text(text)
    return tmp_path


def test_overrides_merge_over_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "decision_owners: [a]\nthresholds: {cost_quality_ratio: 0.9}\n"), DEFAULTS)
    assert config.thresholds["cost_quality_ratio"] == 0.9
    assert config.thresholds["cost_volume_calls_per_day"] == 10000000
    assert config.policy_data()["decision_owners"] == ["a"]
    assert "opa" not in config.policy_data()


@pytest.mark.parametrize(
    "override, words",
    [
        ("cost_quality_ratio: 1.5", "ratio between 0 and 1"),
        ("cost_volume_calls_per_day: -1", "not negative"),
        ("cost_volume_calls_per_day: lots", "a number"),
        ("cost_volume_calls_per_day: 2.5", "whole number"),
        ("evidence_max_age_days: true", "a number"),
        ("domain_prompt_variants: few_shot", "list of names"),
        ("no_such_threshold: 3", "unknown threshold"),
    ],
)
def test_bad_overrides_are_rejected_at_load(tmp_path: Path, override: str, words: str) -> None:
    with pytest.raises(InputError) as caught:
        load_config(write(tmp_path, f"thresholds:\n  {override}\n"), DEFAULTS)
    assert words in str(caught.value)
    assert caught.value.path == "fmgate.yaml"
    assert caught.value.field.startswith("thresholds.")


def test_wrong_type_for_setting(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        load_config(write(tmp_path, "required_approvals: -1\n"), DEFAULTS)
    assert caught.value.field == "required_approvals"


def test_remote_opa_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_config(write(tmp_path, "opa: {url: null, token_env: MY_TOKEN}\n"), DEFAULTS)
    assert config.opa_url() is None
    monkeypatch.setenv("FMGATE_OPA_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("MY_TOKEN", "s3cret")
    assert config.opa_url() == "http://127.0.0.1:9"
    assert config.opa_token() == "s3cret"


def test_missing_settings_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        load_config(tmp_path, DEFAULTS)
    assert "fmgate.yaml" in str(caught.value)


@pytest.mark.parametrize(
    "text, field, line",
    [
        (
            "decision_owners: [a]\nthresholds: {evidence_max_age_days: 2026-13-45}\n",
            "thresholds.evidence_max_age_days",
            2,
        ),
        ("decision_owners: [a]\nsenior_reviewers: [!!binary /w==]\n", "senior_reviewers.0", 2),
        ("decision_owners: [a]\nrequired_approvals: !!int many\n", "required_approvals", 2),
        ("thresholds:\n  cost_quality_ratio: .nan\n", "thresholds.cost_quality_ratio", 2),
        ("thresholds:\n  cost_volume_calls_per_day: .inf\n", "thresholds.cost_volume_calls_per_day", 2),
    ],
)
def test_values_yaml_cannot_build_name_line_and_field(tmp_path: Path, text: str, field: str, line: int) -> None:
    with pytest.raises(InputError) as caught:
        load_config(write(tmp_path, text), DEFAULTS)
    assert caught.value.path == "fmgate.yaml"
    assert caught.value.field == field and caught.value.line == line and caught.value.fix


def test_a_whole_number_past_a_floats_range_is_no_crash(tmp_path: Path) -> None:
    """Found by tests/test_fuzz_config.py: float() of a 400-digit threshold overflowed."""
    config = load_config(write(tmp_path, "thresholds: {cost_volume_calls_per_day: 1" + "0" * 400 + "}\n"), DEFAULTS)
    assert config.thresholds["cost_volume_calls_per_day"] == 10**400
    with pytest.raises(InputError) as caught:
        load_config(write(tmp_path, "thresholds: {cost_quality_ratio: 1" + "0" * 400 + "}\n"), DEFAULTS)
    assert "ratio" in str(caught.value)
