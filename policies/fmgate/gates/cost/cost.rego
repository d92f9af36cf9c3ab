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
# object inline (the check shape is described in lib/findings), and its message chain tries the passing case
# first: a passing check then evaluates one branch. That order is used only where passing rules
# out every failure branch, so each message is the one the failure-first order would give.

_thresholds := config.thresholds

# the measurements of each kind, {} when the kind is not usable (a keyed lookup evaluates only that kind)
default _usage := {}

_usage := evidence.measurements.usage_log

default _bench := {}

_bench := evidence.measurements.head_to_head

default _projection := {}

_projection := evidence.measurements.cost_model

# METADATA
# title: Cost gate exempt
# description: Holds when the memo's workload shape is exempt, which fires the gate by default.
# scope: document
default exempt := false

exempt if facts.exempt_shape

# METADATA
# title: Cost gate checks
# description: The four checks of the gate, in order (FT-COST-VOLUME, -STABILITY, -QUALITY, -SAVINGS).
checks := [_volume, _stability, _quality, _savings]

# METADATA
# title: Cost gate passed on evidence
# description: Holds when every check passes on the evidence, without help from an exemption.
# scope: document
default measured := false

measured if {
	_volume.passed
	_stability.passed
	_quality.passed
	_savings.passed
}

# METADATA
# title: Cost gate fired
# description: Holds when every check passes on the evidence, or by default for an exempt workload shape.
# scope: document
default fired := false

fired if exempt

fired if measured

# --- FT-COST-VOLUME -------------------------------------------------------

default _volume_ok := false

_volume_ok if {
	_usage.window_days == _thresholds.cost_usage_window_days
	findings.at_least(_usage.days_covered, _thresholds.cost_usage_window_days)
	findings.at_least(_usage.median_daily_calls, _thresholds.cost_volume_calls_per_day)
}

_volume_message := sprintf(
	"the workload runs a median of %s calls a day, at or above the %s threshold",
	[findings.show(_usage.median_daily_calls), findings.show(_thresholds.cost_volume_calls_per_day)],
) if {
	_volume_ok
} else := evidence.problems.usage_log if {
	not "usage_log" in evidence.usable
} else := "the usage_log evidence does not report median_daily_calls, days_covered and window_days as numbers" if {
	not findings.all_numbers([
		object.get(_usage, "median_daily_calls", null),
		object.get(_usage, "days_covered", null),
		object.get(_usage, "window_days", null),
	])
} else := msg if {
	_usage.window_days != _thresholds.cost_usage_window_days
	msg := sprintf(
		"the usage evidence used a %s-day window but the policy measures volume over %s days; regenerate it",
		[findings.show(_usage.window_days), findings.show(_thresholds.cost_usage_window_days)],
	)
} else := msg if {
	not findings.at_least(_usage.days_covered, _thresholds.cost_usage_window_days)
	msg := sprintf(
		"the usage log has calls on only %s of the last %s days, too few to judge the volume",
		[findings.show(_usage.days_covered), findings.show(_thresholds.cost_usage_window_days)],
	)
} else := sprintf(
	"the workload runs a median of %s calls a day; distillation starts to pay at %s",
	[findings.show(_usage.median_daily_calls), findings.show(_thresholds.cost_volume_calls_per_day)],
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
_volume := {
	"id": meta.custom.id, "gate": meta.custom.gate, "fix": meta.custom.fix,
	"passed": _volume_ok, "observed": object.get(_usage, "median_daily_calls", null),
	"required": _thresholds.cost_volume_calls_per_day, "message": _volume_message,
} if {
	meta := rego.metadata.rule()
}

# --- FT-COST-STABILITY ----------------------------------------------------

default _stability_ok := false

_stability_ok if findings.at_most(_usage.unstable_quarters, _thresholds.cost_max_unstable_quarters)

_stability_message := sprintf(
	"%s of the four quarters before the memo date saw a meaningful task change, within the limit of %s",
	[findings.show(_usage.unstable_quarters), findings.show(_thresholds.cost_max_unstable_quarters)],
) if {
	_stability_ok
} else := evidence.problems.usage_log if {
	not "usage_log" in evidence.usable
} else := "the usage_log evidence does not report unstable_quarters as a number" if {
	not is_number(object.get(_usage, "unstable_quarters", null))
} else := sprintf(
	"%s of the four quarters before the memo date saw a meaningful task change; at most %s may",
	[findings.show(_usage.unstable_quarters), findings.show(_thresholds.cost_max_unstable_quarters)],
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
_stability := {
	"id": meta.custom.id, "gate": meta.custom.gate, "fix": meta.custom.fix,
	"passed": _stability_ok, "observed": object.get(_usage, "unstable_quarters", null),
	"required": _thresholds.cost_max_unstable_quarters, "message": _stability_message,
} if {
	meta := rego.metadata.rule()
}

# --- FT-COST-QUALITY ------------------------------------------------------

default _quality_ok := false

_quality_ok if {
	findings.at_least(_bench.quality_ratio.point, _thresholds.cost_quality_ratio)
	findings.at_least(_bench.quality_ratio.lower, _thresholds.cost_quality_ratio)
}

_quality_message := sprintf(
	"the candidate scores %s of the buy alternative (95%% interval lower bound %s), reaching %s",
	[
		findings.show(_bench.quality_ratio.point), findings.show(_bench.quality_ratio.lower),
		findings.show(_thresholds.cost_quality_ratio),
	],
) if {
	_quality_ok
} else := evidence.problems.head_to_head if {
	not "head_to_head" in evidence.usable
} else := "the head_to_head evidence does not report quality_ratio.point and quality_ratio.lower as numbers" if {
	not findings.all_numbers([
		object.get(_bench, ["quality_ratio", "point"], null),
		object.get(_bench, ["quality_ratio", "lower"], null),
	])
} else := sprintf(
	"the candidate scores %s of the buy alternative (95%% interval lower bound %s); both must reach %s",
	[
		findings.show(_bench.quality_ratio.point), findings.show(_bench.quality_ratio.lower),
		findings.show(_thresholds.cost_quality_ratio),
	],
)

# _quality_observed is null without a usable head-to-head
default _quality_observed := null

_quality_observed := {
	"point": object.get(_bench, ["quality_ratio", "point"], null),
	"lower": object.get(_bench, ["quality_ratio", "lower"], null),
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
_quality := {
	"id": meta.custom.id, "gate": meta.custom.gate, "fix": meta.custom.fix,
	"passed": _quality_ok, "observed": _quality_observed,
	"required": _thresholds.cost_quality_ratio, "message": _quality_message,
} if {
	meta := rego.metadata.rule()
}

# --- FT-COST-SAVINGS ------------------------------------------------------

# the savings of the first (base) scenario, null when there is none
default _base_savings := null

_base_savings := s if {
	is_object(_projection.scenarios[0])
	s := object.get(_projection.scenarios[0], "savings_usd", null)
}

_missing_components := [c |
	some c in ["engineering", "training", "eval_monitoring"]
	object.get(_projection, ["includes", c], false) != true
]

default _savings_ok := false

_savings_ok if {
	# a missing horizon is null here, as in the message: it matches only a threshold that is null too
	horizon := object.get(_projection, "horizon_quarters", null)
	horizon == _thresholds.cost_horizon_quarters
	count(_missing_components) == 0
	findings.above(_base_savings, _projection.fixed_cost_usd)
}

# the passing message comes first only when the horizon is a number: a null threshold matches a
# missing horizon in _savings_ok, and then the message below still reports the missing horizon
_savings_message := sprintf(
	"in the base scenario the tokens saved come to $%s over the horizon, more than the $%s fixed cost",
	[findings.show(_base_savings), findings.show(_projection.fixed_cost_usd)],
) if {
	_savings_ok
	is_number(_projection.horizon_quarters)
} else := _savings_failure

_savings_failure := evidence.problems.cost_model if {
	not "cost_model" in evidence.usable
} else := "the cost_model evidence lacks horizon_quarters, fixed_cost_usd or a base scenario savings_usd" if {
	not findings.all_numbers([
		_base_savings,
		object.get(_projection, "fixed_cost_usd", null),
		object.get(_projection, "horizon_quarters", null),
	])
} else := msg if {
	_projection.horizon_quarters != _thresholds.cost_horizon_quarters
	msg := sprintf(
		"the cost model runs over %s quarters but the policy judges savings over %s; set horizon_quarters to match",
		[findings.show(_projection.horizon_quarters), findings.show(_thresholds.cost_horizon_quarters)],
	)
} else := msg if {
	count(_missing_components) > 0
	msg := sprintf(
		"the cost model leaves out the candidate's %s cost, so the savings cannot be judged",
		[concat(" and ", _missing_components)],
	)
} else := sprintf(
	concat("", [
		"in the base scenario the tokens saved come to $%s over the horizon, ",
		"not more than the $%s it costs to build, train and monitor the candidate",
	]),
	[findings.show(_base_savings), findings.show(_projection.fixed_cost_usd)],
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
_savings := {
	"id": meta.custom.id, "gate": meta.custom.gate, "fix": meta.custom.fix,
	"passed": _savings_ok, "observed": _base_savings,
	"required": object.get(_projection, "fixed_cost_usd", null), "message": _savings_message,
} if {
	meta := rego.metadata.rule()
}
