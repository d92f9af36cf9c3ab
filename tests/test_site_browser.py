"""The decision register in a real browser: headless Chromium over the DevTools protocol.

One repository with an approved memo, a denied memo and a memo with a rendered
notebook is decided by the real policies in OPA and rendered with `fmgate site`.
The site is then served by `python -m http.server` on 127.0.0.1 and also
opened through file://, and every page is loaded in headless Chromium: no
console errors, no failed loads, the index lists every memo with its outcome,
the filters work, and every notebook link resolves. Screenshots land in
build/screenshots/.

Chromium is driven over the DevTools protocol by the helper in tests/browser.py
(shared with tests/evidence/test_rendered_notebooks_browser.py), so console
messages, exceptions and failed loads are collected as structured events
instead of being scraped from log output.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import re
import select
import shutil
import subprocess
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser import REPO_ROOT, TIMEOUT_S, Chromium, require_chromium  # tests/browser.py
from fmgate.commands import site as site_command
from fmgate.evaluate import DecisionSession

NOW = dt.date(2026, 11, 24)

SETTINGS = """\
decision_owners: [dana.kim, priya.rao]
senior_reviewers: [lee.wong, sam.ortiz]
required_approvals: 1
thresholds: {}
opa: {url: null, token_env: null}
"""


def memo_text(
    memo_id: str,
    *,
    decision: str = "buy",
    status: str = "proposed",
    title: str,
    workload: str,
    supersedes: str | None = None,
    gates: str = "[]",
    body: str,
) -> str:
    return f"""---
id: {memo_id}
title: {json.dumps(title)}
workload: {workload}
workload_shape: standard
decision: {decision}
status: {status}
date: 2026-11-02
owner: dana.kim
proposer: {{team: support-ml, type: in-house, person: ana.lee}}
reviewers: [lee.wong]
engineering_started: null
supersedes: {supersedes or "null"}
buy_alternative: {{provider: example-ai, model: frontier-1, deployment: public-api}}
dimensions: {{criticality: supportive, workflow_complexity: simple, control_need: low}}
candidates:
  buy: "A frontier model answers well enough today."
  fine-tune: "Not earned: no gate fires at this volume."
  build: "We do not sell models."
rationale_tags: [quality]
gates_claimed: {gates}
domain: {{expected_retraining_interval_days: null}}
build: null
evidence: {{}}
---
{body}"""


MEMOS = {
    "reply-drafting": dict(
        status="approved",
        title="Buy reply drafting from a frontier API",
        workload="support-reply-drafting",
        body="# Reply drafting\n\nA frontier model drafts replies; agents edit them.\n\n"
        "| option | verdict |\n|---|---|\n| buy | yes |\n| fine-tune | not earned |\n",
    ),
    "triage-finetune": dict(
        decision="fine-tune",
        title="Fine-tune the ticket-triage classifier",
        workload="ticket-triage",
        gates="[cost_at_scale]",
        body="## Why\n\nWe would like our own model. <script>alert('memo')</script>\n",
    ),
    "search-summaries": dict(
        status="approved",
        title="Buy search-result summaries",
        workload="search-summaries",
        body="Summaries of search results, bought.\n",
    ),
    "search-summaries-v0": dict(
        status="superseded",
        title="Search summaries, first take",
        workload="search-summaries-old",
        body="The first version.\n",
    ),
}
MEMOS["search-summaries"]["supersedes"] = "search-summaries-v0"
NOTEBOOK_MEMO, NOTEBOOK_KIND = "search-summaries", "usage_log"


# -- fixtures: repository, site, HTTP server, browser -------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Decide the memos with the real policies and render the register with the command."""
    root = tmp_path_factory.mktemp("register") / "repo"
    root.mkdir()
    shutil.copytree(REPO_ROOT / "policies", root / "policies")
    if (REPO_ROOT / "schemas").is_dir():
        shutil.copytree(REPO_ROOT / "schemas", root / "schemas")
    (root / "fmgate.yaml").write_text(SETTINGS)
    (root / "memos").mkdir()
    for memo_id, fields in MEMOS.items():
        (root / "memos" / f"{memo_id}.md").write_text(memo_text(memo_id, **fields), encoding="utf-8")
    notebook_dir = root / "evidence" / NOTEBOOK_MEMO
    notebook_dir.mkdir(parents=True)
    (notebook_dir / f"{NOTEBOOK_KIND}.html").write_text(
        "<!doctype html><html><head><meta charset=utf-8><title>usage_log</title>"
        "<link rel=icon href='data:,'></head><body><h1>usage_log notebook</h1>"
        "<p>median daily calls: 1,200,000</p></body></html>"
    )

    out = root.parent / "site"
    printed = io.StringIO()
    args = argparse.Namespace(repo=root, out=out, now=NOW.isoformat(), force=False, records=None)
    with contextlib.redirect_stdout(printed):
        assert site_command.run(args) == 0
    with DecisionSession.open(root) as session:
        outcomes = {m.memo_id: ("approved" if session.decide(m, NOW).allowed else "denied") for m in session.repo.memos}
    return {"root": root, "out": out, "printed": printed.getvalue(), "outcomes": outcomes}


@pytest.fixture(scope="module")
def server(site: dict[str, Any]) -> Iterator[str]:
    """`python -m http.server` on 127.0.0.1 at a free port (port 0: the OS picks one)."""
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", str(site["out"])],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], TIMEOUT_S)
        line = process.stdout.readline() if ready else ""
        match = re.search(r"port (\d+)", line)
        assert match, f"http.server did not start: {line!r}"
        yield f"http://127.0.0.1:{match.group(1)}/"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chromium]:
    require_chromium()
    chromium = Chromium(tmp_path_factory.mktemp("chromium") / "profile")
    try:
        yield chromium
    finally:
        chromium.close()


# -- the pages ----------------------------------------------------------------

ROWS_JS = """JSON.stringify(Array.from(document.querySelectorAll('#memos tbody tr')).map(function (r) {
  return {id: r.querySelector('td.memo code').textContent, outcome: r.getAttribute('data-outcome'),
          badge: r.querySelector('.badge[class*=outcome-]').textContent, hidden: r.hidden};
}))"""
LINKS_JS = "JSON.stringify(Array.from(document.querySelectorAll('a[href]')).map(function (a) { return a.href; }))"


def rows(browser: Chromium) -> list[dict[str, Any]]:
    return json.loads(browser.evaluate(ROWS_JS))


def check_filters(browser: Chromium, outcomes: dict[str, str]) -> None:
    def choose(select_id: str, value: str) -> list[str]:
        browser.evaluate(
            f"(function () {{ var s = document.getElementById('{select_id}'); s.value = '{value}';"
            " s.dispatchEvent(new Event('change')); })()"
        )
        return sorted(r["id"] for r in rows(browser) if not r["hidden"])

    assert browser.evaluate("document.getElementById('filters').hidden") is False
    assert choose("filter-verb", "fine-tune") == ["triage-finetune"]
    assert browser.evaluate("document.getElementById('shown').textContent") == f"showing 1 of {len(outcomes)}"
    assert choose("filter-verb", "") == sorted(outcomes)
    assert choose("filter-status", "approved") == ["reply-drafting", "search-summaries"]
    assert choose("filter-outcome", "denied") == []  # both filters apply together
    choose("filter-status", "")
    assert choose("filter-outcome", "denied") == sorted(k for k, v in outcomes.items() if v == "denied")
    choose("filter-outcome", "")


def test_the_command_says_where_the_index_is(site: dict[str, Any]) -> None:
    assert str(site["out"] / "index.html") in site["printed"]
    # the example memos decide the way this test relies on
    assert site["outcomes"]["reply-drafting"] == "approved"
    assert site["outcomes"]["triage-finetune"] == "denied"


def test_pages_over_http(site: dict[str, Any], server: str, browser: Chromium) -> None:
    assert browser.load(server) == []
    listed = rows(browser)
    assert {r["id"]: r["outcome"] for r in listed} == site["outcomes"]
    assert all(r["badge"] == r["outcome"] for r in listed)
    browser.screenshot("index")
    check_filters(browser, site["outcomes"])
    browser.evaluate(
        "(function () { var s = document.getElementById('filter-status');"
        " s.value = 'approved'; s.dispatchEvent(new Event('change')); })()"
    )
    browser.screenshot("index-filtered-approved")

    pages = {
        "memo-approved": "memos/reply-drafting.html",
        "memo-denied": "memos/triage-finetune.html",
        "memo-notebook": f"memos/{NOTEBOOK_MEMO}.html",
        "memo-superseded": "memos/search-summaries-v0.html",
        "relitigation": "relitigation.html",
    }
    links: set[str] = set()
    for name, path in pages.items():
        assert browser.load(server + path) == [], path
        browser.screenshot(name)
        links.update(json.loads(browser.evaluate(LINKS_JS)))
        if name == "memo-denied":
            # the hostile bit of the memo body is shown as text, never run
            article = browser.evaluate("document.querySelector('article').textContent")
            assert "<script>alert('memo')</script>" in article
            assert browser.evaluate("document.querySelectorAll('script').length") == 0
            assert browser.evaluate("document.querySelectorAll('#violations tbody tr').length") > 0

    notebook = f"{server}evidence/{NOTEBOOK_MEMO}/{NOTEBOOK_KIND}.html"
    assert notebook in links
    for link in sorted(links):
        assert link.startswith(server), f"link leaves the site: {link}"
        with urllib.request.urlopen(link, timeout=10) as response:
            assert response.status == 200, link
    assert browser.load(notebook) == []
    assert "usage_log notebook" in browser.evaluate("document.body.textContent")


def test_pages_from_the_file_system(site: dict[str, Any], browser: Chromium) -> None:
    out: Path = site["out"]
    assert browser.load(out.joinpath("index.html").as_uri()) == []
    assert {r["id"]: r["outcome"] for r in rows(browser)} == site["outcomes"]
    check_filters(browser, site["outcomes"])  # the inline script runs from file:// too
    browser.screenshot("index-file")
    for page in [*sorted((out / "memos").glob("*.html")), out / "relitigation.html"]:
        assert browser.load(page.as_uri()) == [], page
        for link in json.loads(browser.evaluate(LINKS_JS)):
            assert link.startswith("file://"), f"{page.name} links outside the site: {link}"
            target = Path(urllib.parse.unquote(urllib.parse.urlparse(link).path))
            assert target.is_file() and out in target.parents, f"{page.name}: {link} does not resolve"
    assert browser.load((out / "evidence" / NOTEBOOK_MEMO / f"{NOTEBOOK_KIND}.html").as_uri()) == []
