"""The worker pool: long-lived ``python -m fmgate.collect.workers`` processes, one kernel each at a time."""

from __future__ import annotations

import gc
import json
import os
import queue
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ..errors import EngineError
from .execute import Outcome, _execute
from .plan import Plan


def _run_all(plans: list[Plan], workers: int, runner: Callable[[Plan], Any] | None) -> Iterator[Any]:
    """Outcomes of the plans, each as soon as it is known.

    Notebooks run in up to *workers* worker processes (``python -m
    fmgate.collect.workers``), each driving one kernel at a time and taking the next
    plan when its notebook is done, so papermill and nbconvert are imported
    once per worker rather than once per notebook. A worker's stderr, and
    with it the kernel's start-up chatter, goes to a log; threads here only
    feed the workers and wait for them.
    """
    if runner is not None:
        for plan in plans:
            yield runner(plan)
        return
    pending: queue.SimpleQueue[Plan] = queue.SimpleQueue()
    for plan in plans:
        pending.put(plan)
    count = max(1, min(workers, len(plans)))
    with ThreadPoolExecutor(max_workers=count, thread_name_prefix="fmgate-collect") as pool:
        done: queue.SimpleQueue[Outcome] = queue.SimpleQueue()
        drivers = [pool.submit(_drive_worker, pending, done) for _ in range(count)]
        received = 0
        while received < len(plans):
            try:
                outcome = done.get(timeout=1.0)
            except queue.Empty:
                if all(d.done() for d in drivers) and done.empty():
                    for driver in drivers:
                        driver.result()  # raises what stopped a driver early
                    raise EngineError("a notebook worker stopped without reporting its outcome") from None
                continue
            received += 1
            yield outcome


def _drive_worker(pending: queue.SimpleQueue[Plan], done: queue.SimpleQueue[Outcome]) -> None:
    """Feed plans to one worker process until none are left; start a fresh one after a crash.

    Puts exactly one outcome on *done* for every plan it takes.
    """
    worker: _Worker | None = None
    try:
        while True:
            try:
                plan = pending.get_nowait()
            except queue.Empty:
                return
            try:
                if worker is None:
                    worker = _Worker()
                outcome = worker.run(plan)
            except Exception as exc:  # the worker could not be started or talked to
                outcome = Outcome.failed(plan.kind, type(exc).__name__, str(exc))
            if worker is not None and not worker.alive:
                worker.close()
                worker = None
            done.put(outcome)
    finally:
        if worker is not None:
            worker.close()


class _Worker:
    """One ``python -m fmgate.collect.workers`` process: a plan per line on stdin, an outcome per line on stdout."""

    def __init__(self) -> None:
        self.log = tempfile.TemporaryFile()
        self.home = tempfile.TemporaryDirectory(prefix="fmgate-worker-")
        # Neither the worker nor the kernels it starts may import from the folder fmgate was started
        # in (often a checkout under review): -P and PYTHONSAFEPATH keep the working directory off
        # sys.path, and the worker runs in an empty folder of its own.
        env = dict(os.environ, PYTHONSAFEPATH="1")
        self.process = subprocess.Popen(
            [sys.executable, "-P", "-m", "fmgate.collect.workers"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
            encoding="utf-8",
            cwd=self.home.name,
            env=env,
        )
        self.alive = True

    def run(self, plan: Plan) -> Outcome:
        request = json.dumps(
            {
                "kind": plan.kind,
                "notebook": str(plan.notebook),
                "parameters": plan.parameters,
                "inputs": plan.inputs,
                "evidence_dir": str(plan.evidence_dir),
                "root": str(plan.root),
                "rules_root": str(plan.rules_root),
                "references": plan.references,
                "links": plan.links,
            }
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        try:
            self.process.stdin.write(request + "\n")
            self.process.stdin.flush()
            line = self.process.stdout.readline()
        except (OSError, ValueError):
            line = ""
        try:
            outcome = json.loads(line) if line.strip() else None
        except ValueError:
            outcome = None
        if isinstance(outcome, dict):
            return Outcome.from_json(outcome)
        self.alive = False
        status = self._stop()
        tail = " | ".join(self._log_text().strip().splitlines()[-3:])
        return Outcome.failed(
            plan.kind, "WorkerError", f"the notebook worker exited with status {status}" + (f": {tail}" if tail else "")
        )

    def _log_text(self) -> str:
        self.log.seek(0)
        return self.log.read().decode("utf-8", errors="replace")

    def _stop(self) -> int | None:
        """Close the worker's stdin (it exits when it reads the end) and wait for it."""
        for stream in (self.process.stdin, self.process.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass
        try:
            return self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()

    def close(self) -> None:
        if self.process.returncode is None:
            self._stop()
        self.log.close()
        self.home.cleanup()


def _worker_main() -> int:
    """Entry point of a worker process: run each plan read as a JSON line on stdin, print its outcome.

    Outcomes go to the stdout this process started with; anything else that
    writes to stdout (a library, a kernel it starts) is sent to stderr
    instead, so it cannot be mistaken for an outcome.
    """
    from ..lazy_grammar import defer

    defer()  # papermill imports jsonschema (through nbformat) and never checks an IRI
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        plan = Plan(
            request["kind"],
            Path(request["notebook"]),
            request["parameters"],
            [tuple(i) for i in request["inputs"]],
            Path(request["evidence_dir"]),
            Path(request["root"]),
            Path(request["rules_root"]),
            [tuple(r) for r in request.get("references", [])],
            list(request.get("links", [])),
        )
        outcome = _execute(plan)
        channel.write(json.dumps(outcome.to_json(), default=str) + "\n")
        channel.flush()
    channel.close()
    # Nothing is left to flush: skip walking papermill's and nbconvert's objects on the way out.
    gc.freeze()
    return 0


if __name__ == "__main__":
    sys.exit(_worker_main())
