package fmgate.gates.build_test

import data.fmgate.gates.build

plan := {
	"committed_capital_usd": 80000000,
	"payback_months_accepted": 36,
	"model_is_product": true,
	"rejected_fine_tune": "legal-ft",
}

memo := {"id": "m1", "decision": "build", "build": plan}

corpus := {
	"kind": "corpus_manifest", "memo_id": "m1", "valid": true, "errors": [],
	"measurements": {"shards": 40, "tokens_total": 180000000000, "tokens_qualifying": 150000000000},
}

repository := {"memos": {
	"legal-ft": {"id": "legal-ft", "path": "memos/legal-ft.md", "status": "rejected", "decision": "fine-tune"},
	"legal-ft-2": {"id": "legal-ft-2", "path": "memos/legal-ft-2.md", "status": "proposed", "decision": "fine-tune"},
	"legal-buy": {"id": "legal-buy", "path": "memos/legal-buy.md", "status": "rejected", "decision": "buy"},
}}

passing := {"memo": memo, "evidence": {"corpus_manifest": corpus}}

with_plan(field, value) := json.patch(
	passing,
	[{"op": "add", "path": sprintf("/memo/build/%s", [field]), "value": value}],
)

with_tokens(n) := json.patch(
	passing,
	[{"op": "add", "path": "/evidence/corpus_manifest/measurements/tokens_qualifying", "value": n}],
)

# check finds one check of the gate; evaluate it `with input as ...`
check(id) := c if {
	some c in build.checks
	c.id == id
}

test_gate_fires_when_every_check_passes if {
	build.fired with input as passing with data.fmgate.repository as repository
	not build._exempt
	count(build.checks) == 4 with input as passing with data.fmgate.repository as repository
}

test_gate_without_anything if {
	inp := {"memo": {"id": "m1", "decision": "build"}}
	not build.fired with input as inp
	checks := build.checks with input as inp
	every c in checks {
		not c.passed
	}
}

test_exempt_shape_does_not_exempt_a_build if {
	inp := {"memo": {"id": "m1", "workload_shape": "embedding-generation-extreme-scale"}}
	not build.fired with input as inp
}

# BUILD-DATA

test_tokens_at_threshold_pass if {
	check("BUILD-DATA").passed with input as with_tokens(100000000000)
}

test_tokens_above_threshold_pass if {
	check("BUILD-DATA").passed with input as with_tokens(100000000001)
}

test_tokens_below_threshold_fail if {
	c := check("BUILD-DATA") with input as with_tokens(99999999999)
	not c.passed
	c.required == 100000000000
	contains(c.message, "99,999,999,999")
}

test_tokens_missing_evidence_fail if {
	c := check("BUILD-DATA") with input as {"memo": memo}
	not c.passed
	c.observed == null
	contains(c.message, "corpus_manifest")
}

test_tokens_threshold_override if {
	check("BUILD-DATA").passed with input as with_tokens(5) with data.fmgate.config as {"thresholds": {"build_tokens": 5}}
}

# BUILD-STRATEGIC

test_model_is_product_passes if {
	c := check("BUILD-STRATEGIC") with input as passing
	c.passed
	c.observed == true
}

test_model_is_input_fails if {
	c := check("BUILD-STRATEGIC") with input as with_plan("model_is_product", false)
	not c.passed
	contains(c.message, "input to the product")
}

test_model_is_product_missing_fails if {
	c := check("BUILD-STRATEGIC") with input as with_plan("model_is_product", "yes")
	not c.passed
	contains(c.message, "does not say")
}

# BUILD-CAPITAL

test_capital_at_threshold_passes if {
	check("BUILD-CAPITAL").passed with input as with_plan("committed_capital_usd", 50000000)
}

test_capital_above_threshold_passes if {
	check("BUILD-CAPITAL").passed with input as with_plan("committed_capital_usd", 50000001)
}

test_capital_below_threshold_fails if {
	c := check("BUILD-CAPITAL") with input as with_plan("committed_capital_usd", 49999999)
	not c.passed
	c.observed.committed_capital_usd == 49999999
	c.required == {"committed_capital_usd": 50000000, "payback_months_accepted": 24}
	contains(c.message, "$49,999,999")
}

test_payback_at_minimum_passes if {
	check("BUILD-CAPITAL").passed with input as with_plan("payback_months_accepted", 24)
}

test_payback_above_minimum_passes if {
	check("BUILD-CAPITAL").passed with input as with_plan("payback_months_accepted", 25)
}

test_payback_below_minimum_fails if {
	c := check("BUILD-CAPITAL") with input as with_plan("payback_months_accepted", 23)
	not c.passed
	contains(c.message, "23-month payback")
}

test_capital_missing_fails if {
	c := check("BUILD-CAPITAL") with input as {"memo": {"id": "m1", "build": null}}
	not c.passed
	c.observed == {"committed_capital_usd": null, "payback_months_accepted": null}
}

# BUILD-FT-REJECTED

test_rejected_fine_tune_memo_passes if {
	check("BUILD-FT-REJECTED").passed with input as passing with data.fmgate.repository as repository
}

test_rejected_fine_tune_by_path_passes if {
	inp := with_plan("rejected_fine_tune", "memos/legal-ft.md")
	check("BUILD-FT-REJECTED").passed with input as inp with data.fmgate.repository as repository
}

test_fine_tune_memo_not_rejected_fails if {
	inp := with_plan("rejected_fine_tune", "legal-ft-2")
	c := check("BUILD-FT-REJECTED") with input as inp with data.fmgate.repository as repository
	not c.passed
	contains(c.message, "not a rejected fine-tune")
}

test_rejected_memo_of_another_verb_fails if {
	inp := with_plan("rejected_fine_tune", "legal-buy")
	not check("BUILD-FT-REJECTED").passed with input as inp with data.fmgate.repository as repository
}

test_found_flag_cannot_override_a_memo_on_record if {
	inp := json.patch(with_plan("rejected_fine_tune", "legal-ft-2"), [{
		"op": "add", "path": "/memo/build/rejected_fine_tune_found",
		"value": true,
	}])
	not check("BUILD-FT-REJECTED").passed with input as inp with data.fmgate.repository as repository
}

test_path_confirmed_by_python_passes if {
	inp := json.patch(with_plan("rejected_fine_tune", "benchmarks/legal-ft-h2h.csv"), [{
		"op": "add", "path": "/memo/build/rejected_fine_tune_found",
		"value": true,
	}])
	c := check("BUILD-FT-REJECTED") with input as inp with data.fmgate.repository as repository
	c.passed
	c.observed == "benchmarks/legal-ft-h2h.csv"
}

test_unknown_path_fails if {
	inp := with_plan("rejected_fine_tune", "benchmarks/nowhere.csv")
	c := check("BUILD-FT-REJECTED") with input as inp with data.fmgate.repository as repository
	not c.passed
	contains(c.message, "neither a memo on record")
}

test_no_reference_fails if {
	c := check("BUILD-FT-REJECTED") with input as with_plan("rejected_fine_tune", " ")
	not c.passed
	c.observed == null
	contains(c.message, "names no rejected fine-tune")
}

test_tokens_not_reported_fail if {
	inp := json.remove(passing, ["evidence/corpus_manifest/measurements/tokens_qualifying"])
	c := check("BUILD-DATA") with input as inp
	not c.passed
	c.message == "the corpus_manifest evidence does not report tokens_qualifying as a number"
}

test_rejected_fine_tune_path_is_looked_up_in_the_index if {
	indexed := object.union(repository, {"by_path": {"memos/old/legal.md": "legal-ft"}, "by_workload": {}})
	inp := with_plan("rejected_fine_tune", "memos/old/legal.md")
	check("BUILD-FT-REJECTED").passed with input as inp with data.fmgate.repository as indexed
	not check("BUILD-FT-REJECTED").passed with input as with_plan("rejected_fine_tune", "memos/legal-ft.md")
		with data.fmgate.repository as indexed
}
