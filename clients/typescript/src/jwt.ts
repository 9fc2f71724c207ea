/** Access-token verification with `jose`, from the JWK Set that GetJwks publishes. */
import { createLocalJWKSet, jwtVerify } from "jose";

/** The signing algorithms session-core may be configured with. */
const ALLOWED_ALGORITHMS = ["RS256", "ES256", "EdDSA"];
/** The JWT header `typ` of access tokens (RFC 9068). */
const ACCESS_TOKEN_TYPE = "at+jwt";

export interface Expectation {
  issuer: string;
  audience: string;
  user: string;
  handle: string;
}

/**
 * Verifies signature (the header's kid picks the key), algorithm, expiry, issuer,
 * audience and header typ, then the subject, session and application claims; throws
 * on the first difference.
 */
export async function verifyAccessToken(jwksJson: string, token: string, want: Expectation): Promise<void> {
  const keys = createLocalJWKSet(JSON.parse(jwksJson));
  const { payload } = await jwtVerify(token, keys, {
    algorithms: ALLOWED_ALGORITHMS,
    issuer: want.issuer,
    audience: want.audience,
    typ: ACCESS_TOKEN_TYPE,
    requiredClaims: ["exp", "iat", "sub"],
  });
  if (payload.sub !== want.user) {
    throw new Error(`sub ${JSON.stringify(payload.sub)}, want ${JSON.stringify(want.user)}`);
  }
  if (payload.sid !== want.handle) {
    throw new Error(`sid ${JSON.stringify(payload.sid)}, want ${JSON.stringify(want.handle)}`);
  }
  if (payload.role !== "interop") {
    throw new Error(`application claim role ${JSON.stringify(payload.role)}, want "interop"`);
  }
}
