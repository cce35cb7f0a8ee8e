//! The `ticket_articles`, `ticket_attachments` and `attachment_contents` tables: a ticket's
//! thread of articles and the files attached to them.

use tandem_audit::{Edit, Write};
use tandem_kernel::{Actor, ActorKind, Error, Result, Scope};
use tandem_storage::{Db, SqlTime, Tx, run};
use time::OffsetDateTime;

use super::clocks::{refresh_clocks, terms_of};
use super::outbox::{email_of, mail};
use super::tickets::get;
use crate::attachment::AttachmentId;
use crate::notice::Notice;
use crate::records::{Article, ArticleId, Attachment, NewArticle, Ticket, TicketId, Visibility};

/// The thread of ticket `id`, oldest first; internal notes only with `internal`.
pub async fn articles(db: &Db, id: TicketId, internal: bool) -> Result<Vec<Article>> {
    let mut conn = db.conn().await?;
    let mut articles = run!(&mut conn, |c| {
        sqlx::query_as::<_, Article>(
            "SELECT id, channel, visibility, author_kind, author_label, body, created_at FROM ticket_articles \
             WHERE ticket_id = $1 AND ($2 OR visibility = 'public') ORDER BY created_at, id",
        )
        .bind(id)
        .bind(internal)
        .fetch_all(c)
        .await
    })?;
    let files = run!(&mut conn, |c| {
        sqlx::query_as::<_, Attachment>(
            "SELECT id, article_id, name, media_type, size, sha256 FROM ticket_attachments \
             WHERE ticket_id = $1 ORDER BY created_at, name",
        )
        .bind(id)
        .fetch_all(c)
        .await
    })?;
    for file in files {
        if let Some(article) = articles.iter_mut().find(|a| a.id == file.article_id) {
            article.attachments.push(file);
        }
    }
    Ok(articles)
}

/// Whether `actor` writes as the provider's staff (an agent) or as the customer.
pub fn author_kind(actor: &Actor, scope: Scope) -> &'static str {
    match (actor.kind, scope) {
        (ActorKind::System, _) => "system",
        (_, Scope::Organisation(_)) => "customer",
        (_, Scope::Everything) => "agent",
    }
}

pub(super) async fn insert_article(
    tx: &mut Tx,
    ticket: TicketId,
    actor: &Actor,
    author_kind: &str,
    article: &NewArticle,
    now: OffsetDateTime,
) -> Result<ArticleId> {
    let id = ArticleId::generate();
    let author = actor.id.filter(|_| actor.kind != ActorKind::System);
    run!(tx, |c| {
        sqlx::query(
            "INSERT INTO ticket_articles (id, ticket_id, channel, visibility, author_kind, author_id, author_label, body, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(id)
        .bind(ticket)
        .bind(&article.channel)
        .bind(article.visibility.as_str())
        .bind(author_kind)
        .bind(author)
        .bind(&actor.label)
        .bind(&article.body)
        .bind(SqlTime(now))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    for file in &article.attachments {
        let size = i64::try_from(file.content.len()).unwrap_or(i64::MAX);
        run!(tx, |c| {
            sqlx::query(
                "INSERT INTO attachment_contents (sha256, size, content) VALUES ($1, $2, $3) \
                 ON CONFLICT (sha256) DO NOTHING",
            )
            .bind(&file.sha256)
            .bind(size)
            .bind(file.content.as_slice())
            .execute(c)
            .await
            .map(|r| r.rows_affected())
        })?;
        run!(tx, |c| {
            sqlx::query(
                "INSERT INTO ticket_attachments (id, ticket_id, article_id, name, media_type, size, sha256, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(AttachmentId::generate())
            .bind(ticket)
            .bind(id)
            .bind(&file.name)
            .bind(file.kind.media_type())
            .bind(size)
            .bind(&file.sha256)
            .bind(SqlTime(now))
            .execute(c)
            .await
            .map(|r| r.rows_affected())
        })?;
    }
    Ok(id)
}

/// One attached file and its content, if its ticket is in `scope` and its article is one the
/// reader may see (internal notes only with `internal`).
pub async fn attachment(
    db: &Db,
    scope: Scope,
    ticket: TicketId,
    id: AttachmentId,
    internal: bool,
) -> Result<(Attachment, Vec<u8>)> {
    get(db, scope, ticket).await?;
    let mut conn = db.conn().await?;
    let found: Option<Attachment> = run!(&mut conn, |c| {
        sqlx::query_as::<_, Attachment>(
            "SELECT a.id, a.article_id, a.name, a.media_type, a.size, a.sha256 FROM ticket_attachments a \
             JOIN ticket_articles r ON r.id = a.article_id \
             WHERE a.id = $1 AND a.ticket_id = $2 AND ($3 OR r.visibility = 'public')",
        )
        .bind(id)
        .bind(ticket)
        .bind(internal)
        .fetch_optional(c)
        .await
    })?;
    let found = found.ok_or(Error::NotFound {
        entity: "attachment",
    })?;
    let content: Vec<u8> = run!(&mut conn, |c| {
        sqlx::query_scalar("SELECT content FROM attachment_contents WHERE sha256 = $1")
            .bind(&found.sha256)
            .fetch_one(c)
            .await
    })?;
    Ok((found, content))
}

/// Adds an article to the thread. A customer-visible article by an agent answers the customer:
/// the first one meets the first-response target, and each restarts the update clock; a
/// customer's article after an agent's starts the update clock.
pub async fn add_article(
    write: &Write,
    scope: Scope,
    id: TicketId,
    article: NewArticle,
) -> Result<Ticket> {
    let ticket = get(&write.db, scope, id).await?;
    let author = author_kind(&write.actor, scope);
    if author == "customer" && article.visibility == Visibility::Internal {
        return Err(Error::invalid(
            "visibility",
            "customers write articles the provider's staff and they both see",
        ));
    }
    let terms = terms_of(&write.db, ticket.agreement.as_ref().map(|a| a.0)).await?;
    let mut tx = write.begin().await?;
    let article_id = insert_article(&mut tx, id, &write.actor, author, &article, write.now).await?;
    if article.visibility == Visibility::Public && author != "system" {
        let last_public_by: Option<String> = run!(&mut tx, |c| {
            sqlx::query_scalar("SELECT last_public_by FROM tickets WHERE id = $1")
                .bind(id)
                .fetch_one(c)
                .await
        })?;
        let restart = author == "agent" || last_public_by.as_deref() != Some("customer");
        run!(&mut tx, |c| {
            sqlx::query(
                "UPDATE tickets SET last_public_by = $2, updated_at = $3, \
                 update_from = CASE WHEN $4 THEN $3 ELSE update_from END, \
                 first_response_at = CASE WHEN $5 AND first_response_at IS NULL THEN $3 ELSE first_response_at END \
                 WHERE id = $1",
            )
            .bind(id)
            .bind(author)
            .bind(SqlTime(write.now))
            .bind(restart)
            .bind(author == "agent")
            .execute(c)
            .await
            .map(|r| r.rows_affected())
        })?;
        if restart {
            // A new cycle of the update clock: its steps may be taken again (those taken stay
            // in the thread and the audit trail).
            run!(&mut tx, |c| {
                sqlx::query(
                    "DELETE FROM ticket_escalations WHERE ticket_id = $1 AND metric = 'update'",
                )
                .bind(id)
                .execute(c)
                .await
                .map(|r| r.rows_affected())
            })?;
            // An escalation of the update target ends with the answer.
            run!(&mut tx, |c| {
                sqlx::query(
                    "UPDATE tickets SET escalation_metric = NULL, escalation_level = NULL, \
                     escalation_action = NULL, escalated_at = NULL \
                     WHERE id = $1 AND escalation_metric = 'update'",
                )
                .bind(id)
                .execute(c)
                .await
                .map(|r| r.rows_affected())
            })?;
        }
    }
    if author == "agent"
        && article.visibility == Visibility::Public
        && let Some((requester, _)) = &ticket.requester
    {
        let to = email_of(&mut tx, *requester).await?;
        let notice = Notice::answer(&ticket, &article.body, &write.actor.label);
        mail(&mut tx, &to, &notice, write.now).await?;
    }
    refresh_clocks(&mut tx, id, &terms, write.now).await?;
    write
        .commit(
            tx,
            Edit::created(
                "ticket article",
                format!("{id} {article_id}"),
                &[
                    ("visibility", article.visibility.as_str().to_owned()),
                    ("channel", article.channel.clone()),
                    ("author_kind", author.to_owned()),
                    (
                        "attachments",
                        article
                            .attachments
                            .iter()
                            .map(|f| format!("{} sha256:{}", f.name, f.sha256))
                            .collect::<Vec<_>>()
                            .join("; "),
                    ),
                ],
            ),
        )
        .await?;
    get(&write.db, scope, id).await
}
