#!/usr/bin/env python3
"""Benchmark: a usage_log read in place in PostgreSQL against exporting it to CSV first.

Starts a throwaway PostgreSQL server (``tests/pg_server.py``: Debian's
binaries, a temp folder, loopback only, fsync off) and loads a table of LLM
call rows into it: ``--rows`` rows (default 100 million), one per call or
call batch, spread evenly over ``--days`` days (default 120), with columns
``call_day date, n bigint, input_tokens bigint, loaded_at timestamptz``.
The table is UNLOGGED (no write-ahead log: this is a benchmark, not a
warehouse) and filled on the server with ``INSERT ... SELECT FROM
generate_series`` in chunks, then ``VACUUM (FREEZE, ANALYZE)`` so that
neither side pays for the first scan's hint-bit writes. Rows arrive the
day after their call day; the memo's pin (``as_of`` on ``loaded_at``)
leaves out the last two days, so both sides read the same pinned rows.
Before loading, the free space of the temp folder is checked (about 60
bytes a row in PostgreSQL, 20 more for the CSV export); when it is short,
the row count is scaled down and the count used is in the output. Nothing
is kept between runs.

Two child processes, each with its own peak RSS (``ru_maxrss``):

* ``fmgate``: ``usage.evaluate(reference)`` with a reference to the table
  through an environment variable (``url_env``) and the pin. The work runs
  in the database: great-expectations' SQL datasource runs the suite, and
  the row count, date range, content digest and daily totals are aggregate
  queries (one row per day comes back). Each SQL statement is timed and its
  returned rows counted (a SQLAlchemy event on every engine,
  great-expectations' included), so stderr shows which queries dominate and
  the JSON line has ``fmgate_rows_returned`` (about one per day, whatever
  the row count: great-expectations 1.24 would fetch the whole query to
  learn its columns, which fmgate replaces with a ``WHERE false`` probe).
  Measured on 2 shared cores: 5M rows, ratio 8.1 (10.3 s against 82.9 s),
  fmgate peak RSS 335 MB; 30M rows, ratio 7.2 (68.9 s against 496 s), 523
  MB against the baseline's 6.3 GB. The content digest (MD5 of each row as
  text) is most of fmgate's time; 100M rows did not fit the run's time here.
* ``baseline``: what a team does without it: ``COPY (SELECT <the pinned
  rows>) TO STDOUT`` through psycopg2's ``copy_expert`` into a CSV file, then
  ``usage.evaluate(csv_path)`` (pandas and great-expectations' pandas
  datasource). The export is on the clock. The file (about 20 bytes a row)
  is over the 256 MB limit fmgate puts on inputs loaded whole from about 13
  million rows, so the baseline passes ``max_bytes`` a little over the
  file's size.

Importing great-expectations, fmgate and the drivers happens before either
clock starts (a fixed cost on both sides, reported on stderr). The two sides
must produce the same ``measurements``, the same daily totals and the same
row count and date range; the benchmark fails otherwise. The last line on
stdout is one JSON object::

    {"benchmark", "metric", "value", "baseline", "ratio", "target", "ok", "rows", ...}

``ratio`` is baseline seconds over fmgate seconds; ``ok`` means ratio >=
target, fmgate's peak RSS under 1 GB, valid evidence and equal
measurements. The pandas side holds every row in memory (about 220 bytes a
row at its peak); if it runs out of memory (its address space is capped at
``--baseline-memory-gb``, by default most of the memory available, so the
machine's other work is not at risk) the JSON line says so, with
``baseline`` and ``ratio`` null.

    .venv/bin/python benchmarks/usage_sql.py                  # 100M rows (or what the disk holds)
    .venv/bin/python benchmarks/usage_sql.py --rows 2000000   # a quick check
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "tests"))  # the throwaway server of the tests, not a copy of it

TARGET_RATIO = 5.0
RSS_LIMIT_MB = 1024
URL_ENV = "FMGATE_BENCH_USAGE_URL"
TABLE = "llm_calls"
FIRST_DAY = dt.date(2026, 6, 1)
MEMO_DATE = "2026-11-02"
AS_OF = "2026-11-30"
PIN_DAYS_OUT = 2  # the last days of the table arrive after the pin
CHUNK_ROWS = 5_000_000
PG_BYTES_PER_ROW = 62  # heap tuple (24 header + 28 data + alignment) and its line pointer; 60 measured
CSV_BYTES_PER_ROW = 24
BASELINE_BYTES_PER_ROW = 230  # the pandas side's peak over its imports: 265 at 2M rows, 216 at 30M


def log(message: str) -> None:
    print(f"usage_sql: {message}", file=sys.stderr, flush=True)


def peak_rss_mb() -> float:
    """Peak resident set size of this process in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pin_instant(days: int) -> str:
    """The pin: every row whose day is more than PIN_DAYS_OUT days before the table's end has arrived."""
    last_loaded = FIRST_DAY + dt.timedelta(days=max(1, days - PIN_DAYS_OUT))  # rows arrive the next day
    return f"{last_loaded.isoformat()}T12:00:00Z"


def reference(pin: str) -> dict[str, Any]:
    return {
        "input": "usage_log",
        "kind": "sql",
        "label": f"warehouse:{TABLE}",
        "source": "warehouse",
        "url_env": URL_ENV,
        "table": TABLE,
        "columns": {"date": "call_day", "calls": "n"},
        "pin": {"as_of": pin, "column": "loaded_at"},
    }


# --- the database --------------------------------------------------------------------------------


def fit_rows(rows: int, folder: Path) -> tuple[int, str]:
    """*rows*, or fewer when the temp folder cannot hold the table and the CSV export (with room to spare)."""
    free = shutil.disk_usage(folder).free
    need = rows * (PG_BYTES_PER_ROW + CSV_BYTES_PER_ROW)
    budget = int(free * 0.7) - 2 * 1024**3
    if need <= budget:
        return rows, f"{free / 1e9:.0f} GB free under {folder}, about {need / 1e9:.1f} GB needed"
    fitted = max(100_000, budget // (PG_BYTES_PER_ROW + CSV_BYTES_PER_ROW) // 1_000_000 * 1_000_000)
    return fitted, f"only {free / 1e9:.0f} GB free under {folder}: scaled down from {rows:,} rows"


def load(url: str, rows: int, days: int) -> None:
    """The call table, filled on the server in chunks; day i/rows*days, spread evenly, in arrival order."""
    import sqlalchemy as sa

    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(
            sa.text(
                f"CREATE UNLOGGED TABLE {TABLE} "
                "(call_day date NOT NULL, n bigint NOT NULL, input_tokens bigint NOT NULL, loaded_at timestamptz NOT NULL)"
            )
        )
        for start in range(0, rows, CHUNK_ROWS):
            stop = min(rows, start + CHUNK_ROWS) - 1
            # n varies by row (1..40 calls per batch), tokens per call by row too; no two days sum alike
            connection.execute(
                sa.text(
                    f"INSERT INTO {TABLE} "
                    "SELECT d, n, n * (200 + (i * 7919) % 1800), d + time '00:00' + interval '1 day 6 hours' "
                    "FROM (SELECT i, :first + (i * :days / :rows)::int AS d, 1 + (i * 2654435761) % 40 AS n "
                    "      FROM generate_series(CAST(:start AS bigint), CAST(:stop AS bigint)) AS i) AS s"
                ),
                {"first": FIRST_DAY, "days": days, "rows": rows, "start": start, "stop": stop},
            )
        connection.execute(sa.text(f"VACUUM (FREEZE, ANALYZE) {TABLE}"))
        size = connection.execute(sa.text(f"SELECT pg_total_relation_size('{TABLE}')")).scalar()
    engine.dispose()
    log(f"table {TABLE}: {rows:,} rows over {days} days, {int(size or 0) / 1e9:.2f} GB (UNLOGGED)")


# --- the two sides (each in a child process) -----------------------------------------------------


def _timed_statements() -> list[tuple[float, int, str]]:
    """Every SQL statement any engine runs in this process: wall time, rows it returns, text."""
    import sqlalchemy as sa

    found: list[tuple[float, int, str]] = []

    @sa.event.listens_for(sa.engine.Engine, "before_cursor_execute")
    def _before(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        conn.info.setdefault("fmgate_bench_t0", []).append(time.perf_counter())

    @sa.event.listens_for(sa.engine.Engine, "after_cursor_execute")
    def _after(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        started = conn.info["fmgate_bench_t0"].pop()
        # psycopg2's default cursor has every row of the result in client memory by now
        returned = cursor.rowcount if cursor.description is not None and cursor.rowcount > 0 else 0
        found.append((time.perf_counter() - started, int(returned), short_sql(statement)))

    return found


_INPUT = re.compile(
    r"\(SELECT CAST\(call_day AS VARCHAR\) AS date, .*? FROM llm_calls WHERE loaded_at <= (?:'[^']*'|%\(\w+\)s)\s*\)"
)


def short_sql(statement: str) -> str:
    """A statement with fmgate's projection of the input written <input> (it is in every one)."""
    text = " ".join(statement.split())
    if text.startswith("SELECT CAST(call_day AS VARCHAR)"):
        return "<input> (the projection itself, every pinned row)"
    return _INPUT.sub("<input>", text)


def _timed_steps(steps: dict[str, float]) -> None:
    """Time the in-database steps of reading the input (the functions fmgate calls by module attribute)."""
    from fmgate.sources import sql

    def wrap(name: str) -> None:
        inner = getattr(sql, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                steps[name] = steps.get(name, 0.0) + time.perf_counter() - t0

        setattr(sql, name, timed)

    for name in ("connect", "project", "profile", "validate", "content_digest", "counts_between"):
        wrap(name)


def _timed_pandas_steps(steps: dict[str, float]) -> None:
    """Time reading, validating and summing the file (names the usage module calls)."""
    from fmgate.evidence import usage

    def wrap(name: str) -> None:
        inner = getattr(usage, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                steps[name] = steps.get(name, 0.0) + time.perf_counter() - t0

        setattr(usage, name, timed)

    for name in ("read_table", "frame_facts", "validate_frame", "daily_calls"):
        wrap(name)


def _summary(evidence: Any) -> dict[str, Any]:
    facts = evidence.inputs[0]
    daily = evidence.data.get("daily") if evidence.data else None
    return {
        "valid": bool(evidence.valid),
        "errors": list(evidence.all_errors())[:5],
        "measurements": evidence.measurements,
        "daily": [[str(day), int(total)] for day, total in daily.items()] if daily is not None else None,
        "input_rows": facts.rows,
        "dates": list(facts.dates) if facts.dates else None,
        "failed": sorted(f"{o.rule.expectation}:{o.rule.column}" for o in evidence.outcomes if not o.success),
    }


def child(mode: str, pin: str, csv_path: str) -> dict[str, Any]:
    t0 = time.perf_counter()
    import great_expectations  # noqa: F401  (fixed import costs, off the clock on both sides)
    import psycopg2
    import sqlalchemy as sa

    from fmgate.evidence import usage

    import_s = time.perf_counter() - t0
    result: dict[str, Any] = {"import_s": import_s}
    if mode == "fmgate":
        statements = _timed_statements()
        steps: dict[str, float] = {}
        _timed_steps(steps)
        t0, cpu0 = time.perf_counter(), time.process_time()
        evidence = usage.evaluate(reference(pin), memo_date=MEMO_DATE, as_of=AS_OF)
        result["seconds"] = time.perf_counter() - t0
        result["cpu_seconds"] = time.process_time() - cpu0
        result["steps"] = steps
        result["statements"] = [[s, n, text[:400]] for s, n, text in sorted(statements, reverse=True)]
        result["reference"] = evidence.inputs[0].reference
    else:
        url = sa.engine.make_url(os.environ[URL_ENV])
        export = (
            f"COPY (SELECT call_day AS date, n AS calls, input_tokens FROM {TABLE} "
            f"WHERE loaded_at <= '{pin}') TO STDOUT WITH (FORMAT csv, HEADER)"
        )
        t0, cpu0 = time.perf_counter(), time.process_time()
        connection = psycopg2.connect(
            host=url.host, port=url.port, dbname=url.database, user=url.username, password=url.password
        )
        try:
            with connection.cursor() as cursor, open(csv_path, "w", encoding="utf-8") as handle:
                cursor.copy_expert(export, handle, size=1 << 20)
        finally:
            connection.close()
        result["export_seconds"] = time.perf_counter() - t0
        size = Path(csv_path).stat().st_size
        result["csv_bytes"] = size
        steps = {}
        _timed_pandas_steps(steps)
        t1 = time.perf_counter()
        try:
            evidence = usage.evaluate(csv_path, memo_date=MEMO_DATE, as_of=AS_OF, max_bytes=size + 1)
        except MemoryError:
            return {**result, "memory_error": True, "peak_rss_mb": peak_rss_mb()}
        result["evaluate_seconds"] = time.perf_counter() - t1
        result["steps"] = steps
        result["seconds"] = time.perf_counter() - t0
        result["cpu_seconds"] = time.process_time() - cpu0
    result.update(_summary(evidence))
    result["peak_rss_mb"] = peak_rss_mb()
    return result


def _limit_memory(limit_bytes: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))


def run_child(mode: str, url: str, pin: str, csv_path: Path, memory_limit: int | None) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--pin", pin, "--csv", str(csv_path)],
        capture_output=True,
        text=True,
        check=False,
        env=dict(os.environ, GX_ANALYTICS_ENABLED="False", **{URL_ENV: url}),
        preexec_fn=(lambda: _limit_memory(memory_limit)) if memory_limit else None,
    )
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        if mode == "baseline" and "MemoryError" in done.stderr:
            return {"memory_error": True, "peak_rss_mb": None}
        raise SystemExit(f"the {mode} side failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(lines[-1])


def available_memory() -> int:
    with open("/proc/meminfo", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    return 8 * 1024**3


# --- the run -------------------------------------------------------------------------------------


def compare(fmgate: dict[str, Any], baseline: dict[str, Any]) -> list[str]:
    """What differs between the two sides' results (nothing, when fmgate measures what pandas measures)."""
    return [
        f"{key}: fmgate {fmgate.get(key)!r} != baseline {baseline.get(key)!r}"
        for key in ("valid", "measurements", "daily", "input_rows", "dates", "failed")
        if fmgate.get(key) != baseline.get(key)
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000_000, help="call rows in the table (default 100M)")
    parser.add_argument("--days", type=int, default=120, help="days the rows are spread over (default 120)")
    parser.add_argument(
        "--baseline-memory-gb",
        type=float,
        default=None,
        help="address-space cap of the pandas side (default: 85%% of the memory available)",
    )
    parser.add_argument("--child", choices=("fmgate", "baseline"), help=argparse.SUPPRESS)
    parser.add_argument("--pin", help=argparse.SUPPRESS)
    parser.add_argument("--csv", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.pin, args.csv), default=str))
        return 0
    if args.rows < 1000 or args.days < 30:
        parser.error("--rows must be at least 1000 and --days at least 30 (the usage window is 28 days)")

    from pg_server import PostgresServer

    rows, disk = fit_rows(args.rows, Path(tempfile.gettempdir()))
    log(disk)
    memory = available_memory()
    limit = int(args.baseline_memory_gb * 1024**3) if args.baseline_memory_gb else int(memory * 0.85)
    if rows * BASELINE_BYTES_PER_ROW > limit:
        log(
            f"the pandas side needs about {rows * BASELINE_BYTES_PER_ROW / 1e9:.0f} GB for {rows:,} rows, "
            f"its cap is {limit / 1e9:.0f} GB: it will likely run out of memory"
        )
    pin = pin_instant(args.days)
    workspace = Path(tempfile.mkdtemp(prefix="fmgate-bench-usage-"))
    server = PostgresServer()
    try:
        t0 = time.perf_counter()
        server.start()
        import sqlalchemy as sa

        admin = sa.create_engine(server.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text("CREATE DATABASE warehouse"))
        admin.dispose()
        url = server.url("warehouse")
        load(url, rows, args.days)
        log(f"server started and table loaded in {time.perf_counter() - t0:.1f}s")

        csv_path = workspace / "usage.csv"
        fmgate = run_child("fmgate", url, pin, csv_path, None)
        baseline = run_child("baseline", url, pin, csv_path, limit)
    finally:
        server.stop()
        shutil.rmtree(workspace, ignore_errors=True)

    log(
        f"fmgate:   {fmgate['input_rows']:,} pinned rows in {fmgate['seconds']:.2f}s "
        f"({fmgate['cpu_seconds']:.2f}s CPU in the client; +{fmgate['import_s']:.1f}s imports), "
        f"peak RSS {fmgate['peak_rss_mb']:.0f} MB, valid={fmgate['valid']}"
    )
    steps = ", ".join(f"{name} {s:.2f}s" for name, s in sorted(fmgate["steps"].items(), key=lambda kv: -kv[1]))
    log(f"fmgate steps: {steps}")
    statements = fmgate["statements"]
    total_sql = sum(s for s, _, _ in statements)
    fetched = sum(n for _, n, _ in statements)
    log(f"fmgate SQL: {len(statements)} statements, {total_sql:.2f}s, {fetched:,} rows returned to the client")
    for seconds, returned, text in statements[:8]:
        log(f"  {seconds:7.2f}s {returned:>11,} rows  {text[:200]}")
    failed_memory = bool(baseline.get("memory_error"))
    if failed_memory:
        log(f"baseline: ran out of memory under its {limit / 1e9:.0f} GB cap reading {rows:,} rows into pandas")
        differences: list[str] = []
    else:
        log(
            f"baseline: {baseline['input_rows']:,} rows in {baseline['seconds']:.2f}s "
            f"(COPY to CSV {baseline['export_seconds']:.2f}s, {baseline['csv_bytes'] / 1e6:.0f} MB; "
            f"pandas evaluate {baseline['evaluate_seconds']:.2f}s; +{baseline['import_s']:.1f}s imports), "
            f"peak RSS {baseline['peak_rss_mb']:.0f} MB, valid={baseline['valid']}"
        )
        steps = ", ".join(f"{name} {s:.2f}s" for name, s in sorted(baseline["steps"].items(), key=lambda kv: -kv[1]))
        log(f"baseline steps: {steps}")
        differences = compare(fmgate, baseline)
        for line in differences:
            log(f"DIFFERENT {line[:500]}")
        log(f"measurements equal: {not differences} ({json.dumps(fmgate['measurements'])})")
    if fmgate["failed"]:
        log(f"failed checks (both sides): {', '.join(fmgate['failed'])}")

    rss_ok = fmgate["peak_rss_mb"] < RSS_LIMIT_MB
    if not rss_ok:
        log(
            f"fmgate's peak RSS is over {RSS_LIMIT_MB} MB: {fetched:,} rows came back to the client "
            "(see the statements above)"
        )
    ratio = None if failed_memory else baseline["seconds"] / fmgate["seconds"]
    result = {
        "benchmark": "usage_sql",
        "metric": "seconds",
        "value": round(fmgate["seconds"], 3),
        "baseline": None if failed_memory else round(baseline["seconds"], 3),
        "ratio": None if ratio is None else round(ratio, 3),
        "target": TARGET_RATIO,
        "ok": bool(ratio is not None and ratio >= TARGET_RATIO and rss_ok and not differences and fmgate["valid"]),
        "rows": rows,
        "rows_requested": args.rows,
        "pinned_rows": fmgate["input_rows"],
        "days": args.days,
        "peak_rss_mb": round(fmgate["peak_rss_mb"], 1),
        "rss_ok": rss_ok,
        "baseline_peak_rss_mb": None if failed_memory else round(baseline["peak_rss_mb"], 1),
        "baseline_export_seconds": None if failed_memory else round(baseline["export_seconds"], 3),
        "baseline_evaluate_seconds": None if failed_memory else round(baseline["evaluate_seconds"], 3),
        "baseline_out_of_memory": failed_memory,
        "measurements_equal": None if failed_memory else not differences,
        "fmgate_rows_returned": fetched,
        "fmgate_steps": {name: round(s, 3) for name, s in fmgate["steps"].items()},
        "fmgate_slowest_sql": [[round(sec, 2), n, text[:90]] for sec, n, text in statements[:5]],
    }
    print(json.dumps(result))
    if differences:
        log("the two sides measured different things")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
