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

# Performance note: every decision evaluates every check of this gate, and in OPA each rule or
# function evaluation costs far more than a builtin call. So a check reads its measurements with
# object.get where it needs them instead of through one small rule per measurement, builds its
# object inline (see findings._check for the shape), and its message chain tries the passing case
# first: a passing check then evaluates one branch. That order is used only where passing rules
# out every failure branch, so each message is the one the failure-first order would give.

thresholds := config.thresholds

# the measurements of each kind, {} when the kind is not usable (a keyed lookup evaluates only that kind)
default usage := {}

usage := evidence.measurements.usage_log

default bench := {}

bench := evidence.measurements.head_to_head

default projection := {}

projection := evidence.measurements.cost_model

default exempt := false

exempt if facts.exempt_shape

checks := [volume, stability, quality, savings]

# measured holds when every check passes on the evidence, without help from an exemption
default measured := false

measured if {
	volume.passed
	stability.passed
	quality.passed
	savings.passed
}

default fired := false

fired if exempt

fired if measured

# --- FT-COST-VOLUME -------------------------------------------------------

default volume_ok := false

volume_ok if {
	usage.window_days == thresholds.cost_usage_window_days
	findings.at_least(usage.days_covered, thresholds.cost_usage_window_days)
	findings.at_least(usage.median_daily_calls, thresholds.cost_volume_calls_per_day)
}

volume_message := sprintf(
	"the workload runs a median of %s calls a day, at or above the %s threshold",
	[findings.show(usage.median_daily_calls), findings.show(thresholds.cost_volume_calls_per_day)],
) if {
	volume_ok
} else := evidence.problems.usage_log if {
	not "usage_log" in evidence.usable
} else := "the usage_log evidence does not report median_daily_calls, days_covered and window_days as numbers" if {
	not findings.all_numbers([
		object.get(usage, "median_daily_calls", null),
		object.get(usage, "days_covered", null),
		object.get(usage, "window_days", null),
	])
} else := msg if {
	usage.window_days != thresholds.cost_usage_window_days
	msg := sprintf(
		"the usage evidence used a %s-day window but the policy measures volume over %s days; regenerate it",
		[findings.show(usage.window_days), findings.show(thresholds.cost_usage_window_days)],
	)
} else := msg if {
	not findings.at_least(usage.days_covered, thresholds.cost_usage_window_days)
	msg := sprintf(
		"the usage log has calls on only %s of the last %s days, too few to judge the volume",
		[findings.show(usage.days_covered), findings.show(thresholds.cost_usage_window_days)],
	)
} else := sprintf(
	"the workload runs a median of %s calls a day; distillation starts to pay at %s",
	[findings.show(usage.median_daily_calls), findings.show(thresholds.cost_volume_calls_per_day)],
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
volume := {
	"id": meta.custom.id, "gate": meta.custom.gate, "fix": meta.custom.fix,
	"passed": volume_ok, "observed": object.get(usage, "median_daily_calls", null),
	"required": thresholds.cost_volume_calls_per_day, "message": volume_message,
} if {
	meta := rego.metadata.rule()
}

# --- FT-COST-STABILITY ----------------------------------------------------

default stability_ok := false

stability_ok if findings.at_most(usage.unstable_quarters, thresholds.cost_max_unstable_quarters)

stability_message := sprintf(
	"%s of the four quarters before the memo date saw a meaningful task change, within the limit of %s",
	[findings.show(usage.unstable_quarters), findings.show(thresholds.cost_max_unstable_quarters)],
) if {
	stability_ok
} else := evidence.problems.usage_log if {
	not "usage_log" in evidence.usable
} else := "the usage_log evidence does not report unstable_quarters as a number" if {
	not is_number(object.get(usage, "unstable_quarters", null))
} else := sprintf(
	"%s of the four quarters before the memo date saw a meaningful task change; at most %s may",
	[findings.show(usage.unstable_quarters), findings.show(thresholds.cost_max_unstable_quarters)],
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
stability := {
	"id": meta.custom.id, "gate": meta.custom.gate, "fix": meta.custom.fix,
	"passed": stability_ok, "observed": object.get(usage, "unstable_quarters", null),
	"required": thresholds.cost_max_unstable_quarters, "message": stability_message,
} if {
	meta := rego.metadata.rule()
}

# --- FT-COST-QUALITY ------------------------------------------------------

default quality_ok := false

quality_ok if {
	findings.at_least(bench.quality_ratio.point, thresholds.cost_quality_ratio)
	findings.at_least(bench.quality_ratio.lower, thresholds.cost_quality_ratio)
}

quality_message := sprintf(
	"the candidate scores %s of the buy alternative (95%% interval lower bound %s), reaching %s",
	[
		findings.show(bench.quality_ratio.point), findings.show(bench.quality_ratio.lower),
		findings.show(thresholds.cost_quality_ratio),
	],
) if {
	quality_ok
} else := evidence.problems.head_to_head if {
	not "head_to_head" in evidence.usable
} else := "the head_to_head evidence does not report quality_ratio.point and quality_ratio.lower as numbers" if {
	not findings.all_numbers([
		object.get(bench, ["quality_ratio", "point"], null),
		object.get(bench, ["quality_ratio", "lower"], null),
	])
} else := sprintf(
	"the candidate scores %s of the buy alternative (95%% interval lower bound %s); both must reach %s",
	[
		findings.show(bench.quality_ratio.point), findings.show(bench.quality_ratio.lower),
		findings.show(thresholds.cost_quality_ratio),
	],
)

# quality_observed is null without a usable head-to-head
default quality_observed := null

quality_observed := {
	"point": object.get(bench, ["quality_ratio", "point"], null),
	"lower": object.get(bench, ["quality_ratio", "lower"], null),
} if {
	"head_to_head" in evidence.usable
}

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
quality := {
	"id": meta.custom.id, "gate": meta.custom.gate, "fix": meta.custom.fix,
	"passed": quality_ok, "observed": quality_observed,
	"required": thresholds.cost_quality_ratio, "message": quality_message,
} if {
	meta := rego.metadata.rule()
}

# --- FT-COST-SAVINGS ------------------------------------------------------

# the savings of the first (base) scenario, null when there is none
default base_savings := null

base_savings := s if {
	is_object(projection.scenarios[0])
	s := object.get(projection.scenarios[0], "savings_usd", null)
}

missing_components := [c |
	some c in ["engineering", "training", "eval_monitoring"]
	object.get(projection, ["includes", c], false) != true
]

default savings_ok := false

savings_ok if {
	# a missing horizon is null here, as in the message: it matches only a threshold that is null too
	horizon := object.get(projection, "horizon_quarters", null)
	horizon == thresholds.cost_horizon_quarters
	count(missing_components) == 0
	findings.above(base_savings, projection.fixed_cost_usd)
}

# the passing message comes first only when the horizon is a number: a null threshold matches a
# missing horizon in savings_ok, and then the message below still reports the missing horizon
savings_message := sprintf(
	"in the base scenario the tokens saved come to $%s over the horizon, more than the $%s fixed cost",
	[findings.show(base_savings), findings.show(projection.fixed_cost_usd)],
) if {
	savings_ok
	is_number(projection.horizon_quarters)
} else := savings_failure

savings_failure := evidence.problems.cost_model if {
	not "cost_model" in evidence.usable
} else := "the cost_model evidence lacks horizon_quarters, fixed_cost_usd or a base scenario savings_usd" if {
	not findings.all_numbers([
		base_savings,
		object.get(projection, "fixed_cost_usd", null),
		object.get(projection, "horizon_quarters", null),
	])
} else := msg if {
	projection.horizon_quarters != thresholds.cost_horizon_quarters
	msg := sprintf(
		"the cost model runs over %s quarters but the policy judges savings over %s; set horizon_quarters to match",
		[findings.show(projection.horizon_quarters), findings.show(thresholds.cost_horizon_quarters)],
	)
} else := msg if {
	count(missing_components) > 0
	msg := sprintf(
		"the cost model leaves out the candidate's %s cost, so the savings cannot be judged",
		[concat(" and ", missing_components)],
	)
} else := sprintf(
	concat("", [
		"in the base scenario the tokens saved come to $%s over the horizon, ",
		"not more than the $%s it costs to build, train and monitor the candidate",
	]),
	[findings.show(base_savings), findings.show(projection.fixed_cost_usd)],
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
savings := {
	"id": meta.custom.id, "gate": meta.custom.gate, "fix": meta.custom.fix,
	"passed": savings_ok, "observed": base_savings,
	"required": object.get(projection, "fixed_cost_usd", null), "message": savings_message,
} if {
	meta := rego.metadata.rule()
}
