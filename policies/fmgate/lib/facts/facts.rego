# METADATA
# title: Facts about the memo under evaluation
# description: |
#   Normalised views of input.memo (id, verb, status, claimed gates, tags) and of the
#   evaluation date, so that the rule packages never have to guess at a missing field.
package fmgate.lib.facts

import data.fmgate.lib.config

verbs := {"buy", "fine-tune", "build"}

statuses := {"proposed", "approved", "rejected", "superseded", "retired"}

gate_names := {"cost_at_scale", "domain_expertise", "build"}

# statuses of memos that no longer decide anything
inactive_statuses := {"rejected", "superseded", "retired"}

default memo := {}

memo := m if {
	m := input.memo
	is_object(m)
}

# memo_id is the memo's id, or the file name of its path without the extension
default memo_id := null

memo_id := id if {
	id := memo.id
	is_string(id)
	trim_space(id) != ""
} else := stem if {
	stem := file_stem(memo.path)
}

# requested is the verb exactly as the memo wrote it (null when absent or not a string)
default requested := null

requested := memo.decision if is_string(memo.decision)

# verb is defined only when the memo asks for one of the three known verbs
verb := requested if requested in verbs

approved if memo.status == "approved"

# a memo with a missing or unknown status is treated as active: that is the stricter reading
active if not object.get(memo, "status", null) in inactive_statuses

default shape := null

shape := memo.workload_shape if is_string(memo.workload_shape)

exempt_shape if shape in config.exempt_shapes

default claimed := set()

claimed := {g | some g in memo.gates_claimed; is_string(g)} if is_array(memo.gates_claimed)

default tags := set()

tags := {t | some t in memo.rationale_tags; is_string(t)} if is_array(memo.rationale_tags)

# now_day is the evaluation date (input.now) as a day number, or today when input.now is unusable
now_day := d if {
	d := day(input.now)
} else := floor(time.now_ns() / 86400000000000)

# day turns a YYYY-MM-DD date or an RFC 3339 timestamp into whole days since 1970-01-01 (UTC)
# (one else chain: the two forms exclude each other, so the second is tried only for timestamps)
day(s) := floor(time.parse_ns("2006-01-02", s) / 86400000000000) if {
	is_string(s)
	regex.match(`^\d{4}-\d{2}-\d{2}$`, s)
} else := floor(time.parse_rfc3339_ns(s) / 86400000000000) if {
	is_string(s)
	regex.match(`^\d{4}-\d{2}-\d{2}T`, s)
}

# date renders a day number as YYYY-MM-DD
date(d) := time.format([d * 86400000000000, "UTC", "2006-01-02"])

file_stem(path) := stem if {
	is_string(path)
	parts := split(path, "/")
	stem := regex.replace(parts[count(parts) - 1], `\.[^.]*$`, "")
	stem != ""
}
