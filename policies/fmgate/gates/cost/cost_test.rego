package fmgate.gates.cost_test

import data.fmgate.gates.cost

memo := {"id": "m1", "date": "2026-11-02", "workload_shape": "standard"}

usage := {
	"kind": "usage_log", "memo_id": "m1", "valid": true, "errors": [],
	"measurements": {
		"window_days": 28, "days_covered": 28, "median_daily_calls": 12000000,
		"unstable_quarters": 1,
	},
}

bench := {
	"kind": "head_to_head", "memo_id": "m1", "valid": true, "errors": [],
	"measurements": {"quality_ratio": {"point": 0.97, "lower": 0.95, "upper": 0.99}},
}

projection := {
	"kind": "cost_model", "memo_id": "m1", "valid": true, "errors": [],
	"measurements": {
		"horizon_quarters": 4,
		"includes": {"engineering": true, "training": true, "eval_monitoring": true},
		"fixed_cost_usd": 610000,
		"scenarios": [{"name": "today", "savings_usd": 2000000}],
	},
}

passing := {"memo": memo, "evidence": {"usage_log": usage, "head_to_head": bench, "cost_model": projection}}

# with_measure returns the passing input with one measurement of one evidence kind replaced
with_measure(kind, path, value) := json.patch(
	passing,
	[{"op": "add", "path": sprintf("/evidence/%s/measurements/%s", [kind, path]), "value": value}],
)

with_ratio(point, bound) := with_measure("head_to_head", "quality_ratio", {"point": point, "lower": bound})

volume_config(value) := {"thresholds": {"cost_volume_calls_per_day": value}}

# check finds one check of the gate; evaluate it `with input as ...`
check(id) := c if {
	some c in cost.checks
	c.id == id
}

test_gate_fires_when_every_check_passes if {
	cost.fired with input as passing
	not cost.exempt with input as passing
	count(cost.checks) == 4 with input as passing
}

test_gate_does_not_fire_without_evidence if {
	inp := {"memo": memo, "evidence": {}}
	not cost.fired with input as inp
	checks := cost.checks with input as inp
	every c in checks {
		c.passed == false
		c.observed == null
		contains(c.message, "evidence")
	}
}

test_exempt_shape_fires_by_default if {
	inp := {"memo": object.union(memo, {"workload_shape": "realtime-speech-to-text-commodity-hardware"}), "evidence": {}}
	cost.exempt with input as inp
	cost.fired with input as inp
}

# FT-COST-VOLUME

test_volume_at_threshold_passes if {
	check("FT-COST-VOLUME").passed with input as with_measure("usage_log", "median_daily_calls", 10000000)
}

test_volume_above_threshold_passes if {
	check("FT-COST-VOLUME").passed with input as with_measure("usage_log", "median_daily_calls", 10000001)
}

test_volume_below_threshold_fails if {
	c := check("FT-COST-VOLUME") with input as with_measure("usage_log", "median_daily_calls", 9999999)
	not c.passed
	c.observed == 9999999
	c.required == 10000000
	contains(c.message, "9,999,999")
	not cost.fired with input as with_measure("usage_log", "median_daily_calls", 9999999)
}

test_volume_needs_a_full_window if {
	check("FT-COST-VOLUME").passed with input as with_measure("usage_log", "days_covered", 28)
	c := check("FT-COST-VOLUME") with input as with_measure("usage_log", "days_covered", 27)
	not c.passed
	contains(c.message, "only 27 of the last 28 days")
}

test_volume_window_must_match_threshold if {
	c := check("FT-COST-VOLUME") with input as with_measure("usage_log", "window_days", 14)
	not c.passed
	contains(c.message, "14-day window")
}

test_volume_threshold_override if {
	inp := with_measure("usage_log", "median_daily_calls", 5000000)
	c := check("FT-COST-VOLUME") with input as inp with data.fmgate.config as volume_config(5000000)
	c.passed
	c.required == 5000000
	d := check("FT-COST-VOLUME") with input as inp with data.fmgate.config as volume_config(5000001)
	not d.passed
}

test_volume_non_numeric_threshold_fails_closed if {
	c := check("FT-COST-VOLUME") with input as passing with data.fmgate.config as volume_config("10M")
	not c.passed
}

test_volume_invalid_evidence_fails if {
	inp := json.patch(passing, [{"op": "replace", "path": "/evidence/usage_log/valid", "value": false}])
	c := check("FT-COST-VOLUME") with input as inp
	not c.passed
	c.observed == null
	contains(c.message, "usage_log.json is not valid")
}

# FT-COST-STABILITY

test_stability_at_limit_passes if {
	check("FT-COST-STABILITY").passed with input as with_measure("usage_log", "unstable_quarters", 1)
}

test_stability_below_limit_passes if {
	check("FT-COST-STABILITY").passed with input as with_measure("usage_log", "unstable_quarters", 0)
}

test_stability_above_limit_fails if {
	c := check("FT-COST-STABILITY") with input as with_measure("usage_log", "unstable_quarters", 2)
	not c.passed
	c.observed == 2
	contains(c.message, "at most 1 may")
}

test_stability_missing_measurement_fails if {
	inp := json.patch(passing, [{"op": "remove", "path": "/evidence/usage_log/measurements/unstable_quarters"}])
	c := check("FT-COST-STABILITY") with input as inp
	not c.passed
	c.observed == null
}

# FT-COST-QUALITY

test_quality_at_ratio_passes if {
	check("FT-COST-QUALITY").passed with input as with_ratio(0.95, 0.95)
}

test_quality_below_ratio_fails if {
	c := check("FT-COST-QUALITY") with input as with_ratio(0.9499, 0.9499)
	not c.passed
	c.observed == {"point": 0.9499, "lower": 0.9499}
	c.required == 0.95
}

test_quality_lower_bound_must_reach_ratio if {
	not check("FT-COST-QUALITY").passed with input as with_ratio(0.99, 0.9499)
	check("FT-COST-QUALITY").passed with input as with_ratio(0.99, 0.9501)
}

test_quality_missing_evidence_is_null if {
	c := check("FT-COST-QUALITY") with input as json.remove(passing, ["evidence/head_to_head"])
	not c.passed
	c.observed == null
	contains(c.message, "head_to_head")
}

# FT-COST-SAVINGS

test_savings_equal_to_fixed_cost_fails if {
	c := check("FT-COST-SAVINGS") with input as with_measure("cost_model", "scenarios", [{"savings_usd": 610000}])
	not c.passed
	c.observed == 610000
	c.required == 610000
	contains(c.message, "not more than the $610,000")
}

test_savings_one_dollar_above_fixed_cost_passes if {
	check("FT-COST-SAVINGS").passed with input as with_measure("cost_model", "scenarios", [{"savings_usd": 610001}])
}

test_savings_below_fixed_cost_fails if {
	not check("FT-COST-SAVINGS").passed with input as with_measure("cost_model", "scenarios", [{"savings_usd": 609999}])
}

test_savings_use_the_first_scenario if {
	inp := with_measure("cost_model", "scenarios", [{"savings_usd": 100}, {"savings_usd": 9000000}])
	not check("FT-COST-SAVINGS").passed with input as inp
}

test_savings_without_scenarios_fails if {
	c := check("FT-COST-SAVINGS") with input as with_measure("cost_model", "scenarios", [])
	not c.passed
	c.observed == null
}

test_savings_horizon_must_match if {
	c := check("FT-COST-SAVINGS") with input as with_measure("cost_model", "horizon_quarters", 8)
	not c.passed
	contains(c.message, "over 8 quarters")
	eight := {"thresholds": {"cost_horizon_quarters": 8}}
	inp := with_measure("cost_model", "horizon_quarters", 8)
	check("FT-COST-SAVINGS").passed with input as inp with data.fmgate.config as eight
}

test_savings_need_every_fixed_cost if {
	partial := {"engineering": true, "training": false}
	c := check("FT-COST-SAVINGS") with input as with_measure("cost_model", "includes", partial)
	not c.passed
	contains(c.message, "training and eval_monitoring")
}

test_volume_not_reported_fails if {
	inp := json.remove(passing, ["evidence/usage_log/measurements/median_daily_calls"])
	c := check("FT-COST-VOLUME") with input as inp
	not c.passed
	c.observed == null
	contains(c.message, "does not report median_daily_calls")
}

test_quality_not_reported_fails if {
	c := check("FT-COST-QUALITY") with input as json.remove(passing, ["evidence/head_to_head/measurements/quality_ratio"])
	not c.passed
	c.observed == {"point": null, "lower": null}
	contains(c.message, "does not report quality_ratio.point")
}
