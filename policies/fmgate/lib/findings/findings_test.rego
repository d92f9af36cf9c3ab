package fmgate.lib.findings_test

import data.fmgate.lib.findings

meta := {"custom": {"id": "X-1", "gate": "memo", "fix": "Do it."}}

test_violation_is_a_failed_check_without_its_passed_flag if {
	c := {
		"id": "X-1", "gate": "memo", "passed": false, "observed": 3,
		"required": 2, "message": "low", "fix": "Do it.",
	}
	findings.violation(c) == object.remove(c, ["passed"])
	not "passed" in object.keys(findings.violation(c))
}

test_finding if {
	findings.finding(meta, "m", null, 1) == {
		"id": "X-1", "gate": "memo", "message": "m",
		"observed": null, "required": 1, "fix": "Do it.",
	}
}

test_comparisons_need_numbers if {
	findings.at_least(2, 2)
	not findings.at_least(1, 2)
	not findings.at_least(null, 0)
	not findings.at_least(3, "2")
	findings.at_most(2, 2)
	not findings.at_most(3, 2)
	not findings.at_most("1", 2)
	findings.above(3, 2)
	not findings.above(2, 2)
	not findings.above(null, 1)
	findings.all_numbers([1, 2.5])
	not findings.all_numbers([1, null])
}

test_show if {
	findings.show(10000000) == "10,000,000"
	findings.show(12000000.0) == "12,000,000"
	findings.show(-1234) == "-1,234"
	findings.show(0.123456) == "0.1235"
	findings.show(999) == "999"
	findings.show(null) == "nothing"
	findings.show("text") == "text"
	findings.show([1]) == "[1]"
	findings.show(123456) == "123,456"
	findings.show(100000000000) == "100,000,000,000"
	findings.show(-1234567890123) == "-1,234,567,890,123"
	findings.show(12345678901234567) == "12,345,678,901,234,567"
}

test_listing if {
	findings.listing([]) == "none"
	findings.listing({"b", "a"}) == "a, b"
}
