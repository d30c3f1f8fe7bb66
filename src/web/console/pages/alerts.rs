//! Alerts: compose, preview, send once or cancel, and follow a broadcast's progress.

use std::{collections::BTreeMap, sync::Arc};

use askama::Template;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::Response,
};
use serde::Deserialize;

use super::{Chrome, TokenForm, failed, message, refused, render, see_other};
use crate::web::console::{Admin, AdminPosted, Refused, Staff};
use crate::{
    model::{BroadcastStatus, OutboxStatus},
    web::Web,
};

#[derive(Template)]
#[template(path = "console/alerts.html")]
struct AlertsPage {
    c: Chrome,
    body: String,
    max: usize,
    error: Option<String>,
    audience: i64,
    broadcasts: Vec<(i64, String)>,
}

fn alerts_page(
    web: &Web,
    staff: &Staff,
    body: String,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let store = web.engine.store();
    let (audience, list) = match (store.audience(), store.broadcast_summaries(20)) {
        (Ok(a), Ok(l)) => (a, l),
        (Err(e), _) | (_, Err(e)) => return failed(web, staff, &e),
    };
    render(
        &AlertsPage {
            c: Chrome::of(web, staff, "alerts"),
            body,
            max: crate::campaign::MAX_ALERT_CHARS,
            error,
            audience,
            broadcasts: list.iter().map(|b| (b.id, crate::campaign::describe_broadcast(b))).collect(),
        },
        status,
    )
}

/// `GET /quan-tri/phat-tin`: compose an alert; the latest broadcasts.
pub(in crate::web::console) async fn alerts(State(web): State<Arc<Web>>, Admin(staff): Admin) -> Response {
    alerts_page(&web, &staff, String::new(), None, StatusCode::OK)
}

#[derive(Debug, Deserialize)]
pub(in crate::web::console) struct AlertForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    body: String,
}

impl crate::web::console::Tokened for AlertForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

#[derive(Template)]
#[template(path = "console/alert_preview.html")]
struct PreviewPage {
    c: Chrome,
    id: i64,
    audience: i64,
    preview: String,
}

/// `POST /quan-tri/phat-tin`: a draft, shown as recipients will see it, with the confirm button.
pub(in crate::web::console) async fn draft_alert(
    State(web): State<Arc<Web>>,
    AdminPosted(staff, f): AdminPosted<AlertForm>,
) -> Response {
    // Line ends as typed in a browser (CR LF) are the chat's (LF).
    let body = f.body.replace("\r\n", "\n");
    match web.engine.create_alert(&staff.key, &body) {
        Ok(Ok(d)) => render(
            &PreviewPage {
                c: Chrome::of(&web, &staff, "alerts"),
                id: d.id,
                audience: d.audience,
                preview: d.message.rich().to_html(),
            },
            StatusCode::OK,
        ),
        Ok(Err(why)) => alerts_page(&web, &staff, body, Some(why), StatusCode::UNPROCESSABLE_ENTITY),
        Err(e) => failed(&web, &staff, &e),
    }
}

/// `POST /quan-tri/phat-tin/{id}/gui`: sends the draft (once), then shows its progress.
pub(in crate::web::console) async fn send_alert(
    State(web): State<Arc<Web>>,
    Path(id): Path<i64>,
    AdminPosted(staff, _): AdminPosted<TokenForm>,
) -> Response {
    match web.engine.send_alert(&staff.key, id) {
        Ok(Some(_)) => see_other(&format!("/quan-tri/phat-tin/{id}")),
        Ok(None) => message(
            &web,
            Some(&staff),
            StatusCode::CONFLICT,
            "Cảnh báo không còn chờ gửi",
            "Cảnh báo này đã được gửi hoặc đã hủy, nên không gửi lại.",
            Some((format!("/quan-tri/phat-tin/{id}"), "Xem tiến độ".into())),
        ),
        Err(e) => failed(&web, &staff, &e),
    }
}

/// `POST /quan-tri/phat-tin/{id}/huy`: drops the draft.
pub(in crate::web::console) async fn cancel_alert(
    State(web): State<Arc<Web>>,
    Path(id): Path<i64>,
    AdminPosted(staff, _): AdminPosted<TokenForm>,
) -> Response {
    match web.engine.cancel_alert(id) {
        Ok(true) => message(
            &web,
            Some(&staff),
            StatusCode::OK,
            "Đã hủy",
            "Đã hủy bản nháp cảnh báo. Không ai nhận được tin này.",
            Some(("/quan-tri/phat-tin".into(), "Soạn cảnh báo khác".into())),
        ),
        Ok(false) => message(
            &web,
            Some(&staff),
            StatusCode::CONFLICT,
            "Không hủy được",
            "Cảnh báo này đã được gửi hoặc đã hủy trước đó.",
            Some(("/quan-tri/phat-tin".into(), "Về trang Phát tin".into())),
        ),
        Err(e) => failed(&web, &staff, &e),
    }
}

#[derive(Template)]
#[template(path = "console/broadcast.html")]
struct BroadcastPage {
    c: Chrome,
    title: String,
    running: bool,
    rows: Vec<(String, String, i64)>,
    totals: Vec<(String, i64)>,
    reasons: Vec<(String, String, i64)>,
}

/// `GET /quan-tri/phat-tin/{id}`: a broadcast's progress (the page refreshes itself while it
/// runs).
pub(in crate::web::console) async fn broadcast(
    State(web): State<Arc<Web>>,
    Admin(staff): Admin,
    Path(id): Path<i64>,
) -> Response {
    let store = web.engine.store();
    let found = match store.broadcast_summary(id) {
        Ok(b) => b,
        Err(e) => return failed(&web, &staff, &e),
    };
    let Some(b) = found else { return refused(&web, Some(&staff), Refused::NotFound) };
    let reasons = match store.broadcast_reasons(id) {
        Ok(r) => r,
        Err(e) => return failed(&web, &staff, &e),
    };
    // Rows being sent right now count as waiting (as in `/thongke`).
    let statuses = [OutboxStatus::Sent, OutboxStatus::Pending, OutboxStatus::Failed, OutboxStatus::Skipped];
    let of = |counts: &BTreeMap<OutboxStatus, i64>, s: OutboxStatus| {
        let n = |s| counts.get(&s).copied().unwrap_or(0);
        n(s) + if s == OutboxStatus::Pending { n(OutboxStatus::Sending) } else { 0 }
    };
    let rows = b
        .counts
        .iter()
        .flat_map(|(channel, counts)| {
            statuses.map(|s| (channel.label_vi().to_owned(), s.label_vi().to_owned(), of(counts, s)))
        })
        .collect();
    let all = b.counts.values().fold(BTreeMap::new(), |mut all, counts| {
        for (s, n) in counts {
            *all.entry(*s).or_insert(0) += n;
        }
        all
    });
    let totals = statuses.map(|s| (s.label_vi().to_owned(), of(&all, s))).to_vec();
    render(
        &BroadcastPage {
            c: Chrome::of(&web, &staff, "alerts"),
            title: crate::campaign::describe_broadcast(&b),
            running: b.status != BroadcastStatus::Done,
            rows,
            totals,
            reasons: reasons
                .into_iter()
                .map(|(s, r, n)| (s.label_vi().to_owned(), r.label_vi().to_owned(), n))
                .collect(),
        },
        StatusCode::OK,
    )
}
