"""`fmgate relitigate [--now DATE]`: approved decisions due for another look."""

from __future__ import annotations

import argparse
import datetime as dt
import json

from ..errors import EXIT_DENIED, EXIT_OK, report_unreadable
from ..evaluate import DecisionSession, parse_day
from ..relitigation import due_decisions, exception_report


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "relitigate",
        help="list approved decisions due for re-litigation (exit 1 when any is)",
        description="Evaluate every approved memo and list those the RELIT-* rules flag, and every exception "
        "that has expired or expires soon. Exit 1 when any decision is due or any exception has "
        "expired, 2 when any memo cannot be read (the rest are still listed).",
    )
    parser.add_argument("--now", help="evaluation date, YYYY-MM-DD (default: today, UTC)")
    parser.add_argument("--format", choices=["text", "json"], default="text")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    now = parse_day(args.now) if args.now else dt.datetime.now(dt.UTC).date()
    with DecisionSession.open(args.repo, skip_unreadable=True) as session:
        due, evaluated = due_decisions(session, now)
        exceptions = [e for e in exception_report(session, now) if e.get("state") in ("expired", "expiring")]
        unreadable = session.repo.unreadable
    if args.format == "json":
        print(
            json.dumps(
                {
                    "due": [
                        {
                            "memo_id": item.decision.document.get("memo_id"),
                            "path": item.decision.memo.relpath,
                            "next_due": item.next_due,
                            "findings": item.findings,
                        }
                        for item in due
                    ],
                    "exceptions": exceptions,
                },
                indent=2,
                sort_keys=True,
            )
        )
    else:
        for item in due:
            print(
                f"DUE  {item.decision.memo.relpath}  ({item.decision.document.get('memo_id')}), "
                f"next due {item.next_due or 'now'}"
            )
            for finding in item.findings:
                print(f"    {finding.get('id')}: {finding.get('message')}")
                if finding.get("fix"):
                    print(f"        fix: {finding['fix']}")
        print(f"{len(due)} of {len(evaluated)} approved decision(s) due on {now.isoformat()}")
        for exception in exceptions:
            print(
                f"{str(exception.get('state')).upper():<9}exception {exception.get('path')} for "
                f"{exception.get('memo')} (waives {', '.join(map(str, exception.get('waives') or []))}), "
                f"expires {exception.get('expires')}"
            )
    if unreadable:
        return report_unreadable(unreadable, "an approved decision among them may be due too: fix them and run again")
    expired = any(exception.get("state") == "expired" for exception in exceptions)
    return EXIT_DENIED if due or expired else EXIT_OK
