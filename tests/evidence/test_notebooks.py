"""The source notebooks: generated, output-free, parameterised the way collect runs them."""

from __future__ import annotations

import importlib.util
import json

import pytest

from fmgate import collect
from fmgate.evidence.specs import KINDS

from .helpers import REPO_ROOT


def builder():
    spec = importlib.util.spec_from_file_location("build_notebooks", REPO_ROOT / "scripts" / "build_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_notebooks_match_the_generator() -> None:
    assert builder().main(["--check"]) == 0


@pytest.mark.parametrize("kind", KINDS)
def test_notebook_has_no_outputs_and_a_parameters_cell_first(kind: str) -> None:
    nb = json.loads((REPO_ROOT / "notebooks" / f"{kind}.ipynb").read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c["outputs"] and c["execution_count"] is None for c in code)
    assert code[0]["metadata"]["tags"] == ["parameters"]
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("kind", KINDS)
def test_collect_passes_every_parameter_the_notebook_has(kind: str) -> None:
    names = set(builder().parameter_names(kind))
    passed = {
        "memo_id",
        "as_of",
        "notebook_path",
        "output_path",
        "thresholds",
        "threshold_sources",
        "memo_path",
        "verdict_context",
    }
    passed |= {p for p, _ in collect.INPUT_PARAMETERS[kind]}
    passed |= set(collect.THRESHOLD_PARAMETERS[kind]) | set(collect.FIXED_PARAMETERS.get(kind, {}))
    if kind == "usage_log":
        passed.add("memo_date")
    assert names == passed


@pytest.mark.parametrize("kind", sorted(collect.FIXED_PARAMETERS))
def test_fixed_parameters_are_the_notebook_defaults(kind: str) -> None:
    defaults = builder().defaults(kind)
    assert {k: defaults[k] for k in collect.FIXED_PARAMETERS[kind]} == collect.FIXED_PARAMETERS[kind]


def test_collect_command_parses_its_options() -> None:
    import argparse

    from fmgate.commands import collect as command

    parser = argparse.ArgumentParser()
    command.add_parser(parser.add_subparsers())
    args = parser.parse_args(
        [
            "collect",
            "memos/a.md",
            "memos/b.md",
            "--kind",
            "usage_log",
            "--kind",
            "cost_model",
            "--force",
            "--workers",
            "1",
            "--no-progress",
        ]
    )
    assert [str(m) for m in args.memos] == ["memos/a.md", "memos/b.md"]
    assert args.kinds == ["usage_log", "cost_model"] and args.force and args.workers == 1
    assert args.progress is False and args.run is command.run
