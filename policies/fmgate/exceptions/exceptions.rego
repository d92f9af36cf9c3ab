# METADATA
# title: Exceptions
# description: |
#   Time-limited waivers, one governance-owned file each under exceptions/, pushed as
#   data.fmgate.exception_files: which rules of which memo are waived, why, by whom, until when. An
#   exception that is malformed, approved by someone not allowed to, too long, or aimed at an
#   unwaivable rule waives nothing and is itself a denial (EXC-INVALID); one past its expiry date
#   waives nothing any more (EXC-EXPIRED); one close to it warns (WARN-EXC-EXPIRING).
package fmgate.exceptions

import data.fmgate.lib.config
import data.fmgate.lib.facts
import data.fmgate.lib.findings

# the exception files keyed by path (data.fmgate.exception_files)
default _all := {}

_all := {path: e | some path, e in data.fmgate.exception_files; is_object(e)} if is_object(data.fmgate.exception_files)

# the exceptions (their paths) that name the memo under decision
_mine := [i | some i, e in _all; e.memo == facts.memo_id]

_approvers contains lower(trim_space(n)) if {
	some n in object.get(config.settings, "exception_approvers", [])
	is_string(n)
}

_proposers contains lower(trim_space(n)) if {
	some n in [object.get(facts.memo, ["proposer", "person"], null), object.get(input, ["pull_request", "author"], null)]
	is_string(n)
}

_unwaivable(rule) if {
	some pattern in data.fmgate.defaults.unwaivable_rules
	glob.match(pattern, [], rule)
}

# a text field with something in it; undefined when absent or blank
_text(e, key) := t if {
	is_string(e[key])
	t := trim_space(e[key])
	t != ""
}

_waives(e) := [r | some r in e.waives; is_string(r)] if is_array(e.waives)

# _problems lists what makes an exception (by its path) invalid; an invalid one waives nothing
_problems(i) := sort([p | some p in object.get(_problem_sets, i, set())])

_problem_sets[i] contains "it waives no rule (waives: a list of rule IDs)" if {
	some i, e in _all
	count(object.get(e, "waives", [])) == 0
}

_problem_sets[i] contains "waives is not a list of rule IDs" if {
	some i, e in _all
	not is_array(object.get(e, "waives", []))
}

_problem_sets[i] contains sprintf("%s cannot be waived", [r]) if {
	some i, e in _all
	some r in _waives(e)
	_unwaivable(r)
}

_problem_sets[i] contains "it has no justification" if {
	some i, e in _all
	not _text(e, "justification")
}

_problem_sets[i] contains "it names no ticket or link" if {
	some i, e in _all
	not _text(e, "ticket")
}

_problem_sets[i] contains "granted and expires must be dates (YYYY-MM-DD)" if {
	some i, e in _all
	not facts.day(object.get(e, "granted", null))
}

_problem_sets[i] contains "granted and expires must be dates (YYYY-MM-DD)" if {
	some i, e in _all
	not facts.day(object.get(e, "expires", null))
}

_problem_sets[i] contains msg if {
	some i, e in _all
	term := facts.day(e.expires) - facts.day(e.granted)
	not findings.at_most(term, config.thresholds.exception_max_days)
	msg := sprintf(
		"it runs %d days, longer than exception_max_days (%s)",
		[term, findings.show(config.thresholds.exception_max_days)],
	)
}

_problem_sets[i] contains "it was approved by nobody (approved_by)" if {
	some i, e in _all
	not _text(e, "approved_by")
}

_problem_sets[i] contains msg if {
	some i, e in _all
	approver := lower(_text(e, "approved_by"))
	not approver in _approvers
	msg := sprintf(
		"%s is not one of the organisation's exception_approvers (%s)",
		[e.approved_by, findings.listing(_approvers)],
	)
}

_problem_sets[i] contains msg if {
	some i, e in _all
	approver := lower(_text(e, "approved_by"))
	approver in _proposers
	msg := sprintf("%s proposed the memo and cannot approve an exception to it", [e.approved_by])
}

# _state of an exception at input.now: invalid, expired (from the day after its expiry date), expiring, active
_state(i) := "invalid" if {
	count(_problems(i)) > 0
} else := "expired" if {
	facts.now_day > facts.day(_all[i].expires)
} else := "expiring" if {
	facts.day(_all[i].expires) - facts.now_day < config.thresholds.exception_warn_days
} else := "active"

_view(i) := {
	"id": object.get(e, "id", null), "path": object.get(e, "path", null), "memo": object.get(e, "memo", null),
	"waives": object.get(e, "waives", []), "approved_by": object.get(e, "approved_by", null),
	"ticket": object.get(e, "ticket", null), "expires": object.get(e, "expires", null),
	"state": _state(i), "problems": _problems(i),
} if {
	e := _all[i]
}

# METADATA
# title: Exceptions of the memo
# description: |
#   What the decision document shows of the memo's exceptions: each one that names the memo, with
#   its state at input.now (invalid, expired, expiring, active) and its problems.
summary := [_view(i) | some i in _mine]

# METADATA
# title: Waived rule IDs
# description: |
#   The rule IDs that an exception in force (active or expiring, and valid) waives for this memo;
#   unwaivable rules are never among them.
waived_ids contains r if {
	some i in _mine
	_state(i) in {"active", "expiring"}
	some r in _waives(_all[i])
	not _unwaivable(r)
}

# METADATA
# title: Exception is valid
# description: |
#   An exception must name the rules it waives, a justification and a ticket, be approved by someone
#   in exception_approvers who did not propose the memo, run no longer than exception_max_days from
#   the day granted, and waive no rule in unwaivable_rules (every PROV rule, MEMO-FIELDS, the EXC rules).
# custom:
#   id: EXC-INVALID
#   gate: exceptions
#   severity: deny
#   fix: Correct the exception file (approver, term, justification, ticket, rules) or remove it.
violations contains v if {
	some i in _mine
	count(_problems(i)) > 0
	msg := sprintf("exception %s waives nothing: %s", [object.get(_all[i], "path", "?"), concat("; ", _problems(i))])
	v := findings.finding(rego.metadata.rule(), msg, _problems(i), [])
}

# METADATA
# title: Exception not expired
# description: |
#   An exception waives its rules up to and including its expiry date; from the day after, the
#   violations it waived count again and this rule says which exception ran out.
# custom:
#   id: EXC-EXPIRED
#   gate: exceptions
#   severity: deny
#   fix: Fix what the exception waived, or have an exception approver grant a new one.
violations contains v if {
	some i in _mine
	_state(i) == "expired"
	e := _all[i]
	msg := sprintf("exception %s expired on %s; the rules it waived (%s) count again", [
		object.get(e, "path", "?"), e.expires, findings.listing(_waives(e)),
	])
	v := findings.finding(rego.metadata.rule(), msg, e.expires, facts.date(facts.now_day))
}

# METADATA
# title: Exception about to expire
# description: An exception the memo relies on expires within exception_warn_days.
# custom:
#   id: WARN-EXC-EXPIRING
#   gate: exceptions
#   severity: warn
#   fix: Fix what the exception waives before it expires, or ask for a new one in time.
warnings contains w if {
	some i in _mine
	_state(i) == "expiring"
	e := _all[i]
	days := facts.day(e.expires) - facts.now_day
	msg := sprintf("exception %s expires on %s, in %d days", [object.get(e, "path", "?"), e.expires, days])
	w := findings.finding(rego.metadata.rule(), msg, e.expires, config.thresholds.exception_warn_days)
}

# METADATA
# title: Every exception's state
# description: |
#   For relitigate and the register: each exception on record with its state at input.now
#   (invalid, expired, expiring, active) and its problems.
# entrypoint: true
report := [_view(path) | some path in sort(object.keys(_all))]
