"""`fmgate explain [RULE-ID]`: what a rule checks, in the words of its policy annotation."""

from __future__ import annotations

import argparse
import textwrap

from ..errors import EXIT_OK, InputError
from ..repo import find_root
from ..rules import catalogue


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("explain", help="print what a rule ID checks (all rules without an ID)")
    parser.add_argument("rule_id", nargs="?", metavar="RULE-ID")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    rules = catalogue(find_root(args.repo))
    if args.rule_id is None:
        for rule in sorted(rules.values(), key=lambda r: r.id):
            print(f"{rule.id:<26} {rule.severity:<5} {rule.title}")
        return EXIT_OK
    wanted = args.rule_id.upper()
    if wanted not in rules:
        close = [r for r in sorted(rules) if r.split("-")[0] == wanted.split("-")[0]]
        raise InputError(
            f"no rule with ID {args.rule_id!r}",
            field="RULE-ID",
            fix="run 'fmgate explain' for the list" + (f"; did you mean {', '.join(close)}?" if close else ""),
        )
    rule = rules[wanted]
    print(f"{rule.id}: {rule.title}")
    print(f"  gate: {rule.gate}   severity: {rule.severity}   policy: {rule.package} ({rule.location})")
    print(textwrap.fill(rule.description, width=88, initial_indent="  ", subsequent_indent="  "))
    return EXIT_OK
