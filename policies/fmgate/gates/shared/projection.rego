# The cost projection requirement (FT-COST-PROJECTION).
package fmgate.gates.shared

import data.fmgate.lib.evidence
import data.fmgate.lib.findings

# --- FT-COST-PROJECTION ---------------------------------------------------

default _scenarios := []

_scenarios := _projection.scenarios if is_array(_projection.scenarios)

default _scenario_count := null

_scenario_count := count(_scenarios) if "cost_model" in evidence.usable

# a growth scenario: any scenario after the first that grows, or starts above the base volume
# (findings.above inlined: numbers only)
_growth_scenario if {
	some i, s in _scenarios
	i > 0
	is_number(s.growth_per_quarter)
	s.growth_per_quarter > 0
}

_growth_scenario if {
	base := _scenarios[0].calls_per_day
	is_number(base)
	some i, s in _scenarios
	i > 0
	is_number(s.calls_per_day)
	s.calls_per_day > base
}

_components_missing := [c |
	some c in ["engineering", "training", "eval_monitoring"]
	object.get(_projection, ["includes", c], false) != true
]

default _projection_ok := false

_projection_ok if {
	findings.at_least(_scenario_count, _thresholds.cost_projection_scenarios)
	_growth_scenario
	count(_components_missing) == 0
}

_projection_message := sprintf(
	"the cost model projects %s scenarios, growth included, with every candidate cost",
	[findings.show(_scenario_count)],
) if {
	_projection_ok
} else := evidence.problems.cost_model if {
	not "cost_model" in evidence.usable
} else := msg if {
	not findings.at_least(_scenario_count, _thresholds.cost_projection_scenarios)
	msg := sprintf(
		"the cost model projects %s usage scenarios; at least %s are needed (today's volume and growth)",
		[findings.show(_scenario_count), findings.show(_thresholds.cost_projection_scenarios)],
	)
} else := "no scenario after the base one projects growth in usage" if {
	not _growth_scenario
} else := sprintf("the cost model leaves out the candidate's %s cost", [concat(" and ", _components_missing)])

# METADATA
# title: Projected cost of buy against the candidate
# description: |
#   The cost model must project both buy and the candidate under at least two usage scenarios,
#   today's volume and a growth scenario, and the candidate's side must include its engineering,
#   training, and evaluation and drift-monitoring costs.
# custom:
#   id: FT-COST-PROJECTION
#   gate: shared
#   severity: deny
#   fix: Project today's volume and a growth scenario, counting the candidate's engineering, training and monitoring.
_cost_projection := {
	"id": meta.custom.id, "gate": meta.custom.gate, "fix": meta.custom.fix,
	"passed": _projection_ok, "observed": _scenario_count,
	"required": _thresholds.cost_projection_scenarios, "message": _projection_message,
} if {
	meta := rego.metadata.rule()
}
