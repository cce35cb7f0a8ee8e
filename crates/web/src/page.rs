//! What every HTML page shares: the chrome around the content, field errors next to form
//! fields, and error pages.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use tandem_kernel::access::Permissions;
use tandem_kernel::{Error, FieldError};

/// The parts of the layout that change from page to page, and what the layout needs to know
/// about the request (taken from [`crate::routes::PAGE_CONTEXT`] when the chrome is made).
#[derive(Debug, Clone)]
pub struct Chrome {
    /// The navigation section to highlight (`organisations`, `people`, …).
    pub section: &'static str,
    /// The page title, shown in the browser tab after "Tandem".
    pub title: String,
    /// The CSRF token every form posting to Tandem carries; empty without a session.
    pub csrf: String,
    /// Who is signed in (e-mail), if anyone.
    pub signed_in: Option<String>,
    permissions: Permissions,
    navigation: std::sync::Arc<[crate::capability::NavEntry]>,
}

impl Chrome {
    pub fn new(section: &'static str, title: impl Into<String>) -> Self {
        let context = crate::routes::PAGE_CONTEXT.try_with(Clone::clone).ok();
        let (csrf, signed_in, permissions, navigation) = match context {
            Some(c) => (
                c.csrf.unwrap_or_default(),
                c.access
                    .is_signed_in()
                    .then(|| c.access.actor.label.clone()),
                if c.access.stage == tandem_kernel::Stage::Complete {
                    c.access.roles.permissions()
                } else {
                    Permissions::NONE
                },
                c.navigation,
            ),
            None => (
                String::new(),
                None,
                Permissions::NONE,
                std::sync::Arc::from([]),
            ),
        };
        Self {
            section,
            title: title.into(),
            csrf,
            signed_in,
            permissions,
            navigation,
        }
    }

    /// The links of the main navigation the person may follow, in the order shown.
    pub fn navigation(&self) -> Vec<crate::capability::NavEntry> {
        self.navigation
            .iter()
            .filter(|e| self.permissions.contains(e.needs))
            .copied()
            .collect()
    }

    /// Whether the person may do what the permission named `permission` allows: links and
    /// buttons to what they may not do are left out.
    pub fn may(&self, permission: &str) -> bool {
        self.permissions.iter().any(|p| p.as_str() == permission)
    }

    pub fn version(&self) -> &'static str {
        crate::VERSION
    }

    /// `aria-current="page"` for the active navigation entry.
    pub fn current(&self, section: &str) -> &'static str {
        if self.section == section {
            "page"
        } else {
            "false"
        }
    }
}

/// Where a form posts and how it is labelled; the same for every create and edit form.
#[derive(Debug, Clone)]
pub struct FormFrame {
    pub title: String,
    /// Where the form posts to.
    pub action: String,
    /// Where "Cancel" leads.
    pub cancel: String,
    /// The label of the submit button.
    pub submit: &'static str,
    /// The version of the record being edited, sent back so that a change made by someone
    /// else meanwhile is noticed; `None` when creating.
    pub version: Option<i64>,
}

impl FormFrame {
    /// A form creating a record by posting to the list at `list`.
    pub fn create(title: &str, list: &str, submit: &'static str) -> Self {
        Self {
            title: title.to_owned(),
            action: list.to_owned(),
            cancel: list.to_owned(),
            submit,
            version: None,
        }
    }

    /// A form changing the record at `record`, loaded at `version`.
    pub fn edit(title: String, record: String, version: i64) -> Self {
        Self {
            title,
            action: record.clone(),
            cancel: record,
            submit: "Save changes",
            version: Some(version),
        }
    }
}

/// Errors to show next to the form fields that caused them, plus a message for the form as a
/// whole.
#[derive(Debug, Clone, Default)]
pub struct FormErrors {
    fields: Vec<FieldError>,
    pub summary: Option<String>,
}

impl FormErrors {
    /// Every error, for a page that lists them all (the rules that refused a step).
    pub fn all(&self) -> &[FieldError] {
        &self.fields
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    /// Every message of `field`, for a field that holds several things (lines of a text area).
    pub fn get_all(&self, field: &str) -> Vec<String> {
        self.fields
            .iter()
            .filter(|e| e.field == field)
            .map(|e| e.message.clone())
            .collect()
    }

    /// The messages of every field under `prefix` (`members` gives those of `members[0]`,
    /// `members[1]` …), each with the field named, for showing at the group of fields.
    pub fn under(&self, prefix: &str) -> Vec<String> {
        self.fields
            .iter()
            .filter(|e| {
                e.field
                    .strip_prefix(prefix)
                    .is_some_and(|rest| rest.starts_with('['))
            })
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect()
    }

    /// The errors of a failed save that belong on the form (invalid fields, conflicts); any
    /// other error is returned as it is, for an error page.
    pub fn from_error(error: Error) -> Result<Self, Error> {
        match error {
            Error::Invalid(_)
            | Error::Conflict { .. }
            | Error::Stale { .. }
            | Error::Refused(_) => {
                let fields = error.field_errors();
                // A refusal names rules, not fields: its summary says what they are.
                let summary = Some(if fields.is_empty() || matches!(error, Error::Refused(_)) {
                    error.to_string()
                } else {
                    "The form has errors; they are shown next to the fields below.".to_owned()
                });
                Ok(Self { fields, summary })
            }
            other => Err(other),
        }
    }
}

/// An error page.
#[derive(Debug)]
pub struct PageError {
    status: StatusCode,
    message: String,
}

pub type PageResult<T> = Result<T, PageError>;

impl PageError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "There is no such page, or the record it showed no longer exists.",
        )
    }
}

impl From<Error> for PageError {
    fn from(error: Error) -> Self {
        let api = crate::ApiError::from(error);
        Self::new(api.status, api.message)
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    chrome: Chrome,
    status: u16,
    reason: &'a str,
    message: &'a str,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let reason = self.status.canonical_reason().unwrap_or("Error");
        let page = ErrorPage {
            chrome: Chrome::new("", reason),
            status: self.status.as_u16(),
            reason,
            message: &self.message,
        };
        match page.render() {
            Ok(html) => (self.status, Html(html)).into_response(),
            Err(error) => {
                tracing::error!(%error, "rendering the error page failed");
                (self.status, self.message).into_response()
            }
        }
    }
}

/// Renders a template into a response, or an error page if rendering fails.
pub fn render(template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(error) => {
            tracing::error!(%error, "rendering a page failed");
            PageError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "The page could not be shown.",
            )
            .into_response()
        }
    }
}

/// A submitted HTML form (`application/x-www-form-urlencoded`, repeated keys allowed for
/// multi-selects). A body that cannot be read, or with a field that is not UTF-8 text, gets an
/// error page; field rules are checked by the handler, which shows them next to the fields.
#[derive(Debug, Clone, Default)]
pub struct FormInput<T>(pub T);

impl<S, T> axum::extract::FromRequest<S> for FormInput<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned,
{
    type Rejection = PageError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let axum::extract::RawForm(bytes) = axum::extract::RawForm::from_request(
            axum::extract::Request::from_parts(parts.clone(), body),
            state,
        )
        .await
        .map_err(|rejection| unreadable(rejection.status(), rejection.body_text()))?;
        if let Some(field) = crate::extract::field_not_utf8(&bytes) {
            return Err(not_text(&field));
        }
        let req = axum::extract::Request::from_parts(parts, axum::body::Body::from(bytes));
        axum_extra::extract::Form::<T>::from_request(req, state)
            .await
            .map(|form| Self(form.0))
            .map_err(|rejection| unreadable(rejection.status(), rejection.body_text()))
    }
}

/// The error page for a form that could not be read.
fn unreadable(status: StatusCode, detail: impl std::fmt::Display) -> PageError {
    PageError::new(status, format!("The form could not be read: {detail}"))
}

/// The error page (400) for a form whose field `field` is not UTF-8 text.
fn not_text(field: &str) -> PageError {
    unreadable(
        StatusCode::BAD_REQUEST,
        format_args!("the field `{field}` {}", crate::extract::NOT_UTF8),
    )
}

/// A time as pages show it: `2026-11-23 09:30 UTC`.
pub fn when(at: &time::OffsetDateTime) -> String {
    tandem_kernel::clock::when(*at)
}

/// A form that may carry files (`multipart/form-data`), or a plain form without them: its
/// text fields and its files. File inputs left empty are not among the files.
#[derive(Debug, Default)]
pub struct UploadForm {
    pub fields: std::collections::HashMap<String, String>,
    pub files: Vec<UploadedFile>,
}

/// A file of an [`UploadForm`].
pub struct UploadedFile {
    /// The form field it came in.
    pub field: String,
    /// Its name as the browser sent it.
    pub name: String,
    pub content: Vec<u8>,
}

impl std::fmt::Debug for UploadedFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UploadedFile")
            .field("field", &self.field)
            .field("name", &self.name)
            .field("bytes", &self.content.len())
            .finish()
    }
}

impl UploadForm {
    /// A text field, trimmed; empty when absent.
    pub fn field(&self, name: &str) -> String {
        self.fields
            .get(name)
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    }

    /// The files sent in `field`, taken out of the form.
    pub fn take_files(&mut self, field: &str) -> Vec<UploadedFile> {
        let (taken, kept) = std::mem::take(&mut self.files)
            .into_iter()
            .partition(|f| f.field == field);
        self.files = kept;
        taken
    }
}

impl<S: Send + Sync> axum::extract::FromRequest<S> for UploadForm {
    type Rejection = PageError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let multipart = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if !multipart {
            let FormInput(fields) = FormInput::from_request(req, state).await?;
            return Ok(Self {
                fields,
                files: Vec::new(),
            });
        }
        let mut parts = axum::extract::Multipart::from_request(req, state)
            .await
            .map_err(|e| unreadable(e.status(), e.body_text()))?;
        let mut form = Self::default();
        while let Some(part) = parts
            .next_field()
            .await
            .map_err(|e| unreadable(e.status(), e.body_text()))?
        {
            let field = part.name().unwrap_or_default().to_owned();
            let file_name = part.file_name().map(str::to_owned);
            let bytes = part
                .bytes()
                .await
                .map_err(|e| unreadable(e.status(), e.body_text()))?;
            match file_name {
                Some(name) if name.is_empty() && bytes.is_empty() => {}
                Some(name) => form.files.push(UploadedFile {
                    field,
                    name,
                    content: bytes.to_vec(),
                }),
                None => {
                    let text = String::from_utf8(bytes.to_vec()).map_err(|_| not_text(&field))?;
                    form.fields.insert(field, text);
                }
            }
        }
        Ok(form)
    }
}

/// The query string of a page. Unknown parameters are ignored, as browsers and bookmarks add
/// their own; a value of the wrong type, or one that is not UTF-8 text, gets an error page.
#[derive(Debug, Clone, Default)]
pub struct PageQuery<T>(pub T);

impl<S, T> axum::extract::FromRequestParts<S> for PageQuery<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned,
{
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        if let Some(field) = parts
            .uri
            .query()
            .and_then(|query| crate::extract::field_not_utf8(query.as_bytes()))
        {
            return Err(PageError::new(
                StatusCode::BAD_REQUEST,
                format!(
                    "The address is not valid: the parameter `{field}` {}.",
                    crate::extract::NOT_UTF8
                ),
            ));
        }
        axum_extra::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|query| Self(query.0))
            .map_err(|rejection| {
                PageError::new(
                    StatusCode::BAD_REQUEST,
                    format!("The address is not valid: {}", rejection.body_text()),
                )
            })
    }
}

/// Ends a form submission: on success, sends the browser to the saved record's page; on
/// invalid input or a conflict, shows the form again with each error next to its field (422);
/// anything else becomes an error page.
pub async fn after_save<T>(
    saved: tandem_kernel::Result<T>,
    location: impl FnOnce(&T) -> String,
    show_form: impl AsyncFnOnce(FormErrors) -> PageResult<Response>,
) -> PageResult<Response> {
    match saved {
        Ok(record) => Ok(see_other(&location(&record))),
        Err(error) => {
            let mut response = show_form(FormErrors::from_error(error)?).await?;
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
    }
}

/// `(value, label)` pairs for a select field, from ids and names.
pub fn choices<T: ToString>(items: Vec<(T, String)>) -> Vec<(String, String)> {
    items
        .into_iter()
        .map(|(id, name)| (id.to_string(), name))
        .collect()
}

/// The error page (400) for an address whose parameters are not valid.
pub fn bad_address(error: Error) -> PageError {
    PageError::new(
        StatusCode::BAD_REQUEST,
        format!("The address is not valid: {error}."),
    )
}

/// Percent-encodes a value for one path segment or query-string value: everything but ASCII
/// letters, digits and `-._~` (references hold spaces and slashes, e-mail addresses `@`).
pub fn encode_component(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for byte in raw.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Redirects the browser to `location` after a successful form submission (303 See Other, so
/// that reloading does not submit again).
pub fn see_other(location: &str) -> Response {
    axum::response::Redirect::to(location).into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn components_are_percent_encoded() {
        assert_eq!(super::encode_component("SD 4.6.4.3"), "SD%204.6.4.3");
        assert_eq!(super::encode_component("A.10.1/2"), "A.10.1%2F2");
        assert_eq!(super::encode_component("Ä"), "%C3%84");
        assert_eq!(super::encode_component("gap status"), "gap%20status");
    }
}
