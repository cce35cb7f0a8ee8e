//! The `tandem` binary itself: its subcommands, serving, crash safety, the single-server lock,
//! backup and restore. These tests start the real executable.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;
use tandem_storage::{Engine, run};

use crate::harness::{TestDatabase, free_port};

const BINARY: &str = env!("CARGO_BIN_EXE_tandem");

fn tandem(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(BINARY)
        .args(args)
        .current_dir(dir)
        .env_remove("TANDEM_DATABASE_URL")
        .envs(env.iter().copied())
        .output()
        .expect("run tandem")
}

/// Runs `tandem ARGS` with `input` on standard input.
fn tandem_with_input(dir: &Path, args: &[&str], env: &[(&str, &str)], input: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(BINARY)
        .args(args)
        .current_dir(dir)
        .env_remove("TANDEM_DATABASE_URL")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run tandem");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// A new API token of the person with `email`, from `tandem account token`.
fn token_of(dir: &Path, email: &str, env: &[(&str, &str)]) -> String {
    let output = tandem(dir, &["account", "token", email, "--name", "cli test"], env);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

/// Makes the first administrator of the fresh installation in `dir` (of the provider
/// "Operators") and returns an API token of theirs.
fn first_administrator(dir: &Path) -> String {
    let made = tandem_with_input(
        dir,
        &[
            "account",
            "first-administrator",
            "admin@operators.example",
            "--name",
            "Ada Admin",
            "--organisation",
            "Operators",
        ],
        &[],
        "a long enough passphrase\n",
    );
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let again = tandem_with_input(
        dir,
        &[
            "account",
            "first-administrator",
            "eve@operators.example",
            "--name",
            "Eve",
            "--organisation",
            "Operators",
        ],
        &[],
        "another long passphrase\n",
    );
    assert!(!again.status.success(), "only the first administrator");
    assert!(String::from_utf8_lossy(&again.stderr).contains("is an administrator already"));
    token_of(dir, "admin@operators.example", &[])
}

/// The first administrator of these tests has no second factor: the server is told not to
/// require one, so that their token works (`mfa_required_roles` is documented to allow this).
const NO_MFA: &[(&str, &str)] = &[("TANDEM_MFA_REQUIRED_ROLES", "[]")];

/// A `tandem serve` process.
struct Server {
    child: Child,
    bind: String,
}

impl Server {
    /// Starts `tandem serve` (plus `extra` arguments) and waits until it says where it serves.
    fn start(dir: &Path, extra: &[&str], env: &[(&str, &str)]) -> Self {
        let bind = format!("127.0.0.1:{}", free_port());
        let mut child = Command::new(BINARY)
            .arg("serve")
            .args(extra)
            .current_dir(dir)
            .env_remove("TANDEM_DATABASE_URL")
            .env("TANDEM_BIND", &bind)
            .env("TANDEM_LOG_LEVEL", "warn")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start tandem serve");
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in stdout.lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let Ok(line) = rx.recv_timeout(Duration::from_secs(30)) else {
            let _ = child.kill();
            let output = child.wait_with_output().unwrap();
            panic!(
                "tandem serve did not start: {}",
                String::from_utf8_lossy(&output.stderr)
            )
        };
        assert!(
            line.contains(&format!("Tandem is serving on http://{bind}/"))
                || line.contains(&format!("Tandem is serving on https://{bind}/")),
            "{line}"
        );
        Self { child, bind }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.bind)
    }

    /// `GET path` with API token `token`, which must answer 200; its JSON body.
    fn read(
        &self,
        client: &reqwest::blocking::Client,
        token: &str,
        path: &str,
    ) -> serde_json::Value {
        let response = client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .unwrap();
        let status = response.status();
        let text = response.text().unwrap();
        assert_eq!(status, 200, "GET {path}: {text}");
        serde_json::from_str(&text).expect("a JSON body")
    }

    fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Sends SIGTERM and returns the exit status once the server has stopped.
    fn terminate(mut self) -> std::process::ExitStatus {
        self.signal("-TERM");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the server did not stop after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Kills the server without warning, as a crash or power cut would.
    fn crash(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

#[test]
fn every_subcommand_has_help() {
    let dir = tempfile::tempdir().unwrap();
    for command in [
        "serve",
        "demo",
        "migrate",
        "healthcheck",
        "default-config",
        "backup",
        "restore",
        "audit",
        "account",
    ] {
        let output = tandem(dir.path(), &[command, "--help"], &[]);
        assert!(output.status.success(), "{command} --help");
        let text = String::from_utf8(output.stdout).unwrap();
        assert!(text.contains("Usage: tandem"), "{command}: {text}");
    }
}

#[test]
fn default_config_prints_a_loadable_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let output = tandem(dir.path(), &["default-config"], &[]);
    assert!(output.status.success());
    std::fs::write(dir.path().join("custom.toml"), &output.stdout).unwrap();
    let migrate = tandem(dir.path(), &["--config", "custom.toml", "migrate"], &[]);
    assert!(
        migrate.status.success(),
        "{}",
        String::from_utf8_lossy(&migrate.stderr)
    );
    assert!(dir.path().join("tandem-data/tandem.sqlite3").exists());

    let missing = tandem(dir.path(), &["--config", "nope.toml", "migrate"], &[]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("`nope.toml` does not exist"));

    std::fs::write(dir.path().join("typo.toml"), "bnd = \"0.0.0.0:80\"\n").unwrap();
    let typo = tandem(dir.path(), &["--config", "typo.toml", "migrate"], &[]);
    assert!(!typo.status.success());
    assert!(
        String::from_utf8_lossy(&typo.stderr).contains("bnd"),
        "unknown keys are named"
    );
}

#[test]
fn healthcheck_fails_when_nothing_answers() {
    let dir = tempfile::tempdir().unwrap();
    let bind = format!("127.0.0.1:{}", free_port());
    let output = tandem(dir.path(), &["healthcheck"], &[("TANDEM_BIND", &bind)]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot reach a Tandem server"));
}

#[test]
fn the_server_serves_survives_a_crash_and_stops_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let token = first_administrator(dir.path());
    let server = Server::start(dir.path(), &[], NO_MFA);
    assert!(
        tandem(
            dir.path(),
            &["healthcheck"],
            &[("TANDEM_BIND", &server.bind)]
        )
        .status
        .success()
    );

    let client = reqwest::blocking::Client::new();
    let anonymous = client
        .post(server.url("/api/v1/organisations"))
        .json(&json!({"name": "Planted", "kind": "customer"}))
        .send()
        .unwrap();
    assert_eq!(anonymous.status(), 401, "the API wants a token");
    let created = client
        .post(server.url("/api/v1/organisations"))
        .bearer_auth(&token)
        .json(&json!({"name": "Beta Technologies", "kind": "customer"}))
        .send()
        .unwrap();
    assert_eq!(created.status(), 201, "the write is acknowledged");
    server.crash();

    let server = Server::start(dir.path(), &[], NO_MFA);
    let list = server.read(&client, &token, "/api/v1/organisations");
    assert_eq!(
        list["items"][0]["name"], "Beta Technologies",
        "an acknowledged write survives a crash"
    );

    let second = tandem(
        dir.path(),
        &["serve"],
        &[("TANDEM_BIND", &format!("127.0.0.1:{}", free_port()))],
    );
    assert!(!second.status.success());
    assert!(String::from_utf8_lossy(&second.stderr).contains("another Tandem server is running"));

    let status = server.terminate();
    assert!(
        status.success(),
        "SIGTERM stops the server cleanly: {status}"
    );
}

#[test]
fn backups_are_taken_while_serving_and_restored_while_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let token = first_administrator(dir.path());
    let server = Server::start(dir.path(), &[], NO_MFA);
    let client = reqwest::blocking::Client::new();
    let post = |name: &str| {
        let response = client
            .post(server.url("/api/v1/organisations"))
            .bearer_auth(&token)
            .json(&json!({"name": name, "kind": "customer"}))
            .send()
            .unwrap();
        assert_eq!(response.status(), 201);
    };
    post("Before the backup");
    let backup = tandem(dir.path(), &["backup", "backup.sqlite3"], &[]);
    assert!(
        backup.status.success(),
        "{}",
        String::from_utf8_lossy(&backup.stderr)
    );
    post("After the backup");

    let again = tandem(dir.path(), &["backup", "backup.sqlite3"], &[]);
    assert!(
        !again.status.success(),
        "an existing backup is never overwritten"
    );

    let refused = tandem(dir.path(), &["restore", "backup.sqlite3"], &[]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("another Tandem server is running"));
    assert!(server.terminate().success());

    std::fs::write(
        dir.path().join("garbage.sqlite3"),
        b"this is not a database",
    )
    .unwrap();
    let garbage = tandem(dir.path(), &["restore", "garbage.sqlite3"], &[]);
    assert!(!garbage.status.success());
    assert!(String::from_utf8_lossy(&garbage.stderr).contains("is not a usable Tandem backup"));

    let restore = tandem(dir.path(), &["restore", "backup.sqlite3"], &[]);
    assert!(
        restore.status.success(),
        "{}",
        String::from_utf8_lossy(&restore.stderr)
    );

    let server = Server::start(dir.path(), &[], NO_MFA);
    let list = server.read(&client, &token, "/api/v1/organisations");
    let names: Vec<_> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Before the backup", "Operators"]);
    assert!(server.terminate().success());
}

#[test]
fn the_demo_starts_fresh_each_time_and_never_wipes_other_data() {
    let dir = tempfile::tempdir().unwrap();
    let client = reqwest::blocking::Client::new();
    for _ in 0..2 {
        let server = Server::start(dir.path(), &["--demo"], &[]);
        let token = token_of(
            dir.path(),
            "claudia.hoffmann@alpha.example",
            &[("TANDEM_DATA_DIR", "tandem-demo")],
        );
        let orgs = server.read(&client, &token, "/api/v1/organisations");
        assert_eq!(
            orgs["items"].as_array().unwrap().len(),
            4,
            "Alpha, two customers and the vendor, once"
        );
        let teams = server.read(&client, &token, "/api/v1/teams?level=cab");
        assert_eq!(teams["items"][0]["name"], "Change Advisory Board");
        assert!(server.terminate().success());
    }
    assert!(dir.path().join("tandem-demo/.tandem-demo").exists());
    let mut set = Command::new(BINARY)
        .args(["account", "set-password", "anna.lindqvist@gamma.example"])
        .current_dir(dir.path())
        .env_remove("TANDEM_DATABASE_URL")
        .env("TANDEM_DATA_DIR", "tandem-demo")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        set.stdin.take().unwrap().write_all(b"short\n").unwrap();
    }
    let refused = set.wait_with_output().unwrap();
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains("at least 12"),
        "the policy's reason is shown: {said}"
    );
    let verify = tandem(
        dir.path(),
        &["audit", "verify"],
        &[("TANDEM_DATA_DIR", "tandem-demo")],
    );
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stderr)
    );
    let said = String::from_utf8_lossy(&verify.stdout);
    assert!(
        said.starts_with("The audit trail is intact: "),
        "the demo world's writes are in the trail: {said}"
    );

    std::fs::create_dir_all(dir.path().join("precious")).unwrap();
    std::fs::write(dir.path().join("precious/notes.txt"), "keep me").unwrap();
    let refused = tandem(
        dir.path(),
        &["demo"],
        &[
            ("TANDEM_DATA_DIR", "precious"),
            ("TANDEM_BIND", &format!("127.0.0.1:{}", free_port())),
        ],
    );
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("the demo needs a fresh data directory")
    );
    assert!(dir.path().join("precious/notes.txt").exists());
}

#[tokio::test]
async fn postgres_installations_migrate_and_point_backups_at_pg_dump() {
    let database = TestDatabase::create(Engine::Postgres).await;
    let dir = tempfile::tempdir().unwrap();
    let env = [("TANDEM_DATABASE_URL", database.url.as_str())];
    let migrate = tokio::task::spawn_blocking({
        let path = dir.path().to_owned();
        let url = database.url.clone();
        move || tandem(&path, &["migrate"], &[("TANDEM_DATABASE_URL", &url)])
    })
    .await
    .unwrap();
    assert!(
        migrate.status.success(),
        "{}",
        String::from_utf8_lossy(&migrate.stderr)
    );
    let backup = tandem(dir.path(), &["backup", "x.dump"], &env);
    assert!(!backup.status.success());
    let message = String::from_utf8_lossy(&backup.stderr);
    assert!(message.contains("pg_dump"), "{message}");
}

/// `serve` speaks HTTPS itself with `tls_cert` and `tls_key` (a self-signed pair made by the
/// openssl command line here); `curl` is the client, trusting that certificate; the session
/// cookie is marked `Secure`; `tandem healthcheck` checks the server over TLS.
#[test]
fn the_server_speaks_https_with_the_configured_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let made = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-days",
            "1",
            "-keyout",
            "key.pem",
            "-out",
            "cert.pem",
        ])
        .current_dir(dir.path())
        .output()
        .expect("openssl");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    first_administrator(dir.path());
    let tls = [
        ("TANDEM_TLS_CERT", "cert.pem"),
        ("TANDEM_TLS_KEY", "key.pem"),
    ];
    let server = Server::start(dir.path(), &[], &tls);
    let curl = |args: &[&str]| {
        Command::new("curl")
            .args([
                "--silent",
                "--show-error",
                "--include",
                "--cacert",
                "cert.pem",
            ])
            .args(args)
            .current_dir(dir.path())
            .output()
            .expect("curl")
    };
    let health = curl(&[&format!("https://{}/healthz", server.bind)]);
    let answer = String::from_utf8_lossy(&health.stdout);
    assert!(
        answer.starts_with("HTTP/1.1 200") || answer.starts_with("HTTP/2 200"),
        "{answer}"
    );
    let signed_in = curl(&[
        "--data",
        "email=admin%40operators.example&password=a+long+enough+passphrase",
        &format!("https://{}/sign-in", server.bind),
    ]);
    let answer = String::from_utf8_lossy(&signed_in.stdout).to_lowercase();
    assert!(answer.contains("set-cookie: tandem_session="), "{answer}");
    assert!(
        answer.contains("; secure"),
        "the cookie is Secure over TLS: {answer}"
    );
    let plain = curl(&[&format!("http://{}/healthz", server.bind)]);
    assert!(
        !String::from_utf8_lossy(&plain.stdout).contains("200"),
        "plain HTTP is not served"
    );
    let mut env = vec![("TANDEM_BIND", server.bind.as_str())];
    env.extend(tls);
    let check = tandem(dir.path(), &["healthcheck"], &env);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(server.terminate().success());
}

/// `tandem serve` puts back an append-only trigger dropped behind its back, and records that;
/// `tandem audit verify` names the missing trigger; `tandem audit checkpoint` signs with the key
/// from the environment and `tandem audit verify --checkpoint` checks the statement.
#[tokio::test]
async fn serve_restores_the_triggers_and_checkpoints_work_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    first_administrator(dir.path());
    let key = [(
        "TANDEM_AUDIT_CHECKPOINT_KEY",
        "an audit checkpoint key of 32 characters or more",
    )];
    let unsigned = tandem(dir.path(), &["audit", "checkpoint"], &[]);
    assert!(!unsigned.status.success());
    assert!(
        String::from_utf8_lossy(&unsigned.stderr).contains("audit_checkpoint_key is not set"),
        "{}",
        String::from_utf8_lossy(&unsigned.stderr)
    );
    let made = tandem(dir.path(), &["audit", "checkpoint"], &key);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let statement = String::from_utf8(made.stdout).unwrap();
    assert!(
        statement.starts_with("Tandem audit trail checkpoint\nseq: "),
        "{statement}"
    );
    std::fs::write(dir.path().join("checkpoint.txt"), &statement).unwrap();
    let verify_checkpoint = || {
        tandem(
            dir.path(),
            &["audit", "verify", "--checkpoint", "checkpoint.txt"],
            &key,
        )
    };
    let checked = verify_checkpoint();
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stderr)
    );
    assert!(String::from_utf8_lossy(&checked.stdout).contains("It contains entry "));

    // Someone with access to the database file drops a trigger.
    let url =
        tandem_storage::DatabaseUrl::sqlite_file(&dir.path().join("tandem-data/tandem.sqlite3"));
    let db = tandem_storage::Db::connect(&url, &Default::default())
        .await
        .unwrap();
    let mut conn = db.conn().await.unwrap();
    run!(&mut conn, |c| sqlx::query(
        "DROP TRIGGER audit_entries_no_delete"
    )
    .execute(c)
    .await
    .map(|_| ()))
    .unwrap();
    let reported = tandem(dir.path(), &["audit", "verify"], &[]);
    assert!(!reported.status.success());
    let said = String::from_utf8_lossy(&reported.stderr);
    assert!(
        said.starts_with(
            "error: the append-only triggers audit_entries_no_delete of the audit trail are missing or disabled"
        ),
        "{said}"
    );

    let server = Server::start(dir.path(), &[], &[]);
    assert!(server.terminate().success());
    let checked = verify_checkpoint();
    assert!(
        checked.status.success(),
        "the trigger is back: {}",
        String::from_utf8_lossy(&checked.stderr)
    );
    let (actor, changes): (String, String) = run!(&mut conn, |c| {
        sqlx::query_as("SELECT actor_label, changes FROM audit_entries ORDER BY seq DESC LIMIT 1")
            .fetch_one(c)
            .await
    })
    .unwrap();
    assert_eq!(
        (actor.as_str(), changes.as_str()),
        (
            "tandem serve",
            r#"{"restored":[null,"audit_entries_no_delete"]}"#
        )
    );
    drop(conn);
    db.close().await;
}
