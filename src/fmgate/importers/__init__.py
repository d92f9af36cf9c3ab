"""Turn the output of prompt-evaluation tools into a ``prompting_log`` table.

promptfoo and inspect-ai record what was run and how it scored, but not how
long a person spent on it, how senior that person is, or which family of
prompting technique an iteration belongs to, and the domain gate needs all
three. A small YAML *sidecar* supplies them::

    practitioner: amira.haddad      # the default for every iteration
    seniority: senior               # junior | mid | senior | staff | principal
    iterations:                     # one entry per iteration
      1: {hours: 1.5, variant: system_prompt}
      "few-shot, 8 examples": {hours: 2, variant: few_shot, practitioner: li.chen, seniority: mid}

An entry's key is the iteration number (1 = the earliest run) or a name the
tool gave the run: for promptfoo a prompt's label or id, for inspect-ai the log
file's name or stem, or its ``eval_id`` / ``run_id``. Tool-specific options sit
at the top level (promptfoo: ``provider``, ``score``; inspect-ai: ``scorer``,
``metric``; see each module).

The result has exactly the columns the memo spec gives for ``prompting_log``:
iteration, timestamp, practitioner, seniority, hours, variant, score,
eval_set_size.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputError
from ..safe_yaml import load_yaml_file

#: The prompting_log columns of the memo spec, in order.
PROMPTING_LOG_COLUMNS = (
    "iteration",
    "timestamp",
    "practitioner",
    "seniority",
    "hours",
    "variant",
    "score",
    "eval_set_size",
)
SENIORITY_LEVELS = ("junior", "mid", "senior", "staff", "principal")
VARIANT_FAMILIES = ("system_prompt", "few_shot", "chain_of_thought", "retrieval_augmented")
TOOLS = ("promptfoo", "inspect-ai")

_COMMON_KEYS = frozenset({"practitioner", "seniority", "iterations"})
_ENTRY_KEYS = frozenset({"hours", "variant", "practitioner", "seniority", "note"})

SIDECAR_EXAMPLE = "{practitioner: <login>, seniority: senior, iterations: {1: {hours: 1.5, variant: system_prompt}}}"


@dataclass(frozen=True)
class ToolRun:
    """One prompt iteration as a tool recorded it, before the sidecar adds the human facts."""

    keys: tuple[str, ...]  # names a sidecar entry may use for this run; the first is shown in messages
    timestamp: dt.datetime  # timezone-aware
    score: float
    eval_set_size: int
    origin: str  # the file it came from
    score_source: str  # which field the score was read from (for messages)
    order: int = 0  # order of appearance across the source files
    # (field, value) that names the run wherever it is saved, e.g. ("eval.eval_id", "T2NY..."): the same
    # run found in two files (an .eval log and its JSON conversion) is one iteration
    identity: tuple[str, str] | None = None

    @property
    def name(self) -> str:
        return self.keys[0]


# --------------------------------------------------------------------------
# helpers for the tool readers


def source_files(source: Path, *, tool: str, suffixes: tuple[str, ...] = (".json",)) -> list[Path]:
    """The result files to read: *source* itself, or every file under a folder ending in one of *suffixes*."""
    source = Path(source)
    if source.is_dir():
        files = sorted(p for p in source.rglob("*") if p.is_file() and p.suffix.lower() in suffixes)
        if not files:
            kinds = " or ".join(suffixes)
            raise InputError(
                f"no {kinds} files in this folder",
                path=str(source),
                field="SOURCE",
                fix=f"point SOURCE at {tool} result files ({kinds})",
            )
        return files
    if not source.exists():
        raise InputError("not found", path=str(source), field="SOURCE", fix="check the path")
    return [source]


def read_json(path: Path, *, tool: str, how: str) -> Any:
    """Parse a JSON file; anything else is bad input naming the tool's export command."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(
            f"is not UTF-8 JSON, so not a {tool} result file", path=str(path), field="SOURCE", fix=how
        ) from None
    except OSError as exc:
        raise InputError(
            f"cannot be read ({exc.strerror})", path=str(path), field="SOURCE", fix="check the path and its permissions"
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"is not valid JSON (line {exc.lineno}: {exc.msg}), so not a {tool} result file",
            path=str(path),
            field="SOURCE",
            fix=how,
        ) from None


def parse_timestamp(value: Any, *, path: Path, field: str) -> dt.datetime:
    """An ISO 8601 time as the tools write it (``...Z`` or ``...+00:00``); naive means UTC."""
    if not isinstance(value, str) or not value.strip():
        raise InputError(
            f"has no timestamp in '{field}'",
            path=str(path),
            field=field,
            fix="export the results again with the tool; the file looks truncated",
        )
    try:
        stamp = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InputError(
            f"'{field}' is {value!r}, not an ISO 8601 time",
            path=str(path),
            field=field,
            fix="export the results again with the tool",
        ) from None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    return stamp


def number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


# --------------------------------------------------------------------------
# the sidecar


@dataclass
class Sidecar:
    path: Path
    data: dict[str, Any]
    lines: dict[str, int]

    @property
    def shown(self) -> str:
        return str(self.path)

    def error(self, message: str, *, field: str | None, fix: str) -> InputError:
        top = field.split(".")[0] if field else ""
        return InputError(message, path=self.shown, field=field, line=self.lines.get(top), fix=fix)


def load_sidecar(path: Path | None, *, tool: str, source: Path, tool_options: frozenset[str]) -> Sidecar:
    if path is None:
        raise InputError(
            f"{tool} does not record hours, seniority or the variant family, and the domain gate needs "
            "all three; a sidecar YAML must supply them",
            path=str(source),
            field="--sidecar",
            fix=f"write a sidecar (e.g. {SIDECAR_EXAMPLE}) and pass it with --sidecar FILE",
        )
    path = Path(path)
    if not path.is_file():
        raise InputError("sidecar not found", path=str(path), field="--sidecar", fix="check the path")
    data, lines = load_yaml_file(str(path), display=str(path))
    if not isinstance(data, dict):
        raise InputError(
            "the sidecar must be a YAML mapping", path=str(path), line=1, fix=f"write it like: {SIDECAR_EXAMPLE}"
        )
    sidecar = Sidecar(path, data, lines)
    allowed = _COMMON_KEYS | tool_options
    unknown = sorted(str(k) for k in data if k not in allowed)
    if unknown:
        raise sidecar.error(
            f"unknown sidecar field(s) for {tool}: {', '.join(unknown)}",
            field=unknown[0],
            fix=f"use only: {', '.join(sorted(allowed))}",
        )
    if not isinstance(data.get("iterations"), dict) or not data["iterations"]:
        raise sidecar.error(
            "'iterations' is missing or empty; every iteration needs its hours and variant",
            field="iterations",
            fix="add 'iterations:' with one entry per iteration, e.g. '1: {hours: 1.5, variant: system_prompt}'",
        )
    return sidecar


def _entry_key(key: Any) -> str:
    return str(key) if not isinstance(key, str) or re.fullmatch(r"[\w.-]+", key) else json.dumps(key)


def _match_entries(runs: list[ToolRun], sidecar: Sidecar) -> list[tuple[Any, dict[str, Any]]]:
    """For each run (in iteration order), the sidecar entry that describes it."""
    entries: dict[Any, Any] = sidecar.data["iterations"]
    by_run: dict[int, list[Any]] = {i: [] for i in range(len(runs))}
    available = ", ".join(f"{i + 1} ({run.name})" for i, run in enumerate(runs))
    for key in entries:
        if isinstance(key, int) and not isinstance(key, bool):
            hits = [key - 1] if 1 <= key <= len(runs) else []
        else:
            hits = [i for i, run in enumerate(runs) if str(key) in run.keys]
            if not hits and str(key).isdigit() and 1 <= int(str(key)) <= len(runs):
                hits = [int(str(key)) - 1]
        if not hits:
            raise sidecar.error(
                f"entry {_entry_key(key)!s} matches no iteration in the tool's results",
                field=f"iterations.{_entry_key(key)}",
                fix=f"key entries by iteration number or name; the iterations are: {available}",
            )
        if len(hits) > 1:
            raise sidecar.error(
                f"entry {_entry_key(key)} matches {len(hits)} iterations ({', '.join(str(i + 1) for i in hits)})",
                field=f"iterations.{_entry_key(key)}",
                fix="key these entries by iteration number instead",
            )
        by_run[hits[0]].append(key)
    matched = []
    for i, run in enumerate(runs):
        keys = by_run[i]
        if not keys:
            where = run.name if run.name == Path(run.origin).name else f"{run.name}, from {run.origin}"
            raise sidecar.error(
                f"no entry for iteration {i + 1} ({where})",
                field="iterations",
                fix=f"add '{i + 1}: {{hours: <hours spent>, variant: <variant family>}}' under iterations",
            )
        if len(keys) > 1:
            raise sidecar.error(
                f"iteration {i + 1} ({run.name}) has {len(keys)} entries: {', '.join(_entry_key(k) for k in keys)}",
                field=f"iterations.{_entry_key(keys[1])}",
                fix="keep one entry per iteration",
            )
        entry = entries[keys[0]]
        if not isinstance(entry, dict):
            raise sidecar.error(
                f"the entry for iteration {i + 1} must be a mapping",
                field=f"iterations.{_entry_key(keys[0])}",
                fix="write it as {hours: <hours>, variant: <variant family>}",
            )
        matched.append((keys[0], entry))
    return matched


def _normalise_variant(value: str) -> str:
    return re.sub(r"[\s-]+", "_", value.strip().lower())


def _human_fields(i: int, key: Any, entry: dict[str, Any], sidecar: Sidecar) -> tuple[str, str, float, str]:
    where = f"iterations.{_entry_key(key)}"
    unknown = sorted(str(k) for k in entry if k not in _ENTRY_KEYS)
    if unknown:
        raise sidecar.error(
            f"unknown field(s) in the entry for iteration {i}: {', '.join(unknown)}",
            field=f"{where}.{unknown[0]}",
            fix=f"use only: {', '.join(sorted(_ENTRY_KEYS))}",
        )

    if "hours" not in entry:
        raise sidecar.error(
            f"hours is missing for iteration {i}",
            field=f"{where}.hours",
            fix=f"add 'hours: <hours spent on this iteration>' under {where}",
        )
    hours = number(entry["hours"])
    if hours is None or hours < 0:
        raise sidecar.error(
            f"hours for iteration {i} is {entry['hours']!r}, not a number of hours >= 0",
            field=f"{where}.hours",
            fix="write the hours as a number, e.g. 1.5",
        )

    variant = entry.get("variant")
    if not isinstance(variant, str) or not variant.strip():
        raise sidecar.error(
            f"variant is missing for iteration {i}",
            field=f"{where}.variant",
            fix=f"add 'variant: <family>' under {where}; the families the domain gate "
            f"looks for are {', '.join(VARIANT_FAMILIES)}",
        )

    practitioner = entry.get("practitioner", sidecar.data.get("practitioner"))
    if not isinstance(practitioner, str) or not practitioner.strip():
        raise sidecar.error(
            f"practitioner is missing for iteration {i}",
            field="practitioner",
            fix=f"add 'practitioner: <login>' at the top of the sidecar or under {where}",
        )

    seniority = entry.get("seniority", sidecar.data.get("seniority"))
    if not isinstance(seniority, str) or seniority.strip().lower() not in SENIORITY_LEVELS:
        field = f"{where}.seniority" if "seniority" in entry else "seniority"
        got = "missing" if seniority is None else f"{seniority!r}"
        raise sidecar.error(
            f"seniority for iteration {i} is {got}",
            field=field,
            fix=f"set 'seniority:' at the top of the sidecar or under {where} to one of {', '.join(SENIORITY_LEVELS)}",
        )
    return practitioner.strip(), seniority.strip().lower(), hours, _normalise_variant(variant)


def _one_per_run(runs: list[ToolRun]) -> list[ToolRun]:
    """Runs with the same identity (one eval saved in two files) merged; different results for it are an error."""
    merged: list[ToolRun] = []
    seen: dict[tuple[str, str], int] = {}
    for run in runs:
        if run.identity is None or run.identity not in seen:
            if run.identity is not None:
                seen[run.identity] = len(merged)
            merged.append(run)
            continue
        index = seen[run.identity]
        first = merged[index]
        if (first.timestamp, first.score, first.eval_set_size) != (run.timestamp, run.score, run.eval_set_size):
            field, value = run.identity
            raise InputError(
                f"is the same run as {first.origin} ({field} {value}) but records other results "
                f"(score {run.score:g} over {run.eval_set_size} items, there {first.score:g} over "
                f"{first.eval_set_size})",
                path=run.origin,
                field=field,
                fix="keep only the file that holds the finished run in SOURCE",
            )
        merged[index] = replace(first, keys=tuple(dict.fromkeys(first.keys + run.keys)))
    return merged


# --------------------------------------------------------------------------
# the public API

Reader = Callable[[Path, Mapping[str, Any], Sidecar], list[ToolRun]]


def _tool(tool: str) -> tuple[Reader, frozenset[str]]:
    if tool == "promptfoo":
        from . import promptfoo

        return promptfoo.read_runs, promptfoo.SIDECAR_OPTIONS
    if tool in ("inspect-ai", "inspect_ai", "inspect"):
        from . import inspect_ai

        return inspect_ai.read_runs, inspect_ai.SIDECAR_OPTIONS
    raise InputError(f"unknown tool {tool!r}", field="--tool", fix=f"use one of: {', '.join(TOOLS)}")


def import_prompting_log(source: Path, tool: str, sidecar: Path | None) -> pd.DataFrame:
    """Read *tool*'s results at *source* (a file or a folder of them) into a prompting_log table.

    Iterations are numbered from 1 in time order (ties keep the order in which
    the runs appear). Raises InputError, naming the file, the field and the fix,
    when the results are not the tool's format or the sidecar lacks something.
    """
    source = Path(source)
    reader, options = _tool(tool)
    side = load_sidecar(sidecar, tool=tool, source=source, tool_options=options)
    runs = _one_per_run(reader(source, side.data, side))
    if not runs:
        raise InputError(
            "holds no prompt iterations",
            path=str(source),
            field="SOURCE",
            fix="point SOURCE at results that contain at least one scored run",
        )
    runs = sorted(runs, key=lambda r: (r.timestamp, r.order))
    for run in runs:
        if not 0.0 <= run.score <= 1.0:
            raise InputError(
                f"the score of {run.name} is {run.score}, outside 0-1 (read from {run.score_source})",
                path=run.origin,
                field=run.score_source,
                fix="the prompting log needs a 0-1 score; choose a 0-1 metric in the sidecar",
            )
    rows = []
    for i, (run, (key, entry)) in enumerate(zip(runs, _match_entries(runs, side)), start=1):
        practitioner, seniority, hours, variant = _human_fields(i, key, entry, side)
        rows.append(
            {
                "iteration": i,
                "timestamp": run.timestamp.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "practitioner": practitioner,
                "seniority": seniority,
                "hours": hours,
                "variant": variant,
                "score": round(run.score, 6),
                "eval_set_size": int(run.eval_set_size),
            }
        )
    frame = pd.DataFrame(rows, columns=list(PROMPTING_LOG_COLUMNS))
    return frame.astype({"iteration": "int64", "hours": "float64", "score": "float64", "eval_set_size": "int64"})


def write_prompting_log(frame: pd.DataFrame, out: Path, *, force: bool = False) -> None:
    """Write the table as CSV; an existing file is replaced only with *force*."""
    out = Path(out)
    if out.suffix.lower() != ".csv":
        raise InputError(
            "the prompting log is written as CSV", path=str(out), field="--out", fix="give --out a path ending in .csv"
        )
    if out.exists() and not force:
        raise InputError(
            "already exists; nothing was written",
            path=str(out),
            field="--out",
            fix="choose another path, or pass --force to replace it",
        )
    missing = [c for c in PROMPTING_LOG_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(
            f"the table lacks column(s) {', '.join(missing)}",
            path=str(out),
            field="--out",
            fix="build it with import_prompting_log",
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            frame.loc[:, list(PROMPTING_LOG_COLUMNS)].to_csv(stream, index=False, lineterminator="\n")
        os.replace(temp, out)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


__all__ = [
    "PROMPTING_LOG_COLUMNS",
    "SENIORITY_LEVELS",
    "TOOLS",
    "ToolRun",
    "import_prompting_log",
    "write_prompting_log",
]
