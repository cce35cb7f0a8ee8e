//! CI class pages: the classes with their attribute sets, and the form administrators use to
//! add a class or change its attributes. The form takes the attribute set as lines of text,
//! one attribute a line: `key | Label | kind | flags | choices`.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use tandem_audit::Write;
use tandem_kernel::Error;
use tandem_web::page::{after_save, render};
use tandem_web::{AppState, Chrome, FormErrors, FormFrame, FormInput, PageResult};

use crate::class::{AttributeDef, CiClass, ClassDraft};
use crate::store::classes;

#[derive(Template)]
#[template(path = "cmdb/class_list.html")]
struct ListPage {
    chrome: Chrome,
    items: Vec<CiClass>,
}

/// `GET /ci-classes`.
pub(super) async fn list(State(state): State<AppState>) -> PageResult<Response> {
    Ok(render(&ListPage {
        chrome: Chrome::new("cmdb", "CI classes"),
        items: classes::all(&state.db).await?,
    }))
}

#[derive(Template)]
#[template(path = "cmdb/class_show.html")]
struct ShowPage {
    chrome: Chrome,
    class: CiClass,
}

/// `GET /ci-classes/{key}`.
pub(super) async fn show(
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> PageResult<Response> {
    let class = classes::get(&state.db, &key).await?;
    Ok(render(&ShowPage {
        chrome: Chrome::new("cmdb", class.name.clone()),
        class,
    }))
}

/// The class form's fields.
#[derive(Debug, Clone, Default, Deserialize)]
pub(super) struct Fields {
    #[serde(default)]
    key: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    is_cluster: Option<String>,
    #[serde(default)]
    attributes: String,
    #[serde(default)]
    version: i64,
}

/// One attribute as a line of the form.
fn line(a: &AttributeDef) -> String {
    let mut flags = Vec::new();
    if a.required {
        flags.push("required");
    }
    if a.identity {
        flags.push("identity");
    }
    format!(
        "{} | {} | {} | {} | {}",
        a.key,
        a.label,
        a.kind,
        flags.join(" "),
        a.values.join(", ")
    )
    .trim_end_matches([' ', '|'])
    .to_owned()
}

/// Reads the attribute lines; a line with an unknown flag is named by its number.
fn parse_lines(raw: &str) -> Result<Vec<AttributeDef>, Error> {
    let mut defs = Vec::new();
    let mut errors = Vec::new();
    for (n, text) in (1..).zip(raw.lines()) {
        if text.trim().is_empty() {
            continue;
        }
        let parts: Vec<&str> = text.split('|').map(str::trim).collect();
        let part = |i: usize| parts.get(i).copied().unwrap_or_default();
        let mut def = AttributeDef {
            key: part(0).to_owned(),
            label: part(1).to_owned(),
            kind: if part(2).is_empty() { "text" } else { part(2) }.to_owned(),
            required: false,
            values: part(4)
                .split(',')
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
                .collect(),
            identity: false,
        };
        for flag in part(3).split_whitespace() {
            match flag {
                "required" => def.required = true,
                "identity" => def.identity = true,
                other => errors.push(tandem_kernel::FieldError::new(
                    "attributes",
                    format!(
                        "line {n}: `{other}` is not a flag; the flags are required and identity"
                    ),
                )),
            }
        }
        defs.push(def);
    }
    if errors.is_empty() {
        Ok(defs)
    } else {
        Err(Error::Invalid(errors))
    }
}

impl Fields {
    fn draft(&self) -> Result<ClassDraft, Error> {
        let attributes = parse_lines(&self.attributes)?;
        ClassDraft {
            key: self.key.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            is_cluster: self.is_cluster.is_some(),
            attributes,
        }
        .validate()
        .map_err(|e| match e {
            // Name the line of a bad attribute on the one field that holds them all.
            Error::Invalid(errors) => Error::Invalid(
                errors
                    .into_iter()
                    .map(|e| match e.field.strip_prefix("attributes[") {
                        Some(rest) => {
                            let (index, part) = rest.split_once("].").unwrap_or((rest, ""));
                            let line = index.parse::<usize>().map_or(0, |i| i + 1);
                            tandem_kernel::FieldError::new(
                                "attributes",
                                format!("attribute {line}, {part}: {}", e.message),
                            )
                        }
                        None => e,
                    })
                    .collect(),
            ),
            other => other,
        })
    }

    fn of(class: &CiClass) -> Self {
        Self {
            key: class.key.to_string(),
            name: class.name.clone(),
            description: class.description.clone(),
            is_cluster: class.is_cluster.then(|| "on".to_owned()),
            attributes: class
                .attributes
                .iter()
                .map(line)
                .collect::<Vec<_>>()
                .join("\n"),
            version: class.version,
        }
    }
}

#[derive(Template)]
#[template(path = "cmdb/class_form.html")]
struct FormPage {
    chrome: Chrome,
    frame: FormFrame,
    values: Fields,
    creating: bool,
    errors: FormErrors,
}

impl FormPage {
    /// Every error of the attribute lines, one a line.
    fn attribute_errors(&self) -> Vec<String> {
        self.errors.get_all("attributes")
    }
}

fn show_form(frame: FormFrame, values: Fields, creating: bool, errors: FormErrors) -> Response {
    render(&FormPage {
        chrome: Chrome::new("cmdb", frame.title.clone()),
        frame,
        values,
        creating,
        errors,
    })
}

fn create_frame() -> FormFrame {
    FormFrame::create("New CI class", "/ci-classes", "Create class")
}

/// `GET /ci-classes/new`.
pub(super) async fn new() -> PageResult<Response> {
    Ok(show_form(
        create_frame(),
        Fields::default(),
        true,
        FormErrors::default(),
    ))
}

/// `POST /ci-classes`.
pub(super) async fn create(
    write: Write,
    FormInput(fields): FormInput<Fields>,
) -> PageResult<Response> {
    let saved = async { classes::create(&write, fields.draft()?).await }.await;
    after_save(
        saved,
        |c| format!("/ci-classes/{}", c.key),
        async |errors| Ok(show_form(create_frame(), fields, true, errors)),
    )
    .await
}

/// `GET /ci-classes/{key}/edit`.
pub(super) async fn edit(
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> PageResult<Response> {
    let class = classes::get(&state.db, &key).await?;
    let frame = FormFrame::edit(
        format!("Edit the class {}", class.name),
        format!("/ci-classes/{}", class.key),
        class.version,
    );
    Ok(show_form(
        frame,
        Fields::of(&class),
        false,
        FormErrors::default(),
    ))
}

/// `POST /ci-classes/{key}`.
pub(super) async fn update(
    write: Write,
    State(state): State<AppState>,
    Path(key): Path<String>,
    FormInput(mut fields): FormInput<Fields>,
) -> PageResult<Response> {
    let current = classes::get(&state.db, &key).await?;
    fields.key = current.key.to_string();
    fields.is_cluster = current.is_cluster.then(|| "on".to_owned());
    let saved =
        async { classes::update(&write, &key, fields.version, fields.draft()?).await }.await;
    let frame = FormFrame::edit(
        format!("Edit the class {}", current.name),
        format!("/ci-classes/{key}"),
        fields.version,
    );
    after_save(
        saved,
        |c| format!("/ci-classes/{}", c.key),
        async |errors| Ok(show_form(frame, fields, false, errors)),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_lines_read_back_what_they_show() {
        let def = AttributeDef {
            key: "environment".into(),
            label: "Environment".into(),
            kind: "choice".into(),
            required: true,
            values: vec!["production".into(), "staging".into()],
            identity: false,
        };
        let shown = line(&def);
        assert_eq!(
            shown,
            "environment | Environment | choice | required | production, staging"
        );
        assert_eq!(parse_lines(&shown).unwrap(), vec![def]);
    }

    #[test]
    fn an_unknown_flag_is_named_with_its_line() {
        let error =
            parse_lines("serial | Serial | text\nrack | Rack | text | mandatory").unwrap_err();
        assert_eq!(
            error.field_errors()[0].message,
            "line 2: `mandatory` is not a flag; the flags are required and identity"
        );
    }
}
