"""`fmgate collect MEMO...`: run the evidence notebooks a memo's verb needs."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from ..collect import collect
from ..errors import EXIT_BAD_INPUT, EXIT_OK
from ..evidence.specs import KINDS


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "collect",
        help="validate a memo's inputs and run its evidence notebooks",
        description="Validate each memo's evidence inputs with great-expectations and execute the "
        "notebooks its verb needs with papermill, writing evidence/<id>/<kind>.json, the "
        "executed notebook and its HTML rendering. Evidence whose notebook, inputs and "
        "parameters are unchanged is reused. Exit 0 when all evidence is written and valid, "
        "2 when an input is missing or invalid, 3 when a notebook kernel fails.",
    )
    parser.add_argument("memos", nargs="+", type=Path, metavar="MEMO")
    parser.add_argument(
        "--kind",
        dest="kinds",
        action="append",
        choices=KINDS,
        metavar="KIND",
        help=f"collect only this kind (repeatable): {', '.join(KINDS)}",
    )
    parser.add_argument("--force", action="store_true", help="run notebooks even when the evidence is current")
    parser.add_argument("--workers", type=int, default=2, help="notebooks run side by side (default 2)")
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bar (default: on a terminal, off when CI=true)",
    )
    parser.set_defaults(run=run)


class Progress:
    """collect's progress: a tqdm bar on a terminal, plain lines in CI or when stderr is not a terminal.

    ``enabled=False`` (``--no-progress``) says nothing; ``None`` decides by the terminal.
    """

    def __init__(self, enabled: bool | None) -> None:
        interactive = sys.stderr.isatty() and os.environ.get("CI", "").lower() != "true"
        self.bar_mode = interactive if enabled is None else (enabled and interactive)
        self.quiet = enabled is False
        self.memo_id = ""
        self.bar: Any = None

    def start(self, memo_id: str, total: int) -> None:
        self.memo_id = memo_id
        if self.bar_mode and total:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=f"collect {memo_id}", unit="notebook", file=sys.stderr)

    def line(self, text: str) -> None:
        if self.bar is not None:
            self.bar.write(text, file=sys.stderr)
        elif not self.quiet:
            print(f"fmgate collect {self.memo_id}: {text}", file=sys.stderr, flush=True)

    def step(self, text: str) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(text)
            self.bar.update(1)
        else:
            self.line(text)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def run(args: argparse.Namespace) -> int:
    from ..repo import find_root

    root = find_root(args.repo)
    status = EXIT_OK
    for memo in args.memos:
        result = collect(
            root, memo, kinds=args.kinds, report=Progress(args.progress), workers=max(1, args.workers), force=args.force
        )
        print(f"{result.memo_id}: evidence in {result.evidence_dir.relative_to(root).as_posix()}/")
        for warning in result.warnings:
            print(f"  warning: {warning}")
        for item in result.runs:
            if item.status == "missing":
                print(f"  {item.kind:<16} missing   {item.message}")
                continue
            state = "valid" if item.valid else "NOT valid"
            print(f"  {item.kind:<16} {item.status:<9} {state}")
            for error in item.errors:
                print(f"      - {error}")
        if not result.ok:
            status = EXIT_BAD_INPUT
    return status
