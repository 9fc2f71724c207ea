// Command interop proves the generated Go client against a running session-core.
//
// It reads the core's address from SESSION_CORE_TARGET (host:port, default
// 127.0.0.1:7380) and an API key from SESSION_CORE_API_KEY (kept out of the command
// line, where other users could read it), runs the scenario of docs/clients.md and
// exits with status 1 at the first answer that differs from the contract, printing
// what differed. The expected token issuer and audience default to "session-core"
// and follow SESSION_CORE_ISSUER and SESSION_CORE_AUDIENCE.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	pb "session-core/clients/go/gen/sessioncore/v1"
)

// callTimeout bounds every call: a client must always send a deadline.
const callTimeout = 10 * time.Second

// apiKeyHeader is the metadata entry every SessionService call carries.
const apiKeyHeader = "x-api-key"

type settings struct {
	target, apiKey, issuer, audience string
}

func main() {
	cfg, err := settingsFromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, "interop go:", err)
		os.Exit(2)
	}
	conn, err := grpc.NewClient(cfg.target, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		fmt.Fprintln(os.Stderr, "interop go: cannot dial:", err)
		os.Exit(2)
	}
	defer conn.Close()
	s := &scenario{cfg: cfg, client: pb.NewSessionServiceClient(conn)}
	if err := s.run(); err != nil {
		fmt.Printf("FAIL %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("interop go: all %d checks passed\n", s.passed)
}

func settingsFromEnv() (settings, error) {
	cfg := settings{
		target:   envOr("SESSION_CORE_TARGET", "127.0.0.1:7380"),
		apiKey:   os.Getenv("SESSION_CORE_API_KEY"),
		issuer:   envOr("SESSION_CORE_ISSUER", "session-core"),
		audience: envOr("SESSION_CORE_AUDIENCE", "session-core"),
	}
	if cfg.apiKey == "" {
		return cfg, errors.New("set SESSION_CORE_API_KEY to one of the core's API keys")
	}
	return cfg, nil
}

func envOr(name, fallback string) string {
	if value := os.Getenv(name); value != "" {
		return value
	}
	return fallback
}

// scenario holds the client and counts the checks that passed.
type scenario struct {
	cfg    settings
	client pb.SessionServiceClient
	passed int
}

// ctx returns a call context with a deadline and, when withKey, the API key.
func (s *scenario) ctx(withKey bool) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	if withKey {
		ctx = metadata.AppendToOutgoingContext(ctx, apiKeyHeader, s.cfg.apiKey)
	}
	return ctx, cancel
}

// check records one passed check, or returns the mismatch as an error.
func (s *scenario) check(step string, ok bool, format string, args ...any) error {
	if !ok {
		return fmt.Errorf("%s: %s", step, fmt.Sprintf(format, args...))
	}
	s.passed++
	fmt.Printf("ok   %s\n", step)
	return nil
}

func (s *scenario) run() error {
	steps := []func() error{s.sessionLifecycle, s.withoutAPIKey, s.malformedRequest}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// sessionLifecycle: create, verify (locally and by RPC), refresh twice, replay the
// first refresh token (theft), then find the theft in the revocation feed.
func (s *scenario) sessionLifecycle() error {
	jwks, err := s.getJwks()
	if err != nil {
		return err
	}
	user := "interop-go-" + randomHex(8)
	created, err := s.createSession(user)
	if err != nil {
		return err
	}
	handle := created.GetSession().GetHandle()
	if err := s.verifyLocally("access token from CreateSession", jwks, created.GetTokens(), user, handle); err != nil {
		return err
	}
	if err := s.verifyByRPC(created.GetTokens(), user, handle); err != nil {
		return err
	}
	first, err := s.refresh("RefreshSession(refresh token 0)", created.GetTokens())
	if err != nil {
		return err
	}
	if err := s.verifyLocally("access token from RefreshSession", jwks, first.GetTokens(), user, handle); err != nil {
		return err
	}
	second, err := s.refresh("RefreshSession(refresh token 1)", first.GetTokens())
	if err != nil {
		return err
	}
	if err := s.replayIsTheft(created.GetTokens(), user, handle); err != nil {
		return err
	}
	if err := s.theftInFeed(user, handle); err != nil {
		return err
	}
	return s.revokedSessionFailsVerify(second.GetTokens())
}

func (s *scenario) getJwks() (string, error) {
	ctx, cancel := s.ctx(true)
	defer cancel()
	resp, err := s.client.GetJwks(ctx, &pb.GetJwksRequest{})
	if err != nil {
		return "", fmt.Errorf("GetJwks: %v", err)
	}
	return resp.GetJwksJson(), s.check("GetJwks", resp.GetJwksJson() != "" && resp.GetMaxAgeSeconds() > 0,
		"jwks_json %q, max_age_seconds %d", resp.GetJwksJson(), resp.GetMaxAgeSeconds())
}

func (s *scenario) createSession(user string) (*pb.CreateSessionResponse, error) {
	ctx, cancel := s.ctx(true)
	defer cancel()
	resp, err := s.client.CreateSession(ctx, &pb.CreateSessionRequest{
		UserId:                user,
		AccessTokenClaimsJson: `{"role":"interop"}`,
	})
	if err != nil {
		return nil, fmt.Errorf("CreateSession: %v", err)
	}
	session, tokens := resp.GetSession(), resp.GetTokens()
	return resp, s.check("CreateSession", session.GetHandle() != "" && session.GetUserId() == user &&
		tokens.GetAccessToken().GetToken() != "" && tokens.GetRefreshToken().GetToken() != "",
		"session %v, tokens present: access %t, refresh %t", session,
		tokens.GetAccessToken().GetToken() != "", tokens.GetRefreshToken().GetToken() != "")
}

func (s *scenario) verifyLocally(step, jwks string, tokens *pb.Tokens, user, handle string) error {
	err := verifyAccessToken(jwks, tokens.GetAccessToken().GetToken(), expectation{
		issuer: s.cfg.issuer, audience: s.cfg.audience, user: user, handle: handle,
	})
	return s.check("JWT library verifies the "+step+" against GetJwks", err == nil, "%v", err)
}

func (s *scenario) verifyByRPC(tokens *pb.Tokens, user, handle string) error {
	ctx, cancel := s.ctx(true)
	defer cancel()
	resp, err := s.client.VerifySession(ctx, &pb.VerifySessionRequest{
		AccessToken:   tokens.GetAccessToken().GetToken(),
		CheckDatabase: true,
	})
	if err != nil {
		return fmt.Errorf("VerifySession: %v", err)
	}
	got := resp.GetSession()
	return s.check("VerifySession", resp.GetOutcome() == pb.Outcome_OUTCOME_OK &&
		got.GetHandle() == handle && got.GetUserId() == user,
		"outcome %v (reason %v), session %v; want OUTCOME_OK for %s/%s",
		resp.GetOutcome(), resp.GetReason(), got, user, handle)
}

func (s *scenario) refresh(step string, tokens *pb.Tokens) (*pb.RefreshSessionResponse, error) {
	resp, err := s.callRefresh(tokens.GetRefreshToken().GetToken())
	if err != nil {
		return nil, fmt.Errorf("%s: %v", step, err)
	}
	presented, next := tokens.GetRefreshToken().GetToken(), resp.GetTokens().GetRefreshToken().GetToken()
	return resp, s.check(step, resp.GetOutcome() == pb.Outcome_OUTCOME_OK && next != "" && next != presented,
		"outcome %v (reason %v), new refresh token differs: %t; want OUTCOME_OK and a successor",
		resp.GetOutcome(), resp.GetReason(), next != presented)
}

func (s *scenario) callRefresh(refreshToken string) (*pb.RefreshSessionResponse, error) {
	ctx, cancel := s.ctx(true)
	defer cancel()
	return s.client.RefreshSession(ctx, &pb.RefreshSessionRequest{RefreshToken: refreshToken})
}

func (s *scenario) replayIsTheft(original *pb.Tokens, user, handle string) error {
	const step = "RefreshSession(refresh token 0 again, after token 1 was used)"
	resp, err := s.callRefresh(original.GetRefreshToken().GetToken())
	if err != nil {
		return fmt.Errorf("%s: %v", step, err)
	}
	got := resp.GetSession()
	return s.check(step, resp.GetOutcome() == pb.Outcome_OUTCOME_TOKEN_THEFT_DETECTED &&
		resp.GetReason() == pb.Reason_REASON_TOKEN_REUSED &&
		got.GetHandle() == handle && got.GetUserId() == user,
		"outcome %v (reason %v), session %v; want OUTCOME_TOKEN_THEFT_DETECTED (REASON_TOKEN_REUSED) for %s/%s",
		resp.GetOutcome(), resp.GetReason(), got, user, handle)
}

func (s *scenario) theftInFeed(user, handle string) error {
	const step = "ListRevocations shows the theft"
	ctx, cancel := s.ctx(true)
	defer cancel()
	resp, err := s.client.ListRevocations(ctx, &pb.ListRevocationsRequest{})
	if err != nil {
		return fmt.Errorf("ListRevocations: %v", err)
	}
	var found *pb.Revocation
	for _, entry := range resp.GetRevocations() {
		if entry.GetSessionHandle() == handle {
			found = entry
		}
	}
	theft := found.GetTheft()
	return s.check(step, found != nil && theft.GetUserId() == user &&
		theft.GetPresentedGeneration() == 0 && theft.GetCurrentGeneration() == 2,
		"entry for %s: %v; want a theft event for %s, presented generation 0, current 2",
		handle, found, user)
}

func (s *scenario) revokedSessionFailsVerify(latest *pb.Tokens) error {
	const step = "VerifySession(check_database) after the theft"
	ctx, cancel := s.ctx(true)
	defer cancel()
	resp, err := s.client.VerifySession(ctx, &pb.VerifySessionRequest{
		AccessToken:   latest.GetAccessToken().GetToken(),
		CheckDatabase: true,
	})
	if err != nil {
		return fmt.Errorf("%s: %v", step, err)
	}
	return s.check(step, resp.GetOutcome() == pb.Outcome_OUTCOME_UNAUTHORISED &&
		resp.GetReason() == pb.Reason_REASON_SESSION_ENDED,
		"outcome %v (reason %v); want OUTCOME_UNAUTHORISED (REASON_SESSION_ENDED)",
		resp.GetOutcome(), resp.GetReason())
}

func (s *scenario) withoutAPIKey() error {
	ctx, cancel := s.ctx(false)
	defer cancel()
	_, err := s.client.CreateSession(ctx, &pb.CreateSessionRequest{UserId: "interop-go-no-key"})
	return s.expectStatus("CreateSession without the API key", err, codes.Unauthenticated)
}

func (s *scenario) malformedRequest() error {
	ctx, cancel := s.ctx(true)
	defer cancel()
	_, err := s.client.CreateSession(ctx, &pb.CreateSessionRequest{UserId: ""})
	return s.expectStatus("CreateSession with an empty user id", err, codes.InvalidArgument)
}

func (s *scenario) expectStatus(step string, err error, want codes.Code) error {
	got := status.Code(err)
	return s.check(step, got == want, "status %v (%v); want %v", got, err, want)
}

func randomHex(n int) string {
	buf := make([]byte, n)
	_, _ = rand.Read(buf) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(buf)
}
