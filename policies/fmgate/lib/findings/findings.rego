# METADATA
# title: Findings
# description: |
#   Builders for gate checks and rule findings, labelled from the annotations of the
#   rule that produces them, plus comparisons that fail on anything but numbers so
#   that a missing measurement can never pass a check.
package fmgate.lib.findings

# The shape of every gate check: {id, gate, fix} from the METADATA of the rule that makes it, plus
# passed (always a boolean), observed, required and message. The gate packages build it inline as an
# object literal, because a function call per check costs more than the check.

# METADATA
# title: Finding
# description: |
#   One violation or warning, labelled with the id, gate and fix of the rule that raises it;
#   meta is rego.metadata.rule() of that rule.
finding(meta, message, observed, required) := {
	"id": meta.custom.id,
	"gate": meta.custom.gate,
	"message": message,
	"observed": observed,
	"required": required,
	"fix": meta.custom.fix,
}

# METADATA
# title: Violation of a check
# description: Turns a failed check into a violation (the check without its passed field).
violation(c) := object.remove(c, ["passed"])

# METADATA
# title: All numbers
# description: Holds when every value in the list is a number.
all_numbers(xs) if every x in xs {
	is_number(x)
}

# METADATA
# title: At least
# description: Holds when x and the floor are both numbers and x is at least the floor; false otherwise.
# scope: document
default at_least(_, _) := false

at_least(x, floor_value) if {
	is_number(x)
	is_number(floor_value)
	x >= floor_value
}

# METADATA
# title: At most
# description: Holds when x and the ceiling are both numbers and x is at most the ceiling; false otherwise.
# scope: document
default at_most(_, _) := false

at_most(x, ceiling) if {
	is_number(x)
	is_number(ceiling)
	x <= ceiling
}

# METADATA
# title: Above
# description: Holds when x and the bound are both numbers and x is greater than the bound; false otherwise.
# scope: document
default above(_, _) := false

above(x, bound) if {
	is_number(x)
	is_number(bound)
	x > bound
}

# METADATA
# title: Show a value
# description: |
#   Renders a value for a message: whole numbers with thousands separators, fractions rounded to
#   four places, strings as they are, null as "nothing". Messages show two or three numbers each,
#   so this is an else chain (one branch runs instead of every body), numbers of up to three digits
#   take the first branch, and grouping slices the digits instead of reversing strings in a
#   comprehension.
show(x) := digits if {
	is_number(x)
	x == round(x)
	digits := format_int(x, 10)
	count(trim_prefix(digits, "-")) < 4
} else := _grouped(format_int(x, 10)) if {
	is_number(x)
	x == round(x)
} else := sprintf("%v", [round(x * 10000) / 10000]) if {
	is_number(x)
} else := x if {
	is_string(x)
} else := "nothing" if {
	x == null
} else := sprintf("%v", [x])

# _grouped puts a comma before every third digit from the right of a whole number of at least four
# digits; a leading minus sign stays in the first group. Numbers below a trillion (nearly all) need
# no comprehension.
_grouped(digits) := concat(",", [substring(digits, 0, n - 3), substring(digits, n - 3, 3)]) if {
	count(trim_prefix(digits, "-")) < 7
	n := count(digits)
} else := concat(",", [substring(digits, 0, n - 6), substring(digits, n - 6, 3), substring(digits, n - 3, 3)]) if {
	count(trim_prefix(digits, "-")) < 10
	n := count(digits)
} else := concat(",", [
	substring(digits, 0, n - 9), substring(digits, n - 9, 3),
	substring(digits, n - 6, 3), substring(digits, n - 3, 3),
]) if {
	count(trim_prefix(digits, "-")) < 13
	n := count(digits)
} else := concat(",", array.concat(
	[substring(digits, 0, head)],
	[substring(digits, i, 3) | some i in numbers.range_step(head, count(digits) - 3, 3)],
)) if {
	sign := count(digits) - count(trim_prefix(digits, "-"))
	head := ((((count(digits) - sign) - 1) % 3) + 1) + sign
}

# METADATA
# title: Listing
# description: Renders a collection of strings as a sorted, comma-separated list, or "none" when it is empty.
listing(xs) := "none" if {
	count(xs) == 0
} else := concat(", ", sort([sprintf("%v", [x]) | some x in xs]))
