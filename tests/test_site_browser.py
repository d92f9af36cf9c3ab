"""The decision register in a real browser: headless Chromium over the DevTools protocol.

One repository with an approved memo, a denied memo and a memo with a rendered
notebook is decided by the real policies in OPA and rendered with `fmgate site`.
The site is then served by `python -m http.server` on 127.0.0.1 and also
opened through file://, and every page is loaded in headless Chromium: no
console errors, no failed loads, the index lists every memo with its outcome,
the filters work, and every notebook link resolves. Screenshots land in
build/screenshots/.

Chromium is driven over the DevTools protocol (websocket-client) rather than
with --dump-dom, so console messages, exceptions and failed loads are collected
as structured events instead of being scraped from log output.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import datetime as dt
import io
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest

import websocket  # websocket-client: drives Chromium over the DevTools protocol

from fmgate.commands import site as site_command  # noqa: E402
from fmgate.evaluate import DecisionSession  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = REPO_ROOT / "build" / "screenshots"
CHROMIUM = os.environ.get("FMGATE_CHROMIUM", "/usr/bin/chromium")
NOW = dt.date(2026, 11, 24)
WIDTH, HEIGHT = 1366, 860  # a laptop screen
TIMEOUT_S = 30.0

SETTINGS = """\
decision_owners: [dana.kim, priya.rao]
senior_reviewers: [lee.wong, sam.ortiz]
required_approvals: 1
thresholds: {}
opa: {url: null, token_env: null}
"""


def memo_text(memo_id: str, *, decision: str = "buy", status: str = "proposed", title: str,
              workload: str, supersedes: str | None = None, gates: str = "[]", body: str) -> str:
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
    "reply-drafting": dict(status="approved", title="Buy reply drafting from a frontier API",
                           workload="support-reply-drafting",
                           body="# Reply drafting\n\nA frontier model drafts replies; agents edit them.\n\n"
                                "| option | verdict |\n|---|---|\n| buy | yes |\n| fine-tune | not earned |\n"),
    "triage-finetune": dict(decision="fine-tune", title="Fine-tune the ticket-triage classifier",
                            workload="ticket-triage", gates="[cost_at_scale]",
                            body="## Why\n\nWe would like our own model. <script>alert('memo')</script>\n"),
    "search-summaries": dict(status="approved", title="Buy search-result summaries",
                             workload="search-summaries",
                             body="Summaries of search results, bought.\n"),
    "search-summaries-v0": dict(status="superseded", title="Search summaries, first take",
                                workload="search-summaries-old", body="The first version.\n"),
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
        "<p>median daily calls: 1,200,000</p></body></html>")

    out = root.parent / "site"
    printed = io.StringIO()
    args = argparse.Namespace(repo=root, out=out, now=NOW.isoformat(), force=False)
    with contextlib.redirect_stdout(printed):
        assert site_command.run(args) == 0
    with DecisionSession.open(root) as session:
        outcomes = {m.memo_id: ("approved" if session.decide(m, NOW).allowed else "denied")
                    for m in session.repo.memos}
    return {"root": root, "out": out, "printed": printed.getvalue(), "outcomes": outcomes}


@pytest.fixture(scope="module")
def server(site: dict[str, Any]) -> Iterator[str]:
    """`python -m http.server` on 127.0.0.1 at a free port (port 0: the OS picks one)."""
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", str(site["out"])],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
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


class Chromium:
    """Headless Chromium with one tab, driven over the DevTools protocol."""

    FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio", "--enable-logging=stderr",
             "--v=0", "--remote-debugging-port=0", "--remote-allow-origins=*",
             f"--window-size={WIDTH},{HEIGHT}"]

    def __init__(self, profile: Path) -> None:
        self.profile = profile
        self.log = (profile.parent / "chromium.log").open("w")
        self.process = subprocess.Popen([CHROMIUM, *self.FLAGS, f"--user-data-dir={profile}", "about:blank"],
                                        stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self.ws: Any = None
        self.next_id = 0
        self.events: list[dict[str, Any]] = []
        try:
            self._connect()
        except BaseException:
            self.close()
            raise

    def _connect(self) -> None:
        port_file = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + TIMEOUT_S
        while not (port_file.is_file() and port_file.read_text().strip()):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("Chromium did not open its DevTools port; see "
                                   f"{self.profile.parent / 'chromium.log'}")
            time.sleep(0.05)
        port = port_file.read_text().split()[0]
        targets: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5) as response:
                targets = [t for t in json.load(response) if t.get("type") == "page"]
            if targets:
                break
            time.sleep(0.05)
        assert targets, "Chromium has no page target"
        self.ws = websocket.create_connection(targets[0]["webSocketDebuggerUrl"], timeout=TIMEOUT_S,
                                              suppress_origin=True)
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable")
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False})

    def call(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        self.next_id += 1
        ident = self.next_id
        self.ws.send(json.dumps({"id": ident, "method": method, "params": params or {}}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)

    def _pump(self, seconds: float) -> None:
        """Collect events for a while (late console messages and failed loads)."""
        deadline = time.monotonic() + seconds
        self.ws.settimeout(0.05)
        try:
            while time.monotonic() < deadline:
                try:
                    message = json.loads(self.ws.recv())
                except websocket.WebSocketTimeoutException:
                    continue
                if "method" in message:
                    self.events.append(message)
        finally:
            self.ws.settimeout(TIMEOUT_S)

    def load(self, url: str) -> list[str]:
        """Navigate, wait for the load event, and return every console error and failed load."""
        self.events = []
        result = self.call("Page.navigate", {"url": url})
        assert not result.get("errorText"), f"{url}: {result.get('errorText')}"
        deadline = time.monotonic() + TIMEOUT_S
        while not any(e["method"] == "Page.loadEventFired" for e in self.events):
            assert time.monotonic() < deadline, f"{url} did not finish loading"
            self._pump(0.1)
        self._pump(0.25)
        problems = []
        for event in self.events:
            method, params = event["method"], event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                problems.append("console: " + " ".join(str(a.get("value", a.get("description")))
                                                       for a in params.get("args", [])))
            elif method == "Runtime.exceptionThrown":
                problems.append("exception: " + json.dumps(params.get("exceptionDetails", {}))[:500])
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                entry = params["entry"]
                problems.append(f"log: {entry.get('text')} {entry.get('url', '')}".strip())
            elif method == "Network.loadingFailed" and not params.get("canceled"):
                problems.append(f"failed load: {params.get('errorText')}")
        return problems

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        assert "exceptionDetails" not in result, result["exceptionDetails"]
        return result["result"].get("value")

    def screenshot(self, name: str) -> Path:
        metrics = self.call("Page.getLayoutMetrics")
        height = min(int(metrics["cssContentSize"]["height"]) + 1, 6000)
        shot = self.call("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": WIDTH, "height": max(height, HEIGHT), "scale": 1}})
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    def close(self) -> None:
        with contextlib.suppress(Exception):
            if self.ws is not None:
                self.ws.send(json.dumps({"id": 0, "method": "Browser.close"}))
                self.ws.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)  # the group this test started
            self.process.wait()
        self.log.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chromium]:
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(f"no Chromium at {CHROMIUM}: run scripts/install-chromium.sh (or set FMGATE_CHROMIUM)")
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
        browser.evaluate(f"(function () {{ var s = document.getElementById('{select_id}'); s.value = '{value}';"
                         " s.dispatchEvent(new Event('change')); })()")
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
    browser.evaluate("(function () { var s = document.getElementById('filter-status');"
                     " s.value = 'approved'; s.dispatchEvent(new Event('change')); })()")
    browser.screenshot("index-filtered-approved")

    pages = {"memo-approved": "memos/reply-drafting.html", "memo-denied": "memos/triage-finetune.html",
             "memo-notebook": f"memos/{NOTEBOOK_MEMO}.html", "memo-superseded": "memos/search-summaries-v0.html",
             "relitigation": "relitigation.html"}
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
