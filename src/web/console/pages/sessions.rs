//! Sign-in sessions (listed and revoked) and the audit log of admin actions.

use std::sync::Arc;

use askama::Template;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::Response,
};

use super::{Chrome, TokenForm, failed, person, render, see_other};
use crate::web::console::{Admin, IDLE_SECS, Posted, Staff};
use crate::{model::AuditAction, store::now, vntime::datetime_vi, web::Web};

/// One open session in the list.
struct SessionRow {
    id: i64,
    who: String,
    since: String,
    last: String,
    agent: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "console/sessions.html")]
struct SessionsPage {
    c: Chrome,
    notice: Option<String>,
    rows: Vec<SessionRow>,
}

fn sessions_page(web: &Web, staff: &Staff, notice: Option<String>) -> Response {
    let owner = (!staff.admin()).then_some(&staff.key);
    let list = match web.engine.store().web_sessions(owner, now(), IDLE_SECS) {
        Ok(l) => l,
        Err(e) => return failed(web, staff, &e),
    };
    render(
        &SessionsPage {
            c: Chrome::of(web, staff, "sessions"),
            notice,
            rows: list
                .into_iter()
                .map(|s| SessionRow {
                    id: s.id,
                    who: person(&s.user.to_string()),
                    since: datetime_vi(s.created_at),
                    last: datetime_vi(s.last_seen),
                    agent: s.agent.unwrap_or_else(|| "(không rõ)".into()),
                    current: s.id == staff.session.id,
                })
                .collect(),
        },
        StatusCode::OK,
    )
}

/// `GET /quan-tri/phien`: open sessions (one's own; everyone's for admins).
pub(in crate::web::console) async fn sessions(State(web): State<Arc<Web>>, staff: Staff) -> Response {
    sessions_page(&web, &staff, None)
}

/// `POST /quan-tri/phien/{id}/thu-hoi`: ends a session.
pub(in crate::web::console) async fn revoke(
    State(web): State<Arc<Web>>,
    Path(id): Path<i64>,
    Posted(staff, _): Posted<TokenForm>,
) -> Response {
    let owner = (!staff.admin()).then_some(&staff.key);
    let store = web.engine.store();
    match store.revoke_web_session(id, owner, now()) {
        Ok(true) => {
            let _ = store.audit(
                &staff.key.to_string(),
                AuditAction::RevokeSession,
                &format!("phiên số {id}"),
                now(),
            );
            if id == staff.session.id {
                return see_other("/quan-tri");
            }
            sessions_page(&web, &staff, Some("Đã thu hồi phiên đăng nhập.".into()))
        }
        Ok(false) => sessions_page(&web, &staff, Some("Phiên này đã kết thúc từ trước.".into())),
        Err(e) => failed(&web, &staff, &e),
    }
}

#[derive(Template)]
#[template(path = "console/audit.html")]
struct AuditPage {
    c: Chrome,
    rows: Vec<(String, String, String, String)>,
}

/// Audit entries shown.
const AUDIT_SHOWN: usize = 300;

/// `GET /quan-tri/nhat-ky`: the latest admin actions.
pub(in crate::web::console) async fn audit(State(web): State<Arc<Web>>, Admin(staff): Admin) -> Response {
    let log = match web.engine.store().audit_log(AUDIT_SHOWN) {
        Ok(l) => l,
        Err(e) => return failed(&web, &staff, &e),
    };
    render(
        &AuditPage {
            c: Chrome::of(&web, &staff, "audit"),
            rows: log
                .into_iter()
                .map(|a| (datetime_vi(a.at), person(&a.who), a.action.label_vi().to_owned(), a.detail))
                .collect(),
        },
        StatusCode::OK,
    )
}
