# METADATA
# title: Re-litigation of approved decisions
# description: |
#   The bought model keeps improving while a fine-tune or a built model stands still, so an
#   approved fine-tune or build must be benchmarked again against today's buy alternative every
#   window, and reverts to buy when the buy alternative wins. An approved buy is flagged when its
#   usage grows to the volume at which the cost-at-scale gate may fire.
package fmgate.relitigation

import data.fmgate.gates.shared
import data.fmgate.lib.config
import data.fmgate.lib.evidence
import data.fmgate.lib.facts
import data.fmgate.lib.findings

_window := config.thresholds.relitigation_days

# the day number of the newest head-to-head run
_benchmark_day := facts.day(evidence.measurements.head_to_head.run_date)

# an approved fine-tune or build stays under re-litigation for as long as it stands
_under_review if {
	facts.approved
	facts.verb in {"fine-tune", "build"}
}

# _next_due is when the next head-to-head must have run (fine-tune and build memos only)
default _next_due := null

_next_due := facts.date(_benchmark_day + _window) if facts.verb in {"fine-tune", "build"}

default _benchmark_age := null

_benchmark_age := facts.now_day - _benchmark_day

# due once the newest usable head-to-head is `window` days old, or when there is none
default _due := false

_due if {
	_under_review
	not findings.above(_window, _benchmark_age)
}

_due_message := msg if {
	_benchmark_age == null
	msg := "the approved memo has no usable head-to-head benchmark to show it still beats the buy alternative"
} else := sprintf(
	"the newest head-to-head ran %s days ago (due again after %s days, on %s); re-run it against today's buy alternative",
	[findings.show(_benchmark_age), findings.show(_window), _next_due],
)

# METADATA
# title: Re-litigation due
# description: |
#   An approved fine-tune or build needs a head-to-head against today's buy alternative that is
#   younger than the re-litigation window (relitigation_days). When the window has passed the
#   benchmark must be re-run before the decision stands.
# custom:
#   id: RELIT-DUE
#   gate: relitigation
#   severity: deny
#   fix: Re-run the head-to-head against the current buy alternative and commit the new evidence.
_due_violations contains findings.finding(rego.metadata.rule(), _due_message, _benchmark_age, _window) if _due

_buy_wins_message := sprintf(
	"the latest head-to-head shows the buy alternative at %s quality for %s per useful task, against %s for %s",
	[
		findings.show(shared.buy_score), shared.per_task(shared.buy_cost),
		findings.show(shared.candidate_score), shared.per_task(shared.candidate_cost),
	],
)

# METADATA
# title: Buy now wins
# description: |
#   When the newest head-to-head of an approved fine-tune or build shows the buy alternative at
#   least as good on quality and no more expensive per useful task, the decision reverts to buy.
# custom:
#   id: RELIT-BUY-WINS
#   gate: relitigation
#   severity: deny
#   fix: Revert the workload to the buy alternative and retire this memo with a new buy memo that supersedes it.
_buy_wins_violations contains v if {
	_under_review
	shared.buy_wins
	v := findings.finding(
		rego.metadata.rule(),
		_buy_wins_message,
		{
			"candidate": {"mean_score": shared.candidate_score, "cost_per_useful_task": shared.candidate_cost},
			"buy": {"mean_score": shared.buy_score, "cost_per_useful_task": shared.buy_cost},
		},
		"candidate better on quality or cheaper per useful task",
	)
}

_volume := evidence.measurements.usage_log.median_daily_calls

# METADATA
# title: Bought workload reached the volume threshold
# description: |
#   An approved buy whose usage log now shows a median daily volume at or above the cost-at-scale
#   threshold may have crossed into the territory where distillation pays; it deserves a new look.
# custom:
#   id: RELIT-BUY-VOLUME
#   gate: relitigation
#   severity: warn
#   fix: Run the cost-at-scale evidence (stability, quality ratio, savings) and open a fine-tune memo if the gate fires.
warnings contains v if {
	facts.approved
	facts.verb == "buy"
	findings.at_least(_volume, config.thresholds.cost_volume_calls_per_day)
	msg := sprintf(
		"the bought workload now runs a median of %s calls a day, at or above the %s at which the cost gate may fire",
		[findings.show(_volume), findings.show(config.thresholds.cost_volume_calls_per_day)],
	)
	v := findings.finding(rego.metadata.rule(), msg, _volume, config.thresholds.cost_volume_calls_per_day)
}

# METADATA
# title: Re-litigation violations
# description: The re-litigation findings that deny (RELIT-DUE, RELIT-BUY-WINS).
violations := _due_violations | _buy_wins_violations

# METADATA
# title: Re-litigation summary
# description: |
#   The relitigation object of the decision document: whether a new head-to-head is due, when the
#   next one is due (fine-tune and build memos), and the messages of every re-litigation finding.
summary := {
	"due": _due,
	"next_due": _next_due,
	"reasons": sort([f.message | some f in (violations | warnings)]),
}
