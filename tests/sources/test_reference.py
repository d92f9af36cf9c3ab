"""Resolving a memo's reference against fmgate.yaml: what the trusted settings allow, and nothing else."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from fmgate.config import load_config
from fmgate.errors import InputError
from fmgate.memo import EvidenceRef, Memo
from fmgate.repo import Repository
from fmgate.sources import resolve
from fmgate.sources.reference import local_paths
from repo_fixtures import MINIMAL_SETTINGS

SOURCES = """\
sources:
  warehouse: {kind: sql, url_env: WAREHOUSE_URL, tables: [llm_calls]}
  adhoc: {kind: sql, url_env: ADHOC_URL, queries: true}
  demo: {kind: sql, url: "sqlite:///data/demo.sqlite"}
  lake: {kind: dataset, root: /mnt/lake, engine: spark}
spark: {master: "spark://cluster:7077"}
"""


def config(decision_repo: Path, extra: str = SOURCES) -> Any:
    (decision_repo / "fmgate.yaml").write_text(MINIMAL_SETTINGS + extra)
    return load_config(decision_repo, Repository(decision_repo).policy_defaults())


def ref(**fields: Any) -> EvidenceRef:
    return EvidenceRef.model_validate(fields)


def test_a_table_on_the_list_resolves_with_the_variable_not_the_url(decision_repo: Path) -> None:
    resolved = resolve(
        "usage_log",
        ref(source="warehouse", table="llm_calls", columns={"date": "day"}, pin={"digest": "sha256:" + "a" * 64}),
        config(decision_repo),
        decision_repo,
        "memos/m.md",
    )
    assert resolved.to_json() == {
        "input": "usage_log",
        "kind": "sql",
        "label": "warehouse:llm_calls",
        "source": "warehouse",
        "columns": {"date": "day"},
        "pin": {"digest": "sha256:" + "a" * 64},
        "url_env": "WAREHOUSE_URL",
        "table": "llm_calls",
        "engine": "arrow",
    }


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"source": "elsewhere", "table": "t"}, "evidence.usage_log.source", "not in fmgate.yaml"),
        ({"source": "warehouse", "table": "secrets"}, "evidence.usage_log.table", "is not one fmgate.yaml lets"),
        ({"source": "warehouse", "query": "select 1"}, "evidence.usage_log.query", "does not accept queries"),
        ({"source": "adhoc", "query": "select 1; drop table t"}, "evidence.usage_log.query", "without ';'"),
        (
            {"source": "warehouse", "table": "llm_calls", "pin": {"as_of": "2026-11-01T00:00:00Z"}},
            "evidence.usage_log.pin",
            "needs pin.column",
        ),
        ({"source": "lake", "table": "llm_calls"}, "evidence.usage_log.source", "not SQL"),
    ],
)
def test_what_the_settings_do_not_allow_is_refused(
    decision_repo: Path, fields: dict[str, Any], field: str, words: str
) -> None:
    fields.setdefault("pin", {"digest": "sha256:" + "a" * 64})
    with pytest.raises(InputError, match=words) as raised:
        resolve("usage_log", ref(**fields), config(decision_repo), decision_repo, "memos/m.md")
    assert raised.value.field == field and raised.value.path == "memos/m.md"


@pytest.mark.parametrize("dataset", ["../outside/*.parquet", "/etc/x.parquet", "s3://bucket/x.parquet"])
def test_a_dataset_stays_below_its_root(decision_repo: Path, dataset: str) -> None:
    with pytest.raises(InputError, match="relative to its source's root"):
        resolve(
            "domain_data",
            ref(source="lake", dataset=dataset, pin={"digest": "sha256:" + "a" * 64}),
            config(decision_repo),
            decision_repo,
            "memos/m.md",
        )


def test_a_dataset_on_spark_takes_the_master_and_its_snapshot(decision_repo: Path) -> None:
    resolved = resolve(
        "domain_data",
        ref(source="lake", dataset="domain/snapshot={snapshot}/*.parquet", pin={"snapshot": "2026-11-01"}),
        config(decision_repo),
        decision_repo,
        "memos/m.md",
    )
    assert resolved.location == "/mnt/lake/domain/snapshot=2026-11-01/*.parquet"
    assert (resolved.engine, resolved.master) == ("spark", "spark://cluster:7077")
    assert local_paths(resolved) == []  # outside the repository: nothing to show the kernel


def test_local_files_the_kernel_must_see(decision_repo: Path) -> None:
    cfg = config(decision_repo)
    demo = resolve(
        "usage_log", ref(source="demo", table="calls", pin={"digest": "sha256:" + "a" * 64}), cfg, decision_repo, "m"
    )
    assert local_paths(demo) == ["data/demo.sqlite"]
    in_repo = resolve(
        "domain_data",
        ref(dataset="evidence/m/inputs/domain/*.parquet", pin={"digest": "sha256:" + "a" * 64}),
        cfg,
        decision_repo,
        "m",
    )
    assert local_paths(in_repo) == ["evidence/m/inputs/domain"]


@pytest.mark.parametrize(
    ("evidence", "words"),
    [
        ({"domain_data": {"source": "warehouse", "table": "t"}}, "domain_data cannot be read from a SQL source"),
        ({"usage_log": {"dataset": "x/*.parquet"}}, "usage_log cannot be read as a dataset"),
        ({"usage_log": {"path": "a.csv", "table": "t", "source": "w"}}, "exactly one of path"),
        ({"usage_log": {"table": "t"}}, "needs a source"),
        ({"usage_log": {"path": "a.csv", "pin": {"digest": "sha256:" + "a" * 64}}}, "belong to inputs read in place"),
        ({"usage_log": {"source": "w", "table": "t;drop"}}, "should match pattern"),
    ],
)
def test_the_memo_model_refuses_references_that_cannot_work(evidence: dict[str, Any], words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        Memo.model_validate({"evidence": evidence})


@pytest.mark.parametrize(
    ("settings", "words"),
    [
        ('sources: {w: {kind: sql, url: "postgresql://me:secret@db/x"}}', "credentials never go in fmgate.yaml"),
        ("sources: {w: {kind: sql}}", "needs url_env"),
        ("sources: {l: {kind: dataset}}", "needs a root"),
        ("sources: {l: {kind: dataset, root: /x, url_env: X}}", "belong to SQL sources"),
        ("sources: {w: {kind: sql, url_env: lower-case}}", "should match pattern"),
    ],
)
def test_settings_that_would_leak_or_cannot_work_are_bad_input(decision_repo: Path, settings: str, words: str) -> None:
    with pytest.raises(InputError, match=words) as raised:
        config(decision_repo, textwrap.dedent(settings) + "\n")
    assert raised.value.path == "fmgate.yaml"


def test_sources_are_not_policy_data(decision_repo: Path) -> None:
    data = config(decision_repo).policy_data()
    assert "sources" not in data and "spark" not in data
