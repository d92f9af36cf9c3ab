"""`fmgate check MEMO...`: decide memos with the repository's policies."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import EXIT_DENIED, EXIT_OK
from ..evaluate import Decision, DecisionSession, decide_all, parse_day
from ..report import FORMATS


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check", help="decide memos with the policies in OPA",
        description="Evaluate each memo and its evidence in OPA and print the decisions. "
                    "Exit 0 when every memo is approved, 1 when any is denied.")
    parser.add_argument("memos", nargs="+", type=Path, metavar="MEMO")
    parser.add_argument("--format", choices=sorted(FORMATS), default="text")
    parser.add_argument("--now", help="evaluation date, YYYY-MM-DD (default: today, UTC)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    now = parse_day(args.now) if args.now else None
    warn = lambda message: print(f"fmgate: warning: {message}", file=sys.stderr)  # noqa: E731
    with DecisionSession.open(args.repo, warn=warn) as session:
        memos = [session.repo.load(path) for path in args.memos]
        decisions: list[Decision] = decide_all(session, memos, now)
    print(FORMATS[args.format](decisions))
    return EXIT_OK if all(d.allowed for d in decisions) else EXIT_DENIED
