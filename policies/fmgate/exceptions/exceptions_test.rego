package fmgate.exceptions_test

import data.fmgate.decision
import data.fmgate.exceptions

# An approved-by-governance exception for memo m1, and the settings that allow it.

org := {
	"decision_owners": ["dana.kim"], "senior_reviewers": ["lee.wong"], "required_approvals": 1,
	"exception_approvers": ["gina.hart"],
}

exc := {
	"id": "m1-benchmark-order", "path": "exceptions/m1-benchmark-order.yaml", "memo": "m1",
	"waives": ["MEMO-REVIEW"], "justification": "The reviewer is on leave; the CTO signed off in writing.",
	"approved_by": "gina.hart", "ticket": "GOV-42", "granted": "2026-11-01", "expires": "2027-01-15",
}

memo := {
	"id": "m1", "title": "t", "workload": "w", "workload_shape": "standard", "decision": "buy",
	"status": "proposed", "date": "2026-11-02", "owner": "dana.kim",
	"proposer": {"team": "t", "type": "in-house", "person": "ana.ruiz"}, "reviewers": [],
	"buy_alternative": {"provider": "openai", "model": "gpt-5", "deployment": "public-api"},
	"dimensions": {"criticality": "core", "workflow_complexity": "simple", "control_need": "low"},
	"candidates": {"buy": "b", "fine-tune": "f", "build": "b"},
	"rationale_tags": ["quality"], "gates_claimed": [], "evidence": {},
}

at(day) := {"memo": memo, "now": day, "evidence": {}}

decide(files, day) := d if {
	# regal ignore:with-outside-test-context,external-reference
	d := decision.decision with input as at(day) with data.fmgate.config as org with data.fmgate.exception_files as files
}

ids(doc) := {v.id | some v in doc.violations}

test_an_exception_waives_exactly_its_rules_for_exactly_its_memo if {
	plain := decide({}, "2026-11-24")
	ids(plain) == {"MEMO-REVIEW"}
	waived := decide({"exceptions/x.yaml": exc}, "2026-11-24")
	waived.allowed
	[v.id | some v in waived.waived] == ["MEMO-REVIEW"]
	waived.waived[0].required == 1
	waived.exceptions[0].state == "active"
	other := decide({"exceptions/x.yaml": object.union(exc, {"memo": "m2"})}, "2026-11-24")
	ids(other) == {"MEMO-REVIEW"}
	count(other.exceptions) == 0
}

test_unwaivable_rules_stay_denials if {
	every rule in ["PROV-TAMPER", "PROV-RULES-CHANGED", "MEMO-FIELDS", "EXC-EXPIRED"] {
		doc := decide({"exceptions/x.yaml": object.union(exc, {"waives": ["MEMO-REVIEW", rule]})}, "2026-11-24")
		not doc.allowed
		"EXC-INVALID" in ids(doc)
		"MEMO-REVIEW" in ids(doc)
	}
}

test_an_exception_approved_by_the_proposer_or_an_outsider_is_refused if {
	by_proposer := decide({"exceptions/x.yaml": object.union(exc, {"approved_by": "Ana.Ruiz"})}, "2026-11-24")
	ids(by_proposer) == {"EXC-INVALID", "MEMO-REVIEW"}
	outsider := decide({"exceptions/x.yaml": object.union(exc, {"approved_by": "joe.intern"})}, "2026-11-24")
	some v in by_proposer.violations
	v.id == "EXC-INVALID"
	contains(v.message, "proposed the memo and cannot approve")
	some w in outsider.violations
	w.id == "EXC-INVALID"
	contains(w.message, "joe.intern is not one of the organisation's exception_approvers")
}

test_missing_justification_ticket_or_too_long_a_term_is_refused if {
	broken := [object.union(exc, patch) | some patch in [
		{"justification": " "}, {"ticket": ""}, {"expires": "2027-02-01"}, {"granted": "soon"}, {"waives": []},
	]]
	every e in broken {
		doc := decide({"exceptions/x.yaml": e}, "2026-11-24")
		"EXC-INVALID" in ids(doc)
		not doc.allowed
	}
}

test_expiry_counts_from_the_day_after if {
	last_day := decide({"exceptions/x.yaml": exc}, "2027-01-15")
	last_day.allowed
	day_after := decide({"exceptions/x.yaml": exc}, "2027-01-16")
	ids(day_after) == {"EXC-EXPIRED", "MEMO-REVIEW"}
	day_after.exceptions[0].state == "expired"
	count(day_after.waived) == 0
}

test_a_warning_in_the_last_thirty_days if {
	calm := decide({"exceptions/x.yaml": exc}, "2026-12-16")
	count([w | some w in calm.warnings; w.id == "WARN-EXC-EXPIRING"]) == 0
	warned := decide({"exceptions/x.yaml": exc}, "2026-12-17")
	[w.message | some w in warned.warnings; w.id == "WARN-EXC-EXPIRING"] == [
		"exception exceptions/m1-benchmark-order.yaml expires on 2027-01-15, in 29 days",
	]
	warned.allowed
}

test_report_lists_every_exception_with_its_state if {
	other := object.union(exc, {"id": "x", "memo": "m2", "approved_by": "nobody"})

	# regal ignore:with-outside-test-context
	report := exceptions.report with input as {"now": "2027-01-16"} with data.fmgate.config as org
		with data.fmgate.exception_files as {"exceptions/a.yaml": exc, "exceptions/b.yaml": other}
	[r.state | some r in report] == ["expired", "invalid"]
}
