"""The decision register (fmgate site), without a browser and without OPA.

Decisions come from a stand-in session whose documents have the shape of
docs/policy-input.md, so these tests pin the rendering, not the policies
(tests/test_site_browser.py runs the real thing end to end).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from fmgate.errors import InputError
from fmgate.evaluate import Decision
from fmgate.memo import MemoFile
from fmgate.repo import Repository
from fmgate.site import MARKER_NAME, build_site, page_name, render_markdown

NOW = dt.date(2026, 11, 24)


def memo_text(
    memo_id: str,
    *,
    decision: str = "buy",
    status: str = "proposed",
    title: str | None = None,
    workload: str | None = None,
    supersedes: str | None = None,
    body: str = "Why we decided.\n",
    owner: str = "dana.kim",
) -> str:
    return f"""---
id: {memo_id}
title: {json.dumps(title or f"Decision {memo_id}")}
workload: {json.dumps(workload or f"{memo_id}-workload")}
workload_shape: standard
decision: {decision}
status: {status}
date: 2026-11-02
owner: {owner}
proposer: {{team: support-ml, type: in-house, person: ana.lee}}
reviewers: [lee.wong]
engineering_started: null
supersedes: {supersedes or "null"}
buy_alternative: {{provider: example-ai, model: frontier-1, deployment: public-api}}
dimensions: {{criticality: supportive, workflow_complexity: simple, control_need: low}}
candidates:
  buy: "Good enough today."
  fine-tune: "Not needed at this volume."
  build: "Not our business."
rationale_tags: [quality]
gates_claimed: []
evidence: {{}}
---
{body}"""


def make_repo(tmp_path: Path, memos: dict[str, str]) -> Path:
    root = tmp_path / "repo"
    (root / "memos").mkdir(parents=True)
    (root / "evidence").mkdir()
    (root / "fmgate.yaml").write_text("decision_owners: [dana.kim]\n")
    for memo_id, text in memos.items():
        (root / "memos" / f"{memo_id}.md").write_text(text, encoding="utf-8")
    return root


def document_for(memo: MemoFile, now: dt.date) -> dict[str, Any]:
    """A decision document of the contract's shape: buy approved, anything else denied."""
    m = memo.memo
    approved = m.decision == "buy"
    check = {"id": "FT-COST-VOLUME", "passed": False, "observed": 2400000, "required": 10000000}
    return {
        "memo_id": memo.memo_id,
        "requested": m.decision,
        "allowed": approved,
        "outcome": "approved" if approved else "denied",
        "supported": "buy",
        "violations": []
        if approved
        else [
            {
                "id": "FT-NO-GATE",
                "gate": "shared",
                "message": "neither fine-tune gate fired",
                "observed": [],
                "required": ["cost_at_scale", "domain_expertise"],
                "fix": "collect evidence",
            },
            {
                "id": "FT-COST-VOLUME",
                "gate": "cost_at_scale",
                "message": "volume under the threshold",
                "observed": 2400000,
                "required": 10000000,
                "fix": "wait for volume",
            },
        ],
        "warnings": []
        if not approved
        else [
            {
                "id": "WARN-COST-PROJECTION",
                "gate": "memo",
                "message": "no projected-cost scenarios",
                "observed": 0,
                "required": 2,
            }
        ],
        "gates": {
            "cost_at_scale": {
                "fired": False,
                "exempt": False,
                "checks": [check],
                "needed": m.decision == "fine-tune",
                "evidence": ["usage_log", "head_to_head", "cost_model"],
            },
            "domain_expertise": {
                "fired": False,
                "exempt": False,
                "checks": [],
                "needed": m.decision == "fine-tune",
                "evidence": ["prompting_log", "eval_set", "domain_data"],
            },
            "build": {
                "fired": False,
                "needed": m.decision == "build",
                "evidence": ["corpus_manifest"],
                "checks": [{"id": "BUILD-DATA", "passed": True, "observed": 2e11, "required": 1e11}],
            },
        },
        "relitigation": {"due": False, "next_due": "2027-02-24" if m.status == "approved" else None, "reasons": []},
    }


class StandInSession:
    """What build_site uses of a DecisionSession: .repo, .decide(memo, now) and .decide_batch(memos, now)."""

    def __init__(self, root: Path, documents: dict[str, dict[str, Any]] | None = None) -> None:
        self.repo = Repository(root)
        self.documents = documents or {}
        self.decided: list[str] = []

    def decide(self, memo: MemoFile, now: dt.date | None = None) -> Decision:
        self.decided.append(memo.memo_id)
        document = self.documents.get(memo.memo_id) or document_for(memo, now or NOW)
        return Decision(memo, document)

    def decide_batch(self, memos: list[MemoFile], now: dt.date | None = None) -> list[Decision]:
        return [self.decide(memo, now) for memo in memos]


class Page(HTMLParser):
    """Links, script/style counts and index rows of one HTML page."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.links: list[str] = []
        self.tags: dict[str, int] = {}
        self.rows: list[dict[str, str]] = []
        self.attrs_seen: list[tuple[str, str | None]] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] = self.tags.get(tag, 0) + 1
        self.attrs_seen.extend(attrs)
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")
        if tag == "tr" and "data-status" in values:
            self.rows.append({k[5:]: v or "" for k, v in values.items() if k.startswith("data-")})


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@pytest.fixture
def register(tmp_path: Path) -> tuple[Path, Path]:
    root = make_repo(
        tmp_path,
        {
            "triage-v1": memo_text("triage-v1", status="superseded", workload="triage"),
            "triage-v2": memo_text("triage-v2", status="approved", workload="triage", supersedes="triage-v1"),
            "summaries-ft": memo_text("summaries-ft", decision="fine-tune"),
        },
    )
    notebooks = root / "evidence" / "summaries-ft"
    notebooks.mkdir()
    (notebooks / "usage_log.html").write_text("<html><body>usage</body></html>")
    (notebooks / "usage_log.json").write_text("{}")
    out = tmp_path / "site"
    build_site(StandInSession(root), out, NOW)
    return root, out


def test_index_lists_every_memo_with_its_outcome(register: tuple[Path, Path]) -> None:
    _, out = register
    page = Page(read(out / "index.html"))
    assert {r["status"]: r["outcome"] for r in page.rows} == {
        "superseded": "approved",
        "approved": "approved",
        "proposed": "denied",
    }
    assert sorted(r["verb"] for r in page.rows) == ["buy", "buy", "fine-tune"]
    for memo_id in ("triage-v1", "triage-v2", "summaries-ft"):
        assert f"memos/{memo_id}.html" in page.links
        assert (out / "memos" / f"{memo_id}.html").is_file()
    text = read(out / "index.html")
    for header in (
        "Workload",
        "Requested",
        "Supported",
        "Outcome",
        "Status",
        "Owner",
        "Memo date",
        "Next re-litigation",
    ):
        assert f"<th>{header}</th>" in text
    assert "2027-02-24" in text  # the approved memo's next re-litigation date
    assert page.tags.get("script") == 1 and page.tags.get("select") == 3
    assert 'id="filters"' in text and "relitigation.html" in page.links


def test_every_link_is_relative_and_resolves(register: tuple[Path, Path]) -> None:
    _, out = register
    pages = [out / "index.html", out / "relitigation.html", *sorted((out / "memos").glob("*.html"))]
    for html in pages:
        text = read(html)
        assert "http://" not in text and "https://" not in text, html
        for link in Page(text).links:
            assert not link.startswith(("/", "http:", "https:", "file:")), link
            assert (html.parent / link.split("#")[0]).resolve().is_file(), (html, link)
        assert "Content-Security-Policy" in text


def test_memo_page_shows_the_decision_document(register: tuple[Path, Path]) -> None:
    _, out = register
    text = read(out / "memos" / "summaries-ft.html")
    violations = text[text.index('id="violations"') : text.index('id="gates"')]
    for cell in (
        "FT-NO-GATE",
        "neither fine-tune gate fired",
        "[cost_at_scale, domain_expertise]",
        "collect evidence",
        "2,400,000",
        "10,000,000",
    ):
        assert cell in violations
    gates = text[text.index('id="gates"') : text.index('id="body"')]
    assert "Fine-tune gate 1: cost at scale" in gates and "Build gates" in gates
    assert gates.count('class="badge fail">fail<') == 1 and gates.count('class="badge pass">pass<') == 1
    # the rendered notebook is copied and linked, next to the gate whose numbers it holds
    assert Page(text).links.count("../evidence/summaries-ft/usage_log.html") == 2
    assert (out / "evidence" / "summaries-ft" / "usage_log.html").is_file()
    assert not (out / "evidence" / "summaries-ft" / "usage_log.json").exists()


def test_supersedes_chain_both_ways(register: tuple[Path, Path]) -> None:
    _, out = register
    older = Page(read(out / "memos" / "triage-v1.html")).links
    newer = Page(read(out / "memos" / "triage-v2.html")).links
    assert "triage-v2.html" in older and "triage-v1.html" in newer
    assert "neither supersedes" in read(out / "memos" / "summaries-ft.html")


def test_relitigation_page(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "late": memo_text("late", status="approved", decision="fine-tune"),
            "flagged": memo_text("flagged", status="approved"),
            "later": memo_text("later", status="approved"),
            "soon": memo_text("soon", status="approved"),
            "open": memo_text("open"),
        },
    )
    session = StandInSession(root)

    def with_relit(memo_id: str, **relit: Any) -> dict[str, Any]:
        memo = next(m for m in session.repo.memos if m.memo_id == memo_id)
        document = document_for(memo, NOW)
        document["relitigation"] = {"due": False, "next_due": None, "reasons": [], **relit}
        return document

    session.documents = {
        "late": with_relit("late", due=True, next_due="2026-10-01", reasons=["benchmark is 146 days old"]),
        "flagged": {
            **with_relit("flagged"),
            "warnings": [
                {
                    "id": "RELIT-BUY-VOLUME",
                    "gate": "relitigation",
                    "message": "usage crossed the volume threshold",
                    "observed": 12000000,
                    "required": 10000000,
                    "fix": "weigh a fine-tune",
                }
            ],
        },
        "later": with_relit("later", next_due="2027-03-01"),
        "soon": with_relit("soon", next_due="2026-12-01"),
    }
    out = tmp_path / "site"
    result = build_site(session, out, NOW)
    assert (result.overdue, result.due) == (1, 1)
    text = read(out / "relitigation.html")

    def section(name: str) -> str:
        start = text.index(f'<section id="{name}">')
        return text[start : text.index("</section>", start)]

    assert "late" in section("overdue") and "54" in section("overdue")  # days overdue
    assert "benchmark is 146 days old" in section("overdue")
    assert "RELIT-BUY-VOLUME" in section("due") and "weigh a fine-tune" in section("due")
    upcoming = section("upcoming")
    assert upcoming.index("soon") < upcoming.index("later")  # soonest first
    assert "open.html" not in text  # only approved decisions are re-litigated
    index = read(out / "index.html")
    assert index.count('class="badge overdue"') == 1 and index.count('class="badge due"') == 1


def test_hostile_memo_text_is_escaped(tmp_path: Path) -> None:
    hostile = "<script>alert(1)</script>"
    body = (
        f"# Plan\n\n{hostile}\n\n<img src=x onerror=alert(2)>\n\n"
        "[click](javascript:alert(3)) and [ok](https://example.com/doc)\n\n"
        "| a | b |\n|---|---|\n| <b>x</b> | 1 |\n"
    )
    root = make_repo(
        tmp_path,
        {
            "evil": memo_text(
                "evil",
                title=f'{hostile}"><img src=x onerror=alert(4)>',
                workload="w\"' onmouseover=alert(5)",
                body=body,
            )
        },
    )
    session = StandInSession(root)
    memo = session.repo.memos[0]
    document = document_for(memo, NOW)
    document["warnings"][0]["message"] = hostile
    document["violations"] = [
        {
            "id": "</td><script>x()</script>",
            "gate": "memo",
            "message": hostile,
            "observed": hostile,
            "required": {"k": hostile},
            "fix": hostile,
        }
    ]
    session.documents = {"evil": document}
    out = tmp_path / "site"
    build_site(session, out, NOW)

    for html in (out / "index.html", out / "memos" / "evil.html", out / "relitigation.html"):
        text = read(html)
        page = Page(text)
        assert "<script>alert" not in text and "<script>x()" not in text
        assert "<img" not in text and "<b>x</b>" not in text
        assert not any(name.startswith("on") for name, _ in page.attrs_seen), html
        assert not any(link.startswith("javascript:") for link in page.links)
        assert page.tags.get("script", 0) == (1 if html.name == "index.html" else 0)
    memo_page = read(out / "memos" / "evil.html")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in memo_page
    assert "<h2>Plan</h2>" in memo_page and "<table>" in memo_page  # Markdown still renders
    assert 'href="https://example.com/doc"' in memo_page


def test_markdown_rendering_disables_raw_html() -> None:
    html = str(render_markdown("## Heading\n\n<div onclick=x>hi</div>\n\n*em*"))
    assert "<h3>Heading</h3>" in html and "<em>em</em>" in html
    assert "<div" not in html and "&lt;div onclick=x&gt;" in html


def test_size_is_proportional_to_the_number_of_memos(tmp_path: Path) -> None:
    sizes = {}
    for count in (4, 40):
        root = make_repo(tmp_path / str(count), {f"memo-{i:03d}": memo_text(f"memo-{i:03d}") for i in range(count)})
        out = tmp_path / str(count) / "site"
        result = build_site(StandInSession(root), out, NOW)
        total = sum(p.stat().st_size for p in result.files)
        sizes[count] = total
        for page in result.pages:
            text = read(page)
            # a memo page names no other memo (none of these supersede each other)
            assert len(set(re.findall(r"memo-\d{3}", text))) == 1
        index = read(result.index)
        assert len(Page(index).rows) == count
    per_memo_small, per_memo_large = sizes[4] / 4, sizes[40] / 40
    assert per_memo_large <= per_memo_small * 1.1, sizes


def test_long_supersedes_chain_stays_bounded(tmp_path: Path) -> None:
    memos = {"v000": memo_text("v000", status="superseded", workload="w")}
    for i in range(1, 60):
        memos[f"v{i:03d}"] = memo_text(
            f"v{i:03d}", status="superseded" if i < 59 else "approved", workload="w", supersedes=f"v{i - 1:03d}"
        )
    root = make_repo(tmp_path, memos)
    out = tmp_path / "site"
    build_site(StandInSession(root), out, NOW)
    middle = Page(read(out / "memos" / "v030.html")).links
    chain = [link for link in middle if re.fullmatch(r"v\d{3}\.html", link)]
    assert "v029.html" in chain and "v031.html" in chain
    assert len(chain) <= 24


def test_refuses_a_folder_it_did_not_make(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"a": memo_text("a"), "b": memo_text("b")})
    out = tmp_path / "docs"
    out.mkdir()
    (out / "CNAME").write_text("decisions.example.com\n")
    session = StandInSession(root)
    with pytest.raises(InputError) as caught:
        build_site(session, out, NOW)
    assert "--force" in str(caught.value) and session.decided == []
    assert sorted(p.name for p in out.iterdir()) == ["CNAME"]

    build_site(session, out, NOW, force=True)
    assert (out / MARKER_NAME).is_file() and (out / "memos" / "b.html").is_file()
    # once marked, a rebuild needs no --force, drops pages of removed memos and keeps foreign files
    (root / "memos" / "b.md").unlink()
    build_site(StandInSession(root), out, NOW)
    assert not (out / "memos" / "b.html").exists() and (out / "memos" / "a.html").is_file()
    assert (out / "CNAME").read_text() == "decisions.example.com\n"


def test_an_empty_or_new_folder_is_fine(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"a": memo_text("a")})
    (tmp_path / "empty").mkdir()
    build_site(StandInSession(root), tmp_path / "empty", NOW)
    build_site(StandInSession(root), tmp_path / "new" / "deeper", NOW)
    assert (tmp_path / "new" / "deeper" / "index.html").is_file()


def test_a_tampered_marker_cannot_delete_outside_the_folder(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"a": memo_text("a")})
    out = tmp_path / "site"
    build_site(StandInSession(root), out, NOW)
    precious = tmp_path / "precious.txt"
    precious.write_text("keep")
    marker = json.loads(read(out / MARKER_NAME))
    marker["files"] += ["../precious.txt", str(precious), "memos/../../precious.txt"]
    (out / MARKER_NAME).write_text(json.dumps(marker))
    build_site(StandInSession(root), out, NOW)
    assert precious.read_text() == "keep"


def test_the_command_refuses_before_starting_opa(tmp_path: Path) -> None:
    from fmgate.commands import site as site_command

    root = make_repo(tmp_path, {"a": memo_text("a")})
    out = tmp_path / "busy"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    args = argparse.Namespace(repo=root, out=out, now="2026-11-24", force=False)
    with pytest.raises(InputError) as caught:
        site_command.run(args)
    assert caught.value.exit_code == 2 and caught.value.path == str(out)


def test_odd_ids_get_safe_page_names() -> None:
    assert page_name("ticket-triage") == "ticket-triage"
    odd = page_name("../Weird Name")
    assert re.fullmatch(r"weird-name-[0-9a-f]{8}", odd)
    assert page_name("..") != page_name(".")
