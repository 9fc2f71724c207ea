"""The operator commands, run as an operator would: `session-core ...` against a real store.

A core serves one SQLite store while the commands act on it (the conformance suite runs
the key commands on PostgreSQL too); `secrets rotate` and `migrate` get stores of their
own. Expected values come from the core's gRPC answers and from the stored rows, never
from the command's own code. Every command's output is checked for secrets: the API
keys, the master secrets and every token this module was given.
"""

from __future__ import annotations

import secrets
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from core_server.config_sources import from_settings
from core_server.deployment import open_deployment
from sessioncore.v1 import session_service_pb2 as pb
from tests.support.core_process import (
    CoreFactory,
    CoreProcess,
    CoreSecrets,
    environment_without_settings,
)
from tests.support.grpc_helpers import (
    Api,
    assert_outcome,
    assert_session_ended,
    create_session,
    get_session,
    listed_handles,
    new_user,
    random_handle,
    refresh_tokens,
    seconds,
    verify_tokens,
)
from tests.support.keys import (
    KeyRow,
    OperatorRun,
    RolloutSecrets,
    jwks,
    kek_row,
    key_rows,
    kid_of,
    run_operator,
    run_operator_at,
    secret_texts,
)
from tests.support.storage import SqliteInspector
from tests.support.waiting import wait_for

KEY_POLL_SECONDS = 0.5  # the default: the bound below is the documented one (2 s)
# The serving core follows a command's change within this long (4 key polls).
FOLLOW_BOUND_SECONDS = 4 * KEY_POLL_SECONDS
DEFAULT_JWKS_MAX_AGE = 300
LIST_PAGE_SIZE = 100  # the command lists page by page; one user has more than a page
BOTH_OR_NEITHER = "give either session handles or --user"


def iso(value: float | None) -> str | None:
    """A time as the commands print it: UTC, whole seconds."""
    if value is None:
        return None
    return datetime.fromtimestamp(value, UTC).isoformat(timespec="seconds")


def assert_clean(run: OperatorRun, texts: list[str]) -> None:
    """No secret and no traceback in what a command printed."""
    output = run.stdout + run.stderr
    for text in texts:
        assert text not in output, f"{run.argv[3:]} printed a secret"
    assert "Traceback" not in output, run


@dataclass
class Operator:
    """Runs operator commands on the core's store and checks that none prints a secret."""

    core: CoreProcess
    tokens: list[str] = field(default_factory=list)

    def __call__(self, *args: str, as_json: bool = True) -> OperatorRun:
        run = run_operator(self.core, *args, as_json=as_json)
        assert_clean(run, [*secret_texts(self.core.secrets), *self.tokens])
        return run

    def remember(self, tokens: pb.Tokens) -> None:
        found = [tokens.access_token.token, tokens.refresh_token.token, tokens.anti_csrf_token]
        self.tokens += [token for token in found if token]


@pytest.fixture(scope="module")
def core(core_factory: CoreFactory) -> CoreProcess:
    return core_factory.start({"key_poll_interval_seconds": KEY_POLL_SECONDS})


@pytest.fixture(scope="module")
def api(core: CoreProcess) -> Api:
    return core.stub()


@pytest.fixture(scope="module")
def operator(core: CoreProcess) -> Operator:
    return Operator(core)


@pytest.fixture(scope="module")
def inspector(core: CoreProcess) -> SqliteInspector:
    return SqliteInspector(core.db_path)


def session_of(api: Api, operator: Operator, user: str, **client: str) -> pb.CreateSessionResponse:
    created = create_session(api, user, client=pb.ClientMetadata(**client))
    operator.remember(created.tokens)
    return created


def assert_refused(run: OperatorRun, message: str) -> None:
    assert run.status != 0, run
    assert message in run.stderr, run
    assert run.stdout == "", run


# -- sessions ---------------------------------------------------------------------------


def expected_session_line(api: Api, handle: str) -> dict[str, Any]:
    session = get_session(api, handle).session
    expires = min(seconds(session.idle_expires_at), seconds(session.absolute_expires_at))
    return {
        "handle": handle,
        "user_id": session.user_id,
        "created_at": iso(seconds(session.created_at)),
        "last_refreshed_at": iso(seconds(session.last_refreshed_at)),
        "expires_at": iso(expires),
        "user_agent": session.client.user_agent,
        "ip_address": session.client.ip_address,
    }


def test_sessions_list_prints_each_live_session_of_the_user(api: Api, operator: Operator) -> None:
    user = new_user("list")
    created = [
        session_of(api, operator, user, user_agent=f"ua-{i}", ip_address=f"192.0.2.{i}")
        for i in range(3)
    ]
    session_of(api, operator, new_user("other"))
    api.RevokeSessions(pb.RevokeSessionsRequest(handles=[created[1].session.handle]))
    time.sleep(1.0)  # so the refresh time differs from the creation time in whole seconds
    refreshed = refresh_tokens(api, created[2].tokens)
    assert_outcome(refreshed, pb.OUTCOME_OK)
    operator.remember(refreshed.tokens)

    lines = operator("sessions", "list", "--user", user).ok().json_lines()
    live = [created[0].session.handle, created[2].session.handle]
    assert lines == [expected_session_line(api, handle) for handle in live]
    assert lines[1]["last_refreshed_at"] != lines[1]["created_at"]
    assert operator("sessions", "list", "--user", new_user("nobody")).ok().stdout == ""


def test_sessions_list_goes_through_every_page(api: Api, operator: Operator) -> None:
    user = new_user("pages")
    for _ in range(LIST_PAGE_SIZE + 3):
        create_session(api, user, anti_csrf=False)
    lines = operator("sessions", "list", "--user", user).ok().json_lines()
    handles = [line["handle"] for line in lines]
    assert len(set(handles)) == LIST_PAGE_SIZE + 3
    assert handles == listed_handles(api, user)


def test_sessions_revoke_by_handle_ends_those_sessions_only(api: Api, operator: Operator) -> None:
    user = new_user("revoke")
    first, second, kept = (session_of(api, operator, user) for _ in range(3))
    targets = [first.session.handle, second.session.handle]

    run = operator("sessions", "revoke", *targets, random_handle()).ok()
    assert sorted(line["revoked"] for line in run.json_lines()) == sorted(targets)
    for created in (first, second):
        assert_session_ended(verify_tokens(api, created.tokens, check_database=True))
        assert_session_ended(refresh_tokens(api, created.tokens))
    assert_outcome(verify_tokens(api, kept.tokens, check_database=True), pb.OUTCOME_OK)
    feed = api.ListRevocations(pb.ListRevocationsRequest()).revocations
    assert set(targets) <= {entry.session_handle for entry in feed}
    # Revoking again revokes nothing and so prints nothing.
    assert operator("sessions", "revoke", *targets).ok().stdout == ""


def test_sessions_revoke_by_user_ends_every_session_of_that_user(
    api: Api, operator: Operator
) -> None:
    user, other = new_user("revoke-user"), new_user("bystander")
    mine = [session_of(api, operator, user) for _ in range(3)]
    theirs = session_of(api, operator, other)

    run = operator("sessions", "revoke", "--user", user).ok()
    revoked = sorted(line["revoked"] for line in run.json_lines())
    assert revoked == sorted(created.session.handle for created in mine)
    assert listed_handles(api, user) == []
    for created in mine:
        assert_session_ended(verify_tokens(api, created.tokens, check_database=True))
    assert_outcome(verify_tokens(api, theirs.tokens, check_database=True), pb.OUTCOME_OK)


def test_sessions_commands_refuse_bad_input_clearly(api: Api, operator: Operator) -> None:
    user = new_user("bad-input")
    created = session_of(api, operator, user)
    handle = created.session.handle

    assert_refused(operator("sessions", "revoke", handle, "--user", user), BOTH_OR_NEITHER)
    assert_refused(operator("sessions", "revoke"), BOTH_OR_NEITHER)
    assert_refused(operator("sessions", "revoke", "not-a-handle"), "handles[0]")
    assert_refused(operator("sessions", "list", "--user", ""), "user_id")
    assert_refused(operator("sessions", "list"), "--user")
    # The refused commands revoked nothing.
    assert_outcome(verify_tokens(api, created.tokens, check_database=True), pb.OUTCOME_OK)
    assert listed_handles(api, user) == [handle]


# -- signing keys -----------------------------------------------------------------------


def signer_kid(api: Api) -> str:
    return kid_of(create_session(api, anti_csrf=False).tokens.access_token.token)


def expected_key_lines(rows: list[KeyRow], signer: str, now: float) -> list[dict[str, Any]]:
    """What `keys list` must print for these rows at `now`: every key but the KEK."""
    lines: list[dict[str, Any]] = []
    for row in sorted(rows, key=lambda r: (r.kind, r.number)):
        line: dict[str, Any] = {"kid": row.key_id, "kind": row.kind, "slot": row.slot}
        if row.kind == "kek":
            continue
        if row.kind != "signing":
            lines.append(line | {"created_at": iso(row.created_at)})
            continue
        assert row.sign_from is not None and row.verify_until is not None
        if row.revoked_at is not None:
            state = "revoked"
        elif row.key_id == signer:
            state = "signing"
        elif row.sign_from > now:
            state = "published"
        else:
            state = "verifying" if now < row.verify_until else "expired"
        times = ("sign_from", "sign_until", "verify_until", "delete_at", "revoked_at")
        line |= {name: iso(getattr(row, name)) for name in times}
        lines.append(line | {"algorithm": row.algorithm, "state": state})
    return lines


def listed_keys(operator: Operator, api: Api, inspector: SqliteInspector) -> list[dict[str, Any]]:
    """`keys list`, checked against the stored rows and the kid the core signs with."""
    signer = signer_kid(api)
    lines = operator("keys", "list").ok().json_lines()
    assert signer_kid(api) == signer, "the signer changed while listing"
    assert lines == expected_key_lines(key_rows(inspector), signer, time.time())
    return lines


def test_keys_list_prints_every_key_and_its_schedule(
    api: Api, operator: Operator, inspector: SqliteInspector
) -> None:
    lines = listed_keys(operator, api, inspector)
    kinds = sorted(line["kind"] for line in lines)
    assert kinds[:3] == ["anti_csrf", "mac", "refresh"] and "signing" in kinds
    assert [line["kid"] for line in lines if line.get("state") == "signing"] == [signer_kid(api)]
    text = operator("keys", "list", as_json=False).ok()
    assert f"kid={signer_kid(api)}" in text.stdout and "state=signing" in text.stdout


def test_keys_rotate_publishes_one_next_key(
    api: Api, operator: Operator, inspector: SqliteInspector
) -> None:
    before = {row.key_id for row in key_rows(inspector)}
    signer = signer_kid(api)
    out = operator("keys", "rotate").ok().single()
    next_kid = out["next_kid"]
    (new,) = [row for row in key_rows(inspector) if row.key_id not in before]
    assert new.key_id == next_kid and new.kind == "signing"
    assert new.sign_from == pytest.approx(new.created_at + DEFAULT_JWKS_MAX_AGE)
    assert out == {"next_kid": next_kid, "published": True, "sign_from": iso(new.sign_from)}
    assert wait_for(lambda: next_kid in jwks(api), timeout=FOLLOW_BOUND_SECONDS)
    assert signer_kid(api) == signer  # published first, signs one max-age later

    # A second rotation finds the key scheduled and creates nothing.
    assert operator("keys", "rotate").ok().single()["next_kid"] == next_kid
    assert len(key_rows(inspector)) == len(before) + 1
    listed = [line for line in listed_keys(operator, api, inspector) if line["kid"] == next_kid]
    assert [line["state"] for line in listed] == ["published"]


def test_keys_revoke_retires_the_signing_key_and_refuses_other_ids(
    api: Api, operator: Operator, inspector: SqliteInspector
) -> None:
    created = session_of(api, operator, new_user("key-revoke"))
    kid = kid_of(created.tokens.access_token.token)

    out = operator("keys", "revoke", kid).ok().single()
    (row,) = [row for row in key_rows(inspector) if row.key_id == kid]
    assert out == {"revoked_kid": kid, "revoked_at": iso(row.revoked_at), "newly_revoked": True}
    assert wait_for(
        lambda: verify_tokens(api, created.tokens).reason == pb.REASON_INVALID_TOKEN,
        timeout=FOLLOW_BOUND_SECONDS,
    )
    assert kid not in jwks(api)
    assert signer_kid(api) != kid
    # Revoking again keeps the first revocation time, and says it was revoked before.
    assert operator("keys", "revoke", kid).ok().single() == {**out, "newly_revoked": False}
    states = {line["kid"]: line.get("state") for line in listed_keys(operator, api, inspector)}
    assert states[kid] == "revoked"

    unknown = "no-such-kid"
    assert_refused(operator("keys", "revoke", unknown), f"no signing key has id {unknown!r}")
    secret_key = next(row for row in key_rows(inspector) if row.kind == "mac")
    assert_refused(operator("keys", "revoke", secret_key.key_id), "no signing key has id")
    (after,) = [row for row in key_rows(inspector) if row.key_id == secret_key.key_id]
    assert after.revoked_at is None, "a refused command changed a key"


# -- secrets and the schema, on stores of their own ----------------------------------------


@dataclass(frozen=True)
class Store:
    """A store no core serves: a settings file and a data dir."""

    root: Path

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def db_path(self) -> Path:
        return self.data_dir / "sessions.sqlite3"

    def run(self, used: CoreSecrets, *args: str) -> OperatorRun:
        run = run_operator_at(self.root / "core.toml", self.data_dir, used, *args)
        assert_clean(run, secret_texts(used))
        return run

    def create_keys(self, used: CoreSecrets) -> None:
        """What a core's first start does to the store: create the deployment's keys."""
        settings = {
            name.removeprefix("SESSION_CORE_").lower(): value
            for name, value in used.environment().items()
        }
        open_deployment(from_settings({**settings, "data_dir": str(self.data_dir)})).close()


@pytest.fixture
def store(tmp_path: Path) -> Store:
    made = Store(tmp_path)
    made.data_dir.mkdir()
    (tmp_path / "core.toml").write_text("", encoding="utf-8")
    return made


def test_commands_refuse_a_store_or_data_dir_that_holds_no_deployment(store: Store) -> None:
    used = CoreSecrets.generate()
    refused = store.run(used, "keys", "list")
    assert_refused(refused, "configuration error: storage_url: this store holds no session-core")
    assert store.run(used, "keys", "list").status == 1  # and created none meanwhile
    # Without configured secrets, a data dir no core used (a typo) is refused, and no
    # secret is generated into it.
    typo = store.root / "typo"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "core_server",
            "sessions",
            "list",
            "--user",
            "u",
            "--data-dir",
            f"{typo}",
        ],
        env=environment_without_settings(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1, done
    assert "configuration error: master_secrets: none configured and none in" in done.stderr
    assert not (typo / "master-secret").exists() and not (typo / "api-key").exists()


def test_migrate_creates_the_schema_and_can_run_again(store: Store) -> None:
    used = CoreSecrets.generate()
    assert store.run(used, "migrate").ok().json_lines() == [{"migrated": "sqlite"}]
    with sqlite3.connect(store.db_path) as conn:
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
    assert {"sessions", "keys"} <= tables
    assert store.run(used, "migrate").ok().json_lines() == [{"migrated": "sqlite"}]


def test_secrets_rotate_adds_secret_keys_and_rewraps_under_the_first_master_secret(
    store: Store,
) -> None:
    m1 = CoreSecrets.generate()
    m2 = RolloutSecrets.of(m1, [("m2", secrets.token_bytes(32)), ("m1", m1.master_secret)])
    inspector = SqliteInspector(store.db_path)
    store.create_keys(m1)

    for used, rewrapped, number in ((m1, False, 2), (m2, True, 3), (m2, False, 4)):
        out = store.run(used, "secrets", "rotate").ok().single()
        assert out["rewrapped"] is rewrapped
        rows = {row.key_id: row for row in key_rows(inspector)}
        slots = sorted(rows[kid].slot for kid in out["new_secret_kids"])
        assert slots == [f"{kind}/{number}" for kind in ("anti_csrf", "mac", "refresh")]
        assert kek_row(inspector).wrapping_key_id == used.master_secret_id

    # Once re-wrapped, the old master secret alone opens nothing.
    refused = store.run(m1, "keys", "list")
    assert_refused(refused, "configuration error: master_secrets:")
    assert_clean(refused, secret_texts(m2))
