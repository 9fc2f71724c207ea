"""Flask settings parsing (booleans as strings, SameSite spelled as the docs do), the
fail-closed revocation setting, and log lines for a wrong API key or an unreachable core."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask import Flask

from session_core_driver import CoreAuthError, CoreUnavailable
from session_core_driver.flask import SessionCore
from session_core_driver.web.alerts import CoreAlerts
from session_core_driver.web.errors import WebConfigError
from tests.driver.flask.checks import session_message
from tests.driver.flask.conftest import Serve, StartCore
from tests.support.waiting import wait_for

BASE = {
    "SESSION_CORE_API_KEY": "k",
    "SESSION_CORE_API_ORIGIN": "https://api.example.com",
    "SESSION_CORE_REVOCATION_FEED": False,
}


def _installed(**config: Any) -> Any:
    app = Flask(__name__)
    app.config.update(BASE | config)
    SessionCore(app)
    return app.extensions["session_core"]


@pytest.mark.parametrize("value", ["None", "NONE", " none "])
def test_same_site_is_read_case_insensitively(value: str) -> None:
    assert _installed(SESSION_CORE_COOKIE_SAME_SITE=value).web.config.same_site == "none"


@pytest.mark.parametrize("value", ["false", "False", "0", "off", False, 0])
def test_false_strings_are_false(value: Any) -> None:
    ext = _installed(
        SESSION_CORE_COOKIE_SECURE=value,
        SESSION_CORE_COOKIE_SAME_SITE="Lax",
        SESSION_CORE_MOUNT_VIEWS=value,
        SESSION_CORE_CHECK_DATABASE=value,
    )
    assert ext.web.config.secure is False
    assert ext.settings.mount_views is False and ext.settings.check_database is False


@pytest.mark.parametrize("value", ["true", "True", "1", True])
def test_true_strings_are_true(value: Any) -> None:
    ext = _installed(SESSION_CORE_MOUNT_VIEWS=value, SESSION_CORE_COOKIE_SECURE=value)
    assert ext.settings.mount_views is True and ext.web.config.secure is True


@pytest.mark.parametrize("value", ["flase", "2", 2, "maybe"])
def test_unreadable_booleans_are_refused_by_name(value: Any) -> None:
    with pytest.raises(WebConfigError, match="SESSION_CORE_MOUNT_VIEWS"):
        _installed(SESSION_CORE_MOUNT_VIEWS=value)


@pytest.mark.parametrize(
    ("key", "value", "says"),
    [
        ("SESSION_CORE_TIMEOUT", "five", "> 0"),
        ("SESSION_CORE_TIMEOUT", "0", "> 0"),
        ("SESSION_CORE_TIMEOUT", -1.5, "> 0"),
        ("SESSION_CORE_TIMEOUT", "nan", "> 0"),
        ("SESSION_CORE_TIMEOUT", True, "> 0"),
        ("SESSION_CORE_CHANNELS", "0", "from 1 to 64"),
        ("SESSION_CORE_CHANNELS", "2.5", "from 1 to 64"),
        ("SESSION_CORE_CHANNELS", 100000, "from 1 to 64"),
        ("SESSION_CORE_CHANNELS", None, "from 1 to 64"),
        ("SESSION_CORE_LEEWAY", "-1", ">= 0"),
        ("SESSION_CORE_LEEWAY", "thirty", ">= 0"),
        ("SESSION_CORE_LEEWAY", "inf", ">= 0"),
    ],
)
def test_bad_numbers_are_refused_by_name_with_their_range(key: str, value: Any, says: str) -> None:
    with pytest.raises(WebConfigError) as raised:
        _installed(**{key: value})
    assert raised.value.setting == key
    assert says in raised.value.message


def test_numbers_from_strings_as_the_environment_gives_them() -> None:
    core = _installed(
        SESSION_CORE_TIMEOUT=" 2.5 ", SESSION_CORE_CHANNELS="2", SESSION_CORE_LEEWAY="0"
    ).settings.core
    assert (core.timeout, core.channels, core.leeway) == (2.5, 2, 0.0)


@pytest.mark.parametrize(
    "key",
    ["sck_a\nb", "sck_key\r\n", "sck_clé", "sck_\x00", " sck_padded", "sck_tab\t", " "],
)
def test_an_api_key_grpc_metadata_cannot_carry_is_refused_at_start(key: str) -> None:
    with pytest.raises(WebConfigError) as raised:
        _installed(SESSION_CORE_API_KEY=key)
    assert raised.value.setting == "SESSION_CORE_API_KEY"
    if key.strip():
        assert key.strip() not in str(raised.value)  # the message never echoes the key


def test_an_api_key_as_the_core_issues_it_is_accepted() -> None:
    key = "sck_" + "Ab0-_" * 8
    assert _installed(SESSION_CORE_API_KEY=key).settings.core.api_key == key


def test_fail_closed_reaches_the_poller() -> None:
    ext = _installed(SESSION_CORE_REVOCATION_FEED=True, SESSION_CORE_REVOCATION_FAIL_CLOSED="1")
    assert ext.web.verifier.revocations.fail_closed is True
    default = _installed(SESSION_CORE_REVOCATION_FEED=True)
    assert default.web.verifier.revocations.fail_closed is False


def test_core_errors_are_logged_rate_limited_and_without_tokens(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [0.0]
    alerts = CoreAlerts(period=30.0, clock=lambda: now[0])
    caplog.set_level(logging.WARNING, logger="session_core_driver.web")
    for _ in range(3):
        alerts.note(CoreAuthError("UNAUTHENTICATED: unknown API key"))
        alerts.note(CoreUnavailable("UNAVAILABLE: connection refused"))
    levels = [(r.levelno, r.getMessage()) for r in caplog.records]
    assert [level for level, _ in levels] == [logging.ERROR, logging.WARNING]
    now[0] = 31.0
    alerts.note(CoreUnavailable("UNAVAILABLE: connection refused"))
    assert len(caplog.records) == 3


def test_a_wrong_api_key_is_logged_over_http(
    serve: Serve, caplog: pytest.LogCaptureFixture
) -> None:
    server, _ = serve(api_key="not-a-key")
    caplog.set_level(logging.ERROR, logger="session_core_driver.web")
    with server.client() as http:
        for _ in range(3):
            assert http.post("/login", json={"user_id": "u"}).status_code == 500
    errors = [r for r in caplog.records if r.name == "session_core_driver.web"]
    assert len(errors) == 1 and errors[0].levelno == logging.ERROR
    assert "not-a-key" not in errors[0].getMessage()


def test_fail_closed_answers_503_once_the_core_is_gone(serve: Serve, start_core: StartCore) -> None:
    core = start_core()
    server, _ = serve(on_core=core, revocation_feed=True, revocation_fail_closed=True)
    with server.client() as http:
        assert http.post("/login", json={"user_id": "fail-closed"}).status_code == 200
        assert http.get("/me").status_code == 200
        core.stop()
        assert wait_for(lambda: http.get("/me").status_code == 503, 15.0)
        response = http.get("/me")
    assert session_message(response) == (503, "session service unavailable", "core_unavailable")
