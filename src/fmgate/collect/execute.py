"""Running one plan in a worker process: a kernel in a view of the inputs, then checks, render, move.

Everything a run reports comes back as one :class:`Outcome`, which the
worker sends to the collecting process as a JSON line.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..errors import EngineError
from ..evidence import document
from .plan import OUTPUT_SUFFIXES, Plan
from .render import render_html

KERNEL = "python3"
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


@dataclass
class Outcome:
    """What one notebook run came to: written (valid or not), or failed and where."""

    kind: str
    status: str  # written | failed
    valid: bool | None = None
    errors: list[str] = field(default_factory=list)
    ename: str | None = None
    evalue: str = ""
    cell: int | None = None
    source: str = ""
    traceback: list[str] = field(default_factory=list)
    engine: bool = False  # the failure is the environment's, not the input's

    @classmethod
    def failed(cls, kind: str, ename: str, evalue: str, *, engine: bool = True, **more: Any) -> Outcome:
        return cls(kind, "failed", ename=ename, evalue=evalue, engine=engine, **more)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Outcome:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["traceback"] = list(known.get("traceback") or [])
        known["errors"] = list(known.get("errors") or [])
        return cls(**known)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def ensure_kernel() -> None:
    """Make sure the 'python3' Jupyter kernel exists (installing it into this environment if not)."""
    try:
        from jupyter_client.kernelspec import KernelSpecManager

        if KERNEL in KernelSpecManager().find_kernel_specs():
            return
        from ipykernel.kernelspec import install

        install(kernel_name=KERNEL, prefix=sys.prefix)
    except Exception as exc:  # any failure here is the environment's, not the memo's
        raise EngineError(
            f"the '{KERNEL}' notebook kernel is not available: {exc}",
            fix=f"run '{sys.executable} -m ipykernel install --sys-prefix'",
        ) from None


@contextlib.contextmanager
def input_view(plan: Plan) -> Iterator[Path]:
    """A fresh folder holding links to the plan's input files (and notebook) at their relative paths.

    The kernel runs there, so it reads the memo's data by the paths the memo
    gives, while nothing else of the repository (Python files, library
    configuration such as ``matplotlibrc``) is in its working directory; the
    kernel does not put that directory on its module search path either
    (``PYTHONSAFEPATH``).
    """
    view = Path(tempfile.mkdtemp(prefix=f"fmgate-kernel-{plan.kind}-"))
    try:
        links = [path for _, path in plan.inputs] + list(plan.links)
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


def _execute(plan: Plan) -> Outcome:
    """Run one notebook into a temporary folder; move its files into place on success.

    Runs in a worker process (see :func:`fmgate.collect.workers._worker_main`).
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
    folders = [(work.resolve(), "(scratch)"), (Path(root).resolve(), "")]
    if Path(rules_root).resolve() != Path(root).resolve():  # CI's trusted copy of the rules
        folders.insert(1, (Path(rules_root).resolve(), "(trusted)"))
    for folder, name in folders:
        text = text.replace(json.dumps(str(folder) + "/")[1:-1], f"{name}/" if name else "")
        text = text.replace(json.dumps(str(folder))[1:-1], name or ".")
    executed.write_text(text, encoding="utf-8")


def _document_problem(path: Path, plan: Plan) -> str | None:
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


def _execute_into(plan: Plan, work: Path, log_path: Path) -> Outcome:
    """Execute, render and move into place; the caller owns (and removes) *work*."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    executed = work / f"{plan.kind}.ipynb"
    parameters = dict(plan.parameters, output_path=str(work / f"{plan.kind}.json"))
    try:
        with input_view(plan) as view:
            papermill.execute_notebook(
                str(plan.notebook),
                str(executed),
                parameters=parameters,
                kernel_name=KERNEL,
                cwd=str(view),
                progress_bar=False,
                log_output=False,
                start_timeout=120,
            )
    except PapermillExecutionError as exc:
        return Outcome.failed(
            plan.kind,
            exc.ename,
            exc.evalue,
            engine=False,
            cell=exc.exec_count,
            source=exc.source,
            traceback=list(exc.traceback or []),
        )
    except Exception as exc:  # kernel could not start, died, or papermill itself failed
        tail = _log_tail(log_path)
        return Outcome.failed(plan.kind, type(exc).__name__, f"{exc}" + (f" (kernel log: {tail})" if tail else ""))
    written = work / f"{plan.kind}.json"
    if not written.is_file():
        return Outcome.failed(plan.kind, "EngineError", "the notebook finished without writing its evidence document")
    problem = _document_problem(written, plan)
    if problem:
        return Outcome.failed(plan.kind, "EngineError", problem)
    _strip_machine_paths(executed, plan.root, work, plan.rules_root)
    render_html(executed, work / f"{plan.kind}.html", title=f"{plan.parameters['memo_id']}: {plan.kind} evidence")
    for suffix in OUTPUT_SUFFIXES:
        os.replace(work / f"{plan.kind}{suffix}", plan.evidence_dir / f"{plan.kind}{suffix}")
    doc = document.read(plan.evidence_dir / f"{plan.kind}.json") or {}
    return Outcome(plan.kind, "written", valid=bool(doc.get("valid")), errors=list(doc.get("errors", [])))
