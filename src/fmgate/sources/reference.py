"""A memo's evidence reference, resolved against the trusted settings.

The memo says *which* source and *what* in it (table, query or dataset,
columns, pin); fmgate.yaml, which comes from the base commit in CI, says
*where* the source is and how to reach it. :func:`resolve` joins the two
and refuses what the settings do not allow (an unknown source, a table not
on the source's list, a query where queries are not allowed, a path that
leaves the repository), before any notebook starts. The result is plain
JSON, passed to the notebook as its input parameter and recorded in
provenance: it names the environment variable that holds credentials,
never its value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import EngineError, InputError

#: fmgate's data formats a dataset's files may have.
DATASET_SUFFIXES = (".parquet", ".csv")


class SourceUnreachable(EngineError):
    """A source named in fmgate.yaml cannot be reached from here (exit 3: never an approval)."""


@dataclass(frozen=True)
class Reference:
    """One input read in place: everything the kernel needs, and nothing secret."""

    input: str
    kind: str  # sql | dataset
    label: str
    source: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    pin: dict[str, Any] = field(default_factory=dict)
    url_env: str | None = None
    url: str | None = None
    table: str | None = None
    query: str | None = None
    location: str | None = None
    engine: str = "arrow"
    master: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, {}, "")}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Reference:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def source_column(self, name: str) -> str:
        """The source's name for fmgate's column *name*."""
        return self.columns.get(name, name)


def is_reference(value: Any) -> bool:
    """True for a notebook input parameter that is a reference rather than a file path."""
    return isinstance(value, Mapping) and "kind" in value and "input" in value


def _pin_json(pin: Any) -> dict[str, Any]:
    if pin is None:
        return {}
    data = pin.model_dump(mode="json", exclude_none=True)
    as_of = getattr(pin, "as_of", None)
    if isinstance(as_of, dt.datetime):
        # one spelling of the instant, so that the recorded pin compares equal however it was written
        stamp = as_of if as_of.tzinfo else as_of.replace(tzinfo=dt.UTC)
        data["as_of"] = stamp.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    return data


def resolve(key: str, ref: Any, config: Any, repo_root: Path, memo_rel: str) -> Reference:
    """The :class:`Reference` for memo evidence *key* (an :class:`~fmgate.memo.EvidenceRef` read in place)."""
    field_name = f"evidence.{key}"

    def bad(message: str, fix: str, where: str = "") -> InputError:
        return InputError(message, path=memo_rel, field=f"{field_name}.{where}" if where else field_name, fix=fix)

    sources = config.settings.sources
    pin = _pin_json(ref.pin)  # none yet: the evidence is made, invalid, and names the digest to pin
    if ref.source is not None and ref.source not in sources:
        known = ", ".join(sorted(sources)) or "none are configured"
        raise bad(f"source {ref.source!r} is not in fmgate.yaml ({known})", "name a source from fmgate.yaml", "source")
    settings = sources.get(ref.source) if ref.source else None
    columns = dict(ref.columns or {})
    if ref.table is not None or ref.query is not None:
        assert settings is not None  # the memo model requires a source for a table or query
        if settings.kind != "sql":
            raise bad(f"source {ref.source!r} is a {settings.kind} source, not SQL", "name a SQL source", "source")
        if ref.table is not None and settings.tables is not None and ref.table not in settings.tables:
            raise bad(
                f"table {ref.table!r} is not one fmgate.yaml lets memos read from {ref.source!r}",
                f"use one of {', '.join(settings.tables)}, or ask the owners of fmgate.yaml to add it",
                "table",
            )
        if ref.query is not None:
            if not settings.queries:
                raise bad(
                    f"source {ref.source!r} does not accept queries from memos",
                    "name a table instead, or ask the owners of fmgate.yaml to set queries: true",
                    "query",
                )
            if ";" in ref.query:
                raise bad("a query is one SELECT statement, without ';'", "remove the ';'", "query")
        if pin.get("as_of") and not pin.get("column"):
            raise bad(
                "pin.as_of needs pin.column: the source column that dates each row's arrival",
                "add pin.column",
                "pin",
            )
        if pin.get("snapshot") and ref.query is None:
            raise bad("pin.snapshot is bound as :snapshot in a query", "use a query, or pin by digest", "pin")
        return Reference(
            input=key,
            kind="sql",
            label=ref.label,
            source=ref.source,
            columns=columns,
            pin=pin,
            url_env=settings.url_env,
            url=settings.url,
            table=ref.table,
            query=ref.query,
        )
    # a dataset: under a dataset source's root, or inside the repository
    if pin.get("as_of"):
        raise bad(
            "a dataset cannot be pinned by as_of", "pin it by digest, or by snapshot ({snapshot} in its path)", "pin"
        )
    pattern = str(ref.dataset)
    if "{snapshot}" in pattern:
        if not pin.get("snapshot"):
            raise bad("the dataset path has {snapshot} but the pin gives none", "add pin.snapshot", "pin")
        pattern = pattern.replace("{snapshot}", str(pin["snapshot"]))
    if PurePosixPath(pattern).is_absolute() or "://" in pattern or ".." in PurePosixPath(pattern).parts:
        raise bad(
            f"dataset {ref.dataset!r} must be relative to its source's root (or to the repository)",
            "write the path below the root, without '..'",
            "dataset",
        )
    engine = "arrow"
    if settings is not None:
        if settings.kind != "dataset":
            raise bad(f"source {ref.source!r} is a SQL source, not a dataset source", "name a dataset source", "source")
        root = str(settings.root)
        location = f"{root.rstrip('/')}/{pattern}"
        engine = settings.engine
    else:
        location = pattern
    return Reference(
        input=key,
        kind="dataset",
        label=ref.label,
        source=ref.source,
        columns=columns,
        pin=pin,
        location=location,
        engine=engine,
        master=config.settings.spark.master if engine == "spark" else None,
    )


def local_paths(reference: Reference) -> list[str]:
    """Repository-relative paths the kernel must see for *reference* (an embedded database file)."""
    if reference.kind == "sql" and reference.url and reference.url.startswith("sqlite:///"):
        path = reference.url.removeprefix("sqlite:///").split("?", 1)[0]
        if path and not path.startswith("/"):
            return [path]
    if reference.kind == "dataset" and reference.location and not _is_remote(reference.location):
        if not Path(reference.location).is_absolute():
            return [_fixed_prefix(reference.location)]
    return []


def _is_remote(location: str) -> bool:
    return "://" in location


def _fixed_prefix(pattern: str) -> str:
    """The folder part of a glob before its first wildcard (the whole path when there is none)."""
    parts = PurePosixPath(pattern).parts
    fixed: list[str] = []
    for part in parts:
        if any(ch in part for ch in "*?["):
            break
        fixed.append(part)
    return str(PurePosixPath(*fixed)) if fixed else "."
