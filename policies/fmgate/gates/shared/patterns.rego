# The two wrong-reason patterns (FT-ANTI-OWN-MODEL, FT-ANTI-HAVE-DATA).
package fmgate.gates.shared

import data.fmgate.gates.cost
import data.fmgate.gates.domain
import data.fmgate.lib.config
import data.fmgate.lib.facts
import data.fmgate.lib.findings

# --- FT-ANTI-OWN-MODEL ----------------------------------------------------

# tags behind the "we have data" pattern; the other strategic tags are the "own model" narrative
data_tag := "existing-data"

narrative contains tag if {
	some tag in facts.tags
	tag in config.strategic_tags
	tag != data_tag
}

default own_model_ok := false

own_model_ok if count(narrative) == 0

own_model_ok if any_gate_fired

own_model_message := "the rationale does not rest on strategic narrative" if {
	count(narrative) == 0
} else := msg if {
	own_model_ok
	msg := sprintf("the rationale mentions %s, but a gate fired on evidence", [findings.listing(narrative)])
} else := sprintf(
	"the rationale rests on %s while no gate fired: that is wanting a model of our own, not a workload need",
	[findings.listing(narrative)],
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
anti_own_model := {
	"id": meta.custom.id, "gate": meta.custom.gate, "fix": meta.custom.fix,
	"passed": own_model_ok, "observed": sort(narrative),
	"required": "no strategic-narrative tag unless a gate fired", "message": own_model_message,
} if {
	meta := rego.metadata.rule()
}

# --- FT-ANTI-HAVE-DATA ----------------------------------------------------

# read through the domain gate's lookups of the same measurements
rows_total := object.get(domain.examples, "rows_total", null)

eval_items := object.get(domain.eval_set, "items_valid", null)

# a large training set is claimed (tag) or shown (domain data at the example threshold)
large_data if data_tag in facts.tags

large_data if findings.at_least(rows_total, thresholds.domain_examples)

default have_data_ok := false

have_data_ok if not large_data

# a distillation justified on measured cost does not also need a prompting effort
have_data_ok if cost.measured

have_data_ok if {
	findings.at_least(eval_items, thresholds.domain_eval_items)
	domain.prompting_exhausted
}

default have_data_message := "a large training set exists, with an adequate eval set and exhausted prompting"

have_data_message := "no large training set is part of the argument" if {
	not large_data
} else := "a large training set exists, but the cost gate fired on its own evidence" if {
	cost.measured
} else := msg if {
	not findings.at_least(eval_items, thresholds.domain_eval_items)
	msg := sprintf(
		"a large training set exists but the eval set has only %s valid items (at least %s are needed)",
		[findings.show(eval_items), findings.show(thresholds.domain_eval_items)],
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
anti_have_data := {
	"id": meta.custom.id, "gate": meta.custom.gate, "fix": meta.custom.fix,
	"passed": have_data_ok,
	"observed": {"eval_items_valid": eval_items, "prompting_exhausted": domain.prompting_exhausted},
	"required": {"eval_items_valid": thresholds.domain_eval_items, "prompting_exhausted": true},
	"message": have_data_message,
} if {
	meta := rego.metadata.rule()
}
