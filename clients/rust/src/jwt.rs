//! Access-token verification with `jsonwebtoken`, from the JWK Set that GetJwks publishes.

use jsonwebtoken::jwk::{JwkSet, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde_json::Value;

/// The signing algorithms session-core may be configured with.
const ALLOWED_ALGORITHMS: [Algorithm; 3] = [Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA];
/// The JWT header `typ` of access tokens (RFC 9068).
const ACCESS_TOKEN_TYPE: &str = "at+jwt";

/// What a valid access token of the scenario's session must say.
pub struct Expectation<'a> {
    pub issuer: &'a str,
    pub audience: &'a str,
    pub user: &'a str,
    pub handle: &'a str,
}

/// Checks signature (the header's kid picks the key, whose own `alg` must match the
/// header's), expiry, issuer, audience and header typ, then the subject, session and
/// application claims; returns the first difference.
pub fn verify_access_token(jwks_json: &str, token: &str, want: &Expectation<'_>) -> Result<(), String> {
    let jwks: JwkSet =
        serde_json::from_str(jwks_json).map_err(|e| format!("cannot read the JWK Set: {e}"))?;
    let header = decode_header(token).map_err(|e| format!("header: {e}"))?;
    if header.typ.as_deref() != Some(ACCESS_TOKEN_TYPE) {
        return Err(format!("header typ {:?}, want {ACCESS_TOKEN_TYPE:?}", header.typ));
    }
    if !ALLOWED_ALGORITHMS.contains(&header.alg) {
        return Err(format!("algorithm {:?} is not allowed", header.alg));
    }
    let kid = header.kid.ok_or("header has no kid")?;
    let jwk = jwks
        .find(&kid)
        .ok_or_else(|| format!("no key with kid {kid:?} in the JWK Set"))?;
    let key_alg = jwk.common.key_algorithm;
    if key_alg != Some(KeyAlgorithm::from(header.alg)) {
        return Err(format!(
            "header alg {:?} but key {kid:?} is for {key_alg:?}",
            header.alg
        ));
    }
    let key = DecodingKey::from_jwk(jwk).map_err(|e| format!("key {kid:?}: {e}"))?;
    let mut validation = Validation::new(header.alg);
    validation.set_issuer(&[want.issuer]);
    validation.set_audience(&[want.audience]);
    validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
    let claims = decode::<Value>(token, &key, &validation)
        .map_err(|e| e.to_string())?
        .claims;
    expect_claim(&claims, "sub", want.user)?;
    expect_claim(&claims, "sid", want.handle)?;
    expect_claim(&claims, "role", "interop")
}

fn expect_claim(claims: &Value, name: &str, want: &str) -> Result<(), String> {
    match claims.get(name).and_then(Value::as_str) {
        Some(got) if got == want => Ok(()),
        got => Err(format!("claim {name} {got:?}, want {want:?}")),
    }
}
