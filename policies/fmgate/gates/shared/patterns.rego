# The two wrong-reason patterns (FT-ANTI-OWN-MODEL, FT-ANTI-HAVE-DATA).
package fmgate.gates.shared

import data.fmgate.gates.cost
import data.fmgate.gates.domain
import data.fmgate.lib.config
import data.fmgate.lib.facts
import data.fmgate.lib.findings

# --- FT-ANTI-OWN-MODEL ----------------------------------------------------

# tags behind the "we have data" pattern; the other strategic tags are the "own model" narrative
_data_tag := "existing-data"

_narrative contains tag if {
	some tag in facts.tags
	tag in config.strategic_tags
	tag != _data_tag
}

default _own_model_ok := false

_own_model_ok if count(_narrative) == 0

_own_model_ok if _any_gate_fired

_own_model_message := "the rationale does not rest on strategic narrative" if {
	count(_narrative) == 0
} else := msg if {
	_own_model_ok
	msg := sprintf("the rationale mentions %s, but a gate fired on evidence", [findings.listing(_narrative)])
} else := sprintf(
	"the rationale rests on %s while no gate fired: that is wanting a model of our own, not a workload need",
	[findings.listing(_narrative)],
)

# METADATA
# title: Not the "we want our own model" pattern
# description: |
#   A proposal whose rationale is strategic narrative (vendor independence, an AI moat, an investor
#   story, owning a model) while no gate fired is the "we want our own model" pattern: a strategy
#   wish dressed as a workload decision.
# custom:
#   id: FT-ANTI-OWN-MODEL
#   gate: shared
#   severity: deny
#   fix: Drop the narrative and argue from the workload; if no gate fires on evidence, buy.
_anti_own_model := {
	"id": meta.custom.id, "gate": meta.custom.gate, "fix": meta.custom.fix,
	"passed": _own_model_ok, "observed": sort(_narrative),
	"required": "no strategic-narrative tag unless a gate fired", "message": _own_model_message,
} if {
	meta := rego.metadata.rule()
}

# --- FT-ANTI-HAVE-DATA ----------------------------------------------------

# read through the domain gate's lookups of the same measurements
_rows_total := object.get(domain.examples, "rows_total", null)

_eval_items := object.get(domain.eval_set, "items_valid", null)

# a large training set is claimed (tag) or shown (domain data at the example threshold)
_large_data if _data_tag in facts.tags

_large_data if findings.at_least(_rows_total, _thresholds.domain_examples)

default _have_data_ok := false

_have_data_ok if not _large_data

# a distillation justified on measured cost does not also need a prompting effort
_have_data_ok if cost.measured

_have_data_ok if {
	findings.at_least(_eval_items, _thresholds.domain_eval_items)
	domain.prompting_exhausted
}

default _have_data_message := "a large training set exists, with an adequate eval set and exhausted prompting"

_have_data_message := "no large training set is part of the argument" if {
	not _large_data
} else := "a large training set exists, but the cost gate fired on its own evidence" if {
	cost.measured
} else := msg if {
	not findings.at_least(_eval_items, _thresholds.domain_eval_items)
	msg := sprintf(
		"a large training set exists but the eval set has only %s valid items (at least %s are needed)",
		[findings.show(_eval_items), findings.show(_thresholds.domain_eval_items)],
	)
} else := "a large training set exists but prompting was not exhausted: data alone does not justify a fine-tune" if {
	not domain.prompting_exhausted
}

# METADATA
# title: Not the "we have data, let's use it" pattern
# description: |
#   Having a large dataset is necessary but never sufficient. When a large training set is the
#   argument, the eval set must reach the minimum size and prompting must have been exhausted
#   (enough hours, a senior practitioner, every variant, a plateau).
# custom:
#   id: FT-ANTI-HAVE-DATA
#   gate: shared
#   severity: deny
#   fix: Build an adequate eval set and exhaust prompting on the bought model before using the data for a fine-tune.
_anti_have_data := {
	"id": meta.custom.id, "gate": meta.custom.gate, "fix": meta.custom.fix,
	"passed": _have_data_ok,
	"observed": {"eval_items_valid": _eval_items, "prompting_exhausted": domain.prompting_exhausted},
	"required": {"eval_items_valid": _thresholds.domain_eval_items, "prompting_exhausted": true},
	"message": _have_data_message,
} if {
	meta := rego.metadata.rule()
}
