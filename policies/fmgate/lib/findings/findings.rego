# METADATA
# title: Findings
# description: |
#   Builders for gate checks and rule findings, labelled from the annotations of the
#   rule that produces them, plus comparisons that fail on anything but numbers so
#   that a missing measurement can never pass a check.
package fmgate.lib.findings

# check is one gate check; meta is rego.metadata.rule() of the rule that makes it
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

# public is the part of a check shown under gates in the decision document
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

# show renders a value for a message: whole numbers with thousands separators, fractions rounded
show(x) := grouped(format_int(x, 10)) if {
	is_number(x)
	x == round(x)
}

show(x) := sprintf("%v", [round(x * 10000) / 10000]) if {
	is_number(x)
	x != round(x)
}

show(x) := x if is_string(x)

show(null) := "nothing"

show(x) := sprintf("%v", [x]) if {
	not is_number(x)
	not is_string(x)
	x != null
}

grouped(digits) := concat("", [sign, strings.reverse(concat(",", chunks))]) if {
	sign := substring(digits, 0, count(digits) - count(trim_prefix(digits, "-")))
	r := strings.reverse(trim_prefix(digits, "-"))
	chunks := [substring(r, i, 3) | some i in numbers.range_step(0, count(r) - 1, 3)]
}

# listing renders a collection of strings as a sorted, comma-separated list
listing(xs) := "none" if count(xs) == 0

listing(xs) := concat(", ", sort([sprintf("%v", [x]) | some x in xs])) if count(xs) > 0
