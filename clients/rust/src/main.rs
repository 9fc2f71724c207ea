//! Proves the generated Rust client against a running session-core.
//!
//! Reads the core's address from SESSION_CORE_TARGET (host:port, default
//! 127.0.0.1:7380) and an API key from SESSION_CORE_API_KEY (kept out of the command
//! line, where other users could read it), runs the scenario of docs/clients.md and
//! exits with status 1 at the first answer that differs from the contract, printing
//! what differed. The expected token issuer and audience default to "session-core" and
//! follow SESSION_CORE_ISSUER and SESSION_CORE_AUDIENCE.

mod jwt;

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::process::ExitCode;
use std::time::Duration;

use sessioncore_client::sessioncore::v1::session_service_client::SessionServiceClient;
use sessioncore_client::sessioncore::v1::{
    CreateSessionRequest, CreateSessionResponse, GetJwksRequest, ListRevocationsRequest, Outcome, Reason,
    RefreshSessionRequest, RefreshSessionResponse, Tokens, VerifySessionRequest, revocation,
};
use tonic::metadata::MetadataValue;
use tonic::transport::{Channel, Endpoint};
use tonic::{Code, Request};

/// Every call carries a deadline: a client must never wait without one.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);
/// The metadata entry every SessionService call carries.
const API_KEY_HEADER: &str = "x-api-key";

struct Settings {
    target: String,
    api_key: String,
    issuer: String,
    audience: String,
}

/// Err: an answer that differs from the contract, or a call that failed unexpectedly.
type Checked = Result<(), String>;

struct Scenario {
    settings: Settings,
    client: SessionServiceClient<Channel>,
    passed: usize,
}

impl Scenario {
    /// A request with a deadline and, when `with_key`, the API key.
    fn request<T>(&self, message: T, with_key: bool) -> Request<T> {
        let mut request = Request::new(message);
        request.set_timeout(CALL_TIMEOUT);
        if with_key {
            let key: MetadataValue<_> = self.settings.api_key.parse().expect("API keys are ASCII");
            request.metadata_mut().insert(API_KEY_HEADER, key);
        }
        request
    }

    fn check(&mut self, step: &str, ok: bool, detail: impl FnOnce() -> String) -> Checked {
        if !ok {
            return Err(format!("{step}: {}", detail()));
        }
        self.passed += 1;
        println!("ok   {step}");
        Ok(())
    }

    async fn run(&mut self) -> Checked {
        self.session_lifecycle().await?;
        self.without_api_key().await?;
        self.malformed_request().await
    }

    /// Create, verify (locally and by RPC), refresh twice, replay token 0, read the feed.
    async fn session_lifecycle(&mut self) -> Checked {
        let jwks = self.get_jwks().await?;
        let user = format!("interop-rust-{:016x}", RandomState::new().build_hasher().finish());
        let created = self.create_session(&user).await?;
        let handle = created.session.clone().unwrap_or_default().handle;
        let tokens0 = created.tokens.unwrap_or_default();
        self.verify_locally("access token from CreateSession", &jwks, &tokens0, &user, &handle)?;
        self.verify_by_rpc(&tokens0, &user, &handle).await?;
        let first = self.refresh("RefreshSession(refresh token 0)", &tokens0).await?;
        let tokens1 = first.tokens.unwrap_or_default();
        self.verify_locally(
            "access token from RefreshSession",
            &jwks,
            &tokens1,
            &user,
            &handle,
        )?;
        let second = self.refresh("RefreshSession(refresh token 1)", &tokens1).await?;
        self.replay_is_theft(&tokens0, &user, &handle).await?;
        self.theft_in_feed(&user, &handle).await?;
        self.revoked_session_fails_verify(&second.tokens.unwrap_or_default())
            .await
    }

    async fn get_jwks(&mut self) -> Result<String, String> {
        let request = self.request(GetJwksRequest {}, true);
        let response = self
            .client
            .get_jwks(request)
            .await
            .map_err(|s| format!("GetJwks: {s}"))?
            .into_inner();
        let ok = !response.jwks_json.is_empty() && response.max_age_seconds > 0;
        self.check("GetJwks", ok, || format!("{response:?}"))?;
        Ok(response.jwks_json)
    }

    async fn create_session(&mut self, user: &str) -> Result<CreateSessionResponse, String> {
        let request = self.request(
            CreateSessionRequest {
                user_id: user.to_owned(),
                access_token_claims_json: r#"{"role":"interop"}"#.to_owned(),
                ..Default::default()
            },
            true,
        );
        let response = self
            .client
            .create_session(request)
            .await
            .map_err(|s| format!("CreateSession: {s}"))?
            .into_inner();
        let session = response.session.clone().unwrap_or_default();
        let tokens = response.tokens.clone().unwrap_or_default();
        let has = |token: Option<String>| token.is_some_and(|t| !t.is_empty());
        let ok = !session.handle.is_empty()
            && session.user_id == user
            && has(tokens.access_token.map(|t| t.token))
            && has(tokens.refresh_token.map(|t| t.token));
        self.check("CreateSession", ok, || format!("session {session:?}"))?;
        Ok(response)
    }

    fn verify_locally(
        &mut self,
        step: &str,
        jwks: &str,
        tokens: &Tokens,
        user: &str,
        handle: &str,
    ) -> Checked {
        let want = jwt::Expectation {
            issuer: &self.settings.issuer,
            audience: &self.settings.audience,
            user,
            handle,
        };
        let verdict = jwt::verify_access_token(jwks, &access_token(tokens), &want);
        let step = format!("JWT library verifies the {step} against GetJwks");
        self.check(&step, verdict.is_ok(), || verdict.unwrap_err())
    }

    async fn verify_by_rpc(&mut self, tokens: &Tokens, user: &str, handle: &str) -> Checked {
        let request = self.request(
            VerifySessionRequest {
                access_token: access_token(tokens),
                check_database: true,
                ..Default::default()
            },
            true,
        );
        let response = self
            .client
            .verify_session(request)
            .await
            .map_err(|s| format!("VerifySession: {s}"))?
            .into_inner();
        let session = response.session.clone().unwrap_or_default();
        let ok = response.outcome() == Outcome::Ok && session.handle == handle && session.user_id == user;
        self.check("VerifySession", ok, || {
            format!(
                "outcome {:?} (reason {:?}), session {session:?}",
                response.outcome(),
                response.reason()
            )
        })
    }

    async fn call_refresh(&mut self, refresh_token: String) -> Result<RefreshSessionResponse, String> {
        let request = self.request(
            RefreshSessionRequest {
                refresh_token,
                ..Default::default()
            },
            true,
        );
        Ok(self
            .client
            .refresh_session(request)
            .await
            .map_err(|s| format!("RefreshSession: {s}"))?
            .into_inner())
    }

    async fn refresh(&mut self, step: &str, tokens: &Tokens) -> Result<RefreshSessionResponse, String> {
        let presented = refresh_token(tokens);
        let response = self.call_refresh(presented.clone()).await?;
        let next = refresh_token(&response.tokens.clone().unwrap_or_default());
        let ok = response.outcome() == Outcome::Ok && !next.is_empty() && next != presented;
        self.check(step, ok, || {
            format!(
                "outcome {:?} (reason {:?}), new token: {}",
                response.outcome(),
                response.reason(),
                next != presented
            )
        })?;
        Ok(response)
    }

    async fn replay_is_theft(&mut self, original: &Tokens, user: &str, handle: &str) -> Checked {
        let response = self.call_refresh(refresh_token(original)).await?;
        let session = response.session.clone().unwrap_or_default();
        let ok = response.outcome() == Outcome::TokenTheftDetected
            && response.reason() == Reason::TokenReused
            && session.handle == handle
            && session.user_id == user;
        self.check(
            "RefreshSession(refresh token 0 again, after token 1 was used)",
            ok,
            || {
                format!(
                    "outcome {:?} (reason {:?}), session {session:?}; want TokenTheftDetected (TokenReused)",
                    response.outcome(),
                    response.reason()
                )
            },
        )
    }

    async fn theft_in_feed(&mut self, user: &str, handle: &str) -> Checked {
        let request = self.request(ListRevocationsRequest::default(), true);
        let response = self
            .client
            .list_revocations(request)
            .await
            .map_err(|s| format!("ListRevocations: {s}"))?
            .into_inner();
        let entry = response
            .revocations
            .into_iter()
            .find(|r| matches!(&r.subject, Some(revocation::Subject::SessionHandle(h)) if h == handle));
        let theft = entry.as_ref().and_then(|e| e.theft.clone()).unwrap_or_default();
        let ok = entry.is_some()
            && theft.user_id == user
            && theft.presented_generation == 0
            && theft.current_generation == 2;
        self.check("ListRevocations shows the theft", ok, || {
            format!("entry for {handle}: {entry:?}; want a theft event for {user}, generations 0 and 2")
        })
    }

    async fn revoked_session_fails_verify(&mut self, latest: &Tokens) -> Checked {
        let step = "VerifySession(check_database) after the theft";
        let request = self.request(
            VerifySessionRequest {
                access_token: access_token(latest),
                check_database: true,
                ..Default::default()
            },
            true,
        );
        let response = self
            .client
            .verify_session(request)
            .await
            .map_err(|s| format!("{step}: {s}"))?
            .into_inner();
        let ok = response.outcome() == Outcome::Unauthorised && response.reason() == Reason::SessionEnded;
        self.check(step, ok, || {
            format!(
                "outcome {:?} (reason {:?}); want Unauthorised (SessionEnded)",
                response.outcome(),
                response.reason()
            )
        })
    }

    async fn without_api_key(&mut self) -> Checked {
        let request = self.request(
            CreateSessionRequest {
                user_id: "interop-rust-no-key".into(),
                ..Default::default()
            },
            false,
        );
        let code = self.client.create_session(request).await.err().map(|s| s.code());
        self.check(
            "CreateSession without the API key",
            code == Some(Code::Unauthenticated),
            || format!("status {code:?}; want Unauthenticated"),
        )
    }

    async fn malformed_request(&mut self) -> Checked {
        let request = self.request(
            CreateSessionRequest {
                user_id: String::new(),
                ..Default::default()
            },
            true,
        );
        let code = self.client.create_session(request).await.err().map(|s| s.code());
        self.check(
            "CreateSession with an empty user id",
            code == Some(Code::InvalidArgument),
            || format!("status {code:?}; want InvalidArgument"),
        )
    }
}

fn access_token(tokens: &Tokens) -> String {
    tokens
        .access_token
        .as_ref()
        .map(|t| t.token.clone())
        .unwrap_or_default()
}

fn refresh_token(tokens: &Tokens) -> String {
    tokens
        .refresh_token
        .as_ref()
        .map(|t| t.token.clone())
        .unwrap_or_default()
}

fn env_or(name: &str, fallback: &str) -> String {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| fallback.to_owned())
}

fn settings_from_env() -> Result<Settings, String> {
    let api_key = env_or("SESSION_CORE_API_KEY", "");
    if api_key.is_empty() {
        return Err("set SESSION_CORE_API_KEY to one of the core's API keys".into());
    }
    Ok(Settings {
        target: env_or("SESSION_CORE_TARGET", "127.0.0.1:7380"),
        api_key,
        issuer: env_or("SESSION_CORE_ISSUER", "session-core"),
        audience: env_or("SESSION_CORE_AUDIENCE", "session-core"),
    })
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let settings = match settings_from_env() {
        Ok(settings) => settings,
        Err(problem) => {
            eprintln!("interop rust: {problem}");
            return ExitCode::from(2);
        }
    };
    let endpoint = match Endpoint::from_shared(format!("http://{}", settings.target)) {
        Ok(endpoint) => endpoint.connect_timeout(CALL_TIMEOUT).timeout(CALL_TIMEOUT),
        Err(error) => {
            eprintln!("interop rust: bad SESSION_CORE_TARGET: {error}");
            return ExitCode::from(2);
        }
    };
    let client = SessionServiceClient::new(endpoint.connect_lazy());
    let mut scenario = Scenario {
        settings,
        client,
        passed: 0,
    };
    match scenario.run().await {
        Ok(()) => {
            println!("interop rust: all {} checks passed", scenario.passed);
            ExitCode::SUCCESS
        }
        Err(mismatch) => {
            println!("FAIL {mismatch}");
            ExitCode::FAILURE
        }
    }
}
