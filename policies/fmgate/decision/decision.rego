# METADATA
# title: The decision document
# description: |
#   Puts the memo rules, the gates, the shared requirements and re-litigation together into one
#   decision per memo: buy is approved once the memo is complete; a fine-tune needs a fired
#   fine-tune gate and every shared requirement; a build needs every build check and the shared
#   requirements. Anything missing or unproven denies, and the document names the verb the
#   evidence supports instead.
package fmgate.decision

import data.fmgate.exceptions
import data.fmgate.gates.build
import data.fmgate.gates.cost
import data.fmgate.gates.domain
import data.fmgate.gates.shared
import data.fmgate.lib.facts
import data.fmgate.lib.findings
import data.fmgate.memo
import data.fmgate.provenance
import data.fmgate.relitigation

# METADATA
# title: Decision
# description: The decision document for input.memo (see docs/policy-input.md).
# entrypoint: true
decision := {
	"memo_id": facts.memo_id,
	"requested": facts.requested,
	"allowed": allowed,
	"outcome": outcome,
	"supported": supported,
	"violations": violations,
	"warnings": warnings,
	"gates": gates,
	"relitigation": relitigation.summary,
	"review": memo.review,
	"waived": _ordered(waived),
	"exceptions": exceptions.summary,
}

# METADATA
# title: Decisions for a batch of memos
# description: |
#   One decision document per entry of input.batch, in order; each entry is a whole input of
#   `decision` and gets exactly the document that `decision` gives it. Deciding many memos in one
#   query spares a request round trip per memo.
# entrypoint: true
decisions := [doc |
	some item in input.batch

	# `with` applies to an expression, so the document is bound here rather than in the term
	# regal ignore:with-outside-test-context,comprehension-term-assignment
	doc := decision with input as item
] if {
	is_array(input.batch)
}

# METADATA
# title: Allowed
# description: |
#   Holds when nothing denies and the requested verb's gates are met: buy needs only that; a
#   fine-tune needs a fired fine-tune gate and the shared requirements; a build needs the build
#   gate and the shared requirements. A check an exception in force waives counts as met.
# scope: document
default allowed := false

allowed if {
	facts.verb == "buy"
	count(_denials) == 0
}

allowed if {
	facts.verb == "fine-tune"
	_fine_tune_gate_fired
	_shared_holds
	count(_denials) == 0
}

allowed if {
	facts.verb == "build"
	_build_fired
	_shared_holds
	count(_denials) == 0
}

# a check counts as met when it passed, or when an exception in force waives it
_met(c) if c.passed == true

_met(c) if c.id in exceptions.waived_ids

_all_met(checks) if {
	count(exceptions.waived_ids) > 0
	every c in checks {
		_met(c)
	}
}

default _shared_holds := false

_shared_holds if shared.holds

_shared_holds if _all_met(shared.checks)

default _build_fired := false

_build_fired if build.fired

_build_fired if _all_met(build.checks)

# METADATA
# title: Outcome
# description: approved when the memo is allowed, else denied.
# scope: document
default outcome := "denied"

outcome := "approved" if allowed

_fine_tune_gate_fired if cost.fired

_fine_tune_gate_fired if domain.fired

_fine_tune_gate_fired if _all_met(cost.checks)

_fine_tune_gate_fired if _all_met(domain.checks)

# METADATA
# title: Supported verb
# description: |
#   The verb the evidence supports: the request when allowed, else the next verb down (fine-tune
#   for a build whose fine-tune gate fired and whose shared requirements hold, else buy).
# scope: document
default supported := "buy"

supported := facts.requested if {
	allowed
} else := "fine-tune" if {
	facts.verb == "build"
	_fine_tune_gate_fired
	_shared_holds
}

# --- findings -------------------------------------------------------------

_gate_checks := {"cost_at_scale": cost.checks, "domain_expertise": domain.checks, "build": build.checks}

# failed checks that count against the requested verb
_check_violations contains findings.violation(c) if {
	facts.verb in {"fine-tune", "build"}
	some c in shared.checks
	not c.passed
}

# a fine-tune whose gates did not fire: the failed checks of the gates it claimed say why
_check_violations contains findings.violation(c) if {
	facts.verb == "fine-tune"
	not _fine_tune_gate_fired
	some gate in facts.claimed
	some c in _gate_checks[gate]
	not c.passed
}

_check_violations contains findings.violation(c) if {
	facts.verb == "build"
	some c in build.checks
	not c.passed
}

# every finding before exceptions; an exception in force moves the ones it waives to `waived`
_found := union({memo.violations, _check_violations, relitigation.violations, provenance.violations})

# METADATA
# title: Waived findings
# description: |
#   The findings that an exception in force waives; the decision document lists them, ordered,
#   under waived, and they no longer deny.
waived contains v if {
	some v in _found
	v.id in exceptions.waived_ids
}

_denials := (_found - waived) | exceptions.violations

# METADATA
# title: Violations
# description: |
#   Every finding that denies, ordered by id, then message: the memo rules, the failed checks
#   that count against the requested verb, re-litigation, provenance and exceptions, less what
#   an exception in force waives.
violations := _ordered(_denials)

# METADATA
# title: Warnings
# description: The findings that only inform (memo, re-litigation and exceptions), ordered by id, then message.
warnings := _ordered(((memo.warnings | relitigation.warnings) | exceptions.warnings))

# _ordered sorts findings by id, then message
_ordered(items) := [item | some [_, _, item] in sort([[i.id, i.message, i] | some i in items])]

# --- gates ----------------------------------------------------------------

# METADATA
# title: The gates of each verb
# description: |
#   The gates each verb rests on: a fine-tune needs either fine-tune gate, a build the build gate.
#   The Python side mirrors this (fmgate.scaffold.VERB_GATES, checked by tests/test_scaffold.py).
verb_gates := {"buy": set(), "fine-tune": {"cost_at_scale", "domain_expertise"}, "build": {"build"}}

# _needed tells a reader whether the requested verb rests on the gate; evidence names the kinds behind
# its numbers (required_evidence in policy data), so reports and the register never keep their own copy
default _needed(_) := false

_needed(name) if name in verb_gates[facts.verb]

_gate_view(name, fields) := object.union(fields, {
	"needed": _needed(name),
	"evidence": object.get(data.fmgate.defaults.required_evidence.gates, name, []),
})

# METADATA
# title: Gates
# description: |
#   The gates object of the decision document: for each gate whether it fired (and is exempt),
#   the public part of its checks, whether the requested verb rests on it (needed) and the
#   evidence kinds behind its numbers.
gates := {
	"cost_at_scale": _gate_view(
		"cost_at_scale",
		{"fired": cost.fired, "exempt": cost.exempt, "checks": _public(cost.checks)},
	),
	"domain_expertise": _gate_view(
		"domain_expertise",
		{"fired": domain.fired, "exempt": domain.exempt, "checks": _public(domain.checks)},
	),
	"build": _gate_view("build", {"fired": build.fired, "checks": _public(build.checks)}),
}

# METADATA
# title: The checks an evidence kind feeds
# description: |
#   For each evidence kind, the gate and shared checks that read it (evidence_checks in policy data),
#   as the decision evaluates them: a rendered notebook shows these as its verdict, so the notebook
#   never compares a measurement with a threshold itself.
# entrypoint: true
evidence_verdict[kind] := [_public_check(c) |
	some id in ids
	some c in _all_checks
	c.id == id
] if {
	some kind, ids in data.fmgate.defaults.evidence_checks
}

_all_checks := array.flatten([cost.checks, domain.checks, build.checks, shared.checks])

_public_check(c) := object.filter(c, ["id", "gate", "passed", "observed", "required", "message"])

# the public part of each check, shown under gates in the decision document
_public(checks) := [object.filter(c, ["id", "passed", "observed", "required", "message"]) | some c in checks]
