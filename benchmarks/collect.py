"""Evidence collection: `fmgate collect --force` against the kernel start-up floor.

Copies this repository's policies, notebooks, schemas and fmgate.yaml, plus one
example memo (default: the cost-at-scale example, ``ticket-triage-distillation``)
and its inputs, into a temporary folder. Each round times

* ``fmgate.collect.collect(root, memo, force=True, workers=W)``: nothing is
  reused, every notebook the memo's verb needs runs (papermill, one worker
  process and kernel per notebook, W side by side, HTML rendering included);
* the baseline: as many trivial notebooks (one parameters cell, one ``print``
  cell, made with nbformat) run with papermill (``python -m papermill``, one
  process and kernel each), W at a time: the floor of starting a kernel per
  notebook with the same parallelism.

The two alternate which goes first from round to round; the minimum of each
counts. Last line: one JSON object (ratio collect / baseline, target <= 2.0),
with both wall times and, from the executed notebooks' papermill metadata,
how much of a notebook's time is kernel-side cell execution.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _common import REPO_ROOT, closing_line
from fmgate.collect import KERNEL, collect, ensure_kernel, required_kinds
from fmgate.evidence.specs import KINDS
from fmgate.memo import load_memo
from fmgate.repo import Repository

TARGET_RATIO = 2.0
DEFAULT_MEMO = "ticket-triage-distillation"


def log(message: str) -> None:
    print(f"collect: {message}", file=sys.stderr, flush=True)


def example_repository(workspace: Path, memo_id: str) -> tuple[Path, Path]:
    """(root, memo path) of a decision repository holding one example memo and its inputs."""
    source = REPO_ROOT / "memos" / f"{memo_id}.md"
    inputs = REPO_ROOT / "evidence" / memo_id / "inputs"
    if not source.is_file() or not inputs.is_dir():
        raise SystemExit(f"no example {memo_id!r}: need {source} and {inputs}")
    root = workspace / "repo"
    for folder in ("policies", "notebooks", "schemas"):
        shutil.copytree(REPO_ROOT / folder, root / folder)
    shutil.copy(REPO_ROOT / "fmgate.yaml", root / "fmgate.yaml")
    (root / "memos").mkdir()
    shutil.copy(source, root / "memos" / source.name)
    shutil.copytree(inputs, root / "evidence" / memo_id / "inputs")
    return root, root / "memos" / source.name


def kinds_to_run(root: Path, memo: Path, kinds: list[str] | None) -> list[str]:
    """The kinds collect will execute: needed by the verb (or asked for) and with an input in the memo."""
    memo_file = load_memo(memo, root)
    listed = list((memo_file.memo.evidence or {}).keys())
    needs = Repository(root).policy_defaults()["required_evidence"]
    needed = (
        [k for k in KINDS if k in kinds]
        if kinds
        else required_kinds(memo_file.memo.decision, memo_file.memo.gates_claimed, listed, needs)
    )
    return [k for k in needed if k in listed]


def trivial_notebook(path: Path) -> None:
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    parameters = new_code_cell("value = 0")
    parameters.metadata["tags"] = ["parameters"]
    notebook = new_notebook(cells=[parameters, new_code_cell("print(value)")])
    notebook.metadata["kernelspec"] = {"name": KERNEL, "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, path)


def run_trivial(source: Path, out_dir: Path, count: int, workers: int) -> float:
    """Wall time of *count* papermill runs of the trivial notebook, *workers* at a time."""
    out_dir.mkdir(parents=True, exist_ok=True)

    def one(index: int) -> None:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "papermill",
                str(source),
                str(out_dir / f"trivial-{index}.ipynb"),
                "-p",
                "value",
                str(index),
                "-k",
                KERNEL,
                "--no-progress-bar",
                "--cwd",
                str(out_dir),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"papermill failed on the trivial notebook: {done.stderr.strip()[-500:]}")

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(one, range(count)))
    return time.perf_counter() - t0


def papermill_times(notebooks: list[Path]) -> dict[str, float]:
    """Mean per executed notebook: papermill's duration (kernel start + cells) and the cells alone."""
    durations, cells, largest = [], [], []
    for path in notebooks:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        durations.append(float(notebook["metadata"]["papermill"]["duration"] or 0))
        per_cell = [
            float((c.get("metadata", {}).get("papermill") or {}).get("duration") or 0) for c in notebook["cells"]
        ]
        cells.append(sum(per_cell))
        largest.append(max(per_cell, default=0.0))
    count = max(1, len(notebooks))
    return {
        "papermill_seconds": round(sum(durations) / count, 3),
        "cells_seconds": round(sum(cells) / count, 3),
        "largest_cell_seconds": round(sum(largest) / count, 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--memo", default=DEFAULT_MEMO, help=f"example memo id under memos/ (default {DEFAULT_MEMO})")
    parser.add_argument(
        "--kind",
        dest="kinds",
        action="append",
        choices=KINDS,
        metavar="KIND",
        help="collect only this kind (repeatable; default: every kind the memo needs)",
    )
    parser.add_argument("--rounds", type=int, default=2, help="timed rounds; the minimum counts (default 2)")
    parser.add_argument("--workers", type=int, default=2, help="notebooks side by side, both sides (default 2)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary repository")
    args = parser.parse_args()
    if args.rounds < 1 or args.workers < 1:
        parser.error("--rounds and --workers must be at least 1")

    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    workspace = Path(tempfile.mkdtemp(prefix="fmgate-bench-collect-"))
    try:
        root, memo = example_repository(workspace, args.memo)
        kinds = kinds_to_run(root, memo, args.kinds)
        if not kinds:
            raise SystemExit(f"memo {args.memo!r} has no notebook to run for kinds {args.kinds}")
        ensure_kernel()
        source = workspace / "trivial.ipynb"
        trivial_notebook(source)
        log(
            f"{args.memo}: {len(kinds)} notebooks ({', '.join(kinds)}), {args.workers} at a time, "
            f"{args.rounds} round(s)"
        )

        collect_s, trivial_s = [], []
        written: list[str] = []
        for round_no in range(1, args.rounds + 1):

            def timed_collect() -> None:
                t0 = time.perf_counter()
                result = collect(root, memo, kinds=args.kinds, workers=args.workers, force=True)
                collect_s.append(time.perf_counter() - t0)
                written[:] = [r.kind for r in result.runs if r.status == "written"]
                if sorted(written) != sorted(kinds) or not result.ok:
                    raise SystemExit(f"collect did not write every kind: {[(r.kind, r.status) for r in result.runs]}")

            def timed_trivial() -> None:
                trivial_s.append(run_trivial(source, workspace / "trivial", len(kinds), args.workers))

            for step in (timed_trivial, timed_collect) if round_no % 2 else (timed_collect, timed_trivial):
                step()
            log(f"round {round_no}: collect {collect_s[-1]:.2f}s, {len(kinds)} trivial notebooks {trivial_s[-1]:.2f}s")

        evidence = root / "evidence" / args.memo
        collect_nb = papermill_times([evidence / f"{k}.ipynb" for k in written])
        trivial_nb = papermill_times(sorted((workspace / "trivial").glob("trivial-*.ipynb")))
    finally:
        if not args.keep:
            shutil.rmtree(workspace, ignore_errors=True)

    best_collect, best_trivial = min(collect_s), min(trivial_s)
    log(f"per notebook (papermill metadata): collect {collect_nb}, trivial {trivial_nb}")
    log(
        f"collect {best_collect:.2f}s vs trivial {best_trivial:.2f}s: ratio {best_collect / best_trivial:.2f} "
        f"(target <= {TARGET_RATIO})"
    )
    print(
        closing_line(
            "collect",
            "seconds_per_collect",
            best_collect,
            best_trivial,
            TARGET_RATIO,
            memo=args.memo,
            notebooks=len(kinds),
            kinds=kinds,
            workers=args.workers,
            rounds=args.rounds,
            collect_seconds=round(best_collect, 3),
            trivial_seconds=round(best_trivial, 3),
            collect_rounds=[round(s, 3) for s in collect_s],
            trivial_rounds=[round(s, 3) for s in trivial_s],
            collect_notebook=collect_nb,
            trivial_notebook=trivial_nb,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
