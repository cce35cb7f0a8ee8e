//! Attachments of articles: the id of a stored file and what the desk accepts. The checks
//! themselves are the kernel's ([`tandem_kernel::file`]), shared with the ISMS's documents.
//!
//! The desk takes the kinds it can show safely (images, PDF, plain text), at most
//! [`ARTICLE`]'s count and sizes.

use tandem_kernel::entity_id;
use tandem_kernel::file::{FileKind, Policy};

pub use tandem_kernel::file::{FileDraft, NewAttachment, content_hash, size};

entity_id!(
    /// Identifies a file attached to an article.
    AttachmentId
);

/// What one article takes: ten files of at most 10 MiB each and 20 MiB together, images, PDF
/// and plain text.
pub const ARTICLE: Policy = Policy {
    noun: "article",
    max_files: 10,
    max_file_bytes: 10 * 1024 * 1024,
    max_total_bytes: 20 * 1024 * 1024,
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
