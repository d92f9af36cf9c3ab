# METADATA
# title: Provenance of the evidence (CI)
# description: |
#   In CI the Python side compares hashes and regenerates the evidence, and passes what it found
#   as input.provenance; these rules turn every mismatch into a denial. Without input.provenance
#   (a local evaluation) there is nothing to judge and no provenance finding is raised.
package fmgate.provenance

import data.fmgate.lib.findings

default _reported := {}

_reported := input.provenance if is_object(input.provenance)

# _mismatches lists the entries of one kind of mismatch, ignoring anything that is not a list of objects
# (the rules below iterate _reported.<list> directly: without input.provenance, the usual case for a
# local evaluation, that fails at once instead of costing a function call per list)
default _mismatches(_) := []

_mismatches(name) := [m | some m in _reported[name]; is_object(m)] if is_array(_reported[name])

# _label names what a mismatch is about: the given field, else its evidence kind
_label(m, key) := object.get(m, key, object.get(m, "kind", "an evidence document"))

# the branch's changed paths that decide how memos are judged (data.fmgate.defaults.rule_paths)
_rule_changes contains path if {
	some path in _reported.changed_paths
	is_string(path)
	some pattern in data.fmgate.defaults.rule_paths
	glob.match(pattern, ["/"], path)
}

# METADATA
# title: Evidence made by the trusted notebook
# description: |
#   Every committed evidence document must have been produced by the same notebook as the trusted
#   one on the base branch; a notebook changed in the pull request cannot vouch for its own results.
# custom:
#   id: PROV-NOTEBOOK
#   gate: provenance
#   severity: deny
#   fix: Regenerate the evidence with the notebooks of the base branch and commit the result.
violations contains v if {
	is_array(_reported.notebook_mismatches)
	some m in _reported.notebook_mismatches
	is_object(m)
	msg := sprintf(
		"%v was produced by a notebook that is not the trusted notebooks/%v.ipynb",
		[_label(m, "evidence"), object.get(m, "kind", "<kind>")],
	)
	v := findings.finding(rego.metadata.rule(), msg, object.get(m, "recorded", null), object.get(m, "trusted", null))
}

# METADATA
# title: Inputs match their recorded hashes
# description: |
#   Every input file must have the sha256 recorded for it in the memo or in the evidence
#   provenance, and every input read in place (a table, query or dataset) the content digest
#   its pin or the evidence records; otherwise the evidence no longer describes the data.
# custom:
#   id: PROV-INPUT
#   gate: provenance
#   severity: deny
#   fix: Re-run the evidence for the current inputs, or restore the input files the evidence was made from.
violations contains v if {
	is_array(_reported.input_mismatches)
	some m in _reported.input_mismatches
	is_object(m)
	msg := sprintf(
		"%v does not match the %v recorded in %v",
		[_label(m, "path"), object.get(m, "basis", "sha256"), object.get(m, "recorded_in", "the memo")],
	)
	v := findings.finding(rego.metadata.rule(), msg, object.get(m, "actual", null), object.get(m, "recorded", null))
}

# METADATA
# title: Committed evidence is what CI regenerates
# description: |
#   CI reruns the trusted notebooks on the same inputs; the committed evidence must agree with
#   what they produce. Hand-edited or stale evidence fails.
# custom:
#   id: PROV-TAMPER
#   gate: provenance
#   severity: deny
#   fix: Delete the committed evidence, regenerate it with fmgate and commit the fresh output.
violations contains v if {
	is_array(_reported.tampered)
	some m in _reported.tampered
	is_object(m)
	fields := [f | some f in object.get(m, "fields", []); is_string(f)]
	msg := sprintf(
		"%v differs from the evidence CI regenerated from the same inputs (%s)",
		[_label(m, "evidence"), findings.listing(fields)],
	)
	v := findings.finding(rego.metadata.rule(), msg, fields, [])
}

# METADATA
# title: Policies from the base branch
# description: |
#   A pull request that changes the policies or the organisation's settings must still be
#   judged by the base branch's policies, so that nobody can approve a memo by relaxing the rules
#   in the same change.
# custom:
#   id: PROV-POLICY
#   gate: provenance
#   severity: deny
#   fix: Merge the policy change on its own first, then evaluate the memo against the updated base branch.
violations contains v if {
	_reported.policies_changed == true
	object.get(_reported, "policy_source", null) != "base"
	msg := "the pull request changes the policies but was evaluated with its own policies instead of the base branch's"
	v := findings.finding(rego.metadata.rule(), msg, object.get(_reported, "policy_source", null), "base")
}

# METADATA
# title: Rule changes and memos in separate pull requests
# description: |
#   A pull request that changes what decides (the fmgate package, notebooks, policies, schemas,
#   settings, build and install files, workflows, the CI script, or code of any kind anywhere in
#   the tree) cannot also have a memo approved: the rule change needs its own review and flip
#   report, and the memo is then decided under the merged rules.
# custom:
#   id: PROV-RULES-CHANGED
#   gate: provenance
#   severity: deny
#   fix: Split the pull request. Merge the rule change first, then propose the memo against the updated base.
violations contains v if {
	count(_rule_changes) > 0
	changed := sort(_rule_changes)
	msg := sprintf(
		"the pull request also changes what decides (%s); rule changes and memo decisions go in separate pull requests",
		[findings.listing(array.slice(changed, 0, 10))],
	)
	v := findings.finding(rego.metadata.rule(), msg, changed, [])
}
