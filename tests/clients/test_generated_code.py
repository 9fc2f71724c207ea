"""The committed client code is what buf.gen.yaml generates from proto/ today.

`scripts/clients check-generated` installs the pinned plugins, generates into a temporary
folder and compares it with clients/*/(gen); a hand edit, a forgotten regeneration or a
plugin version change fails here. Fix: `scripts/clients generate`, then commit.
"""

from __future__ import annotations

import pytest

from tests.clients.programs import BUILD_TIMEOUT_SECONDS, run_script

pytestmark = [pytest.mark.clients, pytest.mark.slow, pytest.mark.timeout(BUILD_TIMEOUT_SECONDS)]


def test_generated_client_code_is_current() -> None:
    output = run_script("check-generated", timeout=BUILD_TIMEOUT_SECONDS - 30)
    assert "the generated client code is current" in output, output
