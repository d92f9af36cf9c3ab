"""The published JSON Schema of the memo front matter (schemas/memo.schema.json).

Generated from the typed model, with the fields the policies require (from
policy data) marked required so editors flag them while writing.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .memo import Memo
from .repo import Repository, find_root

SCHEMA_ID = "https://fmgate.dev/schemas/memo.schema.json"


def memo_schema(required_fields: list[str]) -> dict[str, Any]:
    schema = Memo.model_json_schema(by_alias=True, mode="validation")
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}
    schema["description"] = (
        "Front matter of an fmgate decision memo. Fields marked required are "
        "checked by the MEMO-FIELDS policy; extra fields are allowed."
    )
    schema["required"] = sorted(required_fields)
    return schema


def render(repo: Repository) -> str:
    required = list(repo.policy_defaults().get("required_fields", []))
    return json.dumps(memo_schema(required), indent=2, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="write or check schemas/memo.schema.json")
    parser.add_argument("--check", action="store_true", help="exit 1 when the file is stale")
    args = parser.parse_args(argv)
    repo = Repository(find_root())
    target = repo.root / "schemas" / "memo.schema.json"
    text = render(repo)
    if args.check:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != text:
            print(f"{target} is stale: run 'python -m fmgate.schema'", file=sys.stderr)
            return 1
        return 0
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
