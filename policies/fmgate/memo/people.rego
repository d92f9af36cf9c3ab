# Who owns and who reviewed the memo (MEMO-OWNER, MEMO-REVIEW).
package fmgate.memo

import data.fmgate.lib.config
import data.fmgate.lib.findings

# --- MEMO-OWNER -----------------------------------------------------------

# _owners splits the owner field into names: a list, or a string that may hide several names
default _owners := []

_owners := [trim_space(name) | some name in regex.split(`[,;]`, _front_matter.owner); trim_space(name) != ""] if {
	is_string(_front_matter.owner)
}

_owners := [trim_space(name) | some name in _front_matter.owner; _non_empty(name)] if {
	is_array(_front_matter.owner)
}

_lowered(names) := {lower(n) | some n in names}

_owner_problem := "the memo names no decision owner" if {
	count(_owners) == 0
} else := msg if {
	count(_owners) > 1
	msg := sprintf("the memo names %d owners (%s); a decision has exactly one", [count(_owners), concat(", ", _owners)])
} else := "fmgate.yaml lists no decision_owners, so no owner can be accepted" if {
	count(config.decision_owners) == 0
} else := msg if {
	not lower(_owners[0]) in _lowered(config.decision_owners)
	msg := sprintf(
		"%s is not one of the organisation's decision owners (%s)",
		[_owners[0], findings.listing(config.decision_owners)],
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
_owner_violations contains findings.finding(
	rego.metadata.rule(),
	_owner_problem,
	object.get(_front_matter, "owner", null),
	sort(config.decision_owners),
)

# --- MEMO-REVIEW ----------------------------------------------------------

# In CI the pull request is the only source of approvals: input.pull_request carries each reviewer's
# latest review. Outside CI there is no pull request, and the memo's reviewers are only the people
# asked to review: a preview counts them as requested, never as approvals.
default _pull_request := {}

_pull_request := input.pull_request if is_object(input.pull_request)

default _in_pull_request := false

_in_pull_request if is_object(input.pull_request)

# _logins turns a list (or a single string) of logins into a set of trimmed, lower-cased, non-empty
# strings: config._names and _lowered in one call, as every decision needs four of these sets
_logins(value) := {lower(trim_space(n)) | some n in value; is_string(n); trim_space(n) != ""} if {
	is_array(value)
} else := {lower(trim_space(value))} if {
	is_string(value)
	trim_space(value) != ""
} else := set()

# the people the memo asks to review
_requested := _logins(object.get(_front_matter, "reviewers", []))

_reviews := [r | some r in object.get(_pull_request, "reviews", []); is_object(r); is_string(r.login)]

_head := object.get(_pull_request, "head", null)

# a review approves the change under decision only when it approved the pull request's head commit
_approves_head(review) if {
	review.state == "APPROVED"
	is_string(_head)
	review.commit_id == _head
}

# approvals of an earlier commit: the branch changed after they were given
_stale contains lower(trim_space(r.login)) if {
	some r in _reviews
	r.state == "APPROVED"
	not _approves_head(r)
}

# everyone whose approval is on record: the pull request's approvals in CI, the requests in a preview
_approvers := {lower(trim_space(r.login)) | some r in _reviews; _approves_head(r)} if {
	_in_pull_request
} else := _requested

# the people whose approval of their own memo does not count
_proposers := author | pr_author if {
	author := _logins(object.get(_front_matter, ["proposer", "person"], []))
	pr_author := _logins(object.get(_pull_request, "author", []))
}

_seniors := _logins(object.get(config.settings, "senior_reviewers", []))

_counted := (_approvers & _seniors) - _proposers

_not_senior := (_approvers - _seniors) - _proposers

_self_approvals := _approvers & _proposers

default _review_ok := false

_review_ok if findings.at_least(count(_counted), config.required_approvals)

# METADATA
# title: Review
# description: |
#   What the decision document says about the review: where approvals were read (the pull
#   request in CI, else the memo's review requests), who was asked, who approved, which
#   approvals are stale, which counted, and how many are required.
review := {
	"source": "pull_request",
	"requested": sort(_requested),
	"approved": sort(_approvers),
	"stale": sort(_stale),
	"counted": sort(_counted),
	"required": config.required_approvals,
} if {
	_in_pull_request
} else := {
	"source": "requested",
	"requested": sort(_requested),
	"approved": [],
	"stale": [],
	"counted": sort(_counted),
	"required": config.required_approvals,
}

_review_message := sprintf(
	"%d of the %s required approvals come from senior reviewers (%s)%s%s%s",
	[
		count(_counted), findings.show(config.required_approvals), findings.listing(_counted),
		_ignored("; ignored, not senior reviewers: %s", _not_senior),
		_ignored("; ignored, the proposer's own approval: %s", _self_approvals),
		_ignored("; ignored, approvals of an earlier commit: %s", _stale),
	],
) if {
	_in_pull_request
} else := sprintf(
	"%d of the %s required senior reviews are requested (%s)%s%s%s",
	[
		count(_counted), findings.show(config.required_approvals), findings.listing(_counted),
		_ignored("; not senior reviewers: %s", _not_senior),
		_ignored("; the proposer cannot review their own memo: %s", _self_approvals),
		": the memo's reviewers are requests, not approvals; in CI only the pull request's approvals count",
	],
)

_ignored(_, names) := "" if count(names) == 0

_ignored(template, names) := sprintf(template, [findings.listing(names)]) if count(names) > 0

# METADATA
# title: Reviewed by senior engineering
# description: |
#   The memo needs at least the required number of approvals (required_approvals, default 1)
#   from people listed as senior_reviewers in fmgate.yaml. In CI only the pull request's approvals
#   of its head commit count; the memo's reviewers field names the people asked to review, which
#   a local check shows as requested, not approved. The proposer approving their own memo does not count.
# custom:
#   id: MEMO-REVIEW
#   gate: memo
#   severity: deny
#   fix: Ask a senior reviewer listed in fmgate.yaml, other than the proposer, to approve the pull request.
_review_violations contains v if {
	not _review_ok
	v := findings.finding(rego.metadata.rule(), _review_message, sort(_counted), config.required_approvals)
}
