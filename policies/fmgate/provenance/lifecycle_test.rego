package fmgate.provenance_test

import data.fmgate.provenance

test_lifecycle_problem_denies if {
	inp := with_facts({"lifecycle": [{
		"path": "memos/m1.md", "field": "buy_alternative",
		"message": "the memo is approved; its decision field 'buy_alternative' may not be edited",
		"fix": "write a new memo",
	}]})
	some v in provenance.violations with input as inp
	v.id == "MEMO-LIFECYCLE"
	v.gate == "memo"
	v.observed == "buy_alternative"
	v.required == "write a new memo"
	startswith(v.message, "memos/m1.md: the memo is approved")
}

test_lifecycle_without_detail_still_denies if {
	inp := with_facts({"lifecycle": [{}]})
	some v in provenance.violations with input as inp
	v.id == "MEMO-LIFECYCLE"
	v.observed == "status"
}

test_no_lifecycle_problem_no_finding if {
	found := {v.id | some v in provenance.violations} with input as with_facts({})
	not "MEMO-LIFECYCLE" in found
}
