"""collect: which kinds a memo needs, reuse, failures that leave evidence alone, and real notebook runs."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from fmgate import collect as collect_module
from fmgate.collect import collect, required_kinds
from fmgate.collect import workers as workers_module
from fmgate.commands import collect as collect_command
from fmgate.errors import EngineError, InputError

from .helpers import COST_MODEL, usage_rows, write_memo, write_rows

NEEDS = json.loads((Path(__file__).resolve().parents[2] / "policies" / "data.json").read_text())["fmgate"]["defaults"][
    "required_evidence"
]


def test_buy_needs_only_what_it_lists() -> None:
    assert required_kinds("buy", [], ["usage_log", "task_changes"], NEEDS) == ["usage_log"]
    assert required_kinds("buy", [], [], NEEDS) == []


def test_fine_tune_needs_the_benchmark_and_the_claimed_gates() -> None:
    assert required_kinds("fine-tune", [], [], NEEDS) == ["eval_set", "head_to_head", "cost_model"]
    assert required_kinds("fine-tune", ["cost_at_scale"], [], NEEDS) == [
        "eval_set",
        "usage_log",
        "head_to_head",
        "cost_model",
    ]
    assert required_kinds("fine-tune", ["domain_expertise"], ["corpus_manifest"], NEEDS) == [
        "eval_set",
        "prompting_log",
        "head_to_head",
        "cost_model",
        "domain_data",
        "corpus_manifest",
    ]


def test_build_needs_the_corpus_manifest() -> None:
    assert "corpus_manifest" in required_kinds("build", [], [], NEEDS)


def test_what_collect_runs_is_what_the_policy_requires() -> None:
    """One table decides both: a kind an organisation adds to required_evidence is collected too."""
    needs = {"verbs": {"buy": ["cost_model"]}, "gates": {"cost_at_scale": ["usage_log"]}}
    assert required_kinds("buy", [], [], needs) == ["cost_model"]
    assert required_kinds("buy", ["cost_at_scale"], [], needs) == ["usage_log", "cost_model"]


def fake_runner(calls: list[str]):
    def run(plan):
        calls.append(plan.kind)
        return {
            "kind": plan.kind,
            "status": "failed",
            "ename": "InputError",
            "evalue": "bad column",
            "cell": 2,
            "source": "evidence = usage.evaluate(usage_log_path)",
        }

    return run


def test_needed_kinds_without_input_are_reported_missing(decision_repo: Path) -> None:
    memo = write_memo(decision_repo, "m", "fine-tune", {"cost_model": "evidence/m/inputs/cost.yaml"})
    (decision_repo / "evidence" / "m" / "inputs").mkdir(parents=True)
    (decision_repo / "evidence" / "m" / "inputs" / "cost.yaml").write_text(COST_MODEL)
    calls: list[str] = []

    def succeed(plan):
        calls.append(plan.kind)
        return {"kind": plan.kind, "status": "written", "valid": True, "errors": []}

    result = collect(decision_repo, memo, runner=succeed)
    assert calls == ["cost_model"]
    assert result.missing == ["eval_set", "head_to_head"]
    assert not result.ok
    assert "evidence.eval_set" in result.runs[0].message


def test_a_failing_notebook_raises_input_error_naming_cell_and_input(
    decision_repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "true")
    memo = write_memo(decision_repo, "m", "buy", {"usage_log": "evidence/m/inputs/usage.csv"})
    write_rows(decision_repo / "evidence" / "m" / "inputs" / "usage.csv", usage_rows("2026-10-01", 3))
    with pytest.raises(InputError) as info:
        collect(decision_repo, memo, runner=fake_runner([]), report=collect_command.Progress(None))
    text = str(info.value)
    assert "usage_log" in text and "cell [2]" in text and "evidence/m/inputs/usage.csv" in text
    assert "bad column" in text
    assert "fmgate collect m: usage_log: FAILED" in capsys.readouterr().err  # plain lines in CI


def test_unknown_kind_is_bad_input(decision_repo: Path) -> None:
    memo = write_memo(decision_repo, "m", "buy", {})
    with pytest.raises(InputError, match="unknown evidence kind"):
        collect(decision_repo, memo, kinds=["vibes"])


def test_inputs_outside_the_repository_are_refused(decision_repo: Path) -> None:
    memo = write_memo(decision_repo, "m", "buy", {"usage_log": "../outside.csv"})
    with pytest.raises(InputError, match="outside the repository"):
        collect(decision_repo, memo, runner=fake_runner([]))


def test_engine_failures_raise_engine_error(decision_repo: Path) -> None:
    memo = write_memo(decision_repo, "m", "buy", {"usage_log": "evidence/m/inputs/usage.csv"})
    write_rows(decision_repo / "evidence" / "m" / "inputs" / "usage.csv", usage_rows("2026-10-01", 3))

    def dead_kernel(plan):
        return {
            "kind": plan.kind,
            "status": "failed",
            "ename": "DeadKernelError",
            "evalue": "Kernel died",
            "cell": None,
            "source": "",
            "engine": True,
        }

    with pytest.raises(EngineError, match="Kernel died"):
        collect(decision_repo, memo, runner=dead_kernel)


def test_html_rendering_drops_remote_scripts() -> None:
    html = (
        '<script src="https://cdn.example/x.js"></script><script src=""></script>'
        '<script type="module">import("https://cdn.example/m.mjs")</script><p>kept</p>'
    )
    assert collect_module.strip_remote_scripts(html) == "<p>kept</p>"


# --- real notebook runs (papermill, a python3 kernel) -------------------------------------------------


def test_collect_runs_notebooks_writes_evidence_and_reuses_it(decision_repo: Path) -> None:
    inputs = decision_repo / "evidence" / "tt" / "inputs"
    write_rows(inputs / "usage.csv", usage_rows("2026-10-01", 28))
    write_rows(inputs / "task_changes.csv", [{"date": "2026-06-01", "description": "new label", "meaningful": True}])
    (inputs / "cost.yaml").write_text(COST_MODEL)
    memo = write_memo(
        decision_repo,
        "tt",
        "fine-tune",
        {
            "usage_log": "evidence/tt/inputs/usage.csv",
            "task_changes": "evidence/tt/inputs/task_changes.csv",
            "cost_model": "evidence/tt/inputs/cost.yaml",
        },
        gates=["cost_at_scale"],
    )

    result = collect(decision_repo, memo, kinds=["usage_log", "cost_model"], workers=2)
    assert [(r.kind, r.status, r.valid) for r in result.runs] == [
        ("usage_log", "written", True),
        ("cost_model", "written", True),
    ]
    folder = decision_repo / "evidence" / "tt"
    usage_doc = json.loads((folder / "usage_log.json").read_text())
    assert usage_doc["measurements"]["median_daily_calls"] == 12_000_000.0
    assert usage_doc["measurements"]["unstable_quarters"] == 1
    assert usage_doc["provenance"]["parameters"]["memo_date"] == "2026-11-02"
    assert usage_doc["provenance"]["parameters"]["window_days"] == 28  # from the policy thresholds
    assert [i["path"] for i in usage_doc["provenance"]["inputs"]] == [
        "evidence/tt/inputs/usage.csv",
        "evidence/tt/inputs/task_changes.csv",
    ]
    for kind in ("usage_log", "cost_model"):
        html = (folder / f"{kind}.html").read_text()
        assert "data:image/png;base64" in html
        assert "cdnjs" not in html and "parameters = dict(" not in html  # inputs hidden, no CDN
        executed = json.loads((folder / f"{kind}.ipynb").read_text())
        assert any(c.get("outputs") for c in executed["cells"] if c["cell_type"] == "code")
    assert not [p for p in folder.iterdir() if p.name.startswith(".collect-")]

    again = collect(decision_repo, memo, kinds=["usage_log", "cost_model"])
    assert [r.status for r in again.runs] == ["reused", "reused"]

    # Evidence made by other measuring code, or with other tool versions, is made again.
    assert usage_doc["provenance"]["code"] == collect_module.document.code_identity()
    usage_doc["provenance"]["code"]["sha256"] = "0" * 64
    (folder / "usage_log.json").write_text(json.dumps(usage_doc))
    cost_doc = json.loads((folder / "cost_model.json").read_text())
    cost_doc["provenance"]["tools"]["pandas"] = "0.0.1"
    (folder / "cost_model.json").write_text(json.dumps(cost_doc))
    third = collect(decision_repo, memo, kinds=["usage_log", "cost_model"])
    assert [r.status for r in third.runs] == ["written", "written"]
    remade = json.loads((folder / "usage_log.json").read_text())
    assert remade["provenance"]["code"] == collect_module.document.code_identity()


def test_code_identity_follows_the_package_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from fmgate.evidence import document

    package = tmp_path / "fmgate"
    (package / "evidence").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "evidence" / "document.py").write_text("x = 1\n")
    (package / "evidence" / "usage.py").write_text("median = 1\n")
    monkeypatch.setattr(document, "__file__", str(package / "evidence" / "document.py"))
    document.code_identity.cache_clear()
    try:
        first = document.code_identity()["sha256"]
        (package / "evidence" / "__pycache__").mkdir()
        (package / "evidence" / "__pycache__" / "usage.cpython-311.pyc").write_bytes(b"cache")
        document.code_identity.cache_clear()
        assert document.code_identity()["sha256"] == first  # caches do not count
        (package / "evidence" / "usage.py").write_text("median = 100\n")
        document.code_identity.cache_clear()
        assert document.code_identity()["sha256"] != first
    finally:
        document.code_identity.cache_clear()


def test_an_input_that_is_not_a_data_file_is_refused_before_any_kernel(decision_repo: Path) -> None:
    (decision_repo / "helper.py").write_text("print('never run')\n")
    memo = write_memo(decision_repo, "m", "buy", {"cost_model": "helper.py"})
    with pytest.raises(InputError) as info:
        collect(decision_repo, memo, runner=lambda plan: pytest.fail("a kernel was started"))
    assert info.value.field == "evidence.cost_model" and "not a data file" in str(info.value)


def test_an_unreadable_input_is_shown_in_the_notebook_and_its_evidence_marked_invalid(decision_repo: Path) -> None:
    inputs = decision_repo / "evidence" / "m" / "inputs"
    write_rows(inputs / "usage.csv", [{"day": "2026-10-01", "calls": 3}])  # wrong column
    memo = write_memo(decision_repo, "m", "buy", {"usage_log": "evidence/m/inputs/usage.csv"})
    committed = decision_repo / "evidence" / "m" / "usage_log.json"
    committed.write_text('{"committed": true}\n')
    result = collect(decision_repo, memo)
    assert not result.ok and result.invalid == ["usage_log"]
    document = json.loads(committed.read_text())
    assert document["valid"] is False and document["measurements"] == {}
    assert "'date'" in document["errors"][0] and "evidence/m/inputs/usage.csv" in document["errors"][0]
    page = (decision_repo / "evidence" / "m" / "usage_log.html").read_text()
    assert "NOT valid" in page and "missing required column" in page and "Traceback" not in page
    executed = json.loads((decision_repo / "evidence" / "m" / "usage_log.ipynb").read_text())
    assert not [o for c in executed["cells"] for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not [p for p in committed.parent.iterdir() if p.name.startswith(".collect-")]


def test_command_writes_invalid_evidence_and_exits_2(decision_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inputs = decision_repo / "evidence" / "c" / "inputs"
    inputs.mkdir(parents=True)
    (inputs / "cost.yaml").write_text(COST_MODEL.replace("training_cost_usd: 50000", "training_cost_usd: -5"))
    memo = write_memo(decision_repo, "c", "buy", {"cost_model": "evidence/c/inputs/cost.yaml"})
    args = argparse.Namespace(repo=decision_repo, memos=[memo], kinds=None, force=False, workers=2, progress=False)
    assert collect_command.run(args) == 2
    doc = json.loads((decision_repo / "evidence" / "c" / "cost_model.json").read_text())
    assert doc["valid"] is False and doc["measurements"] == {}
    assert any("candidate.training_cost_usd" in f["column"] for f in doc["validation"]["failed"])
    out = capsys.readouterr().out
    assert "cost_model" in out and "NOT valid" in out and "training_cost_usd" in out


def test_regenerate_into_uses_the_trusted_notebooks_and_thresholds(
    decision_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from fmgate.memo import load_memo
    from fmgate.repo import Repository

    trusted = tmp_path / "trusted"
    shutil.copytree(decision_repo / "notebooks", trusted / "notebooks")
    shutil.copytree(decision_repo / "policies", trusted / "policies")
    (trusted / "fmgate.yaml").write_text(
        (decision_repo / "fmgate.yaml")
        .read_text()
        .replace("thresholds: {}", "thresholds: {cost_usage_window_days: 14}")
    )
    memo = write_memo(decision_repo, "m", "buy", {"usage_log": "evidence/m/inputs/usage.csv"})
    write_rows(decision_repo / "evidence" / "m" / "inputs" / "usage.csv", usage_rows("2026-10-01", 3))
    seen = []

    def fake_run_all(plans, workers, runner):
        for plan in plans:
            seen.append(plan)
            yield {"kind": plan.kind, "status": "written", "valid": True, "errors": []}

    monkeypatch.setattr(collect_module, "_run_all", fake_run_all)
    monkeypatch.setattr(collect_module, "ensure_kernel", lambda: None)
    out = tmp_path / "regenerated"
    collect_module.regenerate_into(
        Repository(decision_repo), load_memo(memo, decision_repo), trusted / "notebooks", out
    )
    (plan,) = seen
    assert plan.notebook == trusted / "notebooks" / "usage_log.ipynb"
    assert plan.parameters["notebook_path"] == str((trusted / "notebooks" / "usage_log.ipynb").resolve())
    assert plan.parameters["window_days"] == 14
    assert plan.evidence_dir == out / "m"
    assert plan.root == decision_repo.resolve()


def test_collect_refuses_a_document_that_breaks_its_schema(decision_repo: Path) -> None:
    """A notebook that writes its document without the schema check still cannot leave bad evidence."""
    import nbformat

    notebook_path = decision_repo / "notebooks" / "cost_model.ipynb"
    notebook = nbformat.read(notebook_path, as_version=4)
    (cell,) = [c for c in notebook.cells if "_ = document.write(doc, output_path)" in c.source]
    cell.source = cell.source.replace(
        "_ = document.write(doc, output_path)",
        'import json, pathlib\ndel doc["provenance"]\npathlib.Path(output_path).write_text(json.dumps(doc))',
    )
    nbformat.write(notebook, notebook_path)
    inputs = decision_repo / "evidence" / "c" / "inputs"
    inputs.mkdir(parents=True)
    (inputs / "cost.yaml").write_text(COST_MODEL)
    memo = write_memo(decision_repo, "c", "buy", {"cost_model": "evidence/c/inputs/cost.yaml"})
    committed = decision_repo / "evidence" / "c" / "cost_model.json"
    committed.write_text('{"committed": true}\n')

    with pytest.raises(EngineError) as info:
        collect(decision_repo, memo)
    text = str(info.value)
    assert "cost_model" in text and "refused" in text and "provenance" in text
    assert committed.read_text() == '{"committed": true}\n'
    assert not (committed.parent / "cost_model.html").exists()
    assert not [p for p in committed.parent.iterdir() if p.name.startswith(".collect-")]


def test_document_problem_names_what_is_wrong(tmp_path: Path) -> None:
    plan = collect_module._Plan(
        "cost_model", tmp_path / "n.ipynb", {}, [], tmp_path, tmp_path, Path(__file__).resolve().parents[2]
    )
    path = tmp_path / "doc.json"
    path.write_text("[1, 2]")
    assert "not a JSON object" in collect_module._document_problem(path, plan)
    path.write_text(json.dumps({"kind": "usage_log"}))
    assert "'usage_log' evidence document, not 'cost_model'" in collect_module._document_problem(path, plan)
    path.write_text(json.dumps({"kind": "cost_model"}))
    assert "refused" in collect_module._document_problem(path, plan)


# --- worker processes -------------------------------------------------------------------------------


def _unreadable_plan(tmp_path: Path, kind: str, evidence_dir: Path | None = None):
    """A plan whose notebook does not exist: the worker reports it without starting a kernel."""
    return collect_module._Plan(
        kind,
        tmp_path / "missing" / f"{kind}.ipynb",
        {"memo_id": "m"},
        [],
        evidence_dir or tmp_path / "evidence",
        tmp_path,
        tmp_path,
    )


def test_one_worker_runs_plan_after_plan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started = []
    original = workers_module._Worker.__init__

    def counting(self):
        started.append(self)
        original(self)

    monkeypatch.setattr(workers_module._Worker, "__init__", counting)
    plans = [_unreadable_plan(tmp_path, kind) for kind in ("usage_log", "cost_model", "eval_set")]
    outcomes = list(workers_module._run_all(plans, 1, None))
    assert sorted(o.kind for o in outcomes) == ["cost_model", "eval_set", "usage_log"]
    assert all(o.status == "failed" and o.engine for o in outcomes)
    assert all("missing" in o.evalue for o in outcomes)
    assert len(started) == 1
    assert all(w.process.returncode == 0 for w in started)  # told to stop, not killed


def test_a_crashed_worker_is_reported_and_replaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started = []
    original = workers_module._Worker.__init__

    def counting(self):
        started.append(self)
        original(self)

    monkeypatch.setattr(workers_module._Worker, "__init__", counting)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    plans = [
        _unreadable_plan(tmp_path, "usage_log", evidence_dir=blocker / "m"),  # the worker dies on it
        _unreadable_plan(tmp_path, "cost_model"),
    ]
    outcomes = {o.kind: o for o in workers_module._run_all(plans, 1, None)}
    crashed = outcomes["usage_log"]
    assert crashed.status == "failed" and crashed.ename == "WorkerError" and crashed.engine
    assert "exited with status 1" in crashed.evalue and "not-a-folder" in crashed.evalue
    assert outcomes["cost_model"].status == "failed" and "missing" in outcomes["cost_model"].evalue
    assert len(started) == 2


def test_absent_inputs_are_listed_one_per_line_before_any_kernel_starts(decision_repo: Path) -> None:
    memo = write_memo(
        decision_repo,
        "m",
        "fine-tune",
        {
            "cost_model": "evidence/m/inputs/cost.yaml",
            "eval_set": "evidence/m/inputs/eval.jsonl",
            "head_to_head": "evidence/m/inputs/h2h.csv",
        },
    )
    with pytest.raises(InputError) as info:
        collect(decision_repo, memo, runner=lambda plan: pytest.fail("a kernel was started"))
    lines = str(info.value).splitlines()
    assert "3 input files of memos/m.md cannot be found:" in lines[0]
    assert [line.strip() for line in lines[1:4]] == [
        "evidence.cost_model: evidence/m/inputs/cost.yaml does not exist",
        "evidence.eval_set: evidence/m/inputs/eval.jsonl does not exist",
        "evidence.head_to_head: evidence/m/inputs/h2h.csv does not exist (fix: add the files, or correct the "
        "paths in the memo's evidence section (relative to the repository root))",
    ]
