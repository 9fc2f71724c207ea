"""Local verification speed of the Python driver, next to a bare `cryptography` verify.

Run: python bench/driver_verify.py [--tokens 4000] [--rounds 3] [--batch 100]

Starts one core (SQLite, RS256, default settings), mints `tokens` distinct access tokens
through it, then verifies them with `SessionVerifier` exactly as an application would
(default settings: revocation poller and verified-token cache on), each token seen for
the first time by that verifier. The baseline, measured in the same run on the same
tokens, is the least any verifier must do: split off the signature, base64url-decode
it and call `RSAPublicKey.verify(signature, signing_input, PKCS1v15(), SHA256())`.

Baseline and driver alternate in batches of `batch` tokens, and each figure is the
median over all batches and rounds, so a shared, busy machine shifts both alike. Also
shown: the driver with its cache off, the warm-cache rate (tokens seen twice before:
the cache admits a token on its second use) and PyJWT's `jwt.decode` if PyJWT is
installed (it is not a dependency).
"""

from __future__ import annotations

import argparse
import base64
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.throughput import API_KEY, running_core
from session_core_driver import SessionCoreClient, SessionVerifier

Verify = Callable[[str], object]


def mint(client: SessionCoreClient, count: int) -> list[str]:
    """`count` distinct access tokens, one per new session (8 calls in flight)."""

    def one(index: int) -> str:
        claims = {"role": "member", "team": index % 7}
        return client.create_session(
            f"bench-{index}", access_token_claims=claims
        ).tokens.access_token

    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(one, range(count)))


def published_key(client: SessionCoreClient, token: str) -> rsa.RSAPublicKey:
    kid = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))["kid"]
    (jwk,) = [k for k in json.loads(client.get_jwks()[0])["keys"] if k["kid"] == kid]

    def number(name: str) -> int:
        return int.from_bytes(base64.urlsafe_b64decode(jwk[name] + "=="), "big")

    return rsa.RSAPublicNumbers(number("e"), number("n")).public_key()


def bare(public_key: rsa.RSAPublicKey) -> Verify:
    pkcs1, sha256 = padding.PKCS1v15(), hashes.SHA256()

    def verify(token: str) -> None:
        signing_input, _, signature = token.rpartition(".")
        raw = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
        public_key.verify(raw, signing_input.encode("ascii"), pkcs1, sha256)

    return verify


def pyjwt(public_key: rsa.RSAPublicKey) -> Verify | None:
    try:
        import jwt  # type: ignore[import-not-found, unused-ignore]  # optional, not a dependency
    except ImportError:
        return None

    def verify(token: str) -> object:
        return jwt.decode(
            token, public_key, algorithms=["RS256"], audience="session-core", issuer="session-core"
        )

    return verify


def timed(verify: Verify, tokens: Sequence[str]) -> float:
    started = time.perf_counter()
    for token in tokens:
        verify(token)
    return time.perf_counter() - started


def interleaved(
    baseline: Verify, candidate: Callable[[], Verify], tokens: list[str], batch: int, warm: int
) -> tuple[list[float], list[float]]:
    """(baseline seconds per token, candidate seconds per token) for each batch.

    `candidate()` gives the verifier of one round; each batch is first verified `warm`
    times by it unmeasured (0: every token is seen for the first time when measured).
    """
    base_times, times = [], []
    verify = candidate()
    for start in range(0, len(tokens), batch):
        chunk = tokens[start : start + batch]
        for _ in range(warm):
            timed(verify, chunk)
        base_times.append(timed(baseline, chunk) / len(chunk))
        times.append(timed(verify, chunk) / len(chunk))
    return base_times, times


def report(name: str, base_times: list[float], times: list[float]) -> None:
    ratios = [b / t for b, t in zip(base_times, times, strict=True)]
    rate = 1 / statistics.median(times)
    print(f"{name:<34} {rate:9.0f}/s  {statistics.median(ratios):5.2f}x baseline")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        with (
            running_core("sqlite", url, Path(folder)) as target,
            SessionCoreClient(target, api_key=API_KEY, timeout=30) as client,
        ):
            run(client, args)


def run(client: SessionCoreClient, args: argparse.Namespace) -> None:
    tokens = mint(client, args.tokens)
    assert len(set(tokens)) == len(tokens)
    shared = SessionVerifier(client)  # loads the JWKS and the revocation snapshot once
    shared.verify(client.create_session("bench-warmup").tokens.access_token)

    def fresh(cache: bool = True) -> Verify:
        size = 10_000 if cache else 0
        verifier = SessionVerifier(
            client, jwks=shared.jwks, revocations=shared.revocations, verified_cache_size=size
        )
        return verifier.verify

    baseline = bare(published_key(client, tokens[0]))
    candidates: dict[str, tuple[Callable[[], Verify], int]] = {
        "driver, first sight (default)": (fresh, 0),
        "driver, first sight, cache off": (lambda: fresh(cache=False), 0),
        "driver, warm cache (3rd use)": (fresh, 2),
    }
    decode = pyjwt(published_key(client, tokens[0]))
    if decode is not None:
        candidates["PyJWT jwt.decode"] = (lambda: decode, 0)
    results: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in candidates}
    for _ in range(args.rounds):
        for name, (candidate, warm) in candidates.items():
            base_times, times = interleaved(baseline, candidate, tokens, args.batch, warm)
            results[name][0].extend(base_times)
            results[name][1].extend(times)
    all_base = [b for base_times, _ in results.values() for b in base_times]
    print(
        f"{len(tokens)} distinct RS256 access tokens, batches of {args.batch}, "
        f"{args.rounds} rounds (medians)"
    )
    print(f"{'bare cryptography verify (baseline)':<34} {1 / statistics.median(all_base):9.0f}/s")
    for name, (base_times, times) in results.items():
        report(name, base_times, times)
    if decode is None:
        print("PyJWT is not installed: not measured")
    if shared.revocations is not None:
        shared.revocations.stop()


if __name__ == "__main__":
    main()
