//! Spawning the real application for tests: on port 0, against a fresh database of either
//! engine. SQLite tests get a new file in a temporary folder; PostgreSQL tests get a new
//! database on the server named by `TANDEM_TEST_PG_URL` (started by `scripts/test`).

use std::sync::Arc;

use reqwest::{Client, Response, StatusCode};
use serde_json::Value;
use tandem::config::Config;
use tandem_kernel::FixedClock;
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

/// A database of the given engine that no other test uses.
pub struct TestDatabase {
    pub url: String,
    _dir: Option<TempDir>,
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
                let Db::Postgres(pool) = &db else {
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
                }
            }
        }
    }
}

/// A running application and a client for it.
pub struct TestApp {
    pub base: String,
    pub client: Client,
    pub db: Db,
    pub clock: Arc<FixedClock>,
    _database: TestDatabase,
}

impl TestApp {
    pub async fn spawn(engine: Engine) -> Self {
        let database = TestDatabase::create(engine).await;
        let config = Config {
            database_url: Some(database.url.clone()),
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
            tandem::app::router(state),
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
            _database: database,
        }
    }

    /// Spawns the app with the demo world loaded.
    pub async fn spawn_demo(engine: Engine) -> Self {
        let app = Self::spawn(engine).await;
        tandem::demo::load(&app.db, app.clock.as_ref())
            .await
            .expect("load the demo world");
        app
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.expect("GET")
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
        let response = self
            .client
            .request(method, self.url(path))
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

    pub async fn delete(&self, path: &str) -> StatusCode {
        self.client
            .delete(self.url(path))
            .send()
            .await
            .expect("DELETE")
            .status()
    }

    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        self.client
            .post(self.url(path))
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
