/**
 * Proves the generated TypeScript client against a running session-core.
 *
 * Reads the core's address from SESSION_CORE_TARGET (host:port, default
 * 127.0.0.1:7380) and an API key from SESSION_CORE_API_KEY (kept out of the command
 * line, where other users could read it), runs the scenario of docs/clients.md and
 * exits with status 1 at the first answer that differs from the contract, printing
 * what differed. The expected token issuer and audience default to "session-core" and
 * follow SESSION_CORE_ISSUER and SESSION_CORE_AUDIENCE.
 */
import { randomBytes } from "node:crypto";
import { Code, ConnectError, createClient, type CallOptions, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import {
  Outcome,
  Reason,
  SessionService,
  type CreateSessionResponse,
  type RefreshSessionResponse,
  type Tokens,
} from "./gen/sessioncore/v1/session_service_pb.js";
import { verifyAccessToken } from "./jwt.js";

/** Every call carries a deadline: a client must never wait without one. */
const CALL_TIMEOUT_MS = 10_000;
/** The metadata entry every SessionService call carries. */
const API_KEY_HEADER = "x-api-key";

interface Settings {
  target: string;
  apiKey: string;
  issuer: string;
  audience: string;
}

class Mismatch extends Error {}

class Scenario {
  passed = 0;
  private readonly client: Client<typeof SessionService>;

  constructor(private readonly settings: Settings) {
    const transport = createGrpcTransport({ baseUrl: `http://${settings.target}` });
    this.client = createClient(SessionService, transport);
  }

  /** Call options: a deadline and, unless `withKey` is false, the API key. */
  private options(withKey = true): CallOptions {
    const headers: Record<string, string> = withKey ? { [API_KEY_HEADER]: this.settings.apiKey } : {};
    return { headers, timeoutMs: CALL_TIMEOUT_MS };
  }

  private check(step: string, ok: boolean, detail: () => string): void {
    if (!ok) {
      throw new Mismatch(`${step}: ${detail()}`);
    }
    this.passed += 1;
    console.log(`ok   ${step}`);
  }

  async run(): Promise<void> {
    await this.sessionLifecycle();
    await this.withoutApiKey();
    await this.malformedRequest();
  }

  /** Create, verify (locally and by RPC), refresh twice, replay token 0, read the feed. */
  private async sessionLifecycle(): Promise<void> {
    const jwks = await this.getJwks();
    const user = `interop-ts-${randomBytes(8).toString("hex")}`;
    const created = await this.createSession(user);
    const handle = created.session?.handle ?? "";
    await this.verifyLocally("access token from CreateSession", jwks, created.tokens, user, handle);
    await this.verifyByRpc(created.tokens, user, handle);
    const first = await this.refresh("RefreshSession(refresh token 0)", created.tokens);
    await this.verifyLocally("access token from RefreshSession", jwks, first.tokens, user, handle);
    const second = await this.refresh("RefreshSession(refresh token 1)", first.tokens);
    await this.replayIsTheft(created.tokens, user, handle);
    await this.theftInFeed(user, handle);
    await this.revokedSessionFailsVerify(second.tokens);
  }

  private async getJwks(): Promise<string> {
    const response = await this.client.getJwks({}, this.options());
    this.check("GetJwks", response.jwksJson !== "" && response.maxAgeSeconds > 0, () =>
      `jwks_json ${JSON.stringify(response.jwksJson)}, max_age_seconds ${response.maxAgeSeconds}`);
    return response.jwksJson;
  }

  private async createSession(user: string): Promise<CreateSessionResponse> {
    const response = await this.client.createSession(
      { userId: user, accessTokenClaimsJson: JSON.stringify({ role: "interop" }) },
      this.options(),
    );
    const { session, tokens } = response;
    this.check(
      "CreateSession",
      !!session?.handle && session.userId === user && !!tokens?.accessToken?.token && !!tokens.refreshToken?.token,
      () => `session ${JSON.stringify(session)}, tokens present: ${!!tokens}`,
    );
    return response;
  }

  private async verifyLocally(step: string, jwks: string, tokens: Tokens | undefined, user: string, handle: string) {
    let problem = "";
    try {
      await verifyAccessToken(jwks, tokens?.accessToken?.token ?? "", {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        user,
        handle,
      });
    } catch (err) {
      problem = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    }
    this.check(`JWT library verifies the ${step} against GetJwks`, problem === "", () => problem);
  }

  private async verifyByRpc(tokens: Tokens | undefined, user: string, handle: string): Promise<void> {
    const response = await this.client.verifySession(
      { accessToken: tokens?.accessToken?.token ?? "", checkDatabase: true },
      this.options(),
    );
    const got = response.session;
    this.check(
      "VerifySession",
      response.outcome === Outcome.OK && got?.handle === handle && got.userId === user,
      () => `outcome ${Outcome[response.outcome]} (reason ${Reason[response.reason]}), session ${JSON.stringify(got)}`,
    );
  }

  private async refresh(step: string, tokens: Tokens | undefined): Promise<RefreshSessionResponse> {
    const presented = tokens?.refreshToken?.token ?? "";
    const response = await this.client.refreshSession({ refreshToken: presented }, this.options());
    const next = response.tokens?.refreshToken?.token ?? "";
    this.check(
      step,
      response.outcome === Outcome.OK && next !== "" && next !== presented,
      () => `outcome ${Outcome[response.outcome]} (reason ${Reason[response.reason]}), new token: ${next !== presented}`,
    );
    return response;
  }

  private async replayIsTheft(original: Tokens | undefined, user: string, handle: string): Promise<void> {
    const response = await this.client.refreshSession(
      { refreshToken: original?.refreshToken?.token ?? "" },
      this.options(),
    );
    const got = response.session;
    this.check(
      "RefreshSession(refresh token 0 again, after token 1 was used)",
      response.outcome === Outcome.TOKEN_THEFT_DETECTED &&
        response.reason === Reason.TOKEN_REUSED &&
        got?.handle === handle &&
        got.userId === user,
      () =>
        `outcome ${Outcome[response.outcome]} (reason ${Reason[response.reason]}), session ` +
        `${JSON.stringify(got)}; want TOKEN_THEFT_DETECTED (TOKEN_REUSED) for ${user}/${handle}`,
    );
  }

  private async theftInFeed(user: string, handle: string): Promise<void> {
    const response = await this.client.listRevocations({ cursor: "" }, this.options());
    const entry = response.revocations.find(
      (r) => r.subject.case === "sessionHandle" && r.subject.value === handle,
    );
    const theft = entry?.theft;
    this.check(
      "ListRevocations shows the theft",
      theft?.userId === user && theft.presentedGeneration === 0n && theft.currentGeneration === 2n,
      () => `entry for ${handle}: ${entry ? "theft " + String(theft?.userId) : "none"}; want a theft event for ${user}, generations 0 and 2`,
    );
  }

  private async revokedSessionFailsVerify(latest: Tokens | undefined): Promise<void> {
    const response = await this.client.verifySession(
      { accessToken: latest?.accessToken?.token ?? "", checkDatabase: true },
      this.options(),
    );
    this.check(
      "VerifySession(check_database) after the theft",
      response.outcome === Outcome.UNAUTHORISED && response.reason === Reason.SESSION_ENDED,
      () => `outcome ${Outcome[response.outcome]} (reason ${Reason[response.reason]}); want UNAUTHORISED (SESSION_ENDED)`,
    );
  }

  private async withoutApiKey(): Promise<void> {
    const code = await this.statusOf(this.client.createSession({ userId: "interop-ts-no-key" }, this.options(false)));
    this.check("CreateSession without the API key", code === Code.Unauthenticated, () =>
      `status ${code === undefined ? "OK" : Code[code]}; want Unauthenticated`);
  }

  private async malformedRequest(): Promise<void> {
    const code = await this.statusOf(this.client.createSession({ userId: "" }, this.options()));
    this.check("CreateSession with an empty user id", code === Code.InvalidArgument, () =>
      `status ${code === undefined ? "OK" : Code[code]}; want InvalidArgument`);
  }

  /** The status code a call failed with, or undefined when it answered. */
  private async statusOf(call: Promise<unknown>): Promise<Code | undefined> {
    try {
      await call;
      return undefined;
    } catch (err) {
      return ConnectError.from(err).code;
    }
  }
}

function settingsFromEnv(): Settings {
  const apiKey = process.env.SESSION_CORE_API_KEY ?? "";
  if (apiKey === "") {
    throw new Error("set SESSION_CORE_API_KEY to one of the core's API keys");
  }
  return {
    target: process.env.SESSION_CORE_TARGET || "127.0.0.1:7380",
    apiKey,
    issuer: process.env.SESSION_CORE_ISSUER || "session-core",
    audience: process.env.SESSION_CORE_AUDIENCE || "session-core",
  };
}

async function main(): Promise<number> {
  let settings: Settings;
  try {
    settings = settingsFromEnv();
  } catch (err) {
    console.error(`interop typescript: ${(err as Error).message}`);
    return 2;
  }
  const scenario = new Scenario(settings);
  try {
    await scenario.run();
  } catch (err) {
    const detail = err instanceof Mismatch ? err.message : `unexpected error: ${ConnectError.from(err).message}`;
    console.log(`FAIL ${detail}`);
    return 1;
  }
  console.log(`interop typescript: all ${scenario.passed} checks passed`);
  return 0;
}

process.exitCode = await main();
