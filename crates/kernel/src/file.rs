//! Uploaded files without I/O: what a file must be to be kept (an article's attachment, a
//! document version's file), and its content hash.
//!
//! A file is accepted when its content is one of the kinds its [`Policy`] takes, its name ends
//! in an extension of that kind, and it is within the policy's size limits. The kind is read
//! from the content (the first bytes), never from what the sender declares; text is always
//! served as `text/plain`, so an uploaded page never runs in the browser.

use sha2::{Digest, Sha256};

use crate::FieldError;

/// The longest file name, in characters.
pub const MAX_NAME: usize = 200;

/// What one use of uploaded files accepts: how many files, how large, of which kinds, and the
/// words its messages use for the thing they join (`article`) and for the kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub noun: &'static str,
    pub max_files: usize,
    pub max_file_bytes: usize,
    pub max_total_bytes: usize,
    pub kinds: &'static [FileKind],
    /// The accepted kinds as people read them: "images (PNG, JPEG, GIF, WebP), PDF and plain text".
    pub kinds_text: &'static str,
}

/// The kinds of file Tandem takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Png,
    Jpeg,
    Gif,
    Webp,
    Pdf,
    Text,
    /// An office document in a ZIP container: Office Open XML or OpenDocument.
    Office,
    /// An office document of the older binary formats (OLE compound files).
    LegacyOffice,
}

impl FileKind {
    pub const ALL: [Self; 8] = [
        Self::Png,
        Self::Jpeg,
        Self::Gif,
        Self::Webp,
        Self::Pdf,
        Self::Text,
        Self::Office,
        Self::LegacyOffice,
    ];

    /// The media type the file is served with.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Gif => "image/gif",
            Self::Webp => "image/webp",
            Self::Pdf => "application/pdf",
            Self::Text => "text/plain; charset=utf-8",
            Self::Office | Self::LegacyOffice => "application/octet-stream",
        }
    }

    /// The name endings of this kind, lower case.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Self::Png => &["png"],
            Self::Jpeg => &["jpg", "jpeg"],
            Self::Gif => &["gif"],
            Self::Webp => &["webp"],
            Self::Pdf => &["pdf"],
            Self::Text => &[
                "txt", "log", "csv", "json", "xml", "yaml", "yml", "conf", "cfg", "ini", "md",
            ],
            Self::Office => &["docx", "xlsx", "pptx", "odt", "ods", "odp"],
            Self::LegacyOffice => &["doc", "xls", "ppt"],
        }
    }

    /// The kind of `content`, from its first bytes; text is valid UTF-8 without NUL bytes.
    pub fn of(content: &[u8]) -> Option<Self> {
        let starts = |magic: &[u8]| content.starts_with(magic);
        if starts(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if starts(b"\xff\xd8\xff") {
            Some(Self::Jpeg)
        } else if starts(b"GIF87a") || starts(b"GIF89a") {
            Some(Self::Gif)
        } else if content.len() >= 12 && starts(b"RIFF") && &content[8..12] == b"WEBP" {
            Some(Self::Webp)
        } else if starts(b"%PDF-") {
            Some(Self::Pdf)
        } else if starts(b"PK\x03\x04") {
            Some(Self::Office)
        } else if starts(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") {
            Some(Self::LegacyOffice)
        } else if !content.contains(&0) && std::str::from_utf8(content).is_ok() {
            Some(Self::Text)
        } else {
            None
        }
    }
}

/// A file as sent: its name and content.
#[derive(Clone, PartialEq, Eq)]
pub struct FileDraft {
    pub name: String,
    pub content: Vec<u8>,
}

impl std::fmt::Debug for FileDraft {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileDraft")
            .field("name", &self.name)
            .field("bytes", &self.content.len())
            .finish()
    }
}

/// A checked file, ready to store.
#[derive(Clone, PartialEq, Eq)]
pub struct NewAttachment {
    pub name: String,
    pub kind: FileKind,
    /// SHA-256 of the content, lower-case hex.
    pub sha256: String,
    pub content: Vec<u8>,
}

impl std::fmt::Debug for NewAttachment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewAttachment")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("sha256", &self.sha256)
            .field("bytes", &self.content.len())
            .finish()
    }
}

/// SHA-256 of `content`, lower-case hex.
pub fn content_hash(content: &[u8]) -> String {
    Sha256::digest(content)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Checks the files of one `policy.noun` under `policy`; each error names its file as
/// `field[i]`, and a breach of the count or total names `field`.
pub fn check(
    field: &str,
    files: Vec<FileDraft>,
    policy: &Policy,
) -> Result<Vec<NewAttachment>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let noun = policy.noun;
    if files.len() > policy.max_files {
        errors.push(FieldError::new(
            field,
            format!(
                "at most {} file{} go{} on one {noun}",
                policy.max_files,
                if policy.max_files == 1 { "" } else { "s" },
                if policy.max_files == 1 { "es" } else { "" }
            ),
        ));
    }
    let total: usize = files.iter().map(|f| f.content.len()).sum();
    if total > policy.max_total_bytes {
        let (total, limit) = sizes_over(total, policy.max_total_bytes);
        errors.push(FieldError::new(
            field,
            format!("the files come to {total}; one {noun} takes at most {limit}"),
        ));
    }
    let mut checked = Vec::new();
    for (i, file) in files.into_iter().enumerate() {
        match check_file(&format!("{field}[{i}]"), file, policy) {
            Ok(attachment) => checked.push(attachment),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(checked)
    } else {
        Err(errors)
    }
}

fn check_file(field: &str, file: FileDraft, policy: &Policy) -> Result<NewAttachment, FieldError> {
    let name = file_name(&file.name);
    let fail = |message: String| FieldError::new(field, format!("{name}: {message}"));
    if name.is_empty() {
        return Err(FieldError::new(field, "a file needs a name"));
    }
    if name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
        return Err(fail(format!(
            "the name must be at most {MAX_NAME} characters, without control characters"
        )));
    }
    crate::text::check_direction(field, &name)
        .map_err(|e| FieldError::new(field, format!("the file name {}", e.message)))?;
    if file.content.is_empty() {
        return Err(fail("the file is empty".into()));
    }
    if file.content.len() > policy.max_file_bytes {
        let (has, limit) = sizes_over(file.content.len(), policy.max_file_bytes);
        return Err(fail(format!(
            "the file has {has}; a file may have at most {limit}"
        )));
    }
    let Some(kind) = FileKind::of(&file.content).filter(|k| policy.kinds.contains(k)) else {
        return Err(fail(format!("only {} are accepted", policy.kinds_text)));
    };
    let extension = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_lowercase())
        .unwrap_or_default();
    if !kind.extensions().contains(&extension.as_str()) {
        return Err(fail(format!(
            "the content is {}, so the name must end in .{}",
            kind.media_type().split(';').next().unwrap_or_default(),
            kind.extensions().join(", .")
        )));
    }
    Ok(NewAttachment {
        sha256: content_hash(&file.content),
        name,
        kind,
        content: file.content,
    })
}

/// The last part of a name as a browser or script sent it (some send the whole path).
fn file_name(raw: &str) -> String {
    raw.rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned()
}

/// A size over a limit and the limit, for saying so: as [`size`] gives them, or in exact bytes
/// when both would read the same (`10,485,761 bytes` and `10,485,760 bytes (10.0 MiB)` rather
/// than `10.0 MiB` twice).
fn sizes_over(measured: usize, limit: usize) -> (String, String) {
    let (measured_text, limit_text) = (size(measured), size(limit));
    if measured_text != limit_text {
        return (measured_text, limit_text);
    }
    (
        format!("{} bytes", grouped(measured)),
        format!("{} bytes ({limit_text})", grouped(limit)),
    )
}

/// A number with a comma between groups of three digits: `10,485,760`.
fn grouped(number: usize) -> String {
    let digits = number.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// A size as people read it: `812 bytes`, `3.4 MiB`.
pub fn size(bytes: usize) -> String {
    const KIB: f64 = 1024.0;
    let b = bytes as f64;
    if b < KIB {
        format!("{bytes} bytes")
    } else if b < KIB * KIB {
        format!("{:.1} KiB", b / KIB)
    } else {
        format!("{:.1} MiB", b / (KIB * KIB))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
    const MAX_FILES: usize = 10;
    const MAX_TOTAL_BYTES: usize = 20 * 1024 * 1024;
    const ARTICLE: Policy = Policy {
        noun: "article",
        max_files: MAX_FILES,
        max_file_bytes: MAX_FILE_BYTES,
        max_total_bytes: MAX_TOTAL_BYTES,
        kinds: &[
            FileKind::Png,
            FileKind::Jpeg,
            FileKind::Gif,
            FileKind::Webp,
            FileKind::Pdf,
            FileKind::Text,
        ],
        kinds_text: "images (PNG, JPEG, GIF, WebP), PDF and plain text",
    };

    fn check(field: &str, files: Vec<FileDraft>) -> Result<Vec<NewAttachment>, Vec<FieldError>> {
        super::check(field, files, &ARTICLE)
    }

    #[test]
    fn office_documents_are_read_from_their_container_and_taken_only_where_the_policy_says() {
        assert_eq!(FileKind::of(b"PK\x03\x04\x14\0"), Some(FileKind::Office));
        assert_eq!(
            FileKind::of(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\0"),
            Some(FileKind::LegacyOffice)
        );
        let docx = FileDraft {
            name: "policy.docx".into(),
            content: b"PK\x03\x04\x14\0".to_vec(),
        };
        let refused = check("files", vec![docx.clone()]).unwrap_err();
        assert!(
            refused[0]
                .message
                .ends_with("only images (PNG, JPEG, GIF, WebP), PDF and plain text are accepted"),
            "{}",
            refused[0]
        );
        let office = Policy {
            kinds: &[FileKind::Pdf, FileKind::Office],
            kinds_text: "PDF and office documents",
            max_files: 1,
            ..ARTICLE
        };
        assert_eq!(
            super::check("file", vec![docx.clone()], &office).unwrap()[0].kind,
            FileKind::Office
        );
        let two = super::check("file", vec![docx.clone(), docx], &office).unwrap_err();
        assert_eq!(two[0].message, "at most 1 file goes on one article");
    }

    fn draft(name: &str, content: &[u8]) -> FileDraft {
        FileDraft {
            name: name.into(),
            content: content.to_vec(),
        }
    }

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    #[test]
    fn the_kind_comes_from_the_content() {
        assert_eq!(FileKind::of(PNG), Some(FileKind::Png));
        assert_eq!(FileKind::of(b"\xff\xd8\xff\xe0"), Some(FileKind::Jpeg));
        assert_eq!(FileKind::of(b"GIF89a..."), Some(FileKind::Gif));
        assert_eq!(FileKind::of(b"RIFF\0\0\0\0WEBPVP8 "), Some(FileKind::Webp));
        assert_eq!(FileKind::of(b"%PDF-1.7\n"), Some(FileKind::Pdf));
        assert_eq!(FileKind::of("Grüße\n".as_bytes()), Some(FileKind::Text));
        assert_eq!(FileKind::of(b"MZ\x90\0\x03\0"), None, "a Windows program");
        assert_eq!(FileKind::of(b"\xc3\x28"), None, "not UTF-8");
        for kind in FileKind::ALL {
            assert!(!kind.extensions().is_empty());
        }
    }

    #[test]
    fn a_good_file_gets_its_hash_and_a_clean_name() {
        let files = check(
            "attachments",
            vec![draft("C:\\Users\\d\\room 3.log", b"no sound\n")],
        )
        .unwrap();
        assert_eq!(files[0].name, "room 3.log");
        assert_eq!(files[0].kind, FileKind::Text);
        assert_eq!(files[0].sha256, content_hash(b"no sound\n"));
        assert_eq!(files[0].sha256.len(), 64);
        assert_eq!(
            content_hash(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            "FIPS 180-2 test vector"
        );
    }

    #[test]
    fn each_bad_file_is_named_with_what_to_do() {
        let errors = check(
            "attachments",
            vec![
                draft("ok.png", PNG),
                draft("setup.exe", b"MZ\x90\0"),
                draft("photo.pdf", PNG),
                draft("empty.txt", b""),
                draft("", b"x"),
                draft("big.txt", &vec![b'a'; MAX_FILE_BYTES + 1]),
            ],
        )
        .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "attachments[1]",
                "attachments[2]",
                "attachments[3]",
                "attachments[4]",
                "attachments[5]"
            ]
        );
        assert!(errors[0].message.contains("only images"), "{}", errors[0]);
        assert!(
            errors[1].message.contains("must end in .png"),
            "{}",
            errors[1]
        );
        assert_eq!(
            errors[4].message,
            "big.txt: the file has 10,485,761 bytes; a file may have at most 10,485,760 bytes (10.0 MiB)"
        );
    }

    #[test]
    fn sizes_over_a_limit_are_exact_where_rounding_would_hide_it() {
        assert_eq!(
            sizes_over(12 * 1024 * 1024, MAX_FILE_BYTES),
            ("12.0 MiB".to_owned(), "10.0 MiB".to_owned())
        );
        assert_eq!(
            sizes_over(MAX_TOTAL_BYTES + 1000, MAX_TOTAL_BYTES),
            (
                "20,972,520 bytes".to_owned(),
                "20,971,520 bytes (20.0 MiB)".to_owned()
            )
        );
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(123_456_789), "123,456,789");
    }

    #[test]
    fn a_file_name_with_a_direction_control_is_refused() {
        let errors = check(
            "attachments",
            vec![draft("invoice\u{202E}fdp.exe", b"plain text\n")],
        )
        .unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "attachments[0]");
        assert_eq!(
            errors[0].message,
            "the file name contains the text-direction control U+202E, which shows text in another order than it is written; remove it"
        );
        for control in ['\u{200F}', '\u{2066}', '\u{61C}'] {
            let name = format!("notes{control}.txt");
            assert!(
                check("attachments", vec![draft(&name, b"x")]).is_err(),
                "{name:?}"
            );
        }
        assert!(check("attachments", vec![draft("تقرير.txt", b"x")]).is_ok());
    }

    #[test]
    fn an_article_takes_ten_files_and_twenty_mebibytes() {
        let many = vec![draft("a.txt", b"a"); MAX_FILES + 1];
        assert_eq!(
            check("attachments", many).unwrap_err()[0].field,
            "attachments"
        );
        let big = vec![draft("a.txt", &vec![b'a'; MAX_FILE_BYTES]); 3];
        let errors = check("attachments", big).unwrap_err();
        assert!(errors[0].message.contains("30.0 MiB"), "{}", errors[0]);
        assert_eq!(check("attachments", vec![]).unwrap(), vec![]);
    }

    #[test]
    fn debug_output_leaves_the_content_out() {
        let shown = format!("{:?}", draft("secret.txt", b"password=hunter2"));
        assert!(
            !shown.contains("hunter2") && shown.contains("16"),
            "{shown}"
        );
    }
}
