"""Fixtures for the evidence tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .helpers import REPO_ROOT, SETTINGS


@pytest.fixture
def decision_repo(tmp_path: Path) -> Path:
    """A decision repository with this checkout's policies, notebooks and schemas, and no memos."""
    root = tmp_path / "repo"
    root.mkdir(parents=True)
    shutil.copytree(REPO_ROOT / "policies", root / "policies")
    shutil.copytree(REPO_ROOT / "notebooks", root / "notebooks")
    shutil.copytree(REPO_ROOT / "schemas", root / "schemas")
    (root / "fmgate.yaml").write_text(SETTINGS)
    (root / "memos").mkdir()
    (root / "evidence").mkdir()
    return root
