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

front_matter := facts.memo

# every memo finding that denies, whatever the verb
violations := union({
	fields_violations,
	owner_violations,
	review_violations,
	candidates_violations,
	buy_alternative_violations,
	dimensions_violations,
	conflict_violations,
	evidence_missing_violations,
	evidence_stale_violations,
})

# memo findings that only inform
warnings := dimensions_buy_warnings | cost_projection_warnings

# --- MEMO-FIELDS ----------------------------------------------------------

rationale_vocabulary := {"cost", "quality", "latency", "domain", "compliance", "data-residency"} | config.strategic_tags

workload_shapes := {"standard"} | config.exempt_shapes

# what a well-formed value looks like, for every field this package validates
expectations := {
	"id": "a lowercase kebab-case string",
	"title": "a non-empty string",
	"workload": "a non-empty string",
	"workload_shape": sprintf("one of %s", [findings.listing(workload_shapes)]),
	"decision": "one of buy, fine-tune, build",
	"status": sprintf("one of %s", [findings.listing(facts.statuses)]),
	"date": "a YYYY-MM-DD date",
	"proposer": "an object with a team and a type (in-house or agency)",
	"rationale_tags": sprintf("a list drawn from %s", [findings.listing(rationale_vocabulary)]),
	"gates_claimed": "a list drawn from cost_at_scale, domain_expertise, build",
	"engineering_started": "a YYYY-MM-DD date, or null",
	"supersedes": "a memo id, or null",
	"reviewers": "a list of names",
	"evidence": "an object mapping evidence kinds to input files",
	"domain": "an object",
}

non_empty(v) if {
	is_string(v)
	trim_space(v) != ""
}

is_date(v) if {
	is_string(v)
	regex.match(`^\d{4}-\d{2}-\d{2}$`, v)
	is_number(time.parse_ns("2006-01-02", v))
}

# malformed holds the fields that are present and not null but do not have the form that
# expectations describes. Fields that share a test share a rule body: every decision evaluates
# all of them, so a few bodies that iterate are cheaper than one function call per field.
malformed contains "id" if {
	v := front_matter.id
	v != null
	not kebab_case(v)
}

malformed contains field if {
	some field in ["title", "workload", "supersedes"]
	v := front_matter[field]
	v != null
	not non_empty(v)
}

malformed contains field if {
	some field, allowed in {"workload_shape": workload_shapes, "decision": facts.verbs, "status": facts.statuses}
	v := front_matter[field]
	v != null
	not v in allowed
}

malformed contains field if {
	some field in ["date", "engineering_started"]
	v := front_matter[field]
	v != null
	not is_date(v)
}

malformed contains "proposer" if {
	v := front_matter.proposer
	v != null
	not well_formed_proposer(v)
}

malformed contains field if {
	some field, allowed in {"rationale_tags": rationale_vocabulary, "gates_claimed": facts.gate_names}
	v := front_matter[field]
	v != null
	not every_in(v, allowed)
}

malformed contains "reviewers" if {
	v := front_matter.reviewers
	v != null
	not strings_only(v)
}

malformed contains field if {
	some field in ["evidence", "domain"]
	v := front_matter[field]
	v != null
	not is_object(v)
}

kebab_case(v) if {
	is_string(v)
	regex.match(`^[a-z0-9]+(-[a-z0-9]+)*$`, v)
}

well_formed_proposer(v) if {
	non_empty(v.team)
	v.type in {"in-house", "agency"}
}

# every_in holds for a list whose items are all in allowed
every_in(v, allowed) if {
	is_array(v)
	every item in v {
		item in allowed
	}
}

strings_only(v) if {
	is_array(v)
	every r in v {
		is_string(r)
	}
}

field_problems contains [field, msg, null] if {
	some field in config.defaults.required_fields
	object.get(front_matter, field, null) == null
	msg := sprintf("the memo has no %s", [field])
}

field_problems contains [field, msg, value] if {
	some field in malformed
	value := front_matter[field]
	msg := sprintf("%s should be %s, not %s", [field, expectations[field], json.marshal(value)])
}

field_problems contains ["buy_alternative.deployment", msg, value] if {
	value := front_matter.buy_alternative.deployment
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
fields_violations contains v if {
	some [field, msg, value] in field_problems
	v := findings.finding(rego.metadata.rule(), msg, value, object.get(expectations, field, "present"))
}
