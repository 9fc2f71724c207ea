"""The log scanner finds real tokens and secrets planted in a file, and nothing else."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.core_process import CoreFactory
from tests.support.grpc_helpers import create_session
from tests.support.log_scan import kinds_in, scan_files

CLEAN_LINES = [
    # What core log lines legitimately hold: identifiers, times, counts, paths.
    '{"time": 1796322655.212, "level": "info", "logger": "core_server.key_manager", '
    '"message": "signing key created", "kid": "aKNkGEeZ3AY", "slot": "signing/1"}',
    '{"message": "refresh token reuse detected; session revoked", '
    '"handle": "8FY4vuGQMLHqGxuohJU3Sw", "user_id": "user-0a1b2c3d4e5f"}',
    "session-core: generated api key in /tmp/pytest-of-root/pytest-7/core12/data/api-key",
    '  File "core_server/service.py", line 108, in refresh_session_with_anti_csrf_check_x',
]


def test_the_scanner_finds_each_planted_token_and_secret(
    core_factory: CoreFactory, tmp_path: Path
) -> None:
    core = core_factory.start()
    tokens = create_session(core.stub(), anti_csrf=True).tokens
    secrets = [core.secrets.api_keys[1], core.secrets.master_secret_text]
    planted = {
        "access token (JWT)": tokens.access_token.token,
        "refresh token": tokens.refresh_token.token,
        "anti-CSRF token (43 base64url characters)": tokens.anti_csrf_token,
        "API key or master secret": core.secrets.api_keys[1],
    }
    log = tmp_path / "core.log"
    lines = [*CLEAN_LINES, *(json.dumps({"message": "oops", "v": v}) for v in planted.values())]
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = scan_files([log, tmp_path / "never-written.log"], secrets)

    assert (result.files, result.lines) == (1, len(lines))
    found = {(f.line_number, f.kind) for f in result.findings}
    for number, kind in enumerate(planted, start=len(CLEAN_LINES) + 1):
        assert (number, kind) in found, f"{kind} not found"
    assert all(number > len(CLEAN_LINES) for number, _ in found), "a clean line was flagged"


def test_a_master_secret_alone_is_found(core_factory: CoreFactory) -> None:
    text = core_factory.secrets.master_secret_text
    assert "API key or master secret" in kinds_in(f"secret={text}", [text])
    assert kinds_in("nothing to see here", [text]) == []


def test_findings_never_repeat_the_value(tmp_path: Path) -> None:
    log = tmp_path / "core.log"
    secret = "sck-planted-secret-value-0123456789"
    log.write_text(f"key {secret}\n", encoding="utf-8")
    (finding,) = scan_files([log], [secret]).findings
    assert secret not in str(finding)
    assert str(finding).endswith(":1: API key or master secret")
