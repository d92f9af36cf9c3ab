package fmgate.gates.shared_test

import data.fmgate.gates.shared

# Fixtures (passing, patched, check, envelope) live in shared_test.rego.

# FT-BENCH-MISSING

test_bench_present_passes if {
	c := check("FT-BENCH-MISSING") with input as passing
	c.passed
	c.observed == {"items": 250, "unknown_item_ids": 0}
}

test_bench_absent_fails if {
	c := check("FT-BENCH-MISSING") with input as json.remove(passing, ["evidence/head_to_head"])
	not c.passed
	contains(c.message, "evidence/m1/head_to_head.json")
}

test_bench_invalid_fails if {
	inp := patched([
		["/evidence/head_to_head/valid", false],
		["/evidence/head_to_head/errors", ["unknown system gpt"]],
	])
	c := check("FT-BENCH-MISSING") with input as inp
	not c.passed
	contains(c.message, "unknown system gpt")
}

test_bench_needs_at_least_one_item if {
	not check("FT-BENCH-MISSING").passed with input as patched([["/evidence/head_to_head/measurements/items", 0]])
	check("FT-BENCH-MISSING").passed with input as patched([["/evidence/head_to_head/measurements/items", 1]])
}

test_bench_items_must_come_from_the_eval_set if {
	c := check("FT-BENCH-MISSING") with input as with_unknown(["x9"])
	not c.passed
	contains(c.message, "not in the eval set")
	not check("FT-BENCH-MISSING").passed with input as with_unknown(1)
	check("FT-BENCH-MISSING").passed with input as with_unknown(0)
}

test_bench_needs_both_systems if {
	inp := json.remove(passing, ["evidence/head_to_head/measurements/systems/buy"])
	c := check("FT-BENCH-MISSING") with input as inp
	not c.passed
	contains(c.message, "both systems")
}

with_unknown(ids) := patched([["/evidence/head_to_head/measurements/unknown_item_ids", ids]])

# FT-BENCH-METRICS

test_metrics_complete_pass if {
	check("FT-BENCH-METRICS").passed with input as passing
}

test_metrics_missing_percentile_fails if {
	inp := json.remove(passing, ["evidence/head_to_head/measurements/systems/buy/p50"])
	c := check("FT-BENCH-METRICS") with input as inp
	not c.passed
	c.observed.buy.p50 == null
	contains(c.message, "buy.p50")
}

test_metrics_missing_cost_per_useful_task_fails if {
	inp := patched([["/evidence/head_to_head/measurements/systems/candidate/cost_per_useful_task", null]])
	c := check("FT-BENCH-METRICS") with input as inp
	not c.passed
	contains(c.message, "candidate.cost_per_useful_task")
}

test_metrics_null_cost_allowed_when_nothing_was_useful if {
	inp := patched([
		["/evidence/head_to_head/measurements/systems/candidate/cost_per_useful_task", null],
		["/evidence/head_to_head/measurements/systems/candidate/useful_tasks", 0],
	])
	check("FT-BENCH-METRICS").passed with input as inp
}

test_metrics_useful_task_score_must_match_policy if {
	inp := patched([["/evidence/head_to_head/measurements/useful_task_score", 0.4]])
	c := check("FT-BENCH-METRICS") with input as inp
	not c.passed
	contains(c.message, "from a score of 0.4")
	cfg := {"thresholds": {"useful_task_score": 0.4}}
	check("FT-BENCH-METRICS").passed with input as inp with data.fmgate.config as cfg
}

test_metrics_without_evidence_fail if {
	c := check("FT-BENCH-METRICS") with input as {"memo": memo}
	not c.passed
	c.observed.candidate.mean_score == null
}

# FT-BENCH-ORDER

test_order_not_started_passes if {
	c := check("FT-BENCH-ORDER") with input as passing
	c.passed
	contains(c.message, "no engineering has started")
}

test_order_started_on_benchmark_day_passes if {
	check("FT-BENCH-ORDER").passed with input as patched([["/memo/engineering_started", "2026-10-20"]])
}

test_order_started_after_benchmark_passes if {
	c := check("FT-BENCH-ORDER") with input as patched([["/memo/engineering_started", "2026-10-21"]])
	c.passed
	contains(c.message, "no later than the start of engineering")
}

test_order_started_a_day_before_benchmark_fails if {
	c := check("FT-BENCH-ORDER") with input as patched([["/memo/engineering_started", "2026-10-19"]])
	not c.passed
	c.observed == {"engineering_started": "2026-10-19", "benchmark_run_date": "2026-10-20"}
	contains(c.message, "the benchmark has to come first")
}

test_order_unknown_start_fails if {
	c := check("FT-BENCH-ORDER") with input as json.remove(passing, ["memo/engineering_started"])
	not c.passed
	contains(c.message, "does not say whether engineering has started")
}

test_order_malformed_start_fails if {
	c := check("FT-BENCH-ORDER") with input as patched([["/memo/engineering_started", "last spring"]])
	not c.passed
	contains(c.message, "not a YYYY-MM-DD date")
}

test_order_needs_a_run_date if {
	c := check("FT-BENCH-ORDER") with input as json.remove(passing, ["evidence/head_to_head/measurements/run_date"])
	not c.passed
	contains(c.message, "no usable run_date")
}

test_order_without_benchmark_fails if {
	not check("FT-BENCH-ORDER").passed with input as json.remove(passing, ["evidence/head_to_head"])
}

test_order_does_not_apply_to_approved_memos if {
	inp := patched([["/memo/status", "approved"], ["/memo/engineering_started", "2026-01-05"]])
	c := check("FT-BENCH-ORDER") with input as inp
	c.passed
	contains(c.message, "re-litigation")
}

# FT-BENCH-BUY-WINS

with_systems(candidate_score, candidate_cost, buy_score, buy_cost) := patched([
	["/evidence/head_to_head/measurements/systems/candidate/mean_score", candidate_score],
	["/evidence/head_to_head/measurements/systems/candidate/cost_per_useful_task", candidate_cost],
	["/evidence/head_to_head/measurements/systems/buy/mean_score", buy_score],
	["/evidence/head_to_head/measurements/systems/buy/cost_per_useful_task", buy_cost],
])

test_buy_wins_when_as_good_and_as_cheap if {
	c := check("FT-BENCH-BUY-WINS") with input as with_systems(0.8, 0.1, 0.8, 0.1)
	not c.passed
	contains(c.message, "buy wins")
	shared.buy_wins with input as with_systems(0.8, 0.1, 0.8, 0.1)
}

test_buy_wins_when_better_and_cheaper if {
	not check("FT-BENCH-BUY-WINS").passed with input as with_systems(0.7, 0.2, 0.9, 0.1)
}

test_candidate_slightly_better_passes if {
	check("FT-BENCH-BUY-WINS").passed with input as with_systems(0.8001, 0.1, 0.8, 0.1)
}

test_candidate_slightly_cheaper_passes if {
	check("FT-BENCH-BUY-WINS").passed with input as with_systems(0.8, 0.0999, 0.8, 0.1)
}

test_buy_better_but_dearer_passes if {
	c := check("FT-BENCH-BUY-WINS") with input as passing
	c.passed
	not shared.buy_wins with input as passing
}

test_candidate_with_no_useful_task_loses if {
	inp := json.patch(with_systems(0.3, null, 0.8, 0.1), [{
		"op": "add",
		"path": "/evidence/head_to_head/measurements/systems/candidate/useful_tasks", "value": 0,
	}])
	c := check("FT-BENCH-BUY-WINS") with input as inp
	not c.passed
	contains(c.message, "no useful task")
}

test_buy_with_no_useful_task_does_not_win if {
	inp := json.patch(with_systems(0.3, 0.1, 0.3, null), [{
		"op": "add",
		"path": "/evidence/head_to_head/measurements/systems/buy/useful_tasks", "value": 0,
	}])
	check("FT-BENCH-BUY-WINS").passed with input as inp
}

test_buy_wins_needs_numbers if {
	c := check("FT-BENCH-BUY-WINS") with input as with_systems("high", 0.1, 0.8, 0.1)
	not c.passed
	contains(c.message, "lacks the quality scores")
	not check("FT-BENCH-BUY-WINS").passed with input as {"memo": memo}
}

test_buy_wins_is_left_to_relitigation_once_approved if {
	inp := json.patch(with_systems(0.8, 0.1, 0.9, 0.1), [{"op": "add", "path": "/memo/status", "value": "approved"}])
	c := check("FT-BENCH-BUY-WINS") with input as inp
	c.passed
	contains(c.message, "RELIT-BUY-WINS")
}

test_bench_must_report_unknown_items if {
	inp := json.remove(passing, ["evidence/head_to_head/measurements/unknown_item_ids"])
	c := check("FT-BENCH-MISSING") with input as inp
	not c.passed
	contains(c.message, "does not report unknown_item_ids")
}

# FT-BENCH-BUY-MODEL

buy_model_check(inp) := c if {
	# regal ignore:with-outside-test-context
	some c in shared.checks with input as inp
	c.id == "FT-BENCH-BUY-MODEL"
}

test_benchmark_against_the_named_buy_alternative_passes if {
	c := buy_model_check(passing)
	c.passed
	c.required == {"provider": "openai", "model": "gpt-5", "deployment": "public-api"}
}

test_names_compare_without_case_or_spaces if {
	inp := patched([["/evidence/head_to_head/measurements/models/buy", [
		{"provider": " OpenAI", "model": "GPT-5 ", "deployment": "public-api"},
	]]])
	buy_model_check(inp).passed
}

test_a_weaker_buy_model_fails if {
	inp := patched([["/evidence/head_to_head/measurements/models/buy", [
		{"provider": "openai", "model": "gpt-5-nano", "deployment": "public-api"},
	]]])
	c := buy_model_check(inp)
	not c.passed
	contains(c.message, "gpt-5-nano")
	contains(c.message, "not from the memo's buy alternative openai gpt-5")
}

test_another_deployment_fails if {
	inp := patched([["/evidence/head_to_head/measurements/models/buy", [
		{"provider": "openai", "model": "gpt-5", "deployment": "vpc"},
	]]])
	not buy_model_check(inp).passed
}

test_a_deployment_left_out_of_the_benchmark_is_not_held_against_it if {
	inp := patched([["/evidence/head_to_head/measurements/models/buy", [
		{"provider": "openai", "model": "gpt-5", "deployment": null},
	]]])
	buy_model_check(inp).passed
}

test_unnamed_buy_rows_fail if {
	inp := patched([["/evidence/head_to_head/measurements/models/buy", []]])
	c := buy_model_check(inp)
	not c.passed
	contains(c.message, "does not say which model produced the buy rows")
	without := json.remove(passing, ["evidence/head_to_head/measurements/models"])
	not buy_model_check(without).passed
}

test_two_buy_models_fail if {
	inp := patched([["/evidence/head_to_head/measurements/models/buy", [
		{"provider": "openai", "model": "gpt-5", "deployment": "public-api"},
		{"provider": "openai", "model": "gpt-5-mini", "deployment": "public-api"},
	]]])
	c := buy_model_check(inp)
	not c.passed
	contains(c.message, "2 different models")
}
