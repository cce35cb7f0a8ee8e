//! Service catalogue pages.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use tandem_audit::Write;
use tandem_directory::OrganisationKind;
use tandem_directory::pages::organisation_options;
use tandem_directory::store::people;
use tandem_kernel::Scope;
use tandem_web::page::{after_save, render, see_other};
use tandem_web::{AppState, Chrome, FormErrors, FormFrame, FormInput, InPath, PageResult};

use crate::services::{Service, ServiceDraft, ServiceId, ServiceKind};
use crate::store::services;
use tandem_web::page::choices;

fn kinds() -> Vec<(String, String)> {
    ServiceKind::ALL
        .iter()
        .map(|k| (k.as_str().to_owned(), k.label().to_owned()))
        .collect()
}

#[derive(Template)]
#[template(path = "service_levels/service_list.html")]
struct ListPage {
    chrome: Chrome,
    items: Vec<Service>,
}

/// `GET /services`.
pub(super) async fn list(State(state): State<AppState>) -> PageResult<Response> {
    Ok(render(&ListPage {
        chrome: Chrome::new("service-levels", "Service catalogue"),
        items: services::all(&state.db).await?,
    }))
}

#[derive(Template)]
#[template(path = "service_levels/service_show.html")]
struct ShowPage {
    chrome: Chrome,
    service: Service,
}

/// `GET /services/{id}`.
pub(super) async fn show(
    State(state): State<AppState>,
    InPath(id): InPath<ServiceId>,
) -> PageResult<Response> {
    let service = services::get(&state.db, id).await?;
    Ok(render(&ShowPage {
        chrome: Chrome::new("service-levels", service.name.to_string()),
        service,
    }))
}

/// The service form's fields; `customers` repeats once per ticked organisation.
#[derive(Debug, Clone, Default, Deserialize)]
pub(super) struct Fields {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    owner_id: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    boundaries: String,
    #[serde(default)]
    customers: Vec<String>,
    #[serde(default)]
    version: i64,
}

impl Fields {
    fn draft(&self) -> ServiceDraft {
        ServiceDraft {
            name: self.name.clone(),
            kind: self.kind.clone(),
            owner_id: self.owner_id.clone(),
            description: self.description.clone(),
            boundaries: self.boundaries.clone(),
            customers: self.customers.clone(),
        }
    }

    fn of(service: &Service) -> Self {
        Self {
            name: service.name.to_string(),
            kind: service.kind.as_str().to_owned(),
            owner_id: service.owner_id.map(|o| o.to_string()).unwrap_or_default(),
            description: service.description.to_string(),
            boundaries: service.boundaries.to_string(),
            customers: service
                .customers
                .iter()
                .map(|(id, _)| id.to_string())
                .collect(),
            version: service.version,
        }
    }
}

#[derive(Template)]
#[template(path = "service_levels/service_form.html")]
struct FormPage {
    chrome: Chrome,
    frame: FormFrame,
    values: Fields,
    kinds: Vec<(String, String)>,
    people: Vec<(String, String)>,
    customers: Vec<(String, String)>,
    errors: FormErrors,
}

impl FormPage {
    fn ticked(&self, id: &str) -> bool {
        self.values.customers.iter().any(|c| c == id)
    }
}

async fn form(
    state: &AppState,
    frame: FormFrame,
    values: Fields,
    errors: FormErrors,
) -> PageResult<Response> {
    let customers = organisation_options(&state.db, &[OrganisationKind::Customer]).await?;
    Ok(render(&FormPage {
        chrome: Chrome::new("service-levels", frame.title.clone()),
        frame,
        values,
        kinds: kinds(),
        people: choices(people::choices(&state.db, Scope::Everything).await?),
        customers,
        errors,
    }))
}

fn create_frame() -> FormFrame {
    FormFrame::create("New service", "/services", "Create service")
}

/// `GET /services/new`.
pub(super) async fn new(State(state): State<AppState>) -> PageResult<Response> {
    let values = Fields {
        kind: ServiceKind::Saas.as_str().into(),
        ..Fields::default()
    };
    form(&state, create_frame(), values, FormErrors::default()).await
}

/// `POST /services`.
pub(super) async fn create(
    State(state): State<AppState>,
    write: Write,
    FormInput(fields): FormInput<Fields>,
) -> PageResult<Response> {
    let saved = async { services::create(&write, fields.draft().validate()?).await }.await;
    after_save(
        saved,
        |s| format!("/services/{}", s.id),
        async |errors| form(&state, create_frame(), fields, errors).await,
    )
    .await
}

/// `GET /services/{id}/edit`.
pub(super) async fn edit(
    State(state): State<AppState>,
    InPath(id): InPath<ServiceId>,
) -> PageResult<Response> {
    let service = services::get(&state.db, id).await?;
    let frame = FormFrame::edit(
        format!("Edit {}", service.name),
        format!("/services/{}", service.id),
        service.version,
    );
    form(&state, frame, Fields::of(&service), FormErrors::default()).await
}

/// `POST /services/{id}`.
pub(super) async fn update(
    State(state): State<AppState>,
    InPath(id): InPath<ServiceId>,
    write: Write,
    FormInput(fields): FormInput<Fields>,
) -> PageResult<Response> {
    let saved =
        async { services::update(&write, id, fields.version, fields.draft().validate()?).await }
            .await;
    let frame = FormFrame::edit(
        "Edit service".into(),
        format!("/services/{id}"),
        fields.version,
    );
    after_save(
        saved,
        |s| format!("/services/{}", s.id),
        async |errors| form(&state, frame, fields, errors).await,
    )
    .await
}

/// `POST /services/{id}/delete`.
pub(super) async fn delete(InPath(id): InPath<ServiceId>, write: Write) -> PageResult<Response> {
    services::delete(&write, id).await?;
    Ok(see_other("/services"))
}
