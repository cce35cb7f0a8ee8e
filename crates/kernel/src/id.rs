//! Typed record ids. Every record is identified by a UUIDv7 (time-ordered, so inserts stay
//! local in indexes), wrapped in a newtype per entity so that a person's id cannot be passed
//! where a team's is expected.

/// Declares an id newtype for one kind of record.
#[macro_export]
macro_rules! entity_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash,
            serde::Serialize, serde::Deserialize, sqlx::Type, utoipa::ToSchema,
        )]
        #[serde(transparent)]
        #[sqlx(transparent)]
        #[schema(value_type = String, format = Uuid)]
        pub struct $name(pub uuid::Uuid);

        impl $name {
            /// A fresh, time-ordered id.
            pub fn generate() -> Self {
                Self(uuid::Uuid::now_v7())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                uuid::Uuid::parse_str(s).map(Self)
            }
        }
    };
}

/// Parses the id in form or JSON field `field`: required, and a UUID.
pub fn parse_id<T: std::str::FromStr>(field: &str, raw: &str) -> Result<T, crate::FieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(crate::FieldError::new(field, "is required"));
    }
    raw.parse()
        .map_err(|_| crate::FieldError::new(field, "is not a valid id"))
}

#[cfg(test)]
mod tests {
    entity_id!(
        /// An id used only by these tests.
        SampleId
    );

    #[test]
    fn ids_round_trip_through_text() {
        let id = SampleId::generate();
        let parsed: SampleId = id.to_string().parse().unwrap();
        assert_eq!(parsed, id);
    }

    #[test]
    fn id_fields_must_be_present_and_well_formed() {
        assert_eq!(
            super::parse_id::<SampleId>("team", " ")
                .unwrap_err()
                .message,
            "is required"
        );
        assert_eq!(
            super::parse_id::<SampleId>("team", "42")
                .unwrap_err()
                .message,
            "is not a valid id"
        );
        let id = SampleId::generate();
        assert_eq!(
            super::parse_id::<SampleId>("team", &id.to_string()).unwrap(),
            id
        );
    }

    #[test]
    fn later_ids_sort_after_earlier_ones() {
        let first = SampleId::generate();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let second = SampleId::generate();
        assert!(first < second);
    }
}
