"""Exception files (``exceptions/<id>.yaml``): read them for the policies, and scaffold a new one.

Each file waives some rules of one memo for a limited time. Python only
reads them; whether one is valid, in force, expiring or expired is the
policies' decision (``fmgate.exceptions``), so every command agrees.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from .errors import InputError
from .safe_yaml import load_yaml_file

FOLDER = "exceptions"
FIELDS = ("memo", "waives", "justification", "approved_by", "ticket", "granted", "expires")


def exception_paths(root: Path) -> list[Path]:
    folder = root / FOLDER
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def load_exceptions(root: Path) -> dict[str, dict[str, Any]]:
    """Every exception under *root*/exceptions/ by path, as ``data.fmgate.exception_files`` holds them.

    A file that is not a YAML mapping is bad input naming it; fields are
    passed on as written (dates as YYYY-MM-DD text) for the policies to judge.
    """
    found: dict[str, dict[str, Any]] = {}
    for path in exception_paths(root):
        relpath = path.relative_to(root).as_posix()
        data, _ = load_yaml_file(str(path), display=relpath, json_values=True)
        if not isinstance(data, dict):
            raise InputError(
                "an exception file must be a mapping of fields",
                path=relpath,
                fix=f"write the fields {', '.join(FIELDS)} (see 'fmgate new --exception')",
            )
        entry = {key: (value.isoformat() if isinstance(value, dt.date) else value) for key, value in data.items()}
        entry.update({"id": path.stem, "path": relpath})
        found[relpath] = entry
    return found


def template(exception_id: str, memo_id: str, rules: list[str], today: dt.date, max_days: int) -> str:
    """A new exception file for *memo_id*, granted today and expiring at the longest term allowed."""
    waived = ", ".join(rules) if rules else "RULE-ID"
    expires = today + dt.timedelta(days=max_days)
    return (
        f"# Exception {exception_id}: waives rules of one memo until it expires. Governance-owned:\n"
        f"# an exception approver (fmgate.yaml exception_approvers) other than the memo's proposer\n"
        f"# approves it, in its own pull request.\n"
        f"memo: {memo_id}\n"
        f"waives: [{waived}]          # rule IDs; PROV-*, MEMO-FIELDS and EXC-* can never be waived\n"
        f'justification: "<why the rule cannot be met now, and what makes it safe meanwhile>"\n'
        f'approved_by: "<an exception approver>"\n'
        f'ticket: "<ticket id or link>"\n'
        f"granted: {today.isoformat()}\n"
        f"expires: {expires.isoformat()}   # at most exception_max_days ({max_days}) after granted\n"
    )
