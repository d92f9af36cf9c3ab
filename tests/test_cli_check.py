"""`fmgate check` end to end: real memos, the repository's policies, a real OPA server."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from fmgate.cli import main
from fmgate.engine import Engine

COMPLETE_BUY = """---
id: reply-drafting
title: Draft support replies with a bought model
workload: support-reply-drafting
workload_shape: standard
decision: buy
status: proposed
date: 2026-11-02
owner: dana.kim
proposer: {team: support, type: in-house, person: ana.ruiz}
reviewers: [lee.wong]
engineering_started: null
supersedes: null
buy_alternative: {provider: example-ai, model: frontier-1, deployment: public-api}
dimensions: {criticality: supportive, workflow_complexity: simple, control_need: low}
candidates:
  buy: "Meets the quality bar today."
  fine-tune: "Volume is far below where distillation pays."
  build: "We do not sell models."
rationale_tags: [quality]
gates_claimed: []
evidence: {}
---
A complete buy memo.
"""

INCOMPLETE_BUY = """---
id: half-done
title: Half a memo
workload: contract-summaries
decision: buy
status: proposed
date: 2026-11-02
owner: someone.else
candidates: {buy: "fine"}
---
"""


def write(repo: Path, name: str, text: str) -> Path:
    path = repo / "memos" / name
    path.write_text(text)
    return path


def run(repo: Path, *args: str) -> int:
    return main(["--repo", str(repo), *args])


def test_complete_buy_is_approved(decision_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    memo = write(decision_repo, "reply.md", COMPLETE_BUY)
    assert run(decision_repo, "check", str(memo), "--now", "2026-11-24") == 0
    out = capsys.readouterr().out
    assert out.startswith("APPROVED  memos/reply.md")


def test_incomplete_buy_is_denied_with_memo_rule_ids(decision_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    memo = write(decision_repo, "half.md", INCOMPLETE_BUY)
    assert run(decision_repo, "check", str(memo), "--format", "json", "--now", "2026-11-24") == 1
    document = json.loads(capsys.readouterr().out)
    ids = {v["id"] for v in document["violations"]}
    assert {
        "MEMO-FIELDS",
        "MEMO-OWNER",
        "MEMO-REVIEW",
        "MEMO-CANDIDATES",
        "MEMO-BUY-ALTERNATIVE",
        "MEMO-DIMENSIONS",
    } <= ids
    assert document["outcome"] == "denied" and document["allowed"] is False
    assert document["supported"] == "buy"
    assert all(v.get("fix") for v in document["violations"])


def test_several_memos_print_a_list_and_deny_if_any_is_denied(
    decision_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write(decision_repo, "reply.md", COMPLETE_BUY)
    bad = write(decision_repo, "half.md", INCOMPLETE_BUY)
    assert run(decision_repo, "check", str(good), str(bad), "--format", "json", "--now", "2026-11-24") == 1
    documents = json.loads(capsys.readouterr().out)
    assert [d["outcome"] for d in documents] == ["approved", "denied"]


def test_conflict_across_the_repository(decision_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    memo = write(decision_repo, "reply.md", COMPLETE_BUY)
    write(decision_repo, "rival.md", COMPLETE_BUY.replace("id: reply-drafting", "id: rival-drafting"))
    assert run(decision_repo, "check", str(memo), "--format", "json", "--now", "2026-11-24") == 1
    ids = {v["id"] for v in json.loads(capsys.readouterr().out)["violations"]}
    assert ids == {"MEMO-CONFLICT"}


@pytest.mark.parametrize(
    "text, words",
    [
        (COMPLETE_BUY.replace("decision: buy", "decision: sell"), "field 'decision'"),
        (COMPLETE_BUY.replace("reviewers: [lee.wong]", "reviewers: {a: 1}"), "field 'reviewers'"),
        (COMPLETE_BUY.replace("evidence: {}", "evidence: {usage_log: ../../etc/passwd}"), "outside the repository"),
        (COMPLETE_BUY.replace("title: Draft", "title: [Draft"), "YAML cannot be read"),
        ("no front matter at all\n", "'---'"),
    ],
)
def test_bad_input_exits_2_naming_file_and_field(
    decision_repo: Path, capsys: pytest.CaptureFixture[str], text: str, words: str
) -> None:
    memo = write(decision_repo, "bad.md", text)
    assert run(decision_repo, "check", str(memo)) == 2
    err = capsys.readouterr().err
    assert "memos/bad.md" in err and words in err and "fix:" in err


def test_oversized_memo_exits_2(decision_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    memo = write(decision_repo, "huge.md", COMPLETE_BUY + "x" * (600 * 1024))
    assert run(decision_repo, "check", str(memo)) == 2
    assert "larger than" in capsys.readouterr().err


def test_duplicate_ids_exit_2(decision_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    memo = write(decision_repo, "reply.md", COMPLETE_BUY)
    write(decision_repo, "copy.md", COMPLETE_BUY)
    assert run(decision_repo, "check", str(memo)) == 2
    assert "also used by" in capsys.readouterr().err


def test_bad_date_option_exits_2(decision_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    memo = write(decision_repo, "reply.md", COMPLETE_BUY)
    assert run(decision_repo, "check", str(memo), "--now", "tomorrow") == 2


def test_bad_threshold_override_exits_2(decision_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    memo = write(decision_repo, "reply.md", COMPLETE_BUY)
    settings = decision_repo / "fmgate.yaml"
    settings.write_text(settings.read_text().replace("thresholds: {}", "thresholds: {cost_quality_ratio: 1.2}"))
    assert run(decision_repo, "check", str(memo)) == 2
    assert "thresholds.cost_quality_ratio" in capsys.readouterr().err


def test_opa_missing_exits_3(
    decision_repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    memo = write(decision_repo, "reply.md", COMPLETE_BUY)
    monkeypatch.setenv("FMGATE_OPA_BIN", str(tmp_path / "no-opa"))
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr("fmgate.engine.__file__", str(tmp_path / "x" / "y" / "engine.py"))
    assert run(decision_repo, "check", str(memo)) == 3
    assert "opa binary was not found" in capsys.readouterr().err


def test_opa_failing_to_start_exits_3(
    decision_repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    memo = write(decision_repo, "reply.md", COMPLETE_BUY)
    fake = tmp_path / "opa"
    fake.write_text("#!/bin/sh\necho 'listen: address already in use' >&2\nexit 1\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("FMGATE_OPA_BIN", str(fake))
    assert run(decision_repo, "check", str(memo)) == 3
    err = capsys.readouterr().err
    assert "exited during start-up" in err and "address already in use" in err


def test_broken_policy_exits_3_never_approves(decision_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    memo = write(decision_repo, "reply.md", COMPLETE_BUY)
    (decision_repo / "policies" / "fmgate" / "broken.rego").write_text("package fmgate.broken\n\nx if {\n")
    assert run(decision_repo, "check", str(memo)) == 3
    assert "APPROVED" not in capsys.readouterr().out


def test_remote_opa_is_used_when_configured(
    decision_repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, opa_bin: str
) -> None:
    memo = write(decision_repo, "reply.md", COMPLETE_BUY)
    with Engine.start_local(decision_repo / "policies", opa_bin=opa_bin) as remote:
        monkeypatch.setenv("FMGATE_OPA_URL", remote.base_url)
        monkeypatch.setenv("FMGATE_OPA_TOKEN", remote.token)
        assert run(decision_repo, "check", str(memo), "--now", "2026-11-24") == 0
        assert "differ" not in capsys.readouterr().err
        extra = decision_repo / "policies" / "fmgate" / "decision" / "decision.rego"
        extra.write_text(extra.read_text() + "\n# a local edit the server does not have\n")
        assert run(decision_repo, "check", str(memo), "--now", "2026-11-24") == 0
        assert "differ from this repository's" in capsys.readouterr().err
        monkeypatch.setenv("FMGATE_OPA_TOKEN", "wrong")
        assert run(decision_repo, "check", str(memo)) == 3


def test_unreachable_remote_opa_exits_3(
    decision_repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    memo = write(decision_repo, "reply.md", COMPLETE_BUY)
    monkeypatch.setenv("FMGATE_OPA_URL", "http://127.0.0.1:9")
    assert run(decision_repo, "check", str(memo)) == 3
    assert "did not become healthy" in capsys.readouterr().err


def test_explain_prints_the_policy_annotation(decision_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(decision_repo, "explain", "ft-cost-volume") == 0
    out = capsys.readouterr().out
    assert out.startswith("FT-COST-VOLUME:") and "cost_at_scale" in out
    assert run(decision_repo, "explain", "FT-COST-NOPE") == 2
    assert "FT-COST-VOLUME" in capsys.readouterr().err
    assert run(decision_repo, "explain") == 0
    listing = capsys.readouterr().out
    assert "MEMO-OWNER" in listing and "PROV-TAMPER" in listing


@pytest.mark.parametrize(
    "line, field",
    [
        ("date: 2026-13-45", "date"),
        ("date: 2026-02-30", "date"),
        ("engineering_started: 2026-01-01 25:00:00", "engineering_started"),
        ("proposer: {team: support, type: !!int x}", "proposer.type"),
        ("owner: !!binary /w==", "owner"),
    ],
)
def test_a_value_yaml_cannot_build_is_bad_input_not_a_denial(
    decision_repo: Path, capsys: pytest.CaptureFixture[str], line: str, field: str
) -> None:
    key = line.split(":")[0]
    text = "\n".join(line if row.startswith(f"{key}:") else row for row in COMPLETE_BUY.splitlines()) + "\n"
    assert line in text
    memo = write(decision_repo, "bad.md", text)
    row = text.splitlines().index(line) + 1
    assert run(decision_repo, "check", str(memo), "--now", "2026-11-24") == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "APPROVED" not in captured.out
    assert f"memos/bad.md:{row}: field '{field}'" in captured.err and "fix:" in captured.err


def test_a_bad_date_in_the_settings_is_bad_input(decision_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    memo = write(decision_repo, "reply.md", COMPLETE_BUY)
    settings = decision_repo / "fmgate.yaml"
    settings.write_text(
        settings.read_text().replace("thresholds: {}", "thresholds: {evidence_max_age_days: 2026-13-45}")
    )
    assert run(decision_repo, "check", str(memo)) == 2
    err = capsys.readouterr().err
    assert "fmgate.yaml:4: field 'thresholds.evidence_max_age_days'" in err and "fix:" in err


def test_an_unexpected_exception_is_no_traceback_and_no_approval(
    decision_repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    memo = write(decision_repo, "reply.md", COMPLETE_BUY)

    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("something nobody foresaw")

    monkeypatch.setattr("fmgate.commands.check.decide_all", broken)
    assert run(decision_repo, "check", str(memo), "--now", "2026-11-24") == 3
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "APPROVED" not in captured.out
    assert "internal error" in captured.err and "something nobody foresaw" in captured.err
    assert "nothing was approved" in captured.err
