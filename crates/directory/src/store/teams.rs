//! The `teams` and `team_members` tables.

use sqlx::AssertSqlSafe;
use tandem_audit::{Edit, Write};
use tandem_kernel::Scope;
use tandem_kernel::page::Page;
use tandem_kernel::{Error, FieldError, Result};
use tandem_storage::{Arg, Db, ListQuery, ResultExt, Tx, Unique, run};

use crate::person::PersonId;
use crate::team::{Team, TeamId, TeamInput, TeamLevel};
use tandem_kernel::page::ListOptions;

const SELECT: &str = "SELECT t.id, t.organisation_id, o.name AS organisation_name, t.name, t.level, \
     t.description, (SELECT count(*) FROM team_members m WHERE m.team_id = t.id) AS member_count, \
     t.lead_id, l.name AS lead_name, t.created_at, t.updated_at, t.version \
     FROM teams t JOIN organisations o ON o.id = t.organisation_id LEFT JOIN people l ON l.id = t.lead_id";

const UNIQUE: &[Unique] = &[Unique {
    target: "teams.name",
    field: "name",
    message: "another team already has this name",
}];

/// Columns a team list can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Name,
    Level,
    Organisation,
}

impl Sort {
    pub const OPTIONS: [(&'static str, Self); 3] = [
        ("name", Self::Name),
        ("level", Self::Level),
        ("organisation", Self::Organisation),
    ];

    fn expression(self) -> &'static str {
        match self {
            Self::Name => "t.name",
            Self::Level => LEVEL_THEN_NAME,
            Self::Organisation => "o.name",
        }
    }

    fn key(self, t: &Team) -> String {
        match self {
            Self::Name => t.name.to_string(),
            Self::Level => format!("{}{}", t.level.rank(), t.name),
            Self::Organisation => t.organisation_name.to_string(),
        }
    }
}

/// Sorts by level in its natural order ([`TeamLevel::rank`]), then by name.
const LEVEL_THEN_NAME: &str = "(CASE t.level WHEN 'first_level' THEN '1' WHEN 'second_level' THEN '2' \
     WHEN 'third_level' THEN '3' WHEN 'cab' THEN '4' ELSE '5' END || t.name)";

/// Filters of a team list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub level: Option<TeamLevel>,
    /// Only teams this person belongs to.
    pub member: Option<PersonId>,
}

/// A member as listed on a team's page.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Member {
    pub id: PersonId,
    pub name: String,
    pub email: String,
    pub organisation_name: String,
}

pub async fn get(db: &Db, scope: Scope, id: TeamId) -> Result<Team> {
    let team: Team = db
        .fetch_by_id(&format!("{SELECT} WHERE t.id = $1"), id.0)
        .await?
        .ok_or(Error::NotFound { entity: "team" })?;
    super::within(scope, team.organisation_id.0, "team", team)
}

/// The team's members, by name.
pub async fn members(db: &Db, id: TeamId) -> Result<Vec<Member>> {
    let mut conn = db.conn().await?;
    Ok(run!(&mut conn, |c| {
        sqlx::query_as::<_, Member>(
            "SELECT p.id, p.name, p.email, o.name AS organisation_name FROM team_members m \
             JOIN people p ON p.id = m.person_id JOIN organisations o ON o.id = p.organisation_id \
             WHERE m.team_id = $1 ORDER BY p.name, p.id",
        )
        .bind(id)
        .fetch_all(c)
        .await
    })?)
}

pub async fn list(
    db: &Db,
    scope: Scope,
    filter: &Filter,
    options: &ListOptions<Sort>,
) -> Result<Page<Team>> {
    let mut query = super::scoped(ListQuery::new(SELECT), "t.organisation_id", scope);
    if let Some(level) = filter.level {
        query = query.filter("t.level = ?", [Arg::Text(level.as_str().into())]);
    }
    if let Some(member) = filter.member {
        query = query.filter(
            "EXISTS (SELECT 1 FROM team_members m WHERE m.team_id = t.id AND m.person_id = ?)",
            [Arg::Uuid(member.0)],
        );
    }
    if let Some(term) = options.search.as_deref().filter(|t| !t.is_empty()) {
        query = query.contains("t.name", term);
    }
    let sort = options.sort;
    query
        .fetch_page(db, sort.expression(), "t.id", options, |t: &Team| {
            (sort.key(t), t.id.0)
        })
        .await
}

/// Every team's id and name, by name: the choices of a form's team field.
pub async fn choices(db: &Db, scope: Scope) -> Result<Vec<(TeamId, String)>> {
    let own = super::own(scope);
    let mut conn = db.conn().await?;
    Ok(run!(&mut conn, |c| {
        sqlx::query_as::<_, (TeamId, String)>(
            "SELECT id, name FROM teams WHERE $1 IS NULL OR organisation_id = $1 ORDER BY name, id",
        )
        .bind(own)
        .fetch_all(c)
        .await
    })?)
}

/// Every team `person` belongs to, by name, however many there are.
pub async fn of_member(db: &Db, scope: Scope, person: PersonId) -> Result<Vec<Team>> {
    let sql = format!(
        "{SELECT} WHERE EXISTS (SELECT 1 FROM team_members m WHERE m.team_id = t.id \
         AND m.person_id = $1) AND ($2 IS NULL OR t.organisation_id = $2) ORDER BY t.name, t.id"
    );
    let own = super::own(scope);
    let mut conn = db.conn().await?;
    Ok(run!(&mut conn, |c| {
        sqlx::query_as::<_, Team>(AssertSqlSafe(sql.as_str()))
            .bind(person)
            .bind(own)
            .fetch_all(c)
            .await
    })?)
}

/// Checks the team's organisation and members exist, reporting each missing one on its field.
async fn check_references(tx: &mut Tx, input: &TeamInput) -> Result<()> {
    let mut errors = Vec::new();
    if !tx.exists("organisations", input.organisation_id.0).await? {
        errors.push(FieldError::new(
            "organisation_id",
            "there is no such organisation",
        ));
    }
    for (index, member) in input.members.iter().enumerate() {
        if !tx.exists("people", member.0).await? {
            errors.push(FieldError::new(
                format!("members[{index}]"),
                "there is no such person",
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(errors))
    }
}

async fn replace_members(tx: &mut Tx, id: TeamId, members: &[PersonId]) -> Result<()> {
    run!(tx, |c| {
        sqlx::query("DELETE FROM team_members WHERE team_id = $1")
            .bind(id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    for member in members {
        run!(tx, |c| {
            sqlx::query("INSERT INTO team_members (team_id, person_id) VALUES ($1, $2)")
                .bind(id)
                .bind(*member)
                .execute(c)
                .await
                .map(|r| r.rows_affected())
        })
        // A member deleted after the reference check is a conflict, not a failure.
        .on_violation(&[])?;
    }
    Ok(())
}

pub async fn create(write: &Write, input: TeamInput) -> Result<Team> {
    let id = TeamId::generate();
    let mut tx = write.begin().await?;
    check_references(&mut tx, &input).await?;
    run!(&mut tx, |c| {
        sqlx::query(
            "INSERT INTO teams (id, organisation_id, name, level, description, lead_id, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $7, $6, $6)",
        )
        .bind(id)
        .bind(input.organisation_id)
        .bind(&input.name)
        .bind(input.level.as_str())
        .bind(&input.description)
        .bind(tandem_storage::SqlTime(write.now))
        .bind(input.lead)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .on_violation(UNIQUE)?;
    replace_members(&mut tx, id, &input.members).await?;
    write
        .commit(tx, Edit::created("team", id, &input.audit_fields()))
        .await?;
    get(&write.db, Scope::Everything, id).await
}

/// Saves `input` over the team, if the record is still at `version`.
pub async fn update(write: &Write, id: TeamId, version: i64, input: TeamInput) -> Result<Team> {
    let before = get(&write.db, Scope::Everything, id).await?;
    let before_members: Vec<PersonId> = members(&write.db, id)
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect();
    let mut tx = write.begin().await?;
    check_references(&mut tx, &input).await?;
    let changed = run!(&mut tx, |c| {
        sqlx::query(
            "UPDATE teams SET organisation_id = $2, name = $3, level = $4, description = $5, \
             updated_at = $6, lead_id = $8, version = version + 1 WHERE id = $1 AND version = $7",
        )
        .bind(id)
        .bind(input.organisation_id)
        .bind(&input.name)
        .bind(input.level.as_str())
        .bind(&input.description)
        .bind(tandem_storage::SqlTime(write.now))
        .bind(version)
        .bind(input.lead)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .on_violation(UNIQUE)?;
    tx.check_updated(changed, "teams", id.0, "team").await?;
    replace_members(&mut tx, id, &input.members).await?;
    write
        .commit(
            tx,
            Edit::updated(
                "team",
                id,
                &before.audit_fields(&before_members),
                &input.audit_fields(),
            ),
        )
        .await?;
    get(&write.db, Scope::Everything, id).await
}

pub async fn delete(write: &Write, id: TeamId) -> Result<()> {
    let before = get(&write.db, Scope::Everything, id).await?;
    let before_members: Vec<PersonId> = members(&write.db, id)
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect();
    let mut tx = write.begin().await?;
    if !tx.delete_by_id("teams", id.0).await? {
        return Err(Error::NotFound { entity: "team" });
    }
    write
        .commit(
            tx,
            Edit::deleted("team", id, &before.audit_fields(&before_members)),
        )
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_level_order_in_sql_is_the_domain_order() {
        let (last, others) = TeamLevel::ALL.split_last().unwrap();
        for level in others {
            assert!(LEVEL_THEN_NAME.contains(&format!(
                "WHEN '{}' THEN '{}'",
                level.as_str(),
                level.rank()
            )));
        }
        assert!(LEVEL_THEN_NAME.contains(&format!("ELSE '{}'", last.rank())));
    }
}
