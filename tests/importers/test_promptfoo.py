"""promptfoo results -> prompting_log rows."""

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


def test_each_prompt_is_one_iteration_in_time_order(fixtures: Path) -> None:
    frame = import_prompting_log(fixtures / "promptfoo", "promptfoo", fixtures / "promptfoo_sidecar.yaml")
    assert frame["iteration"].tolist() == [1, 2, 3, 4]
    assert frame["timestamp"].tolist() == ["2026-09-14T10:02:11Z"] * 3 + ["2026-09-18T15:40:52Z"]
    # pass rate per prompt: 2/4, 3/4, 3 of 4 (the errored test counts as not passed), 4/4
    assert frame["score"].tolist() == [0.5, 0.75, 0.75, 1.0]
    assert frame["eval_set_size"].tolist() == [4, 4, 4, 4]
    assert frame["hours"].tolist() == [2.0, 3.5, 4.0, 6.25]
    # 'few-shot' in the sidecar is written as the family name the gate looks for
    assert frame["variant"].tolist() == ["system_prompt", "few_shot", "chain_of_thought", "retrieval_augmented"]
    assert frame["practitioner"].tolist() == ["amira.haddad", "amira.haddad", "li.chen", "amira.haddad"]
    assert frame["seniority"].tolist() == ["senior", "senior", "mid", "senior"]


def test_mean_score_instead_of_pass_rate(fixtures: Path, tmp_path: Path) -> None:
    text = (fixtures / "promptfoo_sidecar.yaml").read_text() + "score: mean_score\n"
    sidecar = write_sidecar(tmp_path / "side.yaml", text)
    frame = import_prompting_log(fixtures / "promptfoo", "promptfoo", sidecar)
    assert frame["score"].tolist() == [0.75, 0.875, 0.75, 1.0]


def test_single_file_and_sidecar_by_prompt_id(fixtures: Path, tmp_path: Path) -> None:
    doc = json.loads((fixtures / "promptfoo" / "results-2026-09-14.json").read_text())
    ids = [p["id"] for p in doc["results"]["prompts"]]
    sidecar = write_sidecar(tmp_path / "side.yaml", (
        "practitioner: amira.haddad\nseniority: principal\niterations:\n"
        f"  {ids[0]}: {{hours: 1, variant: system_prompt}}\n"
        f"  {ids[1]}: {{hours: 1, variant: few_shot}}\n"
        "  3: {hours: 1, variant: chain_of_thought}\n"))
    frame = import_prompting_log(fixtures / "promptfoo" / "results-2026-09-14.json", "promptfoo", sidecar)
    assert len(frame) == 3 and set(frame["seniority"]) == {"principal"}


def test_per_prompt_metrics_when_rows_are_absent(fixtures: Path, tmp_path: Path) -> None:
    folder = tmp_path / "results"
    folder.mkdir()
    for source in (fixtures / "promptfoo").glob("*.json"):
        doc = json.loads(source.read_text())
        doc["results"]["results"] = []
        (folder / source.name).write_text(json.dumps(doc))
    frame = import_prompting_log(folder, "promptfoo", fixtures / "promptfoo_sidecar.yaml")
    assert frame["score"].tolist() == [0.5, 0.75, 0.75, 1.0]
    assert frame["eval_set_size"].tolist() == [4, 4, 4, 4]


def _two_providers(fixtures: Path, folder: Path) -> Path:
    folder.mkdir()
    doc = json.loads((fixtures / "promptfoo" / "results-2026-09-14.json").read_text())
    extra = [dict(p, provider="anthropic:messages:claude-haiku-4-5") for p in doc["results"]["prompts"]]
    doc["results"]["prompts"] += extra
    (folder / "results.json").write_text(json.dumps(doc))
    return folder


def test_several_providers_need_the_provider_named(fixtures: Path, tmp_path: Path) -> None:
    folder = _two_providers(fixtures, tmp_path / "results")
    sidecar = tmp_path / "side.yaml"
    base = "practitioner: a.b\nseniority: senior\niterations:\n" + "".join(
        f"  {i}: {{hours: 1, variant: few_shot}}\n" for i in (1, 2, 3))
    write_sidecar(sidecar, base)
    with pytest.raises(InputError) as caught:
        import_prompting_log(folder, "promptfoo", sidecar)
    assert caught.value.field == "provider" and caught.value.path == str(sidecar)
    assert "claude-haiku-4-5" in str(caught.value) and "add 'provider:" in caught.value.fix

    write_sidecar(sidecar, base + "provider: openai:gpt-4.1-mini\n")
    frame = import_prompting_log(folder, "promptfoo", sidecar)
    assert frame["score"].tolist() == [0.5, 0.75, 0.75]


def test_missing_hours_names_file_field_and_fix(fixtures: Path, tmp_path: Path) -> None:
    text = (fixtures / "promptfoo_sidecar.yaml").read_text().replace(
        '"v3 chain of thought": {hours: 4, ', '"v3 chain of thought": {')
    sidecar = write_sidecar(tmp_path / "side.yaml", text)
    with pytest.raises(InputError) as caught:
        import_prompting_log(fixtures / "promptfoo", "promptfoo", sidecar)
    error = caught.value
    assert error.path == str(sidecar)
    assert error.field == 'iterations."v3 chain of thought".hours'
    assert "hours is missing for iteration 3" in error.message
    assert "hours:" in error.fix
    assert str(sidecar) in str(error) and "fix:" in str(error)


def test_iteration_without_an_entry(fixtures: Path, tmp_path: Path) -> None:
    text = "\n".join(line for line in (fixtures / "promptfoo_sidecar.yaml").read_text().splitlines()
                     if not line.strip().startswith("4:")) + "\n"
    sidecar = write_sidecar(tmp_path / "side.yaml", text)
    with pytest.raises(InputError) as caught:
        import_prompting_log(fixtures / "promptfoo", "promptfoo", sidecar)
    assert "no entry for iteration 4 (v4 retrieval of coding guidance" in caught.value.message
    assert caught.value.field == "iterations" and "4: {hours:" in caught.value.fix


def test_entry_that_matches_nothing(fixtures: Path, tmp_path: Path) -> None:
    text = (fixtures / "promptfoo_sidecar.yaml").read_text() + '  "v9 typo": {hours: 1, variant: few_shot}\n'
    sidecar = write_sidecar(tmp_path / "side.yaml", text)
    with pytest.raises(InputError) as caught:
        import_prompting_log(fixtures / "promptfoo", "promptfoo", sidecar)
    assert caught.value.field == 'iterations."v9 typo"' and "v1 system prompt" in caught.value.fix


def test_no_sidecar(fixtures: Path) -> None:
    with pytest.raises(InputError) as caught:
        import_prompting_log(fixtures / "promptfoo", "promptfoo", None)
    assert caught.value.field == "--sidecar" and "hours, seniority" in caught.value.message


@pytest.mark.parametrize("name, words", [
    ("not_a_result.json", "is not a promptfoo results file"),
    ("inspect_ai/2026-09-02T09-10-11+00-00_icd-coding_Vq3xT8mKp2LwR5nZ7cJd4h.json", "--tool inspect-ai"),
])
def test_not_promptfoo_results(fixtures: Path, name: str, words: str) -> None:
    with pytest.raises(InputError) as caught:
        import_prompting_log(fixtures / name, "promptfoo", fixtures / "promptfoo_sidecar.yaml")
    assert words in str(caught.value)
    assert caught.value.path == str(fixtures / name)


def test_other_export_formats_are_refused(fixtures: Path, tmp_path: Path) -> None:
    csv = tmp_path / "results.csv"
    csv.write_text("[v1 system prompt],[v2 few-shot]\n[PASS] N39.0,[FAIL] I48.9\n")
    with pytest.raises(InputError) as caught:
        import_prompting_log(csv, "promptfoo", fixtures / "promptfoo_sidecar.yaml")
    assert "promptfoo eval -o results.json" in caught.value.fix

    broken = tmp_path / "broken.json"
    shutil.copy(fixtures / "promptfoo" / "results-2026-09-14.json", broken)
    broken.write_text(broken.read_text()[:500])
    with pytest.raises(InputError) as caught:
        import_prompting_log(broken, "promptfoo", fixtures / "promptfoo_sidecar.yaml")
    assert "not valid JSON" in caught.value.message
