//! The `tandem account …` commands: what an operator does on the server itself — create the
//! first administrator of a fresh installation, set a password, give roles, issue an API token.
//! Each acts as the system actor named after the command, so the audit trail shows it.

use anyhow::Context;
use tandem_audit::Write;
use tandem_directory::store::{organisations, people};
use tandem_directory::{OrganisationDraft, OrganisationKind, PersonDraft};
use tandem_kernel::page::{ListOptions, ListParams};
use tandem_kernel::{Actor, Clock, Role, Roles, Scope, SystemClock};
use tandem_storage::Db;

/// Reads one line (a password) from standard input.
pub fn read_password() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// Turns field errors into one readable line.
fn explain(what: &str, error: tandem_kernel::Error) -> anyhow::Error {
    match error {
        tandem_kernel::Error::Invalid(errors) => {
            let reasons: Vec<String> = errors
                .iter()
                .map(|e| format!("{} {}", e.field, e.message))
                .collect();
            anyhow::anyhow!("{what}: {}", reasons.join("; "))
        }
        other => anyhow::anyhow!("{what}: {other}"),
    }
}

async fn person(db: &Db, email: &str) -> anyhow::Result<uuid::Uuid> {
    Ok(tandem_identity::store::person_by_email(db, email)
        .await?
        .with_context(|| format!("no person in the directory has the e-mail address {email}"))?
        .0)
}

/// `tandem account set-password EMAIL`.
pub async fn set_password(db: &Db, email: &str, password: &str) -> anyhow::Result<()> {
    let write = Write::new(
        db,
        &Actor::system("tandem account set-password"),
        SystemClock.now(),
    );
    tandem_identity::store::set_password(&write, email, password)
        .await
        .map_err(|e| explain("the password was not set", e))
}

/// `tandem account grant EMAIL ROLES`: the person holds exactly `roles` afterwards.
pub async fn grant(db: &Db, email: &str, roles: &str) -> anyhow::Result<Roles> {
    let roles = Roles::parse_list("roles", roles).map_err(|e| anyhow::anyhow!("{e}"))?;
    let person = person(db, email).await?;
    let write = Write::new(
        db,
        &Actor::system("tandem account grant"),
        SystemClock.now(),
    );
    tandem_identity::roles::set(&write, person, roles)
        .await
        .map_err(|e| explain("the roles were not given", e))?;
    Ok(roles)
}

/// `tandem account token EMAIL --name NAME --days N`: a new API token acting with all the
/// person's roles; returns its secret.
pub async fn token(db: &Db, email: &str, name: &str, days: i64) -> anyhow::Result<String> {
    let person = person(db, email).await?;
    let write = Write::new(
        db,
        &Actor::system("tandem account token"),
        SystemClock.now(),
    );
    let (_, secret) = tandem_identity::tokens::create(
        &write,
        person,
        tandem_identity::tokens::NewToken {
            name: name.to_owned(),
            roles: String::new(),
            days,
        },
    )
    .await
    .map_err(|e| explain("the token was not created", e))?;
    Ok(secret)
}

/// Why a token of the person with `email` would open nothing yet: a role of theirs requires a
/// second factor (`mfa_required_roles`) they have not set up.
pub async fn second_factor_warning(
    db: &Db,
    email: &str,
    config: &crate::config::Config,
) -> anyhow::Result<Option<String>> {
    let person = person(db, email).await?;
    let held = tandem_identity::roles::of(db, person).await?;
    let required = held.intersection(config.mfa_required()?);
    if required.is_empty() || tandem_identity::mfa::status(db, person).await?.enrolled {
        return Ok(None);
    }
    Ok(Some(format!(
        "{email} holds {required}, which requires two-factor authentication; the token works once they set it up at /account/mfa"
    )))
}

/// `tandem account first-administrator EMAIL --name NAME --organisation ORG`: on an
/// installation without an administrator, the provider organisation (unless there is one), the
/// person, their password and the administrator role.
pub async fn first_administrator(
    db: &Db,
    email: &str,
    name: &str,
    organisation: &str,
    password: &str,
) -> anyhow::Result<()> {
    let existing = tandem_identity::roles::accounts(db, false).await?;
    if let Some(admin) = existing
        .iter()
        .find(|a| a.roles.contains(Role::Administrator))
    {
        anyhow::bail!(
            "{} is an administrator already; they give roles on the Access page",
            admin.email
        );
    }
    tandem_identity::password::check_new("password", email, password)
        .map_err(|e| anyhow::anyhow!("the password was not accepted: {e}"))?;
    let write = Write::new(
        db,
        &Actor::system("tandem account first-administrator"),
        SystemClock.now(),
    );
    let providers = organisations::list(
        db,
        Scope::Everything,
        &organisations::Filter {
            kind: Some(OrganisationKind::Provider),
        },
        &ListOptions::parse(&ListParams::default(), &organisations::Sort::OPTIONS)?,
    )
    .await?;
    let provider = match providers.items.into_iter().next() {
        Some(provider) => provider.id,
        None => {
            let draft = OrganisationDraft {
                name: organisation.to_owned(),
                kind: "provider".to_owned(),
                ..Default::default()
            };
            let input = draft
                .validate()
                .map_err(|e| explain("the organisation was not created", e))?;
            organisations::create(&write, input)
                .await
                .map_err(|e| explain("the organisation was not created", e))?
                .id
        }
    };
    if tandem_identity::store::person_by_email(db, email)
        .await?
        .is_none()
    {
        let draft = PersonDraft {
            organisation_id: provider.to_string(),
            name: name.to_owned(),
            email: email.to_owned(),
            ..Default::default()
        };
        let input = draft
            .validate()
            .map_err(|e| explain("the person was not created", e))?;
        people::create(&write, input)
            .await
            .map_err(|e| explain("the person was not created", e))?;
    }
    tandem_identity::store::set_password(&write, email, password)
        .await
        .map_err(|e| explain("the password was not set", e))?;
    let person = person(db, email).await?;
    tandem_identity::roles::set(&write, person, Roles::NONE.with(Role::Administrator))
        .await
        .map_err(|e| explain("the role was not given", e))?;
    Ok(())
}
