package fmgate.gates.shared_test

import data.fmgate.gates.shared

# A cost-at-scale fine-tune whose every check passes; tests patch one field at a time.

memo := {
	"id": "m1", "decision": "fine-tune", "status": "proposed", "date": "2026-11-02",
	"workload_shape": "standard", "engineering_started": null,
	"rationale_tags": ["cost"], "gates_claimed": ["cost_at_scale"],
	"buy_alternative": {"provider": "openai", "model": "gpt-5", "deployment": "public-api"},
}

envelope(kind, measurements) := {
	"kind": kind, "memo_id": "m1", "valid": true, "errors": [],
	"measurements": measurements,
}

usage := envelope("usage_log", {
	"window_days": 28, "days_covered": 28, "median_daily_calls": 12000000,
	"unstable_quarters": 0,
})

bench := envelope("head_to_head", {
	"items": 250, "unknown_item_ids": [], "run_date": "2026-10-20", "useful_task_score": 0.5,
	"models": {
		"candidate": [{"provider": "in-house", "model": "m1-candidate", "deployment": "self-hosted"}],
		"buy": [{"provider": "openai", "model": "gpt-5", "deployment": "public-api"}],
	},
	"systems": {
		"candidate": {
			"mean_score": 0.86, "p10": 0.6, "p50": 0.9, "p90": 1,
			"total_cost_usd": 2, "useful_tasks": 200, "cost_per_useful_task": 0.01,
		},
		"buy": {
			"mean_score": 0.88, "p10": 0.62, "p50": 0.9, "p90": 1,
			"total_cost_usd": 40, "useful_tasks": 200, "cost_per_useful_task": 0.2,
		},
	},
	"quality_ratio": {"point": 0.977, "lower": 0.96, "upper": 0.99, "resamples": 2000, "seed": 7},
})

projection := envelope("cost_model", {
	"horizon_quarters": 4,
	"includes": {"engineering": true, "training": true, "eval_monitoring": true},
	"fixed_cost_usd": 610000,
	"scenarios": [
		{"name": "today", "calls_per_day": 12000000, "growth_per_quarter": 0, "savings_usd": 9000000},
		{"name": "growth", "calls_per_day": 12000000, "growth_per_quarter": 0.15, "savings_usd": 11000000},
	],
})

eval_set := envelope("eval_set", {"items_total": 260, "items_valid": 250})

prompting := envelope("prompting_log", {
	"iterations": 10, "total_hours": 24, "max_eval_set_size": 250,
	"seniority_levels": ["senior"],
	"variants": ["system_prompt", "few_shot", "chain_of_thought", "retrieval_augmented"],
	"best_so_far": [0.5, 0.6, 0.7, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8],
})

passing := {
	"memo": memo,
	"now": "2026-11-24",
	"evidence": {"usage_log": usage, "head_to_head": bench, "cost_model": projection, "eval_set": eval_set},
}

# patched applies JSON patch "add" operations given as [path, value] pairs to the passing input
patched(ops) := json.patch(passing, [{"op": "add", "path": p, "value": v} | some [p, v] in ops])

# check finds one shared check; evaluate it `with input as ...`
check(id) := c if {
	some c in shared.checks
	c.id == id
}

check_ids contains c.id if some c in shared.checks

test_every_requirement_holds if {
	shared.holds with input as passing
	shared._any_gate_fired with input as passing
}

test_fine_tune_includes_no_gate if {
	ids := check_ids with input as passing
	ids == {
		"FT-BENCH-MISSING", "FT-BENCH-METRICS", "FT-BENCH-ORDER", "FT-BENCH-BUY-WINS", "FT-BENCH-BUY-MODEL",
		"FT-COST-PROJECTION", "FT-NO-GATE", "FT-ANTI-OWN-MODEL", "FT-ANTI-HAVE-DATA",
	}
}

test_build_excludes_no_gate if {
	ids := check_ids with input as patched([["/memo/decision", "build"]])
	not "FT-NO-GATE" in ids
	count(ids) == 8
}

test_nothing_holds_without_evidence if {
	inp := {"memo": memo}
	not shared.holds with input as inp
	not shared._any_gate_fired with input as inp
}

# FT-NO-GATE

test_measurements_are_empty_without_evidence if {
	shared._bench == {} with input as {"memo": memo, "evidence": {}}
	shared._projection == {} with input as {"memo": memo, "evidence": {}}
}

test_no_gate_passes_when_cost_gate_fires if {
	c := check("FT-NO-GATE") with input as passing
	c.passed
	c.observed == {"cost_at_scale": true, "domain_expertise": false}
	contains(c.message, "cost_at_scale")
}

test_no_gate_fails_when_neither_gate_fires if {
	inp := patched([["/evidence/usage_log/measurements/median_daily_calls", 9999999]])
	c := check("FT-NO-GATE") with input as inp
	not c.passed
	contains(c.message, "neither")
	contains(c.message, "claimed: cost_at_scale")
}

test_no_gate_passes_for_domain_gate if {
	inp := patched([
		["/evidence/usage_log/measurements/median_daily_calls", 9999999],
		["/evidence/prompting_log", prompting],
		["/evidence/domain_data", envelope("domain_data", {"rows_total": 12000, "high_quality_unique": 11000})],
		["/memo/domain", {"expected_retraining_interval_days": 365}],
	])
	check("FT-NO-GATE").passed with input as inp
}

test_no_gate_passes_for_exempt_shape if {
	inp := patched([["/memo/workload_shape", "embedding-generation-extreme-scale"], ["/evidence", {}]])
	c := check("FT-NO-GATE") with input as inp
	c.passed
	contains(c.message, "exempt")
}

test_build_gate_counts_for_build_memos_only if {
	repo := {"memos": {"old-ft": {"id": "old-ft", "status": "rejected", "decision": "fine-tune"}}}
	plan := {
		"committed_capital_usd": 60000000, "payback_months_accepted": 30,
		"model_is_product": true, "rejected_fine_tune": "old-ft",
	}
	corpus := envelope("corpus_manifest", {"tokens_qualifying": 200000000000})
	ops := [
		["/evidence/usage_log/measurements/median_daily_calls", 1],
		["/memo/build", plan],
		["/evidence/corpus_manifest", corpus],
	]
	shared._any_gate_fired with input as patched(array.concat(ops, [["/memo/decision", "build"]]))
		with data.fmgate.repository as repo
	not shared._any_gate_fired with input as patched(ops) with data.fmgate.repository as repo
}

test_domain_gate_counts_as_a_fired_gate if {
	inp := patched([
		["/evidence/usage_log/measurements/median_daily_calls", 1],
		["/evidence/prompting_log", prompting],
		["/evidence/domain_data", envelope("domain_data", {"high_quality_unique": 11000})],
		["/memo/domain", {"expected_retraining_interval_days": 365}],
	])
	shared._any_gate_fired with input as inp
}
