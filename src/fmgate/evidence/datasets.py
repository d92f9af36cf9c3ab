"""Datasets read in place: a folder or glob of Parquet (or CSV) files, local or in an object store.

:func:`locate` lists a dataset's files in path order and computes its
content digest (each file's relative path, size and SHA-256, see
:func:`fmgate.sources.digest.files_digest`). :func:`evaluate` measures a
``domain_data`` or ``corpus_manifest`` dataset with the engine its source
names: ``arrow`` streams the files in this process, ``spark`` hands them to
a Spark cluster (``spark.master`` in fmgate.yaml; ``local[*]`` runs Spark on
this machine). Both give the same evidence document.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from ..errors import InputError
from ..sources.digest import files_digest
from ..sources.reference import DATASET_SUFFIXES, Reference, SourceUnreachable
from .dates import resolve_as_of
from .document import Evidence, InputFile
from .inplace import pin_errors, reference_record

_CHUNK = 1 << 20
#: Files a dataset folder may hold beside its data, which are not part of it (Spark and Hadoop markers).
_IGNORED_PREFIXES = ("_", ".")


@dataclass(frozen=True)
class Located:
    """A dataset's files (paths or URIs, in path order) and its content digest."""

    files: list[str]
    digest: str


def _filesystem(location: str) -> tuple[Any, str]:
    import pyarrow.fs as pafs

    if "://" in location:
        try:
            return pafs.FileSystem.from_uri(location)
        except Exception as exc:  # pyarrow raises several types for an unsupported or unreachable store
            raise SourceUnreachable(
                f"the object store of {location!r} cannot be opened here: {exc}",
                fix="check the URI scheme is one pyarrow supports and the store's credentials in the environment",
            ) from None
    return pafs.LocalFileSystem(), location


def _split(path: str) -> tuple[str, str | None]:
    """(the folder part before the first wildcard, the pattern below it or None)."""
    parts = PurePosixPath(path).parts
    for index, part in enumerate(parts):
        if any(ch in part for ch in "*?["):
            base = str(PurePosixPath(*parts[:index])) if index else "."
            return base, str(PurePosixPath(*parts[index:]))
    return path, None


def _sha256(filesystem: Any, path: str) -> str:
    digest = hashlib.sha256()
    with filesystem.open_input_stream(path) as handle:
        while block := handle.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def locate(reference: Reference) -> Located:
    """The files of *reference*'s dataset, in path order, and their digest."""
    import pyarrow.fs as pafs

    location = str(reference.location)
    filesystem, path = _filesystem(location)
    base, pattern = _split(path)
    where = f"evidence.{reference.input}.dataset"
    info = filesystem.get_file_info(base)
    if info.type == pafs.FileType.NotFound:
        error = SourceUnreachable if reference.source and pattern is None and "://" in location else InputError
        raise error(
            f"{reference.label}: {base!r} does not exist",
            field=where,
            fix="check the dataset path below its source's root (and that the storage is mounted here)",
        )
    if info.type == pafs.FileType.File:
        entries = [(info.path, info.size)]
        base = str(PurePosixPath(info.path).parent)
    else:
        selector = pafs.FileSelector(base, recursive=True)
        entries = []
        for item in filesystem.get_file_info(selector):
            if item.type != pafs.FileType.File:
                continue
            relative = PurePosixPath(item.path).relative_to(PurePosixPath(info.path)).as_posix()
            if any(part.startswith(_IGNORED_PREFIXES) for part in PurePosixPath(relative).parts):
                continue
            if pattern is not None and not fnmatch.fnmatchcase(relative, pattern):
                continue
            if pattern is None and PurePosixPath(relative).suffix.lower() not in DATASET_SUFFIXES:
                continue
            entries.append((item.path, item.size))
    entries.sort()
    if not entries:
        raise InputError(
            f"{reference.label} names no files", field=where, fix="check the folder or glob, and that it holds the data"
        )
    suffixes = {PurePosixPath(p).suffix.lower() for p, _ in entries}
    if len(suffixes) != 1 or next(iter(suffixes)) not in DATASET_SUFFIXES:
        raise InputError(
            f"{reference.label} mixes or holds files that are not data ({', '.join(sorted(suffixes))})",
            field=where,
            fix=f"keep the dataset to files of one format, {' or '.join(DATASET_SUFFIXES)}",
        )
    root = str(PurePosixPath(info.path)) if info.type != pafs.FileType.File else base
    digest = files_digest(
        (PurePosixPath(p).relative_to(PurePosixPath(root)).as_posix(), int(size or 0), _sha256(filesystem, p))
        for p, size in entries
    )
    scheme = location.split("://", 1)[0] + "://" if "://" in location else ""
    return Located([scheme + p if scheme and not p.startswith(scheme) else p for p, _ in entries], digest)


def evaluate(
    kind: str,
    reference_json: Mapping[str, Any],
    *,
    batch_size: int,
    sample_rows: int,
    as_of: str | dt.date | None = None,
) -> Evidence:
    """Measure a ``domain_data`` or ``corpus_manifest`` dataset read in place, with its source's engine."""
    reference = Reference.from_json(reference_json)
    day = resolve_as_of(as_of)
    located = locate(reference)
    if reference.engine == "spark":
        from . import spark_scan

        outcomes, measurements = spark_scan.scan(
            kind,
            located.files,
            master=reference.master or "local[*]",
            sample_rows=sample_rows,
            as_of=day,
            columns=reference.columns or None,
        )
    else:
        if any(k != v for k, v in reference.columns.items()):
            raise InputError(
                "columns can rename a dataset's columns only on a Spark source",
                field=f"evidence.{reference.input}.columns",
                fix="name the columns in the files as fmgate does, or read the dataset through a Spark source",
            )
        if any("://" in f for f in located.files):
            raise InputError(
                f"{reference.label} is in an object store, which the arrow engine does not read",
                field=f"evidence.{reference.input}.source",
                fix="read it through a dataset source with engine: spark",
            )
        from . import corpus, domain

        scan = domain.scan if kind == "domain_data" else corpus.scan
        outcomes, measurements = scan(located.files, batch_size=batch_size, sample_rows=sample_rows, as_of=day)
    rows = measurements.get("rows_total", measurements.get("shards"))
    record = reference_record(reference, located.digest, reference.engine) | {"files": len(located.files)}
    facts = InputFile(kind, reference.label, rows=rows, reference=record)
    evidence = Evidence(kind, [facts], outcomes, errors=pin_errors(reference, located.digest))
    if evidence.valid:
        evidence.measurements = measurements
    return evidence


def files_of(value: Any) -> list[str]:
    """The files a domain_data input names: the path itself, or a dataset reference's files."""
    from ..sources.reference import is_reference

    if is_reference(value):
        return locate(Reference.from_json(value)).files
    return [str(value)]
