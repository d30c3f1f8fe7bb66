//! The console's handlers and templates. Every handler takes [`Staff`] or [`Admin`] (the
//! session and the role, checked on this request) and every form carries the session's token.

use std::{collections::BTreeMap, sync::Arc, time::Instant};

use askama::Template;
use axum::{
    Form,
    extract::{Path, Query, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Response},
};
use serde::Deserialize;
use tracing::warn;

use super::{
    Admin, AdminPosted, IDLE_SECS, Posted, Refused, SESSION_SECS, Staff, chart, markdown, status_of,
};
use crate::{
    model::{AuditAction, BroadcastStatus, OutboxStatus, ReportStatus, Role},
    report::{self, session as results},
    store::{UserKey, now},
    vntime::{datetime_vi, iso_vi},
    web::{ClientAddr, Web},
};

/// What every console page shows around its content.
pub(super) struct Chrome {
    org: String,
    who: String,
    role: &'static str,
    admin: bool,
    csrf: String,
    here: &'static str,
}

impl Chrome {
    fn of(web: &Web, staff: &Staff, here: &'static str) -> Self {
        Self {
            org: web.org.clone(),
            who: person(&staff.key.to_string()),
            role: staff.role.label_vi(),
            admin: staff.admin(),
            csrf: staff.csrf.clone(),
            here,
        }
    }
}

/// A stored `telegram:ID` as people read it ("Telegram 123"); other codes in words.
fn person(who: &str) -> String {
    match who.parse::<UserKey>() {
        Ok(k) => format!("{} {}", k.channel.label_vi(), k.id),
        Err(_) if who == "deleted" => "(đã xóa dữ liệu)".into(),
        Err(_) if who == "schedule" => "Lịch tự động".into(),
        Err(_) if who == "cli" => "Dòng lệnh máy chủ".into(),
        Err(_) => who.to_owned(),
    }
}

fn render(t: &impl Template, status: StatusCode) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            warn!(error = %e, "a console page could not be rendered");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "console/message.html")]
struct MessagePage {
    org: String,
    chrome: Option<Chrome>,
    title: String,
    text: String,
    link: Option<(String, String)>,
}

/// The page for a refused request.
pub(super) fn refused(web: &Web, staff: Option<&Staff>, why: Refused) -> Response {
    let (title, text) = match why {
        Refused::SignIn => (
            "Cần đăng nhập",
            "Anh/chị cần đăng nhập để xem trang này. Gõ /web trong tin nhắn riêng với bot để nhận liên kết đăng nhập (dùng một lần, trong 10 phút).",
        ),
        Refused::Forbidden => {
            ("Không có quyền", "Trang này chỉ dành cho quản trị viên. Anh/chị quay lại trang Tổng quan nhé.")
        }
        Refused::Csrf => (
            "Trang đã cũ",
            "Biểu mẫu này không còn hiệu lực (trang mở từ phiên đăng nhập trước). Anh/chị tải lại trang rồi làm lại nhé.",
        ),
        Refused::NotFound => ("Không tìm thấy", "Không có mục này, hoặc anh/chị không có quyền xem."),
        Refused::Failed => ("Có lỗi", "Máy chủ đang gặp sự cố. Anh/chị thử lại sau ít phút nhé."),
    };
    let status = status_of(&why);
    message(web, staff, status, title, text, staff.map(|_| ("/quan-tri".into(), "Về trang Tổng quan".into())))
}

fn message(
    web: &Web,
    staff: Option<&Staff>,
    status: StatusCode,
    title: &str,
    text: &str,
    link: Option<(String, String)>,
) -> Response {
    render(
        &MessagePage {
            org: web.org.clone(),
            chrome: staff.map(|s| Chrome::of(web, s, "")),
            title: title.into(),
            text: text.into(),
            link,
        },
        status,
    )
}

fn failed(web: &Web, staff: &Staff, e: &dyn std::fmt::Display) -> Response {
    warn!(error = %e, "a console request failed");
    refused(web, Some(staff), Refused::Failed)
}

fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_owned())]).into_response()
}

/// A form with only the session's token.
#[derive(Debug, Deserialize)]
pub(super) struct TokenForm {
    #[serde(default)]
    csrf: String,
}

impl super::Tokened for TokenForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

// ---- Sign-in -------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "console/sign_in.html")]
struct SignInPage {
    org: String,
    link: String,
    form: String,
}

#[derive(Debug, Deserialize)]
pub(super) struct LinkQuery {
    #[serde(default)]
    t: String,
}

/// `GET /quan-tri/vao?t=…`: a button that signs in. Opening the link spends nothing, so a
/// chat app fetching a preview of it cannot use it up.
pub(super) async fn sign_in_page(State(web): State<Arc<Web>>, Query(q): Query<LinkQuery>) -> Response {
    if q.t.trim().is_empty() {
        return refused(&web, None, Refused::SignIn);
    }
    render(
        &SignInPage { org: web.org.clone(), link: q.t.trim().to_owned(), form: web.token() },
        StatusCode::OK,
    )
}

#[derive(Debug, Deserialize)]
pub(super) struct SignInForm {
    #[serde(default)]
    t: String,
    #[serde(default)]
    token: String,
}

/// `POST /quan-tri/vao`: spends the link and opens a session.
pub(super) async fn sign_in(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    addr: Option<axum::Extension<ClientAddr>>,
    Form(f): Form<SignInForm>,
) -> Response {
    let ip = Web::client(&headers, addr.map(|a| a.0));
    if web.limit.take(ip, Instant::now()).is_err() {
        return message(
            &web,
            None,
            StatusCode::TOO_MANY_REQUESTS,
            "Thử lại sau",
            "Có quá nhiều lần đăng nhập từ địa chỉ này. Anh/chị đợi một phút rồi thử lại nhé.",
            None,
        );
    }
    if !web.token_ok(f.token.trim()) {
        return refused(&web, None, Refused::Csrf);
    }
    let agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok());
    let t = now();
    let store = web.engine.store();
    let opened = match store.redeem_login_link(f.t.trim(), t, t + SESSION_SECS, agent) {
        Ok(o) => o,
        Err(e) => {
            warn!(error = %e, "sign-in failed");
            return refused(&web, None, Refused::Failed);
        }
    };
    let Some((user, secret)) = opened else {
        return message(
            &web,
            None,
            StatusCode::UNAUTHORIZED,
            "Liên kết không còn hiệu lực",
            "Liên kết đăng nhập đã được dùng hoặc đã quá 10 phút. Anh/chị gõ /web trong tin nhắn riêng với bot để nhận liên kết mới.",
            None,
        );
    };
    if web.engine.role(&user).map_or(true, |r| r < Role::Trainer) {
        let _ = store.revoke_web_access(&user, t);
        return message(
            &web,
            None,
            StatusCode::FORBIDDEN,
            "Không có quyền",
            "Trang quản trị chỉ dành cho quản trị viên và người hướng dẫn của chiến dịch. Tài khoản này chưa được cấp quyền.",
            None,
        );
    }
    let _ = store.audit(&user.to_string(), AuditAction::SignIn, "", t);
    tracing::info!(channel = user.channel.as_str(), "console sign-in");
    let mut res = see_other("/quan-tri");
    if let Ok(v) = HeaderValue::from_str(&web.session_cookie(Some(&secret))) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}

/// `POST /quan-tri/thoat`: ends this session.
pub(super) async fn sign_out(State(web): State<Arc<Web>>, Posted(staff, _): Posted<TokenForm>) -> Response {
    let store = web.engine.store();
    let t = now();
    let _ = store.revoke_web_session(staff.session.id, None, t);
    let _ = store.audit(&staff.key.to_string(), AuditAction::SignOut, "", t);
    let mut res = message(
        &web,
        None,
        StatusCode::OK,
        "Đã đăng xuất",
        "Anh/chị đã đăng xuất khỏi trang quản trị. Lần sau, gõ /web trong bot để đăng nhập.",
        None,
    );
    if let Ok(v) = HeaderValue::from_str(&web.session_cookie(None)) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}

// ---- Date ranges ---------------------------------------------------------------------------

/// `?tu=YYYY-MM-DD&den=YYYY-MM-DD` (the date inputs' format).
#[derive(Debug, Default, Deserialize)]
pub(super) struct RangeQuery {
    #[serde(default)]
    tu: String,
    #[serde(default)]
    den: String,
    #[serde(default)]
    dang: String,
}

/// The longest range a page shows.
const MAX_RANGE_DAYS: i64 = 366;

/// The range asked for, or this month so far; `Err` with what to tell the user.
fn range(q: &RangeQuery) -> Result<(String, String), String> {
    let today = crate::vntime::iso_date(now());
    let first = format!("{}01", &today[..8]);
    let from = if q.tu.trim().is_empty() { first } else { q.tu.trim().to_owned() };
    let to = if q.den.trim().is_empty() { today } else { q.den.trim().to_owned() };
    let (Some(a), Some(b)) = (crate::vntime::iso_day(&from), crate::vntime::iso_day(&to)) else {
        return Err("Ngày không hợp lệ. Anh/chị chọn lại ngày bắt đầu và ngày kết thúc nhé.".into());
    };
    if b < a {
        return Err("Ngày kết thúc phải sau ngày bắt đầu.".into());
    }
    if b - a >= MAX_RANGE_DAYS {
        return Err("Mỗi lần xem tối đa 366 ngày. Anh/chị chọn khoảng ngắn hơn nhé.".into());
    }
    Ok((from, to))
}

// ---- Overview ------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "console/overview.html")]
struct OverviewPage {
    c: Chrome,
    from: String,
    to: String,
    error: Option<String>,
    period: String,
    reached: i64,
    new_users: i64,
    subscribers: i64,
    subscriber_lines: Vec<String>,
    checks: i64,
    verdicts: Vec<(String, i64)>,
    chart: String,
    forms: Vec<(String, i64)>,
    quizzes: usize,
    takers: i64,
    pass_rate: String,
    average: String,
    group_sessions: i64,
    next_tip: String,
    broadcasts: Vec<(i64, String)>,
}

/// `GET /quan-tri`: the period's figures.
pub(super) async fn overview(
    State(web): State<Arc<Web>>,
    staff: Staff,
    Query(q): Query<RangeQuery>,
) -> Response {
    let (from, to, error) = match range(&q) {
        Ok((f, t)) => (f, t, None),
        Err(e) => {
            let (f, t) = range(&RangeQuery::default()).unwrap_or_default();
            (f, t, Some(e))
        }
    };
    let engine = web.engine.clone();
    let (f2, t2) = (from.clone(), to.clone());
    let built = tokio::task::spawn_blocking(move || {
        let store = engine.store();
        let r = report::build(store, engine.content(), &f2, &t2, None).map_err(|e| e.to_string())?;
        let daily = store.daily_totals("verdict", &f2, &t2).map_err(|e| e.to_string())?;
        let broadcasts = store.broadcast_summaries(5).map_err(|e| e.to_string())?;
        // Vietnamese days as Unix times: from the first day's midnight to the day after the last.
        let day = |d: &str, plus: i64| {
            crate::vntime::iso_day(d).map_or(0, |n| crate::vntime::local_time(n + plus, 0))
        };
        let (takers, _) = store.quiz_takers_between(day(&f2, 0), day(&t2, 1)).map_err(|e| e.to_string())?;
        Ok::<_, String>((r, daily, broadcasts, takers))
    })
    .await;
    let (r, daily, broadcasts, takers) = match built {
        Ok(Ok(x)) => x,
        Ok(Err(e)) => return failed(&web, &staff, &e),
        Err(e) => return failed(&web, &staff, &e),
    };
    let f = &r.figures;
    let sum = |v: &[(String, i64)]| v.iter().map(|(_, n)| n).sum::<i64>();
    let content = web.engine.content();
    let page = OverviewPage {
        c: Chrome::of(&web, &staff, "overview"),
        period: format!("{} – {}", iso_vi(&from), iso_vi(&to)),
        from,
        to,
        error,
        reached: sum(&f.reached),
        new_users: sum(&f.new_users),
        subscribers: f.subscribers_now.iter().map(|s| s.count).sum(),
        subscriber_lines: f
            .subscribers_now
            .iter()
            .map(|s| format!("{}: {} {}", s.channel.label_vi(), s.count, s.chat_kind.label_vi()))
            .collect(),
        checks: sum(&f.verdicts),
        verdicts: f
            .verdicts
            .iter()
            .map(|(k, n)| (crate::campaign::verdict_label(k).to_owned(), *n))
            .collect(),
        chart: chart::svg(&chart::days(&r.from, &r.to, &daily)),
        forms: f
            .forms
            .iter()
            .take(5)
            .map(|(id, n)| (content.form(id).map_or_else(|| id.clone(), |x| x.title.clone()), *n))
            .collect(),
        quizzes: r.all.taken,
        takers,
        pass_rate: format!("{}%", report::percent(r.all.passed, r.all.taken)),
        average: format!("{:.1}%", r.all.average).replace('.', ","),
        group_sessions: f.group_sessions,
        next_tip: web.engine.campaign().next_tip_text(now()),
        broadcasts: broadcasts.iter().map(|b| (b.id, crate::campaign::describe_broadcast(b))).collect(),
    };
    render(&page, StatusCode::OK)
}

// ---- Alerts --------------------------------------------------------------------------------

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
pub(super) async fn alerts(State(web): State<Arc<Web>>, Admin(staff): Admin) -> Response {
    alerts_page(&web, &staff, String::new(), None, StatusCode::OK)
}

#[derive(Debug, Deserialize)]
pub(super) struct AlertForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    body: String,
}

impl super::Tokened for AlertForm {
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
pub(super) async fn draft_alert(
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
pub(super) async fn send_alert(
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
pub(super) async fn cancel_alert(
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
pub(super) async fn broadcast(
    State(web): State<Arc<Web>>,
    Admin(staff): Admin,
    Path(id): Path<i64>,
) -> Response {
    let store = web.engine.store();
    let found = match store.broadcast_summaries(500) {
        Ok(list) => list.into_iter().find(|b| b.id == id),
        Err(e) => return failed(&web, &staff, &e),
    };
    let Some(b) = found else { return refused(&web, Some(&staff), Refused::NotFound) };
    let reasons = match store.broadcast_reasons(id) {
        Ok(r) => r,
        Err(e) => return failed(&web, &staff, &e),
    };
    let statuses = [OutboxStatus::Sent, OutboxStatus::Pending, OutboxStatus::Failed, OutboxStatus::Skipped];
    let mut rows = Vec::new();
    for (channel, counts) in &b.counts {
        for s in statuses {
            let n = counts.get(&s).copied().unwrap_or(0)
                + if s == OutboxStatus::Pending {
                    counts.get(&OutboxStatus::Sending).copied().unwrap_or(0)
                } else {
                    0
                };
            rows.push((channel.label_vi().to_owned(), s.label_vi().to_owned(), n));
        }
    }
    let mut totals: BTreeMap<usize, (String, i64)> = BTreeMap::new();
    for (i, s) in statuses.iter().enumerate() {
        let n = b.total(*s) + if *s == OutboxStatus::Pending { b.total(OutboxStatus::Sending) } else { 0 };
        totals.insert(i, (s.label_vi().to_owned(), n));
    }
    render(
        &BroadcastPage {
            c: Chrome::of(&web, &staff, "alerts"),
            title: crate::campaign::describe_broadcast(&b),
            running: b.status != BroadcastStatus::Done,
            rows,
            totals: totals.into_values().collect(),
            reasons: reasons
                .into_iter()
                .map(|(s, r, n)| (s.label_vi().to_owned(), r.label_vi().to_owned(), n))
                .collect(),
        },
        StatusCode::OK,
    )
}

// ---- Scam reports --------------------------------------------------------------------------

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
pub(super) async fn reports(State(web): State<Arc<Web>>, Admin(staff): Admin) -> Response {
    reports_page(&web, &staff, None)
}

#[derive(Debug, Deserialize)]
pub(super) struct DecideForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    quyet_dinh: String,
}

impl super::Tokened for DecideForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /quan-tri/bao-cao-lua/{id}`: the same decisions as `/duyet` and `/gobaocao`.
pub(super) async fn decide(
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

fn download(name: &str, csv: bool, body: String) -> Response {
    let kind = if csv { "text/csv; charset=utf-8" } else { "text/markdown; charset=utf-8" };
    (
        [
            (header::CONTENT_TYPE, kind.to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        // A BOM so that spreadsheet programs read the CSV's Vietnamese as UTF-8.
        if csv { format!("\u{feff}{body}") } else { body },
    )
        .into_response()
}

/// `GET /quan-tri/bao-cao-lua/xuat?tu&den&dang=csv|md`: the confirmed entities of a period.
pub(super) async fn export_reports(
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

// ---- Group quizzes -------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "console/quizzes.html")]
struct QuizzesPage {
    c: Chrome,
    sessions: Vec<(i64, String, String, String)>,
}

/// Sessions listed.
const SESSIONS_LISTED: usize = 100;

/// `GET /quan-tri/trac-nghiem`: the sessions (a trainer's own; every session for admins).
pub(super) async fn quizzes(State(web): State<Arc<Web>>, staff: Staff) -> Response {
    let store = web.engine.store();
    let list = if staff.admin() {
        store.latest_group_quizzes(SESSIONS_LISTED)
    } else {
        store.trainer_group_quizzes(&staff.key, false, SESSIONS_LISTED)
    };
    let list = match list {
        Ok(l) => l,
        Err(e) => return failed(&web, &staff, &e),
    };
    render(
        &QuizzesPage {
            c: Chrome::of(&web, &staff, "quizzes"),
            sessions: list
                .iter()
                .map(|s| {
                    (s.id, results::title(s), s.status.label_vi().to_owned(), person(&s.trainer.to_string()))
                })
                .collect(),
        },
        StatusCode::OK,
    )
}

#[derive(Template)]
#[template(path = "console/quiz.html")]
struct QuizPage {
    c: Chrome,
    id: i64,
    title: String,
    status: String,
    asked: usize,
    board: Vec<(usize, String, usize, usize)>,
    rates: Vec<(usize, String, usize, usize, usize)>,
    average: String,
    passed: String,
}

/// A session's results when `staff` may see them (their own, or any for admins).
fn session_for(web: &Web, staff: &Staff, id: i64) -> Result<results::SessionResults, Box<Response>> {
    match results::SessionResults::load(web.engine.store(), id) {
        Ok(Some(r)) if staff.admin() || r.session.trainer == staff.key => Ok(r),
        Ok(_) => Err(Box::new(refused(web, Some(staff), Refused::NotFound))),
        Err(e) => Err(Box::new(failed(web, staff, &e))),
    }
}

/// The question asked at `index` of a session.
fn question<'a>(
    web: &'a Web,
    r: &results::SessionResults,
    index: usize,
) -> Option<&'a crate::content::QuizQuestion> {
    let id = r.session.questions.get(index)?;
    web.engine.content().quiz.iter().find(|q| &q.id == id)
}

/// `GET /quan-tri/trac-nghiem/{id}`: the leaderboard and per-question correct rates.
pub(super) async fn quiz(State(web): State<Arc<Web>>, staff: Staff, Path(id): Path<i64>) -> Response {
    let r = match session_for(&web, &staff, id) {
        Ok(r) => r,
        Err(res) => return *res,
    };
    let asked = r.session.asked();
    let passed =
        r.standings.iter().filter(|b| report::percent(b.correct, asked) >= report::PASS_PERCENT).count();
    let average = if r.standings.is_empty() || asked == 0 {
        "–".to_owned()
    } else {
        let sum: usize = r.standings.iter().map(|b| b.correct).sum();
        format!("{:.1}/{asked}", sum as f64 / r.standings.len() as f64).replace('.', ",")
    };
    render(
        &QuizPage {
            c: Chrome::of(&web, &staff, "quizzes"),
            id,
            title: results::title(&r.session),
            status: r.session.status.label_vi().to_owned(),
            asked,
            board: r
                .standings
                .iter()
                .enumerate()
                .map(|(i, b)| {
                    (i + 1, results::shown_name(b, i + 1), b.correct, report::percent(b.correct, asked))
                })
                .collect(),
            rates: r
                .rates
                .iter()
                .map(|q| {
                    (
                        q.question + 1,
                        question(&web, &r, q.question)
                            .map(|x| x.question.trim().to_owned())
                            .unwrap_or_default(),
                        q.correct,
                        q.answered,
                        report::percent(q.correct, q.answered),
                    )
                })
                .collect(),
            passed: format!("{passed}/{}", r.standings.len()),
            average,
        },
        StatusCode::OK,
    )
}

/// `GET /quan-tri/trac-nghiem/{id}/csv`: the session's results with names.
pub(super) async fn quiz_csv(State(web): State<Arc<Web>>, staff: Staff, Path(id): Path<i64>) -> Response {
    let r = match session_for(&web, &staff, id) {
        Ok(r) => r,
        Err(res) => return *res,
    };
    let body = results::csv(&r, true, |i| question(&web, &r, i).map(|q| q.id.clone()));
    download(&format!("trac-nghiem-{id}.csv"), true, body)
}

// ---- Implementation report -----------------------------------------------------------------

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
pub(super) async fn report(
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
pub(super) async fn report_download(
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

// ---- Sessions and audit --------------------------------------------------------------------

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
pub(super) async fn sessions(State(web): State<Arc<Web>>, staff: Staff) -> Response {
    sessions_page(&web, &staff, None)
}

/// `POST /quan-tri/phien/{id}/thu-hoi`: ends a session.
pub(super) async fn revoke(
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
pub(super) async fn audit(State(web): State<Arc<Web>>, Admin(staff): Admin) -> Response {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_default_to_this_month_and_are_checked() {
        let (from, to) = range(&RangeQuery::default()).expect("default");
        assert!(from.ends_with("-01") && from <= to);
        let q = |tu: &str, den: &str| RangeQuery { tu: tu.into(), den: den.into(), dang: String::new() };
        assert_eq!(range(&q("2026-11-01", "2026-11-30")), Ok(("2026-11-01".into(), "2026-11-30".into())));
        assert!(range(&q("2026-11-30", "2026-11-01")).is_err());
        assert!(range(&q("2026-02-30", "2026-03-01")).is_err());
        assert!(range(&q("2024-01-01", "2026-01-01")).is_err(), "over a year");
        assert_eq!(person("telegram:5"), "Telegram 5");
        assert_eq!(person("deleted"), "(đã xóa dữ liệu)");
    }
}
