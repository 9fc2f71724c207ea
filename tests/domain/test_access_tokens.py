"""Access tokens: issue/verify round trips and the attack catalogue (A*, C*).

Attack tokens are built by hand from raw header and payload bytes and, where the case
needs it, signed with the real private key, so each one fails for the stated reason
and not by accident.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from core_server.domain.access_tokens import (
    MAX_TOKEN_LENGTH,
    RESERVED_CLAIMS,
    TOKEN_TYPE,
    AccessTokenClaims,
    is_reserved,
    issue,
    verify,
)
from core_server.domain.clock import FrozenClock
from core_server.domain.encoding import b64url_decode, b64url_encode
from core_server.domain.signing_keys import (
    ALGORITHMS,
    SigningKey,
    VerificationKey,
    generate_signing_key,
    jwks_json,
    verification_key_from_jwk,
)
from core_server.errors import (
    ExpiredAccessToken,
    InvalidAccessToken,
    InvalidArgument,
    ReservedClaim,
)

NOW = FrozenClock().now()
T = int(NOW)
LEEWAY = 30.0
ISSUER = "session-core"
AUDIENCE = "shop"
KEYS = pytest.mark.parametrize("algorithm", ALGORITHMS)


@functools.cache
def key(algorithm: str, key_id: str = "k1") -> SigningKey:
    # Cached: RSA generation is slow and no test mutates a key.
    return generate_signing_key(algorithm, key_id)


@dataclasses.dataclass(frozen=True)
class SpyKey(VerificationKey):
    """A legitimate spy: a real verification key that records each verify() call.

    Tests use it to prove a token was refused before any cryptography ran.
    """

    calls: list[bytes] = dataclasses.field(default_factory=list, compare=False)

    def verify(self, signature: bytes, data: bytes) -> bool:
        self.calls.append(data)
        return super().verify(signature, data)


def spy(signing: SigningKey) -> SpyKey:
    public = signing.verification_key()
    return SpyKey(public.key_id, public.algorithm, public.public_key)


def ring(*keys: SigningKey) -> dict[str, VerificationKey]:
    return {k.key_id: k.verification_key() for k in keys}


def make_claims(**changes: Any) -> AccessTokenClaims:
    base = AccessTokenClaims(
        handle="h-1",
        user_id="user-1",
        issued_at=T,
        expires_at=T + 900,
        generation=3,
        anti_csrf_hash="csrf-hash",
        jti="jti-1",
        app_claims={"role": "admin"},
    )
    return dataclasses.replace(base, **changes)


def check(token: str, keys: dict[str, Any], **options: Any) -> AccessTokenClaims:
    settings: dict[str, Any] = {"issuer": ISSUER, "audience": AUDIENCE, "now": NOW}
    settings["leeway"] = LEEWAY
    return verify(token, keys, **(settings | options))


def rejected(token: str, keys: dict[str, Any], **options: Any) -> str:
    """The reason of the InvalidAccessToken (never the Expired subclass) verify raises."""
    with pytest.raises(InvalidAccessToken) as info:
        check(token, keys, **options)
    assert type(info.value) is InvalidAccessToken
    return info.value.reason


def header_of(signing: SigningKey, **changes: Any) -> dict[str, Any]:
    return {"alg": signing.algorithm, "typ": TOKEN_TYPE, "kid": signing.key_id} | changes


def payload_of(**changes: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "role": "admin",
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "user-1",
        "sid": "h-1",
    }
    payload |= {"iat": T, "exp": T + 900, "jti": "jti-1", "sc_gen": 3}
    return {k: v for k, v in (payload | changes).items() if v is not DROP}


DROP = object()


def raw(value: dict[str, Any] | bytes) -> bytes:
    return value if isinstance(value, bytes) else json.dumps(value).encode("utf-8")


def unsigned(header: dict[str, Any] | bytes, payload: dict[str, Any] | bytes) -> str:
    return f"{b64url_encode(raw(header))}.{b64url_encode(raw(payload))}"


def signed(
    signing: SigningKey, header: dict[str, Any] | bytes, payload: dict[str, Any] | bytes
) -> str:
    """A token over raw bytes, signed with the real key: only the content is wrong."""
    signing_input = unsigned(header, payload)
    return f"{signing_input}.{b64url_encode(signing.sign(signing_input.encode('ascii')))}"


def segments(token: str) -> list[bytes]:
    return [b64url_decode(part) for part in token.split(".")]


# ---------------------------------------------------------------- round trips


APP_CLAIMS: dict[str, Any] = {
    "name": "山田 太郎",
    "emoji": "🔐🎉👩‍💻",
    "rtl": "שלום \u202eevil\u202c مرحبا",
    "nested": {"a": [1, {"b": None}, [True, False]], "c": {"d": {"e": "f"}}},
    "nothing": None,
    "big": 2**62,
    "negative": -(2**62),
    "huge": 2**200,
    "fraction": 0.1,
    "empty": {},
    "list": [],
}


@KEYS
def test_round_trip_returns_the_exact_claims(algorithm: str) -> None:
    claims = make_claims(app_claims=APP_CLAIMS)
    result = check(
        issue(key(algorithm), claims, issuer=ISSUER, audience=AUDIENCE), ring(key(algorithm))
    )
    assert result == claims
    assert type(result.app_claims["big"]) is int and result.app_claims["big"] == 2**62
    assert result.app_claims["huge"] == 2**200


@KEYS
def test_issue_writes_the_exact_header_and_payload(algorithm: str) -> None:
    token = issue(key(algorithm), make_claims(), issuer=ISSUER, audience=AUDIENCE)
    header, payload, _ = segments(token)
    assert header == f'{{"alg":"{algorithm}","typ":"at+jwt","kid":"k1"}}'.encode()
    assert json.loads(payload) == payload_of(sc_csrf="csrf-hash")
    assert b" " not in payload


def test_issue_omits_sc_csrf_when_none_and_keeps_unicode_raw() -> None:
    claims = make_claims(anti_csrf_hash=None, app_claims={"name": "山田"})
    token = issue(key("EdDSA"), claims, issuer=ISSUER, audience=AUDIENCE)
    payload = segments(token)[1]
    assert "sc_csrf" not in json.loads(payload)
    assert "山田".encode() in payload
    assert check(token, ring(key("EdDSA"))) == claims


@pytest.mark.parametrize("name", [*sorted(RESERVED_CLAIMS), "sc_custom", "sc_"])
def test_issue_rejects_reserved_app_claims(name: str) -> None:
    with pytest.raises(ReservedClaim) as info:
        issue(key("EdDSA"), make_claims(app_claims={name: 1}), issuer=ISSUER, audience=AUDIENCE)
    assert (info.value.field, info.value.claim) == ("access_token_claims_json", name)


def test_is_reserved() -> None:
    assert all(is_reserved(name) for name in RESERVED_CLAIMS)
    registered = {"iss", "sub", "aud", "exp", "nbf", "iat", "jti"}
    assert set(RESERVED_CLAIMS) == registered | {"sid", "sc_gen", "sc_csrf"}
    assert is_reserved("sc_anything") is True
    assert [is_reserved(n) for n in ("role", "SUB", "sc", "xsc_a", "scope")] == [False] * 5


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"app_claims": {"x": float("nan")}}, "claims are not exact JSON"),
        ({"app_claims": {"x": {1, 2}}}, "claims are not exact JSON"),
        ({"app_claims": {1: "a"}}, "claims do not survive a JSON round trip"),
        ({"app_claims": {"x": (1, 2)}}, "claims do not survive a JSON round trip"),
        ({"app_claims": {"x": "\ud800"}}, "claims are not exact JSON"),
        ({"app_claims": {"x": "y" * MAX_TOKEN_LENGTH}}, "access token exceeds 16384 bytes"),
        ({"user_id": ""}, "token would not verify: bad claim: sub"),
        ({"generation": -1}, "token would not verify: bad claim: sc_gen"),
        ({"expires_at": 1.5e9}, "token would not verify: bad claim: exp"),
    ],
)
def test_issue_refuses_claims_that_would_not_come_back(changes: dict[str, Any], rule: str) -> None:
    with pytest.raises(InvalidArgument) as info:
        issue(key("EdDSA"), make_claims(**changes), issuer=ISSUER, audience=AUDIENCE)
    assert type(info.value) is InvalidArgument
    assert (info.value.field, info.value.rule) == ("access_token_claims_json", rule)


@KEYS
def test_jwk_round_trip_verifies_a_token(algorithm: str) -> None:
    published = json.loads(jwks_json([key(algorithm).verification_key()]))["keys"][0]
    keys = {"k1": verification_key_from_jwk(published)}
    token = issue(key(algorithm), make_claims(), issuer=ISSUER, audience=AUDIENCE)
    assert check(token, keys) == make_claims()


@KEYS
def test_allow_expired_returns_claims_but_still_checks_the_signature(algorithm: str) -> None:
    claims = make_claims(issued_at=T - 3600, expires_at=T - 1800)
    token = issue(key(algorithm), claims, issuer=ISSUER, audience=AUDIENCE)
    assert check(token, ring(key(algorithm)), allow_expired=True) == claims
    forged = token[: token.rindex(".") + 1] + b64url_encode(b"\x00" * 64)
    assert rejected(forged, ring(key(algorithm)), allow_expired=True) == "bad signature"
    other = generate_signing_key(algorithm, "k1")
    foreign = issue(other, claims, issuer=ISSUER, audience=AUDIENCE)
    assert rejected(foreign, ring(key(algorithm)), allow_expired=True) == "bad signature"


def test_spy_sees_a_valid_token() -> None:
    # Control for the "before any cryptography" tests: the spy does record real calls.
    token = issue(key("EdDSA"), make_claims(), issuer=ISSUER, audience=AUDIENCE)
    watcher = spy(key("EdDSA"))
    assert check(token, {"k1": watcher}) == make_claims()
    assert watcher.calls == [token.rsplit(".", 1)[0].encode("ascii")]


def test_reserved_and_sc_claims_in_a_token_stay_out_of_app_claims() -> None:
    token = signed(key("EdDSA"), header_of(key("EdDSA")), payload_of(nbf=T, sc_future=1))
    assert check(token, ring(key("EdDSA"))).app_claims == {"role": "admin"}


# ---------------------------------------------------------------- attack catalogue


@KEYS
@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE", None, DROP])
def test_A1_alg_none_rejected(algorithm: str, alg: object) -> None:
    header = {k: v for k, v in header_of(key(algorithm), alg=alg).items() if v is not DROP}
    token = unsigned(header, payload_of()) + "."
    watcher = spy(key(algorithm))
    assert rejected(token, {"k1": watcher}) == "algorithm not allowed"
    assert watcher.calls == []


def _public_key_secrets(signing: SigningKey) -> list[bytes]:
    public = signing.verification_key().public_key
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    return [
        public.public_bytes(serialization.Encoding.PEM, spki),
        public.public_bytes(serialization.Encoding.DER, spki),
        json.dumps(signing.verification_key().to_jwk()).encode(),
        json.dumps(signing.verification_key().to_jwk(), separators=(",", ":")).encode(),
    ]


@KEYS
@pytest.mark.parametrize("form", ["pem", "der", "jwk-json", "jwk-compact"])
def test_A2_hs256_with_public_key_as_secret_rejected(algorithm: str, form: str) -> None:
    forms = ["pem", "der", "jwk-json", "jwk-compact"]
    secret = _public_key_secrets(key(algorithm))[forms.index(form)]
    signing_input = unsigned(header_of(key(algorithm), alg="HS256"), payload_of())
    mac = hmac.new(secret, signing_input.encode("ascii"), hashlib.sha256).digest()
    watcher = spy(key(algorithm))
    assert rejected(f"{signing_input}.{b64url_encode(mac)}", {"k1": watcher}) == (
        "algorithm not allowed"
    )
    assert watcher.calls == []


def _switched_signature(signing: SigningKey, alg: str, data: bytes) -> bytes:
    """A valid signature of `data` under `alg` (not the key's own) with the same private key."""
    private = signing.private_key
    if alg == "PS256":
        assert isinstance(private, rsa.RSAPrivateKey)
        pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
        signature = private.sign(data, pss, hashes.SHA256())
        private.public_key().verify(signature, data, pss, hashes.SHA256())
        return signature
    if alg == "ES384":
        assert isinstance(private, ec.EllipticCurvePrivateKey)
        der = private.sign(data, ec.ECDSA(hashes.SHA384()))
        private.public_key().verify(der, data, ec.ECDSA(hashes.SHA384()))
        r, s = decode_dss_signature(der)
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")
    assert isinstance(private, ed25519.Ed25519PrivateKey)
    return private.sign(data)  # "Ed25519": RFC 9864's fully specified name for the same thing


@pytest.mark.parametrize(
    ("algorithm", "switched"), [("RS256", "PS256"), ("ES256", "ES384"), ("EdDSA", "Ed25519")]
)
def test_A3_alg_switch_rejected(algorithm: str, switched: str) -> None:
    signing_input = unsigned(header_of(key(algorithm), alg=switched), payload_of())
    signature = _switched_signature(key(algorithm), switched, signing_input.encode("ascii"))
    watcher = spy(key(algorithm))
    token = f"{signing_input}.{b64url_encode(signature)}"
    assert rejected(token, {"k1": watcher}) == "algorithm not allowed"
    assert watcher.calls == []


def test_A3_switched_signature_under_the_keys_own_alg_fails() -> None:
    # Same PSS signature, but labelled RS256: the key checks PKCS1v15 and refuses it.
    signing_input = unsigned(header_of(key("RS256")), payload_of())
    signature = _switched_signature(key("RS256"), "PS256", signing_input.encode("ascii"))
    token = f"{signing_input}.{b64url_encode(signature)}"
    assert rejected(token, ring(key("RS256"))) == "bad signature"


@KEYS
def test_A4_unknown_kid_rejected(algorithm: str) -> None:
    k1, k2 = key(algorithm, "k1"), key(algorithm, "k2")
    spy1, spy2 = spy(k1), spy(k2)
    unknown = signed(k1, header_of(k1, kid="k9"), payload_of())
    assert rejected(unknown, {"k1": spy1, "k2": spy2}) == "unknown kid"
    # Signed by k1 but labelled k2: only k2 is tried, so k1 never gets a chance to accept it.
    relabelled = signed(k1, header_of(k1, kid="k2"), payload_of())
    assert rejected(relabelled, {"k1": spy1, "k2": spy2}) == "bad signature"
    assert spy1.calls == []
    assert len(spy2.calls) == 1


@KEYS
@pytest.mark.parametrize(
    "changes",
    [{"sub": "admin"}, {"sid": "h-2"}, {"role": "superuser"}, {"sc_gen": 4}, {"exp": T + 9000}],
    ids=["sub", "sid", "app-claim", "sc_gen", "exp"],
)
def test_A8_changed_claim_rejected(algorithm: str, changes: dict[str, Any]) -> None:
    token = issue(key(algorithm), make_claims(), issuer=ISSUER, audience=AUDIENCE)
    header, payload, signature = token.split(".")
    altered = json.loads(b64url_decode(payload)) | changes
    forged = f"{header}.{b64url_encode(json.dumps(altered).encode())}.{signature}"
    assert rejected(forged, ring(key(algorithm))) == "bad signature"


def _flip_trailing_bit(segment: str) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    # 64- and 256-byte signatures leave 4 unused low bits in the last character.
    return segment[:-1] + alphabet[alphabet.index(segment[-1]) ^ 1]


MALFORMED: dict[str, tuple[Callable[[str], str], str]] = {
    "2-segments": (lambda t: t.rsplit(".", 1)[0], "malformed"),
    "4-segments": (lambda t: t + "." + t.split(".")[2], "malformed"),
    "5-segments": (lambda t: t + ".." + "AAAA", "malformed"),
    "6-segments": (lambda t: t + "." + t, "malformed"),
    "empty": (lambda t: "", "malformed"),
    "dots-only": (lambda t: "..", "bad header"),
    "plus": (lambda t: "+" + t, "bad encoding"),
    "slash": (lambda t: t.replace(".", "/.", 1), "bad encoding"),
    "star": (lambda t: t[:5] + "*" + t[6:], "bad encoding"),
    "non-ascii": (lambda t: t[:5] + "é" + t[6:], "bad encoding"),
    "pad-header": (lambda t: t.replace(".", "=.", 1), "bad encoding"),
    "pad-payload": (lambda t: t[: t.rindex(".")] + "==" + t[t.rindex(".") :], "bad encoding"),
    "pad-signature": (lambda t: t + "==", "bad encoding"),
    "leading-space": (lambda t: " " + t, "bad encoding"),
    "trailing-newline": (lambda t: t + "\n", "bad encoding"),
    "inner-space": (lambda t: t[:10] + " " + t[10:], "bad encoding"),
    "inner-tab": (lambda t: t.replace(".", ".\t", 1), "bad encoding"),
    "trailing-bits": (_flip_trailing_bit, "bad encoding"),
    "too-long": (lambda t: t + "A" * MAX_TOKEN_LENGTH, "malformed"),
}


@KEYS
@pytest.mark.parametrize("case", list(MALFORMED))
def test_A10_malformed_segments_rejected(algorithm: str, case: str) -> None:
    mangle, reason = MALFORMED[case]
    token = issue(key(algorithm), make_claims(), issuer=ISSUER, audience=AUDIENCE)
    watcher = spy(key(algorithm))
    assert rejected(mangle(token), {"k1": watcher}) == reason
    assert watcher.calls == []


def _with_exp(fragment: str | None) -> bytes:
    body = json.dumps(payload_of(exp=DROP))
    return body.encode() if fragment is None else f'{body[:-1]}, "exp": {fragment}}}'.encode()


@KEYS
@pytest.mark.parametrize(
    ("fragment", "reason"),
    [
        (None, "bad claim: exp"),
        ('"1800000900"', "bad claim: exp"),
        ("1.5e9", "bad claim: exp"),
        ("1800000900.0", "bad claim: exp"),
        ("1e308", "bad claim: exp"),
        ("true", "bad claim: exp"),
        ("null", "bad claim: exp"),
        ("NaN", "bad payload"),
        ("Infinity", "bad payload"),
        ("-Infinity", "bad payload"),
        ("1" + "0" * 5000, "bad payload"),
    ],
    ids=["missing", "string", "float", "integral-float", "1e308", "bool", "null", "NaN",
         "inf", "-inf", "5000-digits"],
)  # fmt: skip
def test_A13_bad_exp_rejected(algorithm: str, fragment: str | None, reason: str) -> None:
    token = signed(key(algorithm), header_of(key(algorithm)), _with_exp(fragment))
    assert rejected(token, ring(key(algorithm))) == reason
    assert rejected(token, ring(key(algorithm)), allow_expired=True) == reason


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"iat": DROP}, "bad claim: iat"),
        ({"iat": "1800000000"}, "bad claim: iat"),
        ({"iat": 1.8e9}, "bad claim: iat"),
        ({"nbf": 1.8e9}, "bad claim: nbf"),
        ({"nbf": None}, "bad claim: nbf"),
        ({"sub": ""}, "bad claim: sub"),
        ({"sub": DROP}, "bad claim: sub"),
        ({"sub": 7}, "bad claim: sub"),
        ({"sid": ""}, "bad claim: sid"),
        ({"sid": ["h-1"]}, "bad claim: sid"),
        ({"sc_gen": -1}, "bad claim: sc_gen"),
        ({"sc_gen": True}, "bad claim: sc_gen"),
        ({"sc_gen": "3"}, "bad claim: sc_gen"),
        ({"sc_gen": DROP}, "bad claim: sc_gen"),
        ({"jti": DROP}, "bad claim: jti"),
        ({"jti": 5}, "bad claim: jti"),
        ({"sc_csrf": None}, "bad claim: sc_csrf"),
        ({"sc_csrf": 5}, "bad claim: sc_csrf"),
    ],
)
def test_bad_claim_types_rejected(changes: dict[str, Any], reason: str) -> None:
    token = signed(key("EdDSA"), header_of(key("EdDSA")), payload_of(**changes))
    assert rejected(token, ring(key("EdDSA"))) == reason


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b'{"sub":"user-1","sub":"admin"}', "bad payload"),
        (b"[]", "bad payload"),
        (b'"text"', "bad payload"),
        (b"\xff\xfe{}", "bad payload"),
        (b"\xef\xbb\xbf{}", "bad payload"),
        (b"[" * 5000 + b"]" * 5000, "bad payload"),
        (b'{"a":' * 1500 + b"1" + b"}" * 1500, "bad payload"),
    ],
    ids=["duplicate-key", "array", "string", "bad-utf8", "bom", "deep-array", "deep-object"],
)
def test_signed_but_malformed_payload_rejected(payload: bytes, reason: str) -> None:
    token = signed(key("EdDSA"), header_of(key("EdDSA")), payload)
    assert len(token) <= MAX_TOKEN_LENGTH
    assert rejected(token, ring(key("EdDSA"))) == reason


@KEYS
def test_A14_leeway(algorithm: str) -> None:
    keys = ring(key(algorithm))
    for exp in (T - 20, T - 29):
        claims = make_claims(issued_at=T - 900, expires_at=exp)
        assert (
            check(issue(key(algorithm), claims, issuer=ISSUER, audience=AUDIENCE), keys) == claims
        )
    for exp in (T - 30, T - 31):
        claims = make_claims(issued_at=T - 900, expires_at=exp)
        token = issue(key(algorithm), claims, issuer=ISSUER, audience=AUDIENCE)
        with pytest.raises(ExpiredAccessToken) as info:
            check(token, keys)
        assert info.value.reason == "expired"
    strict = make_claims(issued_at=T - 900, expires_at=T - 20)
    with pytest.raises(ExpiredAccessToken):
        check(issue(key(algorithm), strict, issuer=ISSUER, audience=AUDIENCE), keys, leeway=0)


@KEYS
@pytest.mark.parametrize(
    ("claim", "reason"), [("nbf", "not yet valid"), ("iat", "issued in the future")]
)
def test_A15_future_nbf_or_iat_rejected(algorithm: str, claim: str, reason: str) -> None:
    signing, keys = key(algorithm), ring(key(algorithm))
    for when in (T + 300, T + 31):
        token = signed(signing, header_of(signing), payload_of(**{claim: when}))
        assert rejected(token, keys) == reason
        assert rejected(token, keys, allow_expired=True) == reason
    # Within the leeway a clock running slightly behind the issuer's is tolerated.
    token = signed(signing, header_of(signing), payload_of(**{claim: T + 30}))
    assert check(token, keys).user_id == "user-1"


@KEYS
@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"iss": "https://elsewhere.example"}, "wrong issuer"),
        ({"iss": DROP}, "wrong issuer"),
        ({"iss": [ISSUER]}, "wrong issuer"),
        ({"aud": DROP}, "wrong audience"),
        ({"aud": "other-app"}, "wrong audience"),
        ({"aud": ["other-app"]}, "wrong audience"),
        ({"aud": [AUDIENCE, 5]}, "wrong audience"),
        ({"aud": []}, "wrong audience"),
        ({"aud": {"aud": AUDIENCE}}, "wrong audience"),
    ],
)
def test_A16_foreign_issuer_audience_rejected(
    algorithm: str, changes: dict[str, Any], reason: str
) -> None:
    token = signed(key(algorithm), header_of(key(algorithm)), payload_of(**changes))
    assert rejected(token, ring(key(algorithm))) == reason


@KEYS
def test_A16_audience_list_containing_ours_accepted(algorithm: str) -> None:
    token = signed(key(algorithm), header_of(key(algorithm)), payload_of(aud=["x", AUDIENCE]))
    assert check(token, ring(key(algorithm))).user_id == "user-1"


@KEYS
def test_A16_token_from_another_deployment_rejected(algorithm: str) -> None:
    theirs = generate_signing_key(algorithm, "k1")  # same kid string, different key
    for issuer, audience in (("other-core", "other-app"), (ISSUER, AUDIENCE)):
        token = issue(theirs, make_claims(), issuer=issuer, audience=audience)
        assert rejected(token, ring(key(algorithm))) == "bad signature"


@KEYS
def test_A17_other_token_types_rejected(algorithm: str) -> None:
    signing = key(algorithm)
    watcher = spy(signing)
    refresh_like = "scr1_" + b64url_encode(bytes(range(97)))
    assert len(refresh_like) == 5 + 130
    assert rejected(refresh_like, {"k1": watcher}) == "malformed"
    plain_jwt = signed(signing, header_of(signing, typ="JWT"), payload_of())
    assert rejected(plain_jwt, {"k1": watcher}) == "wrong type"
    id_token = signed(
        signing,
        header_of(signing, typ="JWT"),
        payload_of(nonce="n-0S6_WzA2Mj", azp=AUDIENCE, auth_time=T, sid=DROP, sc_gen=DROP),
    )
    assert rejected(id_token, {"k1": watcher}) == "wrong type"
    for typ in (DROP, "AT+JWT", "application/at+jwt", None):
        header = {k: v for k, v in header_of(signing, typ=typ).items() if v is not DROP}
        assert rejected(signed(signing, header, payload_of()), {"k1": watcher}) == "wrong type"
    assert watcher.calls == []


def _other_algorithm(algorithm: str) -> str:
    return ALGORITHMS[(ALGORITHMS.index(algorithm) + 1) % len(ALGORITHMS)]


def _with_header(header: bytes | dict[str, Any]) -> Callable[[SigningKey], str]:
    """A builder of a token signed by the real key whose header is `header` (raw bytes)
    or the key's proper header with `header` merged in (DROP removes a member)."""

    def build(signing: SigningKey) -> str:
        if isinstance(header, bytes):
            return signed(signing, header, payload_of())
        merged = {k: v for k, v in header_of(signing, **header).items() if v is not DROP}
        return signed(signing, merged, payload_of())

    return build


def _bad_base64url_header(signing: SigningKey) -> str:
    token = signed(signing, header_of(signing), payload_of())
    return "eyJ!" + token[token.index(".") :]


C4_CASES: dict[str, tuple[Callable[[SigningKey], str], str]] = {
    "two-parts": (lambda signing: "a.b", "malformed"),
    "bad-base64url": (_bad_base64url_header, "bad encoding"),
    "bad-json": (_with_header(b'{"alg":'), "bad header"),
    "not-json": (_with_header(b"RS256"), "bad header"),
    "array": (_with_header(b'["at+jwt"]'), "bad header"),
    "null": (_with_header(b"null"), "bad header"),
    "empty": (_with_header(b""), "bad header"),
    "bad-utf8": (_with_header(b'{"typ":"at+jwt\xff"}'), "bad header"),
    "duplicate-kid": (_with_header(b'{"alg":"RS256","typ":"at+jwt","kid":"k1","kid":"k1"}'),
                      "bad header"),
    "nan": (_with_header(b'{"typ":"at+jwt","kid":"k1","x":NaN}'), "bad header"),
    "wrong-typ": (_with_header({"typ": "JWT"}), "wrong type"),
    "other-alg": (lambda s: _with_header({"alg": _other_algorithm(s.algorithm)})(s),
                  "algorithm not allowed"),
    "missing-kid": (_with_header({"kid": DROP}), "bad kid"),
    "kid-int": (_with_header({"kid": 5}), "bad kid"),
    "kid-null": (_with_header({"kid": None}), "bad kid"),
    "kid-list": (_with_header({"kid": ["k1"]}), "bad kid"),
    "kid-object": (_with_header({"kid": {"k1": 1}}), "bad kid"),
    "jku": (_with_header({"jku": "https://attacker.example/jwks"}), "forbidden header"),
    "x5u": (_with_header({"x5u": "https://attacker.example/cert"}), "forbidden header"),
    "jwk": (_with_header({"jwk": {"kty": "OKP", "crv": "Ed25519", "x": "AA"}}),
            "forbidden header"),
    "x5c": (_with_header({"x5c": ["MIIB"]}), "forbidden header"),
    "crit": (_with_header({"crit": ["exp"], "exp": 1}), "forbidden header"),
}  # fmt: skip


@KEYS
@pytest.mark.parametrize("case", list(C4_CASES))
def test_C4_malformed_headers_rejected_before_crypto(algorithm: str, case: str) -> None:
    build, reason = C4_CASES[case]
    watcher = spy(key(algorithm))
    assert rejected(build(key(algorithm)), {"k1": watcher}) == reason
    assert watcher.calls == []
