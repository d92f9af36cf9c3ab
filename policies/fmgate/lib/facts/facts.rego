# METADATA
# title: Facts about the memo under evaluation
# description: |
#   Normalised views of input.memo (id, verb, status, claimed gates, tags) and of the
#   evaluation date, so that the rule packages never have to guess at a missing field.
package fmgate.lib.facts

import data.fmgate.lib.config

# METADATA
# title: Verbs
# description: The three decisions a memo can ask for.
verbs := {"buy", "fine-tune", "build"}

# METADATA
# title: Memo statuses
# description: Every status a memo can have.
statuses := {"proposed", "approved", "rejected", "superseded", "retired"}

# METADATA
# title: Gate names
# description: The gates a memo can claim (gates_claimed).
gate_names := {"cost_at_scale", "domain_expertise", "build"}

# statuses of memos that no longer decide anything
_inactive_statuses := {"rejected", "superseded", "retired"}

# METADATA
# title: The memo
# description: The memo's front matter (input.memo); anything that is not an object counts as empty.
# scope: document
default memo := {}

memo := m if {
	m := input.memo
	is_object(m)
}

# METADATA
# title: Memo id
# description: The memo's id, or the file name of its path without the extension; null when neither gives one.
# scope: document
default memo_id := null

memo_id := id if {
	id := memo.id
	is_string(id)
	trim_space(id) != ""
} else := stem if {
	stem := _file_stem(memo.path)
}

# METADATA
# title: Requested verb
# description: The verb exactly as the memo wrote it (decision), or null when absent or not a string.
# scope: document
default requested := null

requested := memo.decision if is_string(memo.decision)

# METADATA
# title: Verb
# description: The requested verb, defined only when it is one of the three known verbs.
verb := requested if requested in verbs

# METADATA
# title: Memo approved
# description: Holds when the memo's status is approved.
approved if memo.status == "approved"

# METADATA
# title: Memo active
# description: |
#   Holds unless the memo's status is rejected, superseded or retired. A memo with a missing or
#   unknown status is treated as active: that is the stricter reading.
active if not object.get(memo, "status", null) in _inactive_statuses

default _shape := null

_shape := memo.workload_shape if is_string(memo.workload_shape)

# METADATA
# title: Exempt workload shape
# description: Holds when the memo's workload_shape is one of the organisation's exempt shapes.
exempt_shape if _shape in config.exempt_shapes

# METADATA
# title: Claimed gates
# description: The gates the memo claims (the strings in gates_claimed), as a set.
# scope: document
default claimed := set()

claimed := {g | some g in memo.gates_claimed; is_string(g)} if is_array(memo.gates_claimed)

# METADATA
# title: Rationale tags
# description: The memo's rationale tags (the strings in rationale_tags), as a set.
# scope: document
default tags := set()

tags := {t | some t in memo.rationale_tags; is_string(t)} if is_array(memo.rationale_tags)

# METADATA
# title: Evaluation day
# description: The evaluation date (input.now) as a day number, or today when input.now is unusable.
now_day := d if {
	d := day(input.now)
} else := floor(time.now_ns() / 86400000000000)

# METADATA
# title: Day number of a date
# description: |
#   Turns a YYYY-MM-DD date or an RFC 3339 timestamp into whole days since 1970-01-01 (UTC);
#   undefined for anything else. (One else chain: the two forms exclude each other, so the
#   second is tried only for timestamps.)
day(s) := floor(time.parse_ns("2006-01-02", s) / 86400000000000) if {
	is_string(s)
	regex.match(`^\d{4}-\d{2}-\d{2}$`, s)
} else := floor(time.parse_rfc3339_ns(s) / 86400000000000) if {
	is_string(s)
	regex.match(`^\d{4}-\d{2}-\d{2}T`, s)
}

# METADATA
# title: Date of a day number
# description: Renders a day number as YYYY-MM-DD.
date(d) := time.format([d * 86400000000000, "UTC", "2006-01-02"])

# the file name of a path without its extension
_file_stem(path) := stem if {
	is_string(path)
	parts := split(path, "/")
	stem := regex.replace(parts[count(parts) - 1], `\.[^.]*$`, "")
	stem != ""
}
