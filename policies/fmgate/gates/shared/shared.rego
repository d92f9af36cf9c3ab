# METADATA
# title: Shared requirements of every fine-tune and build
# description: |
#   Before a fine-tune or a build, the candidate must be compared with the named buy alternative
#   on the organisation's own eval set, before engineering starts, and must beat it on quality
#   or on cost per useful task; the cost of both must be projected under at least two usage
#   scenarios; and the proposal must not be one of the two well-known wrong reasons to fine-tune.
package fmgate.gates.shared

import data.fmgate.gates.build
import data.fmgate.gates.cost
import data.fmgate.gates.domain
import data.fmgate.lib.config
import data.fmgate.lib.evidence
import data.fmgate.lib.facts
import data.fmgate.lib.findings

# Performance note: as in the gates (see gates/cost), a check builds its object inline (see
# the check shape in lib/findings) and its message chain tries the passing case first where passing
# rules out every failure branch.

_thresholds := config.thresholds

# the measurements of each kind, {} when the kind is not usable (a keyed lookup evaluates only that kind)
default _bench := {}

_bench := evidence.measurements.head_to_head

default _projection := {}

_projection := evidence.measurements.cost_model

_common := [
	_bench_missing,
	_bench_metrics,
	_bench_order,
	_bench_buy_wins,
	_bench_buy_model,
	_cost_projection,
	_anti_own_model,
	_anti_have_data,
]

# METADATA
# title: Shared checks
# description: |
#   The checks every fine-tune and build must pass, in order (FT-BENCH-*, FT-COST-PROJECTION,
#   FT-ANTI-*); FT-NO-GATE is added for fine-tune memos only.
checks := array.concat(_common, [_no_gate]) if {
	facts.verb == "fine-tune"
} else := _common

# METADATA
# title: Shared requirements hold
# description: Holds when every shared check passed.
# scope: document
default holds := false

holds if {
	every c in checks {
		c.passed == true
	}
}

# a gate that can justify the requested verb fired (build memos may also rely on the build gate)
default _any_gate_fired := false

_any_gate_fired if cost.fired

_any_gate_fired if domain.fired

_any_gate_fired if {
	facts.verb == "build"
	build.fired
}

# --- FT-NO-GATE -----------------------------------------------------------

_gates_fired := {"cost_at_scale": cost.fired, "domain_expertise": domain.fired}

default _no_gate_ok := false

_no_gate_ok if cost.fired

_no_gate_ok if domain.fired

_no_gate_message := "the workload shape is exempt, so both fine-tune gates fire by default" if {
	facts.exempt_shape
} else := msg if {
	_no_gate_ok
	msg := sprintf("fired: %s", [findings.listing({g | some g, fired in _gates_fired; fired})])
} else := msg if {
	msg := sprintf(
		"neither the cost-at-scale nor the domain-expertise gate fired (claimed: %s); buy remains the answer",
		[findings.listing(facts.claimed)],
	)
}

# METADATA
# title: A fine-tune gate fired
# description: |
#   A fine-tune is reached only when the cost-at-scale gate or the domain-expertise gate fires
#   (or the workload has an exempt shape). Without that, buying is the answer.
# custom:
#   id: FT-NO-GATE
#   gate: shared
#   severity: deny
#   fix: Buy, or gather the evidence that makes the cost-at-scale or domain-expertise gate fire.
_no_gate := {
	"id": meta.custom.id, "gate": meta.custom.gate, "fix": meta.custom.fix,
	"passed": _no_gate_ok, "observed": _gates_fired,
	"required": "cost_at_scale or domain_expertise fired", "message": _no_gate_message,
} if {
	meta := rego.metadata.rule()
}
