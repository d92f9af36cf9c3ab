"""promptfoo results (``promptfoo eval -o results.json``) as prompting-log iterations.

What the file looks like, read from promptfoo's source (promptfoo/promptfoo):

* ``src/types/index.ts``, ``interface OutputFile``: the file written by
  ``--output`` is ``{evalId, results, config, shareableUrl, metadata?}``;
  ``results`` is an ``EvaluateSummaryV3`` (``{version: 3, timestamp, results,
  prompts, stats}``) or, for evals stored in the old layout, an
  ``EvaluateSummaryV2`` whose prompts sit in ``table.head.prompts``.
* ``src/util/output.ts``, ``createOutputData``: builds that object from
  ``Eval.toEvaluateSummary()``; ``metadata.evaluationCreatedAt`` repeats the
  eval's creation time.
* ``src/models/eval.ts``, ``toEvaluateSummary``: ``timestamp`` is the eval's
  creation time (ISO 8601). (The eval record itself is "version 4", the
  normalised storage layout; the summary in the file says ``version: 3``.)
* ``src/evaluator.ts``: ``prompts`` holds one ``CompletedPrompt`` per prompt
  *and provider* (``{id, raw, label, provider, metrics}``, provider in the
  outer loop); ``id`` is a hash of the prompt.
* ``src/models/evalResult.ts``, ``toEvaluateResult``: each entry of
  ``results.results`` is one test run against one prompt:
  ``{promptIdx, promptId, testIdx, provider: {id, label}, success, score,
  failureReason, ...}``; ``promptIdx`` indexes ``prompts``.
* ``PromptMetrics`` (``src/types/index.ts``): ``testPassCount``,
  ``testFailCount``, ``testErrorCount``, and ``score``, the *sum* of the test
  scores (a real export shows 3.18 over five tests).

Mapping: each prompt in ``results.prompts`` (for one provider) is one
iteration, in order of appearance; files are ordered by ``results.timestamp``.
The score is the pass rate on that prompt's tests (``success`` per row; a test
that errored counts as not passed, as in promptfoo's own pass rate) or, with
``score: mean_score`` in the sidecar, the mean of the rows' ``score``. The
eval-set size is the number of distinct test items: ``--repeat N`` (and a
test's ``options.repeat``) gives each repeat its own ``testIdx``
(``src/evaluator.ts``, ``appendRunEvalOptionsForTestCase``), so a test is told
by its ``testCase`` and ``vars`` instead, and counts once however often it ran.
When a file carries no per-test rows, the prompt's ``metrics`` give the same
numbers, the counts divided by the repeat the run recorded
(``runtimeOptions.repeat`` or ``config.evaluateOptions.repeat``). The same eval
saved twice (its ``evalId``) is read once.

Sidecar options: ``provider`` (required when the results hold several
providers: the one whose prompts were being engineered) and ``score``
(``pass_rate``, the default, or ``mean_score``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from . import ToolRun, number, parse_timestamp, read_json, source_files

if TYPE_CHECKING:
    from . import Sidecar

SIDECAR_OPTIONS = frozenset({"provider", "score"})
SCORE_MODES = ("pass_rate", "mean_score")
HOW = "export the eval with 'promptfoo eval -o results.json' (the JSON output, not CSV, HTML or JSONL)"


def _summary(doc: Any, path: Path) -> tuple[dict[str, Any], list[Any], list[Any]]:
    """(summary, prompts, rows) of an OutputFile, or InputError if it is not one."""
    if isinstance(doc, dict) and isinstance(doc.get("eval"), dict) and "status" in doc:
        raise InputError(
            "looks like an inspect-ai eval log, not promptfoo results",
            path=str(path),
            field="--tool",
            fix="import it with --tool inspect-ai",
        )
    summary = doc.get("results") if isinstance(doc, dict) else None
    if not isinstance(summary, dict) or not isinstance(summary.get("results"), list):
        raise InputError(
            "is not a promptfoo results file: expected top-level 'evalId' and 'results' "
            "holding 'results', 'prompts' and 'stats'",
            path=str(path),
            field="SOURCE",
            fix=HOW,
        )
    prompts = summary.get("prompts")
    if not isinstance(prompts, list):
        table = summary.get("table")
        head = table.get("head") if isinstance(table, dict) else None
        prompts = head.get("prompts") if isinstance(head, dict) else None
    if not isinstance(prompts, list) or not all(isinstance(p, dict) for p in prompts):
        raise InputError(
            "is not a promptfoo results file: 'results.prompts' is missing",
            path=str(path),
            field="results.prompts",
            fix=HOW,
        )
    return summary, prompts, summary["results"]


def _provider_filter(files: list[tuple[Path, list[Any]]], wanted: Any, sidecar: Sidecar) -> str | None:
    providers: list[str] = []
    for _, prompts in files:
        for prompt in prompts:
            name = str(prompt.get("provider", ""))
            if name not in providers:
                providers.append(name)
    if wanted is not None:
        if not isinstance(wanted, str) or wanted not in providers:
            raise sidecar.error(
                f"provider {wanted!r} is not in the results",
                field="provider",
                fix=f"use one of: {', '.join(providers)}",
            )
        return wanted
    if len(providers) > 1:
        raise sidecar.error(
            f"the results hold {len(providers)} providers ({', '.join(providers)}) and the prompting log needs one",
            field="provider",
            fix="add 'provider: <the provider whose prompts you engineered>' to the sidecar",
        )
    return None


def _test_item(position: int, row: dict[str, Any]) -> str:
    """What tells one test from another across repeats, which each get their own testIdx."""
    if row.get("testCase") is not None or row.get("vars") is not None:
        return json.dumps([row.get("testCase"), row.get("vars")], sort_keys=True, default=str)
    return f"testIdx {row['testIdx']}" if row.get("testIdx") is not None else f"row {position}"


def _repeat(doc: dict[str, Any]) -> int:
    """How often each test ran (``--repeat``), as the file records it."""
    runtime = doc.get("runtimeOptions")
    config = doc.get("config")
    options = config.get("evaluateOptions") if isinstance(config, dict) else None
    for holder in (runtime, options):
        value = number(holder.get("repeat")) if isinstance(holder, dict) else None
        if value is not None and value >= 1 and value == int(value):
            return int(value)
    return 1


def _score(
    rows: list[dict[str, Any]], metrics: Any, mode: str, repeat: int, path: Path, label: str
) -> tuple[float, int, str]:
    """(score, eval-set size, where it was read from) for one prompt."""
    if rows:
        size = len({_test_item(i, r) for i, r in enumerate(rows)})
        if mode == "pass_rate":
            return sum(1 for r in rows if r.get("success") is True) / len(rows), size, "results.results[].success"
        values = [number(r.get("score")) for r in rows]
        if any(v is None for v in values):
            raise InputError(
                f"a test row of prompt {label!r} has no numeric 'score'",
                path=str(path),
                field="results.results[].score",
                fix=HOW,
            )
        return sum(values) / len(values), size, "results.results[].score"  # type: ignore[arg-type]
    if isinstance(metrics, dict):
        counts = [number(metrics.get(k)) for k in ("testPassCount", "testFailCount", "testErrorCount")]
        total = sum(c for c in counts if c is not None)
        size = int(math.ceil(total / repeat))
        if counts[0] is not None and total > 0:
            if mode == "pass_rate":
                return counts[0] / total, size, "results.prompts[].metrics.testPassCount"
            summed = number(metrics.get("score"))
            if summed is not None:
                return summed / total, size, "results.prompts[].metrics.score"
    raise InputError(
        f"prompt {label!r} has no test results",
        path=str(path),
        field="results.results",
        fix="run the eval to completion and export it again",
    )


def read_runs(source: Path, options: Mapping[str, Any], sidecar: Sidecar) -> list[ToolRun]:
    """One ToolRun per prompt (for the chosen provider) in each promptfoo results file."""
    mode = options.get("score", "pass_rate")
    if mode not in SCORE_MODES:
        raise sidecar.error(f"score is {mode!r}", field="score", fix=f"use one of: {', '.join(SCORE_MODES)}")

    parsed = []
    for path in source_files(source, tool="promptfoo"):
        if path.suffix.lower() != ".json":
            raise InputError(
                f"promptfoo results are read from the JSON export, not a {path.suffix} file",
                path=str(path),
                field="SOURCE",
                fix=HOW,
            )
        doc = read_json(path, tool="promptfoo", how=HOW)
        summary, prompts, rows = _summary(doc, path)
        meta = doc.get("metadata")
        stamp = summary.get("timestamp") or (meta.get("evaluationCreatedAt") if isinstance(meta, dict) else None)
        parsed.append((path, doc, prompts, rows, parse_timestamp(stamp, path=path, field="results.timestamp")))

    provider = _provider_filter([(p[0], p[2]) for p in parsed], options.get("provider"), sidecar)
    runs: list[ToolRun] = []
    order = 0
    for path, doc, prompts, rows, stamp in parsed:
        eval_id = doc.get("evalId")
        for index, prompt in enumerate(prompts):
            if provider is not None and str(prompt.get("provider", "")) != provider:
                continue
            label = str(prompt.get("label") or prompt.get("display") or prompt.get("raw") or f"prompt {index}")
            mine = [r for r in rows if isinstance(r, dict) and r.get("promptIdx") == index]
            score, size, where = _score(mine, prompt.get("metrics"), mode, _repeat(doc), path, label)
            keys = tuple(
                dict.fromkeys(k for k in (label, str(prompt.get("id") or ""), str(prompt.get("raw") or "")) if k)
            )
            runs.append(
                ToolRun(
                    keys=keys,
                    timestamp=stamp,
                    score=score,
                    eval_set_size=size,
                    origin=str(path),
                    score_source=where,
                    order=order,
                    identity=("evalId", f"{eval_id} prompt {index}") if eval_id else None,
                )
            )
            order += 1
    return runs
