//! The Cloud System Analysis Pattern of seed 000 (sections 2.2 and 5.1): the model of a cloud
//! and its environment that a provider fills in to establish the context of its ISMS and find
//! its assets. A cloud sits in its direct system environment (the stakeholders who deal with it
//! themselves: the provider, customers, developers, end customers) and its indirect one
//! (legislators, the domain, others, who act on it through the direct stakeholders). Inside the
//! cloud, the pool holds the hardware and software resources, which the provider offers as
//! services (IaaS, PaaS, SaaS) that process data.
//!
//! Pure: the exchange format (`tandem-cloud-pattern/1`, what `data/alpha-cloud-pattern.json`
//! holds) read and checked with every error named by its place; the proposals an instance makes
//! for the CMDB (a CI per resource, service and kind of data) and for the register of interested
//! parties (a party per stakeholder, with its requirements); and the diagram, drawn as SVG in the
//! manner of the paper's Figure 2.

use serde::{Deserialize, Serialize};
use tandem_kernel::FieldError;

/// The format name every exchange file carries.
pub const FORMAT: &str = "tandem-cloud-pattern/1";

tandem_kernel::vocabulary!(
    /// The kinds of stakeholder the pattern names.
    StakeholderKind {
        CloudProvider = "cloud-provider" / "Cloud provider",
        CloudCustomer = "cloud-customer" / "Cloud customer",
        CloudDeveloper = "cloud-developer" / "Cloud developer",
        EndCustomer = "end-customer" / "End customer",
        Legislator = "legislator" / "Legislator",
        Domain = "domain" / "Domain",
        Other = "other" / "Other",
    }
);

tandem_kernel::vocabulary!(
    /// Where a stakeholder stands: dealing with the cloud itself, or through others.
    Environment {
        Direct = "direct" / "Direct system environment",
        Indirect = "indirect" / "Indirect system environment",
    }
);

tandem_kernel::vocabulary!(
    /// What a resource of the pool is.
    ResourceKind {
        Hardware = "hardware" / "Hardware",
        Software = "software" / "Software",
    }
);

tandem_kernel::vocabulary!(
    /// The layer a service is offered at.
    Layer {
        Iaas = "iaas" / "Infrastructure as a service",
        Paas = "paas" / "Platform as a service",
        Saas = "saas" / "Software as a service",
    }
);

tandem_kernel::vocabulary!(
    /// What kind of requirement an interested party has.
    RequirementKind {
        Law = "law" / "Law or regulation",
        Contract = "contract" / "Contract",
        Sla = "sla" / "Service level agreement",
        CustomerDemand = "customer-demand" / "Customer demand",
        Other = "other" / "Other",
    }
);

/// A requirement as the exchange file writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequirementFile {
    pub kind: String,
    pub text: String,
    #[serde(default)]
    pub source: String,
}

/// A stakeholder as the exchange file writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StakeholderFile {
    pub kind: String,
    pub environment: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub motivation: String,
    #[serde(default)]
    pub relation: String,
    #[serde(default)]
    pub requirements: Vec<RequirementFile>,
    #[serde(default)]
    pub source: String,
}

/// A resource of the pool as the exchange file writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourceFile {
    pub kind: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub source: String,
}

/// Data a service processes, as the exchange file writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DataFile {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub personal: bool,
}

/// A service as the exchange file writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceFile {
    pub layer: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub data: Vec<DataFile>,
    #[serde(default)]
    pub source: String,
}

/// An instance of the pattern in the exchange format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatternFile {
    pub format: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub stakeholders: Vec<StakeholderFile>,
    #[serde(default)]
    pub resources: Vec<ResourceFile>,
    #[serde(default)]
    pub services: Vec<ServiceFile>,
}

/// The most elements of each kind an instance holds: far beyond a real cloud's.
pub const MAX_ELEMENTS: usize = 500;

/// Reads an exchange file: JSON in the format, every value checked. Every error names its place
/// (`stakeholders[2].kind`), so that the file can be mended in one go.
pub fn read(json: &str) -> Result<PatternFile, Vec<FieldError>> {
    let file: PatternFile = serde_json::from_str(json).map_err(|e| {
        vec![FieldError::new(
            "file",
            format!(
                "is not a cloud pattern in the format {FORMAT}: {e} (line {}, column {})",
                e.line(),
                e.column()
            ),
        )]
    })?;
    check(&file).map(|()| file)
}

fn text(errors: &mut Vec<FieldError>, field: &str, value: &str, required: bool, max: usize) {
    if required && value.trim().is_empty() {
        errors.push(FieldError::new(field, "is required"));
    } else if value.chars().count() > max {
        errors.push(FieldError::new(
            field,
            format!("is too long: at most {max} characters"),
        ));
    } else if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        errors.push(FieldError::new(field, "holds control characters"));
    }
}

fn word<T>(errors: &mut Vec<FieldError>, field: &str, parsed: Result<T, FieldError>) -> Option<T> {
    parsed
        .map_err(|e| errors.push(FieldError::new(field, e.message)))
        .ok()
}

/// Checks every value of `file`.
pub fn check(file: &PatternFile) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    if file.format != FORMAT {
        errors.push(FieldError::new(
            "format",
            format!("must be `{FORMAT}`, the format this version of Tandem reads"),
        ));
    }
    text(&mut errors, "name", &file.name, true, 200);
    text(&mut errors, "description", &file.description, false, 10_000);
    text(&mut errors, "source", &file.source, false, 500);
    for (list, len) in [
        ("stakeholders", file.stakeholders.len()),
        ("resources", file.resources.len()),
        ("services", file.services.len()),
    ] {
        if len > MAX_ELEMENTS {
            errors.push(FieldError::new(
                list,
                format!("holds {len} entries; at most {MAX_ELEMENTS} are read"),
            ));
        }
    }
    for (i, s) in file.stakeholders.iter().enumerate() {
        let at = |f: &str| format!("stakeholders[{i}].{f}");
        word(
            &mut errors,
            &at("kind"),
            StakeholderKind::parse("kind", &s.kind),
        );
        word(
            &mut errors,
            &at("environment"),
            Environment::parse("environment", &s.environment),
        );
        text(&mut errors, &at("name"), &s.name, true, 200);
        for (field, value) in [
            ("description", &s.description),
            ("motivation", &s.motivation),
            ("relation", &s.relation),
        ] {
            text(&mut errors, &at(field), value, false, 10_000);
        }
        text(&mut errors, &at("source"), &s.source, false, 500);
        for (j, r) in s.requirements.iter().enumerate() {
            let at = |f: &str| format!("stakeholders[{i}].requirements[{j}].{f}");
            word(
                &mut errors,
                &at("kind"),
                RequirementKind::parse("kind", &r.kind),
            );
            text(&mut errors, &at("text"), &r.text, true, 2_000);
            text(&mut errors, &at("source"), &r.source, false, 500);
        }
    }
    for (i, r) in file.resources.iter().enumerate() {
        let at = |f: &str| format!("resources[{i}].{f}");
        word(
            &mut errors,
            &at("kind"),
            ResourceKind::parse("kind", &r.kind),
        );
        text(&mut errors, &at("name"), &r.name, true, 200);
        text(
            &mut errors,
            &at("description"),
            &r.description,
            false,
            10_000,
        );
        text(&mut errors, &at("source"), &r.source, false, 500);
    }
    for (i, s) in file.services.iter().enumerate() {
        let at = |f: &str| format!("services[{i}].{f}");
        word(&mut errors, &at("layer"), Layer::parse("layer", &s.layer));
        text(&mut errors, &at("name"), &s.name, true, 200);
        text(
            &mut errors,
            &at("description"),
            &s.description,
            false,
            10_000,
        );
        text(&mut errors, &at("source"), &s.source, false, 500);
        for (j, d) in s.data.iter().enumerate() {
            let at = |f: &str| format!("services[{i}].data[{j}].{f}");
            text(&mut errors, &at("name"), &d.name, true, 200);
            text(
                &mut errors,
                &at("description"),
                &d.description,
                false,
                10_000,
            );
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// The CMDB class a resource, a service or data becomes.
pub fn ci_class(resource: Option<ResourceKind>) -> &'static str {
    match resource {
        Some(ResourceKind::Hardware) => "hardware",
        Some(ResourceKind::Software) => "software",
        None => "service",
    }
}

/// Draws the instance as SVG, in the manner of the paper's Figure 2: the cloud in the middle
/// with its services on top of the pool and its resources, the stakeholders of the direct
/// environment in the ring around it, those of the indirect environment outside. Every text is
/// escaped; the drawing needs no script and no external resource.
pub fn svg(file: &PatternFile) -> String {
    const WIDTH: usize = 1000;
    let direct: Vec<&StakeholderFile> = file
        .stakeholders
        .iter()
        .filter(|s| s.environment == Environment::Direct.as_str())
        .collect();
    let indirect: Vec<&StakeholderFile> = file
        .stakeholders
        .iter()
        .filter(|s| s.environment != Environment::Direct.as_str())
        .collect();
    let services = file.services.len().max(1);
    let resources = file.resources.len().max(1);
    let box_h = 64;
    let cloud_h = 60 + (services + resources) * (box_h + 12) + 60;
    let ring = 50; // the direct environment's band below the cloud
    let direct_rows = direct.len().div_ceil(4).max(1);
    let indirect_rows = indirect.len().div_ceil(4).max(1);
    let top = 40 + indirect_rows * (box_h + 16) + 20;
    // Below the direct environment's heading and its rows of stakeholders.
    let cloud_top = top + 34 + direct_rows * (box_h + 16) + 8;
    let height = cloud_top + cloud_h + ring + 40;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" \
         aria-labelledby=\"pattern-title\" class=\"pattern\" font-family=\"sans-serif\" font-size=\"13\">\
         <title id=\"pattern-title\">{}</title>",
        escape(&file.name)
    );
    // The indirect environment: the whole picture.
    out.push_str(&format!(
        "<rect x=\"4\" y=\"4\" width=\"{}\" height=\"{}\" rx=\"18\" fill=\"#f6f6f6\" stroke=\"#888\" stroke-dasharray=\"6 4\"/>\
         <text x=\"20\" y=\"26\" font-weight=\"bold\">Indirect system environment</text>",
        WIDTH - 8,
        height - 8
    ));
    row(&mut out, &indirect, 20, 40, WIDTH - 40, box_h, "#fff7e6");
    // The direct environment: the band around the cloud.
    let direct_top = top;
    out.push_str(&format!(
        "<rect x=\"30\" y=\"{direct_top}\" width=\"{}\" height=\"{}\" rx=\"14\" fill=\"#eef4fb\" stroke=\"#4a78b0\"/>\
         <text x=\"46\" y=\"{}\" font-weight=\"bold\">Direct system environment</text>",
        WIDTH - 60,
        height - direct_top - 30,
        direct_top + 22
    ));
    row(
        &mut out,
        &direct,
        46,
        direct_top + 34,
        WIDTH - 92,
        box_h,
        "#ffffff",
    );
    // The cloud with its services and its pool.
    let cloud_left = 200;
    let cloud_width = WIDTH - 400;
    out.push_str(&format!(
        "<rect x=\"{cloud_left}\" y=\"{cloud_top}\" width=\"{cloud_width}\" height=\"{cloud_h}\" rx=\"40\" fill=\"#e8f5e9\" stroke=\"#2e7d32\" stroke-width=\"2\"/>\
         <text x=\"{}\" y=\"{}\" font-weight=\"bold\" text-anchor=\"middle\" font-size=\"15\">Cloud: {}</text>",
        WIDTH / 2,
        cloud_top + 28,
        escape(&file.name)
    ));
    let mut y = cloud_top + 48;
    for service in &file.services {
        let layer = Layer::parse("layer", &service.layer)
            .map(|l| l.as_str().to_uppercase())
            .unwrap_or_default();
        let data: Vec<&str> = service.data.iter().map(|d| d.name.as_str()).collect();
        element(
            &mut out,
            cloud_left + 30,
            y,
            cloud_width - 60,
            box_h,
            "#c8e6c9",
            &format!("{layer}: {}", service.name),
            &if data.is_empty() {
                String::new()
            } else {
                format!("Data: {}", data.join(", "))
            },
        );
        y += box_h + 12;
    }
    out.push_str(&format!(
        "<text x=\"{}\" y=\"{}\" font-style=\"italic\">Pool</text>",
        cloud_left + 30,
        y + 4
    ));
    y += 12;
    for resource in &file.resources {
        element(
            &mut out,
            cloud_left + 60,
            y,
            cloud_width - 120,
            box_h,
            "#ffffff",
            &format!("{}: {}", capitalised(&resource.kind), resource.name),
            "",
        );
        y += box_h + 12;
    }
    out.push_str("</svg>");
    out
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Lays stakeholders out four to a row from (`x`, `y`) across `width`.
fn row(
    out: &mut String,
    stakeholders: &[&StakeholderFile],
    x: usize,
    y: usize,
    width: usize,
    height: usize,
    fill: &str,
) {
    let per_row = 4;
    let w = (width - (per_row - 1) * 12) / per_row;
    for (i, s) in stakeholders.iter().enumerate() {
        let kind = StakeholderKind::parse("kind", &s.kind)
            .map(|k| k.label().to_owned())
            .unwrap_or_default();
        element(
            out,
            x + (i % per_row) * (w + 12),
            y + (i / per_row) * (height + 16),
            w,
            height,
            fill,
            &s.name,
            &kind,
        );
    }
}

/// One box with a title line and a smaller second line, each cut to fit.
#[allow(clippy::too_many_arguments)]
fn element(
    out: &mut String,
    x: usize,
    y: usize,
    w: usize,
    h: usize,
    fill: &str,
    title: &str,
    detail: &str,
) {
    let fits = (w / 7).max(8);
    out.push_str(&format!(
        "<g><rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" rx=\"8\" fill=\"{fill}\" stroke=\"#555\"/>\
         <text x=\"{}\" y=\"{}\" font-weight=\"bold\">{}</text>\
         <text x=\"{}\" y=\"{}\" font-size=\"11\" fill=\"#444\">{}</text></g>",
        x + 10,
        y + 24,
        escape(&cut(title, fits)),
        x + 10,
        y + 44,
        escape(&cut(detail, fits + fits / 4))
    ));
}

fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut kept: String = text.chars().take(max.saturating_sub(1)).collect();
        kept.push('…');
        kept
    }
}

/// Escapes `text` for SVG (XML) text and attributes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALPHA: &str = include_str!("../data/alpha-cloud-pattern.json");

    #[test]
    fn alphas_instance_is_read_as_transcribed_from_seed_000() {
        let alpha = read(ALPHA).unwrap();
        assert_eq!(alpha.format, FORMAT);
        assert_eq!(alpha.source, "seed 000 section 5.1, Figure 2");
        let kinds: Vec<&str> = alpha.stakeholders.iter().map(|s| s.kind.as_str()).collect();
        for kind in [
            "cloud-provider",
            "cloud-customer",
            "cloud-developer",
            "end-customer",
            "legislator",
            "domain",
        ] {
            assert!(kinds.contains(&kind), "the paper's {kind}");
        }
        let alpha_provider = &alpha.stakeholders[0];
        assert_eq!(
            (
                alpha_provider.name.as_str(),
                alpha_provider.environment.as_str()
            ),
            ("Alpha", "direct")
        );
        assert!(
            alpha.stakeholders.iter().all(|s| !s.source.is_empty()),
            "provenance"
        );
        let layers: Vec<&str> = alpha.services.iter().map(|s| s.layer.as_str()).collect();
        assert_eq!(layers, ["iaas", "paas", "saas"]);
        assert!(
            alpha.services[2]
                .data
                .iter()
                .any(|d| d.name == "IP addresses" && d.personal),
            "the video service processes personal data"
        );
        assert!(alpha.resources.iter().any(|r| r.kind == "hardware"));
        assert!(alpha.resources.iter().any(|r| r.kind == "software"));
        let customer = alpha
            .stakeholders
            .iter()
            .find(|s| s.kind == "cloud-customer")
            .unwrap();
        assert!(
            customer
                .requirements
                .iter()
                .any(|r| r.text.to_lowercase().contains("penetration test")),
            "seed 000 section 5.3: a yearly penetration test"
        );
    }

    #[test]
    fn every_bad_value_is_named_by_its_place() {
        assert_eq!(read("{").unwrap_err()[0].field, "file");
        let mut bad = read(ALPHA).unwrap();
        bad.format = "v0".into();
        bad.stakeholders[1].kind = "investor".into();
        bad.stakeholders[1].environment = "near".into();
        bad.resources[0].name = " ".into();
        bad.services[0].layer = "faas".into();
        bad.stakeholders[1].requirements.push(RequirementFile {
            kind: "wish".into(),
            text: String::new(),
            source: String::new(),
        });
        let last = bad.stakeholders[1].requirements.len() - 1;
        let fields: Vec<String> = check(&bad)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "format".to_owned(),
                "stakeholders[1].kind".to_owned(),
                "stakeholders[1].environment".to_owned(),
                format!("stakeholders[1].requirements[{last}].kind"),
                format!("stakeholders[1].requirements[{last}].text"),
                "resources[0].name".to_owned(),
                "services[0].layer".to_owned(),
            ]
        );
    }

    #[test]
    fn the_diagram_is_svg_with_every_element_and_escaped_text() {
        let mut alpha = read(ALPHA).unwrap();
        alpha.stakeholders[0].name = "Alpha <script>".into();
        let drawing = svg(&alpha);
        assert!(drawing.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(drawing.ends_with("</svg>"));
        assert!(drawing.contains("Alpha &lt;script&gt;") && !drawing.contains("<script"));
        assert!(drawing.contains("Direct system environment"));
        assert!(drawing.contains("Indirect system environment"));
        assert!(drawing.contains("SAAS: Video conferencing service"));
        assert!(drawing.contains("Hardware: Servers"));
        assert!(
            !drawing.contains("http://") || drawing.matches("http://").count() == 1,
            "no external resource"
        );
    }
}
