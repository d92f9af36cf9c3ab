"""inspect-ai eval logs (``.eval`` archives and JSON logs) as prompting-log iterations.

What a log looks like, read from inspect-ai's source (UKGovernmentBEIS/inspect_ai):

* ``src/inspect_ai/log/_log.py``, ``class EvalLog``: fields in file order are
  ``version`` (format version, currently 2), ``status`` (``started``,
  ``success``, ``cancelled`` or ``error``), ``eval`` (an ``EvalSpec``), ``plan``,
  ``results`` (an ``EvalResults``, absent until the eval finishes), ``stats``,
  ``error``, ..., ``samples``, ``reductions``.
* ``EvalSpec``: ``eval_id``, ``run_id``, ``created`` (ISO 8601 time), ``task``,
  ``model``, ``dataset`` (``EvalDataset``: ``name``, ``location``, ``samples``
  = number of samples in the dataset, ``sample_ids``), ``config``
  (``EvalConfig``: ``limit``, ``epochs``, ...).
* ``EvalResults``: ``total_samples`` (dataset samples x epochs),
  ``completed_samples``, ``scores`` = list of ``EvalScore`` ``{name, scorer,
  reducer, params, metrics}``, where ``metrics`` maps a metric name to an
  ``EvalMetric`` ``{name, value, params}`` (e.g. ``accuracy``, ``mean``,
  ``stderr``).
* ``EvalSample``: ``id``, ``epoch``, ``input``, ``target``, ``scores``, ...
* ``src/inspect_ai/log/_recorders/json.py``, ``JSONRecorder``: the ``.json``
  format is that ``EvalLog`` serialised as one JSON document.
* ``src/inspect_ai/log/_recorders/eval.py``, ``EvalRecorder``: the default
  ``.eval`` format is a zip archive holding ``header.json`` (the ``EvalLog``
  without samples, written when the eval ends), ``summaries.json`` (one
  ``EvalSampleSummary`` ``{id, epoch, scores, ...}`` per sample and epoch),
  ``samples/<id>_epoch_<n>.json`` and ``_journal/start.json`` (``{version,
  eval, plan}``, written when the eval starts). Its members are zstd-compressed
  (``src/inspect_ai/_util/zipfile.py``), which ``zipfile`` cannot open before
  Python 3.14; ``zip_members`` reads them.
* ``src/inspect_ai/log/_file.py``, ``write_log_dir_manifest``, and
  ``src/inspect_ai/_eval/evalset.py``: an ``eval_set`` log folder also holds
  ``logs.json`` (log headers keyed by file name) and ``eval-set.json`` (the
  set's tasks). Those are not logs.
* ``tests/log/test_eval_log/log_read_sample.json`` is a real log of that shape.

Mapping: each log is one iteration, timed by ``eval.created``; a run present
both as ``.eval`` and as ``.json`` (``inspect log convert``) is one iteration,
told by its ``eval.eval_id``. The score is the ``accuracy`` metric (or
``mean`` when there is no accuracy) of the first entry in ``results.scores``,
already reduced over epochs by inspect-ai; the sidecar may name another
``scorer`` (an ``EvalScore`` ``name`` or ``scorer``) and ``metric``. The
eval-set size is the number of distinct sample ids (so several epochs of a
sample count once) in ``samples`` (``summaries.json`` of an ``.eval``); a log
written without samples falls back to ``results.total_samples`` /
``eval.config.epochs``, then to ``eval.dataset.samples``. Only logs with
``status: success`` are read: an unfinished eval has no trustworthy score. In
a folder, every ``.eval`` file and every ``.json`` file that is an eval log is
read; other JSON files (the manifests above, anything else) are passed over.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from . import ToolRun, number, parse_timestamp, read_json, source_files
from .zip_members import DAMAGED_FIX, read_member

if TYPE_CHECKING:
    from . import Sidecar

SIDECAR_OPTIONS = frozenset({"scorer", "metric"})
DEFAULT_METRICS = ("accuracy", "mean")
LOG_SUFFIXES = (".eval", ".json")
HOW = "point SOURCE at the logs 'inspect eval' writes (.eval, or .json with '--log-format json'), or at their folder"


def _read_eval(path: Path) -> Any:
    """An ``.eval`` archive as the JSON log document: its header, with the sample summaries as ``samples``."""

    def member(name: str) -> Any:
        data = read_member(path, name, what="an inspect-ai .eval log", how=HOW)
        if data is None:
            return None
        try:
            return json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise InputError(f"member {name} is not valid JSON", path=str(path), field=name, fix=DAMAGED_FIX) from None

    header = member("header.json")
    if header is None:
        start = member("_journal/start.json")
        if not isinstance(start, dict):
            raise InputError(
                "is not an inspect-ai .eval log: it has neither header.json nor _journal/start.json",
                path=str(path),
                field="SOURCE",
                fix=HOW,
            )
        # the eval started and never wrote its header: report it as the unfinished eval it is
        return {**start, "status": "started"}
    if isinstance(header, dict):
        summaries = member("summaries.json")
        if isinstance(summaries, list):
            header = {**header, "samples": summaries}
    return header


def _read(path: Path) -> Any:
    if path.suffix.lower() == ".eval":
        return _read_eval(path)
    return read_json(path, tool="inspect-ai", how=HOW)


def _is_log(doc: Any) -> bool:
    return isinstance(doc, dict) and isinstance(doc.get("eval"), dict) and "status" in doc


def _logs(source: Path) -> list[tuple[Path, Any]]:
    """(path, document) of each log: *source* itself, or the logs in a folder, passing over other JSON."""
    source = Path(source)
    files = source_files(source, tool="inspect-ai", suffixes=LOG_SUFFIXES)
    if not source.is_dir():
        return [(files[0], _read(files[0]))]
    logs: list[tuple[Path, Any]] = []
    others: list[Path] = []
    for path in files:
        doc = _read(path)
        if path.suffix.lower() == ".eval" or _is_log(doc):
            logs.append((path, doc))
        else:
            others.append(path)
    if not logs:
        names = ", ".join(str(p.relative_to(source)) for p in others)
        raise InputError(
            f"holds no inspect-ai eval log, only other JSON ({names})",
            path=str(source),
            field="SOURCE",
            fix=HOW + "; promptfoo results are imported with --tool promptfoo",
        )
    return logs


def _spec(doc: Any, path: Path) -> dict[str, Any]:
    if isinstance(doc, dict) and "evalId" in doc and isinstance(doc.get("results"), dict):
        raise InputError(
            "looks like promptfoo results, not an inspect-ai eval log",
            path=str(path),
            field="--tool",
            fix="import it with --tool promptfoo",
        )
    spec = doc.get("eval") if isinstance(doc, dict) else None
    if not (
        isinstance(doc, dict)
        and isinstance(doc.get("version"), int)
        and "status" in doc
        and isinstance(spec, dict)
        and "task" in spec
        and "created" in spec
    ):
        raise InputError(
            "is not an inspect-ai eval log: expected top-level 'version', 'status' and "
            "'eval' (with 'task' and 'created')",
            path=str(path),
            field="SOURCE",
            fix=HOW,
        )
    return spec


def _pick_score(results: dict[str, Any], options: Mapping[str, Any], path: Path, sidecar: Sidecar) -> tuple[float, str]:
    scores = results.get("scores")
    if not isinstance(scores, list) or not scores or not all(isinstance(s, dict) for s in scores):
        raise InputError(
            "has no scores in 'results.scores'",
            path=str(path),
            field="results.scores",
            fix="give the task a scorer and run it again",
        )
    wanted = options.get("scorer")
    index = 0
    if wanted is not None:
        names = [str(s.get("name")) for s in scores]
        matches = [i for i, s in enumerate(scores) if wanted in (s.get("name"), s.get("scorer"))]
        if not matches:
            raise sidecar.error(
                f"scorer {wanted!r} is not in {path.name}", field="scorer", fix=f"use one of: {', '.join(names)}"
            )
        index = matches[0]
    metrics = scores[index].get("metrics")
    if not isinstance(metrics, dict):
        raise InputError(
            f"results.scores[{index}] has no metrics", path=str(path), field=f"results.scores[{index}].metrics", fix=HOW
        )

    def find(name: str) -> str | None:
        for key, metric in metrics.items():
            short = str(key).rsplit("/", 1)[-1]
            label = metric.get("name") if isinstance(metric, dict) else None
            if name in (key, short, label, str(label).rsplit("/", 1)[-1]):
                return str(key)
        return None

    wanted_metric = options.get("metric")
    candidates = (wanted_metric,) if wanted_metric is not None else DEFAULT_METRICS
    key = next((k for k in (find(str(c)) for c in candidates) if k), None)
    if key is None:
        if wanted_metric is not None:
            raise sidecar.error(
                f"metric {wanted_metric!r} is not among the metrics of {path.name}",
                field="metric",
                fix=f"use one of: {', '.join(map(str, metrics))}",
            )
        raise InputError(
            f"results.scores[{index}] has neither an accuracy nor a mean metric",
            path=str(path),
            field=f"results.scores[{index}].metrics",
            fix=f"name the 0-1 metric to use with 'metric:' in the sidecar "
            f"(this log has: {', '.join(map(str, metrics))})",
        )
    where = f"results.scores[{index}].metrics.{key}.value"
    metric = metrics[key]
    value = number(metric.get("value") if isinstance(metric, dict) else None)
    if value is None:
        raise InputError("is not a number", path=str(path), field=where, fix=HOW)
    return value, where


def _eval_set_size(doc: dict[str, Any], spec: dict[str, Any], results: dict[str, Any], path: Path) -> int:
    samples = doc.get("samples")
    if isinstance(samples, list) and samples:
        return len({str(s.get("id")) for s in samples if isinstance(s, dict)})
    config = spec["config"] if isinstance(spec.get("config"), dict) else {}
    epochs = number(config.get("epochs")) or 1.0
    total = number(results.get("total_samples"))
    if total:
        return int(math.ceil(total / epochs))
    dataset = spec["dataset"] if isinstance(spec.get("dataset"), dict) else {}
    declared = number(dataset.get("samples"))
    if declared:
        return int(declared)
    raise InputError(
        "does not say how many samples were scored", path=str(path), field="results.total_samples", fix=HOW
    )


def read_runs(source: Path, options: Mapping[str, Any], sidecar: Sidecar) -> list[ToolRun]:
    """One ToolRun per finished inspect-ai eval log."""
    runs: list[ToolRun] = []
    for order, (path, doc) in enumerate(_logs(source)):
        spec = _spec(doc, path)
        if doc["status"] != "success":
            raise InputError(
                f"the eval did not finish (status {doc['status']!r}), so its score cannot be used",
                path=str(path),
                field="status",
                fix="re-run the eval to completion, or move this log out of SOURCE",
            )
        results = doc.get("results")
        if not isinstance(results, dict):
            raise InputError("has no 'results'", path=str(path), field="results", fix="re-run the eval to completion")
        score, where = _pick_score(results, options, path, sidecar)
        keys = tuple(
            dict.fromkeys(
                k for k in (path.name, path.stem, str(spec.get("eval_id") or ""), str(spec.get("run_id") or "")) if k
            )
        )
        runs.append(
            ToolRun(
                keys=keys,
                timestamp=parse_timestamp(spec.get("created"), path=path, field="eval.created"),
                score=score,
                eval_set_size=_eval_set_size(doc, spec, results, path),
                origin=str(path),
                score_source=where,
                order=order,
                identity=("eval.eval_id", str(spec["eval_id"])) if spec.get("eval_id") else None,
            )
        )
    return runs
