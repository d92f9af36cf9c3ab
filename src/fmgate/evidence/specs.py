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
    """A tabular input: its name (the memo's evidence key), columns and reading mode."""

    name: str
    row: str
    columns: tuple[Column, ...]
    streamed: bool = False

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


EVAL_SET = InputSpec("eval_set", "eval item", (
    Column("id", "string"), Column("input", "text"), Column("expected", "text"),
    Column("category", "string", required=False)))

PROMPTING_LOG = InputSpec("prompting_log", "prompt iteration", (
    Column("iteration", "int"), Column("timestamp", "datetime"), Column("practitioner", "string"),
    Column("seniority", "string"), Column("hours", "number"), Column("variant", "string"),
    Column("score", "number"), Column("eval_set_size", "int")))

USAGE_LOG = InputSpec("usage_log", "day (or day and endpoint)", (
    Column("date", "date"), Column("calls", "int"),
    Column("input_tokens", "int", required=False), Column("output_tokens", "int", required=False)))

TASK_CHANGES = InputSpec("task_changes", "change to the task definition", (
    Column("date", "date"), Column("description", "text"), Column("meaningful", "bool")))

HEAD_TO_HEAD = InputSpec("head_to_head", "eval item and system", (
    Column("item_id", "string"), Column("system", "string"), Column("score", "number"),
    Column("cost_usd", "number"), Column("run_date", "date")))

DOMAIN_DATA = InputSpec("domain_data", "domain example", (
    Column("id", "string"), Column("text", "text"), Column("quality", "string")), streamed=True)

CORPUS_MANIFEST = InputSpec("corpus_manifest", "corpus shard", (
    Column("shard", "string"), Column("tokens", "int"), Column("sha256", "string"),
    Column("source", "string"), Column("proprietary", "bool"), Column("domain_relevant", "bool"),
    Column("quality", "string")), streamed=True)

INPUTS: dict[str, InputSpec] = {spec.name: spec for spec in (
    EVAL_SET, PROMPTING_LOG, USAGE_LOG, TASK_CHANGES, HEAD_TO_HEAD, DOMAIN_DATA, CORPUS_MANIFEST)}

#: Evidence kinds, each produced by one notebook (task_changes is an input of usage_log).
KINDS = ("eval_set", "prompting_log", "usage_log", "head_to_head", "cost_model",
         "domain_data", "corpus_manifest")
