"""What each kind's evaluate records beside its measurements: its kind, and each input by name, path,
rows and dates, as the evidence document's provenance and the reviewer's table show them."""

from __future__ import annotations

from pathlib import Path

import pytest

from fmgate.evidence import corpus, cost, domain, eval_set, head_to_head, prompting, usage

from .helpers import AS_OF, COST_MODEL, usage_rows, write_rows


def records(evidence) -> list[tuple]:
    return [(i.name, i.path, i.rows, i.dates) for i in evidence.inputs]


def test_usage_log_records_both_inputs(tmp_path: Path) -> None:
    log = write_rows(tmp_path / "usage.csv", usage_rows("2026-10-01", 3))
    tc = write_rows(
        tmp_path / "tc.csv",
        [
            {"date": "2026-09-05", "description": "x", "meaningful": True},
            {"date": "2026-07-01", "description": "y", "meaningful": False},
        ],
    )
    evidence = usage.evaluate(log, tc, memo_date="2026-11-02", as_of=AS_OF)
    assert evidence.kind == "usage_log"
    assert records(evidence) == [
        ("usage_log", str(log), 3, ("2026-10-01", "2026-10-03")),
        ("task_changes", str(tc), 2, ("2026-07-01", "2026-09-05")),
    ]


def test_head_to_head_records_the_benchmark_and_the_eval_set(tmp_path: Path) -> None:
    items = write_rows(tmp_path / "eval.csv", [{"id": "a", "input": "q", "expected": "x"}])
    bench = write_rows(
        tmp_path / "h2h.csv",
        [
            {"item_id": i, "system": s, "score": 0.9, "cost_usd": 0.01, "run_date": d}
            for i in ("a", "zz")
            for s, d in (("candidate", "2026-10-30"), ("buy", "2026-11-01"))
        ],
    )
    evidence = head_to_head.evaluate(bench, items, resamples=10, as_of=AS_OF)
    assert evidence.kind == "head_to_head"
    assert records(evidence) == [
        ("head_to_head", str(bench), 4, ("2026-10-30", "2026-11-01")),
        ("eval_set", str(items), 1, None),
    ]
    assert list(evidence.data["paired"].index) == ["a"]  # the plot shows the items measured, not "zz"


def test_eval_set_records_the_items_and_the_domain_data(tmp_path: Path) -> None:
    items = write_rows(
        tmp_path / "eval.jsonl",
        [{"id": "a", "input": "q", "expected": "x"}, {"id": "b", "input": "r", "expected": "y"}],
    )
    data = write_rows(tmp_path / "domain.csv", [{"id": "t", "text": "q", "quality": "high"}])
    evidence = eval_set.evaluate(items, data, as_of=AS_OF)
    assert evidence.kind == "eval_set"
    assert records(evidence) == [("eval_set", str(items), 2, None), ("domain_data", str(data), None, None)]
    assert evidence.data["flags"]["overlap"].tolist() == [True, False]


def test_prompting_log_records_its_input(tmp_path: Path) -> None:
    path = write_rows(
        tmp_path / "log.csv",
        [
            {
                "iteration": 1,
                "timestamp": "2026-10-01T09:00:00Z",
                "practitioner": "p",
                "seniority": "senior",
                "hours": 1.0,
                "variant": "few_shot",
                "score": 0.5,
                "eval_set_size": 10,
            }
        ],
    )
    evidence = prompting.evaluate(path, as_of=AS_OF)
    assert evidence.kind == "prompting_log"
    assert records(evidence) == [("prompting_log", str(path), 1, ("2026-10-01", "2026-10-01"))]


@pytest.mark.parametrize(
    "module, kind, rows",
    [
        (domain, "domain_data", [{"id": "a", "text": "t", "quality": "high"}]),
        (
            corpus,
            "corpus_manifest",
            [
                {
                    "shard": "s",
                    "tokens": 1,
                    "sha256": "a" * 64,
                    "source": "crm",
                    "proprietary": True,
                    "domain_relevant": True,
                    "quality": "high",
                }
            ],
        ),
    ],
)
def test_streamed_kinds_record_their_input(tmp_path: Path, module, kind: str, rows: list[dict]) -> None:
    path = write_rows(tmp_path / f"{kind}.csv", rows)
    evidence = module.evaluate(path, as_of=AS_OF)
    assert evidence.kind == kind and evidence.valid
    assert records(evidence) == [(kind, str(path), None, None)]


def test_cost_model_records_its_input(tmp_path: Path) -> None:
    path = tmp_path / "cost.yaml"
    path.write_text(COST_MODEL)
    evidence = cost.evaluate(path)
    assert evidence.kind == "cost_model"
    assert records(evidence) == [("cost_model", str(path), None, None)]


def test_the_usage_logs_own_checks_count_when_task_changes_are_given(tmp_path: Path) -> None:
    rows = usage_rows("2026-10-01", 28)
    rows[3]["calls"] = -1
    log = write_rows(tmp_path / "usage.csv", rows)
    tc = write_rows(tmp_path / "tc.csv", [{"date": "2026-09-05", "description": "x", "meaningful": False}])
    evidence = usage.evaluate(log, tc, memo_date="2026-11-02", as_of=AS_OF)
    assert not evidence.valid and evidence.measurements == {}
    assert {o.rule.input for o in evidence.outcomes} == {"usage_log", "task_changes"}


@pytest.mark.parametrize("kind", ["usage_log", "prompting_log", "head_to_head", "domain_data"])
def test_dates_after_as_of_are_in_the_future(tmp_path: Path, kind: str) -> None:
    """as_of, not the clock, is the day after which a date is in the future."""
    as_of = "2026-10-10"
    if kind == "usage_log":
        evidence = usage.evaluate(write_rows(tmp_path / "u.csv", usage_rows("2026-10-01", 28)), as_of=as_of)
    elif kind == "prompting_log":
        evidence = prompting.evaluate(
            write_rows(
                tmp_path / "p.csv",
                [
                    {
                        "iteration": 1,
                        "timestamp": "2026-10-20T09:00:00Z",
                        "practitioner": "p",
                        "seniority": "senior",
                        "hours": 1.0,
                        "variant": "few_shot",
                        "score": 0.5,
                        "eval_set_size": 10,
                    }
                ],
            ),
            as_of=as_of,
        )
    elif kind == "head_to_head":
        evidence = head_to_head.evaluate(
            write_rows(
                tmp_path / "h.csv",
                [
                    {"item_id": "a", "system": s, "score": 0.9, "cost_usd": 0.01, "run_date": "2026-10-20"}
                    for s in ("candidate", "buy")
                ],
            ),
            resamples=10,
            as_of=as_of,
        )
    else:
        # domain_data has no date column: its suite does not depend on as_of, and the data is valid
        evidence = domain.evaluate(
            write_rows(tmp_path / "d.csv", [{"id": "a", "text": "t", "quality": "high"}]), as_of=as_of
        )
        assert evidence.valid
        return
    assert not evidence.valid
    assert any("future" in e and "2026-10-10" in e for e in evidence.all_errors())


@pytest.mark.parametrize(
    "change, field",
    [
        ({"scenarios": {"name": "a", "calls_per_day": 1, "growth_per_quarter": 0}}, "scenarios"),
        ({"horizon_quarters": 2.5}, None),
    ],
)
def test_cost_models_that_cannot_be_projected(tmp_path: Path, change: dict, field: str | None) -> None:
    import yaml

    from fmgate.errors import InputError

    path = tmp_path / "cost.yaml"
    path.write_text(yaml.safe_dump({**yaml.safe_load(COST_MODEL), **change}))
    if field:
        with pytest.raises(InputError) as caught:
            cost.evaluate(path)
        assert caught.value.field == field
    else:
        evidence = cost.evaluate(path, horizon_quarters=None)
        assert not evidence.valid and "whole number" in " ".join(evidence.all_errors())
