"""`fmgate check MEMO...`: decide memos with the repository's policies."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from ..errors import EXIT_DENIED, EXIT_OK, InputError, report_unreadable
from ..evaluate import Decision, DecisionSession, decide_all, parse_day
from ..report import FORMATS


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check",
        help="decide memos with the policies in OPA",
        description="Evaluate each memo and its evidence in OPA and print the decisions. "
        "Exit 0 when every memo is approved, 1 when any is denied, 2 when any memo in the "
        "repository cannot be read (the memos named are still decided and printed).",
    )
    parser.add_argument("memos", nargs="+", type=Path, metavar="MEMO")
    parser.add_argument("--format", choices=sorted(FORMATS), default="text")
    parser.add_argument("--now", help="evaluation date, YYYY-MM-DD (default: today, UTC)")
    parser.add_argument(
        "--record",
        type=Path,
        metavar="DIR",
        help="write a decision record (in-toto statement) per memo into DIR: "
        "DIR/<memo-id>.intoto.json; check it later with 'fmgate verify'",
    )
    parser.add_argument(
        "--sign-key",
        type=Path,
        metavar="FILE",
        help="sign each record with this ed25519 private key (PEM, PKCS8): DIR/<memo-id>.dsse.json; needs --record",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    now = parse_day(args.now) if args.now else None
    signer = _signer(args)
    warn = lambda message: print(f"fmgate: warning: {message}", file=sys.stderr)  # noqa: E731
    # An unreadable memo elsewhere does not stop these decisions; it makes them incomplete (exit 2).
    with DecisionSession.open(args.repo, warn=warn, skip_unreadable=True) as session:
        memos = [session.repo.load(path) for path in args.memos]  # a named memo that is unreadable: exit 2
        if args.record:
            decisions = _decide_and_record(session, memos, now, args.record, signer)
        else:
            decisions = decide_all(session, memos, now)
        unreadable = session.repo.unreadable
    print(FORMATS[args.format](decisions))
    if unreadable:
        return report_unreadable(
            unreadable,
            "the decisions above could not be compared with "
            "what is missing (MEMO-CONFLICT, lifecycle rules), so nothing is approved "
            "until it is fixed",
        )
    return EXIT_OK if all(d.allowed for d in decisions) else EXIT_DENIED


def _signer(args: argparse.Namespace) -> Any:
    if not args.sign_key:
        return None
    if not args.record:
        raise InputError(
            "--sign-key signs decision records, which are written only with --record",
            field="--sign-key",
            fix="add --record DIR",
        )
    from ..records import load_signer

    return load_signer(args.sign_key)


def _decide_and_record(
    session: DecisionSession, memos: list, now: dt.date | None, folder: Path, signer: Any
) -> list[Decision]:
    """Decide one memo per query (each has a decision id of its own) and write their records."""
    from .. import records
    from ..gitutil import git

    day = now or dt.datetime.now(dt.UTC).date()
    decided_at = dt.datetime.now(dt.UTC)
    decisions, ids = [], []
    for memo in memos:
        decisions.append(session.decide(memo, day))
        ids.append(session.engine.last_decision_id)
    head = git(session.repo.root, "rev-parse", "--verify", "--quiet", "HEAD", check=False)
    context = records.DecisionContext(
        source="check",
        now=day,
        decided_at=decided_at,
        head_commit=head.stdout.strip() or None if head.returncode == 0 else None,
    )
    records.record_decisions(
        folder,
        [(d.memo, d.document, i) for d, i in zip(decisions, ids)],
        session.repo.root,
        session.repo.rules_root,
        context,
        signer,
    )
    return decisions
