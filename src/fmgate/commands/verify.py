"""`fmgate verify RECORD`: does a decision record still hold for the repository at a commit?

Three checks, all of which must pass for exit 0: the DSSE signature (when the record is
signed, or a key is given), every subject's sha256 against the files of the commit
(``git show COMMIT:path``; the policy bundle recomputed from that commit's policies/
and fmgate.yaml), and the decision itself, made again by a local OPA on that commit's
policies with what the policy saw then (date, pull request, provenance facts).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import gitutil, records
from ..errors import EXIT_DENIED, EXIT_OK, FmgateError, InputError
from ..evaluate import DecisionSession

#: what is exported from the commit to decide again, besides the record's own subjects
DECIDING_PATHS = ["memos", "evidence", "policies", "schemas", "notebooks", "exceptions", "fmgate.yaml"]


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "verify",
        help="check a decision record against the repository at a commit, and decide again",
        description="Check a decision record (RECORD: <memo-id>.intoto.json, or the signed <memo-id>.dsse.json): "
        "its signature, the sha256 of every subject at COMMIT (the memo, its inputs and evidence, "
        "the policy bundle), and the decision, made again with that commit's policies. Exit 0 when "
        "everything still matches, 1 naming each subject or decision that differs (or a signature "
        "that does not hold), 2 when the record is malformed.",
    )
    parser.add_argument("record", type=Path, metavar="RECORD")
    parser.add_argument(
        "--commit",
        default="HEAD",
        metavar="SHA",
        help="the commit to check against (default HEAD; e.g. the merge commit of the pull request)",
    )
    parser.add_argument(
        "--key",
        type=Path,
        metavar="PUBLIC.pem",
        help="ed25519 public key (PEM) the record must be signed with; an unsigned record is refused",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(run=run)


@dataclass
class Verification:
    record: str
    memo: str
    commit: str
    signature: str  # "valid", "unsigned", or why it does not hold
    changed: list[records.SubjectChange] = field(default_factory=list)
    decision_differences: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    today: dict[str, Any] | None = None
    today_decision_id: str | None = None

    @property
    def ok(self) -> bool:
        return not (self.changed or self.decision_differences or self.problems)


def _commit(root: Path, ref: str) -> str:
    found = gitutil.git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
    if found.returncode != 0:
        raise InputError(
            f"commit {ref!r} cannot be found in {root}",
            field="--commit",
            fix="pass a commit of this repository (fetch it first if it is on another branch)",
        )
    return found.stdout.strip()


def decide_again(root: Path, commit: str, record: records.LoadedRecord) -> tuple[dict[str, Any], str | None]:
    """The decision the commit's policies make today on the commit's memo, with what the policy saw then."""
    predicate = record.predicate
    memo_path = predicate["memo"]["path"]
    now = dt.date.fromisoformat(predicate["policy_input"]["now"])
    paths = DECIDING_PATHS + [name for name in records.subjects(record.statement) if name != records.POLICY_BUNDLE]
    with tempfile.TemporaryDirectory(prefix="fmgate-verify-") as folder:
        tree = Path(folder) / "tree"
        gitutil.export_tree(root, commit, sorted(set(paths)), tree)
        with DecisionSession.open(tree, exact_root=True) as session:
            decision = session.decide(
                session.repo.load(tree / memo_path),
                now,
                predicate.get("pull_request"),
                predicate["policy_input"].get("provenance"),
            )
            return decision.document, session.engine.last_decision_id


def verify(record_path: Path, repo: Path | None, commit_ref: str, key_path: Path | None) -> Verification:
    record = records.read_record(record_path)
    key = records.load_public_key(key_path) if key_path else None
    root = gitutil.toplevel(Path(repo or Path.cwd()))
    commit = _commit(root, commit_ref)
    problem = records.signature_problem(record, key)
    result = Verification(
        str(record_path),
        record.predicate["memo"]["path"],
        commit,
        "valid" if record.signed and problem is None else ("unsigned" if problem is None else problem),
    )
    if problem:
        result.problems.append(f"signature: {problem}")
    result.changed = records.changed_subjects(
        record.statement, records.git_reader(root, commit), records.bundle_at_commit(root, commit)
    )
    result.changed += records.added_files(
        record.statement,
        records.evidence_files_at_commit(root, commit, str(record.predicate["memo"].get("id"))),
        records.git_reader(root, commit),
    )
    if any(change.name == result.memo and change.actual is None for change in result.changed):
        result.problems.append(f"decision: {result.memo} is not in commit {commit[:12]}, so it cannot be decided again")
        return result
    try:
        result.today, result.today_decision_id = decide_again(root, commit, record)
    except FmgateError as exc:
        if not result.changed:
            raise  # nothing else explains it: bad input (2) or an engine failure (3), never a pass
        result.problems.append(f"decision: it cannot be made again at {commit[:12]}, whose rules changed: {exc}")
        return result
    result.decision_differences = records.decision_differences(record.predicate["decision"], result.today)
    return result


def describe(result: Verification, record: dict[str, Any]) -> str:
    predicate = record["predicate"]
    decision = predicate["decision"]
    review = decision.get("review") or {}
    pull_request = predicate.get("pull_request") or {}
    lines = [
        f"record: {result.record}",
        f"memo: {result.memo} ({predicate['memo']['id']}), decided {predicate['decided_at']} by fmgate "
        f"{predicate['tools'].get('fmgate')} with OPA {predicate['tools'].get('opa')} "
        f"(OPA decision_id {predicate.get('decision_id')})",
        f"decision as made: {decision.get('outcome')} ({decision.get('requested')} requested); violations: "
        + (", ".join(records.violation_ids(decision)) or "none"),
    ]
    if predicate.get("base_commit"):
        lines.append(f"rules: base commit {predicate['base_commit']}, branch head {predicate.get('head_commit')}")
    if pull_request:
        lines.append(
            f"pull request: author {pull_request.get('author')}; approvals counted: "
            + (", ".join(review.get("counted") or []) or "none")
        )
    lines.append(f"policy bundle: sha256 {predicate['policy_bundle']['sha256']}")
    lines.append(f"signature: {result.signature}")
    lines.append(f"checked against commit {result.commit}: {len(record['subject'])} subjects")
    for change in result.changed:
        lines.append(f"CHANGED {change.describe()}")
    for difference in result.decision_differences:
        lines.append(f"DECISION DIFFERS {difference}")
    for problem in result.problems:
        lines.append(f"FAILED {problem}")
    if result.today is not None and not result.decision_differences:
        lines.append(
            f"decided again at {result.commit[:12]}: {result.today.get('outcome')}, the same violations "
            f"(OPA decision_id {result.today_decision_id})"
        )
    lines.append("verified: everything still matches" if result.ok else "NOT VERIFIED")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    result = verify(args.record, args.repo, args.commit, args.key)
    record = records.read_record(args.record).statement
    if args.format == "json":
        print(
            json.dumps(
                {
                    "record": result.record,
                    "memo": result.memo,
                    "commit": result.commit,
                    "verified": result.ok,
                    "signature": result.signature,
                    "changed": [vars(change) for change in result.changed],
                    "decision_differences": result.decision_differences,
                    "problems": result.problems,
                    "recorded_decision": record["predicate"]["decision"],
                    "decision_today": result.today,
                },
                indent=2,
                sort_keys=True,
            )
        )
    else:
        print(describe(result, record))
    if not result.ok:
        print(f"fmgate verify: {result.record} does not hold at {result.commit[:12]}", file=sys.stderr)
    return EXIT_OK if result.ok else EXIT_DENIED
