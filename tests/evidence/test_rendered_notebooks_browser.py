"""The committed notebook reports, read offline in headless Chromium.

`fmgate collect` renders every executed evidence notebook to standalone HTML
(inputs hidden, plots embedded as PNG, no CDN scripts: see
fmgate.collect.render_html). A reviewer opens those files from a checkout, often
with no network. So one committed report of each of the seven kinds is opened
through file:// in a Chromium that cannot reach any network (tests/browser.py,
offline=True; the first test proves the network really is cut), and must:
load with no console error and no failed load, ask for nothing but file: and
data: URLs, reference nothing on http(s) from any element or style sheet, show
at least one loaded data:image/png plot, and name its kind in its title or
first heading. A full-page screenshot of each lands in
build/screenshots/notebooks/<kind>.png, to be looked at.

The reports are the examples' committed ones (evidence/<memo-id>/<kind>.html);
regenerate them with `fmgate collect memos/<memo-id>.md`.
"""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser import REPO_ROOT, SCREENSHOTS, Chromium, require_chromium  # tests/browser.py
from fmgate.evidence.specs import KINDS

#: The example whose committed report is opened for each kind: the one whose plot draws
#: the most (the threshold line, the plateau window, the break-even marker), so the
#: screenshots show every part of each plot. At sales-email-own-model's ~8.7k calls a
#: day the usage series lies flat on the axis under the 10M threshold, so its usage
#: log is not the one looked at; ticket-triage-distillation's sits above the line.
REPORTS = {
    "eval_set": "sales-email-own-model",
    "prompting_log": "clinical-coding-assistant",
    "usage_log": "ticket-triage-distillation",
    "head_to_head": "sales-email-own-model",
    "cost_model": "ticket-triage-distillation",
    "domain_data": "sales-email-own-model",
    "corpus_manifest": "legal-foundation-model",
}
SHOTS = SCREENSHOTS / "notebooks"
MAX_HEIGHT = 16000  # px; Chromium captures up to its texture limit, and a report is far shorter
LOCAL_SCHEMES = ("file:", "data:")

#: What the page shows and what it would load, gathered in the page itself.
FACTS_JS = r"""JSON.stringify((function () {
  var remote = /^\s*(https?:)?\/\//i, cssRemote = /(url\(\s*['"]?|@import\s+['"])\s*(https?:)?\/\//i;
  var loads = ['src', 'srcset', 'data', 'poster', 'background', 'href', 'xlink:href', 'formaction', 'manifest'];
  var refs = [];
  document.querySelectorAll('*').forEach(function (el) {
    var tag = el.tagName.toLowerCase();
    loads.forEach(function (name) {
      if (name === 'href' && (tag === 'a' || tag === 'area')) return;  // a link is followed, not loaded
      var value = el.getAttribute(name);
      if (value && value.split(',').some(function (part) { return remote.test(part); })) {
        refs.push('<' + tag + ' ' + name + '="' + value.slice(0, 120) + '">');
      }
    });
    var style = el.getAttribute('style');
    if (style && cssRemote.test(style)) refs.push('<' + tag + ' style="' + style.slice(0, 120) + '">');
  });
  Array.from(document.styleSheets).forEach(function (sheet, i) {
    if (sheet.href && remote.test(sheet.href)) refs.push('stylesheet ' + sheet.href);
    var rules;
    try { rules = Array.from(sheet.cssRules); } catch (e) { refs.push('unreadable stylesheet ' + i); return; }
    rules.forEach(function (rule) {
      if (cssRemote.test(rule.cssText)) refs.push('css: ' + rule.cssText.slice(0, 160));
    });
  });
  var h1 = document.querySelector('h1');
  return {
    title: document.title,
    heading: h1 ? h1.textContent.replace(/\u00b6/g, '').trim() : null,
    images: Array.from(document.images).map(function (img) {
      var box = img.getBoundingClientRect();
      return {src: img.currentSrc.slice(0, 30), complete: img.complete, naturalWidth: img.naturalWidth,
              naturalHeight: img.naturalHeight, width: box.width, height: box.height};
    }),
    remoteRefs: refs,
    resources: performance.getEntriesByType('resource').map(function (r) { return r.name.slice(0, 200); }),
    scripts: Array.from(document.scripts).filter(function (s) { return s.src; }).map(function (s) { return s.src; }),
    height: document.documentElement.scrollHeight
  };
})())"""

#: Try to reach a server on this machine, and one on the internet; report how each attempt ended.
PROBE_JS = r"""(function (local) {
  function image(url) {
    return new Promise(function (done) {
      var img = new Image();
      img.onload = function () { done('loaded ' + url); };
      img.onerror = function () { done('error'); };
      setTimeout(function () { done('timeout ' + url); }, 5000);
      img.src = url;
    });
  }
  function fetched(url) {
    return fetch(url, {mode: 'no-cors', cache: 'no-store'}).then(function () { return 'fetched ' + url; },
                                                                function () { return 'error'; });
  }
  return Promise.all([image(local + 'probe.png'), fetched(local + 'probe.txt'),
                      image('https://example.com/probe.png'), fetched('http://example.com/probe.txt')]);
})(%s)"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chromium]:
    """One offline Chromium for every report."""
    require_chromium()
    chromium = Chromium(tmp_path_factory.mktemp("chromium") / "profile", offline=True)
    try:
        yield chromium
    finally:
        chromium.close()


@pytest.fixture
def local_server() -> Iterator[tuple[str, list[str]]]:
    """An HTTP server on 127.0.0.1 that records every request it gets."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"reached")

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", hits
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_every_kind_has_a_report_to_open() -> None:
    assert sorted(REPORTS) == sorted(KINDS)


def test_the_browser_cannot_reach_any_network(
    browser: Chromium, local_server: tuple[str, list[str]], tmp_path: Path
) -> None:
    """The control: from a file:// page, neither 127.0.0.1 nor the internet answers."""
    url, hits = local_server
    page = tmp_path / "probe.html"
    page.write_text(
        "<!doctype html><html><head><meta charset=utf-8><title>probe</title>"
        "<link rel=icon href='data:,'></head><body>probe</body></html>"
    )
    assert browser.load(page.as_uri()) == []
    result = browser.call(
        "Runtime.evaluate", {"expression": PROBE_JS % json.dumps(url), "awaitPromise": True, "returnByValue": True}
    )
    assert "exceptionDetails" not in result, result["exceptionDetails"]
    assert result["result"]["value"] == ["error"] * 4
    assert hits == [], f"the offline browser reached {url}: {hits}"


@pytest.mark.parametrize("kind", KINDS)
def test_report_reads_offline(browser: Chromium, kind: str) -> None:
    memo_id = REPORTS[kind]
    page = REPO_ROOT / "evidence" / memo_id / f"{kind}.html"
    assert page.is_file(), (
        f"{page.relative_to(REPO_ROOT)} is missing: run `fmgate collect memos/{memo_id}.md` and commit the report"
    )

    problems = browser.load(page.as_uri())
    shot = browser.screenshot(kind, directory=SHOTS, max_height=MAX_HEIGHT)  # before asserting: look at it
    assert problems == [], f"{page.name} ({memo_id}), screenshot {shot}"

    requested = browser.requested()
    assert requested and requested[0] == page.as_uri(), requested[:3]
    assert [u for u in requested if not u.startswith(LOCAL_SCHEMES)] == [], f"{kind} asks the network"
    bad_status = [
        (e["params"]["response"]["url"][:80], e["params"]["response"]["status"])
        for e in browser.events
        if e["method"] == "Network.responseReceived" and e["params"]["response"].get("status", 200) >= 400
    ]
    assert bad_status == []

    facts = json.loads(browser.evaluate(FACTS_JS))
    assert facts["remoteRefs"] == [], f"{kind}: elements or styles refer to http(s)"
    assert [r for r in facts["resources"] if not r.startswith(LOCAL_SCHEMES)] == []
    assert [s for s in facts["scripts"] if not s.startswith(LOCAL_SCHEMES)] == []

    words = kind.replace("_", " ")
    heading = (facts["heading"] or "").lower().replace("-", " ")
    assert kind in facts["title"] or words in heading, (facts["title"], facts["heading"])

    plots = [img for img in facts["images"] if img["src"].startswith("data:image/png")]
    assert plots, f"{kind}: no data:image/png plot among {facts['images']}"
    for plot in plots:
        assert plot["complete"] and plot["naturalWidth"] > 0 and plot["naturalHeight"] > 0, plot
        assert plot["width"] > 0 and plot["height"] > 0, f"{kind}: the plot is not laid out: {plot}"

    assert facts["height"] <= MAX_HEIGHT, f"{kind}: {facts['height']} px, the screenshot is cut"
    assert shot.stat().st_size > 0
