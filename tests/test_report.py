"""Output formats, on decision documents shaped as the policies return them."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from fmgate.evaluate import Decision
from fmgate.memo import parse_memo
from fmgate.report import FORMATS, render_github, render_junit, render_markdown, render_sarif, render_text

MEMO = "---\nid: m1\ndecision: fine-tune\nowner: x\nreviewers: []\nrationale_tags: [moat]\n---\n"

DENIED = {
    "memo_id": "m1",
    "requested": "fine-tune",
    "allowed": False,
    "outcome": "denied",
    "supported": "buy",
    "violations": [
        {
            "id": "MEMO-OWNER",
            "gate": "memo",
            "message": "x is not a decision owner, 100% sure",
            "observed": "x",
            "required": ["dana.kim"],
            "fix": "Name a decision owner.",
        },
        {
            "id": "FT-COST-VOLUME",
            "gate": "cost_at_scale",
            "message": "too few calls:\nsee notebook",
            "observed": 2400000,
            "required": 10000000,
            "fix": "Buy.",
        },
    ],
    "warnings": [
        {
            "id": "WARN-DIMENSIONS-BUY",
            "gate": "memo",
            "message": "dimensions say buy",
            "observed": None,
            "required": None,
            "fix": "",
        }
    ],
    "gates": {
        "cost_at_scale": {
            "fired": False,
            "exempt": False,
            "needed": True,
            "evidence": ["usage_log", "head_to_head", "cost_model"],
            "checks": [
                {"id": "FT-COST-VOLUME", "passed": False, "observed": 2400000, "required": 10000000, "message": "m"},
                {
                    "id": "FT-COST-QUALITY",
                    "passed": True,
                    "observed": {"point": 0.97, "lower": 0.96},
                    "required": 0.95,
                    "message": "m",
                },
            ],
        },
        "build": {
            "fired": False,
            "needed": False,
            "evidence": ["corpus_manifest"],
            "checks": [{"id": "BUILD-DATA", "passed": False, "observed": None, "required": 1e11, "message": "m"}],
        },
    },
}


def decision(document: dict) -> Decision:
    return Decision(parse_memo(MEMO, path=Path("memos/m1.md"), relpath="memos/m1.md"), document)


def test_text_leads_with_outcome_and_groups_by_gate() -> None:
    text = render_text([decision(DENIED)])
    lines = text.splitlines()
    assert lines[0].startswith("DENIED  memos/m1.md")
    assert "the evidence supports buy" in lines[1]
    assert text.index("Memo") < text.index("Fine-tune gate 1: cost at scale")
    assert "observed 2,400,000; required 10,000,000" in text
    assert text.rstrip().endswith("0 approved, 1 denied")


def test_a_missing_allowed_flag_is_a_denial() -> None:
    document = dict(DENIED, outcome="approved")
    document.pop("allowed")
    assert not decision(document).allowed


def test_github_annotations_land_on_the_field_line_and_escape() -> None:
    out = render_github([decision(DENIED)]).splitlines()
    owner = next(line for line in out if "title=MEMO-OWNER" in line)
    assert owner.startswith("::error file=memos/m1.md,line=4,")
    assert "100%25 sure" in owner
    volume = next(line for line in out if "FT-COST-VOLUME" in line)
    assert "%0A" in volume and "\n" not in volume
    assert any(line.startswith("::warning ") and "WARN-DIMENSIONS-BUY" in line for line in out)


def test_junit_is_valid_xml_with_failures() -> None:
    root = ET.fromstring(render_junit([decision(DENIED)]))
    suite = root.find("testsuite")
    assert suite is not None and suite.get("name") == "memos/m1.md"
    assert int(suite.get("failures")) == 4  # two failed checks, two violations


def test_sarif_results_carry_rule_ids_and_locations() -> None:
    sarif = json.loads(render_sarif([decision(DENIED)]))
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    assert {r["ruleId"] for r in results} == {"MEMO-OWNER", "FT-COST-VOLUME", "WARN-DIMENSIONS-BUY"}
    owner = next(r for r in results if r["ruleId"] == "MEMO-OWNER")
    assert owner["locations"][0]["physicalLocation"]["region"]["startLine"] == 4
    assert {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]} == {r["ruleId"] for r in results}


def test_markdown_tables_and_folded_gates() -> None:
    md = render_markdown([decision(DENIED)])
    assert "### ❌ denied: `m1`" in md
    assert "| `FT-COST-VOLUME` | cost_at_scale |" in md
    assert "**Fine-tune gate 1: cost at scale**: did not fire" in md
    assert "<details><summary>Build gates: did not fire</summary>" in md
    assert "| `FT-COST-QUALITY` | lower 0.96; point 0.97 | 0.95 | pass |" in md


def test_every_format_is_registered() -> None:
    assert set(FORMATS) == {"text", "json", "markdown", "github", "junit", "sarif"}


def test_requested_reviewers_are_never_shown_as_approvals() -> None:
    requested = dict(
        DENIED,
        review={
            "source": "requested",
            "requested": ["lee.wong"],
            "approved": [],
            "stale": [],
            "counted": ["lee.wong"],
            "required": 1,
        },
    )
    text = render_text([decision(requested)])
    assert "review: requested from lee.wong, not approved" in text
    assert "only the pull request's approvals" in render_markdown([decision(requested)])
    in_ci = dict(
        DENIED,
        review={
            "source": "pull_request",
            "requested": ["lee.wong"],
            "approved": ["sam.ortiz"],
            "stale": ["kai.berg"],
            "counted": ["sam.ortiz"],
            "required": 1,
        },
    )
    line = render_text([decision(in_ci)])
    assert "approved in the pull request by sam.ortiz (requested: lee.wong)" in line
    assert "earlier commit, not counted: kai.berg" in line
