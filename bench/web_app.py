"""The WSGI app `bench/web_routes.py` serves with gunicorn: one app, three routes.

    gunicorn -w 2 -k sync -b 127.0.0.1:PORT 'bench.web_app:create_app()'

Every route answers the same small JSON, so the routes differ only in what guards them:

- `/open`: nothing (the baseline: Flask, gunicorn and the socket alone);
- `/guarded`: the driver's `@session_required`, configured as an API server runs it in
  production: header transport (`Authorization: Bearer <access token>`), revocation feed
  on, verified-token cache at its default size;
- `/jwt`: `flask_jwt_extended.jwt_required()`, RS256, header transport, checking the
  SAME access token against the core's own public key (taken from the core's JWKS
  through the driver client and converted to PEM), issuer and audience.

Settings come from environment variables (gunicorn imports this module in each worker):
`BENCH_WEB_TARGET` (the core's gRPC address), `BENCH_WEB_API_KEY` (one of its API keys),
`BENCH_WEB_ORIGIN` (where the app is served, e.g. `http://127.0.0.1:8000`).
"""

from __future__ import annotations

import base64
import json
import os

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicNumbers
from flask import Flask, Response, jsonify
from flask_jwt_extended import JWTManager, jwt_required

from session_core_driver import SessionCoreClient
from session_core_driver.flask import SessionCore, session_required
from session_core_driver.verifier import DEFAULT_AUDIENCE, DEFAULT_ISSUER

BODY = {"ok": True, "user": "bench"}


def _b64_int(text: str) -> int:
    return int.from_bytes(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)), "big")


def rsa_public_pem(jwks_json: str) -> str:
    """The PEM of the (single) RSA signing key in a JWK Set.

    Raises ValueError when the set holds no RSA key or more than one (a key rotation
    mid-run would make the JWT route's single static key a partial answer).
    """
    keys = [key for key in json.loads(jwks_json)["keys"] if key.get("kty") == "RSA"]
    if len(keys) != 1:
        raise ValueError(f"expected one RSA key in the core's JWKS, found {len(keys)}")
    numbers = RSAPublicNumbers(e=_b64_int(keys[0]["e"]), n=_b64_int(keys[0]["n"]))
    pem = numbers.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return pem.decode("ascii")


def core_public_pem(target: str, api_key: str) -> str:
    """The core's current public key as PEM, read through the driver client (`GetJwks`)."""
    client = SessionCoreClient(target, api_key)
    try:
        jwks_json, _max_age = client.get_jwks()
    finally:
        client.close()
    return rsa_public_pem(jwks_json)


def create_app() -> Flask:
    """The benchmark app, configured from `BENCH_WEB_*` environment variables."""
    target = os.environ["BENCH_WEB_TARGET"]
    api_key = os.environ["BENCH_WEB_API_KEY"]
    app = Flask(__name__)
    app.config.update(
        SESSION_CORE_TARGET=target,
        SESSION_CORE_API_KEY=api_key,
        SESSION_CORE_API_ORIGIN=os.environ.get("BENCH_WEB_ORIGIN", "http://127.0.0.1:8000"),
        SESSION_CORE_TRANSPORT="header",
        SESSION_CORE_REVOCATION_FEED=True,
        SESSION_CORE_MOUNT_VIEWS=False,
        JWT_ALGORITHM="RS256",
        JWT_DECODE_ALGORITHMS=["RS256"],
        JWT_PUBLIC_KEY=core_public_pem(target, api_key),
        JWT_DECODE_AUDIENCE=DEFAULT_AUDIENCE,
        JWT_DECODE_ISSUER=DEFAULT_ISSUER,
        JWT_IDENTITY_CLAIM="sub",
        JWT_TOKEN_LOCATION=["headers"],
    )
    SessionCore(app)
    JWTManager(app)

    @app.get("/open")
    def open_route() -> Response:
        return jsonify(BODY)

    @app.get("/guarded")
    @session_required
    def guarded_route() -> Response:
        return jsonify(BODY)

    @app.get("/jwt")
    @jwt_required()  # type: ignore[untyped-decorator]  # the library ships no annotations for it
    def jwt_route() -> Response:
        return jsonify(BODY)

    return app
