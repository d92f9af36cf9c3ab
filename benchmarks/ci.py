"""The pull-request job: `fmgate ci --base main` against collecting and checking the memo directly.

Builds a temporary git repository: ``main`` holds a copy of this repository's
policies, notebooks, schemas and fmgate.yaml; the branch ``proposal`` adds one
example memo (default: the cost-at-scale example, ``ticket-triage-distillation``)
with its inputs and its collected evidence, committed. A plain copy of the
branch's files (no git) serves the baseline. Each round times, in this
process, through the command line's ``main``:

* ``fmgate ci --base main`` in the git repository: base rules exported from
  git, every notebook re-run with the base's notebooks (nothing reused),
  provenance compared, the memo decided on one OPA server;
* the baseline: ``fmgate collect --force MEMO`` + ``fmgate check MEMO`` on the
  plain copy: the same notebooks and the same decision, without the job's
  bookkeeping.

The branch's committed evidence is the output of round 1's baseline collect
(copied over and committed before the first ci run), so no extra collect is
spent on set-up. Rounds alternate which side goes first; the minimum of each
counts. Last line: one JSON object (ratio ci / baseline, target <= 1.3).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import REPO_ROOT, closing_line
from fmgate import collect as collect_module
from fmgate.cli import main as fmgate_main

TARGET_RATIO = 1.3
DEFAULT_MEMO = "ticket-triage-distillation"
AUTHOR = "omar.farouk"  # the example's proposer opens the pull request
APPROVER = "lee.wong"  # a senior reviewer approves its head commit


def log(message: str) -> None:
    print(f"ci: {message}", file=sys.stderr, flush=True)


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True).stdout


def commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-qm", message)


def base_repository(root: Path) -> None:
    """main: the rules only (policies, notebooks, schemas, settings)."""
    root.mkdir(parents=True)
    for folder in ("policies", "notebooks", "schemas"):
        shutil.copytree(REPO_ROOT / folder, root / folder)
    shutil.copy(REPO_ROOT / "fmgate.yaml", root / "fmgate.yaml")
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "bench@example.com")
    git(root, "config", "user.name", "bench")
    git(root, "config", "commit.gpgsign", "false")
    commit(root, "base: rules")
    git(root, "checkout", "-q", "-b", "proposal")


def add_memo(root: Path, memo_id: str) -> Path:
    source = REPO_ROOT / "memos" / f"{memo_id}.md"
    inputs = REPO_ROOT / "evidence" / memo_id / "inputs"
    if not source.is_file() or not inputs.is_dir():
        raise SystemExit(f"no example {memo_id!r}: need {source} and {inputs}")
    (root / "memos").mkdir(exist_ok=True)
    shutil.copy(source, root / "memos" / source.name)
    shutil.copytree(inputs, root / "evidence" / memo_id / "inputs")
    return root / "memos" / source.name


def run_cli(argv: list[str]) -> tuple[int, str]:
    """(exit code, stdout) of one fmgate command run in this process."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = fmgate_main(argv)
    return code, out.getvalue()


def outcomes(text: str) -> dict[str, list[str]]:
    """Outcome -> violation ids, of the decision documents `--format json` printed."""
    start = text.find("[") if text.lstrip().startswith("[") else text.find("{")
    try:
        parsed, _ = json.JSONDecoder().raw_decode(text[start:]) if start >= 0 else (None, 0)
    except ValueError:
        parsed = None
    documents = parsed if isinstance(parsed, list) else [parsed]
    return {
        str(d.get("outcome")): sorted(v.get("id") for v in d.get("violations") or [])
        for d in documents
        if isinstance(d, dict)
    }


class TimedRegenerate:
    """Wraps fmgate.collect.regenerate_into (what `fmgate ci` runs the notebooks with) to time it."""

    def __init__(self) -> None:
        self.inner = collect_module.regenerate_into
        self.seconds = 0.0

    def __call__(self, *args: object) -> None:
        t0 = time.perf_counter()
        try:
            self.inner(*args)
        finally:
            self.seconds += time.perf_counter() - t0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--memo", default=DEFAULT_MEMO, help=f"example memo id under memos/ (default {DEFAULT_MEMO})")
    parser.add_argument("--rounds", type=int, default=2, help="timed rounds; the minimum counts (default 2)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary repositories")
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")

    workspace = Path(tempfile.mkdtemp(prefix="fmgate-bench-ci-"))
    (workspace / "tmp").mkdir()
    tempfile.tempdir = str(workspace / "tmp")  # fmgate ci's scratch folders land here and go with it
    now = dt.datetime.now(dt.UTC).date().isoformat()
    try:
        repo, direct = workspace / "repo", workspace / "direct"
        base_repository(repo)
        memo_rel = add_memo(repo, args.memo).relative_to(repo).as_posix()
        shutil.copytree(repo, direct, ignore=shutil.ignore_patterns(".git"))
        log(f"{args.memo}: git repository {repo}, direct copy {direct}, {args.rounds} round(s)")

        ci_s, direct_s, regenerate_s, collect_s = [], [], [], []
        regenerate = TimedRegenerate()
        collect_module.regenerate_into = regenerate  # the ci command looks it up on each run
        results: dict[str, object] = {"committed": False}

        def timed_direct() -> None:
            t0 = time.perf_counter()
            collected, _ = run_cli(
                ["--repo", str(direct), "collect", str(direct / memo_rel), "--force", "--no-progress"]
            )
            collect_s.append(time.perf_counter() - t0)
            checked, text = run_cli(
                ["--repo", str(direct), "check", str(direct / memo_rel), "--format", "json", "--now", now]
            )
            direct_s.append(time.perf_counter() - t0)
            if collected != 0:
                raise SystemExit(f"fmgate collect exited {collected} on the direct copy")
            results.update(check_exit=checked, check_outcome=outcomes(text))
            if not results.get("committed"):
                # the branch commits what its proposer collected: round 1's baseline output
                for path in (direct / "evidence" / args.memo).iterdir():
                    if path.is_file():
                        shutil.copy2(path, repo / "evidence" / args.memo / path.name)
                commit(repo, f"propose {args.memo} with its evidence")
                results["committed"] = True

        def timed_ci() -> None:
            regenerate.seconds = 0.0
            t0 = time.perf_counter()
            code, text = run_cli(
                [
                    "--repo",
                    str(repo),
                    "ci",
                    "--base",
                    "main",
                    "--author",
                    AUTHOR,
                    "--approval",
                    APPROVER,
                    "--format",
                    "json",
                    "--now",
                    now,
                    "--out",  # as the workflow runs it: decision records, reports and evidence written
                    str(workspace / f"out-{len(ci_s)}"),
                ]
            )
            ci_s.append(time.perf_counter() - t0)
            regenerate_s.append(regenerate.seconds)
            if code not in (0, 1):
                raise SystemExit(f"fmgate ci exited {code}")
            results.update(ci_exit=code, ci_outcome=outcomes(text))

        for round_no in range(1, args.rounds + 1):
            for step in (timed_direct, timed_ci) if round_no % 2 else (timed_ci, timed_direct):
                step()
            log(
                f"round {round_no}: ci {ci_s[-1]:.2f}s (notebooks {regenerate_s[-1]:.2f}s), collect --force + "
                f"check {direct_s[-1]:.2f}s (collect {collect_s[-1]:.2f}s); ci {results.get('ci_outcome')}, "
                f"check {results.get('check_outcome')}"
            )
    finally:
        tempfile.tempdir = None
        collect_module.regenerate_into = regenerate.inner
        if not args.keep:
            shutil.rmtree(workspace, ignore_errors=True)

    best_ci, best_direct = min(ci_s), min(direct_s)
    log(
        f"ci {best_ci:.2f}s vs collect --force + check {best_direct:.2f}s: ratio {best_ci / best_direct:.2f} "
        f"(target <= {TARGET_RATIO})"
    )
    print(
        closing_line(
            "ci",
            "seconds_per_ci_run",
            best_ci,
            best_direct,
            TARGET_RATIO,
            memo=args.memo,
            rounds=args.rounds,
            now=now,
            ci_seconds=round(best_ci, 3),
            direct_seconds=round(best_direct, 3),
            ci_rounds=[round(s, 3) for s in ci_s],
            direct_rounds=[round(s, 3) for s in direct_s],
            ci_beyond_notebooks_seconds=round(min(c - r for c, r in zip(ci_s, regenerate_s)), 3),
            direct_beyond_collect_seconds=round(min(d - c for d, c in zip(direct_s, collect_s)), 3),
            ci_notebook_rounds=[round(s, 3) for s in regenerate_s],
            direct_collect_rounds=[round(s, 3) for s in collect_s],
            **{k: v for k, v in results.items() if k != "committed"},
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
