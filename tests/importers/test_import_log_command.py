"""The import-log subcommand, and the table it writes against the memo spec's prompting_log columns."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from fmgate.commands import import_log
from fmgate.errors import InputError
from fmgate.importers import PROMPTING_LOG_COLUMNS, import_prompting_log

#: spec/memo.md, "Evidence kinds and their input files", prompting_log.
MEMO_SPEC_COLUMNS = [
    "iteration",
    "timestamp",
    "practitioner",
    "seniority",
    "hours",
    "variant",
    "score",
    "eval_set_size",
]
SENIORITY = {"junior", "mid", "senior", "staff", "principal"}


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="fmgate")
    import_log.add_parser(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


def run(argv: list[str]) -> int:
    args = parse(argv)
    return args.run(args)


def check_prompting_log(path: Path) -> pd.DataFrame:
    """What memo.md asks of a prompting_log file."""
    frame = pd.read_csv(path)
    assert list(frame.columns) == MEMO_SPEC_COLUMNS
    assert pd.api.types.is_integer_dtype(frame["iteration"]) and frame["iteration"].is_unique
    for stamp in frame["timestamp"]:
        assert dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")).tzinfo is not None
    assert frame["practitioner"].str.len().min() > 0
    assert set(frame["seniority"]) <= SENIORITY
    assert (frame["hours"] >= 0).all()
    assert frame["variant"].str.len().min() > 0
    assert frame["score"].between(0, 1).all()
    assert pd.api.types.is_integer_dtype(frame["eval_set_size"])
    return frame


@pytest.mark.parametrize(
    "tool, source, sidecar",
    [
        ("promptfoo", "promptfoo", "promptfoo_sidecar.yaml"),
        ("inspect-ai", "inspect_ai", "inspect_sidecar.yaml"),
    ],
)
def test_writes_a_prompting_log_the_spec_accepts(
    fixtures: Path, tmp_path: Path, tool: str, source: str, sidecar: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "evidence" / "x" / "inputs" / "prompting_log.csv"
    assert (
        run(
            [
                "import-log",
                str(fixtures / source),
                "--tool",
                tool,
                "--sidecar",
                str(fixtures / sidecar),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    frame = check_prompting_log(out)
    assert frame["iteration"].tolist() == list(range(1, len(frame) + 1))
    assert f"wrote {len(frame)} iteration(s)" in capsys.readouterr().out
    assert out.read_bytes().endswith(b"\n") and b"\r" not in out.read_bytes()


def test_columns_match_the_memo_spec() -> None:
    assert list(PROMPTING_LOG_COLUMNS) == MEMO_SPEC_COLUMNS


def test_columns_match_the_evidence_specs_when_present() -> None:
    specs = pytest.importorskip("fmgate.evidence.specs")
    assert list(specs.PROMPTING_LOG.names) == MEMO_SPEC_COLUMNS
    assert set(specs.SENIORITY_LEVELS) == SENIORITY


def test_refuses_to_overwrite_without_force(fixtures: Path, tmp_path: Path) -> None:
    out = tmp_path / "prompting_log.csv"
    out.write_text("hand-written\n")
    argv = [
        "import-log",
        str(fixtures / "promptfoo"),
        "--tool",
        "promptfoo",
        "--sidecar",
        str(fixtures / "promptfoo_sidecar.yaml"),
        "--out",
        str(out),
    ]
    with pytest.raises(InputError) as caught:
        run(argv)
    assert caught.value.field == "--out" and "--force" in caught.value.fix
    assert caught.value.exit_code == 2
    assert out.read_text() == "hand-written\n"

    assert run(argv + ["--force"]) == 0
    assert len(check_prompting_log(out)) == 4


def test_out_must_be_csv(fixtures: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        run(
            [
                "import-log",
                str(fixtures / "inspect_ai"),
                "--tool",
                "inspect-ai",
                "--sidecar",
                str(fixtures / "inspect_sidecar.yaml"),
                "--out",
                str(tmp_path / "log.parquet"),
            ]
        )
    assert ".csv" in caught.value.fix


def test_tool_choice_is_checked_by_the_parser() -> None:
    with pytest.raises(SystemExit) as caught:
        parse(["import-log", "x", "--tool", "langsmith", "--out", "y.csv"])
    assert caught.value.code == 2


def test_dataframe_types(fixtures: Path) -> None:
    frame = import_prompting_log(fixtures / "inspect_ai", "inspect-ai", fixtures / "inspect_sidecar.yaml")
    assert list(frame.columns) == MEMO_SPEC_COLUMNS
    assert str(frame["iteration"].dtype) == "int64" and str(frame["eval_set_size"].dtype) == "int64"
    assert str(frame["hours"].dtype) == "float64" and str(frame["score"].dtype) == "float64"
