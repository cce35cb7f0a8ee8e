//! The context of the ISMS: interested parties with their requirements and what satisfies each,
//! and the instances of the Cloud System Analysis Pattern with their diagram, their elements and
//! the proposals a person accepts one by one.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use tandem_audit::Write;
use tandem_web::page::{render, see_other};
use tandem_web::{AppState, Chrome, FormErrors, FormInput, InPath, PageResult};

use crate::api::context::{accept_proposal, control_checker, diagram as svg_diagram, rating};
use crate::parties::{PartyDraft, PartyId, RequirementDraft, RequirementId};
use crate::pattern::{Environment, Layer, RequirementKind, ResourceKind, StakeholderKind};
use crate::store::parties::{self, Party};
use crate::store::patterns::{self, ElementDraft, ElementId, Pattern, PatternId};

#[derive(Template)]
#[template(path = "isms/context.html")]
struct ContextPage {
    chrome: Chrome,
    parties: Vec<Party>,
    patterns: Vec<(PatternId, String)>,
    kinds: Vec<(String, String)>,
    party: PartyFields,
    pattern_json: String,
    errors: FormErrors,
}

async fn context_page(
    state: &AppState,
    party: PartyFields,
    pattern_json: String,
    errors: FormErrors,
) -> PageResult<Response> {
    let invalid = errors.summary.is_some();
    let mut response = render(&ContextPage {
        chrome: Chrome::new("context", "Context of the ISMS"),
        parties: parties::all(&state.db).await?,
        patterns: patterns::all(&state.db).await?,
        kinds: StakeholderKind::choices(),
        party,
        pattern_json,
        errors,
    });
    if invalid {
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

/// `GET /isms/context`.
pub(super) async fn show(State(state): State<AppState>) -> PageResult<Response> {
    context_page(
        &state,
        PartyFields::default(),
        String::new(),
        FormErrors::default(),
    )
    .await
}

/// A party as posted.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct PartyFields {
    name: String,
    kind: String,
    description: String,
    motivation: String,
    relation: String,
    source: String,
}

/// `POST /isms/parties`.
pub(super) async fn create_party(
    State(state): State<AppState>,
    write: Write,
    FormInput(fields): FormInput<PartyFields>,
) -> PageResult<Response> {
    let draft = PartyDraft {
        name: fields.name.clone(),
        kind: fields.kind.clone(),
        description: fields.description.clone(),
        motivation: fields.motivation.clone(),
        relation: fields.relation.clone(),
        organisation_id: String::new(),
        source: fields.source.clone(),
    };
    let saved = match draft.validate() {
        Ok(input) => parties::create(&write, &input).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(party) => Ok(see_other(&format!("/isms/parties/{}", party.id))),
        Err(error) => {
            context_page(
                &state,
                fields,
                String::new(),
                FormErrors::from_error(error)?,
            )
            .await
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct ImportFields {
    file: String,
}

/// `POST /isms/patterns`: imports an instance pasted in the exchange format.
pub(super) async fn import(
    State(state): State<AppState>,
    write: Write,
    FormInput(fields): FormInput<ImportFields>,
) -> PageResult<Response> {
    let imported = match crate::pattern::read(&fields.file) {
        Ok(file) => patterns::import(&write, &file).await,
        Err(errors) => Err(tandem_kernel::Error::Invalid(errors)),
    };
    match imported {
        Ok(pattern) => Ok(see_other(&format!("/isms/patterns/{}", pattern.id))),
        Err(error) => {
            context_page(
                &state,
                PartyFields::default(),
                fields.file,
                FormErrors::from_error(error)?,
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "isms/party.html")]
struct PartyPage {
    chrome: Chrome,
    party: Party,
    kinds: Vec<(String, String)>,
    values: RequirementFields,
    errors: FormErrors,
}

async fn party_page(
    state: &AppState,
    id: PartyId,
    values: RequirementFields,
    errors: FormErrors,
) -> PageResult<Response> {
    let party = parties::find(&mut state.db.conn().await?, id).await?;
    let invalid = errors.summary.is_some();
    let mut response = render(&PartyPage {
        chrome: Chrome::new("context", party.name.clone()),
        party,
        kinds: RequirementKind::choices(),
        values,
        errors,
    });
    if invalid {
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

/// `GET /isms/parties/{id}`.
pub(super) async fn party(
    State(state): State<AppState>,
    InPath(id): InPath<PartyId>,
) -> PageResult<Response> {
    party_page(
        &state,
        id,
        RequirementFields::default(),
        FormErrors::default(),
    )
    .await
}

/// A requirement as posted.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct RequirementFields {
    kind: String,
    text: String,
    source: String,
    satisfied_by: String,
}

impl RequirementFields {
    fn draft(&self) -> RequirementDraft {
        RequirementDraft {
            kind: self.kind.clone(),
            text: self.text.clone(),
            source: self.source.clone(),
            satisfied_by: self.satisfied_by.clone(),
        }
    }
}

/// `POST /isms/parties/{id}/requirements`.
pub(super) async fn add_requirement(
    State(state): State<AppState>,
    write: Write,
    InPath(id): InPath<PartyId>,
    FormInput(fields): FormInput<RequirementFields>,
) -> PageResult<Response> {
    let exists = control_checker(&state).await?;
    let saved = match fields.draft().validate() {
        Ok(input) => parties::add_requirement(&write, id, &input, &exists).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(_) => Ok(see_other(&format!("/isms/parties/{id}"))),
        Err(error) => party_page(&state, id, fields, FormErrors::from_error(error)?).await,
    }
}

/// `POST /isms/parties/{id}/requirements/{requirement}`: links what satisfies it.
pub(super) async fn update_requirement(
    State(state): State<AppState>,
    write: Write,
    InPath((id, requirement)): InPath<(PartyId, RequirementId)>,
    FormInput(fields): FormInput<RequirementFields>,
) -> PageResult<Response> {
    let exists = control_checker(&state).await?;
    let saved = match fields.draft().validate() {
        Ok(input) => parties::update_requirement(&write, id, requirement, &input, &exists).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(_) => Ok(see_other(&format!("/isms/parties/{id}#requirements"))),
        Err(error) => {
            party_page(
                &state,
                id,
                RequirementFields::default(),
                FormErrors::from_error(error)?,
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "isms/pattern.html")]
struct PatternPage {
    chrome: Chrome,
    pattern: Pattern,
    stakeholder_kinds: Vec<(String, String)>,
    environments: Vec<(String, String)>,
    resource_kinds: Vec<(String, String)>,
    layers: Vec<(String, String)>,
    errors: FormErrors,
}

impl PatternPage {
    fn service_name(&self, id: &Option<ElementId>) -> String {
        self.pattern
            .elements
            .iter()
            .find(|e| Some(e.id) == *id)
            .map(|e| e.name.clone())
            .unwrap_or_default()
    }
}

async fn pattern_page(state: &AppState, id: PatternId, errors: FormErrors) -> PageResult<Response> {
    let pattern = patterns::get(&state.db, id).await?;
    let invalid = errors.summary.is_some();
    let mut response = render(&PatternPage {
        chrome: Chrome::new("context", pattern.name.clone()),
        pattern,
        stakeholder_kinds: StakeholderKind::choices(),
        environments: Environment::choices(),
        resource_kinds: ResourceKind::choices(),
        layers: Layer::choices(),
        errors,
    });
    if invalid {
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

/// `GET /isms/patterns/{id}`.
pub(super) async fn pattern(
    State(state): State<AppState>,
    InPath(id): InPath<PatternId>,
) -> PageResult<Response> {
    pattern_page(&state, id, FormErrors::default()).await
}

/// `GET /isms/patterns/{id}/diagram.svg`.
pub(super) async fn diagram(
    State(state): State<AppState>,
    InPath(id): InPath<PatternId>,
) -> PageResult<Response> {
    Ok(svg_diagram(&state, id).await?)
}

/// `GET /isms/patterns/{id}/export.json`: the instance in the exchange format.
pub(super) async fn export(
    State(state): State<AppState>,
    InPath(id): InPath<PatternId>,
) -> PageResult<Response> {
    let file = patterns::get(&state.db, id).await?.file()?;
    let json = serde_json::to_vec_pretty(&file)
        .map_err(|e| tandem_kernel::Error::Storage(e.to_string().into()))?;
    Ok(tandem_web::download(
        "application/json",
        "cloud-pattern.json",
        json,
    ))
}

/// An element as posted.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct ElementFields {
    kind: String,
    category: String,
    environment: String,
    name: String,
    description: String,
    motivation: String,
    relation: String,
    personal: Option<String>,
    service_id: String,
}

/// `POST /isms/patterns/{id}/elements`.
pub(super) async fn add_element(
    State(state): State<AppState>,
    write: Write,
    InPath(id): InPath<PatternId>,
    FormInput(fields): FormInput<ElementFields>,
) -> PageResult<Response> {
    let added = patterns::add_element(
        &write,
        id,
        &ElementDraft {
            kind: fields.kind,
            category: fields.category,
            environment: fields.environment,
            name: fields.name,
            description: fields.description,
            motivation: fields.motivation,
            relation: fields.relation,
            personal: fields.personal.is_some(),
            service_id: fields.service_id,
        },
    )
    .await;
    match added {
        Ok(_) => Ok(see_other(&format!("/isms/patterns/{id}#elements"))),
        Err(error) => pattern_page(&state, id, FormErrors::from_error(error)?).await,
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct AcceptFields {
    confidentiality: String,
    integrity: String,
    availability: String,
}

/// `POST /isms/patterns/{id}/elements/{element}/accept`.
pub(super) async fn accept(
    State(state): State<AppState>,
    write: Write,
    InPath((id, element)): InPath<(PatternId, ElementId)>,
    FormInput(fields): FormInput<AcceptFields>,
) -> PageResult<Response> {
    let rating = rating([
        &fields.confidentiality,
        &fields.integrity,
        &fields.availability,
    ]);
    match accept_proposal(&state, &write, id, element, &rating).await {
        Ok(_) => Ok(see_other(&format!("/isms/patterns/{id}#elements"))),
        Err(error) => pattern_page(&state, id, FormErrors::from_error(error)?).await,
    }
}
