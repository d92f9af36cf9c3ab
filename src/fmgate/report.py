"""Turning decision documents into what a person or a tool reads."""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any, Iterable

from .evaluate import Decision

GATE_TITLES = OrderedDict([
    ("memo", "Memo"),
    ("shared", "Shared fine-tune/build requirements"),
    ("cost_at_scale", "Fine-tune gate 1: cost at scale"),
    ("domain_expertise", "Fine-tune gate 2: domain expertise"),
    ("build", "Build gates"),
    ("relitigation", "Re-litigation"),
    ("provenance", "Provenance"),
])


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
        return json.dumps(value, sort_keys=True)
    return str(value)


def group_by_gate(items: Iterable[dict[str, Any]]) -> "OrderedDict[str, list[dict[str, Any]]]":
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
        lines.append(f"        observed {show_value(item.get('observed'))}; "
                     f"required {show_value(item.get('required'))}")
    if item.get("fix"):
        lines.append(f"        fix: {item['fix']}")
    return lines


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
        for gate, items in group_by_gate(doc.get("violations", [])).items():
            out.append(f"  {GATE_TITLES.get(gate, gate)}")
            for item in items:
                out.extend(_finding_lines(item, "x"))
        fired = [name for name, gate in (doc.get("gates") or {}).items()
                 if isinstance(gate, dict) and gate.get("fired")]
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
