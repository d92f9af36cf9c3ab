"""Property-based fuzzing of the organisation settings (fmgate.yaml).

For any value of any YAML type in any setting: loading ends in settings the
policies can take as JSON, or in an InputError naming fmgate.yaml, the line and
the setting, with a fix; a bad value wherever it stands is exactly that; and a
command with such settings is exit 2, never a traceback, never an approval.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from fmgate.config import Settings, load_config
from fmgate.errors import EXIT_BAD_INPUT, InputError
from fmgate.repo import Repository
from fuzz_strategies import BadValue, any_values, bad_values, budget, json_plain, plain_words, reference_load
from repo_fixtures import REPO_ROOT
from test_fuzz_memo import SHOWN, Scratch, Target, check, memo_text, scratch  # noqa: F401 - the fixture

DEFAULTS = Repository(REPO_ROOT).policy_defaults()
THRESHOLDS = sorted(DEFAULTS["thresholds"])
BASE = [
    ("decision_owners", "[dana.kim, priya.rao]"),
    ("senior_reviewers", "[lee.wong, sam.ortiz]"),
    ("required_approvals", "1"),
    ("thresholds", "{}"),
    ("opa", "{url: null, token_env: null}"),
]
FIELDS = [key for key, _ in BASE]


@dataclass(frozen=True)
class Setting:
    field: str
    child: str | None = None

    @property
    def path(self) -> str:
        return f"{self.field}.{self.child}" if self.child else self.field


def setting_targets(*, opa: bool = True) -> st.SearchStrategy[Setting]:
    fields = [f for f in FIELDS if opa or f != "opa"]
    return st.one_of(
        st.sampled_from(fields).map(Setting),
        st.sampled_from(THRESHOLDS).map(lambda name: Setting("thresholds", name)),
        plain_words.map(lambda name: Setting("thresholds", name)),
        *([st.sampled_from(["url", "token_env", "timeout"]).map(lambda name: Setting("opa", name))] if opa else []),
        plain_words.filter(lambda w: w not in FIELDS).map(Setting),
    )


def settings_text(target: Setting, value: str) -> tuple[str, int]:
    value = f"{{{target.child}: {value}}}" if target.child else value
    rows = list(BASE)
    if target.field in FIELDS:
        rows[FIELDS.index(target.field)] = (target.field, value)
    else:
        rows.append((target.field, value))
    return "".join(f"{key}: {text}\n" for key, text in rows), 1 + [k for k, _ in rows].index(target.field)


def acceptable(text: str) -> bool:
    loaded, data = reference_load(text)
    if not loaded or not isinstance(data, (dict, type(None))) or not json_plain(data):
        return False
    try:
        Settings.model_validate(data or {})
    except (ValidationError, TypeError):
        return False
    return True


def load(tmp: Path, text: str):
    (tmp / "fmgate.yaml").write_text(text, encoding="utf-8")
    return load_config(tmp, DEFAULTS)


@settings(max_examples=budget(300))
@given(target=setting_targets(), value=any_values)
def test_any_value_in_any_setting_loads_or_is_bad_input(
    tmp_path_factory: pytest.TempPathFactory, target: Setting, value: str
) -> None:
    text, _ = settings_text(target, value)
    tmp = tmp_path_factory.mktemp("settings", numbered=True)
    try:
        config = load(tmp, text)
    except InputError as error:
        assert error.exit_code == EXIT_BAD_INPUT
        assert error.path == "fmgate.yaml" and error.fix, error
        assert error.line is not None or error.field is not None, error
        return
    assert acceptable(text), f"accepted settings PyYAML or the settings model refuse: {value!r}"
    json.dumps(config.policy_data(), allow_nan=False)  # what goes to OPA
    for name, threshold in config.settings.thresholds.items():
        default = DEFAULTS["thresholds"][name]
        if isinstance(default, (int, float)) and not isinstance(default, bool):
            assert isinstance(threshold, (int, float)) and not isinstance(threshold, bool)
            assert 0 <= threshold < float("inf")


numbers = st.one_of(
    st.integers(-(10**400), 10**400).map(str),
    st.integers(0, 1300).map(lambda n: "1" + "0" * n),
    st.floats().map(repr),  # nan and inf come out as plain words
    st.sampled_from([".inf", ".nan", "-.inf", "1e400", "-0.0", "0x7fffffffffffffffffff", "1_0", "0.5e-400", "true"]),
)


@settings(max_examples=budget(300))
@given(name=st.sampled_from(THRESHOLDS), value=numbers)
def test_any_number_for_any_threshold_is_taken_or_is_bad_input(
    tmp_path_factory: pytest.TempPathFactory, name: str, value: str
) -> None:
    tmp = tmp_path_factory.mktemp("settings", numbered=True)
    try:
        config = load(tmp, f"thresholds:\n  {name}: {value}\n")
    except InputError as error:
        assert error.path == "fmgate.yaml" and error.fix and error.field == f"thresholds.{name}", error
        return
    json.dumps(config.policy_data(), allow_nan=False)


@settings(max_examples=budget(300))
@given(target=setting_targets(), bad=bad_values)
def test_a_bad_setting_is_bad_input_naming_its_line_and_field(
    tmp_path_factory: pytest.TempPathFactory, target: Setting, bad: BadValue
) -> None:
    text, line = settings_text(target, bad.text)
    tmp = tmp_path_factory.mktemp("settings", numbered=True)
    with pytest.raises(InputError) as caught:
        load(tmp, text)
    error = caught.value
    assert error.path == "fmgate.yaml" and error.fix and error.line == line, (error, bad)
    expected = target.path + bad.suffix
    assert error.field == expected if bad.exact else (error.field or "").startswith(target.path), (error, bad)


@settings(max_examples=budget(15))
@given(target=setting_targets(opa=False), value=any_values)
def test_check_with_fuzzed_settings_never_crashes_and_approves_only_valid_settings(
    scratch: Scratch,  # noqa: F811 - the fixture, imported from test_fuzz_memo
    target: Setting,
    value: str,
) -> None:
    text, _ = settings_text(target, value)
    settings_file = scratch.repo / "fmgate.yaml"
    original = settings_file.read_text()
    settings_file.write_text(text, encoding="utf-8")
    try:
        code, out, err = check(scratch, memo_text(Target("title"), "t")[0])
    finally:
        settings_file.write_text(original)
    event(f"exit {code}")
    assert code in (0, 1, 2), err
    assert "Traceback" not in err and "internal error" not in err, err
    if code == 0:
        assert acceptable(text), f"approved with settings that are not valid: {value!r}"
    if code == 2:
        assert "fmgate.yaml" in err and "fix:" in err, err
