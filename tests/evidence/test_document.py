"""The evidence document: envelope, provenance, schema check and atomic write."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from fmgate.errors import EngineError
from fmgate.evidence import document, usage

from .helpers import AS_OF, REPO_ROOT, usage_rows, write_rows


def make(tmp_path: Path, rows: list[dict]) -> dict:
    (tmp_path / "inputs").mkdir(exist_ok=True)
    write_rows(tmp_path / "inputs" / "usage.csv", rows)
    (tmp_path / "notebooks").mkdir(exist_ok=True)
    (tmp_path / "notebooks" / "usage_log.ipynb").write_text("{}")
    evidence = usage.evaluate(tmp_path / "inputs" / "usage.csv", as_of=AS_OF)
    evidence.inputs[0] = document.InputFile("usage_log", "inputs/usage.csv")
    return document.build(
        evidence,
        memo_id="m",
        notebook_path="notebooks/usage_log.ipynb",
        parameters={"memo_id": "m", "window_days": 28, "output_path": "/tmp/x.json"},
        root=tmp_path,
    )


def test_envelope_and_provenance(tmp_path: Path) -> None:
    doc = make(tmp_path, usage_rows("2026-10-01", 28))
    assert doc["kind"] == "usage_log" and doc["memo_id"] == "m" and doc["valid"] is True
    assert doc["errors"] == [] and doc["validation"]["success"] is True
    prov = doc["provenance"]
    assert prov["notebook"]["path"] == "notebooks/usage_log.ipynb" and len(prov["notebook"]["sha256"]) == 64
    assert prov["inputs"][0]["name"] == "usage_log" and prov["inputs"][0]["path"] == "inputs/usage.csv"
    assert prov["parameters"] == {"memo_id": "m", "window_days": 28}  # where to write is not provenance
    assert prov["generated_at"].endswith("Z")
    assert {"python", "fmgate", "papermill", "great_expectations", "pandas"} <= set(prov["tools"])
    document.check_schema(doc, REPO_ROOT)


def test_write_is_atomic_and_readable(tmp_path: Path) -> None:
    doc = make(tmp_path, usage_rows("2026-10-01", 28))
    target = tmp_path / "out" / "usage_log.json"
    document.write(doc, target, root=REPO_ROOT)
    assert json.loads(target.read_text()) == doc
    assert [p.name for p in target.parent.iterdir()] == ["usage_log.json"]  # no temp file left behind
    assert oct(os.stat(target).st_mode & 0o777) == "0o644"


def test_invalid_evidence_carries_errors_and_no_measurements(tmp_path: Path) -> None:
    rows = usage_rows("2026-10-01", 28)
    rows[3]["calls"] = -1
    doc = make(tmp_path, rows)
    assert doc["valid"] is False and doc["measurements"] == {}
    assert doc["errors"] and "calls" in doc["errors"][0]
    document.check_schema(doc, REPO_ROOT)


def test_schema_rejects_a_document_missing_a_measurement(tmp_path: Path) -> None:
    doc = make(tmp_path, usage_rows("2026-10-01", 28))
    del doc["measurements"]["median_daily_calls"]
    with pytest.raises(EngineError, match="median_daily_calls"):
        document.write(doc, tmp_path / "bad.json", root=REPO_ROOT)
    assert not (tmp_path / "bad.json").exists()


def test_non_finite_numbers_are_refused() -> None:
    with pytest.raises(EngineError, match="JSON"):
        document.jsonable({"x": float("nan")})


def test_every_kind_has_a_schema() -> None:
    from fmgate.evidence.specs import KINDS

    names = {p.name for p in (REPO_ROOT / "schemas" / "evidence").glob("*.schema.json")}
    assert names == {f"{k}.schema.json" for k in KINDS} | {"envelope.schema.json"}
