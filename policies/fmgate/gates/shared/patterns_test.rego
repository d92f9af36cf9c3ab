package fmgate.gates.shared_test

import data.fmgate.gates.shared

# Fixtures (passing, patched, check, envelope, prompting) live in shared_test.rego.

# a proposal with no gate: the cost gate misses on volume
no_gate := [["/evidence/usage_log/measurements/median_daily_calls", 1000]]

# FT-ANTI-OWN-MODEL

test_own_model_narrative_without_gate_fails if {
	inp := patched(array.concat(no_gate, [["/memo/rationale_tags", ["moat", "vendor-independence"]]]))
	c := check("FT-ANTI-OWN-MODEL") with input as inp
	not c.passed
	c.observed == ["moat", "vendor-independence"]
	contains(c.message, "moat, vendor-independence")
}

test_own_model_narrative_with_a_fired_gate_passes if {
	c := check("FT-ANTI-OWN-MODEL") with input as patched([["/memo/rationale_tags", ["cost", "investor-narrative"]]])
	c.passed
	contains(c.message, "a gate fired")
}

test_own_model_no_narrative_passes if {
	check("FT-ANTI-OWN-MODEL").passed with input as patched(no_gate)
}

test_own_model_ignores_the_data_tag if {
	inp := patched(array.concat(no_gate, [["/memo/rationale_tags", ["existing-data"]]]))
	check("FT-ANTI-OWN-MODEL").passed with input as inp
}

# FT-ANTI-HAVE-DATA

have_data := array.concat(no_gate, [["/memo/rationale_tags", ["existing-data"]]])

test_have_data_with_small_eval_set_fails if {
	inp := patched(array.concat(have_data, [["/evidence/eval_set/measurements/items_valid", 199]]))
	c := check("FT-ANTI-HAVE-DATA") with input as inp
	not c.passed
	c.observed == {"eval_items_valid": 199, "prompting_exhausted": false}
	contains(c.message, "only 199 valid items")
}

test_have_data_with_eval_set_at_minimum_but_no_prompting_fails if {
	inp := patched(array.concat(have_data, [["/evidence/eval_set/measurements/items_valid", 200]]))
	c := check("FT-ANTI-HAVE-DATA") with input as inp
	not c.passed
	contains(c.message, "prompting was not exhausted")
}

test_have_data_with_eval_set_and_exhausted_prompting_passes if {
	inp := patched(array.concat(have_data, [
		["/evidence/eval_set/measurements/items_valid", 200],
		["/evidence/prompting_log", prompting],
	]))
	c := check("FT-ANTI-HAVE-DATA") with input as inp
	c.passed
	contains(c.message, "exhausted prompting")
}

test_have_data_shown_by_domain_data_at_threshold if {
	inp := patched(array.concat(no_gate, [["/evidence/domain_data", envelope("domain_data", {"rows_total": 10000})]]))
	not check("FT-ANTI-HAVE-DATA").passed with input as inp
}

test_have_data_domain_data_below_threshold_is_not_large if {
	inp := patched(array.concat(no_gate, [["/evidence/domain_data", envelope("domain_data", {"rows_total": 9999})]]))
	c := check("FT-ANTI-HAVE-DATA") with input as inp
	c.passed
	contains(c.message, "no large training set")
}

test_have_data_does_not_block_a_measured_distillation if {
	inp := patched([["/memo/rationale_tags", ["cost", "existing-data"]]])
	c := check("FT-ANTI-HAVE-DATA") with input as inp
	c.passed
	contains(c.message, "cost gate fired")
}

test_have_data_still_applies_to_exempt_shapes if {
	inp := patched([
		["/memo/workload_shape", "realtime-speech-to-text-commodity-hardware"],
		["/memo/rationale_tags", ["existing-data"]],
		["/evidence/usage_log/measurements/median_daily_calls", 1],
	])
	not check("FT-ANTI-HAVE-DATA").passed with input as inp
	shared._any_gate_fired with input as inp
}
