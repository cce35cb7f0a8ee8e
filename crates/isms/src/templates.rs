//! The templates of the documents ISO/IEC 27001 expects, shipped with Tandem and written in our
//! own words: the information security policy with the topics of seed 000 section 3.2, the scope
//! statement, the risk assessment method, and the policies and procedures of `data/templates/`.
//! `data/templates.toml` lists each with its kind, review interval and the sources that ask for
//! it; a document started from a template begins as a draft with its text, the organisation's
//! name filled in for `{{organisation}}`.

use serde::Deserialize;
use tandem_kernel::{Error, FieldError};

use crate::document::Kind;

/// The texts, by the key the manifest gives them.
const TEXTS: [(&str, &str); 9] = [
    (
        "information-security-policy",
        include_str!("../data/templates/information-security-policy.md"),
    ),
    (
        "isms-scope-statement",
        include_str!("../data/templates/isms-scope-statement.md"),
    ),
    (
        "risk-assessment-method",
        include_str!("../data/templates/risk-assessment-method.md"),
    ),
    (
        "access-control-policy",
        include_str!("../data/templates/access-control-policy.md"),
    ),
    (
        "incident-management-procedure",
        include_str!("../data/templates/incident-management-procedure.md"),
    ),
    (
        "change-management-procedure",
        include_str!("../data/templates/change-management-procedure.md"),
    ),
    (
        "business-continuity-plan",
        include_str!("../data/templates/business-continuity-plan.md"),
    ),
    (
        "supplier-security-policy",
        include_str!("../data/templates/supplier-security-policy.md"),
    ),
    (
        "acceptable-use-policy",
        include_str!("../data/templates/acceptable-use-policy.md"),
    ),
];

const MANIFEST: &str = include_str!("../data/templates.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    template: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    key: String,
    title: String,
    kind: String,
    review_months: i32,
    sources: Vec<String>,
    summary: String,
}

/// A shipped template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub key: &'static str,
    pub title: String,
    pub kind: Kind,
    pub review_months: i32,
    /// Where the expectation comes from: a seed's section or a clause of the standard.
    pub sources: Vec<String>,
    pub summary: String,
    /// The Markdown text, with `{{organisation}}` where the organisation's name goes.
    pub text: &'static str,
}

impl Template {
    /// The text with `organisation` filled in.
    pub fn text_for(&self, organisation: &str) -> String {
        self.text.replace("{{organisation}}", organisation)
    }
}

/// Every shipped template, in the manifest's order.
pub fn shipped() -> Vec<Template> {
    let manifest: Manifest =
        toml::from_str(MANIFEST).expect("data/templates.toml is checked by the tests");
    manifest
        .template
        .into_iter()
        .filter_map(|entry| {
            let (key, text) = TEXTS.into_iter().find(|(key, _)| *key == entry.key)?;
            Some(Template {
                key,
                title: entry.title,
                kind: Kind::parse("kind", &entry.kind).ok()?,
                review_months: entry.review_months,
                sources: entry.sources,
                summary: entry.summary,
                text,
            })
        })
        .collect()
}

/// The shipped template `key`, or a refusal on `field`.
pub fn named(field: &str, key: &str) -> Result<Template, Error> {
    shipped()
        .into_iter()
        .find(|t| t.key == key.trim())
        .ok_or_else(|| {
            Error::Invalid(vec![FieldError::new(
                field,
                format!(
                    "there is no template `{}`; the templates are {}",
                    key.trim(),
                    TEXTS.map(|(key, _)| key).join(", ")
                ),
            )])
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manifest_lists_every_text_once_with_its_sources() {
        let manifest: Manifest = toml::from_str(MANIFEST).unwrap();
        let keys: Vec<&str> = manifest.template.iter().map(|t| t.key.as_str()).collect();
        let texts: Vec<&str> = TEXTS.iter().map(|(key, _)| *key).collect();
        assert_eq!(
            keys, texts,
            "the manifest and the texts name the same templates"
        );
        for entry in &manifest.template {
            assert!(Kind::parse("kind", &entry.kind).is_ok(), "{}", entry.key);
            assert!(
                (1..=60).contains(&entry.review_months),
                "{}: review interval",
                entry.key
            );
            assert!(!entry.sources.is_empty(), "{}: provenance", entry.key);
            assert!(
                entry.sources.iter().all(|s| s.starts_with("seed 00")
                    || s.starts_with("ISO/IEC 2700")
                    || s.starts_with("Regulation (EU)")
                    || s.starts_with("Directive (EU)")),
                "{}: {:?}",
                entry.key,
                entry.sources
            );
            assert!(!entry.summary.trim().is_empty() && !entry.title.trim().is_empty());
        }
        assert_eq!(shipped().len(), TEXTS.len(), "every entry loads");
    }

    #[test]
    fn the_texts_are_markdown_without_html_and_name_the_organisation() {
        for template in shipped() {
            assert!(
                template.text.starts_with("# "),
                "{} starts with its title",
                template.key
            );
            assert!(
                !template.text.contains('<'),
                "{}: no raw HTML",
                template.key
            );
            assert!(
                template.text.contains("{{organisation}}"),
                "{}",
                template.key
            );
            let filled = template.text_for("Alpha Cloud Services");
            assert!(
                !filled.contains("{{"),
                "{}: one placeholder only",
                template.key
            );
        }
    }

    #[test]
    fn the_security_policy_covers_the_topics_of_seed_000() {
        let policy = named("template", "information-security-policy")
            .unwrap()
            .text
            .to_lowercase();
        for topic in [
            "password",
            "internet",
            "e-mail",
            "lock",
            "data leakage",
            "social engineering",
            "storage",
            "confidential",
            "acknowledge",
        ] {
            assert!(policy.contains(topic), "the policy covers {topic}");
        }
        let refused = named("template", "memo").unwrap_err();
        assert_eq!(refused.field_errors()[0].field, "template");
    }
}
