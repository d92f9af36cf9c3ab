"""The pull-request gate as the workflow runs it: `scripts/decision-gate` over a branch checkout.

Every case is a real git repository in a temp folder: `origin` holds main (the
whole project: package, notebooks, policies, scripts, workflows), and the
branch under review is a separate clone on which the proposer commits. The
gate itself is this checkout's `scripts/decision-gate` (the trusted
installation), run exactly as the workflow runs it, with the real OPA and
real notebook kernels. In each attack the proposer collected and committed
evidence with the branch's own code; each must end in a denial, never an
approval and never a traceback, while an honest branch with a senior's real
approval is approved.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

import pytest
import yaml

from fmgate.engine import find_opa

REPO_ROOT = Path(__file__).resolve().parents[1]
GATE = REPO_ROOT / "scripts" / "decision-gate"
EXAMPLE = "ticket-triage-distillation"
PROJECT_FILES = (
    "src",
    "policies",
    "notebooks",
    "schemas",
    "scripts",
    "tools",
    ".github",
    ".ci",
    "Makefile",
    "pyproject.toml",
    "constraints.txt",
)
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
BUY_MEMO = """\
---
id: reply-drafting
title: Buy for reply drafting
workload: reply-drafting
workload_shape: standard
decision: buy
status: proposed
date: 2026-11-02
owner: dana.kim
proposer: {team: support, type: in-house, person: ana.ruiz}
reviewers: [lee.wong]
engineering_started: null
supersedes: null
buy_alternative: {provider: example-ai, model: frontier-1, deployment: public-api}
dimensions: {criticality: supportive, workflow_complexity: simple, control_need: low}
candidates:
  buy: "Good enough today."
  fine-tune: "Volume is far too low."
  build: "We do not sell models."
rationale_tags: [quality]
gates_claimed: []
evidence: {cost_model: evidence/reply-drafting/inputs/cost_model.yaml}
---
Body.
"""


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True).stdout


def commit_all(root: Path, message: str) -> str:
    git(root, "add", "-A")
    git(root, "commit", "-qm", message)
    return git(root, "rev-parse", "HEAD").strip()


def fmgate(root: Path, *args: str, pythonpath: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The proposer's own `fmgate`, optionally importing a package of their own first."""
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
        env["FMGATE_OPA_BIN"] = find_opa()  # a package of their own has no tools folder beside it
    return subprocess.run(
        [sys.executable, "-m", "fmgate.cli", "--repo", str(root), *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@dataclass
class Verdict:
    code: int
    documents: dict[str, dict]
    summary: str
    output: str

    def ids(self, memo_id: str) -> set[str]:
        return {v["id"] for v in self.documents[memo_id]["violations"]}


def run_gate(branch: Path, base: str, out: Path, *extra: str, cwd: Path | None = None) -> Verdict:
    """`scripts/decision-gate` exactly as the workflow calls it."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "GITHUB_STEP_SUMMARY")}
    completed = subprocess.run(
        [
            str(GATE),
            "--base",
            base,
            "--branch",
            str(branch),
            "--author",
            "ana.ruiz",
            "--format",
            "json",
            "--out",
            str(out),
            *extra,
        ],
        cwd=cwd or branch,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    output = completed.stdout + completed.stderr
    assert "Traceback" not in output, output
    documents = {}
    for path in sorted((out / "decisions").glob("*.json")) if (out / "decisions").is_dir() else []:
        documents[path.stem] = json.loads(path.read_text())
    summary = (out / "summary.md").read_text() if (out / "summary.md").is_file() else ""
    return Verdict(completed.returncode, documents, summary, output)


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """main: the whole project, the organisation's settings and one approved memo; its commit."""
    root = tmp_path_factory.mktemp("gate") / "origin"
    root.mkdir()
    for name in PROJECT_FILES:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy(source, root / name)
    (root / "fmgate.yaml").write_text(SETTINGS)
    (root / "memos").mkdir()
    (root / "evidence").mkdir()
    (root / "memos" / "search-answers.md").write_text(
        BUY_MEMO.replace("reply-drafting", "search-answers")
        .replace("status: proposed", "status: approved")
        .replace("evidence: {cost_model: evidence/search-answers/inputs/cost_model.yaml}", "evidence: {}")
    )
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "ci@example.com")
    git(root, "config", "user.name", "ci")
    return root, commit_all(root, "main")


@pytest.fixture
def branch(origin: tuple[Path, str], tmp_path: Path) -> Path:
    """The proposer's clone, on a new branch."""
    clone = tmp_path / "branch"
    subprocess.run(["git", "clone", "-q", str(origin[0]), str(clone)], check=True)
    git(clone, "config", "user.email", "ana@example.com")
    git(clone, "config", "user.name", "ana")
    git(clone, "checkout", "-q", "-b", "proposal")
    return clone


@pytest.fixture(scope="module")
def honest_buy(origin: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A buy memo with its cost model and the evidence the trusted fmgate collects for it."""
    work = tmp_path_factory.mktemp("buy") / "repo"
    subprocess.run(["git", "clone", "-q", str(origin[0]), str(work)], check=True)
    inputs = work / "evidence" / "reply-drafting" / "inputs"
    inputs.mkdir(parents=True)
    (inputs / "cost_model.yaml").write_text(COST_MODEL)
    (work / "memos" / "reply-drafting.md").write_text(BUY_MEMO)
    collected = fmgate(work, "collect", "memos/reply-drafting.md", "--no-progress")
    assert collected.returncode == 0, collected.stderr
    return work


def add_buy(branch: Path, honest_buy: Path) -> None:
    shutil.copy(honest_buy / "memos" / "reply-drafting.md", branch / "memos" / "reply-drafting.md")
    shutil.copytree(honest_buy / "evidence" / "reply-drafting", branch / "evidence" / "reply-drafting")


@pytest.fixture(scope="module")
def low_volume_fine_tune(origin: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A fine-tune whose usage log is 1% of the volume threshold, collected with a doctored fmgate.

    The doctored package multiplies the measured median by 100: the committed
    evidence then says the cost gate fires. Returns the doctored package and
    a work tree holding the memo, its inputs and that evidence.
    """
    folder = tmp_path_factory.mktemp("fine-tune")
    doctored = folder / "doctored" / "src"  # laid out like a checkout, so it finds its schemas as ours does
    shutil.copytree(REPO_ROOT / "src" / "fmgate", doctored / "fmgate", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO_ROOT / "schemas", doctored.parent / "schemas")
    usage = doctored / "fmgate" / "evidence" / "usage.py"
    honest_line = "median = float(np.median(inside.to_numpy())) if len(inside) else 0.0"
    assert honest_line in usage.read_text()
    usage.write_text(usage.read_text().replace(honest_line, honest_line + "\n    median *= 100"))

    work = folder / "repo"
    subprocess.run(["git", "clone", "-q", str(origin[0]), str(work)], check=True)
    shutil.copy(REPO_ROOT / "memos" / f"{EXAMPLE}.md", work / "memos" / f"{EXAMPLE}.md")
    shutil.copytree(REPO_ROOT / "evidence" / EXAMPLE / "inputs", work / "evidence" / EXAMPLE / "inputs")
    log = work / "evidence" / EXAMPLE / "inputs" / "usage.csv"
    header, *rows = log.read_text().splitlines()
    shrunk = []
    for row in rows:
        day, calls, *rest = row.split(",")
        shrunk.append(",".join([day, str(int(calls) // 100), *rest]))
    log.write_text("\n".join([header, *shrunk]) + "\n")
    collected = fmgate(work, "collect", f"memos/{EXAMPLE}.md", "--no-progress", pythonpath=doctored)
    assert collected.returncode == 0, collected.stderr
    measured = json.loads((work / "evidence" / EXAMPLE / "usage_log.json").read_text())["measurements"]
    assert measured["median_daily_calls"] >= 10_000_000  # the doctored code did its job
    return {"doctored": doctored / "fmgate", "work": work}


def add_fine_tune(branch: Path, low_volume: dict[str, Path]) -> None:
    work = low_volume["work"]
    shutil.copy(work / "memos" / f"{EXAMPLE}.md", branch / "memos" / f"{EXAMPLE}.md")
    shutil.copytree(work / "evidence" / EXAMPLE, branch / "evidence" / EXAMPLE)


def reviews_file(path: Path, *reviews: tuple[str, str, str]) -> Path:
    """A reviews file as `gh api .../reviews --paginate` writes it: (login, state, commit)."""
    listed = [
        {
            "id": i,
            "user": {"login": login},
            "state": state,
            "commit_id": sha,
            "submitted_at": f"2026-11-0{i + 1}T10:00:00Z",
        }
        for i, (login, state, sha) in enumerate(reviews)
    ]
    path.write_text(json.dumps(listed))
    return path


# --- the honest branch ----------------------------------------------------------------------


def test_honest_branch_with_a_real_senior_approval_is_approved(
    origin: tuple[Path, str], branch: Path, honest_buy: Path, tmp_path: Path
) -> None:
    add_buy(branch, honest_buy)
    head = commit_all(branch, "propose reply drafting")
    reviews = reviews_file(tmp_path / "reviews.json", ("lee.wong", "APPROVED", head))
    verdict = run_gate(branch, origin[1], tmp_path / "out", "--reviews", str(reviews))
    assert verdict.code == 0, verdict.output
    assert verdict.documents["reply-drafting"]["outcome"] == "approved"
    review = verdict.documents["reply-drafting"]["review"]
    assert review["source"] == "pull_request" and review["counted"] == ["lee.wong"]
    assert f"base commit `{origin[1][:12]}`" in verdict.summary
    assert f"identical to src/fmgate of base commit {origin[1][:12]}" in verdict.summary
    assert (tmp_path / "out" / "evidence" / "reply-drafting" / "cost_model.html").is_file()


# --- the attacks ------------------------------------------------------------------------------


def test_edited_measurement_code_in_src_is_denied(
    origin: tuple[Path, str], branch: Path, low_volume_fine_tune: dict[str, Path], tmp_path: Path
) -> None:
    shutil.rmtree(branch / "src" / "fmgate")
    shutil.copytree(low_volume_fine_tune["doctored"], branch / "src" / "fmgate")
    add_fine_tune(branch, low_volume_fine_tune)
    commit_all(branch, "measure usage our way, and propose the fine-tune")
    verdict = run_gate(branch, origin[1], tmp_path / "out", "--approval", "lee.wong")
    assert verdict.code == 1, verdict.output
    # the base commit's code measured the real volume: the committed evidence does not hold up
    assert {"PROV-RULES-CHANGED", "PROV-TAMPER", "FT-COST-VOLUME"} <= verdict.ids(EXAMPLE)
    regenerated = json.loads((tmp_path / "out" / "evidence" / EXAMPLE / "usage_log.json").read_text())
    assert regenerated["measurements"]["median_daily_calls"] < 200_000
    assert "src/fmgate/evidence/usage.py" in verdict.summary
    assert verdict.summary.index("PROV-RULES-CHANGED") < verdict.summary.index("FT-COST-VOLUME")


def _planted(marker: Path, then: str = "") -> str:
    """Python that leaves a mark when anything imports or runs it."""
    return f"import pathlib\npathlib.Path({str(marker)!r}).write_text(__name__)\n{then}"


def test_python_modules_added_anywhere_are_never_imported(
    origin: tuple[Path, str], branch: Path, low_volume_fine_tune: dict[str, Path], tmp_path: Path
) -> None:
    marks = tmp_path / "marks"
    marks.mkdir()
    # a whole fmgate package at the top of the tree, doctored like the proposer's own collect
    shadow = branch / "fmgate"
    shutil.copytree(low_volume_fine_tune["doctored"], shadow)
    (shadow / "__init__.py").write_text(_planted(marks / "fmgate") + (shadow / "__init__.py").read_text())
    planted = {
        "sitecustomize.py": "sitecustomize",
        "usercustomize.py": "usercustomize",
        "pandas.py": "pandas",
        "yaml.py": "yaml",
        "ipython_kernel_config.py": "ipython-config",
        "ipython_config.py": "ipython-config-2",
        "evilbackend.py": "backend",
        f"evidence/{EXAMPLE}/inputs/numpy.py": "numpy",
        f"evidence/{EXAMPLE}/inputs/fmgate/__init__.py": "inputs-fmgate",
        "notebooks/papermill.py": "papermill",
    }
    add_fine_tune(branch, low_volume_fine_tune)
    for relative, name in planted.items():
        target = branch / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(_planted(marks / name))
    (branch / "matplotlibrc").write_text("backend: module://evilbackend\n")
    (branch / "sneaky.pth").write_text(f"import pathlib; pathlib.Path({str(marks / 'pth')!r}).write_text('pth')\n")
    commit_all(branch, "a few helpers, and the fine-tune")
    # The worst case: the gate started from inside the branch's checkout.
    verdict = run_gate(branch, origin[1], tmp_path / "out", "--approval", "lee.wong", cwd=branch)
    assert sorted(p.name for p in marks.iterdir()) == [], "something of the branch was imported or run"
    assert verdict.code == 1, verdict.output
    assert {"PROV-TAMPER", "FT-COST-VOLUME", "PROV-RULES-CHANGED"} <= verdict.ids(EXAMPLE)


@pytest.mark.parametrize(
    "relative, edit",
    [
        ("Makefile", "setup: planted\nplanted:\n\ttouch {marks}/make\n"),
        ("pyproject.toml", '[tool.fmgate-extra]\nnote = "pulled in by the branch"\n'),
        ("constraints.txt", "pandas==3.1.0\n"),
        ("scripts/install-tools.sh", "touch {marks}/install-tools\n"),
        ("scripts/decision-gate", "touch {marks}/decision-gate\n"),
    ],
)
def test_edited_build_and_install_files_are_denied(
    origin: tuple[Path, str], branch: Path, honest_buy: Path, tmp_path: Path, relative: str, edit: str
) -> None:
    marks = tmp_path / "marks"
    marks.mkdir()
    target = branch / relative
    first, _, rest = target.read_text().partition("\n")
    if first.startswith("#!"):  # a script: the planted line runs first
        target.write_text(first + "\n" + edit.format(marks=marks) + rest)
    else:
        target.write_text(target.read_text() + "\n" + edit.format(marks=marks))
    add_buy(branch, honest_buy)
    commit_all(branch, f"tweak {relative}, and propose")
    verdict = run_gate(branch, origin[1], tmp_path / "out", "--approval", "lee.wong")
    assert list(marks.iterdir()) == []
    assert verdict.code == 1, verdict.output
    assert verdict.ids("reply-drafting") == {"PROV-RULES-CHANGED"}
    assert relative in verdict.documents["reply-drafting"]["violations"][0]["observed"]


def test_memo_naming_a_senior_reviewer_without_an_approval_is_denied(
    origin: tuple[Path, str], branch: Path, honest_buy: Path, tmp_path: Path
) -> None:
    add_buy(branch, honest_buy)  # its front matter says reviewers: [lee.wong]
    head = commit_all(branch, "propose, and name a reviewer")
    commented = reviews_file(
        tmp_path / "reviews.json",
        ("lee.wong", "COMMENTED", head),
        ("joe.intern", "APPROVED", head),
        ("ana.ruiz", "APPROVED", head),
    )
    verdict = run_gate(branch, origin[1], tmp_path / "out", "--reviews", str(commented))
    assert verdict.code == 1, verdict.output
    assert verdict.ids("reply-drafting") == {"MEMO-REVIEW"}
    review = verdict.documents["reply-drafting"]["review"]
    assert review["requested"] == ["lee.wong"] and review["counted"] == []


def test_approval_of_an_earlier_commit_does_not_approve_a_later_push(
    origin: tuple[Path, str], branch: Path, honest_buy: Path, tmp_path: Path
) -> None:
    first = git(branch, "rev-parse", "HEAD").strip()  # what the reviewer saw when approving
    add_buy(branch, honest_buy)
    commit_all(branch, "propose after the approval")
    reviews = reviews_file(tmp_path / "reviews.json", ("lee.wong", "APPROVED", first))
    verdict = run_gate(branch, origin[1], tmp_path / "out", "--reviews", str(reviews))
    assert verdict.code == 1, verdict.output
    assert verdict.ids("reply-drafting") == {"MEMO-REVIEW"}
    assert verdict.documents["reply-drafting"]["review"]["stale"] == ["lee.wong"]


def test_policy_change_with_a_memo_that_needs_it_is_denied(
    origin: tuple[Path, str], branch: Path, honest_buy: Path, tmp_path: Path
) -> None:
    people = branch / "policies" / "fmgate" / "memo" / "people.rego"
    rule = "default _review_ok := false"
    assert rule in people.read_text()
    people.write_text(people.read_text().replace(rule, "default _review_ok := true"))
    add_buy(branch, honest_buy)
    memo = branch / "memos" / "reply-drafting.md"
    memo.write_text(memo.read_text().replace("reviewers: [lee.wong]", "reviewers: []"))
    commit_all(branch, "reviews are optional now")
    verdict = run_gate(branch, origin[1], tmp_path / "out")  # nobody approved
    assert verdict.code == 1, verdict.output
    assert verdict.ids("reply-drafting") == {"MEMO-REVIEW", "PROV-RULES-CHANGED"}
    # the flip report shows what the rule change would do, for its own review
    assert "| `memos/reply-drafting.md` | denied | **approved** |" in verdict.summary


def test_edited_workflow_is_flagged_and_owned_by_governance(
    origin: tuple[Path, str], branch: Path, honest_buy: Path, tmp_path: Path
) -> None:
    workflow = branch / ".github" / "workflows" / "decision-gate.yml"
    workflow.write_text(workflow.read_text().replace("trusted/scripts/decision-gate", "true ||"))
    add_buy(branch, honest_buy)
    commit_all(branch, "a lighter gate")
    verdict = run_gate(branch, origin[1], tmp_path / "out", "--approval", "lee.wong")
    assert verdict.code == 1, verdict.output
    assert verdict.ids("reply-drafting") == {"PROV-RULES-CHANGED"}
    assert ".github/workflows/decision-gate.yml" in verdict.documents["reply-drafting"]["violations"][0]["observed"]
    assert codeowner(".github/workflows/decision-gate.yml") == "@fmgate-org/ai-governance"


def test_branch_planting_its_own_opa_binary_is_not_judged_by_it(
    origin: tuple[Path, str], branch: Path, tmp_path: Path
) -> None:
    marks = tmp_path / "marks"
    marks.mkdir()
    fake = branch / ".tools" / "bin" / "opa"
    fake.parent.mkdir(parents=True)
    fake.write_text(f"#!/bin/sh\ntouch {marks}/opa\nexit 0\n")
    fake.chmod(0o755)
    (branch / "memos" / "unreviewed.md").write_text(
        BUY_MEMO.replace("reply-drafting", "unreviewed").replace(
            "evidence: {cost_model: evidence/unreviewed/inputs/cost_model.yaml}", "evidence: {}"
        )
    )
    git(branch, "add", "-f", ".tools/bin/opa")
    commit_all(branch, "bring our own engine")
    verdict = run_gate(branch, origin[1], tmp_path / "out")
    assert list(marks.iterdir()) == []
    assert verdict.code == 1 and verdict.ids("unreviewed") == {"MEMO-REVIEW", "PROV-RULES-CHANGED"}


def test_gate_refuses_a_branch_that_is_the_trusted_checkout(origin: tuple[Path, str], tmp_path: Path) -> None:
    completed = subprocess.run(
        [str(GATE), "--base", origin[1], "--branch", str(REPO_ROOT)], capture_output=True, text=True, timeout=60
    )
    assert completed.returncode == 2
    assert "a folder of its own" in completed.stderr


# --- structure: the workflow and CODEOWNERS -----------------------------------------------------


WORKFLOW = REPO_ROOT / ".github" / "workflows" / "decision-gate.yml"
BUILDERS = ("make", "pip", "python", "npm", "go ", "bash", "sh ", "source", "./", "pytest", "uv ", "poetry")


def _steps() -> list[dict]:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def _branch_path() -> str:
    for step in _steps():
        if str(step.get("uses", "")).startswith("actions/checkout") and "head.sha" in str(
            step.get("with", {}).get("ref", "")
        ):
            return str(step["with"]["path"])
    raise AssertionError("the workflow never checks out the pull request's head")


def test_no_workflow_step_builds_installs_or_runs_anything_from_the_branch_checkout() -> None:
    branch = _branch_path()
    for step in _steps():
        uses = str(step.get("uses", ""))
        assert not uses.startswith(("./", branch)), f"step uses an action from the checkout: {step}"
        if uses.startswith("actions/checkout"):
            assert step["with"].get("persist-credentials") is False, step
        working = str(step.get("working-directory", "."))
        assert not (working == branch or working.startswith(branch + "/")), step
        run = str(step.get("run", ""))
        if not run:
            continue
        for line in run.replace("\\\n", " ").splitlines():
            words = line.split()
            for i, word in enumerate(words):
                refers = word.strip("\"'") in (branch, f"./{branch}") or word.strip("\"'").startswith(
                    (f"{branch}/", f"./{branch}/")
                )
                # the only way the branch appears is as the folder the trusted gate reads
                assert not refers or (i > 0 and words[i - 1] == "--branch"), f"{step.get('name')}: {line}"
            if any(line.lstrip().startswith(b) for b in BUILDERS):
                assert "--directory" not in line and "-C " + branch not in line, line
    decide = [s for s in _steps() if "decision-gate" in str(s.get("run", ""))]
    assert decide and all("trusted/scripts/decision-gate" in s["run"] for s in decide)


def test_workflow_reads_real_reviews_and_reruns_on_a_review() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert "pull_request_review" in triggers and "pull_request" in triggers
    assert workflow["permissions"] == {"contents": "read", "pull-requests": "read"}
    runs = " ".join(str(s.get("run", "")) for s in _steps())
    assert "gh api" in runs and "/reviews" in runs and "--reviews reviews.json" in runs


def codeowner(path: str) -> str | None:
    """The owner GitHub would pick for *path*: the last matching CODEOWNERS line."""
    owner = None
    for line in (REPO_ROOT / ".github" / "CODEOWNERS").read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        pattern, *owners = line.split()
        if pattern.startswith("/"):
            anchored = pattern[1:]
            hit = path.startswith(anchored) if anchored.endswith("/") else fnmatch(path, anchored)
        else:
            hit = any(fnmatch(part, pattern) for part in [path, *path.split("/")])
        if hit:
            owner = owners[0] if owners else None
    return owner


@pytest.mark.parametrize(
    "path",
    [
        "src/fmgate/evidence/usage.py",
        "notebooks/usage_log.ipynb",
        "policies/data.json",
        "schemas/memo.schema.json",
        "fmgate.yaml",
        "pyproject.toml",
        "constraints.txt",
        "Makefile",
        "scripts/decision-gate",
        "tools/regal/go.mod",
        ".github/workflows/decision-gate.yml",
        ".ci/run",
        "evidence/x/inputs/pandas.py",
        "memos/helper.py",
        "evidence/x/matplotlibrc",
    ],
)
def test_codeowners_gives_every_rule_path_to_governance(path: str) -> None:
    assert codeowner(path) == "@fmgate-org/ai-governance"


def test_memos_and_their_data_belong_to_decision_owners() -> None:
    assert codeowner("memos/x.md") == "@fmgate-org/decision-owners"
    assert codeowner("evidence/x/inputs/usage.csv") == "@fmgate-org/decision-owners"
    assert codeowner("examples/warehouse.sqlite") == "@fmgate-org/decision-owners"


def test_rule_paths_and_codeowners_agree() -> None:
    """Every pattern the PROV-RULES-CHANGED rule watches has an example path that governance owns."""
    patterns = json.loads((REPO_ROOT / "policies" / "data.json").read_text())["fmgate"]["defaults"]["rule_paths"]
    examples = {p: p.replace("{**/,}", "deep/").replace("**", "deep/x").replace("*", "x") for p in patterns}
    for pattern, example in examples.items():
        assert codeowner(example) == "@fmgate-org/ai-governance", (pattern, example)


def test_readme_documents_the_gate_command() -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    assert "scripts/decision-gate --base" in readme
    text = textwrap.dedent(readme)
    assert "trusted" in text.lower()
