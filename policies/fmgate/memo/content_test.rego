package fmgate.memo_test

# Fixtures (org, passing, patched, with_memo, found) live in memo_test.rego.

# MEMO-CANDIDATES

test_all_verbs_weighed_pass if {
	count(found("MEMO-CANDIDATES")) == 0 with input as passing with data.fmgate.config as org
}

test_missing_verb_rationale_fails if {
	inp := with_memo("candidates", {"buy": "Works today.", "fine-tune": " "})
	vs := found("MEMO-CANDIDATES") with input as inp with data.fmgate.config as org
	some v in vs
	v.message == "the memo gives no rationale for build, fine-tune"
	v.observed == ["buy"]
}

test_candidates_not_an_object_fails if {
	count(found("MEMO-CANDIDATES")) == 1 with input as with_memo("candidates", ["buy"]) with data.fmgate.config as org
}

# MEMO-BUY-ALTERNATIVE

test_named_buy_alternative_passes if {
	count(found("MEMO-BUY-ALTERNATIVE")) == 0 with input as passing with data.fmgate.config as org
}

test_buy_alternative_without_model_fails if {
	inp := with_memo("buy_alternative", {"provider": "openai"})
	vs := found("MEMO-BUY-ALTERNATIVE") with input as inp with data.fmgate.config as org
	some v in vs
	v.message == "the buy alternative does not name its model"
}

test_missing_buy_alternative_fails if {
	vs := found("MEMO-BUY-ALTERNATIVE") with input as without_memo("buy_alternative") with data.fmgate.config as org
	some v in vs
	v.message == "the buy alternative does not name its model or provider"
	v.observed == null
}

# MEMO-DIMENSIONS

test_recorded_dimensions_pass if {
	count(found("MEMO-DIMENSIONS")) == 0 with input as passing with data.fmgate.config as org
}

test_missing_dimension_fails if {
	inp := with_memo("dimensions", {"criticality": "core", "workflow_complexity": "simple"})
	vs := found("MEMO-DIMENSIONS") with input as inp with data.fmgate.config as org
	some v in vs
	v.message == "the memo does not record a valid control_need"
}

test_invalid_dimension_value_fails if {
	inp := patched([["/memo/dimensions/criticality", "critical"]])
	count(found("MEMO-DIMENSIONS")) == 1 with input as inp with data.fmgate.config as org
}

# WARN-DIMENSIONS-BUY

buy_profile := {"criticality": "supportive", "workflow_complexity": "simple", "control_need": "low"}

test_fine_tune_with_buy_dimensions_warns if {
	inp := patched([["/memo/decision", "fine-tune"], ["/memo/dimensions", buy_profile]])
	not "WARN-DIMENSIONS-BUY" in violation_ids with input as inp with data.fmgate.config as org
	ws := found("WARN-DIMENSIONS-BUY") with input as inp with data.fmgate.config as org
	some w in ws
	contains(w.message, "a fine-tune is proposed")
}

test_build_with_buy_dimensions_warns if {
	inp := patched([["/memo/decision", "build"], ["/memo/dimensions", buy_profile]])
	"WARN-DIMENSIONS-BUY" in warning_ids with input as inp with data.fmgate.config as org
}

test_buy_with_buy_dimensions_does_not_warn if {
	inp := patched([["/memo/dimensions", buy_profile]])
	not "WARN-DIMENSIONS-BUY" in warning_ids with input as inp with data.fmgate.config as org
}

test_fine_tune_with_one_differing_dimension_does_not_warn if {
	mixed := object.union(buy_profile, {"control_need": "high"})
	inp := patched([["/memo/decision", "fine-tune"], ["/memo/dimensions", mixed]])
	not "WARN-DIMENSIONS-BUY" in warning_ids with input as inp with data.fmgate.config as org
}

# WARN-COST-PROJECTION

test_buy_without_cost_model_warns if {
	ws := found("WARN-COST-PROJECTION") with input as json.remove(passing, ["evidence/cost_model"])
		with data.fmgate.config as org
	some w in ws
	w.observed == 0
	w.gate == "memo"
}

test_buy_with_empty_scenarios_warns if {
	inp := patched([["/evidence/cost_model/measurements/scenarios", []]])
	"WARN-COST-PROJECTION" in warning_ids with input as inp with data.fmgate.config as org
}

test_buy_with_invalid_cost_model_warns if {
	inp := patched([["/evidence/cost_model/valid", false]])
	"WARN-COST-PROJECTION" in warning_ids with input as inp with data.fmgate.config as org
}

test_buy_with_one_scenario_does_not_warn if {
	inp := patched([["/evidence/cost_model/measurements/scenarios", [{"name": "today"}]]])
	not "WARN-COST-PROJECTION" in warning_ids with input as inp with data.fmgate.config as org
}

test_fine_tune_without_cost_model_does_not_get_the_buy_warning if {
	inp := json.remove(with_memo("decision", "fine-tune"), ["evidence/cost_model"])
	not "WARN-COST-PROJECTION" in warning_ids with input as inp with data.fmgate.config as org
}
