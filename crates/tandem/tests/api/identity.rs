//! Sign-in: accounts with a password policy, sessions in a cookie that make the person the
//! actor of their changes, sign-out and timeouts; wrong and unknown addresses look alike.

use reqwest::StatusCode;
use tandem_kernel::Clock;

use crate::harness::{TestApp, session_cookie};
use crate::on_both_engines;

on_both_engines!(
    a_person_signs_in_and_their_changes_carry_their_name,
    wrong_passwords_and_unknown_addresses_get_the_same_answer,
    sessions_end_when_idle_and_passwords_follow_the_policy,
    repeated_failures_are_throttled_without_revealing_accounts,
    guessing_from_one_network_does_not_lock_the_owner_out,
    a_person_changes_their_own_password,
    a_person_ends_their_other_sessions_and_no_one_elses,
    sign_in_goes_on_only_to_paths_inside_tandem,
);

/// The probe's open redirect: `next` after sign-in is followed only when it is a plain path
/// inside Tandem. A tab (which browsers strip, making `//evil.example`), backslashes, encoded
/// slashes, CR, LF and NUL all lead to the start page, and none of them is a 500.
async fn sign_in_goes_on_only_to_paths_inside_tandem(app: TestApp) {
    account(&app).await;
    let sign_in_with = |next: &'static str| {
        app.client
            .post(app.url("/sign-in"))
            .form(&[
                ("email", "nina@alpha.example"),
                ("password", PASSWORD),
                ("next", next),
            ])
            .send()
    };
    let kept = sign_in_with("/tickets?state=open").await.unwrap();
    assert_eq!(kept.status(), StatusCode::SEE_OTHER);
    assert_eq!(kept.headers()["location"], "/tickets?state=open");
    for next in [
        "/\t/evil.example",
        "//evil.example",
        "/\\evil.example",
        "\\/evil.example",
        "/%2F/evil.example",
        "/%5C%5Cevil.example",
        "https://evil.example/",
        "/people\r\nSet-Cookie: planted=1",
        "/people\nX: 1",
        "/people\0",
    ] {
        let response = sign_in_with(next).await.unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(response.headers()["location"], "/", "{next:?}");
        assert!(
            !response
                .headers()
                .get_all("set-cookie")
                .iter()
                .any(|c| c.to_str().unwrap_or_default().contains("planted")),
            "{next:?}"
        );
    }
}

async fn a_person_ends_their_other_sessions_and_no_one_elses(app: TestApp) {
    account(&app).await;
    let beta = app.organisation("Beta Technologies", "customer").await;
    app.person(&beta, "David Chen", "david@beta.example").await;
    let write = tandem_audit::Write::new(
        &app.db,
        &tandem_kernel::Actor::system("test"),
        app.clock.now(),
    );
    tandem_identity::store::set_password(&write, "david@beta.example", PASSWORD)
        .await
        .unwrap();
    let davids = app
        .post_form(
            "/sign-in",
            &[("email", "david@beta.example"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(davids.status(), StatusCode::SEE_OTHER, "David signs in");
    let davids = session_cookie(&davids);
    let other = session(&app).await;
    let this = session(&app).await;

    let page = app.page_as(&this, "/account").await;
    assert!(page.contains("this session"));
    let name =
        |cookie: &str| tandem_identity::store::session_name(cookie.split_once('=').unwrap().1);
    assert!(
        page.contains(&format!("/account/sessions/{}/revoke", name(&other))),
        "the other session can be ended"
    );
    assert!(
        !page.contains(&name(&davids)),
        "another person's sessions are not listed"
    );

    let denied = app
        .post_as(
            &this,
            &format!("/account/sessions/{}/revoke", name(&davids)),
            &[],
        )
        .await;
    assert_eq!(
        denied.status(),
        StatusCode::NOT_FOUND,
        "nobody ends another person's session"
    );
    let ended = app
        .post_as(
            &this,
            &format!("/account/sessions/{}/revoke", name(&other)),
            &[],
        )
        .await;
    assert_eq!(ended.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.count("sessions").await,
        2,
        "David's and this one remain"
    );
}

async fn sign_in(app: &TestApp, password: &str) -> reqwest::Response {
    app.post_form(
        "/sign-in",
        &[("email", "nina@alpha.example"), ("password", password)],
    )
    .await
}

/// Signs Nina in with [`PASSWORD`], which must succeed; the session cookie.
async fn session(app: &TestApp) -> String {
    let response = sign_in(app, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "Nina signs in");
    session_cookie(&response)
}

async fn a_person_changes_their_own_password(app: TestApp) {
    account(&app).await;
    // Signed in from another browser, too.
    session(&app).await;
    let this = session(&app).await;
    assert_eq!(app.count("sessions").await, 2);

    let change = |cookie: String, current: &'static str, new: &'static str| {
        let app = &app;
        async move {
            app.post_as(
                &cookie,
                "/account/password",
                &[("current", current), ("password", new)],
            )
            .await
        }
    };
    let wrong = change(this.clone(), "not my password x", "a brand new passphrase").await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.text().await.unwrap().contains("id=\"current-error\""));
    let weak = change(this.clone(), PASSWORD, "short").await;
    assert_eq!(weak.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(weak.text().await.unwrap().contains("at least 12"));

    let done = change(this.clone(), PASSWORD, "a brand new passphrase").await;
    assert_eq!(done.status(), StatusCode::OK);
    assert!(
        done.text()
            .await
            .unwrap()
            .contains("Your password has been changed")
    );
    assert_eq!(
        app.count("sessions").await,
        1,
        "the other session ended, this one stays"
    );
    assert_eq!(
        sign_in(&app, PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        sign_in(&app, "a brand new passphrase").await.status(),
        StatusCode::SEE_OTHER
    );

    let anonymous = app
        .client
        .post(app.url("/account/password"))
        .form(&[("current", PASSWORD), ("password", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        anonymous.status(),
        StatusCode::UNAUTHORIZED,
        "only a signed-in person changes a password"
    );
}

async fn repeated_failures_are_throttled_without_revealing_accounts(app: TestApp) {
    account(&app).await;
    for _ in 0..5 {
        let wrong = app
            .post_form(
                "/sign-in",
                &[
                    ("email", "nina@alpha.example"),
                    ("password", "not the password x"),
                ],
            )
            .await;
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    }
    let right = app
        .post_form(
            "/sign-in",
            &[("email", "Nina@alpha.example"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(
        right.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    assert!(
        right
            .text()
            .await
            .unwrap()
            .contains("too many failed sign-ins")
    );
    for _ in 0..5 {
        let wrong = app
            .post_form(
                "/sign-in",
                &[
                    ("email", "ghost@alpha.example"),
                    ("password", "not the password x"),
                ],
            )
            .await;
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    }
    let ghost = app
        .post_form(
            "/sign-in",
            &[("email", "ghost@alpha.example"), ("password", "x")],
        )
        .await;
    assert_eq!(
        ghost.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "addresses without an account are throttled alike"
    );
    app.clock.advance(time::Duration::minutes(16));
    let later = app
        .post_form(
            "/sign-in",
            &[("email", "nina@alpha.example"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(later.status(), StatusCode::SEE_OTHER, "failures age out");
    assert_eq!(
        app.count("sign_in_failures WHERE email = 'nina@alpha.example'")
            .await,
        0,
        "a success clears them"
    );
    // The ghost's five failures are now older than the window: the next failure removes them.
    let stale = app
        .post_form(
            "/sign-in",
            &[("email", "ghost@alpha.example"), ("password", "x")],
        )
        .await;
    assert_eq!(stale.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.count("sign_in_failures").await,
        1,
        "failures older than the window are removed"
    );
}

/// The probe's lockout: customers see agents' e-mail addresses, so anyone could keep an agent
/// out with five wrong passwords. Five wrong passwords for Nina from one network address (A)
/// refuse further tries for her from A, yet her right password from her own network (B) still
/// signs her in, and that does not give A its tries back. Nina is warned by mail once per
/// window, with the guesser's address and the time; an address without an account warns
/// nobody, and the answers do not tell the two apart.
async fn guessing_from_one_network_does_not_lock_the_owner_out(app: TestApp) {
    account(&app).await;
    const A: &str = "203.0.113.7";
    const B: &str = "198.51.100.20";
    const C: &str = "192.0.2.33";
    const NINAS_MAIL: &str = "mail_outbox WHERE recipient = 'nina@alpha.example'";
    for _ in 0..5 {
        guess(&app, A, "nina@alpha.example").await;
    }
    let from_a = app.sign_in_from(A, "nina@alpha.example", PASSWORD).await;
    assert_eq!(
        from_a.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the guesser's network waits, even with the right password"
    );
    let from_b = app.sign_in_from(B, "nina@alpha.example", PASSWORD).await;
    assert_eq!(
        from_b.status(),
        StatusCode::SEE_OTHER,
        "Nina's own network still signs her in"
    );
    let account_page = app.get_as(&session_cookie(&from_b), "/account").await;
    assert_eq!(account_page.status(), StatusCode::OK);
    let still_a = app.sign_in_from(A, "nina@alpha.example", PASSWORD).await;
    assert_eq!(
        still_a.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "signing in elsewhere does not give the guesser new tries"
    );
    assert_eq!(app.count(NINAS_MAIL).await, 1, "Nina is warned");
    assert_eq!(
        app.count(&format!(
            "{NINAS_MAIL} AND body LIKE '%{A} at 2026-11-02 09:00 UTC%' AND link = '/account'"
        ))
        .await,
        1,
        "the warning names the guesser's address and the time"
    );
    assert_eq!(
        app.count(
            "audit_entries WHERE entity = 'sign-in' \
             AND changes LIKE '%nina@alpha.example warned by mail%'"
        )
        .await,
        1,
        "the warning is in the audit trail"
    );

    // The guesser moves to another network: five more tries there, then refused, and no
    // second mail within the window.
    for _ in 0..5 {
        guess(&app, C, "nina@alpha.example").await;
    }
    let from_c = app.sign_in_from(C, "nina@alpha.example", PASSWORD).await;
    assert_eq!(from_c.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(app.count(NINAS_MAIL).await, 1, "one mail per window");

    // An address without an account is refused alike and warns nobody.
    for _ in 0..5 {
        guess(&app, A, "ghost@alpha.example").await;
    }
    let ghost = app
        .sign_in_from(A, "ghost@alpha.example", "not the password x")
        .await;
    assert_eq!(ghost.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(app.count("mail_outbox").await, 1, "no mail but Nina's");

    // After the window, the next run of failures warns her again.
    app.clock.advance(time::Duration::minutes(16));
    for _ in 0..5 {
        guess(&app, A, "nina@alpha.example").await;
    }
    assert_eq!(
        app.count(NINAS_MAIL).await,
        2,
        "a new window, a new warning"
    );
}

/// A wrong password for `email` from the network address `from`, refused as wrong.
async fn guess(app: &TestApp, from: &str, email: &str) {
    let wrong = app.sign_in_from(from, email, "not the password x").await;
    assert_eq!(
        wrong.status(),
        StatusCode::UNAUTHORIZED,
        "{email} from {from}"
    );
}

const PASSWORD: &str = "tandem video room 7";

async fn account(app: &TestApp) -> String {
    let alpha = app.organisation("Alpha Cloud Services", "provider").await;
    let nina = app
        .person(&alpha, "Nina Keller", "nina@alpha.example")
        .await;
    let write = tandem_audit::Write::new(
        &app.db,
        &tandem_kernel::Actor::system("test"),
        app.clock.now(),
    );
    tandem_identity::store::set_password(&write, "nina@alpha.example", PASSWORD)
        .await
        .unwrap();
    let (person, _) = tandem_identity::store::person_by_email(&app.db, "nina@alpha.example")
        .await
        .unwrap()
        .unwrap();
    tandem_identity::roles::set(
        &write,
        person,
        tandem_kernel::Roles::NONE.with(tandem_kernel::Role::ServiceDeskAgent),
    )
    .await
    .unwrap();
    nina
}

/// Changes Nina's job title through the person form, in the session of `cookie`.
async fn retitle(app: &TestApp, cookie: &str, nina: &str, title: &str) -> reqwest::Response {
    let person = app.read(&format!("/api/v1/people/{nina}")).await;
    let version = person["version"].to_string();
    app.post_as(
        cookie,
        &format!("/people/{nina}"),
        &[
            (
                "organisation_id",
                person["organisation_id"].as_str().unwrap(),
            ),
            ("name", "Nina Keller"),
            ("email", "nina@alpha.example"),
            ("job_title", title),
            ("version", &version),
        ],
    )
    .await
}

async fn a_person_signs_in_and_their_changes_carry_their_name(app: TestApp) {
    let nina = account(&app).await;
    let response = app
        .post_form(
            "/sign-in",
            &[("email", "nina@alpha.example"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let cookie = session_cookie(&response);

    let changed = retitle(&app, &cookie, &nina, "Service desk agent").await;
    assert_eq!(changed.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.count("audit_entries WHERE entity = 'person' AND action = 'update' AND actor_kind = 'person' AND actor_label = 'nina@alpha.example'").await,
        1,
        "the change is recorded under Nina's name"
    );
    assert_eq!(app.count("audit_entries WHERE entity = 'sign-in'").await, 1);

    let page = app.page_as(&cookie, "/account").await;
    assert!(
        page.contains("signed in as <strong>nina@alpha.example</strong>")
            && page.contains("action=\"/sign-out\""),
        "{page}"
    );
    let anonymous = app.client.get(app.url("/account")).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
    assert_eq!(anonymous.headers()["location"], "/sign-in?next=%2Faccount");
    let out = app.post_as(&cookie, "/sign-out", &[]).await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert!(
        out.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    assert_eq!(app.count("sessions").await, 0);
    assert_eq!(
        app.count("audit_entries WHERE entity = 'session' AND changes LIKE '%signed out%'")
            .await,
        1,
        "signing out is recorded"
    );
    let stale = retitle(&app, &cookie, &nina, "Team lead").await;
    assert_eq!(
        stale.status(),
        StatusCode::UNAUTHORIZED,
        "after sign-out the old cookie names nobody"
    );
    assert_eq!(
        app.count("audit_entries WHERE entity = 'person' AND action = 'update'")
            .await,
        1,
        "and changes nothing"
    );
}

async fn wrong_passwords_and_unknown_addresses_get_the_same_answer(app: TestApp) {
    account(&app).await;
    let wrong = app
        .post_form(
            "/sign-in",
            &[
                ("email", "nina@alpha.example"),
                ("password", "tandem video room 8"),
            ],
        )
        .await;
    let unknown = app
        .post_form(
            "/sign-in",
            &[("email", "nobody@alpha.example"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    assert!(wrong.headers().get("set-cookie").is_none());
    let (wrong, unknown) = (wrong.text().await.unwrap(), unknown.text().await.unwrap());
    let message = "the e-mail address or the password is wrong";
    assert!(wrong.contains(message) && unknown.contains(message));
    assert_eq!(app.count("sessions").await, 0);
    assert_eq!(
        app.count("audit_entries WHERE entity = 'sign-in'").await,
        2,
        "refusals are recorded too"
    );

    let mistyped = app
        .post_form(
            "/sign-in",
            &[("email", "tandem video room 7"), ("password", "")],
        )
        .await;
    assert_eq!(mistyped.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.count("audit_entries WHERE changes LIKE '%tandem video room 7%'")
            .await,
        0,
        "a password typed into the e-mail field is not recorded"
    );
    let capitals = app
        .post_form(
            "/sign-in",
            &[("email", "Nina@Alpha.example"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(
        capitals.status(),
        StatusCode::SEE_OTHER,
        "addresses match whatever their case"
    );
}

async fn sessions_end_when_idle_and_passwords_follow_the_policy(app: TestApp) {
    let nina = account(&app).await;
    let cookie = session(&app).await;
    app.clock.advance(time::Duration::hours(13));
    let idle = retitle(&app, &cookie, &nina, "Agent").await;
    assert_eq!(idle.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.count(
            "audit_entries WHERE entity = 'person' AND action = 'update' AND actor_kind = 'person'"
        )
        .await,
        0,
        "an idle session has ended"
    );

    let write = tandem_audit::Write::new(
        &app.db,
        &tandem_kernel::Actor::system("test"),
        app.clock.now(),
    );
    for (bad, reason) in [
        ("short", "at least 12"),
        ("nina@alpha.example", "e-mail"),
        ("correcthorsebatterystaple", "common"),
    ] {
        let err = tandem_identity::store::set_password(&write, "nina@alpha.example", bad)
            .await
            .unwrap_err();
        assert!(
            err.field_errors()[0].message.contains(reason),
            "{bad}: {err}"
        );
    }
    let err = tandem_identity::store::set_password(&write, "ghost@alpha.example", PASSWORD)
        .await
        .unwrap_err();
    assert_eq!(err.field_errors()[0].field, "email");
    let hashes = app
        .count("accounts WHERE password_hash LIKE '$argon2id$%'")
        .await;
    assert_eq!(hashes, 1, "stored as an argon2id hash");
}

mod demo {
    use reqwest::StatusCode;

    use crate::harness::TestApp;

    async fn demo_accounts_sign_in(app: TestApp) {
        let response = app
            .post_form(
                "/sign-in",
                &[
                    ("email", "ines.kraus@alpha.example"),
                    ("password", tandem::demo::DEMO_PASSWORD),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            app.count("accounts").await,
            tandem::demo::DEMO_ACCOUNTS.len() as i64,
            "one per role at least"
        );
    }

    #[tokio::test]
    async fn sqlite() {
        demo_accounts_sign_in(TestApp::spawn_demo(tandem_storage::Engine::Sqlite).await).await;
    }

    #[tokio::test]
    async fn postgres() {
        demo_accounts_sign_in(TestApp::spawn_demo(tandem_storage::Engine::Postgres).await).await;
    }
}
