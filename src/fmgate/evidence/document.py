"""The evidence document: envelope, provenance, JSON Schema check and atomic write.

A notebook measures one evidence kind into an :class:`Evidence` value; this
module turns it into the JSON document of ``docs/policy-input.md``, records
where it came from (notebook and input sha256s, parameters, time, tool
versions), checks it against ``schemas/evidence/<kind>.schema.json`` and
writes it so that a reader never sees half a file.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import json
import math
import os
import platform
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import EngineError

if TYPE_CHECKING:
    from .validate import Outcome

# .io and .validate (pandas, pyarrow) are imported where used: fmgate.collect and its worker
# processes read documents without loading either.

#: Notebook parameters that say where to write, not what to measure: left out of provenance.
UNRECORDED_PARAMETERS = ("output_path", "verdict_context")
#: Packages whose versions each document records.
TOOLS = ("fmgate", "papermill", "great_expectations", "pandas", "pyarrow", "numpy")
SCHEMA_PREFIX = "urn:fmgate:schema:evidence:"


@dataclass(frozen=True)
class InputFile:
    """One input a measurement read: its memo evidence key and repository-relative path.

    ``rows`` and ``dates`` (first and last day) are what the reader saw, for
    the reviewer's table of inputs; left out, rows are counted from the file.
    """

    name: str
    path: str
    rows: int | None = None
    dates: tuple[str, str] | None = None
    reference: Mapping[str, Any] | None = None  # an input read in place (see fmgate.sources): no file to hash


def frame_facts(name: str, path: str | Path, frame: Any, date_column: str | None = None) -> InputFile:
    """An :class:`InputFile` with the rows of a loaded frame and the range of one of its date columns."""
    dates = None
    if date_column and date_column in frame.columns:
        values = sorted(str(v) for v in frame[date_column].dropna() if str(v).strip())
        dates = (values[0][:10], values[-1][:10]) if values else None
    return InputFile(name, str(path), rows=int(len(frame)), dates=dates)


def count_rows(path: Path) -> int | None:
    """Data rows in an input file: Parquet from its footer, CSV and JSON Lines by counting lines."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            import pyarrow.parquet as pq

            return int(pq.ParquetFile(path).metadata.num_rows)
        if suffix not in (".csv", ".jsonl"):
            return None
        lines, last = 0, b"\n"
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 22), b""):
                lines += chunk.count(b"\n")
                last = chunk[-1:]
        lines += last != b"\n"  # a last line without its newline
        return max(0, lines - 1) if suffix == ".csv" else lines
    except (OSError, ValueError):
        return None


def input_entry(item: InputFile, root: Path) -> dict[str, Any]:
    """What provenance records of one input: path, sha256, size, rows and date range."""
    from .io import sha256_file

    if item.reference is not None:
        entry: dict[str, Any] = {"name": item.name, "path": item.path, **item.reference, "rows": item.rows}
        if item.dates:
            entry["first_date"], entry["last_date"] = item.dates
        return entry
    path = root / item.path
    entry = {
        "name": item.name,
        "path": item.path,
        "sha256": sha256_file(path),
        "bytes": path.stat().st_size,
        "rows": item.rows if item.rows is not None else count_rows(path),
    }
    if item.dates:
        entry["first_date"], entry["last_date"] = item.dates
    return entry


@dataclass
class Evidence:
    """What a kind's ``evaluate`` returns: validation outcomes and measurements.

    ``data`` carries whatever the notebook's plot needs (frames, arrays); it is
    never written to the document.
    """

    kind: str
    inputs: list[InputFile]
    outcomes: list[Outcome]
    measurements: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        from .validate import is_valid

        return is_valid(self.outcomes) and not self.errors

    @property
    def validation(self) -> dict[str, Any]:
        from .validate import summarise

        return summarise(self.outcomes)

    def all_errors(self) -> list[str]:
        from .validate import error_messages

        return error_messages(self.outcomes) + list(self.errors)


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package.replace("_", "-"))
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def tool_versions() -> dict[str, str]:
    """Python and package versions, as recorded in provenance."""
    versions = {"python": platform.python_version()}
    versions.update({name: _version(name) for name in TOOLS})
    return versions


#: Files of the installed package that take part in measuring (code and templates, not caches).
CODE_SUFFIXES = (".py", ".j2", ".js", ".css")


@lru_cache(maxsize=1)
def code_identity() -> dict[str, str]:
    """The version and content digest of the installed fmgate package.

    The digest covers every source file of the package (path and bytes, in
    path order), so evidence records exactly which measuring code made it and
    is not reused once that code changes, whatever its version number says.
    """
    import hashlib

    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(
        p for p in package.rglob("*") if p.suffix in CODE_SUFFIXES and p.is_file() and "__pycache__" not in p.parts
    ):
        relative = path.relative_to(package).as_posix().encode()
        content = path.read_bytes()
        digest.update(len(relative).to_bytes(4, "big") + relative + len(content).to_bytes(8, "big") + content)
    return {"package": "fmgate", "version": _version("fmgate"), "sha256": digest.hexdigest()}


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def recorded_parameters(parameters: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters provenance records: everything but where the output goes, JSON-normalised."""
    kept = {k: v for k, v in parameters.items() if k not in UNRECORDED_PARAMETERS}
    return json.loads(json.dumps(jsonable(kept)))


def jsonable(value: Any) -> Any:
    """Plain JSON types: numpy scalars unwrapped, dates as ISO text, NaN refused."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, Path):
        return value.as_posix()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()  # numpy scalar
    if isinstance(value, float) and not math.isfinite(value):
        raise EngineError(
            f"a measurement is {value}, which JSON cannot hold",
            fix="report this: a measurement function produced a non-finite number",
        )
    return value


def build(
    evidence: Evidence,
    *,
    memo_id: str,
    notebook_path: str,
    parameters: Mapping[str, Any],
    root: str | Path = ".",
    generated_at: str | None = None,
) -> dict[str, Any]:
    """The evidence document for *evidence*, with provenance.

    Paths are recorded as given (repository-relative) and hashed relative to
    *root*. An invalid evidence value gets empty measurements: numbers
    computed from data that failed its checks would only mislead.
    """
    from .io import sha256_file

    root = Path(root)
    valid = evidence.valid
    inputs = [input_entry(i, root) for i in evidence.inputs]
    document = {
        "kind": evidence.kind,
        "memo_id": memo_id,
        "valid": valid,
        "errors": evidence.all_errors(),
        "validation": evidence.validation,
        "measurements": evidence.measurements if valid else {},
        "provenance": {
            "notebook": {"path": notebook_path, "sha256": sha256_file(root / notebook_path)},
            "inputs": inputs,
            "parameters": recorded_parameters(parameters),
            "generated_at": generated_at or utc_now(),
            "tools": tool_versions(),
            "code": code_identity(),
        },
    }
    return jsonable(document)


# --- schema ------------------------------------------------------------------------------------


def schema_dir(root: str | Path | None = None) -> Path:
    """``schemas/evidence`` of the repository at *root*, else of the fmgate source checkout."""
    candidates = []
    if root is not None:
        candidates.append(Path(root) / "schemas" / "evidence")
    candidates.append(Path(__file__).resolve().parents[3] / "schemas" / "evidence")
    for candidate in candidates:
        if (candidate / "envelope.schema.json").is_file():
            return candidate
    raise EngineError(
        "the evidence JSON Schemas were not found",
        path=str(candidates[0]),
        fix="restore schemas/evidence/ from the fmgate repository",
    )


@lru_cache(maxsize=8)
def _validators(directory: str) -> dict[str, Any]:
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    resources = []
    schemas: dict[str, Any] = {}
    for path in sorted(Path(directory).glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resources.append((schema["$id"], Resource.from_contents(schema)))
        schemas[path.name.removesuffix(".schema.json")] = schema
    registry = Registry().with_resources(resources)
    return {name: Draft202012Validator(schema, registry=registry) for name, schema in schemas.items()}


def check_schema(document: Mapping[str, Any], root: str | Path | None = None) -> None:
    """Raise EngineError when *document* does not meet its kind's JSON Schema."""
    validators = _validators(str(schema_dir(root)))
    kind = str(document.get("kind"))
    validator = validators.get(kind)
    if validator is None:
        raise EngineError(f"no JSON Schema for evidence kind {kind!r}", fix=f"add schemas/evidence/{kind}.schema.json")
    problems = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    if problems:
        first = problems[0]
        where = "/".join(str(p) for p in first.absolute_path) or "(document)"
        raise EngineError(
            f"evidence document breaks its schema at {where}: {first.message}"
            + (f" ({len(problems) - 1} more)" if len(problems) > 1 else ""),
            field=where,
            fix="this is a bug in the measurement code; report it",
        )


def write(document: Mapping[str, Any], path: str | Path, *, root: str | Path | None = None) -> Path:
    """Check *document* against its schema and write it atomically (temp file, fsync, rename)."""
    check_schema(document, root)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    handle = tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=target.parent, prefix=f".{target.name}.", suffix=".tmp", delete=False
    )
    try:
        with handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(handle.name, 0o644)  # a temp file starts private; evidence is meant to be shared
        os.replace(handle.name, target)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    return target


def read(path: str | Path) -> dict[str, Any] | None:
    """An existing evidence document, or None when absent or unreadable."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def summary_lines(document: Mapping[str, Any]) -> Sequence[str]:
    """A few lines for the notebook's output: valid or not, and why."""
    lines = [f"{document['kind']}: {'valid' if document['valid'] else 'NOT valid'}"]
    for error in document.get("errors", []):
        lines.append(f"  - {error}")
    for failed in document.get("validation", {}).get("failed", []):
        if failed.get("severity") == "warning":
            lines.append(f"  (warning) {failed.get('input')} {failed.get('column')}: {failed.get('details')}")
    return lines
