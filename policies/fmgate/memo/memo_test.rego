package fmgate.memo_test

import data.fmgate.memo

# A complete buy memo and the organisation settings it is checked against; tests patch one field at a time.

org := {
	"decision_owners": ["dana.kim", "priya.rao"],
	"senior_reviewers": ["lee.wong", "sam.ortiz", "kai.berg"],
	"required_approvals": 1,
}

front_matter := {
	"id": "ticket-triage", "title": "Keep buying ticket triage", "workload": "support-ticket-triage",
	"workload_shape": "standard", "decision": "buy", "status": "proposed", "date": "2026-11-02",
	"owner": "dana.kim", "proposer": {"team": "support-ml", "type": "in-house", "person": "ana.lopez"},
	"reviewers": ["lee.wong"], "engineering_started": null, "supersedes": null,
	"buy_alternative": {"provider": "openai", "model": "gpt-5", "deployment": "public-api"},
	"dimensions": {"criticality": "core", "workflow_complexity": "simple", "control_need": "high"},
	"candidates": {"buy": "Works today.", "fine-tune": "Volume is too low.", "build": "We do not sell models."},
	"rationale_tags": ["quality"], "gates_claimed": [],
	"evidence": {"cost_model": "evidence/ticket-triage/inputs/cost_model.yaml"},
	"path": "memos/ticket-triage.md",
}

cost_model := {
	"kind": "cost_model", "memo_id": "ticket-triage", "valid": true, "errors": [],
	"measurements": {"scenarios": [{"name": "today"}, {"name": "growth"}]},
	"provenance": {"generated_at": "2026-11-20T10:00:00Z"},
}

passing := {"memo": front_matter, "now": "2026-11-24", "evidence": {"cost_model": cost_model}}

# patched adds or replaces values in the passing input, given [path, value] pairs
patched(ops) := json.patch(passing, [{"op": "add", "path": p, "value": v} | some [p, v] in ops])

with_memo(field, value) := patched([[sprintf("/memo/%s", [field]), value]])

without_memo(field) := json.remove(passing, [sprintf("memo/%s", [field])])

# found lists the violations and warnings with one id; evaluate it `with input as ...`
found(id) := {f | some f in (memo.violations | memo.warnings); f.id == id}

violation_ids contains v.id if some v in memo.violations

warning_ids contains w.id if some w in memo.warnings

test_complete_memo_has_no_findings if {
	count(memo.violations) == 0 with input as passing with data.fmgate.config as org
	count(memo.warnings) == 0 with input as passing with data.fmgate.config as org
}

test_findings_carry_rule_metadata if {
	some v in memo.violations with input as without_memo("title") with data.fmgate.config as org
	v.id == "MEMO-FIELDS"
	v.gate == "memo"
	v.fix != ""
	object.keys(v) == {"id", "gate", "message", "observed", "required", "fix"}
}

# MEMO-FIELDS

test_every_required_field_is_required if {
	every field in data.fmgate.defaults.required_fields {
		vs := found("MEMO-FIELDS") with input as without_memo(field) with data.fmgate.config as org
		some v in vs
		v.message == sprintf("the memo has no %s", [field])
	}
}

test_null_required_field_is_missing if {
	vs := found("MEMO-FIELDS") with input as with_memo("workload", null) with data.fmgate.config as org
	{v.message | some v in vs} == {"the memo has no workload"}
}

test_malformed_fields if {
	cases := {
		"id": "Ticket_Triage", "title": "  ", "workload": 12, "workload_shape": "tiny",
		"decision": "distil", "status": "done", "date": "2026-13-02", "proposer": {"team": "x", "type": "vendor"},
		"rationale_tags": ["cost", "hype"], "gates_claimed": ["vibes"], "engineering_started": "soon",
		"supersedes": "", "reviewers": "lee.wong", "evidence": ["usage_log"], "domain": "legal",
	}
	every field, value in cases {
		vs := found("MEMO-FIELDS") with input as with_memo(field, value) with data.fmgate.config as org
		some v in vs
		startswith(v.message, sprintf("%s should be", [field]))
		v.observed == value
	}
}

test_well_formed_optional_fields if {
	inp := patched([
		["/memo/engineering_started", "2026-12-01"],
		["/memo/supersedes", "old-triage"],
		["/memo/workload_shape", "embedding-generation-extreme-scale"],
		["/memo/gates_claimed", ["cost_at_scale", "domain_expertise"]],
		["/memo/proposer/type", "agency"],
	])
	count(found("MEMO-FIELDS")) == 0 with input as inp with data.fmgate.config as org
}

test_deployment_must_be_known if {
	vs := found("MEMO-FIELDS") with input as patched([["/memo/buy_alternative/deployment", "on-prem"]])
		with data.fmgate.config as org
	some v in vs
	startswith(v.message, "buy_alternative.deployment")
}

test_missing_memo_fails_closed if {
	ids := violation_ids with input as {} with data.fmgate.config as org
	{"MEMO-FIELDS", "MEMO-OWNER", "MEMO-REVIEW", "MEMO-CANDIDATES", "MEMO-BUY-ALTERNATIVE", "MEMO-DIMENSIONS"} == ids
}
