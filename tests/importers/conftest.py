"""Fixtures written by promptfoo and inspect-ai themselves.

scripts/make_log_fixtures.sh remakes them; fixtures/VERSIONS names the tool versions.
"""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES
