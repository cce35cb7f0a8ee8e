//! The vocabulary of frameworks and mappings: what a framework, a requirement node and a typed
//! mapping are, and the closed lists their kinds, relations and rationales come from.

use std::fmt;

/// Declares a closed list of values with the names used in files, URLs and JSON.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }

            /// Parses the name used in files and requests.
            pub fn parse(raw: &str) -> Result<Self, String> {
                match raw.trim() {
                    $($text => Ok(Self::$variant),)+
                    other => Err(format!(
                        "`{other}` is not a {}; expected one of: {}",
                        $what,
                        [$($text),+].join(", ")
                    )),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary!(
    /// What a node of a framework is.
    NodeKind, "node kind" {
        Clause = "clause",
        ControlObjective = "control_objective",
        Control = "control",
        Theme = "theme",
        Book = "book",
        BookSection = "book_section",
        LifecycleStage = "lifecycle_stage",
        Process = "process",
        Activity = "activity",
        SubActivity = "sub_activity",
        Document = "document",
        Step = "step",
        Phase = "phase",
        Practice = "practice",
        Domain = "domain",
        /// A group of an imported catalogue (an OSCAL `group`).
        Group = "group",
    }
);

vocabulary!(
    /// How a source node relates to a target node, in the OSCAL 1.2 control-mapping vocabulary.
    /// Read "source is `relation` target".
    Relation, "relation" {
        EqualTo = "equal-to",
        EquivalentTo = "equivalent-to",
        SubsetOf = "subset-of",
        SupersetOf = "superset-of",
        IntersectsWith = "intersects-with",
        NoRelationship = "no-relationship",
    }
);

impl Relation {
    /// The same relation read from the target's side.
    pub fn inverse(self) -> Self {
        match self {
            Self::SubsetOf => Self::SupersetOf,
            Self::SupersetOf => Self::SubsetOf,
            other => other,
        }
    }
}

vocabulary!(
    /// How a relation was judged (NIST IR 8477): by wording, by meaning, or by function.
    Rationale, "rationale" {
        Syntactic = "syntactic",
        Semantic = "semantic",
        Functional = "functional",
    }
);

/// Where a framework comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Shipped with Tandem as a data file.
    Shipped,
    /// Added by the users of this installation.
    Custom,
}

/// A framework: a standard, a book, a model from a paper, or an internal policy set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Framework {
    /// Lower-case ASCII letters, digits and `-`, e.g. `iso27001-2005`.
    pub id: String,
    pub name: String,
    pub edition: String,
    pub publisher: String,
    pub licence_note: String,
    pub source: String,
    pub description: String,
    pub origin: Origin,
}

/// A requirement node of a framework: a clause, a control, a process, a book section, a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub framework: String,
    /// Unique in its framework, as people write it: `4.2.1`, `A.10.1.2`, `SD 4.6.4.3`.
    pub reference: String,
    pub parent: Option<String>,
    pub kind: NodeKind,
    pub title: String,
    /// The id the node had in the OSCAL catalog it was imported from (`ac-2.1`), exported as it
    /// was; `None` for other nodes, whose OSCAL id comes from the reference.
    pub oscal_id: Option<String>,
    /// Withdrawn from its framework (an OSCAL control whose `status` is `withdrawn`): still
    /// shown and mappable, but no longer a requirement of the framework.
    pub withdrawn: bool,
}

/// A typed relation between two nodes, with where it comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapping {
    pub source: NodeKey,
    pub target: NodeKey,
    pub relation: Relation,
    pub rationale: Rationale,
    /// From 0 to 1, when the source of the mapping gives one.
    pub confidence: Option<f64>,
    pub note: String,
    /// `seed 001, Table 1, row 31`, or `published: …`, or who added it.
    pub provenance: String,
    /// The id of a mapping added by users; shipped mappings have none.
    pub id: Option<uuid::Uuid>,
}

/// A framework's node, named by framework id and reference.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeKey {
    pub framework: String,
    pub reference: String,
}

impl NodeKey {
    pub fn new(framework: &str, reference: &str) -> Self {
        Self {
            framework: framework.to_owned(),
            reference: reference.to_owned(),
        }
    }
}

impl fmt::Display for NodeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.framework, self.reference)
    }
}

/// A row of a source table that explicitly has no counterpart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmapped {
    pub node: NodeKey,
    pub provenance: String,
    pub note: String,
}

/// Checks a framework id: 2 to 60 characters, lower-case ASCII letters, digits and `-`,
/// starting with a letter.
pub fn check_framework_id(id: &str) -> Result<(), String> {
    let well_formed = (2..=60).contains(&id.len())
        && id.starts_with(|c: char| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if well_formed {
        Ok(())
    } else {
        Err(format!(
            "`{id}` is not a framework id: use 2 to 60 lower-case letters, digits and `-`, starting with a letter"
        ))
    }
}

/// Checks a node reference: 1 to 60 characters, no leading or trailing space, no control
/// characters.
pub fn check_reference(reference: &str) -> Result<(), String> {
    if reference.is_empty() || reference.chars().count() > 60 {
        return Err("a reference has 1 to 60 characters".into());
    }
    if reference.trim() != reference || reference.chars().any(char::is_control) {
        return Err(format!(
            "`{reference}` has surrounding spaces or control characters"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabularies_round_trip_and_explain_mistakes() {
        for relation in Relation::ALL {
            assert_eq!(Relation::parse(relation.as_str()).unwrap(), *relation);
        }
        let err = Relation::parse("maps-to").unwrap_err();
        assert!(err.contains("equal-to, equivalent-to"), "{err}");
        assert_eq!(NodeKind::parse(" control ").unwrap(), NodeKind::Control);
    }

    #[test]
    fn inverses_swap_subset_and_superset_only() {
        assert_eq!(Relation::SubsetOf.inverse(), Relation::SupersetOf);
        assert_eq!(Relation::SupersetOf.inverse(), Relation::SubsetOf);
        for relation in Relation::ALL {
            assert_eq!(relation.inverse().inverse(), *relation);
        }
        assert_eq!(Relation::IntersectsWith.inverse(), Relation::IntersectsWith);
    }

    #[test]
    fn framework_ids_and_references_are_checked() {
        assert!(check_framework_id("iso27001-2005").is_ok());
        for bad in ["ISO", "1abc", "a", "iso 27001", "iso_27001"] {
            assert!(check_framework_id(bad).is_err(), "{bad}");
        }
        assert!(check_reference("SD 4.6.4.3").is_ok());
        assert!(check_reference(" 4.2").is_err());
        assert!(check_reference("").is_err());
    }
}
