"""The pull-request job: decide what a branch changed, on the base branch's terms.

The branch is data. Policies, notebooks, schemas and settings come from the
base commit (a branch cannot relax its own gates), the code is this
installation of fmgate (the job installs it from the base commit), and
nothing in the branch's tree is imported or run: evidence is regenerated
from the branch's inputs with the base notebooks, in kernels that cannot
reach the branch, and compared with what the branch committed; the
decision uses the regenerated evidence, and PROV-* rules deny any mismatch.
Approvals come from the pull request's reviews, never from the memo.
A branch that changes policies is also decided with its own policies, over
every memo, so reviewers see which decisions the change would flip.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import gitutil
from .errors import EngineError, InputError
from .evaluate import Decision, DecisionSession
from .evidence.document import CODE_SUFFIXES, code_identity
from .lifecycle import check_repository, check_transition
from .memo import MemoFile, parse_memo
from .provenance import input_mismatches, notebook_mismatches, read_committed, tampered
from .repo import Repository
from .reviews import pull_request_input

TRUSTED_PATHS = ["policies", "notebooks", "schemas", "fmgate.yaml", "exceptions"]
RULE_PATH_PREFIXES = ("policies/", "notebooks/", "schemas/")

# (repository, memo, trusted notebooks folder, where to write evidence) -> None
Regenerator = Callable[[Repository, MemoFile, Path, Path], None]


@dataclass
class Flip:
    memo_id: str
    path: str
    base_outcome: str
    head_outcome: str


@dataclass
class CodeCheck:
    """Which code decided: this installation, and whether it is the base commit's ``src/fmgate``."""

    version: str
    sha256: str
    location: str
    matches_base: bool | None  # None: the base commit has no src/fmgate to compare with
    differing: list[str] = field(default_factory=list)

    def describe(self, base: str) -> str:
        where = f"fmgate {self.version} installed at {self.location} (sources sha256 {self.sha256[:12]})"
        if self.matches_base is None:
            return f"{where}; the base commit {base[:12]} has no src/fmgate to compare it with"
        if self.matches_base:
            return f"{where}, identical to src/fmgate of base commit {base[:12]}"
        shown = ", ".join(self.differing[:5]) + (" ..." if len(self.differing) > 5 else "")
        return f"{where}, which DIFFERS from src/fmgate of base commit {base[:12]} ({shown})"


@dataclass
class CiResult:
    base: str
    changed: list[str]
    decisions: list[Decision]
    policies_changed: bool
    head: str = ""
    code: CodeCheck | None = None
    flips: list[Flip] = field(default_factory=list)
    flips_unavailable: str | None = None
    unreadable: list[InputError] = field(default_factory=list)
    regenerated_root: Path | None = None
    scratch: Path | None = None
    owns_scratch: bool = False
    # what a decision record needs beyond the decision documents (see fmgate.records)
    root: Path | None = None
    now: dt.date | None = None
    decided_at: dt.datetime | None = None
    pull_request: dict[str, Any] | None = None
    facts: dict[str, dict[str, Any]] = field(default_factory=dict)
    decision_ids: dict[str, str | None] = field(default_factory=dict)
    decision_log: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def trusted_root(self) -> Path | None:
        """The base commit's rules, exported for this run (gone after :meth:`cleanup`)."""
        return self.scratch / "trusted" if self.scratch is not None else None

    def cleanup(self) -> None:
        """Remove the job's scratch folder (trusted tree, regenerated evidence) if it made one."""
        if self.owns_scratch and self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)

    @property
    def denied(self) -> list[Decision]:
        return [d for d in self.decisions if not d.allowed]


def affected_memos(memos: list[MemoFile], changed: list[str]) -> list[MemoFile]:
    """Memos the branch touched: the memo file, its evidence folder, or any input it names."""
    changed_set = set(changed)
    picked = []
    for memo in memos:
        inputs = {ref.path for ref in (memo.memo.evidence or {}).values() if ref.path is not None}
        if (
            memo.relpath in changed_set
            or inputs & changed_set
            or any(p.startswith(f"evidence/{memo.memo_id}/") for p in changed)
        ):
            picked.append(memo)
    return picked


def lifecycle_problems(root: Path, base: str, memo: MemoFile, memos: list[MemoFile]) -> list[dict[str, Any]]:
    """Status moves and edits of decided memos that the lifecycle rules forbid, for this memo."""
    old = None
    old_text = gitutil.show_file(root, base, memo.relpath)
    if old_text is not None:
        try:
            old = parse_memo(old_text, path=memo.path, relpath=memo.relpath)
        except InputError:
            old = None  # the base's copy was unreadable: judge the memo as new
    problems = list(check_transition(old, memo))
    problems += [p for p in check_repository(memos) if p["path"] == memo.relpath]
    return [dict(p) for p in problems]


def _facts(
    repo: Repository,
    memo: MemoFile,
    trusted: Path,
    regenerated_root: Path,
    policies_changed: bool,
    lifecycle: list[dict[str, Any]],
    changed: list[str],
) -> dict[str, Any]:
    committed = read_committed(repo, memo)
    regenerated = read_committed(Repository(repo.root, evidence_root=regenerated_root), memo)
    return {
        "checked": True,
        "policy_source": "base",
        "policies_changed": policies_changed,
        "changed_paths": changed,
        "input_mismatches": input_mismatches(repo, memo, committed, regenerated),
        "notebook_mismatches": notebook_mismatches(trusted / "notebooks", committed, memo.memo_id),
        "tampered": tampered(committed, regenerated, memo.memo_id),
        "lifecycle": lifecycle,
    }


def policy_flips(root: Path, trusted: Path, now: dt.date) -> list[Flip]:
    """Every memo decided with the base's rules and with the branch's; where the outcome differs.

    The branch's policies are untrusted: they are checked first for builtins that reach the network
    or the environment, and run on a local server of fmgate's own whatever the branch's settings
    say about a remote one.
    """
    outcomes: dict[str, dict[str, str]] = {}
    for label, rules in (("base", trusted), ("head", None)):
        with DecisionSession.open(
            root, trusted_root=rules, exact_root=True, untrusted_policies=rules is None
        ) as session:
            for memo in session.repo.memos:
                decision = session.decide(memo, now)
                outcomes.setdefault(memo.memo_id, {"path": memo.relpath})[label] = str(decision.document.get("outcome"))
    return [
        Flip(memo_id, o["path"], o["base"], o["head"])
        for memo_id, o in sorted(outcomes.items())
        if o.get("base") != o.get("head")
    ]


def code_check(root: Path, base: str) -> CodeCheck:
    """Compare this installation's sources with ``src/fmgate`` at the base commit."""
    import fmgate

    identity = code_identity()
    package = Path(fmgate.__file__).resolve().parent
    installed = {
        p.relative_to(package).as_posix(): gitutil.blob_id(p.read_bytes())
        for p in package.rglob("*")
        if p.is_file() and p.suffix in CODE_SUFFIXES and "__pycache__" not in p.parts
    }
    recorded = {
        path: blob
        for path, blob in gitutil.tree_blobs(root, base, "src/fmgate").items()
        if Path(path).suffix in CODE_SUFFIXES
    }
    check = CodeCheck(identity["version"], identity["sha256"], str(package), None)
    if recorded:
        check.differing = sorted(p for p in set(installed) | set(recorded) if installed.get(p) != recorded.get(p))
        check.matches_base = not check.differing
    return check


def run_ci(
    start: Path | None,
    base_ref: str,
    regenerate: Regenerator,
    *,
    author: str | None = None,
    approvals: list[str] | None = None,
    reviews: list[dict[str, str]] | None = None,
    now: dt.date | None = None,
    workdir: Path | None = None,
) -> CiResult:
    """Decide the branch checked out at *start* against the base commit *base_ref*.

    Approvals are the pull request's: *reviews* (each reviewer's latest
    review, see :mod:`fmgate.reviews`) and *approvals* (logins that approved
    the branch's head commit). The memos' own reviewers fields never count.
    """
    root = gitutil.toplevel(Path(start or Path.cwd()))
    base = gitutil.resolve_commit(root, base_ref)
    head = gitutil.resolve_commit(root, "HEAD")
    since = gitutil.merge_base(root, base)
    changed = gitutil.changed_paths(root, since)
    day = now or dt.datetime.now(dt.UTC).date()
    scratch = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="fmgate-ci-"))
    try:
        trusted = scratch / "trusted"
        gitutil.export_tree(root, base, TRUSTED_PATHS, trusted)
        if not (trusted / "policies").is_dir() or not (trusted / "fmgate.yaml").is_file():
            raise InputError(
                f"the base commit {base[:12]} has no policies/ or fmgate.yaml",
                field="--base",
                fix="pass the branch the pull request targets, e.g. --base origin/main",
            )
        policies_changed = any(p.startswith(RULE_PATH_PREFIXES) or p == "fmgate.yaml" for p in changed)

        # An unreadable memo does not stop the job: the rest is decided, it is named, and the exit is 2.
        repo = Repository(root, trusted_root=trusted, skip_unreadable=True)
        memos = repo.memos
        picked = affected_memos(memos, changed)
        regenerated_root = scratch / "evidence"
        regenerated_root.mkdir(parents=True, exist_ok=True)
        facts = {}
        for memo in picked:
            regenerate(repo, memo, trusted / "notebooks", regenerated_root)
            facts[memo.memo_id] = _facts(
                repo,
                memo,
                trusted,
                regenerated_root,
                policies_changed,
                lifecycle_problems(root, base, memo, memos),
                changed,
            )
        pull_request = pull_request_input(author, head, reviews or [], approvals or [])
        decisions = []
        decision_ids: dict[str, str | None] = {}
        decision_log: dict[str, dict[str, Any]] = {}
        decided_at = dt.datetime.now(dt.UTC)
        if picked:
            with DecisionSession.open(
                root, trusted_root=trusted, evidence_root=regenerated_root, exact_root=True, skip_unreadable=True
            ) as session:
                for memo in picked:
                    decisions.append(
                        session.decide(session.repo.load(memo.path), day, pull_request, facts[memo.memo_id])
                    )
                    decision_ids[memo.memo_id] = session.engine.last_decision_id
                decision_log = session.engine.decision_log({i for i in decision_ids.values() if i})
        result = CiResult(
            base=base,
            changed=changed,
            decisions=decisions,
            policies_changed=policies_changed,
            head=head,
            code=code_check(root, base),
            regenerated_root=regenerated_root,
            scratch=scratch,
            owns_scratch=workdir is None,
            root=root,
            now=day,
            decided_at=decided_at,
            pull_request=pull_request,
            facts=facts,
            decision_ids=decision_ids,
            decision_log=decision_log,
            unreadable=list(repo.unreadable),
        )
        if policies_changed:
            try:
                result.flips = policy_flips(root, trusted, day)
            except (InputError, EngineError) as exc:  # the branch's own rules are broken: say so, decide anyway
                result.flips_unavailable = str(exc)
        return result
    except BaseException:
        if workdir is None:  # nothing to hand back: do not leave the scratch folder behind
            shutil.rmtree(scratch, ignore_errors=True)
        raise
