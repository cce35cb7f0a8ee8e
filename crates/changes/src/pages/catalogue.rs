//! The standard-change catalogue, the settings of change management, and the report of CI
//! versions no change explains.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use tandem_audit::Write;
use tandem_web::page::{after_save, render, when};
use tandem_web::{AppState, Chrome, FormErrors, FormFrame, FormInput, InPath, PageResult};
use time::OffsetDateTime;

use crate::change::{TemplateDraft, TemplateId};
use crate::lifecycle::Risk;
use crate::store::changes::acting_person;
use crate::store::reports::{self, Unexplained};
use crate::store::settings;
use crate::store::templates::{self, Template as ChangeTemplate};

#[derive(Template)]
#[template(path = "changes/templates.html")]
struct TemplatesPage {
    chrome: Chrome,
    items: Vec<ChangeTemplate>,
}

/// `GET /change-templates`: the catalogue of standard changes.
pub(super) async fn templates(State(state): State<AppState>) -> PageResult<Response> {
    Ok(render(&TemplatesPage {
        chrome: Chrome::new("changes", "Standard changes"),
        items: templates::all(&state.db).await?,
    }))
}

/// The template form as posted.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct TemplateFields {
    name: String,
    description: String,
    configuration: String,
    fallback: String,
    risk: String,
    checklist: String,
    duration_minutes: String,
    active: Option<String>,
    version: i64,
}

impl TemplateFields {
    fn draft(&self) -> TemplateDraft {
        TemplateDraft {
            name: self.name.clone(),
            description: self.description.clone(),
            configuration: self.configuration.clone(),
            fallback: self.fallback.clone(),
            risk: self.risk.clone(),
            checklist: self.checklist.clone(),
            duration_minutes: self.duration_minutes.clone(),
            active: self.active.is_some(),
        }
    }
}

#[derive(Template)]
#[template(path = "changes/template_form.html")]
struct TemplateForm {
    chrome: Chrome,
    frame: FormFrame,
    values: TemplateFields,
    risks: Vec<(String, String)>,
    errors: FormErrors,
}

fn template_form(frame: FormFrame, values: TemplateFields, errors: FormErrors) -> Response {
    render(&TemplateForm {
        chrome: Chrome::new("changes", frame.title.clone()),
        frame,
        values,
        risks: Risk::choices(),
        errors,
    })
}

/// `GET /change-templates/new`.
pub(super) async fn new_template() -> PageResult<Response> {
    Ok(template_form(
        FormFrame::create(
            "New standard change",
            "/change-templates",
            "Approve template",
        ),
        TemplateFields {
            risk: Risk::Low.as_str().into(),
            duration_minutes: "60".into(),
            active: Some("on".into()),
            ..TemplateFields::default()
        },
        FormErrors::default(),
    ))
}

async fn save_template(
    write: &Write,
    id: Option<TemplateId>,
    fields: &TemplateFields,
) -> tandem_kernel::Result<ChangeTemplate> {
    let input = fields.draft().validate()?;
    let approver = acting_person(&mut write.db.conn().await?, &write.actor).await?;
    templates::save(
        write,
        id.map(|id| (id, fields.version)),
        &input,
        Some(&approver),
    )
    .await
}

/// `POST /change-templates`: the change manager who writes the template approves it.
pub(super) async fn create_template(
    write: Write,
    FormInput(fields): FormInput<TemplateFields>,
) -> PageResult<Response> {
    let saved = save_template(&write, None, &fields).await;
    let frame = FormFrame::create(
        "New standard change",
        "/change-templates",
        "Approve template",
    );
    after_save(
        saved,
        |_| "/change-templates".to_owned(),
        async |errors| Ok(template_form(frame, fields, errors)),
    )
    .await
}

/// The edit form of a template; it goes back to the catalogue, where templates are shown.
fn edit_frame(template: &ChangeTemplate) -> FormFrame {
    FormFrame {
        cancel: "/change-templates".to_owned(),
        ..FormFrame::edit(
            format!("Edit {}", template.name),
            format!("/change-templates/{}", template.id),
            template.version,
        )
    }
}

/// `GET /change-templates/{id}/edit`.
pub(super) async fn edit_template(
    State(state): State<AppState>,
    InPath(id): InPath<TemplateId>,
) -> PageResult<Response> {
    let t = templates::get(&state.db, id).await?;
    let values = TemplateFields {
        name: t.name.clone(),
        description: t.description.clone(),
        configuration: t.configuration.clone(),
        fallback: t.fallback.clone(),
        risk: t.risk.as_str().to_owned(),
        checklist: t.checklist.join("\n"),
        duration_minutes: t.duration_minutes.to_string(),
        active: t.active.then(|| "on".to_owned()),
        version: t.version,
    };
    Ok(template_form(edit_frame(&t), values, FormErrors::default()))
}

/// `POST /change-templates/{id}`: the editor approves the template anew.
pub(super) async fn update_template(
    write: Write,
    State(state): State<AppState>,
    InPath(id): InPath<TemplateId>,
    FormInput(fields): FormInput<TemplateFields>,
) -> PageResult<Response> {
    let current = templates::get(&state.db, id).await?;
    let saved = save_template(&write, Some(id), &fields).await;
    after_save(
        saved,
        |_| "/change-templates".to_owned(),
        async |errors| Ok(template_form(edit_frame(&current), fields, errors)),
    )
    .await
}

#[derive(Template)]
#[template(path = "changes/settings.html")]
struct SettingsPage {
    chrome: Chrome,
    values: SettingsFields,
    errors: FormErrors,
}

/// The settings form as posted.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct SettingsFields {
    cab_quorum: String,
    retro_approval_hours: String,
    cab_for_high_risk: Option<String>,
    start_tolerance_minutes: String,
    version: i64,
}

/// `GET /change-settings`.
pub(super) async fn settings(State(state): State<AppState>) -> PageResult<Response> {
    let (s, version) = settings::get(&mut state.db.conn().await?).await?;
    Ok(render(&SettingsPage {
        chrome: Chrome::new("changes", "Change settings"),
        values: SettingsFields {
            cab_quorum: s.cab_quorum.to_string(),
            retro_approval_hours: s.retro_approval_hours.to_string(),
            cab_for_high_risk: s.cab_for_high_risk.then(|| "on".to_owned()),
            start_tolerance_minutes: s.start_tolerance_minutes.to_string(),
            version,
        },
        errors: FormErrors::default(),
    }))
}

/// `POST /change-settings`.
pub(super) async fn save_settings(
    write: Write,
    FormInput(fields): FormInput<SettingsFields>,
) -> PageResult<Response> {
    let saved = async {
        let checked = settings::check(
            &fields.cab_quorum,
            &fields.retro_approval_hours,
            fields.cab_for_high_risk.is_some(),
            &fields.start_tolerance_minutes,
        )?;
        settings::save(&write, fields.version, &checked).await
    }
    .await;
    after_save(
        saved,
        |()| "/change-settings".to_owned(),
        async |errors| {
            Ok(render(&SettingsPage {
                chrome: Chrome::new("changes", "Change settings"),
                values: fields,
                errors,
            }))
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "changes/unexplained.html")]
struct UnexplainedPage {
    chrome: Chrome,
    items: Vec<Unexplained>,
}

impl UnexplainedPage {
    fn when(&self, at: &OffsetDateTime) -> String {
        when(at)
    }
}

/// `GET /changes/unexplained-versions`: change reconciliation.
pub(super) async fn unexplained(State(state): State<AppState>) -> PageResult<Response> {
    Ok(render(&UnexplainedPage {
        chrome: Chrome::new("changes", "CI versions no change explains"),
        items: reports::unexplained_versions(&state.db).await?,
    }))
}
