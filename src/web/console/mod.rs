//! The web console at `/quan-tri`, for admins and trainers: sign-in with a one-time link from
//! the bot (`/web`) or the command line (`canhgiac web login-link`), a session cookie
//! (HttpOnly, SameSite=Strict, Secure behind https), the role checked again on every request,
//! a per-session token on every form (CSRF), and the pages: overview with a chart, alerts,
//! the scam-report queue, group quizzes, the implementation report, sessions and the audit
//! log. Server-rendered; the only script is a print button.

mod chart;
mod markdown;
mod pages;

use std::sync::Arc;

use axum::{
    Router,
    extract::{FromRequest, FromRequestParts, OptionalFromRequestParts, Request},
    http::{HeaderValue, StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use sha2::{Digest, Sha256};

use super::Web;
use crate::{
    model::Role,
    store::{UserKey, WebSession, now},
};

/// Longest a session lasts, however active.
pub const SESSION_SECS: i64 = 12 * 3600;
/// A session unused this long ends.
pub const IDLE_SECS: i64 = 2 * 3600;
/// The session cookie.
const COOKIE: &str = "cg_phien";
/// Largest console request body: an alert is at most 1,000 characters.
pub const MAX_FORM: usize = 64 * 1024;

/// Who is signed in, checked on this request.
#[derive(Debug, Clone)]
pub(super) struct Staff {
    /// Their key.
    pub key: UserKey,
    /// Their role now (configuration and store, read on this request).
    pub role: Role,
    /// The session.
    pub session: WebSession,
    /// The token every form of this session carries.
    pub csrf: String,
}

impl Staff {
    /// Whether they are an admin.
    pub fn admin(&self) -> bool {
        self.role >= Role::Admin
    }
}

/// Why a console request was refused: a page saying so.
#[derive(Debug)]
pub(super) enum Refused {
    /// Not signed in (or the session ended).
    SignIn,
    /// Signed in, but the role does not allow this.
    Forbidden,
    /// The form's token is not this session's.
    Csrf,
    /// Nothing here.
    NotFound,
    /// The store failed.
    Failed,
}

impl Web {
    /// The token of a session's forms: a keyed hash of the session.
    fn csrf_of(&self, session: &WebSession) -> String {
        let mut h = Sha256::new();
        h.update(self.secret);
        h.update(b"console-form");
        h.update(session.id.to_be_bytes());
        h.update(session.created_at.to_be_bytes());
        hex::encode(&h.finalize()[..16])
    }

    /// The `Set-Cookie` value for a session's secret (`None`: clear it).
    fn session_cookie(&self, secret: Option<&str>) -> String {
        let secure = if self.secure_cookie { "; Secure" } else { "" };
        match secret {
            Some(s) => {
                format!(
                    "{COOKIE}={s}; Path=/quan-tri; HttpOnly; SameSite=Strict; Max-Age={SESSION_SECS}{secure}"
                )
            }
            None => format!("{COOKIE}=; Path=/quan-tri; HttpOnly; SameSite=Strict; Max-Age=0{secure}"),
        }
    }

    /// The signed-in staff member of a request, if any (role at least trainer).
    fn staff(&self, parts: &Parts) -> Result<Option<Staff>, Refused> {
        let Some(secret) = cookie(parts, COOKIE) else { return Ok(None) };
        let store = self.engine.store();
        let t = now();
        let Some(session) = store.web_session(&secret, t, IDLE_SECS).map_err(|_| Refused::Failed)? else {
            return Ok(None);
        };
        let role = self.engine.role(&session.user).map_err(|_| Refused::Failed)?;
        if role < Role::Trainer {
            // The role was taken back since: the session ends.
            let _ = store.revoke_web_session(session.id, None, t);
            return Ok(None);
        }
        Ok(Some(Staff { key: session.user.clone(), role, csrf: self.csrf_of(&session), session }))
    }
}

/// A cookie's value from the request's `Cookie` headers.
fn cookie(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, v)| *k == name && !v.is_empty())
        .map(|(_, v)| v.to_owned())
}

impl FromRequestParts<Arc<Web>> for Staff {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, web: &Arc<Web>) -> Result<Self, Self::Rejection> {
        match web.staff(parts) {
            Ok(Some(s)) => Ok(s),
            Ok(None) => Err(pages::refused(web, None, Refused::SignIn)),
            Err(r) => Err(pages::refused(web, None, r)),
        }
    }
}

impl OptionalFromRequestParts<Arc<Web>> for Staff {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, web: &Arc<Web>) -> Result<Option<Self>, Self::Rejection> {
        web.staff(parts).map_err(|r| pages::refused(web, None, r))
    }
}

/// An admin: staff whose role is admin (a trainer gets the "not allowed" page).
#[derive(Debug, Clone)]
pub(super) struct Admin(pub Staff);

impl FromRequestParts<Arc<Web>> for Admin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, web: &Arc<Web>) -> Result<Self, Self::Rejection> {
        let staff = <Staff as FromRequestParts<Arc<Web>>>::from_request_parts(parts, web).await?;
        if staff.admin() {
            Ok(Self(staff))
        } else {
            Err(pages::refused(web, Some(&staff), Refused::Forbidden))
        }
    }
}

/// A form that carries the session's token.
pub(super) trait Tokened {
    /// The token posted.
    fn csrf(&self) -> &str;
}

/// A form posted by signed-in staff: the session, the role and this session's form token
/// checked before the handler runs.
#[derive(Debug)]
pub(super) struct Posted<T>(pub Staff, pub T);

impl<T> FromRequest<Arc<Web>> for Posted<T>
where
    T: serde::de::DeserializeOwned + Tokened + Send,
{
    type Rejection = Response;

    async fn from_request(req: Request, web: &Arc<Web>) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let staff = <Staff as FromRequestParts<Arc<Web>>>::from_request_parts(&mut parts, web).await?;
        let axum::Form(form) = axum::Form::<T>::from_request(Request::from_parts(parts, body), web)
            .await
            .map_err(IntoResponse::into_response)?;
        let ok = crate::channels::constant_time_eq(staff.csrf.as_bytes(), form.csrf().trim().as_bytes());
        if ok { Ok(Self(staff, form)) } else { Err(pages::refused(web, Some(&staff), Refused::Csrf)) }
    }
}

/// [`Posted`] by an admin (a trainer gets the "not allowed" page).
#[derive(Debug)]
pub(super) struct AdminPosted<T>(pub Staff, pub T);

impl<T> FromRequest<Arc<Web>> for AdminPosted<T>
where
    T: serde::de::DeserializeOwned + Tokened + Send,
{
    type Rejection = Response;

    async fn from_request(req: Request, web: &Arc<Web>) -> Result<Self, Self::Rejection> {
        let Posted(staff, form) = Posted::<T>::from_request(req, web).await?;
        if staff.admin() {
            Ok(Self(staff, form))
        } else {
            Err(pages::refused(web, Some(&staff), Refused::Forbidden))
        }
    }
}

/// The console's routes (under `/quan-tri`).
pub(super) fn router() -> Router<Arc<Web>> {
    Router::new()
        .route("/quan-tri/vao", get(pages::sign_in_page).post(pages::sign_in))
        .route("/quan-tri/thoat", post(pages::sign_out))
        .route("/quan-tri", get(pages::overview))
        .route("/quan-tri/phat-tin", get(pages::alerts).post(pages::draft_alert))
        .route("/quan-tri/phat-tin/{id}", get(pages::broadcast))
        .route("/quan-tri/phat-tin/{id}/gui", post(pages::send_alert))
        .route("/quan-tri/phat-tin/{id}/huy", post(pages::cancel_alert))
        .route("/quan-tri/bao-cao-lua", get(pages::reports))
        .route("/quan-tri/bao-cao-lua/xuat", get(pages::export_reports))
        .route("/quan-tri/bao-cao-lua/{id}", post(pages::decide))
        .route("/quan-tri/trac-nghiem", get(pages::quizzes))
        .route("/quan-tri/trac-nghiem/{id}", get(pages::quiz))
        .route("/quan-tri/trac-nghiem/{id}/csv", get(pages::quiz_csv))
        .route("/quan-tri/bao-cao", get(pages::report))
        .route("/quan-tri/bao-cao/tai", get(pages::report_download))
        .route("/quan-tri/phien", get(pages::sessions))
        .route("/quan-tri/phien/{id}/thu-hoi", post(pages::revoke))
        .route("/quan-tri/nhat-ky", get(pages::audit))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_FORM))
}

/// `GET /static/console.js`, the console's only script: the print button (a static file, so
/// the CSP allows no inline script).
pub(super) async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/javascript; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400")),
        ],
        include_str!("../../../assets/web/console.js"),
    )
}

/// A status page for a refusal.
fn status_of(r: &Refused) -> StatusCode {
    match r {
        Refused::SignIn => StatusCode::UNAUTHORIZED,
        Refused::Forbidden | Refused::Csrf => StatusCode::FORBIDDEN,
        Refused::NotFound => StatusCode::NOT_FOUND,
        Refused::Failed => StatusCode::INTERNAL_SERVER_ERROR,
    }
}
