"""A real HTTP server on loopback for a WSGI app, and real clients with cookie jars.

`LiveServer` binds 127.0.0.1 on a free port (werkzeug's threaded server, or a
single-threaded one), serves from a daemon thread, and stops within a bounded time.
The port is known before the app is configured, so the app's API origin can name it.
"""

from __future__ import annotations

import datetime
import ipaddress
import ssl
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from werkzeug.serving import BaseWSGIServer, make_server

HOST = "127.0.0.1"
CLIENT_TIMEOUT_SECONDS = 10.0
STOP_TIMEOUT_SECONDS = 5.0


class LiveServer:
    """Serves `app` (set later with `serve`) on 127.0.0.1; `url` is known at once."""

    def __init__(
        self,
        *,
        threaded: bool = True,
        tls: tuple[Path, Path] | None = None,
        on_thread_start: Callable[[], None] | None = None,
    ) -> None:
        self._app: Any = None
        ssl_context = _server_context(*tls) if tls else None
        self._server: BaseWSGIServer = make_server(
            HOST, 0, self._dispatch, threaded=threaded, ssl_context=ssl_context
        )
        self.scheme = "https" if tls else "http"
        self._on_thread_start = on_thread_start
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"{self.scheme}://{HOST}:{self._server.server_port}"

    def serve(self, app: Any) -> LiveServer:
        self._app = app
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(STOP_TIMEOUT_SECONDS)
            assert not self._thread.is_alive(), "the HTTP server did not stop"

    def client(self, **options: Any) -> httpx.Client:
        """An httpx client with its own cookie jar, bound to this server."""
        return httpx.Client(base_url=self.url, timeout=CLIENT_TIMEOUT_SECONDS, **options)

    def _run(self) -> None:
        if self._on_thread_start is not None:
            self._on_thread_start()
        self._server.serve_forever(poll_interval=0.05)

    def _dispatch(self, environ: dict[str, Any], start_response: Any) -> Any:
        return self._app(environ, start_response)


def _server_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (valid one day) and its key, written into `folder`."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(HOST))]), False
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path
