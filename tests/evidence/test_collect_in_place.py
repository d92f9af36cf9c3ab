"""collect with a domain dataset read in place: in the repository on Arrow, and under a source's root on Spark."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from fmgate.collect import collect
from fmgate.evidence import datasets
from fmgate.sources.reference import Reference

from .helpers import write_memo


def write_parts(folder: Path) -> None:
    folder.mkdir(parents=True)
    for part in range(3):
        rows = range(part * 40, part * 40 + 40)
        pq.write_table(
            pa.table(
                {
                    "id": [f"ex-{i}" for i in rows],
                    "text": [f"Refund order {i % 25}, charged twice" for i in rows],
                    "quality": ["high" if i % 3 else "medium" for i in rows],
                }
            ),
            folder / f"part-{part}.parquet",
        )


def digest_of(location: Path) -> str:
    return datasets.locate(Reference("domain_data", "dataset", "d", location=str(location))).digest


def domain_document(root: Path, memo_id: str) -> dict:
    return json.loads((root / "evidence" / memo_id / "domain_data.json").read_text())


def test_a_dataset_in_the_repository_and_one_on_spark_give_the_same_evidence(decision_repo: Path) -> None:
    inside = decision_repo / "evidence" / "on-arrow" / "inputs" / "domain"
    write_parts(inside)
    write_memo(
        decision_repo,
        "on-arrow",
        "buy",
        {"domain_data": f'{{dataset: evidence/on-arrow/inputs/domain, pin: {{digest: "{digest_of(inside)}"}}}}'},
    )
    lake = decision_repo / "lake" / "support" / "domain"
    write_parts(lake)
    settings = decision_repo / "fmgate.yaml"
    settings.write_text(
        settings.read_text()
        + 'sources:\n  lake: {kind: dataset, root: lake, engine: spark}\nspark: {master: "local[1]"}\n'
    )
    write_memo(
        decision_repo,
        "on-spark",
        "buy",
        {"domain_data": f'{{source: lake, dataset: support/domain, pin: {{digest: "{digest_of(lake)}"}}}}'},
    )

    for memo_id in ("on-arrow", "on-spark"):
        result = collect(decision_repo, decision_repo / "memos" / f"{memo_id}.md", workers=1)
        assert [(r.kind, r.status, r.valid) for r in result.runs] == [("domain_data", "written", True)], result.runs

    arrow, spark = domain_document(decision_repo, "on-arrow"), domain_document(decision_repo, "on-spark")
    assert arrow["measurements"] == spark["measurements"] and arrow["validation"] == spark["validation"]
    assert arrow["measurements"]["rows_total"] == 120 and arrow["measurements"]["high_quality_unique"] == 25
    arrow_input, spark_input = (d["provenance"]["inputs"][0] for d in (arrow, spark))
    assert (arrow_input["engine"], spark_input["engine"]) == ("arrow", "spark")
    assert arrow_input["digest"] == spark_input["digest"]  # the same files: the same content digest
    assert spark_input["location"] == "lake/support/domain" and spark_input["files"] == 3

    # a part rewritten behind the pin: reuse goes by the pin (CI regenerates, as force does here),
    # and the regenerated evidence says the content no longer matches and is not valid
    pq.write_table(pa.table({"id": ["x"], "text": ["other"], "quality": ["high"]}), inside / "part-1.parquet")
    memo = decision_repo / "memos" / "on-arrow.md"
    assert collect(decision_repo, memo, workers=1).runs[0].status == "reused"
    result = collect(decision_repo, memo, workers=1, force=True)
    assert result.runs[0].valid is False
    assert "no longer matches its pin" in " ".join(result.runs[0].errors)
