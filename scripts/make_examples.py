#!/usr/bin/env python3
"""Write fmgate's example decision repository: seven memos and their evidence inputs.

Everything is generated from one seed with numpy's Generator, so two runs give
byte-identical files. Each example draws from its own child generator, which
keeps one example's numbers stable when another example changes.

    python scripts/make_examples.py            # into this repository
    python scripts/make_examples.py --root DIR # into another folder
    python scripts/make_examples.py --force    # replace files that already exist

The script never overwrites a file unless --force is given; without it, it lists
the files it would have replaced and writes nothing. `fmgate.yaml` is written
only when the target has none, and is never replaced.

The seven examples, all dated 2026-11-02 and all `status: proposed`:

  support-reply-drafting         buy, complete                   -> approved
  contract-summaries-draft       buy, incomplete memo            -> denied (memo rules)
  ticket-triage-distillation     fine-tune, cost at scale        -> approved
  clinical-coding-assistant      fine-tune, domain expertise     -> approved
  sales-email-own-model          fine-tune, "we have data"       -> denied (anti-patterns)
  legal-foundation-model         build                           -> denied (build gates)
  support-volume-from-warehouse  buy, usage read from a database -> approved

The last one reads its usage log and task changes from tables of a small
SQLite "warehouse" the script also writes (examples/warehouse.sqlite) instead
of committed files; fmgate.yaml declares it as the source `demo-warehouse`.

The data are invented. The script checks the properties each example is meant
to have (volumes, plateau, bootstrap bound, savings...) and stops if a change
breaks one, so a memo never silently stops showing what it is there to show.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

SEED = 20261102
MEMO_DATE = dt.date(2026, 11, 2)
#: The evaluation day the examples are built for: nothing may be dated after it.
EVALUATION_DAY = dt.date(2026, 11, 24)
QUARTER_DAYS = 91
MAX_FILE_BYTES = 3 * 1024 * 1024

SETTINGS = """\
# Organisation settings for fmgate (see docs/policy-input.md).
decision_owners: [dana.kim, priya.rao]
senior_reviewers: [lee.wong, sam.ortiz]
required_approvals: 1
thresholds: {}
opa: {url: null, token_env: null}
# Where memos may read evidence in place of a committed file. demo-warehouse is an embedded
# SQLite file in this repository (opened read-only). A production source gives url_env instead:
# the name of the environment variable that holds its SQLAlchemy URL, credentials included,
# set where fmgate runs (a CI secret). Credentials are never written in this file.
sources:
  demo-warehouse: {kind: sql, url: "sqlite:///examples/warehouse.sqlite", tables: [llm_calls_daily, task_changes]}
"""

#: The embedded database the warehouse example reads, and the source fmgate.yaml names it by.
WAREHOUSE = "examples/warehouse.sqlite"
WAREHOUSE_SOURCE = "demo-warehouse"

Files = dict[str, bytes]


class ExampleBroken(AssertionError):
    """A generated example no longer has the property it exists to show."""


def require(condition: bool, what: str) -> None:
    if not condition:
        raise ExampleBroken(what)


# --------------------------------------------------------------------------
# Writers: every byte is decided here, so output never depends on locale or
# library defaults that could drift.


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return buffer.getvalue().encode("utf-8")


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def jsonl_bytes(records: Iterable[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")


def parquet_bytes(columns: dict[str, list[Any]]) -> bytes:
    table = pa.table(columns)
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd", write_statistics=True)
    return sink.getvalue()


def sqlite_bytes(schema: str, tables: dict[str, list[tuple[Any, ...]]]) -> bytes:
    """An SQLite database holding *tables* (rows in order), built in a temporary file and read back.

    The values are text and integers only (dates and instants as ISO text,
    booleans as 0/1), so no driver adapter decides how they are stored. The
    file is built twice and must come out the same: the bytes depend only on
    the content and the SQLite library that wrote them.
    """

    def build() -> bytes:
        with tempfile.TemporaryDirectory(prefix="make-examples-") as folder:
            path = Path(folder) / "warehouse.sqlite"
            connection = sqlite3.connect(path)
            try:
                connection.executescript("PRAGMA page_size = 4096;\nPRAGMA journal_mode = DELETE;\n" + schema)
                for table, rows in tables.items():
                    if rows:
                        marks = ", ".join("?" * len(rows[0]))
                        connection.executemany(f"INSERT INTO {table} VALUES ({marks})", [_sql_row(r) for r in rows])
                connection.commit()
            finally:
                connection.close()
            return path.read_bytes()

    first, second = build(), build()
    require(first == second, "the SQLite warehouse is not byte-identical when written twice")
    return first


def _sql_row(row: Sequence[Any]) -> tuple[Any, ...]:
    out: list[Any] = []
    for value in row:
        if isinstance(value, bool):
            out.append(int(value))
        elif isinstance(value, (dt.date, dt.datetime)):
            out.append(value.isoformat())
        else:
            require(value is None or isinstance(value, (int, str)), f"unexpected SQLite value {value!r}")
            out.append(value)
    return tuple(out)


def utc_instant(moment: dt.datetime) -> str:
    """ISO 8601 in UTC with a Z, as a warehouse's load timestamps are written."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def money(x: float) -> str:
    return f"{x:.7f}"


def score(x: float) -> str:
    return f"{x:.4f}"


#: Front-matter fields written as indented blocks; the rest fit on one line each.
BLOCK_FIELDS = ("candidates", "evidence")


def _line(key: str, value: Any, indent: str = "") -> str:
    """``key: value`` on one line: a mapping or list in flow style."""
    if isinstance(value, (dict, list)):
        flow = yaml.safe_dump(value, sort_keys=False, default_flow_style=True, width=4096, allow_unicode=True)
        return f"{indent}{key}: {flow.strip()}\n"
    return indent + yaml.safe_dump({key: value}, sort_keys=False, width=4096, allow_unicode=True)


def front_matter(fields: dict[str, Any]) -> str:
    lines = []
    for key, value in fields.items():
        if key == "evidence" and isinstance(value, dict) and any(isinstance(v, dict) for v in value.values()):
            # inputs read in place: one block per reference, its columns and pin on one line each
            lines.append("evidence:\n")
            for kind, ref in value.items():
                if isinstance(ref, dict):
                    lines.append(f"  {kind}:\n" + "".join(_line(k, v, "    ") for k, v in ref.items()))
                else:
                    lines.append(_line(kind, ref, "  "))
        elif key in BLOCK_FIELDS or not isinstance(value, (dict, list)):
            lines.append(
                yaml.safe_dump({key: value}, sort_keys=False, default_flow_style=False, width=4096, allow_unicode=True)
            )
        else:
            flow = yaml.safe_dump(value, sort_keys=False, default_flow_style=True, width=4096, allow_unicode=True)
            lines.append(f"{key}: {flow.strip()}\n")
    return "---\n" + "".join(lines) + "---\n"


def memo_text(fields: dict[str, Any], body: str) -> bytes:
    return (front_matter(fields) + "\n" + body.strip() + "\n").encode("utf-8")


def cost_model_yaml(
    title: str, buy: dict[str, Any], candidate: dict[str, Any], scenarios: list[dict[str, Any]], horizon: int = 4
) -> bytes:
    def flow(mapping: dict[str, Any]) -> str:
        return yaml.safe_dump(mapping, sort_keys=False, default_flow_style=True, width=4096).strip()

    lines = [
        f"# {title}",
        f"buy: {flow(buy)}",
        f"candidate: {flow(candidate)}",
        "scenarios:                       # the first is the base scenario",
    ]
    lines += [f"  - {flow(s)}" for s in scenarios]
    lines.append(f"horizon_quarters: {horizon}              # a quarter is 91 days")
    return ("\n".join(lines) + "\n").encode("utf-8")


def inputs(memo_id: str, name: str) -> str:
    return f"evidence/{memo_id}/inputs/{name}"


# --------------------------------------------------------------------------
# Shared builders


def usage_rows(
    rng: np.random.Generator,
    *,
    days: int,
    weekday_calls: float,
    weekend_calls: float,
    noise: float,
    input_tokens: float,
    output_tokens: float,
) -> list[tuple[Any, ...]]:
    """Daily calls ending the day before the memo date."""
    last = MEMO_DATE - dt.timedelta(days=1)
    rows = []
    for offset in range(days - 1, -1, -1):
        day = last - dt.timedelta(days=offset)
        base = weekend_calls if day.weekday() >= 5 else weekday_calls
        calls = int(round(base * (1.0 + rng.normal(0.0, noise))))
        tokens_in = int(round(calls * input_tokens * (1.0 + rng.normal(0.0, 0.01))))
        tokens_out = int(round(calls * output_tokens * (1.0 + rng.normal(0.0, 0.02))))
        rows.append((day, calls, tokens_in, tokens_out))
    return rows


USAGE_HEADER = ("date", "calls", "input_tokens", "output_tokens")


def median_last_window(rows: list[tuple[Any, ...]], window: int = 28) -> float:
    last = rows[-1][0]
    start = last - dt.timedelta(days=window - 1)
    return float(np.median([r[1] for r in rows if r[0] >= start]))


def quarters_before_memo() -> list[tuple[dt.date, dt.date]]:
    """Four 91-day quarters ending the day before the memo date, oldest first."""
    end = MEMO_DATE - dt.timedelta(days=1)
    spans = []
    for _ in range(4):
        start = end - dt.timedelta(days=QUARTER_DAYS - 1)
        spans.append((start, end))
        end = start - dt.timedelta(days=1)
    return spans[::-1]


def unstable_quarters(changes: list[tuple[dt.date, str, bool]]) -> int:
    return sum(
        1
        for start, end in quarters_before_memo()
        if any(meaningful and start <= day <= end for day, _, meaningful in changes)
    )


def head_to_head_rows(
    item_ids: Sequence[str],
    candidate: np.ndarray,
    buy: np.ndarray,
    candidate_cost: np.ndarray,
    buy_cost: np.ndarray,
    run_date: dt.date,
    fields: dict[str, Any],
) -> list[tuple[Any, ...]]:
    """Two rows per item, each naming the model that produced it: the buy rows the memo's buy alternative."""
    require(run_date <= EVALUATION_DAY, f"benchmark date {run_date} is after the evaluation day")
    bought = fields["buy_alternative"]
    own = (f"{fields['id']}-candidate", "self-hosted")
    rows = []
    for i, item in enumerate(item_ids):
        rows.append((item, "candidate", score(candidate[i]), money(candidate_cost[i]), run_date, "in-house", *own))
        rows.append(
            (
                item,
                "buy",
                score(buy[i]),
                money(buy_cost[i]),
                run_date,
                bought["provider"],
                bought["model"],
                bought["deployment"],
            )
        )
    return rows


H2H_HEADER = ("item_id", "system", "score", "cost_usd", "run_date", "provider", "model", "deployment")


def rounded(values: np.ndarray) -> np.ndarray:
    """Scores as they are written (four decimals), so checks see what the notebooks will."""
    return np.round(np.clip(values, 0.0, 1.0), 4)


def paired_ratio_bounds(
    candidate: np.ndarray, buy: np.ndarray, seed: int, resamples: int = 2000
) -> tuple[float, float]:
    rng = np.random.default_rng(seed)
    n = len(candidate)
    picks = rng.integers(0, n, size=(resamples, n))
    ratios = candidate[picks].mean(axis=1) / buy[picks].mean(axis=1)
    return float(candidate.mean() / buy.mean()), float(np.quantile(ratios, 0.025))


def cost_per_useful_task(scores: np.ndarray, costs: np.ndarray) -> float:
    useful = int((scores >= 0.5).sum())
    return float(costs.sum() / useful) if useful else float("inf")


def cost_projection(
    buy: dict[str, float], candidate: dict[str, float], scenario: dict[str, float], horizon: int = 4
) -> tuple[float, float, float]:
    """(buy token cost, candidate inference cost, fixed cost) over the horizon."""
    per_call_buy = (
        buy["input_price_per_million_tokens"] * buy["avg_input_tokens"]
        + buy["output_price_per_million_tokens"] * buy["avg_output_tokens"]
    ) / 1e6
    per_call_candidate = candidate["inference_cost_per_thousand_calls"] / 1000.0
    calls = sum(
        scenario["calls_per_day"] * (1 + scenario["growth_per_quarter"]) ** q * QUARTER_DAYS for q in range(horizon)
    )
    fixed = (
        candidate["engineering_cost_usd"]
        + candidate["training_cost_usd"]
        + candidate["eval_monitoring_cost_per_quarter_usd"] * horizon
    )
    return calls * per_call_buy, calls * per_call_candidate, fixed


def unique_texts(
    rng: np.random.Generator, count: int, make: Callable[[np.random.Generator], str], avoid: set[str] | None = None
) -> list[str]:
    """Draw until *count* distinct texts exist (none of them in *avoid*)."""
    seen: set[str] = set()
    out: list[str] = []
    avoid = avoid or set()
    attempts = 0
    while len(out) < count:
        attempts += 1
        if attempts > count * 50:
            raise ExampleBroken("text templates cannot produce enough distinct texts")
        text = make(rng)
        if text in seen or text in avoid:
            continue
        seen.add(text)
        out.append(text)
    return out


def pick(rng: np.random.Generator, options: Sequence[Any]) -> Any:
    return options[int(rng.integers(0, len(options)))]


# --------------------------------------------------------------------------
# 1. support-reply-drafting: a complete buy memo


def support_reply_drafting(rng: np.random.Generator) -> Files:
    memo_id = "support-reply-drafting"
    usage = usage_rows(
        rng, days=60, weekday_calls=185_000, weekend_calls=120_000, noise=0.04, input_tokens=1200, output_tokens=250
    )
    require(median_last_window(usage) < 10_000_000, "reply drafting must stay far below the cost gate")
    changes = [
        (dt.date(2026, 2, 16), "Added the refund-policy macro to the drafting context", True),
        (dt.date(2026, 6, 1), "Agents may now edit the tone setting per reply", False),
        (dt.date(2026, 9, 21), "New greeting wording for the Nordic markets", False),
    ]
    buy = {
        "input_price_per_million_tokens": 3.0,
        "output_price_per_million_tokens": 15.0,
        "avg_input_tokens": 1200,
        "avg_output_tokens": 250,
    }
    candidate = {
        "inference_cost_per_thousand_calls": 0.4,
        "engineering_cost_usd": 350000,
        "training_cost_usd": 40000,
        "eval_monitoring_cost_per_quarter_usd": 30000,
    }
    scenarios = [
        {"name": "today", "calls_per_day": 170000, "growth_per_quarter": 0.0},
        {"name": "growth", "calls_per_day": 170000, "growth_per_quarter": 0.08},
    ]
    for scenario in scenarios:
        buy_cost, cand_cost, fixed = cost_projection(buy, candidate, scenario)
        require(buy_cost - cand_cost < fixed, "a reply-drafting fine-tune must not pay for itself")

    fields = {
        "id": memo_id,
        "title": "Buy a hosted model to draft support replies",
        "workload": "support-reply-drafting",
        "workload_shape": "standard",
        "decision": "buy",
        "status": "proposed",
        "date": MEMO_DATE,
        "owner": "priya.rao",
        "proposer": {"team": "support-tools", "type": "in-house", "person": "jo.mensah"},
        "reviewers": ["lee.wong"],
        "engineering_started": None,
        "supersedes": None,
        "buy_alternative": {"provider": "anthropic", "model": "claude-sonnet-4-5", "deployment": "public-api"},
        "dimensions": {"criticality": "supportive", "workflow_complexity": "simple", "control_need": "low"},
        "candidates": {
            "buy": "Drafts are good enough today and an agent edits every one before it is sent.",
            "fine-tune": "At about 170k drafts a day the token bill does not justify the "
            "engineering, and nothing about the task is beyond a prompted model.",
            "build": "No. Drafting replies is not what we sell.",
        },
        "rationale_tags": ["cost", "quality"],
        "gates_claimed": [],
        "domain": None,
        "build": None,
        "evidence": {
            "usage_log": inputs(memo_id, "usage.csv"),
            "task_changes": inputs(memo_id, "task_changes.csv"),
            "cost_model": inputs(memo_id, "cost_model.yaml"),
        },
    }
    body = """
# Buy a hosted model to draft support replies

## The workload

Support agents answer about 170,000 customer messages a day. The assistant
writes a first draft from the ticket and the help-centre article it cites; the
agent reads it, edits it and sends it. Nothing leaves without a person.

## What we compared

We priced the hosted model we use today against a small fine-tuned model
hosted by us. The cost model has two scenarios: today's volume, and growth of
8% a quarter. Even with growth, the token savings over a year do not cover the
engineering, training and monitoring a fine-tune would need, and the drafts are
already good enough that agents change only a few words on most of them.

## Decision

Buy. The workload is supportive, simple and needs no special control over the
model's behaviour, which is the profile the buy answer is for. We will look
again if volume rises towards the cost-at-scale threshold; the usage log is
attached so the weekly re-check can see that happen.
"""
    return {
        f"memos/{memo_id}.md": memo_text(fields, body),
        inputs(memo_id, "usage.csv"): csv_bytes(USAGE_HEADER, usage),
        inputs(memo_id, "task_changes.csv"): csv_bytes(("date", "description", "meaningful"), changes),
        inputs(memo_id, "cost_model.yaml"): cost_model_yaml(
            "Support reply drafting: hosted model vs a hypothetical fine-tune", buy, candidate, scenarios
        ),
    }


# --------------------------------------------------------------------------
# 2. contract-summaries-draft: an incomplete buy memo


def contract_summaries_draft(rng: np.random.Generator) -> Files:
    memo_id = "contract-summaries-draft"
    buy = {
        "input_price_per_million_tokens": 2.5,
        "output_price_per_million_tokens": 10.0,
        "avg_input_tokens": int(rng.integers(5800, 6200)),
        "avg_output_tokens": 400,
    }
    candidate = {
        "inference_cost_per_thousand_calls": 1.5,
        "engineering_cost_usd": 150000,
        "training_cost_usd": 20000,
        "eval_monitoring_cost_per_quarter_usd": 15000,
    }
    scenarios = [{"name": "today", "calls_per_day": 900, "growth_per_quarter": 0.0}]
    fields = {
        "id": memo_id,
        "title": "Summarise incoming contracts with an LLM",
        "workload": "contract-summaries",
        "workload_shape": "standard",
        "decision": "buy",
        "status": "proposed",
        "date": MEMO_DATE,
        "owner": "chris.lang",
        "proposer": {"team": "legal-ops", "type": "in-house", "person": "chris.lang"},
        "reviewers": [],
        "engineering_started": None,
        "supersedes": None,
        "candidates": {
            "buy": "Any of the big models can summarise a contract.",
            "fine-tune": "Not needed for a first version.",
        },
        "rationale_tags": ["quality"],
        "gates_claimed": [],
        "domain": None,
        "build": None,
        "evidence": {"cost_model": inputs(memo_id, "cost_model.yaml")},
    }
    body = """
# Summarise incoming contracts with an LLM

Legal ops reads every inbound contract to write a one-page summary for the
account team. We would like a model to write the first version.

We have not picked a provider yet and will try a few. Cost looks small: under a
thousand contracts a day.

<!-- Example written by scripts/make_examples.py: fmgate is expected to deny
this memo. It names no buy alternative, records no dimensions, does not weigh
building, its owner is not one of the organisation's decision owners, and no
senior engineer has reviewed it. -->
"""
    return {
        f"memos/{memo_id}.md": memo_text(fields, body),
        inputs(memo_id, "cost_model.yaml"): cost_model_yaml(
            "Contract summaries: one scenario only (the growth scenario is missing)", buy, candidate, scenarios
        ),
    }


# --------------------------------------------------------------------------
# 3. ticket-triage-distillation: the cost-at-scale fine-tune

TRIAGE_QUEUES = {
    "billing": [
        "I was charged twice for {thing}",
        "my invoice for {month} shows the wrong amount",
        "the card payment for {thing} failed but money left my account",
    ],
    "shipping": [
        "my {thing} has not arrived after {n} days",
        "tracking for {thing} stopped updating",
        "the courier left {thing} at the wrong address",
    ],
    "returns": [
        "I want to send back {thing}",
        "the return label for {thing} does not print",
        "{thing} arrived damaged and I need a replacement",
    ],
    "account-access": [
        "I cannot log in since {month}",
        "the reset email never arrives",
        "my two-factor codes stopped working after I changed phones",
    ],
    "technical": [
        "the app crashes when I open {thing}",
        "{thing} will not sync with my laptop",
        "the firmware update for {thing} froze at {n}%",
    ],
    "billing-dispute": [
        "I dispute the late fee on my {month} invoice",
        "I was billed for {thing} that I cancelled",
        "the refund for {thing} was smaller than promised",
    ],
}
TRIAGE_THINGS = [
    "the blender",
    "my headphones",
    "the standing desk",
    "the router",
    "my order",
    "the kettle",
    "the phone case",
    "the smart lamp",
    "the backpack",
    "the monitor",
]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October"]
TRIAGE_OPENERS = ["Hi.", "Hello team.", "Good morning.", "Hey there.", "Dear support.", ""]
TRIAGE_CLOSERS = ["Thanks.", "Please help.", "Order number to follow.", "This is urgent.", ""]


def ticket_triage_distillation(rng: np.random.Generator) -> Files:
    memo_id = "ticket-triage-distillation"
    usage = usage_rows(
        rng, days=60, weekday_calls=12_450_000, weekend_calls=11_300_000, noise=0.02, input_tokens=500, output_tokens=50
    )
    require(median_last_window(usage) >= 10_500_000, "triage volume must clear the cost gate")
    changes = [
        (dt.date(2025, 8, 14), "Split 'orders' into 'shipping' and 'returns'", True),
        (dt.date(2026, 1, 20), "Added the 'billing-dispute' queue", True),
        (dt.date(2026, 4, 7), "Renamed queue labels in the agent UI only", False),
        (dt.date(2026, 7, 15), "Clarified the triage guideline wording; labels unchanged", False),
        (dt.date(2026, 10, 5), "Fixed a typo in the 'technical' label description", False),
    ]
    require(unstable_quarters(changes) <= 1, "triage must have at most one unstable quarter")

    queues = list(TRIAGE_QUEUES)

    def ticket(r: np.random.Generator) -> str:
        queue = pick(r, queues)
        line = pick(r, TRIAGE_QUEUES[queue]).format(
            thing=pick(r, TRIAGE_THINGS), month=pick(r, MONTHS), n=int(r.integers(3, 21))
        )
        text = " ".join(
            p for p in (pick(r, TRIAGE_OPENERS), line[0].upper() + line[1:] + ".", pick(r, TRIAGE_CLOSERS)) if p
        )
        return f"{queue}|{text}"

    drawn = unique_texts(rng, 240, ticket)
    eval_items = []
    for i, entry in enumerate(drawn, start=1):
        queue, text = entry.split("|", 1)
        eval_items.append({"id": f"tt-{i:04d}", "input": text, "expected": queue, "category": queue})

    n = len(eval_items)
    buy_scores = rounded(rng.beta(18, 2, size=n))
    candidate_scores = rounded(buy_scores * 0.972 + rng.normal(0.0, 0.012, size=n))
    buy_cost = (rng.normal(500, 60, size=n).clip(300) * 1.25 + rng.normal(50, 8, size=n).clip(20) * 10.0) / 1e6
    candidate_cost = rng.normal(0.00005, 0.000004, size=n).clip(0.00003)
    point, lower = paired_ratio_bounds(candidate_scores, buy_scores, seed=int(rng.integers(1 << 31)))
    require(0.96 <= point <= 0.98, f"triage quality ratio should be near 0.97, got {point:.4f}")
    require(lower >= 0.955, f"triage bootstrap lower bound must stay >= 0.95, got {lower:.4f}")
    require(
        cost_per_useful_task(candidate_scores, candidate_cost) < cost_per_useful_task(buy_scores, buy_cost),
        "the distilled model must be cheaper per useful task",
    )

    run_date = dt.date(2026, 10, 19)
    buy = {
        "input_price_per_million_tokens": 1.25,
        "output_price_per_million_tokens": 10.0,
        "avg_input_tokens": 500,
        "avg_output_tokens": 50,
    }
    candidate = {
        "inference_cost_per_thousand_calls": 0.05,
        "engineering_cost_usd": 420000,
        "training_cost_usd": 60000,
        "eval_monitoring_cost_per_quarter_usd": 45000,
    }
    scenarios = [
        {"name": "today", "calls_per_day": 12000000, "growth_per_quarter": 0.0},
        {"name": "growth", "calls_per_day": 12000000, "growth_per_quarter": 0.12},
    ]
    buy_total, cand_total, fixed = cost_projection(buy, candidate, scenarios[0])
    require(buy_total - cand_total > 3 * fixed, "triage savings must clearly exceed the fixed cost")

    fields = {
        "id": memo_id,
        "title": "Distil the ticket-triage classifier into a small model",
        "workload": "support-ticket-triage",
        "workload_shape": "standard",
        "decision": "fine-tune",
        "status": "proposed",
        "date": MEMO_DATE,
        "owner": "dana.kim",
        "proposer": {"team": "support-ml", "type": "in-house", "person": "omar.farouk"},
        "reviewers": ["lee.wong"],
        "engineering_started": dt.date(2026, 10, 26),
        "supersedes": None,
        "buy_alternative": {"provider": "openai", "model": "gpt-5", "deployment": "public-api"},
        "dimensions": {"criticality": "core", "workflow_complexity": "simple", "control_need": "high"},
        "candidates": {
            "buy": "Works well today; at twelve million calls a day the token bill is the problem.",
            "fine-tune": "A distilled small model keeps about 97% of the quality at a twentieth "
            "of the cost per useful task.",
            "build": "No. We do not sell models and a classifier needs no foundation model of its own.",
        },
        "rationale_tags": ["cost"],
        "gates_claimed": ["cost_at_scale"],
        "domain": {"expected_retraining_interval_days": 182},
        "build": None,
        "evidence": {
            "usage_log": inputs(memo_id, "usage.csv"),
            "task_changes": inputs(memo_id, "task_changes.csv"),
            "eval_set": inputs(memo_id, "eval_set.jsonl"),
            "head_to_head": inputs(memo_id, "head_to_head.csv"),
            "cost_model": inputs(memo_id, "cost_model.yaml"),
        },
    }
    body = f"""
# Distil the ticket-triage classifier into a small model

## The workload

Every inbound ticket is routed to one of six queues before a person sees it.
That is about twelve million calls a day, every day, and the label set has
changed in a meaningful way once in the last year (the billing-dispute queue in
January). The task is narrow and steady.

## What we compared

We ran the hosted model we use today and a distilled small model on our own
240-ticket eval set on {run_date.isoformat()}, before any engineering on the
candidate began. The small model reaches about 97% of the hosted model's
quality score, item by item, and costs roughly a twentieth as much per ticket
it routes correctly.

The cost model projects a year at today's volume and a year with 12% growth a
quarter. In the base scenario the token savings are several times the cost of
building, training, evaluating and monitoring the small model.

## Decision

Fine-tune, on the cost-at-scale gate. We keep the hosted model as the fallback
and re-run the head-to-head every quarter against whatever the provider then
offers; if the bought model becomes cheap enough, we go back to buying.
"""
    return {
        f"memos/{memo_id}.md": memo_text(fields, body),
        inputs(memo_id, "usage.csv"): csv_bytes(USAGE_HEADER, usage),
        inputs(memo_id, "task_changes.csv"): csv_bytes(("date", "description", "meaningful"), changes),
        inputs(memo_id, "eval_set.jsonl"): jsonl_bytes(eval_items),
        inputs(memo_id, "head_to_head.csv"): csv_bytes(
            H2H_HEADER,
            head_to_head_rows(
                [e["id"] for e in eval_items], candidate_scores, buy_scores, candidate_cost, buy_cost, run_date, fields
            ),
        ),
        inputs(memo_id, "cost_model.yaml"): cost_model_yaml(
            "Ticket triage: hosted model vs distilled small model", buy, candidate, scenarios
        ),
    }


# --------------------------------------------------------------------------
# 4. clinical-coding-assistant: the domain-expertise fine-tune

CONDITIONS = [  # (code, assessment, presentations)
    (
        "E11.9",
        "type 2 diabetes without complications",
        ["polyuria and thirst", "a raised HbA1c on routine bloods", "fatigue and blurred vision"],
    ),
    (
        "I10",
        "essential hypertension",
        ["repeated high clinic blood pressure", "headaches and high home readings", "a high reading at a pre-op check"],
    ),
    (
        "J44.1",
        "COPD with acute exacerbation",
        [
            "worsening breathlessness and purulent sputum",
            "wheeze and increased inhaler use",
            "productive cough for a week",
        ],
    ),
    (
        "J18.9",
        "pneumonia, organism unspecified",
        ["fever, cough and right basal crackles", "pleuritic chest pain and fever", "new consolidation on chest film"],
    ),
    (
        "N39.0",
        "urinary tract infection, site not specified",
        ["dysuria and frequency", "cloudy urine and suprapubic pain", "positive urine dipstick with symptoms"],
    ),
    (
        "N17.9",
        "acute kidney failure, unspecified",
        ["creatinine doubled from baseline", "reduced urine output", "rising urea after diarrhoea"],
    ),
    (
        "I48.91",
        "atrial fibrillation, unspecified",
        [
            "an irregularly irregular pulse",
            "palpitations and an irregular ECG",
            "AF found on a smartwatch and confirmed on ECG",
        ],
    ),
    (
        "I50.9",
        "heart failure, unspecified",
        ["ankle swelling and orthopnoea", "breathlessness on exertion and raised BNP", "bibasal crackles and oedema"],
    ),
    (
        "F32.9",
        "major depressive disorder, single episode, unspecified",
        [
            "low mood and poor sleep for two months",
            "loss of interest and appetite",
            "tearfulness and poor concentration",
        ],
    ),
    (
        "M54.50",
        "low back pain, unspecified",
        ["lower back pain after lifting", "back pain without red flags", "stiffness in the lower back for weeks"],
    ),
    (
        "G43.909",
        "migraine, unspecified, not intractable",
        [
            "recurrent one-sided headache with nausea",
            "headache with visual aura",
            "throbbing headache and light sensitivity",
        ],
    ),
    (
        "D50.9",
        "iron deficiency anaemia, unspecified",
        ["tiredness and low ferritin", "pallor and microcytic anaemia", "breathlessness and low haemoglobin"],
    ),
    (
        "E03.9",
        "hypothyroidism, unspecified",
        ["weight gain and a raised TSH", "cold intolerance and fatigue", "dry skin and low free T4"],
    ),
    (
        "K21.9",
        "reflux disease without oesophagitis",
        ["heartburn after meals", "acid taste at night", "burning chest discomfort relieved by antacids"],
    ),
    (
        "J20.9",
        "acute bronchitis, unspecified",
        ["cough for ten days after a cold", "chest tightness and a dry cough", "cough with clear sputum and no fever"],
    ),
    (
        "J45.909",
        "asthma, unspecified, uncomplicated",
        ["night-time cough and wheeze", "wheeze triggered by exercise", "variable peak flow readings"],
    ),
    (
        "L03.116",
        "cellulitis of the left lower limb",
        [
            "a red, hot, swollen left shin",
            "spreading redness on the left calf",
            "painful swelling of the left lower leg",
        ],
    ),
    (
        "A41.9",
        "sepsis, organism unspecified",
        [
            "fever, low blood pressure and confusion",
            "rigors and a high lactate",
            "tachycardia and fever with no clear source",
        ],
    ),
]
HISTORIES = [
    "no significant history",
    "smoker",
    "ex-smoker",
    "obesity",
    "chronic kidney disease stage 3",
    "previous stroke",
    "osteoarthritis",
    "anxiety",
    "hyperlipidaemia",
    "prior MI",
    "rheumatoid arthritis",
    "gout",
]
SETTINGS_OF_CARE = [
    "GP surgery",
    "emergency department",
    "medical admissions unit",
    "outpatient clinic",
    "community ward",
]


def clinical_coding_assistant(rng: np.random.Generator) -> Files:
    memo_id = "clinical-coding-assistant"

    def domain_note(r: np.random.Generator) -> str:
        code, assessment, shows = CONDITIONS[int(r.integers(0, len(CONDITIONS)))]
        age, sex = int(r.integers(18, 95)), pick(r, ["man", "woman"])
        return (
            f"{age}-year-old {sex}, {pick(r, SETTINGS_OF_CARE)}: {pick(r, shows)}; "
            f"{pick(r, HISTORIES)}. Assessment: {assessment}. ICD-10 {code}"
        )

    def eval_case(r: np.random.Generator) -> str:
        code, assessment, shows = CONDITIONS[int(r.integers(0, len(CONDITIONS)))]
        age, sex = int(r.integers(18, 95)), pick(r, ["M", "F"])
        return (
            f"{code}|Setting: {pick(r, SETTINGS_OF_CARE)}. Patient {sex}, aged {age}. "
            f"Presents with {pick(r, shows)}. Background: {pick(r, HISTORIES)}. "
            f"Clinician's impression: {assessment}. Which ICD-10-CM code?"
        )

    high = unique_texts(rng, 12_000, domain_note)
    medium = [
        t.rsplit(". ICD-10", 1)[0] + ". ICD-10 code pending review"
        for t in unique_texts(rng, 350, domain_note, avoid=set(high))
    ]
    low = [t.split(";")[0] for t in unique_texts(rng, 150, domain_note, avoid=set(high))]
    records = [(t, "high") for t in high] + [(t, "medium") for t in medium] + [(t, "low") for t in low]
    order = rng.permutation(len(records))
    domain_rows = [(f"cc-{k + 1:05d}", records[i][0], records[i][1]) for k, i in enumerate(order)]

    drawn = unique_texts(rng, 260, eval_case)
    domain_texts = {row[1] for row in domain_rows}
    eval_items = []
    for i, entry in enumerate(drawn, start=1):
        code, text = entry.split("|", 1)
        eval_items.append(
            {"id": f"cc-eval-{i:04d}", "input": text, "expected": code, "category": code.split(".")[0][0]}
        )
    require(not any(e["input"] in domain_texts for e in eval_items), "eval set must not overlap domain data")

    # Prompting: 16 iterations over the four variant families, then a plateau.
    start = dt.datetime(2026, 8, 10, 9, 0, tzinfo=dt.UTC)
    plan = ["system_prompt"] * 4 + ["few_shot"] * 4 + ["chain_of_thought"] * 3 + ["retrieval_augmented"] * 5
    scores: list[float] = []
    level = 0.56
    for i in range(len(plan)):
        if i < 11:
            level += float(rng.uniform(0.008, 0.028))
            scores.append(round(level, 4))
        else:
            scores.append(round(level + float(rng.uniform(-0.009, 0.004)), 4))
    require(
        start + dt.timedelta(days=3 * len(plan) + 2) < dt.datetime.combine(MEMO_DATE, dt.time(), dt.UTC),
        "clinical prompting must end before the memo date",
    )
    best = np.maximum.accumulate(scores)
    require(len(scores) >= 12 and best[-1] - best[-6] < 0.01, "clinical prompting must have plateaued")
    hours = [float(h) for h in rng.choice([1.25, 1.5, 1.75, 2.0, 2.25, 2.5], size=len(plan))]
    require(sum(hours) >= 24, "clinical prompting must log at least 24 hours")
    people = [("amira.haddad", "senior")] * len(plan)
    people[5] = people[9] = ("li.chen", "mid")
    prompting_rows = []
    for i, variant in enumerate(plan):
        when = start + dt.timedelta(days=3 * i + int(rng.integers(0, 2)), hours=int(rng.integers(0, 7)))
        prompting_rows.append(
            (
                i + 1,
                when.strftime("%Y-%m-%dT%H:%M:%SZ"),
                people[i][0],
                people[i][1],
                hours[i],
                variant,
                score(scores[i]),
                len(eval_items),
            )
        )

    n = len(eval_items)
    # exact mixes of full, partial and no credit, shuffled: the means do not depend on luck
    candidate_scores = rng.permutation(np.repeat([1.0, 0.5, 0.0], [208, 34, 18]))
    buy_scores = rng.permutation(np.repeat([1.0, 0.5, 0.0], [172, 47, 41]))
    require(candidate_scores.mean() > buy_scores.mean() + 0.05, "the clinical candidate must beat buy")
    buy_cost = (rng.normal(1800, 250, size=n).clip(600) * 1.25 + rng.normal(120, 25, size=n).clip(30) * 10.0) / 1e6
    candidate_cost = rng.normal(0.0009, 0.00008, size=n).clip(0.0005)
    run_date = dt.date(2026, 10, 22)

    buy = {
        "input_price_per_million_tokens": 1.25,
        "output_price_per_million_tokens": 10.0,
        "avg_input_tokens": 1800,
        "avg_output_tokens": 120,
    }
    candidate = {
        "inference_cost_per_thousand_calls": 0.9,
        "engineering_cost_usd": 600000,
        "training_cost_usd": 90000,
        "eval_monitoring_cost_per_quarter_usd": 60000,
    }
    scenarios = [
        {"name": "today", "calls_per_day": 350000, "growth_per_quarter": 0.0},
        {"name": "growth", "calls_per_day": 350000, "growth_per_quarter": 0.2},
    ]

    fields = {
        "id": memo_id,
        "title": "Fine-tune a model for clinical coding suggestions",
        "workload": "clinical-coding-suggestions",
        "workload_shape": "standard",
        "decision": "fine-tune",
        "status": "proposed",
        "date": MEMO_DATE,
        "owner": "priya.rao",
        "proposer": {"team": "clinical-informatics", "type": "in-house", "person": "amira.haddad"},
        "reviewers": ["lee.wong"],
        "engineering_started": None,
        "supersedes": None,
        "buy_alternative": {"provider": "google", "model": "gemini-2.5-pro", "deployment": "vpc"},
        "dimensions": {"criticality": "core", "workflow_complexity": "complex", "control_need": "high"},
        "candidates": {
            "buy": "Prompting the hosted model stalled well below what coders accept, after "
            "weeks of structured work by a senior clinical coder.",
            "fine-tune": "Our twelve thousand reviewed coding examples teach the conventions a "
            "prompt cannot carry; the tuned model beats the hosted one on our eval set.",
            "build": "No. A coding assistant is a feature of our product, not the product, and we "
            "have nowhere near the data a model of our own would need.",
        },
        "rationale_tags": ["domain", "quality"],
        "gates_claimed": ["domain_expertise"],
        "domain": {"expected_retraining_interval_days": 365},
        "build": None,
        "evidence": {
            "prompting_log": inputs(memo_id, "prompting_log.csv"),
            "eval_set": inputs(memo_id, "eval_set.jsonl"),
            "domain_data": inputs(memo_id, "domain_data.csv"),
            "head_to_head": inputs(memo_id, "head_to_head.csv"),
            "cost_model": inputs(memo_id, "cost_model.yaml"),
        },
    }
    body = f"""
# Fine-tune a model for clinical coding suggestions

## The workload

Clinical coders turn discharge notes into ICD-10 codes. The assistant proposes
codes and the coder accepts or changes them. Coding rules are local and
detailed, and a wrong code costs money and audit time, so the bar is high.

## Prompting first

From August to late September a senior clinical coder, with help from a
colleague, ran {len(plan)} structured prompt iterations against our 260-case
eval set: system prompts, few-shot examples, step-by-step reasoning, and
retrieval of our coding guidance. That is about {round(sum(hours))} hours, logged
with the score of each iteration. The best score climbed quickly, then stopped
moving: the last five iterations added less than a point.

## What we compared

The fine-tuned candidate, trained on twelve thousand reviewed examples kept
apart from the eval set, beats the hosted model on our eval set on
{run_date.isoformat()} and costs less per accepted suggestion. Coding rules
change once a year, so we expect to retrain yearly.

## Decision

Fine-tune, on the domain-expertise gate. The head-to-head is re-run every
quarter against the provider's newest model; if prompting catches up, we
return to buying.
"""
    return {
        f"memos/{memo_id}.md": memo_text(fields, body),
        inputs(memo_id, "prompting_log.csv"): csv_bytes(
            ("iteration", "timestamp", "practitioner", "seniority", "hours", "variant", "score", "eval_set_size"),
            prompting_rows,
        ),
        inputs(memo_id, "eval_set.jsonl"): jsonl_bytes(eval_items),
        inputs(memo_id, "domain_data.csv"): csv_bytes(("id", "text", "quality"), domain_rows),
        inputs(memo_id, "head_to_head.csv"): csv_bytes(
            H2H_HEADER,
            head_to_head_rows(
                [e["id"] for e in eval_items], candidate_scores, buy_scores, candidate_cost, buy_cost, run_date, fields
            ),
        ),
        inputs(memo_id, "cost_model.yaml"): cost_model_yaml(
            "Clinical coding: hosted model in our VPC vs fine-tuned model", buy, candidate, scenarios
        ),
    }


# --------------------------------------------------------------------------
# 5. sales-email-own-model: "we have data, let's use it"

FIRST_NAMES = (
    "Ana Ben Cara Dev Eli Fay Gus Hana Ivo Jia Kai Lea Max Nia Oli Pia Raj Sol Tom Uma "
    "Vic Wen Xan Yas Zoe Abe Bea Cy Dot Eve Fin Gia Hal Ida Jon Kim Lou Mei Ned Ora"
).split()
SALES_OPENERS = [
    "great meeting you at the expo",
    "thanks for the call on Tuesday",
    "following up on my last note",
    "congrats on the new funding round",
    "I saw your team is hiring",
    "quick question about your Q4 plans",
    "loved your post on onboarding",
    "circling back on pricing",
    "your trial ends this week",
    "a colleague suggested I reach out",
    "hope the launch went well",
    "one idea for your support team",
]
SALES_PRODUCTS = [
    "our analytics plan",
    "the team workspace",
    "the new reporting add-on",
    "our API tier",
    "the enterprise bundle",
    "single sign-on",
    "the mobile app",
    "our onboarding package",
    "the data export tool",
    "priority support",
    "the forecasting module",
    "the audit log",
]
SALES_HOOKS = [
    "could save your team hours each week",
    "is free for the first month",
    "now integrates with your CRM",
    "cut onboarding time in half for a similar team",
    "comes with a named success manager",
    "is 20% off until Friday",
]
SALES_CLOSERS = [
    "Worth a quick chat?",
    "Free for 15 minutes Thursday?",
    "Shall I send a short demo?",
    "Happy to share a case study.",
    "Can I book a call?",
    "Let me know what you think.",
]


def sales_email_own_model(rng: np.random.Generator) -> Files:
    memo_id = "sales-email-own-model"
    sizes = (len(FIRST_NAMES), len(SALES_OPENERS), len(SALES_PRODUCTS), len(SALES_HOOKS), len(SALES_CLOSERS))
    space = int(np.prod(sizes))
    total = 150_000
    picks = np.sort(rng.choice(space, size=total, replace=False))
    texts = []
    for flat in picks:
        a, b, c, d, e = np.unravel_index(int(flat), sizes)
        texts.append(
            f"Hi {FIRST_NAMES[a]}, {SALES_OPENERS[b]}. {SALES_PRODUCTS[c][0].upper()}"
            f"{SALES_PRODUCTS[c][1:]} {SALES_HOOKS[d]}. {SALES_CLOSERS[e]}"
        )
    order = rng.permutation(total)
    quality = rng.choice(["high", "medium", "low"], size=total, p=[0.82, 0.13, 0.05])
    domain = {
        "id": [f"se-{k + 1:06d}" for k in range(total)],
        "text": [texts[i] for i in order],
        "quality": [str(q) for q in quality],
    }
    require(sum(q == "high" for q in domain["quality"]) > 100_000, "sales must have a very large data set")

    def email_case(r: np.random.Generator) -> str:
        return (
            f"Write a first-touch email to {pick(r, FIRST_NAMES)}, a {pick(r, ['CTO', 'head of support', 'ops lead', 'founder', 'finance director'])} "
            f"at a {pick(r, ['retail', 'logistics', 'fintech', 'health', 'education'])} company, about "
            f"{pick(r, SALES_PRODUCTS)}."
        )

    eval_items = [
        {
            "id": f"se-eval-{i:03d}",
            "input": text,
            "expected": "A short, specific, polite email with one clear ask.",
            "category": "first-touch",
        }
        for i, text in enumerate(unique_texts(rng, 80, email_case), start=1)
    ]

    prompting_rows = []
    plan = [
        ("kim.berg", "system_prompt", 1.5, "2026-10-12T13:30:00"),
        ("kim.berg", "system_prompt", 1.0, "2026-10-12T15:00:00"),
        ("sam.ito", "few_shot", 1.5, "2026-10-13T13:00:00"),
        ("sam.ito", "few_shot", 1.0, "2026-10-13T14:30:00"),
        ("kim.berg", "few_shot", 1.0, "2026-10-13T16:00:00"),
    ]
    level = 0.55
    for i, (who, variant, spent, at) in enumerate(plan):
        level += float(rng.uniform(0.025, 0.05))
        when = dt.datetime.fromisoformat(at).replace(tzinfo=dt.UTC)
        prompting_rows.append(
            (i + 1, when.strftime("%Y-%m-%dT%H:%M:%SZ"), who, "junior", spent, variant, score(level), len(eval_items))
        )
    require(sum(r[4] for r in prompting_rows) == 6.0, "sales prompting is six hours")

    usage = usage_rows(
        rng, days=60, weekday_calls=9_000, weekend_calls=1_500, noise=0.08, input_tokens=300, output_tokens=220
    )
    changes = [
        (dt.date(2026, 3, 2), "New pricing page wording in the email footer", False),
        (dt.date(2026, 6, 22), "Moved from long-form to short first-touch emails", True),
        (dt.date(2026, 9, 14), "Added the APAC region as a target", True),
    ]

    n = len(eval_items)
    buy_scores = rounded(rng.beta(8.5, 2, size=n))
    candidate_scores = rounded(buy_scores - rng.uniform(0.03, 0.12, size=n))
    buy_cost = (rng.normal(300, 40, size=n) * 0.25 + rng.normal(220, 40, size=n) * 2.0) / 1e6
    candidate_cost = rng.normal(0.004, 0.0004, size=n).clip(0.002)
    require(
        buy_scores.mean() > candidate_scores.mean() and buy_cost.mean() < candidate_cost.mean(),
        "in the sales benchmark the bought model must win on quality and cost",
    )
    run_date = dt.date(2026, 10, 27)

    buy = {
        "input_price_per_million_tokens": 0.25,
        "output_price_per_million_tokens": 2.0,
        "avg_input_tokens": 300,
        "avg_output_tokens": 220,
    }
    candidate = {
        "inference_cost_per_thousand_calls": 4.0,
        "engineering_cost_usd": 250000,
        "training_cost_usd": 35000,
        "eval_monitoring_cost_per_quarter_usd": 20000,
    }
    scenarios = [
        {"name": "today", "calls_per_day": 7000, "growth_per_quarter": 0.0},
        {"name": "growth", "calls_per_day": 7000, "growth_per_quarter": 0.25},
    ]

    fields = {
        "id": memo_id,
        "title": "Train our own sales-email model on our email archive",
        "workload": "sales-first-touch-email",
        "workload_shape": "standard",
        "decision": "fine-tune",
        "status": "proposed",
        "date": MEMO_DATE,
        "owner": "dana.kim",
        "proposer": {"team": "growth-partners-agency", "type": "agency", "person": "rick.vale"},
        "reviewers": ["sam.ortiz"],
        "engineering_started": None,
        "supersedes": None,
        "buy_alternative": {"provider": "openai", "model": "gpt-5-mini", "deployment": "public-api"},
        "dimensions": {"criticality": "supportive", "workflow_complexity": "simple", "control_need": "low"},
        "candidates": {
            "buy": "Generic; every competitor uses the same models.",
            "fine-tune": "We have 150,000 sales emails. A model trained on them is ours and writes in our voice.",
            "build": "Maybe later, once we own the fine-tuned model.",
        },
        "rationale_tags": ["existing-data", "own-model"],
        "gates_claimed": ["domain_expertise"],
        "domain": {"expected_retraining_interval_days": 120},
        "build": None,
        "evidence": {
            "prompting_log": inputs(memo_id, "prompting_log.csv"),
            "eval_set": inputs(memo_id, "eval_set.jsonl"),
            "domain_data": inputs(memo_id, "domain_data.parquet"),
            "usage_log": inputs(memo_id, "usage.csv"),
            "task_changes": inputs(memo_id, "task_changes.csv"),
            "head_to_head": inputs(memo_id, "head_to_head.csv"),
            "cost_model": inputs(memo_id, "cost_model.yaml"),
        },
    }
    body = """
# Train our own sales-email model on our email archive

## Why

We have sent 150,000 sales emails over five years and kept all of them. That
archive is an asset nobody else has. A model trained on it would be our own,
would write in our voice, and would make us less dependent on any one AI
vendor.

## What we tried

Two members of the team spent an afternoon each trying prompts for the hosted
model, with a handful of examples pasted in. Scores were still going up when
we stopped, but the emails felt generic. We put together 80 test requests to
compare the two approaches.

## What we propose

Fine-tune a model on the archive and host it ourselves. Volume is modest
today, about nine thousand emails on a working day, but we expect it to grow.

<!-- Example written by scripts/make_examples.py: fmgate is expected to deny
this memo. It is the "we have data, let's use it" and "we want our own
model" pattern: a big data set, a small eval set, a few junior hours of
prompting, no gate that fires, and a benchmark the bought model wins. -->
"""
    return {
        f"memos/{memo_id}.md": memo_text(fields, body),
        inputs(memo_id, "domain_data.parquet"): parquet_bytes(domain),
        inputs(memo_id, "eval_set.jsonl"): jsonl_bytes(eval_items),
        inputs(memo_id, "prompting_log.csv"): csv_bytes(
            ("iteration", "timestamp", "practitioner", "seniority", "hours", "variant", "score", "eval_set_size"),
            prompting_rows,
        ),
        inputs(memo_id, "usage.csv"): csv_bytes(USAGE_HEADER, usage),
        inputs(memo_id, "task_changes.csv"): csv_bytes(("date", "description", "meaningful"), changes),
        inputs(memo_id, "head_to_head.csv"): csv_bytes(
            H2H_HEADER,
            head_to_head_rows(
                [e["id"] for e in eval_items], candidate_scores, buy_scores, candidate_cost, buy_cost, run_date, fields
            ),
        ),
        inputs(memo_id, "cost_model.yaml"): cost_model_yaml(
            "Sales email: hosted small model vs self-hosted fine-tune", buy, candidate, scenarios
        ),
    }


# --------------------------------------------------------------------------
# 6. legal-foundation-model: a build that falls short

CORPUS_SOURCES = [  # (source, shards, tokens per shard (mean), proprietary, domain_relevant, quality)
    ("internal-contracts", 24, 125_000_000, True, True, "high"),
    ("internal-contracts-ocr", 10, 100_000_000, True, True, "medium"),
    ("internal-email", 20, 300_000_000, True, False, "medium"),
    ("public-case-law", 30, 400_000_000, False, True, "high"),
    ("legal-web-crawl", 40, 600_000_000, False, True, "low"),
]


def legal_foundation_model(rng: np.random.Generator) -> Files:
    memo_id = "legal-foundation-model"
    manifest = []
    for source, shards, mean_tokens, proprietary, relevant, quality in CORPUS_SOURCES:
        for k in range(shards):
            tokens = int(round(mean_tokens * rng.uniform(0.85, 1.15), -3))
            digest = "".join(f"{int(b):02x}" for b in rng.integers(0, 256, size=32))
            manifest.append(
                (
                    f"s3://lexcorp-corpus/{source}/shard-{k:04d}.jsonl.zst",
                    tokens,
                    digest,
                    source,
                    proprietary,
                    relevant,
                    quality,
                )
            )
    qualifying = sum(r[1] for r in manifest if r[4] and r[5] and r[6] == "high")
    require(2.5e9 <= qualifying <= 3.5e9, f"legal corpus should qualify about 3B tokens, got {qualifying}")

    def clause_case(r: np.random.Generator) -> str:
        kind = pick(
            r,
            [
                "limitation of liability",
                "indemnity",
                "termination for convenience",
                "governing law",
                "assignment",
                "confidentiality",
                "auto-renewal",
                "data processing",
            ],
        )
        party = pick(r, ["supplier", "customer", "licensor", "licensee", "contractor"])
        return (
            f"{kind}|Review this {kind} clause drafted by the {party} "
            f"(variant {int(r.integers(1, 400))}) and flag terms that deviate from our playbook."
        )

    eval_items = []
    for i, entry in enumerate(unique_texts(rng, 220, clause_case), start=1):
        kind, text = entry.split("|", 1)
        eval_items.append(
            {
                "id": f"lf-{i:04d}",
                "input": text,
                "expected": f"Playbook deviations for the {kind} clause, each with the fix.",
                "category": kind,
            }
        )
    n = len(eval_items)
    buy_scores = rounded(rng.beta(9, 2, size=n))
    candidate_scores = rounded(rng.beta(4, 4, size=n))
    buy_cost = (rng.normal(3000, 400, size=n) * 15.0 + rng.normal(600, 90, size=n) * 75.0) / 1e6
    candidate_cost = rng.normal(0.002, 0.0002, size=n).clip(0.001)
    require(buy_scores.mean() > candidate_scores.mean() + 0.2, "the legal pilot must trail the bought model")
    run_date = dt.date(2026, 10, 28)

    buy = {
        "input_price_per_million_tokens": 15.0,
        "output_price_per_million_tokens": 75.0,
        "avg_input_tokens": 3000,
        "avg_output_tokens": 600,
    }
    candidate = {
        "inference_cost_per_thousand_calls": 0.6,
        "engineering_cost_usd": 14000000,
        "training_cost_usd": 6000000,
        "eval_monitoring_cost_per_quarter_usd": 250000,
    }
    scenarios = [
        {"name": "today", "calls_per_day": 60000, "growth_per_quarter": 0.0},
        {"name": "growth", "calls_per_day": 60000, "growth_per_quarter": 0.3},
    ]

    fields = {
        "id": memo_id,
        "title": "Pre-train our own legal foundation model",
        "workload": "contract-review",
        "workload_shape": "standard",
        "decision": "build",
        "status": "proposed",
        "date": MEMO_DATE,
        "owner": "priya.rao",
        "proposer": {"team": "legal-ai", "type": "in-house", "person": "marta.silva"},
        "reviewers": ["sam.ortiz"],
        "engineering_started": None,
        "supersedes": None,
        "buy_alternative": {"provider": "anthropic", "model": "claude-opus-4-1", "deployment": "vpc"},
        "dimensions": {"criticality": "core", "workflow_complexity": "complex", "control_need": "high"},
        "candidates": {
            "buy": "Strong today, but every law firm can buy the same model.",
            "fine-tune": "Would still sit on someone else's base model.",
            "build": "A legal model of our own, pre-trained on our contract archive, is a moat investors will value.",
        },
        "rationale_tags": ["moat", "vendor-independence", "investor-narrative"],
        "gates_claimed": ["build"],
        "domain": {"expected_retraining_interval_days": 365},
        "build": {
            "committed_capital_usd": 20000000,
            "payback_months_accepted": 18,
            "model_is_product": False,
            "rejected_fine_tune": None,
        },
        "evidence": {
            "eval_set": inputs(memo_id, "eval_set.jsonl"),
            "head_to_head": inputs(memo_id, "head_to_head.csv"),
            "cost_model": inputs(memo_id, "cost_model.yaml"),
            "corpus_manifest": inputs(memo_id, "corpus_manifest.csv"),
        },
    }
    body = """
# Pre-train our own legal foundation model

## Why

Contract review is the heart of our legal-services business. We hold twenty
years of contracts that no model provider has seen. A model pre-trained on
them would be a moat: competitors could not copy it, and it would strengthen
the story we tell investors in next year's raise.

## What we have

The corpus manifest lists our contract archive, its OCR'd scans, internal
email, public case law and a legal web crawl. We trained a small pilot model
on part of it and compared it with the hosted model on 220 clause-review
cases; the pilot is far behind today, which we expect to close at full scale.

## What we propose

Commit $20M over eighteen months to pre-train the full model. We will keep
using it inside our review product; we do not plan to sell or license the
model itself.

<!-- Example written by scripts/make_examples.py: fmgate is expected to deny
this memo. The proprietary, relevant, high-quality corpus is about 3B tokens
against the 100B a build needs; the model is not the product; the capital and
payback horizon are under the build minimums; no fine-tune was tried first. -->
"""
    return {
        f"memos/{memo_id}.md": memo_text(fields, body),
        inputs(memo_id, "corpus_manifest.csv"): csv_bytes(
            ("shard", "tokens", "sha256", "source", "proprietary", "domain_relevant", "quality"), manifest
        ),
        inputs(memo_id, "eval_set.jsonl"): jsonl_bytes(eval_items),
        inputs(memo_id, "head_to_head.csv"): csv_bytes(
            H2H_HEADER,
            head_to_head_rows(
                [e["id"] for e in eval_items], candidate_scores, buy_scores, candidate_cost, buy_cost, run_date, fields
            ),
        ),
        inputs(memo_id, "cost_model.yaml"): cost_model_yaml(
            "Legal model: hosted frontier model vs pre-training our own", buy, candidate, scenarios
        ),
    }


# --------------------------------------------------------------------------
# 7. support-volume-from-warehouse: a buy whose usage is read from a database table

#: The warehouse's tables; the column names are the warehouse's, not fmgate's.
WAREHOUSE_SCHEMA = """\
CREATE TABLE llm_calls_daily (
    call_day DATE NOT NULL,          -- the day the calls were made (YYYY-MM-DD)
    n_calls INTEGER NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    loaded_at TEXT NOT NULL          -- when the nightly load appended the row (ISO 8601, UTC)
);
CREATE TABLE task_changes (
    date DATE NOT NULL,
    description TEXT NOT NULL,
    meaningful BOOLEAN NOT NULL,
    loaded_at TEXT NOT NULL
);
"""
#: The memo reads the tables as they were at this instant: the morning of the memo date.
WAREHOUSE_PIN = dt.datetime(2026, 11, 2, 6, 0, tzinfo=dt.UTC)


def support_volume_from_warehouse(rng: np.random.Generator) -> Files:
    memo_id = "support-volume-from-warehouse"
    shape = {"weekday_calls": 26_000, "weekend_calls": 4_500, "noise": 0.05, "input_tokens": 1800, "output_tokens": 160}
    usage = usage_rows(rng, days=60, **shape)
    require(median_last_window(usage) < 100_000, "ticket summaries must stay far below the cost gate")

    def nightly_load(day: dt.date) -> str:
        """The nightly job appends a day's row between 02:00 and 03:00 UTC the next morning."""
        minute, second = int(rng.integers(0, 60)), int(rng.integers(0, 60))
        return utc_instant(dt.datetime.combine(day + dt.timedelta(days=1), dt.time(2, minute, second), dt.UTC))

    calls_rows = [(day, calls, tokens_in, tokens_out, nightly_load(day)) for day, calls, tokens_in, tokens_out in usage]
    # days loaded after the memo was written (a busy release week): in the table, outside the pin
    later = []
    for offset in range(4):
        day = MEMO_DATE + dt.timedelta(days=offset)
        base = shape["weekend_calls"] if day.weekday() >= 5 else shape["weekday_calls"]
        calls = int(round(base * 1.3 * (1.0 + rng.normal(0.0, shape["noise"]))))
        tokens_in = int(round(calls * shape["input_tokens"] * (1.0 + rng.normal(0.0, 0.01))))
        tokens_out = int(round(calls * shape["output_tokens"] * (1.0 + rng.normal(0.0, 0.02))))
        later.append((day, calls, tokens_in, tokens_out, nightly_load(day)))
    calls_rows += later

    changes = [
        (dt.date(2026, 1, 19), "Summaries now list what the first line already tried", True, "2026-01-19T16:42:10Z"),
        (dt.date(2026, 5, 11), "The summary moved to the ticket's side panel", False, "2026-05-11T09:05:33Z"),
        (dt.date(2026, 8, 24), "The device's asset tag is shown above the summary", False, "2026-08-24T13:27:01Z"),
        (dt.date(2026, 11, 4), "Summaries in French for the Montreal desk", True, "2026-11-04T15:58:47Z"),
    ]
    pin = utc_instant(WAREHOUSE_PIN)
    read = [r for r in calls_rows if r[4] <= pin]
    require(len(read) == 60 and read[-1][0] == MEMO_DATE - dt.timedelta(days=1), "the pin must read the 60 days")
    require(read[-1][4][:10] == WAREHOUSE_PIN.date().isoformat(), "the last pinned row must be loaded on the pin's day")
    require(len(calls_rows) > len(read), "some rows must be loaded after the pin")
    require(any(r[3] > pin for r in changes) and any(r[3] <= pin for r in changes), "changes on both sides of the pin")
    require(WAREHOUSE_PIN.date() < EVALUATION_DAY, "the pin must be before the evaluation day")
    require(
        max(max(r[0] for r in calls_rows), max(r[0] for r in changes)) <= EVALUATION_DAY,
        "nothing in the warehouse may be dated after the evaluation day",
    )
    require(unstable_quarters([r[:3] for r in changes if r[3] <= pin]) == 1, "one quarter with a meaningful change")

    buy = {
        "input_price_per_million_tokens": 0.3,
        "output_price_per_million_tokens": 2.5,
        "avg_input_tokens": 1800,
        "avg_output_tokens": 160,
    }
    candidate = {
        "inference_cost_per_thousand_calls": 0.25,
        "engineering_cost_usd": 220000,
        "training_cost_usd": 30000,
        "eval_monitoring_cost_per_quarter_usd": 25000,
    }
    scenarios = [
        {"name": "today", "calls_per_day": 26000, "growth_per_quarter": 0.0},
        {"name": "growth", "calls_per_day": 26000, "growth_per_quarter": 0.1},
    ]
    for scenario in scenarios:
        buy_cost, cand_cost, fixed = cost_projection(buy, candidate, scenario)
        require(buy_cost - cand_cost < fixed, "a ticket-summary fine-tune must not pay for itself")

    fields = {
        "id": memo_id,
        "title": "Buy a hosted model to summarise escalated support tickets",
        "workload": "support-ticket-summaries",
        "workload_shape": "standard",
        "decision": "buy",
        "status": "proposed",
        "date": MEMO_DATE,
        "owner": "dana.kim",
        "proposer": {"team": "support-operations", "type": "in-house", "person": "ana.ruiz"},
        "reviewers": ["sam.ortiz"],
        "engineering_started": None,
        "supersedes": None,
        "buy_alternative": {"provider": "google", "model": "gemini-2.5-flash", "deployment": "public-api"},
        "dimensions": {"criticality": "supportive", "workflow_complexity": "simple", "control_need": "low"},
        "candidates": {
            "buy": "The hosted model's summaries already spare second-line engineers the read-through, "
            "and each summary sits beside the full ticket.",
            "fine-tune": "About 26,000 escalations on a working day come to about $25 a day in tokens, "
            "far less than training, hosting and watching a model of our own would cost.",
            "build": "No. Summarising tickets is plumbing, not what we sell.",
        },
        "rationale_tags": ["cost", "quality"],
        "gates_claimed": [],
        "domain": None,
        "build": None,
        "evidence": {
            "usage_log": {
                "source": WAREHOUSE_SOURCE,
                "table": "llm_calls_daily",
                "columns": {
                    "date": "call_day",
                    "calls": "n_calls",
                    "input_tokens": "prompt_tokens",
                    "output_tokens": "completion_tokens",
                },
                "pin": {"as_of": pin, "column": "loaded_at"},
            },
            "task_changes": {
                "source": WAREHOUSE_SOURCE,
                "table": "task_changes",
                "pin": {"as_of": pin, "column": "loaded_at"},
            },
            "cost_model": inputs(memo_id, "cost_model.yaml"),
        },
    }
    body = """
# Buy a hosted model to summarise escalated support tickets

## The workload

When the first-line support desk escalates a ticket, the assistant writes a
short summary of the thread for the second-line engineer: the problem, what
has been tried and what the customer is waiting for. The engineer reads it
with the ticket open beside it. About 26,000 tickets are escalated on a
working day, and a few thousand a day at weekends.

## Where the numbers come from

The usage log is not a file in this repository. Every call is counted in the
data warehouse, one row per day in the `llm_calls_daily` table, and changes
to what a summary must contain are logged in its `task_changes` table. The
memo names the tables and says which warehouse columns are fmgate's (the
day is `call_day`, the calls `n_calls`, the tokens `prompt_tokens` and
`completion_tokens`); fmgate checks and measures the rows in the database
and only the daily totals come back. fmgate.yaml says where the warehouse is.
In this example it is the SQLite file `examples/warehouse.sqlite`; a real
warehouse is a server whose address and credentials stay in an environment
variable.

The nightly load only ever appends rows, so the memo pins the tables by their
`loaded_at` column: they are read as they were at 06:00 UTC on 2 November
2026, the morning this memo was written. The four days loaded after that,
and a task change logged two days later, are in the tables but not in the
evidence, so regenerating it later reads the same 60 days.

## What we compared

We priced the hosted model against a small fine-tuned model hosted by us,
for today's volume and for growth of 10% a quarter. Even with growth, the
token savings over a year are a small fraction of the engineering, training
and monitoring a fine-tune would need.

## Decision

Buy. The workload is supportive, simple and needs no special control over the
model's behaviour. We will look again if volume rises towards the
cost-at-scale threshold: moving the pin forward and regenerating the evidence
reads the newer days, which the warehouse already holds.
"""
    return {
        f"memos/{memo_id}.md": memo_text(fields, body),
        WAREHOUSE: sqlite_bytes(WAREHOUSE_SCHEMA, {"llm_calls_daily": calls_rows, "task_changes": changes}),
        inputs(memo_id, "cost_model.yaml"): cost_model_yaml(
            "Escalated-ticket summaries: hosted model vs a hypothetical fine-tune", buy, candidate, scenarios
        ),
    }


# --------------------------------------------------------------------------

EXAMPLES: list[Callable[[np.random.Generator], Files]] = [
    support_reply_drafting,
    contract_summaries_draft,
    ticket_triage_distillation,
    clinical_coding_assistant,
    sales_email_own_model,
    legal_foundation_model,
    support_volume_from_warehouse,
]


def build_files(seed: int = SEED) -> Files:
    """Every example file, path (relative to the repository root) -> bytes."""
    files: Files = {}
    for index, example in enumerate(EXAMPLES):
        produced = example(np.random.default_rng([seed, index]))
        clash = set(produced) & set(files)
        require(not clash, f"two examples write the same file: {sorted(clash)}")
        files.update(produced)
    for path, content in files.items():
        require(len(content) <= MAX_FILE_BYTES, f"{path} is {len(content)} bytes, over the size budget")
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--root",
        type=Path,
        default=Path(__file__).resolve().parents[1],
        help="the decision repository to write into (default: this repository)",
    )
    parser.add_argument("--seed", type=int, default=SEED, help=f"the seed (default {SEED})")
    parser.add_argument("--force", action="store_true", help="replace example files that already exist")
    args = parser.parse_args(argv)

    root: Path = args.root
    try:
        files = build_files(args.seed)
    except ExampleBroken as exc:
        print(f"make_examples: the seed {args.seed} breaks an example: {exc}", file=sys.stderr)
        return 1
    existing = sorted(p for p in files if (root / p).exists())
    if existing and not args.force:
        print(
            f"make_examples: {len(existing)} file(s) already exist; nothing was written. "
            "Re-run with --force to replace them:",
            file=sys.stderr,
        )
        for path in existing:
            print(f"  would overwrite {path}", file=sys.stderr)
        return 2

    for path, content in sorted(files.items()):
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    print(f"wrote {len(files)} files under {root}" + (f" ({len(existing)} replaced)" if existing else ""))
    settings = root / "fmgate.yaml"
    if settings.exists():
        print("kept the existing fmgate.yaml")
        try:
            kept = yaml.safe_load(settings.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError):
            kept = None
        sources = kept.get("sources") if isinstance(kept, dict) else None
        if not isinstance(sources, dict) or WAREHOUSE_SOURCE not in sources:
            print(
                f"note: it declares no source {WAREHOUSE_SOURCE!r}; support-volume-from-warehouse reads its usage "
                f"from {WAREHOUSE} through that source (see the sources: section of a fresh fmgate.yaml)"
            )
    else:
        settings.write_text(SETTINGS, encoding="utf-8")
        print("wrote fmgate.yaml")
    return 0


if __name__ == "__main__":
    sys.exit(main())
