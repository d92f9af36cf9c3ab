"""Decision records: an in-toto Statement v1 per decided memo, optionally signed with DSSE.

A record names, by sha256, everything a decision rested on (its subjects): the memo,
every input it lists, every file of its evidence folder (documents, executed and
rendered notebooks), and the policy bundle (the policy files OPA served and
``fmgate.yaml``, as one digest). Its predicate (:data:`PREDICATE_TYPE`) holds the
decision document as OPA returned it, OPA's ``decision_id`` for it (the same id is in
the server's decision log), what else the policy saw (date, pull request, provenance
facts), the tool versions, the commits and the time.

The statement is built and validated with ``in-toto-attestation`` (the spec's own
bindings) and signed as a DSSE envelope with ``securesystemslib``; an ed25519 key in
a PEM file signs, its public half verifies. Records are plain files:
``<memo-id>.intoto.json`` (the statement) and, when signed, ``<memo-id>.dsse.json``.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from . import __version__, gitutil
from .engine import OPA_VERSION, find_opa, opa_version
from .errors import InputError
from .memo import MemoFile

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://fmgate.dev/decision/v1"
PAYLOAD_TYPE = "application/vnd.in-toto+json"
POLICY_BUNDLE = "policy-bundle"
SETTINGS_FILE = "fmgate.yaml"
BUNDLE_FOLDERS = ("policies", "exceptions")
STATEMENT_SUFFIX = ".intoto.json"
ENVELOPE_SUFFIX = ".dsse.json"
REQUIRED_PREDICATE_FIELDS = (
    "memo",
    "decision",
    "decision_id",
    "policy_bundle",
    "policy_input",
    "tools",
    "base_commit",
    "head_commit",
    "pull_request",
    "decided_at",
)
_SHA256 = re.compile(r"^[0-9a-f]{64}$")

#: reads a repository path's bytes, or None when it does not exist there
Reader = Callable[[str], "bytes | None"]


def sha256_bytes(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


# -- what a decision rests on -------------------------------------------------


def in_bundle(path: str) -> bool:
    """Whether a repository path belongs to the policy bundle: what OPA loads from policies/, the
    settings, and the exceptions folder (data the policies read, when the repository has one).

    Hidden files and ``*_test.rego`` are left out, as the engine leaves them out of the server.
    """
    if path == SETTINGS_FILE:
        return True
    parts = PurePosixPath(path).parts
    return (
        len(parts) > 1
        and parts[0] in BUNDLE_FOLDERS
        and not any(p.startswith(".") for p in parts)
        and not parts[-1].endswith("_test.rego")
    )


def bundle_digest(files: dict[str, str]) -> str:
    """One sha256 over the bundle's files: each `path NUL sha256 LF`, in path order."""
    listing = "".join(f"{path}\0{files[path]}\n" for path in sorted(files))
    return sha256_bytes(listing.encode("utf-8"))


def bundle_on_disk(rules_root: Path) -> dict[str, str]:
    """Path -> sha256 of the bundle's files in a folder holding policies/, fmgate.yaml (and exceptions/)."""
    files = {}
    candidates = [
        p
        for folder in BUNDLE_FOLDERS
        if (rules_root / folder).is_dir()
        for p in (rules_root / folder).rglob("*")
        if p.is_file()
    ]
    settings = rules_root / SETTINGS_FILE
    if settings.is_file():
        candidates.append(settings)
    for path in candidates:
        relative = path.relative_to(rules_root).as_posix()
        if in_bundle(relative):
            files[relative] = sha256_bytes(path.read_bytes())
    return files


def bundle_at_commit(root: Path, commit: str) -> dict[str, str]:
    """The same as :func:`bundle_on_disk`, for the files of *commit* in the git repository at *root*."""
    listing = gitutil.git(
        root, "ls-tree", "-r", "-z", "--name-only", commit, "--", *BUNDLE_FOLDERS, SETTINGS_FILE
    ).stdout
    reader = git_reader(root, commit)
    files = {}
    for path in (p for p in listing.split("\0") if p and in_bundle(p)):
        content = reader(path)
        if content is not None:
            files[path] = sha256_bytes(content)
    return files


def subject_paths(root: Path, memo: MemoFile) -> list[str]:
    """Repository paths a memo's decision rests on: the memo, its inputs, its evidence folder's files."""
    paths = {memo.relpath}
    paths.update(ref.path for ref in (memo.memo.evidence or {}).values() if ref.path is not None)
    folder = root / "evidence" / memo.memo_id
    if folder.is_dir():
        for path in folder.rglob("*"):
            relative = path.relative_to(root).as_posix()
            if path.is_file() and not any(part.startswith(".") for part in PurePosixPath(relative).parts):
                paths.add(relative)
    return sorted(paths)


def disk_reader(root: Path) -> Reader:
    def read(path: str) -> bytes | None:
        target = root / path
        return target.read_bytes() if target.is_file() else None

    return read


def git_reader(root: Path, commit: str) -> Reader:
    """A path's bytes at *commit* (``git show COMMIT:path``)."""

    def read(path: str) -> bytes | None:
        shown = gitutil.git(root, "show", f"{commit}:{path}", check=False, binary=True)
        return shown.stdout if shown.returncode == 0 else None

    return read


@functools.lru_cache(maxsize=1)
def installed_opa_version() -> str:
    """The version the opa binary fmgate runs reports (the pinned one when it cannot say)."""
    return opa_version(find_opa()) or OPA_VERSION


# -- building ------------------------------------------------------------------


@dataclass
class DecisionContext:
    """What a decision was made with, beyond the memo: recorded in the predicate."""

    source: str  # "ci" or "check"
    now: dt.date  # the evaluation date the policy saw
    decided_at: dt.datetime
    base_commit: str | None = None
    head_commit: str | None = None
    pull_request: dict[str, Any] | None = None
    provenance: dict[str, Any] | None = None
    opa_version: str | None = None


def _plain_numbers(value: Any) -> Any:
    """protobuf's Struct holds every number as a double: give whole numbers back as JSON integers."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, dict):
        return {k: _plain_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_numbers(v) for v in value]
    return value


def build_statement(
    memo: MemoFile,
    document: dict[str, Any],
    decision_id: str | None,
    subjects: dict[str, str],
    bundle: dict[str, str],
    context: DecisionContext,
) -> dict[str, Any]:
    """The record of one decision as an in-toto Statement v1 (a JSON object), validated."""
    from google.protobuf import json_format
    from in_toto_attestation.v1.resource_descriptor import ResourceDescriptor
    from in_toto_attestation.v1.statement import Statement

    descriptors = [
        ResourceDescriptor(name=name, digest={"sha256": digest}).pb for name, digest in sorted(subjects.items())
    ]
    descriptors.append(ResourceDescriptor(name=POLICY_BUNDLE, digest={"sha256": bundle_digest(bundle)}).pb)
    predicate = {
        "memo": {"id": memo.memo_id, "path": memo.relpath},
        "decision": document,
        "decision_id": decision_id,
        "policy_bundle": {
            "sha256": bundle_digest(bundle),
            "files": dict(sorted(bundle.items())),
            # the engine loads policies/ as files, not as an OPA bundle: OPA reports no revision
            "opa_revision": None,
        },
        "policy_input": {"now": context.now.isoformat(), "provenance": context.provenance},
        "tools": {"opa": context.opa_version or installed_opa_version(), "fmgate": __version__},
        "source": context.source,
        "base_commit": context.base_commit,
        "head_commit": context.head_commit,
        "pull_request": context.pull_request,
        "decided_at": context.decided_at.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
    }
    statement = Statement(descriptors, PREDICATE_TYPE, json.loads(json.dumps(predicate)))
    statement.validate()
    return validate_statement(_plain_numbers(json_format.MessageToDict(statement.pb)), where="(new record)")


def validate_statement(data: Any, *, where: str) -> dict[str, Any]:
    """Check a statement against the in-toto spec (the library's validator) and fmgate's predicate."""
    from google.protobuf import json_format
    from in_toto_attestation.v1 import statement_pb2
    from in_toto_attestation.v1.statement import Statement

    def bad(message: str, field: str | None = None) -> InputError:
        return InputError(
            f"not a valid decision record: {message}",
            path=where,
            field=field,
            fix="pass a record fmgate wrote (RECORDS/<memo-id>.intoto.json or .dsse.json), unedited",
        )

    if not isinstance(data, dict):
        raise bad("the statement is not a JSON object")
    try:
        proto = json_format.ParseDict(data, statement_pb2.Statement())
        Statement.copy_from_pb(proto).validate()
    except (json_format.ParseError, ValueError, TypeError) as exc:
        raise bad(str(exc)) from None
    if data.get("predicateType") != PREDICATE_TYPE:
        raise bad(f"predicateType is {data.get('predicateType')!r}, not {PREDICATE_TYPE}", "predicateType")
    names = set()
    for i, subject in enumerate(data["subject"]):
        digest = (subject.get("digest") or {}).get("sha256")
        name = subject.get("name")
        if not isinstance(name, str) or not name or not isinstance(digest, str) or not _SHA256.match(digest):
            raise bad("each subject needs a name and a sha256 digest of 64 hex digits", f"subject[{i}]")
        if name in names:
            raise bad(f"subject {name!r} is listed twice", f"subject[{i}]")
        names.add(name)
    if POLICY_BUNDLE not in names:
        raise bad(f"no {POLICY_BUNDLE} subject", "subject")
    predicate = data["predicate"]
    missing = [f for f in REQUIRED_PREDICATE_FIELDS if f not in predicate]
    if missing:
        raise bad("the predicate lacks " + ", ".join(missing), "predicate")
    decision = predicate["decision"]
    if (
        not isinstance(decision, dict)
        or not isinstance(decision.get("outcome"), str)
        or not isinstance(decision.get("violations"), list)
    ):
        raise bad("predicate.decision is not a decision document", "predicate.decision")
    memo = predicate["memo"]
    if not isinstance(memo, dict) or not isinstance(memo.get("path"), str) or memo["path"] not in names:
        raise bad("predicate.memo.path must name one of the subjects", "predicate.memo")
    files = (predicate["policy_bundle"] or {}).get("files") if isinstance(predicate["policy_bundle"], dict) else None
    if not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()):
        raise bad("predicate.policy_bundle.files is not a path -> sha256 object", "predicate.policy_bundle")
    policy_input = predicate["policy_input"]
    if not isinstance(policy_input, dict) or not isinstance(policy_input.get("now"), str):
        raise bad("predicate.policy_input.now is missing", "predicate.policy_input")
    return data


def subjects(statement: dict[str, Any]) -> dict[str, str]:
    """Subject name -> recorded sha256."""
    return {s["name"]: s["digest"]["sha256"] for s in statement["subject"]}


# -- keys and files -------------------------------------------------------------


def load_signer(path: Path) -> Any:
    """A securesystemslib signer for an ed25519 private key in a PEM (PKCS8) file."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key
    from securesystemslib.signer import CryptoSigner

    try:
        key = load_pem_private_key(Path(path).read_bytes(), password=None)
    except OSError as exc:
        raise InputError(
            f"the signing key cannot be read: {exc.strerror}",
            path=str(path),
            field="--sign-key",
            fix="pass an ed25519 private key in a PEM file",
        ) from None
    except (ValueError, TypeError) as exc:
        raise InputError(
            f"not an unencrypted PEM private key ({exc})",
            path=str(path),
            field="--sign-key",
            fix="create one with 'openssl genpkey -algorithm ed25519 -out decision-key.pem'",
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise InputError(
            "the signing key is not an ed25519 key",
            path=str(path),
            field="--sign-key",
            fix="create one with 'openssl genpkey -algorithm ed25519 -out decision-key.pem'",
        )
    return CryptoSigner(key)


def load_public_key(path: Path) -> Any:
    """A securesystemslib key for an ed25519 public key in a PEM file."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.serialization import load_pem_public_key
    from securesystemslib.signer import SSlibKey

    fix = (
        "pass the public half of the signing key: 'openssl pkey -in decision-key.pem -pubout -out decision-key.pub.pem'"
    )
    try:
        key = load_pem_public_key(Path(path).read_bytes())
    except OSError as exc:
        raise InputError(
            f"the public key cannot be read: {exc.strerror}", path=str(path), field="--key", fix=fix
        ) from None
    except (ValueError, TypeError) as exc:
        raise InputError(f"not a PEM public key ({exc})", path=str(path), field="--key", fix=fix) from None
    if not isinstance(key, Ed25519PublicKey):
        raise InputError("the public key is not an ed25519 key", path=str(path), field="--key", fix=fix)
    return SSlibKey.from_crypto(key)


def statement_bytes(statement: dict[str, Any]) -> bytes:
    return (json.dumps(statement, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def write_record(folder: Path, memo_id: str, statement: dict[str, Any], signer: Any = None) -> list[Path]:
    """Write ``<memo-id>.intoto.json`` and, with a signer, ``<memo-id>.dsse.json`` (signing those bytes)."""
    from securesystemslib.dsse import Envelope

    folder.mkdir(parents=True, exist_ok=True)
    payload = statement_bytes(statement)
    written = [folder / f"{memo_id}{STATEMENT_SUFFIX}"]
    written[0].write_bytes(payload)
    signed = folder / f"{memo_id}{ENVELOPE_SUFFIX}"
    if signer is not None:
        envelope = Envelope(payload, PAYLOAD_TYPE, {})
        envelope.sign(signer)
        signed.write_text(json.dumps(envelope.to_dict(), indent=2) + "\n", encoding="utf-8")
        written.append(signed)
    elif signed.exists():
        signed.unlink()  # a signature of an older statement must not sit beside this one
    return written


@dataclass
class LoadedRecord:
    path: Path
    statement: dict[str, Any]
    envelope: Any = None  # securesystemslib.dsse.Envelope when the file is a signed record

    @property
    def signed(self) -> bool:
        return self.envelope is not None

    @property
    def predicate(self) -> dict[str, Any]:
        return self.statement["predicate"]


def read_record(path: Path) -> LoadedRecord:
    """A record file: a bare statement (.intoto.json) or a DSSE envelope around one (.dsse.json)."""
    from securesystemslib.dsse import Envelope

    where = str(path)
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(
            f"the record cannot be read: {exc.strerror}", path=where, fix="pass the path of a record fmgate wrote"
        ) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(
            f"the record is not JSON ({exc})", path=where, fix="pass a record fmgate wrote, unedited"
        ) from None
    if isinstance(data, dict) and "payloadType" in data:
        try:
            envelope = Envelope.from_dict(data)
        except Exception as exc:
            raise InputError(
                f"not a valid DSSE envelope ({type(exc).__name__}: {exc})",
                path=where,
                fix="pass a .dsse.json fmgate wrote, unedited",
            ) from None
        if envelope.payload_type != PAYLOAD_TYPE:
            raise InputError(
                f"the envelope's payloadType is {envelope.payload_type!r}, not {PAYLOAD_TYPE}",
                path=where,
                field="payloadType",
                fix="pass a decision record fmgate signed",
            )
        try:
            statement = json.loads(envelope.payload.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise InputError(
                f"the envelope's payload is not a JSON statement ({exc})",
                path=where,
                field="payload",
                fix="pass a .dsse.json fmgate wrote, unedited",
            ) from None
        return LoadedRecord(Path(path), validate_statement(statement, where=where), envelope)
    return LoadedRecord(Path(path), validate_statement(data, where=where))


def signature_problem(record: LoadedRecord, key: Any) -> str | None:
    """Why the record's signature does not hold (None when it does); *key* None: no key was given."""
    from securesystemslib.exceptions import VerificationError

    if not record.signed:
        return (
            f"the record is not signed, and a key was given (verify the signed {ENVELOPE_SUFFIX} beside it)"
            if key is not None
            else None
        )
    keyids = ", ".join(sorted(record.envelope.signatures)) or "none"
    if key is None:
        return f"the record is signed (keyid {keyids}) but no --key was given to check the signature"
    try:
        record.envelope.verify([key], 1)
    except (VerificationError, ValueError):
        return f"the signature does not verify with the key given (record keyid {keyids}, key {key.keyid})"
    return None


@dataclass
class SubjectChange:
    name: str
    recorded: str
    actual: str | None  # None: the path does not exist there

    def describe(self) -> str:
        if self.recorded == "absent":
            return f"{self.name}: not in the record (added since), now sha256 {self.actual}"
        return f"{self.name}: recorded sha256 {self.recorded}, now {self.actual or 'missing'}"


def changed_subjects(statement: dict[str, Any], read: Reader, bundle: dict[str, str]) -> list[SubjectChange]:
    """Subjects whose bytes (or, for the policy bundle, whose files) differ from what the record says.

    A changed bundle is reported as the bundle and as each of its files that changed, was added or went.
    """
    found = []
    recorded_bundle = statement["predicate"]["policy_bundle"]["files"]
    for name, digest in sorted(subjects(statement).items()):
        if name == POLICY_BUNDLE:
            actual = bundle_digest(bundle)
            if actual != digest:
                found.append(SubjectChange(name, digest, actual))
                for path in sorted(set(recorded_bundle) | set(bundle)):
                    if recorded_bundle.get(path) != bundle.get(path):
                        found.append(SubjectChange(path, str(recorded_bundle.get(path) or "absent"), bundle.get(path)))
            continue
        content = read(name)
        read_digest = sha256_bytes(content) if content is not None else None
        if read_digest != digest:
            found.append(SubjectChange(name, digest, read_digest))
    return found


def added_files(statement: dict[str, Any], present: Iterable[str], read: Reader) -> list[SubjectChange]:
    """Files of the memo's evidence folder that the record does not list (added since the decision)."""
    recorded = subjects(statement)
    found = []
    for path in sorted(set(present) - set(recorded)):
        content = read(path)
        if content is not None and not any(part.startswith(".") for part in PurePosixPath(path).parts):
            found.append(SubjectChange(path, "absent", sha256_bytes(content)))
    return found


def evidence_files_at_commit(root: Path, commit: str, memo_id: str) -> list[str]:
    listing = gitutil.git(
        root, "ls-tree", "-r", "-z", "--name-only", commit, "--", f"evidence/{memo_id}/", check=False
    ).stdout
    return [p for p in listing.split("\0") if p]


def violation_ids(document: dict[str, Any]) -> list[str]:
    return sorted(str(v.get("id")) for v in document.get("violations") or [] if isinstance(v, dict))


def decision_differences(recorded: dict[str, Any], today: dict[str, Any]) -> list[str]:
    """How today's decision differs from the recorded one: outcome and violation ids."""
    found = []
    if recorded.get("outcome") != today.get("outcome"):
        found.append(f"outcome: recorded {recorded.get('outcome')}, now {today.get('outcome')}")
    before, after = violation_ids(recorded), violation_ids(today)
    if before != after:
        gone = sorted(set(before) - set(after))
        new = sorted(set(after) - set(before))
        found.append(
            "violations: recorded ["
            + ", ".join(before)
            + "], now ["
            + ", ".join(after)
            + "]"
            + (f" (no longer: {', '.join(gone)})" if gone else "")
            + (f" (new: {', '.join(new)})" if new else "")
        )
    return found


def find_records(folder: Path) -> dict[str, Path]:
    """Memo id -> the record to check in a records folder (the signed one when both exist)."""
    found: dict[str, Path] = {}
    if not folder.is_dir():
        return found
    for path in sorted(folder.glob(f"*{STATEMENT_SUFFIX}")):
        found[path.name[: -len(STATEMENT_SUFFIX)]] = path
    for path in sorted(folder.glob(f"*{ENVELOPE_SUFFIX}")):
        found[path.name[: -len(ENVELOPE_SUFFIX)]] = path
    return found


def record_decisions(
    folder: Path,
    decided: Iterable[tuple[MemoFile, dict[str, Any], str | None]],
    root: Path,
    rules_root: Path,
    context: DecisionContext,
    signer: Any = None,
) -> list[Path]:
    """Write one record per (memo, decision document, decision id); the files written."""
    bundle = bundle_on_disk(rules_root)
    if not bundle:
        raise InputError(
            "no policy files to record", path=str(rules_root / "policies"), fix="run inside a decision repository"
        )
    read = disk_reader(root)
    written: list[Path] = []
    for memo, document, decision_id in decided:
        digests = {}
        for path in subject_paths(root, memo):
            content = read(path)
            if content is not None:  # a listed input that does not exist is already a denial
                digests[path] = sha256_bytes(content)
        statement = build_statement(memo, document, decision_id, digests, bundle, context)
        written += write_record(folder, memo.memo_id, statement, signer)
    return written


# -- the register's view ----------------------------------------------------------


@dataclass
class RegisterStatus:
    """What the register shows of a memo's record: checked against the working tree, not a commit."""

    state: str  # "verified", "changed" or "invalid"
    path: str
    detail: str = ""
    signed: bool = False
    decided_at: str = ""
    decision_id: str = ""
    base_commit: str = ""
    changed: list[SubjectChange] = field(default_factory=list)
    as_made: dict[str, Any] | None = None  # outcome and violation ids as recorded, when today's differ
    differences: list[str] = field(default_factory=list)


def register_status(path: Path, root: Path, rules_root: Path, today: dict[str, Any]) -> RegisterStatus:
    """Whether a record's subjects still match the files, and the decision as made when today's differs."""
    shown = path.name
    try:
        record = read_record(path)
    except InputError as exc:
        return RegisterStatus("invalid", shown, detail=exc.message)
    predicate = record.predicate
    status = RegisterStatus(
        "verified",
        shown,
        signed=record.signed,
        decided_at=str(predicate.get("decided_at") or ""),
        decision_id=str(predicate.get("decision_id") or ""),
        base_commit=str(predicate.get("base_commit") or ""),
    )
    status.changed = changed_subjects(record.statement, disk_reader(root), bundle_on_disk(rules_root))
    folder = root / "evidence" / str(predicate["memo"].get("id"))
    if folder.is_dir():
        present = [p.relative_to(root).as_posix() for p in folder.rglob("*") if p.is_file()]
        status.changed += added_files(record.statement, present, disk_reader(root))
    if status.changed:
        status.state = "changed"
    status.differences = decision_differences(predicate["decision"], today)
    if status.differences:
        status.as_made = {
            "outcome": predicate["decision"].get("outcome"),
            "violations": violation_ids(predicate["decision"]),
        }
    return status
