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
_kinds contains kind if some kind in {
	"eval_set",
	"prompting_log",
	"usage_log",
	"head_to_head",
	"cost_model",
	"domain_data",
	"corpus_manifest",
}

_kinds contains kind if {
	some group in ["verbs", "gates"]
	some list in config.defaults.required_evidence[group]
	some kind in list
}

# METADATA
# title: Evidence documents by kind
# description: |
#   The evidence documents of input.evidence by kind, keeping those that are objects; anything
#   else counts as absent.
docs[kind] := d if {
	some kind, d in input.evidence
	is_object(d)
}

# METADATA
# title: Usable evidence kinds
# description: |
#   The kinds whose document says valid: true, carries a measurements object and belongs to this
#   memo. It reads input.evidence directly rather than through docs: every decision needs it, and
#   iterating the input is cheaper than building the docs object first.
usable contains kind if {
	some kind, d in input.evidence
	d.valid == true
	is_object(d.measurements)
	_own_memo(object.get(d, "memo_id", null), facts.memo_id)
}

# _own_memo holds for a document's memo_id when it names no memo (it is not a string) or names this
# one. It takes the memo_id rather than the document, so that documents with the same memo_id share
# one cached call.
_own_memo(memo_id, _) if not is_string(memo_id)

_own_memo(memo_id, memo_id)

# METADATA
# title: Measurements
# description: The measurements object of each usable evidence document by kind; defined only for usable documents.
measurements[kind] := input.evidence[kind].measurements if some kind in usable

default _folder := "evidence/<memo-id>"

_folder := sprintf("evidence/%s", [facts.memo_id]) if is_string(facts.memo_id)

# METADATA
# title: Evidence file
# description: Where each kind of evidence of this memo is committed, evidence/<memo-id>/<kind>.json.
file[kind] := sprintf("%s/%s.json", [_folder, kind]) if some kind in _kinds

# METADATA
# title: Evidence problems
# description: |
#   Why a kind of evidence cannot be used, in words a proposer can act on; defined for every kind
#   that is not usable. Each kind is one call of an else chain that stops at the first reason that
#   applies, with the documents and the memo's evidence map looked up once for all kinds.
problems[kind] := _problem(kind, _folder, object.get(docs, kind, null), kind in _listed) if {
	some kind in _kinds
	not kind in usable
}

# _listed holds the kinds the memo's evidence map names
_listed contains kind if {
	some kind, input_file in facts.memo.evidence
	input_file != false
}

_problem(kind, dir, d, is_listed) := sprintf(
	"the memo's evidence map has no %s entry, so %s/%s.json was never produced",
	[kind, dir, kind],
) if {
	d == null
	not is_listed
} else := sprintf("%s/%s.json is missing; run the %s notebook for this memo", [dir, kind, kind]) if {
	d == null
} else := sprintf("%s/%s.json is not valid: %s", [dir, kind, _reasons(d)]) if {
	object.get(d, "valid", null) != true
} else := sprintf("%s/%s.json has no measurements object", [dir, kind]) if {
	not is_object(object.get(d, "measurements", null))
} else := sprintf("%s/%s.json was produced for memo %v, not for this one", [dir, kind, d.memo_id])

# _reasons joins the errors an evidence document reports
_reasons(d) := concat("; ", [e | some e in d.errors; is_string(e)]) if {
	some e in d.errors
	is_string(e)
} else := "it reports no errors, but it is not marked valid"
