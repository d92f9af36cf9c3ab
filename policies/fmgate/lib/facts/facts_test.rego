package fmgate.lib.facts_test

import data.fmgate.lib.facts

test_memo_id_from_id if {
	facts.memo_id == "abc" with input as {"memo": {"id": "abc", "path": "memos/other.md"}}
}

test_memo_id_from_path_stem if {
	facts.memo_id == "ticket-triage" with input as {"memo": {"path": "memos/ticket-triage.md"}}
	facts.memo_id == "ticket-triage" with input as {"memo": {"id": " ", "path": "ticket-triage.md"}}
}

test_memo_id_null_without_id_or_path if {
	facts.memo_id == null with input as {"memo": {}}
	facts.memo_id == null with input as {"memo": "not an object"}
	facts.memo_id == null with input as {"memo": {"path": "memos/.md"}}
}

test_requested_and_verb if {
	facts.requested == "fine-tune" with input as {"memo": {"decision": "fine-tune"}}
	facts.verb == "fine-tune" with input as {"memo": {"decision": "fine-tune"}}
	facts.requested == "distil" with input as {"memo": {"decision": "distil"}}
	not facts.verb with input as {"memo": {"decision": "distil"}}
	facts.requested == null with input as {"memo": {"decision": ["buy"]}}
}

test_status if {
	facts.approved with input as {"memo": {"status": "approved"}}
	not facts.approved with input as {"memo": {"status": "proposed"}}
	facts.active with input as {"memo": {}}
	not facts.active with input as {"memo": {"status": "retired"}}
}

test_shape if {
	facts.exempt_shape with input as {"memo": {"workload_shape": "embedding-generation-extreme-scale"}}
	not facts.exempt_shape with input as {"memo": {"workload_shape": "standard"}}
	facts._shape == null with input as {"memo": {"workload_shape": 3}}
}

test_claimed_and_tags if {
	m := {"gates_claimed": ["cost_at_scale", 1], "rationale_tags": ["cost", "moat"]}
	facts.claimed == {"cost_at_scale"} with input as {"memo": m}
	facts.tags == {"cost", "moat"} with input as {"memo": m}
	facts.claimed == set() with input as {"memo": {"gates_claimed": "cost_at_scale"}}
	facts.tags == set() with input as {"memo": {}}
}

test_days_and_dates if {
	facts.day("2026-11-24") == facts.day("2026-11-24T23:59:59Z")
	facts.day("2026-11-25") - facts.day("2026-11-24") == 1
	facts.date(facts.day("2026-02-28") + 1) == "2026-03-01"
	not facts.day("24/11/2026")
	not facts.day(20261124)
}

test_now_day if {
	facts.now_day == facts.day("2026-11-24") with input as {"now": "2026-11-24"}
	facts.now_day >= facts.day("2026-01-01") with input as {}
}
