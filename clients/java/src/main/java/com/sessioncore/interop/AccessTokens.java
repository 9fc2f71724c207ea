package com.sessioncore.interop;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.util.Set;

/**
 * Access-token verification with Nimbus JOSE+JWT, from the JWK Set that GetJwks publishes.
 *
 * <p>Checks signature (the header's kid picks the key), algorithm, expiry, issuer, audience
 * and header typ, then the subject, session and application claims.
 */
final class AccessTokens {
  /** The JWT header {@code typ} of access tokens (RFC 9068). */
  private static final JOSEObjectType ACCESS_TOKEN_TYPE = new JOSEObjectType("at+jwt");

  /** RS256 and ES256; EdDSA needs the optional Tink dependency, which this client leaves out. */
  private static final Set<JWSAlgorithm> ALLOWED_ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256);

  private final String issuer;
  private final String audience;

  AccessTokens(String issuer, String audience) {
    this.issuer = issuer;
    this.audience = audience;
  }

  /** Null when the token is valid for this user and session, else what is wrong with it. */
  String problem(String jwksJson, String token, String user, String handle) {
    try {
      DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
      processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(ACCESS_TOKEN_TYPE));
      processor.setJWSKeySelector(
          new JWSVerificationKeySelector<>(ALLOWED_ALGORITHMS, new ImmutableJWKSet<>(JWKSet.parse(jwksJson))));
      JWTClaimsSet exact = new JWTClaimsSet.Builder()
          .issuer(issuer)
          .subject(user)
          .claim("sid", handle)
          .claim("role", "interop")
          .build();
      processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(audience, exact, Set.of("exp", "iat", "jti")));
      processor.process(token, null);
      return null;
    } catch (Exception error) { // Nimbus reports each failed check as its own exception type
      return error.getClass().getSimpleName() + ": " + error.getMessage();
    }
  }
}
