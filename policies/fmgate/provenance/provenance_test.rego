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

test_input_read_in_place_mismatch if {
	inp := with_facts({"input_mismatches": [{
		"kind": "usage_log", "path": "warehouse:llm_calls", "basis": "digest",
		"recorded_in": "memos/m1.md", "recorded": "sha256:aaa", "actual": "sha256:ccc",
	}]})
	some v in provenance.violations with input as inp
	v.id == "PROV-INPUT"
	v.observed == "sha256:ccc"
	v.required == "sha256:aaa"
	v.message == "warehouse:llm_calls does not match the digest recorded in memos/m1.md"
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

# PROV-RULES-CHANGED

rules_changed_ids(paths) := found if {
	# regal ignore:with-outside-test-context
	found := {v.id | some v in provenance.violations} with input as with_facts({"changed_paths": paths})
}

test_a_branch_with_only_memos_and_evidence_changes_no_rules if {
	ids := rules_changed_ids([
		"memos/m1.md", "evidence/m1/inputs/usage.csv", "evidence/m1/usage_log.json",
		"evidence/m1/usage_log.ipynb", "evidence/m1/usage_log.html", "README.md",
	])
	not "PROV-RULES-CHANGED" in ids
}

test_each_kind_of_rule_path_is_flagged if {
	every path in [
		"src/fmgate/evidence/usage.py", "notebooks/usage_log.ipynb", "policies/data.json",
		"schemas/memo.schema.json", "fmgate.yaml", "pyproject.toml", "constraints.txt", "Makefile",
		"scripts/demo.py", "scripts/install-tools.sh", "tools/regal/go.mod", ".github/workflows/decision-gate.yml",
		".github/CODEOWNERS", ".ci/run", "evidence/m1/inputs/pandas.py", "sitecustomize.py",
		"fmgate/__init__.py", "evidence/m1/inputs/extra.pth", "matplotlibrc", "evidence/m1/matplotlibrc",
		"ipython_kernel_config.py", ".tools/bin/opa", "requirements-dev.txt",
	] {
		"PROV-RULES-CHANGED" in rules_changed_ids([path])
	}
}

test_rules_changed_names_the_paths if {
	inp := with_facts({"changed_paths": ["memos/m1.md", "Makefile", "src/fmgate/cli.py"]})
	some v in provenance.violations with input as inp
	v.id == "PROV-RULES-CHANGED"
	v.observed == ["Makefile", "src/fmgate/cli.py"]
	contains(v.message, "Makefile, src/fmgate/cli.py")
}

test_no_changed_paths_reported_is_no_finding if {
	not "PROV-RULES-CHANGED" in rules_changed_ids([])
	count(provenance.violations) == 0 with input as with_facts({"changed_paths": "Makefile"})
}
