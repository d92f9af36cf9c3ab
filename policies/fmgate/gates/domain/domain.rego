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

thresholds := config.thresholds

prompting := object.get(evidence.measurements, "prompting_log", {})

eval_set := object.get(evidence.measurements, "eval_set", {})

examples := object.get(evidence.measurements, "domain_data", {})

default exempt := false

exempt if facts.exempt_shape

checks := [prompt_hours, prompt_senior, prompt_variants, prompt_plateau, evalset, training_examples, stability]

# measured holds when every check passes on the evidence, without help from an exemption
default measured := false

measured if {
	count(checks) > 0
	every c in checks {
		c.passed == true
	}
}

default fired := false

fired if exempt

fired if measured

# prompting_exhausted holds when the four prompting checks pass (used by FT-ANTI-HAVE-DATA)
default prompting_exhausted := false

prompting_exhausted if {
	hours_ok
	senior_ok
	variants_ok
	plateau_ok
}

# --- FT-DOMAIN-PROMPT-HOURS -----------------------------------------------

hours_observed := object.get(prompting, "total_hours", null)

scored_on := object.get(prompting, "max_eval_set_size", null)

default hours_ok := false

hours_ok if {
	findings.at_least(hours_observed, thresholds.domain_prompt_hours)
	findings.above(scored_on, 0)
}

hours_message := evidence.problems.prompting_log if {
	not "prompting_log" in evidence.usable
} else := "the prompting_log evidence does not report total_hours and max_eval_set_size as numbers" if {
	not findings.all_numbers([hours_observed, scored_on])
} else := "the prompting log has no iteration scored on an eval set, so none of its hours had eval feedback" if {
	not findings.above(scored_on, 0)
} else := msg if {
	not hours_ok
	msg := sprintf(
		"the prompting log records %s hours of prompt engineering with eval feedback; at least %s are expected",
		[findings.show(hours_observed), findings.show(thresholds.domain_prompt_hours)],
	)
} else := sprintf(
	"the prompting log records %s hours of prompt engineering with eval feedback (at least %s)",
	[findings.show(hours_observed), findings.show(thresholds.domain_prompt_hours)],
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
prompt_hours := findings.check(
	rego.metadata.rule(),
	hours_ok,
	hours_observed,
	thresholds.domain_prompt_hours,
	hours_message,
)

# --- FT-DOMAIN-PROMPT-SENIOR ----------------------------------------------

default levels_observed := null

levels_observed := sort(prompting.seniority_levels) if is_array(prompting.seniority_levels)

default senior_ok := false

senior_ok if {
	some level in levels_observed
	level in config.senior_levels
}

senior_message := evidence.problems.prompting_log if {
	not "prompting_log" in evidence.usable
} else := msg if {
	not senior_ok
	msg := sprintf(
		"nobody on the prompting log is %s (levels seen: %s)",
		[concat(" or ", sort(config.senior_levels)), findings.listing(object.get(prompting, "seniority_levels", []))],
	)
} else := sprintf("a %s practitioner worked on the prompts", [findings.listing(senior_seen)])

senior_seen contains level if {
	some level in levels_observed
	level in config.senior_levels
}

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
prompt_senior := findings.check(
	rego.metadata.rule(),
	senior_ok,
	levels_observed,
	sort(config.senior_levels),
	senior_message,
)

# --- FT-DOMAIN-PROMPT-VARIANTS --------------------------------------------

default variants_observed := null

variants_observed := sort(prompting.variants) if is_array(prompting.variants)

variants_required := thresholds.domain_prompt_variants

default variants_missing := null

variants_missing := {v | some v in variants_required; not v in variants_observed} if {
	is_array(variants_required)
	is_array(variants_observed)
}

default variants_ok := false

variants_ok if count(variants_missing) == 0

default variants_message := "the prompting log covers every required variant family"

variants_message := evidence.problems.prompting_log if {
	not "prompting_log" in evidence.usable
} else := "the prompting log does not report its variants, or domain_prompt_variants is not a list" if {
	variants_missing == null
} else := msg if {
	not variants_ok
	msg := sprintf("the prompting log never tried these variant families: %s", [findings.listing(variants_missing)])
}

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
prompt_variants := findings.check(
	rego.metadata.rule(),
	variants_ok,
	variants_observed,
	variants_required,
	variants_message,
)

# --- FT-DOMAIN-PROMPT-PLATEAU ---------------------------------------------

default curve := []

curve := prompting.best_so_far if is_array(prompting.best_so_far)

window := thresholds.domain_plateau_window

epsilon := thresholds.domain_plateau_epsilon

# rise is how much the best-so-far score gained over the last `window` iterations
default rise := null

rise := curve[count(curve) - 1] - curve[(count(curve) - 1) - window] if count(curve) > window

default plateau_ok := false

plateau_ok if findings.at_most(rise, epsilon)

plateau_message := evidence.problems.prompting_log if {
	not "prompting_log" in evidence.usable
} else := msg if {
	not count(curve) > window
	msg := sprintf(
		"the curve has %s iterations; a plateau can only be seen with more than %s",
		[findings.show(count(curve)), findings.show(window)],
	)
} else := msg if {
	not plateau_ok
	msg := sprintf(
		"the best score still rose by %s over the last %s iterations (a plateau allows at most %s): still improving",
		[findings.show(rise), findings.show(window), findings.show(epsilon)],
	)
} else := sprintf(
	"the best score rose by %s over the last %s iterations, within %s: prompting has plateaued",
	[findings.show(rise), findings.show(window), findings.show(epsilon)],
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
prompt_plateau := findings.check(
	rego.metadata.rule(),
	plateau_ok,
	rise,
	epsilon,
	plateau_message,
)

# --- FT-DOMAIN-EVALSET ----------------------------------------------------

items_observed := object.get(eval_set, "items_valid", null)

default evalset_ok := false

evalset_ok if findings.at_least(items_observed, thresholds.domain_eval_items)

evalset_message := evidence.problems.eval_set if {
	not "eval_set" in evidence.usable
} else := "the eval_set evidence does not report items_valid as a number" if {
	not findings.all_numbers([items_observed])
} else := msg if {
	not evalset_ok
	msg := sprintf(
		"the eval set has %s valid items; at least %s are needed to trust the comparison",
		[findings.show(items_observed), findings.show(thresholds.domain_eval_items)],
	)
} else := sprintf(
	"the eval set has %s valid items (at least %s)",
	[findings.show(items_observed), findings.show(thresholds.domain_eval_items)],
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
evalset := findings.check(
	rego.metadata.rule(),
	evalset_ok,
	items_observed,
	thresholds.domain_eval_items,
	evalset_message,
)

# --- FT-DOMAIN-DATA -------------------------------------------------------

examples_observed := object.get(examples, "high_quality_unique", null)

default examples_ok := false

examples_ok if findings.at_least(examples_observed, thresholds.domain_examples)

examples_message := evidence.problems.domain_data if {
	not "domain_data" in evidence.usable
} else := "the domain_data evidence does not report high_quality_unique as a number" if {
	not findings.all_numbers([examples_observed])
} else := msg if {
	not examples_ok
	msg := sprintf(
		"there are %s unique high-quality domain examples; a fine-tune needs at least %s to beat good prompting",
		[findings.show(examples_observed), findings.show(thresholds.domain_examples)],
	)
} else := sprintf(
	"there are %s unique high-quality domain examples (at least %s)",
	[findings.show(examples_observed), findings.show(thresholds.domain_examples)],
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
training_examples := findings.check(
	rego.metadata.rule(),
	examples_ok,
	examples_observed,
	thresholds.domain_examples,
	examples_message,
)

# --- FT-DOMAIN-STABILITY --------------------------------------------------

interval_observed := object.get(facts.memo, ["domain", "expected_retraining_interval_days"], null)

default stability_ok := false

stability_ok if findings.at_least(interval_observed, thresholds.domain_min_retraining_interval_days)

stability_message := "the memo does not give domain.expected_retraining_interval_days" if {
	not is_number(interval_observed)
} else := msg if {
	not stability_ok
	msg := sprintf(
		"the domain would need retraining every %s days; a fine-tune needs it to hold for at least %s",
		[findings.show(interval_observed), findings.show(thresholds.domain_min_retraining_interval_days)],
	)
} else := sprintf(
	"the domain is expected to hold for %s days between retrainings (at least %s)",
	[findings.show(interval_observed), findings.show(thresholds.domain_min_retraining_interval_days)],
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
stability := findings.check(
	rego.metadata.rule(),
	stability_ok,
	interval_observed,
	thresholds.domain_min_retraining_interval_days,
	stability_message,
)
