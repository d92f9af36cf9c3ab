"""Collect a memo's evidence: run each needed notebook with papermill and keep what it wrote.

For every evidence kind the memo's verb needs, :func:`collect` executes
``notebooks/<kind>.ipynb`` with parameters taken from the memo and the
organisation's thresholds, and writes ``evidence/<memo-id>/<kind>.json``, the
executed ``<kind>.ipynb`` and a rendered ``<kind>.html``.

* Independent notebooks run side by side (up to ``workers`` worker
  processes, each driving one kernel at a time and taking the next notebook
  when it is done).
* A kind is skipped when its existing evidence was produced by the same
  notebook (sha256), from the same inputs (sha256) with the same parameters,
  unless ``force`` is set.
* A run writes into a temporary folder next to the evidence and moves its
  files into place only when the notebook finished and the document it wrote
  meets its kind's JSON Schema; a failed run leaves the committed evidence
  untouched.
* A notebook that raises is reported with its failing cell and input; bad
  input becomes :class:`~fmgate.errors.InputError` (exit 2), anything else
  :class:`~fmgate.errors.EngineError` (exit 3).
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import EngineError, InputError
from .evidence import document
from .evidence.specs import KINDS

KERNEL = "python3"
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


#: Per kind: (notebook parameter, memo evidence key) of each input; the first is the kind's own.
INPUT_PARAMETERS: dict[str, tuple[tuple[str, str], ...]] = {
    "eval_set": (("eval_set_path", "eval_set"), ("domain_data_path", "domain_data")),
    "prompting_log": (("prompting_log_path", "prompting_log"),),
    "usage_log": (("usage_log_path", "usage_log"), ("task_changes_path", "task_changes")),
    "head_to_head": (("head_to_head_path", "head_to_head"), ("eval_set_path", "eval_set")),
    "cost_model": (("cost_model_path", "cost_model"),),
    "domain_data": (("domain_data_path", "domain_data"),),
    "corpus_manifest": (("corpus_manifest_path", "corpus_manifest"),),
}

#: Notebook parameter -> threshold name it takes its value from.
THRESHOLD_PARAMETERS: dict[str, dict[str, str]] = {
    "eval_set": {"min_valid_items": "domain_eval_items"},
    "prompting_log": {"plateau_window": "domain_plateau_window", "plateau_epsilon": "domain_plateau_epsilon",
                      "prompt_hours": "domain_prompt_hours"},
    "usage_log": {"window_days": "cost_usage_window_days", "volume_threshold": "cost_volume_calls_per_day"},
    "head_to_head": {"useful_task_score": "useful_task_score", "quality_ratio_threshold": "cost_quality_ratio"},
    "cost_model": {"horizon_quarters": "cost_horizon_quarters"},
    "domain_data": {"min_examples": "domain_examples"},
    "corpus_manifest": {"min_tokens": "build_tokens"},
}

#: Parameters collect always passes with these values (the notebook defaults), so that the
#: recorded parameters, and with them the reuse check, never depend on a notebook default.
FIXED_PARAMETERS: dict[str, dict[str, Any]] = {
    "eval_set": {"batch_size": 262_144},
    "head_to_head": {"resamples": 10_000, "seed": 20_261_102},
    "domain_data": {"batch_size": 262_144, "sample_rows": 10_000},
    "corpus_manifest": {"batch_size": 131_072, "sample_rows": 10_000},
}

OUTPUT_SUFFIXES = (".html", ".ipynb", ".json")  # the JSON, which policies read, is moved last


@dataclass
class KindRun:
    """What happened to one evidence kind."""

    kind: str
    status: str  # written | reused | missing | failed
    valid: bool | None = None
    document: Path | None = None
    message: str = ""
    errors: list[str] = field(default_factory=list)


@dataclass
class CollectResult:
    """The outcome of collecting one memo's evidence."""

    memo_id: str
    evidence_dir: Path
    runs: list[KindRun]
    warnings: list[str] = field(default_factory=list)

    @property
    def missing(self) -> list[str]:
        return [r.kind for r in self.runs if r.status == "missing"]

    @property
    def invalid(self) -> list[str]:
        return [r.kind for r in self.runs if r.valid is False]

    @property
    def ok(self) -> bool:
        return not self.missing and not self.invalid and all(r.status != "failed" for r in self.runs)


@dataclass
class _Plan:
    kind: str
    notebook: Path
    parameters: dict[str, Any]
    inputs: list[tuple[str, str]]
    evidence_dir: Path
    root: Path
    rules_root: Path  # where the schemas that judge the written document come from


# --- deciding what to run ----------------------------------------------------------------------


def required_kinds(decision: str | None, gates_claimed: Sequence[str] | None, listed: Sequence[str],
                   needs: dict[str, Any]) -> list[str]:
    """The kinds to collect, in a fixed order: what the verb and the claimed gates need, plus every listed kind.

    *needs* is ``required_evidence`` from the policy data (``{"verbs": {verb: [kind]}, "gates":
    {gate: [kind]}}``), the same table MEMO-EVIDENCE-MISSING reads, so collect never asks for
    less (or more) than the policy will.
    """
    wanted = {k for k in listed if k in KINDS}
    wanted.update((needs.get("verbs") or {}).get(str(decision), []))
    for gate in gates_claimed or ():
        wanted.update((needs.get("gates") or {}).get(str(gate), []))
    return [k for k in KINDS if k in wanted]


def _needs(rules_root: Path) -> dict[str, Any]:
    from .repo import Repository

    needs = Repository(rules_root).policy_defaults().get("required_evidence")
    return needs if isinstance(needs, dict) else {}


def _memo_facts(memo_file: Any) -> tuple[dict[str, Any], list[str], dict[str, tuple[str, str | None]]]:
    """(front-matter fields used here, gates claimed, evidence key -> (path, pinned sha256)) of a parsed memo."""
    memo = memo_file.memo
    evidence = {key: (ref.path, ref.sha256) for key, ref in (memo.evidence or {}).items()}
    fields = {"decision": memo.decision, "date": memo.date.isoformat() if memo.date else None}
    return fields, list(memo.gates_claimed or []), evidence


def _config(repo_root: Path) -> Any:
    from .config import load_config
    from .repo import Repository

    return load_config(repo_root, Repository(repo_root).policy_defaults())


def _thresholds(repo_root: Path) -> dict[str, Any]:
    return dict(_config(repo_root).thresholds)


@dataclass
class _Rules:
    """What the trusted rules give every plan of one memo: thresholds, where each is set, the verdict's context."""

    thresholds: dict[str, Any]
    overridden: set[str]
    verdict_context: dict[str, Any]


def _rules(rules_root: Path, memo_file: Any) -> _Rules:
    import datetime as dt

    config = _config(rules_root)
    context = {"policies": str((rules_root / "policies").resolve()), "config": config.policy_data(),
               "memo": memo_file.policy_view(), "now": dt.datetime.now(dt.timezone.utc).date().isoformat()}
    return _Rules(dict(config.thresholds), set(config.settings.thresholds), context)


def _notebook(notebooks_dir: Path, kind: str) -> Path:
    path = notebooks_dir / f"{kind}.ipynb"
    if not path.is_file():
        raise EngineError(f"the {kind} notebook is missing", path=str(path),
                          fix="restore notebooks/ from the fmgate repository "
                              "(scripts/build_notebooks.py regenerates it)")
    return path


def _plan(kind: str, repo_root: Path, memo_id: str, memo_rel: str, fields: dict[str, Any],
          evidence: dict[str, tuple[str, str | None]], rules: _Rules, evidence_dir: Path,
          notebooks_dir: Path, rules_root: Path) -> _Plan:
    from .evidence.steps import threshold_names
    from .repo import resolve_inside

    thresholds = rules.thresholds
    parameters: dict[str, Any] = {"memo_id": memo_id}
    inputs: list[tuple[str, str]] = []
    for param, key in INPUT_PARAMETERS[kind]:
        if key in evidence:
            relpath = evidence[key][0]
            resolve_inside(repo_root, relpath, source=memo_rel, field=f"evidence.{key}")
            if Path(relpath).suffix.lower() not in DATA_SUFFIXES:
                raise InputError(f"evidence.{key} names {relpath!r}, which is not a data file", path=memo_rel,
                                 field=f"evidence.{key}",
                                 fix=f"point it at the input saved as one of {', '.join(DATA_SUFFIXES)}")
            parameters[param] = Path(relpath).as_posix()
            inputs.append((key, Path(relpath).as_posix()))
        else:
            parameters[param] = None
    parameters.update(FIXED_PARAMETERS.get(kind, {}))
    for param, name in THRESHOLD_PARAMETERS[kind].items():
        if name in thresholds:
            parameters[param] = thresholds[name]
    if kind == "usage_log":
        parameters["memo_date"] = fields["date"]
    parameters["as_of"] = None
    shown = [name for name in threshold_names(kind) if name in thresholds]
    parameters["thresholds"] = {name: thresholds[name] for name in shown}
    parameters["threshold_sources"] = {name: "fmgate.yaml" if name in rules.overridden else "policy data"
                                       for name in shown}
    parameters["memo_path"] = memo_rel
    parameters["verdict_context"] = rules.verdict_context
    notebook = _notebook(notebooks_dir, kind)
    try:  # recorded relative to the repository; a notebook from elsewhere (CI's trusted copy) by full path
        parameters["notebook_path"] = notebook.resolve().relative_to(repo_root).as_posix()
    except ValueError:
        parameters["notebook_path"] = str(notebook.resolve())
    return _Plan(kind, notebook, parameters, inputs, evidence_dir, repo_root, rules_root)


def _reusable(plan: _Plan) -> bool:
    """True when the existing evidence came from the same notebook, inputs and parameters."""
    from .evidence.io import sha256_file

    target = plan.evidence_dir / f"{plan.kind}.json"
    if not all((plan.evidence_dir / f"{plan.kind}{s}").is_file() for s in OUTPUT_SUFFIXES):
        return False
    existing = document.read(target)
    if not existing:
        return False
    provenance = existing.get("provenance") or {}
    try:
        if provenance.get("notebook", {}).get("sha256") != sha256_file(plan.notebook):
            return False
        current = [{"name": name, "path": path, "sha256": sha256_file(plan.root / path)}
                   for name, path in plan.inputs]
    except OSError:
        return False
    recorded = [{k: i.get(k) for k in ("name", "path", "sha256")} for i in provenance.get("inputs", [])]
    return (recorded == current and provenance.get("parameters") == document.recorded_parameters(plan.parameters)
            and same_measuring_code(provenance)
            and _fresh_enough(provenance.get("generated_at"), plan.root))


def same_measuring_code(provenance: dict[str, Any]) -> bool:
    """True when evidence was made by this installation: the same fmgate sources and tool versions.

    The notebooks run in this environment's kernel, so what this process
    reports is what a fresh run would record.
    """
    return provenance.get("code") == document.code_identity() and provenance.get("tools") == document.tool_versions()


def _fresh_enough(generated_at: Any, root: Path) -> bool:
    """Reuse evidence only while it is well inside the freshness window (MEMO-EVIDENCE-STALE).

    Past half the window it is regenerated, so a reused document never goes
    stale between collecting and deciding.
    """
    import datetime as dt

    if not isinstance(generated_at, str):
        return False
    try:
        made = dt.datetime.fromisoformat(generated_at.replace("Z", "+00:00"))
    except ValueError:
        return False
    if made.tzinfo is None:
        made = made.replace(tzinfo=dt.timezone.utc)
    max_age = float(_thresholds(root).get("evidence_max_age_days", 90))
    age_days = (dt.datetime.now(dt.timezone.utc) - made).total_seconds() / 86400
    return 0 <= age_days <= max_age / 2


# --- running -----------------------------------------------------------------------------------


def ensure_kernel() -> None:
    """Make sure the 'python3' Jupyter kernel exists (installing it into this environment if not)."""
    try:
        from jupyter_client.kernelspec import KernelSpecManager

        if KERNEL in KernelSpecManager().find_kernel_specs():
            return
        from ipykernel.kernelspec import install

        install(kernel_name=KERNEL, prefix=sys.prefix)
    except Exception as exc:  # any failure here is the environment's, not the memo's
        raise EngineError(f"the '{KERNEL}' notebook kernel is not available: {exc}",
                          fix=f"run '{sys.executable} -m ipykernel install --sys-prefix'") from None


def render_html(executed: Path, target: Path, *, title: str = "fmgate evidence") -> None:
    """Render an executed notebook as a small standalone page: outputs only, images embedded, no script.

    nbconvert's ``basic`` template gives the cells without any theme; the page
    inlines only fmgate's own few rules for the tables and text the notebook
    shows, so it reads offline and stays a few kilobytes plus its plots.
    """
    import html as html_lib

    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="basic")
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.embed_images = True
    nb = nbformat.read(executed, as_version=4)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    style = (Path(__file__).parent / "templates" / "evidence.css").read_text(encoding="utf-8")
    page = (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html_lib.escape(title)}</title>\n<style>\n{style}</style>\n</head>\n"
            f'<body>\n<main class="fmgate-report">\n{strip_remote_scripts(body)}\n</main>\n</body>\n</html>\n')
    target.write_text(page, encoding="utf-8")


def strip_remote_scripts(html: str) -> str:
    """Drop every script: an evidence page is read offline and must run no code."""
    import re

    return re.sub(r"<script\b[^>]*>.*?</script>", "", html, flags=re.S | re.I)


#: What an input may be called: the data formats the evidence kinds read. Nothing by these names is
#: ever imported or read as configuration, so a kernel's working directory full of them is inert.
DATA_SUFFIXES = (".csv", ".jsonl", ".parquet", ".yaml", ".yml")


@contextlib.contextmanager
def input_view(plan: _Plan) -> Iterator[Path]:
    """A fresh folder holding links to the plan's input files (and notebook) at their relative paths.

    The kernel runs there, so it reads the memo's data by the paths the memo
    gives, while nothing else of the repository (Python files, library
    configuration such as ``matplotlibrc``) is in its working directory; the
    kernel does not put that directory on its module search path either
    (``PYTHONSAFEPATH``).
    """
    view = Path(tempfile.mkdtemp(prefix=f"fmgate-kernel-{plan.kind}-"))
    try:
        links = [path for _, path in plan.inputs]
        notebook = plan.parameters.get("notebook_path")
        if isinstance(notebook, str) and not Path(notebook).is_absolute():
            links.append(notebook)
        for relative in links:
            source = (plan.root / relative).resolve()  # checked to stay inside the repository by _plan
            link = view / relative
            link.parent.mkdir(parents=True, exist_ok=True)
            if source.exists() and not link.exists():
                link.symlink_to(source)
        yield view
    finally:
        shutil.rmtree(view, ignore_errors=True)


def _execute(plan: _Plan) -> dict[str, Any]:
    """Run one notebook into a temporary folder; move its files into place on success.

    Runs in a worker process (see :func:`_worker_main`); returns plain JSON data.
    """
    os.environ["GX_ANALYTICS_ENABLED"] = "False"
    os.environ["MPLBACKEND"] = INLINE_BACKEND  # the kernel inherits it: figures become PNG outputs
    plan.evidence_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".collect-{plan.kind}-", dir=plan.evidence_dir))
    # The kernel inherits this process's stdout and stderr; keep its start-up chatter in a log.
    log_path = work / "kernel.log"
    saved = [os.dup(1), os.dup(2)]
    log = open(log_path, "wb")
    os.dup2(log.fileno(), 1)
    os.dup2(log.fileno(), 2)
    try:
        return _execute_into(plan, work, log_path)
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in saved:
            os.close(fd)
        log.close()
        shutil.rmtree(work, ignore_errors=True)


def _log_tail(path: Path, lines: int = 5) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        return ""
    return " | ".join(line.strip() for line in text[-lines:])


def _strip_machine_paths(executed: Path, root: Path, work: Path, rules_root: Path) -> None:
    """Papermill records absolute paths in the executed notebook; keep them repository-relative.

    The committed notebook should read the same on every machine, and should
    not reveal where someone's checkout lives.
    """
    text = executed.read_text(encoding="utf-8")
    for folder, name in ((work.resolve(), "(scratch)"), (Path(rules_root).resolve(), "(trusted)"),
                         (Path(root).resolve(), "")):
        text = text.replace(json.dumps(str(folder) + "/")[1:-1], f"{name}/" if name else "")
        text = text.replace(json.dumps(str(folder))[1:-1], name or ".")
    executed.write_text(text, encoding="utf-8")


def _document_problem(path: Path, plan: _Plan) -> str | None:
    """Why the evidence document a notebook wrote cannot be kept; None when it can.

    The notebook checks its document against the kind's JSON Schema before
    writing it. This checks again, outside the kernel, so that a notebook
    changed to skip or weaken that step still cannot leave a document behind
    that passes for evidence.
    """
    doc = document.read(path)
    if doc is None:
        return "the evidence document the notebook wrote is not a JSON object"
    if doc.get("kind") != plan.kind:
        return f"the notebook wrote a {doc.get('kind')!r} evidence document, not {plan.kind!r}"
    try:
        document.check_schema(doc, plan.rules_root)
    except EngineError as exc:
        return f"the evidence document the notebook wrote was refused: {exc.message}"
    return None


def _execute_into(plan: _Plan, work: Path, log_path: Path) -> dict[str, Any]:
    """Execute, render and move into place; the caller owns (and removes) *work*."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    executed = work / f"{plan.kind}.ipynb"
    parameters = dict(plan.parameters, output_path=str(work / f"{plan.kind}.json"))
    try:
        with input_view(plan) as view:
            papermill.execute_notebook(str(plan.notebook), str(executed), parameters=parameters,
                                       kernel_name=KERNEL, cwd=str(view), progress_bar=False,
                                       log_output=False, start_timeout=120)
    except PapermillExecutionError as exc:
        return {"kind": plan.kind, "status": "failed", "ename": exc.ename, "evalue": exc.evalue,
                "cell": exc.exec_count, "source": exc.source, "traceback": list(exc.traceback or [])}
    except Exception as exc:  # kernel could not start, died, or papermill itself failed
        tail = _log_tail(log_path)
        return {"kind": plan.kind, "status": "failed", "ename": type(exc).__name__,
                "evalue": f"{exc}" + (f" (kernel log: {tail})" if tail else ""),
                "cell": None, "source": "", "engine": True}
    written = work / f"{plan.kind}.json"
    if not written.is_file():
        return {"kind": plan.kind, "status": "failed", "ename": "EngineError", "engine": True,
                "evalue": "the notebook finished without writing its evidence document",
                "cell": None, "source": ""}
    problem = _document_problem(written, plan)
    if problem:
        return {"kind": plan.kind, "status": "failed", "ename": "EngineError", "engine": True,
                "evalue": problem, "cell": None, "source": ""}
    _strip_machine_paths(executed, plan.root, work, plan.rules_root if plan.rules_root != plan.root else work)
    render_html(executed, work / f"{plan.kind}.html",
                title=f"{plan.parameters['memo_id']}: {plan.kind} evidence")
    for suffix in OUTPUT_SUFFIXES:
        os.replace(work / f"{plan.kind}{suffix}", plan.evidence_dir / f"{plan.kind}{suffix}")
    doc = document.read(plan.evidence_dir / f"{plan.kind}.json") or {}
    return {"kind": plan.kind, "status": "written", "valid": bool(doc.get("valid")),
            "errors": list(doc.get("errors", []))}


class _Progress:
    """A tqdm bar on a terminal; plain lines in CI or when output is not a terminal."""

    def __init__(self, memo_id: str, total: int, enabled: bool | None) -> None:
        interactive = sys.stderr.isatty() and os.environ.get("CI", "").lower() != "true"
        self.bar_mode = interactive if enabled is None else (enabled and interactive)
        self.quiet = enabled is False
        self.memo_id = memo_id
        self.bar = None
        if self.bar_mode and total:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=f"collect {memo_id}", unit="notebook", file=sys.stderr)

    def line(self, text: str) -> None:
        if self.bar is not None:
            self.bar.write(text, file=sys.stderr)
        elif not self.quiet:
            print(f"fmgate collect {self.memo_id}: {text}", file=sys.stderr, flush=True)

    def step(self, text: str) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(text)
            self.bar.update(1)
        else:
            self.line(text)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _failing_line(outcome: dict[str, Any]) -> str:
    """The line of the notebook cell that raised, from the kernel's traceback (ANSI colours removed)."""
    import re

    for line in outcome.get("traceback") or []:
        for row in re.sub(r"\x1b\[[0-9;]*m", "", line).splitlines():
            match = re.match(r"^-+>\s*\d+\s+(.*)$", row.strip())
            if match:
                return match.group(1).strip()
    source = (outcome.get("source") or "").strip().splitlines()
    return source[0].strip() if source else ""


def _failure_message(plan: _Plan, outcome: dict[str, Any]) -> str:
    cell = f" in cell [{outcome['cell']}]" if outcome.get("cell") else ""
    line = _failing_line(outcome)
    at = f" at `{line}`" if line else ""
    evalue = str(outcome.get("evalue") or "")
    inputs = [path for _, path in plan.inputs]
    named = "" if any(path in evalue for path in inputs) else f" (inputs: {', '.join(inputs) or 'none'})"
    return f"{plan.kind} notebook failed{cell}{at}: {outcome.get('ename')}: {evalue}{named}"


def collect(repo_root: Path, memo_path: Path, *, kinds: list[str] | None = None, progress: bool | None = None,
            workers: int = 2, force: bool = False,
            runner: Callable[[_Plan], dict[str, Any]] | None = None) -> CollectResult:
    """Collect the evidence of the memo at *memo_path* in the repository at *repo_root*.

    *kinds* limits the run to those kinds (default: every kind the memo's verb
    needs, plus every kind it lists). Kinds that are needed but have no input
    in the memo are reported as ``missing``. Raises InputError or EngineError
    after all notebooks finished when any of them failed. *runner* replaces
    the notebook execution (tests use it to simulate outcomes).
    """
    from .memo import load_memo

    repo_root = Path(repo_root).resolve()
    memo_file = load_memo(Path(memo_path), repo_root)
    return _collect(repo_root, memo_file, kinds=kinds, progress=progress, workers=workers, force=force,
                    runner=runner, notebooks_dir=repo_root / "notebooks",
                    evidence_dir=repo_root / "evidence" / memo_file.memo_id, rules_root=repo_root)


def regenerate_into(repo: Any, memo: Any, notebooks_dir: Path, evidence_root: Path) -> None:
    """Regenerate a memo's evidence with other notebooks into another folder (the pull-request job).

    *repo* is the :class:`~fmgate.repo.Repository` (inputs are read from its
    root), *memo* a parsed :class:`~fmgate.memo.MemoFile`, *notebooks_dir*
    the trusted (base-branch) notebooks, and the documents go to
    ``<evidence_root>/<memo-id>/``. Thresholds come from the trusted tree
    (the folder holding *notebooks_dir*) when it has fmgate.yaml and policy
    data, so a branch cannot change how its own evidence is measured. Every
    kind is run (nothing is reused); a notebook failure raises as in
    :func:`collect`.
    """
    root = Path(repo.root).resolve()
    trusted = Path(notebooks_dir).resolve().parent
    rules_root = trusted if (trusted / "fmgate.yaml").is_file() and (
        trusted / "policies" / "data.json").is_file() else root
    _collect(root, memo, kinds=None, progress=False, workers=2, force=True, runner=None,
             notebooks_dir=Path(notebooks_dir), evidence_dir=Path(evidence_root) / memo.memo_id,
             rules_root=rules_root)


def _collect(repo_root: Path, memo_file: Any, *, kinds: list[str] | None, progress: bool | None, workers: int,
             force: bool, runner: Callable[[_Plan], dict[str, Any]] | None, notebooks_dir: Path,
             evidence_dir: Path, rules_root: Path) -> CollectResult:
    from .evidence.io import sha256_file

    memo_id, memo_rel = memo_file.memo_id, memo_file.relpath
    evidence_dir = Path(evidence_dir).resolve()  # the notebook runs in the repository root
    fields, gates, evidence = _memo_facts(memo_file)
    needed = required_kinds(fields["decision"], gates, list(evidence), _needs(rules_root))
    if kinds:
        unknown = [k for k in kinds if k not in KINDS]
        if unknown:
            raise InputError(f"unknown evidence kind {unknown[0]!r}", field="kinds",
                             fix=f"use one of: {', '.join(KINDS)}")
        needed = [k for k in KINDS if k in kinds]
    rules = _rules(rules_root, memo_file)
    result = CollectResult(memo_id, evidence_dir, [])
    for key, (path, pinned) in evidence.items():
        if pinned and (repo_root / path).is_file() and sha256_file(repo_root / path) != pinned:
            result.warnings.append(f"{key}: {path} does not match the sha256 the memo pins "
                                   "(PROV-INPUT will flag it)")

    plans: list[_Plan] = []
    for kind in needed:
        if kind not in evidence:
            result.runs.append(KindRun(kind, "missing", message=f"the memo lists no {kind} input "
                                       f"(add evidence.{kind} to {memo_rel})"))
            continue
        plan = _plan(kind, repo_root, memo_id, memo_rel, fields, evidence, rules, evidence_dir, notebooks_dir,
                     rules_root)
        if not force and _reusable(plan):
            doc = document.read(evidence_dir / f"{kind}.json") or {}
            result.runs.append(KindRun(kind, "reused", valid=bool(doc.get("valid")),
                                       document=evidence_dir / f"{kind}.json",
                                       message="unchanged notebook, inputs and parameters",
                                       errors=list(doc.get("errors", []))))
            continue
        plans.append(plan)

    absent = sorted({f"evidence.{key}: {path} does not exist" for plan in plans for key, path in plan.inputs
                     if not (repo_root / path).is_file()})
    if absent:  # before any kernel starts: one line per file, not one failed notebook per file
        raise InputError(f"{len(absent)} input file{'s' if len(absent) > 1 else ''} of {memo_rel} "
                         "cannot be found:\n  " + "\n  ".join(absent), path=memo_rel,
                         fix="add the files, or correct the paths in the memo's evidence section (relative "
                             "to the repository root)")

    report = _Progress(memo_id, len(plans), progress)
    for text in result.warnings:
        report.line(f"warning: {text}")
    for run in result.runs:
        report.line(f"{run.kind}: {run.status} ({run.message})")
    failures: list[tuple[_Plan, dict[str, Any]]] = []
    try:
        if plans:
            if runner is None:
                ensure_kernel()
            outcomes = _run_all(plans, workers, runner)
            by_kind = {p.kind: p for p in plans}
            for outcome in outcomes:
                plan = by_kind[outcome["kind"]]
                if outcome["status"] == "written":
                    run = KindRun(plan.kind, "written", valid=outcome["valid"],
                                  document=evidence_dir / f"{plan.kind}.json", errors=outcome.get("errors", []))
                    report.step(f"{plan.kind}: written ({'valid' if run.valid else 'NOT valid'})")
                else:
                    message = _failure_message(plan, outcome)
                    run = KindRun(plan.kind, "failed", message=message)
                    failures.append((plan, outcome))
                    report.step(f"{plan.kind}: FAILED")
                result.runs.append(run)
    finally:
        report.close()
    result.runs.sort(key=lambda r: KINDS.index(r.kind))
    if failures:
        messages = [_failure_message(p, o) for p, o in failures]
        engine = any(o.get("engine") or o.get("ename") != "InputError" for _, o in failures)
        if engine:
            raise EngineError("; ".join(messages),
                              fix="run 'fmgate doctor' to check the kernel and packages; evidence from "
                                  "earlier runs was left as it was")
        raise InputError("; ".join(messages) + "; evidence from earlier runs was left as it was")
    return result


def _run_all(plans: list[_Plan], workers: int,
             runner: Callable[[_Plan], dict[str, Any]] | None) -> Iterator[dict[str, Any]]:
    """Outcomes of the plans, each as soon as it is known.

    Notebooks run in up to *workers* worker processes (``python -m
    fmgate.collect``), each driving one kernel at a time and taking the next
    plan when its notebook is done, so papermill and nbconvert are imported
    once per worker rather than once per notebook. A worker's stderr, and
    with it the kernel's start-up chatter, goes to a log; threads here only
    feed the workers and wait for them.
    """
    if runner is not None:
        for plan in plans:
            yield runner(plan)
        return
    pending: queue.SimpleQueue[_Plan] = queue.SimpleQueue()
    for plan in plans:
        pending.put(plan)
    count = max(1, min(workers, len(plans)))
    with ThreadPoolExecutor(max_workers=count, thread_name_prefix="fmgate-collect") as pool:
        done: queue.SimpleQueue[dict[str, Any]] = queue.SimpleQueue()
        drivers = [pool.submit(_drive_worker, pending, done) for _ in range(count)]
        received = 0
        while received < len(plans):
            try:
                outcome = done.get(timeout=1.0)
            except queue.Empty:
                if all(d.done() for d in drivers) and done.empty():
                    for driver in drivers:
                        driver.result()  # raises what stopped a driver early
                    raise EngineError("a notebook worker stopped without reporting its outcome")
                continue
            received += 1
            yield outcome


def _drive_worker(pending: queue.SimpleQueue[_Plan], done: queue.SimpleQueue[dict[str, Any]]) -> None:
    """Feed plans to one worker process until none are left; start a fresh one after a crash.

    Puts exactly one outcome on *done* for every plan it takes.
    """
    worker: _Worker | None = None
    try:
        while True:
            try:
                plan = pending.get_nowait()
            except queue.Empty:
                return
            try:
                if worker is None:
                    worker = _Worker()
                outcome = worker.run(plan)
            except Exception as exc:  # the worker could not be started or talked to
                outcome = {"kind": plan.kind, "status": "failed", "ename": type(exc).__name__,
                           "evalue": str(exc), "cell": None, "source": "", "engine": True}
            if worker is not None and not worker.alive:
                worker.close()
                worker = None
            done.put(outcome)
    finally:
        if worker is not None:
            worker.close()


class _Worker:
    """One ``python -m fmgate.collect`` process: a plan per line on stdin, an outcome per line on stdout."""

    def __init__(self) -> None:
        self.log = tempfile.TemporaryFile()
        self.home = tempfile.TemporaryDirectory(prefix="fmgate-worker-")
        # Neither the worker nor the kernels it starts may import from the folder fmgate was started
        # in (often a checkout under review): -P and PYTHONSAFEPATH keep the working directory off
        # sys.path, and the worker runs in an empty folder of its own.
        env = dict(os.environ, PYTHONSAFEPATH="1")
        self.process = subprocess.Popen([sys.executable, "-P", "-m", "fmgate.collect"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=self.log, text=True, encoding="utf-8",
                                        cwd=self.home.name, env=env)
        self.alive = True

    def run(self, plan: _Plan) -> dict[str, Any]:
        request = json.dumps({"kind": plan.kind, "notebook": str(plan.notebook), "parameters": plan.parameters,
                              "inputs": plan.inputs, "evidence_dir": str(plan.evidence_dir),
                              "root": str(plan.root), "rules_root": str(plan.rules_root)})
        assert self.process.stdin is not None and self.process.stdout is not None
        try:
            self.process.stdin.write(request + "\n")
            self.process.stdin.flush()
            line = self.process.stdout.readline()
        except (OSError, ValueError):
            line = ""
        try:
            outcome = json.loads(line) if line.strip() else None
        except ValueError:
            outcome = None
        if isinstance(outcome, dict):
            return outcome
        self.alive = False
        status = self._stop()
        tail = " | ".join(self._log_text().strip().splitlines()[-3:])
        return {"kind": plan.kind, "status": "failed", "ename": "WorkerError", "engine": True,
                "evalue": f"the notebook worker exited with status {status}" + (f": {tail}" if tail else ""),
                "cell": None, "source": ""}

    def _log_text(self) -> str:
        self.log.seek(0)
        return self.log.read().decode("utf-8", errors="replace")

    def _stop(self) -> int | None:
        """Close the worker's stdin (it exits when it reads the end) and wait for it."""
        for stream in (self.process.stdin, self.process.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass
        try:
            return self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()

    def close(self) -> None:
        if self.process.returncode is None:
            self._stop()
        self.log.close()
        self.home.cleanup()


def _worker_main() -> int:
    """Entry point of a worker process: run each plan read as a JSON line on stdin, print its outcome.

    Outcomes go to the stdout this process started with; anything else that
    writes to stdout (a library, a kernel it starts) is sent to stderr
    instead, so it cannot be mistaken for an outcome.
    """
    from .lazy_grammar import defer

    defer()  # papermill imports jsonschema (through nbformat) and never checks an IRI
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        plan = _Plan(request["kind"], Path(request["notebook"]), request["parameters"],
                     [tuple(i) for i in request["inputs"]], Path(request["evidence_dir"]), Path(request["root"]),
                     Path(request["rules_root"]))
        outcome = _execute(plan)
        channel.write(json.dumps(outcome, default=str) + "\n")
        channel.flush()
    channel.close()
    # Nothing is left to flush: skip walking papermill's and nbconvert's objects on the way out.
    gc.freeze()
    return 0


if __name__ == "__main__":
    sys.exit(_worker_main())
