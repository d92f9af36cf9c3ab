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

well_formed("id", v) if {
	is_string(v)
	regex.match(`^[a-z0-9]+(-[a-z0-9]+)*$`, v)
}

well_formed("title", v) if non_empty(v)

well_formed("workload", v) if non_empty(v)

well_formed("workload_shape", v) if v in workload_shapes

well_formed("decision", v) if v in facts.verbs

well_formed("status", v) if v in facts.statuses

well_formed("date", v) if is_date(v)

well_formed("proposer", v) if {
	non_empty(v.team)
	v.type in {"in-house", "agency"}
}

well_formed("rationale_tags", v) if {
	is_array(v)
	every tag in v {
		tag in rationale_vocabulary
	}
}

well_formed("gates_claimed", v) if {
	is_array(v)
	every gate in v {
		gate in facts.gate_names
	}
}

well_formed("engineering_started", v) if is_date(v)

well_formed("supersedes", v) if non_empty(v)

well_formed("reviewers", v) if {
	is_array(v)
	every r in v {
		is_string(r)
	}
}

well_formed("evidence", v) if is_object(v)

well_formed("domain", v) if is_object(v)

non_empty(v) if {
	is_string(v)
	trim_space(v) != ""
}

is_date(v) if {
	is_string(v)
	regex.match(`^\d{4}-\d{2}-\d{2}$`, v)
	is_number(time.parse_ns("2006-01-02", v))
}

field_problems contains [field, msg, null] if {
	some field in config.defaults.required_fields
	object.get(front_matter, field, null) == null
	msg := sprintf("the memo has no %s", [field])
}

field_problems contains [field, msg, value] if {
	some field, expected in expectations
	value := front_matter[field]
	value != null
	not well_formed(field, value)
	msg := sprintf("%s should be %s, not %s", [field, expected, json.marshal(value)])
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
