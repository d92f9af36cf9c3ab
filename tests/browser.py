"""Headless Chromium over the DevTools protocol, shared by the browser tests.

Used by tests/test_site_browser.py (the decision register) and
tests/evidence/test_rendered_notebooks_browser.py (the rendered notebooks).

Chromium is driven over the DevTools protocol (websocket-client) rather than
with --dump-dom, so console messages, exceptions and failed loads are collected
as structured events instead of being scraped from log output.

The tests import this module as ``browser``: tests/ has no __init__.py, so
pytest puts it on sys.path (its default "prepend" import mode).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import websocket  # websocket-client: drives Chromium over the DevTools protocol

REPO_ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = REPO_ROOT / "build" / "screenshots"
CHROMIUM = os.environ.get("FMGATE_CHROMIUM", "/usr/bin/chromium")
WIDTH, HEIGHT = 1366, 860  # a laptop screen
TIMEOUT_S = 30.0

# With these, nothing the page asks for can leave the machine: every name fails to
# resolve, and every http(s)/ws request (loopback included) goes to a proxy that
# does not exist (.invalid never resolves, RFC 2606). The DevTools connection
# itself is not made by the page, so it is unaffected.
OFFLINE_FLAGS = [
    "--proxy-server=http://unreachable.invalid:9",
    "--proxy-bypass-list=<-loopback>",
    "--host-resolver-rules=MAP * ~NOTFOUND",
]


def require_chromium() -> None:
    """Fail (never skip) when there is no Chromium, naming the fix."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(f"no Chromium at {CHROMIUM}: run scripts/install-chromium.sh (or set FMGATE_CHROMIUM)")


class Chromium:
    """Headless Chromium with one tab, driven over the DevTools protocol.

    ``offline=True`` cuts the page off from every network (see OFFLINE_FLAGS,
    and the DevTools offline emulation on top): only file: and data: URLs load.
    """

    FLAGS = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        "--mute-audio",
        "--enable-logging=stderr",
        "--v=0",
        "--remote-debugging-port=0",
        "--remote-allow-origins=*",
        f"--window-size={WIDTH},{HEIGHT}",
    ]

    def __init__(self, profile: Path, *, offline: bool = False) -> None:
        self.profile = profile
        self.offline = offline
        self.log = (profile.parent / "chromium.log").open("w")
        flags = [*self.FLAGS, *(OFFLINE_FLAGS if offline else [])]
        self.process = subprocess.Popen(
            [CHROMIUM, *flags, f"--user-data-dir={profile}", "about:blank"],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
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
                raise RuntimeError(
                    f"Chromium did not open its DevTools port; see {self.profile.parent / 'chromium.log'}"
                )
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
        self.ws = websocket.create_connection(
            targets[0]["webSocketDebuggerUrl"], timeout=TIMEOUT_S, suppress_origin=True
        )
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable")
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False},
        )
        if self.offline:
            self.call(
                "Network.emulateNetworkConditions",
                {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
            )

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
                problems.append(
                    "console: " + " ".join(str(a.get("value", a.get("description"))) for a in params.get("args", []))
                )
            elif method == "Runtime.exceptionThrown":
                problems.append("exception: " + json.dumps(params.get("exceptionDetails", {}))[:500])
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                entry = params["entry"]
                problems.append(f"log: {entry.get('text')} {entry.get('url', '')}".strip())
            elif method == "Network.loadingFailed" and not params.get("canceled"):
                problems.append(f"failed load: {params.get('errorText')}")
        return problems

    def requested(self) -> list[str]:
        """Every URL the page asked for since the last :meth:`load` (documents, images, styles, fetches)."""
        return [e["params"]["request"]["url"] for e in self.events if e["method"] == "Network.requestWillBeSent"]

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        assert "exceptionDetails" not in result, result["exceptionDetails"]
        return result["result"].get("value")

    def screenshot(self, name: str, *, directory: Path = SCREENSHOTS, max_height: int = 6000) -> Path:
        metrics = self.call("Page.getLayoutMetrics")
        height = min(int(metrics["cssContentSize"]["height"]) + 1, max_height)
        shot = self.call(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": WIDTH, "height": max(height, HEIGHT), "scale": 1},
            },
        )
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{name}.png"
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
