"""Settings are validated at start: a bad one stops the core with a message naming it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from core_server.config_sources import from_settings, unknown_environment
from core_server.errors import ConfigError
from tests.support.core_process import environment_without_settings

VALID: dict[str, Any] = {
    "api_keys": "k" * 16,
    "master_secrets": "m1:" + "A" * 43,
    "data_dir": "/tmp/session-core-config-test",
}
BAD = [
    ("port", 7390.7),
    ("port", "http"),
    ("leeway_seconds", 1.9),
    ("leeway_seconds", True),
    ("issuer", ["a", "b"]),
    ("issuer", 5),
    ("api_keys", 123),
    ("api_keys", {"a": 1}),
    ("api_keys", "short"),
    ("master_secrets", 5),
    ("master_secrets", "m1:tooshort"),
    ("data_dir", 5),
    ("data_dir", ""),
    ("default_deadline_seconds", "inf"),
    ("default_deadline_seconds", 1e300),
    ("absolute_lifetime_seconds", "1" + "0" * 400),
    ("absolute_lifetime_seconds", 10**12),
    ("sweep_interval_seconds", "1e300"),
    ("max_message_bytes", 10_000_000_000),
    ("grace_window_seconds", "nan"),
    ("grace_window_seconds", 1000),
    ("max_session_data_bytes", 4 * 1024 * 1024),
    ("signing_algorithm", "HS256"),
    ("no_such_setting", 1),
]


@pytest.mark.parametrize(("key", "value"), BAD, ids=[f"{k}={str(v)[:20]}" for k, v in BAD])
def test_bad_setting_names_its_key(key: str, value: Any) -> None:
    with pytest.raises(ConfigError) as raised:
        from_settings({**VALID, key: value})
    assert raised.value.key == key
    assert "0" * 100 not in str(raised.value)  # a huge bad value is not echoed whole


def test_whole_floats_and_numeric_strings_are_accepted() -> None:
    config = from_settings({**VALID, "port": "7390", "leeway_seconds": 5.0, "threads": "8"})
    assert (config.port, config.leeway_seconds, config.threads) == (7390, 5, 8)


def test_relative_data_dir_is_resolved_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    config = from_settings({**VALID, "data_dir": "relative/dir"})
    assert config.data_dir == tmp_path / "relative" / "dir"
    assert config.effective_storage_url == f"sqlite:///{tmp_path}/relative/dir/sessions.sqlite3"


def test_misspelt_environment_variables_are_reported() -> None:
    env = {"SESSION_CORE_GRACE_WINDOW": "5", "SESSION_CORE_PORT": "1", "SESSION_CORE_TARGET": "x"}
    assert unknown_environment(env) == ["SESSION_CORE_GRACE_WINDOW"]


def serve(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = environment_without_settings() | {"XDG_DATA_HOME": str(tmp_path / "xdg")}
    return subprocess.run(
        [sys.executable, "-m", "core_server", "serve", "--port", "0", *args],
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "args", "key"),
    [
        ({"SESSION_CORE_GRACE_WINDOW_SECONDS": "abc"}, (), "grace_window_seconds"),
        ({"SESSION_CORE_DEFAULT_DEADLINE_SECONDS": "inf"}, (), "default_deadline_seconds"),
        ({"SESSION_CORE_MAX_MESSAGE_BYTES": "10000000000"}, (), "max_message_bytes"),
        ({}, ("--data-dir", "/proc/no-such-dir"), "data_dir"),
    ],
)
def test_cli_reports_bad_settings_without_a_traceback(
    tmp_path: Path, env: dict[str, str], args: tuple[str, ...], key: str
) -> None:
    result = serve(tmp_path, env, *args)
    assert result.returncode != 0
    assert f"session-core: configuration error: {key}: " in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_reports_a_non_utf8_config_file(tmp_path: Path) -> None:
    config = tmp_path / "core.toml"
    config.write_bytes(b'issuer = "\xff\xfe"\n')
    result = serve(tmp_path, {}, "--config", str(config))
    assert result.returncode != 0
    assert "session-core: configuration error: config: " in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_names_an_empty_secret_file(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "api-key").write_text("")
    result = serve(tmp_path, {}, "--data-dir", str(data_dir))
    assert result.returncode != 0
    assert f"{data_dir / 'api-key'} is empty" in result.stderr


def test_repr_shows_no_secret() -> None:
    config = from_settings({**VALID, "storage_url": "postgresql://app:hunter2-pw@db.example/s"})
    text = repr(config)
    assert "hunter2-pw" not in text
    assert VALID["api_keys"] not in text
    assert "A" * 43 not in text
    assert "issuer='session-core'" in text  # the rest is still there to debug with
