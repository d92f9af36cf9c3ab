# METADATA
# title: Fine-tune gate 1 - cost at scale
# description: |
#   Distilling a workload into a smaller model pays only when the workload is large,
#   its task definition holds still, the small model keeps almost all of the bought
#   model's quality, and the token savings over the horizon repay the engineering.
#   The gate fires when all four checks pass, or by default for an exempt workload shape.
package fmgate.gates.cost

import data.fmgate.lib.config
import data.fmgate.lib.evidence
import data.fmgate.lib.facts
import data.fmgate.lib.findings

thresholds := config.thresholds

usage := object.get(evidence.measurements, "usage_log", {})

bench := object.get(evidence.measurements, "head_to_head", {})

projection := object.get(evidence.measurements, "cost_model", {})

default exempt := false

exempt if facts.exempt_shape

checks := [volume, stability, quality, savings]

# measured holds when every check passes on the evidence, without help from an exemption
default measured := false

measured if {
	count(checks) > 0
	every c in checks {
		c.passed == true
	}
}

default fired := false

fired if exempt

fired if measured

# --- FT-COST-VOLUME -------------------------------------------------------

volume_median := object.get(usage, "median_daily_calls", null)

volume_days := object.get(usage, "days_covered", null)

volume_window := object.get(usage, "window_days", null)

default volume_ok := false

volume_ok if {
	volume_window == thresholds.cost_usage_window_days
	findings.at_least(volume_days, thresholds.cost_usage_window_days)
	findings.at_least(volume_median, thresholds.cost_volume_calls_per_day)
}

volume_message := evidence.problems.usage_log if {
	not "usage_log" in evidence.usable
} else := "the usage_log evidence does not report median_daily_calls, days_covered and window_days as numbers" if {
	not findings.all_numbers([volume_median, volume_days, volume_window])
} else := msg if {
	volume_window != thresholds.cost_usage_window_days
	msg := sprintf(
		"the usage evidence used a %s-day window but the policy measures volume over %s days; regenerate it",
		[findings.show(volume_window), findings.show(thresholds.cost_usage_window_days)],
	)
} else := msg if {
	not findings.at_least(volume_days, thresholds.cost_usage_window_days)
	msg := sprintf(
		"the usage log has calls on only %s of the last %s days, too few to judge the volume",
		[findings.show(volume_days), findings.show(thresholds.cost_usage_window_days)],
	)
} else := msg if {
	not findings.at_least(volume_median, thresholds.cost_volume_calls_per_day)
	msg := sprintf(
		"the workload runs a median of %s calls a day; distillation starts to pay at %s",
		[findings.show(volume_median), findings.show(thresholds.cost_volume_calls_per_day)],
	)
} else := sprintf(
	"the workload runs a median of %s calls a day, at or above the %s threshold",
	[findings.show(volume_median), findings.show(thresholds.cost_volume_calls_per_day)],
)

# METADATA
# title: Volume at scale
# description: |
#   The median of daily calls over the last 28 days of the usage log (the window is a
#   threshold) must reach the volume threshold, and the log must cover the whole window.
#   Below that volume the cost of distilling and running a small model outweighs the tokens saved.
# custom:
#   id: FT-COST-VOLUME
#   gate: cost_at_scale
#   severity: deny
#   fix: Keep buying until the usage log shows the workload at the volume threshold for a full window.
volume := findings.check(
	rego.metadata.rule(),
	volume_ok,
	volume_median,
	thresholds.cost_volume_calls_per_day,
	volume_message,
)

# --- FT-COST-STABILITY ----------------------------------------------------

stability_observed := object.get(usage, "unstable_quarters", null)

default stability_ok := false

stability_ok if findings.at_most(stability_observed, thresholds.cost_max_unstable_quarters)

stability_message := evidence.problems.usage_log if {
	not "usage_log" in evidence.usable
} else := "the usage_log evidence does not report unstable_quarters as a number" if {
	not findings.all_numbers([stability_observed])
} else := msg if {
	not stability_ok
	msg := sprintf(
		"%s of the four quarters before the memo date saw a meaningful task change; at most %s may",
		[findings.show(stability_observed), findings.show(thresholds.cost_max_unstable_quarters)],
	)
} else := sprintf(
	"%s of the four quarters before the memo date saw a meaningful task change, within the limit of %s",
	[findings.show(stability_observed), findings.show(thresholds.cost_max_unstable_quarters)],
)

# METADATA
# title: Stable task definition
# description: |
#   Of the four quarters before the memo date, no more than the allowed number may contain a
#   meaningful change to the task definition. A task that keeps moving makes a distilled model
#   stale before its savings add up.
# custom:
#   id: FT-COST-STABILITY
#   gate: cost_at_scale
#   severity: deny
#   fix: Wait until the task definition has held still for the required quarters, then re-run the usage evidence.
stability := findings.check(
	rego.metadata.rule(),
	stability_ok,
	stability_observed,
	thresholds.cost_max_unstable_quarters,
	stability_message,
)

# --- FT-COST-QUALITY ------------------------------------------------------

quality_point := object.get(bench, ["quality_ratio", "point"], null)

quality_lower := object.get(bench, ["quality_ratio", "lower"], null)

default quality_observed := null

quality_observed := {"point": quality_point, "lower": quality_lower} if "head_to_head" in evidence.usable

default quality_ok := false

quality_ok if {
	findings.at_least(quality_point, thresholds.cost_quality_ratio)
	findings.at_least(quality_lower, thresholds.cost_quality_ratio)
}

quality_message := evidence.problems.head_to_head if {
	not "head_to_head" in evidence.usable
} else := "the head_to_head evidence does not report quality_ratio.point and quality_ratio.lower as numbers" if {
	not findings.all_numbers([quality_point, quality_lower])
} else := msg if {
	not quality_ok
	msg := sprintf(
		"the candidate scores %s of the buy alternative (95%% interval lower bound %s); both must reach %s",
		[findings.show(quality_point), findings.show(quality_lower), findings.show(thresholds.cost_quality_ratio)],
	)
} else := sprintf(
	"the candidate scores %s of the buy alternative (95%% interval lower bound %s), reaching %s",
	[findings.show(quality_point), findings.show(quality_lower), findings.show(thresholds.cost_quality_ratio)],
)

# METADATA
# title: Quality close to the buy alternative
# description: |
#   On the organisation's eval set the candidate's score divided by the buy alternative's score
#   must reach the quality ratio, both as a point estimate and at the lower end of a paired
#   bootstrap 95% interval. Below it, quality regressions eat the savings.
# custom:
#   id: FT-COST-QUALITY
#   gate: cost_at_scale
#   severity: deny
#   fix: Improve the candidate until the head-to-head lower bound reaches the ratio, or keep buying.
quality := findings.check(
	rego.metadata.rule(),
	quality_ok,
	quality_observed,
	thresholds.cost_quality_ratio,
	quality_message,
)

# --- FT-COST-SAVINGS ------------------------------------------------------

default base_scenario := {}

base_scenario := s if {
	s := projection.scenarios[0]
	is_object(s)
}

savings_observed := object.get(base_scenario, "savings_usd", null)

savings_fixed := object.get(projection, "fixed_cost_usd", null)

savings_horizon := object.get(projection, "horizon_quarters", null)

fixed_components := ["engineering", "training", "eval_monitoring"]

missing_components := [c | some c in fixed_components; object.get(projection, ["includes", c], false) != true]

default savings_ok := false

savings_ok if {
	savings_horizon == thresholds.cost_horizon_quarters
	count(missing_components) == 0
	findings.above(savings_observed, savings_fixed)
}

savings_message := evidence.problems.cost_model if {
	not "cost_model" in evidence.usable
} else := "the cost_model evidence lacks horizon_quarters, fixed_cost_usd or a base scenario savings_usd" if {
	not findings.all_numbers([savings_observed, savings_fixed, savings_horizon])
} else := msg if {
	savings_horizon != thresholds.cost_horizon_quarters
	msg := sprintf(
		"the cost model runs over %s quarters but the policy judges savings over %s; set horizon_quarters to match",
		[findings.show(savings_horizon), findings.show(thresholds.cost_horizon_quarters)],
	)
} else := msg if {
	count(missing_components) > 0
	msg := sprintf(
		"the cost model leaves out the candidate's %s cost, so the savings cannot be judged",
		[concat(" and ", missing_components)],
	)
} else := msg if {
	not savings_ok
	msg := sprintf(
		concat("", [
			"in the base scenario the tokens saved come to $%s over the horizon, ",
			"not more than the $%s it costs to build, train and monitor the candidate",
		]),
		[findings.show(savings_observed), findings.show(savings_fixed)],
	)
} else := sprintf(
	"in the base scenario the tokens saved come to $%s over the horizon, more than the $%s fixed cost",
	[findings.show(savings_observed), findings.show(savings_fixed)],
)

# METADATA
# title: Savings repay the fine-tune
# description: |
#   In the first (base) scenario of the cost model, the buy alternative's token cost minus the
#   candidate's inference cost over the horizon must exceed the candidate's engineering, training
#   and eval/drift-monitoring cost over the same horizon.
# custom:
#   id: FT-COST-SAVINGS
#   gate: cost_at_scale
#   severity: deny
#   fix: Keep buying; the candidate does not earn back its engineering, training and monitoring cost within the horizon.
savings := findings.check(
	rego.metadata.rule(),
	savings_ok,
	savings_observed,
	savings_fixed,
	savings_message,
)
