"""The rule catalogue, read from the policies' own `# METADATA` annotations via `opa inspect`."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .engine import find_opa
from .errors import EngineError


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    description: str
    gate: str
    severity: str
    package: str
    location: str


def catalogue(repo_root: Path) -> dict[str, Rule]:
    """Every annotated rule in policies/, keyed by rule ID."""
    policies = repo_root / "policies"
    binary = find_opa()
    try:
        completed = subprocess.run(
            [binary, "inspect", "--annotations", "--format", "json", str(policies)],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=repo_root,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise EngineError(f"opa inspect failed: {exc}", fix="run 'fmgate doctor'") from None
    if completed.returncode != 0:
        raise EngineError(f"opa inspect failed: {completed.stderr.strip()}", fix="run 'opa check --strict policies'")
    rules: dict[str, Rule] = {}
    for entry in json.loads(completed.stdout).get("annotations") or []:
        annotations = entry.get("annotations", {})
        custom = annotations.get("custom") or {}
        rule_id = custom.get("id")
        if not rule_id:
            continue
        location = entry.get("location", {})
        try:
            file = Path(location.get("file", "")).resolve().relative_to(repo_root.resolve()).as_posix()
        except ValueError:
            file = location.get("file", "")
        package = ".".join(str(p.get("value")) for p in entry.get("path", [])[1:-1])
        rules.setdefault(
            rule_id,
            Rule(
                id=rule_id,
                title=annotations.get("title", ""),
                description=" ".join(annotations.get("description", "").split()),
                gate=str(custom.get("gate", "")),
                severity=str(custom.get("severity", "deny")),
                package=package,
                location=f"{file}:{location.get('row', '?')}",
            ),
        )
    return rules
