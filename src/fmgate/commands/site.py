"""`fmgate site [--out DIR] [--now DATE] [--force]`: render the decision register as static HTML."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from ..errors import EXIT_OK, InputError, report_unreadable
from ..evaluate import DecisionSession, parse_day
from ..repo import find_root
from ..site import MARKER_NAME, build_site, check_output_dir


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "site",
        help="render the decision register (static HTML)",
        description="Decide every memo and write a static HTML register: an index of every memo "
        "with its outcome, one page per memo with its gates and numbers, links to the "
        "rendered notebooks, and what is due for re-litigation when. The folder works "
        "opened from disk and on GitHub Pages. Exit 2 when any memo cannot be read "
        "(the register is written without it).",
    )
    parser.add_argument(
        "--out", type=Path, default=None, metavar="DIR", help="output folder (default: site/ at the repository root)"
    )
    parser.add_argument("--now", metavar="DATE", help="evaluation date, YYYY-MM-DD (default: today, UTC)")
    parser.add_argument(
        "--force", action="store_true", help=f"write into a non-empty folder that has no {MARKER_NAME} marker"
    )
    parser.add_argument(
        "--records",
        type=Path,
        default=None,
        metavar="DIR",
        help="decision records to show beside each memo, checked against the files "
        "(default: records/ at the repository root, when there is one)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    now = parse_day(args.now) if args.now else dt.datetime.now(dt.UTC).date()
    root = find_root(args.repo)
    out_dir = args.out if args.out is not None else root / "site"
    # Refuse before starting OPA: a wrong --out should fail fast.
    check_output_dir(out_dir, force=args.force)
    if args.records is not None and not args.records.is_dir():
        raise InputError(
            "the records folder does not exist",
            path=str(args.records),
            field="--records",
            fix="pass the folder fmgate ci --out DIR/records or fmgate check --record DIR wrote",
        )
    warn = lambda message: print(f"fmgate: warning: {message}", file=sys.stderr)  # noqa: E731
    with DecisionSession.open(root, warn=warn, skip_unreadable=True) as session:
        records_dir = args.records if args.records is not None else root / "records"
        result = build_site(
            session, out_dir, now, force=args.force, records_dir=records_dir if records_dir.is_dir() else None
        )
        unreadable = session.repo.unreadable
    print(
        f"wrote the decision register for {result.memos} memo(s) "
        f"({result.approved} approved, {result.denied} denied; "
        f"{result.overdue} overdue, {result.due} due for re-litigation)"
    )
    print(f"open {result.index}")
    if unreadable:
        return report_unreadable(
            unreadable, "the register leaves out those memos and any conflict with them: fix them and build it again"
        )
    return EXIT_OK
