"""Which approved decisions are due for re-litigation (the RELIT-* rules)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from .evaluate import Decision, DecisionSession, decide_all


@dataclass
class DueItem:
    decision: Decision
    findings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def next_due(self) -> str | None:
        return (self.decision.document.get("relitigation") or {}).get("next_due")


def relit_findings(document: dict[str, Any]) -> list[dict[str, Any]]:
    items = list(document.get("violations", [])) + list(document.get("warnings", []))
    return [item for item in items if str(item.get("id", "")).startswith("RELIT-")]


def due_decisions(session: DecisionSession, now: dt.date) -> tuple[list[DueItem], list[Decision]]:
    """(due, all approved decisions evaluated) over every approved memo in the repository."""
    approved = [m for m in session.repo.memos if m.memo.status == "approved"]
    evaluated = decide_all(session, approved, now)
    due = []
    for decision in evaluated:
        findings = relit_findings(decision.document)
        if findings or (decision.document.get("relitigation") or {}).get("due"):
            due.append(DueItem(decision, findings))
    return due, evaluated


def exception_report(session: DecisionSession, now: dt.date) -> list[dict[str, Any]]:
    """Every exception on record with its state at *now* (active, expiring, expired, invalid), as OPA judges it."""
    report = session.engine.query({"now": now.isoformat()}, "fmgate/exceptions", "report")
    return [item for item in report if isinstance(item, dict)] if isinstance(report, list) else []
