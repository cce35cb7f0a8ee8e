//! The ISMS's tables. [`documents`]: the register (`isms_documents`,
//! `isms_document_numbers`, `isms_document_distribution`); [`versions`]: versions, their
//! approvers and the check-out lock (`isms_versions`, `isms_version_approvers`,
//! `isms_document_locks`); [`acknowledgements`]: who acknowledged which published version, and
//! the coverage (`isms_acknowledgements`).

pub mod acknowledgements;
pub mod competence;
pub mod documents;
pub mod objectives;
pub mod parties;
pub mod patterns;
pub mod roles;
pub mod scope;
pub mod versions;

use tandem_directory::PersonId;
use tandem_kernel::{Actor, Error, FieldError, Result};
use tandem_storage::Handle;

use crate::lifecycle::Refusal;

/// The person `actor` acts as, with their name: ISMS records name people.
pub async fn acting_person(handle: &mut impl Handle, actor: &Actor) -> Result<(PersonId, String)> {
    let Some(id) = actor.id.map(PersonId) else {
        return Err(Error::conflict(
            "only a person, or a person's API token, writes the ISMS's documents",
        ));
    };
    tandem_directory::read::person_name(handle, id)
        .await?
        .map(|name| (id, name))
        .ok_or_else(|| Error::conflict("the acting account is not linked to a person"))
}

/// The life cycle's refusals as the error every edge maps to 409, each named by its rule.
pub fn refused(refusals: Vec<Refusal>) -> Error {
    Error::Refused(
        refusals
            .into_iter()
            .map(|r| FieldError::new(r.rule, r.message))
            .collect(),
    )
}
