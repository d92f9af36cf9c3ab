# METADATA
# title: Effective settings
# description: |
#   Merges the shipped defaults (policies/data.json, data.fmgate.defaults) with the
#   organisation's fmgate.yaml (data.fmgate.config). Every other package reads its
#   thresholds and organisation lists from here, never from literals.
package fmgate.lib.config

# METADATA
# title: Shipped defaults
# description: The policy data of policies/data.json (data.fmgate.defaults), as shipped.
defaults := data.fmgate.defaults

# METADATA
# title: Organisation settings
# scope: document
# description: The organisation's fmgate.yaml (data.fmgate.config); anything that is not an object counts as empty.
default settings := {}

settings := s if {
	s := data.fmgate.config
	is_object(s)
}

# threshold overrides by name; a malformed block is ignored rather than merged
default _overrides := {}

_overrides := o if {
	o := settings.thresholds
	is_object(o)
}

# METADATA
# title: Effective thresholds
# description: The default thresholds with the organisation's overrides (settings.thresholds) merged over them.
thresholds := object.union(defaults.thresholds, _overrides)

# METADATA
# title: Decision owners
# description: The logins listed under decision_owners in fmgate.yaml, trimmed, as a set.
decision_owners := _names(object.get(settings, "decision_owners", []))

# the logins listed under senior_reviewers (the memo package reads them itself, lower-cased)
_senior_reviewers := _names(object.get(settings, "senior_reviewers", []))

# METADATA
# title: Required approvals
# description: How many senior approvals a memo needs (required_approvals in fmgate.yaml, else the default).
required_approvals := n if {
	n := settings.required_approvals
	is_number(n)
} else := defaults.required_approvals

# the memo index: memos keyed by id, with by_workload and by_path lookup tables (see docs/policy-input.md)
default _repository := {}

_repository := r if {
	r := data.fmgate.repository
	is_object(r)
}

# METADATA
# title: Memos on record
# scope: document
# description: |
#   The memos of the memo index (data.fmgate.repository.memos) keyed by id, or an empty object
#   when there is no index (see docs/policy-input.md).
default repository_memos := {}

repository_memos := _repository.memos if is_object(_repository.memos)

# METADATA
# title: Memos for a workload
# scope: document
# description: |
#   The ids of the memos that decide a workload, from the index's by_workload lookup table;
#   without the lookup table every memo is a candidate.
memos_for_workload(workload) := [id | some id in _repository.by_workload[workload]] if {
	is_object(_repository.by_workload)
}

memos_for_workload(_) := object.keys(repository_memos) if not is_object(object.get(_repository, "by_workload", null))

# METADATA
# title: Memo at a path
# scope: document
# description: |
#   The id of the memo filed under a path, from the index's by_path lookup table; without the
#   lookup table the memos are searched by path.
memo_at_path(path) := _repository.by_path[path] if is_object(_repository.by_path)

memo_at_path(path) := id if {
	not is_object(object.get(_repository, "by_path", null))
	some id, m in repository_memos
	m.path == path
}

# METADATA
# title: Senior practitioner levels
# description: The seniority levels that count as senior on a prompting log (defaults.senior_levels), as a set.
senior_levels := {level | some level in defaults.senior_levels}

# METADATA
# title: Strategic-narrative tags
# description: |
#   The rationale tags that are strategic narrative rather than a workload need
#   (defaults.strategic_tags), as a set.
strategic_tags := {tag | some tag in defaults.strategic_tags}

# METADATA
# title: Exempt workload shapes
# description: The workload shapes for which both fine-tune gates fire by default (defaults.exempt_shapes), as a set.
exempt_shapes := {shape | some shape in defaults.exempt_shapes}

# _names turns a list (or a single string) of logins into a set of trimmed, non-empty strings
default _names(_) := set()

_names(value) := {trim_space(n) | some n in value; is_string(n); trim_space(n) != ""} if is_array(value)

_names(value) := {trim_space(value)} if {
	is_string(value)
	trim_space(value) != ""
}
