"""The PostgreSQL store URL: parsing, pool bounds, libpq options and redacted errors.

A URL libpq rejects is a configuration error naming storage_url; one that fails only
when connecting is a storage error. Either way the message holds no fragment of the
password, however malformed the URL is.
"""

from __future__ import annotations

import pytest

from core_server.errors import ConfigError
from core_server.storage import registry
from core_server.storage.errors import StorageError, StorageUnavailable
from session_core_postgres import PostgresStore
from session_core_postgres._connections import KEEPALIVE_DEFAULTS
from session_core_postgres.url import parse_url
from tests.support.postgres import APP_ROLE, PostgresCluster

MIN_FRAGMENT = 3


@pytest.mark.parametrize(
    "query",
    [
        "pool_size=3",
        "pool_max=0",
        "pool_max=1001",
        "pool_max=x",
        "pool_min=3&pool_max=2",
        "pool_timeout=0",
        "pool_timeout=0.009",
        "pool_timeout=300.5",
        "pool_timeout=inf",
        "pool_timeout=nan",
        "pool_max=2&pool_max=3",
        "no_such_libpq_option=1",
    ],
)
def test_bad_pool_or_libpq_parameters_are_value_errors(query: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_url(f"postgresql://app:s3cret-pw@127.0.0.1:5432/db?{query}")
    assert "s3cret-pw" not in str(caught.value)


def test_pool_bounds_are_inclusive() -> None:
    parsed = parse_url("postgresql://app@h/db?pool_max=1000&pool_min=1000&pool_timeout=0.01")
    assert (parsed.pool_min, parsed.pool_max, parsed.pool_timeout) == (1000, 1000, 0.01)
    assert parse_url("postgresql://app@h/db?pool_timeout=300").pool_timeout == 300


@pytest.mark.parametrize("url", ["sqlite:///x.db", "postgresql+psycopg2://u@h/db", "u@h/db"])
def test_other_url_forms_are_rejected(url: str) -> None:
    with pytest.raises(ValueError, match="expected postgresql://"):
        parse_url(url)


def test_our_parameters_are_stripped_and_libpq_ones_kept() -> None:
    parsed = parse_url(
        "postgres://app:p%40ss@db.internal:6432/sessions"
        "?pool_min=0&pool_max=4&pool_timeout=2.5&sslmode=require&application_name=core%201"
    )
    assert parsed.dsn == (
        "postgres://app:p%40ss@db.internal:6432/sessions?sslmode=require&application_name=core%201"
    )
    assert (parsed.pool_min, parsed.pool_max, parsed.pool_timeout) == (0, 4, 2.5)
    assert parsed.password == "p@ss"
    assert "p@ss" not in repr(parsed)


@pytest.mark.parametrize("option", ["port=notaport", "sslmode=bogus", "connect_timeout=abc"])
def test_a_url_libpq_rejects_is_a_configuration_error(
    postgres_cluster: PostgresCluster, option: str
) -> None:
    url = f"{postgres_cluster.fresh_url()}?{option}"
    with pytest.raises(ConfigError) as caught:
        registry.open_store("postgres", url)
    assert caught.value.key == "storage_url"
    assert option.partition("=")[2] in str(caught.value)
    _assert_no_fragment(caught.value, postgres_cluster.password)


# Each password is written so that libpq and Python split the URL differently.
MALFORMED = {
    "a second @": "p@ssw0rd",
    "a bad escape": "Tr0ub%40dor%3A%",
    "a slash": "pass/word",
    "a question mark": "pass?word",
}


@pytest.mark.parametrize("password", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_url_never_shows_a_fragment_of_the_password(
    postgres_cluster: PostgresCluster, password: str
) -> None:
    url = (
        f"postgresql://{APP_ROLE}:{password}@127.0.0.1:{postgres_cluster.port}/db?connect_timeout=2"
    )
    with pytest.raises((ConfigError, StorageError)) as caught:
        registry.open_store("postgres", url)
    _assert_no_fragment(caught.value, password)
    assert "***" in str(caught.value)  # libpq quoted the credentials, masked


def test_error_messages_never_contain_the_password(postgres_cluster: PostgresCluster) -> None:
    good = postgres_cluster.fresh_url()
    wrong_password = good.replace(postgres_cluster.password, "Wr0ng-Pa55w0rd-xyz")
    with pytest.raises(StorageUnavailable) as caught:
        PostgresStore.from_url(wrong_password)
    _assert_no_fragment(caught.value, "Wr0ng-Pa55w0rd-xyz")
    assert "28P01" in str(caught.value) or "authentication failed" in str(caught.value)
    assert f'user "{APP_ROLE}"' in str(caught.value)  # the user name is no secret

    refused = "postgresql://app:Wr0ng-Pa55w0rd-xyz@127.0.0.1:1/db?connect_timeout=2"
    with pytest.raises(StorageUnavailable) as caught:
        PostgresStore.from_url(refused)
    _assert_no_fragment(caught.value, "Wr0ng-Pa55w0rd-xyz")


def test_connections_carry_keepalive_defaults(postgres_cluster: PostgresCluster) -> None:
    options = _connection_options(postgres_cluster.fresh_url())
    assert {key: options.get(key) for key in KEEPALIVE_DEFAULTS} == {
        "keepalives": "1",
        "keepalives_idle": "5",
        "keepalives_interval": "2",
        "keepalives_count": "3",
        "tcp_user_timeout": "10000",
    }


def test_the_urls_own_keepalive_settings_win(postgres_cluster: PostgresCluster) -> None:
    url = postgres_cluster.fresh_url(keepalives_idle=30, tcp_user_timeout=0)
    options = _connection_options(url)
    assert (options.get("keepalives_idle"), options.get("tcp_user_timeout")) == ("30", "0")
    assert (options.get("keepalives"), options.get("keepalives_count")) == ("1", "3")


def _connection_options(url: str) -> dict[str, str]:
    """The libpq options of a connection the store opened (libpq's view, not ours)."""
    store = PostgresStore.from_url(url)
    try:
        with store._db._pool.connection() as conn:
            return dict(conn.get_dsn_parameters())
    finally:
        store.close()


def _assert_no_fragment(exc: BaseException, secret: str) -> None:
    texts = [str(exc), repr(exc)]
    # What a logged traceback would print of the chain, too.
    cause = exc.__cause__
    while cause is not None:
        texts.append(str(cause))
        cause = cause.__cause__
    for start in range(len(secret) - MIN_FRAGMENT + 1):
        fragment = secret[start : start + MIN_FRAGMENT]
        leaks = [text for text in texts if fragment in text]
        assert not leaks, f"{fragment!r} leaked in {leaks}"
