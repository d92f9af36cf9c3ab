package fmgate.memo_test

import data.fmgate.memo

# Fixtures (org, passing, patched, with_memo, found) live in memo_test.rego.

# MEMO-OWNER

test_listed_owner_passes if {
	count(found("MEMO-OWNER")) == 0 with input as passing with data.fmgate.config as org
	count(found("MEMO-OWNER")) == 0 with input as with_memo("owner", " Dana.Kim ") with data.fmgate.config as org
	count(found("MEMO-OWNER")) == 0 with input as with_memo("owner", ["priya.rao"]) with data.fmgate.config as org
}

test_missing_owner_fails if {
	vs := found("MEMO-OWNER") with input as without_memo("owner") with data.fmgate.config as org
	{v.message | some v in vs} == {"the memo names no decision owner"}
}

test_empty_owner_list_fails if {
	count(found("MEMO-OWNER")) == 1 with input as with_memo("owner", []) with data.fmgate.config as org
}

test_two_owners_in_a_string_fail if {
	count(found("MEMO-OWNER")) == 1 with input as with_memo("owner", "dana.kim;priya.rao") with data.fmgate.config as org
	vs := found("MEMO-OWNER") with input as with_memo("owner", "dana.kim, priya.rao") with data.fmgate.config as org
	some v in vs
	contains(v.message, "names 2 owners")
}

test_two_owners_in_a_list_fail if {
	vs := found("MEMO-OWNER") with input as with_memo("owner", ["dana.kim", "priya.rao"]) with data.fmgate.config as org
	some v in vs
	contains(v.message, "exactly one")
	v.observed == ["dana.kim", "priya.rao"]
}

test_unlisted_owner_fails if {
	vs := found("MEMO-OWNER") with input as with_memo("owner", "bob.ng") with data.fmgate.config as org
	some v in vs
	v.message == "bob.ng is not one of the organisation's decision owners (dana.kim, priya.rao)"
	v.required == ["dana.kim", "priya.rao"]
}

test_no_configured_owners_fails if {
	vs := found("MEMO-OWNER") with input as passing with data.fmgate.config as object.remove(org, ["decision_owners"])
	some v in vs
	contains(v.message, "lists no decision_owners")
}

# MEMO-REVIEW

# a pull request whose head is "h2", with one latest review per login
pr(author, reviews) := {"author": author, "head": "h2", "reviews": reviews}

approved(login) := {"login": login, "state": "APPROVED", "commit_id": "h2"}

test_one_senior_review_requested_passes_a_preview if {
	count(found("MEMO-REVIEW")) == 0 with input as passing with data.fmgate.config as org
	r := memo.review with input as passing with data.fmgate.config as org
	r.source == "requested"
	r.requested == ["lee.wong"]
	r.approved == []
}

test_no_review_fails if {
	vs := found("MEMO-REVIEW") with input as with_memo("reviewers", []) with data.fmgate.config as org
	some v in vs
	v.observed == []
	v.required == 1
	startswith(v.message, "0 of the 1 required senior reviews are requested")
	contains(v.message, "requests, not approvals")
}

test_reviewer_who_is_not_senior_does_not_count if {
	vs := found("MEMO-REVIEW") with input as with_memo("reviewers", ["joe.intern"]) with data.fmgate.config as org
	some v in vs
	contains(v.message, "not senior reviewers: joe.intern")
}

test_proposer_requested_as_reviewer_does_not_count if {
	inp := patched([["/memo/proposer/person", "lee.wong"]])
	vs := found("MEMO-REVIEW") with input as inp with data.fmgate.config as org
	some v in vs
	contains(v.message, "cannot review their own memo: lee.wong")
}

test_in_a_pull_request_the_memo_reviewers_are_not_approvals if {
	inp := patched([["/pull_request", pr("ana.lopez", [])]])
	vs := found("MEMO-REVIEW") with input as inp with data.fmgate.config as org
	startswith(vs[_].message, "0 of the 1 required approvals")
	r := memo.review with input as inp with data.fmgate.config as org
	r.source == "pull_request"
	r.requested == ["lee.wong"]
	r.approved == []
}

test_pull_request_author_approving_does_not_count if {
	inp := patched([["/memo/reviewers", []], ["/pull_request", pr("Sam.Ortiz", [approved("sam.ortiz")])]])
	vs := found("MEMO-REVIEW") with input as inp with data.fmgate.config as org
	some v in vs
	contains(v.message, "the proposer's own approval: sam.ortiz")
}

test_pull_request_approval_counts if {
	inp := patched([["/memo/reviewers", []], ["/pull_request", pr("ana.lopez", [approved("Sam.Ortiz")])]])
	count(found("MEMO-REVIEW")) == 0 with input as inp with data.fmgate.config as org
}

test_approval_of_an_earlier_commit_does_not_count if {
	stale_review := {"login": "sam.ortiz", "state": "APPROVED", "commit_id": "h1"}
	inp := patched([["/pull_request", pr("ana.lopez", [stale_review])]])
	vs := found("MEMO-REVIEW") with input as inp with data.fmgate.config as org
	contains(vs[_].message, "approvals of an earlier commit: sam.ortiz")
	r := memo.review with input as inp with data.fmgate.config as org
	r.stale == ["sam.ortiz"]
}

test_changes_requested_and_dismissed_reviews_do_not_count if {
	reviews := [
		{"login": "sam.ortiz", "state": "CHANGES_REQUESTED", "commit_id": "h2"},
		{"login": "lee.wong", "state": "DISMISSED", "commit_id": "h2"},
	]
	inp := patched([["/pull_request", pr("ana.lopez", reviews)]])
	count(found("MEMO-REVIEW")) == 1 with input as inp with data.fmgate.config as org
}

test_without_a_head_commit_no_review_counts if {
	inp := patched([["/pull_request", {"author": "ana.lopez", "reviews": [approved("sam.ortiz")]}]])
	count(found("MEMO-REVIEW")) == 1 with input as inp with data.fmgate.config as org
}

test_required_approvals_at_threshold_pass if {
	cfg := object.union(org, {"required_approvals": 2})
	inp := with_memo("reviewers", ["lee.wong", "sam.ortiz"])
	count(found("MEMO-REVIEW")) == 0 with input as inp with data.fmgate.config as cfg
}

test_required_approvals_above_threshold_pass if {
	cfg := object.union(org, {"required_approvals": 2})
	reviews := [approved("lee.wong"), approved("sam.ortiz"), approved("kai.berg")]
	inp := patched([["/pull_request", pr("ana.lopez", reviews)]])
	count(found("MEMO-REVIEW")) == 0 with input as inp with data.fmgate.config as cfg
}

test_required_approvals_one_below_threshold_fail if {
	cfg := object.union(org, {"required_approvals": 2})
	vs := found("MEMO-REVIEW") with input as passing with data.fmgate.config as cfg
	some v in vs
	v.observed == ["lee.wong"]
	v.required == 2
}

test_same_reviewer_counts_once if {
	cfg := object.union(org, {"required_approvals": 2})
	inp := patched([["/pull_request", pr("ana.lopez", [approved("lee.wong"), approved("Lee.Wong")])]])
	count(found("MEMO-REVIEW")) == 1 with input as inp with data.fmgate.config as cfg
}

test_default_required_approvals_is_one if {
	cfg := object.remove(org, ["required_approvals"])
	count(found("MEMO-REVIEW")) == 0 with input as passing with data.fmgate.config as cfg
	count(found("MEMO-REVIEW")) == 1 with input as with_memo("reviewers", []) with data.fmgate.config as cfg
}

test_blank_reviewer_string_counts_nobody if {
	vs := found("MEMO-REVIEW") with input as with_memo("reviewers", "  ") with data.fmgate.config as org
	some v in vs
	v.observed == []
}
