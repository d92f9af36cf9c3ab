#!/usr/bin/env python3
"""Write notebooks/<kind>.ipynb, one parameterised notebook per evidence kind.

The notebooks are generated so they stay alike: a title, a cell tagged
``parameters`` (papermill replaces it), a cell that measures and writes the
evidence document, and a cell that draws the plot. They carry no outputs and
no execution counts. Run it after changing NOTEBOOKS below:

    .venv/bin/python scripts/build_notebooks.py          # write
    .venv/bin/python scripts/build_notebooks.py --check  # exit 1 if a notebook is out of date
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]

# kind -> title, explanation, parameters (name, default, comment), measure call, plot call
NOTEBOOKS: dict[str, dict] = {
    "eval_set": {
        "title": "Eval set",
        "about": "Counts the eval items that are usable: unique id, non-blank input and expected "
        "output, no repeated input (after trimming, lower-casing and collapsing whitespace) "
        "and no input that also appears in the domain (training) data.",
        "parameters": [
            (
                "eval_set_path",
                "../evidence/ticket-triage-distillation/inputs/eval_set.jsonl",
                "the eval set (CSV, JSON Lines or Parquet)",
            ),
            ("domain_data_path", None, "the domain data, for the overlap check (None: not checked)"),
            ("batch_size", 262144, "rows per batch when streaming the domain data"),
            ("min_valid_items", 200, "threshold domain_eval_items (for the plot)"),
        ],
        "measure": "eval_set.evaluate(eval_set_path, domain_data_path, as_of=as_of, batch_size=batch_size)",
        "module": "eval_set",
        "plot": "plots.eval_set(evidence, threshold=min_valid_items)",
    },
    "prompting_log": {
        "title": "Prompting log",
        "about": "How much structured prompt engineering was done, by whom, across which variant "
        "families, and whether the best-so-far quality curve has plateaued.",
        "parameters": [
            (
                "prompting_log_path",
                "../evidence/clinical-coding-assistant/inputs/prompting_log.csv",
                "one row per prompt iteration",
            ),
            ("plateau_window", 5, "threshold domain_plateau_window"),
            ("plateau_epsilon", 0.01, "threshold domain_plateau_epsilon (for the plot)"),
            ("prompt_hours", 20, "threshold domain_prompt_hours (for the plot)"),
        ],
        "measure": "prompting.evaluate(prompting_log_path, plateau_window=plateau_window, as_of=as_of)",
        "module": "prompting",
        "plot": "plots.prompting_log(evidence, window=plateau_window, epsilon=plateau_epsilon, "
        "hours_threshold=prompt_hours)",
    },
    "usage_log": {
        "title": "Usage log",
        "about": "Median daily calls over the last window of the usage log, and the meaningful "
        "task-definition changes in each of the four 91-day quarters before the memo date.",
        "parameters": [
            (
                "usage_log_path",
                "../evidence/ticket-triage-distillation/inputs/usage.csv",
                "one row per day (date, calls)",
            ),
            (
                "task_changes_path",
                "../evidence/ticket-triage-distillation/inputs/task_changes.csv",
                "task-definition changes (None: stability not measured)",
            ),
            ("memo_date", "2026-11-02", "the memo's date; the quarters end the day before it"),
            ("window_days", 28, "threshold cost_usage_window_days"),
            ("volume_threshold", 10000000, "threshold cost_volume_calls_per_day (for the plot)"),
        ],
        "measure": "usage.evaluate(usage_log_path, task_changes_path, memo_date=memo_date, "
        "window_days=window_days, as_of=as_of)",
        "module": "usage",
        "plot": "plots.usage_log(evidence, threshold=volume_threshold)",
    },
    "head_to_head": {
        "title": "Head-to-head benchmark",
        "about": "The candidate against the named buy alternative on the organisation's own eval "
        "items: quality, percentiles, cost per useful task, and the quality ratio with a "
        "paired bootstrap interval.",
        "parameters": [
            (
                "head_to_head_path",
                "../evidence/ticket-triage-distillation/inputs/head_to_head.csv",
                "one row per eval item and system",
            ),
            (
                "eval_set_path",
                "../evidence/ticket-triage-distillation/inputs/eval_set.jsonl",
                "the eval set, to check the item ids (None: not checked)",
            ),
            ("useful_task_score", 0.5, "threshold useful_task_score"),
            ("resamples", 10000, "bootstrap resamples"),
            ("seed", 20261102, "bootstrap seed"),
            ("quality_ratio_threshold", 0.95, "threshold cost_quality_ratio (for the plot)"),
        ],
        "measure": "head_to_head.evaluate(head_to_head_path, eval_set_path, useful_task_score=useful_task_score, "
        "resamples=resamples, seed=seed, as_of=as_of)",
        "module": "head_to_head",
        "plot": "plots.head_to_head(evidence, ratio_threshold=quality_ratio_threshold)",
    },
    "cost_model": {
        "title": "Cost model",
        "about": "Projected cost of the buy alternative and of the candidate (inference plus "
        "engineering, training and eval/drift monitoring) under each usage scenario.",
        "parameters": [
            (
                "cost_model_path",
                "../evidence/ticket-triage-distillation/inputs/cost_model.yaml",
                "the cost model (YAML)",
            ),
            ("horizon_quarters", 4, "threshold cost_horizon_quarters (None: the file's horizon)"),
        ],
        "measure": "cost.evaluate(cost_model_path, horizon_quarters=horizon_quarters)",
        "module": "cost",
        "plot": "plots.cost_model(evidence)",
    },
    "domain_data": {
        "title": "Domain data",
        "about": "Deduplicated, non-empty, high-quality domain examples. The file is streamed in "
        "record batches; great-expectations checks a sample and exact checks cover every row.",
        "parameters": [
            (
                "domain_data_path",
                "../evidence/clinical-coding-assistant/inputs/domain_data.csv",
                "one row per example (id, text, quality)",
            ),
            ("batch_size", 262144, "rows per streamed batch"),
            ("sample_rows", 10000, "rows validated by great-expectations (exact checks cover all rows)"),
            ("min_examples", 10000, "threshold domain_examples (for the plot)"),
        ],
        "measure": "domain.evaluate(domain_data_path, batch_size=batch_size, sample_rows=sample_rows, as_of=as_of)",
        "module": "domain",
        "plot": "plots.domain_data(evidence, threshold=min_examples)",
    },
    "corpus_manifest": {
        "title": "Corpus manifest",
        "about": "Tokens in the corpus that frontier providers cannot access: proprietary, "
        "domain-relevant and high quality, each shard's content counted once.",
        "parameters": [
            (
                "corpus_manifest_path",
                "../evidence/legal-foundation-model/inputs/corpus_manifest.csv",
                "one row per shard",
            ),
            ("batch_size", 131072, "rows per streamed batch"),
            ("sample_rows", 10000, "rows validated by great-expectations (exact checks cover all rows)"),
            ("min_tokens", 100000000000, "threshold build_tokens (for the plot)"),
        ],
        "measure": "corpus.evaluate(corpus_manifest_path, batch_size=batch_size, sample_rows=sample_rows, as_of=as_of)",
        "module": "corpus",
        "plot": "plots.corpus_manifest(evidence, threshold=min_tokens)",
    },
}

COMMON_FIRST = [("memo_id", "MEMO", "the memo this evidence belongs to")]
COMMON_LAST = [
    ("as_of", None, "dates after this day count as future (None: today, UTC)"),
    ("thresholds", "THRESHOLDS", "the thresholds this report shows beside the measurements"),
    ("threshold_sources", "SOURCES", "where each threshold is set: policy data or fmgate.yaml"),
    ("memo_path", "../memos/MEMO.md", "the memo, for the policy's verdict (collect passes it in verdict_context)"),
    ("verdict_context", None, "policies, settings, memo and date for the verdict (filled in by collect)"),
    (
        "output_path",
        "../build/lab/KIND.json",
        "where the evidence document goes (in JupyterLab: a scratch copy, never the committed evidence)",
    ),
    ("notebook_path", "../notebooks/KIND.ipynb", "this notebook (collect passes its path from the repository root)"),
]

#: Each step: (heading, what it checks and what passing looks like, code).
STEPS = [
    (
        "Parameters",
        "The values this run used: the inputs, the thresholds and the fixed settings. "
        "`fmgate collect` takes the thresholds from policy data and `fmgate.yaml`.",
        "steps.parameters(parameters)",
    ),
    (
        "Inputs read",
        "Each file the measurement read, with the sha256 that provenance records, its size, rows "
        "and dates. Passing looks like: every input the memo names is listed, and CI finds the same "
        "digests.",
        "steps.inputs(doc)",
    ),
    (
        "Is the evidence valid?",
        "Whether any critical check failed, and for each failure what to fix. "
        "Passing looks like: valid, with nothing to fix.",
        "steps.problems(doc)",
    ),
    (
        "Every great-expectations expectation",
        "Each expectation that ran on each input: its column, its result, "
        "the rows it found unexpected and a few of the failing values. Passing "
        "looks like: no FAIL (a warning is counted by the measurement itself).",
        "steps.expectations(doc)",
    ),
    (
        "Measurements and their thresholds",
        "Each number the policy reads, beside the threshold it is held against "
        "and where that threshold is set. The comparison itself is the policy's "
        "(last step).",
        "steps.measurements(doc, thresholds, threshold_sources)",
    ),
    ("Plot", "The picture a reviewer reads fastest.", "PLOT"),
    (
        "The policy's verdict",
        "The checks this evidence feeds, as OPA evaluates them with this document. "
        "Passing looks like: every check passes. The memo's full decision is "
        "`fmgate check`'s.",
        "steps.verdict(doc, verdict_context or steps.context_from_repository('..', memo_path))",
    ),
]


def parameter_names(kind: str) -> list[str]:
    """The parameter names of a kind's notebook, in cell order."""
    spec = NOTEBOOKS[kind]
    return [name for name, _, _ in COMMON_FIRST + spec["parameters"] + COMMON_LAST]


def _policy_thresholds(kind: str) -> dict[str, object]:
    from fmgate.evidence.steps import threshold_names

    data = json.loads((ROOT / "policies" / "data.json").read_text(encoding="utf-8"))
    shipped = data["fmgate"]["defaults"]["thresholds"]
    return {name: shipped[name] for name in threshold_names(kind)}


def _default(kind: str, value: object) -> object:
    if value == "THRESHOLDS":
        return _policy_thresholds(kind)
    if value == "SOURCES":
        return {name: "policy data" for name in _policy_thresholds(kind)}
    if isinstance(value, str):
        example = next(str(v) for _, v, _ in NOTEBOOKS[kind]["parameters"] if str(v).startswith("../evidence/"))
        return value.replace("KIND", kind).replace("MEMO", example.split("/")[2])
    return value


def defaults(kind: str) -> dict[str, object]:
    """The default value of each parameter of a kind's notebook."""
    spec = NOTEBOOKS[kind]
    return {name: _default(kind, value) for name, value, _ in COMMON_FIRST + spec["parameters"] + COMMON_LAST}


def notebook(kind: str) -> nbformat.NotebookNode:
    spec = NOTEBOOKS[kind]
    params = COMMON_FIRST + spec["parameters"] + COMMON_LAST
    width = max(len(name) for name, _, _ in params)
    lines = ["# Parameters: papermill replaces this cell when fmgate collect runs the notebook."]
    for name, default, comment in params:
        lines.append(f"{name.ljust(width)} = {_default(kind, default)!r}  # {comment}")
    record = ", ".join(f"{name}={name}" for name in parameter_names(kind))
    inputs = ", ".join(
        f"({param.removesuffix('_path')!r}, {param})" for param, _, _ in spec["parameters"] if param.endswith("_path")
    )
    measure = "\n".join(
        [
            "import matplotlib.pyplot as plt",
            "",
            f"from fmgate.evidence import document, plots, steps, {spec['module']}",
            "",
            f"parameters = dict({record})",
            f"evidence = steps.attempt({kind!r}, [{inputs}], lambda: {spec['measure']})",
            "doc = document.build(evidence, memo_id=memo_id, notebook_path=notebook_path, parameters=parameters)",
            "_ = document.write(doc, output_path)  # the path it wrote, not shown",
        ]
    )
    plot = "\n".join(
        [
            f"figure = {spec['plot']}",
            "if figure is None:",
            '    print("No plot: the evidence is not valid (see the failures above).")',
            "else:",
            "    plt.show()",
        ]
    )
    cells = [
        nbformat.v4.new_markdown_cell(
            f"# {spec['title']} evidence\n\n{spec['about']}\n\n"
            "`fmgate collect` runs this notebook with the memo's inputs and the organisation's thresholds; "
            "each step below calls the tested code in `fmgate.evidence`, and the verdict at the end is the "
            "policy's own. The measurements are defined in `docs/policy-input.md`.",
            id=f"{kind}-about",
        ),
        nbformat.v4.new_code_cell("\n".join(lines), id=f"{kind}-parameters", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(measure, id=f"{kind}-measure", metadata={"tags": ["measure"]}),
    ]
    for number, (heading, about, code) in enumerate(STEPS, start=1):
        cells.append(
            nbformat.v4.new_markdown_cell(f"## {number}. {heading}\n\n{about}", id=f"{kind}-step{number}-about")
        )
        cells.append(nbformat.v4.new_code_cell(plot if code == "PLOT" else code, id=f"{kind}-step{number}"))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"},
        "language_info": {"name": "python"},
    }
    return nb


def render(kind: str) -> str:
    return nbformat.writes(notebook(kind)) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report notebooks that differ")
    parser.add_argument("--out", type=Path, default=ROOT / "notebooks")
    args = parser.parse_args(argv)
    stale = []
    for kind in NOTEBOOKS:
        target = args.out / f"{kind}.ipynb"
        text = render(kind)
        if args.check:
            if not target.is_file() or target.read_text(encoding="utf-8") != text:
                stale.append(str(target))
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    if stale:
        print("out of date (run scripts/build_notebooks.py):", *stale, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
