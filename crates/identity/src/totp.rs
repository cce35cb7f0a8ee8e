//! Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP): six digits from HMAC-SHA-1
//! of a 30-second time step, as every authenticator app computes them. Pure functions; the
//! store keeps the secret and the last step used.

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

/// Seconds per time step.
pub const STEP_SECONDS: i64 = 30;
/// Digits of a code.
pub const DIGITS: usize = 6;
/// Steps before and after the current one whose codes are still accepted (clock drift, typing
/// time): one each way, as RFC 6238 section 5.2 recommends at most.
pub const DRIFT_STEPS: i64 = 1;
/// Bytes of a new secret (160 bits, RFC 4226 section 4's recommendation).
pub const SECRET_BYTES: usize = 20;

/// The time step of a Unix time.
pub fn step_of(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP_SECONDS)
}

/// The HOTP value of `secret` at `counter`, as `DIGITS` digits.
pub fn code(secret: &[u8], counter: i64) -> String {
    let mut mac =
        <Hmac<Sha1> as KeyInit>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[digest.len() - 1] & 0x0f);
    let binary = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    format!(
        "{:0width$}",
        binary % 10u32.pow(DIGITS as u32),
        width = DIGITS
    )
}

/// The step whose code `typed` is, if it is the code of a step within the drift window around
/// `now_step` and later than `last_step` (a code works once).
pub fn accepts(secret: &[u8], typed: &str, now_step: i64, last_step: i64) -> Option<i64> {
    let typed: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if typed.len() != DIGITS || !typed.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    (now_step - DRIFT_STEPS..=now_step + DRIFT_STEPS)
        .filter(|step| *step > last_step)
        .find(|step| code(secret, *step) == typed)
}

/// RFC 4648 base32 without padding: how authenticator apps take a secret.
pub fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    for chunk in bytes.chunks(5) {
        let mut buffer = [0u8; 5];
        buffer[..chunk.len()].copy_from_slice(chunk);
        let bits = u64::from_be_bytes([
            0, 0, 0, buffer[0], buffer[1], buffer[2], buffer[3], buffer[4],
        ]);
        let symbols = (chunk.len() * 8).div_ceil(5);
        for i in 0..symbols {
            let index = (bits >> (35 - 5 * i)) & 0x1f;
            out.push(char::from(ALPHABET[index as usize]));
        }
    }
    out
}

/// The `otpauth://` address an authenticator app reads from the QR code.
pub fn provisioning_uri(issuer: &str, account: &str, secret: &[u8]) -> String {
    let issuer_enc = tandem_web::page::encode_component(issuer);
    format!(
        "otpauth://totp/{issuer_enc}:{}?secret={}&issuer={issuer_enc}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        tandem_web::page::encode_component(account),
        base32(secret),
    )
}

/// The QR code of `text` as an SVG element, for embedding in a page.
pub fn qr_svg(text: &str) -> Option<String> {
    let qr = qrcode::QrCode::new(text.as_bytes()).ok()?;
    let svg = qr
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .build();
    svg.find("<svg").map(|start| svg[start..].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B: the SHA-1 secret is the ASCII string "12345678901234567890"; the
    /// table gives eight digits, whose last six are the six-digit codes.
    #[test]
    fn the_rfc_6238_test_vectors_pass() {
        let secret = b"12345678901234567890";
        for (time, eight) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(code(secret, step_of(time)), eight[2..], "T = {time}");
        }
    }

    #[test]
    fn a_code_is_accepted_within_the_window_and_only_once() {
        let secret = b"12345678901234567890";
        let now = step_of(1_234_567_890);
        let current = code(secret, now);
        assert_eq!(accepts(secret, &current, now, 0), Some(now));
        assert_eq!(accepts(secret, &current, now, now), None, "used already");
        let previous = code(secret, now - 1);
        assert_eq!(accepts(secret, &previous, now, 0), Some(now - 1));
        let old = code(secret, now - 2);
        assert_eq!(accepts(secret, &old, now, 0), None, "outside the window");
        assert_eq!(accepts(secret, "12345", now, 0), None);
        assert_eq!(accepts(secret, "abcdef", now, 0), None);
        let spaced = format!("{} {}", &current[..3], &current[3..]);
        assert_eq!(accepts(secret, &spaced, now, 0), Some(now));
    }

    #[test]
    fn base32_matches_rfc_4648() {
        assert_eq!(base32(b""), "");
        assert_eq!(base32(b"f"), "MY");
        assert_eq!(base32(b"fo"), "MZXQ");
        assert_eq!(base32(b"foo"), "MZXW6");
        assert_eq!(base32(b"foob"), "MZXW6YQ");
        assert_eq!(base32(b"fooba"), "MZXW6YTB");
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
    }

    #[test]
    fn the_provisioning_uri_names_issuer_account_and_secret() {
        let uri = provisioning_uri("Tandem", "a@example.org", b"12345678901234567890");
        assert!(uri.starts_with(
            "otpauth://totp/Tandem:a%40example.org?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
        ));
        assert!(
            uri.contains("issuer=Tandem") && uri.contains("digits=6") && uri.contains("period=30")
        );
        let svg = qr_svg(&uri).unwrap();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }
}
