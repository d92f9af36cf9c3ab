"""Inputs read in a database, on PostgreSQL and on SQLite through the same code path.

Each case loads the same rows into a real PostgreSQL server and into an
embedded SQLite file, and checks that fmgate validates and measures them
in the database with the result a CSV file of those rows gets.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from fmgate.evidence import usage
from fmgate.evidence.inplace import open_sql
from fmgate.evidence.specs import USAGE_LOG
from fmgate.sources import SourceUnreachable
from fmgate.sources.sql import connect
from pg_server import PostgresServer

AS_OF = dt.date(2026, 11, 30)
ENV = "FMGATE_TEST_SQL_URL"

USAGE_ROWS = [(dt.date(2026, 9, 1) + dt.timedelta(days=i), 1_000 + 7 * i, 50 * i) for i in range(50)]
CHANGES = [("2026-01-10", "added a label", True), ("2026-07-01", "typo in a label", False)]


def write_csv(folder: Path, rows: list[tuple[Any, ...]] = USAGE_ROWS) -> Path:
    path = folder / "usage.csv"
    lines = ["date,calls,input_tokens"] + [f"{d},{c},{t}" for d, c, t in rows]
    path.write_text("\n".join(lines) + "\n")
    changes = folder / "task_changes.csv"
    changes.write_text("date,description,meaningful\n" + "".join(f"{d},{t},{str(m).lower()}\n" for d, t, m in CHANGES))
    return path


def load(engine: sa.Engine, rows: list[tuple[Any, ...]] = USAGE_ROWS) -> None:
    calls = sa.table("llm_calls", sa.column("call_day"), sa.column("n"), sa.column("input_tokens"))
    changes = sa.table("task_changes", sa.column("date"), sa.column("description"), sa.column("meaningful"))
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE llm_calls (call_day DATE, n BIGINT, input_tokens BIGINT)"))
        connection.execute(sa.text("CREATE TABLE task_changes (date DATE, description TEXT, meaningful BOOLEAN)"))
        connection.execute(calls.insert(), [{"call_day": d, "n": c, "input_tokens": t} for d, c, t in rows])
        connection.execute(
            changes.insert(),
            [{"date": dt.date.fromisoformat(d), "description": t, "meaningful": m} for d, t, m in CHANGES],
        )


@contextmanager
def pg_database(server: PostgresServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[sa.Engine]:
    """A new database on the session's server; its URL is in the environment variable ENV."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f"CREATE DATABASE {name}"))
    engine = sa.create_engine(server.url(name))
    monkeypatch.setenv(ENV, server.url(name))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP DATABASE {name} WITH (FORCE)"))
        admin.dispose()


@pytest.fixture(params=["postgresql", "sqlite"])
def database(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[sa.Engine]:
    """An empty database of each dialect; its URL is in the environment variable ENV."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
        engine = sa.create_engine(url)
        monkeypatch.setenv(ENV, url)
        yield engine
        engine.dispose()
        return
    with pg_database(request.getfixturevalue("postgres"), monkeypatch) as engine:
        yield engine


def reference(table: str = "llm_calls", **more: Any) -> dict[str, Any]:
    columns = {"date": "call_day", "calls": "n"} if table != "task_changes" else {}
    base = {
        "input": "usage_log" if table != "task_changes" else "task_changes",
        "kind": "sql",
        "label": f"warehouse:{table}",
        "source": "warehouse",
        "url_env": ENV,
        "table": table,
        "columns": columns,
        "pin": {"as_of": "2026-11-01T00:00:00Z", "column": "call_day" if table != "task_changes" else "date"},
    }
    base.update(more)
    return base


def test_measured_in_the_database_as_a_file_is_measured(database: sa.Engine, tmp_path: Path) -> None:
    load(database)
    csv = write_csv(tmp_path)
    from_file = usage.evaluate(csv, tmp_path / "task_changes.csv", memo_date="2026-11-02", as_of=AS_OF)
    in_place = usage.evaluate(reference(), reference("task_changes"), memo_date="2026-11-02", as_of=AS_OF)
    assert from_file.valid and in_place.valid, in_place.all_errors()
    assert in_place.measurements == from_file.measurements
    assert in_place.measurements["unstable_quarters"] == 1
    assert list(in_place.data["daily"].items()) == list(from_file.data["daily"].items())
    facts = in_place.inputs[0]
    assert (facts.rows, facts.dates) == (50, ("2026-09-01", "2026-10-20"))
    assert facts.reference is not None and facts.reference["engine"] == database.dialect.name


def test_bad_rows_fail_the_same_expectations_in_the_database(database: sa.Engine, tmp_path: Path) -> None:
    rows = list(USAGE_ROWS)
    rows[3] = (rows[3][0], -5, 0)  # a negative count
    rows[4] = (dt.date(2027, 1, 1), 10, 0)  # a day in the future
    rows[5] = (rows[6][0], 10, 0)  # a repeated day: a warning, the calls are added up
    load(database, rows)
    later = {"as_of": "2030-01-01T00:00:00Z", "column": "call_day"}  # the future row is not pinned away
    evidence = usage.evaluate(reference(pin=later), memo_date="2026-11-02", as_of=AS_OF)
    assert not evidence.valid
    failed = {(o.rule.expectation, o.rule.column, o.unexpected) for o in evidence.outcomes if not o.success}
    assert ("ExpectColumnValuesToBeBetween", "calls", 1) in failed
    assert ("ExpectColumnValuesToBeBetween", "date", 1) in failed
    assert ("ExpectColumnValuesToBeUnique", "date", 2) in failed
    text = " ".join(evidence.all_errors())
    assert "usage_log column 'calls': values are below 0: 1 of 50 rows (e.g. -5)" in text
    assert "dates are in the future" in text


def test_a_text_column_where_numbers_belong_fails_its_type_check(database: sa.Engine) -> None:
    with database.begin() as connection:
        connection.execute(sa.text("CREATE TABLE llm_calls (call_day DATE, n TEXT)"))
        connection.execute(sa.text("INSERT INTO llm_calls VALUES ('2026-10-01', '12 thousand')"))
    evidence = usage.evaluate(reference(), as_of=AS_OF)
    assert not evidence.valid
    assert any("values are not whole numbers" in e for e in evidence.all_errors())


def test_the_digest_follows_the_content_not_the_row_order(database: sa.Engine) -> None:
    load(database)

    def digest() -> str:
        with ExitStack() as stack:
            read = open_sql(stack, reference(), USAGE_LOG, as_of=AS_OF)
        assert read.facts.reference is not None
        return str(read.facts.reference["digest"])

    first = digest()
    assert first.startswith("sha256:") and len(first) == 71
    with database.begin() as connection:  # the same rows, stored in another order
        connection.execute(sa.text("CREATE TABLE shuffled AS SELECT * FROM llm_calls ORDER BY n DESC"))
        connection.execute(sa.text("DROP TABLE llm_calls"))
        connection.execute(sa.text("ALTER TABLE shuffled RENAME TO llm_calls"))
    assert digest() == first
    with database.begin() as connection:
        connection.execute(sa.text("UPDATE llm_calls SET n = n + 1 WHERE call_day = '2026-09-10'"))
    changed = digest()
    assert changed != first
    with database.begin() as connection:
        connection.execute(sa.text("UPDATE llm_calls SET n = n - 1 WHERE call_day = '2026-09-10'"))
        connection.execute(sa.text("INSERT INTO llm_calls VALUES ('2026-10-20', 5, 5)"))
    assert digest() not in (first, changed)


def test_a_pinned_digest_the_content_no_longer_matches_makes_the_evidence_invalid(database: sa.Engine) -> None:
    load(database)
    pinned = reference(pin={"digest": "sha256:" + "0" * 64})
    evidence = usage.evaluate(pinned, as_of=AS_OF)
    assert not evidence.valid
    assert "no longer matches its pin" in evidence.all_errors()[0]
    unpinned = usage.evaluate(reference(pin={}), as_of=AS_OF)
    assert not unpinned.valid and "is not pinned" in unpinned.all_errors()[0]
    assert "add pin: {digest: sha256:" in unpinned.all_errors()[0]


def test_an_as_of_pin_reads_the_table_as_it_was(database: sa.Engine) -> None:
    load(database)
    before = usage.evaluate(reference(), as_of=AS_OF)
    with database.begin() as connection:
        connection.execute(sa.text("INSERT INTO llm_calls VALUES ('2026-11-05', 99999999, 0)"))
    after = usage.evaluate(reference(), as_of=AS_OF)
    assert after.measurements == before.measurements
    assert after.inputs[0].reference == before.inputs[0].reference


def test_an_as_of_pin_compares_instants_however_the_table_spells_them(database: sa.Engine) -> None:
    """Arrival times written as ISO text with 'T', 'Z' or an offset: the pin compares them as instants.

    PostgreSQL parses them into its timestamp type; SQLite keeps the text as it is.
    """
    loads = [  # (day, calls, loaded at): the pin is 2026-11-02 06:00 UTC
        ("2026-10-31", 100, "2026-11-01T02:15:00Z"),
        ("2026-11-01", 200, "2026-11-02T02:15:00Z"),  # the pin's own day, hours before it
        ("2026-11-01", 7, "2026-11-02T08:00:00+02:00"),  # 06:00 UTC: at the pin, so read
        ("2026-11-02", 400, "2026-11-02T06:00:01Z"),  # a second after it
        ("2026-11-03", 800, "2026-11-04T02:15:00Z"),
    ]
    stamp = "TIMESTAMPTZ" if database.dialect.name == "postgresql" else "TEXT"
    with database.begin() as connection:
        connection.execute(sa.text(f"CREATE TABLE llm_calls (call_day DATE, n BIGINT, loaded_at {stamp})"))
        connection.execute(
            sa.text("INSERT INTO llm_calls VALUES (:day, :n, :loaded)"),
            [{"day": d, "n": n, "loaded": t} for d, n, t in loads],
        )
    pin = {"as_of": "2026-11-02T06:00:00Z", "column": "loaded_at"}
    evidence = usage.evaluate(reference(pin=pin), as_of=AS_OF)
    assert evidence.valid, evidence.all_errors()
    assert (evidence.inputs[0].rows, evidence.inputs[0].dates) == (3, ("2026-10-31", "2026-11-01"))
    assert list(evidence.data["daily"].items()) == [(dt.date(2026, 10, 31), 100), (dt.date(2026, 11, 1), 207)]


def test_a_postgresql_connection_is_read_only(postgres: PostgresServer, monkeypatch: pytest.MonkeyPatch) -> None:
    from fmgate.sources.reference import Reference

    with pg_database(postgres, monkeypatch) as engine:
        load(engine)
        with connect(Reference.from_json(reference())) as connection:
            with pytest.raises(sa.exc.DBAPIError, match="read-only"):
                connection.execute(sa.text("DELETE FROM llm_calls"))


def test_an_embedded_sqlite_source_opens_read_only(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.sqlite"
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE t (x INTEGER)")
    from fmgate.sources.reference import Reference

    ref = Reference.from_json(reference(url_env=None, url=f"sqlite:///{path}"))
    with connect(ref) as connection, pytest.raises(sa.exc.DBAPIError, match="readonly"):
        connection.execute(sa.text("INSERT INTO t VALUES (1)"))
    missing = Reference.from_json(reference(url_env=None, url=f"sqlite:///{tmp_path / 'absent.sqlite'}"))
    with pytest.raises(SourceUnreachable), connect(missing):
        pass
    assert not (tmp_path / "absent.sqlite").exists()  # never created by reading


def test_a_source_that_cannot_be_reached(postgres: PostgresServer, monkeypatch: pytest.MonkeyPatch) -> None:
    from fmgate.sources.reference import Reference

    monkeypatch.delenv(ENV, raising=False)
    with pytest.raises(SourceUnreachable, match=f"{ENV}, which is not set"), connect(Reference.from_json(reference())):
        pass
    monkeypatch.setenv(ENV, postgres.url(password="wrong"))
    with pytest.raises(SourceUnreachable) as raised, connect(Reference.from_json(reference())):
        pass
    assert "wrong" not in str(raised.value) and "***" in str(raised.value)
    monkeypatch.setenv(ENV, "postgresql+psycopg2://fmgate:x@127.0.0.1:1/none")
    with pytest.raises(SourceUnreachable, match="cannot be reached"), connect(Reference.from_json(reference())):
        pass


def test_a_query_source_with_a_snapshot_bound_as_a_parameter(database: sa.Engine) -> None:
    load(database)
    with database.begin() as connection:
        connection.execute(sa.text("CREATE TABLE snapshots (snap TEXT, call_day DATE, n BIGINT)"))
        connection.execute(
            sa.text("INSERT INTO snapshots SELECT 's1', call_day, n FROM llm_calls"),
        )
        connection.execute(sa.text("INSERT INTO snapshots SELECT 's2', call_day, n * 2 FROM llm_calls"))
    query = "SELECT call_day, n FROM snapshots WHERE snap = :snapshot"

    def at(snapshot: str) -> dict[str, Any]:
        return reference(table=None, query=query, label="warehouse:query", pin={"snapshot": snapshot})

    first, second = (usage.evaluate(at(s), as_of=AS_OF) for s in ("s1", "s2"))
    assert first.valid and second.valid, first.all_errors()
    assert second.measurements["median_daily_calls"] == 2 * first.measurements["median_daily_calls"]
