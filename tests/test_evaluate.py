"""Deciding memos through the library API: batches, their fallback, and the server's start-up."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from fmgate.errors import EngineError, InputError
from fmgate.evaluate import DecisionSession, decide_all
from test_cli_check import COMPLETE_BUY, INCOMPLETE_BUY, write

NOW = dt.date(2026, 11, 24)


def memo_variants(repo: Path) -> None:
    """Memos with different outcomes, including two that conflict with each other."""
    write(repo, "reply.md", COMPLETE_BUY)
    write(repo, "half.md", INCOMPLETE_BUY)
    for i in range(3):
        write(
            repo,
            f"reply-{i}.md",
            COMPLETE_BUY.replace("id: reply-drafting", f"id: reply-{i}").replace(
                "workload: support-reply-drafting", f"workload: support-reply-{i}"
            ),
        )
    write(repo, "rival.md", COMPLETE_BUY.replace("id: reply-drafting", "id: rival"))
    write(
        repo,
        "tuned.md",
        COMPLETE_BUY.replace("id: reply-drafting", "id: tuned")
        .replace("workload: support-reply-drafting", "workload: tuned-replies")
        .replace("decision: buy", "decision: fine-tune")
        .replace("gates_claimed: []", "gates_claimed: [cost_at_scale]"),
    )


def one_by_one(session: DecisionSession) -> dict[str, dict]:
    return {m.memo_id: session.decide(m, NOW).document for m in session.repo.memos}


def test_batches_give_the_documents_of_one_by_one_decisions(decision_repo: Path) -> None:
    memo_variants(decision_repo)
    with DecisionSession.open(decision_repo) as session:
        memos = session.repo.memos
        expected = one_by_one(session)
        batched = session.decide_batch(memos, NOW)
        assert [d.memo.memo_id for d in batched] == [m.memo_id for m in memos]
        assert {d.memo.memo_id: d.document for d in batched} == expected
        for workers in (1, 4):
            decided = decide_all(session, memos, NOW, workers=workers)
            assert {d.memo.memo_id: d.document for d in decided} == expected
    outcomes = {memo_id: doc["outcome"] for memo_id, doc in expected.items()}
    assert outcomes["reply-0"] == "approved" and outcomes["half-done"] == "denied"
    assert outcomes["reply-drafting"] == outcomes["rival"] == "denied"  # MEMO-CONFLICT
    assert outcomes["tuned"] == "denied"


def test_policies_without_the_batch_rule_decide_one_by_one(decision_repo: Path) -> None:
    memo_variants(decision_repo)
    rules = decision_repo / "policies" / "fmgate" / "decision" / "decision.rego"
    with DecisionSession.open(decision_repo) as session:
        expected = one_by_one(session)
    text = rules.read_text()
    start = text.index("# METADATA\n# title: Decisions for a batch")
    end = text.index("default allowed := false")
    rules.write_text(text[:start] + text[end:])
    (decision_repo / "policies" / "fmgate" / "decision" / "decision_test.rego").unlink()
    with DecisionSession.open(decision_repo) as session:
        assert session.engine.query_batch([{"memo": {}}]) is None
        decided = decide_all(session, session.repo.memos, NOW)
    assert {d.memo.memo_id: d.document for d in decided} == expected


def test_a_memo_the_engine_fails_on_is_named_and_nothing_is_approved(decision_repo: Path) -> None:
    memo_variants(decision_repo)
    # a decision document that raises an evaluation error (two values for one rule) for one memo only
    folder = decision_repo / "policies" / "fmgate" / "decision"
    (folder / "faulty.rego").write_text(
        "package fmgate.decision\n\n"
        "default faulty := 0\n\n"
        'faulty := 1 if input.memo.id == "reply-1"\n\n'
        'faulty := 2 if input.memo.id == "reply-1"\n'
    )
    rules = folder / "decision.rego"
    rules.write_text(
        rules.read_text().replace('"memo_id": facts.memo_id,', '"memo_id": facts.memo_id, "faulty": faulty,', 1)
    )
    with DecisionSession.open(decision_repo) as session:
        memos = session.repo.memos
        assert session.decide(next(m for m in memos if m.memo_id == "reply-0"), NOW).allowed
        with pytest.raises(EngineError) as failure:
            decide_all(session, memos, NOW)
    assert failure.value.path == "memos/reply-1.md"
    assert failure.value.exit_code == 3


def test_bad_input_is_reported_even_when_opa_cannot_start(
    decision_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(decision_repo, "reply.md", COMPLETE_BUY)
    write(decision_repo, "broken.md", "---\nid: [unclosed\n---\n")
    monkeypatch.setenv("FMGATE_OPA_BIN", str(tmp_path / "no-opa"))
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr("fmgate.engine.__file__", str(tmp_path / "x" / "y" / "engine.py"))
    with pytest.raises(InputError) as bad:
        DecisionSession.open(decision_repo)
    assert bad.value.path == "memos/broken.md"
    (decision_repo / "memos" / "broken.md").unlink()
    with pytest.raises(EngineError, match="opa binary was not found"):
        DecisionSession.open(decision_repo)


def test_bad_input_stops_the_server_that_was_starting(decision_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(decision_repo, "broken.md", "---\nid: [unclosed\n---\n")
    started = []
    from fmgate import engine as engine_module

    real_start = engine_module.Engine.start_local

    def recording_start(*args, **kwargs):
        engine = real_start(*args, **kwargs)
        started.append(engine)
        return engine

    monkeypatch.setattr(engine_module.Engine, "start_local", recording_start)
    with pytest.raises(InputError):
        DecisionSession.open(decision_repo)
    assert len(started) == 1
    assert started[0].process.poll() is not None  # stopped, not orphaned
