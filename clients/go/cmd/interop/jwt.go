package main

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
)

// allowedAlgorithms are the signing algorithms session-core may be configured with.
var allowedAlgorithms = []string{"RS256", "ES256", "EdDSA"}

// accessTokenType is the JWT header `typ` of access tokens (RFC 9068).
const accessTokenType = "at+jwt"

type expectation struct {
	issuer, audience, user, handle string
}

// verifyAccessToken checks an access token with golang-jwt against the JWK Set alone:
// signature (the header's kid picks the key), algorithm, expiry, issuer, audience,
// header typ, and the subject and session claims.
func verifyAccessToken(jwksJSON, token string, want expectation) error {
	keys, err := keyfunc.NewJWKSetJSON(json.RawMessage(jwksJSON))
	if err != nil {
		return fmt.Errorf("cannot read the JWK Set: %w", err)
	}
	parsed, err := jwt.Parse(token, keys.Keyfunc,
		jwt.WithValidMethods(allowedAlgorithms),
		jwt.WithIssuer(want.issuer),
		jwt.WithAudience(want.audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
	)
	if err != nil {
		return err
	}
	if typ, _ := parsed.Header["typ"].(string); typ != accessTokenType {
		return fmt.Errorf("header typ %q, want %q", typ, accessTokenType)
	}
	claims, ok := parsed.Claims.(jwt.MapClaims)
	if !ok {
		return errors.New("claims are not a JSON object")
	}
	if sub, _ := claims.GetSubject(); sub != want.user {
		return fmt.Errorf("sub %q, want %q", sub, want.user)
	}
	if sid, _ := claims["sid"].(string); sid != want.handle {
		return fmt.Errorf("sid %q, want %q", sid, want.handle)
	}
	if role, _ := claims["role"].(string); role != "interop" {
		return fmt.Errorf("application claim role %q, want %q", role, "interop")
	}
	return nil
}
