"""From input files to decisions: `fmgate collect` then `fmgate check`, on the real engine.

The seeded examples cover every rule family (memo rules, both fine-tune gates,
the shared requirements and anti-patterns, the build gates); variants of their
inputs push single measurements across a threshold; re-litigation runs on an
approved copy. The committed evidence comes along, so `collect` reuses what
is current and runs only what a variant changes (or what has aged).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from fmgate.cli import main

ROOT = Path(__file__).resolve().parents[1]
NOW = "2026-11-24"
EXPECTED = {
    "support-reply-drafting": ("approved", set()),
    "contract-summaries-draft": (
        "denied",
        {"MEMO-BUY-ALTERNATIVE", "MEMO-CANDIDATES", "MEMO-DIMENSIONS", "MEMO-OWNER", "MEMO-REVIEW"},
    ),
    "ticket-triage-distillation": ("approved", set()),
    "clinical-coding-assistant": ("approved", set()),
    "sales-email-own-model": (
        "denied",
        {
            "FT-ANTI-HAVE-DATA",
            "FT-ANTI-OWN-MODEL",
            "FT-BENCH-BUY-WINS",
            "FT-NO-GATE",
            "FT-DOMAIN-EVALSET",
            "FT-DOMAIN-PROMPT-HOURS",
            "FT-DOMAIN-PROMPT-SENIOR",
            "FT-DOMAIN-PROMPT-VARIANTS",
            "FT-DOMAIN-PROMPT-PLATEAU",
        },
    ),
    "legal-foundation-model": (
        "denied",
        {"BUILD-DATA", "BUILD-STRATEGIC", "BUILD-CAPITAL", "BUILD-FT-REJECTED", "FT-ANTI-OWN-MODEL"},
    ),
    "support-volume-from-warehouse": ("approved", set()),
}


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("examples") / "repo"
    root.mkdir()
    for folder in ("policies", "notebooks", "schemas", "memos", "examples"):  # examples/: the SQLite warehouse
        shutil.copytree(ROOT / folder, root / folder)
    shutil.copy(ROOT / "fmgate.yaml", root / "fmgate.yaml")
    shutil.copytree(ROOT / "evidence", root / "evidence")
    memos = sorted(str(p) for p in (root / "memos").glob("*.md"))
    assert main(["--repo", str(root), "collect", "--no-progress", *memos]) == 0
    return root


def check(root: Path, capsys: pytest.CaptureFixture[str], memo_id: str, *extra: str) -> tuple[int, dict]:
    capsys.readouterr()
    code = main(
        ["--repo", str(root), "check", str(root / "memos" / f"{memo_id}.md"), "--format", "json", "--now", NOW, *extra]
    )
    return code, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("memo_id", sorted(EXPECTED))
def test_examples_decide_as_their_names_say(examples: Path, capsys: pytest.CaptureFixture[str], memo_id: str) -> None:
    outcome, violation_ids = EXPECTED[memo_id]
    code, document = check(examples, capsys, memo_id)
    assert document["outcome"] == outcome
    assert code == (0 if outcome == "approved" else 1)
    assert {v["id"] for v in document["violations"]} == violation_ids
    for violation in document["violations"]:
        assert violation["message"] and violation["fix"], violation


def test_fired_gates_are_the_ones_claimed(examples: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, triage = check(examples, capsys, "ticket-triage-distillation")
    assert triage["gates"]["cost_at_scale"]["fired"] and not triage["gates"]["domain_expertise"]["fired"]
    _, clinical = check(examples, capsys, "clinical-coding-assistant")
    assert clinical["gates"]["domain_expertise"]["fired"]
    _, legal = check(examples, capsys, "legal-foundation-model")
    assert legal["supported"] == "buy" and not legal["gates"]["build"]["fired"]


def _variant(examples: Path, tmp_path: Path, memo_id: str) -> Path:
    root = tmp_path / "variant"
    shutil.copytree(examples, root, symlinks=True)
    return root


def test_volume_below_threshold_denies_the_distillation(
    examples: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _variant(examples, tmp_path, "ticket-triage-distillation")
    usage = root / "evidence" / "ticket-triage-distillation" / "inputs" / "usage.csv"
    lines = usage.read_text().splitlines()
    header, rows = lines[0], lines[1:]
    calls_at = header.split(",").index("calls")

    def halve(row: str) -> str:
        cells = row.split(",")
        cells[calls_at] = str(int(cells[calls_at]) // 2)
        return ",".join(cells)

    usage.write_text("\n".join([header, *map(halve, rows)]) + "\n")
    memo = root / "memos" / "ticket-triage-distillation.md"
    assert main(["--repo", str(root), "collect", "--no-progress", str(memo)]) == 0
    code, document = check(root, capsys, "ticket-triage-distillation")
    assert code == 1 and document["supported"] == "buy"
    assert {"FT-COST-VOLUME", "FT-NO-GATE"} <= {v["id"] for v in document["violations"]}


def test_a_benchmark_against_a_weaker_model_than_the_buy_alternative_denies(
    examples: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _variant(examples, tmp_path, "ticket-triage-distillation")
    bench = root / "evidence" / "ticket-triage-distillation" / "inputs" / "head_to_head.csv"
    assert ",openai,gpt-5,public-api" in bench.read_text()
    bench.write_text(bench.read_text().replace(",openai,gpt-5,public-api", ",openai,gpt-5-nano,public-api"))
    memo = root / "memos" / "ticket-triage-distillation.md"
    assert main(["--repo", str(root), "collect", "--no-progress", "--kind", "head_to_head", str(memo)]) == 0
    code, document = check(root, capsys, "ticket-triage-distillation")
    assert code == 1
    (violation,) = [v for v in document["violations"] if v["id"] == "FT-BENCH-BUY-MODEL"]
    assert "gpt-5-nano" in violation["message"] and violation["required"]["model"] == "gpt-5"


def test_missing_evidence_denies_and_names_the_file(
    examples: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _variant(examples, tmp_path, "clinical-coding-assistant")
    (root / "evidence" / "clinical-coding-assistant" / "prompting_log.json").unlink()
    code, document = check(root, capsys, "clinical-coding-assistant")
    assert code == 1
    missing = [v for v in document["violations"] if v["id"] == "MEMO-EVIDENCE-MISSING"]
    assert missing and "evidence/clinical-coding-assistant/prompting_log.json" in missing[0]["message"]


def test_hand_broken_evidence_is_never_approved(
    examples: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _variant(examples, tmp_path, "ticket-triage-distillation")
    (root / "evidence" / "ticket-triage-distillation" / "usage_log.json").write_text("{not json")
    code, document = check(root, capsys, "ticket-triage-distillation")
    assert code == 1 and document["outcome"] == "denied"
    assert "MEMO-EVIDENCE-MISSING" in {v["id"] for v in document["violations"]}


def test_stale_evidence_denies_a_proposal(examples: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, document = check(examples, capsys, "ticket-triage-distillation", "--now", "2099-01-01")
    assert code == 1 and "MEMO-EVIDENCE-STALE" in {v["id"] for v in document["violations"]}


def _warehouse_inputs(root: Path) -> tuple[dict, dict]:
    document = json.loads((root / "evidence" / "support-volume-from-warehouse" / "usage_log.json").read_text())
    return document, {i["name"]: i for i in document["provenance"]["inputs"]}


def test_the_warehouse_example_is_measured_in_the_database_as_pinned(
    examples: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document, read = _warehouse_inputs(examples)
    usage, changes = read["usage_log"], read["task_changes"]
    assert usage["engine"] == changes["engine"] == "sqlite" and usage["table"] == "llm_calls_daily"
    assert usage["pin"] == {"as_of": "2026-11-02T06:00:00Z", "column": "loaded_at"}
    # the 60 days loaded by the pin's instant, not the days loaded since; the task change logged later is left out
    assert (usage["rows"], usage["first_date"], usage["last_date"]) == (60, "2026-09-03", "2026-11-01")
    assert (changes["rows"], changes["last_date"]) == (3, "2026-08-24")
    assert document["measurements"]["window_end"] == "2026-11-01"
    assert document["measurements"]["median_daily_calls"] < 10_000_000

    # a late row appended after the pin changes nothing the memo reads, even when the evidence is regenerated
    root = _variant(examples, tmp_path, "support-volume-from-warehouse")
    with closing(sqlite3.connect(root / "examples" / "warehouse.sqlite")) as connection, connection:
        connection.execute("INSERT INTO llm_calls_daily VALUES ('2026-10-30', 90000000, 1, 1, '2026-11-20T02:00:00Z')")
    (root / "evidence" / "support-volume-from-warehouse" / "usage_log.json").unlink()  # so the notebook runs again
    memo = root / "memos" / "support-volume-from-warehouse.md"
    assert main(["--repo", str(root), "collect", "--no-progress", "--kind", "usage_log", str(memo)]) == 0
    again, read_again = _warehouse_inputs(root)
    assert again["measurements"] == document["measurements"]
    assert read_again["usage_log"]["digest"] == usage["digest"]
    code, decided = check(root, capsys, "support-volume-from-warehouse")
    assert code == 0 and decided["outcome"] == "approved"


def test_relitigation_of_an_approved_fine_tune(
    examples: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _variant(examples, tmp_path, "ticket-triage-distillation")
    for memo in (root / "memos").glob("*.md"):
        if memo.stem != "ticket-triage-distillation":
            memo.unlink()
    memo = root / "memos" / "ticket-triage-distillation.md"
    memo.write_text(memo.read_text().replace("status: proposed", "status: approved", 1))
    capsys.readouterr()
    assert main(["--repo", str(root), "relitigate", "--now", "2026-12-01"]) == 0
    assert "0 of 1 approved decision(s) due" in capsys.readouterr().out
    assert main(["--repo", str(root), "relitigate", "--now", "2027-06-01", "--format", "json"]) == 1
    due = json.loads(capsys.readouterr().out)["due"]
    assert [d["memo_id"] for d in due] == ["ticket-triage-distillation"]
    assert "RELIT-DUE" in {f["id"] for f in due[0]["findings"]}
