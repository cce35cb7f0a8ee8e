//! Versions of a document and their life cycle (`isms_versions`, `isms_version_approvers`),
//! and the check-out lock (`isms_document_locks`). Every rule is [`crate::lifecycle`]'s, checked
//! again inside the transaction that records the step.

use tandem_audit::{Edit, Write};
use tandem_directory::PersonId;
use tandem_kernel::text::{DocumentText, Note};
use tandem_kernel::{Error, Permission, Result};
use tandem_storage::{Db, Handle, SqlTime, Tx, run};
use time::OffsetDateTime;

use super::documents::{Document, find};
use super::{acting_person, refused};
use crate::document::{DocumentId, VersionId, version_label};
use crate::lifecycle::{self, Actor, Approver, Decision, State, Step, VersionFacts};

/// A version of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub id: VersionId,
    pub document: DocumentId,
    pub major: i32,
    pub minor: i32,
    pub state: State,
    pub body: String,
    pub change_note: String,
    pub author: (PersonId, String),
    pub approvers: Vec<NamedApprover>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub submitted_at: Option<OffsetDateTime>,
    pub approved_at: Option<OffsetDateTime>,
    pub published_at: Option<OffsetDateTime>,
    /// When it was superseded or withdrawn.
    pub ended_at: Option<OffsetDateTime>,
    pub withdraw_reason: String,
    /// The uploaded file, if any: name, media type, size in bytes, SHA-256.
    pub file: Option<VersionFile>,
}

/// A version's uploaded file, without its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionFile {
    pub name: String,
    pub media_type: String,
    pub size: i64,
    pub sha256: String,
}

/// What a version takes as its file: one PDF or office document of at most 25 MiB.
pub const VERSION_FILE: tandem_kernel::file::Policy = tandem_kernel::file::Policy {
    noun: "version",
    max_files: 1,
    max_file_bytes: 25 * 1024 * 1024,
    max_total_bytes: 25 * 1024 * 1024,
    kinds: &[
        tandem_kernel::file::FileKind::Pdf,
        tandem_kernel::file::FileKind::Office,
        tandem_kernel::file::FileKind::LegacyOffice,
    ],
    kinds_text: "PDF and office documents (Word, Excel, PowerPoint, OpenDocument)",
};

/// An approver named on a version, with the decision and its comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedApprover {
    pub approver: Approver,
    pub comment: String,
    pub decided_at: Option<OffsetDateTime>,
}

impl Version {
    pub fn label(&self) -> String {
        version_label(self.major, self.minor)
    }

    /// The owner, the author and the named approvers: who sees the version in progress.
    pub fn involved(&self, owner: PersonId) -> Vec<PersonId> {
        let mut people = vec![owner, self.author.0];
        people.extend(self.approvers.iter().map(|a| a.approver.person));
        people
    }

    /// What the life cycle's rules need to know of the version in `document`.
    pub fn facts(&self, document: &Document) -> VersionFacts {
        VersionFacts {
            state: self.state,
            author: self.author.0,
            approvers: self.approvers.iter().map(|a| a.approver.clone()).collect(),
            quorum: u32::try_from(document.quorum).unwrap_or(1),
            lock: document.lock.clone(),
            has_content: !self.body.trim().is_empty() || self.file.is_some(),
        }
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: VersionId,
    document_id: DocumentId,
    major: i32,
    minor: i32,
    state: String,
    body: String,
    change_note: String,
    author_id: PersonId,
    author_name: String,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
    submitted_at: Option<OffsetDateTime>,
    approved_at: Option<OffsetDateTime>,
    published_at: Option<OffsetDateTime>,
    ended_at: Option<OffsetDateTime>,
    withdraw_reason: String,
    file_name: Option<String>,
    file_media_type: Option<String>,
    file_size: Option<i64>,
    file_sha256: Option<String>,
}

const SELECT: &str = "SELECT v.id, v.document_id, v.major, v.minor, v.state, v.body, v.change_note, \
     v.author_id, a.name AS author_name, v.created_at, v.updated_at, v.submitted_at, \
     v.approved_at, v.published_at, v.ended_at, v.withdraw_reason, f.name AS file_name, \
     f.media_type AS file_media_type, f.size AS file_size, f.sha256 AS file_sha256 \
     FROM isms_versions v JOIN person_refs a ON a.id = v.author_id \
     LEFT JOIN isms_version_files f ON f.version_id = v.id";

async fn approvers_of(handle: &mut impl Handle, version: VersionId) -> Result<Vec<NamedApprover>> {
    type Row = (
        PersonId,
        String,
        Option<String>,
        String,
        Option<OffsetDateTime>,
    );
    let rows: Vec<Row> = run!(handle, |c| {
        sqlx::query_as(
            "SELECT r.person_id, p.name, r.decision, r.comment, r.decided_at \
                 FROM isms_version_approvers r JOIN person_refs p ON p.id = r.person_id \
                 WHERE r.version_id = $1 ORDER BY p.name, p.id",
        )
        .bind(version)
        .fetch_all(c)
        .await
    })?;
    rows.into_iter()
        .map(|(person, name, decision, comment, decided_at)| {
            let decision = decision
                .map(|d| Decision::parse("decision", &d))
                .transpose()
                .map_err(|e| Error::Storage(format!("version {version}: {e}").into()))?;
            Ok(NamedApprover {
                approver: Approver {
                    person,
                    name,
                    decision,
                },
                comment,
                decided_at,
            })
        })
        .collect()
}

async fn version(handle: &mut impl Handle, row: Row) -> Result<Version> {
    let approvers = approvers_of(handle, row.id).await?;
    Ok(Version {
        id: row.id,
        document: row.document_id,
        major: row.major,
        minor: row.minor,
        state: State::parse("state", &row.state)
            .map_err(|e| Error::Storage(format!("version {}: {e}", row.id).into()))?,
        body: row.body,
        change_note: row.change_note,
        author: (row.author_id, row.author_name),
        approvers,
        created_at: row.created_at,
        updated_at: row.updated_at,
        submitted_at: row.submitted_at,
        approved_at: row.approved_at,
        published_at: row.published_at,
        ended_at: row.ended_at,
        withdraw_reason: row.withdraw_reason,
        file: match (
            row.file_name,
            row.file_media_type,
            row.file_size,
            row.file_sha256,
        ) {
            (Some(name), Some(media_type), Some(size), Some(sha256)) => Some(VersionFile {
                name,
                media_type,
                size,
                sha256,
            }),
            _ => None,
        },
    })
}

/// Every version of `document`, newest first.
pub async fn of(handle: &mut impl Handle, document: DocumentId) -> Result<Vec<Version>> {
    let sql = format!("{SELECT} WHERE v.document_id = $1 ORDER BY v.major DESC, v.minor DESC");
    let rows: Vec<Row> = run!(handle, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(document)
            .fetch_all(c)
            .await
    })?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(version(handle, row).await?);
    }
    Ok(out)
}

/// Version `id` of `document`.
pub async fn find_version(
    handle: &mut impl Handle,
    document: DocumentId,
    id: VersionId,
) -> Result<Version> {
    let sql = format!("{SELECT} WHERE v.document_id = $1 AND v.id = $2");
    let row: Option<Row> = run!(handle, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(document)
            .bind(id)
            .fetch_optional(c)
            .await
    })?;
    match row {
        Some(row) => version(handle, row).await,
        None => Err(Error::NotFound { entity: "version" }),
    }
}

/// The published version of `document`, if one is in force.
pub async fn in_force(db: &Db, document: DocumentId) -> Result<Option<Version>> {
    let mut conn = db.conn().await?;
    Ok(of(&mut conn, document)
        .await?
        .into_iter()
        .find(|v| v.state == State::Published))
}

/// What the acting person may do: write the ISMS's documents, approve.
pub struct Powers {
    pub may_write: bool,
    pub may_approve: bool,
}

async fn actor(tx: &mut Tx, write: &Write, powers: &Powers) -> Result<(Actor, String)> {
    let (person, name) = acting_person(tx, &write.actor).await?;
    Ok((
        Actor {
            person,
            may_write: powers.may_write,
            may_approve: powers.may_approve,
        },
        name,
    ))
}

async fn document_in(tx: &mut Tx, id: DocumentId) -> Result<Document> {
    find(tx, id)
        .await?
        .ok_or(Error::NotFound { entity: "document" })
}

async fn set_lock(
    tx: &mut Tx,
    document: DocumentId,
    person: Option<PersonId>,
    now: OffsetDateTime,
) -> Result<()> {
    run!(tx, |c| {
        sqlx::query("DELETE FROM isms_document_locks WHERE document_id = $1")
            .bind(document)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    if let Some(person) = person {
        run!(tx, |c| {
            sqlx::query(
                "INSERT INTO isms_document_locks (document_id, person_id, since) VALUES ($1, $2, $3)",
            )
            .bind(document)
            .bind(person)
            .bind(SqlTime(now))
            .execute(c)
            .await
            .map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// Checks document `id` out to the acting person: one editor at a time.
pub async fn check_out(write: &Write, id: DocumentId, powers: &Powers) -> Result<()> {
    let mut tx = write.begin().await?;
    let document = document_in(&mut tx, id).await?;
    let (actor, _) = actor(&mut tx, write, powers).await?;
    lifecycle::check_out(document.lock.as_ref(), &actor).map_err(refused)?;
    if document.lock.is_some() {
        // Not audited: the person has it checked out already.
        return tx.commit().await;
    }
    set_lock(&mut tx, id, Some(actor.person), write.now).await?;
    write
        .commit(
            tx,
            Edit::updated(
                "document lock",
                id,
                &[("checked out by", String::new())],
                &[("checked out by", actor.person.to_string())],
            ),
        )
        .await
}

/// Checks document `id` in: the acting person's lock ends.
pub async fn check_in(write: &Write, id: DocumentId, powers: &Powers) -> Result<()> {
    let mut tx = write.begin().await?;
    let document = document_in(&mut tx, id).await?;
    let (actor, _) = actor(&mut tx, write, powers).await?;
    lifecycle::check_out(document.lock.as_ref(), &actor).map_err(refused)?;
    if document.lock.is_none() {
        return Err(Error::conflict("the document is not checked out"));
    }
    set_lock(&mut tx, id, None, write.now).await?;
    write
        .commit(
            tx,
            Edit::updated(
                "document lock",
                id,
                &[("checked out by", actor.person.to_string())],
                &[("checked out by", String::new())],
            ),
        )
        .await
}

/// Breaks another person's lock on document `id`, saying why (`isms.manage`).
pub async fn break_lock(write: &Write, id: DocumentId, reason: &str) -> Result<()> {
    let reason = Note::parse("reason", reason)?;
    if reason.as_str().is_empty() {
        return Err(Error::invalid("reason", "say why the lock is broken"));
    }
    let mut tx = write.begin().await?;
    let document = document_in(&mut tx, id).await?;
    let Some(lock) = document.lock else {
        return Err(Error::conflict("the document is not checked out"));
    };
    set_lock(&mut tx, id, None, write.now).await?;
    write
        .commit(
            tx,
            Edit::updated(
                "document lock",
                id,
                &[("checked out by", lock.name), ("reason", String::new())],
                &[
                    ("checked out by", String::new()),
                    ("reason", reason.to_string()),
                ],
            ),
        )
        .await
}

/// What a draft is saved with.
#[derive(Debug, Clone, Default)]
pub struct DraftText {
    pub body: String,
    pub change_note: String,
    /// The approvers to name.
    pub approvers: Vec<PersonId>,
}

/// Saves the draft `version` of document `id`: its text, note and named approvers. The person
/// must have the document checked out.
pub async fn save_draft(
    write: &Write,
    id: DocumentId,
    version: VersionId,
    text: &DraftText,
    powers: &Powers,
) -> Result<Version> {
    let body = DocumentText::parse("body", &text.body);
    let note = Note::parse("change_note", &text.change_note);
    let (body, note) = tandem_kernel::error::AllValid::all_valid((body, note))?;
    let mut tx = write.begin().await?;
    let document = document_in(&mut tx, id).await?;
    let before = find_version(&mut tx, id, version).await?;
    let (actor, _) = actor(&mut tx, write, powers).await?;
    lifecycle::check_edit(&before.facts(&document), &actor).map_err(refused)?;
    let mut errors = Vec::new();
    for (i, person) in text.approvers.iter().enumerate() {
        let permission = Permission::IsmsApprove;
        let eligibility = tandem_identity::read::eligibility(&mut tx, *person, permission).await?;
        errors.extend(eligibility.refusal(
            &format!("approvers[{i}]"),
            permission,
            "approve documents",
        ));
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    run!(&mut tx, |c| {
        sqlx::query(
            "UPDATE isms_versions SET body = $2, change_note = $3, updated_at = $4 WHERE id = $1",
        )
        .bind(version)
        .bind(body.as_str())
        .bind(note.as_str())
        .bind(SqlTime(write.now))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    write_approvers(&mut tx, version, &text.approvers).await?;
    let diff = crate::diff::lines(&before.body, body.as_str());
    let approvers = |people: &[PersonId]| {
        people
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let old_approvers: Vec<PersonId> = before.approvers.iter().map(|a| a.approver.person).collect();
    write
        .commit(
            tx,
            Edit::updated(
                "document version",
                version,
                &[
                    ("text", String::new()),
                    ("change_note", before.change_note.clone()),
                    ("approvers", approvers(&old_approvers)),
                ],
                &[
                    (
                        "text",
                        if diff.is_empty() {
                            String::new()
                        } else {
                            format!("+{} −{} lines", diff.added, diff.removed)
                        },
                    ),
                    ("change_note", note.to_string()),
                    ("approvers", approvers(&text.approvers)),
                ],
            ),
        )
        .await?;
    find_version(&mut write.db.conn().await?, id, version).await
}

async fn write_approvers(tx: &mut Tx, version: VersionId, people: &[PersonId]) -> Result<()> {
    run!(tx, |c| {
        sqlx::query("DELETE FROM isms_version_approvers WHERE version_id = $1")
            .bind(version)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    let mut seen = Vec::new();
    for person in people {
        if seen.contains(person) {
            continue;
        }
        seen.push(*person);
        run!(tx, |c| {
            sqlx::query(
                "INSERT INTO isms_version_approvers (version_id, person_id, decision, comment) \
                 VALUES ($1, $2, NULL, '')",
            )
            .bind(version)
            .bind(*person)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// Starts a new version of document `id`: a draft with the text of the latest version, `2.0`
/// after `1.3` when `major` (readers acknowledge it again), `1.4` otherwise. The author checks
/// the document out.
pub async fn start(write: &Write, id: DocumentId, major: bool, powers: &Powers) -> Result<Version> {
    let mut tx = write.begin().await?;
    let document = document_in(&mut tx, id).await?;
    let (actor, _) = actor(&mut tx, write, powers).await?;
    let versions = of(&mut tx, id).await?;
    let states: Vec<State> = versions.iter().map(|v| v.state).collect();
    lifecycle::check_new_version(&states).map_err(refused)?;
    lifecycle::check_out(document.lock.as_ref(), &actor).map_err(refused)?;
    let latest = versions.first();
    let (major_no, minor_no) = match latest {
        None => (1, 0),
        Some(v) if major => (v.major + 1, 0),
        Some(v) => (v.major, v.minor + 1),
    };
    let new = VersionId::generate();
    run!(&mut tx, |c| {
        sqlx::query(
            "INSERT INTO isms_versions (id, document_id, major, minor, state, body, change_note, \
             author_id, created_at, updated_at, withdraw_reason) \
             VALUES ($1, $2, $3, $4, 'draft', $5, '', $6, $7, $7, '')",
        )
        .bind(new)
        .bind(id)
        .bind(major_no)
        .bind(minor_no)
        .bind(latest.map(|v| v.body.as_str()).unwrap_or_default())
        .bind(actor.person)
        .bind(SqlTime(write.now))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    set_lock(&mut tx, id, Some(actor.person), write.now).await?;
    write
        .commit(
            tx,
            Edit::created(
                "document version",
                new,
                &[
                    ("document", document.display_number()),
                    ("version", version_label(major_no, minor_no)),
                ],
            ),
        )
        .await?;
    find_version(&mut write.db.conn().await?, id, new).await
}

/// Takes `step` on `version` of document `id`; `reason` is the comment sent with it.
pub async fn take_step(
    write: &Write,
    id: DocumentId,
    version: VersionId,
    step: Step,
    reason: &str,
    powers: &Powers,
) -> Result<Version> {
    let reason = Note::parse("reason", reason)?;
    let mut tx = write.begin().await?;
    let document = document_in(&mut tx, id).await?;
    let before = find_version(&mut tx, id, version).await?;
    let (actor, _) = actor(&mut tx, write, powers).await?;
    let outcome = lifecycle::check(&before.facts(&document), &actor, step, reason.as_str())
        .map_err(refused)?;
    let now = SqlTime(write.now);
    match step {
        Step::Submit => {
            run!(&mut tx, |c| {
                sqlx::query(
                    "UPDATE isms_version_approvers SET decision = NULL, comment = '', decided_at = NULL \
                     WHERE version_id = $1",
                )
                .bind(version)
                .execute(c)
                .await
                .map(|r| r.rows_affected())
            })?;
            set_lock(&mut tx, id, None, write.now).await?;
        }
        Step::Approve | Step::Reject => {
            let decision = if step == Step::Approve {
                Decision::Approved
            } else {
                Decision::SentBack
            };
            run!(&mut tx, |c| {
                sqlx::query(
                    "UPDATE isms_version_approvers SET decision = $3, comment = $4, decided_at = $5 \
                     WHERE version_id = $1 AND person_id = $2",
                )
                .bind(version)
                .bind(actor.person)
                .bind(decision.as_str())
                .bind(reason.as_str())
                .bind(now)
                .execute(c)
                .await
                .map(|r| r.rows_affected())
            })?;
        }
        Step::Publish => {
            run!(&mut tx, |c| {
                sqlx::query(
                    "UPDATE isms_versions SET state = 'superseded', ended_at = $2 \
                     WHERE document_id = $1 AND state = 'published'",
                )
                .bind(id)
                .bind(now)
                .execute(c)
                .await
                .map(|r| r.rows_affected())
            })?;
            let next_review =
                crate::document::months_after(write.now.date(), document.review_months);
            run!(&mut tx, |c| {
                sqlx::query("UPDATE isms_documents SET next_review = $2 WHERE id = $1")
                    .bind(id)
                    .bind(next_review)
                    .execute(c)
                    .await
                    .map(|r| r.rows_affected())
            })?;
        }
        Step::Withdraw => {
            run!(&mut tx, |c| {
                sqlx::query("UPDATE isms_documents SET next_review = NULL WHERE id = $1")
                    .bind(id)
                    .execute(c)
                    .await
                    .map(|r| r.rows_affected())
            })?;
        }
    }
    let changed = run!(&mut tx, |c| {
        sqlx::query(
            "UPDATE isms_versions SET state = $3, updated_at = $4, \
             submitted_at = CASE WHEN $3 = 'in-review' AND $2 = 'draft' THEN $4 ELSE submitted_at END, \
             approved_at = CASE WHEN $3 = 'approved' THEN $4 ELSE approved_at END, \
             published_at = CASE WHEN $3 = 'published' THEN $4 ELSE published_at END, \
             ended_at = CASE WHEN $3 = 'withdrawn' THEN $4 ELSE ended_at END, \
             withdraw_reason = CASE WHEN $3 = 'withdrawn' THEN $5 ELSE withdraw_reason END \
             WHERE id = $1 AND state = $2",
        )
        .bind(version)
        .bind(before.state.as_str())
        .bind(outcome.to.as_str())
        .bind(now)
        .bind(reason.as_str())
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    tx.check_updated(changed, "isms_versions", version.0, "version")
        .await?;
    write
        .commit(
            tx,
            Edit::updated(
                "document version",
                version,
                &[
                    ("state", before.state.as_str().to_owned()),
                    ("step", String::new()),
                    ("comment", String::new()),
                ],
                &[
                    ("state", outcome.to.as_str().to_owned()),
                    ("step", step.as_str().to_owned()),
                    ("comment", reason.to_string()),
                ],
            ),
        )
        .await?;
    find_version(&mut write.db.conn().await?, id, version).await
}

/// Puts `file` on the draft `version` of document `id` (replacing one there): the person must
/// have the document checked out, and the file must be a PDF or an office document.
pub async fn attach_file(
    write: &Write,
    id: DocumentId,
    version: VersionId,
    file: tandem_kernel::file::FileDraft,
    powers: &Powers,
) -> Result<Version> {
    let checked = tandem_kernel::file::check("file", vec![file], &VERSION_FILE)
        .map_err(Error::Invalid)?
        .into_iter()
        .next()
        .ok_or_else(|| Error::invalid("file", "choose a file"))?;
    let mut tx = write.begin().await?;
    let document = document_in(&mut tx, id).await?;
    let before = find_version(&mut tx, id, version).await?;
    let (actor, _) = actor(&mut tx, write, powers).await?;
    lifecycle::check_edit(&before.facts(&document), &actor).map_err(refused)?;
    run!(&mut tx, |c| {
        sqlx::query("DELETE FROM isms_version_files WHERE version_id = $1")
            .bind(version)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    let size = i64::try_from(checked.content.len()).unwrap_or(i64::MAX);
    run!(&mut tx, |c| {
        sqlx::query(
            "INSERT INTO isms_version_files (version_id, name, media_type, sha256, size, content, \
             uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(version)
        .bind(&checked.name)
        .bind(checked.kind.media_type())
        .bind(&checked.sha256)
        .bind(size)
        .bind(&checked.content)
        .bind(SqlTime(write.now))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    let old = before
        .file
        .as_ref()
        .map(|f| format!("{} ({})", f.name, f.sha256))
        .unwrap_or_default();
    write
        .commit(
            tx,
            Edit::updated(
                "document version",
                version,
                &[("file", old)],
                &[("file", format!("{} ({})", checked.name, checked.sha256))],
            ),
        )
        .await?;
    find_version(&mut write.db.conn().await?, id, version).await
}

/// The file of `version`: its name, media type and content.
pub async fn file_content(db: &Db, version: VersionId) -> Result<(String, String, Vec<u8>)> {
    let found: Option<(String, String, Vec<u8>)> = run!(&mut db.conn().await?, |c| {
        sqlx::query_as(
            "SELECT name, media_type, content FROM isms_version_files WHERE version_id = $1",
        )
        .bind(version)
        .fetch_optional(c)
        .await
    })?;
    found.ok_or(Error::NotFound { entity: "file" })
}
