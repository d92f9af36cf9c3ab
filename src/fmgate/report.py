"""Turning decision documents into what a person or a tool reads."""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

from .evaluate import Decision

GATE_TITLES = OrderedDict(
    [
        ("memo", "Memo"),
        ("shared", "Shared fine-tune/build requirements"),
        ("cost_at_scale", "Fine-tune gate 1: cost at scale"),
        ("domain_expertise", "Fine-tune gate 2: domain expertise"),
        ("build", "Build gates"),
        ("relitigation", "Re-litigation"),
        ("provenance", "Provenance"),
    ]
)


def show_value(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(show_value(v) for v in value) + "]" if value else "[]"
    if isinstance(value, dict):
        return "; ".join(f"{k.replace('_', ' ')} {show_value(v)}" for k, v in sorted(value.items()))
    return str(value)


def group_by_gate(items: Iterable[dict[str, Any]]) -> OrderedDict[str, list[dict[str, Any]]]:
    groups: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
    for item in items:
        groups.setdefault(str(item.get("gate", "memo")), []).append(item)
    ordered: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
    for gate in list(GATE_TITLES) + [g for g in groups if g not in GATE_TITLES]:
        if gate in groups:
            ordered[gate] = groups[gate]
    return ordered


def _finding_lines(item: dict[str, Any], mark: str) -> list[str]:
    lines = [f"    {mark} {item.get('id', '?')}: {item.get('message', '')}"]
    if item.get("observed") is not None or item.get("required") is not None:
        lines.append(
            f"        observed {show_value(item.get('observed'))}; required {show_value(item.get('required'))}"
        )
    if item.get("fix"):
        lines.append(f"        fix: {item['fix']}")
    return lines


def review_line(document: dict[str, Any]) -> str | None:
    """Where MEMO-REVIEW read its approvals, in words: requests are never shown as approvals."""
    review = document.get("review")
    if not isinstance(review, dict):
        return None
    requested = ", ".join(review.get("requested") or []) or "nobody"
    if review.get("source") == "pull_request":
        approved = ", ".join(review.get("approved") or []) or "nobody"
        line = f"review: approved in the pull request by {approved} (requested: {requested})"
        stale = review.get("stale") or []
        return line + (f"; approvals of an earlier commit, not counted: {', '.join(stale)}" if stale else "")
    return (
        f"review: requested from {requested}, not approved (a memo's reviewers are requests: this preview "
        "counts them, CI counts only the pull request's approvals of its head commit)"
    )


def render_text(decisions: list[Decision]) -> str:
    out: list[str] = []
    for decision in decisions:
        doc = decision.document
        verdict = "APPROVED" if decision.allowed else "DENIED"
        out.append(f"{verdict}  {decision.memo.relpath}  ({doc.get('memo_id', decision.memo.memo_id)})")
        requested, supported = doc.get("requested"), doc.get("supported")
        line = f"  requested {show_value(requested)}"
        if supported and supported != requested:
            line += f"; the evidence supports {supported}"
        out.append(line)
        review = review_line(doc)
        if review:
            out.append(f"  {review}")
        for item in doc.get("waived") or []:
            out.append(f"  waived by an exception in force: {item.get('id')}: {item.get('message', '')}")
        for gate, items in group_by_gate(doc.get("violations", [])).items():
            out.append(f"  {GATE_TITLES.get(gate, gate)}")
            for item in items:
                out.extend(_finding_lines(item, "x"))
        fired = [
            name for name, gate in (doc.get("gates") or {}).items() if isinstance(gate, dict) and gate.get("fired")
        ]
        if fired:
            out.append("  gates fired: " + ", ".join(fired))
        warnings = doc.get("warnings", [])
        if warnings:
            out.append("  warnings")
            for item in warnings:
                out.extend(_finding_lines(item, "!"))
        out.append("")
    approved = sum(d.allowed for d in decisions)
    out.append(f"{approved} approved, {len(decisions) - approved} denied")
    return "\n".join(out)


def render_json(decisions: list[Decision]) -> str:
    documents = [d.document for d in decisions]
    payload: Any = documents[0] if len(documents) == 1 else documents
    return json.dumps(payload, indent=2, sort_keys=True)


def _md(value: Any) -> str:
    return show_value(value).replace("|", "\\|").replace("\n", " ")


def notebook_links(decision: Decision, link_base: str = "") -> dict[str, str]:
    """Rendered notebooks that exist for the memo, by evidence kind."""
    from pathlib import Path

    evidence_dir = Path(decision.memo.path).resolve().parents[1] / "evidence" / decision.memo.memo_id
    links = {}
    for html in sorted(evidence_dir.glob("*.html")):
        links[html.stem] = f"{link_base}evidence/{decision.memo.memo_id}/{html.name}"
    return links


def gate_evidence(gate: Any) -> list[str]:
    """The evidence kinds behind a gate's numbers, as the decision document names them (policy data)."""
    kinds = gate.get("evidence") if isinstance(gate, dict) else None
    return [str(k) for k in kinds] if isinstance(kinds, list) else []


def render_markdown(decisions: list[Decision], link_base: str = "") -> str:
    out: list[str] = []
    for decision in decisions:
        doc = decision.document
        verdict = "✅ approved" if decision.allowed else "❌ denied"
        out.append(f"### {verdict}: `{doc.get('memo_id', decision.memo.memo_id)}`")
        out.append("")
        supported = doc.get("supported")
        out.append(
            f"Requested **{doc.get('requested')}**; the evidence supports **{supported}**. "
            f"Memo: `{decision.memo.relpath}`."
        )
        out.append("")
        review = review_line(doc)
        if review:
            out.append(review[0].upper() + review[1:] + ".")
            out.append("")
        links = notebook_links(decision, link_base)
        violations = doc.get("violations", [])
        if violations:
            out.append("| rule | gate | finding | observed | required | fix |")
            out.append("|---|---|---|---|---|---|")
            for item in violations:
                out.append(
                    f"| `{item.get('id')}` | {item.get('gate')} | {_md(item.get('message'))} | "
                    f"{_md(item.get('observed'))} | {_md(item.get('required'))} | {_md(item.get('fix'))} |"
                )
            out.append("")
        for name, gate in (doc.get("gates") or {}).items():
            checks = gate.get("checks") or [] if isinstance(gate, dict) else []
            if not checks:
                continue
            state = "fired" if gate.get("fired") else "did not fire"
            if gate.get("exempt"):
                state += " (exempt workload shape)"
            folded = gate.get("needed") is not True
            if folded:  # gates the requested verb does not rest on: there, but out of the way
                out.append(f"<details><summary>{GATE_TITLES.get(name, name)}: {state}</summary>")
            else:
                out.append(f"**{GATE_TITLES.get(name, name)}**: {state}")
            out.append("")
            out.append("| check | observed | required | result |")
            out.append("|---|---|---|---|")
            for check in checks:
                result = "pass" if check.get("passed") else "**fail**"
                out.append(
                    f"| `{check.get('id')}` | {_md(check.get('observed'))} | {_md(check.get('required'))} | {result} |"
                )
            kinds = [k for k in gate_evidence(gate) if k in links]
            if kinds:
                out.append("")
                out.append("Rendered notebooks: " + ", ".join(f"[{k}]({links[k]})" for k in kinds))
            out.append("")
            if folded:
                out.append("</details>")
                out.append("")
        warnings = doc.get("warnings", [])
        if warnings:
            out.append("Warnings:")
            out.append("")
            for item in warnings:
                out.append(f"- `{item.get('id')}`: {_md(item.get('message'))}")
            out.append("")
        backed = {k for gate in (doc.get("gates") or {}).values() for k in gate_evidence(gate)}
        other = [k for k in links if k not in backed]
        if other:
            out.append("Other rendered notebooks: " + ", ".join(f"[{k}]({links[k]})" for k in other))
            out.append("")
    approved = sum(d.allowed for d in decisions)
    out.append(f"**{approved} approved, {len(decisions) - approved} denied**")
    return "\n".join(out) + "\n"


# Which front-matter field a finding is about, so annotations land on its line.
RULE_FIELDS = {
    "MEMO-FIELDS": "id",
    "MEMO-OWNER": "owner",
    "MEMO-REVIEW": "reviewers",
    "MEMO-CANDIDATES": "candidates",
    "MEMO-BUY-ALTERNATIVE": "buy_alternative",
    "MEMO-DIMENSIONS": "dimensions",
    "MEMO-CONFLICT": "workload",
    "MEMO-EVIDENCE-MISSING": "evidence",
    "MEMO-EVIDENCE-STALE": "evidence",
    "MEMO-LIFECYCLE": "status",
    "FT-BENCH-ORDER": "engineering_started",
    "FT-ANTI-OWN-MODEL": "rationale_tags",
    "FT-ANTI-HAVE-DATA": "rationale_tags",
    "FT-NO-GATE": "gates_claimed",
    "FT-DOMAIN-STABILITY": "domain",
    "WARN-DIMENSIONS-BUY": "dimensions",
    "WARN-COST-PROJECTION": "evidence",
}


def finding_line(decision: Decision, rule_id: str) -> int:
    lines = decision.memo.lines
    field = RULE_FIELDS.get(rule_id)
    if field is None:
        field = (
            "build"
            if rule_id.startswith("BUILD-")
            else "evidence"
            if rule_id.startswith(("FT-", "PROV-", "RELIT-"))
            else "decision"
        )
    return lines.get(field) or lines.get("decision") or 1


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(decisions: list[Decision]) -> str:
    """GitHub Actions workflow commands: one annotation per finding, on the memo's line."""
    out = []
    for decision in decisions:
        for level, items in (
            ("error", decision.document.get("violations", [])),
            ("warning", decision.document.get("warnings", [])),
        ):
            for item in items:
                rule_id = str(item.get("id", "?"))
                message = (
                    f"{item.get('message', '')} (observed {show_value(item.get('observed'))}; "
                    f"required {show_value(item.get('required'))})"
                )
                if item.get("fix"):
                    message += f" Fix: {item['fix']}"
                out.append(
                    f"::{level} file={_escape_property(decision.memo.relpath)},"
                    f"line={finding_line(decision, rule_id)},"
                    f"title={_escape_property(rule_id)}::{_escape_data(message)}"
                )
        verdict = "approved" if decision.allowed else "denied"
        out.append(
            f"::notice file={_escape_property(decision.memo.relpath)},line=1,"
            f"title=fmgate::{_escape_data(decision.memo.memo_id + ' ' + verdict)}"
        )
    return "\n".join(out)


def render_junit(decisions: list[Decision]) -> str:
    """JUnit XML: a suite per memo, a test case per gate check and per finding."""
    from xml.sax.saxutils import escape, quoteattr

    suites = []
    for decision in decisions:
        doc = decision.document
        cases = []
        for gate, info in (doc.get("gates") or {}).items():
            for check in (info or {}).get("checks", []) if isinstance(info, dict) else []:
                name = quoteattr(f"{gate}: {check.get('id')}")
                if check.get("passed"):
                    cases.append(f"    <testcase classname={quoteattr(decision.memo.memo_id)} name={name}/>")
                else:
                    text = escape(
                        f"observed {show_value(check.get('observed'))}; required {show_value(check.get('required'))}"
                    )
                    cases.append(
                        f"    <testcase classname={quoteattr(decision.memo.memo_id)} name={name}>"
                        f"<failure message={quoteattr(str(check.get('message', '')))}>{text}</failure></testcase>"
                    )
        for item in doc.get("violations", []):
            name = quoteattr(f"violation: {item.get('id')}")
            cases.append(
                f"    <testcase classname={quoteattr(decision.memo.memo_id)} name={name}>"
                f"<failure message={quoteattr(str(item.get('message', '')))}>"
                f"{escape(str(item.get('fix', '')))}</failure></testcase>"
            )
        if not cases:
            cases.append(f'    <testcase classname={quoteattr(decision.memo.memo_id)} name="decision"/>')
        failures = sum("<failure" in c for c in cases)
        suites.append(
            f'  <testsuite name={quoteattr(decision.memo.relpath)} tests="{len(cases)}" '
            f'failures="{failures}">\n' + "\n".join(cases) + "\n  </testsuite>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="fmgate">\n' + "\n".join(suites) + "\n</testsuites>"
    )


def render_sarif(decisions: list[Decision], rule_help: dict[str, str] | None = None) -> str:
    """SARIF 2.1.0 for code scanning: one result per finding, located on the memo."""
    rules: dict[str, dict[str, Any]] = {}
    results = []
    for decision in decisions:
        for level, items in (
            ("error", decision.document.get("violations", [])),
            ("warning", decision.document.get("warnings", [])),
        ):
            for item in items:
                rule_id = str(item.get("id", "?"))
                rules.setdefault(
                    rule_id, {"id": rule_id, "shortDescription": {"text": (rule_help or {}).get(rule_id, rule_id)}}
                )
                text = f"{item.get('message', '')} Fix: {item.get('fix', '')}".strip()
                results.append(
                    {
                        "ruleId": rule_id,
                        "level": level,
                        "message": {"text": text},
                        "locations": [
                            {
                                "physicalLocation": {
                                    "artifactLocation": {"uri": decision.memo.relpath},
                                    "region": {"startLine": finding_line(decision, rule_id)},
                                }
                            }
                        ],
                        "properties": {
                            "observed": item.get("observed"),
                            "required": item.get("required"),
                            "gate": item.get("gate"),
                        },
                    }
                )
    sarif = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "fmgate",
                        "informationUri": "https://fmgate.dev",
                        "rules": sorted(rules.values(), key=lambda r: r["id"]),
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(sarif, indent=2)


FORMATS: dict[str, Callable[[list[Decision]], str]] = {
    "text": render_text,
    "json": render_json,
    "markdown": render_markdown,
    "github": render_github,
    "junit": render_junit,
    "sarif": render_sarif,
}
