//! The implementation report as a page that prints on A4, and its downloads.

use std::sync::Arc;

use askama::Template;
use axum::{
    extract::{Query, State},
    http::StatusCode,
    response::Response,
};

use super::{Chrome, RangeQuery, download, failed, message, range, render};
use crate::web::console::{Staff, markdown};
use crate::{
    model::AuditAction,
    report::{self},
    store::now,
    vntime::iso_vi,
    web::Web,
};

#[derive(Template)]
#[template(path = "console/report.html")]
struct ReportPage {
    c: Chrome,
    from: String,
    to: String,
    error: Option<String>,
    html: String,
}

/// The report of a range (with a trainer's own sessions for trainers).
fn build_report(web: &Web, staff: &Staff, from: &str, to: &str) -> Result<report::Report, String> {
    let trainer = (!staff.admin()).then_some(&staff.key);
    report::build(web.engine.store(), web.engine.content(), from, to, trainer).map_err(|e| e.to_string())
}

/// `GET /quan-tri/bao-cao?tu&den`: the implementation report as a page that prints on A4.
pub(in crate::web::console) async fn report(
    State(web): State<Arc<Web>>,
    staff: Staff,
    Query(q): Query<RangeQuery>,
) -> Response {
    let ((from, to), error) = match range(&q) {
        Ok(r) => (r, None),
        Err(e) => (range(&RangeQuery::default()).unwrap_or_default(), Some(e)),
    };
    let r = match build_report(&web, &staff, &from, &to) {
        Ok(r) => r,
        Err(e) => return failed(&web, &staff, &e),
    };
    let html = markdown::to_html(&report::render_md(&r, web.engine.content()));
    render(&ReportPage { c: Chrome::of(&web, &staff, "report"), from, to, error, html }, StatusCode::OK)
}

/// `GET /quan-tri/bao-cao/tai?tu&den&dang=md|csv`: the report as a file.
pub(in crate::web::console) async fn report_download(
    State(web): State<Arc<Web>>,
    staff: Staff,
    Query(q): Query<RangeQuery>,
) -> Response {
    let (from, to) = match range(&q) {
        Ok(r) => r,
        Err(e) => return message(&web, Some(&staff), StatusCode::BAD_REQUEST, "Ngày không hợp lệ", &e, None),
    };
    let r = match build_report(&web, &staff, &from, &to) {
        Ok(r) => r,
        Err(e) => return failed(&web, &staff, &e),
    };
    let csv = q.dang == "csv";
    let _ = web.engine.store().audit(
        &staff.key.to_string(),
        AuditAction::ExportReport,
        &format!("{} – {}", iso_vi(&from), iso_vi(&to)),
        now(),
    );
    let body = if csv { report::render_csv(&r) } else { report::render_md(&r, web.engine.content()) };
    download(&format!("bao-cao-trien-khai_{from}_{to}.{}", if csv { "csv" } else { "md" }), csv, body)
}
