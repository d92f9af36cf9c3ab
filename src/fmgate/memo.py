"""The decision memo: Markdown with YAML front matter, parsed into a typed model.

The model checks types and vocabularies (a wrong type or unknown verb is bad
input, exit 2). Whether a memo is *complete* is the policies' call: fields the
policies require are optional here, so a memo missing them reaches OPA and is
denied with MEMO-FIELDS and friends instead of failing to load.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import InputError
from .safe_yaml import load_yaml, read_bounded_text

MAX_MEMO_BYTES = 512 * 1024

Verb = Literal["buy", "fine-tune", "build"]
Status = Literal["proposed", "approved", "rejected", "superseded", "retired"]
WorkloadShape = Literal[
    "standard",
    "realtime-speech-to-text-commodity-hardware",
    "embedding-generation-extreme-scale",
]
RationaleTag = Literal[
    "cost",
    "quality",
    "latency",
    "domain",
    "compliance",
    "data-residency",
    "vendor-independence",
    "moat",
    "investor-narrative",
    "own-model",
    "existing-data",
]
GateName = Literal["cost_at_scale", "domain_expertise", "build"]
EvidenceKind = Literal[
    "eval_set",
    "prompting_log",
    "usage_log",
    "task_changes",
    "head_to_head",
    "cost_model",
    "domain_data",
    "corpus_manifest",
]
MEMO_ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


class _Part(BaseModel):
    model_config = ConfigDict(extra="allow")


class Proposer(_Part):
    team: str | None = None
    type: Literal["in-house", "agency"] | None = None
    person: str | None = Field(default=None, description="who wrote the memo; their own approval does not count")


class BuyAlternative(_Part):
    provider: str | None = None
    model: str | None = None
    deployment: Literal["public-api", "vpc", "self-hosted"] | None = None


class Dimensions(_Part):
    criticality: Literal["core", "supportive"] | None = None
    workflow_complexity: Literal["simple", "complex"] | None = None
    control_need: Literal["low", "high"] | None = None


class Candidates(_Part):
    model_config = ConfigDict(extra="allow", populate_by_name=True)
    buy: str | None = None
    fine_tune: str | None = Field(default=None, alias="fine-tune")
    build: str | None = None


class Domain(_Part):
    expected_retraining_interval_days: int | None = Field(default=None, ge=0)


class BuildPlan(_Part):
    committed_capital_usd: float | None = Field(default=None, ge=0)
    payback_months_accepted: float | None = Field(default=None, ge=0)
    model_is_product: bool | None = None
    rejected_fine_tune: str | None = None


#: Evidence kinds a SQL table or query may stand for, and kinds a Parquet/CSV dataset may.
SQL_KINDS = ("usage_log", "task_changes")
DATASET_KINDS = ("domain_data", "corpus_manifest")
DIGEST_PATTERN = r"^sha256:[0-9a-f]{64}$"


class Pin(_Part):
    """What fixes the content of an input that is not in git.

    ``digest`` is the content digest fmgate computes in the engine (``fmgate
    collect`` reports it); ``as_of`` keeps the rows whose ``column`` is at or
    before that instant (an append-only table read as it was); ``snapshot``
    is bound as ``:snapshot`` in a query, or fills ``{snapshot}`` in a
    dataset path. A digest may be given beside either of the others.
    """

    digest: str | None = Field(default=None, pattern=DIGEST_PATTERN)
    as_of: dt.datetime | None = None
    column: str | None = Field(default=None, description="the source column as_of is compared with")
    snapshot: str | None = Field(default=None, min_length=1, max_length=200)


class EvidenceRef(_Part):
    """An evidence input: a file in the repository (``path``), or data where it lives.

    A reference names a ``source`` from fmgate.yaml and either a ``table`` or
    ``query`` (SQL sources) or a ``dataset`` (a folder or glob under a
    dataset source's root); ``columns`` maps fmgate's column names to the
    source's, and ``pin`` fixes the content. Credentials are never written
    here: fmgate.yaml names the environment variable that holds them.
    """

    path: str | None = None
    sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    source: str | None = None
    table: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")
    query: str | None = Field(default=None, min_length=1, max_length=20_000)
    dataset: str | None = Field(default=None, min_length=1, max_length=1000)
    columns: dict[str, str] | None = None
    pin: Pin | None = None

    @model_validator(mode="after")
    def _one_kind_of_input(self) -> EvidenceRef:
        named = [k for k in ("path", "table", "query", "dataset") if getattr(self, k) is not None]
        if len(named) != 1:
            raise ValueError(
                "give exactly one of path (a file in the repository), table or query (with a SQL source) "
                f"or dataset; found {', '.join(named) or 'none'}"
            )
        if self.path is None and self.source is None and self.dataset is None:
            raise ValueError("a table or query needs a source: the name of a SQL source in fmgate.yaml")
        if self.path is not None and (self.source or self.columns or self.pin):
            raise ValueError("source, columns and pin belong to inputs read in place, not to a path")
        return self

    @property
    def is_reference(self) -> bool:
        return self.path is None

    @property
    def label(self) -> str:
        """How the input is named in messages and provenance."""
        if self.path is not None:
            return self.path
        what = self.table or self.dataset or "query"
        return f"{self.source}:{what}" if self.source else str(what)


class Memo(BaseModel):
    """Front matter of a decision memo (see the memo spec for each field's meaning)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, title="fmgate decision memo")

    id: str | None = Field(default=None, pattern=MEMO_ID_PATTERN)
    title: str | None = None
    workload: str | None = None
    workload_shape: WorkloadShape | None = None
    decision: Verb | None = None
    status: Status | None = None
    date: dt.date | None = None
    owner: str | list[str] | None = None
    proposer: Proposer | None = None
    reviewers: list[str] | None = Field(
        default=None,
        description="The senior reviewers asked to review: requests, never approvals. In CI only "
        "the pull request's approvals of its head commit count for MEMO-REVIEW.",
    )
    engineering_started: dt.date | None = None
    supersedes: str | None = None
    buy_alternative: BuyAlternative | None = None
    dimensions: Dimensions | None = None
    candidates: Candidates | None = None
    rationale_tags: list[RationaleTag] | None = None
    gates_claimed: list[GateName] | None = None
    domain: Domain | None = None
    build: BuildPlan | None = None
    evidence: dict[EvidenceKind, EvidenceRef] | None = None

    @field_validator("evidence", mode="before")
    @classmethod
    def _paths_may_be_plain_strings(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: ({"path": v} if isinstance(v, str) else v) for k, v in value.items()}
        return value

    @field_validator("evidence")
    @classmethod
    def _references_fit_their_kind(cls, value: dict[str, EvidenceRef] | None) -> dict[str, EvidenceRef] | None:
        for kind, ref in (value or {}).items():
            if (ref.table or ref.query) and kind not in SQL_KINDS:
                raise ValueError(f"{kind} cannot be read from a SQL source; only {', '.join(SQL_KINDS)} can")
            if ref.dataset and kind not in DATASET_KINDS:
                raise ValueError(f"{kind} cannot be read as a dataset; only {', '.join(DATASET_KINDS)} can")
        return value


@dataclass(frozen=True)
class MemoFile:
    """A parsed memo: where it is, its model, its raw front matter and its body."""

    path: Path
    relpath: str
    memo: Memo
    front_matter: dict[str, Any]
    body: str
    lines: dict[str, int] = field(default_factory=dict)

    @property
    def memo_id(self) -> str:
        return self.memo.id or self.path.stem

    def policy_view(self) -> dict[str, Any]:
        """The memo as the policies see it: JSON types, dates as ISO strings."""
        view = self.memo.model_dump(mode="json", by_alias=True, exclude_none=True)
        # keep explicit nulls the author wrote (engineering_started: null is information)
        for key, value in self.front_matter.items():
            if value is None and key not in view:
                view[key] = None
        view["path"] = self.relpath
        return view


def split_front_matter(text: str, *, path: str) -> tuple[str, str, int]:
    """Return (front matter, body, line of the first front-matter line)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise InputError(
            "memo does not start with a '---' line opening its YAML front matter",
            path=path,
            line=1,
            fix="begin the file with '---', the front matter, then '---'",
        )
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return "".join(lines[1:index]), "".join(lines[index + 1 :]), 1
    raise InputError(
        "the front matter is never closed", path=path, fix="add a line with '---' after the last front-matter field"
    )


def _describe(error: dict[str, Any]) -> tuple[str, str]:
    loc = ".".join(str(part) for part in error.get("loc", ()))
    expected = error.get("msg", "invalid value")
    if error.get("type") == "literal_error":
        expected = expected.replace("Input should be", "expected one of")
    if error.get("type") == "string_type" and isinstance(error.get("input"), bool):
        # YAML reads bare yes/no/on/off as booleans; authors mean the words.
        expected += " (YAML read a bare yes/no/on/off as true/false: put the text in quotes)"
    return loc, expected


def parse_memo(text: str, *, path: Path, relpath: str) -> MemoFile:
    """Parse memo text; raise InputError naming the file, line and field on bad input."""
    shown = relpath
    if len(text.encode("utf-8")) > MAX_MEMO_BYTES:
        raise InputError(
            f"memo is larger than {MAX_MEMO_BYTES} bytes",
            path=shown,
            fix="keep the memo to its argument; put data in evidence inputs",
        )
    front, body, offset = split_front_matter(text, path=shown)
    # the front matter becomes JSON for the policies: binary values and .inf/.nan are bad input here
    data, lines = load_yaml(front, path=shown, line_offset=offset, json_values=True)
    if not isinstance(data, dict):
        raise InputError(
            "front matter must be a mapping of fields",
            path=shown,
            line=2,
            fix="write 'field: value' lines between the '---' markers",
        )
    for key in data:
        if not isinstance(key, str):
            raise InputError(
                f"field names must be text; YAML read {key!r} as a {type(key).__name__}",
                path=shown,
                field=str(key),
                line=lines.get(str(key)),
                fix="put the field name in quotes, or correct it",
            )
    try:
        memo = Memo.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc, expected = _describe(dict(first))
        top = loc.split(".")[0] if loc else None
        more = len(exc.errors()) - 1
        suffix = f" ({more} more problem{'s' if more != 1 else ''} after this one)" if more else ""
        got = repr(first.get("input"))
        got = got if len(got) <= 200 else got[:197] + "..."
        raise InputError(
            f"{expected}; got {got}{suffix}",
            path=shown,
            field=loc or None,
            line=lines.get(top or ""),
            fix="see schemas/memo.schema.json for the allowed values",
        ) from None
    return MemoFile(path=path, relpath=relpath, memo=memo, front_matter=data, body=body, lines=lines)


def load_memo(path: Path, repo_root: Path) -> MemoFile:
    """Read and parse the memo at *path* (inside *repo_root*)."""
    path = Path(path)
    try:
        relpath = path.resolve().relative_to(repo_root.resolve()).as_posix()
    except ValueError:
        relpath = str(path)
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop (Python 3.11)
        reason = getattr(exc, "strerror", None) or "it is a symbolic link that leads back to itself"
        raise InputError(
            f"cannot be read: {reason}",
            path=str(path),
            fix="replace the link with the memo file, or make the file readable",
        ) from None
    if path.is_dir():
        raise InputError("is a directory, not a memo", path=str(path), fix="name a .md file")
    # bounded read: an oversized file is refused without loading it
    text = read_bounded_text(
        str(path),
        shown=relpath if path.exists() else str(path),
        max_bytes=MAX_MEMO_BYTES,
        too_big_fix="keep the memo to its argument; put data in evidence inputs",
    )
    return parse_memo(text, path=path, relpath=relpath)
