package fmgate.provenance_test

import data.fmgate.provenance

clean := {
	"checked": true, "policy_source": "base", "policies_changed": false,
	"input_mismatches": [], "notebook_mismatches": [], "tampered": [], "lifecycle": [],
}

with_facts(patch) := {"memo": {"id": "m1"}, "provenance": object.union(clean, patch)}

ids contains v.id if some v in provenance.violations

test_local_evaluation_has_no_provenance_findings if {
	count(provenance.violations) == 0 with input as {"memo": {"id": "m1"}}
	count(provenance.violations) == 0 with input as {"memo": {"id": "m1"}, "provenance": "skipped"}
}

test_clean_ci_run_has_no_findings if {
	count(provenance.violations) == 0 with input as with_facts({})
}

test_notebook_mismatch if {
	inp := with_facts({"notebook_mismatches": [{
		"kind": "usage_log", "evidence": "evidence/m1/usage_log.json",
		"recorded": "aaa", "trusted": "bbb",
	}]})
	some v in provenance.violations with input as inp
	v.id == "PROV-NOTEBOOK"
	v.gate == "provenance"
	v.observed == "aaa"
	v.required == "bbb"
	v.message == "evidence/m1/usage_log.json was produced by a notebook that is not the trusted notebooks/usage_log.ipynb"
}

test_input_mismatch if {
	inp := with_facts({"input_mismatches": [{
		"kind": "usage_log", "path": "evidence/m1/inputs/usage.csv",
		"recorded_in": "memos/m1.md", "recorded": "aaa", "actual": "ccc",
	}]})
	some v in provenance.violations with input as inp
	v.id == "PROV-INPUT"
	v.message == "evidence/m1/inputs/usage.csv does not match the sha256 recorded in memos/m1.md"
}

test_input_mismatch_with_little_detail if {
	ids == {"PROV-INPUT"} with input as with_facts({"input_mismatches": [{"kind": "usage_log"}]})
	ids == {"PROV-INPUT"} with input as with_facts({"input_mismatches": [{}]})
}

test_tampered_evidence if {
	inp := with_facts({"tampered": [{
		"kind": "head_to_head", "evidence": "evidence/m1/head_to_head.json",
		"fields": ["measurements.systems.buy.mean_score", 3],
	}]})
	some v in provenance.violations with input as inp
	v.id == "PROV-TAMPER"
	v.observed == ["measurements.systems.buy.mean_score"]
	contains(v.message, "(measurements.systems.buy.mean_score)")
}

test_policy_change_evaluated_with_head_policies if {
	ids == {"PROV-POLICY"} with input as with_facts({"policies_changed": true, "policy_source": "head"})
	ids == {"PROV-POLICY"} with input as with_facts({"policies_changed": true, "policy_source": null})
}

test_policy_change_evaluated_with_base_policies if {
	count(ids) == 0 with input as with_facts({"policies_changed": true})
}

test_malformed_lists_are_ignored if {
	count(ids) == 0 with input as with_facts({"tampered": "yes", "notebook_mismatches": ["x"]})
}
