"""Scaffolding a new memo and its evidence folder, never overwriting anything.

Besides the memo, ``fmgate new`` writes ``evidence/<id>/inputs/README.md``: for
each input the memo's verb and the gates it may claim need (``required_evidence``
in the repository's policies/data.json), the file name the memo points at, its
columns with their types and checks (generated from
:mod:`fmgate.evidence.specs` and the expectation suites, so the guide never
drifts from what is enforced), one example row, and what a file with no rows
means for that kind.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .errors import InputError
from .memo import MEMO_ID_PATTERN
from .repo import Repository

#: The file name each input gets in a scaffolded memo's evidence section.
FILE_NAMES = {
    "eval_set": "eval_set.jsonl",
    "head_to_head": "head_to_head.csv",
    "cost_model": "cost_model.yaml",
    "usage_log": "usage.csv",
    "task_changes": "task_changes.csv",
    "prompting_log": "prompting_log.csv",
    "domain_data": "domain_data.parquet",
    "corpus_manifest": "corpus_manifest.csv",
}

#: The inputs the memo template lists for each verb.
VERB_EVIDENCE = {
    verb: {kind: FILE_NAMES[kind] for kind in kinds}
    for verb, kinds in {
        "buy": ("cost_model",),
        "fine-tune": (
            "eval_set",
            "head_to_head",
            "cost_model",
            "usage_log",
            "task_changes",
            "prompting_log",
            "domain_data",
        ),
        "build": ("eval_set", "head_to_head", "cost_model", "corpus_manifest"),
    }.items()
}

#: The gates each verb may claim (verb_gates in policies/fmgate/decision/decision.rego).
VERB_GATES = {"buy": (), "fine-tune": ("cost_at_scale", "domain_expertise"), "build": ("build",)}

#: An example cost model; the tests check it parses and passes the cost_model suite.
COST_MODEL_EXAMPLE = """\
buy:
  input_price_per_million_tokens: 1.25     # the buy alternative's list prices, USD per million tokens
  output_price_per_million_tokens: 10.0
  avg_input_tokens: 500                    # per call, from the usage log
  avg_output_tokens: 50
candidate:
  inference_cost_per_thousand_calls: 0.05  # serving the candidate, USD
  engineering_cost_usd: 400000             # leave a cost out and it counts as zero (and the policy says so)
  training_cost_usd: 50000
  eval_monitoring_cost_per_quarter_usd: 40000
scenarios:                                 # the first is the base scenario
  - {name: today, calls_per_day: 12000000, growth_per_quarter: 0.0}
  - {name: growth, calls_per_day: 12000000, growth_per_quarter: 0.15}
horizon_quarters: 4
"""

_TYPE_WORDS = {
    "string": "text (an id or label; kept as written, 007 stays 007)",
    "text": "free text",
    "int": "whole number",
    "number": "number",
    "bool": "true or false",
    "date": "date, YYYY-MM-DD",
    "datetime": "ISO 8601 timestamp, e.g. 2026-11-02T14:30:00Z",
}


def memo_template(memo_id: str, verb: str, today: dt.date) -> str:
    evidence = "\n".join(f"  {kind}: evidence/{memo_id}/inputs/{name}" for kind, name in VERB_EVIDENCE[verb].items())
    build = (
        ("{committed_capital_usd: 0, payback_months_accepted: 0, model_is_product: false, rejected_fine_tune: null}")
        if verb == "build"
        else "null"
    )
    gates = {"buy": "[]", "fine-tune": "[cost_at_scale]  # and/or domain_expertise", "build": "[build]"}[verb]
    return f"""---
id: {memo_id}
title: "<one line: what is decided>"
workload: "<the workload this decides; one active decision per workload>"
workload_shape: standard
decision: {verb}
status: proposed
date: {today.isoformat()}
owner: "<the single decision owner>"
proposer: {{team: "<team>", type: in-house, person: "<your login>"}}
reviewers: []                # senior reviewers you ask to review (requests; CI counts the pull request's approvals)
engineering_started: null
supersedes: null
buy_alternative: {{provider: "<provider>", model: "<model>", deployment: public-api}}
dimensions: {{criticality: supportive, workflow_complexity: simple, control_need: low}}
candidates:
  buy: "<why or why not buy>"
  fine-tune: "<why or why not fine-tune>"
  build: "<why or why not build>"
rationale_tags: []
gates_claimed: {gates}
domain: {{expected_retraining_interval_days: null}}
build: {build}
evidence:
{evidence}
---
# {memo_id}

## The workload

## What we compared, and what the evidence says

## Decision
"""


def needed_inputs(verb: str, required_evidence: Mapping[str, Any]) -> dict[str, list[str]]:
    """Input kind -> what needs it ("the verb", "gate cost_at_scale", ...), in a fixed order.

    The kinds come from *required_evidence* (policy data); an input that a kind
    reads beside its own file (task_changes for usage_log) follows that kind; an
    input the memo template lists that nothing requires is listed as optional.
    """
    from .collect import INPUT_PARAMETERS
    from .evidence.specs import KINDS

    reasons: dict[str, list[str]] = {}
    for kind in (required_evidence.get("verbs") or {}).get(verb, []):
        reasons.setdefault(str(kind), []).append(f"the verb {verb}")
    for gate in VERB_GATES.get(verb, ()):
        for kind in (required_evidence.get("gates") or {}).get(gate, []):
            reasons.setdefault(str(kind), []).append(f"the gate {gate}")
    for kind in VERB_EVIDENCE[verb]:
        reasons.setdefault(kind, [])
    ordered: dict[str, list[str]] = {}
    for kind in [k for k in KINDS if k in reasons] + [k for k in reasons if k not in KINDS]:
        if kind in ordered:
            continue
        ordered[kind] = reasons[kind]
        for _, extra in INPUT_PARAMETERS.get(kind, ())[1:]:
            if extra not in KINDS and extra not in ordered:  # read only with this kind (task_changes)
                ordered[extra] = [f"the {kind} evidence (it reads this file beside its own)"]
    return ordered


def _checks(kind: str, column: str) -> list[str]:
    """What the expectation suite checks of one column, beyond presence, nulls, blanks and type."""
    from .evidence.specs import INPUTS
    from .evidence.validate import PARSED_SUFFIX, WARNING, suite

    spec = INPUTS[kind]
    words = []
    for rule in suite(kind, list(spec.names), as_of=dt.date(2000, 1, 1)):
        if rule.column != column and column not in (rule.kwargs.get("column_list") or ()):
            continue
        kwargs = rule.kwargs
        if rule.expectation == "ExpectColumnValuesToBeInSet" and spec.column(column).type != "bool":
            text = "one of " + ", ".join(str(v) for v in kwargs["value_set"])
        elif rule.expectation == "ExpectColumnValuesToBeBetween" and str(kwargs.get("column", "")).endswith(
            PARSED_SUFFIX
        ):
            text = "not in the future"
        elif rule.expectation == "ExpectColumnValuesToBeBetween":
            low, high = kwargs.get("min_value"), kwargs.get("max_value")
            strict = ">" if kwargs.get("strict_min") else ">="
            text = (
                f"{low} to {high}"
                if low is not None and high is not None
                else f"{strict} {low}"
                if low is not None
                else f"<= {high}"
            )
        elif rule.expectation == "ExpectColumnValuesToBeUnique":
            text = "unique"
        elif rule.expectation == "ExpectCompoundColumnsToBeUnique":
            text = "unique with " + " and ".join(c for c in kwargs["column_list"] if c != column)
        elif rule.expectation == "ExpectColumnValuesToMatchRegex" and "sha256" in rule.explain:
            text = "64 lower-case hex digits"
        else:
            continue
        words.append(text + (" (else a warning)" if rule.severity == WARNING else ""))
    return words


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _example(kind: str, file_name: str) -> list[str]:
    """The example row of *kind*, written as the file *file_name* would hold it."""
    from .evidence.specs import INPUTS

    spec = INPUTS[kind]
    row = spec.example_row()
    if file_name.endswith(".jsonl"):
        return ["```json", json.dumps(row), "```"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(spec.names)
    writer.writerow([_cell(v) for v in row.values()])
    lines = ["```csv", *buffer.getvalue().splitlines(), "```"]
    if file_name.endswith(".parquet"):
        lines[:0] = [
            "The same columns in Parquet (for example `pandas.DataFrame(rows).to_parquet(...)`); "
            "as CSV the example row is:",
            "",
        ]
    return lines


def _section(kind: str, needed_by: Sequence[str], file_name: str, memo_id: str) -> list[str]:
    from .evidence import cost
    from .evidence.specs import INPUTS

    path = f"evidence/{memo_id}/inputs/{file_name}"
    why = (
        f"Needed by {' and '.join(needed_by)}."
        if needed_by
        else "Optional: the memo template lists it; the policy does not require it."
    )
    lines = [f"## {kind}: `{file_name}`", "", f"{why} The memo's evidence section points at `{path}`.", ""]
    if kind == "cost_model":
        fields = [f"`buy.{f}`" for f in cost.BUY_FIELDS] + [f"`candidate.{f}`" for f in cost.CANDIDATE_REQUIRED]
        fixed = [f"`candidate.{f}`" for f in cost.FIXED_COSTS.values()]
        lines += [
            "A YAML file (`.yaml`). Required: " + ", ".join(fields) + ", and `scenarios`, a list of "
            "{" + ", ".join(cost.SCENARIO_FIELDS) + "}, the first being the base scenario. "
            "Fixed costs: " + ", ".join(fixed) + " (a cost left out counts as zero). "
            "`horizon_quarters` is optional: collect projects over the policy's horizon "
            "(threshold cost_horizon_quarters). Example:",
            "",
            "```yaml",
            *COST_MODEL_EXAMPLE.splitlines(),
            "```",
            "",
        ]
        return lines
    spec = INPUTS[kind]
    lines += [
        f"One row per {spec.row}; CSV, JSON Lines (`.jsonl`) or Parquet, told apart by the extension. "
        "Extra columns are kept but not read.",
        "",
        "| column | type | required | checks |",
        "| --- | --- | --- | --- |",
    ]
    for col in spec.columns:
        checks = "; ".join(_checks(kind, col.name)) or ""
        lines.append(f"| `{col.name}` | {_TYPE_WORDS[col.type]} | {'yes' if col.required else 'no'} | {checks} |")
    lines += ["", "Example:", "", *_example(kind, file_name), ""]
    if spec.empty_ok:
        lines.append(
            f"No rows is an answer here: a file with the header row alone means {spec.no_rows}. "
            "A file with no bytes, or JSON Lines with no records, is refused, because an export "
            "that failed looks the same."
        )
    else:
        lines.append(f"A file with no rows is refused: {spec.no_rows}.")
    return lines + [""]


def inputs_guide(memo_id: str, verb: str, required_evidence: Mapping[str, Any]) -> str:
    """The README written in a new memo's inputs folder."""
    needed = needed_inputs(verb, required_evidence)
    lines = [
        f"# Inputs for {memo_id} ({verb})",
        "",
        "Put the input files in this folder under the names below, which the memo's evidence section "
        "already uses. `fmgate collect` reads and checks each one and writes the evidence documents "
        "beside this folder; `fmgate check` decides. Every column and check listed here is the one "
        "enforced (generated from fmgate's input specs), and the requirements come from "
        "`policies/data.json` (`required_evidence`).",
        "",
    ]
    if not any(needed.values()):
        lines += [
            f"The policy requires no input for {verb}" + ("; the ones below are optional." if needed else "."),
            "",
        ]
    for kind, needed_by in needed.items():
        file_name = VERB_EVIDENCE[verb].get(kind, FILE_NAMES.get(kind, f"{kind}.csv"))
        lines += _section(kind, needed_by, file_name, memo_id)
    return "\n".join(lines).rstrip("\n") + "\n"


def scaffold(repo: Repository, memo_id: str, verb: str, today: dt.date) -> list[Path]:
    """Write the memo, its inputs folder and the inputs guide; returns [memo, inputs folder, guide].

    Nothing is written when the id is taken or the policy data cannot be read.
    """
    if not re.match(MEMO_ID_PATTERN, memo_id):
        raise InputError(
            f"{memo_id!r} is not a lowercase kebab-case id",
            field="--id",
            fix="use letters, digits and single hyphens, e.g. ticket-triage",
        )
    if verb not in VERB_EVIDENCE:
        raise InputError(f"unknown decision {verb!r}", field="--decision", fix="use buy, fine-tune or build")
    memo_path = repo.memos_dir / f"{memo_id}.md"
    inputs = repo.evidence_dir(memo_id) / "inputs"
    taken = [p for p in (memo_path, repo.evidence_dir(memo_id)) if p.exists()]
    if taken or memo_id in {m.memo_id for m in repo.memos}:
        where = ", ".join(str(p.relative_to(repo.root)) for p in taken) or "another memo's id"
        raise InputError(
            f"{memo_id!r} already exists ({where}); nothing was written",
            field="--id",
            fix="choose another id, or edit the existing memo",
        )
    required = repo.policy_defaults().get("required_evidence")
    if not isinstance(required, dict):
        raise InputError(
            "policy data has no required_evidence object",
            path=str(repo.policies_dir / "data.json"),
            field="fmgate.defaults.required_evidence",
            fix="restore policies/data.json from the repository",
        )
    guide = inputs_guide(memo_id, verb, required)
    repo.memos_dir.mkdir(parents=True, exist_ok=True)
    inputs.mkdir(parents=True)
    with open(memo_path, "x", encoding="utf-8") as handle:  # "x": never overwrite
        handle.write(memo_template(memo_id, verb, today))
    readme = inputs / "README.md"
    with open(readme, "x", encoding="utf-8") as handle:
        handle.write(guide)
    return [memo_path, inputs, readme]
