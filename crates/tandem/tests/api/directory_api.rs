//! The directory's JSON API: create, read, change, delete, list; bad input is refused with a
//! clear error and writes nothing.

use reqwest::StatusCode;
use serde_json::json;

use crate::harness::{HARNESS_ORGANISATIONS, HARNESS_PEOPLE, TestApp, error_fields};
use crate::on_both_engines;

on_both_engines!(
    organisations_are_created_read_changed_and_deleted,
    only_one_provider_may_exist,
    people_need_an_existing_organisation_and_a_unique_email,
    bad_requests_name_the_field_and_write_nothing,
    unknown_and_malformed_ids_are_not_found,
    teams_keep_their_members,
    organisations_in_use_cannot_be_deleted,
    lists_are_sorted_filtered_and_paged_without_gaps,
    list_parameters_are_checked,
    a_change_based_on_an_old_version_is_refused,
    unversioned_patches_apply_to_the_current_record,
    kinds_and_levels_sort_in_their_natural_order,
    names_that_show_nothing_or_in_another_order_are_refused,
);

/// A name of invisible characters only, or one with a text-direction control that makes it
/// read as something else, is refused and nothing is stored; so is a query parameter that is
/// not UTF-8.
async fn names_that_show_nothing_or_in_another_order_are_refused(app: TestApp) {
    let beta = app.organisation("Beta Technologies", "customer").await;
    let (status, error) = app
        .post_json(
            "/api/v1/people",
            &json!({"organisation_id": beta, "name": "\u{200B}\u{2060}", "email": "zw@beta.example", "job_title": "\u{FEFF}"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    assert_eq!(
        error_fields(&error),
        ("invalid".into(), vec!["name".into(), "job_title".into()])
    );
    assert_eq!(
        error["error"]["details"][0]["message"],
        "has only invisible characters, such as zero-width spaces"
    );

    let (status, error) = app
        .post_json(
            "/api/v1/organisations",
            &json!({"name": "Gamma\u{202E}gnitsoh", "kind": "customer"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    assert_eq!(
        error_fields(&error),
        ("invalid".into(), vec!["name".into()])
    );
    assert_eq!(
        error["error"]["details"][0]["message"],
        "contains the text-direction control U+202E, which shows text in another order than it is written; remove it"
    );

    let (status, error) = app
        .patch_json(
            &format!("/api/v1/organisations/{beta}"),
            &json!({"name": "Beta\u{2066} Technologies"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    assert_eq!(
        error_fields(&error),
        ("invalid".into(), vec!["name".into()])
    );
    let (status, read) = app.get_json(&format!("/api/v1/organisations/{beta}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read["name"], "Beta Technologies");
    assert_eq!(read["version"], 1);

    let (status, error) = app.get_json("/api/v1/organisations?q=%FF").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    assert_eq!(error_fields(&error), ("invalid".into(), vec!["q".into()]));

    assert_eq!(app.count("organisations").await, HARNESS_ORGANISATIONS + 1);
    assert_eq!(app.count("people").await, HARNESS_PEOPLE);
}

async fn organisations_are_created_read_changed_and_deleted(app: TestApp) {
    let (status, created) = app
        .post_json(
            "/api/v1/organisations",
            &json!({"name": "Beta Technologies", "kind": "customer", "description": "VIP video"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(created["kind"], "customer");
    assert_eq!(created["created_at"], "2026-11-02T09:00:00Z");
    let id = created["id"].as_str().unwrap();

    let (status, read) = app.get_json(&format!("/api/v1/organisations/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read, created);

    app.clock.advance(time::Duration::hours(1));
    let (status, changed) = app
        .patch_json(
            &format!("/api/v1/organisations/{id}"),
            &json!({"name": "Beta Tech"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["name"], "Beta Tech");
    assert_eq!(
        changed["description"], "VIP video",
        "fields absent from a PATCH keep their value"
    );
    assert_eq!(changed["updated_at"], "2026-11-02T10:00:00Z");
    assert_eq!(changed["created_at"], "2026-11-02T09:00:00Z");

    assert_eq!(
        app.delete(&format!("/api/v1/organisations/{id}")).await,
        StatusCode::NO_CONTENT
    );
    let (status, body) = app.get_json(&format!("/api/v1/organisations/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");
    assert_eq!(
        app.delete(&format!("/api/v1/organisations/{id}")).await,
        StatusCode::NOT_FOUND
    );
}

async fn only_one_provider_may_exist(app: TestApp) {
    app.organisation("Alpha Cloud Services", "provider").await;
    let (status, body) = app
        .post_json(
            "/api/v1/organisations",
            &json!({"name": "Omega Hosting", "kind": "provider"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        error_fields(&body),
        ("conflict".into(), vec!["kind".into()])
    );
    let customer = app.organisation("Omega Hosting", "customer").await;
    let (status, _) = app
        .patch_json(
            &format!("/api/v1/organisations/{customer}"),
            &json!({"kind": "provider"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(app.count("organisations WHERE kind = 'provider'").await, 1);
}

async fn people_need_an_existing_organisation_and_a_unique_email(app: TestApp) {
    let beta = app.organisation("Beta Technologies", "customer").await;
    let missing = uuid::Uuid::now_v7().to_string();
    let (status, body) = app
        .post_json("/api/v1/people", &json!({"organisation_id": missing, "name": "Priya Nair", "email": "priya@beta.example"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body).1, ["organisation_id"]);

    app.person(&beta, "Priya Nair", "priya@beta.example").await;
    let (status, body) = app
        .post_json(
            "/api/v1/people",
            &json!({"organisation_id": beta, "name": "P. Nair", "email": "priya@BETA.example"}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "the domain of an e-mail address is case-insensitive"
    );
    assert_eq!(
        error_fields(&body),
        ("conflict".into(), vec!["email".into()])
    );
    assert_eq!(app.count("people").await, 1 + HARNESS_PEOPLE);
}

async fn bad_requests_name_the_field_and_write_nothing(app: TestApp) {
    let beta = app.organisation("Beta Technologies", "customer").await;
    let cases = [
        (
            json!({"organisation_id": beta, "name": "", "email": "x"}),
            vec!["name", "email"],
        ),
        (
            json!({"organisation_id": beta, "name": "A", "email": "a@beta.example", "password": "x"}),
            vec!["password"],
        ),
        (
            json!({"organisation_id": beta, "name": 42, "email": "a@beta.example"}),
            vec!["name"],
        ),
        (
            json!({"organisation_id": beta, "email": "a@beta.example"}),
            vec!["name"],
        ),
        (
            json!({"organisation_id": beta, "name": "A", "email": "a@beta.example", "phone": "call me"}),
            vec!["phone"],
        ),
        (
            json!({"organisation_id": beta, "name": "x".repeat(201), "email": "a@beta.example"}),
            vec!["name"],
        ),
    ];
    for (body, fields) in cases {
        let (status, error) = app.post_json("/api/v1/people", &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(
            error_fields(&error),
            (
                "invalid".into(),
                fields.iter().map(|f| f.to_string()).collect()
            ),
            "{body}"
        );
    }

    let response = app
        .request(reqwest::Method::POST, "/api/v1/people")
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    let response = app
        .request(reqwest::Method::POST, "/api/v1/people")
        .body("name=x")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let huge = json!({"organisation_id": beta, "name": "A", "email": "a@beta.example", "job_title": "x".repeat(300 * 1024)});
    let (status, error) = app.post_json("/api/v1/people", &huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error["error"]["code"], "payload_too_large");

    assert_eq!(
        app.count("people").await,
        HARNESS_PEOPLE,
        "no rejected request wrote anything"
    );
}

async fn unknown_and_malformed_ids_are_not_found(app: TestApp) {
    for path in [
        "/api/v1/people/not-an-id",
        "/api/v1/teams/42",
        &format!("/api/v1/organisations/{}", uuid::Uuid::now_v7()),
    ] {
        let (status, body) = app.get_json(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(body["error"]["code"], "not_found");
    }
    let (status, _) = app
        .patch_json(
            &format!("/api/v1/people/{}", uuid::Uuid::now_v7()),
            &json!({"name": "x"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn teams_keep_their_members(app: TestApp) {
    let alpha = app.organisation("Alpha Cloud Services", "provider").await;
    let nina = app
        .person(&alpha, "Nina Keller", "nina@alpha.example")
        .await;
    let tom = app.person(&alpha, "Tom Becker", "tom@alpha.example").await;
    let (status, team) = app
        .post_json(
            "/api/v1/teams",
            &json!({"organisation_id": alpha, "name": "Service Desk", "level": "first_level", "members": [nina, tom, nina]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{team}");
    assert_eq!(team["member_count"], 2);
    let id = team["id"].as_str().unwrap();

    let (status, body) = app
        .patch_json(&format!("/api/v1/teams/{id}"), &json!({"lead_id": alpha}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["details"][0]["field"], "lead");
    let (status, led) = app
        .patch_json(&format!("/api/v1/teams/{id}"), &json!({"lead_id": nina}))
        .await;
    assert_eq!(status, StatusCode::OK, "{led}");
    assert_eq!(led["lead_name"], "Nina Keller");
    let (status, body) = app
        .patch_json(&format!("/api/v1/teams/{id}"), &json!({"members": [tom]}))
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the lead leaves: {body}"
    );
    let (status, changed) = app
        .patch_json(
            &format!("/api/v1/teams/{id}"),
            &json!({"members": [tom], "lead_id": ""}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(changed["members"], json!([tom]));

    let (status, body) = app
        .patch_json(
            &format!("/api/v1/teams/{id}"),
            &json!({"members": [tom, uuid::Uuid::now_v7().to_string()]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body).1, ["members[1]"]);
    let unchanged = app.read(&format!("/api/v1/teams/{id}")).await;
    assert_eq!(
        unchanged["members"],
        json!([tom]),
        "a refused change leaves the members as they were"
    );

    let listed = app.read(&format!("/api/v1/teams?member={tom}")).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    let listed = app.read(&format!("/api/v1/teams?member={nina}")).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 0);

    assert_eq!(
        app.delete(&format!("/api/v1/people/{tom}")).await,
        StatusCode::NO_CONTENT
    );
    let after = app.read(&format!("/api/v1/teams/{id}")).await;
    assert_eq!(
        after["member_count"], 0,
        "a deleted person leaves their teams"
    );
}

async fn organisations_in_use_cannot_be_deleted(app: TestApp) {
    let beta = app.organisation("Beta Technologies", "customer").await;
    let person = app.person(&beta, "David Chen", "david@beta.example").await;
    assert_eq!(
        app.delete(&format!("/api/v1/organisations/{beta}")).await,
        StatusCode::CONFLICT
    );
    assert_eq!(app.count("organisations").await, 1 + HARNESS_ORGANISATIONS);
    assert_eq!(
        app.delete(&format!("/api/v1/people/{person}")).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.delete(&format!("/api/v1/organisations/{beta}")).await,
        StatusCode::NO_CONTENT
    );
}

async fn lists_are_sorted_filtered_and_paged_without_gaps(app: TestApp) {
    let beta = app.organisation("Beta Technologies", "customer").await;
    let gamma = app.organisation("Gamma Logistics", "customer").await;
    let mut expected = Vec::new();
    for i in 0..23 {
        let org = if i % 2 == 0 { &beta } else { &gamma };
        let name = format!("Person {:02}", (i * 7) % 23);
        app.person(org, &name, &format!("p{i}@example.com")).await;
        expected.push(name);
    }
    expected.push("Harness Operator".to_owned());
    expected.sort();

    let mut seen = Vec::new();
    let mut path = "/api/v1/people?limit=5".to_owned();
    loop {
        let (status, page) = app.get_json(&path).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 5);
        seen.extend(items.iter().map(|p| p["name"].as_str().unwrap().to_owned()));
        match page["next"].as_str() {
            Some(next) => path = format!("/api/v1/people?limit=5&after={next}"),
            None => break,
        }
    }
    assert_eq!(
        seen, expected,
        "pages in name order, no person twice, none missing"
    );

    let descending = app.read("/api/v1/people?sort=name&dir=desc&limit=3").await;
    let names: Vec<_> = descending["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Person 22", "Person 21", "Person 20"]);
    let next = descending["next"].as_str().unwrap();
    let second = app
        .read(&format!(
            "/api/v1/people?sort=name&dir=desc&limit=3&after={next}"
        ))
        .await;
    assert_eq!(second["items"][0]["name"], "Person 19");

    let only_gamma = app
        .read(&format!("/api/v1/people?organisation={gamma}&limit=200"))
        .await;
    assert_eq!(only_gamma["items"].as_array().unwrap().len(), 11);
    assert!(only_gamma["next"].is_null());

    let search = app.read("/api/v1/people?q=PERSON%201").await;
    assert_eq!(
        search["items"].as_array().unwrap().len(),
        10,
        "case-insensitive search for 'person 1'"
    );

    let literal = app.read("/api/v1/people?q=%25").await;
    assert_eq!(
        literal["items"].as_array().unwrap().len(),
        0,
        "% is searched for literally, not as a wildcard"
    );

    let customers = app
        .read("/api/v1/organisations?kind=customer&sort=name")
        .await;
    assert_eq!(customers["items"].as_array().unwrap().len(), 2);
}

async fn list_parameters_are_checked(app: TestApp) {
    for (query, field) in [
        ("sort=password", "sort"),
        ("dir=sideways", "dir"),
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("after=zz", "after"),
        ("kind=partner", "kind"),
        ("level=first_level", "level"),
        ("colour=red", "colour"),
    ] {
        let (status, body) = app
            .get_json(&format!("/api/v1/organisations?{query}"))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        assert_eq!(error_fields(&body).1, [field], "{query}");
    }
}

async fn a_change_based_on_an_old_version_is_refused(app: TestApp) {
    let beta = app.organisation("Beta Technologies", "customer").await;
    let person = app.person(&beta, "David Chen", "david@beta.example").await;
    let path = format!("/api/v1/people/{person}");
    let read = app.read(&path).await;
    assert_eq!(read["version"], 1);

    let (status, first) = app
        .patch_json(
            &path,
            &json!({"job_title": "IT service owner", "version": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(first["version"], 2);

    let (status, body) = app
        .patch_json(&path, &json!({"phone": "+1 650 555 0101", "version": 1}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("changed by someone else")
    );
    let now = app.read(&path).await;
    assert_eq!(now["job_title"], "IT service owner");
    assert!(now["phone"].is_null(), "the stale change was not applied");

    let (status, body) = app
        .patch_json(&path, &json!({"phone": "+1 650 555 0101"}))
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "without a version the change applies to the current one"
    );
    assert_eq!(body["version"], 3);
}

/// Eight writers change one person at the same time without `version`: every change is
/// applied to the record as it is then, each makes one version, and none undoes another
/// writer's field. A change naming an old version is still refused.
async fn unversioned_patches_apply_to_the_current_record(app: TestApp) {
    let beta = app.organisation("Beta Technologies", "customer").await;
    let person = app.person(&beta, "David Chen", "david@beta.example").await;
    let path = format!("/api/v1/people/{person}");
    let app = std::sync::Arc::new(app);
    let mut writers = tokio::task::JoinSet::new();
    for writer in 0..8 {
        let (app, path) = (app.clone(), path.clone());
        writers.spawn(async move {
            let mut saved = Vec::new();
            for n in 0..10 {
                // Half the writers set the phone number, the other half the job title.
                let (field, value) = if writer % 2 == 0 {
                    ("phone", format!("+1 650 555 {writer}{n:03}"))
                } else {
                    ("job_title", format!("Engineer {writer}-{n}"))
                };
                let (status, body) = app.patch_json(&path, &json!({ field: value })).await;
                assert_eq!(status, StatusCode::OK, "{body}");
                assert_eq!(body[field], value.as_str());
                saved.push((field, value, body["version"].as_i64().unwrap()));
            }
            saved
        });
    }
    let saved: Vec<_> = writers.join_all().await.into_iter().flatten().collect();
    let mut versions: Vec<i64> = saved.iter().map(|(_, _, version)| *version).collect();
    versions.sort_unstable();
    assert_eq!(
        versions,
        (2..=81).collect::<Vec<_>>(),
        "each change made one version"
    );
    let (status, now) = app.get_json(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(now["version"], 1 + saved.len());
    for field in ["phone", "job_title"] {
        let (_, last, _) = saved
            .iter()
            .filter(|(f, _, _)| *f == field)
            .max_by_key(|(_, _, version)| *version)
            .unwrap();
        assert_eq!(
            now[field],
            last.as_str(),
            "the {field} of the last change to it stays"
        );
    }

    let (status, body) = app
        .patch_json(&path, &json!({"name": "David Chen-Li", "version": 80}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let after = app.read(&path).await;
    assert_eq!(after["version"], 81);
    assert_eq!(after["name"], "David Chen");
}

async fn kinds_and_levels_sort_in_their_natural_order(app: TestApp) {
    app.organisation("Zeta Parts", "supplier").await;
    app.organisation("Beta Technologies", "customer").await;
    app.organisation("Alpha Cloud Services", "provider").await;
    app.organisation("Acme Retail", "customer").await;
    let page = app.read("/api/v1/organisations?sort=kind&limit=2").await;
    let names: Vec<_> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        names,
        ["Alpha Cloud Services", "Acme Retail"],
        "provider first, then customers by name"
    );
    let next = page["next"].as_str().unwrap();
    let rest = app
        .read(&format!(
            "/api/v1/organisations?sort=kind&limit=2&after={next}"
        ))
        .await;
    let names: Vec<_> = rest["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        names,
        ["Beta Technologies", "Harness Operators"],
        "then suppliers by name"
    );

    let (status, body) = app
        .get_json(&format!(
            "/api/v1/organisations?sort=name&limit=2&after={next}"
        ))
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a cursor of another order is refused"
    );
    assert_eq!(error_fields(&body).1, ["after"]);
}
