//! Random secrets and how they are stored: session tokens, API tokens and recovery codes are
//! 256-bit (or, for recovery codes, 50-bit) random values kept only as their SHA-256.

use sha2::{Digest, Sha256};
use tandem_kernel::{Error, Result};

/// `N` random bytes from the operating system.
pub fn random<const N: usize>() -> Result<[u8; N]> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)
        .map_err(|e| Error::Storage(format!("no randomness available: {e}").into()))?;
    Ok(bytes)
}

/// 32 random bytes as 64 hex digits.
pub fn random_hex() -> Result<String> {
    Ok(tandem_kernel::text::hex(&random::<32>()?))
}

/// The SHA-256 of a secret, in hex: what the database keeps.
pub fn digest(secret: &str) -> String {
    tandem_kernel::text::hex(&Sha256::digest(secret.as_bytes()))
}

/// Whether two secrets are equal, taking the same time wherever they differ.
pub fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
