//! CI pages: the list, a CI's page, its forms, versions, comparison and impact.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use tandem_audit::Write;
use tandem_directory::OrganisationKind;
use tandem_directory::pages::organisation_options;
use tandem_directory::store::people;
use tandem_kernel::Scope;
use tandem_kernel::page::{ListOptions, ListParams, PageRequest};
use tandem_service_levels::store::services;
use tandem_web::list::ListLinks;
use tandem_web::page::{after_save, bad_address, choices, render, see_other, when};
use tandem_web::{
    AppState, Chrome, FormErrors, FormFrame, FormInput, InPath, PageError, PageQuery, PageResult,
};

use super::graph::{Drawing, draw};
use crate::api::{both, cause_of, checked, ci_filter, failing_state, relation_fields};
use crate::ci::{Ci, CiDraft, CiId, Label, Lifecycle, OperationalState, Rating};
use crate::class::CiClass;
use crate::relation::RelationKind;
use crate::store::graph::{self, Report};
use crate::store::relations::{self, NewRelation, Relation, RelationId};
use crate::store::{cis, classes};
use crate::version::{Diff, Snapshot, diff};

/// The query string of the CI list.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    dir: String,
    #[serde(default)]
    after: String,
    #[serde(default)]
    class: String,
    #[serde(default)]
    lifecycle: String,
    #[serde(default)]
    operational: String,
}

#[derive(Template)]
#[template(path = "cmdb/ci_list.html")]
struct ListPage {
    chrome: Chrome,
    items: Vec<Ci>,
    links: ListLinks,
    q: String,
    class: String,
    lifecycle: String,
    operational: String,
    classes: Vec<(String, String)>,
    lifecycles: Vec<(String, String)>,
    states: Vec<(String, String)>,
}

/// `GET /cis`.
pub(super) async fn list(
    State(state): State<AppState>,
    PageQuery(query): PageQuery<ListQuery>,
) -> PageResult<Response> {
    let options = ListOptions::parse(
        &ListParams {
            search: Some(&query.q),
            sort: Some(&query.sort),
            direction: Some(&query.dir),
            after: Some(&query.after),
            limit: Some(PageRequest::DEFAULT_LIMIT),
        },
        &cis::Sort::OPTIONS,
    )
    .map_err(bad_address)?;
    let filter = ci_filter(
        Some(&query.class),
        Some(&query.lifecycle),
        Some(&query.operational),
        None,
        None,
    )
    .map_err(bad_address)?;
    let page = cis::list(&state.db, &filter, &options).await?;
    let links = ListLinks {
        path: "/cis",
        filters: vec![
            ("q", query.q.clone()),
            ("class", query.class.clone()),
            ("lifecycle", query.lifecycle.clone()),
            ("operational", query.operational.clone()),
        ],
        sort: options.sort_name.to_owned(),
        direction: options.direction,
        next: page.next.map(|c| c.encode()),
        paged: options.page.after.is_some(),
    };
    Ok(render(&ListPage {
        chrome: Chrome::new("cmdb", "Configuration items"),
        items: page.items,
        links,
        q: query.q,
        class: query.class,
        lifecycle: query.lifecycle,
        operational: query.operational,
        classes: classes::all(&state.db)
            .await?
            .into_iter()
            .map(|c| (c.key.to_string(), c.name))
            .collect(),
        lifecycles: Lifecycle::choices(),
        states: OperationalState::choices(),
    }))
}

#[derive(Template)]
#[template(path = "cmdb/ci_show.html")]
struct ShowPage {
    chrome: Chrome,
    ci: Ci,
    class: CiClass,
    relations: Vec<Relation>,
    drawing: Drawing,
    versions: Vec<cis::Version>,
    /// What fails with the CI; none for a retired CI.
    impact: Option<Report>,
    kinds: Vec<(String, String)>,
    targets: Vec<(String, String)>,
    states: Vec<(String, String)>,
    errors: FormErrors,
    relation_values: RelationFields,
}

impl ShowPage {
    /// `T-000042`.
    fn ticket(&self, number: &i64) -> String {
        tandem_kernel::id::TICKETS.text(*number)
    }

    fn when(&self, at: &time::OffsetDateTime) -> String {
        when(at)
    }

    fn attribute_label<'a>(&'a self, key: &'a str) -> &'a str {
        self.class
            .attributes
            .iter()
            .find(|a| a.key == key)
            .map_or(key, |a| a.label.as_str())
    }
}

async fn show_page(
    state: &AppState,
    id: CiId,
    errors: FormErrors,
    relation_values: RelationFields,
) -> PageResult<Response> {
    let ci = cis::get(&state.db, id).await?;
    let class = classes::get(&state.db, ci.class_key.as_str()).await?;
    let relations = relations::of(&state.db, id).await?;
    let versions = cis::versions(&state.db, id, None, 20).await?;
    // A retired CI is out of the impact graph: there is nothing to load for it.
    let impact = if ci.lifecycle == Lifecycle::Retired {
        None
    } else {
        Some(
            graph::load(&state.db)
                .await?
                .analyse(&[(id, OperationalState::Down)], true)?,
        )
    };
    let targets = choices(cis::choices(&state.db, None).await?)
        .into_iter()
        .filter(|(value, _)| *value != id.to_string())
        .collect();
    Ok(render(&ShowPage {
        chrome: Chrome::new("cmdb", ci.reference()),
        drawing: draw(&ci, &relations),
        ci,
        class,
        relations,
        versions,
        impact,
        kinds: RelationKind::ALL
            .iter()
            .filter(|k| **k != RelationKind::LocatedIn)
            .map(|k| (k.as_str().to_owned(), k.label().to_owned()))
            .collect(),
        targets,
        states: OperationalState::choices(),
        errors,
        relation_values,
    }))
}

/// `GET /cis/{id}`.
pub(super) async fn show(
    State(state): State<AppState>,
    InPath(id): InPath<CiId>,
) -> PageResult<Response> {
    show_page(&state, id, FormErrors::default(), RelationFields::default()).await
}

/// The CI form's fields: the record's fields, `attr.<key>` for each attribute, and the why.
#[derive(Debug, Clone, Default)]
pub(super) struct Fields {
    draft: CiDraft,
    ticket: String,
    reason: String,
    version: i64,
}

impl Fields {
    fn from_form(mut form: BTreeMap<String, String>) -> Self {
        let mut take = |key: &str| form.remove(key).unwrap_or_default();
        let draft = CiDraft {
            class_key: take("class"),
            name: take("name"),
            description: take("description"),
            organisation_id: take("organisation_id"),
            owner_id: take("owner_id"),
            custodian_id: take("custodian_id"),
            location_id: take("location_id"),
            service_id: take("service_id"),
            lifecycle: take("lifecycle"),
            confidentiality: take("confidentiality"),
            integrity: take("integrity"),
            availability: take("availability"),
            label: take("label"),
            min_up: take("min_up"),
            attributes: BTreeMap::new(),
        };
        let ticket = take("ticket");
        let reason = take("reason");
        let version = take("version").parse().unwrap_or(0);
        let attributes = form
            .into_iter()
            .filter_map(|(k, v)| k.strip_prefix("attr.").map(|k| (k.to_owned(), v)))
            .collect();
        Self {
            draft: CiDraft {
                attributes,
                ..draft
            },
            ticket,
            reason,
            version,
        }
    }

    fn attribute(&self, key: &str) -> &str {
        self.draft.attributes.get(key).map_or("", String::as_str)
    }
}

#[derive(Template)]
#[template(path = "cmdb/ci_form.html")]
struct FormPage {
    chrome: Chrome,
    frame: FormFrame,
    class: CiClass,
    values: Fields,
    customers: Vec<(String, String)>,
    people: Vec<(String, String)>,
    locations: Vec<(String, String)>,
    services: Vec<(String, String)>,
    lifecycles: Vec<(String, String)>,
    ratings: Vec<(String, String)>,
    labels: Vec<(String, String)>,
    errors: FormErrors,
}

impl FormPage {
    fn attribute_error(&self, key: &str) -> Option<&str> {
        self.errors.get(&format!("attributes.{key}"))
    }
}

async fn form(
    state: &AppState,
    frame: FormFrame,
    class: CiClass,
    values: Fields,
    errors: FormErrors,
) -> PageResult<Response> {
    let customers = organisation_options(&state.db, &[OrganisationKind::Customer]).await?;
    Ok(render(&FormPage {
        chrome: Chrome::new("cmdb", frame.title.clone()),
        frame,
        class,
        values,
        customers,
        people: choices(people::choices(&state.db, Scope::Everything).await?),
        locations: choices(cis::choices(&state.db, Some("location")).await?),
        services: choices(services::choices(&state.db).await?),
        lifecycles: Lifecycle::choices(),
        ratings: Rating::choices(),
        labels: Label::choices(),
        errors,
    }))
}

#[derive(Template)]
#[template(path = "cmdb/ci_choose_class.html")]
struct ChooseClassPage {
    chrome: Chrome,
    classes: Vec<CiClass>,
}

/// Which class a new CI is of.
#[derive(Debug, Default, Deserialize)]
pub(super) struct NewQuery {
    #[serde(default)]
    class: String,
}

/// `GET /cis/new`: first the class, then the form with its attributes.
pub(super) async fn new(
    State(state): State<AppState>,
    PageQuery(query): PageQuery<NewQuery>,
) -> PageResult<Response> {
    if query.class.is_empty() {
        return Ok(render(&ChooseClassPage {
            chrome: Chrome::new("cmdb", "New configuration item"),
            classes: classes::all(&state.db).await?,
        }));
    }
    let class = classes::get(&state.db, &query.class).await?;
    let values = Fields {
        draft: CiDraft {
            class_key: class.key.to_string(),
            lifecycle: Lifecycle::Production.as_str().into(),
            confidentiality: "2".into(),
            integrity: "2".into(),
            availability: "2".into(),
            label: Label::Internal.as_str().into(),
            ..CiDraft::default()
        },
        ..Fields::default()
    };
    let frame = FormFrame::create(&format!("New {}", class.name), "/cis", "Create CI");
    form(&state, frame, class, values, FormErrors::default()).await
}

/// `POST /cis`.
pub(super) async fn create(
    write: Write,
    State(state): State<AppState>,
    FormInput(raw): FormInput<BTreeMap<String, String>>,
) -> PageResult<Response> {
    let fields = Fields::from_form(raw);
    let class = classes::get(&state.db, &fields.draft.class_key).await?;
    let saved = async {
        let (input, cause) = both(
            checked(&state, &fields.draft).await,
            cause_of(&state, &fields.ticket, &fields.reason).await,
        )?;
        cis::create(&write, input, &cause).await
    }
    .await;
    let frame = FormFrame::create(&format!("New {}", class.name), "/cis", "Create CI");
    after_save(
        saved,
        |ci| format!("/cis/{}", ci.id),
        async |errors| form(&state, frame, class, fields, errors).await,
    )
    .await
}

/// `GET /cis/{id}/edit`.
pub(super) async fn edit(
    State(state): State<AppState>,
    InPath(id): InPath<CiId>,
) -> PageResult<Response> {
    let ci = cis::get(&state.db, id).await?;
    let class = classes::get(&state.db, ci.class_key.as_str()).await?;
    let frame = FormFrame::edit(
        format!("Edit {}", ci.reference()),
        format!("/cis/{}", ci.id),
        ci.version,
    );
    let values = Fields {
        draft: ci.draft(),
        version: ci.version,
        ..Fields::default()
    };
    form(&state, frame, class, values, FormErrors::default()).await
}

/// `POST /cis/{id}`.
pub(super) async fn update(
    write: Write,
    State(state): State<AppState>,
    InPath(id): InPath<CiId>,
    FormInput(raw): FormInput<BTreeMap<String, String>>,
) -> PageResult<Response> {
    let current = cis::get(&state.db, id).await?;
    let mut fields = Fields::from_form(raw);
    fields.draft.class_key = current.class_key.to_string();
    let class = classes::get(&state.db, current.class_key.as_str()).await?;
    let saved = async {
        let (input, cause) = both(
            checked(&state, &fields.draft).await,
            cause_of(&state, &fields.ticket, &fields.reason).await,
        )?;
        cis::update(&write, id, fields.version, input, &cause).await
    }
    .await;
    let frame = FormFrame::edit(
        format!("Edit {}", current.reference()),
        format!("/cis/{id}"),
        fields.version,
    );
    after_save(
        saved,
        |ci| format!("/cis/{}", ci.id),
        async |errors| form(&state, frame, class, fields, errors).await,
    )
    .await
}

/// `POST /cis/{id}/delete`.
pub(super) async fn delete(write: Write, InPath(id): InPath<CiId>) -> PageResult<Response> {
    cis::delete(&write, id).await?;
    Ok(see_other("/cis"))
}

/// The operational-state form.
#[derive(Debug, Default, Deserialize)]
pub(super) struct OperationalFields {
    #[serde(default)]
    state: String,
    #[serde(default)]
    note: String,
}

/// `POST /cis/{id}/operational`.
pub(super) async fn set_operational(
    write: Write,
    State(state): State<AppState>,
    InPath(id): InPath<CiId>,
    FormInput(fields): FormInput<OperationalFields>,
) -> PageResult<Response> {
    let saved = async {
        let new = OperationalState::parse("state", &fields.state)?;
        cis::set_operational(&write, id, new, &fields.note).await
    }
    .await;
    after_save(
        saved,
        |_| format!("/cis/{id}"),
        async |errors| show_page(&state, id, errors, RelationFields::default()).await,
    )
    .await
}

/// The review form of a CI's page.
#[derive(Debug, Clone, Default, Deserialize)]
pub(super) struct ReviewFields {
    #[serde(default)]
    note: String,
}

/// `POST /cis/{id}/review`: the record was checked and found right.
pub(super) async fn review(
    write: Write,
    State(state): State<AppState>,
    InPath(id): InPath<CiId>,
    FormInput(fields): FormInput<ReviewFields>,
) -> PageResult<Response> {
    let saved = cis::review(&write, id, &fields.note).await;
    after_save(
        saved,
        |_| format!("/cis/{id}"),
        async |errors| show_page(&state, id, errors, RelationFields::default()).await,
    )
    .await
}

#[derive(Template)]
#[template(path = "cmdb/reviews.html")]
struct ReviewsPage {
    chrome: Chrome,
    items: Vec<Ci>,
}

impl ReviewsPage {
    fn when(&self, at: &time::OffsetDateTime) -> String {
        when(at)
    }
}

/// `GET /cis/reviews`: the CIs whose review is due, by owner.
pub(super) async fn reviews(State(state): State<AppState>) -> PageResult<Response> {
    Ok(render(&ReviewsPage {
        chrome: Chrome::new("cmdb", "Reviews due"),
        items: cis::reviews_due(&state.db, state.clock.now()).await?,
    }))
}

/// The add-relation form of a CI's page.
#[derive(Debug, Clone, Default, Deserialize)]
pub(super) struct RelationFields {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    target_id: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    ticket: String,
    #[serde(default)]
    reason: String,
}

/// `POST /cis/{id}/relations`.
pub(super) async fn add_relation(
    write: Write,
    State(state): State<AppState>,
    InPath(id): InPath<CiId>,
    FormInput(fields): FormInput<RelationFields>,
) -> PageResult<Response> {
    let saved = async {
        let parsed = relation_fields(&fields.kind, &fields.target_id);
        let ((kind, target), cause) = both(
            parsed,
            cause_of(&state, &fields.ticket, &fields.reason).await,
        )?;
        let relation = NewRelation {
            source: id,
            kind,
            target,
            note: fields.note.clone(),
        };
        relations::add(&write, &relation, &cause).await
    }
    .await;
    after_save(
        saved,
        |_| format!("/cis/{id}#relations"),
        async |errors| show_page(&state, id, errors, fields).await,
    )
    .await
}

/// The why of removing a relation.
#[derive(Debug, Default, Deserialize)]
pub(super) struct RemoveFields {
    #[serde(default)]
    ticket: String,
    #[serde(default)]
    reason: String,
}

/// `POST /cis/{id}/relations/{relation}/remove`.
pub(super) async fn remove_relation(
    write: Write,
    State(state): State<AppState>,
    InPath((id, relation)): InPath<(CiId, RelationId)>,
    FormInput(fields): FormInput<RemoveFields>,
) -> PageResult<Response> {
    let saved = async {
        let cause = cause_of(&state, &fields.ticket, &fields.reason).await?;
        relations::remove(&write, id, relation, &cause).await
    }
    .await;
    after_save(
        saved,
        |()| format!("/cis/{id}#relations"),
        async |mut errors| {
            errors.summary = Some(
                "The relation was not removed: give the ticket or a reason of at least ten characters."
                    .into(),
            );
            show_page(&state, id, errors, RelationFields::default()).await
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "cmdb/ci_version.html")]
struct VersionPage {
    chrome: Chrome,
    ci: Ci,
    version: cis::Version,
    record: Snapshot,
}

impl VersionPage {
    /// `T-000042`.
    fn ticket(&self, number: &i64) -> String {
        tandem_kernel::id::TICKETS.text(*number)
    }

    fn when(&self, at: &time::OffsetDateTime) -> String {
        when(at)
    }
}

/// `GET /cis/{id}/versions/{version}`.
pub(super) async fn version(
    State(state): State<AppState>,
    InPath((id, number)): InPath<(CiId, i64)>,
) -> PageResult<Response> {
    let ci = cis::get(&state.db, id).await?;
    let (version, record) = cis::version(&state.db, ci.id, number).await?;
    Ok(render(&VersionPage {
        chrome: Chrome::new("cmdb", format!("{} version {number}", ci.reference())),
        ci,
        version,
        record,
    }))
}

/// The versions to compare.
#[derive(Debug, Default, Deserialize)]
pub(super) struct CompareQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

#[derive(Template)]
#[template(path = "cmdb/ci_compare.html")]
struct ComparePage {
    chrome: Chrome,
    ci: Ci,
    from: i64,
    to: i64,
    changes: Diff,
}

/// `GET /cis/{id}/compare?from=…&to=…`.
pub(super) async fn compare(
    State(state): State<AppState>,
    InPath(id): InPath<CiId>,
    PageQuery(query): PageQuery<CompareQuery>,
) -> PageResult<Response> {
    let ci = cis::get(&state.db, id).await?;
    let number = |raw: &str, name: &str| {
        raw.trim().parse::<i64>().map_err(|_| {
            PageError::new(
                StatusCode::BAD_REQUEST,
                format!("The address is not valid: {name} must be a version number."),
            )
        })
    };
    let (from, to) = (number(&query.from, "from")?, number(&query.to, "to")?);
    let (_, before) = cis::version(&state.db, ci.id, from).await?;
    let (_, after) = cis::version(&state.db, ci.id, to).await?;
    Ok(render(&ComparePage {
        chrome: Chrome::new(
            "cmdb",
            format!("{}: version {from} and {to}", ci.reference()),
        ),
        changes: diff(&before, &after),
        ci,
        from,
        to,
    }))
}

/// The question of the impact page.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ImpactQuery {
    #[serde(default, rename = "as")]
    state: String,
}

#[derive(Template)]
#[template(path = "cmdb/ci_impact.html")]
struct ImpactPage {
    chrome: Chrome,
    ci: Ci,
    failing: OperationalState,
    impact: Report,
}

/// `GET /cis/{id}/impact?as=down|degraded`.
pub(super) async fn impact(
    State(state): State<AppState>,
    InPath(id): InPath<CiId>,
    PageQuery(query): PageQuery<ImpactQuery>,
) -> PageResult<Response> {
    let ci = cis::get(&state.db, id).await?;
    let asked = Some(query.state.as_str()).filter(|s| !s.is_empty());
    let failing = failing_state(asked).map_err(bad_address)?;
    let graph = graph::load(&state.db).await?;
    let impact = graph.analyse(&[(ci.id, failing)], true)?;
    Ok(render(&ImpactPage {
        chrome: Chrome::new("cmdb", format!("Impact of {}", ci.reference())),
        ci,
        failing,
        impact,
    }))
}
