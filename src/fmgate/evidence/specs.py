"""What each evidence input must contain: its columns, their types, and how it is read.

These declarations are the single source for the reader (which columns must be
present, which are forced to text) and for the expectation suites (which types
and ranges each column must meet). The memo spec is the contract they follow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ColumnType = Literal["string", "text", "int", "number", "bool", "date", "datetime"]

#: Seniority levels a prompting practitioner may have.
SENIORITY_LEVELS = ("junior", "mid", "senior", "staff", "principal")
#: The four prompting variant families the domain gate asks for (others are allowed).
VARIANT_FAMILIES = ("system_prompt", "few_shot", "chain_of_thought", "retrieval_augmented")
#: Quality labels of domain examples and corpus shards.
QUALITY_LEVELS = ("high", "medium", "low")
#: The two systems a head-to-head benchmark compares.
SYSTEMS = ("candidate", "buy")
#: How a model is reached (the memo's buy_alternative.deployment).
DEPLOYMENTS = ("public-api", "vpc", "self-hosted")


@dataclass(frozen=True)
class Column:
    """One column of an input file.

    ``string`` is an identifier or label (kept as text, never parsed as a
    number); ``text`` is free text; ``date`` is ``YYYY-MM-DD``; ``datetime``
    is an ISO 8601 timestamp. Dates stay text on reading and are parsed by the
    validation step, so a malformed date becomes a failed expectation rather
    than a crash.
    """

    name: str
    type: ColumnType
    required: bool = True

    @property
    def read_as_text(self) -> bool:
        return self.type in ("string", "text", "date", "datetime")


@dataclass(frozen=True)
class InputSpec:
    """A tabular input: its name (the memo's evidence key), columns and reading mode.

    ``no_rows`` says what a file with no rows would mean. Where ``empty_ok``
    is false (every kind but task_changes) zero rows cannot be evidence, and
    ``no_rows`` is the reason the reader gives when it refuses such a file;
    where ``empty_ok`` is true zero rows is a meaningful answer that is read,
    validated and measured, and ``no_rows`` says what that answer is. Either
    way zero rows must be *stated* by a header row (CSV) or a schema (Parquet):
    a file with no bytes, a CSV with no header and JSON Lines with no records
    look the same as an export that failed, so they are never read as zero rows.

    ``example`` is one plausible row (values in column order), shown in the
    inputs guide ``fmgate new`` writes; the tests read and validate it.
    """

    name: str
    row: str
    columns: tuple[Column, ...]
    streamed: bool = False
    no_rows: str = ""
    no_rows_fix: str = ""
    empty_ok: bool = False
    example: tuple[object, ...] = ()

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    def example_row(self) -> dict[str, object]:
        """The example row as column name -> value."""
        return dict(zip(self.names, self.example, strict=True))


EVAL_SET = InputSpec(
    "eval_set",
    "eval item",
    (
        Column("id", "string"),
        Column("input", "text"),
        Column("expected", "text"),
        Column("category", "string", required=False),
    ),
    no_rows="an eval set with no items scores nothing: the valid-item count, the head-to-head's item ids "
    "and the overlap check are all counted over eval items",
    no_rows_fix="add the eval items: one row per item with id, input and expected",
    example=("refund-017", "Customer asks for a refund 40 days after purchase", "decline_politely", "refunds"),
)

PROMPTING_LOG = InputSpec(
    "prompting_log",
    "prompt iteration",
    (
        Column("iteration", "int"),
        Column("timestamp", "datetime"),
        Column("practitioner", "string"),
        Column("seniority", "string"),
        Column("hours", "number"),
        Column("variant", "string"),
        Column("score", "number"),
        Column("eval_set_size", "int"),
    ),
    no_rows="a prompting log with no iterations shows no prompting effort: the hours, the variants tried, "
    "the practitioners' seniority and the plateau of the score are all measured from iterations",
    no_rows_fix="add one row per prompt iteration that was run; if prompting has not been tried, try it "
    "before claiming the domain_expertise gate",
    example=(1, "2026-10-05T14:30:00Z", "ana.silva", "senior", 2.5, "few_shot", 0.71, 250),
)

USAGE_LOG = InputSpec(
    "usage_log",
    "day (or day and endpoint)",
    (
        Column("date", "date"),
        Column("calls", "int"),
        Column("input_tokens", "int", required=False),
        Column("output_tokens", "int", required=False),
    ),
    no_rows="a usage log with no days measures no volume: the median of daily calls is taken over the "
    "days of the usage window, and the window's coverage is counted in days",
    no_rows_fix="export one row per day for at least the whole usage window (a day without traffic is a "
    "row with calls 0)",
    example=("2026-10-05", 11850000, 5925000000, 592500000),
)

TASK_CHANGES = InputSpec(
    "task_changes",
    "change to the task definition",
    (Column("date", "date"), Column("description", "text"), Column("meaningful", "bool")),
    empty_ok=True,
    no_rows="the task definition never changed: 0 meaningful changes in every quarter",
    no_rows_fix="for a task that never changed, write the header row alone (date,description,meaningful) "
    "as CSV, or a Parquet file with those columns and no rows",
    example=("2026-07-14", "added the 'billing-dispute' label", True),
)

HEAD_TO_HEAD = InputSpec(
    "head_to_head",
    "eval item and system",
    (
        Column("item_id", "string"),
        Column("system", "string"),
        Column("score", "number"),
        Column("cost_usd", "number"),
        Column("run_date", "date"),
        # which model produced the row: FT-BENCH-BUY-MODEL holds the buy rows to the memo's buy alternative
        Column("provider", "string", required=False),
        Column("model", "string", required=False),
        Column("deployment", "string", required=False),
    ),
    no_rows="a head-to-head with no scored items compares nothing: the quality ratio and its paired "
    "bootstrap interval, the percentiles and the cost per useful task need items scored for both "
    "systems, and the run date comes from the rows",
    no_rows_fix="run the candidate and the buy alternative on the eval set: one row per eval item and "
    "system (candidate, buy)",
    example=("refund-017", "buy", 0.94, 0.00210, "2026-10-20", "openai", "gpt-4o", "public-api"),
)

DOMAIN_DATA = InputSpec(
    "domain_data",
    "domain example",
    (Column("id", "string"), Column("text", "text"), Column("quality", "string")),
    streamed=True,
    no_rows="domain data with no examples holds nothing to fine-tune on: the domain_expertise gate counts "
    "deduplicated high-quality examples, and the eval set's overlap check reads their text",
    no_rows_fix="export the domain examples: one row per example with id, text and quality (high, medium or low)",
    example=("ex-000123", "Ticket: invoice 8841 charged twice. Resolution: refund the duplicate.", "high"),
)

CORPUS_MANIFEST = InputSpec(
    "corpus_manifest",
    "corpus shard",
    (
        Column("shard", "string"),
        Column("tokens", "int"),
        Column("sha256", "string"),
        Column("source", "string"),
        Column("proprietary", "bool"),
        Column("domain_relevant", "bool"),
        Column("quality", "string"),
    ),
    streamed=True,
    no_rows="a corpus manifest with no shards lists no tokens: the qualifying-token count the build gate "
    "compares is a sum over shards",
    no_rows_fix="list the corpus shards: one row per shard with its token count, sha256, source and flags",
    example=(
        "crm-notes-0001.parquet",
        1250000000,
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "crm",
        True,
        True,
        "high",
    ),
)

INPUTS: dict[str, InputSpec] = {
    spec.name: spec
    for spec in (EVAL_SET, PROMPTING_LOG, USAGE_LOG, TASK_CHANGES, HEAD_TO_HEAD, DOMAIN_DATA, CORPUS_MANIFEST)
}

#: Evidence kinds, each produced by one notebook (task_changes is an input of usage_log).
KINDS = ("eval_set", "prompting_log", "usage_log", "head_to_head", "cost_model", "domain_data", "corpus_manifest")
