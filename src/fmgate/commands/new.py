"""`fmgate new --id ID --decision VERB`: scaffold a memo and its evidence folder."""

from __future__ import annotations

import argparse
import datetime as dt

from ..errors import EXIT_OK
from ..repo import Repository, find_root
from ..scaffold import VERB_EVIDENCE, scaffold


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("new", help="scaffold a memo and its evidence folder (never overwrites)")
    parser.add_argument("--id", required=True, dest="memo_id")
    parser.add_argument("--decision", required=True, choices=sorted(VERB_EVIDENCE))
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    repo = Repository(find_root(args.repo))
    created = scaffold(repo, args.memo_id, args.decision, dt.datetime.now(dt.timezone.utc).date())
    for path in created:
        print(f"created {path.relative_to(repo.root)}")
    print(f"next: fill in the memo, put the inputs in {created[1].relative_to(repo.root)} "
          f"(its README.md lists each file, its columns and an example row), "
          f"then 'fmgate collect' and 'fmgate check' it")
    return EXIT_OK
