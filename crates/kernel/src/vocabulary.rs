//! Closed lists of words: the states, kinds and ratings a record chooses one of, each with its
//! word in the API, CSV files and the database, its label for people, and a parser whose
//! refusal names every allowed word.

/// Declares an enum whose values are words.
///
/// ```
/// tandem_kernel::vocabulary!(
///     /// How a CI works right now.
///     State {
///         Up = "up" / "Up",
///         Down = "down" / "Down",
///     }
/// );
/// assert_eq!(State::parse("state", "down"), Ok(State::Down));
/// assert_eq!(State::parse("state", "gone").unwrap_err().message, "must be one of: up, down");
/// assert_eq!(State::Up.label(), "Up");
/// ```
#[macro_export]
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $word:literal / $label:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every value, in the order forms list them.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The word in the API, CSV files and the database.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $word),+ }
            }

            /// The word for people.
            pub fn label(self) -> &'static str {
                match self { $(Self::$variant => $label),+ }
            }

            /// Reads `raw` as field `field`; the refusal lists the allowed words.
            pub fn parse(field: &str, raw: &str) -> Result<Self, $crate::FieldError> {
                let raw = raw.trim();
                Self::ALL.iter().copied().find(|v| v.as_str() == raw).ok_or_else(|| {
                    let words: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                    $crate::FieldError::new(field, format!("must be one of: {}", words.join(", ")))
                })
            }

            /// Every value as (word, label), for select fields.
            pub fn choices() -> Vec<(String, String)> {
                Self::ALL.iter().map(|v| (v.as_str().to_owned(), v.label().to_owned())).collect()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
