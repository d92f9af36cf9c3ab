package fmgate.lib.evidence_test

import data.fmgate.lib.evidence

good := {"kind": "usage_log", "memo_id": "m1", "valid": true, "errors": [], "measurements": {"median_daily_calls": 5}}

test_usable_document if {
	inp := {"memo": {"id": "m1"}, "evidence": {"usage_log": good}}
	evidence.usable == {"usage_log"} with input as inp
	evidence.measurements.usage_log.median_daily_calls == 5 with input as inp
	not evidence.problems.usage_log with input as inp
	evidence.problems.head_to_head with input as inp
}

test_document_without_memo_id_is_usable if {
	anonymous := object.remove(good, ["memo_id"])
	evidence.usable == {"usage_log"} with input as {"memo": {"id": "m1"}, "evidence": {"usage_log": anonymous}}
}

test_missing_and_unlisted if {
	msg := evidence.problems.cost_model with input as {"memo": {"id": "m1"}, "evidence": {}}
	contains(msg, "evidence/m1/cost_model.json")
	contains(msg, "has no cost_model entry")
}

test_missing_but_listed if {
	memo := {"id": "m1", "evidence": {"cost_model": "evidence/m1/inputs/cost.yaml"}}
	inp := {"memo": memo, "evidence": {"cost_model": null}}
	msg := evidence.problems.cost_model with input as inp
	contains(msg, "is missing")
}

test_invalid_document_reports_its_errors if {
	bad := {"kind": "usage_log", "valid": false, "errors": ["calls must be >= 0", "no rows"]}
	msg := evidence.problems.usage_log with input as {"memo": {"id": "m1"}, "evidence": {"usage_log": bad}}
	contains(msg, "evidence/m1/usage_log.json is not valid: calls must be >= 0; no rows")
	not evidence.usable.usage_log with input as {"memo": {"id": "m1"}, "evidence": {"usage_log": bad}}
}

test_invalid_document_without_errors if {
	msg := evidence.problems.usage_log with input as {"memo": {}, "evidence": {"usage_log": {"valid": "yes"}}}
	contains(msg, "evidence/<memo-id>/usage_log.json is not valid: it reports no errors")
}

test_valid_document_without_measurements if {
	msg := evidence.problems.usage_log with input as {"memo": {"id": "m1"}, "evidence": {"usage_log": {"valid": true}}}
	contains(msg, "has no measurements")
	evidence.usable == set() with input as {"memo": {"id": "m1"}, "evidence": {"usage_log": {"valid": true}}}
}

test_document_of_another_memo if {
	inp := {"memo": {"id": "m2"}, "evidence": {"usage_log": good}}
	evidence.usable == set() with input as inp
	contains(evidence.problems.usage_log, "produced for memo m1") with input as inp
}
