//! Controlled documents are written in Markdown and shown as HTML. Pure.
//!
//! The text is CommonMark with tables and strikethrough. Raw HTML is never passed through: an
//! HTML block is shown as preformatted text and an inline tag as the text it is, both escaped.
//! A link keeps its destination only when that is relative or uses http, https or mailto; any
//! other (`javascript:`, `data:`, `file:`, …) points to `#` instead. An image is shown as a link
//! to the image, labelled with its alt text, so that opening a document fetches nothing from
//! elsewhere. Headings get no ids, and footnotes are not recognised.

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd};

/// The schemes a link may use; a relative link has none.
const SAFE_SCHEMES: [&str; 3] = ["http", "https", "mailto"];

/// What is recognised beyond CommonMark.
fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

/// The HTML of a document written in Markdown, safe to put in a page as it is.
pub fn render(markdown: &str) -> String {
    let mut open_links = 0;
    let events =
        Parser::new_ext(markdown, options()).filter_map(|event| make_safe(event, &mut open_links));
    let mut html = String::with_capacity(markdown.len());
    pulldown_cmark::html::push_html(&mut html, events);
    html
}

/// One parser event as it may reach the page, or `None` to leave it out.
///
/// Raw HTML becomes text, an HTML block a code block. Links and images become links with a safe
/// destination. `open_links` counts the links and images open around the event: only the
/// outermost becomes an anchor, since an anchor inside another is not valid HTML (the usual case
/// is an image inside a link, a badge); the inner one keeps its text and loses its destination.
fn make_safe<'a>(event: Event<'a>, open_links: &mut usize) -> Option<Event<'a>> {
    match event {
        Event::Html(html) | Event::InlineHtml(html) => Some(Event::Text(html)),
        Event::Start(Tag::HtmlBlock) => Some(Event::Start(Tag::CodeBlock(CodeBlockKind::Indented))),
        Event::End(TagEnd::HtmlBlock) => Some(Event::End(TagEnd::CodeBlock)),
        Event::Start(
            Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }
            | Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            },
        ) => {
            *open_links += 1;
            if *open_links > 1 {
                return None;
            }
            Some(Event::Start(Tag::Link {
                link_type,
                dest_url: safe_destination(dest_url),
                title,
                id,
            }))
        }
        Event::End(TagEnd::Link | TagEnd::Image) => {
            *open_links = open_links.saturating_sub(1);
            (*open_links == 0).then_some(Event::End(TagEnd::Link))
        }
        other => Some(other),
    }
}

/// `url` when a link may point to it, else `#`.
fn safe_destination(url: CowStr<'_>) -> CowStr<'_> {
    if is_safe_destination(&url) {
        url
    } else {
        CowStr::Borrowed("#")
    }
}

/// Whether a link may point to `url`: it is relative (has no scheme and does not start with two
/// slashes, which would name another host) or its scheme is one of [`SAFE_SCHEMES`], in any case.
///
/// Browsers skip leading spaces and control characters and drop tabs and line breaks anywhere in
/// a URL, so the check does the same before it reads the scheme. A colon before the first `/`,
/// `\`, `?` or `#` ends a scheme, so `page:2` counts as one (and is refused) while `docs/a:b`
/// and `?at=10:30` are relative.
fn is_safe_destination(url: &str) -> bool {
    let url: String = url
        .trim_start_matches(|c: char| c.is_whitespace() || c.is_control())
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    match url.find([':', '/', '\\', '?', '#']) {
        Some(end) if url[end..].starts_with(':') => SAFE_SCHEMES
            .iter()
            .any(|scheme| url[..end].eq_ignore_ascii_case(scheme)),
        _ => {
            let mut chars = url.chars();
            !(matches!(chars.next(), Some('/' | '\\')) && matches!(chars.next(), Some('/' | '\\')))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The anchor a link with the text `x` becomes when its destination is refused.
    const REFUSED: &str = r##"<a href="#">x</a>"##;

    #[test]
    fn renders_headings_lists_tables_and_strikethrough() {
        let html = render(
            "# Access control\n\n## Scope {#scope}\n\n- one\n- two\n\n1. first\n\n\
             | Role | Access |\n|------|--------|\n| Admin | full |\n\n~~old~~ **new** `code`\n",
        );
        assert!(html.contains("<h1>Access control</h1>"), "{html}");
        assert!(html.contains("<h2>Scope {#scope}</h2>"), "{html}");
        assert!(!html.contains("id="), "{html}");
        assert!(html.contains("<ul>"), "{html}");
        assert!(html.contains("<li>one</li>"), "{html}");
        assert!(html.contains("<ol>"), "{html}");
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains("<th>Role</th>"), "{html}");
        assert!(html.contains("<td>full</td>"), "{html}");
        assert!(html.contains("<del>old</del>"), "{html}");
        assert!(html.contains("<strong>new</strong>"), "{html}");
        assert!(html.contains("<code>code</code>"), "{html}");
    }

    #[test]
    fn a_script_block_is_shown_as_escaped_text() {
        let html = render("<script>alert(1)</script>\n");
        assert!(!html.contains("<script"), "{html}");
        assert!(
            html.contains("<pre><code>&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
    }

    #[test]
    fn inline_html_is_shown_as_escaped_text() {
        let html = render("Hello <img src=x onerror=alert(1)> and <b>bold</b> world\n");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
        assert!(
            html.contains("Hello &lt;img src=x onerror=alert(1)&gt; and &lt;b&gt;bold&lt;/b&gt;"),
            "{html}"
        );
    }

    #[test]
    fn an_html_block_is_shown_as_escaped_text_and_not_as_markdown() {
        let html = render("<div>\n*hi*\n</div>\n\nAfter.\n");
        assert!(!html.contains("<div"), "{html}");
        assert!(!html.contains("<em>"), "{html}");
        assert!(
            html.contains("<pre><code>&lt;div&gt;\n*hi*\n&lt;/div&gt;\n</code></pre>"),
            "{html}"
        );
        assert!(html.contains("<p>After.</p>"), "{html}");
    }

    #[test]
    fn links_to_other_schemes_lose_their_destination() {
        for markdown in [
            "[x](javascript:alert(1))",
            "[x](JaVaScRiPt:alert(1))",
            "[x]( javascript:alert(1))",
            "[x](&#32;javascript:alert(1))",
            "[x](&#1;javascript:alert(1))",
            "[x](java&#9;script:alert(1))",
            "[x](javascript&#58;alert(1))",
            "[x](javascript\\:alert(1))",
            "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
            "[x](vbscript:msgbox(1))",
            "[x](file:///etc/passwd)",
            "[x](//evil.example/x)",
            r"[x](/\evil.example/x)",
            "[x][bad]\n\n[bad]: javascript:alert(1)",
        ] {
            let html = render(markdown);
            assert!(html.contains(REFUSED), "{markdown}: {html}");
            assert_eq!(html.matches("href=").count(), 1, "{markdown}: {html}");
        }
    }

    #[test]
    fn an_autolink_to_javascript_keeps_its_text_only() {
        let html = render("<javascript:alert(1)>");
        assert!(
            html.contains(r##"<a href="#">javascript:alert(1)</a>"##),
            "{html}"
        );
    }

    #[test]
    fn web_mail_and_relative_links_keep_their_destination() {
        for (markdown, anchor) in [
            (
                "[x](https://example.com/a?b=c)",
                r#"<a href="https://example.com/a?b=c">x</a>"#,
            ),
            (
                "[x](HTTP://example.com/)",
                r#"<a href="HTTP://example.com/">x</a>"#,
            ),
            (
                "[x](mailto:isms@example.com)",
                r#"<a href="mailto:isms@example.com">x</a>"#,
            ),
            (
                "[x](policies/access.md#scope)",
                r#"<a href="policies/access.md#scope">x</a>"#,
            ),
            ("[x](/documents/7)", r#"<a href="/documents/7">x</a>"#),
            ("[x](#scope)", r##"<a href="#scope">x</a>"##),
            ("[x](docs/a:b)", r#"<a href="docs/a:b">x</a>"#),
            ("[x](?at=10:30)", r#"<a href="?at=10:30">x</a>"#),
            (
                "<https://example.com>",
                r#"<a href="https://example.com">https://example.com</a>"#,
            ),
            (
                "<isms@example.com>",
                r#"<a href="mailto:isms@example.com">isms@example.com</a>"#,
            ),
        ] {
            let html = render(markdown);
            assert!(html.contains(anchor), "{markdown}: {html}");
        }
    }

    #[test]
    fn an_image_is_a_link_to_it_labelled_with_its_alt_text() {
        let html = render("![Org chart](https://example.com/chart.png \"Chart\")");
        assert!(!html.contains("<img"), "{html}");
        assert!(
            html.contains(r#"<a href="https://example.com/chart.png" title="Chart">Org chart</a>"#),
            "{html}"
        );

        let html = render("![x](javascript:alert(1))");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains(REFUSED), "{html}");
    }

    #[test]
    fn an_image_inside_a_link_makes_one_anchor() {
        let html = render("[![build](https://ci.example/badge.svg)](https://ci.example/job)");
        assert!(!html.contains("<img"), "{html}");
        assert_eq!(html.matches("<a ").count(), 1, "{html}");
        assert!(
            html.contains(r#"<a href="https://ci.example/job">build</a>"#),
            "{html}"
        );
    }
}
