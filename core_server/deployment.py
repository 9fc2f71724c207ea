"""One deployment's parts over one store: keys, service and operations, without a server.

The running core serves these over gRPC (`core_server.app`); the operator CLI opens the
same parts to act on the store directly.
"""

from __future__ import annotations

from dataclasses import dataclass

from core_server.config import Config
from core_server.domain.clock import Clock, Random, SystemClock, SystemRandom
from core_server.domain.key_schedule import KeyPolicy
from core_server.key_manager import KeyManager, KeySettings
from core_server.operations import Operations
from core_server.revocations import RevocationFeed
from core_server.service import SessionService
from core_server.storage.base import SessionStore
from core_server.storage.registry import open_store
from core_server.validation import MAX_ABSOLUTE_LIFETIME_SECONDS


@dataclass(frozen=True)
class Deployment:
    """The parts; `close()` releases storage."""

    store: SessionStore
    keys: KeyManager
    service: SessionService
    operations: Operations

    def close(self) -> None:
        self.store.close()


def key_policy(config: Config) -> KeyPolicy:
    """The signing-key schedule and retention that `config` asks for."""
    return KeyPolicy(
        rotation_seconds=config.signing_key_rotation_seconds,
        publish_lead_seconds=config.jwks_max_age_seconds,
        access_token_lifetime_seconds=config.access_token_lifetime_seconds,
        leeway_seconds=config.leeway_seconds,
        # Per-session lifetimes may exceed the default, never this cap.
        max_session_lifetime_seconds=MAX_ABSOLUTE_LIFETIME_SECONDS,
        propagation_seconds=config.key_poll_interval_seconds,
    )


def open_deployment(
    config: Config, clock: Clock | None = None, rng: Random | None = None, *, serving: bool = True
) -> Deployment:
    """Open the store and load the keys; raises `ConfigError` on bad secrets.

    A serving deployment creates missing keys and rotates them on schedule; one opened
    for an operator command (`serving=False`) writes keys only when told to, and refuses
    a store without keys.
    """
    clock, rng = clock or SystemClock(), rng or SystemRandom()
    store = open_store(config.storage, config.effective_storage_url)
    try:
        policy = key_policy(config)
        settings = KeySettings(config.signing_algorithm, policy, maintain=serving)
        keys = KeyManager(store, config.master_secrets, settings, clock, rng)
        service = SessionService(config, store, keys, clock, rng)
        feed = RevocationFeed(
            store, config.session_feed_retention_seconds, config.feed_overlap_seconds
        )
        operations = Operations(store, keys, feed, policy, clock)
    except BaseException:
        store.close()
        raise
    return Deployment(store, keys, service, operations)
