"""The published memo JSON Schema stays in step with the model and the policy data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from fmgate.repo import Repository
from fmgate.schema import render

ROOT = Path(__file__).resolve().parents[1]


def test_published_schema_is_current() -> None:
    published = (ROOT / "schemas" / "memo.schema.json").read_text(encoding="utf-8")
    assert published == render(Repository(ROOT)), "schemas/memo.schema.json is stale: run python -m fmgate.schema"


def test_schema_requires_what_the_policy_requires() -> None:
    schema = json.loads((ROOT / "schemas" / "memo.schema.json").read_text(encoding="utf-8"))
    required = Repository(ROOT).policy_defaults()["required_fields"]
    assert sorted(schema["required"]) == sorted(required)
    Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("memo_path", sorted((ROOT / "memos").glob("*.md")), ids=lambda p: p.stem)
def test_example_memos_match_the_schema_or_are_meant_to_be_incomplete(memo_path: Path) -> None:
    repo = Repository(ROOT)
    memo = repo.load(memo_path)
    view = {k: v for k, v in memo.policy_view().items() if k != "path"}
    schema = json.loads((ROOT / "schemas" / "memo.schema.json").read_text(encoding="utf-8"))
    errors = list(Draft202012Validator(schema).iter_errors(view))
    # the schema's "required" is the editor's view of MEMO-FIELDS; no other error is expected
    assert all(e.validator == "required" for e in errors), [e.message for e in errors]
