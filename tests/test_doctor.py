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


def test_doctor_asks_each_source_and_names_the_missing_variable(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, decision_repo: Path
) -> None:
    monkeypatch.delenv("DOCTOR_WAREHOUSE_URL", raising=False)
    settings = decision_repo / "fmgate.yaml"
    settings.write_text(
        settings.read_text()
        + "sources:\n"
        + "  warehouse: {kind: sql, url_env: DOCTOR_WAREHOUSE_URL}\n"
        + '  demo: {kind: sql, url: "sqlite:///examples/warehouse.sqlite"}\n'
        + "  lake: {kind: dataset, root: lake, engine: spark}\n"
    )
    (decision_repo / "examples").mkdir()
    (decision_repo / "examples" / "warehouse.sqlite").write_bytes((ROOT / "examples" / "warehouse.sqlite").read_bytes())
    assert main(["--repo", str(decision_repo), "doctor"]) == 3
    out = capsys.readouterr().out
    assert (
        "NO  source warehouse: source 'warehouse' is read through the environment variable DOCTOR_WAREHOUSE_URL" in out
    )
    assert "ok  source demo: sqlite, answering" in out
    assert "NO  source lake: lake (spark)" in out and "ok  java (for Spark)" in out
