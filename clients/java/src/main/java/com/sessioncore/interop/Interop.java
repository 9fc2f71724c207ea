package com.sessioncore.interop;

import com.sessioncore.v1.CreateSessionRequest;
import com.sessioncore.v1.CreateSessionResponse;
import com.sessioncore.v1.GetJwksRequest;
import com.sessioncore.v1.GetJwksResponse;
import com.sessioncore.v1.ListRevocationsRequest;
import com.sessioncore.v1.ListRevocationsResponse;
import com.sessioncore.v1.Outcome;
import com.sessioncore.v1.Reason;
import com.sessioncore.v1.RefreshSessionRequest;
import com.sessioncore.v1.RefreshSessionResponse;
import com.sessioncore.v1.Revocation;
import com.sessioncore.v1.SessionServiceGrpc;
import com.sessioncore.v1.SessionServiceGrpc.SessionServiceBlockingStub;
import com.sessioncore.v1.TheftEvent;
import com.sessioncore.v1.Tokens;
import com.sessioncore.v1.VerifySessionRequest;
import com.sessioncore.v1.VerifySessionResponse;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Proves the generated Java client against a running session-core.
 *
 * <p>Reads the core's address from SESSION_CORE_TARGET (host:port, default 127.0.0.1:7380)
 * and an API key from SESSION_CORE_API_KEY (kept out of the command line, where other users
 * could read it), runs the scenario of docs/clients.md and exits with status 1 at the first
 * answer that differs from the contract, printing what differed. The expected token issuer
 * and audience default to "session-core" and follow SESSION_CORE_ISSUER and
 * SESSION_CORE_AUDIENCE.
 */
public final class Interop {
  /** Every call carries a deadline: a client must never wait without one. */
  private static final long CALL_TIMEOUT_SECONDS = 10;

  /** The metadata entry every SessionService call carries. */
  private static final Metadata.Key<String> API_KEY_HEADER =
      Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER);

  private final SessionServiceBlockingStub withKey;
  private final SessionServiceBlockingStub withoutKey;
  private final AccessTokens accessTokens;
  private int passed;

  private Interop(ManagedChannel channel, String apiKey, AccessTokens accessTokens) {
    Metadata headers = new Metadata();
    headers.put(API_KEY_HEADER, apiKey);
    this.withoutKey = SessionServiceGrpc.newBlockingStub(channel);
    this.withKey = withoutKey.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    this.accessTokens = accessTokens;
  }

  public static void main(String[] args) throws InterruptedException {
    String apiKey = env("SESSION_CORE_API_KEY", "");
    if (apiKey.isEmpty()) {
      System.err.println("interop java: set SESSION_CORE_API_KEY to one of the core's API keys");
      System.exit(2);
    }
    String target = env("SESSION_CORE_TARGET", "127.0.0.1:7380");
    AccessTokens accessTokens =
        new AccessTokens(env("SESSION_CORE_ISSUER", "session-core"), env("SESSION_CORE_AUDIENCE", "session-core"));
    ManagedChannel channel = Grpc.newChannelBuilder(target, InsecureChannelCredentials.create()).build();
    int status = 0;
    try {
      Interop interop = new Interop(channel, apiKey, accessTokens);
      interop.run();
      System.out.printf("interop java: all %d checks passed%n", interop.passed);
    } catch (Mismatch mismatch) {
      System.out.println("FAIL " + mismatch.getMessage());
      status = 1;
    } catch (StatusRuntimeException unexpected) {
      System.out.println("FAIL unexpected status: " + unexpected.getStatus());
      status = 1;
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    System.exit(status);
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isEmpty() ? fallback : value;
  }

  /** A stub whose next call has a fresh deadline. */
  private SessionServiceBlockingStub call(SessionServiceBlockingStub stub) {
    return stub.withDeadlineAfter(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  private void check(String step, boolean ok, Supplier<String> detail) {
    if (!ok) {
      throw new Mismatch(step + ": " + detail.get());
    }
    passed++;
    System.out.println("ok   " + step);
  }

  private void run() {
    sessionLifecycle();
    withoutApiKey();
    malformedRequest();
  }

  /** Create, verify (locally and by RPC), refresh twice, replay token 0, read the feed. */
  private void sessionLifecycle() {
    String jwks = getJwks();
    byte[] random = new byte[8];
    new SecureRandom().nextBytes(random);
    String user = "interop-java-" + HexFormat.of().formatHex(random);
    CreateSessionResponse created = createSession(user);
    String handle = created.getSession().getHandle();
    verifyLocally("access token from CreateSession", jwks, created.getTokens(), user, handle);
    verifyByRpc(created.getTokens(), user, handle);
    RefreshSessionResponse first = refresh("RefreshSession(refresh token 0)", created.getTokens());
    verifyLocally("access token from RefreshSession", jwks, first.getTokens(), user, handle);
    RefreshSessionResponse second = refresh("RefreshSession(refresh token 1)", first.getTokens());
    replayIsTheft(created.getTokens(), user, handle);
    theftInFeed(user, handle);
    revokedSessionFailsVerify(second.getTokens());
  }

  private String getJwks() {
    GetJwksResponse response = call(withKey).getJwks(GetJwksRequest.getDefaultInstance());
    check("GetJwks", !response.getJwksJson().isEmpty() && response.getMaxAgeSeconds() > 0,
        () -> "jwks_json " + response.getJwksJson() + ", max_age_seconds " + response.getMaxAgeSeconds());
    return response.getJwksJson();
  }

  private CreateSessionResponse createSession(String user) {
    CreateSessionResponse response = call(withKey).createSession(CreateSessionRequest.newBuilder()
        .setUserId(user)
        .setAccessTokenClaimsJson("{\"role\":\"interop\"}")
        .build());
    check("CreateSession",
        !response.getSession().getHandle().isEmpty()
            && response.getSession().getUserId().equals(user)
            && !response.getTokens().getAccessToken().getToken().isEmpty()
            && !response.getTokens().getRefreshToken().getToken().isEmpty(),
        () -> "session " + response.getSession() + ", tokens present: " + response.hasTokens());
    return response;
  }

  private void verifyLocally(String step, String jwks, Tokens tokens, String user, String handle) {
    String problem = accessTokens.problem(jwks, tokens.getAccessToken().getToken(), user, handle);
    check("JWT library verifies the " + step + " against GetJwks", problem == null, () -> problem);
  }

  private void verifyByRpc(Tokens tokens, String user, String handle) {
    VerifySessionResponse response = call(withKey).verifySession(VerifySessionRequest.newBuilder()
        .setAccessToken(tokens.getAccessToken().getToken())
        .setCheckDatabase(true)
        .build());
    check("VerifySession",
        response.getOutcome() == Outcome.OUTCOME_OK
            && response.getSession().getHandle().equals(handle)
            && response.getSession().getUserId().equals(user),
        () -> "outcome " + response.getOutcome() + " (reason " + response.getReason() + "), session "
            + response.getSession());
  }

  private RefreshSessionResponse refresh(String step, Tokens tokens) {
    String presented = tokens.getRefreshToken().getToken();
    RefreshSessionResponse response = refreshCall(presented);
    String next = response.getTokens().getRefreshToken().getToken();
    check(step, response.getOutcome() == Outcome.OUTCOME_OK && !next.isEmpty() && !next.equals(presented),
        () -> "outcome " + response.getOutcome() + " (reason " + response.getReason() + "), new token: "
            + !next.equals(presented));
    return response;
  }

  private RefreshSessionResponse refreshCall(String refreshToken) {
    return call(withKey).refreshSession(RefreshSessionRequest.newBuilder().setRefreshToken(refreshToken).build());
  }

  private void replayIsTheft(Tokens original, String user, String handle) {
    RefreshSessionResponse response = refreshCall(original.getRefreshToken().getToken());
    check("RefreshSession(refresh token 0 again, after token 1 was used)",
        response.getOutcome() == Outcome.OUTCOME_TOKEN_THEFT_DETECTED
            && response.getReason() == Reason.REASON_TOKEN_REUSED
            && response.getSession().getHandle().equals(handle)
            && response.getSession().getUserId().equals(user),
        () -> "outcome " + response.getOutcome() + " (reason " + response.getReason() + "), session "
            + response.getSession() + "; want OUTCOME_TOKEN_THEFT_DETECTED (REASON_TOKEN_REUSED)");
  }

  private void theftInFeed(String user, String handle) {
    ListRevocationsResponse response = call(withKey).listRevocations(ListRevocationsRequest.getDefaultInstance());
    Revocation entry = response.getRevocationsList().stream()
        .filter(r -> r.getSessionHandle().equals(handle))
        .findFirst()
        .orElse(null);
    TheftEvent theft = entry == null ? TheftEvent.getDefaultInstance() : entry.getTheft();
    check("ListRevocations shows the theft",
        entry != null && theft.getUserId().equals(user)
            && theft.getPresentedGeneration() == 0 && theft.getCurrentGeneration() == 2,
        () -> "entry for " + handle + ": " + entry + "; want a theft event for " + user + ", generations 0 and 2");
  }

  private void revokedSessionFailsVerify(Tokens latest) {
    VerifySessionResponse response = call(withKey).verifySession(VerifySessionRequest.newBuilder()
        .setAccessToken(latest.getAccessToken().getToken())
        .setCheckDatabase(true)
        .build());
    check("VerifySession(check_database) after the theft",
        response.getOutcome() == Outcome.OUTCOME_UNAUTHORISED && response.getReason() == Reason.REASON_SESSION_ENDED,
        () -> "outcome " + response.getOutcome() + " (reason " + response.getReason()
            + "); want OUTCOME_UNAUTHORISED (REASON_SESSION_ENDED)");
  }

  private void withoutApiKey() {
    Status.Code code = statusOf(() -> call(withoutKey).createSession(
        CreateSessionRequest.newBuilder().setUserId("interop-java-no-key").build()));
    check("CreateSession without the API key", code == Status.Code.UNAUTHENTICATED,
        () -> "status " + code + "; want UNAUTHENTICATED");
  }

  private void malformedRequest() {
    Status.Code code = statusOf(() -> call(withKey).createSession(
        CreateSessionRequest.newBuilder().setUserId("").build()));
    check("CreateSession with an empty user id", code == Status.Code.INVALID_ARGUMENT,
        () -> "status " + code + "; want INVALID_ARGUMENT");
  }

  /** The status a call ended with (OK when it answered). */
  private static Status.Code statusOf(Runnable call) {
    try {
      call.run();
      return Status.Code.OK;
    } catch (StatusRuntimeException error) {
      return error.getStatus().getCode();
    }
  }

  /** An answer that differs from the contract; its message says how. */
  private static final class Mismatch extends RuntimeException {
    Mismatch(String message) {
      super(message);
    }
  }
}
