"""The Spark engine gives the evidence the Arrow path gives, on real Spark in local mode.

Every comparison runs both engines on the same rows and asks for equal
measurements and equal outcomes (checks, counts, first five examples, exact
flags, wording). One Spark session serves the whole module.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from fmgate.errors import InputError
from fmgate.evidence import corpus, domain, hashing, spark_scan, streaming, validate

from .helpers import AS_OF, write_rows

DAY = dt.date.fromisoformat(AS_OF)
MASTER = "local[2]"
A, B, C = "a" * 64, "b" * 64, "c" * 64


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    """One local session for the module.

    The JVM compiles with C1 only: these jobs are tiny and short, so full JIT
    optimisation would cost more than it saves. great-expectations is
    imported before the first scan, as a notebook kernel has it by then.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JDK_JAVA_OPTIONS", "-XX:TieredStopAtLevel=1")
        session = spark_scan.session(MASTER)
    validate.context()
    yield session
    spark_scan.stop()


def clean_domain() -> pd.DataFrame:
    texts = [f"Ticket {i % 9}: refund the duplicate charge" for i in range(24)]
    return pd.DataFrame(
        {
            "id": [f"ex-{i:04d}" for i in range(24)],
            "text": [t.upper() if i % 4 == 0 else t for i, t in enumerate(texts)],
            "quality": [("high", "high", "medium", "low")[i % 4] for i in range(24)],
        }
    )


def dirty_domain() -> pd.DataFrame:
    """Missing and blank ids, texts and labels, repeated ids, and texts equal only after normalising."""
    rows = [
        ("d0", "Hello   World", "high"),
        ("d1", "hello world", "high"),
        ("d1", "HELLO\u3000WORLD", "\u00a0"),  # blank to Python's \\s, not to Java's
        (None, "hello\u0085world", "\x1c"),
        ("", "\u00a0hello\x0bworld\u202f", "high"),
        ("  ", "hello\x1cworld", "high"),  # U+001C is trimmed at the ends but never collapsed
        ("d6", "\x1chello world\x1f", "high"),
        ("d7", "", "high"),
        ("d8", "   ", "high"),
        ("d9", "\u3000\u2028", "high"),
        ("d10", None, "high"),
        ("d11", "\u0391\u03a3", "high"),  # capital sigma at the end of a word
        ("d12", "\u03b1\u03c3", "high"),
        ("d13", "\u03b1\u03c2", "high"),  # final sigma stays a different letter
        ("d14", "\u0130stanbul", "high"),  # dotted capital I
        ("d15", "istanbul", "high"),
        ("d16", "\u200bzero width", "high"),  # a zero-width space is not whitespace
        ("d17", "zero width", "excellent"),
        ("d18", "Quality label blank", ""),
        ("d19", "Quality label missing", None),
        ("d20", "Upper-case label", "HIGH"),
        ("d2", "low one", "low"),
        ("d2", "medium one", "medium"),
        ("d2", "tab\tand\r\nbreaks", "high"),
        ("d24", "Tab And Breaks", "high"),
        ("d25", "x\u2029y  \u1680z", "high"),
        ("d26", "X Y Z", "high"),
        ("d27", "\U00010d50\U00010400 new letters", "high"),  # cased letters newer than the JVM's Unicode
        ("d28", "\U00010d70\U00010428 NEW LETTERS", "high"),
    ]
    return pd.DataFrame(rows, columns=["id", "text", "quality"])


def clean_corpus() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "shard": [f"s3://corpus/shard-{i:03d}.parquet" for i in range(12)],
            "tokens": [1000 * (i + 1) for i in range(12)],
            "sha256": [f"{i:064x}" for i in range(12)],
            "source": [("crm", "tickets", "web")[i % 3] for i in range(12)],
            "proprietary": [i % 3 != 2 for i in range(12)],
            "domain_relevant": [i % 4 != 3 for i in range(12)],
            "quality": [("high", "medium", "high", "low")[i % 4] for i in range(12)],
        }
    )


def dirty_corpus() -> pd.DataFrame:
    """Repeated shards and contents (the first listing differs from the later ones), nulls, blanks,
    negative tokens, malformed digests (one only by a trailing line break) and bad labels."""
    T, F_, N = True, False, None
    rows = [
        ("s1", 100, A, "crm", T, T, "high"),
        ("s2", None, B, "web", T, F_, "high"),
        ("s1", 100, A, "crm", T, T, "high"),
        (" ", -5, "XYZ", "", N, T, "excellent"),
        (None, 7, None, None, F_, N, None),
        ("s6", 30, A.upper(), "tickets", T, T, "HIGH"),
        ("s7", 40, C, "crm", T, T, "high"),
        ("s8", 999, C, "web", F_, F_, "low"),
        ("s9", 5, B, "web", T, T, "high"),
        ("s10", 11, A + "\n", "crm", T, T, "high"),
        ("", 3, "", "  ", T, T, "  "),
        ("s12", -1, None, "tickets", T, T, "medium"),
        ("s13", 0, "d" * 64, None, T, T, "high"),
        ("s14", 8, C, "crm", T, T, "high"),
    ]
    columns = ["shard", "tokens", "sha256", "source", "proprietary", "domain_relevant", "quality"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["tokens"] = frame["tokens"].astype("Int64")
    for flag in ("proprietary", "domain_relevant"):
        frame[flag] = frame[flag].astype("boolean")
    return frame


@contextlib.contextmanager
def small_splits(spark: SparkSession) -> Iterator[None]:
    """Spark settings that read each small file in several splits and pack splits of files together."""
    spark.conf.set("spark.sql.files.maxPartitionBytes", "2000")
    spark.conf.set("spark.sql.files.openCostInBytes", "0")
    try:
        yield
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")
        spark.conf.unset("spark.sql.files.openCostInBytes")


def same_evidence(
    kind: str, spark_files: list[Path], arrow_file: Path, **options: Any
) -> tuple[list[validate.Outcome], dict[str, Any]]:
    """Run both engines; assert equal measurements and outcomes; return the Spark engine's."""
    arrow_scan = domain.scan if kind == "domain_data" else corpus.scan
    expected_outcomes, expected = arrow_scan(arrow_file, as_of=DAY, **options)
    outcomes, measured = spark_scan.scan(kind, spark_files, master=MASTER, as_of=DAY, **options)
    assert measured == expected
    assert validate.summarise(outcomes) == validate.summarise(expected_outcomes)
    assert outcomes == expected_outcomes
    return outcomes, measured


def failed(outcomes: list[validate.Outcome]) -> set[tuple[str, str | None]]:
    return {(o.rule.expectation, o.rule.column) for o in outcomes if not o.success}


# --- domain_data -------------------------------------------------------------------------------


def test_clean_domain_data(spark: SparkSession, tmp_path: Path) -> None:
    path = write_rows(tmp_path / "domain.parquet", clean_domain())
    outcomes, measured = same_evidence("domain_data", [path], path, sample_rows=5)
    assert all(o.success for o in outcomes)
    assert measured["high_quality_unique"] == 8  # the texts of rows 0, 1, 4, 5 ... (i % 4 < 2), up to case


def test_dirty_domain_data(spark: SparkSession, tmp_path: Path) -> None:
    path = write_rows(tmp_path / "domain.parquet", dirty_domain())
    outcomes, measured = same_evidence("domain_data", [path], path, sample_rows=4)
    assert ("ExpectColumnValuesToBeInSet", "quality") in failed(outcomes)
    assert ("ExpectColumnValuesToNotMatchRegex", "quality") in failed(outcomes)  # from the sample
    assert ("ExpectColumnValuesToBeUnique", "id") in failed(outcomes)
    assert measured["duplicate_ids"] == 3


def test_domain_data_split_in_files_reads_as_one_file(spark: SparkSession, tmp_path: Path) -> None:
    """Files in the given order, each read in several splits packed into partitions out of order."""
    frame = dirty_domain()
    whole = write_rows(tmp_path / "whole.parquet", frame)
    parts = []
    for number, (start, stop) in enumerate([(0, 3), (3, 17), (17, len(frame))]):
        part = tmp_path / f"part-{number}.parquet"
        pq.write_table(pa.Table.from_pandas(frame.iloc[start:stop], preserve_index=False), part, row_group_size=2)
        parts.append(part)
    with small_splits(spark):
        same_evidence("domain_data", parts, whole, sample_rows=6)


# --- corpus_manifest ---------------------------------------------------------------------------


def test_clean_corpus_manifest(spark: SparkSession, tmp_path: Path) -> None:
    path = write_rows(tmp_path / "corpus.parquet", clean_corpus())
    outcomes, measured = same_evidence("corpus_manifest", [path], path, sample_rows=5)
    assert all(o.success for o in outcomes)
    assert measured["duplicate_shards"] == 0


def test_dirty_corpus_manifest(spark: SparkSession, tmp_path: Path) -> None:
    """The one-row sample has no null token; the split test's sample has one (pandas then sees float64)."""
    path = write_rows(tmp_path / "corpus.parquet", dirty_corpus())
    outcomes, measured = same_evidence("corpus_manifest", [path], path, sample_rows=1)
    assert ("ExpectColumnValuesToMatchRegex", "sha256") in failed(outcomes)
    assert ("ExpectColumnValuesToBeInTypeList", "tokens") not in failed(outcomes)
    assert measured["duplicate_shards"] == 4  # A once, C twice, B once
    assert measured["tokens_duplicate"] == 100 + 999 + 5 + 8


def test_corpus_manifest_split_in_files_reads_as_one_file(spark: SparkSession, tmp_path: Path) -> None:
    """As above; one file also stores tokens as int32, which is read as int64 like the others."""
    frame = dirty_corpus()
    whole = write_rows(tmp_path / "whole.parquet", frame)
    parts = []
    for number, (start, stop) in enumerate([(0, 2), (2, 9), (9, len(frame))]):
        part_frame = frame.iloc[start:stop].copy()
        if number == 1:
            part_frame["tokens"] = part_frame["tokens"].astype("Int32")
        part = tmp_path / f"part-{number}.parquet"
        pq.write_table(pa.Table.from_pandas(part_frame, preserve_index=False), part, row_group_size=2)
        parts.append(part)
    with small_splits(spark):
        outcomes, _ = same_evidence("corpus_manifest", parts, whole, sample_rows=3)
    assert ("ExpectColumnValuesToBeInTypeList", "tokens") in failed(outcomes)


# --- CSV, column names, refusals ------------------------------------------------------------------


def test_csv_datasets(spark: SparkSession, tmp_path: Path) -> None:
    """CSV cells Arrow reads as null (empty, NA, null) are null, quoted line breaks are kept, and
    booleans have Arrow's spellings."""
    texts = dirty_domain()
    texts.loc[0, "text"] = "NA"
    texts.loc[1, "text"] = 'quoted "line"\nbreak'  # a value over two lines, quotes doubled
    texts.loc[1, "quality"] = "null"
    path = write_rows(tmp_path / "domain.csv", texts)
    same_evidence("domain_data", [path], path, sample_rows=4)

    shards = dirty_corpus()
    shards["sha256"] = shards["sha256"].str.strip()
    shards["proprietary"] = ["" if v is pd.NA else ("yes" if v else "N") for v in shards["proprietary"]]
    # integers as Arrow's CSV reader reads them: spaces trimmed, hex as 64-bit patterns, leading zeros
    spelled = {0: " 100", 6: "0x28", 11: "0xFFFFFFFFFFFFFFFF", 12: "000", 13: "8\t"}
    shards["tokens"] = [spelled.get(i, "" if v is pd.NA else str(v)) for i, v in enumerate(shards["tokens"])]
    whole = write_rows(tmp_path / "corpus.csv", shards)
    first = write_rows(tmp_path / "corpus-1.csv", shards.iloc[:5])
    second = write_rows(tmp_path / "corpus-2.csv", shards.iloc[5:])
    with small_splits(spark):
        same_evidence("corpus_manifest", [first, second], whole, sample_rows=4)


def test_columns_are_renamed_before_measuring(spark: SparkSession, tmp_path: Path) -> None:
    frame = dirty_domain()
    arrow_file = write_rows(tmp_path / "domain.parquet", frame)
    renamed = write_rows(tmp_path / "export.parquet", frame.rename(columns={"id": "doc_id", "text": "body"}))
    expected = domain.scan(arrow_file, as_of=DAY, sample_rows=4)
    got = spark_scan.scan(
        "domain_data", [renamed], master=MASTER, as_of=DAY, sample_rows=4, columns={"id": "doc_id", "text": "body"}
    )
    assert got == expected
    with pytest.raises(InputError, match="missing required column 'text'"):
        spark_scan.scan("domain_data", [renamed], master=MASTER, as_of=DAY, columns={"id": "doc_id"})


def test_refusals(spark: SparkSession, tmp_path: Path) -> None:
    header_only = tmp_path / "empty.csv"
    header_only.write_text("id,text,quality\n")
    with pytest.raises(InputError, match="no rows"):
        spark_scan.scan("domain_data", [header_only], master=MASTER, as_of=DAY)

    bad_tokens = tmp_path / "corpus.csv"
    clean_corpus().assign(tokens=["12", "+12"] + ["1"] * 10).to_csv(bad_tokens, index=False)  # Arrow refuses a plus
    with pytest.raises(InputError, match="'\\+12' cannot be read as int") as caught:
        spark_scan.scan("corpus_manifest", [bad_tokens], master=MASTER, as_of=DAY)
    assert caught.value.field == "tokens"

    parquet = write_rows(tmp_path / "domain.parquet", clean_domain())
    with pytest.raises(InputError, match="mix formats"):
        spark_scan.scan("domain_data", [parquet, header_only], master=MASTER, as_of=DAY)
    with pytest.raises(ValueError, match="eval_set"):
        spark_scan.scan("eval_set", [parquet], master=MASTER, as_of=DAY)


# --- text normalisation ---------------------------------------------------------------------------


def all_code_points(limit: int = 0x20000) -> pa.Array:
    """Planes 0 and 1: every whitespace character and every cased letter Unicode has lives there."""
    return pa.array([chr(c) for c in range(limit) if not 0xD800 <= c <= 0xDFFF])


def ranges_to_set(ranges: tuple[tuple[int, int], ...]) -> set[str]:
    return {chr(c) for a, b in ranges for c in range(a, b + 1)}


def test_whitespace_classes_are_arrows_and_re2s() -> None:
    """The lists hold exactly what Arrow trims (and calls blank) and what normalize_text collapses."""
    points = all_code_points()
    space = pc.utf8_is_space(points).to_numpy(zero_copy_only=False)
    assert {p for p, s in zip(points.to_pylist(), space) if s} == ranges_to_set(spark_scan.ARROW_SPACE)
    between = hashing.normalize_text(pa.array([f"a{p}b" for p in points.to_pylist()])).to_pylist()
    collapsed = {p for p, n in zip(points.to_pylist(), between) if n == "a b"}
    assert collapsed == ranges_to_set(spark_scan.COLLAPSED_SPACE)


def tricky_texts() -> list[str]:
    spaces = sorted(ranges_to_set(spark_scan.ARROW_SPACE) | {"\u200b", "\ufeff", "\u180e", "\u00ad", "\u2060"})
    texts = []
    for s in spaces:
        texts += [s, s * 2, f"a{s}b", f"{s}A{s}", f"a{s}{s} B", f"A {s}b", f"x{s}\x1cy"]
    letters = spark_scan._arrow_lower_changes()
    ordered = sorted(letters)
    texts += ordered
    texts += ["".join(ordered[i : i + 7]) + " \u03a3x \u03a3" for i in range(0, len(ordered), 7)]
    texts += [
        "\u0391\u03a3",
        "\u03a3\u0391",
        "\u0391\u03a3 \u0392\u03a3.",
        "I\u0130i\u0131",
        "\u1e9e\u00df",
        "\u01c5\u01c4",
    ]
    return texts + ["", "  ", "plain text", "Plain  Text"]


PATTERNS = (validate.BLANK_PATTERN, validate.SHA256_PATTERN, validate.DATE_PATTERN)


def test_text_rules_match_arrow_and_python(spark: SparkSession, tmp_path: Path) -> None:
    """normalize and blank give Arrow's answers; the suites' regexes, rewritten for Java, Python's."""
    texts = tricky_texts() + [A, A + "\n", A + "\u2028", A + "\r", "2026-11-24", "2026-11-24\n", "2026-11-24\x85"]
    texts += ["\uff12\uff10\uff12\uff16-11-24", "\u0662\u0660\u0662\u0666-11-24"]  # digits Python's \\d knows
    path = tmp_path / "texts.parquet"
    pq.write_table(pa.table({"n": list(range(len(texts))), "t": texts}), path)
    text = F.col("t")
    rules = [text.rlike(spark_scan.java_regex(p)).alias(f"p{i}") for i, p in enumerate(PATTERNS)]
    rows = (
        spark.read.parquet(str(path))
        .select("n", spark_scan.normalize(text, spark).alias("norm"), spark_scan.blank(text).alias("blank"), *rules)
        .orderBy("n")
        .collect()
    )
    expected_norm = hashing.normalize_text(pa.array(texts)).to_pylist()
    expected_blank = streaming.blank(pa.array(texts)).to_pylist()
    mismatches = [
        (texts[r["n"]], r["norm"], expected_norm[r["n"]])
        for r in rows
        if (r["norm"], r["blank"]) != (expected_norm[r["n"]], expected_blank[r["n"]])
    ]
    assert mismatches == []
    for i, pattern in enumerate(PATTERNS):
        assert [r[f"p{i}"] for r in rows] == [re.search(pattern, t) is not None for t in texts], pattern


def test_session_is_reused_per_master(spark: SparkSession) -> None:
    assert spark_scan.session(MASTER) is spark
    assert spark.conf.get("spark.sql.session.timeZone") == "UTC"
    assert spark.sparkContext.getConf().get("spark.ui.enabled") == "false"
    assert spark.sparkContext.getConf().get("spark.driver.host") == "127.0.0.1"
