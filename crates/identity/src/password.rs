//! Passwords: the policy a new password must meet, and hashing with argon2id. A [`Password`]
//! never shows its text in `Debug` output or logs.

use std::fmt;

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use tandem_kernel::FieldError;

/// A password someone typed.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

impl Password {
    /// A password as typed at sign-in, unchecked (the policy applies when one is set).
    pub fn typed(raw: &str) -> Self {
        Self(raw.to_owned())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// The fewest characters a new password may have.
pub const MIN_LENGTH: usize = 12;
/// The most characters a password may have (argon2 would accept more; people do not need it).
pub const MAX_LENGTH: usize = 200;

const COMMON: &str = include_str!("common-passwords.txt");

/// Checks a new password for the person with `email`: long enough, not their e-mail address
/// or its name part, not a well-known password, not one character repeated.
pub fn check_new(field: &str, email: &str, raw: &str) -> Result<Password, FieldError> {
    let length = raw.chars().count();
    if length < MIN_LENGTH {
        return Err(FieldError::new(
            field,
            format!("is too short: use at least {MIN_LENGTH} characters"),
        ));
    }
    if length > MAX_LENGTH {
        return Err(FieldError::new(
            field,
            format!("is too long: at most {MAX_LENGTH} characters"),
        ));
    }
    let lower = raw.to_lowercase();
    let email = email.to_lowercase();
    let name = email.split('@').next().unwrap_or_default();
    if lower == email || lower == name {
        return Err(FieldError::new(field, "must not be your e-mail address"));
    }
    if COMMON.lines().any(|common| common == lower) {
        return Err(FieldError::new(
            field,
            "is one of the most common passwords; choose another",
        ));
    }
    let mut chars = raw.chars();
    let first = chars.next();
    if chars.all(|c| Some(c) == first) {
        return Err(FieldError::new(field, "must not repeat one character"));
    }
    Ok(Password(raw.to_owned()))
}

/// Hashes a password with argon2id (default parameters, random salt), off the async threads.
pub async fn hash(password: Password) -> Result<String, HashError> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.expose().as_bytes())
            .map(|hash| hash.to_string())
            .map_err(|e| HashError(e.to_string()))
    })
    .await
    .map_err(|e| HashError(e.to_string()))?
}

/// Checks a password against a stored hash, off the async threads. A malformed hash never
/// matches.
pub async fn verify(password: Password, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .verify_password(password.expose().as_bytes(), hash.as_str())
            .is_ok()
    })
    .await
    .unwrap_or(false)
}

/// Hashing failed (it does not, short of running out of memory).
#[derive(Debug, thiserror::Error)]
#[error("the password could not be hashed: {0}")]
pub struct HashError(String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_explains_each_refusal() {
        let email = "nina.keller@alpha.example";
        assert!(
            check_new("password", email, "short")
                .unwrap_err()
                .message
                .contains("at least 12")
        );
        assert!(
            check_new("password", email, "Nina.Keller@alpha.example")
                .unwrap_err()
                .message
                .contains("e-mail")
        );
        assert!(
            check_new("password", email, "password1234").is_ok(),
            "not on the list as such"
        );
        assert!(
            check_new("password", email, "Password123")
                .unwrap_err()
                .message
                .contains("too short")
        );
        assert!(
            check_new("password", email, "qwertyuiop")
                .unwrap_err()
                .message
                .contains("too short")
        );
        assert!(
            check_new("password", email, "correcthorsebatterystaple")
                .unwrap_err()
                .message
                .contains("common")
        );
        assert!(
            check_new("password", email, "aaaaaaaaaaaaaa")
                .unwrap_err()
                .message
                .contains("repeat")
        );
        assert!(check_new("password", email, "tandem video room 7").is_ok());
    }

    #[test]
    fn passwords_never_show_in_debug_output() {
        let password = Password::typed("tandem video room 7");
        assert_eq!(format!("{password:?}"), "Password(***)");
    }

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let hash = hash(Password::typed("tandem video room 7")).await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify(Password::typed("tandem video room 7"), hash.clone()).await);
        assert!(!verify(Password::typed("tandem video room 8"), hash).await);
        assert!(!verify(Password::typed("x"), "not a hash".into()).await);
    }
}
