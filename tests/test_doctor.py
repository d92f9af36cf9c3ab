from __future__ import annotations

from pathlib import Path

import pytest

from fmgate.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_doctor_is_happy_in_a_set_up_repository(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--repo", str(ROOT), "doctor"]) == 0
    out = capsys.readouterr().out
    assert "ok  opa server: started on loopback with token auth, healthy" in out
    assert "ok  notebook kernel" in out
    assert out.rstrip().endswith("ready")


def test_doctor_names_the_fix_for_missing_opa(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FMGATE_OPA_BIN", str(tmp_path / "nope"))
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr("fmgate.engine.__file__", str(tmp_path / "a" / "b" / "engine.py"))
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "fmgate.yaml").write_text("{}\n")
    (repo / "policies").mkdir()
    (repo / "policies" / "data.json").write_text('{"fmgate": {"defaults": {"thresholds": {}}}}')
    assert main(["--repo", str(repo), "doctor"]) == 3
    out = capsys.readouterr().out
    assert "NO  opa: the opa binary was not found" in out and "make setup" in out


def test_doctor_outside_a_repository(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["--repo", str(tmp_path), "doctor"]) == 3
    assert "--repo" in capsys.readouterr().out
