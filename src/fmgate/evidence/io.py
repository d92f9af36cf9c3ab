"""Reading evidence input files: CSV, JSON Lines or Parquet, chosen by extension.

Every failure a proposer can fix (a missing or empty file, bytes that are not
UTF-8, missing columns, a file too large to load) becomes an
:class:`~fmgate.errors.InputError` that names the file, the column when there
is one, and what to do about it.

A file with no rows is read only for the kinds where zero rows is a meaningful
answer (``InputSpec.empty_ok``: task_changes, where no change means a stable
task), and only when it states its columns (a CSV header row, a Parquet
schema). Every other empty input is refused with the reason zero rows cannot
be evidence of its kind (:func:`no_rows_error`).

Small inputs are loaded whole (:func:`read_table`) and refused above a size
limit. ``domain_data`` and ``corpus_manifest`` are streamed in record batches
(:func:`iter_batches`) and have no size limit.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import json
import os
import queue
import threading
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from ..errors import InputError
from ..safe_yaml import load_yaml
from .document import InputFile
from .specs import InputSpec

#: Inputs loaded whole are refused above this size (bytes); streamed kinds have no limit.
DEFAULT_MAX_BYTES = 256 * 1024 * 1024
#: YAML inputs (the cost model) are small by nature.
MAX_YAML_BYTES = 1024 * 1024

FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}

_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}

_ARROW_TYPES = {
    "string": pa.string(),
    "text": pa.string(),
    "date": pa.string(),
    "datetime": pa.string(),
    "int": pa.int64(),
    "number": pa.float64(),
    "bool": pa.bool_(),
}


def sha256_file(path: str | Path) -> str:
    """The sha256 of a file's bytes, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_format(path: str | Path) -> str:
    """``csv``, ``jsonl`` or ``parquet`` from the file name; anything else is bad input."""
    suffix = Path(path).suffix.lower()
    try:
        return FORMATS[suffix]
    except KeyError:
        raise InputError(
            f"unsupported file type {suffix or '(no extension)'!r}",
            path=str(path),
            fix="save the input as .csv, .jsonl or .parquet",
        ) from None


def no_rows_error(path: str | Path, spec: InputSpec, found: str) -> InputError:
    """The error for a *spec* input that holds no rows; *found* says what the file holds instead.

    For a kind where zero rows cannot be evidence the message gives the reason
    (``spec.no_rows``). For a kind where it can (``spec.empty_ok``) this is only
    reached for a file that does not state its columns, and the message says
    why that is not read as zero rows.
    """
    if spec.empty_ok:
        return InputError(
            f"file {found}, so it cannot stand for zero rows ({spec.no_rows}): an export that failed looks the same",
            path=str(path),
            fix=spec.no_rows_fix,
        )
    return InputError(
        f"file {found}, and zero rows cannot be evidence: {spec.no_rows}", path=str(path), fix=spec.no_rows_fix
    )


def check_file(
    path: str | Path, *, max_bytes: int | None = None, what: str = "input", spec: InputSpec | None = None
) -> int:
    """Refuse a missing, unreadable, empty or (when *max_bytes* is given) oversized file.

    With *spec*, an empty file is refused with the reason zero rows cannot be
    evidence of that kind (:func:`no_rows_error`). Returns the size in bytes.
    """
    p = Path(path)
    if not p.exists():
        raise InputError(
            f"{what} file not found",
            path=str(path),
            fix="check the path in the memo's evidence section (relative to the repository root)",
        )
    if not p.is_file():
        raise InputError(
            f"{what} path is not a regular file",
            path=str(path),
            fix="point the memo's evidence entry at a file, not a folder",
        )
    size = p.stat().st_size
    if size == 0:
        if spec is not None:
            raise no_rows_error(path, spec, "is empty (no bytes)")
        raise InputError(f"{what} file is empty", path=str(path), fix="export the data again; the file has no bytes")
    if max_bytes is not None and size > max_bytes:
        raise InputError(
            f"{what} file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit for inputs "
            "that are loaded whole",
            path=str(path),
            fix="aggregate the rows (for example one row per day) or trim the file; the limit "
            "protects the notebook from running out of memory",
        )
    return size


def check_utf8(path: str | Path) -> None:
    """Refuse a text file that is not UTF-8, naming the line and byte of the first bad byte."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    offset = 0
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                bad = offset + exc.start
                line += chunk[: exc.start].count(b"\n")
                raise InputError(
                    f"file is not UTF-8 text (byte {bad}, line {line}, is {chunk[exc.start]:#04x})",
                    path=str(path),
                    line=line,
                    fix="re-save or re-export the file as UTF-8",
                ) from None
            line += chunk.count(b"\n")
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise InputError(
                "file is not UTF-8 text (it ends inside a multi-byte character)",
                path=str(path),
                fix="re-save or re-export the file as UTF-8",
            ) from None


def check_columns(found: list[str], spec: InputSpec, path: str | Path) -> None:
    """Refuse a file that lacks a required column; suggest a near miss in spelling or case."""
    present = set(found)
    missing = [name for name in spec.required if name not in present]
    if not missing:
        return
    lowered = {name.strip().lower(): name for name in found}
    hints = [f"'{lowered[m]}' should be '{m}'" for m in missing if m in lowered]
    hint = f" ({'; '.join(hints)}: names are case-sensitive)" if hints else ""
    shown = ", ".join(repr(c) for c in found[:12]) + (" ..." if len(found) > 12 else "")
    raise InputError(
        f"missing required column{'s' if len(missing) > 1 else ''} {', '.join(repr(m) for m in missing)}; "
        f"the file has {shown or 'no columns'}{hint}",
        path=str(path),
        field=missing[0],
        fix=f"a {spec.name} file has one row per {spec.row} with columns {', '.join(spec.required)}",
    )


def _coerce_bool(series: pd.Series) -> pd.Series:
    """Map true/false spellings to booleans when every value is one; otherwise leave as is."""
    if series.dtype == bool:
        return series
    values = series.dropna()
    words = values.map(lambda v: str(v).strip().lower())
    if not words.isin(_TRUE | _FALSE).all():
        return series  # the type expectation will name the odd values
    return series.map(lambda v: v if pd.isna(v) else str(v).strip().lower() in _TRUE).astype(object)


def _coerce_int(series: pd.Series) -> pd.Series:
    """Whole numbers stored as floats (a blank cell turns a CSV column into floats) become Int64."""
    if pd.api.types.is_float_dtype(series.dtype):
        values = series.dropna()
        if len(values) and (values == values.round()).all() and values.abs().max() < 2**53:
            return series.astype("Int64")
    return series


def _as_text(series: pd.Series) -> pd.Series:
    """Text column: keep nulls, turn everything else into str (ids written as numbers included)."""

    def convert(v: Any) -> Any:
        if v is None or (isinstance(v, float) and pd.isna(v)):
            return None
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v)

    return series.map(convert).astype("str")


def _read_csv(path: Path, spec: InputSpec) -> pd.DataFrame:
    text_columns = {c.name: "str" for c in spec.columns if c.read_as_text}
    try:
        with warnings.catch_warnings():
            # pandas only warns when every row has more values than the header: make it an error.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            return pd.read_csv(
                path,
                dtype=text_columns,
                keep_default_na=False,
                na_values=[""],
                encoding="utf-8",
                index_col=False,
                on_bad_lines="error",
            )
    except pd.errors.ParserWarning:
        raise InputError(
            "CSV cannot be parsed: rows have more values than the header has columns",
            path=str(path),
            fix="quote fields that contain commas, and keep one value per header column on every row",
        ) from None
    except pd.errors.EmptyDataError:
        raise no_rows_error(path, spec, "has no header row and no data") from None
    except pd.errors.ParserError as exc:
        raise InputError(
            f"CSV cannot be parsed: {str(exc).strip()}",
            path=str(path),
            fix="quote fields that contain commas or line breaks, and keep one value per header column on every row",
        ) from None


def _read_jsonl(path: Path, spec: InputSpec) -> pd.DataFrame:
    records: list[dict[str, Any]] = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(
                    f"line is not valid JSON: {exc.msg} (column {exc.colno})",
                    path=str(path),
                    line=number,
                    fix="write one JSON object per line (JSON Lines)",
                ) from None
            if not isinstance(record, dict):
                raise InputError(
                    f"line holds a JSON {type(record).__name__}, not an object",
                    path=str(path),
                    line=number,
                    fix="write one JSON object per line, with the columns as keys",
                )
            records.append(record)
    if not records:
        raise no_rows_error(path, spec, "has no records (only blank lines)")
    found: list[str] = []
    seen: set[str] = set()
    for record in records:
        for key in record:
            if key not in seen:
                seen.add(key)
                found.append(key)
    check_columns(found, spec, path)
    return pd.DataFrame.from_records(records, columns=found)


def _read_parquet(path: Path, spec: InputSpec) -> pd.DataFrame:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(
            f"Parquet file cannot be read: {exc}",
            path=str(path),
            fix="write the file again with a Parquet writer (pyarrow, pandas, Spark)",
        ) from None
    return table.to_pandas()


#: pandas dtypes of an input read with no rows, per column type (nothing to infer them from).
_EMPTY_DTYPES = {"int": "Int64", "number": "float64", "bool": "bool"}


def read_table(path: str | Path, spec: InputSpec, *, max_bytes: int = DEFAULT_MAX_BYTES) -> pd.DataFrame:
    """Load a small tabular input whole, as a DataFrame with the spec's text columns as str.

    Required columns are checked; extra columns are kept. Values are not
    validated here beyond what reading needs: that is the expectation suite's job.

    A file with its columns and no rows is read only when the spec says zero
    rows is meaningful (``empty_ok``); its columns then have the spec's types.
    Otherwise it is refused with the reason (see :func:`no_rows_error`).
    """
    p = Path(path)
    fmt = file_format(p)
    check_file(p, max_bytes=max_bytes, what=spec.name, spec=spec)
    if fmt != "parquet":
        check_utf8(p)
    frame = {"csv": _read_csv, "jsonl": _read_jsonl, "parquet": _read_parquet}[fmt](p, spec)
    check_columns([str(c) for c in frame.columns], spec, p)
    if len(frame) == 0:
        if not spec.empty_ok:
            raise no_rows_error(path, spec, "has a header but no rows" if fmt == "csv" else "has columns but no rows")
        for col in spec.columns:
            if col.name in frame.columns and col.type in _EMPTY_DTYPES:
                frame[col.name] = frame[col.name].astype(_EMPTY_DTYPES[col.type])
    for col in spec.columns:
        if col.name not in frame.columns:
            continue
        if col.read_as_text:
            frame[col.name] = _as_text(frame[col.name])
        elif col.type == "bool":
            frame[col.name] = _coerce_bool(frame[col.name])
        elif col.type == "int":
            frame[col.name] = _coerce_int(frame[col.name])
    return frame


def read_yaml(path: str | Path, *, what: str, max_bytes: int = MAX_YAML_BYTES) -> Any:
    """Load a YAML input (plain data only; no tags, anchors or aliases)."""
    p = Path(path)
    if p.suffix.lower() not in (".yaml", ".yml"):
        raise InputError(
            f"unsupported file type {p.suffix or '(no extension)'!r} for {what}",
            path=str(path),
            fix="write the cost model as a .yaml file",
        )
    check_file(p, max_bytes=max_bytes, what=what)
    check_utf8(p)
    data, _ = load_yaml(p.read_text(encoding="utf-8"), path=str(path), max_bytes=max_bytes)
    return data


# --- streaming --------------------------------------------------------------------------


def _csv_header(path: Path) -> list[str]:
    with open(path, encoding="utf-8", newline="") as handle:
        try:
            first = next(csv.reader(handle))
        except StopIteration:
            first = []
        except UnicodeDecodeError:
            raise InputError(
                "file is not UTF-8 text (in the header row)",
                path=str(path),
                fix="re-save or re-export the file as UTF-8",
            ) from None
    return [name.lstrip("\ufeff") if i == 0 else name for i, name in enumerate(first)]


def _arrow_error(exc: Exception, path: Path, spec: InputSpec, columns: list[str]) -> InputError:
    """Translate a reader error from Arrow into words a proposer can act on."""
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if "UTF8" in message or "UTF-8" in message or "utf8" in message:
        return InputError(
            f"file is not UTF-8 text ({message})", path=str(path), fix="re-save or re-export the file as UTF-8"
        )
    field = None
    marker = "column #"
    if marker in message:
        digits = message.split(marker, 1)[1].split(":", 1)[0].strip()
        if digits.isdigit() and int(digits) < len(columns):
            field = columns[int(digits)]
    for name in spec.names:
        if field is None and f"/{name})" in message:
            field = name
    expected = ""
    if field and field in spec.names:
        expected = f"; '{field}' must hold {spec.column(field).type} values"
    return InputError(
        f"file cannot be read: {message}{expected}",
        path=str(path),
        field=field,
        fix=f"correct the value; a {spec.name} file has one row per {spec.row} with columns {', '.join(spec.required)}",
    )


def _only_whitespace(path: Path) -> bool:
    """True when a text file holds nothing but whitespace (read until the first other byte)."""
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            if chunk.strip():
                return False
    return True


def _first_record_is_an_object(path: Path) -> None:
    """Refuse JSON Lines whose first record is not an object before Arrow reads it.

    Arrow's streaming JSON reader takes the first record as the schema; a
    first line of ``null`` (or a list, a number) crashes the process in
    pyarrow 26 rather than raising, so it never reaches Arrow.
    """
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            line = raw.strip()
            if not line:
                continue
            if not line.startswith(b"{"):
                raise InputError(
                    "line is not a JSON object",
                    path=str(path),
                    line=number,
                    fix="write one JSON object per line, with the columns as keys",
                )
            return


def _open_stream(
    path: Path, spec: InputSpec, batch_size: int, dictionary: Sequence[str] = ()
) -> tuple[Iterator[pa.RecordBatch], list[str]]:
    fmt = file_format(path)
    if fmt == "csv":
        import pyarrow.csv as pcsv

        header = _csv_header(path)
        if not any(name.strip() for name in header) and _only_whitespace(path):
            raise no_rows_error(path, spec, "has no header row and no data")
        check_columns(header, spec, path)
        wanted = [c for c in spec.names if c in header]
        types = {c.name: _ARROW_TYPES[c.type] for c in spec.columns if c.name in header}
        block = max(1 << 16, min(16 << 20, batch_size * 256))
        try:
            reader = pcsv.open_csv(
                path,
                read_options=pcsv.ReadOptions(block_size=block, use_threads=True),
                convert_options=pcsv.ConvertOptions(
                    column_types=types,
                    include_columns=wanted,
                    strings_can_be_null=True,
                    true_values=sorted(_TRUE | {w.upper() for w in _TRUE} | {w.title() for w in _TRUE}),
                    false_values=sorted(_FALSE | {w.upper() for w in _FALSE} | {w.title() for w in _FALSE}),
                ),
            )
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:  # the first block is read on opening
            raise _arrow_error(exc, path, spec, header) from None
        return iter(reader), header
    if fmt == "jsonl":
        import pyarrow.json as pj

        if _only_whitespace(path):
            raise no_rows_error(path, spec, "has no records (only blank lines)")
        _first_record_is_an_object(path)
        block = max(1 << 16, min(16 << 20, batch_size * 256))
        reader = pj.open_json(path, read_options=pj.ReadOptions(block_size=block))
        names = list(reader.schema.names)
        check_columns(names, spec, path)
        return iter(reader), names
    import pyarrow.parquet as pq

    try:
        # Read a page at a time: pre-buffering whole column chunks pays off on object stores, while on
        # a local disk it only copies the compressed data once more (and touches that much new memory).
        handle = pq.ParquetFile(path, read_dictionary=list(dictionary) or None, pre_buffer=False)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(
            f"Parquet file cannot be read: {exc}",
            path=str(path),
            fix="write the file again with a Parquet writer (pyarrow, pandas, Spark)",
        ) from None
    names = list(handle.schema_arrow.names)
    check_columns(names, spec, path)
    wanted = [c for c in spec.names if c in names]
    return handle.iter_batches(batch_size=batch_size, columns=wanted), names


def _conform(batch: pa.RecordBatch, spec: InputSpec, path: Path) -> pa.RecordBatch:
    """Keep the spec's columns and cast them to the spec's Arrow types.

    A dictionary-encoded column whose values already have the spec's type is
    kept encoded (see ``dictionary`` in :func:`iter_batches`).
    """
    arrays, names = [], []
    for col in spec.columns:
        if col.name not in batch.schema.names:
            continue
        array = batch.column(col.name)
        target = _ARROW_TYPES[col.type]
        if pa.types.is_dictionary(array.type) and array.type.value_type.equals(target):
            pass
        elif not array.type.equals(target):
            if pa.types.is_null(array.type):
                array = pa.nulls(len(array), type=target)
            else:
                try:
                    array = array.cast(target)
                except pa.ArrowException as exc:  # invalid values, or no cast between the types
                    raise InputError(
                        f"column holds {array.type} values that cannot be read as {col.type}: "
                        f"{str(exc).splitlines()[0]}",
                        path=str(path),
                        field=col.name,
                        fix=f"write '{col.name}' as {col.type} values",
                    ) from None
        arrays.append(array)
        names.append(col.name)
    return pa.RecordBatch.from_arrays(arrays, names=names)


def _prefetch(source: Iterator[Any], depth: int = 2) -> Iterator[Any]:
    """Read the next items in a background thread while the caller works on the current one.

    Arrow releases the GIL while decoding, so reading overlaps with the
    caller's computation on the second core. Errors are re-raised in the caller.
    """
    buffer: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in source:
                while not stop.is_set():
                    try:
                        buffer.put(("item", item), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            buffer.put(("done", None))
        except BaseException as exc:  # handed to the consumer, which re-raises it
            buffer.put(("error", exc))

    worker = threading.Thread(target=produce, name="fmgate-batch-reader", daemon=True)
    worker.start()
    try:
        while True:
            tag, value = buffer.get()
            if tag == "item":
                yield value
            elif tag == "error":
                raise value
            else:
                return
    finally:
        stop.set()
        while worker.is_alive():
            try:
                buffer.get_nowait()
            except queue.Empty:
                worker.join(timeout=0.05)


#: One input file, or a dataset split into files (all of one format), read in the given order.
Paths = str | Path | Sequence[str | Path]


def input_paths(path: Paths) -> list[Path]:
    """The files of *path*: one file, or a dataset's files in the given order, all of one format.

    Raises InputError for an empty list, a file type fmgate does not read,
    or files of different formats.
    """
    if isinstance(path, (str, os.PathLike)):
        return [Path(path)]
    paths = [Path(p) for p in path]
    if not paths:
        raise InputError(
            "a dataset with no files", fix="list the dataset's files (CSV, JSON Lines or Parquet, all of one format)"
        )
    formats = [file_format(p) for p in paths]
    for p, fmt in zip(paths, formats, strict=True):
        if fmt != formats[0]:
            raise InputError(
                f"a dataset's files must all have one format: this one is {fmt}, {paths[0].name} is {formats[0]}",
                path=str(p),
                fix="write every part of the dataset in the same format",
            )
    return paths


def dataset_name(path: Paths) -> str:
    """How an error names *path*: the file, or the first of a dataset's files."""
    paths = [path] if isinstance(path, (str, os.PathLike)) else list(path)
    return str(paths[0]) if paths else "(no files)"


def no_rows_found(path: Paths) -> str:
    """What :func:`no_rows_error` says an input with no rows holds: its one file, or every file of a dataset."""
    others = 0 if isinstance(path, (str, os.PathLike)) else len(path) - 1
    if others < 1:
        return "has no rows"
    if others == 1:
        return "has no rows, nor does the dataset's other file"
    return f"has no rows, nor do the dataset's other {others} files"


def input_file(name: str, path: Paths, label: str | None, rows: int) -> InputFile:
    """The record of a streamed input that was read: the file as given, or a dataset's files under *label*.

    A dataset has no single file to count its rows from, so the rows read
    are recorded; without a *label* it is named after its first file.
    """
    if isinstance(path, (str, os.PathLike)):
        return InputFile(name, str(path))
    paths = [str(p) for p in path]
    if label is None:
        label = paths[0] if len(paths) == 1 else f"{paths[0]} and {len(paths) - 1} more files"
    return InputFile(name, label, rows=rows)


def iter_batches(
    path: Paths,
    spec: InputSpec,
    *,
    batch_size: int = 131_072,
    prefetch: bool = True,
    dictionary: Sequence[str] = (),
) -> Iterator[pa.RecordBatch]:
    """Stream a tabular input as Arrow record batches of at most *batch_size* rows.

    *path* is one file, or a dataset split into files of one format, read
    one after the other in the given order as a single stream (its first rows
    are the first file's first rows). Only the spec's columns are kept, cast
    to the spec's types (text columns as strings, dates as strings). A file
    is never loaded whole: memory use is bounded by a few batches. Raises
    InputError for a missing, empty or unreadable file, missing columns,
    values of the wrong type, or bytes that are not UTF-8 (Arrow checks UTF-8
    as it decodes text columns); every file is checked for existence and size
    before the first is read. A file with a header (or schema) and no rows
    yields no batch: the caller, which counts the rows, refuses an input with
    no rows at all with :func:`no_rows_error`.

    The *dictionary* columns (labels with few distinct values) may come
    dictionary-encoded, with the spec's type as their value type: Parquet
    keeps them that way, which spares decoding every row's string.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be positive")
    paths = input_paths(path)
    for p in paths:
        file_format(p)
        check_file(p, what=spec.name, spec=spec)
    first = _file_batches(paths[0], spec, batch_size, dictionary)  # opened now: its errors are raised here

    def batches() -> Iterator[pa.RecordBatch]:
        yield from first
        for p in paths[1:]:
            yield from _file_batches(p, spec, batch_size, dictionary)

    return _prefetch(batches()) if prefetch else batches()


def _file_batches(p: Path, spec: InputSpec, batch_size: int, dictionary: Sequence[str]) -> Iterator[pa.RecordBatch]:
    """Open one file (raising its errors now) and return its conformed batches."""
    try:
        source, columns = _open_stream(p, spec, batch_size, dictionary)
    except InputError:
        raise
    except (pa.ArrowInvalid, pa.ArrowTypeError, OSError, UnicodeDecodeError) as exc:
        raise _arrow_error(exc, p, spec, []) from None

    def batches() -> Iterator[pa.RecordBatch]:
        try:
            for batch in source:
                if batch.num_rows == 0:
                    continue
                batch = _conform(batch, spec, p)
                for start in range(0, batch.num_rows, batch_size):
                    yield batch.slice(start, batch_size)
        except InputError:
            raise
        except (pa.ArrowInvalid, pa.ArrowTypeError, OSError) as exc:
            raise _arrow_error(exc, p, spec, columns) from None

    return batches()
