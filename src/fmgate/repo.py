"""The decision repository on disk: its root, its memos and the paths they name."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from .errors import InputError
from .memo import MemoFile, load_memo

ROOT_MARKER = "fmgate.yaml"


def find_root(start: Path | None = None) -> Path:
    """Walk up from *start* to the folder holding fmgate.yaml."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / ROOT_MARKER).is_file():
            return folder
    raise InputError(
        f"no {ROOT_MARKER} here or in any parent folder",
        path=str(here),
        fix="run fmgate inside a decision repository or pass --repo DIR",
    )


def resolve_inside(root: Path, relpath: str, *, source: str, field: str) -> Path:
    """Resolve a repository-relative path, refusing anything that leaves the repository."""
    candidate = Path(relpath)
    if candidate.is_absolute():
        raise InputError(
            f"path {relpath!r} is absolute", path=source, field=field, fix="use a path relative to the repository root"
        )
    resolved = (root / candidate).resolve()
    try:
        resolved.relative_to(root.resolve())
    except ValueError:
        raise InputError(
            f"path {relpath!r} points outside the repository",
            path=source,
            field=field,
            fix="keep evidence inputs inside the repository",
        ) from None
    return resolved


@dataclass
class Repository:
    """A decision repository.

    The pull-request job decides a branch's memos with the base branch's
    policies, notebooks, schemas and settings: *trusted_root* is where those
    come from (the repository itself by default), and *evidence_root* where
    evidence documents are read (regenerated evidence in CI).
    """

    root: Path
    trusted_root: Path | None = None
    evidence_root: Path | None = None
    #: leave unreadable memos out of :attr:`memos` and the index (listed in :attr:`unreadable`) instead of raising
    skip_unreadable: bool = False

    @property
    def rules_root(self) -> Path:
        return self.trusted_root or self.root

    @property
    def memos_dir(self) -> Path:
        return self.root / "memos"

    @property
    def policies_dir(self) -> Path:
        return self.rules_root / "policies"

    @property
    def notebooks_dir(self) -> Path:
        return self.rules_root / "notebooks"

    @property
    def schemas_dir(self) -> Path:
        return self.rules_root / "schemas"

    def evidence_dir(self, memo_id: str) -> Path:
        return (self.evidence_root or self.root / "evidence") / memo_id

    def memo_paths(self) -> list[Path]:
        if not self.memos_dir.is_dir():
            return []
        return sorted(p for p in self.memos_dir.glob("*.md") if p.name.lower() != "readme.md")

    @cached_property
    def _parsed(self) -> tuple[list[MemoFile], list[InputError], dict[str, InputError]]:
        """Every memo parsed once: the usable ones, the problems, and the problems by memo path."""
        parsed: list[MemoFile] = []
        problems: list[tuple[str, InputError]] = []
        for path in self.memo_paths():
            try:
                parsed.append(load_memo(path, self.root))
            except InputError as exc:
                shown = path.relative_to(self.root).as_posix()  # as listed, whatever a link points at
                if exc.path == str(path):
                    exc.path = shown
                problems.append((shown, exc))
        seen: dict[str, str] = {}
        usable = []
        for memo in parsed:
            if memo.memo_id in seen:
                problems.append(
                    (
                        memo.relpath,
                        InputError(
                            f"memo id {memo.memo_id!r} is also used by {seen[memo.memo_id]}",
                            path=memo.relpath,
                            field="id",
                            line=memo.lines.get("id"),
                            fix="give each memo a unique id (one evidence folder per id)",
                        ),
                    )
                )
                continue
            seen[memo.memo_id] = memo.relpath
            usable.append(memo)
        return usable, [exc for _, exc in problems], dict(problems)

    def readable_memos(self) -> tuple[list[MemoFile], list[InputError]]:
        """(the memos that parse, with unique ids; an InputError for each memo left out)."""
        usable, problems, _ = self._parsed
        return usable, problems

    @property
    def unreadable(self) -> list[InputError]:
        """The memos left out of :attr:`memos` and the index: unparsable, or an id already taken."""
        return self._parsed[1]

    @property
    def memos(self) -> list[MemoFile]:
        """Every memo in the repository, parsed; an unreadable memo or a duplicate id is bad input.

        With *skip_unreadable* the memos that can be used, the others in :attr:`unreadable`:
        whoever decides with such a repository must report those and approve nothing.
        """
        usable, problems, _ = self._parsed
        if problems and not self.skip_unreadable:
            raise problems[0]
        return usable

    @cached_property
    def _resolved_root(self) -> Path:
        return self.root.resolve()

    @cached_property
    def _memos_by_relpath(self) -> dict[str, MemoFile]:
        return {memo.relpath: memo for memo in self.memos}

    def _relpath(self, path: Path) -> str | None:
        try:
            return Path(path).resolve().relative_to(self._resolved_root).as_posix()
        except (ValueError, OSError, RuntimeError):  # outside the repository (or a symlink loop)
            return None

    def load(self, path: Path) -> MemoFile:
        """A memo named on the command line, parsed; reuses the repository's parse."""
        relpath = self._relpath(path)
        known = self._memos_by_relpath.get(relpath) if relpath is not None else None
        if known is None and relpath is not None and relpath in self._parsed[2]:
            raise self._parsed[2][relpath]  # left out of the index: never decided
        return known if known is not None else load_memo(Path(path), self.root)

    def index(self) -> dict[str, Any]:
        """What MEMO-CONFLICT and lifecycle rules see of every memo."""
        memos: dict[str, Any] = {}
        for memo in self.memos:
            m = memo.memo
            memos[memo.memo_id] = {
                "id": memo.memo_id,
                "path": memo.relpath,
                "workload": m.workload,
                "status": m.status,
                "decision": m.decision,
                "supersedes": m.supersedes,
                "owner": m.owner,
                "date": m.date.isoformat() if m.date else None,
            }
        # Lookup tables so a policy touches only the memos that matter to one
        # decision, whatever the size of the repository.
        by_workload: dict[str, list[str]] = {}
        for memo_id, summary in memos.items():
            if isinstance(summary["workload"], str):
                by_workload.setdefault(summary["workload"], []).append(memo_id)
        by_path = {summary["path"]: memo_id for memo_id, summary in memos.items()}
        # memos left out (skip_unreadable): the index is incomplete, nothing decided with it may pass
        unreadable = sorted(self._parsed[2])
        return {"memos": memos, "by_workload": by_workload, "by_path": by_path, "unreadable": unreadable}

    def policy_defaults(self) -> dict[str, Any]:
        """The defaults shipped in policy data (thresholds, vocabularies, required fields)."""
        path = self.policies_dir / "data.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return data["fmgate"]["defaults"]
        except FileNotFoundError:
            raise InputError(
                "policy data not found", path=str(path), fix="restore policies/data.json from the repository"
            ) from None
        except (ValueError, KeyError, TypeError):
            raise InputError(
                "policy data has no fmgate.defaults object",
                path=str(path),
                fix="restore policies/data.json from the repository",
            ) from None
