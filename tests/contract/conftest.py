"""Fixtures shared by the tests that guard the repository's contracts."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def repo_root() -> Path:
    """The root of the checkout (where pyproject.toml and buf.yaml live)."""
    return REPO_ROOT
