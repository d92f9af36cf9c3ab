"""`fmgate new --id ID --decision VERB`: scaffold a memo and its evidence folder.

`fmgate new --exception --id ID --memo MEMO-ID [--waive RULE]...` scaffolds an exception instead.
"""

from __future__ import annotations

import argparse
import datetime as dt

from ..config import load_config
from ..errors import EXIT_OK, InputError
from ..exceptions import FOLDER, template
from ..repo import Repository, find_root
from ..scaffold import VERB_EVIDENCE, scaffold


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "new", help="scaffold a memo and its evidence folder, or an exception (never overwrites)"
    )
    parser.add_argument("--id", required=True, dest="memo_id", help="the memo's id (with --exception: the exception's)")
    parser.add_argument("--decision", choices=sorted(VERB_EVIDENCE), help="the memo's verb")
    parser.add_argument(
        "--exception",
        action="store_true",
        help="scaffold exceptions/ID.yaml, a time-limited waiver of some rules of one memo",
    )
    parser.add_argument("--memo", help="with --exception: the memo id the exception is for")
    parser.add_argument(
        "--waive", action="append", default=[], metavar="RULE-ID", help="with --exception: a rule to waive (repeatable)"
    )
    parser.set_defaults(run=run)


def new_exception(args: argparse.Namespace) -> int:
    root = find_root(args.repo)
    if not args.memo:
        raise InputError("--exception needs the memo it is for", field="--memo", fix="add --memo MEMO-ID")
    target = root / FOLDER / f"{args.memo_id}.yaml"
    if target.exists():
        raise InputError(
            "an exception with this id exists already",
            path=str(target.relative_to(root)),
            field="--id",
            fix="choose another --id; fmgate never overwrites a file",
        )
    config = load_config(root, Repository(root).policy_defaults())
    today = dt.datetime.now(dt.UTC).date()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(
        template(args.memo_id, args.memo, list(args.waive), today, int(config.thresholds["exception_max_days"])),
        encoding="utf-8",
    )
    print(f"created {target.relative_to(root)}")
    print(
        "next: fill in the justification, approver and ticket, and open a pull request with this file alone "
        "(an exception in the same pull request as its memo does not count)"
    )
    return EXIT_OK


def run(args: argparse.Namespace) -> int:
    if args.exception:
        return new_exception(args)
    if not args.decision:
        raise InputError("a new memo needs its verb", field="--decision", fix="add --decision buy|fine-tune|build")
    repo = Repository(find_root(args.repo))
    created = scaffold(repo, args.memo_id, args.decision, dt.datetime.now(dt.UTC).date())
    for path in created:
        print(f"created {path.relative_to(repo.root)}")
    print(
        f"next: fill in the memo, put the inputs in {created[1].relative_to(repo.root)} "
        f"(its README.md lists each file, its columns and an example row), "
        f"then 'fmgate collect' and 'fmgate check' it"
    )
    return EXIT_OK
