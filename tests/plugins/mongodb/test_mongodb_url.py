"""The MongoDB store URL: the database from the path, our defaults, and no password in errors."""

from __future__ import annotations

import pytest

from core_server.storage.errors import StorageUnavailable
from session_core_mongodb import MongoStore
from session_core_mongodb.url import DEFAULT_OPTIONS, parse_url
from tests.support.postgres import free_port

PASSWORD = "s3cr%40t-p4ss"  # percent-encoded "@"
DECODED_PASSWORD = "s3cr@t-p4ss"


def test_the_database_comes_from_the_path_and_the_url_passes_through() -> None:
    url = "mongodb://app:pw@db1:27017,db2:27017/sessions?replicaSet=rs0&tls=true"
    parsed = parse_url(url)
    assert (parsed.database, parsed.uri) == ("sessions", url)
    assert parsed.options == DEFAULT_OPTIONS


def test_our_defaults_apply_only_where_the_url_sets_nothing() -> None:
    assert DEFAULT_OPTIONS["w"] == "majority"
    parsed = parse_url("mongodb://h/db?w=1&SERVERSELECTIONTIMEOUTMS=50")
    assert parsed.options == {"retryReads": False, "appname": "session-core"}


@pytest.mark.parametrize(
    "url",
    [
        "mongodb://host",
        "mongodb://host/",
        "mongodb://host/a.b",
        "mongodb://host/a$b",
        "mongodb://host/" + "x" * 64,
        "postgresql://host/db",
        "host/db",
    ],
)
def test_urls_without_a_usable_database_are_refused(url: str) -> None:
    with pytest.raises(ValueError):
        parse_url(url)


def test_a_url_pymongo_refuses_is_a_value_error_without_the_password() -> None:
    with pytest.raises(ValueError) as info:
        MongoStore.from_url(f"mongodb://app:{PASSWORD}@host/db?serverSelectionTimeoutMS=x")
    assert PASSWORD not in str(info.value) and DECODED_PASSWORD not in str(info.value)
    assert info.value.__cause__ is None


def test_an_unreachable_server_is_unavailable_and_the_password_is_masked() -> None:
    url = f"mongodb://app:{PASSWORD}@127.0.0.1:{free_port()}/db?serverSelectionTimeoutMS=200"
    with pytest.raises(StorageUnavailable) as info:
        MongoStore.from_url(url)
    assert PASSWORD not in str(info.value) and DECODED_PASSWORD not in str(info.value)
    assert parse_url(url).redact(f"x {DECODED_PASSWORD} y {PASSWORD}") == "x *** y ***"
