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
# check builds its object inline (see findings._check for the shape) and its message chain tries the
# passing case first; see gates/cost for why.

thresholds := config.thresholds

# the corpus measurements, {} when the manifest is not usable (a keyed lookup evaluates only that kind)
default corpus := {}

corpus := evidence.measurements.corpus_manifest

default plan := {}

plan := facts.memo.build if is_object(facts.memo.build)

# no workload shape exempts a build
exempt := false

checks := [tokens, strategic, capital, rejected_fine_tune]

default fired := false

fired if {
	tokens_ok
	strategic_ok
	capital_ok
	rejected_ok
}

# --- BUILD-DATA -----------------------------------------------------------

tokens_observed := object.get(corpus, "tokens_qualifying", null)

default tokens_ok := false

tokens_ok if findings.at_least(tokens_observed, thresholds.build_tokens)

tokens_message := sprintf(
	"the corpus holds %s proprietary, domain-relevant, high-quality tokens (at least %s)",
	[findings.show(tokens_observed), findings.show(thresholds.build_tokens)],
) if {
	tokens_ok
} else := evidence.problems.corpus_manifest if {
	not "corpus_manifest" in evidence.usable
} else := "the corpus_manifest evidence does not report tokens_qualifying as a number" if {
	not is_number(tokens_observed)
} else := sprintf(
	"the corpus holds %s proprietary, domain-relevant, high-quality tokens; a build needs at least %s",
	[findings.show(tokens_observed), findings.show(thresholds.build_tokens)],
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
tokens := {
	"id": meta.custom.id, "gate": meta.custom.gate, "fix": meta.custom.fix,
	"passed": tokens_ok, "observed": tokens_observed,
	"required": thresholds.build_tokens, "message": tokens_message,
} if {
	meta := rego.metadata.rule()
}

# --- BUILD-STRATEGIC ------------------------------------------------------

strategic_observed := object.get(plan, "model_is_product", null)

default strategic_ok := false

strategic_ok if strategic_observed == true

default strategic_message := "the organisation sells or licenses the model itself"

strategic_message := "the memo does not say whether the model is the product (build.model_is_product)" if {
	not is_boolean(strategic_observed)
} else := "the model would be an input to the product, not the product itself" if {
	strategic_observed == false
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
strategic := {
	"id": meta.custom.id, "gate": meta.custom.gate, "fix": meta.custom.fix,
	"passed": strategic_ok, "observed": strategic_observed,
	"required": true, "message": strategic_message,
} if {
	meta := rego.metadata.rule()
}

# --- BUILD-CAPITAL --------------------------------------------------------

capital_observed := object.get(plan, "committed_capital_usd", null)

payback_observed := object.get(plan, "payback_months_accepted", null)

default capital_ok := false

capital_ok if {
	findings.at_least(capital_observed, thresholds.build_capital_usd)
	findings.at_least(payback_observed, thresholds.build_payback_months)
}

capital_message := sprintf(
	"the memo commits $%s and accepts a %s-month payback",
	[findings.show(capital_observed), findings.show(payback_observed)],
) if {
	capital_ok
} else := "the memo does not give build.committed_capital_usd and build.payback_months_accepted" if {
	not findings.all_numbers([capital_observed, payback_observed])
} else := msg if {
	not findings.at_least(capital_observed, thresholds.build_capital_usd)
	msg := sprintf(
		"the memo commits $%s; a build needs at least $%s",
		[findings.show(capital_observed), findings.show(thresholds.build_capital_usd)],
	)
} else := sprintf(
	"the organisation accepts a %s-month payback; a build pays back over at least %s months",
	[findings.show(payback_observed), findings.show(thresholds.build_payback_months)],
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
capital := {
	"id": meta.custom.id, "gate": meta.custom.gate, "fix": meta.custom.fix,
	"passed": capital_ok,
	"observed": {"committed_capital_usd": capital_observed, "payback_months_accepted": payback_observed},
	"required": {
		"committed_capital_usd": thresholds.build_capital_usd,
		"payback_months_accepted": thresholds.build_payback_months,
	},
	"message": capital_message,
} if {
	meta := rego.metadata.rule()
}

# --- BUILD-FT-REJECTED ----------------------------------------------------

default reference := null

reference := trim_space(plan.rejected_fine_tune) if {
	is_string(plan.rejected_fine_tune)
	trim_space(plan.rejected_fine_tune) != ""
}

# the memo records the reference points to, by id or by path
referenced contains config.repository_memos[reference]

referenced contains config.repository_memos[config.memo_at_path(reference)]

default rejected_ok := false

rejected_ok if {
	some m in referenced
	m.status == "rejected"
	m.decision == "fine-tune"
}

rejected_ok if {
	count(referenced) == 0
	is_string(reference)
	plan.rejected_fine_tune_found == true
}

rejected_message := "the memo names no rejected fine-tune (build.rejected_fine_tune)" if {
	reference == null
} else := msg if {
	count(referenced) > 0
	not rejected_ok
	msg := sprintf("memo %s is not a rejected fine-tune proposal", [reference])
} else := msg if {
	not rejected_ok
	msg := sprintf("%s is neither a memo on record nor a file that could be found", [reference])
} else := sprintf("%s records a fine-tune of an open base model that could not reach the bar", [reference])

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
rejected_fine_tune := {
	"id": meta.custom.id, "gate": meta.custom.gate, "fix": meta.custom.fix,
	"passed": rejected_ok, "observed": reference,
	"required": "a rejected fine-tune memo id, or a file found in the repository", "message": rejected_message,
} if {
	meta := rego.metadata.rule()
}
