# The cost projection requirement (FT-COST-PROJECTION).
package fmgate.gates.shared

import data.fmgate.lib.evidence
import data.fmgate.lib.findings

# --- FT-COST-PROJECTION ---------------------------------------------------

default scenarios := []

scenarios := projection.scenarios if is_array(projection.scenarios)

default scenario_count := null

scenario_count := count(scenarios) if "cost_model" in evidence.usable

# a growth scenario: any scenario after the first that grows, or starts above the base volume
growth_scenario if {
	some i, s in scenarios
	i > 0
	findings.above(s.growth_per_quarter, 0)
}

growth_scenario if {
	some i, s in scenarios
	i > 0
	findings.above(s.calls_per_day, scenarios[0].calls_per_day)
}

fixed_components := ["engineering", "training", "eval_monitoring"]

components_missing := [c | some c in fixed_components; object.get(projection, ["includes", c], false) != true]

default projection_ok := false

projection_ok if {
	findings.at_least(scenario_count, thresholds.cost_projection_scenarios)
	growth_scenario
	count(components_missing) == 0
}

projection_message := evidence.problems.cost_model if {
	not "cost_model" in evidence.usable
} else := msg if {
	not findings.at_least(scenario_count, thresholds.cost_projection_scenarios)
	msg := sprintf(
		"the cost model projects %s usage scenarios; at least %s are needed (today's volume and growth)",
		[findings.show(scenario_count), findings.show(thresholds.cost_projection_scenarios)],
	)
} else := "no scenario after the base one projects growth in usage" if {
	not growth_scenario
} else := msg if {
	not projection_ok
	msg := sprintf("the cost model leaves out the candidate's %s cost", [concat(" and ", components_missing)])
} else := sprintf(
	"the cost model projects %s scenarios, growth included, with every candidate cost",
	[findings.show(scenario_count)],
)

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
cost_projection := findings.check(
	rego.metadata.rule(),
	projection_ok,
	scenario_count,
	thresholds.cost_projection_scenarios,
	projection_message,
)
