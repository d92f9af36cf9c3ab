# METADATA
# title: Evidence documents
# description: |
#   Access to the evidence documents in input.evidence. A document is usable only when
#   it says valid: true, carries a measurements object and belongs to this memo;
#   everything else is reported with a reason a proposer can act on.
package fmgate.lib.evidence

import data.fmgate.lib.config
import data.fmgate.lib.facts

# the evidence kinds of docs/policy-input.md, plus any kind an organisation adds to required_evidence
kinds contains kind if some kind in {
	"eval_set",
	"prompting_log",
	"usage_log",
	"head_to_head",
	"cost_model",
	"domain_data",
	"corpus_manifest",
}

kinds contains kind if {
	some group in ["verbs", "gates"]
	some list in config.defaults.required_evidence[group]
	some kind in list
}

# docs keeps the evidence entries that are objects; anything else counts as absent
docs[kind] := d if {
	some kind, d in input.evidence
	is_object(d)
}

# kinds whose evidence document exists but was produced for another memo
foreign contains kind if {
	some kind, d in docs
	is_string(d.memo_id)
	d.memo_id != facts.memo_id
}

usable contains kind if {
	some kind, d in docs
	d.valid == true
	is_object(d.measurements)
	not kind in foreign
}

# measurements[kind] is defined only for usable documents
measurements[kind] := docs[kind].measurements if some kind in usable

default folder := "evidence/<memo-id>"

folder := sprintf("evidence/%s", [facts.memo_id]) if is_string(facts.memo_id)

file[kind] := sprintf("%s/%s.json", [folder, kind]) if some kind in kinds

# problems[kind] explains why a kind of evidence cannot be used; it is defined for every kind that is not usable
problems[kind] := msg if {
	some kind in kinds
	not docs[kind]
	not listed(kind)
	msg := sprintf(
		"the memo's evidence map has no %s entry, so %s was never produced",
		[kind, file[kind]],
	)
}

problems[kind] := msg if {
	some kind in kinds
	not docs[kind]
	listed(kind)
	msg := sprintf("%s is missing; run the %s notebook for this memo", [file[kind], kind])
}

problems[kind] := msg if {
	some kind, d in docs
	object.get(d, "valid", null) != true
	msg := sprintf("%s is not valid: %s", [file[kind], reasons(d)])
}

problems[kind] := msg if {
	some kind, d in docs
	d.valid == true
	not is_object(object.get(d, "measurements", null))
	msg := sprintf("%s has no measurements object", [file[kind]])
}

problems[kind] := msg if {
	some kind in foreign
	docs[kind].valid == true
	is_object(docs[kind].measurements)
	msg := sprintf("%s was produced for memo %v, not for this one", [file[kind], docs[kind].memo_id])
}

listed(kind) if facts.memo.evidence[kind]

# reasons joins the errors an evidence document reports
reasons(d) := concat("; ", [e | some e in d.errors; is_string(e)]) if {
	some e in d.errors
	is_string(e)
} else := "it reports no errors, but it is not marked valid"
