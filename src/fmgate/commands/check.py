"""`fmgate check MEMO...`: decide memos with the repository's policies."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import EXIT_DENIED, EXIT_OK, report_unreadable
from ..evaluate import Decision, DecisionSession, decide_all, parse_day
from ..report import FORMATS


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check", help="decide memos with the policies in OPA",
        description="Evaluate each memo and its evidence in OPA and print the decisions. "
                    "Exit 0 when every memo is approved, 1 when any is denied, 2 when any memo in the "
                    "repository cannot be read (the memos named are still decided and printed).")
    parser.add_argument("memos", nargs="+", type=Path, metavar="MEMO")
    parser.add_argument("--format", choices=sorted(FORMATS), default="text")
    parser.add_argument("--now", help="evaluation date, YYYY-MM-DD (default: today, UTC)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    now = parse_day(args.now) if args.now else None
    warn = lambda message: print(f"fmgate: warning: {message}", file=sys.stderr)  # noqa: E731
    # An unreadable memo elsewhere does not stop these decisions; it makes them incomplete (exit 2).
    with DecisionSession.open(args.repo, warn=warn, skip_unreadable=True) as session:
        memos = [session.repo.load(path) for path in args.memos]  # a named memo that is unreadable: exit 2
        decisions: list[Decision] = decide_all(session, memos, now)
        unreadable = session.repo.unreadable
    print(FORMATS[args.format](decisions))
    if unreadable:
        return report_unreadable(unreadable, "the decisions above could not be compared with "
                                 "what is missing (MEMO-CONFLICT, lifecycle rules), so nothing is approved "
                                 "until it is fixed")
    return EXIT_OK if all(d.allowed for d in decisions) else EXIT_DENIED
