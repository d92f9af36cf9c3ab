# METADATA
# title: Fine-tune gate 2 - domain expertise that prompting cannot reach
# description: |
#   A fine-tune for domain depth is justified only after a serious, senior, measured prompting
#   effort has stopped improving, on an eval set large enough to trust, with enough high-quality
#   domain examples to train on, in a domain that does not change faster than a model can be
#   retrained. The gate fires when all seven checks pass, or by default for an exempt workload shape.
package fmgate.gates.domain

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
default _prompting := {}

_prompting := evidence.measurements.prompting_log

# METADATA
# title: Eval set measurements
# description: The measurements of the eval_set evidence, {} when it is not usable.
# scope: document
default eval_set := {}

eval_set := evidence.measurements.eval_set

# METADATA
# title: Domain data measurements
# description: The measurements of the domain_data evidence, {} when it is not usable.
# scope: document
default examples := {}

examples := evidence.measurements.domain_data

# METADATA
# title: Domain gate exempt
# description: Holds when the memo's workload shape is exempt, which fires the gate by default.
# scope: document
default exempt := false

exempt if facts.exempt_shape

# METADATA
# title: Domain gate checks
# description: |
#   The seven checks of the gate, in order (FT-DOMAIN-PROMPT-HOURS, -PROMPT-SENIOR,
#   -PROMPT-VARIANTS, -PROMPT-PLATEAU, -EVALSET, -DATA, -STABILITY).
checks := [_prompt_hours, _prompt_senior, _prompt_variants, _prompt_plateau, _evalset, _training_examples, _stability]

# _measured holds when every check passes on the evidence, without help from an exemption
default _measured := false

_measured if {
	prompting_exhausted
	_evalset_ok
	_examples_ok
	_stability_ok
}

# METADATA
# title: Domain gate fired
# description: Holds when every check passes on the evidence, or by default for an exempt workload shape.
# scope: document
default fired := false

fired if exempt

fired if _measured

# METADATA
# title: Prompting exhausted
# description: Holds when the four prompting checks pass (used by FT-ANTI-HAVE-DATA).
# scope: document
default prompting_exhausted := false

prompting_exhausted if {
	_hours_ok
	_senior_ok
	_variants_ok
	_plateau_ok
}

# --- FT-DOMAIN-PROMPT-HOURS -----------------------------------------------

default _hours_ok := false

_hours_ok if {
	findings.at_least(_prompting.total_hours, _thresholds.domain_prompt_hours)
	findings.above(_prompting.max_eval_set_size, 0)
}

_hours_message := sprintf(
	"the prompting log records %s hours of prompt engineering with eval feedback (at least %s)",
	[findings.show(_prompting.total_hours), findings.show(_thresholds.domain_prompt_hours)],
) if {
	_hours_ok
} else := evidence.problems.prompting_log if {
	not "prompting_log" in evidence.usable
} else := "the prompting_log evidence does not report total_hours and max_eval_set_size as numbers" if {
	not findings.all_numbers([
		object.get(_prompting, "total_hours", null),
		object.get(_prompting, "max_eval_set_size", null),
	])
} else := "the prompting log has no iteration scored on an eval set, so none of its hours had eval feedback" if {
	not findings.above(_prompting.max_eval_set_size, 0)
} else := sprintf(
	"the prompting log records %s hours of prompt engineering with eval feedback; at least %s are expected",
	[findings.show(_prompting.total_hours), findings.show(_thresholds.domain_prompt_hours)],
)

# METADATA
# title: Serious prompting effort
# description: |
#   The prompting log must show at least the threshold of hours of structured prompt engineering,
#   each iteration scored on an eval set. Most domain fine-tunes fail here: prompting was never
#   given a real chance.
# custom:
#   id: FT-DOMAIN-PROMPT-HOURS
#   gate: domain_expertise
#   severity: deny
#   fix: Spend the required hours on structured prompt engineering against the eval set and log every iteration.
_prompt_hours := {
	"id": meta.custom.id, "gate": meta.custom.gate, "fix": meta.custom.fix,
	"passed": _hours_ok, "observed": object.get(_prompting, "total_hours", null),
	"required": _thresholds.domain_prompt_hours, "message": _hours_message,
} if {
	meta := rego.metadata.rule()
}

# --- FT-DOMAIN-PROMPT-SENIOR ----------------------------------------------

default _levels_observed := null

_levels_observed := sort(_prompting.seniority_levels) if is_array(_prompting.seniority_levels)

_senior_seen contains level if {
	some level in _levels_observed
	level in config.senior_levels
}

default _senior_ok := false

_senior_ok if count(_senior_seen) > 0

_senior_message := sprintf("a %s practitioner worked on the prompts", [findings.listing(_senior_seen)]) if {
	_senior_ok
} else := evidence.problems.prompting_log if {
	not "prompting_log" in evidence.usable
} else := sprintf(
	"nobody on the prompting log is %s (levels seen: %s)",
	[concat(" or ", sort(config.senior_levels)), findings.listing(object.get(_prompting, "seniority_levels", []))],
)

# METADATA
# title: Senior practitioner
# description: |
#   At least one practitioner on the prompting log must be senior (senior, staff or principal).
#   A prompting ceiling found by juniors alone is not evidence that prompting is exhausted.
# custom:
#   id: FT-DOMAIN-PROMPT-SENIOR
#   gate: domain_expertise
#   severity: deny
#   fix: Have a senior practitioner run and log their own prompting iterations.
_prompt_senior := {
	"id": meta.custom.id, "gate": meta.custom.gate, "fix": meta.custom.fix,
	"passed": _senior_ok, "observed": _levels_observed,
	"required": sort(config.senior_levels), "message": _senior_message,
} if {
	meta := rego.metadata.rule()
}

# --- FT-DOMAIN-PROMPT-VARIANTS --------------------------------------------

default _variants_observed := null

_variants_observed := sort(_prompting.variants) if is_array(_prompting.variants)

default _variants_missing := null

_variants_missing := {v | some v in _thresholds.domain_prompt_variants; not v in _variants_observed} if {
	is_array(_thresholds.domain_prompt_variants)
	is_array(_variants_observed)
}

default _variants_ok := false

_variants_ok if count(_variants_missing) == 0

_variants_message := "the prompting log covers every required variant family" if {
	_variants_ok
} else := evidence.problems.prompting_log if {
	not "prompting_log" in evidence.usable
} else := "the prompting log does not report its variants, or domain_prompt_variants is not a list" if {
	_variants_missing == null
} else := sprintf("the prompting log never tried these variant families: %s", [findings.listing(_variants_missing)])

# METADATA
# title: Every prompting technique tried
# description: |
#   The prompting log must include iterations of every variant family: system prompt, few-shot
#   examples, chain of thought and retrieval augmentation (the list is a threshold).
# custom:
#   id: FT-DOMAIN-PROMPT-VARIANTS
#   gate: domain_expertise
#   severity: deny
#   fix: Try and log the missing prompting variants before proposing a fine-tune.
_prompt_variants := {
	"id": meta.custom.id, "gate": meta.custom.gate, "fix": meta.custom.fix,
	"passed": _variants_ok, "observed": _variants_observed,
	"required": _thresholds.domain_prompt_variants, "message": _variants_message,
} if {
	meta := rego.metadata.rule()
}

# --- FT-DOMAIN-PROMPT-PLATEAU ---------------------------------------------

default _curve := []

_curve := _prompting.best_so_far if is_array(_prompting.best_so_far)

# _rise is how much the best-so-far score gained over the last `window` iterations
default _rise := null

_rise := _curve[n - 1] - _curve[(n - 1) - _thresholds.domain_plateau_window] if {
	n := count(_curve)
	n > _thresholds.domain_plateau_window
}

default _plateau_ok := false

_plateau_ok if findings.at_most(_rise, _thresholds.domain_plateau_epsilon)

_plateau_message := sprintf(
	"the best score rose by %s over the last %s iterations, within %s: prompting has plateaued",
	[
		findings.show(_rise), findings.show(_thresholds.domain_plateau_window),
		findings.show(_thresholds.domain_plateau_epsilon),
	],
) if {
	_plateau_ok
} else := evidence.problems.prompting_log if {
	not "prompting_log" in evidence.usable
} else := msg if {
	not count(_curve) > _thresholds.domain_plateau_window
	msg := sprintf(
		"the curve has %s iterations; a plateau can only be seen with more than %s",
		[findings.show(count(_curve)), findings.show(_thresholds.domain_plateau_window)],
	)
} else := sprintf(
	"the best score still rose by %s over the last %s iterations (a plateau allows at most %s): still improving",
	[
		findings.show(_rise), findings.show(_thresholds.domain_plateau_window),
		findings.show(_thresholds.domain_plateau_epsilon),
	],
)

# METADATA
# title: Prompting has plateaued
# description: |
#   The best-so-far score curve must be flat: over the last `window` iterations it may rise by
#   at most epsilon, and the log needs more than `window` iterations for that to be judged.
# custom:
#   id: FT-DOMAIN-PROMPT-PLATEAU
#   gate: domain_expertise
#   severity: deny
#   fix: Keep iterating on prompts until the best score stops rising, then re-run the prompting evidence.
_prompt_plateau := {
	"id": meta.custom.id, "gate": meta.custom.gate, "fix": meta.custom.fix,
	"passed": _plateau_ok, "observed": _rise,
	"required": _thresholds.domain_plateau_epsilon, "message": _plateau_message,
} if {
	meta := rego.metadata.rule()
}

# --- FT-DOMAIN-EVALSET ----------------------------------------------------

default _evalset_ok := false

_evalset_ok if findings.at_least(eval_set.items_valid, _thresholds.domain_eval_items)

_evalset_message := sprintf(
	"the eval set has %s valid items (at least %s)",
	[findings.show(eval_set.items_valid), findings.show(_thresholds.domain_eval_items)],
) if {
	_evalset_ok
} else := evidence.problems.eval_set if {
	not "eval_set" in evidence.usable
} else := "the eval_set evidence does not report items_valid as a number" if {
	not is_number(object.get(eval_set, "items_valid", null))
} else := sprintf(
	"the eval set has %s valid items; at least %s are needed to trust the comparison",
	[findings.show(eval_set.items_valid), findings.show(_thresholds.domain_eval_items)],
)

# METADATA
# title: Eval set large enough
# description: |
#   The eval set must hold at least the threshold of valid items: a unique id, a non-empty input
#   and expected output, no duplicated input, and no overlap with the training data.
# custom:
#   id: FT-DOMAIN-EVALSET
#   gate: domain_expertise
#   severity: deny
#   fix: Grow the eval set with clean, unique items that do not appear in the training data.
_evalset := {
	"id": meta.custom.id, "gate": meta.custom.gate, "fix": meta.custom.fix,
	"passed": _evalset_ok, "observed": object.get(eval_set, "items_valid", null),
	"required": _thresholds.domain_eval_items, "message": _evalset_message,
} if {
	meta := rego.metadata.rule()
}

# --- FT-DOMAIN-DATA -------------------------------------------------------

default _examples_ok := false

_examples_ok if findings.at_least(examples.high_quality_unique, _thresholds.domain_examples)

_examples_message := sprintf(
	"there are %s unique high-quality domain examples (at least %s)",
	[findings.show(examples.high_quality_unique), findings.show(_thresholds.domain_examples)],
) if {
	_examples_ok
} else := evidence.problems.domain_data if {
	not "domain_data" in evidence.usable
} else := "the domain_data evidence does not report high_quality_unique as a number" if {
	not is_number(object.get(examples, "high_quality_unique", null))
} else := sprintf(
	"there are %s unique high-quality domain examples; a fine-tune needs at least %s to beat good prompting",
	[findings.show(examples.high_quality_unique), findings.show(_thresholds.domain_examples)],
)

# METADATA
# title: Enough high-quality domain examples
# description: |
#   After removing duplicates and empty rows, the domain data must hold at least the threshold
#   of examples marked high quality. A large but mediocre dataset does not count.
# custom:
#   id: FT-DOMAIN-DATA
#   gate: domain_expertise
#   severity: deny
#   fix: Curate more high-quality, deduplicated domain examples, or keep prompting the bought model.
_training_examples := {
	"id": meta.custom.id, "gate": meta.custom.gate, "fix": meta.custom.fix,
	"passed": _examples_ok, "observed": object.get(examples, "high_quality_unique", null),
	"required": _thresholds.domain_examples, "message": _examples_message,
} if {
	meta := rego.metadata.rule()
}

# --- FT-DOMAIN-STABILITY --------------------------------------------------

_interval_observed := object.get(facts.memo, ["domain", "expected_retraining_interval_days"], null)

default _stability_ok := false

_stability_ok if findings.at_least(_interval_observed, _thresholds.domain_min_retraining_interval_days)

_stability_message := sprintf(
	"the domain is expected to hold for %s days between retrainings (at least %s)",
	[findings.show(_interval_observed), findings.show(_thresholds.domain_min_retraining_interval_days)],
) if {
	_stability_ok
} else := "the memo does not give domain.expected_retraining_interval_days" if {
	not is_number(_interval_observed)
} else := sprintf(
	"the domain would need retraining every %s days; a fine-tune needs it to hold for at least %s",
	[findings.show(_interval_observed), findings.show(_thresholds.domain_min_retraining_interval_days)],
)

# METADATA
# title: Domain stable enough to fine-tune
# description: |
#   The memo's expected retraining interval must be at least the minimum. A domain that changes
#   every few weeks keeps a fine-tune on a retraining treadmill that costs more than buying.
# custom:
#   id: FT-DOMAIN-STABILITY
#   gate: domain_expertise
#   severity: deny
#   fix: Record a realistic retraining interval on the memo; if the domain moves faster than the minimum, keep buying.
_stability := {
	"id": meta.custom.id, "gate": meta.custom.gate, "fix": meta.custom.fix,
	"passed": _stability_ok, "observed": _interval_observed,
	"required": _thresholds.domain_min_retraining_interval_days, "message": _stability_message,
} if {
	meta := rego.metadata.rule()
}
