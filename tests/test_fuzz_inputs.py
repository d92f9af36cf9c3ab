"""Property-based fuzzing of the evidence input readers: CSV, JSON Lines and YAML cost models.

For any file: the reader returns data with the spec's required columns and at
least one row, or raises an InputError (exit 2) naming the file, with a fix
(and the column when a column is at fault); never another exception; and it
writes nothing next to the file it reads.
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from fmgate.errors import EXIT_BAD_INPUT, InputError
from fmgate.evidence import cost
from fmgate.evidence.io import iter_batches, read_table, read_yaml
from fmgate.evidence.specs import INPUTS, InputSpec
from fuzz_strategies import any_values, budget, valid_dates, valid_times, words

TABLES = [spec for spec in INPUTS.values() if not spec.streamed]
STREAMED = [spec for spec in INPUTS.values() if spec.streamed]

cells = st.one_of(
    st.integers(-(10**20), 10**20).map(str),
    st.floats().map(repr),
    words,
    valid_dates,
    valid_times,
    st.sampled_from(
        [
            "",
            "true",
            "false",
            "yes",
            "No",
            "1",
            "0",
            "NaN",
            "inf",
            "-",
            "null",
            "None",
            "N/A",
            '"',
            "a,b",
            'say "hi"',
            "line\nbreak",
            "\ufeff",
            "9" * 400,
        ]
    ),
)
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(10**30), 10**30), st.floats(), words),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(words, inner, max_size=3)),
    max_leaves=6,
)


def header(spec: InputSpec) -> st.SearchStrategy[list[str]]:
    names = list(spec.names)
    return st.one_of(
        st.just(names),
        st.permutations(names),
        st.lists(st.sampled_from(names), max_size=len(names) + 1),
        st.lists(
            st.one_of(st.sampled_from(names), st.sampled_from([n.upper() for n in names]), words),
            max_size=len(names) + 2,
        ),
    )


@st.composite
def csv_bytes(draw: st.DrawFn, spec: InputSpec) -> bytes:
    columns = draw(header(spec))
    rows = draw(st.lists(st.lists(cells, min_size=max(0, len(columns) - 1), max_size=len(columns) + 1), max_size=6))
    if draw(st.booleans()):
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(columns)
        writer.writerows(rows)
        text = buffer.getvalue()
    else:  # no quoting: commas, quotes and line breaks in cells break the rows
        text = "\n".join(",".join(row) for row in [columns, *rows]) + draw(st.sampled_from(["", "\n", "\r\n"]))
    data = text.encode("utf-8")
    damage = draw(st.sampled_from(["none", "none", "latin-1", "truncate", "bom", "garbage"]))
    if damage == "latin-1":
        data = text.encode("latin-1", errors="replace") + b"\xe9\n"
    elif damage == "truncate":
        data = data[: draw(st.integers(0, len(data)))]
    elif damage == "bom":
        data = b"\xef\xbb\xbf" + data
    elif damage == "garbage":
        data += draw(st.binary(max_size=16))
    return data


@st.composite
def jsonl_bytes(draw: st.DrawFn, spec: InputSpec) -> bytes:
    names = list(spec.names)
    records = draw(
        st.lists(
            st.dictionaries(st.one_of(st.sampled_from(names), words), json_values, max_size=len(names) + 2), max_size=6
        )
    )
    lines = [json.dumps(record) for record in records]  # NaN and Infinity included, as Python writes them
    lines += draw(st.lists(st.one_of(json_values.map(json.dumps), words, st.just("")), max_size=2))
    data = "\n".join(draw(st.permutations(lines))).encode("utf-8")
    if draw(st.booleans()):
        data += draw(st.binary(max_size=8))
    return data


def assert_bad_input(error: InputError, path: Path) -> None:
    assert error.exit_code == EXIT_BAD_INPUT
    assert error.path == str(path), error
    assert error.fix, error
    if "column" in error.message and "missing" in error.message:
        assert error.field, error


def scratch_file(tmp_path_factory: pytest.TempPathFactory, name: str, data: bytes) -> Path:
    folder = tmp_path_factory.mktemp("input", numbered=True)
    path = folder / name
    path.write_bytes(data)
    return path


def assert_nothing_else_written(path: Path) -> None:
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name], "the reader wrote a file"


@settings(max_examples=budget(200))
@given(data=st.data(), spec=st.sampled_from(TABLES), suffix=st.sampled_from([".csv", ".jsonl"]))
def test_tabular_inputs_are_read_or_bad_input(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject, spec: InputSpec, suffix: str
) -> None:
    content = data.draw(csv_bytes(spec) if suffix == ".csv" else jsonl_bytes(spec))
    path = scratch_file(tmp_path_factory, f"{spec.name}{suffix}", content)
    try:
        frame = read_table(path, spec)
    except InputError as error:
        assert_bad_input(error, path)
        event("bad input")
    else:
        assert set(spec.required) <= set(frame.columns)
        assert len(frame) > 0 or getattr(spec, "empty_ok", False)  # a header alone, where no rows mean something
        event("read")
    assert_nothing_else_written(path)


@settings(max_examples=budget(100))
@given(data=st.data(), spec=st.sampled_from(STREAMED), suffix=st.sampled_from([".csv", ".jsonl"]))
def test_streamed_inputs_are_read_or_bad_input(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject, spec: InputSpec, suffix: str
) -> None:
    content = data.draw(csv_bytes(spec) if suffix == ".csv" else jsonl_bytes(spec))
    # pyarrow 26.0.1's JSON reader crashes the process (SIGSEGV) on a file whose first record is `null`
    # (apache/arrow#47409): fmgate.evidence.io refuses such a file before Arrow reads it, so it is fuzzed too.
    path = scratch_file(tmp_path_factory, f"{spec.name}{suffix}", content)
    try:
        rows = sum(batch.num_rows for batch in iter_batches(path, spec, batch_size=4, prefetch=False))
    except InputError as error:
        assert_bad_input(error, path)
    else:
        assert rows >= 0
    assert_nothing_else_written(path)


# --- YAML cost models ---------------------------------------------------------------------------

NUMBER_FIELDS = [("buy", f) for f in cost.BUY_FIELDS] + [
    ("candidate", f) for f in (*cost.CANDIDATE_REQUIRED, *cost.FIXED_COSTS.values())
]


@st.composite
def cost_models(draw: st.DrawFn) -> str:
    """A well-formed cost model with any YAML value in one of its places, or one of its parts left out."""
    numbers = {place: draw(st.floats(0, 1e6, allow_nan=False).map(repr)) for place in NUMBER_FIELDS}
    scenario = {"name": "base", "calls_per_day": "1000", "growth_per_quarter": "0.1"}
    top = {"horizon_quarters": "4"}
    where = draw(st.sampled_from(["buy", "candidate", "scenario", "top", "drop", "whole"]))
    value = draw(any_values)
    if where in ("buy", "candidate"):
        numbers[(where, draw(st.sampled_from([f for s, f in NUMBER_FIELDS if s == where])))] = value
    elif where == "scenario":
        scenario[draw(st.sampled_from(sorted(scenario)))] = value
    elif where == "top":
        top[draw(st.sampled_from(["horizon_quarters", "notes"]))] = value
    elif where == "whole":
        return value
    buy = ", ".join(f"{f}: {v}" for (s, f), v in numbers.items() if s == "buy")
    candidate = ", ".join(f"{f}: {v}" for (s, f), v in numbers.items() if s == "candidate")
    lines = [
        f"buy: {{{buy}}}",
        f"candidate: {{{candidate}}}",
        "scenarios: [{" + ", ".join(f"{k}: {v}" for k, v in scenario.items()) + "}]",
        *(f"{k}: {v}" for k, v in top.items()),
    ]
    if where == "drop":
        lines.pop(draw(st.integers(0, len(lines) - 1)))
    return "\n".join(lines) + "\n"


@settings(max_examples=budget(80))  # cost.evaluate runs the validation suite: the slowest example here
@given(text=cost_models())
def test_cost_models_are_read_or_bad_input(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    path = scratch_file(tmp_path_factory, "cost.yaml", text.encode("utf-8"))
    try:
        model = cost.parse(read_yaml(path, what="cost_model"), str(path))
    except InputError as error:
        assert_bad_input(error, path)
        event("bad input")
    else:
        assert model["scenarios"] and isinstance(model["buy"], dict)
        evidence = cost.evaluate(path)  # the whole cost_model step: a result, valid or not, never a crash
        event("projected" if evidence.valid else "read, invalid")
    assert_nothing_else_written(path)


def test_the_base_cost_model_is_read_and_projected(tmp_path: Path) -> None:
    """The fuzzed cost models start from one that reads and projects."""
    text = (
        "buy: {input_price_per_million_tokens: 3.0, output_price_per_million_tokens: 15.0, avg_input_tokens: 800,"
        " avg_output_tokens: 200}\ncandidate: {inference_cost_per_thousand_calls: 0.4}\n"
        "scenarios: [{name: base, calls_per_day: 1000, growth_per_quarter: 0.1}]\nhorizon_quarters: 4\n"
    )
    path = tmp_path / "cost.yaml"
    path.write_text(text)
    evidence = cost.evaluate(path)
    assert evidence.valid and math.isfinite(evidence.measurements["buy_cost_per_call_usd"])
