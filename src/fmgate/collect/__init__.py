"""Collect a memo's evidence: run each needed notebook with papermill and keep what it wrote.

For every evidence kind the memo's verb needs, :func:`collect` executes
``notebooks/<kind>.ipynb`` with parameters taken from the memo and the
organisation's thresholds, and writes ``evidence/<memo-id>/<kind>.json``, the
executed ``<kind>.ipynb`` and a rendered ``<kind>.html``.

* :mod:`.plan` decides what to run and what can be reused (same notebook,
  inputs, parameters, measuring code and tool versions);
* :mod:`.workers` runs the notebooks side by side in worker processes, and
  :mod:`.execute` runs one: a kernel that cannot reach the repository, the
  document checked against the trusted schema, the page rendered by
  :mod:`.render`, files moved into place only when all of that succeeded;
* an input the notebook cannot read becomes evidence marked invalid that
  shows why; a kernel or engine failure raises
  :class:`~fmgate.errors.EngineError` (exit 3) and leaves earlier evidence
  as it was.

Progress is the caller's: pass a :class:`Reporter` (the command line's shows
a bar on a terminal and plain lines in CI).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import EngineError, InputError
from ..evidence import document
from ..evidence.specs import KINDS
from .execute import KERNEL, Outcome, _document_problem, ensure_kernel, input_view
from .plan import (
    DATA_SUFFIXES,
    FIXED_PARAMETERS,
    INPUT_PARAMETERS,
    THRESHOLD_PARAMETERS,
    Plan,
    _memo_facts,
    _needs,
    _plan,
    _reusable,
    _rules,
    required_kinds,
    same_measuring_code,
)
from .render import render_html, strip_remote_scripts
from .workers import _run_all

if TYPE_CHECKING:
    from ..memo import MemoFile
    from ..repo import Repository

_Plan = Plan  # the name tests and older callers use

__all__ = [
    "DATA_SUFFIXES",
    "FIXED_PARAMETERS",
    "INPUT_PARAMETERS",
    "KERNEL",
    "THRESHOLD_PARAMETERS",
    "CollectResult",
    "KindRun",
    "Outcome",
    "Plan",
    "Reporter",
    "_document_problem",
    "collect",
    "ensure_kernel",
    "input_view",
    "regenerate_into",
    "render_html",
    "required_kinds",
    "same_measuring_code",
    "strip_remote_scripts",
]


class Reporter(Protocol):
    """Where collect says what it is doing: a line per event, a step per finished notebook."""

    def start(self, memo_id: str, total: int) -> None: ...

    def line(self, text: str) -> None: ...

    def step(self, text: str) -> None: ...

    def close(self) -> None: ...


class Silent:
    """A reporter that says nothing (the library's default, and the pull-request job's)."""

    def start(self, memo_id: str, total: int) -> None:
        pass

    def line(self, text: str) -> None:
        pass

    def step(self, text: str) -> None:
        pass

    def close(self) -> None:
        pass


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


def _failing_line(outcome: Outcome) -> str:
    """The line of the notebook cell that raised, from the kernel's traceback (ANSI colours removed)."""
    import re

    for line in outcome.traceback:
        for row in re.sub(r"\x1b\[[0-9;]*m", "", line).splitlines():
            match = re.match(r"^-+>\s*\d+\s+(.*)$", row.strip())
            if match:
                return match.group(1).strip()
    source = (outcome.source or "").strip().splitlines()
    return source[0].strip() if source else ""


def _failure_message(plan: Plan, outcome: Outcome) -> str:
    cell = f" in cell [{outcome.cell}]" if outcome.cell else ""
    line = _failing_line(outcome)
    at = f" at `{line}`" if line else ""
    evalue = str(outcome.evalue or "")
    inputs = [path for _, path in plan.inputs]
    named = "" if any(path in evalue for path in inputs) else f" (inputs: {', '.join(inputs) or 'none'})"
    return f"{plan.kind} notebook failed{cell}{at}: {outcome.ename}: {evalue}{named}"


def collect(
    repo_root: Path,
    memo_path: Path,
    *,
    kinds: list[str] | None = None,
    report: Reporter | None = None,
    workers: int = 2,
    force: bool = False,
    runner: Callable[[Plan], Outcome | dict[str, Any]] | None = None,
) -> CollectResult:
    """Collect the evidence of the memo at *memo_path* in the repository at *repo_root*.

    *kinds* limits the run to those kinds (default: every kind the memo's verb
    needs, plus every kind it lists). Kinds that are needed but have no input
    in the memo are reported as ``missing``. Raises InputError or EngineError
    after all notebooks finished when any of them failed. *runner* replaces
    the notebook execution (tests use it to simulate outcomes).
    """
    from ..memo import load_memo

    repo_root = Path(repo_root).resolve()
    memo_file = load_memo(Path(memo_path), repo_root)
    return _collect(
        repo_root,
        memo_file,
        kinds=kinds,
        report=report,
        workers=workers,
        force=force,
        runner=runner,
        notebooks_dir=repo_root / "notebooks",
        evidence_dir=repo_root / "evidence" / memo_file.memo_id,
        rules_root=repo_root,
    )


def regenerate_into(repo: Repository, memo: MemoFile, notebooks_dir: Path, evidence_root: Path) -> None:
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
    rules_root = (
        trusted if (trusted / "fmgate.yaml").is_file() and (trusted / "policies" / "data.json").is_file() else root
    )
    _collect(
        root,
        memo,
        kinds=None,
        report=None,
        workers=2,
        force=True,
        runner=None,
        notebooks_dir=Path(notebooks_dir),
        evidence_dir=Path(evidence_root) / memo.memo_id,
        rules_root=rules_root,
    )


def _collect(
    repo_root: Path,
    memo_file: MemoFile,
    *,
    kinds: list[str] | None,
    report: Reporter | None,
    workers: int,
    force: bool,
    runner: Callable[[Plan], Outcome | dict[str, Any]] | None,
    notebooks_dir: Path,
    evidence_dir: Path,
    rules_root: Path,
) -> CollectResult:
    from ..evidence.io import sha256_file

    memo_id, memo_rel = memo_file.memo_id, memo_file.relpath
    evidence_dir = Path(evidence_dir).resolve()  # the notebook runs in the repository root
    fields, gates, evidence = _memo_facts(memo_file)
    needed = required_kinds(fields["decision"], gates, list(evidence), _needs(rules_root))
    if kinds:
        unknown = [k for k in kinds if k not in KINDS]
        if unknown:
            raise InputError(
                f"unknown evidence kind {unknown[0]!r}", field="kinds", fix=f"use one of: {', '.join(KINDS)}"
            )
        needed = [k for k in KINDS if k in kinds]
    rules = _rules(rules_root, memo_file)
    result = CollectResult(memo_id, evidence_dir, [])
    for key, ref in evidence.items():
        path, pinned = ref.path, ref.sha256
        if path and pinned and (repo_root / path).is_file() and sha256_file(repo_root / path) != pinned:
            result.warnings.append(f"{key}: {path} does not match the sha256 the memo pins (PROV-INPUT will flag it)")

    plans: list[Plan] = []
    for kind in needed:
        if kind not in evidence:
            result.runs.append(
                KindRun(kind, "missing", message=f"the memo lists no {kind} input (add evidence.{kind} to {memo_rel})")
            )
            continue
        plan = _plan(
            kind, repo_root, memo_id, memo_rel, fields, evidence, rules, evidence_dir, notebooks_dir, rules_root
        )
        if not force and _reusable(plan):
            doc = document.read(evidence_dir / f"{kind}.json") or {}
            result.runs.append(
                KindRun(
                    kind,
                    "reused",
                    valid=bool(doc.get("valid")),
                    document=evidence_dir / f"{kind}.json",
                    message="unchanged notebook, inputs and parameters",
                    errors=list(doc.get("errors", [])),
                )
            )
            continue
        plans.append(plan)

    absent = sorted(
        {
            f"evidence.{key}: {path} does not exist"
            for plan in plans
            for key, path in plan.inputs
            if not (repo_root / path).is_file()
        }
    )
    if absent:  # before any kernel starts: one line per file, not one failed notebook per file
        raise InputError(
            f"{len(absent)} input file{'s' if len(absent) > 1 else ''} of {memo_rel} "
            "cannot be found:\n  " + "\n  ".join(absent),
            path=memo_rel,
            fix="add the files, or correct the paths in the memo's evidence section (relative to the repository root)",
        )

    report = report or Silent()
    report.start(memo_id, len(plans))
    for text in result.warnings:
        report.line(f"warning: {text}")
    for run in result.runs:
        report.line(f"{run.kind}: {run.status} ({run.message})")
    failures: list[tuple[Plan, Outcome]] = []
    try:
        if plans:
            if runner is None:
                ensure_kernel()
            outcomes = _run_all(plans, workers, runner)
            by_kind = {p.kind: p for p in plans}
            for reported in outcomes:
                outcome = reported if isinstance(reported, Outcome) else Outcome.from_json(reported)
                plan = by_kind[outcome.kind]
                if outcome.status == "written":
                    run = KindRun(
                        plan.kind,
                        "written",
                        valid=outcome.valid,
                        document=evidence_dir / f"{plan.kind}.json",
                        errors=outcome.errors,
                    )
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
        engine = any(o.engine or o.ename != "InputError" for _, o in failures)
        if engine:
            raise EngineError(
                "; ".join(messages),
                fix="run 'fmgate doctor' to check the kernel and packages; evidence from "
                "earlier runs was left as it was",
            )
        raise InputError("; ".join(messages) + "; evidence from earlier runs was left as it was")
    return result
