package fmgate.lib.config_test

import data.fmgate.lib.config

test_thresholds_default_without_config if {
	config.thresholds.cost_volume_calls_per_day == data.fmgate.defaults.thresholds.cost_volume_calls_per_day
	config.thresholds.relitigation_days == 92 with data.fmgate.config as {}
}

test_threshold_override_by_name if {
	t := config.thresholds with data.fmgate.config as {"thresholds": {"domain_prompt_hours": 40}}
	t.domain_prompt_hours == 40
	t.domain_examples == 10000
}

test_malformed_overrides_are_ignored if {
	t := config.thresholds with data.fmgate.config as {"thresholds": "strict"}
	t.domain_prompt_hours == 20
}

test_malformed_settings_are_ignored if {
	config.settings == {} with data.fmgate.config as ["not", "an", "object"]
}

test_org_lists if {
	cfg := {"decision_owners": ["dana.kim", " priya.rao ", "", 7], "senior_reviewers": "lee.wong"}
	config.decision_owners == {"dana.kim", "priya.rao"} with data.fmgate.config as cfg
	config._senior_reviewers == {"lee.wong"} with data.fmgate.config as cfg
}

test_org_lists_default_empty if {
	config.decision_owners == set() with data.fmgate.config as {}
	config._senior_reviewers == set() with data.fmgate.config as {"senior_reviewers": 3}
}

test_required_approvals if {
	config.required_approvals == 1 with data.fmgate.config as {}
	config.required_approvals == 1 with data.fmgate.config as {"required_approvals": "two"}
	config.required_approvals == 2 with data.fmgate.config as {"required_approvals": 2}
}

test_default_vocabularies if {
	config.senior_levels == {"senior", "staff", "principal"}
	"moat" in config.strategic_tags
	"embedding-generation-extreme-scale" in config.exempt_shapes
}
