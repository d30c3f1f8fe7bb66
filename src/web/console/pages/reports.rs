//! The scam-report queue: the same decisions as `/duyet` and `/gobaocao`, and the export.

use std::sync::Arc;

use askama::Template;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::Response,
};
use serde::Deserialize;

use super::{Chrome, RangeQuery, download, failed, range, render};
use crate::web::console::{Admin, AdminPosted, Staff};
use crate::{
    model::{AuditAction, ReportStatus},
    store::now,
    vntime::iso_vi,
    web::Web,
};

/// One reported entity on the review page.
struct Entity {
    id: i64,
    lines: Vec<String>,
    status: String,
}

#[derive(Template)]
#[template(path = "console/reports.html")]
struct ReportsPage {
    c: Chrome,
    notice: Option<String>,
    pending: Vec<Entity>,
    decided: Vec<Entity>,
    from: String,
    to: String,
}

/// Reported entities shown at once per list.
const REVIEW_LIMIT: usize = 50;

fn reports_page(web: &Web, staff: &Staff, notice: Option<String>) -> Response {
    let store = web.engine.store();
    let entity = |e: &crate::store::EntitySummary| Entity {
        id: e.id,
        lines: web.engine.describe_entity(e),
        status: e.status.label_vi().to_owned(),
    };
    let (pending, confirmed, rejected) = match (
        store.reported_entities(Some(ReportStatus::Pending)),
        store.reported_entities(Some(ReportStatus::Confirmed)),
        store.reported_entities(Some(ReportStatus::Rejected)),
    ) {
        (Ok(p), Ok(c), Ok(r)) => (p, c, r),
        (Err(e), ..) | (_, Err(e), _) | (.., Err(e)) => return failed(web, staff, &e),
    };
    let mut decided: Vec<_> = confirmed.iter().chain(&rejected).collect();
    decided.sort_by(|a, b| b.last_day.cmp(&a.last_day).then(b.id.cmp(&a.id)));
    let (from, to) = range(&RangeQuery::default()).unwrap_or_default();
    render(
        &ReportsPage {
            c: Chrome::of(web, staff, "reports"),
            notice,
            pending: pending.iter().take(REVIEW_LIMIT).map(entity).collect(),
            decided: decided.into_iter().take(REVIEW_LIMIT).map(entity).collect(),
            from,
            to,
        },
        StatusCode::OK,
    )
}

/// `GET /quan-tri/bao-cao-lua`: the review queue and the latest decisions.
pub(in crate::web::console) async fn reports(State(web): State<Arc<Web>>, Admin(staff): Admin) -> Response {
    reports_page(&web, &staff, None)
}

#[derive(Debug, Deserialize)]
pub(in crate::web::console) struct DecideForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    quyet_dinh: String,
}

impl crate::web::console::Tokened for DecideForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /quan-tri/bao-cao-lua/{id}`: the same decisions as `/duyet` and `/gobaocao`.
pub(in crate::web::console) async fn decide(
    State(web): State<Arc<Web>>,
    Path(id): Path<i64>,
    AdminPosted(staff, f): AdminPosted<DecideForm>,
) -> Response {
    let (status, why) = match f.quyet_dinh.as_str() {
        "xac-nhan" => (ReportStatus::Confirmed, None),
        "khong-phai" => (ReportStatus::Rejected, None),
        "mo-lai" => (ReportStatus::Pending, Some("quản trị viên rút lại quyết định")),
        _ => return reports_page(&web, &staff, Some("Anh/chị chọn một quyết định cho mục này nhé.".into())),
    };
    match web.engine.set_report_status(&staff.key, id, status, why) {
        Ok(text) => reports_page(&web, &staff, Some(text)),
        Err(e) => failed(&web, &staff, &e),
    }
}

/// `GET /quan-tri/bao-cao-lua/xuat?tu&den&dang=csv|md`: the confirmed entities of a period.
pub(in crate::web::console) async fn export_reports(
    State(web): State<Arc<Web>>,
    Admin(staff): Admin,
    Query(q): Query<RangeQuery>,
) -> Response {
    let (from, to) = match range(&q) {
        Ok(r) => r,
        Err(e) => return reports_page(&web, &staff, Some(e)),
    };
    let csv = q.dang != "md";
    let store = web.engine.store();
    let list = match store.confirmed_between(&from, &to) {
        Ok(l) => l,
        Err(e) => return failed(&web, &staff, &e),
    };
    let _ = store.audit(
        &staff.key.to_string(),
        AuditAction::ExportReports,
        &format!("{} – {}, {} mục", iso_vi(&from), iso_vi(&to), list.len()),
        now(),
    );
    let body = crate::reports::export(&list, csv, &from, &to, web.engine.content());
    download(&format!("lua-dao-da-xac-nhan_{from}_{to}.{}", if csv { "csv" } else { "md" }), csv, body)
}
