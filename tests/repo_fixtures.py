"""Constants the test modules share (imported by name: a module called conftest is ambiguous here)."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]

MINIMAL_SETTINGS = """\
decision_owners: [dana.kim, priya.rao]
senior_reviewers: [lee.wong, sam.ortiz]
required_approvals: 1
thresholds: {}
opa: {url: null, token_env: null}
"""
