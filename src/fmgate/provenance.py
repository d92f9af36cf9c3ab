"""Provenance facts for the PROV-* rules: Python measures, the policy decides.

These functions compare hashes and documents; they never approve or deny.
Their output goes into the policy input as `input.provenance`.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Any

from .memo import MemoFile
from .repo import Repository, resolve_inside

CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def input_mismatches(
    repo: Repository, memo: MemoFile, committed: dict[str, Any], regenerated: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Inputs that are not what was recorded of them: in the memo, or in committed evidence.

    A file is compared by its bytes' sha256. An input read in place is
    compared by its content digest: the one CI computed when it regenerated
    the evidence (*regenerated*) where there is one, else the one the
    committed evidence recorded.
    """
    found: list[dict[str, Any]] = []
    refs = memo.memo.evidence or {}
    now = _reference_digests(regenerated or {}) if regenerated is not None else _reference_digests(committed)
    for kind, ref in sorted(refs.items()):
        if ref.path is None:
            pinned = ref.pin.digest if ref.pin else None
            actual = now.get(kind)
            if pinned and actual is not _UNKNOWN and pinned != actual:
                found.append(
                    {
                        "kind": kind,
                        "path": ref.label,
                        "recorded_in": memo.relpath,
                        "recorded": pinned,
                        "actual": actual,
                        "basis": "digest",
                    }
                )
            continue
        path = resolve_inside(repo.root, ref.path, source=memo.relpath, field=f"evidence.{kind}")
        actual_sha = sha256_file(path) if path.is_file() else None
        if ref.sha256 and ref.sha256 != actual_sha:
            found.append(
                {
                    "kind": kind,
                    "path": ref.path,
                    "recorded_in": memo.relpath,
                    "recorded": ref.sha256,
                    "actual": actual_sha,
                }
            )
    for name, document in sorted(committed.items()):
        shown = f"evidence/{memo.memo_id}/{name}.json"
        for item in (document.get("provenance") or {}).get("inputs") or []:
            rel = item.get("path")
            if not isinstance(item, dict) or not isinstance(rel, str):
                continue
            if "sha256" not in item and "digest" in item:
                if regenerated is None:
                    continue  # data in place is only read again where CI regenerates the evidence
                actual = now.get(str(item.get("name")), _UNKNOWN)
                if actual is not _UNKNOWN and item.get("digest") != actual:
                    found.append(
                        {
                            "kind": name,
                            "path": rel,
                            "recorded_in": shown,
                            "recorded": item.get("digest"),
                            "actual": actual,
                            "basis": "digest",
                        }
                    )
                continue
            path = resolve_inside(repo.root, rel, source=shown, field="provenance.inputs")
            actual_sha = sha256_file(path) if path.is_file() else None
            if item.get("sha256") != actual_sha:
                found.append(
                    {
                        "kind": name,
                        "path": rel,
                        "recorded_in": shown,
                        "recorded": item.get("sha256"),
                        "actual": actual_sha,
                    }
                )
    return found


_UNKNOWN: Any = object()


def _reference_digests(documents: dict[str, Any]) -> dict[str, Any]:
    """Input name -> content digest, for the inputs read in place that *documents* record."""
    digests: dict[str, Any] = {}
    for document in documents.values():
        for item in (document.get("provenance") or {}).get("inputs") or []:
            if isinstance(item, dict) and "sha256" not in item and "digest" in item:
                digests[str(item.get("name"))] = item.get("digest")
    return digests


def notebook_mismatches(trusted_notebooks: Path, committed: dict[str, Any], memo_id: str) -> list[dict[str, Any]]:
    """Committed evidence made by a notebook other than the trusted one of the same kind."""
    found = []
    for kind, document in sorted(committed.items()):
        recorded = ((document.get("provenance") or {}).get("notebook") or {}).get("sha256")
        trusted_path = trusted_notebooks / f"{kind}.ipynb"
        trusted = sha256_file(trusted_path) if trusted_path.is_file() else None
        if recorded != trusted:
            found.append(
                {"kind": kind, "evidence": f"evidence/{memo_id}/{kind}.json", "recorded": recorded, "trusted": trusted}
            )
    return found


def _normalise(value: Any) -> Any:
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value)
        return float(f"{value:.9g}")  # ignore last-bit noise, not real differences
    if isinstance(value, dict):
        return {k: _normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    return value


def _differences(left: Any, right: Any, where: str = "") -> list[str]:
    if isinstance(left, dict) and isinstance(right, dict):
        out: list[str] = []
        for key in sorted(set(left) | set(right)):
            out.extend(_differences(left.get(key), right.get(key), f"{where}.{key}" if where else key))
        return out
    if isinstance(left, list) and isinstance(right, list) and len(left) == len(right):
        out = []
        for i, (a, b) in enumerate(zip(left, right)):
            out.extend(_differences(a, b, f"{where}[{i}]"))
        return out
    return [] if left == right else [where or "(document)"]


COMPARED = ("valid", "measurements", "validation")


def tampered(committed: dict[str, Any], regenerated: dict[str, Any], memo_id: str) -> list[dict[str, Any]]:
    """Committed evidence whose content differs from what the trusted notebooks produce now."""
    found = []
    for kind in sorted(set(committed) | set(regenerated)):
        mine, theirs = committed.get(kind), regenerated.get(kind)
        if mine is None:
            continue  # nothing committed: nothing to tamper with
        if theirs is None:
            found.append({"kind": kind, "evidence": f"evidence/{memo_id}/{kind}.json", "fields": ["(not regenerated)"]})
            continue
        left = {k: _normalise(mine.get(k)) for k in COMPARED}
        right = {k: _normalise(theirs.get(k)) for k in COMPARED}
        diffs = _differences(left, right)
        if diffs:
            found.append({"kind": kind, "evidence": f"evidence/{memo_id}/{kind}.json", "fields": diffs[:20]})
    return found


def read_committed(repo: Repository, memo: MemoFile) -> dict[str, Any]:
    """The evidence documents committed beside the memo, as JSON (unreadable ones skipped)."""
    documents = {}
    folder = repo.evidence_dir(memo.memo_id)
    for path in sorted(folder.glob("*.json")):
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            document = {"kind": path.stem, "valid": False, "unreadable": True}
        if isinstance(document, dict):
            documents[path.stem] = document
    return documents
