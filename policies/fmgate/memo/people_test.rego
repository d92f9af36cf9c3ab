package fmgate.memo_test

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

test_one_senior_review_passes if {
	count(found("MEMO-REVIEW")) == 0 with input as passing with data.fmgate.config as org
}

test_no_review_fails if {
	vs := found("MEMO-REVIEW") with input as with_memo("reviewers", []) with data.fmgate.config as org
	some v in vs
	v.observed == []
	v.required == 1
	startswith(v.message, "0 of the 1 required approvals")
}

test_reviewer_who_is_not_senior_does_not_count if {
	vs := found("MEMO-REVIEW") with input as with_memo("reviewers", ["joe.intern"]) with data.fmgate.config as org
	some v in vs
	contains(v.message, "not senior reviewers: joe.intern")
}

test_proposer_approving_own_memo_does_not_count if {
	inp := patched([["/memo/proposer/person", "lee.wong"]])
	vs := found("MEMO-REVIEW") with input as inp with data.fmgate.config as org
	some v in vs
	contains(v.message, "the proposer's own approval: lee.wong")
}

test_pull_request_author_approving_does_not_count if {
	inp := patched([["/memo/reviewers", []], ["/pull_request", {"author": "Sam.Ortiz", "approvals": ["sam.ortiz"]}]])
	count(found("MEMO-REVIEW")) == 1 with input as inp with data.fmgate.config as org
}

test_pull_request_approval_counts if {
	inp := patched([["/memo/reviewers", []], ["/pull_request", {"author": "ana.lopez", "approvals": ["sam.ortiz"]}]])
	count(found("MEMO-REVIEW")) == 0 with input as inp with data.fmgate.config as org
}

test_required_approvals_at_threshold_pass if {
	cfg := object.union(org, {"required_approvals": 2})
	inp := with_memo("reviewers", ["lee.wong", "sam.ortiz"])
	count(found("MEMO-REVIEW")) == 0 with input as inp with data.fmgate.config as cfg
}

test_required_approvals_above_threshold_pass if {
	cfg := object.union(org, {"required_approvals": 2})
	inp := with_memo("reviewers", ["lee.wong", "sam.ortiz", "kai.berg"])
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
	inp := patched([["/pull_request", {"author": "ana.lopez", "approvals": ["lee.wong"]}]])
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
