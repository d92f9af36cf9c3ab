"""Deciding memos: the library API behind `fmgate check` (usable from notebooks too).

with DecisionSession.open(Path(".")) as session:
    decision = session.decide(session.repo.load(Path("memos/x.md")))
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import Config, load_config
from .engine import Engine, check_untrusted_policies, open_engine
from .errors import EngineError, InputError
from .exceptions import load_exceptions
from .memo import MemoFile
from .repo import Repository, find_root, resolve_inside

# task_changes feeds the usage_log notebook; it has no evidence document of its own.
INPUT_ONLY_KINDS = frozenset({"task_changes"})


def _schema_validator(schemas_dir: Path, kind: str) -> Any:
    """The JSON Schema validator of an evidence kind (with the shared envelope resolved)."""
    from .evidence.document import _validators

    folder = schemas_dir / "evidence"
    if not (folder / "envelope.schema.json").is_file():
        raise InputError(
            "the evidence JSON Schemas are missing",
            path=str(folder),
            fix="restore schemas/evidence/ from the repository",
        )
    return _validators(str(folder)).get(kind)


def _invalid(kind: str, *reasons: str) -> dict[str, Any]:
    return {"kind": kind, "valid": False, "errors": list(reasons)}


def load_evidence(repo: Repository, memo: MemoFile) -> dict[str, Any]:
    """Evidence documents for the kinds the memo lists; unreadable ones arrive marked invalid."""
    evidence: dict[str, Any] = {}
    for kind, ref in (memo.memo.evidence or {}).items():
        if ref.path is not None:
            resolve_inside(repo.root, ref.path, source=memo.relpath, field=f"evidence.{kind}")
        if kind in INPUT_ONLY_KINDS:
            continue
        doc_path = repo.evidence_dir(memo.memo_id) / f"{kind}.json"
        shown = f"evidence/{memo.memo_id}/{kind}.json"
        if not doc_path.is_file():
            continue  # absent: the policy names it as missing
        try:
            document = json.loads(doc_path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            evidence[kind] = _invalid(kind, f"{shown} is not valid JSON ({exc}); re-run fmgate collect")
            continue
        validator = _schema_validator(repo.schemas_dir, kind)
        if validator is not None:
            problems = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
            if problems:
                first = problems[0]
                where = "/".join(str(p) for p in first.path) or "(document)"
                evidence[kind] = _invalid(
                    kind, f"{shown} does not match its schema at {where}: {first.message}; re-run fmgate collect"
                )
                continue
        if not isinstance(document, dict):
            evidence[kind] = _invalid(kind, f"{shown} is not a JSON object; re-run fmgate collect")
            continue
        evidence[kind] = document
    return evidence


@dataclass
class Decision:
    memo: MemoFile
    document: dict[str, Any]

    @property
    def allowed(self) -> bool:
        # Anything but an explicit true is a denial.
        return self.document.get("allowed") is True and self.document.get("outcome") == "approved"


class DecisionSession:
    """One OPA server (or remote connection) serving any number of decisions."""

    def __init__(self, repo: Repository, config: Config, engine: Engine) -> None:
        self.repo = repo
        self.config = config
        self.engine = engine

    @classmethod
    def open(
        cls,
        root: Path | None = None,
        *,
        warn: Callable[[str], None] | None = None,
        trusted_root: Path | None = None,
        evidence_root: Path | None = None,
        exact_root: bool = False,
        untrusted_policies: bool = False,
        skip_unreadable: bool = False,
    ) -> DecisionSession:
        """Start (or connect to) OPA with the rules of *trusted_root* (default: the repository's own).

        *exact_root* takes *root* as the repository as it is, rather than looking for fmgate.yaml
        in it and its parents (the pull-request job, where the branch's settings do not count).
        *untrusted_policies* marks rules that come from a branch under review: they must pass
        :func:`~fmgate.engine.check_untrusted_policies` and always run on a local server.
        *skip_unreadable* leaves memos that cannot be parsed out of the index instead of failing
        (see :attr:`Repository.unreadable`): the caller must report them and approve nothing.
        """
        base = Path(root or Path.cwd()).resolve() if exact_root else find_root(root)
        repo = Repository(base, trusted_root=trusted_root, evidence_root=evidence_root, skip_unreadable=skip_unreadable)
        config = load_config(repo.rules_root, repo.policy_defaults())
        if untrusted_policies:
            check_untrusted_policies(repo.policies_dir)
        # A local OPA compiles the policies while the memos are parsed. Bad input still wins: an
        # unparsable memo is reported (exit 2) even when OPA could not be started.
        try:
            starting: Engine | EngineError = open_engine(
                repo.root, config, policies_dir=repo.policies_dir, warn=warn, wait=False, local=untrusted_policies
            )
        except EngineError as exc:
            starting = exc
        try:
            index = repo.index()  # parses every memo
        except BaseException:
            if isinstance(starting, Engine):
                starting.close()
            raise
        if isinstance(starting, EngineError):
            raise repo.unreadable[0] if repo.unreadable else starting
        engine = starting.wait_ready()
        try:
            engine.put_data("fmgate/config", config.policy_data())
            engine.put_data("fmgate/repository", index)
            engine.put_data("fmgate/exception_files", load_exceptions(repo.rules_root))
        except BaseException:
            engine.close()
            raise
        return cls(repo, config, engine)

    def close(self) -> None:
        self.engine.close()

    def __enter__(self) -> DecisionSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def policy_input(
        self,
        memo: MemoFile,
        now: dt.date,
        pull_request: dict[str, Any] | None = None,
        provenance: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        view = memo.policy_view()
        self._confirm_rejected_fine_tune(memo, view)
        document: dict[str, Any] = {
            "memo": view,
            "evidence": load_evidence(self.repo, memo),
            "now": now.isoformat(),
        }
        if pull_request is not None:
            document["pull_request"] = pull_request
        if provenance is not None:
            document["provenance"] = provenance
        return document

    def _confirm_rejected_fine_tune(self, memo: MemoFile, view: dict[str, Any]) -> None:
        """A build memo may cite its rejected fine-tune by file path: say whether that file exists."""
        plan = view.get("build")
        reference = plan.get("rejected_fine_tune") if isinstance(plan, dict) else None
        if not isinstance(reference, str) or not reference.strip():
            return
        if reference in {m.memo_id for m in self.repo.memos}:
            return  # a memo id: the policy looks it up in the repository index
        path = resolve_inside(self.repo.root, reference.strip(), source=memo.relpath, field="build.rejected_fine_tune")
        assert isinstance(plan, dict)  # checked above: the reference was read from it
        plan["rejected_fine_tune_found"] = path.is_file()

    def decide(
        self,
        memo: MemoFile,
        now: dt.date | None = None,
        pull_request: dict[str, Any] | None = None,
        provenance: dict[str, Any] | None = None,
    ) -> Decision:
        day = now or _today()
        try:
            result = self.engine.query(self.policy_input(memo, day, pull_request, provenance))
        except EngineError as exc:
            exc.path = exc.path or memo.relpath  # say which memo the engine failed on
            raise
        return _decision(memo, result)

    def decide_batch(self, memos: list[MemoFile], now: dt.date | None = None) -> list[Decision]:
        """Decide several memos in one query; the same documents as deciding each on its own."""
        day = now or _today()
        documents = self.engine.query_batch([self.policy_input(memo, day) for memo in memos])
        if documents is None:
            return [self.decide(memo, day) for memo in memos]
        return [_decision(memo, document) for memo, document in zip(memos, documents)]


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _decision(memo: MemoFile, result: Any) -> Decision:
    if not isinstance(result, dict):
        raise InputError(
            "the policies returned something other than a decision document",
            path="policies/decision",
            fix="run 'opa test policies'",
        )
    return Decision(memo, result)


# Memos per query: enough to spare most of the per-request cost (HTTP, JSON, the client), few
# enough that a run of a few dozen memos still spreads over every core.
BATCH_SIZE = 50


def decide_all(
    session: DecisionSession, memos: list[MemoFile], now: dt.date | None = None, workers: int = 4
) -> list[Decision]:
    """Decide many memos on one server, in batches, a few queries in flight so OPA uses every core."""
    from concurrent.futures import ThreadPoolExecutor

    day = now or _today()
    if len(memos) < 2:
        return [session.decide(memo, day) for memo in memos]
    size = max(1, min(BATCH_SIZE, -(-len(memos) // (2 * max(1, workers)))))
    batches = [memos[i : i + size] for i in range(0, len(memos), size)]
    if workers < 2:
        return [d for batch in batches for d in session.decide_batch(batch, day)]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fmgate-decide") as pool:
        return [d for part in pool.map(lambda batch: session.decide_batch(batch, day), batches) for d in part]


def parse_day(text: str, *, option: str = "--now") -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{text!r} is not a date", field=option, fix="use YYYY-MM-DD") from None
