"""Reading inputs: every bad file becomes an InputError naming the file, the column and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from fmgate.errors import EXIT_BAD_INPUT, InputError
from fmgate.evidence import io
from fmgate.evidence.specs import CORPUS_MANIFEST, DOMAIN_DATA, EVAL_SET, TASK_CHANGES, USAGE_LOG

from .helpers import write_rows


def raises_input(call, *fragments: str) -> InputError:
    with pytest.raises(InputError) as info:
        call()
    text = str(info.value)
    for fragment in fragments:
        assert fragment in text, f"{fragment!r} not in {text!r}"
    assert info.value.fix, "every input error says how to fix it"
    assert info.value.exit_code == EXIT_BAD_INPUT
    return info.value


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_reads_each_format_with_ids_kept_as_text(tmp_path: Path, suffix: str) -> None:
    path = write_rows(
        tmp_path / f"eval{suffix}",
        [{"id": "007", "input": "a", "expected": "b"}, {"id": "8", "input": "c", "expected": "d"}],
    )
    frame = io.read_table(path, EVAL_SET)
    assert frame["id"].tolist() == ["007", "8"]


def test_numeric_ids_in_json_lines_become_text(tmp_path: Path) -> None:
    path = tmp_path / "eval.jsonl"
    path.write_text('{"id": 1, "input": "a", "expected": "b"}\n\n{"id": 2, "input": "c", "expected": "d"}\n')
    assert io.read_table(path, EVAL_SET)["id"].tolist() == ["1", "2"]


def test_missing_file(tmp_path: Path) -> None:
    error = raises_input(lambda: io.read_table(tmp_path / "nope.csv", USAGE_LOG), "nope.csv", "not found")
    assert "evidence section" in error.fix


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "usage.csv"
    path.write_bytes(b"")
    raises_input(lambda: io.read_table(path, USAGE_LOG), "usage.csv", "empty")


def test_header_without_rows(tmp_path: Path) -> None:
    path = tmp_path / "usage.csv"
    path.write_text("date,calls\n")
    raises_input(lambda: io.read_table(path, USAGE_LOG), "usage.csv", "no rows")


def test_blank_json_lines_file(tmp_path: Path) -> None:
    path = tmp_path / "usage.jsonl"
    path.write_text("\n\n")
    raises_input(lambda: io.read_table(path, USAGE_LOG), "usage.jsonl", "no records")


def test_wrong_columns_names_the_missing_one_and_the_fix(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "usage.csv", [{"day": "2026-01-01", "Calls": 3}])
    error = raises_input(
        lambda: io.read_table(path, USAGE_LOG),
        "usage.csv",
        "field 'date'",
        "'date'",
        "'calls'",
        "'Calls' should be 'calls'",
    )
    assert error.field == "date"
    assert "date, calls" in error.fix


def test_non_utf8_names_line(tmp_path: Path) -> None:
    path = tmp_path / "tc.csv"
    path.write_bytes(b"date,description,meaningful\n2026-01-01,caf\xe9 menu,true\n")
    error = raises_input(lambda: io.read_table(path, TASK_CHANGES), "tc.csv", "not UTF-8", "line 2")
    assert "UTF-8" in error.fix


def test_oversized_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "usage.csv", [{"date": "2026-01-01", "calls": 1}] * 50)
    raises_input(lambda: io.read_table(path, USAGE_LOG, max_bytes=100), "usage.csv", "over the", "limit")


def test_unsupported_extension(tmp_path: Path) -> None:
    path = tmp_path / "usage.xlsx"
    path.write_text("x")
    raises_input(lambda: io.read_table(path, USAGE_LOG), "usage.xlsx", "unsupported file type")


def test_broken_json_line_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "eval.jsonl"
    path.write_text('{"id": "a", "input": "x", "expected": "y"}\n{"id": "b", "input": \n')
    error = raises_input(lambda: io.read_table(path, EVAL_SET), "eval.jsonl:2", "not valid JSON")
    assert error.line == 2


def test_ragged_csv(tmp_path: Path) -> None:
    path = tmp_path / "usage.csv"
    path.write_text("date,calls\n2026-01-01,5,9,9\n")
    raises_input(lambda: io.read_table(path, USAGE_LOG), "usage.csv", "cannot be parsed")


def test_true_false_spellings_become_booleans(tmp_path: Path) -> None:
    path = tmp_path / "tc.csv"
    path.write_text("date,description,meaningful\n2026-01-01,a,yes\n2026-01-02,b,FALSE\n2026-01-03,c,1\n")
    assert io.read_table(path, TASK_CHANGES)["meaningful"].tolist() == [True, False, True]


def test_unknown_boolean_words_are_left_for_validation(tmp_path: Path) -> None:
    path = tmp_path / "tc.csv"
    path.write_text("date,description,meaningful\n2026-01-01,a,maybe\n")
    assert io.read_table(path, TASK_CHANGES)["meaningful"].tolist() == ["maybe"]


def test_yaml_input_rules(tmp_path: Path) -> None:
    raises_input(lambda: io.read_yaml(tmp_path / "cost.yaml", what="cost_model"), "cost.yaml", "not found")
    bad = tmp_path / "cost.yaml"
    bad.write_text("buy: [unclosed\n")
    raises_input(lambda: io.read_yaml(bad, what="cost_model"), "cost.yaml", "YAML cannot be read")
    wrong = tmp_path / "cost.json"
    wrong.write_text("{}")
    raises_input(lambda: io.read_yaml(wrong, what="cost_model"), "cost.json", "unsupported file type")


# --- streaming -----------------------------------------------------------------------------------


DOMAIN_ROWS = [{"id": f"d{i}", "text": f"text {i}", "quality": "high", "extra": i} for i in range(10)]


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_streams_in_batches_of_the_requested_size(tmp_path: Path, suffix: str) -> None:
    path = write_rows(tmp_path / f"domain{suffix}", DOMAIN_ROWS)
    batches = list(io.iter_batches(path, DOMAIN_DATA, batch_size=3))
    assert [b.num_rows for b in batches] == [3, 3, 3, 1]
    assert batches[0].schema.names == ["id", "text", "quality"]  # extra columns are not carried
    assert sum((b.column("id").to_pylist() for b in batches), []) == [f"d{i}" for i in range(10)]


def test_stream_without_prefetch_gives_the_same_batches(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "domain.csv", DOMAIN_ROWS)
    threaded = [b.to_pylist() for b in io.iter_batches(path, DOMAIN_DATA, batch_size=4)]
    plain = [b.to_pylist() for b in io.iter_batches(path, DOMAIN_DATA, batch_size=4, prefetch=False)]
    assert threaded == plain


def test_stream_checks_columns_before_the_first_batch(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "domain.parquet", [{"id": "a", "body": "x", "quality": "high"}])
    raises_input(lambda: io.iter_batches(path, DOMAIN_DATA), "domain.parquet", "'text'")


def test_stream_missing_and_empty_file(tmp_path: Path) -> None:
    raises_input(lambda: io.iter_batches(tmp_path / "d.csv", DOMAIN_DATA), "d.csv", "not found")
    empty = tmp_path / "e.csv"
    empty.write_bytes(b"")
    raises_input(lambda: io.iter_batches(empty, DOMAIN_DATA), "e.csv", "empty")


def test_stream_non_utf8(tmp_path: Path) -> None:
    path = tmp_path / "domain.csv"
    path.write_bytes(b"id,text,quality\nd1,ok,high\nd2,caf\xe9,high\n")
    raises_input(lambda: list(io.iter_batches(path, DOMAIN_DATA, batch_size=1)), "domain.csv", "not UTF-8")


def test_stream_value_of_the_wrong_type_names_the_column(tmp_path: Path) -> None:
    path = tmp_path / "corpus.csv"
    path.write_text(
        f"shard,tokens,sha256,source,proprietary,domain_relevant,quality\ns1,many,{'a' * 64},crm,true,true,high\n"
    )
    error = raises_input(lambda: list(io.iter_batches(path, CORPUS_MANIFEST)), "corpus.csv", "tokens")
    assert error.field == "tokens"


def test_stream_casts_parquet_types(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "corpus.parquet"
    pq.write_table(
        pa.table(
            {
                "shard": ["s"],
                "tokens": pa.array([5], pa.int32()),
                "sha256": ["a" * 64],
                "source": ["crm"],
                "proprietary": [True],
                "domain_relevant": [True],
                "quality": pa.array(["high"], pa.large_string()),
            }
        ),
        path,
    )
    batch = next(io.iter_batches(path, CORPUS_MANIFEST))
    assert batch.schema.field("tokens").type == pa.int64()
    assert batch.schema.field("quality").type == pa.string()


def test_sha256_file(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_bytes(b"abc")
    assert io.sha256_file(path) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_stream_non_utf8_far_from_the_header_is_named_by_arrow(tmp_path: Path) -> None:
    path = tmp_path / "domain.csv"
    good = "".join(f"d{i},text number {i},high\n" for i in range(20_000))  # past the header's text buffer
    path.write_bytes(b"id,text,quality\n" + good.encode() + b"dx,caf\xe9,high\n")
    error = raises_input(lambda: list(io.iter_batches(path, DOMAIN_DATA, batch_size=1000)), "domain.csv", "not UTF-8")
    assert "UTF-8" in error.fix


def test_json_lines_whose_first_record_is_not_an_object_never_reach_arrow(tmp_path: Path) -> None:
    """pyarrow's streaming reader crashes the process on a first record of `null`: refused before it."""
    from fmgate.evidence.io import iter_batches
    from fmgate.evidence.specs import DOMAIN_DATA

    for first in ("null", "[1, 2]", "7"):
        path = tmp_path / "domain.jsonl"
        path.write_text(f"\n{first}\n" + '{"id": "a", "text": "t", "quality": "high"}\n')
        with pytest.raises(InputError) as info:
            list(iter_batches(path, DOMAIN_DATA))
        assert info.value.line == 2 and "not a JSON object" in str(info.value)


def test_a_json_line_that_is_not_an_object_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "eval.jsonl"
    path.write_text('{"id": "a", "input": "q", "expected": "x"}\n[1, 2]\n')
    error = raises_input(lambda: io.read_table(path, EVAL_SET), "eval.jsonl:2", "holds a JSON list, not an object")
    assert error.line == 2 and "one JSON object per line" in error.fix


def test_a_parquet_file_that_cannot_be_read(tmp_path: Path) -> None:
    path = tmp_path / "usage.parquet"
    path.write_bytes(b"PAR1 not really parquet PAR1")
    error = raises_input(lambda: io.read_table(path, USAGE_LOG), "usage.parquet", "Parquet file cannot be read")
    assert "Parquet writer" in error.fix


def test_json_lines_keep_the_column_order_of_first_appearance(tmp_path: Path) -> None:
    path = tmp_path / "eval.jsonl"
    path.write_text(
        '{"expected": "x", "id": "a", "input": "q"}\n{"id": "b", "input": "r", "expected": "y", "category": "c"}\n'
    )
    assert list(io.read_table(path, EVAL_SET).columns) == ["expected", "id", "input", "category"]
