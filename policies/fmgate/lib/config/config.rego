# METADATA
# title: Effective settings
# description: |
#   Merges the shipped defaults (policies/data.json, data.fmgate.defaults) with the
#   organisation's fmgate.yaml (data.fmgate.config). Every other package reads its
#   thresholds and organisation lists from here, never from literals.
package fmgate.lib.config

defaults := data.fmgate.defaults

# the organisation's settings; anything that is not an object counts as empty
default settings := {}

settings := s if {
	s := data.fmgate.config
	is_object(s)
}

# threshold overrides by name; a malformed block is ignored rather than merged
default overrides := {}

overrides := o if {
	o := settings.thresholds
	is_object(o)
}

thresholds := object.union(defaults.thresholds, overrides)

decision_owners := names(object.get(settings, "decision_owners", []))

senior_reviewers := names(object.get(settings, "senior_reviewers", []))

required_approvals := n if {
	n := settings.required_approvals
	is_number(n)
} else := defaults.required_approvals

# the memo index: memos keyed by id, with by_workload and by_path lookup tables (see docs/policy-input.md)
default repository := {}

repository := r if {
	r := data.fmgate.repository
	is_object(r)
}

default repository_memos := {}

repository_memos := repository.memos if is_object(repository.memos)

# memo ids that decide a workload; without the lookup table every memo is a candidate
memos_for_workload(workload) := [id | some id in repository.by_workload[workload]] if {
	is_object(repository.by_workload)
}

memos_for_workload(_) := object.keys(repository_memos) if not is_object(object.get(repository, "by_workload", null))

# the memo id filed under a path; without the lookup table the memos are searched by path
memo_at_path(path) := repository.by_path[path] if is_object(repository.by_path)

memo_at_path(path) := id if {
	not is_object(object.get(repository, "by_path", null))
	some id, m in repository_memos
	m.path == path
}

senior_levels := {level | some level in defaults.senior_levels}

strategic_tags := {tag | some tag in defaults.strategic_tags}

exempt_shapes := {shape | some shape in defaults.exempt_shapes}

# names turns a list (or a single string) of logins into a set of trimmed, non-empty strings
default names(_) := set()

names(value) := {trim_space(n) | some n in value; is_string(n); trim_space(n) != ""} if is_array(value)

names(value) := {trim_space(value)} if {
	is_string(value)
	trim_space(value) != ""
}
