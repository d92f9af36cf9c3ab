"""eval_set evidence: how many eval items are usable.

An item is valid when all of these hold:

* its id is the first row with that id (later repeats are ``duplicate_ids``);
* its input and expected output are not blank (else ``empty_fields``);
* its input, trimmed, lower-cased and with whitespace runs collapsed, is the
  first such input among the rows that passed the two checks above (later
  repeats are ``duplicate_inputs``, so a repeated input counts once);
* that normalised input is not the normalised text of any row of the domain
  (training) data (else ``overlap_with_training``).

The domain data is streamed for the overlap check, never loaded whole.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .dates import resolve_as_of
from .document import Evidence, InputFile, frame_facts
from .hashing import hash_strings, normalize_text
from .io import DEFAULT_MAX_BYTES, iter_batches, no_rows_error, read_table
from .specs import DOMAIN_DATA, EVAL_SET
from .validate import validate_frame


def _blank(series: pd.Series) -> np.ndarray:
    return (series.isna() | series.astype("str").str.strip().eq("")).to_numpy(dtype=bool)


def normalized_hashes(values: pd.Series) -> np.ndarray:
    """Hashes of the normalised text of *values* (no nulls allowed)."""
    return hash_strings(normalize_text(pa.array(values.astype(str).tolist(), type=pa.string())))


def training_overlap(
    hashes: np.ndarray, domain_path: str | Path | Sequence[str | Path], *, batch_size: int = 262_144
) -> np.ndarray:
    """Mask over *hashes*: True where the normalised eval input appears in the domain data text.

    *domain_path* is one file or a dataset's files, streamed in turn.
    """
    found = np.zeros(len(hashes), dtype=bool)
    if not len(hashes):
        return found
    rows = 0
    paths = [domain_path] if isinstance(domain_path, (str, Path)) else list(domain_path)
    for path in paths:
        for batch in iter_batches(path, DOMAIN_DATA, batch_size=batch_size):
            rows += batch.num_rows
            text = batch.column("text")
            text = pc.filter(text, pc.is_valid(text))
            if len(text):
                found |= np.isin(hashes, hash_strings(normalize_text(text)))
    if rows == 0:  # no overlap with nothing would pass for a clean eval set: refuse, as domain_data does
        raise no_rows_error(paths[0] if paths else "domain_data", DOMAIN_DATA, "has no rows")
    return found


def flags(frame: pd.DataFrame, overlap: np.ndarray | None) -> pd.DataFrame:
    """Per-row reasons an item is not valid (columns are booleans), and the verdict."""
    ids = frame["id"].astype("str")
    dup_id = (ids.duplicated(keep="first") & frame["id"].notna()).to_numpy() | frame["id"].isna().to_numpy()
    empty = _blank(frame["input"]) | _blank(frame["expected"])
    base = ~dup_id & ~empty
    dup_input = np.zeros(len(frame), dtype=bool)
    if base.any():
        norm = normalize_text(pa.array(frame.loc[base, "input"].astype(str).tolist(), type=pa.string()))
        repeated = pd.Series(norm.to_pylist()).duplicated(keep="first").to_numpy()
        dup_input[np.flatnonzero(base)] = repeated
    overlapping = np.zeros(len(frame), dtype=bool) if overlap is None else np.asarray(overlap, dtype=bool)
    valid = base & ~dup_input & ~overlapping
    return pd.DataFrame(
        {
            "duplicate_id": dup_id,
            "empty_field": empty,
            "duplicate_input": dup_input,
            "overlap": overlapping,
            "valid": valid,
        },
        index=frame.index,
    )


def measure(frame: pd.DataFrame, overlap: np.ndarray | None = None) -> dict[str, Any]:
    """The eval_set measurements of docs/policy-input.md.

    *overlap* is a mask over the rows (True where the row's input is in the
    training data), or None when no domain data was given; then
    ``overlap_with_training`` is null.
    """
    f = flags(frame, overlap)
    return {
        "items_total": int(len(frame)),
        "items_valid": int(f["valid"].sum()),
        "duplicate_ids": int(f["duplicate_id"].sum()),
        "empty_fields": int(f["empty_field"].sum()),
        "duplicate_inputs": int(f["duplicate_input"].sum()),
        "overlap_with_training": None if overlap is None else int(f["overlap"].sum()),
    }


def evaluate(
    eval_set: str | Path,
    domain_data: str | Path | Mapping[str, Any] | None = None,
    *,
    as_of: str | dt.date | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    batch_size: int = 262_144,
) -> Evidence:
    """Read, validate and measure an eval set; check overlap against *domain_data* if given."""
    today = resolve_as_of(as_of)
    frame = read_table(eval_set, EVAL_SET, max_bytes=max_bytes)
    outcomes = validate_frame(frame, "eval_set", as_of=today)
    inputs = [frame_facts("eval_set", eval_set, frame)]
    evidence = Evidence("eval_set", inputs, outcomes)
    training: list[str] = []
    if isinstance(domain_data, Mapping):  # a dataset read in place: its files, pinned by their digest
        from ..sources.reference import Reference
        from .datasets import locate
        from .inplace import pin_errors, reference_record

        reference = Reference.from_json(domain_data)
        located = locate(reference)
        training = located.files
        record = reference_record(reference, located.digest, "arrow") | {"files": len(located.files)}
        inputs.append(InputFile("domain_data", reference.label, reference=record))
        evidence.errors += pin_errors(reference, located.digest)
    elif domain_data:
        training = [str(domain_data)]
        inputs.append(InputFile("domain_data", str(domain_data)))
    if not evidence.valid:
        return evidence
    overlap = None
    if training:
        overlap = np.zeros(len(frame), dtype=bool)
        usable = ~_blank(frame["input"])
        if usable.any():
            overlap[usable] = training_overlap(
                normalized_hashes(frame.loc[usable, "input"]), training, batch_size=batch_size
            )
    evidence.measurements = measure(frame, overlap)
    evidence.data = {"flags": flags(frame, overlap)}
    return evidence
