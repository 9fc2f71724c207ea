"""Keys from outside the core: stored key rows, a thief's unwrap, the JWKS, the operator CLI.

Key rows are read from the backend's storage through its inspector (`tests.support.storage`),
as stored. `unwrap_signing_key` is what someone holding a database dump and a
master secret can do: unwrap the key-encryption key, then a signing key's private key,
and mint access tokens the core never issued. `run_operator` runs `session-core` operator
commands as a subprocess with a core's config file and secrets, as an operator would.
"""

from __future__ import annotations

import base64
import json
import secrets
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from core_server.domain import access_tokens, key_wrap, signing_keys
from core_server.domain.access_tokens import AccessTokenClaims
from core_server.domain.key_wrap import MasterSecret
from core_server.domain.models import KeyKind
from core_server.domain.signing_keys import SigningKey
from sessioncore.v1 import session_service_pb2 as pb
from tests.support.core_process import (
    REPO_ROOT,
    CoreProcess,
    CoreSecrets,
    environment_without_settings,
)
from tests.support.grpc_helpers import Api
from tests.support.storage import StorageInspector
from tests.support.tokens import b64url_decode, b64url_encode, decode_jwt

OPERATOR_TIMEOUT_SECONDS = 60.0
_KEY_COLUMNS = (
    "key_id",
    "kind",
    "slot",
    "algorithm",
    "wrapped_secret",
    "wrapping_key_id",
    "created_at",
    "sign_from",
    "sign_until",
    "verify_until",
    "delete_at",
    "revoked_at",
)
_PIN_COLUMNS = ("mac_key_id", "refresh_key_id", "anti_csrf_key_id")


# -- stored rows --------------------------------------------------------------------


@dataclass(frozen=True)
class KeyRow:
    """One row of the `keys` table, as stored (times in seconds since the epoch)."""

    key_id: str
    kind: str
    slot: str
    algorithm: str
    wrapped_secret: bytes
    wrapping_key_id: str
    created_at: float
    sign_from: float | None
    sign_until: float | None
    verify_until: float | None
    delete_at: float | None
    revoked_at: float | None

    @property
    def number(self) -> int:
        return int(self.slot.rpartition("/")[2])


def key_rows(inspector: StorageInspector) -> list[KeyRow]:
    """Every stored key, oldest slot first within each kind."""
    stored: list[list[Any]] = [
        [row.values[column] for column in _KEY_COLUMNS]
        for row in inspector.rows()
        if row.table == "keys"
    ]
    rows = [KeyRow(*values) for values in stored]
    return sorted(rows, key=lambda row: (row.kind, row.number))


def signing_rows(inspector: StorageInspector) -> list[KeyRow]:
    """The stored signing keys, revoked or not, in slot order."""
    return [row for row in key_rows(inspector) if row.kind == KeyKind.SIGNING.value]


def kek_row(inspector: StorageInspector) -> KeyRow:
    (row,) = [row for row in key_rows(inspector) if row.kind == KeyKind.KEY_ENCRYPTION.value]
    return row


def session_pins(inspector: StorageInspector, handle: str) -> dict[str, str]:
    """The secret key ids a stored session pins: {"mac": ..., "refresh": ..., "anti_csrf": ...}."""
    sessions = [row for row in inspector.rows() if row.table == "sessions"]
    (row,) = [row for row in sessions if row.values["handle"] == handle]
    pins = [str(row.values[column]) for column in _PIN_COLUMNS]
    return dict(zip(("mac", "refresh", "anti_csrf"), pins, strict=True))


# -- a thief with the master secret ---------------------------------------------------


def master_of(core_secrets: CoreSecrets) -> MasterSecret:
    """The master secret a deployment's first configured secret stands for."""
    return MasterSecret(core_secrets.master_secret_id, core_secrets.master_secret)


def unwrap_signing_key(rows: Sequence[KeyRow], key_id: str, master: MasterSecret) -> SigningKey:
    """The private signing key `key_id`, unwrapped from stored rows with `master`."""
    (kek,) = [row for row in rows if row.kind == KeyKind.KEY_ENCRYPTION.value]
    assert kek.wrapping_key_id == master.key_id, (kek.wrapping_key_id, master.key_id)
    kek_key = key_wrap.unwrap(
        key_wrap.wrapping_key(master),
        kek.wrapped_secret,
        key_wrap.key_binding(KeyKind.KEY_ENCRYPTION, kek.key_id),
    )
    (row,) = [row for row in rows if row.key_id == key_id]
    assert row.kind == KeyKind.SIGNING.value, row.kind
    pem = key_wrap.unwrap(
        kek_key, row.wrapped_secret, key_wrap.key_binding(KeyKind.SIGNING, row.key_id)
    )
    return signing_keys.load_signing_key(row.key_id, row.algorithm, pem)


def mint_access_token(
    key: SigningKey,
    *,
    user_id: str,
    handle: str,
    issued_at: int,
    expires_at: int,
    issuer: str = "session-core",
    audience: str = "session-core",
) -> str:
    """An access token signed with `key` outside the core (no anti-CSRF binding)."""
    claims = AccessTokenClaims(
        handle=handle,
        user_id=user_id,
        issued_at=issued_at,
        expires_at=expires_at,
        generation=0,
        anti_csrf_hash=None,
        jti=secrets.token_urlsafe(16),
        app_claims={},
    )
    return access_tokens.issue(key, claims, issuer=issuer, audience=audience)


# -- the published keys -------------------------------------------------------------


def kid_of(token: str) -> str:
    kid = decode_jwt(token).header["kid"]
    assert isinstance(kid, str), kid
    return kid


def jwks(api: Api) -> dict[str, dict[str, str]]:
    """The JWK Set a core publishes now, by kid."""
    response = api.GetJwks(pb.GetJwksRequest())
    keys = json.loads(response.jwks_json)["keys"]
    by_kid = {key["kid"]: key for key in keys}
    assert len(by_kid) == len(keys), keys
    return by_kid


def rs256_verifies(token: str, published: dict[str, dict[str, str]]) -> bool:
    """Whether an RS256 token's signature checks out under the published key its kid names.

    Written against `cryptography` directly, not the core's code, as any JWT library would.
    """
    jwt = decode_jwt(token)
    jwk = published.get(jwt.header["kid"])
    if jwk is None or jwt.header["alg"] != "RS256" or jwk["kty"] != "RSA":
        return False
    n = int.from_bytes(b64url_decode(jwk["n"]), "big")
    e = int.from_bytes(b64url_decode(jwk["e"]), "big")
    public_key = rsa.RSAPublicNumbers(e, n).public_key()
    signed = ".".join(jwt.segments[:2]).encode("ascii")
    try:
        public_key.verify(jwt.signature, signed, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


# -- several master secrets -----------------------------------------------------------


@dataclass(frozen=True)
class RolloutSecrets(CoreSecrets):
    """A deployment's secrets with a list of master secrets; the first one wraps.

    `master_secret` and `master_secret_id` are the first of `masters`.
    """

    masters: tuple[tuple[str, bytes], ...] = ()

    @classmethod
    def of(cls, base: CoreSecrets, masters: Sequence[tuple[str, bytes]]) -> RolloutSecrets:
        first_id, first = masters[0]
        return cls(base.api_keys, first, first_id, tuple(masters))

    def environment(self) -> dict[str, str]:
        listed = ",".join(f"{key_id}:{b64url_encode(value)}" for key_id, value in self.masters)
        return super().environment() | {"SESSION_CORE_MASTER_SECRETS": listed}


def secret_texts(core_secrets: CoreSecrets) -> list[str]:
    """Every secret of a deployment as it could leak into output: API keys, and each
    master secret as base64url, padded base64 and hex."""
    masters = [core_secrets.master_secret]
    if isinstance(core_secrets, RolloutSecrets):
        masters = [value for _, value in core_secrets.masters]
    forms = [
        form
        for value in masters
        for form in (b64url_encode(value), base64.b64encode(value).decode(), value.hex())
    ]
    return [*core_secrets.api_keys, *forms]


# -- the operator CLI -----------------------------------------------------------------


@dataclass(frozen=True)
class OperatorRun:
    """What one `session-core` operator command did."""

    argv: tuple[str, ...]
    status: int
    stdout: str
    stderr: str

    def json_lines(self) -> list[dict[str, Any]]:
        """stdout as one JSON object per line (the `--json` form); fails on anything else."""
        return [json.loads(line) for line in self.stdout.splitlines()]

    def single(self) -> dict[str, Any]:
        (line,) = self.json_lines()
        return line

    def ok(self) -> OperatorRun:
        """This run, after checking it exited 0 (the output is shown otherwise)."""
        assert self.status == 0, self
        return self


def operator_argv(config_path: Path, data_dir: Path, *args: str, as_json: bool = True) -> list[str]:
    settings = ["--config", str(config_path), "--data-dir", str(data_dir)]
    return [sys.executable, "-m", "core_server", *args, *settings, *(["--json"] if as_json else [])]


def run_operator_at(
    config_path: Path,
    data_dir: Path,
    core_secrets: CoreSecrets,
    *args: str,
    as_json: bool = True,
) -> OperatorRun:
    """Run `session-core ARGS` with a settings file, data dir and secrets in the environment."""
    argv = operator_argv(config_path, data_dir, *args, as_json=as_json)
    done = subprocess.run(
        argv,
        cwd=REPO_ROOT,
        env=environment_without_settings() | core_secrets.environment(),
        capture_output=True,
        text=True,
        timeout=OPERATOR_TIMEOUT_SECONDS,
        check=False,
    )
    return OperatorRun(tuple(argv), done.returncode, done.stdout, done.stderr)


def run_operator(
    core: CoreProcess, *args: str, secrets: CoreSecrets | None = None, as_json: bool = True
) -> OperatorRun:
    """Run an operator command on `core`'s store, with its config (and its or other secrets)."""
    used = core.secrets if secrets is None else secrets
    return run_operator_at(core.config_path, core.data_dir, used, *args, as_json=as_json)
