package fmgate.memo_test

# Fixtures (org, passing, patched, with_memo, found) live in memo_test.rego.

# MEMO-CONFLICT

other(status) := {
	"id": "triage-distil", "path": "memos/triage-distil.md", "workload": "support-ticket-triage",
	"status": status, "decision": "fine-tune", "supersedes": null,
}

self_record := {
	"id": "ticket-triage", "path": "memos/ticket-triage.md",
	"workload": "support-ticket-triage", "status": "proposed",
}

conflicts := found("MEMO-CONFLICT")

test_proposed_rival_conflicts if {
	repo := {"memos": {"ticket-triage": self_record, "triage-distil": other("proposed")}}
	vs := conflicts with input as passing with data.fmgate.config as org with data.fmgate.repository as repo
	some v in vs
	v.observed == "triage-distil"
	startswith(v.message, "memo triage-distil (proposed) also decides workload support-ticket-triage")
}

test_approved_rival_conflicts if {
	repo := {"memos": {"triage-distil": other("approved")}}
	count(conflicts) == 1 with input as passing with data.fmgate.config as org with data.fmgate.repository as repo
}

test_inactive_rivals_do_not_conflict if {
	every status in ["rejected", "superseded", "retired"] {
		repo := {"memos": {"triage-distil": other(status)}}
		count(conflicts) == 0 with input as passing with data.fmgate.config as org with data.fmgate.repository as repo
	}
}

test_superseding_memo_does_not_conflict if {
	repo := {"memos": {"triage-distil": other("approved")}}
	inp := with_memo("supersedes", "triage-distil")
	count(conflicts) == 0 with input as inp with data.fmgate.config as org with data.fmgate.repository as repo
}

test_superseded_memo_does_not_conflict if {
	repo := {"memos": {"triage-distil": object.union(other("proposed"), {"supersedes": "ticket-triage"})}}
	count(conflicts) == 0 with input as passing with data.fmgate.config as org with data.fmgate.repository as repo
}

test_other_workload_does_not_conflict if {
	repo := {"memos": {"triage-distil": object.union(other("approved"), {"workload": "invoice-extraction"})}}
	count(conflicts) == 0 with input as passing with data.fmgate.config as org with data.fmgate.repository as repo
}

test_the_memo_does_not_conflict_with_itself if {
	# the index lists this memo a second time under another key, with the same path
	repo := {"memos": {"ticket-triage": self_record, "renamed": object.union(self_record, {"id": "renamed"})}}
	count(conflicts) == 0 with input as passing with data.fmgate.config as org with data.fmgate.repository as repo
}

test_retired_memo_conflicts_with_nothing if {
	repo := {"memos": {"triage-distil": other("approved")}}
	inp := with_memo("status", "retired")
	count(conflicts) == 0 with input as inp with data.fmgate.config as org with data.fmgate.repository as repo
}

test_rival_keyed_without_id if {
	repo := {"memos": {"legacy-key": object.remove(other("proposed"), ["id"])}}
	vs := conflicts with input as passing with data.fmgate.config as org with data.fmgate.repository as repo
	some v in vs
	v.observed == "legacy-key"
}

# MEMO-EVIDENCE-MISSING

fine_tune := patched([["/memo/decision", "fine-tune"], ["/memo/gates_claimed", ["cost_at_scale"]]])

missing_files contains v.required if {
	some v in found("MEMO-EVIDENCE-MISSING")
}

test_buy_needs_no_evidence if {
	count(missing_files) == 0 with input as json.remove(passing, ["evidence"]) with data.fmgate.config as org
}

test_fine_tune_needs_its_evidence if {
	files := missing_files with input as fine_tune with data.fmgate.config as org
	files == {
		"evidence/ticket-triage/eval_set.json",
		"evidence/ticket-triage/head_to_head.json",
		"evidence/ticket-triage/usage_log.json",
	}
}

test_claimed_gate_adds_its_evidence if {
	inp := patched([["/memo/decision", "fine-tune"], ["/memo/gates_claimed", ["domain_expertise"]]])
	files := missing_files with input as inp with data.fmgate.config as org
	files == {
		"evidence/ticket-triage/eval_set.json",
		"evidence/ticket-triage/head_to_head.json",
		"evidence/ticket-triage/prompting_log.json",
		"evidence/ticket-triage/domain_data.json",
	}
}

test_build_needs_the_corpus_manifest if {
	files := missing_files with input as with_memo("decision", "build") with data.fmgate.config as org
	"evidence/ticket-triage/corpus_manifest.json" in files
}

test_missing_evidence_message_names_kind_file_and_reason if {
	vs := found("MEMO-EVIDENCE-MISSING") with input as fine_tune with data.fmgate.config as org
	some v in vs
	v.required == "evidence/ticket-triage/usage_log.json"
	v.observed == null
	contains(v.message, "usage_log evidence is needed by the cost_at_scale gate")
	contains(v.message, "has no usage_log entry")
}

test_invalid_evidence_is_missing_with_its_errors if {
	bad := {"kind": "usage_log", "memo_id": "ticket-triage", "valid": false, "errors": ["no rows in the last 28 days"]}
	inp := json.patch(fine_tune, [{"op": "add", "path": "/evidence/usage_log", "value": bad}])
	vs := found("MEMO-EVIDENCE-MISSING") with input as inp with data.fmgate.config as org
	some v in vs
	v.required == "evidence/ticket-triage/usage_log.json"
	v.observed == {"valid": false, "errors": ["no rows in the last 28 days"]}
	contains(v.message, "usage_log evidence is needed by the cost_at_scale gate")
	contains(v.message, "evidence/ticket-triage/usage_log.json is not valid: no rows in the last 28 days")
}

test_evidence_without_measurements_is_missing if {
	inp := patched([["/memo/decision", "fine-tune"], ["/evidence/cost_model/measurements", null]])
	files := missing_files with input as inp with data.fmgate.config as org
	"evidence/ticket-triage/cost_model.json" in files
}

test_evidence_present_and_valid_is_not_missing if {
	files := missing_files with input as fine_tune with data.fmgate.config as org
	not "evidence/ticket-triage/cost_model.json" in files
}

# MEMO-EVIDENCE-STALE

# a fine-tune proposal whose cost model was produced at the given time
aged(timestamp) := json.patch(fine_tune, [{
	"op": "add", "path": "/evidence/cost_model/provenance/generated_at",
	"value": timestamp,
}])

stale := found("MEMO-EVIDENCE-STALE")

test_evidence_90_days_old_is_fresh if {
	count(stale) == 0 with input as aged("2026-08-26T23:00:00Z") with data.fmgate.config as org
}

test_evidence_89_days_old_is_fresh if {
	count(stale) == 0 with input as aged("2026-08-27T00:00:00Z") with data.fmgate.config as org
}

test_evidence_91_days_old_is_stale if {
	vs := stale with input as aged("2026-08-25T10:00:00Z") with data.fmgate.config as org
	some v in vs
	v.observed == 91
	v.required == 90
	contains(v.message, "evidence/ticket-triage/cost_model.json was produced 91 days before")
}

test_evidence_without_timestamp_is_stale if {
	inp := json.remove(fine_tune, ["evidence/cost_model/provenance"])
	vs := stale with input as inp with data.fmgate.config as org
	some v in vs
	v.observed == null
	contains(v.message, "does not say when it was produced")
}

test_approved_memo_evidence_never_goes_stale if {
	inp := json.patch(aged("2025-01-01T00:00:00Z"), [{"op": "add", "path": "/memo/status", "value": "approved"}])
	count(stale) == 0 with input as inp with data.fmgate.config as org
}

test_evidence_age_threshold_override if {
	cfg := object.union(org, {"thresholds": {"evidence_max_age_days": 30}})
	count(stale) == 1 with input as aged("2026-10-24T10:00:00Z") with data.fmgate.config as cfg
	count(stale) == 0 with input as aged("2026-10-25T10:00:00Z") with data.fmgate.config as cfg
}

test_optional_evidence_of_a_buy_memo_never_goes_stale if {
	inp := patched([["/evidence/cost_model/provenance/generated_at", "2025-01-01T00:00:00Z"]])
	count(stale) == 0 with input as inp with data.fmgate.config as org
}

test_required_evidence_goes_stale_whatever_the_verb if {
	inp := patched([
		["/memo/decision", "buy"],
		["/memo/gates_claimed", ["cost_at_scale"]],
		["/evidence/cost_model/provenance/generated_at", "2025-01-01T00:00:00Z"],
	])
	count(stale) == 1 with input as inp with data.fmgate.config as org
}

test_rivals_are_looked_up_by_workload if {
	repo := {
		"memos": {"triage-distil": other("approved"), "invoice": object.union(other("approved"), {"id": "invoice"})},
		"by_workload": {"support-ticket-triage": ["triage-distil"], "invoice-extraction": ["invoice"]},
		"by_path": {"memos/triage-distil.md": "triage-distil"},
	}
	vs := conflicts with input as passing with data.fmgate.config as org with data.fmgate.repository as repo
	{v.observed | some v in vs} == {"triage-distil"}
}

test_workload_missing_from_the_index_has_no_rivals if {
	repo := {"memos": {"triage-distil": other("approved")}, "by_workload": {}, "by_path": {}}
	count(conflicts) == 0 with input as passing with data.fmgate.config as org with data.fmgate.repository as repo
}
