"""What a reviewer reads: every evidence kind's rendered report, valid and invalid, in headless Chromium.

One repository in a temp folder holds the examples' inputs. For each kind a
valid report is collected from an example, and an invalid one from a copy of
that example's input broken in one value (or one column). Each page, opened
offline, must show:

* every number the policy reads from the document, equal to the JSON's value
  at the precision shown, beside its threshold and where that is set;
* every great-expectations expectation that ran (and, when invalid, what
  failed and how to fix it), never a traceback;
* the input digests that provenance records;
* the policy's verdict, which agrees with the decision document.

Screenshots land in build/screenshots/reports/<kind>-<valid|invalid>.png.
The executed notebooks must carry static outputs only, as GitHub shows them.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser import SCREENSHOTS, Chromium, require_chromium  # tests/browser.py
from fmgate.collect import collect
from fmgate.evaluate import DecisionSession
from fmgate.evidence.specs import KINDS
from fmgate.evidence.steps import MEASURES, _resolve

from .helpers import REPO_ROOT

#: kind -> (example memo, its input file, how to break it: (old text, new text) or a column to rename)
SOURCES = {
    "usage_log": ("ticket-triage-distillation", "usage.csv", ("2026-09-04,12615987", "2026-09-04,-5")),
    "cost_model": ("ticket-triage-distillation", "cost_model.yaml", ("calls_per_day: 12000000", "calls_per_day: -1")),
    "eval_set": ("sales-email-own-model", "eval_set.jsonl", ('"expected"', '"answer"')),
    "head_to_head": ("sales-email-own-model", "head_to_head.csv", (",candidate,", ",someone-else,")),
    "prompting_log": ("clinical-coding-assistant", "prompting_log.csv", ("\n1,", "\nx1,")),
    "domain_data": ("clinical-coding-assistant", "domain_data.csv", (",high\n", ",superb\n")),
    "corpus_manifest": ("legal-foundation-model", "corpus_manifest.csv", (",true,true,", ",maybe,true,")),
}
SHOTS = SCREENSHOTS / "reports"
VARIANTS = ("valid", "invalid")
STATIC_MIME = {"text/plain", "text/html", "image/png", "text/markdown"}


def _broken_memo(root: Path, kind: str) -> Path:
    source, name, (old, new) = SOURCES[kind]
    memo_id = f"broken-{kind.replace('_', '-')}"
    text = (root / "memos" / f"{source}.md").read_text()
    text = text.replace(f"id: {source}", f"id: {memo_id}").replace(f"evidence/{source}/", f"evidence/{memo_id}/")
    text = re.sub(r"^workload: .*$", f"workload: {memo_id}", text, count=1, flags=re.M)
    (root / "memos" / f"{memo_id}.md").write_text(text)
    inputs = root / "evidence" / memo_id / "inputs"
    shutil.copytree(root / "evidence" / source / "inputs", inputs)
    data = (inputs / name).read_text()
    assert old in data, (kind, old)
    (inputs / name).write_text(data.replace(old, new))
    return root / "memos" / f"{memo_id}.md"


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    """(kind, valid|invalid) -> the evidence folder holding that kind's JSON, executed notebook and HTML."""
    root = tmp_path_factory.mktemp("reports") / "repo"
    root.mkdir()
    for folder in ("policies", "notebooks", "schemas", "memos"):
        shutil.copytree(REPO_ROOT / folder, root / folder)
    shutil.copy(REPO_ROOT / "fmgate.yaml", root / "fmgate.yaml")
    for memo in {source for source, _, _ in SOURCES.values()}:
        shutil.copytree(REPO_ROOT / "evidence" / memo / "inputs", root / "evidence" / memo / "inputs")
    found: dict[tuple[str, str], Path] = {}
    by_memo: dict[str, list[str]] = {}
    for kind, (source, _, _) in SOURCES.items():
        by_memo.setdefault(source, []).append(kind)
    for source, kinds in by_memo.items():
        result = collect(root, root / "memos" / f"{source}.md", kinds=kinds, force=True)
        assert result.ok, result.runs
        for kind in kinds:
            found[(kind, "valid")] = result.evidence_dir
    for kind in SOURCES:
        result = collect(root, _broken_memo(root, kind), kinds=[kind], force=True)
        assert result.invalid == [kind], result.runs
        found[(kind, "invalid")] = result.evidence_dir
    return found


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chromium]:
    require_chromium()
    chromium = Chromium(tmp_path_factory.mktemp("chromium") / "profile", offline=True)
    try:
        yield chromium
    finally:
        chromium.close()


#: Every table on the page: its caption and its rows as text cells.
TABLES_JS = r"""JSON.stringify(Array.from(document.querySelectorAll('table.fmgate')).map(function (t) {
  return {caption: t.caption ? t.caption.textContent : '',
          headers: Array.from(t.querySelectorAll('thead th')).map(function (c) { return c.textContent; }),
          rows: Array.from(t.querySelectorAll('tbody tr')).map(function (r) {
            return Array.from(r.cells).map(function (c) { return c.textContent; }); })};
}))"""


def _table(tables: list[dict[str, Any]], caption_start: str) -> dict[str, Any]:
    matches = [t for t in tables if t["caption"].startswith(caption_start)]
    assert matches, f"no table captioned {caption_start!r} among {[t['caption'] for t in tables]}"
    return matches[0]


def _shown_number(text: str) -> tuple[float, float]:
    """The number a cell shows and half of its last shown digit (the precision it was rounded to)."""
    digits = text.replace(",", "").strip()
    value = float(digits)
    decimals = len(digits.split(".")[1]) if "." in digits and "e" not in digits.lower() else 0
    if "e" in digits.lower():
        mantissa = digits.lower().split("e")[0]
        places = len(mantissa.split(".")[1]) if "." in mantissa else 0
        return value, abs(value) * 10**-places
    return value, 0.5 * 10**-decimals


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("kind", KINDS)
def test_report_shows_the_data_the_checks_and_the_numbers(
    reports: dict[tuple[str, str], Path], browser: Chromium, kind: str, variant: str
) -> None:
    folder = reports[(kind, variant)]
    document = json.loads((folder / f"{kind}.json").read_text())
    page = folder / f"{kind}.html"
    problems = browser.load(page.as_uri())
    browser.screenshot(f"{kind}-{variant}", directory=SHOTS, max_height=16000)
    assert problems == []
    text = browser.evaluate("document.body.innerText")
    tables = json.loads(browser.evaluate(TABLES_JS))
    assert "Traceback" not in text

    # which data was read: the digests are provenance's
    shown_inputs = _table(tables, "Inputs read")
    digests = {row[0]: row[2] for row in shown_inputs["rows"]}
    assert digests == {i["name"]: i["sha256"] for i in document["provenance"]["inputs"]}

    # every expectation that ran is listed
    checks = document["validation"]["checks"]
    if checks:
        shown = _table(tables, "great-expectations")["rows"]
        assert len(shown) == len(checks)
        for row, check in zip(shown, checks):
            assert (row[0], row[2]) == (check["input"], check["expectation"])
            assert row[4] == (
                "pass" if check["success"] else ("FAIL" if check["severity"] == "critical" else "warning")
            )

    if variant == "invalid":
        assert document["valid"] is False
        assert "NOT valid" in text
        failures = _table(tables, f"{kind}: NOT valid")["rows"]
        assert len(failures) == len(document["errors"]) and all(fix.strip() for _, fix in failures)
        return

    # each number the policy reads, at the precision shown, beside its threshold and its source
    thresholds = document["provenance"]["parameters"]["thresholds"]
    rows = _table(tables, "What the policy reads")["rows"]
    for label, path, threshold in MEASURES[kind]:
        for suffix, value in _resolve(document["measurements"], path):
            name = f"{label} ({suffix})" if suffix else label
            matching = [r for r in rows if r[0] == name]
            assert matching, f"{kind}: {name} not shown"
            cell = matching[0][1]
            if path == "scenarios":
                value = len(value)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                shown_value, tolerance = _shown_number(cell)
                assert abs(shown_value - value) <= tolerance + 1e-12, (name, cell, value)
            if threshold:
                assert matching[0][2] == threshold and matching[0][4] in ("policy data", "fmgate.yaml")
                expected = thresholds[threshold]
                if isinstance(expected, (int, float)):
                    assert _shown_number(matching[0][3])[0] == pytest.approx(expected)
    _table(tables, "The policy's verdict (OPA)")


def _verdict(executed: Path, kind: str) -> dict[str, bool]:
    notebook = json.loads(executed.read_text())
    (cell,) = [c for c in notebook["cells"] if c.get("id") == f"{kind}-step7"]
    html = "".join(
        o["data"]["text/html"] if isinstance(o["data"]["text/html"], str) else "".join(o["data"]["text/html"])
        for o in cell["outputs"]
        if "text/html" in o.get("data", {})
    )
    rows = re.findall(r"<tr[^>]*><td>([A-Z0-9-]+)</td>.*?<td>(pass|FAIL)</td>", html, flags=re.S)
    assert rows, f"{kind}: no verdict table in the executed notebook"
    return {check: result == "pass" for check, result in rows}


def test_notebook_verdicts_agree_with_the_decision(reports: dict[tuple[str, str], Path]) -> None:
    root = next(iter(reports.values())).parents[1]
    with DecisionSession.open(root) as session:
        for (kind, variant), folder in sorted(reports.items()):
            if variant != "valid":
                continue
            memo = session.repo.load(root / "memos" / f"{folder.name}.md")
            document = session.decide(memo).document
            gate_checks = {c["id"]: c["passed"] for gate in document["gates"].values() for c in gate["checks"]}
            denied = {v["id"] for v in document["violations"]}
            for check, passed in _verdict(folder / f"{kind}.ipynb", kind).items():
                if check in gate_checks:
                    assert gate_checks[check] == passed, (kind, check)
                elif document["requested"] in ("fine-tune", "build"):
                    assert (check not in denied) == passed, (kind, check)


@pytest.mark.parametrize("variant", VARIANTS)
def test_executed_notebooks_show_on_github_without_javascript(
    reports: dict[tuple[str, str], Path], browser: Chromium, tmp_path: Path, variant: str
) -> None:
    """Static outputs only; rebuilt the way GitHub shows them, they render with scripts switched off."""
    parts = []
    for kind in KINDS:
        notebook = json.loads((reports[(kind, variant)] / f"{kind}.ipynb").read_text())
        assert "widgets" not in notebook.get("metadata", {})
        for cell in notebook["cells"]:
            for output in cell.get("outputs", []):
                assert output["output_type"] in ("stream", "display_data", "execute_result"), (kind, output)
                data = output.get("data", {})
                assert set(data) <= STATIC_MIME, (kind, set(data))
                html = data.get("text/html")
                if html is not None:
                    html = html if isinstance(html, str) else "".join(html)
                    assert "<script" not in html.lower() and not re.search(r"<[^>]+\son\w+=", html)
                    parts.append(html)
                if "image/png" in data:
                    parts.append(f'<img src="data:image/png;base64,{data["image/png"].strip()}">')
    page = tmp_path / "github.html"
    page.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>outputs</title></head><body>"
        + "\n".join(parts)
        + "</body></html>"
    )
    browser.call("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        assert browser.load(page.as_uri()) == []
        counts = browser.call("DOM.getDocument", {"depth": -1})
        flat = json.dumps(counts)
        assert flat.count('"TABLE"') >= 4 * len(KINDS) if variant == "valid" else flat.count('"TABLE"') >= len(KINDS)
        assert flat.count('"IMG"') >= (len(KINDS) if variant == "valid" else 0)
    finally:
        browser.call("Emulation.setScriptExecutionDisabled", {"value": False})


def test_rendered_reports_are_small_and_carry_only_their_own_styles(reports: dict[tuple[str, str], Path]) -> None:
    style = (REPO_ROOT / "src" / "fmgate" / "templates" / "evidence.css").read_bytes()
    assert len(style) < 6_000
    for (kind, variant), folder in reports.items():
        page = (folder / f"{kind}.html").read_text()
        css = "".join(re.findall(r"<style[^>]*>(.*?)</style>", page, flags=re.S))
        assert len(css.encode()) < 8_000, (kind, variant, len(css))
        assert "<script" not in page.lower()
        without_images = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", page)
        assert len(without_images.encode()) < 120_000, (kind, variant, len(without_images))
