//! The pages of awareness, training and competence: the trainings with their attendance lists,
//! the competences with who holds them, and who falls short of what their roles require.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use tandem_audit::Write;
use tandem_kernel::{Access, Permission, Role};
use tandem_web::page::{after_save, choices, render, see_other};
use tandem_web::{
    AppState, Chrome, FormErrors, FormFrame, FormInput, InPath, PageResult, RequestAccess,
};
use time::Date;

use crate::api::reader;
use crate::competence::{
    AttendeeDraft, CompetenceDraft, CompetenceId, Gap, HoldingDraft, HoldingId, Required,
    Shortfall, TrainingDraft, TrainingId, TrainingKind, per_competence, per_person,
};
use crate::store::competence::{self as store, Competence, Holding, Report, Training};
use crate::store::documents;

/// The section of the navigation every page here highlights.
const SECTION: &str = "competence";

#[derive(Template)]
#[template(path = "isms/trainings.html")]
struct TrainingsPage {
    chrome: Chrome,
    items: Vec<Training>,
}

/// `GET /isms/trainings`: every training, the latest first.
pub(super) async fn trainings(State(state): State<AppState>) -> PageResult<Response> {
    Ok(render(&TrainingsPage {
        chrome: Chrome::new(SECTION, "Trainings"),
        items: store::trainings(&state.db).await?,
    }))
}

/// A training's form as posted.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct TrainingFields {
    title: String,
    kind: String,
    held_on: String,
    trainer: String,
    topics: String,
    document_id: String,
    competence_id: String,
    version: i64,
}

impl TrainingFields {
    fn draft(&self) -> TrainingDraft {
        TrainingDraft {
            title: self.title.clone(),
            kind: self.kind.clone(),
            held_on: self.held_on.clone(),
            trainer: self.trainer.clone(),
            topics: self.topics.clone(),
            document_id: self.document_id.clone(),
            competence_id: self.competence_id.clone(),
        }
    }

    fn of(t: &Training) -> Self {
        Self {
            title: t.title.clone(),
            kind: t.kind.as_str().to_owned(),
            held_on: t.held_on.to_string(),
            trainer: t.trainer.clone(),
            topics: t.topics.clone(),
            document_id: t
                .document
                .as_ref()
                .map(|d| d.0.to_string())
                .unwrap_or_default(),
            competence_id: t
                .competence
                .as_ref()
                .map(|c| c.0.to_string())
                .unwrap_or_default(),
            version: t.version,
        }
    }
}

#[derive(Template)]
#[template(path = "isms/training_form.html")]
struct TrainingFormPage {
    chrome: Chrome,
    frame: FormFrame,
    values: TrainingFields,
    kinds: Vec<(String, String)>,
    documents: Vec<(String, String)>,
    competences: Vec<(String, String)>,
    errors: FormErrors,
}

/// The competences as choices of a select field.
async fn competence_choices(state: &AppState) -> tandem_kernel::Result<Vec<(String, String)>> {
    Ok(store::competences(&state.db)
        .await?
        .into_iter()
        .map(|c| (c.id.to_string(), c.name))
        .collect())
}

async fn training_form(
    state: &AppState,
    access: &Access,
    frame: FormFrame,
    values: TrainingFields,
    errors: FormErrors,
) -> PageResult<Response> {
    let reader = reader(state, access).await?;
    let documents = documents::list(&state.db, &reader)
        .await?
        .into_iter()
        .map(|l| {
            (
                l.document.id.to_string(),
                format!("{} {}", l.document.display_number(), l.document.title),
            )
        })
        .collect();
    Ok(render(&TrainingFormPage {
        chrome: Chrome::new(SECTION, frame.title.clone()),
        frame,
        values,
        kinds: TrainingKind::choices(),
        documents,
        competences: competence_choices(state).await?,
        errors,
    }))
}

fn new_training_frame() -> FormFrame {
    FormFrame::create("New training", "/isms/trainings", "Add the training")
}

/// `GET /isms/trainings/new`.
pub(super) async fn new_training(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
) -> PageResult<Response> {
    training_form(
        &state,
        &access,
        new_training_frame(),
        TrainingFields {
            kind: TrainingKind::Session.as_str().to_owned(),
            held_on: state.clock.now().date().to_string(),
            ..TrainingFields::default()
        },
        FormErrors::default(),
    )
    .await
}

/// `POST /isms/trainings`: adds the training; its page opens for the attendance.
pub(super) async fn create_training(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    write: Write,
    FormInput(fields): FormInput<TrainingFields>,
) -> PageResult<Response> {
    let saved = match fields.draft().validate() {
        Ok(input) => store::create_training(&write, &input).await,
        Err(e) => Err(e),
    };
    after_save(
        saved,
        |t| format!("/isms/trainings/{}", t.id),
        async |errors| training_form(&state, &access, new_training_frame(), fields, errors).await,
    )
    .await
}

fn training_frame(t: &Training) -> FormFrame {
    FormFrame::edit(
        format!("Edit {}", t.title),
        format!("/isms/trainings/{}", t.id),
        t.version,
    )
}

/// `GET /isms/trainings/{id}/edit`.
pub(super) async fn edit_training(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    InPath(id): InPath<TrainingId>,
) -> PageResult<Response> {
    let training = store::get_training(&state.db, id).await?;
    training_form(
        &state,
        &access,
        training_frame(&training),
        TrainingFields::of(&training),
        FormErrors::default(),
    )
    .await
}

/// `POST /isms/trainings/{id}`.
pub(super) async fn update_training(
    RequestAccess(access): RequestAccess,
    State(state): State<AppState>,
    write: Write,
    InPath(id): InPath<TrainingId>,
    FormInput(fields): FormInput<TrainingFields>,
) -> PageResult<Response> {
    let training = store::get_training(&state.db, id).await?;
    let saved = match fields.draft().validate() {
        Ok(input) => store::update_training(&write, id, Some(fields.version), &input).await,
        Err(e) => Err(e),
    };
    after_save(
        saved,
        |t| format!("/isms/trainings/{}", t.id),
        async |errors| {
            training_form(&state, &access, training_frame(&training), fields, errors).await
        },
    )
    .await
}

/// One person the attendance form offers.
struct Invitee {
    id: String,
    name: String,
    invited: bool,
    attended: bool,
}

#[derive(Template)]
#[template(path = "isms/training.html")]
struct TrainingPage {
    chrome: Chrome,
    training: Training,
    /// The provider's staff and everyone on the list, by name.
    people: Vec<Invitee>,
    /// Whether nobody can have attended yet: the training is held after today.
    ahead: bool,
    /// The ids of the list as it was posted, in the order its errors count lines.
    posted: Vec<String>,
    errors: FormErrors,
}

impl TrainingPage {
    /// The topics, one a line.
    fn topics(&self) -> Vec<&str> {
        self.training
            .topics
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect()
    }

    /// The errors of the attendance list's lines (`attendees[2]`), each with the person's name.
    fn attendance_errors(&self) -> Vec<String> {
        self.errors
            .all()
            .iter()
            .filter_map(|e| {
                let i: usize = e
                    .field
                    .strip_prefix("attendees[")?
                    .strip_suffix(']')?
                    .parse()
                    .ok()?;
                let id = self.posted.get(i)?;
                let name = self
                    .people
                    .iter()
                    .find(|p| p.id == *id)
                    .map_or(id.as_str(), |p| p.name.as_str());
                Some(format!("{name}: {}", e.message))
            })
            .collect()
    }
}

/// The attendance form as posted: ids of the people invited, and of those who attended.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct AttendanceFields {
    invited: Vec<String>,
    attended: Vec<String>,
    version: i64,
}

impl AttendanceFields {
    /// Everyone invited or attending, in the order of the form; attending implies invited.
    fn drafts(&self) -> Vec<AttendeeDraft> {
        let mut out: Vec<AttendeeDraft> = Vec::new();
        for id in self.invited.iter().chain(&self.attended) {
            if !out.iter().any(|d| d.person_id == *id) {
                out.push(AttendeeDraft {
                    person_id: id.clone(),
                    attended: self.attended.contains(id),
                });
            }
        }
        out
    }
}

async fn training_page(
    state: &AppState,
    id: TrainingId,
    posted: Option<&AttendanceFields>,
    errors: FormErrors,
) -> PageResult<Response> {
    let training = store::get_training(&state.db, id).await?;
    let mut staff = tandem_identity::read::staff_with(&state.db, Permission::DocumentsRead).await?;
    for a in &training.attendees {
        if !staff.iter().any(|(p, _)| *p == a.person) {
            staff.push((a.person, a.name.clone()));
        }
    }
    staff.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
    let people = choices(staff)
        .into_iter()
        .map(|(id, name)| {
            let (invited, attended) = match posted {
                Some(fields) => (fields.invited.contains(&id), fields.attended.contains(&id)),
                None => training
                    .attendees
                    .iter()
                    .find(|a| a.person.to_string() == id)
                    .map_or((false, false), |a| (true, a.attended)),
            };
            Invitee {
                id,
                name,
                invited,
                attended,
            }
        })
        .collect();
    let invalid = errors.summary.is_some();
    let mut response = render(&TrainingPage {
        chrome: Chrome::new(SECTION, training.title.clone()),
        ahead: training.held_on > state.clock.now().date(),
        training,
        people,
        posted: posted
            .map(|fields| fields.drafts().into_iter().map(|d| d.person_id).collect())
            .unwrap_or_default(),
        errors,
    });
    if invalid {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

/// `GET /isms/trainings/{id}`: the training and its attendance list.
pub(super) async fn training(
    State(state): State<AppState>,
    InPath(id): InPath<TrainingId>,
) -> PageResult<Response> {
    training_page(&state, id, None, FormErrors::default()).await
}

/// `POST /isms/trainings/{id}/attendance`: saves the attendance list.
pub(super) async fn attendance(
    State(state): State<AppState>,
    write: Write,
    InPath(id): InPath<TrainingId>,
    FormInput(fields): FormInput<AttendanceFields>,
) -> PageResult<Response> {
    match store::record_attendance(&write, id, Some(fields.version), &fields.drafts()).await {
        Ok(_) => Ok(see_other(&format!("/isms/trainings/{id}"))),
        Err(error) => {
            training_page(&state, id, Some(&fields), FormErrors::from_error(error)?).await
        }
    }
}

#[derive(Template)]
#[template(path = "isms/competences.html")]
struct CompetencesPage {
    chrome: Chrome,
    items: Vec<Competence>,
}

impl CompetencesPage {
    fn roles(&self, c: &Competence) -> String {
        role_titles(&c.roles)
    }
}

fn role_titles(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.title())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `GET /isms/competences`: every competence, with the roles that require it.
pub(super) async fn competences(State(state): State<AppState>) -> PageResult<Response> {
    Ok(render(&CompetencesPage {
        chrome: Chrome::new(SECTION, "Competences"),
        items: store::competences(&state.db).await?,
    }))
}

/// A competence's form as posted.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct CompetenceFields {
    name: String,
    description: String,
    validity_months: String,
    roles: Vec<String>,
    version: i64,
}

impl CompetenceFields {
    fn draft(&self) -> CompetenceDraft {
        CompetenceDraft {
            name: self.name.clone(),
            description: self.description.clone(),
            validity_months: self.validity_months.clone(),
            roles: self.roles.clone(),
        }
    }

    fn of(c: &Competence) -> Self {
        Self {
            name: c.name.clone(),
            description: c.description.clone(),
            validity_months: c.validity_months.map(|n| n.to_string()).unwrap_or_default(),
            roles: c.roles.iter().map(|r| r.as_str().to_owned()).collect(),
            version: c.version,
        }
    }
}

#[derive(Template)]
#[template(path = "isms/competence_form.html")]
struct CompetenceFormPage {
    chrome: Chrome,
    frame: FormFrame,
    values: CompetenceFields,
    /// The provider's roles: `(name, title)`.
    roles: Vec<(String, String)>,
    errors: FormErrors,
}

impl CompetenceFormPage {
    fn chosen(&self, role: &str) -> bool {
        self.values.roles.iter().any(|r| r == role)
    }
}

fn competence_form(frame: FormFrame, values: CompetenceFields, errors: FormErrors) -> Response {
    render(&CompetenceFormPage {
        chrome: Chrome::new(SECTION, frame.title.clone()),
        frame,
        values,
        roles: Role::ALL
            .into_iter()
            .filter(|r| *r != Role::CustomerUser)
            .map(|r| (r.as_str().to_owned(), r.title().to_owned()))
            .collect(),
        errors,
    })
}

fn new_competence_frame() -> FormFrame {
    FormFrame::create("New competence", "/isms/competences", "Add the competence")
}

/// `GET /isms/competences/new`.
pub(super) async fn new_competence() -> Response {
    competence_form(
        new_competence_frame(),
        CompetenceFields::default(),
        FormErrors::default(),
    )
}

/// `POST /isms/competences`.
pub(super) async fn create_competence(
    write: Write,
    FormInput(fields): FormInput<CompetenceFields>,
) -> PageResult<Response> {
    let saved = match fields.draft().validate() {
        Ok(input) => store::create_competence(&write, &input).await,
        Err(e) => Err(e),
    };
    after_save(
        saved,
        |c| format!("/isms/competences/{}", c.id),
        async |errors| Ok(competence_form(new_competence_frame(), fields, errors)),
    )
    .await
}

fn competence_frame(c: &Competence) -> FormFrame {
    FormFrame::edit(
        format!("Edit {}", c.name),
        format!("/isms/competences/{}", c.id),
        c.version,
    )
}

/// `GET /isms/competences/{id}/edit`.
pub(super) async fn edit_competence(
    State(state): State<AppState>,
    InPath(id): InPath<CompetenceId>,
) -> PageResult<Response> {
    let competence = store::get_competence(&state.db, id).await?;
    Ok(competence_form(
        competence_frame(&competence),
        CompetenceFields::of(&competence),
        FormErrors::default(),
    ))
}

/// `POST /isms/competences/{id}`.
pub(super) async fn update_competence(
    State(state): State<AppState>,
    write: Write,
    InPath(id): InPath<CompetenceId>,
    FormInput(fields): FormInput<CompetenceFields>,
) -> PageResult<Response> {
    let competence = store::get_competence(&state.db, id).await?;
    let saved = match fields.draft().validate() {
        Ok(input) => store::update_competence(&write, id, Some(fields.version), &input).await,
        Err(e) => Err(e),
    };
    after_save(
        saved,
        |c| format!("/isms/competences/{}", c.id),
        async |errors| {
            Ok(competence_form(
                competence_frame(&competence),
                fields,
                errors,
            ))
        },
    )
    .await
}

/// A holding's form as posted.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct HoldingFields {
    person_id: String,
    obtained_on: String,
    expires_on: String,
    evidence: String,
    version: i64,
}

impl HoldingFields {
    fn draft(&self) -> HoldingDraft {
        HoldingDraft {
            person_id: self.person_id.clone(),
            obtained_on: self.obtained_on.clone(),
            expires_on: self.expires_on.clone(),
            evidence: self.evidence.clone(),
        }
    }

    fn of(h: &Holding) -> Self {
        Self {
            person_id: h.person.0.to_string(),
            obtained_on: h.obtained_on.to_string(),
            expires_on: h.expires_on.map(|d| d.to_string()).unwrap_or_default(),
            evidence: h.evidence.clone(),
            version: h.version,
        }
    }
}

#[derive(Template)]
#[template(path = "isms/competence.html")]
struct CompetencePage {
    chrome: Chrome,
    competence: Competence,
    roles: String,
    holdings: Vec<Holding>,
    /// The trainings that give it, the latest first.
    trainings: Vec<Training>,
    /// Whom a holding may be recorded for: the provider's staff.
    staff: Vec<(String, String)>,
    values: HoldingFields,
    today: Date,
    errors: FormErrors,
}

impl CompetencePage {
    fn standing(&self, h: &Holding) -> Option<Gap> {
        h.standing(self.today)
    }
}

async fn competence_page(
    state: &AppState,
    id: CompetenceId,
    values: HoldingFields,
    errors: FormErrors,
) -> PageResult<Response> {
    let competence = store::get_competence(&state.db, id).await?;
    let invalid = errors.summary.is_some();
    let mut response = render(&CompetencePage {
        chrome: Chrome::new(SECTION, competence.name.clone()),
        roles: role_titles(&competence.roles),
        holdings: store::holdings_of(&state.db, id).await?,
        trainings: store::trainings(&state.db)
            .await?
            .into_iter()
            .filter(|t| t.competence.as_ref().is_some_and(|c| c.0 == id))
            .collect(),
        staff: choices(
            tandem_identity::read::staff_with(&state.db, Permission::DocumentsRead).await?,
        ),
        competence,
        values,
        today: state.clock.now().date(),
        errors,
    });
    if invalid {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

/// `GET /isms/competences/{id}`: the competence, who holds it and the form to record a holder.
pub(super) async fn competence(
    State(state): State<AppState>,
    InPath(id): InPath<CompetenceId>,
) -> PageResult<Response> {
    competence_page(
        &state,
        id,
        HoldingFields {
            obtained_on: state.clock.now().date().to_string(),
            ..HoldingFields::default()
        },
        FormErrors::default(),
    )
    .await
}

/// `POST /isms/competences/{id}/holders`: records a holder.
pub(super) async fn add_holding(
    State(state): State<AppState>,
    write: Write,
    InPath(id): InPath<CompetenceId>,
    FormInput(fields): FormInput<HoldingFields>,
) -> PageResult<Response> {
    let saved = match fields.draft().validate(write.now.date(), None) {
        Ok(input) => store::add_holding(&write, id, &input).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(_) => Ok(see_other(&format!("/isms/competences/{id}#holders"))),
        Err(error) => competence_page(&state, id, fields, FormErrors::from_error(error)?).await,
    }
}

#[derive(Template)]
#[template(path = "isms/holding_form.html")]
struct HoldingFormPage {
    chrome: Chrome,
    frame: FormFrame,
    holding: Holding,
    values: HoldingFields,
    errors: FormErrors,
}

fn holding_form(holding: Holding, values: HoldingFields, errors: FormErrors) -> Response {
    let frame = FormFrame::edit(
        format!("{}: {}", holding.competence.1, holding.person.1),
        format!(
            "/isms/competences/{}/holders/{}",
            holding.competence.0, holding.id
        ),
        holding.version,
    );
    render(&HoldingFormPage {
        chrome: Chrome::new(SECTION, frame.title.clone()),
        frame: FormFrame {
            cancel: format!("/isms/competences/{}#holders", holding.competence.0),
            ..frame
        },
        holding,
        values,
        errors,
    })
}

/// `GET /isms/competences/{id}/holders/{holding}/edit`.
pub(super) async fn edit_holding(
    State(state): State<AppState>,
    InPath((id, holding)): InPath<(CompetenceId, HoldingId)>,
) -> PageResult<Response> {
    let holding = store::get_holding(&state.db, id, holding).await?;
    let values = HoldingFields::of(&holding);
    Ok(holding_form(holding, values, FormErrors::default()))
}

/// `POST /isms/competences/{id}/holders/{holding}`.
pub(super) async fn update_holding(
    State(state): State<AppState>,
    write: Write,
    InPath((id, holding)): InPath<(CompetenceId, HoldingId)>,
    FormInput(fields): FormInput<HoldingFields>,
) -> PageResult<Response> {
    let before = store::get_holding(&state.db, id, holding).await?;
    let saved = match fields
        .draft()
        .validate(write.now.date(), Some(before.person.0))
    {
        Ok(input) => store::update_holding(&write, id, holding, Some(fields.version), &input).await,
        Err(e) => Err(e),
    };
    after_save(
        saved,
        |h| format!("/isms/competences/{}#holders", h.competence.0),
        async |errors| Ok(holding_form(before, fields, errors)),
    )
    .await
}

/// `POST /isms/competences/{id}/holders/{holding}/delete`: removes a holding recorded by
/// mistake.
pub(super) async fn remove_holding(
    write: Write,
    InPath((id, holding)): InPath<(CompetenceId, HoldingId)>,
) -> PageResult<Response> {
    store::remove_holding(&write, id, holding).await?;
    Ok(see_other(&format!("/isms/competences/{id}#holders")))
}

#[derive(Template)]
#[template(path = "isms/shortfall.html")]
struct ShortfallPage {
    chrome: Chrome,
    report: Report,
}

impl ShortfallPage {
    fn per_competence(&self) -> Vec<(&Required, Vec<&Shortfall>)> {
        per_competence(&self.report.required, &self.report.found)
    }

    fn per_person(&self) -> Vec<(String, Vec<&Shortfall>)> {
        per_person(&self.report.found)
            .into_iter()
            .map(|(_, name, found)| (name.to_owned(), found))
            .collect()
    }

    fn roles(&self, roles: &[Role]) -> String {
        role_titles(roles)
    }

    fn people_short(&self) -> usize {
        per_person(&self.report.found).len()
    }
}

/// `GET /isms/competences/shortfall`: who falls short, per competence and per person.
pub(super) async fn shortfall(State(state): State<AppState>) -> PageResult<Response> {
    Ok(render(&ShortfallPage {
        chrome: Chrome::new(SECTION, "Who falls short"),
        report: store::shortfall(&state.db, state.clock.now().date()).await?,
    }))
}
