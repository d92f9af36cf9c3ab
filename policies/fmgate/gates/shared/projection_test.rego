package fmgate.gates.shared_test

# Fixtures (passing, patched, check) live in shared_test.rego.

scenario(name, calls, growth) := {"name": name, "calls_per_day": calls, "growth_per_quarter": growth}

with_scenarios(list) := patched([["/evidence/cost_model/measurements/scenarios", list]])

test_projection_two_scenarios_pass if {
	c := check("FT-COST-PROJECTION") with input as passing
	c.passed
	c.observed == 2
	c.required == 2
}

test_projection_three_scenarios_pass if {
	list := [scenario("today", 100, 0), scenario("growth", 100, 0.1), scenario("boom", 100, 0.5)]
	check("FT-COST-PROJECTION").passed with input as with_scenarios(list)
}

test_projection_one_scenario_fails if {
	c := check("FT-COST-PROJECTION") with input as with_scenarios([scenario("today", 100, 0.2)])
	not c.passed
	c.observed == 1
	contains(c.message, "projects 1 usage scenarios")
}

test_projection_needs_growth if {
	c := check("FT-COST-PROJECTION") with input as with_scenarios([scenario("today", 100, 0), scenario("same", 100, 0)])
	not c.passed
	contains(c.message, "projects growth")
}

test_projection_growth_by_higher_volume if {
	list := [scenario("today", 100, 0), scenario("next year", 300, 0)]
	check("FT-COST-PROJECTION").passed with input as with_scenarios(list)
}

test_projection_needs_every_candidate_cost if {
	inp := patched([["/evidence/cost_model/measurements/includes/eval_monitoring", false]])
	c := check("FT-COST-PROJECTION") with input as inp
	not c.passed
	contains(c.message, "eval_monitoring")
}

test_projection_threshold_override if {
	cfg := {"thresholds": {"cost_projection_scenarios": 3}}
	c := check("FT-COST-PROJECTION") with input as passing with data.fmgate.config as cfg
	not c.passed
	c.required == 3
}

test_projection_missing_evidence if {
	c := check("FT-COST-PROJECTION") with input as json.remove(passing, ["evidence/cost_model"])
	not c.passed
	c.observed == null
	contains(c.message, "cost_model")
}

test_projection_without_scenario_list_fails if {
	c := check("FT-COST-PROJECTION") with input as json.remove(passing, ["evidence/cost_model/measurements/scenarios"])
	not c.passed
	c.observed == 0
}
