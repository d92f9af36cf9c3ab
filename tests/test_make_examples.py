"""The seeded example generator: deterministic, never overwrites, and writes memos fmgate can read."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from fmgate.memo import load_memo, split_front_matter

REPO_ROOT = Path(__file__).resolve().parents[1]
SCRIPT = REPO_ROOT / "scripts" / "make_examples.py"
MEMO_DATE = dt.date(2026, 11, 2)
EVALUATION_DAY = dt.date(2026, 11, 24)

#: The front-matter fields of the memo spec's example (spec/memo.md).
MEMO_FIELDS = (
    "id",
    "title",
    "workload",
    "workload_shape",
    "decision",
    "status",
    "date",
    "owner",
    "proposer",
    "reviewers",
    "engineering_started",
    "supersedes",
    "buy_alternative",
    "dimensions",
    "candidates",
    "rationale_tags",
    "gates_claimed",
    "domain",
    "build",
    "evidence",
)
#: What the incomplete example leaves out on purpose.
LEFT_OUT = {"contract-summaries-draft": {"buy_alternative", "dimensions"}}
EXAMPLES = (
    "support-reply-drafting",
    "contract-summaries-draft",
    "ticket-triage-distillation",
    "clinical-coding-assistant",
    "sales-email-own-model",
    "legal-foundation-model",
    "support-volume-from-warehouse",
)
#: The embedded database the warehouse example reads, declared in fmgate.yaml as demo-warehouse.
WAREHOUSE = "examples/warehouse.sqlite"
WAREHOUSE_TABLES = ["llm_calls_daily", "task_changes"]
DECISION_OWNERS = {"dana.kim", "priya.rao"}


def run_script(root: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--root", str(root), *extra], capture_output=True, text=True, timeout=300
    )


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("examples")
    result = run_script(root)
    assert result.returncode == 0, result.stderr
    return root


def front(root: Path, memo_id: str) -> dict:
    text = (root / "memos" / f"{memo_id}.md").read_text(encoding="utf-8")
    fm, body, _ = split_front_matter(text, path=memo_id)
    data = yaml.safe_load(fm)
    assert isinstance(data, dict)
    return data


def test_two_runs_are_byte_identical(generated: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    result = run_script(again)
    assert result.returncode == 0, result.stderr
    first, second = tree(generated), tree(again)
    assert first.keys() == second.keys()
    assert [p for p in first if first[p] != second[p]] == []


def test_writes_the_seven_examples_the_warehouse_and_settings(generated: Path) -> None:
    files = tree(generated)
    assert sorted(p.removeprefix("memos/").removesuffix(".md") for p in files if p.startswith("memos/")) == sorted(
        EXAMPLES
    )
    settings = yaml.safe_load(files["fmgate.yaml"])
    assert settings == {
        "decision_owners": ["dana.kim", "priya.rao"],
        "senior_reviewers": ["lee.wong", "sam.ortiz"],
        "required_approvals": 1,
        "thresholds": {},
        "opa": {"url": None, "token_env": None},
        "sources": {
            "demo-warehouse": {"kind": "sql", "url": f"sqlite:///{WAREHOUSE}", "tables": WAREHOUSE_TABLES},
        },
    }
    assert sorted(p for p in files if not p.startswith(("memos/", "evidence/"))) == sorted([WAREHOUSE, "fmgate.yaml"])
    assert all(len(content) < 3 * 1024 * 1024 for content in files.values())


def test_refuses_to_overwrite_without_force(generated: Path, tmp_path: Path) -> None:
    root = tmp_path / "repo"
    assert run_script(root).returncode == 0
    memo = root / "memos" / "ticket-triage-distillation.md"
    memo.write_text("my own edits\n")

    refused = run_script(root)
    assert refused.returncode == 2
    assert "would overwrite memos/ticket-triage-distillation.md" in refused.stderr
    assert "--force" in refused.stderr
    assert memo.read_text() == "my own edits\n"

    forced = run_script(root, "--force")
    assert forced.returncode == 0, forced.stderr
    assert memo.read_bytes() == (generated / "memos" / "ticket-triage-distillation.md").read_bytes()


def test_keeps_an_existing_settings_file(tmp_path: Path) -> None:
    (tmp_path / "fmgate.yaml").write_text("decision_owners: [someone.else]\n")
    assert run_script(tmp_path).returncode == 0
    assert (tmp_path / "fmgate.yaml").read_text() == "decision_owners: [someone.else]\n"


@pytest.mark.parametrize("memo_id", EXAMPLES)
def test_front_matter_has_the_memo_fields(generated: Path, memo_id: str) -> None:
    data = front(generated, memo_id)
    expected = set(MEMO_FIELDS) - LEFT_OUT.get(memo_id, set())
    assert expected <= set(data), sorted(expected - set(data))
    assert data["id"] == memo_id and data["date"] == MEMO_DATE and data["status"] == "proposed"
    sources = yaml.safe_load((generated / "fmgate.yaml").read_text())["sources"]
    for kind, path in data["evidence"].items():
        if isinstance(path, dict):  # read in place: a table fmgate.yaml lets memos read, in the database
            assert path["table"] in sources[path["source"]]["tables"], (kind, path)
            assert path["table"] in warehouse_tables(generated), (kind, path)
            continue
        assert path.startswith(f"evidence/{memo_id}/inputs/"), (kind, path)
        assert (generated / path).is_file(), path
    # the package's own memo model accepts it (types and vocabularies)
    parsed = load_memo(generated / "memos" / f"{memo_id}.md", generated).memo
    assert parsed.id == memo_id


def test_workloads_are_distinct_and_owners_valid(generated: Path) -> None:
    fronts = {m: front(generated, m) for m in EXAMPLES}
    workloads = [f["workload"] for f in fronts.values()]
    assert len(set(workloads)) == len(workloads)
    for memo_id, data in fronts.items():
        if memo_id == "contract-summaries-draft":
            assert data["owner"] not in DECISION_OWNERS and data["reviewers"] == []
            assert "build" not in data["candidates"]
        else:
            assert data["owner"] in DECISION_OWNERS
            assert set(data["candidates"]) == {"buy", "fine-tune", "build"}
            assert data["reviewers"] and data["proposer"]["person"] not in data["reviewers"]


def warehouse(root: Path) -> closing[sqlite3.Connection]:
    """The generated warehouse, opened read-only (and closed at the end of the with block)."""
    return closing(sqlite3.connect(f"file:{root / WAREHOUSE}?mode=ro", uri=True))


def warehouse_tables(root: Path) -> set[str]:
    with warehouse(root) as connection:
        return {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_nothing_is_dated_after_the_evaluation_day(generated: Path) -> None:
    for path in generated.rglob("*.csv"):
        frame = pd.read_csv(path, dtype=str)
        for column in ("date", "run_date", "timestamp"):
            if column in frame:
                latest = max(dt.date.fromisoformat(v[:10]) for v in frame[column])
                assert latest <= EVALUATION_DAY, (path, column, latest)
    with warehouse(generated) as connection:  # the rows the pin leaves out included
        for table, column in [(t, c) for t in WAREHOUSE_TABLES for c in ("call_day", "date", "loaded_at")]:
            if column in {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}:
                (latest,) = connection.execute(f"SELECT max({column}) FROM {table}").fetchone()
                assert dt.date.fromisoformat(latest[:10]) <= EVALUATION_DAY, (table, column, latest)


def _inputs(root: Path, memo_id: str) -> Path:
    return root / "evidence" / memo_id / "inputs"


def test_cost_at_scale_example_has_the_shape_it_claims(generated: Path) -> None:
    inputs = _inputs(generated, "ticket-triage-distillation")
    usage = pd.read_csv(inputs / "usage.csv")
    assert len(usage) == 60 and usage["date"].iloc[-1] == "2026-11-01"
    assert usage["calls"].tail(28).median() >= 10_000_000

    h2h = pd.read_csv(inputs / "head_to_head.csv")
    wide = h2h.pivot(index="item_id", columns="system", values="score")
    assert len(wide) == 240
    cand, buy = wide["candidate"].to_numpy(), wide["buy"].to_numpy()
    rng = np.random.default_rng(7)
    picks = rng.integers(0, len(cand), size=(2000, len(cand)))
    ratios = cand[picks].mean(axis=1) / buy[picks].mean(axis=1)
    assert 0.96 <= cand.mean() / buy.mean() <= 0.98
    assert np.quantile(ratios, 0.025) >= 0.95
    memo = front(generated, "ticket-triage-distillation")
    assert dt.date.fromisoformat(h2h["run_date"].max()) < memo["engineering_started"]

    model = yaml.safe_load((inputs / "cost_model.yaml").read_text())
    assert len(model["scenarios"]) == 2


def test_domain_example_has_the_shape_it_claims(generated: Path) -> None:
    inputs = _inputs(generated, "clinical-coding-assistant")
    log = pd.read_csv(inputs / "prompting_log.csv")
    assert list(log.columns) == [
        "iteration",
        "timestamp",
        "practitioner",
        "seniority",
        "hours",
        "variant",
        "score",
        "eval_set_size",
    ]
    assert log["hours"].sum() >= 24 and "senior" in set(log["seniority"])
    assert {"system_prompt", "few_shot", "chain_of_thought", "retrieval_augmented"} <= set(log["variant"])
    best = log.sort_values("iteration")["score"].cummax().to_numpy()
    assert len(best) >= 12 and best[-1] - best[-6] < 0.01

    domain = pd.read_csv(inputs / "domain_data.csv")
    high = domain[domain["quality"] == "high"]["text"]
    assert high.nunique() == len(high) == 12_000 and len(domain) == 12_500
    evals = [json.loads(line) for line in (inputs / "eval_set.jsonl").read_text().splitlines()]
    assert len(evals) == 260 and not {e["input"] for e in evals} & set(domain["text"])


def test_warehouse_example_has_the_shape_it_claims(generated: Path) -> None:
    memo = front(generated, "support-volume-from-warehouse")
    usage, changes = memo["evidence"]["usage_log"], memo["evidence"]["task_changes"]
    assert usage["columns"] == {
        "date": "call_day",
        "calls": "n_calls",
        "input_tokens": "prompt_tokens",
        "output_tokens": "completion_tokens",
    }
    pin = usage["pin"]
    assert pin == changes["pin"] and pin["column"] == "loaded_at"
    as_of = dt.datetime.fromisoformat(pin["as_of"].replace("Z", "+00:00"))
    assert as_of.tzinfo is not None and as_of.date() < EVALUATION_DAY

    with warehouse(generated) as connection:
        columns = [row[1] for row in connection.execute("PRAGMA table_info(llm_calls_daily)")]
        assert set(usage["columns"].values()) | {"loaded_at"} == set(columns)
        rows = connection.execute(
            "SELECT call_day, n_calls, loaded_at FROM llm_calls_daily ORDER BY call_day"
        ).fetchall()
        logged = connection.execute("SELECT date, meaningful, loaded_at FROM task_changes ORDER BY date").fetchall()

    def instant(text: str) -> dt.datetime:
        assert text.endswith("Z") and len(text) == 20, text  # ISO 8601 in UTC, to the second
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))

    pinned = [r for r in rows if instant(r[2]) <= as_of]
    after = [r for r in rows if instant(r[2]) > as_of]
    # the pin reads 60 days to the day before the memo; the days loaded since are in the table all the same
    assert len(pinned) == 60 and pinned[-1][0] == (MEMO_DATE - dt.timedelta(days=1)).isoformat()
    assert len({r[0] for r in pinned}) == 60
    assert after and all(r[0] >= MEMO_DATE.isoformat() for r in after)
    # the last pinned row arrived on the pin's own day, hours before it
    assert instant(pinned[-1][2]).date() == as_of.date()
    median = float(np.median([r[1] for r in pinned[-28:]]))
    assert 10_000 < median < 10_000_000 / 100  # far below the cost-at-scale threshold
    assert any(instant(t) > as_of for _, _, t in logged) and any(instant(t) <= as_of for _, _, t in logged)
    assert {m for _, m, _ in logged} == {0, 1}

    model = yaml.safe_load((_inputs(generated, "support-volume-from-warehouse") / "cost_model.yaml").read_text())
    assert len(model["scenarios"]) == 2


def test_denied_examples_have_the_shape_they_claim(generated: Path) -> None:
    sales = _inputs(generated, "sales-email-own-model")
    assert len(pd.read_parquet(sales / "domain_data.parquet")) == 150_000
    assert len((sales / "eval_set.jsonl").read_text().splitlines()) == 80
    log = pd.read_csv(sales / "prompting_log.csv")
    assert log["hours"].sum() == 6 and set(log["seniority"]) == {"junior"}

    legal = _inputs(generated, "legal-foundation-model")
    manifest = pd.read_csv(legal / "corpus_manifest.csv")
    qualifying = manifest[manifest["proprietary"] & manifest["domain_relevant"] & (manifest["quality"] == "high")][
        "tokens"
    ].sum()
    assert 2.5e9 <= qualifying <= 3.5e9
    build = front(generated, "legal-foundation-model")["build"]
    assert build["model_is_product"] is False and build["committed_capital_usd"] == 20_000_000
