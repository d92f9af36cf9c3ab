"""`fmgate ci` on real git repositories: a base branch, a pull-request branch, the real OPA.

Each case commits a branch the way a proposer would (including running
`fmgate collect` with the branch's own notebooks), then runs the job.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from fmgate.cli import main

REPO_ROOT = Path(__file__).resolve().parents[1]

SETTINGS = """\
decision_owners: [dana.kim, priya.rao]
senior_reviewers: [lee.wong, sam.ortiz]
required_approvals: 1
thresholds: {}
opa: {url: null, token_env: null}
"""

COST_MODEL = """\
buy: {input_price_per_million_tokens: 1.25, output_price_per_million_tokens: 10.0, avg_input_tokens: 500, avg_output_tokens: 50}
candidate: {inference_cost_per_thousand_calls: 0.05, engineering_cost_usd: 400000, training_cost_usd: 50000, eval_monitoring_cost_per_quarter_usd: 40000}
scenarios:
  - {name: today, calls_per_day: 20000, growth_per_quarter: 0.0}
  - {name: growth, calls_per_day: 20000, growth_per_quarter: 0.25}
horizon_quarters: 4
"""


def buy_memo(
    memo_id: str,
    *,
    workload: str,
    status: str = "proposed",
    reviewers: str = "[lee.wong]",
    model: str = "frontier-1",
    evidence: str = "{}",
) -> str:
    return textwrap.dedent(f"""\
        ---
        id: {memo_id}
        title: Buy for {workload}
        workload: {workload}
        workload_shape: standard
        decision: buy
        status: {status}
        date: 2026-11-02
        owner: dana.kim
        proposer: {{team: support, type: in-house, person: ana.ruiz}}
        reviewers: {reviewers}
        engineering_started: null
        supersedes: null
        buy_alternative: {{provider: example-ai, model: {model}, deployment: public-api}}
        dimensions: {{criticality: supportive, workflow_complexity: simple, control_need: low}}
        candidates:
          buy: "Good enough today."
          fine-tune: "Volume is far too low."
          build: "We do not sell models."
        rationale_tags: [quality]
        gates_claimed: []
        evidence: {evidence}
        ---
        Body.
        """)


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True).stdout


def commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-qm", message)


@pytest.fixture
def base_repo(tmp_path: Path) -> Path:
    """main: the real policies, notebooks and schemas, the settings, one approved buy memo."""
    root = tmp_path / "decisions"
    root.mkdir()
    for folder in ("policies", "notebooks", "schemas"):
        shutil.copytree(REPO_ROOT / folder, root / folder)
    (root / "fmgate.yaml").write_text(SETTINGS)
    (root / "memos").mkdir()
    (root / "evidence").mkdir()
    (root / "memos" / "search-answers.md").write_text(
        buy_memo("search-answers", workload="search-answers", status="approved")
    )
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "ci@example.com")
    git(root, "config", "user.name", "ci")
    commit(root, "base")
    git(root, "checkout", "-q", "-b", "proposal")
    return root


def add_buy_with_cost_model(root: Path, memo_id: str = "reply-drafting", **kwargs: str) -> Path:
    inputs = root / "evidence" / memo_id / "inputs"
    inputs.mkdir(parents=True)
    (inputs / "cost_model.yaml").write_text(COST_MODEL)
    memo = root / "memos" / f"{memo_id}.md"
    memo.write_text(
        buy_memo(
            memo_id, workload=memo_id, evidence=f"{{cost_model: evidence/{memo_id}/inputs/cost_model.yaml}}", **kwargs
        )
    )
    assert main(["--repo", str(root), "collect", str(memo), "--no-progress"]) == 0
    return memo


def run_ci(
    root: Path, capsys: pytest.CaptureFixture[str], *extra: str, approvals: tuple[str, ...] = ("lee.wong",)
) -> tuple[int, list[dict], str]:
    """`fmgate ci` as the job runs it; *approvals* approved the branch's head commit."""
    capsys.readouterr()
    approved = [arg for login in approvals for arg in ("--approval", login)]
    code = main(
        ["--repo", str(root), "ci", "--base", "main", "--author", "ana.ruiz", "--format", "json", *approved, *extra]
    )
    captured = capsys.readouterr()
    out = captured.out
    documents: list[dict] = []
    if out.lstrip().startswith(("{", "[")):
        end = out.rfind("}") + 1 if out.lstrip().startswith("{") else out.rfind("]") + 1
        parsed = json.loads(out[:end])
        documents = parsed if isinstance(parsed, list) else [parsed]
    return code, documents, out + captured.err


def ids(document: dict) -> set[str]:
    return {v["id"] for v in document["violations"]}


def test_legitimate_branch_is_approved(base_repo: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    add_buy_with_cost_model(base_repo)
    commit(base_repo, "propose reply drafting")
    out_dir = tmp_path / "out"
    code, documents, _ = run_ci(base_repo, capsys, "--out", str(out_dir))
    assert code == 0, [v for d in documents for v in d["violations"]]
    assert [d["memo_id"] for d in documents] == ["reply-drafting"] and documents[0]["outcome"] == "approved"
    assert (out_dir / "decisions" / "reply-drafting.json").is_file()
    assert (out_dir / "evidence" / "reply-drafting" / "cost_model.html").is_file()
    summary = (out_dir / "summary.md").read_text()
    assert "approved" in summary and "reply-drafting" in summary


def test_hand_edited_evidence_is_tampering(base_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_buy_with_cost_model(base_repo)
    evidence = base_repo / "evidence" / "reply-drafting" / "cost_model.json"
    document = json.loads(evidence.read_text())
    document["measurements"]["fixed_cost_usd"] = 1.0
    evidence.write_text(json.dumps(document))
    commit(base_repo, "propose with edited evidence")
    code, documents, _ = run_ci(base_repo, capsys)
    assert code == 1
    assert "PROV-TAMPER" in ids(documents[0])


def test_input_changed_after_its_evidence(base_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_buy_with_cost_model(base_repo)
    model = base_repo / "evidence" / "reply-drafting" / "inputs" / "cost_model.yaml"
    model.write_text(model.read_text().replace("calls_per_day: 20000", "calls_per_day: 90000"))
    commit(base_repo, "propose, then change the input")
    code, documents, _ = run_ci(base_repo, capsys)
    assert code == 1
    assert {"PROV-INPUT", "PROV-TAMPER"} <= ids(documents[0])


def test_relaxed_setting_is_ignored_and_its_effect_reported(
    base_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = base_repo / "fmgate.yaml"
    settings.write_text(settings.read_text().replace("required_approvals: 1", "required_approvals: 0"))
    (base_repo / "memos" / "unreviewed.md").write_text(buy_memo("unreviewed", workload="unreviewed", reviewers="[]"))
    commit(base_repo, "no approvals needed, please")
    code, documents, output = run_ci(base_repo, capsys, approvals=())
    assert code == 1
    assert ids(documents[0]) == {"MEMO-REVIEW", "PROV-RULES-CHANGED"}
    assert "policy change flips memos/unreviewed.md: denied -> approved" in output


def test_relaxed_policy_data_is_ignored(base_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = base_repo / "policies" / "data.json"
    data.write_text(data.read_text().replace('"required_approvals": 1', '"required_approvals": 0'))
    settings = base_repo / "fmgate.yaml"
    settings.write_text(settings.read_text().replace("required_approvals: 1\n", ""))
    (base_repo / "memos" / "unreviewed.md").write_text(buy_memo("unreviewed", workload="unreviewed", reviewers="[]"))
    commit(base_repo, "relax the default")
    code, documents, _ = run_ci(base_repo, capsys, approvals=())
    assert code == 1 and "MEMO-REVIEW" in ids(documents[0])


def test_author_added_to_decision_owners_is_ignored(base_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = base_repo / "fmgate.yaml"
    settings.write_text(settings.read_text().replace("[dana.kim, priya.rao]", "[dana.kim, priya.rao, ana.ruiz]"))
    memo = buy_memo("self-owned", workload="self-owned").replace("owner: dana.kim", "owner: ana.ruiz")
    (base_repo / "memos" / "self-owned.md").write_text(memo)
    commit(base_repo, "I own this now")
    code, documents, _ = run_ci(base_repo, capsys)
    assert code == 1 and ids(documents[0]) == {"MEMO-OWNER", "PROV-RULES-CHANGED"}


def test_notebook_edited_on_the_branch(base_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    notebook = base_repo / "notebooks" / "cost_model.ipynb"
    nb = json.loads(notebook.read_text())
    nb["cells"].append(
        {
            "cell_type": "code",
            "metadata": {},
            "execution_count": None,
            "outputs": [],
            "source": ["# the branch's own measurement tweaks\n"],
        }
    )
    notebook.write_text(json.dumps(nb, indent=1))
    add_buy_with_cost_model(base_repo)
    commit(base_repo, "measure it my way")
    code, documents, _ = run_ci(base_repo, capsys)
    assert code == 1 and "PROV-NOTEBOOK" in ids(documents[0])


def test_approved_memo_edited_in_place(base_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (base_repo / "memos" / "search-answers.md").write_text(
        buy_memo("search-answers", workload="search-answers", status="approved", model="frontier-2")
    )
    commit(base_repo, "quietly switch the model")
    code, documents, _ = run_ci(base_repo, capsys)
    assert code == 1 and "MEMO-LIFECYCLE" in ids(documents[0])


def test_branch_without_memo_changes(base_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (base_repo / "README.md").write_text("docs only\n")
    commit(base_repo, "docs")
    code, documents, output = run_ci(base_repo, capsys)
    assert code == 0 and documents == [] and "changes no memo" in output


@pytest.mark.parametrize("base, words", [("origin/nowhere", "cannot be found"), ("HEAD~99", "cannot be found")])
def test_missing_base_ref_is_bad_input(
    base_repo: Path, capsys: pytest.CaptureFixture[str], base: str, words: str
) -> None:
    assert main(["--repo", str(base_repo), "ci", "--base", base]) == 2
    err = capsys.readouterr().err
    assert words in err and "fetch-depth: 0" in err


def test_an_unreadable_memo_is_named_the_rest_decided_and_the_exit_is_2(
    base_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_buy_with_cost_model(base_repo)
    (base_repo / "memos" / "broken.md").write_text(
        buy_memo("broken", workload="broken").replace("date: 2026-11-02", "date: 2026-13-45")
    )
    commit(base_repo, "a good memo and a broken one")
    code, documents, output = run_ci(base_repo, capsys)
    assert code == 2
    assert [d["memo_id"] for d in documents] == ["reply-drafting"]  # still decided and printed
    assert "memos/broken.md:" in output and "date" in output and "nothing is approved" in output
