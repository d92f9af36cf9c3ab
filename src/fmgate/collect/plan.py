"""Deciding what to run: which kinds a memo needs, each notebook's parameters, and what can be reused.

A :class:`Plan` is one notebook run: the notebook, its parameters (inputs
from the memo, thresholds and their sources from the trusted rules, the
verdict's context), where it writes, and which rules judge what it writes.
Everything here is plain data, sent to a worker process as JSON.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import EngineError, InputError
from ..evidence import document
from ..evidence.specs import KINDS

#: What the collecting process moves into place, the JSON (which policies read) last.
OUTPUT_SUFFIXES = (".html", ".ipynb", ".json")

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
    "prompting_log": {
        "plateau_window": "domain_plateau_window",
        "plateau_epsilon": "domain_plateau_epsilon",
        "prompt_hours": "domain_prompt_hours",
    },
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

#: What an input may be called: the data formats the evidence kinds read. Nothing by these names is
#: ever imported or read as configuration, so a kernel's working directory full of them is inert.
DATA_SUFFIXES = (".csv", ".jsonl", ".parquet", ".yaml", ".yml")


@dataclass
class Plan:
    kind: str
    notebook: Path
    parameters: dict[str, Any]
    inputs: list[tuple[str, str]]
    evidence_dir: Path
    root: Path
    rules_root: Path  # where the schemas that judge the written document come from
    references: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # inputs read in place
    links: list[str] = field(default_factory=list)  # other repository files the kernel must see (an embedded database)


def required_kinds(
    decision: str | None, gates_claimed: Sequence[str] | None, listed: Sequence[str], needs: dict[str, Any]
) -> list[str]:
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
    from ..repo import Repository

    needs = Repository(rules_root).policy_defaults().get("required_evidence")
    return needs if isinstance(needs, dict) else {}


def _memo_facts(memo_file: Any) -> tuple[dict[str, Any], list[str], dict[str, Any]]:
    """(front-matter fields used here, gates claimed, evidence key -> its EvidenceRef) of a parsed memo."""
    memo = memo_file.memo
    evidence = dict(memo.evidence or {})
    fields = {"decision": memo.decision, "date": memo.date.isoformat() if memo.date else None}
    return fields, list(memo.gates_claimed or []), evidence


def _config(repo_root: Path) -> Any:
    from ..config import load_config
    from ..repo import Repository

    return load_config(repo_root, Repository(repo_root).policy_defaults())


def _thresholds(repo_root: Path) -> dict[str, Any]:
    return dict(_config(repo_root).thresholds)


@dataclass
class _Rules:
    """What the trusted rules give every plan of one memo: thresholds, where each is set, the verdict's context."""

    thresholds: dict[str, Any]
    overridden: set[str]
    verdict_context: dict[str, Any]
    config: Any = None


def _rules(rules_root: Path, memo_file: Any) -> _Rules:
    import datetime as dt

    config = _config(rules_root)
    context = {
        "policies": str((rules_root / "policies").resolve()),
        "config": config.policy_data(),
        "memo": memo_file.policy_view(),
        "now": dt.datetime.now(dt.UTC).date().isoformat(),
    }
    return _Rules(dict(config.thresholds), set(config.settings.thresholds), context, config)


def _notebook(notebooks_dir: Path, kind: str) -> Path:
    path = notebooks_dir / f"{kind}.ipynb"
    if not path.is_file():
        raise EngineError(
            f"the {kind} notebook is missing",
            path=str(path),
            fix="restore notebooks/ from the fmgate repository (scripts/build_notebooks.py regenerates it)",
        )
    return path


def _plan(
    kind: str,
    repo_root: Path,
    memo_id: str,
    memo_rel: str,
    fields: dict[str, Any],
    evidence: dict[str, Any],
    rules: _Rules,
    evidence_dir: Path,
    notebooks_dir: Path,
    rules_root: Path,
) -> Plan:
    from ..evidence.steps import threshold_names
    from ..repo import resolve_inside

    thresholds = rules.thresholds
    parameters: dict[str, Any] = {"memo_id": memo_id}
    inputs: list[tuple[str, str]] = []
    references: list[tuple[str, dict[str, Any]]] = []
    links: list[str] = []
    for param, key in INPUT_PARAMETERS[kind]:
        if key in evidence and evidence[key].is_reference:
            from ..sources.reference import local_paths, resolve

            reference = resolve(key, evidence[key], rules.config, repo_root, memo_rel)
            for relative in local_paths(reference):
                resolve_inside(repo_root, relative, source="fmgate.yaml", field=f"sources.{reference.source}")
                links.append(relative)
            parameters[param] = reference.to_json()
            references.append((key, reference.to_json()))
        elif key in evidence:
            relpath = evidence[key].path
            resolve_inside(repo_root, relpath, source=memo_rel, field=f"evidence.{key}")
            if Path(relpath).suffix.lower() not in DATA_SUFFIXES:
                raise InputError(
                    f"evidence.{key} names {relpath!r}, which is not a data file",
                    path=memo_rel,
                    field=f"evidence.{key}",
                    fix=f"point it at the input saved as one of {', '.join(DATA_SUFFIXES)}",
                )
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
    parameters["threshold_sources"] = {
        name: "fmgate.yaml" if name in rules.overridden else "policy data" for name in shown
    }
    parameters["memo_path"] = memo_rel
    parameters["verdict_context"] = rules.verdict_context
    notebook = _notebook(notebooks_dir, kind)
    try:  # recorded relative to the repository; a notebook from elsewhere (CI's trusted copy) by full path
        parameters["notebook_path"] = notebook.resolve().relative_to(repo_root).as_posix()
    except ValueError:
        parameters["notebook_path"] = str(notebook.resolve())
    return Plan(kind, notebook, parameters, inputs, evidence_dir, repo_root, rules_root, references, links)


def _reusable(plan: Plan) -> bool:
    """True when the existing evidence came from the same notebook, inputs and parameters."""
    from ..evidence.io import sha256_file

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
        current = [{"name": name, "path": path, "sha256": sha256_file(plan.root / path)} for name, path in plan.inputs]
    except OSError:
        return False
    recorded = [
        {k: i.get(k) for k in ("name", "path", "sha256")} for i in provenance.get("inputs", []) if "sha256" in i
    ]
    return (
        recorded == current
        and _same_pins(plan, provenance)
        and provenance.get("parameters") == document.recorded_parameters(plan.parameters)
        and same_measuring_code(provenance)
        and _fresh_enough(provenance.get("generated_at"), plan.root)
    )


def _same_pins(plan: Plan, provenance: dict[str, Any]) -> bool:
    """Inputs read in place are reused through their pin: the same pin, and the pinned digest where one is given.

    Data behind an as_of or snapshot pin is not re-read to decide reuse; CI
    regenerates it and compares digests (PROV-INPUT).
    """
    recorded = {i.get("name"): i for i in provenance.get("inputs", []) if "sha256" not in i}
    if set(recorded) != {key for key, _ in plan.references}:
        return False
    for key, reference in plan.references:
        entry = recorded[key]
        pin = reference.get("pin") or {}
        if entry.get("pin") != pin or (pin.get("digest") and entry.get("digest") != pin["digest"]):
            return False
    return True


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
        made = made.replace(tzinfo=dt.UTC)
    max_age = float(_thresholds(root).get("evidence_max_age_days", 90))
    age_days = (dt.datetime.now(dt.UTC) - made).total_seconds() / 86400
    return 0 <= age_days <= max_age / 2
