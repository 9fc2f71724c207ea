"""The `sig` and `sign` baselines: bare RS256 with `cryptography`, single thread.

This is the least work any verifier or issuer of the core's tokens does: an RSA-2048
PKCS#1 v1.5 signature over SHA-256 (the core's RS256 keys: see
core_server/domain/signing_keys.py), on a signing input the size of an access token's.
One thread, because one core worker process signs under one interpreter lock: a
refresh or a create cannot outrun one thread's signatures.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from bench.figures import Figure
from bench.settings import Settings

KEY_BITS = 2048
# A JWT header and claims, base64url-encoded, are about this long for the core's tokens.
SIGNING_INPUT = b"e" * 360
BATCH = 20


def rate(operation: Callable[[], object], seconds: float) -> float:
    """Calls per second of `operation`, run in batches for `seconds`."""
    calls = 0
    started = time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        for _ in range(BATCH):
            operation()
        calls += BATCH
    return calls / elapsed


def operations() -> dict[str, Callable[[], object]]:
    """`sign` and `sig` (verify) as zero-argument calls on a fresh 2048-bit key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    public, pkcs1, sha256 = key.public_key(), padding.PKCS1v15(), hashes.SHA256()
    signature = key.sign(SIGNING_INPUT, pkcs1, sha256)
    return {
        "sign": lambda: key.sign(SIGNING_INPUT, pkcs1, sha256),
        "sig": lambda: public.verify(signature, SIGNING_INPUT, pkcs1, sha256),
    }


def figures(settings: Settings) -> list[Figure]:
    """The median sign and verify rates over `repeats` runs (context figures)."""
    runs: dict[str, list[float]] = {"sign": [], "sig": []}
    calls = operations()
    for call in calls.values():
        rate(call, settings.warmup_seconds / 2)
    for _ in range(settings.repeats):
        for name, call in calls.items():
            runs[name].append(rate(call, settings.seconds / 2))
    notes = {"sign": "bare RS256 sign, 1 thread", "sig": "bare RS256 verify, 1 thread"}
    return [
        Figure(name, "", statistics.median(values), "ops/s", note=notes[name])
        for name, values in runs.items()
    ]
