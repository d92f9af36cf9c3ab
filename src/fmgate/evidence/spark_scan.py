"""A Spark engine for the streamed kinds: domain_data and corpus_manifest measured where the data lives.

The Arrow path (:func:`fmgate.evidence.domain.scan`, :func:`fmgate.evidence.corpus.scan`)
streams one file through one process. A dataset kept as many Parquet or CSV
files next to a Spark cluster is measured here instead, with every row-level
step (counts, exact checks, distinct texts, duplicate ids and shards, content
deduplication, token sums) running in Spark; only aggregates and a handful of
example values come back to the driver.

The contract is that both engines give the *same* evidence for the same rows
in the same order: the same measurements and the same validation outcomes
(checks, counts, examples, exact flags and wording). Several details exist
only to keep that promise:

* Row order. ``files`` are one dataset, in the order given. Every row gets a
  sort key (file number, start of the file split it was read from, and
  ``monotonically_increasing_id``, which grows in reading order inside a
  split), so "the first rows", "the first five failing values" and "the
  first listing of a content digest" mean what they mean in the Arrow path.
* Reading. Columns are converted as the Arrow readers convert them: CSV
  cells Arrow reads as null (``""``, ``NA``, ``null`` ...) are null here too,
  booleans have the same spellings, integers the same grammar (Spark's cast
  would accept ``+12`` and refuse ``0x1F``), and a value Arrow refuses
  refuses the dataset.
* Text. Arrow's whitespace (trimming, blank values) and RE2's (collapsing
  runs) are listed code point by code point, because Spark's ``trim`` and
  Java's ``\\s`` mean other sets; lower-casing goes through a small
  per-session table for the letters where Spark's case mapping differs from
  Arrow's (``İ``, the final sigma, letters newer than the JVM's Unicode).
* great-expectations. The kind's suite runs on the first ``sample_rows``
  rows through great-expectations' Spark datasource, and the rules that
  also have an exact result get it instead, as in the Arrow path (they are
  not run on the sample at all: that result would be discarded). The sample is given the column types pandas gives it there (an
  integer column with a null becomes float64), and pandas type names in
  rules are translated to Spark's, so type rules decide the same way.

Deduplication counts exact distinct values where the Arrow path compares
64-bit hashes; the two agree except on a hash collision, which only the
Arrow path can have.
"""

from __future__ import annotations

import atexit
import dataclasses
import datetime as dt
import functools
import os
import shutil
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
from py4j.protocol import Py4JJavaError  # type: ignore[import-untyped]
from pyspark import StorageLevel
from pyspark.errors import PySparkException
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from ..errors import InputError
from . import validate
from .dates import resolve_as_of
from .io import check_columns, check_file, file_format, no_rows_error
from .specs import CORPUS_MANIFEST, DOMAIN_DATA, QUALITY_LEVELS, InputSpec
from .validate import SHA256_PATTERN, Outcome, Rule, exact_outcome, find_rule, merge, suite

DEFAULT_SAMPLE_ROWS = 10_000
KINDS: dict[str, InputSpec] = {"domain_data": DOMAIN_DATA, "corpus_manifest": CORPUS_MANIFEST}

#: The row order: file number, start of the split within the file, position within the split.
#: (Spark packs one file's splits into partitions in file order today, so the start of the split
#: only matters if it ever stops doing so; it costs one long per row.)
ORDER = ("_file", "_block", "_pos")

# --- session ---------------------------------------------------------------------------------

_SESSION_LOCK = threading.RLock()
_SESSION: SparkSession | None = None
_SESSION_MASTER: str | None = None
_LOCAL_DIR: str | None = None


def _shuffle_partitions(master: str) -> int | None:
    """Shuffle partitions for a local master, two per thread: Spark's 200 only add overhead on one machine."""
    if master == "local":
        return 2
    if not (master.startswith("local[") and master.endswith("]")):
        return None
    threads = master[len("local[") : -1].split(",")[0]  # local[N] or local[N,retries]
    if threads == "*":
        return 2 * (os.cpu_count() or 1)
    return 2 * int(threads) if threads.isdigit() and int(threads) > 0 else None


def session(master: str = "local[*]") -> SparkSession:
    """The process's Spark session for *master*, created once and reused.

    Local sessions stay on the loopback interface with the web UI off, so
    nothing listens on or reaches the network; scratch files go to a private
    temporary folder removed when the session stops. Asking for another
    master stops the current session first (a process holds one SparkContext).
    """
    global _SESSION, _SESSION_MASTER, _LOCAL_DIR
    with _SESSION_LOCK:
        if _SESSION is not None and _SESSION_MASTER == master and _alive(_SESSION):
            return _SESSION
        stop()
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        local_dir = tempfile.mkdtemp(prefix="fmgate-spark-")
        builder = (
            SparkSession.builder.master(master)
            .appName("fmgate")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.local.dir", local_dir)
            .config("spark.sql.warehouse.dir", str(Path(local_dir) / "warehouse"))
            .config("spark.sql.catalogImplementation", "in-memory")
            .config("spark.sql.session.timeZone", "UTC")
        )
        partitions = _shuffle_partitions(master)
        if partitions is not None:
            builder = builder.config("spark.sql.shuffle.partitions", str(partitions))
        spark = builder.getOrCreate()
        spark.sparkContext.setLogLevel("ERROR")
        _SESSION, _SESSION_MASTER, _LOCAL_DIR = spark, master, local_dir
        return spark


def _alive(spark: SparkSession) -> bool:
    """False once the session's SparkContext has been stopped (by us or anyone else)."""
    context = spark.sparkContext
    return getattr(context, "_jsc", None) is not None


def stop() -> None:
    """Stop the cached session (if any) and remove its scratch folder."""
    global _SESSION, _SESSION_MASTER, _LOCAL_DIR
    with _SESSION_LOCK:
        if _SESSION is not None:
            _SESSION.stop()
        if _LOCAL_DIR is not None:
            shutil.rmtree(_LOCAL_DIR, ignore_errors=True)
        _SESSION, _SESSION_MASTER, _LOCAL_DIR = None, None, None
        _lower_table.cache_clear()


atexit.register(stop)

# --- text ------------------------------------------------------------------------------------


def _char_class(ranges: Sequence[tuple[int, int]]) -> str:
    """A Java regex character class from inclusive code point ranges, written as escapes."""
    parts = [f"\\x{{{a:X}}}" if a == b else f"\\x{{{a:X}}}-\\x{{{b:X}}}" for a, b in ranges]
    return "[" + "".join(parts) + "]"


#: What Arrow's utf8_trim_whitespace and utf8_is_space treat as whitespace (utf8proc: Zs, and the
#: bidi classes WS, B and S), which also makes a value blank.
ARROW_SPACE = (
    (0x09, 0x0D),
    (0x1C, 0x20),
    (0x85, 0x85),
    (0xA0, 0xA0),
    (0x1680, 0x1680),
    (0x2000, 0x200A),
    (0x2028, 0x2029),
    (0x202F, 0x202F),
    (0x205F, 0x205F),
    (0x3000, 0x3000),
)
#: What hashing.normalize_text collapses: RE2's ``[\s\p{Z}\x{85}\x{0b}]`` (RE2's \s is ASCII only).
COLLAPSED_SPACE = (
    (0x09, 0x0D),
    (0x20, 0x20),
    (0x85, 0x85),
    (0xA0, 0xA0),
    (0x1680, 0x1680),
    (0x2000, 0x200A),
    (0x2028, 0x2029),
    (0x202F, 0x202F),
    (0x205F, 0x205F),
    (0x3000, 0x3000),
)
#: The same characters for ``btrim``, which strips any of them from both ends without a regex.
_TRIM_CHARS = "".join(chr(c) for a, b in ARROW_SPACE for c in range(a, b + 1))
_COLLAPSE = f"{_char_class(COLLAPSED_SPACE)}+"
# Java's $ also matches before a final line break; RE2's (and the Arrow path's) does not.
_SHA256 = SHA256_PATTERN[:-1] + "\\z" if SHA256_PATTERN.endswith("$") else SHA256_PATTERN


def blank(column: Column) -> Column:
    """True where a value is present and empty or only whitespace, as :func:`streaming.blank` says."""
    return F.coalesce(F.length(trim(column)) == 0, F.lit(False))


def trim(column: Column) -> Column:
    """Arrow's utf8_trim_whitespace: strip Arrow's whitespace from both ends."""
    return F.btrim(column, F.lit(_TRIM_CHARS))


#: Code points below this can have a case; planes 2 to 16 (CJK, tags, private use) hold no cased letters.
_CASED_LIMIT = 0x20000


@functools.cache
def _arrow_lower_changes() -> dict[str, str]:
    """Every code point Arrow's utf8_lower changes, and what to: the letters whose case the JVM may map otherwise."""
    points = [chr(c) for c in range(_CASED_LIMIT) if not 0xD800 <= c <= 0xDFFF]
    lowered = pc.utf8_lower(pa.array(points)).to_pylist()
    return {p: low for p, low in zip(points, lowered) if low != p}


@functools.lru_cache(maxsize=1)
def _lower_table(spark: SparkSession) -> tuple[str, str]:
    """(from, to) for ``translate`` before Spark's ``lower``, so that the result is Arrow's utf8_lower.

    Arrow maps each code point alone (utf8proc's simple lower case). Spark's
    ``lower`` (the JVM's or ICU's full mapping) differs for ``İ`` (two code
    points), for a capital sigma at the end of a word (``ς``) and for letters
    its Unicode version does not know. Each such letter is replaced by
    Arrow's lower case before ``lower`` runs, which then leaves it alone.
    Found by asking this session's Spark once: the letters are lowered as one
    space-separated literal (a space ends a word, so no letter has context),
    which the optimiser folds without running a job.
    """
    changes = _arrow_lower_changes()
    letters = sorted(changes)
    targets = [changes[c] for c in letters]
    row = spark.range(1).select(F.lower(F.lit(" ".join(letters))), F.lower(F.lit(" ".join(targets)))).first()
    assert row is not None
    spark_lower, again = str(row[0]).split(" "), str(row[1]).split(" ")
    table = {c: low for c, low, theirs in zip(letters, targets, spark_lower) if theirs != low}
    unstable = [c for c, low, twice in zip(letters, targets, again) if twice != low]
    if unstable:  # pragma: no cover - a lower-case letter Spark lower-cases again would defeat the table
        raise RuntimeError(f"Spark lower-cases Arrow's lower case of {unstable[:5]!r} again")
    table["\u03a3"] = "\u03c3"  # final sigma: Spark writes ς at the end of a word, Arrow always σ
    keys = sorted(table)
    return "".join(keys), "".join(table[k] for k in keys)


def normalize(column: Column, spark: SparkSession) -> Column:
    """:func:`fmgate.evidence.hashing.normalize_text` in Spark: trim, lower-case, collapse whitespace runs."""
    source, target = _lower_table(spark)
    trimmed = trim(column)
    lowered = F.lower(F.translate(trimmed, source, target) if source else trimmed)
    return F.regexp_replace(lowered, _COLLAPSE, " ")


# --- reading ---------------------------------------------------------------------------------

_TRUE = ("true", "t", "yes", "y", "1")
_FALSE = ("false", "f", "no", "n", "0")


def _spellings(words: Sequence[str]) -> list[str]:
    """The spellings the Arrow CSV reader accepts for a boolean (lower, upper and title case)."""
    return sorted({w for word in words for w in (word, word.upper(), word.title())})


#: CSV cells the Arrow reader reads as null in every column (text included).
_CSV_NULLS = list(pcsv.ConvertOptions().null_values)
_SPARK_TYPES: dict[str, T.DataType] = {
    "string": T.StringType(),
    "text": T.StringType(),
    "date": T.StringType(),
    "datetime": T.StringType(),
    "int": T.LongType(),
    "number": T.DoubleType(),
    "bool": T.BooleanType(),
}


def _is_remote(location: str) -> bool:
    """True for a URI Spark reads itself (s3://, gs://, hdfs:// ...), which the local file checks cannot see."""
    return "://" in location and not location.startswith("file://")


def _format(paths: Sequence[str]) -> str:
    """The one format of all *paths*: Parquet or CSV."""
    formats = {file_format(p) for p in paths}
    if len(formats) > 1:
        raise InputError(
            f"the files mix formats ({', '.join(sorted(formats))})",
            path=str(paths[0]),
            fix="give one dataset in one format: all Parquet or all CSV",
        )
    fmt = formats.pop()
    if fmt not in ("parquet", "csv"):
        raise InputError(
            f"the Spark engine reads Parquet and CSV, not {fmt}",
            path=str(paths[0]),
            fix="write the dataset as Parquet (or CSV), or measure it with the Arrow engine",
        )
    return fmt


def _read_file(spark: SparkSession, path: str, fmt: str) -> DataFrame:
    """One file as Spark reads it: Parquet with its own schema, CSV as text with RFC 4180 quoting."""
    if fmt == "parquet":
        return spark.read.parquet(path)
    frame = (
        spark.read.option("header", True)
        .option("inferSchema", False)
        .option("quote", '"')
        .option("escape", '"')
        .option("mode", "FAILFAST")
        .option("multiLine", True)  # quoted line breaks are part of a value, as Arrow reads them
        .option("encoding", "UTF-8")
        .csv(path)
    )
    first = frame.columns[0] if frame.columns else ""
    if first.startswith("\ufeff"):
        frame = frame.withColumnRenamed(first, first.lstrip("\ufeff"))
    return frame


def _sources(found: Sequence[str], spec: InputSpec, columns: Mapping[str, str], path: str) -> dict[str, str]:
    """fmgate column -> column in the file, for the spec's columns the file has; refuses missing ones."""
    unknown = sorted(set(columns) - set(spec.names))
    if unknown:
        raise InputError(
            f"the column mapping names {', '.join(repr(u) for u in unknown)}, which {spec.name} does not have",
            path=str(path),
            field=unknown[0],
            fix=f"map only {', '.join(spec.names)} to the dataset's columns",
        )
    renamed = {columns.get(name, name): name for name in spec.names}
    check_columns([renamed.get(name, name) for name in found], spec, path)
    present = set(found)
    return {name: columns.get(name, name) for name in spec.names if columns.get(name, name) in present}


def _not_readable(path: str, name: str, kind: str, found: T.DataType) -> InputError:
    return InputError(
        f"column holds {found.simpleString()} values that cannot be read as {kind}",
        path=str(path),
        field=name,
        fix=f"write '{name}' as {kind} values",
    )


def _integer_from_text(cell: Column, *, csv: bool) -> Column:
    """Text as int64 the way Arrow parses it: decimal digits with an optional minus, or ``0x`` and
    up to 16 hex digits (the bits of an unsigned 64-bit number); the CSV reader also trims spaces and tabs.

    Spark's own cast differs (it accepts ``+12`` and refuses hex), so the grammar is spelled out.
    """
    text = F.regexp_replace(cell, "^[ \\t]+|[ \\t]+\\z", "") if csv else cell
    unsigned = F.conv(F.substring(text, 3, 16), 16, 10).cast(T.DecimalType(20, 0))
    wrapped = F.when(unsigned >= F.lit(Decimal(2**63)), unsigned - F.lit(Decimal(2**64)))
    signed = F.coalesce(wrapped, unsigned).cast(T.LongType())
    return F.when(text.rlike("^-?[0-9]+\\z"), text.try_cast(T.LongType())).when(
        text.rlike("^0[xX][0-9a-fA-F]{1,16}\\z"), signed
    )


def _from_text(cell: Column, target: T.DataType, *, csv: bool) -> Column:
    """Text as *target*, the way Arrow converts it: the CSV reader with its spellings of true and false,
    a Parquet text column by Arrow's cast (true, false, 1, 0 in any case)."""
    if isinstance(target, T.BooleanType):
        if csv:
            return F.when(cell.isin(_spellings(_TRUE)), F.lit(True)).when(cell.isin(_spellings(_FALSE)), F.lit(False))
        lowered = F.lower(cell)
        return F.when(lowered.isin("true", "1"), F.lit(True)).when(lowered.isin("false", "0"), F.lit(False))
    if isinstance(target, T.LongType):
        return _integer_from_text(cell, csv=csv)
    return cell.try_cast(target)


def _convert(cell: Column, found: T.DataType, kind: str, name: str, path: str, *, csv: bool) -> Column:
    """*cell* (of Spark type *found*) as the spec type *kind*, as the Arrow reader casts it; null where that fails.

    Types Arrow cannot cast at all are refused here, before anything runs.
    """
    target = _SPARK_TYPES[kind]
    if isinstance(found, T.NullType) or found == target or isinstance(target, T.StringType):
        return cell.cast(target)
    if isinstance(found, T.StringType):
        return _from_text(cell, target, csv=csv)
    integral = isinstance(found, T.IntegralType)
    if isinstance(target, T.LongType) and (integral or isinstance(found, T.BooleanType)):
        return cell.cast(target)
    if isinstance(target, T.LongType) and isinstance(found, T.FractionalType):
        return F.when(cell == F.floor(cell), cell.cast(target))  # Arrow refuses to truncate
    if isinstance(target, T.DoubleType) and (integral or isinstance(found, T.FractionalType)):
        return cell.cast(target)
    if isinstance(target, T.BooleanType) and integral:
        return cell != 0
    raise _not_readable(path, name, kind, found)


def _conform(raw: DataFrame, spec: InputSpec, sources: Mapping[str, str], fmt: str, index: int, path: str) -> DataFrame:
    """The spec's columns under fmgate's names and types, and the row order key.

    A column whose conversion can fail gets a ``_bad_<name>`` companion: the
    original value, as text, where it could not be converted (else null).
    """
    fields = {f.name: f.dataType for f in raw.schema.fields}
    out: list[Column] = []
    for col in spec.columns:
        if col.name not in sources:
            continue
        source = sources[col.name]
        cell = F.col(f"`{source.replace('`', '``')}`")
        found = fields[source]
        if fmt == "csv":  # every cell is text; the ones Arrow reads as null are null in every column
            cell = F.when(~cell.isin(_CSV_NULLS), cell)
        converted = _convert(cell, found, col.type, col.name, path, csv=fmt == "csv")
        out.append(converted.alias(col.name))
        target = _SPARK_TYPES[col.type]
        if not (isinstance(found, T.NullType) or found == target or isinstance(target, T.StringType)):
            out.append(
                F.when(cell.isNotNull() & converted.isNull(), cell.cast(T.StringType())).alias(f"_bad_{col.name}")
            )
    out += [
        F.lit(index).alias("_file"),
        F.col("_metadata.file_block_start").alias("_block"),
        F.monotonically_increasing_id().alias("_pos"),
    ]
    return raw.select(*out)


def _dataset(
    spark: SparkSession, paths: Sequence[str], spec: InputSpec, columns: Mapping[str, str]
) -> tuple[DataFrame, list[str]]:
    """All files as one DataFrame in the given order, conformed; and the converted columns' flag names.

    Each file is read on its own (its schema may differ: int32 in one file,
    int64 in the next) and tagged with its position in *paths*.
    """
    fmt = _format(paths)
    parts: list[DataFrame] = []
    for index, path in enumerate(paths):
        if not _is_remote(path):
            check_file(path, what=spec.name, spec=spec)
        try:
            raw = _read_file(spark, path, fmt)
        except (PySparkException, Py4JJavaError) as exc:
            raise _spark_error(exc, path, spec) from None
        parts.append(_conform(raw, spec, _sources(raw.columns, spec, columns, path), fmt, index, path))
    flags = sorted({c for part in parts for c in part.columns if c.startswith("_bad_")})
    frame = (
        functools.reduce(lambda a, b: a.unionByName(b, allowMissingColumns=True), parts[1:], parts[0])
        if len(parts) > 1
        else parts[0]
    )
    return frame, flags


def _spark_error(exc: Exception, path: str, spec: InputSpec) -> InputError:
    """A Spark failure to read the data, in words a proposer can act on: the deepest cause's message."""
    message = ""
    if isinstance(exc, Py4JJavaError):
        cause = exc.java_exception
        while cause.getCause() is not None:
            cause = cause.getCause()
        message = str(cause.getMessage() or cause.toString())
    message = (message or str(exc)).strip()
    first = message.splitlines()[0] if message else type(exc).__name__
    return InputError(
        f"file cannot be read: {first}",
        path=path,
        fix=f"a {spec.name} file has one row per {spec.row} with columns {', '.join(spec.required)}",
    )


# --- exact checks ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One exact check: the rule it replaces, and the rows that fail it."""

    key: str
    expectation: str
    column: str
    fails: Column
    nulls_only: bool = False  # every failing value is null, so no query is needed for examples


def _count(condition: Column) -> Column:
    return F.sum(F.when(condition, 1).otherwise(0))


def first_failures(frame: DataFrame, checks: Sequence[Check], limit: int = 5) -> dict[str, list[Any]]:
    """The first *limit* failing values of each check, in row order, fetched in one job.

    Each check is its own top-k (a limit over a sort, which Spark runs as a
    per-partition top-k rather than a full sort); the union of them is one
    job, and at most ``limit`` rows per check reach the driver.
    """
    found: dict[str, list[Any]] = {c.key: [] for c in checks}
    if not checks:
        return found
    parts = [
        frame.where(check.fails)
        .orderBy(*ORDER)
        .limit(limit)
        .select(F.lit(check.key).alias("_check"), *ORDER, F.col(check.column).alias(f"_value{i}"))
        for i, check in enumerate(checks)
    ]
    union = functools.reduce(lambda a, b: a.unionByName(b, allowMissingColumns=True), parts)
    index = {check.key: f"_value{i}" for i, check in enumerate(checks)}
    for row in sorted(union.collect(), key=lambda r: tuple(r[k] for k in ORDER)):
        found[row["_check"]].append(row[index[row["_check"]]])
    return found


def _exacts(
    frame: DataFrame, rules: Sequence[Rule], checks: Sequence[Check], counts: Mapping[str, Any]
) -> list[Outcome]:
    """Exact outcomes of *checks*, with the first five failing values of each (in row order)."""
    rows = int(counts["rows"])
    failing = [c for c in checks if counts[c.key] and not c.nulls_only]
    examples = first_failures(frame, failing)
    outcomes = []
    for check in checks:
        unexpected = int(counts[check.key] or 0)
        shown = [None] * min(5, unexpected) if check.nulls_only else examples.get(check.key, [])
        outcomes.append(exact_outcome(find_rule(rules, check.expectation, check.column), unexpected, rows, shown))
    return outcomes


def _refuse_unreadable(
    frame: DataFrame, flags: Sequence[str], counts: Mapping[str, Any], paths: Sequence[str], spec: InputSpec
) -> None:
    """Refuse the dataset at the first value (in row order) that cannot be read as its column's type.

    The Arrow reader stops at such a value; here every row has been read by
    then, so the message also says how many there are.
    """
    for flag in flags:
        if counts[flag]:
            name = flag.removeprefix("_bad_")
            row = frame.where(F.col(flag).isNotNull()).orderBy(*ORDER).select("_file", flag).first()
            assert row is not None
            kind = spec.column(name).type
            raise InputError(
                f"file cannot be read: {row[flag]!r} cannot be read as {kind} ({counts[flag]:,} such value(s) in "
                f"the dataset); '{name}' must hold {kind} values",
                path=str(paths[int(row["_file"])]),
                field=name,
                fix=f"correct the value; a {spec.name} file has one row per {spec.row} with columns "
                f"{', '.join(spec.required)}",
            )


# --- great-expectations on Spark -------------------------------------------------------------

#: pandas dtype names (as the suites write them) -> the Spark type that holds such values.
PANDAS_TO_SPARK = {
    "int": "LongType",
    "int8": "ByteType",
    "int16": "ShortType",
    "int32": "IntegerType",
    "int64": "LongType",
    "Int8": "ByteType",
    "Int16": "ShortType",
    "Int32": "IntegerType",
    "Int64": "LongType",
    "float": "DoubleType",
    "float16": "FloatType",
    "float32": "FloatType",
    "float64": "DoubleType",
    "Float32": "FloatType",
    "Float64": "DoubleType",
    "bool": "BooleanType",
    "boolean": "BooleanType",
    "str": "StringType",
    "string": "StringType",
    "object": "StringType",
}
#: Spark type -> the dtype pandas gives that column in the Arrow path's sample (no nulls; see _pandas_like).
SPARK_TO_PANDAS = {
    "ByteType": "int8",
    "ShortType": "int16",
    "IntegerType": "int32",
    "LongType": "int64",
    "FloatType": "float32",
    "DoubleType": "float64",
    "BooleanType": "bool",
    "StringType": "str",
}

_GX_LOCK = threading.Lock()
_BATCH_DEFINITION: Any = None


def _batch_definition() -> Any:
    """A Spark dataframe asset in the same ephemeral context as the pandas one (see validate)."""
    global _BATCH_DEFINITION
    with _GX_LOCK:
        if _BATCH_DEFINITION is None:
            context = validate.context()
            # persist=False: great-expectations would cache every batch and never release it; the
            # sample it gets is already cached (see sample_outcomes).
            source = context.data_sources.add_spark("fmgate-spark", persist=False)
            asset = source.add_dataframe_asset("evidence")
            _BATCH_DEFINITION = asset.add_batch_definition_whole_dataframe("whole")
        return _BATCH_DEFINITION


def _class_body(ranges: Sequence[tuple[int, int]]) -> str:
    return _char_class(ranges)[1:-1]


def java_regex(pattern: str) -> str:
    """A Python regular expression rewritten so that Java's engine (Spark's ``rlike``) matches the same strings.

    Python's ``\\s`` is Unicode whitespace (the set Arrow uses, see
    :data:`ARROW_SPACE`) and ``\\d`` any decimal digit, where Java's are
    ASCII; Python's ``$`` matches at the end or before a final ``\\n``, Java's
    before any final line terminator. Enough for the suites' patterns
    (character classes, escapes, anchors), not for every Python construct.
    """
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            escaped = pattern[i + 1]
            if escaped == "s":
                out.append(_class_body(ARROW_SPACE) if in_class else _char_class(ARROW_SPACE))
            elif escaped == "d":
                out.append("\\p{Nd}")
            else:
                out.append(pattern[i : i + 2])
            i += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        elif char == "$" and not in_class:
            char = "(?=\\n?\\z)"
        out.append(char)
        i += 1
    return "".join(out)


def spark_kwargs(rule: Rule) -> dict[str, Any]:
    """The rule's arguments for great-expectations on Spark: pandas type names become Spark's, and
    Python regular expressions their Java equivalents."""
    kwargs = dict(rule.kwargs)
    if isinstance(kwargs.get("regex"), str):
        kwargs["regex"] = java_regex(kwargs["regex"])
    if rule.expectation == "ExpectColumnValuesToBeInTypeList" and kwargs.get("type_list") is not None:
        names = [PANDAS_TO_SPARK[t] for t in kwargs["type_list"] if t in PANDAS_TO_SPARK]
        kwargs["type_list"] = list(dict.fromkeys(names))
    return kwargs


def _pandas_like(sample: DataFrame) -> DataFrame:
    """The sample with the types pandas gives it in the Arrow path: integers with a null become float64.

    ``pyarrow.Table.to_pandas`` turns an integer column holding a null into
    float64, and the Arrow path's type rule then reports float64; the same
    cast here makes great-expectations on Spark see (and report) the same.
    """
    integral = [f.name for f in sample.schema.fields if isinstance(f.dataType, T.IntegralType)]
    if not integral:
        return sample
    nulls = sample.agg(*[_count(F.col(c).isNull()).alias(c) for c in integral]).first()
    cast = {c for c in integral if nulls is not None and nulls[c]}
    if not cast:
        return sample
    return sample.select(*[F.col(c).cast(T.DoubleType()).alias(c) if c in cast else F.col(c) for c in sample.columns])


def run_rules(frame: DataFrame, rules: Sequence[Rule], *, skip: Sequence[Rule] = ()) -> list[Outcome | None]:
    """Run *rules* on a Spark DataFrame as one great-expectations suite; one outcome per rule.

    The suite runs through :func:`fmgate.evidence.validate.run_rules_on`, as
    the pandas and SQL datasources' suites do, with Spark's type names in
    type rules; outcomes name the original rules and report types by their
    pandas names. Rules in *skip* are not run (their outcome is None): the
    caller has an exact result that replaces the sample's anyway.
    """
    chosen = [(index, rule) for index, rule in enumerate(rules) if not any(rule is s for s in skip)]
    translated = [dataclasses.replace(rule, kwargs=spark_kwargs(rule)) for _, rule in chosen]
    outcomes: list[Outcome | None] = [None] * len(rules)
    if not translated:
        return outcomes
    definition = _batch_definition()
    ran = validate.run_rules_on(
        lambda: definition.get_batch(batch_parameters={"dataframe": frame}), frame.columns, translated
    )
    for (index, rule), outcome in zip(chosen, ran):
        observed = outcome.observed
        if rule.expectation == "ExpectColumnValuesToBeInTypeList" and isinstance(observed, str):
            observed = SPARK_TO_PANDAS.get(observed, observed)
        outcomes[index] = dataclasses.replace(outcome, rule=rule, observed=observed)
    return outcomes


def sample_outcomes(
    frame: DataFrame, rules: Sequence[Rule], names: Sequence[str], sample_rows: int, exact: Sequence[Outcome]
) -> list[Outcome]:
    """The suite's outcomes on the first *sample_rows* rows, merged with the *exact* ones as the Arrow path merges them.

    A rule with an exact outcome is not run on the sample: its sample result
    would be replaced by the exact one, so the merged outcomes are the same.
    """
    replaced = {(o.rule.expectation, o.rule.column, o.rule.input) for o in exact}
    skip = [r for r in rules if (r.expectation, r.column, r.input) in replaced]
    sample = frame.orderBy(*ORDER).limit(max(0, sample_rows)).select(*names).persist()
    try:
        typed = any(
            r.expectation == "ExpectColumnValuesToBeInTypeList" and not any(r is s for s in skip) for r in rules
        )
        sampled = run_rules(_pandas_like(sample) if typed else sample, rules, skip=skip)
    finally:
        sample.unpersist()
    placeholders = [o if o is not None else Outcome(r, True) for r, o in zip(rules, sampled)]
    return merge(placeholders, exact)


# --- the two kinds ---------------------------------------------------------------------------


def _domain_checks() -> list[Check]:
    ids, text, quality = F.col("id"), F.col("text"), F.col("quality")
    return [
        Check("id_null", "ExpectColumnValuesToNotBeNull", "id", ids.isNull(), nulls_only=True),
        Check("id_blank", "ExpectColumnValuesToNotMatchRegex", "id", blank(ids)),
        Check("text_null", "ExpectColumnValuesToNotBeNull", "text", text.isNull(), nulls_only=True),
        Check("text_blank", "ExpectColumnValuesToNotMatchRegex", "text", blank(text)),
        Check("quality_null", "ExpectColumnValuesToNotBeNull", "quality", quality.isNull(), nulls_only=True),
        Check(
            "quality_set",
            "ExpectColumnValuesToBeInSet",
            "quality",
            quality.isNotNull() & ~quality.isin(*QUALITY_LEVELS),
        ),
    ]


def _domain_counts(
    spark: SparkSession, frame: DataFrame, checks: Sequence[Check], flags: Sequence[str]
) -> tuple[dict[str, int], dict[str, int]]:
    """Every additive count, and the rows per quality label, from one aggregation grouped by label."""
    text, quality = F.col("text"), F.col("quality")
    nonempty = text.isNotNull() & ~blank(text)
    high = nonempty & F.coalesce(quality == "high", F.lit(False))
    sums = [
        F.count(F.lit(1)).alias("rows"),
        _count(nonempty).alias("nonempty"),
        _count(high).alias("high"),
        *[_count(c.fails).alias(c.key) for c in checks],
        *[_count(F.col(f).isNotNull()).alias(f) for f in flags],
    ]
    totals: Counter[str] = Counter()
    by_quality: dict[str, int] = {}
    for group in frame.groupBy("quality").agg(*sums).collect():
        values = group.asDict()
        label = values.pop("quality")
        if label is not None:
            by_quality[str(label)] = int(values["rows"])
        totals.update({k: int(v or 0) for k, v in values.items()})
    for key in ("rows", "nonempty", "high", *[c.key for c in checks], *flags):
        totals.setdefault(key, 0)
    return dict(totals), dict(sorted(by_quality.items()))


def _domain_distinct(spark: SparkSession, frame: DataFrame) -> tuple[int, int]:
    """(duplicate ids, distinct normalised high-quality texts): exact distinct counts, in one job."""
    text, quality = F.col("text"), F.col("quality")
    high = text.isNotNull() & ~blank(text) & F.coalesce(quality == "high", F.lit(False))
    row = frame.agg(
        F.count("id").alias("ids"),
        F.count_distinct("id").alias("distinct_ids"),
        F.count_distinct(F.when(high, normalize(text, spark))).alias("unique"),
    ).first()
    assert row is not None
    return int(row["ids"]) - int(row["distinct_ids"]), int(row["unique"])


def _measure_domain(
    spark: SparkSession, frame: DataFrame, flags: Sequence[str], paths: Sequence[str], sample_rows: int, as_of: dt.date
) -> tuple[list[Outcome], dict[str, Any]]:
    checks = _domain_checks()
    counts, by_quality = _domain_counts(spark, frame, checks, flags)
    if not counts["rows"]:
        raise no_rows_error(_label(paths), DOMAIN_DATA, "has no rows")
    _refuse_unreadable(frame, flags, counts, paths, DOMAIN_DATA)
    rules = suite("domain_data", list(DOMAIN_DATA.names), as_of=as_of)
    duplicate_ids, unique = _domain_distinct(spark, frame)
    exact = _exacts(frame, rules, checks, counts)
    exact.append(exact_outcome(find_rule(rules, "ExpectColumnValuesToBeUnique", "id"), duplicate_ids, counts["rows"]))
    outcomes = sample_outcomes(frame, rules, DOMAIN_DATA.names, sample_rows, exact)
    measurements = {
        "rows_total": counts["rows"],
        "rows_nonempty": counts["nonempty"],
        "rows_high_quality": counts["high"],
        "high_quality_unique": unique,
        "duplicate_ids": duplicate_ids,
        "rows_by_quality": by_quality,
    }
    return outcomes, measurements


_CORPUS_COLUMNS = ("shard", "tokens", "sha256", "source", "proprietary", "domain_relevant", "quality")
_FLAGS = ("proprietary", "domain_relevant", "high", "qualifying")


def _corpus_checks() -> list[Check]:
    checks = [
        Check(f"{c}_null", "ExpectColumnValuesToNotBeNull", c, F.col(c).isNull(), nulls_only=True)
        for c in _CORPUS_COLUMNS
    ]
    checks += [
        Check(f"{c}_blank", "ExpectColumnValuesToNotMatchRegex", c, blank(F.col(c)))
        for c in ("shard", "source", "sha256", "quality")
    ]
    sha, quality = F.col("sha256"), F.col("quality")
    checks += [
        Check(
            "tokens_negative", "ExpectColumnValuesToBeBetween", "tokens", F.coalesce(F.col("tokens") < 0, F.lit(False))
        ),
        Check("sha256_format", "ExpectColumnValuesToMatchRegex", "sha256", sha.isNotNull() & ~sha.rlike(_SHA256)),
        # As in the Arrow path, a missing label is not an allowed one here.
        Check(
            "quality_set",
            "ExpectColumnValuesToBeInSet",
            "quality",
            ~F.coalesce(quality.isin(*QUALITY_LEVELS), F.lit(False)),
        ),
    ]
    return checks


def _kept(frame: DataFrame) -> DataFrame:
    """The rows that count for tokens: each sha256's first listing in row order, and every row without one."""
    values = [
        F.coalesce(F.col("source"), F.lit("")).alias("source"),
        F.coalesce(F.col("tokens"), F.lit(0).cast(T.LongType())).alias("tokens"),
        F.coalesce(F.col("proprietary"), F.lit(False)).alias("proprietary"),
        F.coalesce(F.col("domain_relevant"), F.lit(False)).alias("domain_relevant"),
        F.coalesce(F.col("quality") == "high", F.lit(False)).alias("high"),
    ]
    names = ["source", "tokens", "proprietary", "domain_relevant", "high"]
    listed = frame.where(F.col("sha256").isNotNull())
    first = listed.groupBy("sha256").agg(F.min_by(F.struct(*values), F.struct(*ORDER)).alias("kept")).select("kept.*")
    unlisted = frame.where(F.col("sha256").isNull()).select(*values)
    return first.select(*names).unionByName(unlisted.select(*names))


def _corpus_counts(frame: DataFrame, checks: Sequence[Check], flags: Sequence[str]) -> dict[str, int]:
    """Rows, tokens over every row, each check's failures and the shards listed more than once: one job."""
    row = frame.agg(
        F.count(F.lit(1)).alias("rows"),
        F.sum(F.coalesce(F.col("tokens"), F.lit(0))).alias("tokens_all"),
        F.count("shard").alias("shards_listed"),
        F.count_distinct("shard").alias("shards_distinct"),
        *[_count(c.fails).alias(c.key) for c in checks],
        *[_count(F.col(f).isNotNull()).alias(f) for f in flags],
    ).first()
    assert row is not None
    return {k: int(v or 0) for k, v in row.asDict().items()}


def _corpus_tokens(frame: DataFrame) -> dict[str, Any]:
    """Token sums over the rows that count (see :func:`_kept`), by source and by flag, from one grouped job."""
    kept = _kept(frame).withColumn("qualifying", F.col("proprietary") & F.col("domain_relevant") & F.col("high"))
    groups = kept.groupBy("source", *_FLAGS).agg(F.sum("tokens").alias("tokens"), F.count(F.lit(1)).alias("rows"))
    by_source: Counter[str] = Counter()
    by_source_qualifying: Counter[str] = Counter()
    by_flag: Counter[str] = Counter()
    kept_rows = 0
    for group in groups.collect():
        tokens = int(group["tokens"] or 0)
        kept_rows += int(group["rows"])
        by_source[group["source"]] += tokens
        if group["qualifying"]:
            by_source_qualifying[group["source"]] += tokens
        for flag in _FLAGS:
            if group[flag]:
                by_flag[flag] += tokens
    return {
        "kept_rows": kept_rows,
        "tokens_total": sum(by_source.values()),
        "tokens_qualifying": by_flag["qualifying"],
        "tokens_by_source": dict(sorted(by_source.items())),
        "tokens_qualifying_by_source": dict(sorted(by_source_qualifying.items())),
        "tokens_by_flag": {flag: by_flag[flag] for flag in _FLAGS},
    }


def _measure_corpus(
    spark: SparkSession, frame: DataFrame, flags: Sequence[str], paths: Sequence[str], sample_rows: int, as_of: dt.date
) -> tuple[list[Outcome], dict[str, Any]]:
    checks = _corpus_checks()
    counts = _corpus_counts(frame, checks, flags)
    if not counts["rows"]:
        raise no_rows_error(_label(paths), CORPUS_MANIFEST, "has no rows")
    _refuse_unreadable(frame, flags, counts, paths, CORPUS_MANIFEST)
    rules = suite("corpus_manifest", list(CORPUS_MANIFEST.names), as_of=as_of)
    exact = _exacts(frame, rules, checks, counts)
    shard_repeats = counts["shards_listed"] - counts["shards_distinct"]
    exact.append(
        exact_outcome(find_rule(rules, "ExpectColumnValuesToBeUnique", "shard"), shard_repeats, counts["rows"])
    )
    outcomes = sample_outcomes(frame, rules, CORPUS_MANIFEST.names, sample_rows, exact)
    tokens = _corpus_tokens(frame)
    measurements = {
        "shards": counts["rows"],
        "tokens_total": tokens["tokens_total"],
        "tokens_qualifying": tokens["tokens_qualifying"],
        "tokens_by_source": tokens["tokens_by_source"],
        "tokens_qualifying_by_source": tokens["tokens_qualifying_by_source"],
        "tokens_by_flag": tokens["tokens_by_flag"],
        "duplicate_shards": counts["rows"] - tokens["kept_rows"],
        "tokens_duplicate": counts["tokens_all"] - tokens["tokens_total"],
    }
    return outcomes, measurements


def _label(paths: Sequence[str]) -> str:
    """How a dataset of one or more files is named in messages."""
    return str(paths[0]) if len(paths) == 1 else f"{paths[0]} (and {len(paths) - 1} more files)"


def scan(
    kind: str,
    files: Sequence[str | Path],
    *,
    master: str = "local[*]",
    sample_rows: int = DEFAULT_SAMPLE_ROWS,
    as_of: dt.date | None = None,
    columns: Mapping[str, str] | None = None,
) -> tuple[list[Outcome], dict[str, Any]]:
    """Validate and measure *files* (Parquet or CSV, read in the given order as one dataset) in Spark.

    *kind* is ``domain_data`` or ``corpus_manifest``; *columns* maps fmgate's
    column names to the dataset's where they differ. Returns the outcomes and
    measurements the Arrow path's ``scan`` returns for the same rows.
    """
    if kind not in KINDS:
        raise ValueError(f"the Spark engine measures {', '.join(KINDS)}, not {kind!r}")
    if isinstance(files, (str, Path)):
        files = [files]
    paths = [os.fspath(f) for f in files]
    if not paths:
        raise ValueError("no files to scan")
    spec = KINDS[kind]
    spark = session(master)
    day = as_of or resolve_as_of(None)
    frame, flags = _dataset(spark, paths, spec, columns or {})
    frame = frame.persist(StorageLevel.MEMORY_AND_DISK)
    measure = _measure_domain if kind == "domain_data" else _measure_corpus
    try:
        return measure(spark, frame, flags, paths, sample_rows, day)
    except (PySparkException, Py4JJavaError) as exc:
        raise _spark_error(exc, _label(paths), spec) from None
    finally:
        frame.unpersist()
