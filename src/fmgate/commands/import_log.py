"""`fmgate import-log SOURCE --tool T --sidecar FILE --out CSV`: a prompting_log from tool output."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import EXIT_OK, InputError
from ..importers import TOOLS, import_prompting_log, write_prompting_log


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "import-log",
        help="turn promptfoo results or inspect-ai eval logs into a prompting_log CSV",
        description="Read the results of a prompt-evaluation tool and write the prompting_log input "
        "of the domain gate. The tools do not record hours, seniority or the variant "
        "family; the sidecar YAML supplies them (see fmgate.importers). An existing "
        "--out file is replaced only with --force.",
    )
    parser.add_argument(
        "source",
        type=Path,
        metavar="SOURCE",
        help="a results file, or a folder of them (promptfoo: 'promptfoo eval -o "
        "results.json'; inspect-ai: .eval or .json eval logs, or an eval-set folder)",
    )
    parser.add_argument("--tool", required=True, choices=TOOLS, help="which tool wrote SOURCE")
    parser.add_argument(
        "--sidecar",
        type=Path,
        default=None,
        metavar="FILE",
        help="YAML giving practitioner, seniority, and each iteration's hours and variant",
    )
    parser.add_argument("--out", type=Path, required=True, metavar="CSV", help="the prompting_log CSV to write")
    parser.add_argument("--force", action="store_true", help="replace --out if it exists")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    out: Path = args.out
    if out.exists() and not args.force:
        # say so before reading anything: the answer does not depend on the inputs
        raise InputError(
            "already exists; nothing was written",
            path=str(out),
            field="--out",
            fix="choose another path, or pass --force to replace it",
        )
    frame = import_prompting_log(args.source, args.tool, args.sidecar)
    write_prompting_log(frame, out, force=args.force)
    variants = ", ".join(sorted(set(frame["variant"])))
    print(
        f"wrote {len(frame)} iteration(s) to {out}: {frame['hours'].sum():g} hours, "
        f"variants {variants}, best score {frame['score'].max():g}"
    )
    return EXIT_OK
