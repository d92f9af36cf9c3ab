package fmgate.relitigation_test

import data.fmgate.relitigation

envelope(kind, measurements) := {
	"kind": kind, "memo_id": "triage", "valid": true, "errors": [],
	"measurements": measurements,
}

bench := envelope("head_to_head", {
	"run_date": "2026-10-20",
	"useful_task_score": 0.5,
	"systems": {
		"candidate": {"mean_score": 0.9, "useful_tasks": 200, "cost_per_useful_task": 0.01},
		"buy": {"mean_score": 0.88, "useful_tasks": 200, "cost_per_useful_task": 0.2},
	},
})

# an approved fine-tune evaluated 35 days after its last benchmark
approved := {
	"memo": {"id": "triage", "decision": "fine-tune", "status": "approved"},
	"now": "2026-11-24",
	"evidence": {"head_to_head": bench},
}

patched(ops) := json.patch(approved, [{"op": "add", "path": p, "value": v} | some [p, v] in ops])

ids contains f.id if some f in (relitigation.violations | relitigation.warnings)

test_recent_benchmark_is_not_due if {
	not relitigation._due with input as approved
	relitigation._next_due == "2027-01-20" with input as approved
	count(relitigation.violations) == 0 with input as approved
	relitigation.summary == {"due": false, "next_due": "2027-01-20", "reasons": []} with input as approved
}

test_benchmark_91_days_old_is_not_due if {
	not relitigation._due with input as patched([["/now", "2027-01-19"]])
}

test_benchmark_92_days_old_is_due if {
	inp := patched([["/now", "2027-01-20"]])
	relitigation._due with input as inp
	some v in relitigation.violations with input as inp
	v.id == "RELIT-DUE"
	v.gate == "relitigation"
	v.observed == 92
	v.required == 92
	contains(v.message, "ran 92 days ago")
}

test_benchmark_93_days_old_is_due if {
	relitigation._due with input as patched([["/now", "2027-01-21"]])
}

test_approved_build_is_relitigated_too if {
	relitigation._due with input as patched([["/now", "2027-06-01"], ["/memo/decision", "build"]])
}

test_relitigation_window_override if {
	cfg := {"thresholds": {"relitigation_days": 30}}
	relitigation._due with input as approved with data.fmgate.config as cfg
	relitigation._next_due == "2026-11-19" with input as approved with data.fmgate.config as cfg
}

test_approved_memo_without_benchmark_is_due if {
	inp := json.remove(approved, ["evidence/head_to_head"])
	relitigation._due with input as inp
	relitigation._next_due == null with input as inp
	some v in relitigation.violations with input as inp
	v.observed == null
	contains(v.message, "no usable head-to-head")
}

test_invalid_benchmark_counts_as_none if {
	relitigation._due with input as patched([["/evidence/head_to_head/valid", false]])
}

test_proposed_memo_is_never_due if {
	inp := patched([["/memo/status", "proposed"], ["/now", "2028-01-01"]])
	not relitigation._due with input as inp
	relitigation._next_due == "2027-01-20" with input as inp
}

test_buy_memo_has_no_next_due if {
	relitigation._next_due == null with input as patched([["/memo/decision", "buy"]])
}

# RELIT-BUY-WINS

buy_wins := [
	["/evidence/head_to_head/measurements/systems/buy/mean_score", 0.95],
	["/evidence/head_to_head/measurements/systems/buy/cost_per_useful_task", 0.01],
]

test_buy_now_winning_reverts_the_decision if {
	inp := patched(buy_wins)
	some v in relitigation.violations with input as inp
	v.id == "RELIT-BUY-WINS"
	v.observed.buy == {"mean_score": 0.95, "cost_per_useful_task": 0.01}
	contains(v.message, "buy alternative at 0.95 quality")
	not relitigation._due with input as inp
	relitigation.summary.reasons == [v.message] with input as inp
}

test_candidate_still_winning_is_fine if {
	not "RELIT-BUY-WINS" in ids with input as approved
}

test_buy_winning_on_a_proposed_memo_is_not_relitigation if {
	not "RELIT-BUY-WINS" in ids with input as patched(array.concat(buy_wins, [["/memo/status", "proposed"]]))
}

# RELIT-BUY-VOLUME

bought(calls) := {
	"memo": {"id": "triage", "decision": "buy", "status": "approved"},
	"now": "2026-11-24",
	"evidence": {"usage_log": envelope("usage_log", {"median_daily_calls": calls})},
}

test_bought_workload_at_volume_threshold_warns if {
	some w in relitigation.warnings with input as bought(10000000)
	w.id == "RELIT-BUY-VOLUME"
	w.observed == 10000000
	w.required == 10000000
	contains(w.message, "10,000,000 calls a day")
	not relitigation._due with input as bought(10000000)
}

test_bought_workload_above_volume_threshold_warns if {
	"RELIT-BUY-VOLUME" in ids with input as bought(10000001)
}

test_bought_workload_below_volume_threshold_is_quiet if {
	not "RELIT-BUY-VOLUME" in ids with input as bought(9999999)
}

test_volume_warning_only_for_approved_buys if {
	inp := json.patch(bought(20000000), [{"op": "add", "path": "/memo/status", "value": "proposed"}])
	not "RELIT-BUY-VOLUME" in ids with input as inp
}

test_volume_warning_follows_threshold_override if {
	cfg := {"thresholds": {"cost_volume_calls_per_day": 20000000}}
	not "RELIT-BUY-VOLUME" in ids with input as bought(10000000) with data.fmgate.config as cfg
}
