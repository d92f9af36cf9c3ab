"""promptfoo results -> prompting_log rows.

The results in fixtures/promptfoo/ were written by promptfoo itself with its echo provider (see
fixtures/VERSIONS and scripts/make_log_fixtures.sh): round-1.json holds prompts v1-v3 over four
tests, round-2.json prompt v4 over the same four tests run with --repeat 2.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from fmgate.errors import InputError
from fmgate.importers import import_prompting_log

FIXTURES = Path(__file__).resolve().parent / "fixtures"
INSPECT_JSON_LOG = min(p.relative_to(FIXTURES).as_posix() for p in (FIXTURES / "inspect_ai").glob("*.json"))


def write_sidecar(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def stamp(name: str) -> str:
    doc = json.loads((FIXTURES / "promptfoo" / name).read_text())
    return dt.datetime.fromisoformat(doc["results"]["timestamp"].replace("Z", "+00:00")).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_each_prompt_is_one_iteration_in_time_order(fixtures: Path) -> None:
    frame = import_prompting_log(fixtures / "promptfoo", "promptfoo", fixtures / "promptfoo_sidecar.yaml")
    assert frame["iteration"].tolist() == [1, 2, 3, 4]
    assert frame["timestamp"].tolist() == [stamp("round-1.json")] * 3 + [stamp("round-2.json")]
    # pass rate per prompt: 2/4, 3/4, 3 of 4 (the errored test counts as not passed), 8/8
    assert frame["score"].tolist() == [0.5, 0.75, 0.75, 1.0]
    # four tests each; v4's eight rows are those four run twice
    assert frame["eval_set_size"].tolist() == [4, 4, 4, 4]
    assert frame["hours"].tolist() == [2.0, 3.5, 4.0, 6.25]
    # 'few-shot' in the sidecar is written as the family name the gate looks for
    assert frame["variant"].tolist() == ["system_prompt", "few_shot", "chain_of_thought", "retrieval_augmented"]
    assert frame["practitioner"].tolist() == ["amira.haddad", "amira.haddad", "li.chen", "amira.haddad"]
    assert frame["seniority"].tolist() == ["senior", "senior", "mid", "senior"]


def test_fixtures_are_real_promptfoo_output(fixtures: Path) -> None:
    assert "promptfoo 0.121.20 (results version 3)" in (fixtures / "VERSIONS").read_text()
    doc = json.loads((fixtures / "promptfoo" / "round-2.json").read_text())
    assert doc["metadata"]["promptfooVersion"] == "0.121.20" and doc["runtimeOptions"]["repeat"] == 2
    # --repeat gives every repeat its own testIdx
    assert sorted(r["testIdx"] for r in doc["results"]["results"]) == list(range(8))


def _single_prompt_sidecar(tmp_path: Path) -> Path:
    return write_sidecar(
        tmp_path / "side.yaml",
        "practitioner: a.b\nseniority: senior\niterations:\n  1: {hours: 1, variant: retrieval_augmented}\n",
    )


def test_repeats_count_each_test_once(fixtures: Path, tmp_path: Path) -> None:
    frame = import_prompting_log(fixtures / "promptfoo" / "round-2.json", "promptfoo", _single_prompt_sidecar(tmp_path))
    assert frame["eval_set_size"].tolist() == [4] and frame["score"].tolist() == [1.0]


def test_repeats_count_once_from_the_metrics_too(fixtures: Path, tmp_path: Path) -> None:
    doc = json.loads((fixtures / "promptfoo" / "round-2.json").read_text())
    doc["results"]["results"] = []
    assert doc["results"]["prompts"][0]["metrics"]["testPassCount"] == 8
    (tmp_path / "round-2.json").write_text(json.dumps(doc))
    frame = import_prompting_log(tmp_path / "round-2.json", "promptfoo", _single_prompt_sidecar(tmp_path))
    assert frame["eval_set_size"].tolist() == [4]

    # a repeat set in the config rather than on the command line
    del doc["runtimeOptions"]["repeat"]
    doc["config"]["evaluateOptions"] = {"repeat": 2}
    (tmp_path / "round-2.json").write_text(json.dumps(doc))
    frame = import_prompting_log(tmp_path / "round-2.json", "promptfoo", _single_prompt_sidecar(tmp_path))
    assert frame["eval_set_size"].tolist() == [4]


def test_expanded_vars_are_distinct_tests(fixtures: Path, tmp_path: Path) -> None:
    """A test whose vars hold a list runs once per value, each a test of its own (and so a testIdx)."""
    doc = json.loads((fixtures / "promptfoo" / "round-2.json").read_text())
    rows = doc["results"]["results"]
    for i, row in enumerate(rows):
        row["testCase"] = {"vars": {"note": ["a", "b", "c", "d", "e", "f", "g", "h"]}}
        row["vars"] = {"note": "abcdefgh"[i]}
    (tmp_path / "round-2.json").write_text(json.dumps(doc))
    frame = import_prompting_log(tmp_path / "round-2.json", "promptfoo", _single_prompt_sidecar(tmp_path))
    assert frame["eval_set_size"].tolist() == [8]


def test_the_same_eval_saved_twice_is_read_once(fixtures: Path, tmp_path: Path) -> None:
    folder = tmp_path / "results"
    folder.mkdir()
    for name in ("round-1.json", "round-2.json"):
        shutil.copy(fixtures / "promptfoo" / name, folder / name)
    shutil.copy(fixtures / "promptfoo" / "round-1.json", folder / "round-1-copy.json")
    frame = import_prompting_log(folder, "promptfoo", fixtures / "promptfoo_sidecar.yaml")
    assert frame["score"].tolist() == [0.5, 0.75, 0.75, 1.0]


def test_mean_score_instead_of_pass_rate(fixtures: Path, tmp_path: Path) -> None:
    text = (fixtures / "promptfoo_sidecar.yaml").read_text() + "score: mean_score\n"
    sidecar = write_sidecar(tmp_path / "side.yaml", text)
    frame = import_prompting_log(fixtures / "promptfoo", "promptfoo", sidecar)
    assert frame["score"].tolist() == [0.75, 0.875, 0.75, 1.0]


def test_single_file_and_sidecar_by_prompt_id(fixtures: Path, tmp_path: Path) -> None:
    doc = json.loads((fixtures / "promptfoo" / "round-1.json").read_text())
    ids = [p["id"] for p in doc["results"]["prompts"]]
    sidecar = write_sidecar(
        tmp_path / "side.yaml",
        (
            "practitioner: amira.haddad\nseniority: principal\niterations:\n"
            f"  {ids[0]}: {{hours: 1, variant: system_prompt}}\n"
            f"  {ids[1]}: {{hours: 1, variant: few_shot}}\n"
            "  3: {hours: 1, variant: chain_of_thought}\n"
        ),
    )
    frame = import_prompting_log(fixtures / "promptfoo" / "round-1.json", "promptfoo", sidecar)
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
    doc = json.loads((fixtures / "promptfoo" / "round-1.json").read_text())
    extra = [dict(p, provider="anthropic:messages:claude-haiku-4-5") for p in doc["results"]["prompts"]]
    doc["results"]["prompts"] += extra
    (folder / "results.json").write_text(json.dumps(doc))
    return folder


def test_several_providers_need_the_provider_named(fixtures: Path, tmp_path: Path) -> None:
    folder = _two_providers(fixtures, tmp_path / "results")
    sidecar = tmp_path / "side.yaml"
    base = "practitioner: a.b\nseniority: senior\niterations:\n" + "".join(
        f"  {i}: {{hours: 1, variant: few_shot}}\n" for i in (1, 2, 3)
    )
    write_sidecar(sidecar, base)
    with pytest.raises(InputError) as caught:
        import_prompting_log(folder, "promptfoo", sidecar)
    assert caught.value.field == "provider" and caught.value.path == str(sidecar)
    assert "claude-haiku-4-5" in str(caught.value) and "add 'provider:" in caught.value.fix

    write_sidecar(sidecar, base + "provider: echo\n")
    frame = import_prompting_log(folder, "promptfoo", sidecar)
    assert frame["score"].tolist() == [0.5, 0.75, 0.75]


def test_missing_hours_names_file_field_and_fix(fixtures: Path, tmp_path: Path) -> None:
    text = (
        (fixtures / "promptfoo_sidecar.yaml")
        .read_text()
        .replace('"v3 chain of thought": {hours: 4, ', '"v3 chain of thought": {')
    )
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
    text = (
        "\n".join(
            line
            for line in (fixtures / "promptfoo_sidecar.yaml").read_text().splitlines()
            if not line.strip().startswith("4:")
        )
        + "\n"
    )
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


@pytest.mark.parametrize(
    "name, words",
    [
        ("not_a_result.json", "is not a promptfoo results file"),
        (INSPECT_JSON_LOG, "--tool inspect-ai"),
    ],
)
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
    shutil.copy(fixtures / "promptfoo" / "round-1.json", broken)
    broken.write_text(broken.read_text()[:500])
    with pytest.raises(InputError) as caught:
        import_prompting_log(broken, "promptfoo", fixtures / "promptfoo_sidecar.yaml")
    assert "not valid JSON" in caught.value.message
