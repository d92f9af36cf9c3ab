# METADATA
# title: Findings
# description: |
#   Builders for gate checks and rule findings, labelled from the annotations of the
#   rule that produces them, plus comparisons that fail on anything but numbers so
#   that a missing measurement can never pass a check.
package fmgate.lib.findings

# check is one gate check; meta is rego.metadata.rule() of the rule that makes it. This is the
# shape of every check; the gate packages build it inline as an object literal with the same keys
# ("passed" always a boolean there), because a function call per check costs more than the check.
check(meta, passed, observed, required, message) := {
	"id": meta.custom.id,
	"gate": meta.custom.gate,
	"passed": passed == true,
	"observed": observed,
	"required": required,
	"message": message,
	"fix": meta.custom.fix,
}

# finding is one violation or warning; meta is rego.metadata.rule() of the rule that raises it
finding(meta, message, observed, required) := {
	"id": meta.custom.id,
	"gate": meta.custom.gate,
	"message": message,
	"observed": observed,
	"required": required,
	"fix": meta.custom.fix,
}

# public is the part of a check shown under gates in the decision document (decision.public
# inlines it for the same reason)
public(c) := object.filter(c, ["id", "passed", "observed", "required", "message"])

# violation turns a failed check into a violation
violation(c) := object.remove(c, ["passed"])

# all_numbers holds when every value in the list is a number
all_numbers(xs) if every x in xs {
	is_number(x)
}

default at_least(_, _) := false

at_least(x, floor_value) if {
	is_number(x)
	is_number(floor_value)
	x >= floor_value
}

default at_most(_, _) := false

at_most(x, ceiling) if {
	is_number(x)
	is_number(ceiling)
	x <= ceiling
}

default above(_, _) := false

above(x, bound) if {
	is_number(x)
	is_number(bound)
	x > bound
}

# show renders a value for a message: whole numbers with thousands separators, fractions rounded.
# Messages show two or three numbers each, so this is an else chain (one branch runs instead of
# every body), numbers of up to three digits take the first branch, and grouping slices the digits
# instead of reversing strings in a comprehension.
show(x) := digits if {
	is_number(x)
	x == round(x)
	digits := format_int(x, 10)
	count(trim_prefix(digits, "-")) < 4
} else := grouped(format_int(x, 10)) if {
	is_number(x)
	x == round(x)
} else := sprintf("%v", [round(x * 10000) / 10000]) if {
	is_number(x)
} else := x if {
	is_string(x)
} else := "nothing" if {
	x == null
} else := sprintf("%v", [x])

# grouped puts a comma before every third digit from the right of a whole number of at least four
# digits; a leading minus sign stays in the first group. Numbers below a trillion (nearly all) need
# no comprehension.
grouped(digits) := concat(",", [substring(digits, 0, n - 3), substring(digits, n - 3, 3)]) if {
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

# listing renders a collection of strings as a sorted, comma-separated list
listing(xs) := "none" if {
	count(xs) == 0
} else := concat(", ", sort([sprintf("%v", [x]) | some x in xs]))
