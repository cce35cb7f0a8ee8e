//! Spawning the real application for tests: on port 0, against a fresh database of either
//! engine. SQLite tests get a new file in a temporary folder; PostgreSQL tests get a new
//! database on the server named by `TANDEM_TEST_PG_URL` (started by `scripts/test`).

use std::sync::Arc;

use reqwest::{Client, Response, StatusCode};
use serde_json::Value;
use tandem::config::Config;
use tandem_kernel::{Clock, FixedClock};
use tandem_storage::{Db, Engine};
use tempfile::TempDir;
use time::macros::datetime;

/// Generates, for each named test function `async fn name(app: TestApp)`, a module `name` with
/// one test per engine, so every test runs on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! on_both_engines {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                super::$name($crate::harness::TestApp::spawn(tandem_storage::Engine::Sqlite).await).await;
            }
            #[tokio::test]
            async fn postgres() {
                super::$name($crate::harness::TestApp::spawn(tandem_storage::Engine::Postgres).await).await;
            }
        }
    )+};
}

/// A database of the given engine that no other test uses. A PostgreSQL one is dropped when
/// the test ends, so that a run of the suite leaves nothing behind on the server (a database
/// with every migration applied takes about 12 MB; a run makes a few hundred).
pub struct TestDatabase {
    pub url: String,
    _dir: Option<TempDir>,
    /// The server's administrative URL and the database's name, for dropping it.
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    pub async fn create(engine: Engine) -> Self {
        match engine {
            Engine::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary folder");
                let url = format!("sqlite://{}", dir.path().join("tandem.sqlite3").display());
                Self {
                    url,
                    _dir: Some(dir),
                    postgres: None,
                }
            }
            Engine::Postgres => {
                let admin = std::env::var("TANDEM_TEST_PG_URL").expect(
                    "TANDEM_TEST_PG_URL is not set: run the tests with scripts/test, which starts a throwaway PostgreSQL, or point it at a server where the user may create databases",
                );
                let name = format!("tandem_test_{}", uuid::Uuid::now_v7().simple());
                let url = tandem_storage::DatabaseUrl::parse(&admin)
                    .expect("TANDEM_TEST_PG_URL is a postgres:// URL");
                let db = Db::connect(&url, &Default::default())
                    .await
                    .expect("connect to the test PostgreSQL server");
                let tandem_storage::Pool::Postgres(pool) = db.pool() else {
                    unreachable!("a postgres URL opens PostgreSQL")
                };
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(pool)
                    .await
                    .expect("create the test database");
                db.close().await;
                let base = admin
                    .rsplit_once('/')
                    .map_or(admin.as_str(), |(base, _)| base);
                Self {
                    url: format!("{base}/{name}"),
                    _dir: None,
                    postgres: Some((admin, name)),
                }
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((admin, name)) = self.postgres.take() else {
            return;
        };
        // The test's own runtime is ending (and may be a single thread busy dropping this), so
        // a thread with a runtime of its own drops the database. FORCE ends the connections
        // the application's pool still holds.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            runtime.block_on(async {
                let url = tandem_storage::DatabaseUrl::parse(&admin).map_err(|e| e.to_string())?;
                let db = Db::connect(&url, &Default::default())
                    .await
                    .map_err(|e| e.to_string())?;
                let tandem_storage::Pool::Postgres(pool) = db.pool() else {
                    unreachable!("a postgres URL opens PostgreSQL")
                };
                let outcome = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .execute(pool)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string());
                db.close().await;
                outcome
            })
        })
        .join();
        // A database left behind costs disk, not correctness: say so rather than fail the test.
        match dropped {
            Ok(Ok(())) => {}
            Ok(Err(error)) => eprintln!("could not drop a test database: {error}"),
            Err(_) => eprintln!("dropping a test database panicked"),
        }
    }
}

/// A running application and a client for it. The request helpers (`get`, `post_json`,
/// `post_form` …) act as an administrator through an API token; `client` alone is anonymous
/// and keeps cookies, for the tests of signing in.
pub struct TestApp {
    pub base: String,
    pub client: Client,
    pub db: Db,
    pub clock: Arc<FixedClock>,
    /// The API token the request helpers send.
    pub token: String,
    /// The sequence number of the last audit entry the harness itself wrote; tests of the
    /// trail look at what comes after.
    pub audit_start: i64,
    _database: TestDatabase,
}

/// The e-mail address of the administrator an empty test application is given.
pub const OPERATOR: &str = "operator@harness.example";
/// The demo world's TOTP secret ([`tandem::demo::DEMO_TOTP_SECRET`]) as bytes.
pub const DEMO_TOTP_BYTES: &[u8] = b"Hello!\xde\xad\xbe\xef";
/// Organisations and people [`TestApp::spawn`] creates for its administrator.
pub const HARNESS_ORGANISATIONS: i64 = 1;
pub const HARNESS_PEOPLE: i64 = 1;

impl TestApp {
    /// An application on an empty database but for one administrator (person [`OPERATOR`] of the
    /// supplier organisation "Harness Operators") whose API token the request helpers use.
    /// Tests that count records or audit entries count from what this leaves.
    pub async fn spawn(engine: Engine) -> Self {
        let mut app = Self::spawn_empty(engine).await;
        let write = tandem_audit::Write::new(
            &app.db,
            &tandem_kernel::Actor::system("test harness"),
            app.clock.now(),
        );
        let organisation = tandem_directory::store::organisations::create(
            &write,
            tandem_directory::OrganisationDraft {
                name: "Harness Operators".into(),
                kind: "supplier".into(),
                ..Default::default()
            }
            .validate()
            .expect("a valid organisation"),
        )
        .await
        .expect("create the operators' organisation");
        tandem_directory::store::people::create(
            &write,
            tandem_directory::PersonDraft {
                organisation_id: organisation.id.to_string(),
                name: "Harness Operator".into(),
                email: OPERATOR.into(),
                ..Default::default()
            }
            .validate()
            .expect("a valid person"),
        )
        .await
        .expect("create the operator");
        // Administrators must have a second factor (the default `mfa_required_roles`).
        app.give_second_factor(OPERATOR).await;
        app.token = app
            .token_for(OPERATOR, &[tandem_kernel::Role::Administrator])
            .await;
        app.settle().await;
        app
    }

    /// Uses the token once (its first use is recorded in the trail) and notes where the
    /// harness's own audit entries end.
    async fn settle(&mut self) {
        let response = self.get("/api/v1/organisations?limit=1").await;
        assert_eq!(response.status(), StatusCode::OK, "the harness token works");
        self.audit_start = self.count("audit_entries").await;
    }

    /// Gives the person with `email` exactly `roles` and returns a new API token of theirs.
    pub async fn token_for(&self, email: &str, roles: &[tandem_kernel::Role]) -> String {
        let (person, _) = tandem_identity::store::person_by_email(&self.db, email)
            .await
            .expect("look the person up")
            .expect("the person exists");
        let actor = tandem_kernel::Actor::system("test harness");
        tandem_identity::roles::set(
            &tandem_audit::Write::new(&self.db, &actor, self.clock.now()),
            person,
            roles.iter().copied().collect(),
        )
        .await
        .expect("give the roles");
        self.token_of(email).await
    }

    /// A person of `organisation` with an API token carrying `roles` (and the second factor
    /// those roles require).
    pub async fn member(
        &self,
        organisation: &str,
        name: &str,
        email: &str,
        roles: &[tandem_kernel::Role],
    ) -> Member {
        let id = self.person(organisation, name, email).await;
        let token = self.token_for(email, roles).await;
        if roles.iter().any(|r| {
            matches!(
                r,
                tandem_kernel::Role::Ciso | tandem_kernel::Role::Administrator
            )
        }) {
            self.give_second_factor(email).await;
        }
        Member { id, token }
    }

    /// Sets up the second factor ([`DEMO_TOTP_BYTES`]) of the person with `email`, as the roles
    /// of administrators and the CISO require before they act.
    pub async fn give_second_factor(&self, email: &str) {
        let (person, _) = tandem_identity::store::person_by_email(&self.db, email)
            .await
            .expect("look the person up")
            .expect("the person exists");
        let actor = tandem_kernel::Actor::system("test harness");
        tandem_identity::mfa::set_up_with_secret(
            &tandem_audit::Write::new(&self.db, &actor, self.clock.now()),
            person,
            DEMO_TOTP_BYTES,
        )
        .await
        .expect("give the person a second factor");
    }

    /// A new API token of the person with `email`, acting with all the roles they hold.
    pub async fn token_of(&self, email: &str) -> String {
        let (person, _) = tandem_identity::store::person_by_email(&self.db, email)
            .await
            .expect("look the person up")
            .expect("the person exists");
        let (_, secret) = tandem_identity::tokens::create(
            &tandem_audit::Write::new(
                &self.db,
                &tandem_kernel::Actor::system("test harness"),
                self.clock.now(),
            ),
            person,
            tandem_identity::tokens::NewToken {
                name: format!("test token {}", uuid::Uuid::now_v7().simple()),
                roles: String::new(),
                days: 365,
            },
        )
        .await
        .expect("create a token");
        secret
    }

    /// A request to `path` with API token `token`.
    pub fn request_as(
        &self,
        token: &str,
        method: reqwest::Method,
        path: &str,
    ) -> reqwest::RequestBuilder {
        self.client
            .request(method, self.url(path))
            .bearer_auth(token)
    }

    /// `GET path` with API token `token`, as JSON.
    pub async fn get_json_as(&self, token: &str, path: &str) -> (StatusCode, Value) {
        let response = self
            .request_as(token, reqwest::Method::GET, path)
            .send()
            .await
            .expect("GET");
        let status = response.status();
        (status, response.json().await.expect("a JSON body"))
    }

    /// Signs in through the sign-in form (without following the redirect).
    pub async fn sign_in(&self, email: &str, password: &str) -> Response {
        self.client
            .post(self.url("/sign-in"))
            .form(&[("email", email), ("password", password)])
            .send()
            .await
            .expect("POST /sign-in")
    }

    /// Signs in through the sign-in form as a client at the network address `address`.
    pub async fn sign_in_from(&self, address: &str, email: &str, password: &str) -> Response {
        self.client
            .post(self.url("/sign-in"))
            .header("x-forwarded-for", address)
            .form(&[("email", email), ("password", password)])
            .send()
            .await
            .expect("POST /sign-in")
    }

    /// Signs in a demo account through the pages, with the code of the demo world's second
    /// factor when one is due, and returns the session cookie.
    pub async fn demo_session(&self, email: &str) -> String {
        // A code works once: each sign-in takes a fresh time step.
        self.clock.advance(time::Duration::seconds(30));
        let response = self.sign_in(email, tandem::demo::DEMO_PASSWORD).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{email} signs in");
        let cookie = session_cookie(&response);
        let location = response.headers()["location"].to_str().unwrap();
        if !location.starts_with("/sign-in/code") {
            return cookie;
        }
        let step = tandem_identity::totp::step_of(self.clock.now().unix_timestamp());
        let code = tandem_identity::totp::code(DEMO_TOTP_BYTES, step);
        let done = self
            .post_as(&cookie, "/sign-in/code", &[("code", &code)])
            .await;
        assert_eq!(done.status(), StatusCode::SEE_OTHER, "the code is accepted");
        // Accepting the code renews the session's token: the cookie of the first step no
        // longer opens anything.
        let renewed = session_cookie(&done);
        assert_ne!(
            renewed, cookie,
            "the session token is renewed with the code"
        );
        renewed
    }

    /// A page in the session of `cookie` (`tandem_session=TOKEN`).
    pub async fn get_as(&self, cookie: &str, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .header("cookie", cookie)
            .send()
            .await
            .expect("GET")
    }

    /// Posts a form of Tandem's pages in the session of `cookie`, with its CSRF token.
    pub async fn post_as(&self, cookie: &str, path: &str, fields: &[(&str, &str)]) -> Response {
        let token = csrf(cookie);
        let mut fields = fields.to_vec();
        fields.push(("_csrf", &token));
        self.client
            .post(self.url(path))
            .header("cookie", cookie)
            .form(&fields)
            .send()
            .await
            .expect("POST")
    }

    /// A request to `path` with the harness token.
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, self.url(path))
            .bearer_auth(&self.token)
    }

    /// An application on an empty database without any account. It takes the test client
    /// (on 127.0.0.1) for a trusted proxy, so that a request can name the client's address in
    /// `X-Forwarded-For` ([`TestApp::sign_in_from`]); without the header, it is 127.0.0.1.
    pub async fn spawn_empty(engine: Engine) -> Self {
        let database = TestDatabase::create(engine).await;
        let config = Config {
            database_url: Some(database.url.clone()),
            trusted_proxies: vec![std::net::Ipv4Addr::LOCALHOST.into()],
            ..Config::default()
        };
        let db = tandem::app::open_database(&config)
            .await
            .expect("open and migrate the test database");
        assert_eq!(db.engine(), engine);
        let clock = Arc::new(FixedClock::new(datetime!(2026-11-02 09:00 UTC)));
        let state = tandem::app::state(db.clone(), clock.clone(), &config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind port 0");
        let base = format!("http://{}", listener.local_addr().expect("bound address"));
        tokio::spawn(tandem::app::serve(
            listener,
            None,
            tandem::app::router(state).expect("the routes are declared"),
            db.clone(),
            std::future::pending(),
        ));
        let client = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("HTTP client");
        Self {
            base,
            client,
            db,
            clock,
            token: String::new(),
            audit_start: 0,
            _database: database,
        }
    }

    /// Spawns the app with the demo world loaded; the request helpers act as its administrator
    /// (Claudia Hoffmann).
    pub async fn spawn_demo(engine: Engine) -> Self {
        let mut app = Self::spawn_empty(engine).await;
        tandem::demo::load(&app.db, app.clock.as_ref())
            .await
            .expect("load the demo world");
        app.token = app
            .token_for(
                "claudia.hoffmann@alpha.example",
                &[tandem_kernel::Role::Administrator],
            )
            .await;
        app.settle().await;
        app
    }

    /// A second pool on this application's database, as another `tandem serve` process on
    /// the same database would have.
    pub async fn second_pool(&self) -> Db {
        let url = tandem_storage::DatabaseUrl::parse(&self._database.url).expect("the test URL");
        Db::connect(&url, &Default::default())
            .await
            .expect("a second pool on the test database")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.request(reqwest::Method::GET, path)
            .send()
            .await
            .expect("GET")
    }

    pub async fn get_json(&self, path: &str) -> (StatusCode, Value) {
        let response = self.get(path).await;
        let status = response.status();
        (status, response.json().await.expect("a JSON body"))
    }

    pub async fn send_json(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &Value,
    ) -> (StatusCode, Value) {
        self.send_json_as(&self.token, method, path, body).await
    }

    /// Sends `body` as JSON with `method` and API token `token`; the status and the JSON
    /// answer (`Null` when empty).
    pub async fn send_json_as(
        &self,
        token: &str,
        method: reqwest::Method,
        path: &str,
        body: &Value,
    ) -> (StatusCode, Value) {
        let response = self
            .request_as(token, method, path)
            .json(body)
            .send()
            .await
            .expect("request");
        let status = response.status();
        let text = response.text().await.expect("body");
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).expect("a JSON body")
        };
        (status, value)
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        self.send_json(reqwest::Method::POST, path, body).await
    }

    pub async fn patch_json(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        self.send_json(reqwest::Method::PATCH, path, body).await
    }

    /// Sends `body` as JSON with `method` and checks that the answer has status `expect`,
    /// naming the request and the answer's body if not; returns the body (`Null` when empty).
    /// For the requests that set up what a test checks, so that a failed one says so.
    pub async fn expect_json(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &Value,
        expect: StatusCode,
    ) -> Value {
        let what = format!("{method} {path}");
        let (status, answer) = self.send_json(method, path, body).await;
        assert_eq!(status, expect, "{what}: {answer}");
        answer
    }

    /// `POST path` with `body`, which must create something (201); the created record.
    pub async fn created(&self, path: &str, body: &Value) -> Value {
        self.expect_json(reqwest::Method::POST, path, body, StatusCode::CREATED)
            .await
    }

    /// `PATCH path` with `body`, which must be accepted (200); the changed record.
    pub async fn updated(&self, path: &str, body: &Value) -> Value {
        self.expect_json(reqwest::Method::PATCH, path, body, StatusCode::OK)
            .await
    }

    /// `GET path`, which must answer 200; its JSON body.
    pub async fn read(&self, path: &str) -> Value {
        self.read_as(&self.token, path).await
    }

    /// `GET path` with API token `token`, which must answer 200; its JSON body.
    pub async fn read_as(&self, token: &str, path: &str) -> Value {
        let (status, body) = self.get_json_as(token, path).await;
        assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
        body
    }

    /// `GET path`, which must answer 200; its body as text (a page, a CSV file, a feed).
    pub async fn read_text(&self, path: &str) -> String {
        ok_text(self.get(path).await, path).await
    }

    /// The page at `path` in the session of `cookie`, which must answer 200; its HTML.
    pub async fn page_as(&self, cookie: &str, path: &str) -> String {
        ok_text(self.get_as(cookie, path).await, path).await
    }

    pub async fn delete(&self, path: &str) -> StatusCode {
        self.request(reqwest::Method::DELETE, path)
            .send()
            .await
            .expect("DELETE")
            .status()
    }

    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        self.request(reqwest::Method::POST, path)
            .form(fields)
            .send()
            .await
            .expect("POST form")
    }

    /// Creates an organisation through the API and returns its id.
    pub async fn organisation(&self, name: &str, kind: &str) -> String {
        let (status, body) = self
            .post_json(
                "/api/v1/organisations",
                &serde_json::json!({"name": name, "kind": kind}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["id"].as_str().expect("id").to_owned()
    }

    /// Creates a person through the API and returns their id.
    pub async fn person(&self, organisation: &str, name: &str, email: &str) -> String {
        let (status, body) = self
            .post_json(
                "/api/v1/people",
                &serde_json::json!({"organisation_id": organisation, "name": name, "email": email}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["id"].as_str().expect("id").to_owned()
    }

    /// How many rows `table` holds, read straight from the database.
    pub async fn count(&self, table: &str) -> i64 {
        let mut conn = self.db.conn().await.expect("connection");
        tandem_storage::run!(&mut conn, |c| {
            sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(format!(
                "SELECT count(*) FROM {table}"
            )))
            .fetch_one(c)
            .await
        })
        .expect("count")
    }
}

/// A person of a test's world with an API token.
pub struct Member {
    pub id: String,
    pub token: String,
}

/// The text of `response`, the answer to `GET path`, which must be 200.
async fn ok_text(response: Response, path: &str) -> String {
    let status = response.status();
    let text = response.text().await.expect("a body");
    assert_eq!(status, StatusCode::OK, "GET {path}: {text}");
    text
}

/// The error code and field names of an API error body.
pub fn error_fields(body: &Value) -> (String, Vec<String>) {
    let code = body["error"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let fields = body["error"]["details"]
        .as_array()
        .map(|d| {
            d.iter()
                .filter_map(|e| e["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    (code, fields)
}

/// The CSRF token of the session in `cookie` (`tandem_session=TOKEN`), as its pages carry it.
pub fn csrf(cookie: &str) -> String {
    tandem_web::routes::csrf_token(cookie.split_once('=').expect("NAME=VALUE").1)
}

/// The session cookie (`tandem_session=TOKEN`) a sign-in set, after checking its attributes.
pub fn session_cookie(response: &Response) -> String {
    let set = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    set.split(';').next().unwrap().to_owned()
}

/// Like [`on_both_engines`], with the demo world loaded.
#[macro_export]
macro_rules! on_both_engines_with_demo {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                super::$name($crate::harness::TestApp::spawn_demo(tandem_storage::Engine::Sqlite).await).await;
            }
            #[tokio::test]
            async fn postgres() {
                super::$name($crate::harness::TestApp::spawn_demo(tandem_storage::Engine::Postgres).await).await;
            }
        }
    )+};
}

/// A port on the loopback interface that nothing listens on just now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
