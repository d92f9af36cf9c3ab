from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from fmgate.cli import main
from fmgate.errors import InputError
from fmgate.memo import load_memo
from fmgate.repo import Repository
from fmgate.scaffold import scaffold

TODAY = dt.date(2026, 11, 24)


@pytest.mark.parametrize("verb", ["buy", "fine-tune", "build"])
def test_scaffolded_memo_parses_and_names_its_inputs(tmp_path: Path, verb: str) -> None:
    memo_path, inputs = scaffold(Repository(tmp_path), "new-thing", verb, TODAY)
    memo = load_memo(memo_path, tmp_path)
    assert memo.memo.decision == verb and memo.memo.status == "proposed"
    assert inputs.is_dir()
    assert all(ref.path.startswith("evidence/new-thing/inputs/") for ref in memo.memo.evidence.values())


def test_never_overwrites(tmp_path: Path) -> None:
    repo = Repository(tmp_path)
    memo_path, _ = scaffold(repo, "taken", "buy", TODAY)
    memo_path.write_text("---\nid: taken\ntitle: mine\n---\nmy words\n")
    with pytest.raises(InputError) as caught:
        scaffold(Repository(tmp_path), "taken", "fine-tune", TODAY)
    assert "nothing was written" in str(caught.value)
    assert memo_path.read_text().endswith("my words\n")


def test_bad_id(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        scaffold(Repository(tmp_path), "Bad Id", "buy", TODAY)
    assert caught.value.field == "--id"


def test_cli_new_and_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "fmgate.yaml").write_text("{}\n")
    assert main(["--repo", str(tmp_path), "new", "--id", "cli-made", "--decision", "buy"]) == 0
    assert (tmp_path / "memos" / "cli-made.md").is_file()
    assert main(["--repo", str(tmp_path), "new", "--id", "cli-made", "--decision", "buy"]) == 2
    assert "already exists" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:
        main(["--repo", str(tmp_path), "new", "--id", "x", "--decision", "sell"])
    assert usage.value.code == 2
