//! Written consent to published documents (`isms_acknowledgements`): seed 000 section 3.2 has
//! staff consent in writing after the awareness training. A person acknowledges the version in
//! force; a minor version keeps their consent, a new major version asks again. The coverage of a
//! document lists who it is distributed to and who has not acknowledged it yet, and reminders go
//! out through the mail outbox.

use std::collections::BTreeMap;

use tandem_audit::{Edit, Write};
use tandem_directory::PersonId;
use tandem_kernel::{Error, Result};
use tandem_storage::{Db, Handle, SqlTime, run};
use time::OffsetDateTime;

use super::acting_person;
use super::documents::{self, Document};
use super::versions::{self, Version};
use crate::document::{DocumentId, Reader, Target, version_label};

/// Records that the acting person has read and accepts the version of document `id` in force.
/// Acknowledging it again changes nothing.
pub async fn acknowledge(write: &Write, reader: &Reader, id: DocumentId) -> Result<Version> {
    let document = documents::get(&write.db, reader, id).await?;
    let version = versions::in_force(&write.db, id)
        .await?
        .ok_or_else(|| Error::conflict("the document has no published version to acknowledge"))?;
    let mut tx = write.begin().await?;
    let (person, _) = acting_person(&mut tx, &write.actor).await?;
    let known: Option<i32> = run!(&mut tx, |c| {
        sqlx::query_scalar(
            "SELECT 1 FROM isms_acknowledgements WHERE version_id = $1 AND person_id = $2",
        )
        .bind(version.id)
        .bind(person)
        .fetch_optional(c)
        .await
    })?;
    if known.is_some() {
        // Not audited: acknowledged before, nothing changes.
        tx.commit().await?;
        return Ok(version);
    }
    run!(&mut tx, |c| {
        sqlx::query(
            "INSERT INTO isms_acknowledgements (version_id, person_id, at) VALUES ($1, $2, $3)",
        )
        .bind(version.id)
        .bind(person)
        .bind(SqlTime(write.now))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    write
        .commit(
            tx,
            Edit::created(
                "acknowledgement",
                format!("{} {person}", version.id),
                &[
                    ("document", document.display_number()),
                    ("version", version.label()),
                    ("person", person.to_string()),
                ],
            ),
        )
        .await?;
    Ok(version)
}

/// One person a document asks to acknowledge it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    pub person: PersonId,
    pub name: String,
    /// Why they are asked: `Ines Kraus`, `team Cloud Engineering`, `role engineer`.
    pub via: Vec<String>,
    /// When they acknowledged a version of the major version in force, and which.
    pub acknowledged: Option<(OffsetDateTime, String)>,
}

/// Who a published document asks, and who has acknowledged it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    pub version: String,
    pub readers: Vec<Reading>,
    /// Per distribution target: its label, people asked, people who acknowledged.
    pub groups: Vec<(String, usize, usize)>,
}

impl Coverage {
    pub fn acknowledged(&self) -> usize {
        self.readers
            .iter()
            .filter(|r| r.acknowledged.is_some())
            .count()
    }

    /// Whole percent of readers who acknowledged (100 with nobody asked).
    pub fn percent(&self) -> usize {
        (self.acknowledged() * 100)
            .checked_div(self.readers.len())
            .unwrap_or(100)
    }

    pub fn missing(&self) -> impl Iterator<Item = &Reading> {
        self.readers.iter().filter(|r| r.acknowledged.is_none())
    }
}

/// The people `target` names, with the label of the target.
async fn expand(
    handle: &mut impl Handle,
    target: &Target,
) -> Result<(String, Vec<(PersonId, String)>)> {
    Ok(match target {
        Target::Person(person) => {
            let name = tandem_directory::read::person_name(handle, *person)
                .await?
                .unwrap_or_default();
            (name.clone(), vec![(*person, name)])
        }
        Target::Team(team) => {
            let rows: Vec<(PersonId, String)> = run!(handle, |c| {
                sqlx::query_as(
                    "SELECT p.id, p.name FROM team_member_refs m JOIN person_refs p ON p.id = m.person_id \
                     WHERE m.team_id = $1 ORDER BY p.name, p.id",
                )
                .bind(*team)
                .fetch_all(c)
                .await
            })?;
            let name: Option<String> = run!(handle, |c| {
                sqlx::query_scalar("SELECT name FROM team_refs WHERE id = $1")
                    .bind(*team)
                    .fetch_optional(c)
                    .await
            })?;
            (format!("team {}", name.unwrap_or_default()), rows)
        }
        Target::Role(role) => (
            format!("role {}", role.title()),
            tandem_identity::read::holders(handle, *role).await?,
        ),
    })
}

/// The coverage of the version of `document` in force, or `None` when none is published.
pub async fn coverage(db: &Db, document: &Document) -> Result<Option<Coverage>> {
    let Some(version) = versions::in_force(db, document.id).await? else {
        return Ok(None);
    };
    let mut conn = db.conn().await?;
    let acks: Vec<(PersonId, OffsetDateTime, i32, i32)> = run!(&mut conn, |c| {
        sqlx::query_as(
            "SELECT a.person_id, a.at, v.major, v.minor FROM isms_acknowledgements a \
             JOIN isms_versions v ON v.id = a.version_id \
             WHERE v.document_id = $1 AND v.major = $2 ORDER BY a.at",
        )
        .bind(document.id)
        .bind(version.major)
        .fetch_all(c)
        .await
    })?;
    let mut latest: BTreeMap<PersonId, (OffsetDateTime, String)> = BTreeMap::new();
    for (person, at, major, minor) in acks {
        latest.insert(person, (at, version_label(major, minor)));
    }
    let mut readers: BTreeMap<PersonId, Reading> = BTreeMap::new();
    let mut groups = Vec::new();
    for target in &document.distribution {
        let (label, people) = expand(&mut conn, target).await?;
        let done = people
            .iter()
            .filter(|(p, _)| latest.contains_key(p))
            .count();
        groups.push((label.clone(), people.len(), done));
        for (person, name) in people {
            readers
                .entry(person)
                .or_insert_with(|| Reading {
                    person,
                    name,
                    via: Vec::new(),
                    acknowledged: latest.get(&person).cloned(),
                })
                .via
                .push(label.clone());
        }
    }
    let mut readers: Vec<Reading> = readers.into_values().collect();
    readers.sort_by(|a, b| a.name.cmp(&b.name).then(a.person.cmp(&b.person)));
    Ok(Some(Coverage {
        version: version.label(),
        readers,
        groups,
    }))
}

/// The published documents `reader` is asked to acknowledge and has not yet (for this major
/// version), by number.
pub async fn to_acknowledge(db: &Db, reader: &Reader) -> Result<Vec<(Document, Version)>> {
    let Some(person) = reader.person else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for listed in documents::list(db, reader).await? {
        let asked = listed
            .document
            .distribution
            .iter()
            .any(|target| reader.is(target));
        let Some((major, _)) = listed.document.in_force.filter(|_| asked) else {
            continue;
        };
        let done: Option<i32> = run!(&mut db.conn().await?, |c| {
            sqlx::query_scalar(
                "SELECT 1 FROM isms_acknowledgements a JOIN isms_versions v ON v.id = a.version_id \
                 WHERE v.document_id = $1 AND v.major = $2 AND a.person_id = $3 LIMIT 1",
            )
            .bind(listed.document.id)
            .bind(major)
            .bind(person)
            .fetch_optional(c)
            .await
        })?;
        if done.is_none()
            && let Some(version) = versions::in_force(db, listed.document.id).await?
        {
            out.push((listed.document, version));
        }
    }
    Ok(out)
}

/// Puts a reminder in the outbox for everyone who has not acknowledged the version of
/// `document` in force; returns how many were written.
pub async fn remind(write: &Write, document: &Document) -> Result<usize> {
    let Some(coverage) = coverage(&write.db, document).await? else {
        return Err(Error::conflict(
            "the document has no published version to acknowledge",
        ));
    };
    let mut tx = write.begin().await?;
    let mut sent = 0;
    for reading in coverage.missing() {
        let email: Option<String> = run!(&mut tx, |c| {
            sqlx::query_scalar("SELECT email FROM person_refs WHERE id = $1")
                .bind(reading.person)
                .fetch_optional(c)
                .await
        })?;
        let Some(email) = email else {
            continue;
        };
        let mail = tandem_mail::message::Mail::new(
            &email,
            &format!(
                "Please read and acknowledge {} {} (version {})",
                document.display_number(),
                document.title,
                coverage.version
            ),
            &format!(
                "Hello {},\n\nthe document {} {} is in force in version {} and is distributed to you ({}). Please read it and acknowledge it in Tandem.\n",
                reading.name,
                document.display_number(),
                document.title,
                coverage.version,
                reading.via.join(", ")
            ),
            &format!("/isms/documents/{}", document.id),
        )
        .map_err(|e| Error::Invalid(vec![e]))?;
        tandem_mail::store::enqueue(
            &mut tx,
            &mail,
            &format!("acknowledgement of {}", document.display_number()),
            write.now,
        )
        .await?;
        sent += 1;
    }
    write
        .commit(
            tx,
            Edit::created(
                "acknowledgement reminder",
                document.id,
                &[
                    ("version", coverage.version.clone()),
                    ("reminded", sent.to_string()),
                ],
            ),
        )
        .await?;
    Ok(sent)
}
