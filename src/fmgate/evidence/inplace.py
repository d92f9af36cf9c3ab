"""Reading an evidence input where it lives (a SQL source) instead of from a file.

:func:`open_sql` connects, projects fmgate's columns, runs the input's
expectation suite in the database, counts rows, finds the date range and
computes the content digest, then checks it against the memo's pin. The
caller keeps the connection (through the ``ExitStack``) for the
measurements, which also run in the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError
from .document import InputFile
from .specs import InputSpec
from .validate import Outcome, suite


@dataclass
class SqlInput:
    """An input read in a database: its facts, outcomes and pin problems, and what measures it further."""

    facts: InputFile
    outcomes: list[Outcome]
    connection: Any
    projection: Any
    grouped: Any  # fmgate.sources.sql.Profile: rows and totals per day, from one scan
    errors: list[str] = field(default_factory=list)


def reference_record(reference: Any, digest: str | None, engine: str) -> dict[str, Any]:
    """What provenance records of an input read in place: where, how pinned, what it hashed to."""
    record: dict[str, Any] = {"source": reference.source, "engine": engine, "pin": dict(reference.pin)}
    for key in ("table", "query", "location"):
        value = getattr(reference, key)
        if value is not None:
            record[key] = value
    if reference.columns:
        record["columns"] = dict(reference.columns)
    record["digest"] = digest
    return record


def pin_errors(reference: Any, digest: str | None) -> list[str]:
    """A digest pin the content no longer matches (or one the engine cannot check) makes the evidence invalid."""
    pinned = reference.pin.get("digest")
    if not reference.pin:
        found = f"its content digest is {digest}" if digest else "its engine has no content digest"
        return [
            f"evidence.{reference.input}.pin: {reference.label} is not pinned, so nobody could read the same data "
            f"again ({found}); fix: add pin: {{digest: {digest or '...'}}} to the memo once the data is right, "
            "or pin: {as_of: <time>, column: <arrival column>} for an append-only table"
        ]
    if not pinned:
        return []
    where = f"evidence.{reference.input}.pin.digest"
    if digest is None:
        return [
            f"{where}: {reference.label} is pinned by digest, but its engine has no content digest; "
            "fix: pin it by as_of or snapshot instead"
        ]
    if digest != pinned:
        return [
            f"{where}: the content of {reference.label} no longer matches its pin (pinned {pinned}, now {digest}); "
            "fix: find out what changed behind the pin; if the new data is right, pin the new digest and "
            "regenerate the evidence"
        ]
    return []


def open_sql(stack: ExitStack, reference_json: Mapping[str, Any], spec: InputSpec, *, as_of: dt.date) -> SqlInput:
    """Read *spec*'s input from the SQL source *reference_json* names; the connection lives as long as *stack*."""
    from ..sources import sql
    from ..sources.reference import Reference

    reference = Reference.from_json(reference_json)
    connection = stack.enter_context(sql.connect(reference))
    projection = sql.project(connection, reference, spec)
    date_column = next((c.name for c in spec.columns if c.type == "date" and c.name in projection.present), None)
    # one grouped scan gives the row count, the date range, repeated days and (usage_log) the daily totals
    total = "calls" if spec.name == "usage_log" and "calls" in projection.present else None
    if total and not sql.holds_numbers(connection, projection, total):
        total = None  # not summed: the type check fails it, and invalid evidence is not measured
    grouped = sql.profile(connection, projection, date_column, total)
    rows = grouped.rows
    if rows == 0 and not spec.empty_ok:
        raise InputError(
            f"{reference.label} selects no rows: {spec.no_rows}",
            field=f"evidence.{reference.input}",
            fix=spec.no_rows_fix,
        )
    rules = suite(spec.name, projection.present, as_of=as_of)
    outcomes = sql.validate(reference, projection, rules, connection, grouped)
    digest = sql.content_digest(connection, projection)
    dates = grouped.key_range() if date_column else None
    facts = InputFile(
        spec.name,
        reference.label,
        rows=rows,
        dates=dates,
        reference=reference_record(reference, digest, connection.dialect.name),
    )
    return SqlInput(facts, outcomes, connection, projection, grouped, pin_errors(reference, digest))
