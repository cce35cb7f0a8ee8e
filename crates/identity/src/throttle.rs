//! When sign-in tries are refused without the password (or code) being checked, and the mail
//! that tells a person that tries for their account are being refused. Pure: the store counts
//! the failures, records them and queues the mail.
//!
//! Failures count for an e-mail address and a network address together, so that whoever keeps
//! guessing from one network locks out only that network: the owner, from their usual network,
//! still signs in. Two wider limits catch the other attacks: many e-mail addresses tried from
//! one network address (credential stuffing), and one e-mail address tried from many network
//! addresses.

use tandem_kernel::FieldError;
use tandem_kernel::clock::when;
use tandem_mail::message::Mail;
use time::{Duration, OffsetDateTime};

/// How long a failed sign-in counts.
pub const WINDOW: Duration = Duration::minutes(15);
/// Failures for one e-mail address from one network address within the window before tries for
/// that e-mail address from that network address are refused.
pub const MAX_FAILURES_PER_EMAIL_AND_ADDRESS: i64 = 5;
/// Failures from one network address within the window, whatever e-mail addresses were typed,
/// before every try from there is refused.
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;
/// Failures for one e-mail address within the window, from all network addresses together,
/// before tries for it are refused from everywhere.
pub const MAX_FAILURES_PER_EMAIL: i64 = 50;

/// The failed sign-ins within the window that bear on one try.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Failures {
    /// For the e-mail address typed, from the try's network address.
    pub here: i64,
    /// From the try's network address, for any e-mail address.
    pub from_address: i64,
    /// For the e-mail address typed, from any network address.
    pub for_email: i64,
}

/// How widely failures for one e-mail address refuse its tries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lock {
    /// Tries from the network address the failures came from.
    FromAddress,
    /// Tries from every network address.
    Everywhere,
}

impl Failures {
    /// Whether the try is refused without checking the password or the code.
    pub fn refused(self) -> bool {
        self.from_address >= MAX_FAILURES_PER_ADDRESS || self.lock().is_some()
    }

    /// Whether the failures for the e-mail address typed refuse the try, and how widely.
    pub fn lock(self) -> Option<Lock> {
        if self.for_email >= MAX_FAILURES_PER_EMAIL {
            Some(Lock::Everywhere)
        } else if self.here >= MAX_FAILURES_PER_EMAIL_AND_ADDRESS {
            Some(Lock::FromAddress)
        } else {
            None
        }
    }

    /// The counts once the failure of this try is recorded as well.
    pub fn and_this_one(self) -> Self {
        Self {
            here: self.here + 1,
            from_address: self.from_address + 1,
            for_email: self.for_email + 1,
        }
    }
}

/// The mail to the owner of the account with e-mail address `to` after failures for it reached
/// `lock`, the last one from the network address `address` at `at`.
pub fn warning(
    to: &str,
    address: Option<&str>,
    at: OffsetDateTime,
    lock: Lock,
) -> Result<Mail, FieldError> {
    let minutes = WINDOW.whole_minutes();
    let from = address.map_or_else(
        || "an unknown network address".to_owned(),
        |a| format!("the network address {a}"),
    );
    let at = when(at);
    let refused = match lock {
        Lock::FromAddress => format!(
            "Tandem now refuses further tries from that network address for {minutes} minutes. \
             From your usual network you can still sign in as always."
        ),
        Lock::Everywhere => format!(
            "Tries failed from many other network addresses as well, so Tandem now refuses \
             tries for your account from every network address for {minutes} minutes, yours \
             too. Please try again later."
        ),
    };
    let body = format!(
        "Sign-ins to your Tandem account {to} failed repeatedly, with a wrong password or a \
         wrong second-factor code (a wrong code means the password typed was right). The last \
         failure came from {from} at {at}.\n\n\
         {refused}\n\n\
         If this was you, there is nothing to do. If it was not, someone is trying to guess \
         your password or already knows it: sign in, change your password on your account \
         page, set up a second factor if you have none, end any session you do not recognise, \
         and tell your administrator, who finds every try in the audit trail.\n\n\
         You get this mail at most once every {minutes} minutes."
    );
    Mail::new(
        to,
        "Failed sign-ins to your Tandem account",
        &body,
        "/account",
    )
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn guessing_from_one_network_locks_out_only_that_network() {
        // Nina's address, five wrong passwords from network address A.
        let from_a = Failures {
            here: 5,
            from_address: 5,
            for_email: 5,
        };
        assert!(from_a.refused());
        assert_eq!(from_a.lock(), Some(Lock::FromAddress));
        // The same five failures, seen from Nina's own network B.
        let from_b = Failures {
            here: 0,
            from_address: 0,
            for_email: 5,
        };
        assert!(!from_b.refused());
        assert_eq!(from_b.lock(), None);
        let four = Failures {
            here: 4,
            from_address: 4,
            for_email: 4,
        };
        assert!(!four.refused());
        assert_eq!(four.and_this_one(), from_a);
    }

    #[test]
    fn many_addresses_from_one_network_are_refused_without_locking_any() {
        let stuffing = Failures {
            here: 0,
            from_address: MAX_FAILURES_PER_ADDRESS,
            for_email: 0,
        };
        assert!(stuffing.refused());
        assert_eq!(stuffing.lock(), None, "no owner is warned for it");
        let before = Failures {
            from_address: MAX_FAILURES_PER_ADDRESS - 1,
            ..stuffing
        };
        assert!(!before.refused());
    }

    #[test]
    fn one_address_from_many_networks_is_locked_everywhere() {
        let spread = Failures {
            here: 0,
            from_address: 0,
            for_email: MAX_FAILURES_PER_EMAIL,
        };
        assert!(spread.refused());
        assert_eq!(spread.lock(), Some(Lock::Everywhere));
        let before = Failures {
            for_email: MAX_FAILURES_PER_EMAIL - 1,
            ..spread
        };
        assert!(!before.refused());
        assert_eq!(before.and_this_one().lock(), Some(Lock::Everywhere));
    }

    #[test]
    fn the_warning_says_from_where_when_and_what_to_do() {
        let at = datetime!(2026-12-07 08:30:12 UTC);
        let mail = warning(
            "nina@alpha.example",
            Some("203.0.113.7"),
            at,
            Lock::FromAddress,
        )
        .unwrap();
        assert_eq!(mail.to.as_str(), "nina@alpha.example");
        assert_eq!(mail.link, "/account");
        for part in [
            "nina@alpha.example",
            "203.0.113.7 at 2026-12-07 08:30 UTC",
            "from that network address for 15 minutes",
            "your usual network",
            "change your password",
        ] {
            assert!(mail.body.contains(part), "{part:?} in {}", mail.body);
        }
        let everywhere = warning("nina@alpha.example", None, at, Lock::Everywhere).unwrap();
        assert!(everywhere.body.contains("an unknown network address"));
        assert!(
            everywhere
                .body
                .contains("from every network address for 15 minutes")
        );
        assert!(!everywhere.body.contains("your usual network"));
    }
}
