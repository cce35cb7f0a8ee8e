//! Instances of the Cloud System Analysis Pattern (`isms_patterns`, `isms_pattern_elements`):
//! imported from or exported to the exchange format, filled in element by element, and their
//! proposals accepted one at a time: a CI in the CMDB, or an interested party with its
//! requirements. Each element remembers what was accepted from it, so that nothing is proposed
//! twice and nothing is created without a person asking.

use tandem_audit::{Edit, Write};
use tandem_cmdb::ci::{CiDraft, CiId};
use tandem_kernel::text::{Name, Note};
use tandem_kernel::{Error, Result, entity_id};
use tandem_storage::{Db, Handle, SqlTime, Tx, run};

use crate::parties::{PartyDraft, PartyId, RequirementDraft};
use crate::pattern::{
    DataFile, Environment, Layer, PatternFile, RequirementFile, ResourceFile, ResourceKind,
    ServiceFile, StakeholderFile, StakeholderKind, ci_class,
};

entity_id!(
    /// An instance of the pattern.
    PatternId
);

entity_id!(
    /// An element of an instance.
    ElementId
);

/// An element of an instance, as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Element {
    pub id: ElementId,
    pub position: i32,
    /// `stakeholder`, `resource`, `service` or `data`.
    pub kind: String,
    /// The stakeholder's kind, the resource's kind or the service's layer.
    pub category: String,
    pub environment: String,
    pub name: String,
    pub description: String,
    pub motivation: String,
    pub relation: String,
    pub personal: bool,
    /// For data: the service that processes it.
    pub service_id: Option<ElementId>,
    /// For a stakeholder: its requirements, as JSON.
    pub requirements: String,
    pub source: String,
    /// The CI accepted from it.
    pub ci_id: Option<CiId>,
    /// The party accepted from it.
    pub party_id: Option<PartyId>,
}

impl Element {
    /// What accepting the element creates: a CI of this class, or (for a stakeholder) `None`, an
    /// interested party.
    pub fn ci_class(&self) -> Option<&'static str> {
        match self.kind.as_str() {
            "stakeholder" => None,
            "data" => Some("information"),
            "resource" => Some(ci_class(ResourceKind::parse("kind", &self.category).ok())),
            _ => Some(ci_class(None)),
        }
    }

    /// Whether its proposal has been accepted.
    pub fn accepted(&self) -> bool {
        self.ci_id.is_some() || self.party_id.is_some()
    }

    fn requirement_files(&self) -> Result<Vec<RequirementFile>> {
        if self.requirements.is_empty() {
            return Ok(Vec::new());
        }
        serde_json::from_str(&self.requirements)
            .map_err(|e| Error::Storage(format!("element {}: {e}", self.id).into()))
    }
}

/// An instance with its elements in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    pub id: PatternId,
    pub name: String,
    pub description: String,
    pub source: String,
    pub elements: Vec<Element>,
    pub version: i64,
}

impl Pattern {
    /// The instance in the exchange format.
    pub fn file(&self) -> Result<PatternFile> {
        let mut file = PatternFile {
            format: crate::pattern::FORMAT.to_owned(),
            name: self.name.clone(),
            description: self.description.clone(),
            source: self.source.clone(),
            stakeholders: Vec::new(),
            resources: Vec::new(),
            services: Vec::new(),
        };
        for e in &self.elements {
            match e.kind.as_str() {
                "stakeholder" => file.stakeholders.push(StakeholderFile {
                    kind: e.category.clone(),
                    environment: e.environment.clone(),
                    name: e.name.clone(),
                    description: e.description.clone(),
                    motivation: e.motivation.clone(),
                    relation: e.relation.clone(),
                    requirements: e.requirement_files()?,
                    source: e.source.clone(),
                }),
                "resource" => file.resources.push(ResourceFile {
                    kind: e.category.clone(),
                    name: e.name.clone(),
                    description: e.description.clone(),
                    source: e.source.clone(),
                }),
                "service" => file.services.push(ServiceFile {
                    layer: e.category.clone(),
                    name: e.name.clone(),
                    description: e.description.clone(),
                    data: self
                        .elements
                        .iter()
                        .filter(|d| d.kind == "data" && d.service_id == Some(e.id))
                        .map(|d| DataFile {
                            name: d.name.clone(),
                            description: d.description.clone(),
                            personal: d.personal,
                        })
                        .collect(),
                    source: e.source.clone(),
                }),
                _ => {}
            }
        }
        Ok(file)
    }
}

/// Every instance, by name: `(id, name)`.
pub async fn all(db: &Db) -> Result<Vec<(PatternId, String)>> {
    Ok(run!(&mut db.conn().await?, |c| {
        sqlx::query_as("SELECT id, name FROM isms_patterns ORDER BY name, id")
            .fetch_all(c)
            .await
    })?)
}

/// Instance `id` with its elements.
pub async fn find(handle: &mut impl Handle, id: PatternId) -> Result<Pattern> {
    let head: Option<(String, String, String, i64)> = run!(handle, |c| {
        sqlx::query_as("SELECT name, description, source, version FROM isms_patterns WHERE id = $1")
            .bind(id)
            .fetch_optional(c)
            .await
    })?;
    let (name, description, source, version) = head.ok_or(Error::NotFound {
        entity: "cloud pattern",
    })?;
    let elements: Vec<Element> = run!(handle, |c| {
        sqlx::query_as(
            "SELECT id, position, kind, category, environment, name, description, motivation, \
             relation, personal, service_id, requirements, source, ci_id, party_id \
             FROM isms_pattern_elements WHERE pattern_id = $1 ORDER BY position, id",
        )
        .bind(id)
        .fetch_all(c)
        .await
    })?;
    Ok(Pattern {
        id,
        name,
        description,
        source,
        elements,
        version,
    })
}

pub async fn get(db: &Db, id: PatternId) -> Result<Pattern> {
    find(&mut db.conn().await?, id).await
}

/// An element to insert.
struct NewElement<'a> {
    kind: &'static str,
    category: &'a str,
    environment: &'a str,
    name: &'a str,
    description: &'a str,
    motivation: &'a str,
    relation: &'a str,
    personal: bool,
    service: Option<ElementId>,
    requirements: String,
    source: &'a str,
}

async fn insert_element(
    tx: &mut Tx,
    pattern: PatternId,
    position: i32,
    e: &NewElement<'_>,
) -> Result<ElementId> {
    let id = ElementId::generate();
    run!(tx, |c| {
        sqlx::query(
            "INSERT INTO isms_pattern_elements (id, pattern_id, position, kind, category, \
             environment, name, description, motivation, relation, personal, service_id, \
             requirements, source) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(id)
        .bind(pattern)
        .bind(position)
        .bind(e.kind)
        .bind(e.category)
        .bind(e.environment)
        .bind(e.name.trim())
        .bind(e.description.trim())
        .bind(e.motivation.trim())
        .bind(e.relation.trim())
        .bind(e.personal)
        .bind(e.service)
        .bind(&e.requirements)
        .bind(e.source.trim())
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(id)
}

fn requirements_json(requirements: &[RequirementFile]) -> Result<String> {
    if requirements.is_empty() {
        return Ok(String::new());
    }
    serde_json::to_string(requirements).map_err(|e| Error::Storage(e.to_string().into()))
}

/// Stores the instance `file` (checked with [`crate::pattern::check`]) as a new instance.
pub async fn import(write: &Write, file: &PatternFile) -> Result<Pattern> {
    crate::pattern::check(file).map_err(Error::Invalid)?;
    let id = PatternId::generate();
    let mut tx = write.begin().await?;
    run!(&mut tx, |c| {
        sqlx::query(
            "INSERT INTO isms_patterns (id, name, description, source, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $5)",
        )
        .bind(id)
        .bind(file.name.trim())
        .bind(file.description.trim())
        .bind(file.source.trim())
        .bind(SqlTime(write.now))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    let mut position = 0;
    for s in &file.stakeholders {
        position += 1;
        let element = NewElement {
            kind: "stakeholder",
            category: &s.kind,
            environment: &s.environment,
            name: &s.name,
            description: &s.description,
            motivation: &s.motivation,
            relation: &s.relation,
            personal: false,
            service: None,
            requirements: requirements_json(&s.requirements)?,
            source: &s.source,
        };
        insert_element(&mut tx, id, position, &element).await?;
    }
    for r in &file.resources {
        position += 1;
        let element = NewElement {
            kind: "resource",
            category: &r.kind,
            environment: "",
            name: &r.name,
            description: &r.description,
            motivation: "",
            relation: "",
            personal: false,
            service: None,
            requirements: String::new(),
            source: &r.source,
        };
        insert_element(&mut tx, id, position, &element).await?;
    }
    for s in &file.services {
        position += 1;
        let element = NewElement {
            kind: "service",
            category: &s.layer,
            environment: "",
            name: &s.name,
            description: &s.description,
            motivation: "",
            relation: "",
            personal: false,
            service: None,
            requirements: String::new(),
            source: &s.source,
        };
        let service = insert_element(&mut tx, id, position, &element).await?;
        for d in &s.data {
            position += 1;
            let element = NewElement {
                kind: "data",
                category: "",
                environment: "",
                name: &d.name,
                description: &d.description,
                motivation: "",
                relation: "",
                personal: d.personal,
                service: Some(service),
                requirements: String::new(),
                source: &s.source,
            };
            insert_element(&mut tx, id, position, &element).await?;
        }
    }
    write
        .commit(
            tx,
            Edit::created(
                "cloud pattern",
                id,
                &[
                    ("name", file.name.trim().to_owned()),
                    ("stakeholders", file.stakeholders.len().to_string()),
                    ("resources", file.resources.len().to_string()),
                    ("services", file.services.len().to_string()),
                ],
            ),
        )
        .await?;
    get(&write.db, id).await
}

/// The element `element` of instance `pattern`, in `tx`.
async fn element_in(tx: &mut Tx, pattern: PatternId, element: ElementId) -> Result<Element> {
    find(tx, pattern)
        .await?
        .elements
        .into_iter()
        .find(|e| e.id == element)
        .ok_or(Error::NotFound { entity: "element" })
}

fn already(element: &Element) -> Error {
    Error::conflict(format!(
        "the proposal of “{}” was accepted already",
        element.name
    ))
}

/// Accepts the proposal of a resource, a service or data: creates exactly that CI in the CMDB,
/// classified with `confidentiality`, `integrity` and `availability` (1 to 4), and remembers it.
pub async fn accept_ci(
    write: &Write,
    pattern: PatternId,
    element: ElementId,
    rating: (&str, &str, &str),
) -> Result<CiId> {
    let mut tx = write.begin().await?;
    let found = element_in(&mut tx, pattern, element).await?;
    if found.accepted() {
        return Err(already(&found));
    }
    let Some(class_key) = found.ci_class() else {
        return Err(Error::conflict(
            "a stakeholder becomes an interested party, not a CI",
        ));
    };
    let class = tandem_cmdb::store::classes::find(&mut tx, class_key)
        .await?
        .ok_or_else(|| Error::conflict(format!("the CMDB has no class `{class_key}`")))?;
    let mut attributes = tandem_cmdb::class::Attributes::new();
    if class_key == "information" {
        attributes.insert("personal_data".to_owned(), found.personal.to_string());
    }
    let input = CiDraft {
        class_key: class_key.to_owned(),
        name: found.name.clone(),
        description: found.description.clone(),
        lifecycle: "production".to_owned(),
        confidentiality: rating.0.to_owned(),
        integrity: rating.1.to_owned(),
        availability: rating.2.to_owned(),
        label: "internal".to_owned(),
        attributes,
        ..CiDraft::default()
    }
    .validate(&class)?;
    let cause = tandem_cmdb::version::Cause {
        kind: tandem_cmdb::version::CauseKind::Manual,
        ticket_id: None,
        change_id: None,
        reason: format!("Accepted from the cloud pattern: {}", found.name),
    };
    let ci = tandem_cmdb::store::cis::insert(write, &mut tx, &input, &cause).await?;
    run!(&mut tx, |c| {
        sqlx::query("UPDATE isms_pattern_elements SET ci_id = $2 WHERE id = $1")
            .bind(element)
            .bind(ci)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    write
        .commit(
            tx,
            Edit::updated(
                "cloud pattern element",
                element,
                &[("ci", String::new())],
                &[("ci", ci.to_string())],
            ),
        )
        .await?;
    Ok(ci)
}

/// Accepts the proposal of a stakeholder: adds it as an interested party with its requirements,
/// and remembers it.
pub async fn accept_party(
    write: &Write,
    pattern: PatternId,
    element: ElementId,
) -> Result<PartyId> {
    let mut tx = write.begin().await?;
    let found = element_in(&mut tx, pattern, element).await?;
    if found.accepted() {
        return Err(already(&found));
    }
    if found.kind != "stakeholder" {
        return Err(Error::conflict(
            "only a stakeholder becomes an interested party",
        ));
    }
    let party = PartyDraft {
        name: found.name.clone(),
        kind: found.category.clone(),
        description: found.description.clone(),
        motivation: found.motivation.clone(),
        relation: found.relation.clone(),
        organisation_id: String::new(),
        source: found.source.clone(),
    }
    .validate()?;
    let requirements = found
        .requirement_files()?
        .into_iter()
        .map(|r| {
            RequirementDraft {
                kind: r.kind,
                text: r.text,
                source: r.source,
                satisfied_by: String::new(),
            }
            .validate()
        })
        .collect::<Result<Vec<_>>>()?;
    let (party_id, edit) =
        super::parties::insert(&mut tx, &party, &requirements, write.now).await?;
    run!(&mut tx, |c| {
        sqlx::query("UPDATE isms_pattern_elements SET party_id = $2 WHERE id = $1")
            .bind(element)
            .bind(party_id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    write.record(&mut tx, edit).await?;
    write
        .commit(
            tx,
            Edit::updated(
                "cloud pattern element",
                element,
                &[("party", String::new())],
                &[("party", party_id.to_string())],
            ),
        )
        .await?;
    Ok(party_id)
}

/// A new element as typed on the instance's page.
#[derive(Debug, Clone, Default)]
pub struct ElementDraft {
    /// `stakeholder`, `resource`, `service` or `data`.
    pub kind: String,
    pub category: String,
    pub environment: String,
    pub name: String,
    pub description: String,
    pub motivation: String,
    pub relation: String,
    pub personal: bool,
    /// For data: the service element's id.
    pub service_id: String,
}

/// Adds an element to instance `pattern`, checked like an imported one.
pub async fn add_element(
    write: &Write,
    pattern: PatternId,
    draft: &ElementDraft,
) -> Result<Pattern> {
    let mut errors = Vec::new();
    let mut keep = |r: std::result::Result<(), tandem_kernel::FieldError>| {
        if let Err(e) = r {
            errors.push(e);
        }
    };
    keep(Name::parse("name", &draft.name).map(|_| ()));
    for (field, value) in [
        ("description", &draft.description),
        ("motivation", &draft.motivation),
        ("relation", &draft.relation),
    ] {
        keep(Note::parse(field, value).map(|_| ()));
    }
    let kind: &'static str = match draft.kind.as_str() {
        "stakeholder" => {
            keep(StakeholderKind::parse("category", &draft.category).map(|_| ()));
            keep(Environment::parse("environment", &draft.environment).map(|_| ()));
            "stakeholder"
        }
        "resource" => {
            keep(ResourceKind::parse("category", &draft.category).map(|_| ()));
            "resource"
        }
        "service" => {
            keep(Layer::parse("category", &draft.category).map(|_| ()));
            "service"
        }
        "data" => "data",
        _ => {
            errors.push(tandem_kernel::FieldError::new(
                "kind",
                "must be one of: stakeholder, resource, service, data",
            ));
            "data"
        }
    };
    let mut tx = write.begin().await?;
    let current = find(&mut tx, pattern).await?;
    let service = if kind == "data" {
        let chosen = current
            .elements
            .iter()
            .find(|e| e.kind == "service" && e.id.to_string() == draft.service_id.trim())
            .map(|e| e.id);
        if chosen.is_none() {
            errors.push(tandem_kernel::FieldError::new(
                "service_id",
                "choose the service of this instance that processes the data",
            ));
        }
        chosen
    } else {
        None
    };
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let position = current
        .elements
        .iter()
        .map(|e| e.position)
        .max()
        .unwrap_or(0)
        + 1;
    let (category, environment) = match kind {
        "stakeholder" => (draft.category.trim(), draft.environment.trim()),
        "data" => ("", ""),
        _ => (draft.category.trim(), ""),
    };
    let element = NewElement {
        kind,
        category,
        environment,
        name: &draft.name,
        description: &draft.description,
        motivation: &draft.motivation,
        relation: &draft.relation,
        personal: draft.personal,
        service,
        requirements: String::new(),
        source: "",
    };
    let id = insert_element(&mut tx, pattern, position, &element).await?;
    write
        .commit(
            tx,
            Edit::created(
                "cloud pattern element",
                id,
                &[
                    ("kind", kind.to_owned()),
                    ("category", category.to_owned()),
                    ("name", draft.name.trim().to_owned()),
                ],
            ),
        )
        .await?;
    get(&write.db, pattern).await
}
