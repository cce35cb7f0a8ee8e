//! Typed relations between CIs, how each reads from both ends, and which way a failure travels
//! along it for the impact analysis.

use crate::impact::Rule;

tandem_kernel::vocabulary!(
    /// What a relation from a source CI to a target CI says.
    RelationKind {
        RunsOn = "runs-on" / "runs on",
        DependsOn = "depends-on" / "depends on",
        ConnectedTo = "connected-to" / "is connected to",
        Provides = "provides" / "provides",
        LocatedIn = "located-in" / "is located in",
        BackedUpBy = "backed-up-by" / "is backed up by",
        MemberOf = "member-of" / "is a member of",
    }
);

/// Which way a failure travels along a relation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Travel {
    /// A failure of the target reaches the source (a VM fails with its host).
    TargetToSource(Rule),
    /// A failure of the source reaches the target (a service fails with what provides it).
    SourceToTarget(Rule),
    /// No failure travels: the relation informs only.
    None,
}

impl RelationKind {
    /// The relation read from its target: "hosts", "is needed by", …
    pub fn inverse_label(self) -> &'static str {
        match self {
            Self::RunsOn => "hosts",
            Self::DependsOn => "is needed by",
            Self::ConnectedTo => "is connected to",
            Self::Provides => "is provided by",
            Self::LocatedIn => "contains",
            Self::BackedUpBy => "holds the backup of",
            Self::MemberOf => "has the member",
        }
    }

    /// How a failure travels: `runs-on`, `depends-on` and `located-in` carry a target's state to
    /// the source, `provides` carries the source's state to the service it provides, and
    /// `member-of` counts a member's state against its cluster's quorum. `connected-to` and
    /// `backed-up-by` carry nothing: a lost backup puts the backup at risk, not the service.
    pub fn travel(self) -> Travel {
        match self {
            Self::RunsOn | Self::DependsOn | Self::LocatedIn => Travel::TargetToSource(Rule::Pass),
            Self::Provides => Travel::SourceToTarget(Rule::Pass),
            Self::MemberOf => Travel::SourceToTarget(Rule::Member),
            Self::ConnectedTo | Self::BackedUpBy => Travel::None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_from_both_ends() {
        for kind in RelationKind::ALL {
            assert!(!kind.label().is_empty());
            assert!(!kind.inverse_label().is_empty());
            assert_eq!(RelationKind::parse("kind", kind.as_str()), Ok(*kind));
        }
    }

    #[test]
    fn failures_travel_from_what_is_needed_to_what_needs_it() {
        assert_eq!(
            RelationKind::RunsOn.travel(),
            Travel::TargetToSource(Rule::Pass)
        );
        assert_eq!(
            RelationKind::Provides.travel(),
            Travel::SourceToTarget(Rule::Pass)
        );
        assert_eq!(
            RelationKind::MemberOf.travel(),
            Travel::SourceToTarget(Rule::Member)
        );
        assert_eq!(RelationKind::BackedUpBy.travel(), Travel::None);
    }
}
