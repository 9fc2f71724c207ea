"""TLS and mutual TLS on the gRPC port, with certificates made for the test."""

from __future__ import annotations

import datetime
import ipaddress
from pathlib import Path

import grpc
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from sessioncore.v1 import session_service_pb2 as pb
from sessioncore.v1 import session_service_pb2_grpc as pb_grpc
from tests.support.core_process import CoreFactory

Pair = tuple[bytes, bytes]  # (certificate PEM, private key PEM)


def issue(
    name: str, issuer: tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer[0].subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=issuer is None, path_length=None), critical=True)
    )
    if issuer is not None:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
    return builder.sign(issuer[1] if issuer else key, hashes.SHA256()), key


def pem(cert: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> Pair:
    return (
        cert.public_bytes(serialization.Encoding.PEM),
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path | bytes]:
    folder = tmp_path_factory.mktemp("pki")
    ca = issue("test-ca", None)
    server_cert, server_key = pem(*issue("core", ca))
    client_cert, client_key = pem(*issue("app", ca))
    files = {
        "ca": ca[0].public_bytes(serialization.Encoding.PEM),
        "cert": server_cert,
        "key": server_key,
    }
    for name, content in files.items():
        (folder / f"{name}.pem").write_bytes(content)
    return {"dir": folder, "ca": files["ca"], "client_cert": client_cert, "client_key": client_key}


def jwks_over(target: str, credentials: grpc.ChannelCredentials, key: str) -> str:
    with grpc.secure_channel(target, credentials) as channel:
        answer = pb_grpc.SessionServiceStub(channel).GetJwks(
            pb.GetJwksRequest(), metadata=(("x-api-key", key),), timeout=10
        )
    return str(answer.jwks_json)


def test_tls_serves_clients_that_trust_the_certificate(
    core_factory: CoreFactory, pki: dict[str, Path | bytes]
) -> None:
    folder = pki["dir"]
    assert isinstance(folder, Path) and isinstance(pki["ca"], bytes)
    core = core_factory.start(
        {"tls_cert_file": str(folder / "cert.pem"), "tls_key_file": str(folder / "key.pem")}
    )
    trusted = grpc.ssl_channel_credentials(root_certificates=pki["ca"])
    assert '"keys"' in jwks_over(core.target, trusted, core.secrets.api_keys[0])
    with grpc.insecure_channel(core.target) as plain, pytest.raises(grpc.RpcError) as refused:
        pb_grpc.SessionServiceStub(plain).GetJwks(pb.GetJwksRequest(), timeout=5)
    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE


def test_mutual_tls_requires_a_client_certificate(
    core_factory: CoreFactory, pki: dict[str, Path | bytes]
) -> None:
    folder = pki["dir"]
    assert isinstance(folder, Path) and isinstance(pki["ca"], bytes)
    assert isinstance(pki["client_cert"], bytes) and isinstance(pki["client_key"], bytes)
    core = core_factory.start(
        {
            "tls_cert_file": str(folder / "cert.pem"),
            "tls_key_file": str(folder / "key.pem"),
            "tls_client_ca_file": str(folder / "ca.pem"),
        }
    )
    key = core.secrets.api_keys[0]
    with_cert = grpc.ssl_channel_credentials(
        root_certificates=pki["ca"],
        private_key=pki["client_key"],
        certificate_chain=pki["client_cert"],
    )
    assert '"keys"' in jwks_over(core.target, with_cert, key)
    without_cert = grpc.ssl_channel_credentials(root_certificates=pki["ca"])
    with pytest.raises(grpc.RpcError) as refused:
        jwks_over(core.target, without_cert, key)
    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
