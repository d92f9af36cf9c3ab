"""Expectation suites per evidence kind, run with great-expectations 1.x.

Each input gets one suite, built from its column declarations
(:mod:`fmgate.evidence.specs`) plus rules of its own: columns present, types,
ranges, uniqueness, nulls, allowed values and no dates in the future. Suites
run in an ephemeral (in-memory) context with analytics switched off and no
network use.

Every rule has a severity. A failed ``critical`` rule makes the evidence
invalid. A failed ``warning`` rule is reported in the validation summary but
leaves the evidence valid, because the measurement itself accounts for it
(for example duplicate eval ids are counted and excluded from the valid items).

The summary has the shape the evidence document carries::

    {"success": bool, "evaluated": int,
     "failed": [{"expectation", "column", "input", "severity", "details"}]}

Streamed kinds combine a suite run on a bounded sample with exact checks
computed over every row (see :func:`exact_outcome` and :func:`summarise`).
"""

from __future__ import annotations

import atexit
import datetime as dt
import gc
import os
import sys
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..lazy_grammar import defer as _defer_iri_grammar

# Both must happen before great_expectations is imported anywhere in the process: no analytics,
# and jsonschema (which great-expectations imports through altair) without building its IRI
# grammar up front (see fmgate.lazy_grammar).
os.environ["GX_ANALYTICS_ENABLED"] = "False"
_defer_iri_grammar()

from .specs import (  # noqa: E402
    DEPLOYMENTS,
    INPUTS,
    QUALITY_LEVELS,
    SENIORITY_LEVELS,
    SYSTEMS,
    InputSpec,
)

CRITICAL = "critical"
WARNING = "warning"

INT_TYPES = [
    "int",
    "int8",
    "int16",
    "int32",
    "int64",
    "Int8",
    "Int16",
    "Int32",
    "Int64",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "UInt8",
    "UInt16",
    "UInt32",
    "UInt64",
]
NUMBER_TYPES = INT_TYPES + ["float", "float16", "float32", "float64", "Float32", "Float64"]
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
TIMESTAMP_PATTERN = (
    r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
    r"(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$"
)
BLANK_PATTERN = r"^\s*$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"
PARSED_SUFFIX = "__parsed"


@dataclass(frozen=True)
class Rule:
    """One expectation, with the words used when it fails.

    ``expectation`` is the great-expectations class name (``ExpectColumn...``);
    ``column`` is the column the proposer knows (a parsed helper column is
    validated under the hood but reported under the original name).
    """

    expectation: str
    column: str | None
    kwargs: dict[str, Any]
    explain: str
    fix: str
    severity: str = CRITICAL
    input: str = ""

    @property
    def type_name(self) -> str:
        """snake_case name, as great-expectations reports it."""
        name = self.expectation
        out = [name[0].lower()]
        for char in name[1:]:
            out.append(f"_{char.lower()}" if char.isupper() else char)
        return "".join(out)


@dataclass
class Outcome:
    """The result of one rule: passed or not, and the evidence for it."""

    rule: Rule
    success: bool
    unexpected: int | None = None
    total: int | None = None
    examples: list[Any] = field(default_factory=list)
    observed: Any = None
    exact: bool = False

    def details(self) -> str:
        text = self.rule.explain
        if self.unexpected is not None and self.total is not None:
            text += f": {self.unexpected:,} of {self.total:,} rows"
        elif self.observed is not None:
            text += f": found {self.observed}"
        if self.examples:
            shown = ", ".join(_show(v) for v in self.examples[:5])
            text += f" (e.g. {shown})"
        if self.exact:
            text += " [exact check over every row]"
        return text

    def entry(self) -> dict[str, Any]:
        return {
            "expectation": self.rule.type_name,
            "column": self.rule.column,
            "input": self.rule.input,
            "severity": self.rule.severity,
            "details": self.details(),
        }

    def record(self) -> dict[str, Any]:
        """Every expectation that ran, passed or not, for the reviewer's table."""
        return {
            "expectation": self.rule.type_name,
            "input": self.rule.input,
            "column": self.rule.column,
            "severity": self.rule.severity,
            "success": bool(self.success),
            "explain": self.rule.explain,
            "unexpected": self.unexpected,
            "total": self.total,
            "exact": self.exact,
            "examples": [_show(v) for v in self.examples[:5]] if not self.success else [],
        }

    def message(self) -> str:
        where = f"{self.rule.input} column '{self.rule.column}'" if self.rule.column else self.rule.input
        return f"{where}: {self.details()}; fix: {self.rule.fix}"


def _show(value: Any) -> str:
    if isinstance(value, float) and value != value:
        return "null"
    if value is None:
        return "null"
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


# --- suites --------------------------------------------------------------------------------


def _column_rules(
    spec: InputSpec, present: Sequence[str], *, as_of: dt.date, now: dt.datetime, soft: Iterable[str] = ()
) -> list[Rule]:
    """Rules every column of an input gets from its declared type."""
    soft = set(soft)
    rules: list[Rule] = []
    name = spec.name
    for col in spec.columns:
        if col.required:
            rules.append(
                Rule(
                    "ExpectColumnToExist",
                    col.name,
                    {},
                    "required column is missing",
                    f"add a '{col.name}' column",
                    input=name,
                )
            )
        if col.name not in present:
            continue
        severity = WARNING if col.name in soft else CRITICAL
        if col.required:
            rules.append(
                Rule(
                    "ExpectColumnValuesToNotBeNull",
                    col.name,
                    {},
                    "values are missing",
                    f"fill in '{col.name}' on every row",
                    severity,
                    input=name,
                )
            )
        if col.type in ("string", "text") and col.required:
            rules.append(
                Rule(
                    "ExpectColumnValuesToNotMatchRegex",
                    col.name,
                    {"regex": BLANK_PATTERN},
                    "values are blank",
                    f"write a value in '{col.name}' on every row",
                    severity,
                    input=name,
                )
            )
        elif col.type == "int":
            rules.append(
                Rule(
                    "ExpectColumnValuesToBeInTypeList",
                    col.name,
                    {"type_list": INT_TYPES},
                    "values are not whole numbers",
                    f"write '{col.name}' as integers",
                    input=name,
                )
            )
        elif col.type == "number":
            rules.append(
                Rule(
                    "ExpectColumnValuesToBeInTypeList",
                    col.name,
                    {"type_list": NUMBER_TYPES},
                    "values are not numbers",
                    f"write '{col.name}' as numbers",
                    input=name,
                )
            )
        elif col.type == "bool":
            rules.append(
                Rule(
                    "ExpectColumnValuesToBeInSet",
                    col.name,
                    {"value_set": [True, False]},
                    "values are not true/false",
                    f"write '{col.name}' as true or false",
                    input=name,
                )
            )
        elif col.type == "date":
            rules.append(
                Rule(
                    "ExpectColumnValuesToMatchStrftimeFormat",
                    col.name,
                    {"strftime_format": "%Y-%m-%d"},
                    "values are not calendar dates YYYY-MM-DD",
                    f"write '{col.name}' as YYYY-MM-DD",
                    input=name,
                )
            )
            rules.append(
                Rule(
                    "ExpectColumnValuesToBeBetween",
                    col.name,
                    {"column": col.name + PARSED_SUFFIX, "max_value": pd.Timestamp(as_of)},
                    f"dates are in the future (after {as_of.isoformat()})",
                    f"correct the dates in '{col.name}'; no row can be dated after today",
                    input=name,
                )
            )
        elif col.type == "datetime":
            rules.append(
                Rule(
                    "ExpectColumnValuesToMatchRegex",
                    col.name,
                    {"regex": TIMESTAMP_PATTERN},
                    "values are not ISO 8601 timestamps",
                    f"write '{col.name}' like 2026-11-02T14:30:00Z",
                    input=name,
                )
            )
            rules.append(
                Rule(
                    "ExpectColumnValuesToBeBetween",
                    col.name,
                    {
                        "column": col.name + PARSED_SUFFIX,
                        "max_value": pd.Timestamp(now).tz_convert("UTC")
                        if pd.Timestamp(now).tzinfo
                        else pd.Timestamp(now, tz="UTC"),
                    },
                    f"timestamps are in the future (after {now.isoformat(timespec='seconds')})",
                    f"correct the timestamps in '{col.name}'",
                    input=name,
                )
            )
    return rules


def _range(
    name: str, column: str, low: float | None, high: float | None, fix: str, *, strict_low: bool = False
) -> Rule:
    if low is not None and high is not None:
        words = f"values are outside {low}–{high}"
    elif low is not None:
        words = f"values are {'not above' if strict_low else 'below'} {low}"
    else:
        words = f"values are above {high}"
    kwargs: dict[str, Any] = {"min_value": low, "max_value": high}
    if strict_low:
        kwargs["strict_min"] = True
    return Rule("ExpectColumnValuesToBeBetween", column, kwargs, words, fix, input=name)


def _in_set(name: str, column: str, values: Sequence[str]) -> Rule:
    return Rule(
        "ExpectColumnValuesToBeInSet",
        column,
        {"value_set": list(values)},
        f"values are not one of {', '.join(values)}",
        f"use only {', '.join(values)} in '{column}' (lower case)",
        input=name,
    )


def suite(input_name: str, present: Sequence[str], *, as_of: dt.date, now: dt.datetime | None = None) -> list[Rule]:
    """The rules for one tabular input, given the columns the file has."""
    spec = INPUTS[input_name]
    now = now or dt.datetime.combine(as_of, dt.time(23, 59, 59), tzinfo=dt.UTC)
    n = input_name
    if n == "eval_set":
        # Gaps in items are measured (empty_fields, duplicate_ids) rather than rejected.
        rules = _column_rules(spec, present, as_of=as_of, now=now, soft=("input", "expected"))
        rules.append(
            Rule(
                "ExpectColumnValuesToBeUnique",
                "id",
                {},
                "ids repeat (repeats are not valid items)",
                "give every eval item its own id",
                WARNING,
                input=n,
            )
        )
    elif n == "prompting_log":
        rules = _column_rules(spec, present, as_of=as_of, now=now)
        rules += [
            Rule(
                "ExpectColumnValuesToBeUnique",
                "iteration",
                {},
                "iteration numbers repeat",
                "number each prompt iteration once",
                input=n,
            ),
            _range(n, "iteration", 0, None, "number iterations from 0 or 1 upwards"),
            _in_set(n, "seniority", SENIORITY_LEVELS),
            _range(n, "hours", 0, None, "hours cannot be negative"),
            _range(n, "score", 0, 1, "scores are fractions of the eval set, between 0 and 1"),
            _range(n, "eval_set_size", 1, None, "eval_set_size is the number of eval items scored"),
        ]
    elif n == "usage_log":
        rules = _column_rules(spec, present, as_of=as_of, now=now)
        rules.append(_range(n, "calls", 0, None, "call counts cannot be negative"))
        for optional in ("input_tokens", "output_tokens"):
            if optional in present:
                rules.append(_range(n, optional, 0, None, "token counts cannot be negative"))
        rules.append(
            Rule(
                "ExpectColumnValuesToBeUnique",
                "date",
                {},
                "dates repeat (their calls are added up per day)",
                "write one row per day if the repeats are not meant",
                WARNING,
                input=n,
            )
        )
    elif n == "task_changes":
        rules = _column_rules(spec, present, as_of=as_of, now=now)
    elif n == "head_to_head":
        rules = _column_rules(spec, present, as_of=as_of, now=now)
        rules += [
            _in_set(n, "system", SYSTEMS),
            _range(n, "score", 0, 1, "scores are between 0 and 1"),
            _range(n, "cost_usd", 0, None, "costs cannot be negative"),
            Rule(
                "ExpectCompoundColumnsToBeUnique",
                None,
                {"column_list": ["item_id", "system"]},
                "an item is scored more than once for the same system",
                "keep one row per item and system",
                input=n,
            ),
        ]
        if "deployment" in present:
            rules.append(_in_set(n, "deployment", DEPLOYMENTS))
    elif n == "domain_data":
        rules = _column_rules(spec, present, as_of=as_of, now=now, soft=("text",))
        rules += [
            _in_set(n, "quality", QUALITY_LEVELS),
            Rule(
                "ExpectColumnValuesToBeUnique",
                "id",
                {},
                "ids repeat",
                "give every example its own id",
                WARNING,
                input=n,
            ),
        ]
    elif n == "corpus_manifest":
        rules = _column_rules(spec, present, as_of=as_of, now=now)
        rules += [
            _range(n, "tokens", 0, None, "token counts cannot be negative"),
            Rule(
                "ExpectColumnValuesToMatchRegex",
                "sha256",
                {"regex": SHA256_PATTERN},
                "values are not sha256 hex digests",
                "write the shard's sha256 as 64 lower-case hex digits",
                input=n,
            ),
            _in_set(n, "quality", QUALITY_LEVELS),
            Rule(
                "ExpectColumnValuesToBeUnique",
                "shard",
                {},
                "shards are listed more than once (their tokens count once)",
                "list every shard once",
                WARNING,
                input=n,
            ),
        ]
    else:  # pragma: no cover - the caller passes a known input name
        raise KeyError(input_name)
    return rules


def cost_model_suite(present: Sequence[str]) -> list[Rule]:
    """Rules for the cost model, flattened to one row per scenario (see :mod:`.cost`)."""
    n = "cost_model"
    rules = [
        Rule(
            "ExpectColumnValuesToNotBeNull",
            "scenarios.name",
            {"column": "name"},
            "a scenario has no name",
            "name every scenario",
            input=n,
        ),
        Rule(
            "ExpectColumnValuesToBeUnique",
            "scenarios.name",
            {"column": "name"},
            "scenario names repeat",
            "give every scenario its own name",
            input=n,
        ),
        _range(n, "calls_per_day", 0, None, "calls per day cannot be negative"),
        _range(n, "growth_per_quarter", -1, None, "growth cannot shrink volume below zero", strict_low=True),
        _range(n, "horizon_quarters", 1, None, "the horizon is at least one quarter"),
    ]
    for column in present:
        if column.startswith(("buy.", "candidate.")):
            rules.append(_range(n, column, 0, None, "prices, token counts and costs cannot be negative"))
    for column in (
        "calls_per_day",
        "growth_per_quarter",
        "horizon_quarters",
        *[c for c in present if c.startswith(("buy.", "candidate."))],
    ):
        rules.append(
            Rule(
                "ExpectColumnValuesToBeInTypeList",
                column,
                {"type_list": NUMBER_TYPES},
                "values are not numbers",
                f"write '{column}' as a number",
                input=n,
            )
        )
    return rules


# --- running ---------------------------------------------------------------------------------

_LOCK = threading.Lock()
_BATCH_DEFINITION: Any = None
_EXIT_FREEZE = False


def _great_expectations() -> Any:
    """The ``great_expectations`` module, imported with the garbage collector paused.

    The import creates some 300,000 objects that live as long as the process,
    and almost no garbage; the cyclic garbage collector would still walk them
    while they are created (about a sixth of the import's time) and again at
    every full collection afterwards. So it is paused for the import, and the
    objects alive at the end are frozen (``gc.freeze``): left out of later
    collections, still freed by reference counting (the little cyclic garbage
    among them, a few thousand small objects, stays until the process ends).
    At interpreter exit the same is done for everything then alive, because
    the last collections would otherwise walk a notebook kernel's whole heap
    (about a second) to free memory the process is about to give back.
    atexit handlers still run and open files are still flushed; evidence
    documents are written, synced and renamed long before (see
    :func:`fmgate.evidence.document.write`).
    """
    global _EXIT_FREEZE
    with _LOCK:
        if "great_expectations" not in sys.modules:
            enabled = gc.isenabled()
            gc.disable()
            try:
                import great_expectations  # noqa: F401
            finally:
                if enabled:
                    gc.freeze()
                    gc.enable()
        if not _EXIT_FREEZE:
            atexit.register(gc.freeze)
            _EXIT_FREEZE = True
    return sys.modules["great_expectations"]


def _batch_definition() -> Any:
    """One ephemeral context per process, with progress bars off and a dataframe asset."""
    global _BATCH_DEFINITION
    gx = _great_expectations()
    with _LOCK:
        if _BATCH_DEFINITION is None:
            from great_expectations.data_context.types.base import ProgressBarsConfig

            context = gx.get_context(mode="ephemeral")
            context.variables.progress_bars = ProgressBarsConfig(globally=False)
            source = context.data_sources.add_pandas("fmgate")
            asset = source.add_dataframe_asset("evidence")
            _BATCH_DEFINITION = asset.add_batch_definition_whole_dataframe("whole")
        return _BATCH_DEFINITION


def prepare(frame: pd.DataFrame, input_name: str) -> pd.DataFrame:
    """The frame the suite runs on: the input plus parsed helper columns for dates."""
    spec = INPUTS[input_name]
    out = frame.copy()
    for col in spec.columns:
        if col.name not in out.columns:
            continue
        if col.type == "date":
            out[col.name + PARSED_SUFFIX] = pd.to_datetime(out[col.name], format="%Y-%m-%d", errors="coerce")
        elif col.type == "datetime":
            out[col.name + PARSED_SUFFIX] = pd.to_datetime(out[col.name], format="ISO8601", utc=True, errors="coerce")
    return out


def run_rules(frame: pd.DataFrame, rules: Sequence[Rule]) -> list[Outcome]:
    """Run *rules* on *frame* as one great-expectations suite; one outcome per rule."""
    return run_rules_on(
        lambda: _batch_definition().get_batch(batch_parameters={"dataframe": frame}), frame.columns, rules
    )


def run_rules_on(
    get_batch: Any, columns: Iterable[str], rules: Sequence[Rule], result_format: str = "SUMMARY"
) -> list[Outcome]:
    """Run *rules* as one suite on the batch *get_batch* returns (any great-expectations datasource).

    *columns* are the batch's columns: a rule on a column that is not there
    fails here, with that reason, rather than inside great-expectations.
    """
    gx = _great_expectations()
    present = {str(c) for c in columns}
    runnable: list[tuple[Rule, Any]] = []
    outcomes: dict[int, Outcome] = {}
    for index, rule in enumerate(rules):
        kwargs = dict(rule.kwargs)
        target = kwargs.get("column", rule.column)
        if rule.expectation != "ExpectColumnToExist" and target is not None and target not in present:
            outcomes[index] = Outcome(rule, False, observed="no such column")
            continue
        if rule.expectation == "ExpectColumnToExist":
            kwargs["column"] = rule.column
        elif rule.column is not None:
            kwargs.setdefault("column", rule.column)
        expectation = getattr(gx.expectations, rule.expectation)(
            **kwargs, severity=rule.severity, meta={"fmgate_rule": index}
        )
        runnable.append((rule, expectation))
    if runnable:
        _batch_definition()  # the context must exist before a suite is built
        suite_ = gx.ExpectationSuite(name="fmgate")
        for _, expectation in runnable:
            suite_.add_expectation(expectation)
        batch = get_batch()
        result = batch.validate(suite_, result_format={"result_format": result_format, "partial_unexpected_count": 5})
        for res in result.results:
            index = int(res.expectation_config.meta["fmgate_rule"])
            info = dict(res.result or {})
            raised, message = _raised(res.exception_info)
            observed = info.get("observed_value")
            if raised:
                observed = f"the check could not run: {message}"
            outcomes[index] = Outcome(
                rules[index],
                bool(res.success) and not raised,
                unexpected=info.get("unexpected_count"),
                total=info.get("element_count"),
                examples=list(info.get("partial_unexpected_list") or []),
                observed=observed,
            )
    return [outcomes[i] for i in range(len(rules))]


def _raised(info: Any) -> tuple[bool, str]:
    """Whether a check raised, and the first message: at the top, or per metric when a metric failed."""
    if not isinstance(info, dict):
        return False, ""
    if info.get("raised_exception"):
        return True, str(info.get("exception_message") or "")
    for value in info.values():
        if isinstance(value, dict) and (value.get("raised_exception") or value.get("exception_traceback")):
            text = str(value.get("exception_message") or value.get("exception_traceback") or "").strip()
            return True, text.splitlines()[-1] if text else "an error in the data source"
    return False, ""


def context() -> Any:
    """The process's ephemeral great-expectations context (created on first use)."""
    return _batch_definition().data_asset.datasource.data_context


def validate_frame(
    frame: pd.DataFrame, input_name: str, *, as_of: dt.date, now: dt.datetime | None = None
) -> list[Outcome]:
    """Run an input's suite on a loaded frame."""
    rules = suite(input_name, [str(c) for c in frame.columns], as_of=as_of, now=now)
    return run_rules(prepare(frame, input_name), rules)


def exact_outcome(rule: Rule, unexpected: int, total: int, examples: Sequence[Any] = ()) -> Outcome:
    """An outcome computed outside great-expectations, over every row of a streamed input."""
    return Outcome(rule, unexpected == 0, unexpected=unexpected, total=total, examples=list(examples)[:5], exact=True)


def find_rule(rules: Sequence[Rule], expectation: str, column: str | None) -> Rule:
    for rule in rules:
        if rule.expectation == expectation and rule.column == column:
            return rule
    raise KeyError(f"{expectation} on {column}")


def merge(sample: Sequence[Outcome], exact: Sequence[Outcome]) -> list[Outcome]:
    """Sample outcomes, with each rule that also has an exact outcome replaced by it."""
    replaced = {(o.rule.expectation, o.rule.column, o.rule.input): o for o in exact}
    merged = [replaced.pop((o.rule.expectation, o.rule.column, o.rule.input), o) for o in sample]
    return merged + list(replaced.values())


def summarise(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """The validation summary of the evidence document."""
    failed = [o.entry() for o in outcomes if not o.success]
    return {
        "success": not failed,
        "evaluated": len(outcomes),
        "failed": failed,
        "checks": [o.record() for o in outcomes],
    }


def is_valid(outcomes: Sequence[Outcome]) -> bool:
    """True unless a critical rule failed."""
    return all(o.success or o.rule.severity != CRITICAL for o in outcomes)


def error_messages(outcomes: Sequence[Outcome]) -> list[str]:
    """What a proposer must fix: one sentence per failed critical rule."""
    return [o.message() for o in outcomes if not o.success and o.rule.severity == CRITICAL]
