"""Shared fixtures: the real OPA binary and throwaway decision repositories."""

from __future__ import annotations

import os
import shutil
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from fmgate.engine import find_opa
from pg_server import PostgresServer
from repo_fixtures import MINIMAL_SETTINGS, REPO_ROOT


@pytest.fixture(scope="session")
def opa_bin() -> str:
    # The real engine is a hard requirement: `make test` installs it.
    return find_opa()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A real PostgreSQL server for the session (Debian's package; make test installs it)."""
    server = PostgresServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def tiny_policies(tmp_path: Path) -> Path:
    """A minimal policy set, for engine mechanics independent of fmgate's rules."""
    policies = tmp_path / "policies"
    (policies / "decision").mkdir(parents=True)
    (policies / "decision" / "decision.rego").write_text(
        textwrap.dedent("""\
        package fmgate.decision

        decision := {"allowed": input.x == 1, "owners": data.fmgate.config.decision_owners} if {
            input.x
        }
        """)
    )
    (policies / "decision" / "decision_test.rego").write_text("package fmgate.decision_test\n")
    return policies


@pytest.fixture
def decision_repo(tmp_path: Path) -> Path:
    """A copy of this repository's policies, schemas and settings, with no memos yet."""
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copytree(REPO_ROOT / "policies", root / "policies")
    if (REPO_ROOT / "schemas").is_dir():
        shutil.copytree(REPO_ROOT / "schemas", root / "schemas")
    (root / "fmgate.yaml").write_text(MINIMAL_SETTINGS)
    (root / "memos").mkdir()
    (root / "evidence").mkdir()
    return root


# --- hypothesis profiles (the fuzz tests, tests/test_fuzz_*.py) ------------------------------
# "ci" (default) keeps `make test` fast and repeatable: few, derandomized examples. "long" is the
# benchmark-style run: HYPOTHESIS_PROFILE=long python -m pytest tests/test_fuzz_*.py. Neither
# writes an example database into the work tree.
from hypothesis import HealthCheck, settings  # noqa: E402

_SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
settings.register_profile(
    "ci",
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=_SLOW_OK,
    print_blob=True,
)
settings.register_profile(
    "long", max_examples=2000, deadline=None, database=None, suppress_health_check=_SLOW_OK, print_blob=True
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
