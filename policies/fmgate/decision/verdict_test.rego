package fmgate.decision_test

import data.fmgate.decision

# Fixtures (org, cost_fine_tune, patch) live in decision_test.rego.

# --- what each gate rests on, and the checks each evidence kind feeds -----

test_gates_say_whether_the_verb_needs_them if {
	doc := decision.decision with input as cost_fine_tune with data.fmgate.config as org
	doc.gates.cost_at_scale.needed
	doc.gates.domain_expertise.needed
	not doc.gates.build.needed
	doc.gates.domain_expertise.evidence == ["prompting_log", "eval_set", "domain_data"]
}

test_evidence_verdict_lists_the_checks_each_kind_feeds if {
	verdict := decision.evidence_verdict with input as cost_fine_tune with data.fmgate.config as org
	[c.id | some c in verdict.usage_log] == ["FT-COST-VOLUME", "FT-COST-STABILITY"]
	every c in verdict.usage_log {
		c.passed == true
	}
	[c.id | some c in verdict.cost_model] == ["FT-COST-SAVINGS", "FT-COST-PROJECTION"]
	object.keys(verdict.usage_log[0]) == {"id", "gate", "passed", "observed", "required", "message"}
}

test_evidence_verdict_agrees_with_the_decision if {
	inp := patch(cost_fine_tune, [["/evidence/usage_log/measurements/median_daily_calls", 2400000]])
	verdict := decision.evidence_verdict with input as inp with data.fmgate.config as org
	doc := decision.decision with input as inp with data.fmgate.config as org
	volume := [c | some c in verdict.usage_log; c.id == "FT-COST-VOLUME"][0]
	not volume.passed
	some check in doc.gates.cost_at_scale.checks
	check.id == "FT-COST-VOLUME"
	check.passed == volume.passed
	check.observed == volume.observed
}

test_every_check_named_in_evidence_checks_exists if {
	every kind, ids in data.fmgate.defaults.evidence_checks {
		verdict := decision.evidence_verdict[kind] with input as cost_fine_tune with data.fmgate.config as org
		count(verdict) == count(ids)
	}
}

# a notebook's verdict sees only its own document: each kind's checks must come out the same that way
test_each_kind_s_checks_read_that_kind_alone if {
	full := decision.evidence_verdict with input as cost_fine_tune with data.fmgate.config as org
	every kind, checks in full {
		alone := json.patch(cost_fine_tune, [{
			"op": "replace", "path": "/evidence",
			"value": object.filter(cost_fine_tune.evidence, [kind]),
		}])
		own := decision.evidence_verdict[kind] with input as alone with data.fmgate.config as org
		own == checks
	}
}
