# What the memo argues (MEMO-CANDIDATES, MEMO-BUY-ALTERNATIVE, MEMO-DIMENSIONS and the warnings).
package fmgate.memo

import data.fmgate.lib.evidence
import data.fmgate.lib.facts
import data.fmgate.lib.findings

# --- MEMO-CANDIDATES ------------------------------------------------------

# a verb is weighed when candidates gives it a non-empty rationale (candidates that is not an
# object weighs nothing: the lookup is undefined)
_weighed contains verb if {
	some verb in facts.verbs
	rationale := _front_matter.candidates[verb]
	is_string(rationale)
	trim_space(rationale) != ""
}

# METADATA
# title: Every verb weighed
# description: |
#   The memo must weigh all three verbs, buy, fine-tune and build, each with a written rationale,
#   so that the chosen verb is a decision among alternatives and not a default.
# custom:
#   id: MEMO-CANDIDATES
#   gate: memo
#   severity: deny
#   fix: Under candidates, give a one-line rationale for each of buy, fine-tune and build.
_candidates_violations contains v if {
	unweighed := facts.verbs - _weighed
	count(unweighed) > 0
	msg := sprintf("the memo gives no rationale for %s", [findings.listing(unweighed)])
	v := findings.finding(rego.metadata.rule(), msg, sort(_weighed), sort(facts.verbs))
}

# --- MEMO-BUY-ALTERNATIVE -------------------------------------------------

# the parts of the buy alternative the memo names (a buy_alternative that is not an object names none)
_alternative_named contains part if {
	some part in ["provider", "model"]
	name := _front_matter.buy_alternative[part]
	is_string(name)
	trim_space(name) != ""
}

# METADATA
# title: Named buy alternative
# description: |
#   The memo must name the concrete buy alternative it is weighed against: the provider and the
#   model. Open-weights and VPC or self-hosted deployments are buy alternatives too.
# custom:
#   id: MEMO-BUY-ALTERNATIVE
#   gate: memo
#   severity: deny
#   fix: Set buy_alternative to the provider and model you would buy, for example {provider, model, deployment}.
_buy_alternative_violations contains v if {
	gaps := {"provider", "model"} - _alternative_named
	count(gaps) > 0
	msg := sprintf("the buy alternative does not name its %s", [concat(" or ", sort(gaps))])
	v := findings.finding(
		rego.metadata.rule(),
		msg,
		object.get(_front_matter, "buy_alternative", null),
		{"provider": "a provider", "model": "a model"},
	)
}

# --- MEMO-DIMENSIONS ------------------------------------------------------

_dimension_values := {
	"criticality": {"core", "supportive"},
	"workflow_complexity": {"simple", "complex"},
	"control_need": {"low", "high"},
}

default _dimensions := {}

_dimensions := _front_matter.dimensions if is_object(_front_matter.dimensions)

_dimension_gaps contains name if {
	some name, allowed in _dimension_values
	not object.get(_dimensions, name, null) in allowed
}

# METADATA
# title: Workload dimensions recorded
# description: |
#   The memo must record the workload's criticality (core or supportive), workflow complexity
#   (simple or complex) and need for cost and behaviour control (low or high).
# custom:
#   id: MEMO-DIMENSIONS
#   gate: memo
#   severity: deny
#   fix: Set dimensions.criticality, dimensions.workflow_complexity and dimensions.control_need to allowed values.
_dimensions_violations contains v if {
	count(_dimension_gaps) > 0
	msg := sprintf("the memo does not record a valid %s", [findings.listing(_dimension_gaps)])
	v := findings.finding(
		rego.metadata.rule(),
		msg,
		object.get(_front_matter, "dimensions", null),
		{name: sort(allowed) | some name, allowed in _dimension_values},
	)
}

# --- WARN-DIMENSIONS-BUY --------------------------------------------------

# METADATA
# title: Dimensions point to buy
# description: |
#   A fine-tune or build for a supportive, simple workload with little need for control goes
#   against what the workload's own dimensions say: such workloads are bought.
# custom:
#   id: WARN-DIMENSIONS-BUY
#   gate: memo
#   severity: warn
#   fix: Reconsider buying; explain in the memo why this supportive, simple, low-control workload needs more.
_dimensions_buy_warnings contains v if {
	facts.verb in {"fine-tune", "build"}
	buy_profile := {"criticality": "supportive", "workflow_complexity": "simple", "control_need": "low"}
	object.filter(_dimensions, object.keys(buy_profile)) == buy_profile
	msg := sprintf("a %s is proposed for a supportive, simple, low-control workload: its dimensions say buy", [facts.verb])
	v := findings.finding(rego.metadata.rule(), msg, _dimensions, "core, complex or high-control")
}

# --- WARN-COST-PROJECTION -------------------------------------------------

default _projected_scenarios := 0

_projected_scenarios := count(evidence.measurements.cost_model.scenarios) if {
	is_array(evidence.measurements.cost_model.scenarios)
}

# METADATA
# title: Buy memo without a cost projection
# description: |
#   A buy memo should still project its cost under usage scenarios; without one, nobody will
#   notice when growth makes the cost-at-scale gate worth a look.
# custom:
#   id: WARN-COST-PROJECTION
#   gate: memo
#   severity: warn
#   fix: Add a cost_model input with at least today's volume and a growth scenario.
_cost_projection_warnings contains v if {
	facts.verb == "buy"
	_projected_scenarios == 0
	msg := "the buy memo projects no cost scenarios, so growth towards the cost-at-scale gate would go unnoticed"
	v := findings.finding(rego.metadata.rule(), msg, _projected_scenarios, 1)
}
