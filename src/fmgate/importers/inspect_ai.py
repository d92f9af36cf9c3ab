"""inspect-ai eval logs (the JSON log format) as prompting-log iterations.

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
  format is that ``EvalLog`` serialised as one JSON document. The default
  ``.eval`` format is a zip archive; ``inspect log dump LOG.eval > LOG.json``
  (``src/inspect_ai/_cli/log.py``) prints the same document as JSON.
* ``tests/log/test_eval_log/log_read_sample.json`` is a real log of that shape.

Mapping: each log is one iteration, timed by ``eval.created``. The score is
the ``accuracy`` metric (or ``mean`` when there is no accuracy) of the first
entry in ``results.scores``; the sidecar may name another ``scorer`` (an
``EvalScore`` ``name`` or ``scorer``) and ``metric``. The eval-set size is the
number of distinct sample ids in ``samples``; a log written without samples
falls back to ``results.total_samples`` / ``eval.config.epochs``, then to
``eval.dataset.samples``. Only logs with ``status: success`` are read: an
unfinished eval has no trustworthy score.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from . import ToolRun, number, parse_timestamp, read_json, source_files

if TYPE_CHECKING:
    from . import Sidecar

SIDECAR_OPTIONS = frozenset({"scorer", "metric"})
DEFAULT_METRICS = ("accuracy", "mean")
HOW = ("write JSON logs with 'inspect eval ... --log-format json', or turn an .eval log into JSON "
       "with 'inspect log dump LOG.eval > LOG.json'")


def _files(source: Path) -> list[Path]:
    source = Path(source)
    if source.is_file() and source.suffix.lower() == ".eval":
        raise InputError("is an inspect-ai .eval archive; the importer reads the JSON log format",
                         path=str(source), field="SOURCE", fix=HOW)
    if source.is_dir() and not any(source.rglob("*.json")) and any(source.rglob("*.eval")):
        raise InputError("holds only .eval archives; the importer reads the JSON log format",
                         path=str(source), field="SOURCE", fix=HOW)
    return source_files(source, tool="inspect-ai")


def _spec(doc: Any, path: Path) -> dict[str, Any]:
    if isinstance(doc, dict) and "evalId" in doc and isinstance(doc.get("results"), dict):
        raise InputError("looks like promptfoo results, not an inspect-ai eval log", path=str(path),
                         field="--tool", fix="import it with --tool promptfoo")
    spec = doc.get("eval") if isinstance(doc, dict) else None
    if not (isinstance(doc, dict) and isinstance(doc.get("version"), int) and "status" in doc
            and isinstance(spec, dict) and "task" in spec and "created" in spec):
        raise InputError("is not an inspect-ai eval log: expected top-level 'version', 'status' and "
                         "'eval' (with 'task' and 'created')", path=str(path), field="SOURCE", fix=HOW)
    return spec


def _pick_score(results: dict[str, Any], options: Mapping[str, Any], path: Path,
                sidecar: Sidecar) -> tuple[float, str]:
    scores = results.get("scores")
    if not isinstance(scores, list) or not scores or not all(isinstance(s, dict) for s in scores):
        raise InputError("has no scores in 'results.scores'", path=str(path), field="results.scores",
                         fix="give the task a scorer and run it again")
    wanted = options.get("scorer")
    index = 0
    if wanted is not None:
        names = [str(s.get("name")) for s in scores]
        matches = [i for i, s in enumerate(scores) if wanted in (s.get("name"), s.get("scorer"))]
        if not matches:
            raise sidecar.error(f"scorer {wanted!r} is not in {path.name}", field="scorer",
                                fix=f"use one of: {', '.join(names)}")
        index = matches[0]
    metrics = scores[index].get("metrics")
    if not isinstance(metrics, dict):
        raise InputError(f"results.scores[{index}] has no metrics", path=str(path),
                         field=f"results.scores[{index}].metrics", fix=HOW)

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
            raise sidecar.error(f"metric {wanted_metric!r} is not among the metrics of {path.name}",
                                field="metric", fix=f"use one of: {', '.join(map(str, metrics))}")
        raise InputError(f"results.scores[{index}] has neither an accuracy nor a mean metric",
                         path=str(path), field=f"results.scores[{index}].metrics",
                         fix=f"name the 0-1 metric to use with 'metric:' in the sidecar "
                             f"(this log has: {', '.join(map(str, metrics))})")
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
    config = spec.get("config") if isinstance(spec.get("config"), dict) else {}
    epochs = number(config.get("epochs")) or 1.0
    total = number(results.get("total_samples"))
    if total:
        return int(math.ceil(total / epochs))
    dataset = spec.get("dataset") if isinstance(spec.get("dataset"), dict) else {}
    declared = number(dataset.get("samples"))
    if declared:
        return int(declared)
    raise InputError("does not say how many samples were scored", path=str(path),
                     field="results.total_samples", fix=HOW)


def read_runs(source: Path, options: Mapping[str, Any], sidecar: Sidecar) -> list[ToolRun]:
    """One ToolRun per finished inspect-ai eval log."""
    runs: list[ToolRun] = []
    for order, path in enumerate(_files(source)):
        doc = read_json(path, tool="inspect-ai", how=HOW)
        spec = _spec(doc, path)
        if doc["status"] != "success":
            raise InputError(f"the eval did not finish (status {doc['status']!r}), so its score cannot be used",
                             path=str(path), field="status",
                             fix="re-run the eval to completion, or move this log out of SOURCE")
        results = doc.get("results")
        if not isinstance(results, dict):
            raise InputError("has no 'results'", path=str(path), field="results",
                             fix="re-run the eval to completion")
        score, where = _pick_score(results, options, path, sidecar)
        keys = tuple(dict.fromkeys(k for k in (path.name, path.stem, str(spec.get("eval_id") or ""),
                                               str(spec.get("run_id") or "")) if k))
        runs.append(ToolRun(keys=keys, timestamp=parse_timestamp(spec.get("created"), path=path,
                                                                 field="eval.created"),
                            score=score, eval_set_size=_eval_set_size(doc, spec, results, path),
                            origin=str(path), score_source=where, order=order))
    return runs
