"""inspect-ai eval logs -> prompting_log rows.

The logs in fixtures/ were written by inspect-ai itself (see fixtures/VERSIONS and
scripts/make_log_fixtures.sh): fixtures/inspect_ai/ holds three iterations of one task,
1 as JSON (1 epoch), 2 as .eval (2 epochs), 3 as JSON (2 epochs).
"""

from __future__ import annotations

import json
import shutil
import sys
import zipfile
from pathlib import Path

import pytest

from fmgate.cli import main
from fmgate.errors import InputError
from fmgate.importers import import_prompting_log
from fmgate.importers.zip_members import ZIP_ZSTANDARD, read_member

FIXTURES = Path(__file__).resolve().parent / "fixtures"
#: the three iterations in time order (the names start with the UTC creation time)
LOGS = sorted((FIXTURES / "inspect_ai").iterdir())
EVAL_LOG = LOGS[1]
ONE_ENTRY = "practitioner: a.b\nseniority: senior\niterations:\n  1: {hours: 1, variant: few_shot}\n"


def write_sidecar(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def numbered_sidecar(path: Path, count: int) -> Path:
    return write_sidecar(
        path,
        "practitioner: a.b\nseniority: senior\niterations:\n"
        + "".join(f"  {i}: {{hours: {i}, variant: few_shot}}\n" for i in range(1, count + 1)),
    )


def copy_into(folder: Path, *files: Path) -> Path:
    folder.mkdir(exist_ok=True)
    for file in files:
        shutil.copy(file, folder / file.name)
    return folder


def test_fixtures_are_the_formats_the_tool_writes_by_default() -> None:
    assert [p.suffix for p in LOGS] == [".json", ".eval", ".json"]
    assert "inspect-ai 0.3.285 (log format version 2)" in (FIXTURES / "VERSIONS").read_text()
    with zipfile.ZipFile(EVAL_LOG) as archive:
        assert archive.getinfo("header.json").compress_type == ZIP_ZSTANDARD
        if sys.version_info < (3, 14):  # what made .eval logs unreadable: zipfile has no zstd
            with pytest.raises(NotImplementedError):
                archive.read("header.json")


def test_each_log_is_one_iteration_in_either_format(fixtures: Path) -> None:
    frame = import_prompting_log(fixtures / "inspect_ai", "inspect-ai", fixtures / "inspect_sidecar.yaml")
    assert frame["iteration"].tolist() == [1, 2, 3]
    created = [json.loads(LOGS[i].read_text())["eval"]["created"] for i in (0, 2)]
    assert [frame["timestamp"][i] for i in (0, 2)] == [c.replace("+00:00", "Z") for c in created]
    assert frame["timestamp"].is_monotonic_increasing and frame["timestamp"].is_unique
    # results.scores[0].metrics.accuracy.value: includes() over 5 notes
    assert frame["score"].tolist() == [0.6, 0.8, 1.0]
    # 5 notes; iterations 2 and 3 ran 2 epochs each, and a sample counts once
    assert frame["eval_set_size"].tolist() == [5, 5, 5]
    assert frame["hours"].tolist() == [1.5, 2.5, 3.0]
    assert frame["variant"].tolist() == ["system_prompt", "few_shot", "chain_of_thought"]
    assert set(frame["seniority"]) == {"staff"} and set(frame["practitioner"]) == {"amira.haddad"}


def test_an_eval_archive_is_read_as_it_is(fixtures: Path, tmp_path: Path) -> None:
    frame = import_prompting_log(EVAL_LOG, "inspect-ai", write_sidecar(tmp_path / "s.yaml", ONE_ENTRY))
    assert frame["score"].tolist() == [0.8] and frame["eval_set_size"].tolist() == [5]


def test_eval_archive_read_member_matches_inspects_json(fixtures: Path) -> None:
    header = json.loads(read_member(EVAL_LOG, "header.json", what="x", how="y") or b"")
    converted = json.loads(next((fixtures / "inspect_ai_converted").iterdir()).read_text())
    assert header["results"] == converted["results"]
    assert {k: header["eval"][k] for k in ("eval_id", "created", "dataset", "config")} == {
        k: converted["eval"][k] for k in ("eval_id", "created", "dataset", "config")
    }
    assert read_member(EVAL_LOG, "no/such/member.json", what="x", how="y") is None


def test_sidecar_names_an_eval_log_by_file_or_eval_id(fixtures: Path, tmp_path: Path) -> None:
    eval_id = json.loads(read_member(EVAL_LOG, "header.json", what="x", how="y") or b"")["eval"]["eval_id"]
    for key in (EVAL_LOG.name, EVAL_LOG.stem, eval_id):
        sidecar = write_sidecar(
            tmp_path / "s.yaml",
            (
                "practitioner: a.b\nseniority: senior\niterations:\n  1: {hours: 1, variant: system_prompt}\n"
                f"  {key}: {{hours: 7, variant: few_shot}}\n  3: {{hours: 1, variant: chain_of_thought}}\n"
            ),
        )
        frame = import_prompting_log(fixtures / "inspect_ai", "inspect-ai", sidecar)
        assert frame["hours"].tolist() == [1.0, 7.0, 1.0]


def test_a_folder_of_json_and_eval_logs_reads_every_run(fixtures: Path, tmp_path: Path) -> None:
    """A one-entry sidecar cannot pass for a folder of two runs, one .json and one .eval."""
    folder = copy_into(tmp_path / "logs", LOGS[0], EVAL_LOG)
    sidecar = write_sidecar(tmp_path / "side.yaml", ONE_ENTRY)
    with pytest.raises(InputError) as caught:
        import_prompting_log(folder, "inspect-ai", sidecar)
    error = caught.value
    assert error.exit_code == 2 and error.path == str(sidecar) and error.field == "iterations"
    assert f"no entry for iteration 2 ({EVAL_LOG.name})" in error.message and "2: {hours:" in error.fix


def test_a_sidecar_that_misses_a_run_exits_2(
    fixtures: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = copy_into(tmp_path / "logs", LOGS[0], EVAL_LOG)
    sidecar = write_sidecar(tmp_path / "side.yaml", ONE_ENTRY)
    out = tmp_path / "log.csv"
    assert main(["import-log", str(folder), "--tool", "inspect-ai", "--sidecar", str(sidecar), "--out", str(out)]) == 2
    message = capsys.readouterr().err
    assert str(sidecar) in message and "'iterations'" in message and "no entry for iteration 2" in message
    assert "fix:" in message and not out.exists()


def test_an_eval_set_folder_ignores_its_manifests(fixtures: Path, tmp_path: Path) -> None:
    folder = fixtures / "inspect_ai_eval_set"
    assert {"eval-set.json", "logs.json"} <= {p.name for p in folder.iterdir()}
    frame = import_prompting_log(folder, "inspect-ai", numbered_sidecar(tmp_path / "s.yaml", 2))
    assert sorted(frame["score"]) == [0.6, 0.8] and frame["eval_set_size"].tolist() == [5, 5]


def test_other_json_in_a_log_folder_is_passed_over(fixtures: Path, tmp_path: Path) -> None:
    folder = copy_into(
        tmp_path / "logs",
        *LOGS,
        fixtures / "not_a_result.json",
        fixtures / "inspect_ai_eval_set" / "eval-set.json",
        fixtures / "inspect_ai_eval_set" / "logs.json",
    )
    (folder / "notes").mkdir()
    (folder / "notes" / "manifest.json").write_text('["a", "list", "of", "names"]')
    frame = import_prompting_log(folder, "inspect-ai", fixtures / "inspect_sidecar.yaml")
    assert frame["score"].tolist() == [0.6, 0.8, 1.0]


def test_a_folder_of_other_json_names_what_it_holds(fixtures: Path, tmp_path: Path) -> None:
    folder = copy_into(
        tmp_path / "manifests",
        fixtures / "inspect_ai_eval_set" / "eval-set.json",
        fixtures / "inspect_ai_eval_set" / "logs.json",
    )
    with pytest.raises(InputError) as caught:
        import_prompting_log(folder, "inspect-ai", fixtures / "inspect_sidecar.yaml")
    error = caught.value
    assert error.path == str(folder) and error.field == "SOURCE"
    assert "no inspect-ai eval log" in error.message and "eval-set.json, logs.json" in error.message
    assert ".eval" in error.fix


def test_the_same_run_as_eval_and_json_is_one_iteration(fixtures: Path, tmp_path: Path) -> None:
    converted = next((fixtures / "inspect_ai_converted").iterdir())
    assert converted.stem == EVAL_LOG.stem
    folder = copy_into(tmp_path / "logs", *LOGS)
    copy_into(folder / "converted", converted)
    copy_into(folder / "backup", LOGS[0])
    frame = import_prompting_log(folder, "inspect-ai", fixtures / "inspect_sidecar.yaml")
    assert frame["score"].tolist() == [0.6, 0.8, 1.0] and frame["eval_set_size"].tolist() == [5, 5, 5]
    # either file names the run
    text = (fixtures / "inspect_sidecar.yaml").read_text().replace("  2: ", f"  {converted.name}: ")
    frame = import_prompting_log(folder, "inspect-ai", write_sidecar(tmp_path / "s.yaml", text))
    assert frame["hours"].tolist() == [1.5, 2.5, 3.0]


def test_the_same_run_with_other_results_is_refused(fixtures: Path, tmp_path: Path) -> None:
    folder = copy_into(tmp_path / "logs", *LOGS)
    converted = next((fixtures / "inspect_ai_converted").iterdir())
    doc = json.loads(converted.read_text())
    doc["results"]["scores"][0]["metrics"]["accuracy"]["value"] = 0.4
    changed = folder / converted.name.replace(".json", "-edited.json")
    changed.write_text(json.dumps(doc))
    with pytest.raises(InputError) as caught:
        import_prompting_log(folder, "inspect-ai", fixtures / "inspect_sidecar.yaml")
    error = caught.value
    assert error.field == "eval.eval_id" and error.path in (str(changed), str(folder / EVAL_LOG.name))
    assert changed.name in str(error) and EVAL_LOG.name in str(error)
    assert "same run as" in error.message and "keep only" in error.fix


def test_scorer_and_metric_from_the_sidecar(fixtures: Path, tmp_path: Path) -> None:
    folder = copy_into(tmp_path / "logs", LOGS[2])
    sidecar = write_sidecar(
        tmp_path / "side.yaml",
        "practitioner: a.b\nseniority: senior\nscorer: exact\n"
        "iterations:\n  1: {hours: 2, variant: chain_of_thought}\n",
    )
    # exact() has a 'mean' metric: one answer of five is a sentence around the code
    assert import_prompting_log(folder, "inspect-ai", sidecar)["score"].tolist() == [0.8]

    write_sidecar(sidecar, sidecar.read_text() + "metric: f1\n")
    with pytest.raises(InputError) as caught:
        import_prompting_log(folder, "inspect-ai", sidecar)
    assert caught.value.field == "metric" and "mean" in caught.value.fix


def test_eval_set_size_without_samples(fixtures: Path, tmp_path: Path) -> None:
    folder = tmp_path / "logs"
    folder.mkdir()
    for path in (LOGS[0], LOGS[2]):
        doc = json.loads(path.read_text())
        del doc["samples"]
        doc["results"]["total_samples"] = 6
        doc["eval"]["config"]["epochs"] = 2
        (folder / path.name).write_text(json.dumps(doc))
    frame = import_prompting_log(folder, "inspect-ai", numbered_sidecar(tmp_path / "s.yaml", 2))
    assert frame["eval_set_size"].tolist() == [3, 3]


def test_a_local_time_offset_is_written_in_utc(fixtures: Path, tmp_path: Path) -> None:
    """inspect-ai 0.3.285 writes UTC; older versions wrote the machine's offset."""
    doc = json.loads(LOGS[0].read_text())
    doc["eval"]["created"] = "2026-09-09T11:05:37-04:00"
    log = tmp_path / LOGS[0].name
    log.write_text(json.dumps(doc))
    frame = import_prompting_log(log, "inspect-ai", write_sidecar(tmp_path / "s.yaml", ONE_ENTRY))
    assert frame["timestamp"].tolist() == ["2026-09-09T15:05:37Z"]


def test_unfinished_eval_is_refused(fixtures: Path, tmp_path: Path) -> None:
    folder = copy_into(tmp_path / "logs", *LOGS)
    broken = folder / LOGS[2].name
    doc = json.loads(broken.read_text())
    doc["status"] = "error"
    broken.write_text(json.dumps(doc))
    with pytest.raises(InputError) as caught:
        import_prompting_log(folder, "inspect-ai", fixtures / "inspect_sidecar.yaml")
    assert caught.value.path == str(broken) and caught.value.field == "status"
    assert "re-run" in caught.value.fix


def test_an_eval_archive_without_its_header_did_not_finish(tmp_path: Path) -> None:
    start = read_member(EVAL_LOG, "_journal/start.json", what="x", how="y")
    assert start is not None
    archive = tmp_path / EVAL_LOG.name
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("_journal/start.json", start)
    with pytest.raises(InputError) as caught:
        import_prompting_log(archive, "inspect-ai", write_sidecar(tmp_path / "s.yaml", ONE_ENTRY))
    assert caught.value.path == str(archive) and caught.value.field == "status"
    assert "'started'" in caught.value.message


def test_damaged_eval_archives_are_named(tmp_path: Path) -> None:
    sidecar = write_sidecar(tmp_path / "s.yaml", ONE_ENTRY)
    fake = tmp_path / "fake.eval"
    fake.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InputError) as caught:
        import_prompting_log(fake, "inspect-ai", sidecar)
    assert caught.value.path == str(fake) and "not a readable zip archive" in caught.value.message
    assert "inspect eval" in caught.value.fix

    damaged = tmp_path / EVAL_LOG.name
    data = bytearray(EVAL_LOG.read_bytes())
    with zipfile.ZipFile(EVAL_LOG) as archive:
        info = archive.getinfo("header.json")
    data[info.header_offset + 30 + len(info.filename) + len(info.extra) + info.compress_size // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    with pytest.raises(InputError) as caught:
        import_prompting_log(damaged, "inspect-ai", sidecar)
    assert caught.value.path == str(damaged) and caught.value.exit_code == 2
    assert "header.json" in str(caught.value)


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


@pytest.mark.parametrize(
    "name, words",
    [
        ("not_a_result.json", "is not an inspect-ai eval log"),
        ("promptfoo/round-1.json", "--tool promptfoo"),
        ("inspect_ai_eval_set/logs.json", "is not an inspect-ai eval log"),
    ],
)
def test_not_an_inspect_log(fixtures: Path, name: str, words: str) -> None:
    with pytest.raises(InputError) as caught:
        import_prompting_log(fixtures / name, "inspect-ai", fixtures / "inspect_sidecar.yaml")
    assert words in str(caught.value) and caught.value.path == str(fixtures / name)


def test_unknown_tool(fixtures: Path) -> None:
    with pytest.raises(InputError) as caught:
        import_prompting_log(fixtures / "inspect_ai", "langsmith", fixtures / "inspect_sidecar.yaml")
    assert caught.value.field == "--tool"
