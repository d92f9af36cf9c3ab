"""The reviewer's report, one notebook cell per step.

Each evidence notebook calls these in order: the parameters it ran with,
the inputs it read, every great-expectations expectation and how it came
out, each measurement the policy reads beside the threshold it is held
against (and where that threshold is set), and finally the policy's own
verdict on the checks this evidence feeds, asked of OPA. Nothing here
compares a measurement with a threshold: the verdict is the policy's.

Every step renders from the evidence document (or the policy's answer) as
a static HTML table, so the executed notebook reads the same on GitHub, in
JupyterLab and in the rendered HTML, with no script.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import InputError

#: Per kind, the measurements the policy reads: (label, path in ``measurements``, threshold name or None).
#: A ``*`` in a path takes every key of an object, or every entry of a list (named by its ``name``).
MEASURES: dict[str, tuple[tuple[str, str, str | None], ...]] = {
    "usage_log": (
        ("median daily calls over the window", "median_daily_calls", "cost_volume_calls_per_day"),
        ("days of the window the log covers", "days_covered", "cost_usage_window_days"),
        ("window (days)", "window_days", "cost_usage_window_days"),
        ("window", "window_start", None),
        ("window end", "window_end", None),
        ("quarters with a meaningful task change", "unstable_quarters", "cost_max_unstable_quarters"),
        ("meaningful changes, quarter starting", "quarters.*.meaningful_changes", None),
    ),
    "eval_set": (
        ("valid eval items", "items_valid", "domain_eval_items"),
        ("items in the file", "items_total", None),
        ("duplicate ids", "duplicate_ids", None),
        ("items with an empty field", "empty_fields", None),
        ("repeated inputs", "duplicate_inputs", None),
        ("inputs also in the training data", "overlap_with_training", None),
    ),
    "head_to_head": (
        ("quality ratio, point estimate", "quality_ratio.point", "cost_quality_ratio"),
        ("quality ratio, lower bound of the bootstrap interval", "quality_ratio.lower", "cost_quality_ratio"),
        ("confidence of the interval", "quality_ratio.confidence", None),
        ("score that makes a task useful", "useful_task_score", "useful_task_score"),
        ("mean score", "systems.*.mean_score", None),
        ("10th / 50th / 90th percentile score", "systems.*.p10", None),
        ("median score", "systems.*.p50", None),
        ("90th percentile score", "systems.*.p90", None),
        ("cost per useful task (USD)", "systems.*.cost_per_useful_task", None),
        ("model of the buy rows", "models.buy", None),
        ("model of the candidate rows", "models.candidate", None),
        ("benchmark date (latest run)", "run_date", None),
        ("paired items", "items", None),
        ("item ids not in the eval set", "unknown_item_ids", None),
    ),
    "cost_model": (
        ("horizon (quarters)", "horizon_quarters", "cost_horizon_quarters"),
        ("usage scenarios", "scenarios", "cost_projection_scenarios"),
        ("engineering, training and monitoring cost (USD)", "fixed_cost_usd", None),
        ("buy token cost over the horizon (USD)", "scenarios.*.buy_cost_usd", None),
        ("candidate inference cost over the horizon (USD)", "scenarios.*.candidate_inference_cost_usd", None),
        ("savings net of the fixed cost (USD)", "scenarios.*.net_savings_usd", None),
    ),
    "prompting_log": (
        ("structured prompting hours", "total_hours", "domain_prompt_hours"),
        ("hours by variant family", "hours_by_variant.*", None),
        ("variant families tried", "variants", "domain_prompt_variants"),
        ("seniority levels", "seniority_levels", None),
        ("iterations", "iterations", "domain_plateau_window"),
        ("best-so-far gain over the plateau window", "plateau_gain", "domain_plateau_epsilon"),
    ),
    "domain_data": (
        ("unique high-quality examples", "high_quality_unique", "domain_examples"),
        ("rows", "rows_total", None),
        ("non-empty rows", "rows_nonempty", None),
        ("high-quality rows", "rows_high_quality", None),
        ("duplicate ids", "duplicate_ids", None),
    ),
    "corpus_manifest": (
        ("qualifying tokens (proprietary, domain-relevant, high quality)", "tokens_qualifying", "build_tokens"),
        ("tokens in the corpus", "tokens_total", None),
        ("shards", "shards", None),
        ("duplicate shards", "duplicate_shards", None),
        ("qualifying tokens by source", "tokens_qualifying_by_source.*", None),
    ),
}


def threshold_names(kind: str) -> list[str]:
    """The thresholds a kind's report shows, in order."""
    names: list[str] = []
    for _, _, name in MEASURES.get(kind, ()):
        if name and name not in names:
            names.append(name)
    return names


class Table:
    """A static HTML table (a notebook output that needs no script anywhere it is shown)."""

    def __init__(
        self, headers: Sequence[str], rows: Iterable[Sequence[Any]], *, caption: str = "", classes: Sequence[str] = ()
    ) -> None:
        self.headers = list(headers)
        self.rows = [list(r) for r in rows]
        self.caption = caption
        self.classes = list(classes) or [""] * len(self.rows)

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(h)}</th>" for h in self.headers)
        body = []
        for row, cls in zip(self.rows, self.classes):
            cells = "".join(f"<td>{_cell(v)}</td>" for v in row)
            body.append(f'<tr class="{cls}">{cells}</tr>' if cls else f"<tr>{cells}</tr>")
        caption = f"<caption>{html.escape(self.caption)}</caption>" if self.caption else ""
        return f'<table class="fmgate">{caption}<thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'

    def __repr__(self) -> str:
        lines = [" | ".join(self.headers)] + [" | ".join(_plain(v) for v in row) for row in self.rows]
        return (self.caption + "\n" if self.caption else "") + "\n".join(lines)


class Note:
    """A short paragraph of HTML (a message, a failure and its fix)."""

    def __init__(self, text: str, *, kind: str = "info") -> None:
        self.text = text
        self.kind = kind

    def _repr_html_(self) -> str:
        return f'<p class="fmgate-{self.kind}">{html.escape(self.text)}</p>'

    def __repr__(self) -> str:
        return self.text


def _plain(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() and abs(value) >= 1000 else f"{value:,.6g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(_plain(v) for v in value) or "none"
    if isinstance(value, Mapping):
        return "; ".join(f"{k} {_plain(v)}" for k, v in value.items())
    return str(value)


def _cell(value: Any) -> str:
    if isinstance(value, Markup):
        return str(value)
    return html.escape(_plain(value))


class Markup(str):
    """Text already escaped for HTML."""


# --- the steps ----------------------------------------------------------------------------------


def parameters(values: Mapping[str, Any]) -> Table:
    """The parameters the notebook ran with (the HTML hides the cell that sets them)."""
    shown = [(name, _show_parameter(value)) for name, value in values.items() if name != "verdict_context"]
    return Table(["parameter", "value"], shown, caption="Parameters")


def _show_parameter(value: Any) -> Any:
    if isinstance(value, Mapping):
        return json.dumps(value, sort_keys=True, default=str)
    return value


def attempt(kind: str, inputs: Sequence[tuple[str, Any]], measure: Callable[[], Any]) -> Any:
    """Run *measure*; an input that cannot be read becomes invalid evidence that says why.

    The notebook then goes on to show the failure (which file, which field,
    what to do) rather than stopping at a traceback; the document it writes
    is marked invalid, so the policy denies on it.
    """
    from .document import Evidence, InputFile

    try:
        return measure()
    except InputError as exc:
        # inputs read in place (references) are named in the message; only files are listed as read
        read = [InputFile(name, path) for name, path in inputs if isinstance(path, str) and Path(path).is_file()]
        return Evidence(kind, read, [], errors=[str(exc)])


def inputs(document: Mapping[str, Any]) -> Table:
    """Each input read: path, sha256, size, rows and date range, as provenance records them.

    An input read in place (a table, query or dataset) shows its source, the
    engine that read it, its pin and the content digest computed there.
    """
    rows = []
    for item in (document.get("provenance") or {}).get("inputs") or []:
        dates = f"{item['first_date']} to {item['last_date']}" if item.get("first_date") else None
        if "sha256" in item:
            where, digest = item.get("path"), item.get("sha256")
        else:
            pin = "; ".join(f"{k} {v}" for k, v in sorted((item.get("pin") or {}).items()))
            where = f"{item.get('path')} ({item.get('engine')}, pinned by {pin or 'nothing'})"
            digest = item.get("digest") or "no digest for this engine"
        rows.append((item.get("name"), where, digest, item.get("bytes"), item.get("rows"), dates))
    return Table(
        ["input", "path or source", "sha256 or content digest", "bytes", "rows", "dates"], rows, caption="Inputs read"
    )


def problems(document: Mapping[str, Any]) -> Table | Note:
    """What makes the evidence invalid, each with its fix; or that nothing does."""
    errors = list(document.get("errors") or [])
    if not errors:
        return Note(f"{document.get('kind')}: valid. Every critical expectation passed.", kind="pass")
    rows = []
    for error in errors:
        text, _, fix = str(error).partition("; fix: ")
        if not fix:
            text, _, fix = str(error).partition(" (fix: ")
            fix = fix.rstrip(")")
        rows.append((text, fix or "see the message"))
    return Table(
        ["what is wrong", "how to fix it"],
        rows,
        classes=["fail"] * len(rows),
        caption=f"{document.get('kind')}: NOT valid; the policy denies on this evidence",
    )


def expectations(document: Mapping[str, Any]) -> Table | Note:
    """Every great-expectations expectation that ran, with its column, result and failing examples."""
    checks = (document.get("validation") or {}).get("checks") or []
    if not checks:
        return Note("No expectation ran: the input could not be read (see above).", kind="fail")
    rows, classes = [], []
    for check in checks:
        unexpected = check.get("unexpected")
        total = check.get("total")
        counted = f"{unexpected:,} of {total:,}" if unexpected is not None and total is not None else None
        result = "pass" if check.get("success") else ("FAIL" if check.get("severity") == "critical" else "warning")
        rows.append(
            (
                check.get("input"),
                check.get("column"),
                check.get("expectation"),
                check.get("explain"),
                result,
                counted,
                check.get("examples") or None,
            )
        )
        classes.append("pass" if check.get("success") else ("fail" if result == "FAIL" else "warn"))
    passed = sum(1 for c in checks if c.get("success"))
    return Table(
        ["input", "column", "expectation", "what it checks", "result", "unexpected rows", "failing values"],
        rows,
        classes=classes,
        caption=f"great-expectations: {passed} of {len(checks)} expectations passed",
    )


def _resolve(measurements: Any, path: str) -> list[tuple[str, Any]]:
    """(suffix label, value) for each value a path names; ``*`` expands objects and lists."""
    found: list[tuple[str, Any]] = [("", measurements)]
    for part in path.split("."):
        nxt: list[tuple[str, Any]] = []
        for label, value in found:
            if part == "*":
                if isinstance(value, Mapping):
                    nxt.extend((f"{label} {key}".strip(), v) for key, v in value.items())
                elif isinstance(value, list):
                    for i, v in enumerate(value):
                        name = v.get("name") or v.get("start") if isinstance(v, Mapping) else None
                        nxt.append((f"{label} {name or i + 1}".strip(), v))
            elif isinstance(value, Mapping) and part in value:
                nxt.append((label, value[part]))
        found = nxt
    return found


def measurements(
    document: Mapping[str, Any], thresholds: Mapping[str, Any], sources: Mapping[str, str]
) -> Table | Note:
    """Each measurement the policy reads, beside the threshold it is held against and where that is set.

    This shows numbers side by side; whether each passes is the policy's
    verdict (the last step), never decided here.
    """
    kind = str(document.get("kind"))
    values = document.get("measurements") or {}
    if not document.get("valid") or not values:
        return Note("No measurements: numbers computed from data that failed its checks would mislead.", kind="fail")
    rows = []
    for label, path, threshold in MEASURES.get(kind, ()):
        for suffix, value in _resolve(values, path):
            if path == "scenarios" and isinstance(value, list):
                value = len(value)
            rows.append(
                (
                    f"{label} ({suffix})" if suffix else label,
                    value,
                    threshold,
                    thresholds.get(threshold) if threshold else None,
                    sources.get(threshold) if threshold else None,
                )
            )
    return Table(
        ["measurement", "value", "threshold", "threshold value", "set in"],
        rows,
        caption="What the policy reads, and what it is held against",
    )


def verdict(document: Mapping[str, Any], context: Mapping[str, Any] | None) -> Table | Note:
    """The policy's verdict on the checks this evidence feeds, asked of OPA.

    *context* carries the trusted policies folder, the organisation's
    settings as policy data, the memo as the policy sees it, and the
    evaluation date (``fmgate collect`` fills it in). The checks are those of
    ``evidence_checks`` in policy data, evaluated with this document as the
    memo's only evidence: the full decision is ``fmgate check``'s.
    """
    if not context:
        return Note(
            "No verdict: run through fmgate collect, or pass verdict_context "
            "(steps.context_from_repository) to ask the policy.",
            kind="info",
        )
    from ..engine import DECISION_PACKAGE, Engine

    kind = str(document.get("kind"))
    query = {"memo": context.get("memo") or {}, "evidence": {kind: dict(document)}, "now": context.get("now")}
    with Engine.start_local(Path(str(context["policies"]))) as engine:
        engine.put_data("fmgate/config", dict(context.get("config") or {}))
        checks = engine.query(query, DECISION_PACKAGE, "evidence_verdict").get(kind) or []
    if not checks:
        return Note(f"The policy reads no gate check from {kind} evidence.", kind="info")
    rows, classes = [], []
    for check in checks:
        rows.append(
            (
                check.get("id"),
                check.get("gate"),
                check.get("observed"),
                check.get("required"),
                "pass" if check.get("passed") else "FAIL",
                check.get("message"),
            )
        )
        classes.append("pass" if check.get("passed") else "fail")
    passed = sum(1 for c in checks if c.get("passed"))
    return Table(
        ["check", "gate", "observed", "required", "result", "the policy says"],
        rows,
        classes=classes,
        caption=f"The policy's verdict (OPA): {passed} of {len(checks)} checks this evidence feeds pass",
    )


def context_from_repository(root: str | Path, memo_path: str | Path, now: str | None = None) -> dict[str, Any]:
    """A verdict context from a repository checkout (for JupyterLab; collect builds its own)."""
    import datetime as dt

    from ..config import load_config
    from ..memo import load_memo
    from ..repo import Repository

    repo = Repository(Path(root).resolve())
    config = load_config(repo.root, repo.policy_defaults())
    memo = load_memo(Path(memo_path), repo.root)
    return {
        "policies": str(repo.policies_dir),
        "config": config.policy_data(),
        "memo": memo.policy_view(),
        "now": now or dt.datetime.now(dt.UTC).date().isoformat(),
    }
