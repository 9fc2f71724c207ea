"""Build and run the interop programs of clients/ through scripts/clients."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.support.core_process import CoreProcess, environment_without_settings

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "scripts" / "clients"
LANGUAGES = ("go", "typescript", "java", "rust")
# A cold Rust build on two cores takes about three minutes; the rest far less.
BUILD_TIMEOUT_SECONDS = 900
INTEROP_TIMEOUT_SECONDS = 120
# Per test: one build (when not yet built in this run) plus one interop run.
TEST_TIMEOUT_SECONDS = BUILD_TIMEOUT_SECONDS + INTEROP_TIMEOUT_SECONDS


def run_script(*args: str, timeout: float, env: Mapping[str, str] | None = None) -> str:
    """Run scripts/clients ARGS; fail the test with its output unless it exits 0."""
    result = run_script_status(*args, timeout=timeout, env=env)
    if result.returncode != 0:
        pytest.fail(
            f"scripts/clients {' '.join(args)} exited {result.returncode}:\n{result.stdout}",
            pytrace=False,
        )
    return result.stdout


def run_script_status(
    *args: str, timeout: float, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SCRIPT), *args],
        cwd=REPO_ROOT,
        env=dict(env) if env is not None else None,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        check=False,
    )


def interop_environment(core: CoreProcess, **settings: str) -> dict[str, str]:
    """The program's environment: the core's address, its first API key, and `settings`."""
    return environment_without_settings() | {
        "SESSION_CORE_TARGET": core.target,
        "SESSION_CORE_API_KEY": core.secrets.api_keys[0],
        **settings,
    }


def run_interop(
    language: str, core: CoreProcess, **settings: str
) -> subprocess.CompletedProcess[str]:
    """Run the built program of `language` against `core`; its output and exit code."""
    return run_script_status(
        "interop",
        language,
        timeout=INTEROP_TIMEOUT_SECONDS,
        env=interop_environment(core, **settings),
    )
