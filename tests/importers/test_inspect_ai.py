"""inspect-ai eval logs -> prompting_log rows."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from fmgate.errors import InputError
from fmgate.importers import import_prompting_log


def write_sidecar(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path

LOGS = ("2026-09-02T09-10-11+00-00_icd-coding_Vq3xT8mKp2LwR5nZ7cJd4h.json",
        "2026-09-05T14-32-50+00-00_icd-coding_Ck8pW3sHn6Yd2Tq9Lx4Rb7.json",
        "2026-09-09T11-05-37-04-00_icd-coding_Ye2nR7kTq5Wm9Bx3Hs8Jd6.json")


def test_each_log_is_one_iteration(fixtures: Path) -> None:
    frame = import_prompting_log(fixtures / "inspect_ai", "inspect-ai", fixtures / "inspect_sidecar.yaml")
    assert frame["iteration"].tolist() == [1, 2, 3]
    # eval.created, in UTC (the third log was written at -04:00)
    assert frame["timestamp"].tolist() == ["2026-09-02T09:10:11Z", "2026-09-05T14:32:50Z",
                                           "2026-09-09T15:05:37Z"]
    # results.scores[0].metrics.accuracy.value of each log
    assert frame["score"].tolist() == [0.6, 0.8, 1.0]
    assert frame["eval_set_size"].tolist() == [5, 5, 5]
    assert frame["hours"].tolist() == [1.5, 2.5, 3.0]
    assert frame["variant"].tolist() == ["system_prompt", "few_shot", "chain_of_thought"]
    assert set(frame["seniority"]) == {"staff"} and set(frame["practitioner"]) == {"amira.haddad"}


def _copy_logs(fixtures: Path, folder: Path) -> Path:
    folder.mkdir()
    for name in LOGS:
        shutil.copy(fixtures / "inspect_ai" / name, folder / name)
    return folder


def test_scorer_and_metric_from_the_sidecar(fixtures: Path, tmp_path: Path) -> None:
    folder = tmp_path / "logs"
    folder.mkdir()
    shutil.copy(fixtures / "inspect_ai" / LOGS[2], folder / LOGS[2])
    sidecar = write_sidecar(tmp_path / "side.yaml",
                            "practitioner: a.b\nseniority: senior\nscorer: model_graded_fact\n"
                            "iterations:\n  1: {hours: 2, variant: chain_of_thought}\n")
    assert import_prompting_log(folder, "inspect-ai", sidecar)["score"].tolist() == [0.9]

    write_sidecar(sidecar, sidecar.read_text() + "metric: f1\n")
    with pytest.raises(InputError) as caught:
        import_prompting_log(folder, "inspect-ai", sidecar)
    assert caught.value.field == "metric" and "accuracy" in caught.value.fix


def test_eval_set_size_without_samples(fixtures: Path, tmp_path: Path) -> None:
    folder = _copy_logs(fixtures, tmp_path / "logs")
    for path in folder.iterdir():
        doc = json.loads(path.read_text())
        del doc["samples"]
        doc["results"]["total_samples"] = 6
        doc["eval"]["config"]["epochs"] = 2
        path.write_text(json.dumps(doc))
    frame = import_prompting_log(folder, "inspect-ai", fixtures / "inspect_sidecar.yaml")
    assert frame["eval_set_size"].tolist() == [3, 3, 3]


def test_unfinished_eval_is_refused(fixtures: Path, tmp_path: Path) -> None:
    folder = _copy_logs(fixtures, tmp_path / "logs")
    broken = folder / LOGS[1]
    doc = json.loads(broken.read_text())
    doc["status"] = "error"
    broken.write_text(json.dumps(doc))
    with pytest.raises(InputError) as caught:
        import_prompting_log(folder, "inspect-ai", fixtures / "inspect_sidecar.yaml")
    assert caught.value.path == str(broken) and caught.value.field == "status"
    assert "re-run" in caught.value.fix


def test_missing_seniority_names_file_field_and_fix(fixtures: Path, tmp_path: Path) -> None:
    text = (fixtures / "inspect_sidecar.yaml").read_text().replace("seniority: staff\n", "")
    sidecar = write_sidecar(tmp_path / "side.yaml", text)
    with pytest.raises(InputError) as caught:
        import_prompting_log(fixtures / "inspect_ai", "inspect-ai", sidecar)
    error = caught.value
    assert error.path == str(sidecar) and error.field == "seniority"
    assert "seniority for iteration 1 is missing" in error.message
    assert "junior, mid, senior, staff, principal" in error.fix


def test_bad_seniority_value(fixtures: Path, tmp_path: Path) -> None:
    text = (fixtures / "inspect_sidecar.yaml").read_text().replace("seniority: staff", "seniority: lead")
    with pytest.raises(InputError) as caught:
        import_prompting_log(fixtures / "inspect_ai", "inspect-ai", write_sidecar(tmp_path / "s.yaml", text))
    assert "'lead'" in caught.value.message


@pytest.mark.parametrize("name, words", [
    ("not_a_result.json", "is not an inspect-ai eval log"),
    ("promptfoo/results-2026-09-14.json", "--tool promptfoo"),
])
def test_not_an_inspect_log(fixtures: Path, name: str, words: str) -> None:
    with pytest.raises(InputError) as caught:
        import_prompting_log(fixtures / name, "inspect-ai", fixtures / "inspect_sidecar.yaml")
    assert words in str(caught.value) and caught.value.path == str(fixtures / name)


def test_eval_archives_point_to_the_json_format(fixtures: Path, tmp_path: Path) -> None:
    archive = tmp_path / "2026-09-02T09-10-11+00-00_icd-coding_x.eval"
    archive.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InputError) as caught:
        import_prompting_log(archive, "inspect-ai", fixtures / "inspect_sidecar.yaml")
    assert "inspect log dump" in caught.value.fix
    with pytest.raises(InputError) as caught:
        import_prompting_log(tmp_path, "inspect-ai", fixtures / "inspect_sidecar.yaml")
    assert "only .eval archives" in caught.value.message


def test_unknown_tool(fixtures: Path) -> None:
    with pytest.raises(InputError) as caught:
        import_prompting_log(fixtures / "inspect_ai", "langsmith", fixtures / "inspect_sidecar.yaml")
    assert caught.value.field == "--tool"
