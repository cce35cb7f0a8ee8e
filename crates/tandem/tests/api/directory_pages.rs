//! The directory's pages: forms with errors next to their fields, lists, and no dead links
//! anywhere in the demo world.

use std::collections::{BTreeSet, VecDeque};

use reqwest::StatusCode;
use tandem_kernel::Clock;

use crate::harness::{HARNESS_ORGANISATIONS, HARNESS_PEOPLE, TestApp};
use crate::on_both_engines;

mod demo_sqlite {
    #[tokio::test]
    async fn every_link_of_the_demo_world_leads_somewhere() {
        super::every_link_leads_somewhere(
            crate::harness::TestApp::spawn_demo(tandem_storage::Engine::Sqlite).await,
        )
        .await;
    }

    /// Links to what a role may not do are left out: an engineer, an auditor and a customer
    /// user each follow every link they are shown and never meet a refusal.
    #[tokio::test]
    async fn every_link_a_role_is_shown_is_open_to_it() {
        let app = crate::harness::TestApp::spawn_demo(tandem_storage::Engine::Sqlite).await;
        for email in [
            "sven.richter@alpha.example",
            "ruth.meyer@alpha.example",
            "david.chen@beta.example",
        ] {
            let session = app.demo_session(email).await;
            let seen = super::crawl(&app, &session).await;
            assert!(seen.len() > 5, "{email} reached {} pages", seen.len());
            if email.ends_with("beta.example") {
                assert!(
                    !seen.iter().any(|p| p.starts_with("/frameworks")),
                    "{seen:?}"
                );
            }
        }
    }
}

mod demo_postgres {
    #[tokio::test]
    async fn every_link_of_the_demo_world_leads_somewhere() {
        super::every_link_leads_somewhere(
            crate::harness::TestApp::spawn_demo(tandem_storage::Engine::Postgres).await,
        )
        .await;
    }
}

on_both_engines!(
    a_person_is_created_through_the_form,
    form_errors_are_shown_next_to_their_fields_and_nothing_is_saved,
    an_organisation_in_use_is_not_deleted_and_the_page_says_why,
    teams_are_edited_with_member_checkboxes,
    list_pages_sort_filter_and_page,
    an_edit_made_meanwhile_by_someone_else_is_not_overwritten,
    pickers_offer_every_organisation_and_team_of_the_kinds_they_take,
    forms_and_addresses_that_are_not_utf8_text_are_refused,
);

/// Every `href` and `src` on the page.
fn links(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attribute in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(start) = rest.find(attribute) {
            rest = &rest[start + attribute.len()..];
            if let Some(end) = rest.find('"') {
                found.push(rest[..end].replace("&#38;", "&").replace("&amp;", "&"));
                rest = &rest[end..];
            }
        }
    }
    found
}

/// Crawls the demo world as its administrator, who reaches every page.
async fn every_link_leads_somewhere(app: TestApp) {
    let session = app.demo_session("claudia.hoffmann@alpha.example").await;
    let seen = crawl(&app, &session).await;
    assert!(
        seen.len() > 60,
        "the crawl reached the whole demo world ({} pages)",
        seen.len()
    );
    for expected in [
        "/organisations",
        "/people",
        "/teams",
        "/api/docs",
        "/people/new",
        "/teams/new",
        "/admin/accounts",
        "/access/permissions",
    ] {
        assert!(
            seen.contains(expected),
            "{expected} is linked from somewhere"
        );
    }
}

/// A link as the crawl counts it: views that step through time (the change calendar's earlier
/// and later weeks) go on for ever, so links that differ only in their `date` are one page.
fn page_of(link: &str) -> String {
    match link.split_once('?') {
        Some((path, query)) => {
            let kept: Vec<&str> = query
                .split('&')
                .filter(|pair| !pair.starts_with("date="))
                .collect();
            format!("{path}?{}", kept.join("&"))
        }
        None => link.to_owned(),
    }
}

/// Follows every link from the start page in the session of `session`, asserting each answers
/// 200; returns the pages reached (see [`page_of`]).
async fn crawl(app: &TestApp, session: &str) -> BTreeSet<String> {
    let mut queue = VecDeque::from(["/".to_owned()]);
    let mut seen = BTreeSet::from(["/".to_owned()]);
    while let Some(path) = queue.pop_front() {
        let response = app.get_as(session, &path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let is_html = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html");
        if !is_html {
            continue;
        }
        let html = response.text().await.unwrap();
        for link in links(&html) {
            if link.starts_with("mailto:") || link.starts_with('#') {
                continue;
            }
            assert!(link.starts_with('/'), "{path} links outside Tandem: {link}");
            if seen.insert(page_of(&link)) {
                queue.push_back(link);
            }
        }
    }
    seen
}

/// Percent-encoded bytes that are not UTF-8 are refused, not stored as U+FFFD.
async fn forms_and_addresses_that_are_not_utf8_text_are_refused(app: TestApp) {
    let post = |body: &'static str| {
        app.request(reqwest::Method::POST, "/organisations")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    let refused = post("name=%FF%FE&kind=customer&description=")
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let html = refused.text().await.unwrap();
    assert!(
        html.contains(
            "The form could not be read: the field `name` holds characters that are not valid text (UTF-8)"
        ),
        "{html}"
    );
    assert_eq!(app.count("organisations").await, HARNESS_ORGANISATIONS);

    let accepted = post("name=Gr%C3%BC%C3%9Fe+Beta&kind=customer&description=")
        .await
        .unwrap();
    assert_eq!(accepted.status(), StatusCode::SEE_OTHER);
    let location = accepted.headers()["location"].to_str().unwrap().to_owned();
    let page = app.read_text(&location).await;
    assert!(page.contains("<h1>Grüße Beta <span"), "{page}");
    assert_eq!(app.count("organisations").await, HARNESS_ORGANISATIONS + 1);

    let list = app.get("/organisations?q=%FF").await;
    assert_eq!(list.status(), StatusCode::BAD_REQUEST);
    let html = list.text().await.unwrap();
    assert!(
        html.contains("the parameter `q` holds characters that are not valid text (UTF-8)"),
        "{html}"
    );
}

async fn a_person_is_created_through_the_form(app: TestApp) {
    let beta = app.organisation("Beta Technologies", "customer").await;
    let form = app.read_text("/people/new").await;
    assert!(form.contains(&format!(
        "<option value=\"{beta}\">Beta Technologies</option>"
    )));

    let response = app
        .post_form(
            "/people",
            &[
                ("name", "Priya Nair"),
                ("email", "priya@beta.example"),
                ("organisation_id", &beta),
                ("phone", ""),
                ("job_title", "Local IT"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("/people/"), "{location}");
    let page = app.read_text(&location).await;
    assert!(page.contains("<h1>Priya Nair</h1>"), "{page}");
    assert!(page.contains("Local IT"));

    let list = app.read_text("/people?q=priya").await;
    assert!(
        list.contains(&format!("<a href=\"{location}\">Priya Nair</a>")),
        "{list}"
    );
}

async fn form_errors_are_shown_next_to_their_fields_and_nothing_is_saved(app: TestApp) {
    let beta = app.organisation("Beta Technologies", "customer").await;
    app.person(&beta, "David Chen", "david@beta.example").await;
    let response = app
        .post_form(
            "/people",
            &[
                ("name", "<b>Priya</b>"),
                ("email", "not-an-address"),
                ("organisation_id", ""),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("id=\"email\" name=\"email\" value=\"not-an-address\" aria-required=\"true\" aria-invalid=\"true\" aria-describedby=\"email-error\""), "{html}");
    assert!(
        html.contains("<small id=\"email-error\" class=\"field-error\">is not an e-mail address")
    );
    assert!(
        html.contains(
            "<small id=\"organisation_id-error\" class=\"field-error\">is required</small>"
        )
    );
    assert!(
        html.contains("value=\"&#60;b&#62;Priya&#60;/b&#62;\""),
        "typed values come back, escaped: {html}"
    );
    assert!(!html.contains("<b>Priya</b>"));

    let duplicate = app
        .post_form(
            "/people",
            &[
                ("name", "D. Chen"),
                ("email", "david@beta.example"),
                ("organisation_id", &beta),
            ],
        )
        .await;
    assert_eq!(duplicate.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(duplicate.text().await.unwrap().contains("<small id=\"email-error\" class=\"field-error\">another person already has this e-mail address</small>"));
    assert_eq!(app.count("people").await, 1 + HARNESS_PEOPLE);
}

async fn an_organisation_in_use_is_not_deleted_and_the_page_says_why(app: TestApp) {
    let beta = app.organisation("Beta Technologies", "customer").await;
    app.person(&beta, "David Chen", "david@beta.example").await;
    let response = app
        .post_form(&format!("/organisations/{beta}/delete"), &[])
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("still has 1 people or teams")
    );
    assert_eq!(app.count("organisations").await, 1 + HARNESS_ORGANISATIONS);
}

async fn teams_are_edited_with_member_checkboxes(app: TestApp) {
    let alpha = app.organisation("Alpha Cloud Services", "provider").await;
    let nina = app
        .person(&alpha, "Nina Keller", "nina@alpha.example")
        .await;
    let tom = app.person(&alpha, "Tom Becker", "tom@alpha.example").await;
    let response = app
        .post_form(
            "/teams",
            &[
                ("name", "Service Desk"),
                ("organisation_id", &alpha),
                ("level", "first_level"),
                ("description", ""),
                ("members", &nina),
                ("members", &tom),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let team = response.headers()["location"].to_str().unwrap().to_owned();
    let page = app.read_text(&team).await;
    assert!(page.contains("Nina Keller") && page.contains("Tom Becker"));

    let edit = app.read_text(&format!("{team}/edit")).await;
    assert!(
        edit.contains(&format!("value=\"{nina}\" checked")),
        "current members are ticked"
    );

    let response = app
        .post_form(
            &team,
            &[
                ("name", "Service Desk"),
                ("organisation_id", &alpha),
                ("level", "first_level"),
                ("members", &tom),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let page = app.read_text(&team).await;
    assert!(!page.contains("Nina Keller") && page.contains("Tom Becker"));

    let response = app
        .post_form(
            &team,
            &[
                ("name", ""),
                ("organisation_id", &alpha),
                ("level", "fifth"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("id=\"name-error\"") && html.contains("id=\"level-error\""));
}

async fn list_pages_sort_filter_and_page(app: TestApp) {
    let beta = app.organisation("Beta Technologies", "customer").await;
    for i in 0..55 {
        app.person(
            &beta,
            &format!("Person {i:02}"),
            &format!("p{i}@beta.example"),
        )
        .await;
    }
    // 56 people: the harness's operator ("Harness Operator") sorts first.
    let first = app.read_text("/people").await;
    assert!(
        first.contains("Harness Operator")
            && first.contains("Person 00")
            && first.contains("Person 48")
            && !first.contains("Person 49")
    );
    let next = links(&first)
        .into_iter()
        .find(|l| l.contains("after="))
        .expect("a next-page link");
    let second = app.read_text(&next).await;
    assert!(
        second.contains("Person 49")
            && second.contains("Person 54")
            && !second.contains("Person 48")
    );
    assert!(second.contains("First page"));

    let descending = app.read_text("/people?sort=name&dir=desc").await;
    assert!(descending.find("Person 54").unwrap() < descending.find("Person 53").unwrap());
    assert!(descending.contains("aria-sort=\"descending\""));

    let filtered = app.read_text("/people?q=person+1").await;
    assert!(filtered.contains("Person 12") && !filtered.contains("Person 22"));

    assert_eq!(
        app.get("/people?sort=password").await.status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.get("/people/not-an-id").await.status(),
        StatusCode::NOT_FOUND
    );
}

async fn an_edit_made_meanwhile_by_someone_else_is_not_overwritten(app: TestApp) {
    let beta = app.organisation("Beta Technologies", "customer").await;
    let person = app.person(&beta, "David Chen", "david@beta.example").await;
    let form = app.read_text(&format!("/people/{person}/edit")).await;
    assert!(
        form.contains("<input type=\"hidden\" name=\"version\" value=\"1\">"),
        "{form}"
    );

    let (status, _) = app
        .patch_json(
            &format!("/api/v1/people/{person}"),
            &serde_json::json!({"job_title": "IT service owner"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let response = app
        .post_form(
            &format!("/people/{person}"),
            &[
                ("name", "David Chen"),
                ("email", "david@beta.example"),
                ("organisation_id", &beta),
                ("job_title", "Intern"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("changed by someone else after you loaded it"),
        "{html}"
    );
    let now = app.read(&format!("/api/v1/people/{person}")).await;
    assert_eq!(now["job_title"], "IT service owner");
}

/// Stores an organisation straight away (faster than the API for hundreds); its id.
async fn stored_organisation(app: &TestApp, name: &str, kind: &str) -> String {
    tandem_directory::store::organisations::create(
        &tandem_audit::Write::new(
            &app.db,
            &tandem_kernel::Actor::system("test"),
            app.clock.now(),
        ),
        tandem_directory::OrganisationDraft {
            name: name.into(),
            kind: kind.into(),
            ..Default::default()
        }
        .validate()
        .expect("a valid organisation"),
    )
    .await
    .expect("store the organisation")
    .id
    .to_string()
}

/// Pickers read every candidate, not a first page of 200: with 205 customers and 205 teams
/// the last of each is offered, in order of name, and a field offers only the kinds of
/// organisation it takes. A person's page lists all 205 of their teams.
async fn pickers_offer_every_organisation_and_team_of_the_kinds_they_take(app: TestApp) {
    let provider = stored_organisation(&app, "Aa Provider", "provider").await;
    let mut customers = Vec::new();
    for i in 1..=205 {
        customers.push(stored_organisation(&app, &format!("Zz customer {i:03}"), "customer").await);
    }
    let supplier = stored_organisation(&app, "Zz supplier", "supplier").await;
    let (first, last) = (&customers[0], &customers[204]);
    let member = app
        .person(&provider, "Zz Member", "member@provider.example")
        .await;
    for i in 1..=205 {
        tandem_directory::store::teams::create(
            &tandem_audit::Write::new(
                &app.db,
                &tandem_kernel::Actor::system("test"),
                app.clock.now(),
            ),
            tandem_directory::TeamDraft {
                organisation_id: provider.clone(),
                name: format!("Zz team {i:03}"),
                level: "second_level".into(),
                members: vec![member.clone()],
                ..Default::default()
            }
            .validate()
            .expect("a valid team"),
        )
        .await
        .expect("store the team");
    }
    let offered = |html: &str, id: &str| html.contains(&format!("value=\"{id}\""));
    let at = |html: &str, text: &str| {
        html.find(text)
            .unwrap_or_else(|| panic!("{text} is on the page"))
    };

    for path in [
        "/services/new",
        "/cis/new?class=virtual-machine",
        "/reports",
    ] {
        let html = app.read_text(path).await;
        assert!(offered(&html, first) && offered(&html, last), "{path}");
        assert!(
            at(&html, "Zz customer 001") < at(&html, "Zz customer 205"),
            "{path} offers the customers by name"
        );
        assert!(
            !offered(&html, &provider) && !offered(&html, &supplier),
            "{path}"
        );
    }

    let agreement = app.read_text("/agreements/new").await;
    assert!(offered(&agreement, last) && agreement.contains(">Zz customer 205 (Customer)<"));
    assert!(offered(&agreement, &supplier) && agreement.contains(">Zz supplier (Supplier)<"));
    assert!(
        !offered(&agreement, &provider),
        "the provider is no party to itself"
    );
    assert!(at(&agreement, ">Zz team 001<") < at(&agreement, ">Zz team 205<"));

    let ticket = app.read_text("/tickets/new").await;
    assert!(offered(&ticket, last) && offered(&ticket, &provider));
    assert!(!offered(&ticket, &supplier), "suppliers raise no tickets");

    let desk = app.read_text("/desk").await;
    assert!(desk.contains(">Zz team 205<"), "the desk's team filter");

    let person = app.read_text(&format!("/people/{member}")).await;
    assert!(person.contains(">Zz team 001<") && person.contains(">Zz team 205<"));
}
