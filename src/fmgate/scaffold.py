"""Scaffolding a new memo and its evidence folder, never overwriting anything."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from .errors import InputError
from .memo import MEMO_ID_PATTERN
from .repo import Repository

VERB_EVIDENCE = {
    "buy": {"cost_model": "cost_model.yaml"},
    "fine-tune": {"eval_set": "eval_set.jsonl", "head_to_head": "head_to_head.csv",
                  "cost_model": "cost_model.yaml", "usage_log": "usage.csv",
                  "task_changes": "task_changes.csv", "prompting_log": "prompting_log.csv",
                  "domain_data": "domain_data.parquet"},
    "build": {"eval_set": "eval_set.jsonl", "head_to_head": "head_to_head.csv",
              "cost_model": "cost_model.yaml", "corpus_manifest": "corpus_manifest.csv"},
}


def memo_template(memo_id: str, verb: str, today: dt.date) -> str:
    evidence = "\n".join(f"  {kind}: evidence/{memo_id}/inputs/{name}"
                         for kind, name in VERB_EVIDENCE[verb].items())
    build = ("{committed_capital_usd: 0, payback_months_accepted: 0, model_is_product: false, "
             "rejected_fine_tune: null}") if verb == "build" else "null"
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


def scaffold(repo: Repository, memo_id: str, verb: str, today: dt.date) -> list[Path]:
    if not re.match(MEMO_ID_PATTERN, memo_id):
        raise InputError(f"{memo_id!r} is not a lowercase kebab-case id", field="--id",
                         fix="use letters, digits and single hyphens, e.g. ticket-triage")
    if verb not in VERB_EVIDENCE:
        raise InputError(f"unknown decision {verb!r}", field="--decision", fix="use buy, fine-tune or build")
    memo_path = repo.memos_dir / f"{memo_id}.md"
    inputs = repo.evidence_dir(memo_id) / "inputs"
    taken = [p for p in (memo_path, repo.evidence_dir(memo_id)) if p.exists()]
    if taken or memo_id in {m.memo_id for m in repo.memos}:
        where = ", ".join(str(p.relative_to(repo.root)) for p in taken) or "another memo's id"
        raise InputError(f"{memo_id!r} already exists ({where}); nothing was written", field="--id",
                         fix="choose another id, or edit the existing memo")
    repo.memos_dir.mkdir(parents=True, exist_ok=True)
    inputs.mkdir(parents=True)
    with open(memo_path, "x", encoding="utf-8") as handle:  # "x": never overwrite
        handle.write(memo_template(memo_id, verb, today))
    (inputs / ".gitkeep").touch()
    return [memo_path, inputs]
