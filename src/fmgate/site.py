"""The decision register: a static HTML site of every memo, its decision and what is due.

    with DecisionSession.open(Path(".")) as session:
        result = build_site(session, Path("site"), dt.date.today())
        print(result.index)

The site is self-contained: inline CSS, one small inline script (the index
filters), relative links only, no fonts, scripts or styles from anywhere else.
It works opened straight from the file system and served by GitHub Pages.
Everything a memo author wrote is escaped; the memo body goes through
markdown-it with raw HTML disabled. Every page carries a Content-Security-Policy
that allows only the site's own inline script (by hash), as a second line of
defence.

The output folder holds a marker file listing what fmgate wrote. A folder
without the marker that already has content is refused unless forced, and a
rebuild removes only files the previous build listed.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined
from markdown_it import MarkdownIt
from markupsafe import Markup

from . import __version__
from .errors import InputError
from .evaluate import Decision, DecisionSession, decide_all
from .memo import MEMO_ID_PATTERN, MemoFile
from .relitigation import relit_findings
from .report import GATE_TITLES, gate_evidence, show_value

MARKER_NAME = ".fmgate-site.json"
MARKER_GENERATOR = "fmgate site"
# The longest stretch of a supersedes chain shown on one memo page (each way):
# keeps every page's size bounded whatever the history looks like.
CHAIN_LIMIT = 12

VERB_ORDER = ["buy", "fine-tune", "build"]
STATUS_ORDER = ["proposed", "approved", "rejected", "superseded", "retired"]


# -- output folder ------------------------------------------------------------


def _read_marker(out_dir: Path) -> dict[str, Any] | None:
    marker = out_dir / MARKER_NAME
    if not marker.is_file() or marker.is_symlink():
        return None
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict) or data.get("generator") != MARKER_GENERATOR:
        return None
    return data


def check_output_dir(out_dir: Path, *, force: bool = False) -> None:
    """Refuse to write into a folder with content that an earlier `fmgate site` did not make."""
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(
            "the output path exists and is not a folder", path=str(out_dir), fix="pass --out with a folder path"
        )
    if not out_dir.is_dir() or force:
        return
    if _read_marker(out_dir) is not None:
        return
    if any(out_dir.iterdir()):
        raise InputError(
            f"the folder is not empty and was not made by fmgate site (no {MARKER_NAME} in it)",
            path=str(out_dir),
            fix="choose an empty or new folder with --out, or pass --force to write into it anyway",
        )


def _inside(root: Path, relpath: str) -> Path | None:
    """root/relpath when relpath is a plain relative path that stays inside root."""
    pure = PurePosixPath(relpath)
    if pure.is_absolute() or not pure.parts or any(part in ("", ".", "..") for part in pure.parts):
        return None
    return root.joinpath(*pure.parts)


def _remove_previous(out_dir: Path, keep: set[str]) -> None:
    """Delete what the previous build listed in its marker and this build does not write."""
    marker = _read_marker(out_dir)
    if marker is None:
        return
    folders: set[Path] = set()
    for relpath in marker.get("files", []):
        if not isinstance(relpath, str) or relpath in keep:
            continue
        target = _inside(out_dir, relpath)
        if target is None or not (target.is_file() or target.is_symlink()):
            continue
        target.unlink()
        folders.update(p for p in target.parents if p != out_dir and out_dir in p.parents)
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        try:
            folder.rmdir()  # only when empty
        except OSError:
            pass


# -- names and links ----------------------------------------------------------


def page_name(memo_id: str) -> str:
    """A file name for a memo's page: the id itself when it is a proper kebab-case id."""
    if re.fullmatch(MEMO_ID_PATTERN, memo_id):
        return memo_id
    slug = re.sub(r"[^a-z0-9]+", "-", memo_id.lower()).strip("-")[:60] or "memo"
    return f"{slug}-{hashlib.sha256(memo_id.encode()).hexdigest()[:8]}"


def _href(*parts: str) -> str:
    return "/".join(quote(part, safe="") for part in parts)


# -- rendering helpers --------------------------------------------------------


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])

    # The page title is the only h1: memo headings move one level down.
    def heading_open(self: Any, tokens: list[Any], idx: int, options: Any, env: Any) -> str:
        token = tokens[idx]
        level = min(int(token.tag[1]) + 1, 6)
        token.tag = f"h{level}"
        return self.renderToken(tokens, idx, options, env)

    def heading_close(self: Any, tokens: list[Any], idx: int, options: Any, env: Any) -> str:
        token = tokens[idx]
        token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"
        return self.renderToken(tokens, idx, options, env)

    md.add_render_rule("heading_open", heading_open)
    md.add_render_rule("heading_close", heading_close)
    return md


def render_markdown(text: str) -> Markup:
    """Memo Markdown as HTML; raw HTML in the text comes out as visible, escaped text."""
    return Markup(_markdown().render(text or ""))


def _text(value: Any) -> str:
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _inline(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_inline(v)}" for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    return show_value(value)


def display(value: Any) -> str:
    """An observed or required value for a table cell: an object shows one key per line."""
    if isinstance(value, dict) and value:
        return "\n".join(f"{k}: {_inline(v)}" for k, v in sorted(value.items(), key=lambda kv: str(kv[0])))
    return _inline(value)


def _finding(item: Any) -> dict[str, Any]:
    item = item if isinstance(item, dict) else {"message": show_value(item)}
    gate = _text(item.get("gate"))
    return {
        "id": _text(item.get("id")) or "?",
        "gate": gate.replace("_", " "),
        "gate_title": GATE_TITLES.get(gate, gate),
        "message": _text(item.get("message")),
        "observed": display(item.get("observed")),
        "required": display(item.get("required")),
        "fix": _text(item.get("fix")),
    }


def _exceptions(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The memo's exceptions as the decision document lists them (the policy judged their state)."""
    items = document.get("exceptions")
    out = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict):
            out.append(
                {
                    "path": _text(item.get("path")),
                    "waives": [_text(r) for r in item.get("waives") or []],
                    "approved_by": _text(item.get("approved_by")),
                    "ticket": _text(item.get("ticket")),
                    "expires": _text(item.get("expires")),
                    "state": _text(item.get("state")),
                    "problems": [_text(p) for p in item.get("problems") or []],
                    "memo": _text(item.get("memo")),
                }
            )
    return out


def _gates(document: dict[str, Any], notebooks: dict[str, str]) -> list[dict[str, Any]]:
    gates = document.get("gates")
    if not isinstance(gates, dict):
        return []
    names = [g for g in GATE_TITLES if g in gates] + sorted(g for g in gates if g not in GATE_TITLES)
    out = []
    for name in names:
        gate = gates[name] if isinstance(gates[name], dict) else {}
        checks = []
        for check in gate.get("checks") or []:
            if not isinstance(check, dict):
                continue
            checks.append(
                {
                    "id": _text(check.get("id")) or "?",
                    "message": _text(check.get("message")),
                    "observed": display(check.get("observed")),
                    "required": display(check.get("required")),
                    "passed": check.get("passed") is True,
                }
            )
        state = "fired" if gate.get("fired") is True else "did not fire"
        out.append(
            {
                "name": name,
                "title": GATE_TITLES.get(name, name),
                "fired": gate.get("fired") is True,
                "exempt": gate.get("exempt") is True,
                "state": state,
                "needed": gate.get("needed") is True,
                "checks": checks,
                "notebooks": [(kind, notebooks[kind]) for kind in gate_evidence(gate) if kind in notebooks],
            }
        )
    return out


# -- the model the templates render ------------------------------------------


@dataclass
class MemoEntry:
    decision: Decision
    name: str  # page file name, without .html
    notebooks: list[tuple[str, Path]] = field(default_factory=list)  # (file name, source)
    superseded_by: list[str] = field(default_factory=list)

    @property
    def memo(self) -> MemoFile:
        return self.decision.memo

    @property
    def memo_id(self) -> str:
        return self.memo.memo_id

    @property
    def document(self) -> dict[str, Any]:
        return self.decision.document if isinstance(self.decision.document, dict) else {}

    @property
    def outcome(self) -> str:
        return "approved" if self.decision.allowed else "denied"

    @property
    def next_due(self) -> dt.date | None:
        relit = self.document.get("relitigation")
        return _as_date(relit.get("next_due")) if isinstance(relit, dict) else None

    def row(self) -> dict[str, Any]:
        m = self.memo.memo
        return {
            "id": self.memo_id,
            "href": f"memos/{_href(self.name + '.html')}",
            "title": _text(m.title),
            "workload": _text(m.workload),
            "requested": _text(self.document.get("requested")) or _text(m.decision),
            "supported": _text(self.document.get("supported")),
            "outcome": self.outcome,
            "status": _text(m.status) or "none",
            "owner": _text(m.owner),
            "date": _text(m.date),
            "next_due": _text(self.next_due),
        }


def _chain(start: str | None, step: Any, entries: dict[str, MemoEntry]) -> tuple[list[dict[str, Any]], bool]:
    """Follow `step` from `start`; stops at a loop, a missing id or CHAIN_LIMIT."""
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    current = start
    while current is not None and current not in seen:
        if len(out) >= CHAIN_LIMIT:
            return out, True
        seen.add(current)
        entry = entries.get(current)
        out.append(
            {
                "id": current,
                "href": _href(entry.name + ".html") if entry else None,
                "status": _text(entry.memo.memo.status) if entry else "missing",
            }
        )
        current = step(entry) if entry else None
    return out, False


def _lineage(entry: MemoEntry, entries: dict[str, MemoEntry]) -> dict[str, Any]:
    older, older_cut = _chain(entry.memo.memo.supersedes, lambda e: e.memo.memo.supersedes, entries)
    # Forward: the first successor at each step (others are listed under "superseded by").
    newer, newer_cut = _chain(
        entry.superseded_by[0] if entry.superseded_by else None,
        lambda e: e.superseded_by[0] if e.superseded_by else None,
        entries,
    )
    successors = [
        {"id": s, "href": _href(entries[s].name + ".html"), "status": _text(entries[s].memo.memo.status)}
        for s in entry.superseded_by[:CHAIN_LIMIT]
    ]
    return {
        "older": list(reversed(older)),
        "older_cut": older_cut,
        "newer": newer,
        "newer_cut": newer_cut,
        "successors": successors,
        "more_successors": max(0, len(entry.superseded_by) - CHAIN_LIMIT),
    }


def relitigation_schedule(entries: Iterable[MemoEntry], now: dt.date) -> dict[str, list[dict[str, Any]]]:
    """Approved decisions sorted into overdue, due, upcoming (by date) and unscheduled."""
    groups: dict[str, list[dict[str, Any]]] = {"overdue": [], "due": [], "upcoming": [], "unscheduled": []}
    for entry in entries:
        if entry.memo.memo.status != "approved":
            continue
        document = entry.document
        relit_value = document.get("relitigation")
        relit: dict[str, Any] = relit_value if isinstance(relit_value, dict) else {}
        findings = [_finding(f) for f in relit_findings(document)]
        reasons = [_text(r) for r in relit.get("reasons") or [] if r]
        flagged = bool(findings) or relit.get("due") is True
        next_due = entry.next_due
        item = {**entry.row(), "findings": findings, "reasons": reasons, "days": None}
        if next_due is not None and next_due < now:
            item["days"] = (now - next_due).days
            groups["overdue"].append(item)
        elif flagged:
            groups["due"].append(item)
        elif next_due is not None:
            item["days"] = (next_due - now).days
            groups["upcoming"].append(item)
        else:
            groups["unscheduled"].append(item)
    groups["overdue"].sort(key=lambda i: (i["next_due"], i["id"]))
    groups["due"].sort(key=lambda i: (i["next_due"] or "", i["id"]))
    groups["upcoming"].sort(key=lambda i: (i["next_due"], i["id"]))
    groups["unscheduled"].sort(key=lambda i: i["id"])
    return groups


# -- templates ----------------------------------------------------------------


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("fmgate", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _asset(name: str) -> str:
    env = _environment()
    assert env.loader is not None
    return env.loader.get_source(env, name)[0]


def _csp(script: str | None) -> str:
    script_src = "'none'"
    if script is not None:
        digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
        script_src = f"'sha256-{digest}'"
    return (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
        f"script-src {script_src}; base-uri 'none'; form-action 'none'"
    )


def _render(template: str, **context: Any) -> str:
    script = context.pop("script", None)
    return (
        _environment()
        .get_template(template)
        .render(
            css=Markup(_asset("style.css")),
            script=Markup(script) if script else None,
            csp=_csp(script),
            version=__version__,
            **context,
        )
    )


def _options(values: Iterable[str], order: list[str]) -> list[str]:
    present = set(values)
    return [v for v in order if v in present] + sorted(present - set(order))


# -- building -----------------------------------------------------------------


@dataclass
class SiteResult:
    out_dir: Path
    index: Path
    relitigation: Path
    pages: list[Path]
    notebooks: list[Path]
    approved: int
    denied: int
    due: int
    overdue: int

    @property
    def memos(self) -> int:
        return len(self.pages)

    @property
    def files(self) -> list[Path]:
        return [self.index, self.relitigation, *self.pages, *self.notebooks]


def _notebooks(session: DecisionSession, memo_id: str) -> list[tuple[str, Path]]:
    if not re.fullmatch(MEMO_ID_PATTERN, memo_id):
        return []  # no evidence folder can belong to an id that is not a proper id
    folder = session.repo.evidence_dir(memo_id)
    if not folder.is_dir():
        return []
    return [(p.name, p) for p in sorted(folder.glob("*.html")) if p.is_file() and not p.is_symlink()]


def _record_statuses(
    session: DecisionSession, entries: dict[str, MemoEntry], records_dir: Path | None
) -> dict[str, Any]:
    """Memo id -> the register's view of its decision record (records/<memo-id>.intoto.json or .dsse.json)."""
    if records_dir is None:
        return {}
    from .records import find_records, register_status

    found = find_records(Path(records_dir))
    return {
        memo_id: register_status(found[memo_id], session.repo.root, session.repo.rules_root, entry.document)
        for memo_id, entry in entries.items()
        if memo_id in found
    }


def build_site(
    session: DecisionSession, out_dir: Path, now: dt.date, *, force: bool = False, records_dir: Path | None = None
) -> SiteResult:
    """Decide every memo in the session's repository and write the register to *out_dir*.

    With *records_dir*, each memo that has a decision record there shows whether it still
    matches the files, and the decision as it was made when today's differs.

    Every decision is made before anything is written, so a failure leaves the
    previous register in place.
    """
    out_dir = Path(out_dir)
    check_output_dir(out_dir, force=force)

    entries: dict[str, MemoEntry] = {}
    for decision in decide_all(session, session.repo.memos, now):
        memo_id = decision.memo.memo_id
        entries[memo_id] = MemoEntry(decision, page_name(memo_id), _notebooks(session, memo_id))
    for entry in entries.values():
        target = entry.memo.memo.supersedes
        if target and target != entry.memo_id and target in entries:
            entries[target].superseded_by.append(entry.memo_id)
    for entry in entries.values():
        entry.superseded_by.sort()

    # newest first; same day: by id
    ordered = sorted(entries.values(), key=lambda e: (-(e.memo.memo.date or dt.date.min).toordinal(), e.memo_id))
    rows = [e.row() for e in ordered]
    record_statuses = _record_statuses(session, entries, records_dir)
    for row in rows:
        status = record_statuses.get(row["id"])
        row["record"] = status.state if status is not None else ""
    schedule = relitigation_schedule(ordered, now)
    relit_state = {**{i["id"]: "due" for i in schedule["due"]}, **{i["id"]: "overdue" for i in schedule["overdue"]}}
    for row in rows:
        row["relit"] = relit_state.get(row["id"], "")
    counts = {
        "memos": len(rows),
        "approved": sum(r["outcome"] == "approved" for r in rows),
        "denied": sum(r["outcome"] == "denied" for r in rows),
        "due": len(schedule["due"]),
        "overdue": len(schedule["overdue"]),
    }

    pages: dict[str, str] = {}
    copies: dict[str, Path] = {}
    pages["index.html"] = _render(
        "index.html.j2",
        root="",
        page="index",
        now=now.isoformat(),
        rows=rows,
        counts=counts,
        statuses=_options((r["status"] for r in rows), STATUS_ORDER + ["none"]),
        verbs=_options((r["requested"] for r in rows if r["requested"]), VERB_ORDER),
        script=_asset("filters.js"),
    )
    expiring = sorted(
        (
            dict(item, href=_href("memos", entry.name + ".html"))
            for entry in ordered
            for item in _exceptions(entry.document)
            if item["state"] in ("expiring", "expired")
        ),
        key=lambda i: (i["expires"], i["path"]),
    )
    pages["relitigation.html"] = _render(
        "relitigation.html.j2",
        root="",
        page="relitigation",
        now=now.isoformat(),
        schedule=schedule,
        counts=counts,
        exceptions=expiring,
    )

    for entry in ordered:
        notebook_links: dict[str, str] = {}
        notebook_list = []
        for file_name, source in entry.notebooks:
            relpath = f"evidence/{entry.name}/{file_name}"
            copies[relpath] = source
            href = "../" + _href("evidence", entry.name, file_name)
            kind = Path(file_name).stem
            notebook_links[kind] = href
            notebook_list.append((kind, href))
        document = entry.document
        relit_value = document.get("relitigation")
        relit: dict[str, Any] = relit_value if isinstance(relit_value, dict) else {}
        m = entry.memo.memo
        proposer = m.proposer
        alternative = m.buy_alternative
        dimensions = m.dimensions
        details = [
            ("Workload", _text(m.workload)),
            ("Workload shape", _text(m.workload_shape)),
            ("Owner", _text(m.owner)),
            ("Memo date", _text(m.date)),
            (
                "Proposer",
                " / ".join(x for x in (_text(proposer.team), _text(proposer.type), _text(proposer.person)) if x)
                if proposer
                else "",
            ),
            ("Review requested from", _text(m.reviewers)),
            (
                "Buy alternative",
                " / ".join(
                    x
                    for x in (_text(alternative.provider), _text(alternative.model), _text(alternative.deployment))
                    if x
                )
                if alternative
                else "",
            ),
            (
                "Dimensions",
                ", ".join(
                    f"{k.replace('_', ' ')}: {_text(v)}" for k, v in dimensions.model_dump().items() if v is not None
                )
                if dimensions
                else "",
            ),
            ("Rationale tags", _text(m.rationale_tags)),
            ("Gates claimed", _text(m.gates_claimed)),
            ("Engineering started", _text(m.engineering_started)),
            ("Source", entry.memo.relpath),
        ]
        pages[f"memos/{entry.name}.html"] = _render(
            "memo.html.j2",
            root="../",
            page="memo",
            now=now.isoformat(),
            row=entry.row(),
            details=details,
            violations=[_finding(v) for v in document.get("violations") or []],
            warnings=[_finding(w) for w in document.get("warnings") or []],
            gates=_gates(document, notebook_links),
            notebooks=notebook_list,
            relitigation={
                "due": relit.get("due") is True,
                "next_due": _text(relit.get("next_due")),
                "reasons": [_text(r) for r in relit.get("reasons") or [] if r],
            },
            exceptions=_exceptions(document),
            waived=[_finding(w) for w in document.get("waived") or []],
            lineage=_lineage(entry, entries),
            body=render_markdown(entry.memo.body),
            record=record_statuses.get(entry.memo_id),
            document_json=json.dumps(document, indent=2, sort_keys=True, default=str),
        )

    written = sorted(set(pages) | set(copies) | {".nojekyll"})
    _remove_previous(out_dir, set(written))
    out_dir.mkdir(parents=True, exist_ok=True)
    for page_path, text in pages.items():
        page_target = out_dir / page_path
        page_target.parent.mkdir(parents=True, exist_ok=True)
        page_target.write_text(text, encoding="utf-8")
    for copy_path, source in copies.items():
        copy_target = out_dir / copy_path
        copy_target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, copy_target)
    (out_dir / ".nojekyll").write_text("", encoding="utf-8")  # GitHub Pages: serve files as they are
    (out_dir / MARKER_NAME).write_text(
        json.dumps(
            {"generator": MARKER_GENERATOR, "version": __version__, "now": now.isoformat(), "files": written}, indent=1
        )
        + "\n",
        encoding="utf-8",
    )

    return SiteResult(
        out_dir=out_dir,
        index=out_dir / "index.html",
        relitigation=out_dir / "relitigation.html",
        pages=[out_dir / "memos" / f"{e.name}.html" for e in ordered],
        notebooks=[out_dir / p for p in sorted(copies)],
        approved=counts["approved"],
        denied=counts["denied"],
        due=counts["due"],
        overdue=counts["overdue"],
    )
