"""The great-expectations suites: shape of the summary, severities, and the rules per input."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from fmgate.evidence import validate

AS_OF = dt.date(2026, 11, 24)


def run(frame: pd.DataFrame, name: str) -> list[validate.Outcome]:
    return validate.validate_frame(frame, name, as_of=AS_OF)


def failed(outcomes: list[validate.Outcome]) -> dict[tuple[str, str | None], dict]:
    return {(e["expectation"], e["column"]): e for e in validate.summarise(outcomes)["failed"]}


def test_clean_usage_log_passes_and_reports_how_many_rules_ran() -> None:
    frame = pd.DataFrame({"date": ["2026-11-01", "2026-11-02"], "calls": [5, 0]})
    outcomes = run(frame, "usage_log")
    summary = validate.summarise(outcomes)
    assert {k: summary[k] for k in ("success", "evaluated", "failed")} == {
        "success": True,
        "evaluated": len(outcomes),
        "failed": [],
    }
    assert summary["evaluated"] >= 7
    # every expectation that ran is listed, passed or not, for the reviewer's table
    assert len(summary["checks"]) == len(outcomes) and all(c["success"] for c in summary["checks"])
    assert {c["column"] for c in summary["checks"]} >= {"date", "calls"}
    assert validate.is_valid(outcomes)


def test_negative_counts_future_dates_and_bad_dates_fail() -> None:
    frame = pd.DataFrame({"date": ["2026-11-24", "2026-11-25", "2026-02-30"], "calls": [5, -1, 3]})
    outcomes = run(frame, "usage_log")
    fails = failed(outcomes)
    assert not validate.is_valid(outcomes)
    negative = fails[("expect_column_values_to_be_between", "calls")]
    assert "below 0" in negative["details"] and "1 of 3" in negative["details"] and "-1" in negative["details"]
    future = fails[("expect_column_values_to_be_between", "date")]
    assert "future" in future["details"] and "2026-11-25" in future["details"]
    assert "2026-02-30" in fails[("expect_column_values_to_match_strftime_format", "date")]["details"]
    messages = validate.error_messages(outcomes)
    assert any("usage_log column 'calls'" in m and "fix:" in m for m in messages)


def test_today_is_not_the_future() -> None:
    frame = pd.DataFrame({"date": ["2026-11-24"], "calls": [1]})
    assert validate.is_valid(run(frame, "usage_log"))


def test_wrong_types_fail() -> None:
    frame = pd.DataFrame({"date": ["2026-11-01", "2026-11-02"], "calls": ["many", 3]})
    fails = failed(run(frame, "usage_log"))
    assert ("expect_column_values_to_be_in_type_list", "calls") in fails


def test_warnings_are_reported_but_keep_the_evidence_valid() -> None:
    frame = pd.DataFrame({"id": ["a", "a", "b"], "input": ["x", "y", " "], "expected": ["1", "2", "3"]})
    outcomes = run(frame, "eval_set")
    fails = failed(outcomes)
    assert fails[("expect_column_values_to_be_unique", "id")]["severity"] == "warning"
    assert fails[("expect_column_values_to_not_match_regex", "input")]["severity"] == "warning"
    assert validate.is_valid(outcomes)
    assert validate.error_messages(outcomes) == []


def test_prompting_log_rules() -> None:
    frame = pd.DataFrame(
        {
            "iteration": [1, 1],
            "timestamp": ["2026-11-01T10:00:00Z", "2030-01-01T00:00:00+02:00"],
            "practitioner": ["ann", "bob"],
            "seniority": ["senior", "wizard"],
            "hours": [1.0, -2.0],
            "variant": ["few_shot", "my_own"],
            "score": [0.5, 1.5],
            "eval_set_size": [100, 0],
        }
    )
    fails = failed(run(frame, "prompting_log"))
    assert ("expect_column_values_to_be_unique", "iteration") in fails
    assert ("expect_column_values_to_be_in_set", "seniority") in fails
    assert ("expect_column_values_to_be_between", "hours") in fails
    assert ("expect_column_values_to_be_between", "score") in fails
    assert ("expect_column_values_to_be_between", "eval_set_size") in fails
    assert ("expect_column_values_to_be_between", "timestamp") in fails  # in the future
    assert ("expect_column_values_to_be_in_set", "variant") not in fails  # other variants are allowed


def test_head_to_head_pairs_must_be_unique_and_systems_known() -> None:
    frame = pd.DataFrame(
        {
            "item_id": ["a", "a", "b"],
            "system": ["buy", "buy", "vendor"],
            "score": [0.5, 0.5, 0.2],
            "cost_usd": [0.1, 0.1, 0.1],
            "run_date": ["2026-11-01"] * 3,
        }
    )
    fails = failed(run(frame, "head_to_head"))
    assert ("expect_compound_columns_to_be_unique", None) in fails
    assert ("expect_column_values_to_be_in_set", "system") in fails


def test_missing_values_fail_in_required_columns() -> None:
    frame = pd.DataFrame({"date": ["2026-11-01", None], "description": ["a", "b"], "meaningful": [True, None]})
    fails = failed(run(frame, "task_changes"))
    assert ("expect_column_values_to_not_be_null", "date") in fails
    assert ("expect_column_values_to_not_be_null", "meaningful") in fails


def test_exact_outcomes_replace_sample_outcomes() -> None:
    rules = validate.suite("domain_data", ["id", "text", "quality"], as_of=AS_OF)
    rule = validate.find_rule(rules, "ExpectColumnValuesToBeInSet", "quality")
    sample = [validate.Outcome(rule, True, 0, 10)]
    exact = [validate.exact_outcome(rule, 2, 1000, ["great", "ok"])]
    merged = validate.merge(sample, exact)
    assert len(merged) == 1 and not merged[0].success
    assert "2 of 1,000 rows" in merged[0].details() and "exact check" in merged[0].details()


def test_validation_never_opens_a_network_connection() -> None:
    import subprocess
    import sys

    script = """
import socket
def refuse(*args, **kwargs):
    raise SystemExit("network use: " + repr(args[1:] if len(args) > 1 else args))
socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.create_connection = refuse
import datetime as dt, os
import pandas as pd
from fmgate.evidence import validate
outcomes = validate.validate_frame(pd.DataFrame({"date": ["2026-11-01"], "calls": [1]}), "usage_log",
                                   as_of=dt.date(2026, 11, 24))
assert validate.is_valid(outcomes)
assert os.environ["GX_ANALYTICS_ENABLED"] == "False"
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith("ok")


def test_importing_great_expectations_leaves_the_garbage_collector_running() -> None:
    """The collector is paused only while great-expectations is imported (in a fresh process)."""
    import json
    import subprocess
    import sys

    code = """
import gc, json
import pandas as pd
from fmgate.evidence import validate
rule = validate.Rule("ExpectColumnValuesToNotBeNull", "a", {}, "values are missing", "fill them in")
(outcome,) = validate.run_rules(pd.DataFrame({"a": [1, None]}), [rule])
print(json.dumps({"enabled": gc.isenabled(), "frozen": gc.get_freeze_count() > 0,
                  "success": outcome.success, "unexpected": outcome.unexpected}))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"enabled": True, "frozen": True, "success": False, "unexpected": 1}
