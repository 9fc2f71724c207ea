"""Local verification in the Python driver, each token seen for the first time, vs `sig`.

Starts one core (SQLite, RS256, default settings), mints distinct access tokens through
it and verifies them with `SessionVerifier` as an application would (default settings:
revocation feed and verified-token cache on), every token new to the verifier, so each
one costs a full signature check. The baseline is a bare single-thread `cryptography`
RS256 verify of the same tokens (bench/driver_verify.py: `bare`), alternated with the
driver in batches so a busy machine slows both alike; each rate is the median over all
batches of all repeats. Target: the driver keeps at least 0.7 of the bare rate.
"""

from __future__ import annotations

import functools
import statistics
import tempfile
from pathlib import Path

from bench.core_process import API_KEY, started_core
from bench.driver_verify import Verify, bare, interleaved, mint, published_key
from bench.figures import AtLeast, Figure
from bench.settings import Settings
from session_core_driver import SessionCoreClient, SessionVerifier

FULL_TOKENS = 2000
QUICK_TOKENS = 300
BATCH = 100
TARGET = 0.7


def figures(settings: Settings) -> list[Figure]:
    """The `driver_verify` figure (tokens/s, first sight) against the bare verify."""
    count = QUICK_TOKENS if settings.quick else FULL_TOKENS
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'driver.sqlite3'}"
        with (
            started_core("sqlite", url, Path(folder)) as core,
            SessionCoreClient(core.target, api_key=API_KEY, timeout=30) as client,
        ):
            base_times, times = _measure(client, mint(client, count), settings.repeats)
    return [
        Figure(
            "driver_verify",
            "",
            1 / statistics.median(times),
            "tokens/s",
            baseline="sig",
            baseline_value=1 / statistics.median(base_times),
            target=AtLeast(TARGET),
            note=f"first sight, {count} tokens, interleaved with the bare verify",
        )
    ]


def _measure(
    client: SessionCoreClient, tokens: list[str], repeats: int
) -> tuple[list[float], list[float]]:
    """(bare, driver) seconds per token of every batch of every repeat."""
    shared = SessionVerifier(client)  # loads the JWKS and the revocation snapshot once
    shared.verify(client.create_session("bench-warmup").tokens.access_token)
    baseline = bare(published_key(client, tokens[0]))
    base_times: list[float] = []
    times: list[float] = []
    try:
        # One verifier per repeat, so every token is new to the verifier measuring it.
        for _ in range(repeats):
            fresh = functools.partial(_fresh_verify, client, shared)
            base, driver = interleaved(baseline, fresh, tokens, BATCH, 0)
            base_times += base
            times += driver
    finally:
        if shared.revocations is not None:
            shared.revocations.stop()
    return base_times, times


def _fresh_verify(client: SessionCoreClient, shared: SessionVerifier) -> Verify:
    """A new verifier's `verify` (empty cache) sharing the loaded JWKS and revocations."""
    verifier = SessionVerifier(client, jwks=shared.jwks, revocations=shared.revocations)
    return verifier.verify
