# The memo among the other memos and its evidence (MEMO-CONFLICT, MEMO-EVIDENCE-*).
package fmgate.memo

import data.fmgate.lib.config
import data.fmgate.lib.evidence
import data.fmgate.lib.facts
import data.fmgate.lib.findings

# --- MEMO-CONFLICT --------------------------------------------------------

_deciding_statuses := {"proposed", "approved"}

# other memos that decide the same workload while this one is active, with neither replacing the other
_rivals contains other_id if {
	facts.active
	is_string(_front_matter.workload)
	trim_space(_front_matter.workload) != ""
	some key in config.memos_for_workload(_front_matter.workload)
	other := config.repository_memos[key]
	other_id := object.get(other, "id", key)
	other_id != facts.memo_id
	not _same_file(other)
	other.workload == _front_matter.workload
	other.status in _deciding_statuses
	object.get(_front_matter, "supersedes", null) != other_id
	object.get(other, "supersedes", null) != facts.memo_id
}

_same_file(other) if {
	is_string(other.path)
	other.path == _front_matter.path
}

# METADATA
# title: One decision per workload
# description: |
#   No other proposed or approved memo may decide the same workload unless one of the two
#   supersedes the other. A workload has one owner and one decision at a time.
# custom:
#   id: MEMO-CONFLICT
#   gate: memo
#   severity: deny
#   fix: Set supersedes to the memo this one replaces, or retire or reject the competing memo.
_conflict_violations contains v if {
	some other_id in _rivals
	other := object.get(config.repository_memos, other_id, {})
	msg := sprintf(
		"memo %s (%s) also decides workload %s and neither memo supersedes the other",
		[other_id, object.get(other, "status", "active"), _front_matter.workload],
	)
	v := findings.finding(rego.metadata.rule(), msg, other_id, "no other active memo for this workload")
}

# --- MEMO-EVIDENCE-MISSING ------------------------------------------------

# _needed_by[kind] names why the kind is needed: the requested verb and the claimed gates
_needed_by[kind] contains sprintf("a %s memo", [facts.verb]) if {
	some kind in config.defaults.required_evidence.verbs[facts.verb]
}

_needed_by[kind] contains sprintf("the %s gate", [gate]) if {
	some gate in facts.claimed
	some kind in config.defaults.required_evidence.gates[gate]
}

# what the evidence document itself says, for the documents that exist
_evidence_states[kind] := {"valid": object.get(d, "valid", null), "errors": object.get(d, "errors", [])} if {
	some kind, d in evidence.docs
}

# METADATA
# title: Evidence present and valid
# description: |
#   Every evidence kind that the requested verb and the claimed gates need must be present as
#   evidence/<memo-id>/<kind>.json, marked valid by its notebook, with measurements.
# custom:
#   id: MEMO-EVIDENCE-MISSING
#   gate: memo
#   severity: deny
#   fix: List the input under evidence in the memo, run its notebook, fix any reported errors and commit the JSON.
_evidence_missing_violations contains v if {
	some kind, reasons in _needed_by
	not kind in evidence.usable
	msg := sprintf("%s evidence is needed by %s, but %s", [kind, concat(" and ", sort(reasons)), evidence.problems[kind]])
	v := findings.finding(rego.metadata.rule(), msg, object.get(_evidence_states, kind, null), evidence.file[kind])
}

# --- MEMO-EVIDENCE-STALE --------------------------------------------------

_max_age := config.thresholds.evidence_max_age_days

# evidence whose age matters: all usable evidence of a fine-tune or build (any of it can fire a gate),
# and for other memos the evidence their verb or claimed gates need
_dated contains kind if {
	not facts.verb == "buy"
	some kind in evidence.usable
}

_dated contains kind if {
	some kind in evidence.usable
	_needed_by[kind]
}

# _age_days[kind] is how many days before the evaluation date the evidence was produced (null when unknown)
_age_days[kind] := _days_before(facts.now_day, generated_at) if {
	some kind in _dated
	generated_at := object.get(input.evidence[kind], ["provenance", "generated_at"], null)
}

_days_before(now, timestamp) := now - generated if {
	generated := facts.day(timestamp)
} else := null

# _fresh holds the kinds whose age is known and within the window (findings.at_most, inlined: it
# would be called once per kind)
_fresh contains kind if {
	is_number(_max_age)
	some kind, age in _age_days
	is_number(age)
	age <= _max_age
}

# METADATA
# title: Evidence fresh
# description: |
#   Evidence of a memo that is not yet approved must have been produced no longer ago than the
#   freshness window (evidence_max_age_days) before the evaluation date. Approved memos are kept
#   honest by re-litigation instead, and a buy memo's optional evidence cannot change its outcome.
# custom:
#   id: MEMO-EVIDENCE-STALE
#   gate: memo
#   severity: deny
#   fix: Re-run the evidence notebooks for this memo and commit the regenerated JSON.
_evidence_stale_violations contains v if {
	not facts.approved
	some kind, age in _age_days
	not kind in _fresh
	msg := _stale_message(evidence.file[kind], age, _max_age)
	v := findings.finding(rego.metadata.rule(), msg, age, _max_age)
}

_stale_message(file, null, _) := sprintf("%s does not say when it was produced (provenance.generated_at)", [file])

_stale_message(file, age, limit) := sprintf(
	"%s was produced %s days before the evaluation date; evidence may be at most %s days old",
	[file, findings.show(age), findings.show(limit)],
) if {
	age != null
}
