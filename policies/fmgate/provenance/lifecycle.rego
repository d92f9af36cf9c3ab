# The memo lifecycle, as the pull-request job reports it (MEMO-LIFECYCLE).
package fmgate.provenance

import data.fmgate.lib.findings

# METADATA
# title: Decided memos change only through a new memo
# description: |
#   Once a memo is approved (or rejected, superseded or retired) it is a record: its decision
#   fields stay as they were decided and its status moves only forward. Changing a decision
#   takes a new memo that names the old one in supersedes. The pull-request job compares each
#   memo with its base-branch version and reports every forbidden change here.
# custom:
#   id: MEMO-LIFECYCLE
#   gate: memo
#   severity: deny
#   fix: Restore the decided memo and write a new memo whose supersedes names it.
violations contains v if {
	some problem in _mismatches("lifecycle")
	field := object.get(problem, "field", "status")
	where := object.get(problem, "path", "the memo")
	msg := sprintf("%v: %v", [where, object.get(problem, "message", "lifecycle rule broken")])
	v := findings.finding(rego.metadata.rule(), msg, field, object.get(problem, "fix", "a new, superseding memo"))
}
