"""An input read from a SQL table or query: validated and measured in the database.

The rows never come to the notebook. great-expectations' SQL datasource runs
the input's expectation suite as SQL, and the measurements that need every
row (row counts, daily totals, per-quarter counts, the content digest) are
aggregate queries built with SQLAlchemy Core, so one code path serves every
dialect SQLAlchemy and great-expectations support. Only the digest needs a
dialect's own hash function: :mod:`.digest` has PostgreSQL's and SQLite's.

The connection is read-only where the dialect allows it (PostgreSQL's
session default, SQLite's ``mode=ro``); elsewhere, give fmgate a role that
can only read. A source that cannot be reached raises
:class:`~.reference.SourceUnreachable` (exit 3), never a verdict.
"""

from __future__ import annotations

import datetime as dt
import os
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError, NoSuchModuleError, SQLAlchemyError

from ..errors import InputError
from ..evidence.specs import INPUTS, InputSpec
from ..evidence.validate import (
    DATE_PATTERN,
    INT_TYPES,
    PARSED_SUFFIX,
    Outcome,
    Rule,
    context,
    exact_outcome,
    run_rules_on,
)
from . import digest as digests
from .reference import Reference, SourceUnreachable


def _url(reference: Reference) -> URL:
    if reference.url_env:
        text = os.environ.get(reference.url_env)
        if not text:
            raise SourceUnreachable(
                f"source {reference.source!r} is read through the environment variable {reference.url_env}, "
                "which is not set here",
                field=f"evidence.{reference.input}.source",
                fix=f"set {reference.url_env} to the source's SQLAlchemy URL (with its credentials) where fmgate runs",
            )
    else:
        text = str(reference.url)
    try:
        url = make_url(text)
    except sa.exc.ArgumentError:
        raise SourceUnreachable(
            f"the URL of source {reference.source!r} is not a SQLAlchemy URL",
            fix="correct the URL in fmgate.yaml or in the environment variable it names",
        ) from None
    if url.get_backend_name() == "sqlite" and url.database and not reference.url_env:
        # an embedded database from fmgate.yaml: opened read-only, never created if absent
        url = url.set(database=f"file:{url.database}", query={"mode": "ro", "uri": "true"})
    return url


def _shown(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def _read_only(engine: Engine) -> None:
    if engine.dialect.name == "postgresql":

        @sa.event.listens_for(engine, "connect")
        def _set_read_only(dbapi_connection: Any, _record: Any) -> None:
            # outside a transaction: a SET inside one is undone when the pool rolls it back
            autocommit = dbapi_connection.autocommit
            dbapi_connection.autocommit = True
            cursor = dbapi_connection.cursor()
            cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
            cursor.close()
            dbapi_connection.autocommit = autocommit


@contextmanager
def connect(reference: Reference) -> Iterator[Connection]:
    """A read-only connection to the reference's source (SourceUnreachable when there is none)."""
    url = _url(reference)
    try:
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    except (NoSuchModuleError, ImportError) as exc:
        raise SourceUnreachable(
            f"no database driver for {url.drivername!r} is installed ({exc})",
            fix="install the SQLAlchemy dialect and driver for this database into fmgate's environment",
        ) from None
    _read_only(engine)
    digests.prepare(engine)
    try:
        connection = engine.connect()
    except (DBAPIError, SQLAlchemyError) as exc:
        engine.dispose()
        raise SourceUnreachable(
            f"source {reference.source!r} at {_shown(url)} cannot be reached: {_first_line(exc)}",
            field=f"evidence.{reference.input}.source",
            fix="check that the database is up and reachable from here, and the credentials in "
            f"{reference.url_env or 'the URL'}; a source that cannot be read never approves a memo",
        ) from None
    try:
        yield connection
    finally:
        connection.close()
        engine.dispose()


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


@dataclass
class Projection:
    """The input as fmgate's columns: a SELECT over the source, filtered by the pin."""

    select: sa.Select[Any]
    present: list[str]  # fmgate columns the source has
    sql: str  # the same, compiled for the source's dialect with its values inline (for great-expectations)

    def subquery(self) -> sa.Subquery:
        return self.select.subquery("fmgate_input")

    def column(self, name: str) -> sa.ColumnElement[Any]:
        return self.subquery().c[name]


def _source(reference: Reference) -> sa.FromClause:
    if reference.table is not None:
        schema, _, name = reference.table.rpartition(".")
        return sa.table(name, schema=schema or None)
    query = sa.text(str(reference.query))
    if reference.pin.get("snapshot") is not None:
        query = query.bindparams(snapshot=str(reference.pin["snapshot"]))
    return query.columns().subquery("fmgate_query")


def _source_columns(connection: Connection, source: sa.FromClause, reference: Reference) -> list[str]:
    probe: sa.Select[Any] = sa.select(sa.literal_column("*")).select_from(source).where(sa.false())
    try:
        return list(connection.execute(probe).keys())
    except (DBAPIError, SQLAlchemyError) as exc:
        raise InputError(
            f"{reference.label} cannot be read: {_first_line(exc)}",
            field=f"evidence.{reference.input}",
            fix="check the table or query names a relation the source has, and the columns it selects",
        ) from None


def project(connection: Connection, reference: Reference, spec: InputSpec) -> Projection:
    """fmgate's columns of *spec* from the source, renamed by the memo's ``columns`` and filtered by the pin."""
    source = _source(reference)
    available = set(_source_columns(connection, source, reference))
    unknown = sorted(name for name in reference.columns if name not in spec.names)
    if unknown:
        raise InputError(
            f"columns maps {', '.join(unknown)}, which {spec.name} does not have",
            field=f"evidence.{reference.input}.columns",
            fix=f"map only {', '.join(spec.names)}",
        )
    selected: list[sa.ColumnElement[Any]] = []
    present: list[str] = []
    for col in spec.columns:
        name = reference.source_column(col.name)
        if name not in available:
            continue
        value: sa.ColumnClause[Any] = sa.column(name)
        present.append(col.name)
        if col.type in ("date", "datetime"):
            # compared as text like a file's dates; the native value stays for the no-future-dates check
            selected.append(sa.cast(value, sa.String).label(col.name))
            selected.append(value.label(col.name + PARSED_SUFFIX))
        else:
            selected.append(value.label(col.name))
    if not selected:
        raise InputError(
            f"{reference.label} has none of the columns {spec.name} needs ({', '.join(spec.required)})",
            field=f"evidence.{reference.input}.columns",
            fix="map each of fmgate's column names to the source's in columns:",
        )
    select = sa.select(*selected).select_from(source)
    if reference.pin.get("as_of"):
        column = str(reference.pin["column"])
        if column not in available:
            raise InputError(
                f"pin.column {column!r} is not a column of {reference.label}",
                field=f"evidence.{reference.input}.pin.column",
                fix="name the source column that dates each row's arrival",
            )
        arrived: sa.ColumnElement[Any] = sa.column(column)
        instant: sa.ColumnElement[Any] = sa.literal(_instant(reference.pin["as_of"]))
        if connection.dialect.name == "sqlite":
            # SQLite keeps timestamps as text, and text compares character by character:
            # '2026-11-02T02:15:00Z' sorts after '2026-11-02 06:00:00+00:00'. julianday() reads
            # either spelling (and a UTC offset) as the instant it names.
            arrived, instant = sa.func.julianday(arrived), sa.func.julianday(instant)
        select = select.where(arrived <= instant)
    sql = str(select.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    return Projection(select, present, sql)


def _instant(text: str) -> str:
    """The pin's instant as ISO text the database compares with its timestamps (UTC, no 'Z')."""
    stamp = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return stamp.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S+00:00")


# --- great-expectations, in the database -------------------------------------------------------

_COUNTER = iter(range(1, 1 << 62))
#: Columns of fmgate's inputs that hold calendar dates (the rest of the dated columns are timestamps).
_DATE_COLUMNS = frozenset(c.name for spec in INPUTS.values() for c in spec.columns if c.type == "date")


def sql_rules(rules: Sequence[Rule]) -> list[Rule]:
    """The suite as the SQL datasource can run it.

    great-expectations checks date formats with ``strftime`` only on pandas
    and Spark; in SQL the same format is a regular expression on the date
    as text. Type rules are answered by :func:`type_outcomes` instead.
    """
    out = []
    for rule in rules:
        bounds = {
            k: v for k, v in rule.kwargs.items() if k in ("min_value", "max_value") and hasattr(v, "to_pydatetime")
        }
        if bounds:
            # database drivers bind Python dates and datetimes, not pandas timestamps
            dated = str(rule.kwargs.get("column", "")).removesuffix(PARSED_SUFFIX) in _DATE_COLUMNS
            kwargs = dict(rule.kwargs)
            for key, value in bounds.items():
                kwargs[key] = value.date() if dated else value.to_pydatetime()
            rule = Rule(rule.expectation, rule.column, kwargs, rule.explain, rule.fix, rule.severity, input=rule.input)
        if rule.expectation == "ExpectColumnValuesToMatchStrftimeFormat":
            rule = Rule(
                "ExpectColumnValuesToMatchRegex",
                rule.column,
                {"regex": DATE_PATTERN},
                rule.explain,
                rule.fix,
                rule.severity,
                input=rule.input,
            )
        out.append(rule)
    return out


@dataclass
class Profile:
    """One grouped pass over the input: rows per value of a key column, and a column's total per value.

    It answers several questions with one scan of the table: the row count,
    the date range, the daily call totals and whether any day repeats.
    """

    key: str | None
    groups: list[tuple[str | None, int, int]]  # (key as text or None, rows, total)

    @property
    def rows(self) -> int:
        return sum(n for _, n, _ in self.groups)

    def totals(self) -> list[tuple[str, int]]:
        return sorted((k, t) for k, _, t in self.groups if k is not None)

    def key_range(self) -> tuple[str, str] | None:
        keys = [k for k, _, _ in self.groups if k is not None]
        return (min(keys)[:10], max(keys)[:10]) if keys else None

    def repeats(self) -> tuple[int, list[str]]:
        """Rows whose key is not unique (as great-expectations counts them), and a few of those keys."""
        repeated = sorted((k, n) for k, n, _ in self.groups if k is not None and n > 1)
        return sum(n for _, n in repeated), [k for k, n in repeated for _ in range(n)][:5]


def profile(connection: Connection, projection: Projection, key: str | None, total: str | None = None) -> Profile:
    """Group the input by *key* (all rows as one group without one), summing *total*: one scan, few rows back."""
    sub = projection.subquery()
    summed = sa.func.coalesce(sa.func.sum(sub.c[total]), 0) if total else sa.literal(0)
    if key is None:
        n, t = connection.execute(sa.select(sa.func.count(), summed).select_from(sub)).one()
        return Profile(None, [(None, int(n), int(t or 0))])
    query = sa.select(sub.c[key], sa.func.count(), summed).group_by(sub.c[key])
    return Profile(key, [(None if k is None else str(k), int(n), int(t or 0)) for k, n, t in connection.execute(query)])


def holds_numbers(connection: Connection, projection: Projection, column: str) -> bool:
    """True unless the database returns *column*'s values as something other than numbers."""
    value = _probe(connection, projection, column)
    return value is None or (not isinstance(value, (bool, str)) and isinstance(value, (int, float, Decimal)))


def _probe(connection: Connection, projection: Projection, column: str) -> Any:
    """One present value of *column* as the driver returns it (None when every value is missing)."""
    sub = projection.subquery()
    return connection.execute(sa.select(sub.c[column]).where(sub.c[column].isnot(None)).limit(1)).scalar()


def validate(
    reference: Reference,
    projection: Projection,
    rules: Sequence[Rule],
    connection: Connection,
    grouped: Profile | None = None,
) -> list[Outcome]:
    """Run *rules* in the database with great-expectations' SQL datasource; one outcome per rule.

    Every check reads every row, so the suite is run twice at most: first
    asking only whether each expectation holds, then, for the ones that do
    not, for the counts and example values a proposer needs. Three checks are
    answered without great-expectations, exactly: column types (see
    :func:`type_outcomes`), the date format of a column the database stores
    as dates, and the uniqueness of the key *grouped* was made by.
    """
    converted = sql_rules(rules)
    rows = grouped.rows if grouped is not None else None
    outcomes: dict[int, Outcome] = {}
    typed = [i for i, r in enumerate(converted) if r.expectation == "ExpectColumnValuesToBeInTypeList"]
    outcomes.update(zip(typed, type_outcomes(connection, projection, [converted[i] for i in typed])))
    for index, rule in enumerate(converted):
        column = str(rule.column)
        if rule.expectation == "ExpectColumnValuesToMatchRegex" and rule.kwargs.get("regex") == DATE_PATTERN:
            if column in projection.present and isinstance(
                _probe(connection, projection, column + PARSED_SUFFIX), dt.date
            ):
                # stored as DATE: the database's text form of a date is YYYY-MM-DD by construction
                outcomes[index] = Outcome(rule, True, unexpected=0, total=rows, observed="stored as dates", exact=True)
        elif rule.expectation == "ExpectColumnValuesToBeUnique" and grouped is not None and column == grouped.key:
            unexpected, examples = grouped.repeats()
            outcomes[index] = exact_outcome(rule, unexpected, grouped.rows, examples)
    in_gx = [i for i in range(len(converted)) if i not in outcomes]
    gx_context = context()
    name = f"fmgate-sql-{next(_COUNTER)}"
    # credentials stay in the environment: great-expectations reads the variable itself
    connection_string = f"${{{reference.url_env}}}" if reference.url_env else _url(reference).render_as_string(False)
    _columns_without_rows()
    with warnings.catch_warnings():  # the generic SQL datasource is the point: one path for every dialect
        warnings.simplefilter("ignore")
        datasource = gx_context.data_sources.add_sql(name, connection_string=connection_string)
    try:
        asset = datasource.add_query_asset("input", query=projection.sql)
        definition = asset.add_batch_definition_whole_table("whole")
        columns = [c for present in projection.present for c in (present, present + PARSED_SUFFIX)]
        quick = run_rules_on(definition.get_batch, columns, [converted[i] for i in in_gx], "BOOLEAN_ONLY")
        failing = [i for i, outcome in zip(in_gx, quick) if not outcome.success]
        detailed = dict(zip(failing, run_rules_on(definition.get_batch, columns, [converted[i] for i in failing])))
    finally:
        gx_context.data_sources.delete(name)
    for index, outcome in zip(in_gx, quick):
        if index in detailed:
            outcomes[index] = detailed[index]
        elif converted[index].expectation.startswith("ExpectColumnValues") and rows is not None:
            outcomes[index] = Outcome(outcome.rule, True, unexpected=0, total=rows)
        else:
            outcomes[index] = outcome
    return [outcomes[i] for i in range(len(converted))]


def _columns_without_rows() -> None:
    """Make great-expectations learn a query's columns from a query that returns no rows.

    great-expectations 1.24 finds the columns of a query asset by running the
    whole query, which brings every row of the input to this process (the
    driver buffers the result): the opposite of validating in place. The
    replacement asks for the same columns with ``WHERE false``. Installed once.
    """
    from great_expectations.expectations.metrics import util

    original = util.column_reflection_fallback
    if getattr(original, "fmgate_no_rows", False):
        return

    def columns_only(selectable: Any, dialect: Any, sqlalchemy_engine: Any, schema_name: Any = None) -> Any:
        if not isinstance(selectable, sa.TextClause):
            return original(selectable, dialect, sqlalchemy_engine, schema_name)
        engine = sqlalchemy_engine.engine
        probe = sa.select(sa.text("*")).select_from(selectable.columns().subquery("fmgate_columns")).where(sa.false())
        with engine.connect() if isinstance(engine, sa.Engine) else engine as connection:
            return [{"name": name} for name in connection.execute(probe).keys()]

    columns_only.fmgate_no_rows = True  # type: ignore[attr-defined]
    util.column_reflection_fallback = columns_only


def type_outcomes(connection: Connection, projection: Projection, rules: Sequence[Rule]) -> list[Outcome]:
    """Whole-number and number columns: the type of the values the database returns.

    The SQL datasource cannot see the column types of a query, so the check
    asks the database for one present value of each column and looks at what
    the driver made of it: a column the database stores as text fails, as
    text in a CSV file would.
    """
    found: list[Outcome] = []
    for rule in rules:
        column = str(rule.column)
        if column not in projection.present:
            found.append(Outcome(rule, False, observed="no such column"))
            continue
        value = _probe(connection, projection, column)
        if value is None:
            found.append(Outcome(rule, True, observed="no values"))
            continue
        kind = type(value).__name__
        whole = (isinstance(value, int) and not isinstance(value, bool)) or (kind == "Decimal" and value == int(value))
        ok = whole if rule.kwargs.get("type_list") == INT_TYPES else whole or kind in ("float", "Decimal")
        found.append(Outcome(rule, ok, observed=f"the database returns {kind} values"))
    return found


# --- measurements, in the database ---------------------------------------------------------------


def counts_between(
    connection: Connection,
    projection: Projection,
    column: str,
    bounds: Sequence[tuple[str, str]],
    where: str | None = None,
) -> list[int]:
    """Rows whose *column* (ISO text) falls in each inclusive range, in one pass; only rows where *where* is true."""
    sub = projection.subquery()
    value = sub.c[column]
    counts = [
        sa.func.coalesce(sa.func.sum(sa.case((sa.and_(value >= low, value <= high), 1), else_=0)), 0)
        for low, high in bounds
    ]
    query = sa.select(*counts)
    if where is not None:
        query = query.where(sa.cast(sub.c[where], sa.Boolean).is_(sa.true()))
    query = query.select_from(sub)
    return [int(n) for n in connection.execute(query).one()]


def content_digest(connection: Connection, projection: Projection) -> str | None:
    """The digest of the rows the projection selects (None where the dialect has no digest)."""
    return digests.compute(connection, projection.subquery(), projection.present)
