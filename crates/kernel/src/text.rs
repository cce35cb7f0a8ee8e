//! Text values that carry their invariants: once a [`Name`] or an [`Email`] exists it is
//! trimmed, within its length limit and well-formed, so code further in never checks again.

use crate::FieldError;

fn clean(raw: &str) -> &str {
    raw.trim()
}

fn check_length(field: &str, value: &str, max: usize) -> Result<(), FieldError> {
    let length = value.chars().count();
    if length > max {
        return Err(FieldError::new(
            field,
            format!("is too long: {length} characters, at most {max} are allowed"),
        ));
    }
    Ok(())
}

fn check_no_control(field: &str, value: &str, allow_newlines: bool) -> Result<(), FieldError> {
    let bad = value
        .chars()
        .any(|c| c.is_control() && !(allow_newlines && (c == '\n' || c == '\r' || c == '\t')));
    if bad {
        return Err(FieldError::new(field, "contains control characters"));
    }
    Ok(())
}

/// Whether `c` shows nothing by itself: white space, the format characters (Unicode general
/// category Cf, such as the zero-width space and joiners, the word joiner, the byte order mark,
/// the soft hyphen and the direction controls), and the blank fillers, joiners and variation
/// selectors of other categories.
fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{AD}'
                | '\u{600}'..='\u{605}'
                | '\u{61C}'
                | '\u{6DD}'
                | '\u{70F}'
                | '\u{890}'..='\u{891}'
                | '\u{8E2}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{206F}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
                | '\u{110BD}'
                | '\u{110CD}'
                | '\u{13430}'..='\u{1343F}'
                | '\u{1BCA0}'..='\u{1BCA3}'
                | '\u{1D173}'..='\u{1D17A}'
                | '\u{E0001}'
                | '\u{E0020}'..='\u{E007F}'
                | '\u{34F}'
                | '\u{115F}'..='\u{1160}'
                | '\u{2800}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FFA0}'
                | '\u{E0100}'..='\u{E01EF}'
        )
}

/// Refuses text holding a direction control (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F,
/// U+061C). Such a character reorders what follows it on screen, so that a name reads as
/// something it is not: `invoice\u{202E}fdp.exe` shows as `invoiceexe.pdf`.
pub fn check_direction(field: &str, value: &str) -> Result<(), FieldError> {
    let control = value.chars().find(|&c| {
        matches!(
            c,
            '\u{61C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
    });
    match control {
        Some(c) => Err(FieldError::new(
            field,
            format!(
                "contains the text-direction control U+{:04X}, which shows text in another order than it is written; remove it",
                u32::from(c)
            ),
        )),
        None => Ok(()),
    }
}

/// The rules of a single-line name that is not empty: something visible in it, within `max`
/// characters, and no control or direction characters.
fn check_single_line(field: &str, value: &str, max: usize) -> Result<(), FieldError> {
    if value.chars().all(is_invisible) {
        return Err(FieldError::new(
            field,
            "has only invisible characters, such as zero-width spaces",
        ));
    }
    check_length(field, value, max)?;
    check_no_control(field, value, false)?;
    check_direction(field, value)
}

macro_rules! text_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, sqlx::Type)]
        #[serde(transparent)]
        #[sqlx(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_inner(self) -> String {
                self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

text_type!(
    /// A required, single-line name of at most [`Name::MAX`] characters, with something
    /// visible in it and no direction controls (see [`check_direction`]).
    Name
);

impl Name {
    pub const MAX: usize = 200;

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let value = clean(raw);
        if value.is_empty() {
            return Err(FieldError::new(field, "is required"));
        }
        check_single_line(field, value, Self::MAX)?;
        Ok(Self(value.to_owned()))
    }
}

text_type!(
    /// Free text such as a description or a note: multi-line, possibly empty, at most
    /// [`Note::MAX`] characters.
    Note
);

impl Note {
    pub const MAX: usize = 10_000;

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let value = clean(raw);
        check_length(field, value, Self::MAX)?;
        check_no_control(field, value, true)?;
        Ok(Self(value.to_owned()))
    }
}

text_type!(
    /// The text of a document (a policy written in Markdown, say): multi-line, possibly empty,
    /// at most [`DocumentText::MAX`] characters.
    DocumentText
);

impl DocumentText {
    pub const MAX: usize = 200_000;

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let value = clean(raw);
        check_length(field, value, Self::MAX)?;
        check_no_control(field, value, true)?;
        Ok(Self(value.to_owned()))
    }
}

text_type!(
    /// An optional single-line label (a job title, for example): empty means absent; otherwise
    /// it follows the rules of a [`Name`].
    Label
);

impl Label {
    pub const MAX: usize = 200;

    /// Returns `None` for an empty or blank input.
    pub fn parse_optional(field: &str, raw: &str) -> Result<Option<Self>, FieldError> {
        let value = clean(raw);
        if value.is_empty() {
            return Ok(None);
        }
        check_single_line(field, value, Self::MAX)?;
        Ok(Some(Self(value.to_owned())))
    }
}

text_type!(
    /// An e-mail address: one `@`, a non-empty local part and a domain with a dot, no spaces.
    /// The domain is lower-cased so that uniqueness does not depend on how it was typed.
    Email
);

impl Email {
    pub const MAX: usize = 254;

    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let value = clean(raw);
        if value.is_empty() {
            return Err(FieldError::new(field, "is required"));
        }
        check_length(field, value, Self::MAX)?;
        let invalid = || {
            FieldError::new(
                field,
                "is not an e-mail address (expected something like name@example.com)",
            )
        };
        let (local, domain) = value.split_once('@').ok_or_else(invalid)?;
        let well_formed = !local.is_empty()
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !value.chars().any(|c| c.is_whitespace() || c.is_control());
        if !well_formed {
            return Err(invalid());
        }
        Ok(Self(format!("{local}@{}", domain.to_lowercase())))
    }
}

text_type!(
    /// A telephone number as people write it: digits with `+ - ( ) / .` and spaces, at least
    /// three digits.
    Phone
);

impl Phone {
    pub const MAX: usize = 40;

    /// Returns `None` for an empty or blank input.
    pub fn parse_optional(field: &str, raw: &str) -> Result<Option<Self>, FieldError> {
        let value = clean(raw);
        if value.is_empty() {
            return Ok(None);
        }
        check_length(field, value, Self::MAX)?;
        let allowed = value
            .chars()
            .all(|c| c.is_ascii_digit() || " +-()/.".contains(c));
        let digits = value.chars().filter(char::is_ascii_digit).count();
        if !allowed || digits < 3 {
            return Err(FieldError::new(
                field,
                "is not a telephone number (digits, spaces and + - ( ) / . only)",
            ));
        }
        Ok(Some(Self(value.to_owned())))
    }
}

/// Lower-case hexadecimal of `bytes`: for hashes, tokens and cursors.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The bytes of hexadecimal `text` (either case), or `None` if it is not an even number of hex
/// digits.
pub fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

/// The first characters that make a spreadsheet run a cell as a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether a spreadsheet would run `text` as a formula once the quotes in front of it are gone.
fn runs_as_formula(text: &str) -> bool {
    text.trim_start_matches('\'').starts_with(FORMULA_STARTS)
}

/// `text` as a cell of a CSV file meant for spreadsheets: text that would run as a formula
/// (CSV injection) gets one more leading `'`, which [`from_spreadsheet_cell`] takes off again.
pub fn spreadsheet_cell(text: &str) -> String {
    if runs_as_formula(text) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// A cell written by [`spreadsheet_cell`], as it was before.
pub fn from_spreadsheet_cell(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if runs_as_formula(rest) => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formula_cells_get_one_quote_that_the_import_takes_off() {
        for risky in [
            "=SUM(A1:A9)",
            "+49 30 1234",
            "-1",
            "@cmd",
            "\tx",
            "\rx",
            "'=x",
        ] {
            let guarded = spreadsheet_cell(risky);
            assert_eq!(guarded, format!("'{risky}"));
            assert_eq!(from_spreadsheet_cell(&guarded), risky);
        }
        for plain in ["", "CI-000042", "a=b", " =x", "'quoted", "O'Brien"] {
            assert_eq!(spreadsheet_cell(plain), plain);
            assert_eq!(from_spreadsheet_cell(plain), plain);
        }
    }

    #[test]
    fn hex_is_two_lower_case_digits_per_byte() {
        assert_eq!(hex(&[0x00, 0xab, 0x7f]), "00ab7f");
    }

    #[test]
    fn hex_round_trips_and_anything_else_is_refused() {
        let bytes = [0u8, 1, 0xab, 0xff];
        assert_eq!(unhex(&hex(&bytes)).unwrap(), bytes);
        assert_eq!(unhex("00AB").unwrap(), [0x00, 0xab]);
        for bad in ["zz", "abc", "+f", "0x"] {
            assert_eq!(unhex(bad), None, "{bad}");
        }
    }

    #[test]
    fn names_are_trimmed_and_required() {
        assert_eq!(Name::parse("name", "  Alpha  ").unwrap().as_str(), "Alpha");
        assert_eq!(
            Name::parse("name", "   ").unwrap_err().message,
            "is required"
        );
    }

    #[test]
    fn names_have_a_length_limit_counted_in_characters() {
        assert!(Name::parse("name", &"ä".repeat(Name::MAX)).is_ok());
        let err = Name::parse("name", &"ä".repeat(Name::MAX + 1)).unwrap_err();
        assert!(err.message.contains("at most 200"), "{}", err.message);
    }

    #[test]
    fn names_reject_control_characters_but_notes_keep_newlines() {
        assert!(Name::parse("name", "a\nb").is_err());
        assert_eq!(Note::parse("note", "a\nb").unwrap().as_str(), "a\nb");
        assert!(Note::parse("note", "a\u{7}b").is_err());
    }

    #[test]
    fn names_of_invisible_characters_only_are_refused() {
        for blank in [
            "\u{200B}",
            "\u{200B}\u{2060}",
            "\u{200C}\u{200D}",
            "\u{FEFF}\u{AD}",
            " \u{3164} ",
            "\u{E0041}\u{E007F}",
        ] {
            assert_eq!(
                Name::parse("name", blank).unwrap_err().message,
                "has only invisible characters, such as zero-width spaces",
                "{blank:?}"
            );
            assert!(
                Label::parse_optional("job_title", blank).is_err(),
                "{blank:?}"
            );
        }
        assert_eq!(
            Name::parse("name", "Ada\u{AD}Lovelace").unwrap().as_str(),
            "Ada\u{AD}Lovelace",
            "an invisible character between visible ones is allowed"
        );
    }

    #[test]
    fn direction_controls_are_refused_in_names_and_labels() {
        for control in [
            '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}',
            '\u{2068}', '\u{2069}', '\u{200E}', '\u{200F}', '\u{61C}',
        ] {
            let raw = format!("Beta{control}Technologies");
            let err = Name::parse("name", &raw).unwrap_err();
            assert!(
                err.message.contains(&format!(
                    "text-direction control U+{:04X}",
                    u32::from(control)
                )),
                "{}",
                err.message
            );
            assert!(Label::parse_optional("job_title", &raw).is_err());
        }
        assert_eq!(
            check_direction("file", "invoice\u{202E}fdp.exe")
                .unwrap_err()
                .message,
            "contains the text-direction control U+202E, which shows text in another order than it is written; remove it"
        );
        assert!(
            Name::parse("name", "شركة بيتا Beta").is_ok(),
            "right-to-left letters themselves are fine"
        );
    }

    #[test]
    fn emails_are_checked_and_their_domain_lower_cased() {
        assert_eq!(
            Email::parse("email", " Ada.Lovelace@Alpha.EXAMPLE ")
                .unwrap()
                .as_str(),
            "Ada.Lovelace@alpha.example"
        );
        for bad in [
            "",
            "ada",
            "ada@",
            "@alpha.example",
            "ada@alpha",
            "a b@alpha.example",
            "a@b@c.de",
            "ada@alpha..example",
        ] {
            assert!(Email::parse("email", bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn phones_are_optional_and_checked() {
        assert_eq!(Phone::parse_optional("phone", " ").unwrap(), None);
        assert_eq!(
            Phone::parse_optional("phone", "+49 (89) 123-456")
                .unwrap()
                .unwrap()
                .as_str(),
            "+49 (89) 123-456"
        );
        assert!(Phone::parse_optional("phone", "call me").is_err());
        assert!(Phone::parse_optional("phone", "+1").is_err());
    }

    proptest! {
        #[test]
        fn a_parsed_name_is_never_blank_nor_too_long(raw in ".*") {
            if let Ok(name) = Name::parse("name", &raw) {
                prop_assert!(!name.as_str().trim().is_empty());
                prop_assert!(name.as_str().chars().count() <= Name::MAX);
                prop_assert_eq!(name.as_str(), name.as_str().trim());
                prop_assert!(!name.as_str().chars().all(is_invisible));
                prop_assert!(check_direction("name", name.as_str()).is_ok());
            }
        }

        #[test]
        fn a_parsed_email_always_has_one_at_sign(raw in ".*") {
            if let Ok(email) = Email::parse("email", &raw) {
                prop_assert_eq!(email.as_str().matches('@').count(), 1);
            }
        }
    }
}
