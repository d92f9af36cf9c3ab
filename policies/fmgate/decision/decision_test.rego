package fmgate.decision_test

import data.fmgate.decision

# --- fixtures -------------------------------------------------------------

org := {
	"decision_owners": ["dana.kim", "priya.rao"],
	"senior_reviewers": ["lee.wong", "sam.ortiz"],
	"required_approvals": 1,
}

buy_memo := {
	"id": "ticket-triage", "title": "Ticket triage", "workload": "support-ticket-triage",
	"workload_shape": "standard", "decision": "buy", "status": "proposed", "date": "2026-11-02",
	"owner": "dana.kim", "proposer": {"team": "support-ml", "type": "in-house", "person": "ana.lopez"},
	"reviewers": ["lee.wong"], "engineering_started": null, "supersedes": null,
	"buy_alternative": {"provider": "openai", "model": "gpt-5", "deployment": "public-api"},
	"dimensions": {"criticality": "core", "workflow_complexity": "simple", "control_need": "high"},
	"candidates": {"buy": "Works today.", "fine-tune": "Only if volume grows.", "build": "Not our business."},
	"rationale_tags": ["quality"], "gates_claimed": [], "domain": {"expected_retraining_interval_days": 365},
	"build": null, "evidence": {"cost_model": "evidence/ticket-triage/inputs/cost_model.yaml"},
	"path": "memos/ticket-triage.md",
}

envelope(kind, measurements) := {
	"kind": kind, "memo_id": "ticket-triage", "valid": true, "errors": [],
	"measurements": measurements, "provenance": {"generated_at": "2026-11-20T10:00:00Z"},
}

usage := envelope("usage_log", {
	"window_days": 28, "days_covered": 28, "median_daily_calls": 12000000,
	"unstable_quarters": 0,
})

eval_set := envelope("eval_set", {"items_total": 260, "items_valid": 250})

bench := envelope("head_to_head", {
	"items": 250, "unknown_item_ids": [], "run_date": "2026-10-20", "useful_task_score": 0.5,
	"models": {
		"candidate": [{"provider": "in-house", "model": "m1-candidate", "deployment": "self-hosted"}],
		"buy": [{"provider": "openai", "model": "gpt-5", "deployment": "public-api"}],
	},
	"systems": {
		"candidate": {
			"mean_score": 0.86, "p10": 0.6, "p50": 0.9, "p90": 1, "total_cost_usd": 2,
			"useful_tasks": 200, "cost_per_useful_task": 0.01,
		},
		"buy": {
			"mean_score": 0.88, "p10": 0.62, "p50": 0.9, "p90": 1, "total_cost_usd": 40,
			"useful_tasks": 200, "cost_per_useful_task": 0.2,
		},
	},
	"quality_ratio": {"point": 0.977, "lower": 0.96, "upper": 0.99, "resamples": 2000, "seed": 7},
})

projection := envelope("cost_model", {
	"horizon_quarters": 4,
	"includes": {"engineering": true, "training": true, "eval_monitoring": true},
	"fixed_cost_usd": 610000,
	"scenarios": [
		{"name": "today", "calls_per_day": 12000000, "growth_per_quarter": 0, "savings_usd": 9000000},
		{"name": "growth", "calls_per_day": 12000000, "growth_per_quarter": 0.15, "savings_usd": 11000000},
	],
})

prompting := envelope("prompting_log", {
	"iterations": 12, "total_hours": 30, "max_eval_set_size": 250,
	"seniority_levels": ["mid", "staff"],
	"variants": ["system_prompt", "few_shot", "chain_of_thought", "retrieval_augmented"],
	"best_so_far": [0.4, 0.55, 0.6, 0.66, 0.7, 0.7, 0.71, 0.71, 0.71, 0.71, 0.71, 0.71],
})

examples := envelope("domain_data", {"rows_total": 14000, "rows_nonempty": 13900, "high_quality_unique": 11000})

corpus := envelope("corpus_manifest", {"shards": 90, "tokens_total": 160000000000, "tokens_qualifying": 120000000000})

approved_buy := {"memo": buy_memo, "now": "2026-11-24", "evidence": {"cost_model": projection}}

cost_fine_tune := {
	"memo": object.union(buy_memo, {
		"decision": "fine-tune", "rationale_tags": ["cost"], "gates_claimed": ["cost_at_scale"],
		"evidence": {
			"usage_log": "u.csv", "task_changes": "t.csv", "eval_set": "e.jsonl",
			"head_to_head": "h.csv", "cost_model": "c.yaml",
		},
	}),
	"now": "2026-11-24",
	"evidence": {"usage_log": usage, "eval_set": eval_set, "head_to_head": bench, "cost_model": projection},
}

patch(doc, ops) := json.patch(doc, [{"op": "add", "path": p, "value": v} | some [p, v] in ops])

ids(doc) := [v.id | some v in doc.violations]

warning_ids(doc) := [w.id | some w in doc.warnings]

# --- buy ------------------------------------------------------------------

test_approved_buy if {
	doc := decision.decision with input as approved_buy with data.fmgate.config as org
	object.remove(doc, ["gates"]) == {
		"memo_id": "ticket-triage",
		"requested": "buy",
		"allowed": true,
		"outcome": "approved",
		"supported": "buy",
		"violations": [],
		"warnings": [],
		"relitigation": {"due": false, "next_due": null, "reasons": []},
		"review": {
			"source": "requested", "requested": ["lee.wong"], "approved": [], "stale": [],
			"counted": ["lee.wong"], "required": 1,
		},
		"waived": [],
		"exceptions": [],
	}
	object.keys(doc.gates) == {"cost_at_scale", "domain_expertise", "build"}
	object.keys(doc.gates.cost_at_scale) == {"fired", "exempt", "checks", "needed", "evidence"}
	object.keys(doc.gates.build) == {"fired", "checks", "needed", "evidence"}
	doc.gates.cost_at_scale.evidence == ["usage_log", "head_to_head", "cost_model"]
	not doc.gates.cost_at_scale.needed
	not doc.gates.cost_at_scale.fired
	not doc.gates.domain_expertise.fired
	not doc.gates.build.fired
	every c in doc.gates.cost_at_scale.checks {
		object.keys(c) == {"id", "passed", "observed", "required", "message"}
	}
}

test_incomplete_buy if {
	memo := object.remove(buy_memo, ["title", "owner", "candidates", "id"])
	inp := {"memo": memo, "now": "2026-11-24", "evidence": {}}
	doc := decision.decision with input as inp with data.fmgate.config as org
	doc.memo_id == "ticket-triage"
	doc.allowed == false
	doc.outcome == "denied"
	doc.supported == "buy"
	ids(doc) == ["MEMO-CANDIDATES", "MEMO-FIELDS", "MEMO-FIELDS", "MEMO-OWNER"]
	[v.message | some v in doc.violations; v.id == "MEMO-FIELDS"] == ["the memo has no id", "the memo has no title"]
	warning_ids(doc) == ["WARN-COST-PROJECTION"]
	every v in doc.violations {
		object.keys(v) == {"id", "gate", "message", "observed", "required", "fix"}
		v.gate == "memo"
	}
}

# --- fine-tune ------------------------------------------------------------

test_approved_cost_at_scale_fine_tune if {
	doc := decision.decision with input as cost_fine_tune with data.fmgate.config as org
	doc.allowed == true
	doc.outcome == "approved"
	doc.requested == "fine-tune"
	doc.supported == "fine-tune"
	doc.violations == []
	doc.warnings == []
	doc.gates.cost_at_scale.fired == true
	doc.gates.cost_at_scale.exempt == false
	[c.id | some c in doc.gates.cost_at_scale.checks; c.passed] == [
		"FT-COST-VOLUME", "FT-COST-STABILITY",
		"FT-COST-QUALITY", "FT-COST-SAVINGS",
	]
	doc.gates.domain_expertise.fired == false
	doc.relitigation == {"due": false, "next_due": "2027-01-20", "reasons": []}
}

domain_fine_tune := {
	"memo": object.union(buy_memo, {
		"decision": "fine-tune", "rationale_tags": ["domain", "quality"], "gates_claimed": ["domain_expertise"],
		"dimensions": {"criticality": "core", "workflow_complexity": "complex", "control_need": "high"},
		"evidence": {
			"prompting_log": "p.csv", "eval_set": "e.jsonl", "domain_data": "d.jsonl",
			"head_to_head": "h.csv", "cost_model": "c.yaml",
		},
	}),
	"now": "2026-11-24",
	"evidence": {
		"prompting_log": prompting, "eval_set": eval_set, "domain_data": examples,
		"head_to_head": patch(bench, [["/measurements/systems/candidate/mean_score", 0.93]]),
		"cost_model": projection,
	},
}

test_approved_domain_fine_tune if {
	doc := decision.decision with input as domain_fine_tune with data.fmgate.config as org
	doc.allowed == true
	doc.supported == "fine-tune"
	doc.violations == []
	doc.gates.domain_expertise.fired == true
	count(doc.gates.domain_expertise.checks) == 7
	doc.gates.cost_at_scale.fired == false
}

have_data_fine_tune := {
	"memo": object.union(buy_memo, {
		"decision": "fine-tune", "rationale_tags": ["existing-data"], "gates_claimed": [],
		"evidence": {"eval_set": "e.jsonl", "domain_data": "d.jsonl", "head_to_head": "h.csv", "cost_model": "c.yaml"},
	}),
	"now": "2026-11-24",
	"evidence": {
		"eval_set": patch(eval_set, [["/measurements/items_valid", 120]]),
		"domain_data": patch(examples, [["/measurements/rows_total", 480000], ["/measurements/high_quality_unique", 3000]]),
		"head_to_head": patch(bench, [["/measurements/systems/candidate/mean_score", 0.9]]),
		"cost_model": projection,
	},
}

test_denied_we_have_data_fine_tune if {
	doc := decision.decision with input as have_data_fine_tune with data.fmgate.config as org
	doc.allowed == false
	doc.outcome == "denied"
	doc.supported == "buy"
	ids(doc) == ["FT-ANTI-HAVE-DATA", "FT-NO-GATE"]
	some v in doc.violations
	v.id == "FT-ANTI-HAVE-DATA"
	v.gate == "shared"
	v.observed == {"eval_items_valid": 120, "prompting_exhausted": false}
	v.required == {"eval_items_valid": 200, "prompting_exhausted": true}
	contains(v.message, "only 120 valid items")
}

test_denied_fine_tune_explains_the_claimed_gate if {
	inp := patch(cost_fine_tune, [["/evidence/usage_log/measurements/median_daily_calls", 2400000]])
	doc := decision.decision with input as inp with data.fmgate.config as org
	doc.allowed == false
	doc.supported == "buy"
	ids(doc) == ["FT-COST-VOLUME", "FT-NO-GATE"]
	doc.violations[0] == {
		"id": "FT-COST-VOLUME",
		"gate": "cost_at_scale",
		"message": "the workload runs a median of 2,400,000 calls a day; distillation starts to pay at 10,000,000",
		"observed": 2400000,
		"required": 10000000,
		"fix": "Keep buying until the usage log shows the workload at the volume threshold for a full window.",
	}
}

test_exempt_shape_fine_tune if {
	inp := patch(cost_fine_tune, [
		["/memo/workload_shape", "realtime-speech-to-text-commodity-hardware"],
		["/memo/gates_claimed", []],
		["/evidence/usage_log/measurements/median_daily_calls", 5000],
	])
	doc := decision.decision with input as inp with data.fmgate.config as org
	doc.allowed == true
	doc.gates.cost_at_scale == object.union(doc.gates.cost_at_scale, {"fired": true, "exempt": true})
	doc.gates.domain_expertise.exempt == true
	doc.gates.domain_expertise.fired == true

	# the checks are still reported, failing where the evidence falls short
	some c in doc.gates.cost_at_scale.checks
	c.id == "FT-COST-VOLUME"
	not c.passed
}

test_exempt_shape_still_needs_the_shared_requirements if {
	inp := patch(cost_fine_tune, [
		["/memo/workload_shape", "embedding-generation-extreme-scale"],
		["/memo/gates_claimed", []],
		["/evidence/head_to_head/measurements/systems/buy/cost_per_useful_task", 0.01],
		["/evidence/head_to_head/measurements/systems/candidate/mean_score", 0.8],
	])
	doc := decision.decision with input as inp with data.fmgate.config as org
	doc.allowed == false
	ids(doc) == ["FT-BENCH-BUY-WINS"]
}

test_agency_proposer_is_judged_like_everyone_else if {
	agency := patch(cost_fine_tune, [["/memo/proposer/type", "agency"]])
	allowed := decision.allowed with input as agency with data.fmgate.config as org
	allowed == true
	no_bench := json.remove(agency, ["evidence/head_to_head"])
	doc := decision.decision with input as no_bench with data.fmgate.config as org
	doc.allowed == false
	ids(doc) == [
		"FT-BENCH-BUY-MODEL", "FT-BENCH-BUY-WINS", "FT-BENCH-METRICS", "FT-BENCH-MISSING", "FT-BENCH-ORDER",
		"FT-COST-QUALITY", "FT-NO-GATE", "MEMO-EVIDENCE-MISSING",
	]
}

test_threshold_override_through_config if {
	inp := patch(cost_fine_tune, [["/evidence/usage_log/measurements/median_daily_calls", 6000000]])
	denied := decision.decision with input as inp with data.fmgate.config as org
	denied.allowed == false
	"FT-COST-VOLUME" in ids(denied)
	cfg := object.union(org, {"thresholds": {"cost_volume_calls_per_day": 5000000}})
	approved := decision.decision with input as inp with data.fmgate.config as cfg
	approved.allowed == true
	some c in approved.gates.cost_at_scale.checks
	c.id == "FT-COST-VOLUME"
	c.required == 5000000
}

# --- build ----------------------------------------------------------------

repository := {"memos": {"legal-ft": {
	"id": "legal-ft", "status": "rejected",
	"decision": "fine-tune", "workload": "legal",
}}}

plan := {
	"committed_capital_usd": 90000000, "payback_months_accepted": 36,
	"model_is_product": true, "rejected_fine_tune": "legal-ft",
}

approved_build := {
	"memo": object.union(buy_memo, {
		"decision": "build", "rationale_tags": ["domain"], "gates_claimed": ["build"], "build": plan,
		"evidence": {"eval_set": "e.jsonl", "head_to_head": "h.csv", "cost_model": "c.yaml", "corpus_manifest": "m.csv"},
	}),
	"now": "2026-11-24",
	"evidence": {"eval_set": eval_set, "head_to_head": bench, "cost_model": projection, "corpus_manifest": corpus},
}

test_approved_build if {
	doc := decision.decision with input as approved_build
		with data.fmgate.config as org
		with data.fmgate.repository as repository
	doc.allowed == true
	doc.supported == "build"
	doc.gates.build.fired == true
	doc.gates.cost_at_scale.fired == false
	doc.violations == []
}

test_denied_build_supports_buy if {
	inp := patch(approved_build, [
		["/memo/build/model_is_product", false],
		["/memo/build/committed_capital_usd", 8000000],
		["/memo/rationale_tags", ["moat"]],
	])
	doc := decision.decision with input as inp
		with data.fmgate.config as org
		with data.fmgate.repository as repository
	doc.allowed == false
	doc.outcome == "denied"
	doc.supported == "buy"
	ids(doc) == ["BUILD-CAPITAL", "BUILD-STRATEGIC", "FT-ANTI-OWN-MODEL"]
	{v.gate | some v in doc.violations} == {"build", "shared"}
	not "FT-NO-GATE" in ids(doc)
}

test_denied_build_supports_fine_tune_when_a_fine_tune_gate_fired if {
	inp := patch(approved_build, [
		["/memo/build/model_is_product", false],
		["/evidence/usage_log", usage],
	])
	doc := decision.decision with input as inp
		with data.fmgate.config as org
		with data.fmgate.repository as repository
	doc.allowed == false
	doc.supported == "fine-tune"
	ids(doc) == ["BUILD-STRATEGIC"]
}

test_build_without_rejected_fine_tune_is_denied if {
	doc := decision.decision with input as approved_build with data.fmgate.config as org
	doc.allowed == false
	ids(doc) == ["BUILD-FT-REJECTED"]
}

# --- failing closed -------------------------------------------------------

test_invalid_evidence_never_approves if {
	inp := patch(cost_fine_tune, [
		["/evidence/usage_log/valid", false],
		["/evidence/usage_log/errors", ["calls column missing"]],
	])
	doc := decision.decision with input as inp with data.fmgate.config as org
	doc.allowed == false
	"MEMO-EVIDENCE-MISSING" in ids(doc)
	some v in doc.violations
	v.id == "MEMO-EVIDENCE-MISSING"
	contains(v.message, "calls column missing")
}

test_invalid_evidence_that_is_not_required_still_cannot_fire_a_gate if {
	inp := patch(cost_fine_tune, [["/memo/gates_claimed", []], ["/evidence/usage_log/valid", false]])
	doc := decision.decision with input as inp with data.fmgate.config as org
	doc.allowed == false
	ids(doc) == ["FT-NO-GATE"]
}

test_missing_measurements_never_approve if {
	inp := json.remove(cost_fine_tune, ["evidence/usage_log/measurements"])
	doc := decision.decision with input as inp with data.fmgate.config as org
	doc.allowed == false
}

test_missing_single_measurement_never_approves if {
	inp := json.remove(cost_fine_tune, ["evidence/usage_log/measurements/unstable_quarters"])
	doc := decision.decision with input as inp with data.fmgate.config as org
	doc.allowed == false
	ids(doc) == ["FT-COST-STABILITY", "FT-NO-GATE"]
}

test_unknown_verb_is_never_approved if {
	inp := patch(approved_buy, [["/memo/decision", "distil"]])
	doc := decision.decision with input as inp with data.fmgate.config as org
	doc.allowed == false
	doc.requested == "distil"
	doc.supported == "buy"
	ids(doc) == ["MEMO-FIELDS"]
}

test_empty_input_is_denied if {
	doc := decision.decision with input as {} with data.fmgate.config as org
	doc.allowed == false
	doc.memo_id == null
	doc.requested == null
	doc.supported == "buy"
}

test_no_config_denies_everything if {
	doc := decision.decision with input as approved_buy
	doc.allowed == false
	ids(doc) == ["MEMO-OWNER", "MEMO-REVIEW"]
}

test_stale_evidence_denies_a_proposal if {
	inp := patch(cost_fine_tune, [["/now", "2027-03-01"]])
	doc := decision.decision with input as inp with data.fmgate.config as org
	doc.allowed == false
	ids(doc) == ["MEMO-EVIDENCE-STALE", "MEMO-EVIDENCE-STALE", "MEMO-EVIDENCE-STALE", "MEMO-EVIDENCE-STALE"]
}

# --- re-litigation and ordering -------------------------------------------

test_approved_fine_tune_due_for_relitigation_is_denied if {
	inp := patch(cost_fine_tune, [
		["/memo/status", "approved"],
		["/now", "2027-03-01"],
		["/memo/engineering_started", "2026-12-01"],
	])
	doc := decision.decision with input as inp with data.fmgate.config as org
	doc.allowed == false
	ids(doc) == ["RELIT-DUE"]
	doc.relitigation.due == true
	doc.relitigation.next_due == "2027-01-20"
	count(doc.relitigation.reasons) == 1
}

test_approved_buy_at_volume_gets_a_warning if {
	inp := patch(approved_buy, [["/memo/status", "approved"], ["/evidence/usage_log", usage]])
	doc := decision.decision with input as inp with data.fmgate.config as org
	doc.allowed == true
	warning_ids(doc) == ["RELIT-BUY-VOLUME"]
	doc.relitigation.due == false
	count(doc.relitigation.reasons) == 1
}

test_violations_are_sorted_by_id_then_message if {
	memo := object.union(object.remove(buy_memo, ["title", "workload"]), {"owner": "x, y", "reviewers": []})
	doc := decision.decision with input as {"memo": memo} with data.fmgate.config as org
	pairs := [[v.id, v.message] | some v in doc.violations]
	pairs == sort(pairs)
	ids(doc) == ["MEMO-FIELDS", "MEMO-FIELDS", "MEMO-OWNER", "MEMO-REVIEW"]
}

test_memo_id_from_path_when_id_is_missing if {
	inp := json.remove(approved_buy, ["memo/id"])
	decision.decision.memo_id == "ticket-triage" with input as inp with data.fmgate.config as org
}

test_provenance_findings_deny_an_otherwise_approved_memo if {
	inp := object.union(cost_fine_tune, {"provenance": {
		"checked": true, "policy_source": "base", "policies_changed": false,
		"tampered": [{"kind": "usage_log", "evidence": "evidence/ticket-triage/usage_log.json", "fields": ["measurements"]}],
	}})
	doc := decision.decision with input as inp with data.fmgate.config as org
	doc.allowed == false
	doc.supported == "buy"
	ids(doc) == ["PROV-TAMPER"]
	doc.violations[0].gate == "provenance"
}

# --- batches --------------------------------------------------------------

test_batch_gives_each_entry_its_own_decision if {
	denied_buy := patch(approved_buy, [["/memo/owner", null]])
	entries := [approved_buy, cost_fine_tune, denied_buy, approved_buy]
	docs := decision.decisions with input as {"batch": entries} with data.fmgate.config as org
	count(docs) == 4
	every i, entry in entries {
		docs[i] == decision.decision with input as entry with data.fmgate.config as org
	}
	[d.outcome | some d in docs] == ["approved", "approved", "denied", "approved"]
}

test_empty_batch if {
	decision.decisions with input as {"batch": []} with data.fmgate.config as org
	count(decision.decisions) == 0 with input as {"batch": []}
}

test_no_batch_is_undefined if {
	not decision.decisions with input as approved_buy with data.fmgate.config as org
}
