//! What the ISMS's tests share: requests as a member, with the status they must have, and the
//! audit entries of a record.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::harness::{Member, TestApp, error_fields};

/// `who` sends `body` as JSON; the status and the answer.
pub async fn send(
    app: &TestApp,
    who: &Member,
    method: Method,
    path: &str,
    body: &Value,
) -> (StatusCode, Value) {
    app.send_json_as(&who.token, method, path, body).await
}

/// `who` sends `body`; the answer must have status `expect`.
pub async fn expect(
    app: &TestApp,
    who: &Member,
    method: Method,
    path: &str,
    body: &Value,
    expect: StatusCode,
) -> Value {
    let (status, answer) = send(app, who, method.clone(), path, body).await;
    assert_eq!(status, expect, "{method} {path}: {answer}");
    answer
}

/// The fields a refused request named; it must be refused as invalid (422).
pub async fn invalid(
    app: &TestApp,
    who: &Member,
    method: Method,
    path: &str,
    body: &Value,
) -> Vec<String> {
    error_fields(
        &expect(
            app,
            who,
            method,
            path,
            body,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await,
    )
    .1
}

/// The audit entries of the record `id`, oldest first: action, entity, who, and the changes.
pub async fn trail(app: &TestApp, id: &str) -> Vec<(String, String, String, Value)> {
    let mut conn = app.db.conn().await.unwrap();
    let rows = tandem_storage::run!(&mut conn, |c| {
        sqlx::query_as::<_, (String, String, String, String)>(
            "SELECT action, entity, actor_label, changes FROM audit_entries \
             WHERE entity_id = $1 ORDER BY seq",
        )
        .bind(id)
        .fetch_all(c)
        .await
    })
    .unwrap();
    rows.into_iter()
        .map(|(action, entity, who, changes)| {
            (
                action,
                entity,
                who,
                serde_json::from_str::<Value>(&changes).unwrap(),
            )
        })
        .collect()
}
