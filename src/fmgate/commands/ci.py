"""`fmgate ci --base REF`: what the pull-request job runs."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from ..ci import CiResult, Regenerator, run_ci
from ..errors import EXIT_DENIED, EXIT_OK, InputError, report_unreadable
from ..evaluate import parse_day
from ..records import load_signer
from ..report import FORMATS, render_markdown
from ..reviews import read_reviews


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "ci",
        help="decide what a branch changed, with the base branch's policies and notebooks",
        description="Find the memos and evidence the branch changed since it left REF, regenerate their "
        "evidence with REF's notebooks, decide them with REF's policies and settings, and "
        "exit 1 on any denial. Writes a job summary when GITHUB_STEP_SUMMARY is set.",
    )
    parser.add_argument("--base", required=True, metavar="REF", help="the branch or commit the pull request targets")
    parser.add_argument("--author", help="the pull request's author (their own approval does not count)")
    parser.add_argument(
        "--reviews",
        type=Path,
        metavar="FILE",
        help="the pull request's reviews as the GitHub API lists them "
        "('gh api repos/OWNER/REPO/pulls/N/reviews --paginate'); only approvals of the "
        "branch's head commit count",
    )
    parser.add_argument(
        "--approval",
        action="append",
        default=[],
        metavar="LOGIN",
        help="a reviewer who approved the branch's head commit (repeatable; to reproduce a verdict by hand)",
    )
    parser.add_argument("--format", choices=sorted(FORMATS), default="text")
    parser.add_argument(
        "--out",
        type=Path,
        help="folder for decision documents, rendered notebooks and reports, "
        "and a decision record per memo (records/<memo-id>.intoto.json)",
    )
    parser.add_argument(
        "--sign-key",
        type=Path,
        metavar="FILE",
        help="sign each decision record with this ed25519 private key (PEM, PKCS8) as a DSSE "
        "envelope (records/<memo-id>.dsse.json); needs --out",
    )
    parser.add_argument("--now", help="evaluation date, YYYY-MM-DD (default: today, UTC)")
    parser.set_defaults(run=run)


def provenance_findings(result: CiResult) -> list[tuple[str, dict[str, Any]]]:
    """(memo path, violation) for every PROV-* finding, so reviewers see them before anything else."""
    return [
        (d.memo.relpath, v)
        for d in result.decisions
        for v in d.document.get("violations", [])
        if str(v.get("id", "")).startswith("PROV-")
    ]


def summary_markdown(result: CiResult) -> str:
    lines = ["## fmgate decision gate", ""]
    lines.append(
        f"The policies, notebooks, schemas and settings of base commit `{result.base[:12]}` decided "
        f"branch head `{result.head[:12]}`."
    )
    if result.code is not None:
        lines.append(f"Code: {result.code.describe(result.base)}.")
    lines.append(
        "Approvals: the pull request's reviews of the head commit only; a memo's `reviewers` "
        "field is a request, not an approval."
    )
    lines.append("")
    findings = provenance_findings(result)
    if findings:
        lines.append("### Provenance findings")
        lines.append("")
        for path, violation in findings:
            lines.append(f"- **{violation.get('id')}** `{path}`: {violation.get('message')}")
        lines.append("")
    exceptions = [(d.memo.relpath, e) for d in result.decisions for e in d.document.get("exceptions") or []]
    if exceptions:
        lines.append("### Exceptions")
        lines.append("")
        for path, item in exceptions:
            lines.append(
                f"- `{item.get('path')}` for `{path}`: {item.get('state')}, waives "
                f"{', '.join(map(str, item.get('waives') or []))}, expires {item.get('expires')}"
            )
        lines.append("")
    if result.unreadable:
        lines.append("### Memos that cannot be read (the job fails until they can)")
        lines.append("")
        lines.extend(f"- {problem}" for problem in result.unreadable)
        lines.append("")
    if result.decisions:
        lines.append(render_markdown(result.decisions, link_base=""))
    else:
        lines.append("This branch changes no memo or evidence.")
        lines.append("")
    if result.policies_changed:
        lines.append("### What this branch's own rules would change")
        lines.append("")
        if result.flips_unavailable:
            lines.append(f"The branch's own rules could not be evaluated: {result.flips_unavailable}")
        elif result.flips:
            lines.append("| memo | with base rules | with this branch's rules |")
            lines.append("|---|---|---|")
            for flip in result.flips:
                lines.append(f"| `{flip.path}` | {flip.base_outcome} | **{flip.head_outcome}** |")
        else:
            lines.append("The branch changes policies, notebooks or settings, but no decision in the repository flips.")
        lines.append("")
    return "\n".join(lines)


def write_records(result: CiResult, folder: Path, signer: Any = None) -> list[Path]:
    """A decision record per decided memo, and the OPA decision-log entries they name."""
    from .. import records

    if not result.decisions or result.root is None or result.trusted_root is None or result.now is None:
        return []
    context = records.DecisionContext(
        source="ci",
        now=result.now,
        decided_at=result.decided_at or dt.datetime.now(dt.UTC),
        base_commit=result.base,
        head_commit=result.head,
        pull_request=result.pull_request,
    )
    written = []
    for decision in result.decisions:
        memo_id = decision.memo.memo_id
        context.provenance = result.facts.get(memo_id)
        written += records.record_decisions(
            folder,
            [(decision.memo, decision.document, result.decision_ids.get(memo_id))],
            result.root,
            result.trusted_root,
            context,
            signer,
        )
    entries = [result.decision_log[i] for i in sorted(result.decision_log)]
    if entries:
        log = folder / "opa-decision-log.jsonl"
        log.write_text("".join(json.dumps(e, sort_keys=True) + "\n" for e in entries), encoding="utf-8")
        written.append(log)
    return written


def write_outputs(result: CiResult, out: Path, signer: Any = None) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for decision in result.decisions:
        memo_id = decision.memo.memo_id
        (out / "decisions").mkdir(exist_ok=True)
        (out / "decisions" / f"{memo_id}.json").write_text(
            json.dumps(decision.document, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
        regenerated = (result.regenerated_root or Path("/nonexistent")) / memo_id
        if regenerated.is_dir():
            shutil.copytree(regenerated, out / "evidence" / memo_id, dirs_exist_ok=True)
    write_records(result, out / "records", signer)
    (out / "summary.md").write_text(summary_markdown(result), encoding="utf-8")
    (out / "junit.xml").write_text(FORMATS["junit"](result.decisions) + "\n", encoding="utf-8")
    (out / "results.sarif").write_text(FORMATS["sarif"](result.decisions) + "\n", encoding="utf-8")


def _regenerator() -> Regenerator:
    from ..collect import regenerate_into

    return regenerate_into


def run(args: argparse.Namespace) -> int:
    now = parse_day(args.now) if args.now else None
    reviews = read_reviews(args.reviews) if args.reviews else []
    signer = None
    if args.sign_key:
        if not args.out:
            raise InputError(
                "--sign-key signs the decision records, which are written only with --out",
                field="--sign-key",
                fix="add --out DIR",
            )
        signer = load_signer(args.sign_key)  # a bad key is refused before any notebook runs
    result = run_ci(
        args.repo, args.base, _regenerator(), author=args.author, approvals=args.approval, reviews=reviews, now=now
    )
    try:
        if args.out:
            write_outputs(result, args.out, signer)
    finally:
        result.cleanup()
    summary_path = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_path:
        with open(summary_path, "a", encoding="utf-8") as handle:
            handle.write(summary_markdown(result) + "\n")
    if result.decisions:
        print(FORMATS[args.format](result.decisions))
    else:
        print("fmgate ci: the branch changes no memo or evidence")
    for path, violation in provenance_findings(result):
        print(f"{violation.get('id')} {path}: {violation.get('message')}", file=sys.stderr)
    for flip in result.flips:
        print(f"policy change flips {flip.path}: {flip.base_outcome} -> {flip.head_outcome}")
    if result.flips_unavailable:
        print(f"flip report unavailable: {result.flips_unavailable}", file=sys.stderr)
    if result.code is not None and result.code.matches_base is False:
        print(f"warning: {result.code.describe(result.base)}", file=sys.stderr)
    if result.unreadable:
        return report_unreadable(
            result.unreadable, "nothing is approved until they can be read: fix them and push again"
        )
    return EXIT_DENIED if result.denied else EXIT_OK
