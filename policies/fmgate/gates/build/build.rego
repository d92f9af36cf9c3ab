# METADATA
# title: Build gate - training a foundation model from scratch
# description: |
#   Building is right only for an organisation with a very large proprietary corpus, whose product
#   is the model itself, with the capital and patience for a long payback, and which has already
#   shown that fine-tuning an open base model cannot reach the bar. All four checks must pass.
package fmgate.gates.build

import data.fmgate.lib.config
import data.fmgate.lib.evidence
import data.fmgate.lib.facts
import data.fmgate.lib.findings

# Performance note: every decision evaluates every check of this gate. As in the other gates, each
# check builds its object inline (the check shape is described in lib/findings) and its message chain tries the
# passing case first; see gates/cost for why.

_thresholds := config.thresholds

# the corpus measurements, {} when the manifest is not usable (a keyed lookup evaluates only that kind)
default _corpus := {}

_corpus := evidence.measurements.corpus_manifest

default _plan := {}

_plan := facts.memo.build if is_object(facts.memo.build)

# no workload shape exempts a build
_exempt := false

# METADATA
# title: Build gate checks
# description: The four checks of the gate, in order (BUILD-DATA, -STRATEGIC, -CAPITAL, -FT-REJECTED).
checks := [_tokens, _strategic, _capital, _rejected_fine_tune]

# METADATA
# title: Build gate fired
# description: Holds when all four checks pass; no workload shape exempts a build.
# scope: document
default fired := false

fired if {
	_tokens_ok
	_strategic_ok
	_capital_ok
	_rejected_ok
}

# --- BUILD-DATA -----------------------------------------------------------

_tokens_observed := object.get(_corpus, "tokens_qualifying", null)

default _tokens_ok := false

_tokens_ok if findings.at_least(_tokens_observed, _thresholds.build_tokens)

_tokens_message := sprintf(
	"the corpus holds %s proprietary, domain-relevant, high-quality tokens (at least %s)",
	[findings.show(_tokens_observed), findings.show(_thresholds.build_tokens)],
) if {
	_tokens_ok
} else := evidence.problems.corpus_manifest if {
	not "corpus_manifest" in evidence.usable
} else := "the corpus_manifest evidence does not report tokens_qualifying as a number" if {
	not is_number(_tokens_observed)
} else := sprintf(
	"the corpus holds %s proprietary, domain-relevant, high-quality tokens; a build needs at least %s",
	[findings.show(_tokens_observed), findings.show(_thresholds.build_tokens)],
)

# METADATA
# title: Proprietary corpus large enough to build
# description: |
#   The validated corpus manifest must count at least the threshold of tokens that are proprietary,
#   relevant to the domain and of high quality, i.e. data the frontier providers cannot train on.
#   With less, a model built from scratch will not beat a fine-tune of an open base model.
# custom:
#   id: BUILD-DATA
#   gate: build
#   severity: deny
#   fix: Do not build; fine-tune an open base model or buy until the qualifying corpus reaches the threshold.
_tokens := {
	"id": meta.custom.id, "gate": meta.custom.gate, "fix": meta.custom.fix,
	"passed": _tokens_ok, "observed": _tokens_observed,
	"required": _thresholds.build_tokens, "message": _tokens_message,
} if {
	meta := rego.metadata.rule()
}

# --- BUILD-STRATEGIC ------------------------------------------------------

_strategic_observed := object.get(_plan, "model_is_product", null)

default _strategic_ok := false

_strategic_ok if _strategic_observed == true

default _strategic_message := "the organisation sells or licenses the model itself"

_strategic_message := "the memo does not say whether the model is the product (build.model_is_product)" if {
	not is_boolean(_strategic_observed)
} else := "the model would be an input to the product, not the product itself" if {
	_strategic_observed == false
}

# METADATA
# title: The model is the strategic asset
# description: |
#   Only an organisation that sells or licenses the model itself may build one. When the product
#   is a workflow that uses AI, the model is an input and should be bought or fine-tuned.
# custom:
#   id: BUILD-STRATEGIC
#   gate: build
#   severity: deny
#   fix: Record build.model_is_product; unless the organisation sells or licenses the model itself, do not build.
_strategic := {
	"id": meta.custom.id, "gate": meta.custom.gate, "fix": meta.custom.fix,
	"passed": _strategic_ok, "observed": _strategic_observed,
	"required": true, "message": _strategic_message,
} if {
	meta := rego.metadata.rule()
}

# --- BUILD-CAPITAL --------------------------------------------------------

_capital_observed := object.get(_plan, "committed_capital_usd", null)

_payback_observed := object.get(_plan, "payback_months_accepted", null)

default _capital_ok := false

_capital_ok if {
	findings.at_least(_capital_observed, _thresholds.build_capital_usd)
	findings.at_least(_payback_observed, _thresholds.build_payback_months)
}

_capital_message := sprintf(
	"the memo commits $%s and accepts a %s-month payback",
	[findings.show(_capital_observed), findings.show(_payback_observed)],
) if {
	_capital_ok
} else := "the memo does not give build.committed_capital_usd and build.payback_months_accepted" if {
	not findings.all_numbers([_capital_observed, _payback_observed])
} else := msg if {
	not findings.at_least(_capital_observed, _thresholds.build_capital_usd)
	msg := sprintf(
		"the memo commits $%s; a build needs at least $%s",
		[findings.show(_capital_observed), findings.show(_thresholds.build_capital_usd)],
	)
} else := sprintf(
	"the organisation accepts a %s-month payback; a build pays back over at least %s months",
	[findings.show(_payback_observed), findings.show(_thresholds.build_payback_months)],
)

# METADATA
# title: Capital and patience for the payback
# description: |
#   The memo must commit at least the capital threshold and accept a payback horizon of at least
#   the minimum number of months.
# custom:
#   id: BUILD-CAPITAL
#   gate: build
#   severity: deny
#   fix: Do not build without committed capital and an accepted payback horizon at or above the thresholds.
_capital := {
	"id": meta.custom.id, "gate": meta.custom.gate, "fix": meta.custom.fix,
	"passed": _capital_ok,
	"observed": {"committed_capital_usd": _capital_observed, "payback_months_accepted": _payback_observed},
	"required": {
		"committed_capital_usd": _thresholds.build_capital_usd,
		"payback_months_accepted": _thresholds.build_payback_months,
	},
	"message": _capital_message,
} if {
	meta := rego.metadata.rule()
}

# --- BUILD-FT-REJECTED ----------------------------------------------------

default _reference := null

_reference := trim_space(_plan.rejected_fine_tune) if {
	is_string(_plan.rejected_fine_tune)
	trim_space(_plan.rejected_fine_tune) != ""
}

# the memo records the reference points to, by id or by path
_referenced contains config.repository_memos[_reference]

_referenced contains config.repository_memos[config.memo_at_path(_reference)]

default _rejected_ok := false

_rejected_ok if {
	some m in _referenced
	m.status == "rejected"
	m.decision == "fine-tune"
}

_rejected_ok if {
	count(_referenced) == 0
	is_string(_reference)
	_plan.rejected_fine_tune_found == true
}

_rejected_message := "the memo names no rejected fine-tune (build.rejected_fine_tune)" if {
	_reference == null
} else := msg if {
	count(_referenced) > 0
	not _rejected_ok
	msg := sprintf("memo %s is not a rejected fine-tune proposal", [_reference])
} else := msg if {
	not _rejected_ok
	msg := sprintf("%s is neither a memo on record nor a file that could be found", [_reference])
} else := sprintf("%s records a fine-tune of an open base model that could not reach the bar", [_reference])

# METADATA
# title: A fine-tune was tried and rejected first
# description: |
#   The memo must point to a rejected fine-tune alternative: the id of a memo on record whose
#   status is rejected, or a head-to-head result file that shows a fine-tune of an open base model
#   cannot reach the bar.
# custom:
#   id: BUILD-FT-REJECTED
#   gate: build
#   severity: deny
#   fix: Benchmark a fine-tune of an open base model first and point build.rejected_fine_tune at its rejected memo.
_rejected_fine_tune := {
	"id": meta.custom.id, "gate": meta.custom.gate, "fix": meta.custom.fix,
	"passed": _rejected_ok, "observed": _reference,
	"required": "a rejected fine-tune memo id, or a file found in the repository", "message": _rejected_message,
} if {
	meta := rego.metadata.rule()
}
