"""Rolling a new master secret out under load: no failed call, no token re-issued.

The roll-out an operator follows: core A runs with [m1]; core B starts on the same store
with [m2, m1] (the new secret first, the old one still unwrapping); `session-core secrets
rotate` re-wraps the key-encryption key under m2 and creates new refresh, MAC and
anti-CSRF keys; A stops; core C starts with [m2] alone. Clients keep creating, verifying
and refreshing sessions on B all along, and tokens A issued before the roll-out keep
working on C. Afterwards a core that knows only m1 refuses to start.
"""

from __future__ import annotations

import itertools
import secrets
import threading
import time
from dataclasses import dataclass, field

import pytest

from sessioncore.v1 import session_service_pb2 as pb
from tests.support.core_process import CoreFactory, CoreProcess
from tests.support.grpc_helpers import (
    Api,
    assert_outcome,
    create_session,
    new_user,
    refresh_tokens,
    verify_tokens,
)
from tests.support.keys import (
    OperatorRun,
    RolloutSecrets,
    kek_row,
    key_rows,
    run_operator,
    secret_texts,
    session_pins,
)
from tests.support.storage import BackendSupport, StorageInspector
from tests.support.waiting import sleep_until

JWKS_MAX_AGE_SECONDS = 1  # new secrets are pinned by new sessions one max-age after creation
KEY_POLL_SECONDS = 0.1
LOAD_THREADS = 4
SESSIONS_BEFORE = 3
# B pins the new secrets one max-age after they were created, give or take a key poll.
PINNED_MARGIN_SECONDS = 4 * KEY_POLL_SECONDS + 1.0  # plus a loaded machine's delays
SECRET_KINDS = ("mac", "refresh", "anti_csrf")


@dataclass
class Load:
    """Clients calling one core in a loop; every failed call is recorded, none expected."""

    api: Api
    stop: threading.Event = field(default_factory=threading.Event)
    calls: list[float] = field(default_factory=list)  # when each call returned
    failures: list[str] = field(default_factory=list)
    created: list[tuple[float, str]] = field(default_factory=list)  # (before create, handle)
    lineages: list[tuple[str, pb.Tokens]] = field(default_factory=list)  # long-lived, per thread
    threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        for _ in range(LOAD_THREADS):
            handle_tokens = create_session(self.api, new_user("load"))
            self.lineages.append((handle_tokens.session.handle, handle_tokens.tokens))
        for index in range(LOAD_THREADS):
            thread = threading.Thread(target=self._run, args=(index,), daemon=True)
            thread.start()
            self.threads.append(thread)

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)
            assert not thread.is_alive(), "a load thread hung"

    def _run(self, index: int) -> None:
        while not self.stop.is_set():
            try:
                self._round(index)
            except Exception as exc:  # every failure counts, whatever raised it
                self.failures.append(f"{type(exc).__name__}: {exc}"[:300])

    def _round(self, index: int) -> None:
        handle, tokens = self.lineages[index]
        self.lineages[index] = (handle, self._refresh_and_verify(tokens))
        started = time.time()
        created = create_session(self.api, new_user("load"))
        self.created.append((started, created.session.handle))
        self._ok(verify_tokens(self.api, created.tokens, check_database=True))
        self._refresh_and_verify(created.tokens)

    def _refresh_and_verify(self, tokens: pb.Tokens) -> pb.Tokens:
        refreshed = refresh_tokens(self.api, tokens)
        self._ok(refreshed)
        self._ok(verify_tokens(self.api, refreshed.tokens, check_database=True))
        return refreshed.tokens

    def _ok(self, response: pb.RefreshSessionResponse | pb.VerifySessionResponse) -> None:
        self.calls.append(time.time())
        if response.outcome != pb.OUTCOME_OK:
            self.failures.append(
                f"{pb.Outcome.Name(response.outcome)} ({pb.Reason.Name(response.reason)})"
            )


@dataclass(frozen=True)
class Rollout:
    old_core: CoreProcess
    new_only_core: CoreProcess
    both: RolloutSecrets
    issued_before: list[tuple[str, pb.Tokens]]
    old_pins: dict[str, str]
    load: Load
    rotate: OperatorRun
    marks: dict[str, float]  # when each step began or ended
    inspector: StorageInspector


@pytest.fixture(scope="module")
def rollout(core_factory: CoreFactory, backend: BackendSupport) -> Rollout:
    settings = {
        "jwks_max_age_seconds": JWKS_MAX_AGE_SECONDS,
        "key_poll_interval_seconds": KEY_POLL_SECONDS,
    }
    old_core = core_factory.start({"storage": backend.name, **settings}, url_for=backend.url_for)
    inspector = backend.inspector(old_core)
    shared = {"storage": backend.name, "storage_url": old_core.config["storage_url"], **settings}
    m1 = (old_core.secrets.master_secret_id, old_core.secrets.master_secret)
    m2 = ("m2", secrets.token_bytes(32))
    both = RolloutSecrets.of(old_core.secrets, [m2, m1])

    issued_before = [issue(old_core.stub()) for _ in range(SESSIONS_BEFORE)]
    old_pins = session_pins(inspector, issued_before[0][0])
    marks: dict[str, float] = {}
    serving = core_factory.start(shared, secrets=both)
    load = Load(serving.stub())
    load.start()
    try:
        marks["b started"] = time.time()
        time.sleep(0.3)
        marks["rotate"] = time.time()
        rotate = run_operator(serving, "secrets", "rotate", secrets=both).ok()
        marks["rotated"] = time.time()
        assert old_core.stop() == 0
        marks["a stopped"] = time.time()
        new_only = core_factory.start(shared, secrets=RolloutSecrets.of(old_core.secrets, [m2]))
        marks["c started"] = time.time()
        # Long enough for sessions to be created after the new secrets are pinned.
        sleep_until(marks["rotated"] + JWKS_MAX_AGE_SECONDS + PINNED_MARGIN_SECONDS + 0.4)
    finally:
        load.finish()
    marks["end"] = time.time()
    return Rollout(
        old_core, new_only, both, issued_before, old_pins, load, rotate, marks, inspector
    )


def issue(api: Api) -> tuple[str, pb.Tokens]:
    """A session refreshed once (so it has a predecessor), with its current tokens."""
    created = create_session(api, new_user("before"), claims={"era": "m1"})
    refreshed = refresh_tokens(api, created.tokens)
    assert_outcome(refreshed, pb.OUTCOME_OK)
    return created.session.handle, refreshed.tokens


def test_the_master_secret_rolls_out_under_load_with_no_failed_call(rollout: Rollout) -> None:
    load, marks = rollout.load, rollout.marks
    assert load.failures == [], f"{len(load.failures)} failed calls: {load.failures[:5]}"
    steps = ["b started", "rotate", "rotated", "a stopped", "c started", "end"]
    for begin, end in itertools.pairwise(steps):
        during = [t for t in load.calls if marks[begin] <= t < marks[end]]
        assert during, f"no call completed between {begin!r} and {end!r}"

    out = rollout.rotate.single()
    assert out["rewrapped"] is True
    new_kids = out["new_secret_kids"]
    rows = {row.key_id: row for row in key_rows(rollout.inspector)}
    assert sorted(rows[kid].kind for kid in new_kids) == sorted(SECRET_KINDS)
    assert kek_row(rollout.inspector).wrapping_key_id == "m2"
    for text in secret_texts(rollout.both):
        assert text not in rollout.rotate.stdout + rollout.rotate.stderr


def test_sessions_pin_the_new_secrets_after_a_max_age_and_old_ones_keep_theirs(
    rollout: Rollout,
) -> None:
    new_kids = set(rollout.rotate.single()["new_secret_kids"])
    pinned_from = rollout.marks["rotated"] + JWKS_MAX_AGE_SECONDS + PINNED_MARGIN_SECONDS
    late = [handle for started, handle in rollout.load.created if started >= pinned_from]
    early = [
        handle for started, handle in rollout.load.created if started < rollout.marks["rotate"]
    ]
    assert late and early
    for handle in late:
        assert set(session_pins(rollout.inspector, handle).values()) == new_kids
    for handle in early + [handle for handle, _ in rollout.load.lineages]:
        assert session_pins(rollout.inspector, handle) == rollout.old_pins


def test_C8_tokens_issued_before_the_rollout_work_on_a_core_with_only_the_new_secret(
    rollout: Rollout,
) -> None:
    api = rollout.new_only_core.stub()
    for _, tokens in rollout.issued_before + rollout.load.lineages:
        assert_outcome(verify_tokens(api, tokens, check_database=True), pb.OUTCOME_OK)
        refreshed = refresh_tokens(api, tokens)
        assert_outcome(refreshed, pb.OUTCOME_OK)
        assert_outcome(verify_tokens(api, refreshed.tokens, check_database=True), pb.OUTCOME_OK)
    assert_outcome(refresh_tokens(api, create_session(api).tokens), pb.OUTCOME_OK)


def test_a_core_knowing_only_the_retired_master_secret_refuses_to_start(
    rollout: Rollout, core_factory: CoreFactory
) -> None:
    shared = {key: rollout.new_only_core.config[key] for key in ("storage", "storage_url")}
    with pytest.raises(RuntimeError) as failed:
        core_factory.start(shared, secrets=rollout.old_core.secrets)
    message = str(failed.value)
    assert "exit code 1" in message
    assert "session-core: configuration error: master_secrets:" in message
    assert "'m2'" in message  # names the secret the keys are wrapped under
    for text in secret_texts(rollout.both):
        assert text not in message
