//! What other capabilities read of identity: whether a person is one of the provider's staff
//! with a role that grants a permission, and who is, for the people a ticket is assigned to, a
//! change is owned or carried out by, or a CAB vote is recorded for. A customer's person never
//! takes such a duty, whatever a form or a request sends.

use tandem_directory::PersonId;
use tandem_kernel::{FieldError, Permission, Result, Role};
use tandem_storage::{Db, Handle, run};

/// The roles whose grants include `permission`, in the kernel's order.
pub fn roles_granting(permission: Permission) -> Vec<Role> {
    Role::ALL
        .into_iter()
        .filter(|role| tandem_kernel::access::grants(*role, permission))
        .collect()
}

/// Whether a person may take a duty that needs a permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Eligibility {
    Eligible,
    NoSuchPerson,
    /// The person belongs to a customer or a supplier.
    NotProviderStaff,
    /// The person is the provider's but holds none of the roles that grant the permission.
    LacksRole,
}

impl Eligibility {
    /// The refusal for `field`, naming `duty` (such as "work tickets"), or `None` when the person
    /// is eligible.
    pub fn refusal(self, field: &str, permission: Permission, duty: &str) -> Option<FieldError> {
        let message = match self {
            Self::Eligible => return None,
            Self::NoSuchPerson => "there is no such person".to_owned(),
            Self::NotProviderStaff => {
                format!(
                    "only the provider's staff {duty}; this person is a customer's or a supplier's"
                )
            }
            Self::LacksRole => format!(
                "the person holds none of the roles that {duty}: {}",
                roles_granting(permission)
                    .into_iter()
                    .map(Role::title)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        Some(FieldError::new(field, message))
    }
}

/// Whether `person` is one of the provider's staff holding a role that grants `permission`.
pub async fn eligibility(
    handle: &mut impl Handle,
    person: PersonId,
    permission: Permission,
) -> Result<Eligibility> {
    let kind: Option<String> = run!(handle, |c| {
        sqlx::query_scalar(
            "SELECT o.kind FROM person_refs p JOIN organisation_refs o ON o.id = p.organisation_id \
             WHERE p.id = $1",
        )
        .bind(person)
        .fetch_optional(c)
        .await
    })?;
    match kind.as_deref() {
        None => return Ok(Eligibility::NoSuchPerson),
        Some("provider") => {}
        Some(_) => return Ok(Eligibility::NotProviderStaff),
    }
    let held: Vec<String> = run!(handle, |c| {
        sqlx::query_scalar("SELECT role FROM role_assignments WHERE person_id = $1")
            .bind(person)
            .fetch_all(c)
            .await
    })?;
    Ok(
        if crate::roles::parse_stored(&held)
            .permissions()
            .contains(permission)
        {
            Eligibility::Eligible
        } else {
            Eligibility::LacksRole
        },
    )
}

/// The provider's staff who hold a role granting `permission`, as `(id, name)` by name: what a
/// picker for that duty offers.
pub async fn staff_with(db: &Db, permission: Permission) -> Result<Vec<(PersonId, String)>> {
    let mut conn = db.conn().await?;
    let rows: Vec<(PersonId, String, String)> = run!(&mut conn, |c| {
        sqlx::query_as(
            "SELECT p.id, p.name, r.role FROM person_refs p \
             JOIN organisation_refs o ON o.id = p.organisation_id AND o.kind = 'provider' \
             JOIN role_assignments r ON r.person_id = p.id ORDER BY p.name, p.id",
        )
        .fetch_all(c)
        .await
    })?;
    let mut staff: Vec<(PersonId, String)> = Vec::new();
    for (person, name, role) in rows {
        let grants = crate::roles::parse_stored(std::slice::from_ref(&role))
            .permissions()
            .contains(permission);
        if grants && staff.last().is_none_or(|(last, _)| *last != person) {
            staff.push((person, name));
        }
    }
    Ok(staff)
}

/// Everyone holding `role`, as `(id, name)` by name: who a document distributed to the role asks.
pub async fn holders(handle: &mut impl Handle, role: Role) -> Result<Vec<(PersonId, String)>> {
    Ok(run!(handle, |c| {
        sqlx::query_as(
            "SELECT p.id, p.name FROM person_refs p JOIN role_assignments r ON r.person_id = p.id \
             WHERE r.role = $1 ORDER BY p.name, p.id",
        )
        .bind(role.as_str())
        .fetch_all(c)
        .await
    })?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_roles_that_work_tickets_are_the_provider_roles_of_the_grants_table() {
        assert_eq!(
            roles_granting(Permission::TicketsWork),
            [
                Role::Administrator,
                Role::ServiceDeskAgent,
                Role::Engineer,
                Role::ServiceManager,
                Role::Ciso
            ]
        );
        assert!(!roles_granting(Permission::TicketsSubmit).is_empty());
        assert!(
            roles_granting(Permission::ChangesVote).contains(&Role::CabMember)
                && !roles_granting(Permission::ChangesVote).contains(&Role::CustomerUser)
        );
    }

    #[test]
    fn refusals_say_why_and_name_the_roles() {
        assert_eq!(
            Eligibility::Eligible.refusal("assignee_id", Permission::TicketsWork, "work tickets"),
            None
        );
        let lacks = Eligibility::LacksRole
            .refusal("assignee_id", Permission::TicketsWork, "work tickets")
            .unwrap();
        assert_eq!(lacks.field, "assignee_id");
        assert_eq!(
            lacks.message,
            "the person holds none of the roles that work tickets: Administrator, Service desk agent, Engineer, Service manager, CISO"
        );
        let customer = Eligibility::NotProviderStaff
            .refusal("assignee_id", Permission::TicketsWork, "work tickets")
            .unwrap();
        assert_eq!(
            customer.message,
            "only the provider's staff work tickets; this person is a customer's or a supplier's"
        );
    }
}
