# METADATA
# title: Memo rules (every verb)
# description: |
#   A decision memo must be complete before any verb is approved: its fields well formed, one
#   decision owner, enough senior reviews, every verb weighed against a named buy alternative,
#   the workload's dimensions recorded, no competing decision for the workload, and fresh,
#   valid evidence for what it asks. Violations deny; warnings only inform.
package fmgate.memo

import data.fmgate.lib.config
import data.fmgate.lib.facts
import data.fmgate.lib.findings

_front_matter := facts.memo

# METADATA
# title: Memo violations
# description: Every memo finding that denies, whatever the verb (the MEMO-* rules).
violations := union({
	_fields_violations,
	_owner_violations,
	_review_violations,
	_candidates_violations,
	_buy_alternative_violations,
	_dimensions_violations,
	_conflict_violations,
	_evidence_missing_violations,
	_evidence_stale_violations,
})

# METADATA
# title: Memo warnings
# description: The memo findings that only inform (WARN-DIMENSIONS-BUY, WARN-COST-PROJECTION).
warnings := _dimensions_buy_warnings | _cost_projection_warnings

# --- MEMO-FIELDS ----------------------------------------------------------

_rationale_vocabulary := {
	"cost", "quality", "latency", "domain", "compliance", "data-residency",
} | config.strategic_tags

_workload_shapes := {"standard"} | config.exempt_shapes

# what a well-formed value looks like, for every field this package validates
_expectations := {
	"id": "a lowercase kebab-case string",
	"title": "a non-empty string",
	"workload": "a non-empty string",
	"workload_shape": sprintf("one of %s", [findings.listing(_workload_shapes)]),
	"decision": "one of buy, fine-tune, build",
	"status": sprintf("one of %s", [findings.listing(facts.statuses)]),
	"date": "a YYYY-MM-DD date",
	"proposer": "an object with a team and a type (in-house or agency)",
	"rationale_tags": sprintf("a list drawn from %s", [findings.listing(_rationale_vocabulary)]),
	"gates_claimed": "a list drawn from cost_at_scale, domain_expertise, build",
	"engineering_started": "a YYYY-MM-DD date, or null",
	"supersedes": "a memo id, or null",
	"reviewers": "a list of names",
	"evidence": "an object mapping evidence kinds to input files",
	"domain": "an object",
}

_non_empty(v) if {
	is_string(v)
	trim_space(v) != ""
}

_is_date(v) if {
	is_string(v)
	regex.match(`^\d{4}-\d{2}-\d{2}$`, v)
	is_number(time.parse_ns("2006-01-02", v))
}

# _malformed holds the fields that are present and not null but do not have the form that
# _expectations describes. Fields that share a test share a rule body: every decision evaluates
# all of them, so a few bodies that iterate are cheaper than one function call per field.
_malformed contains "id" if {
	v := _front_matter.id
	v != null
	not _kebab_case(v)
}

_malformed contains field if {
	some field in ["title", "workload", "supersedes"]
	v := _front_matter[field]
	v != null
	not _non_empty(v)
}

_malformed contains field if {
	some field, allowed in {"workload_shape": _workload_shapes, "decision": facts.verbs, "status": facts.statuses}
	v := _front_matter[field]
	v != null
	not v in allowed
}

_malformed contains field if {
	some field in ["date", "engineering_started"]
	v := _front_matter[field]
	v != null
	not _is_date(v)
}

_malformed contains "proposer" if {
	v := _front_matter.proposer
	v != null
	not _well_formed_proposer(v)
}

_malformed contains field if {
	some field, allowed in {"rationale_tags": _rationale_vocabulary, "gates_claimed": facts.gate_names}
	v := _front_matter[field]
	v != null
	not _every_in(v, allowed)
}

_malformed contains "reviewers" if {
	v := _front_matter.reviewers
	v != null
	not _strings_only(v)
}

_malformed contains field if {
	some field in ["evidence", "domain"]
	v := _front_matter[field]
	v != null
	not is_object(v)
}

_kebab_case(v) if {
	is_string(v)
	regex.match(`^[a-z0-9]+(-[a-z0-9]+)*$`, v)
}

_well_formed_proposer(v) if {
	_non_empty(v.team)
	v.type in {"in-house", "agency"}
}

# _every_in holds for a list whose items are all in allowed
_every_in(v, allowed) if {
	is_array(v)
	every item in v {
		item in allowed
	}
}

_strings_only(v) if {
	is_array(v)
	every r in v {
		is_string(r)
	}
}

_field_problems contains [field, msg, null] if {
	some field in config.defaults.required_fields
	object.get(_front_matter, field, null) == null
	msg := sprintf("the memo has no %s", [field])
}

_field_problems contains [field, msg, value] if {
	some field in _malformed
	value := _front_matter[field]
	msg := sprintf("%s should be %s, not %s", [field, _expectations[field], json.marshal(value)])
}

_field_problems contains ["buy_alternative.deployment", msg, value] if {
	value := _front_matter.buy_alternative.deployment
	not value in {"public-api", "vpc", "self-hosted"}
	msg := sprintf("buy_alternative.deployment should be public-api, vpc or self-hosted, not %s", [json.marshal(value)])
}

# METADATA
# title: Memo fields complete and well formed
# description: |
#   Every required front-matter field (see required_fields in policies/data.json) must be present,
#   and every field the policies read must have the documented form (spec/memo.md).
# custom:
#   id: MEMO-FIELDS
#   gate: memo
#   severity: deny
#   fix: Add or correct the named front-matter field as described in spec/memo.md.
_fields_violations contains v if {
	some [field, msg, value] in _field_problems
	v := findings.finding(rego.metadata.rule(), msg, value, object.get(_expectations, field, "present"))
}
