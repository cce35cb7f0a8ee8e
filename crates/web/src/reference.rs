//! How the API names a record one record refers to: its id and its name.

use serde::Serialize;
use utoipa::ToSchema;

/// A record another record refers to: an organisation, a person, a team, a service, a calendar.
#[derive(Debug, Serialize, ToSchema)]
pub struct Reference {
    #[schema(format = Uuid)]
    id: String,
    name: String,
}

/// The reference to the record `id` named `name`.
pub fn reference(id: impl ToString, name: impl Into<String>) -> Reference {
    Reference {
        id: id.to_string(),
        name: name.into(),
    }
}
