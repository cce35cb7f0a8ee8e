//! The suggested risk of a proposed change, worked out from the classification of the CIs it
//! names, the outage that impact analysis expects when they all go down, and the number of
//! customers affected; and the rule that a change manager who overrides the suggestion says why.
//!
//! Pure and deterministic: the caller runs the impact analysis and passes its result as plain
//! data. The score is
//! `max(exposure, outage) + customer points + 1 if a named CI is secret`, where exposure is the
//! highest C, I or A rating of a named CI and outage the highest availability rating of an
//! affected CI, one less when it is only degraded. A score up to 2 is low, 3 or 4 is medium,
//! 5 and above is high.

use crate::lifecycle::{Refusal, Risk};

/// A CI the change names, with its classification: C, I and A rated from 1 (low) to 4 (very
/// high), and whether its information is labelled secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedCi {
    /// How people read it: `mgmt-de-01`.
    pub name: String,
    pub confidentiality: u8,
    pub integrity: u8,
    pub availability: u8,
    pub secret: bool,
}

/// How badly impact analysis expects an affected CI to suffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Outage {
    /// Working with less redundancy or capacity; counts one rating point less.
    Degraded,
    Down,
}

impl Outage {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Degraded => "degraded",
            Self::Down => "down",
        }
    }
}

/// A CI affected when every named CI is down (the named CIs among them), with its
/// availability rating from 1 to 4.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AffectedCi {
    pub name: String,
    pub availability: u8,
    pub outage: Outage,
}

/// From how many affected customers the score rises: by one from `several`, by two from
/// `many`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustomerBands {
    pub several: u32,
    pub many: u32,
}

impl Default for CustomerBands {
    fn default() -> Self {
        Self {
            several: 2,
            many: 10,
        }
    }
}

impl CustomerBands {
    /// The points `customers` affected customers add to the score.
    pub fn points(&self, customers: u32) -> u8 {
        if customers >= self.many {
            2
        } else if customers >= self.several {
            1
        } else {
            0
        }
    }
}

/// The suggested risk, its score and how it came about, in words a change manager can check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub risk: Risk,
    pub score: u8,
    pub explanation: String,
}

/// Suggests the risk of a change naming `named`, whose outage affects `affected` and
/// `customers` distinct customers.
pub fn suggest(
    named: &[NamedCi],
    affected: &[AffectedCi],
    customers: u32,
    bands: &CustomerBands,
) -> Suggestion {
    let exposure = highest(named, |ci| {
        ci.confidentiality.max(ci.integrity).max(ci.availability)
    });
    let outage = highest(affected, |ci| match ci.outage {
        Outage::Down => ci.availability,
        Outage::Degraded => ci.availability.saturating_sub(1),
    });
    let customer_points = bands.points(customers);
    let secret = named.iter().find(|ci| ci.secret);
    let base = exposure
        .map_or(0, |(e, _)| e)
        .max(outage.map_or(0, |(o, _)| o));
    let score = base
        .saturating_add(customer_points)
        .saturating_add(u8::from(secret.is_some()));
    let risk = level(score);

    let exposure = match exposure {
        Some((e, ci)) => format!(
            "exposure {e} ({}: C{} I{} A{})",
            ci.name, ci.confidentiality, ci.integrity, ci.availability
        ),
        None => "exposure 0 (no CI named)".to_owned(),
    };
    let outage = match outage {
        Some((o, ci)) => {
            let rating = match ci.outage {
                Outage::Down => format!("A{}", ci.availability),
                Outage::Degraded => format!("A{} less 1", ci.availability),
            };
            format!("outage {o} ({} {}, {rating})", ci.name, ci.outage.as_str())
        }
        None => "outage 0 (nothing affected)".to_owned(),
    };
    let affected_customers = match customers {
        0 => "no customer".to_owned(),
        1 => "1 customer".to_owned(),
        n => format!("{n} customers"),
    };
    let secret = match secret {
        Some(ci) => format!("secret +1 ({} is secret)", ci.name),
        None => "secret +0 (no named CI is secret)".to_owned(),
    };
    Suggestion {
        risk,
        score,
        explanation: format!(
            "{exposure}, {outage}, customers +{customer_points} ({affected_customers} affected), {secret} → score {score} → {}",
            risk.as_str()
        ),
    }
}

/// The risk level of a score: up to 2 low, 3 or 4 medium, 5 and above high.
pub fn level(score: u8) -> Risk {
    match score {
        0..=2 => Risk::Low,
        3..=4 => Risk::Medium,
        _ => Risk::High,
    }
}

/// The shortest reason a risk override may give.
pub const OVERRIDE_REASON_MIN_CHARS: usize = 10;

/// Rule G4: a chosen risk that differs from the suggestion needs a reason of at least
/// [`OVERRIDE_REASON_MIN_CHARS`] characters. Without a suggestion any choice stands.
pub fn check_override(suggested: Option<Risk>, chosen: Risk, reason: &str) -> Result<(), Refusal> {
    match suggested {
        Some(suggested)
            if suggested != chosen && reason.trim().chars().count() < OVERRIDE_REASON_MIN_CHARS =>
        {
            Err(Refusal::new(
                "G4",
                format!(
                    "the risk ({}) differs from the suggestion ({}), so give a reason for the override of at least {OVERRIDE_REASON_MIN_CHARS} characters",
                    chosen.as_str(),
                    suggested.as_str()
                ),
            ))
        }
        _ => Ok(()),
    }
}

/// The highest `value` among `items` with the first item that has it.
fn highest<T>(items: &[T], value: impl Fn(&T) -> u8) -> Option<(u8, &T)> {
    items.iter().fold(None, |best, item| {
        let v = value(item);
        match best {
            Some((b, _)) if b >= v => best,
            _ => Some((v, item)),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn named(name: &str, c: u8, i: u8, a: u8) -> NamedCi {
        NamedCi {
            name: name.to_owned(),
            confidentiality: c,
            integrity: i,
            availability: a,
            secret: false,
        }
    }

    fn affected(name: &str, availability: u8, outage: Outage) -> AffectedCi {
        AffectedCi {
            name: name.to_owned(),
            availability,
            outage,
        }
    }

    fn suggest_default(named: &[NamedCi], affected: &[AffectedCi], customers: u32) -> Suggestion {
        suggest(named, affected, customers, &CustomerBands::default())
    }

    #[test]
    fn the_management_server_update_is_medium() {
        use Outage::*;
        let suggestion = suggest_default(
            &[named("mgmt-de-01", 3, 3, 3)],
            &[
                affected("mgmt-de-01", 3, Down),
                affected("HD video conferencing", 4, Down),
                affected("codec-muc-board", 3, Down),
            ],
            1,
        );
        assert_eq!((suggestion.risk, suggestion.score), (Risk::Medium, 4));
        assert_eq!(
            suggestion.explanation,
            "exposure 3 (mgmt-de-01: C3 I3 A3), outage 4 (HD video conferencing down, A4), customers +0 (1 customer affected), secret +0 (no named CI is secret) → score 4 → medium"
        );
    }

    #[test]
    fn a_bridge_node_is_medium_thanks_to_the_cluster_quorum() {
        use Outage::*;
        let suggestion = suggest_default(
            &[named("bridge-de-02", 2, 3, 4)],
            &[
                affected("bridge-de-02", 4, Down),
                affected("video-bridge-cluster", 4, Degraded),
                affected("HD video conferencing", 4, Degraded),
            ],
            1,
        );
        assert_eq!((suggestion.risk, suggestion.score), (Risk::Medium, 4));
    }

    #[test]
    fn a_hypervisor_is_high_because_two_customers_are_affected() {
        use Outage::*;
        let suggestion = suggest_default(
            &[named("hv-de-01", 3, 3, 4)],
            &[
                affected("hv-de-01", 4, Down),
                affected("hv-cluster-de", 4, Degraded),
                affected("mgmt-de-01", 3, Degraded),
                affected("login-de-01", 4, Degraded),
                affected("bridge-de-01", 4, Degraded),
                affected("video-bridge-cluster", 4, Degraded),
                affected("HD video conferencing", 4, Degraded),
                affected("Managed cloud servers", 3, Degraded),
            ],
            2,
        );
        assert_eq!((suggestion.risk, suggestion.score), (Risk::High, 5));
        assert!(
            suggestion
                .explanation
                .contains("customers +1 (2 customers affected)"),
            "{}",
            suggestion.explanation
        );
    }

    #[test]
    fn a_degraded_ci_counts_one_point_less_and_a_secret_ci_one_more() {
        let mut lab = named("bridge-stg-01", 1, 2, 2);
        lab.secret = true;
        let suggestion =
            suggest_default(&[lab], &[affected("Login service", 3, Outage::Degraded)], 0);
        assert_eq!((suggestion.risk, suggestion.score), (Risk::Medium, 3));
        assert_eq!(
            suggestion.explanation,
            "exposure 2 (bridge-stg-01: C1 I2 A2), outage 2 (Login service degraded, A3 less 1), customers +0 (no customer affected), secret +1 (bridge-stg-01 is secret) → score 3 → medium"
        );
        assert_eq!(suggest_default(&[], &[], 0).risk, Risk::Low);
    }

    #[test]
    fn scores_map_to_levels_and_customers_to_points() {
        let levels: Vec<Risk> = (0..=7).map(level).collect();
        use Risk::*;
        assert_eq!(levels, [Low, Low, Low, Medium, Medium, High, High, High]);
        let bands = CustomerBands::default();
        let points: Vec<u8> = [0, 1, 2, 9, 10, 500].map(|n| bands.points(n)).to_vec();
        assert_eq!(points, [0, 0, 1, 1, 2, 2]);
    }

    #[test]
    fn g4_an_override_needs_a_reason_of_ten_characters() {
        assert_eq!(check_override(Some(Risk::High), Risk::High, ""), Ok(()));
        assert_eq!(check_override(None, Risk::Low, ""), Ok(()));
        let refusal = check_override(Some(Risk::High), Risk::Medium, " nine char ").unwrap_err();
        assert_eq!(refusal.rule, "G4");
        assert_eq!(
            refusal.message,
            "the risk (medium) differs from the suggestion (high), so give a reason for the override of at least 10 characters"
        );
        assert_eq!(
            check_override(Some(Risk::High), Risk::Medium, "ten chars!"),
            Ok(())
        );
    }

    fn rating() -> impl Strategy<Value = u8> {
        1u8..=4
    }

    fn named_ci() -> impl Strategy<Value = NamedCi> {
        (rating(), rating(), rating(), any::<bool>()).prop_map(|(c, i, a, secret)| NamedCi {
            name: format!("ci-c{c}i{i}a{a}"),
            confidentiality: c,
            integrity: i,
            availability: a,
            secret,
        })
    }

    fn affected_ci() -> impl Strategy<Value = AffectedCi> {
        (rating(), any::<bool>()).prop_map(|(a, down)| AffectedCi {
            name: format!("affected-a{a}"),
            availability: a,
            outage: if down { Outage::Down } else { Outage::Degraded },
        })
    }

    /// A change's inputs: named CIs, affected CIs, customers.
    fn inputs() -> impl Strategy<Value = (Vec<NamedCi>, Vec<AffectedCi>, u32)> {
        (
            prop::collection::vec(named_ci(), 0..4),
            prop::collection::vec(affected_ci(), 0..6),
            0u32..30,
        )
    }

    fn not_lower(before: &Suggestion, after: &Suggestion) -> Result<(), TestCaseError> {
        prop_assert!(after.score >= before.score, "{before:?} → {after:?}");
        prop_assert!(after.risk >= before.risk, "{before:?} → {after:?}");
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Raising a C, I or A rating of a named CI never lowers the risk.
        #[test]
        fn raising_a_named_rating_never_lowers_the_risk(
            (mut named, affected, n) in inputs(),
            pick in any::<prop::sample::Index>(),
            which in 0usize..3,
            raise in 1u8..=3,
        ) {
            prop_assume!(!named.is_empty());
            let before = suggest_default(&named, &affected, n);
            let ci = pick.get_mut(&mut named);
            let rating = match which {
                0 => &mut ci.confidentiality,
                1 => &mut ci.integrity,
                _ => &mut ci.availability,
            };
            *rating = (*rating + raise).min(4);
            not_lower(&before, &suggest_default(&named, &affected, n))?;
        }

        /// Raising an affected CI's availability rating, or taking it from degraded to down,
        /// never lowers the risk.
        #[test]
        fn a_worse_outage_never_lowers_the_risk(
            (named, mut affected, n) in inputs(),
            pick in any::<prop::sample::Index>(),
            raise in 0u8..=3,
            take_down in any::<bool>(),
        ) {
            prop_assume!(!affected.is_empty());
            let before = suggest_default(&named, &affected, n);
            let ci = pick.get_mut(&mut affected);
            ci.availability = (ci.availability + raise).min(4);
            if take_down {
                ci.outage = Outage::Down;
            }
            not_lower(&before, &suggest_default(&named, &affected, n))?;
        }

        /// Another named or affected CI never lowers the risk.
        #[test]
        fn more_cis_never_lower_the_risk(
            (mut named, mut affected, n) in inputs(),
            extra_named in named_ci(),
            extra_affected in affected_ci(),
        ) {
            let before = suggest_default(&named, &affected, n);
            affected.push(extra_affected);
            let with_affected = suggest_default(&named, &affected, n);
            not_lower(&before, &with_affected)?;
            named.push(extra_named);
            not_lower(&with_affected, &suggest_default(&named, &affected, n))?;
        }

        /// More customers never lower the risk.
        #[test]
        fn more_customers_never_lower_the_risk(
            (named, affected, n) in inputs(),
            more in 0u32..30,
        ) {
            not_lower(
                &suggest_default(&named, &affected, n),
                &suggest_default(&named, &affected, n + more),
            )?;
        }

        /// Labelling a named CI secret never lowers the risk.
        #[test]
        fn a_secret_label_never_lowers_the_risk(
            (mut named, affected, n) in inputs(),
            pick in any::<prop::sample::Index>(),
        ) {
            prop_assume!(!named.is_empty());
            let before = suggest_default(&named, &affected, n);
            pick.get_mut(&mut named).secret = true;
            not_lower(&before, &suggest_default(&named, &affected, n))?;
        }
    }
}
