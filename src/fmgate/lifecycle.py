"""Memo lifecycle rules: how a memo's status may move, and how supersedes links must hang together.

A decided memo is a record. Once a memo is approved its decision fields are
frozen: the only way to change the decision is a new memo whose `supersedes`
names it, after which the old memo's status moves to `superseded`. The same
holds for memos that were rejected, superseded or retired.

    check_transition(old, new)   one memo, before and after a change (old is None for a new memo)
    check_repository(memos)      every memo at once: supersedes links and superseded statuses

Both return a list of problems, each `{path, field, message, fix}`; an empty
list means the change (or the repository) is fine. Memos may be given as
front-matter dicts (optionally with a `path` key, as in the policy view) or as
parsed `MemoFile`s.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, TypedDict

from .memo import MemoFile


class Problem(TypedDict):
    path: str
    field: str
    message: str
    fix: str


# Where a status may go next. A memo without a status is a draft and counts as proposed.
TRANSITIONS: dict[str, frozenset[str]] = {
    "proposed": frozenset({"proposed", "approved", "rejected", "retired"}),
    "approved": frozenset({"approved", "superseded", "retired"}),
    "rejected": frozenset({"rejected"}),
    "superseded": frozenset({"superseded"}),
    "retired": frozenset({"retired"}),
}
# Statuses whose memo is a decided record: their decision fields may not change.
DECIDED = frozenset({"approved", "rejected", "superseded", "retired"})
# Fields that may change on a decided memo: its status (within TRANSITIONS) and its
# display title. Every other front-matter field is part of the decision.
EDITABLE_WHEN_DECIDED = frozenset({"status", "title"})
# Keys that are not front matter (the policy view adds the file's path).
NOT_FRONT_MATTER = frozenset({"path"})


def _problem(path: str, field: str, message: str, fix: str) -> Problem:
    return {"path": path, "field": field, "message": message, "fix": fix}


def _front_matter(memo: Mapping[str, Any] | MemoFile) -> tuple[dict[str, Any], str | None]:
    """(front matter, path) of a memo given as a dict or a MemoFile."""
    if isinstance(memo, MemoFile):
        return dict(memo.front_matter), memo.relpath
    data = dict(memo)
    path = data.get("path")
    return data, path if isinstance(path, str) else None


def _normal(value: Any) -> Any:
    """A comparable form: dates as ISO strings, mappings with sorted keys, tuples as lists."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _normal(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple)):
        return [_normal(v) for v in value]
    return value


def _normal_field(name: str, value: Any) -> Any:
    if name == "evidence" and isinstance(value, Mapping):
        # `kind: path` and `kind: {path: path}` mean the same thing.
        value = {k: ({"path": v} if isinstance(v, str) else v) for k, v in value.items()}
    return _normal(value)


def _status(data: Mapping[str, Any]) -> str:
    status = data.get("status")
    return status if isinstance(status, str) and status else "proposed"


def _memo_id(data: Mapping[str, Any], path: str | None) -> str | None:
    memo_id = data.get("id")
    if isinstance(memo_id, str) and memo_id:
        return memo_id
    if path:
        name = path.rsplit("/", 1)[-1]
        return name[:-3] if name.endswith(".md") else name
    return None


def _where(path: str | None, memo_id: str | None) -> str:
    return path or (f"memos/{memo_id}.md" if memo_id else "memos/")


def check_transition(
    old: Mapping[str, Any] | MemoFile | None, new: Mapping[str, Any] | MemoFile, *, path: str | None = None
) -> list[Problem]:
    """Problems with changing one memo from *old* (None: a new file) to *new*."""
    new_data, new_path = _front_matter(new)
    problems: list[Problem] = []
    if old is None:
        return problems
    old_data, old_path = _front_matter(old)
    where = _where(path or new_path or old_path, _memo_id(new_data, new_path) or _memo_id(old_data, old_path))
    before, after = _status(old_data), _status(new_data)

    allowed = TRANSITIONS.get(before)
    if allowed is not None and after not in allowed:
        if before == "approved":
            fix = (
                "an approved memo only becomes superseded (when a new memo names it in "
                "'supersedes') or retired; write a new memo to change the decision"
            )
        elif before in ("rejected", "superseded", "retired"):
            fix = (
                f"a {before} memo is final; write a new memo (with 'supersedes: "
                f"{_memo_id(old_data, old_path) or '<this id>'}' if it replaces this one)"
            )
        else:
            fix = f"from {before} a memo may become: {', '.join(sorted(allowed))}"
        problems.append(_problem(where, "status", f"status may not change from {before} to {after}", fix))

    if before in DECIDED:
        names = sorted((set(old_data) | set(new_data)) - EDITABLE_WHEN_DECIDED - NOT_FRONT_MATTER)
        for name in names:
            if _normal_field(name, old_data.get(name)) != _normal_field(name, new_data.get(name)):
                old_id = _memo_id(old_data, old_path) or "<this id>"
                problems.append(
                    _problem(
                        where,
                        name,
                        f"the memo is {before}; its decision field '{name}' may not be edited",
                        f"restore '{name}' and write a new memo with 'supersedes: {old_id}' to change the decision",
                    )
                )
    return problems


def check_repository(memos: Iterable[Mapping[str, Any] | MemoFile]) -> list[Problem]:
    """Problems with the supersedes links across every memo of a repository."""
    entries: list[tuple[str | None, str, dict[str, Any]]] = []
    for memo in memos:
        data, path = _front_matter(memo)
        memo_id = _memo_id(data, path)
        entries.append((memo_id, _where(path, memo_id), data))
    by_id: dict[str, tuple[str, dict[str, Any]]] = {}
    for memo_id, where, data in entries:
        if memo_id is not None:
            by_id.setdefault(memo_id, (where, data))

    problems: list[Problem] = []
    named_by: dict[str, list[str]] = {}
    edges: dict[str, str] = {}
    for memo_id, where, data in entries:
        target = data.get("supersedes")
        if target in (None, ""):
            continue
        if not isinstance(target, str):
            problems.append(
                _problem(
                    where,
                    "supersedes",
                    "supersedes must be one memo id",
                    "name the id of the memo this one replaces, or null",
                )
            )
            continue
        if target == memo_id:
            problems.append(
                _problem(
                    where,
                    "supersedes",
                    "the memo supersedes itself",
                    "name the id of the earlier memo this one replaces, or null",
                )
            )
            continue
        if target not in by_id:
            problems.append(
                _problem(
                    where,
                    "supersedes",
                    f"supersedes {target!r}, but no memo has that id",
                    "name the id of an existing memo (see memos/), or null",
                )
            )
            continue
        named_by.setdefault(target, []).append(memo_id or where)
        if memo_id is not None:
            edges[memo_id] = target

    for memo_id, where, data in entries:
        if _status(data) == "superseded" and (memo_id is None or memo_id not in named_by):
            problems.append(
                _problem(
                    where,
                    "status",
                    "the memo is superseded, but no memo names it in supersedes",
                    f"add 'supersedes: {memo_id}' to the memo that replaces it, or give this memo its real status",
                )
            )

    # An approved memo that replaces another leaves it approved: two live decisions.
    for memo_id, _shown, data in entries:
        target = edges.get(memo_id) if memo_id else None
        if target is None or _status(data) != "approved":
            continue
        target_where, target_data = by_id[target]
        if _status(target_data) == "approved":
            problems.append(
                _problem(
                    target_where,
                    "status",
                    f"the memo is superseded by the approved memo {memo_id!r} but is still approved",
                    "set its status to superseded in the same change",
                )
            )

    # Loops: follow each memo's supersedes links; report every loop once.
    reported: set[frozenset[str]] = set()
    for start in sorted(edges):
        path_ids: list[str] = []
        position: dict[str, int] = {}
        current: str | None = start
        while current is not None and current in edges and current not in position:
            position[current] = len(path_ids)
            path_ids.append(current)
            current = edges[current]
        if current is None or current not in position:
            continue
        loop = path_ids[position[current] :]
        key = frozenset(loop)
        if key in reported:
            continue
        reported.add(key)
        first = min(loop)
        rotated = loop[loop.index(first) :] + loop[: loop.index(first)]
        shown = " -> ".join(rotated + [first])
        problems.append(
            _problem(
                by_id[first][0],
                "supersedes",
                f"supersedes links form a loop: {shown}",
                "a memo can only supersede an older memo; remove one of the links",
            )
        )
    return problems
