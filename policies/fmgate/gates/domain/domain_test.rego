package fmgate.gates.domain_test

import data.fmgate.gates.domain

memo := {"id": "m1", "workload_shape": "standard", "domain": {"expected_retraining_interval_days": 365}}

prompting := {
	"kind": "prompting_log", "memo_id": "m1", "valid": true, "errors": [],
	"measurements": {
		"iterations": 10, "total_hours": 24, "max_eval_set_size": 250,
		"seniority_levels": ["mid", "senior"],
		"variants": ["system_prompt", "few_shot", "chain_of_thought", "retrieval_augmented", "other"],
		"best_so_far": [0.5, 0.6, 0.7, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8],
	},
}

eval_set := {
	"kind": "eval_set", "memo_id": "m1", "valid": true, "errors": [],
	"measurements": {"items_total": 260, "items_valid": 250},
}

examples := {
	"kind": "domain_data", "memo_id": "m1", "valid": true, "errors": [],
	"measurements": {"rows_total": 15000, "high_quality_unique": 12000},
}

passing := {"memo": memo, "evidence": {"prompting_log": prompting, "eval_set": eval_set, "domain_data": examples}}

with_measure(kind, path, value) := json.patch(
	passing,
	[{"op": "add", "path": sprintf("/evidence/%s/measurements/%s", [kind, path]), "value": value}],
)

with_curve(points) := with_measure("prompting_log", "best_so_far", points)

# check finds one check of the gate; evaluate it `with input as ...`
check(id) := c if {
	some c in domain.checks
	c.id == id
}

test_gate_fires_when_every_check_passes if {
	domain.fired with input as passing
	domain.prompting_exhausted with input as passing
	count(domain.checks) == 7 with input as passing
}

test_gate_without_evidence if {
	inp := {"memo": {"id": "m1"}, "evidence": {}}
	not domain.fired with input as inp
	not domain.prompting_exhausted with input as inp
	checks := domain.checks with input as inp
	every c in checks {
		c.passed == false
		c.observed == null
	}
}

test_exempt_shape_fires_by_default if {
	inp := {"memo": {"workload_shape": "embedding-generation-extreme-scale"}}
	domain.exempt with input as inp
	domain.fired with input as inp
}

# FT-DOMAIN-PROMPT-HOURS

test_hours_at_threshold_pass if {
	check("FT-DOMAIN-PROMPT-HOURS").passed with input as with_measure("prompting_log", "total_hours", 20)
}

test_hours_above_threshold_pass if {
	check("FT-DOMAIN-PROMPT-HOURS").passed with input as with_measure("prompting_log", "total_hours", 21)
}

test_hours_below_threshold_fail if {
	c := check("FT-DOMAIN-PROMPT-HOURS") with input as with_measure("prompting_log", "total_hours", 19.5)
	not c.passed
	c.observed == 19.5
	c.required == 20
	contains(c.message, "19.5 hours")
}

test_hours_need_eval_feedback if {
	c := check("FT-DOMAIN-PROMPT-HOURS") with input as with_measure("prompting_log", "max_eval_set_size", 0)
	not c.passed
	contains(c.message, "no iteration scored")
}

test_hours_threshold_override if {
	inp := with_measure("prompting_log", "total_hours", 24)
	not check("FT-DOMAIN-PROMPT-HOURS").passed with input as inp
		with data.fmgate.config as {"thresholds": {"domain_prompt_hours": 40}}
}

# FT-DOMAIN-PROMPT-SENIOR

test_senior_practitioner_passes if {
	c := check("FT-DOMAIN-PROMPT-SENIOR") with input as with_measure("prompting_log", "seniority_levels", ["staff"])
	c.passed
	contains(c.message, "staff")
}

test_no_senior_practitioner_fails if {
	inp := with_measure("prompting_log", "seniority_levels", ["junior", "mid"])
	c := check("FT-DOMAIN-PROMPT-SENIOR") with input as inp
	not c.passed
	c.observed == ["junior", "mid"]
	contains(c.message, "junior, mid")
}

# FT-DOMAIN-PROMPT-VARIANTS

test_all_variants_pass if {
	check("FT-DOMAIN-PROMPT-VARIANTS").passed with input as passing
}

test_missing_variant_fails if {
	inp := with_measure("prompting_log", "variants", ["system_prompt", "few_shot", "chain_of_thought"])
	c := check("FT-DOMAIN-PROMPT-VARIANTS") with input as inp
	not c.passed
	contains(c.message, "retrieval_augmented")
}

test_variants_threshold_override if {
	inp := with_measure("prompting_log", "variants", ["system_prompt", "few_shot"])
	cfg := {"thresholds": {"domain_prompt_variants": ["system_prompt", "few_shot"]}}
	check("FT-DOMAIN-PROMPT-VARIANTS").passed with input as inp with data.fmgate.config as cfg
}

test_malformed_variants_fail if {
	not check("FT-DOMAIN-PROMPT-VARIANTS").passed with input as with_measure("prompting_log", "variants", "all")
}

# FT-DOMAIN-PROMPT-PLATEAU

test_plateau_needs_more_than_window_iterations if {
	c := check("FT-DOMAIN-PROMPT-PLATEAU") with input as with_curve([0.8, 0.8, 0.8, 0.8, 0.8])
	not c.passed
	c.observed == null
	contains(c.message, "more than 5")
}

test_plateau_one_more_than_window_passes if {
	check("FT-DOMAIN-PROMPT-PLATEAU").passed with input as with_curve([0.8, 0.8, 0.8, 0.8, 0.8, 0.8])
}

test_plateau_rise_equal_to_epsilon_passes if {
	check("FT-DOMAIN-PROMPT-PLATEAU").passed with input as with_curve([0.8, 0.8, 0.8, 0.8, 0.8, 0.81])
}

test_plateau_rise_below_epsilon_passes if {
	check("FT-DOMAIN-PROMPT-PLATEAU").passed with input as with_curve([0.8, 0.8, 0.8, 0.8, 0.8, 0.809])
}

test_plateau_rise_above_epsilon_fails if {
	c := check("FT-DOMAIN-PROMPT-PLATEAU") with input as with_curve([0.8, 0.8, 0.8, 0.8, 0.8, 0.811])
	not c.passed
	c.required == 0.01
	contains(c.message, "still improving")
}

test_plateau_only_looks_at_the_last_window if {
	# a big early rise does not matter once the last five iterations are flat
	check("FT-DOMAIN-PROMPT-PLATEAU").passed with input as with_curve([0.1, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9])
	not check("FT-DOMAIN-PROMPT-PLATEAU").passed with input as with_curve([0.1, 0.5, 0.9, 0.9, 0.9, 0.9])
}

test_plateau_window_override if {
	cfg := {"thresholds": {"domain_plateau_window": 2, "domain_plateau_epsilon": 0.05}}
	flat := with_curve([0.5, 0.82, 0.84, 0.85])
	check("FT-DOMAIN-PROMPT-PLATEAU").passed with input as flat with data.fmgate.config as cfg
	not check("FT-DOMAIN-PROMPT-PLATEAU").passed with input as with_curve([0.8, 0.84]) with data.fmgate.config as cfg
}

# FT-DOMAIN-EVALSET

test_evalset_at_threshold_passes if {
	check("FT-DOMAIN-EVALSET").passed with input as with_measure("eval_set", "items_valid", 200)
}

test_evalset_above_threshold_passes if {
	check("FT-DOMAIN-EVALSET").passed with input as with_measure("eval_set", "items_valid", 201)
}

test_evalset_below_threshold_fails if {
	c := check("FT-DOMAIN-EVALSET") with input as with_measure("eval_set", "items_valid", 199)
	not c.passed
	c.observed == 199
	contains(c.message, "199 valid items")
}

# FT-DOMAIN-DATA

test_examples_at_threshold_pass if {
	check("FT-DOMAIN-DATA").passed with input as with_measure("domain_data", "high_quality_unique", 10000)
}

test_examples_above_threshold_pass if {
	check("FT-DOMAIN-DATA").passed with input as with_measure("domain_data", "high_quality_unique", 10001)
}

test_examples_below_threshold_fail if {
	c := check("FT-DOMAIN-DATA") with input as with_measure("domain_data", "high_quality_unique", 9999)
	not c.passed
	contains(c.message, "9,999 unique high-quality")
}

test_examples_not_a_number_fails if {
	c := check("FT-DOMAIN-DATA") with input as with_measure("domain_data", "high_quality_unique", "many")
	not c.passed
	c.observed == "many"
	contains(c.message, "does not report high_quality_unique as a number")
}

test_examples_invalid_evidence_fails if {
	inp := json.patch(passing, [{"op": "replace", "path": "/evidence/domain_data/valid", "value": false}])
	c := check("FT-DOMAIN-DATA") with input as inp
	not c.passed
	c.observed == null
}

# FT-DOMAIN-STABILITY

with_interval(days) := json.patch(
	passing,
	[{"op": "add", "path": "/memo/domain", "value": {"expected_retraining_interval_days": days}}],
)

test_stability_at_minimum_passes if {
	check("FT-DOMAIN-STABILITY").passed with input as with_interval(92)
}

test_stability_above_minimum_passes if {
	check("FT-DOMAIN-STABILITY").passed with input as with_interval(93)
}

test_stability_below_minimum_fails if {
	c := check("FT-DOMAIN-STABILITY") with input as with_interval(91)
	not c.passed
	c.observed == 91
	contains(c.message, "every 91 days")
}

test_stability_missing_fails if {
	c := check("FT-DOMAIN-STABILITY") with input as json.remove(passing, ["memo/domain"])
	not c.passed
	c.observed == null
	contains(c.message, "does not give")
}

test_hours_not_reported_fail if {
	inp := json.remove(passing, ["evidence/prompting_log/measurements/total_hours"])
	c := check("FT-DOMAIN-PROMPT-HOURS") with input as inp
	not c.passed
	contains(c.message, "does not report total_hours")
}

test_variants_not_reported_fail if {
	inp := json.remove(passing, ["evidence/prompting_log/measurements/variants"])
	c := check("FT-DOMAIN-PROMPT-VARIANTS") with input as inp
	not c.passed
	c.observed == null
	contains(c.message, "does not report its variants")
}

test_evalset_not_reported_fails if {
	c := check("FT-DOMAIN-EVALSET") with input as json.remove(passing, ["evidence/eval_set/measurements/items_valid"])
	not c.passed
	contains(c.message, "does not report items_valid")
}
