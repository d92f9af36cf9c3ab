# Who owns and who reviewed the memo (MEMO-OWNER, MEMO-REVIEW).
package fmgate.memo

import data.fmgate.lib.config
import data.fmgate.lib.findings

# --- MEMO-OWNER -----------------------------------------------------------

# owners splits the owner field into names: a list, or a string that may hide several names
default owners := []

owners := [trim_space(name) | some name in regex.split(`[,;]`, front_matter.owner); trim_space(name) != ""] if {
	is_string(front_matter.owner)
}

owners := [trim_space(name) | some name in front_matter.owner; non_empty(name)] if {
	is_array(front_matter.owner)
}

lowered(names) := {lower(n) | some n in names}

owner_problem := "the memo names no decision owner" if {
	count(owners) == 0
} else := msg if {
	count(owners) > 1
	msg := sprintf("the memo names %d owners (%s); a decision has exactly one", [count(owners), concat(", ", owners)])
} else := "fmgate.yaml lists no decision_owners, so no owner can be accepted" if {
	count(config.decision_owners) == 0
} else := msg if {
	not lower(owners[0]) in lowered(config.decision_owners)
	msg := sprintf(
		"%s is not one of the organisation's decision owners (%s)",
		[owners[0], findings.listing(config.decision_owners)],
	)
}

# METADATA
# title: One recognised decision owner
# description: |
#   The memo must name exactly one decision owner, and that person must be listed in
#   decision_owners in fmgate.yaml. A decision shared by several owners is owned by nobody.
# custom:
#   id: MEMO-OWNER
#   gate: memo
#   severity: deny
#   fix: Set owner to a single person listed under decision_owners in fmgate.yaml.
owner_violations contains findings.finding(
	rego.metadata.rule(),
	owner_problem,
	object.get(front_matter, "owner", null),
	sort(config.decision_owners),
)

# --- MEMO-REVIEW ----------------------------------------------------------

default pull_request := {}

pull_request := input.pull_request if is_object(input.pull_request)

# logins turns a list (or a single string) of logins into a set of trimmed, lower-cased, non-empty
# strings: config.names and lowered in one call, as every decision needs four of these sets
logins(value) := {lower(trim_space(n)) | some n in value; is_string(n); trim_space(n) != ""} if {
	is_array(value)
} else := {lower(trim_space(value))} if {
	is_string(value)
	trim_space(value) != ""
} else := set()

# everyone who approved: the memo's own reviewers list plus the pull request's approvals
approvers := logins(object.get(front_matter, "reviewers", [])) | logins(object.get(pull_request, "approvals", []))

# the people whose approval of their own memo does not count
proposers := author | pr_author if {
	author := logins(object.get(front_matter, ["proposer", "person"], []))
	pr_author := logins(object.get(pull_request, "author", []))
}

seniors := logins(object.get(config.settings, "senior_reviewers", []))

counted := (approvers & seniors) - proposers

not_senior := (approvers - seniors) - proposers

self_approvals := approvers & proposers

default review_ok := false

review_ok if findings.at_least(count(counted), config.required_approvals)

review_message := sprintf(
	"%d of the %s required approvals come from senior reviewers (%s)%s%s",
	[
		count(counted), findings.show(config.required_approvals), findings.listing(counted),
		ignored("; ignored, not senior reviewers: %s", not_senior),
		ignored("; ignored, the proposer's own approval: %s", self_approvals),
	],
)

ignored(_, names) := "" if count(names) == 0

ignored(template, names) := sprintf(template, [findings.listing(names)]) if count(names) > 0

# METADATA
# title: Reviewed by senior engineering
# description: |
#   The memo needs at least the required number of approvals (required_approvals, default 1)
#   from people listed as senior_reviewers in fmgate.yaml. Approvals come from the memo's
#   reviewers and, in CI, from the pull request; the proposer approving their own memo does not count.
# custom:
#   id: MEMO-REVIEW
#   gate: memo
#   severity: deny
#   fix: Ask a senior reviewer listed in fmgate.yaml, other than the proposer, to review and approve the memo.
review_violations contains v if {
	not review_ok
	v := findings.finding(rego.metadata.rule(), review_message, sort(counted), config.required_approvals)
}
