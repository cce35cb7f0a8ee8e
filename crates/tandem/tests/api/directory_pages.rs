//! The directory's pages: forms with errors next to their fields, lists, and no dead links
//! anywhere in the demo world.

use std::collections::{BTreeSet, VecDeque};

use reqwest::StatusCode;

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

async fn a_person_is_created_through_the_form(app: TestApp) {
    let beta = app.organisation("Beta Technologies", "customer").await;
    let form = app.get("/people/new").await.text().await.unwrap();
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
    let page = app.get(&location).await.text().await.unwrap();
    assert!(page.contains("<h1>Priya Nair</h1>"), "{page}");
    assert!(page.contains("Local IT"));

    let list = app.get("/people?q=priya").await.text().await.unwrap();
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
    let page = app.get(&team).await.text().await.unwrap();
    assert!(page.contains("Nina Keller") && page.contains("Tom Becker"));

    let edit = app.get(&format!("{team}/edit")).await.text().await.unwrap();
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
    let page = app.get(&team).await.text().await.unwrap();
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
    let first = app.get("/people").await.text().await.unwrap();
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
    let second = app.get(&next).await.text().await.unwrap();
    assert!(
        second.contains("Person 49")
            && second.contains("Person 54")
            && !second.contains("Person 48")
    );
    assert!(second.contains("First page"));

    let descending = app
        .get("/people?sort=name&dir=desc")
        .await
        .text()
        .await
        .unwrap();
    assert!(descending.find("Person 54").unwrap() < descending.find("Person 53").unwrap());
    assert!(descending.contains("aria-sort=\"descending\""));

    let filtered = app.get("/people?q=person+1").await.text().await.unwrap();
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
    let form = app
        .get(&format!("/people/{person}/edit"))
        .await
        .text()
        .await
        .unwrap();
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
    let (_, now) = app.get_json(&format!("/api/v1/people/{person}")).await;
    assert_eq!(now["job_title"], "IT service owner");
}
