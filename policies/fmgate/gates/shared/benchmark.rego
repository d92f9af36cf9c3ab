# The head-to-head benchmark requirements (FT-BENCH-*).
package fmgate.gates.shared

import data.fmgate.lib.evidence
import data.fmgate.lib.facts
import data.fmgate.lib.findings

# --- FT-BENCH-MISSING -----------------------------------------------------

_bench_items := object.get(_bench, "items", null)

default _unknown_items := null

_unknown_items := _bench.unknown_item_ids if is_number(_bench.unknown_item_ids)

_unknown_items := count(_bench.unknown_item_ids) if is_array(_bench.unknown_item_ids)

default _bench_missing_ok := false

_bench_missing_ok if {
	findings.above(_bench_items, 0)
	_unknown_items == 0
	is_object(_bench.systems.candidate)
	is_object(_bench.systems.buy)
}

default _bench_missing_message := "the head-to-head does not report both systems, candidate and buy"

_bench_missing_message := sprintf(
	"the candidate and the buy alternative were compared on %s eval items",
	[findings.show(_bench_items)],
) if {
	_bench_missing_ok
} else := evidence.problems.head_to_head if {
	not "head_to_head" in evidence.usable
} else := "the head-to-head has no scored item pairing the candidate with the buy alternative" if {
	not findings.above(_bench_items, 0)
} else := "the head-to-head does not report unknown_item_ids, so its items cannot be traced to the eval set" if {
	_unknown_items == null
} else := msg if {
	_unknown_items != 0
	msg := sprintf(
		"%s head-to-head item ids are not in the eval set, so the comparison is not on the organisation's own eval set",
		[findings.show(_unknown_items)],
	)
}

# METADATA
# title: Head-to-head benchmark against the buy alternative
# description: |
#   A fine-tune or build needs a written head-to-head of the candidate against the named buy
#   alternative, item by item, on the organisation's own eval set. Without it the proposal is an
#   aspiration, not a decision.
# custom:
#   id: FT-BENCH-MISSING
#   gate: shared
#   severity: deny
#   fix: Run the candidate and the buy alternative on every eval set item and commit the head_to_head evidence.
_bench_missing := {
	"id": meta.custom.id, "gate": meta.custom.gate, "fix": meta.custom.fix,
	"passed": _bench_missing_ok, "observed": {"items": _bench_items, "unknown_item_ids": _unknown_items},
	"required": {"items": "at least 1", "unknown_item_ids": 0}, "message": _bench_missing_message,
} if {
	meta := rego.metadata.rule()
}

# --- FT-BENCH-METRICS -----------------------------------------------------

_systems := ["candidate", "buy"]

_metrics := ["mean_score", "p10", "p50", "p90", "cost_per_useful_task"]

_metrics_observed[system] := {m: object.get(_bench, ["systems", system, m], null) | some m in _metrics} if {
	some system in _systems
}

# a metric is present when it is a number; cost per useful task may be null only when no task was
# useful. The common case, a number, costs one builtin call per metric.
_metrics_missing contains sprintf("%s.%s", [system, m]) if {
	some system in _systems
	some m in _metrics
	not is_number(object.get(_bench, ["systems", system, m], null))
	not _no_useful_task(system, m)
}

_no_useful_task(system, "cost_per_useful_task") if {
	_bench.systems[system].cost_per_useful_task == null
	_bench.systems[system].useful_tasks == 0
}

default _metrics_ok := false

_metrics_ok if {
	count(_metrics_missing) == 0
	_bench.useful_task_score == _thresholds.useful_task_score
}

_metrics_message := "both systems report quality score, percentiles and cost per useful task" if {
	_metrics_ok
} else := evidence.problems.head_to_head if {
	not "head_to_head" in evidence.usable
} else := msg if {
	count(_metrics_missing) > 0
	msg := sprintf("the head-to-head lacks %s", [findings.listing(_metrics_missing)])
} else := sprintf(
	"the head-to-head counted a task as useful from a score of %s; the policy uses %s",
	[findings.show(object.get(_bench, "useful_task_score", null)), findings.show(_thresholds.useful_task_score)],
)

# METADATA
# title: Benchmark reports the decisive numbers
# description: |
#   For both the candidate and the buy alternative the head-to-head must report the quality score,
#   its percentiles (p10, p50, p90) and the cost per useful task (total cost divided by the number
#   of tasks scoring at least the useful-task threshold), computed with the policy's threshold.
# custom:
#   id: FT-BENCH-METRICS
#   gate: shared
#   severity: deny
#   fix: Regenerate the head_to_head evidence so both systems report score, percentiles and cost per useful task.
_bench_metrics := {
	"id": meta.custom.id, "gate": meta.custom.gate, "fix": meta.custom.fix,
	"passed": _metrics_ok, "observed": _metrics_observed,
	"required": {"metrics": _metrics, "useful_task_score": _thresholds.useful_task_score},
	"message": _metrics_message,
} if {
	meta := rego.metadata.rule()
}

# --- FT-BENCH-ORDER -------------------------------------------------------

default _started := null

_started := facts.memo.engineering_started

_run_date := object.get(_bench, "run_date", null)

default _order_ok := false

# an approved memo is re-benchmarked after work has started; RELIT-* governs it instead
_order_ok if facts.approved

_order_ok if {
	"engineering_started" in object.keys(facts.memo)
	_started == null
	facts.day(_run_date)
}

_order_ok if facts.day(_started) >= facts.day(_run_date)

_order_message := "the memo is approved: its benchmarks are now judged by re-litigation" if {
	facts.approved
} else := evidence.problems.head_to_head if {
	not "head_to_head" in evidence.usable
} else := "the head-to-head has no usable run_date" if {
	not facts.day(_run_date)
} else := "the memo does not say whether engineering has started (engineering_started: a date, or null)" if {
	not "engineering_started" in object.keys(facts.memo)
} else := msg if {
	_started != null
	not facts.day(_started)
	msg := sprintf("engineering_started %v is not a YYYY-MM-DD date", [_started])
} else := msg if {
	not _order_ok
	msg := sprintf(
		"engineering started on %s, before the benchmark ran on %s: the benchmark has to come first",
		[_started, facts.date(facts.day(_run_date))],
	)
} else := "no engineering has started on the candidate yet" if {
	_started == null
} else := sprintf(
	"the benchmark ran on %s, no later than the start of engineering on %s",
	[facts.date(facts.day(_run_date)), _started],
)

# METADATA
# title: Benchmark before engineering
# description: |
#   The head-to-head must be run before work on the candidate begins: a memo whose
#   engineering_started date is earlier than the latest benchmark run_date fails. A benchmark
#   produced after the work is a justification, not a decision.
# custom:
#   id: FT-BENCH-ORDER
#   gate: shared
#   severity: deny
#   fix: Stop engineering work, run the head-to-head, and decide from its result before restarting.
_bench_order := {
	"id": meta.custom.id, "gate": meta.custom.gate, "fix": meta.custom.fix,
	"passed": _order_ok, "observed": {"engineering_started": _started, "benchmark_run_date": _run_date},
	"required": "engineering_started is null or not earlier than the benchmark run_date",
	"message": _order_message,
} if {
	meta := rego.metadata.rule()
}

# --- FT-BENCH-BUY-WINS ----------------------------------------------------

# METADATA
# title: Candidate quality score
# description: The candidate's mean score on the head-to-head, or null.
candidate_score := object.get(_bench, ["systems", "candidate", "mean_score"], null)

# METADATA
# title: Buy alternative quality score
# description: The buy alternative's mean score on the head-to-head, or null.
buy_score := object.get(_bench, ["systems", "buy", "mean_score"], null)

# METADATA
# title: Candidate cost per useful task
# description: The candidate's cost per useful task on the head-to-head, or null (also when no task was useful).
candidate_cost := object.get(_bench, ["systems", "candidate", "cost_per_useful_task"], null)

# METADATA
# title: Buy alternative cost per useful task
# description: The buy alternative's cost per useful task on the head-to-head, or null (also when no task was useful).
buy_cost := object.get(_bench, ["systems", "buy", "cost_per_useful_task"], null)

# _comparable holds when both quality scores are numbers and both costs per useful task are known
_comparable if {
	is_number(candidate_score)
	is_number(buy_score)
	not "candidate.cost_per_useful_task" in _metrics_missing
	not "buy.cost_per_useful_task" in _metrics_missing
}

# a system with no useful task has an infinite cost per useful task
_buy_no_dearer if findings.at_most(buy_cost, candidate_cost)

_buy_no_dearer if candidate_cost == null

# METADATA
# title: Buy wins
# description: |
#   Holds when the head-to-head is comparable and the buy alternative is at least as good on
#   quality and no more expensive per useful task (FT-BENCH-BUY-WINS, RELIT-BUY-WINS).
buy_wins if {
	_comparable
	buy_score >= candidate_score
	_buy_no_dearer
}

default _buy_wins_ok := false

_buy_wins_ok if facts.approved

_buy_wins_ok if {
	_comparable
	not buy_wins
}

_buy_wins_message := "the memo is approved: RELIT-BUY-WINS judges new benchmarks" if {
	facts.approved
} else := evidence.problems.head_to_head if {
	not "head_to_head" in evidence.usable
} else := "the head-to-head lacks the quality scores or costs per useful task needed to compare" if {
	not _comparable
} else := msg if {
	buy_wins
	msg := sprintf(
		"the buy alternative scores %s against the candidate's %s at %s per useful task against %s: buy wins",
		[findings.show(buy_score), findings.show(candidate_score), per_task(buy_cost), per_task(candidate_cost)],
	)
} else := sprintf(
	"the candidate scores %s against %s for buy, at %s per useful task against %s",
	[findings.show(candidate_score), findings.show(buy_score), per_task(candidate_cost), per_task(buy_cost)],
)

# METADATA
# title: Cost per useful task, shown
# description: Renders a cost per useful task for a message, in dollars, or "no useful task" for null.
# scope: document
per_task(x) := sprintf("$%s", [findings.show(x)]) if is_number(x)

per_task(null) := "no useful task"

# METADATA
# title: The buy alternative does not win
# description: |
#   If on the benchmark the buy alternative is at least as good on quality and no more expensive
#   per useful task, the fine-tune or build does not go ahead.
# custom:
#   id: FT-BENCH-BUY-WINS
#   gate: shared
#   severity: deny
#   fix: Buy; the benchmark shows the bought model is as good and no dearer per useful task.
_bench_buy_wins := {
	"id": meta.custom.id, "gate": meta.custom.gate, "fix": meta.custom.fix,
	"passed": _buy_wins_ok,
	"observed": {
		"candidate": {"mean_score": candidate_score, "cost_per_useful_task": candidate_cost},
		"buy": {"mean_score": buy_score, "cost_per_useful_task": buy_cost},
	},
	"required": "candidate better on quality or cheaper per useful task", "message": _buy_wins_message,
} if {
	meta := rego.metadata.rule()
}

# --- FT-BENCH-BUY-MODEL ---------------------------------------------------

# the model the memo says it would buy, as the benchmark rows name one: provider, model, deployment
_memo_buy[part] := lower(trim_space(v)) if {
	some part in ["provider", "model", "deployment"]
	v := input.memo.buy_alternative[part]
	is_string(v)
}

# the models the buy rows of the benchmark name
_bench_buy_models := [{part: lower(trim_space(object.get(m, part, ""))) |
	some part in ["provider", "model", "deployment"]
	is_string(object.get(m, part, null))
} |
	some m in object.get(_bench, ["models", "buy"], [])
	is_object(m)
]

default _buy_model_ok := false

# the buy rows name one model, and it is the memo's buy alternative (deployment too, when both name one)
_buy_model_ok if {
	count(_bench_buy_models) == 1
	benched := _bench_buy_models[0]
	benched.provider == _memo_buy.provider
	benched.model == _memo_buy.model
	not _deployments_differ(benched)
}

_deployments_differ(benched) if benched.deployment != _memo_buy.deployment

_buy_model_message := sprintf(
	"the buy rows of the benchmark are %s %s, the memo's buy alternative",
	[object.get(_memo_buy, "provider", "?"), object.get(_memo_buy, "model", "?")],
) if {
	_buy_model_ok
} else := evidence.problems.head_to_head if {
	not "head_to_head" in evidence.usable
} else := concat("", [
	"the head-to-head does not say which model produced the buy rows ",
	"(provider, model and deployment columns)",
]) if {
	count(_bench_buy_models) == 0
} else := msg if {
	count(_bench_buy_models) > 1
	msg := sprintf(
		"the buy rows of the head-to-head come from %d different models; a benchmark compares one",
		[count(_bench_buy_models)],
	)
} else := sprintf(
	"the buy rows of the head-to-head come from %s %s (%s), not from the memo's buy alternative %s %s (%s)",
	[
		object.get(_bench_buy_models[0], "provider", "?"), object.get(_bench_buy_models[0], "model", "?"),
		object.get(_bench_buy_models[0], "deployment", "?"), object.get(_memo_buy, "provider", "?"),
		object.get(_memo_buy, "model", "?"), object.get(_memo_buy, "deployment", "?"),
	],
)

# METADATA
# title: Benchmarked against the named buy alternative
# description: |
#   The buy rows of the head-to-head must come from the memo's buy alternative (provider and model,
#   and deployment when both name one), one model throughout: a candidate that only beats a weaker
#   or cheaper model than the one the organisation would buy proves nothing.
# custom:
#   id: FT-BENCH-BUY-MODEL
#   gate: shared
#   severity: deny
#   fix: Run the buy side on the memo's buy_alternative and record provider, model and deployment per row.
_bench_buy_model := {
	"id": meta.custom.id, "gate": meta.custom.gate, "fix": meta.custom.fix,
	"passed": _buy_model_ok, "observed": object.get(_bench, ["models", "buy"], null),
	"required": _memo_buy, "message": _buy_model_message,
} if {
	meta := rego.metadata.rule()
}
