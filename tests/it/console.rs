//! The web console, in process (`tower::ServiceExt::oneshot` on the router): sign-in with a
//! one-time link (fresh, reused, expired, forged form), the session cookie's attributes,
//! access by role on every page (anonymous, trainer on admin pages, a role taken back), the
//! session's form token (CSRF), and each page's content: overview figures and chart, alert
//! preview and send (once), report decisions and export, group-quiz results and CSV, the
//! printable report and its downloads, sessions and the audit log. And `/web` in the bot.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may fail loudly

use std::{net::SocketAddr, sync::Arc};

use axum::{
    body::Body,
    http::{HeaderMap, Request, StatusCode, header},
};
use canhgiac::{
    bot::{Channel, ChatKind, ChatRef, Engine, Incoming, IncomingKind, Reply, Roles, UserRef},
    model::{AuditAction, EntityKind, QuizMode, Role},
    store::{NewGroupQuiz, NewReport, Store, UserKey, now},
    web::{ClientAddr, Web},
};
use tower::ServiceExt;

use crate::common;

pub struct Console {
    router: axum::Router,
    pub store: Arc<Store>,
    pub engine: Arc<Engine>,
    _index: tempfile::TempDir,
}

pub fn admin() -> UserKey {
    UserKey::new(Channel::Telegram, "1")
}

pub fn trainer() -> UserKey {
    UserKey::new(Channel::Telegram, "2")
}

/// An engine with admin `telegram:1` and trainer `telegram:2`, its console at `console`.
pub fn engine(store: Arc<Store>, console: Option<&str>) -> (Engine, tempfile::TempDir) {
    let (engine, index) = common::engine_with(store);
    let roles = Roles::new(&["telegram:1".into()], &["telegram:2".into()]).expect("roles");
    (engine.with_roles(roles).with_console(console.map(str::to_owned)), index)
}

fn console() -> Console {
    let store = Arc::new(Store::in_memory().expect("store"));
    let (engine, index) = engine(store.clone(), Some("https://canhgiac.example/quan-tri"));
    let engine = Arc::new(engine);
    let web = Web::new(engine.clone(), Some("Sở Khoa học và Công nghệ".into()), None, vec![])
        .expect("web")
        .with_public_url(Some("https://canhgiac.example"));
    Console { router: Arc::new(web).router(), store, engine, _index: index }
}

struct Page {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Console {
    async fn send(&self, req: Request<Body>) -> Page {
        let mut req = req;
        req.extensions_mut().insert(ClientAddr(SocketAddr::from(([198, 51, 100, 7], 40000))));
        let res = self.router.clone().oneshot(req).await.expect("response");
        let (parts, body) = res.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX).await.expect("body");
        Page {
            status: parts.status,
            headers: parts.headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    async fn get(&self, uri: &str, cookie: Option<&str>) -> Page {
        let mut b = Request::get(uri);
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, c);
        }
        self.send(b.body(Body::empty()).expect("req")).await
    }

    async fn post(&self, uri: &str, cookie: Option<&str>, form: &[(&str, &str)]) -> Page {
        let mut b = Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, c);
        }
        self.send(b.body(Body::from(encode(form))).expect("req")).await
    }

    /// The token of a one-time link from the engine (what `/web` sends).
    fn link(&self, who: &UserKey) -> String {
        let url = self.engine.login_link(who, "kiểm thử").expect("link").expect("console on");
        assert!(url.starts_with("https://canhgiac.example/quan-tri/vao?t="), "{url}");
        url.rsplit('=').next().expect("token").to_owned()
    }

    /// Opens the link's page and presses "Đăng nhập": the response.
    async fn redeem(&self, t: &str) -> Page {
        let page = self.get(&format!("/quan-tri/vao?t={t}"), None).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let form = value(&page.body, "token");
        self.post("/quan-tri/vao", None, &[("t", t), ("token", &form)]).await
    }

    /// Signs `who` in: the `Cookie` header value.
    async fn sign_in(&self, who: &UserKey) -> String {
        let t = self.link(who);
        let res = self.redeem(&t).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        cookie(&res.headers)
    }
}

pub fn encode(form: &[(&str, &str)]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
            .collect::<String>()
    };
    form.iter().map(|(k, v)| format!("{k}={}", enc(v))).collect::<Vec<_>>().join("&")
}

/// The value of the first hidden input `name` in a page.
pub fn value(html: &str, name: &str) -> String {
    let key = format!("name=\"{name}\" value=\"");
    let i = html.find(&key).unwrap_or_else(|| panic!("no {name} in {html}")) + key.len();
    html[i..].split('"').next().expect("value").to_owned()
}

fn cookie(h: &HeaderMap) -> String {
    let set = h.get(header::SET_COOKIE).expect("a cookie").to_str().expect("ascii");
    set.split(';').next().expect("pair").to_owned()
}

#[tokio::test]
async fn a_one_time_link_signs_in_once_and_sets_a_strict_cookie() {
    let c = console();
    let anon = c.get("/quan-tri", None).await;
    assert_eq!(anon.status, StatusCode::UNAUTHORIZED);
    assert!(anon.body.contains("Cần đăng nhập") && anon.body.contains("/web"), "{}", anon.body);

    let t = c.link(&admin());
    // Opening the link (as a chat app's preview does) spends nothing.
    assert_eq!(c.get(&format!("/quan-tri/vao?t={t}"), None).await.status, StatusCode::OK);
    let page = c.get(&format!("/quan-tri/vao?t={t}"), None).await;
    assert!(page.body.contains("Đăng nhập trang quản trị"));
    assert_eq!(page.headers[header::REFERRER_POLICY], "no-referrer", "the link's token never leaks");
    let forged = c.post("/quan-tri/vao", None, &[("t", &t), ("token", "0123")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    let res = c.redeem(&t).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.headers[header::LOCATION], "/quan-tri");
    let set = res.headers[header::SET_COOKIE].to_str().expect("ascii");
    for attr in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/quan-tri", "Max-Age=43200"] {
        assert!(set.contains(attr), "{set}");
    }
    let jar = cookie(&res.headers);
    let home = c.get("/quan-tri", Some(&jar)).await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.body);
    assert!(home.body.contains("Tổng quan") && home.body.contains("Telegram 1"));
    let csp = home.headers[header::CONTENT_SECURITY_POLICY].to_str().expect("csp");
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(home.headers[header::CACHE_CONTROL], "no-store");

    let again = c.redeem(&t).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED, "a link works once");
    assert!(again.body.contains("không còn hiệu lực"));
    let old = c.store.create_login_link(&admin(), now() - 1200, now() - 600).expect("old link");
    assert_eq!(c.redeem(&old).await.status, StatusCode::UNAUTHORIZED, "an expired link");
    assert_eq!(c.redeem("not-a-link").await.status, StatusCode::UNAUTHORIZED);
    // Guessing links from one address is soon refused.
    let form = value(&c.get("/quan-tri/vao?t=x", None).await.body, "token");
    let mut last = StatusCode::OK;
    for _ in 0..12 {
        last = c.post("/quan-tri/vao", None, &[("t", "guess"), ("token", &form)]).await.status;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(c.get("/quan-tri", Some("cg_phien=guess")).await.status, StatusCode::UNAUTHORIZED);

    // Signing out ends the session; the cookie is cleared.
    let csrf = value(&home.body, "csrf");
    let out = c.post("/quan-tri/thoat", Some(&jar), &[("csrf", &csrf)]).await;
    assert_eq!(out.status, StatusCode::OK);
    assert!(out.headers[header::SET_COOKIE].to_str().expect("ascii").contains("Max-Age=0"));
    assert_eq!(c.get("/quan-tri", Some(&jar)).await.status, StatusCode::UNAUTHORIZED);
    let log = c.store.audit_log(10).expect("log");
    let actions: Vec<AuditAction> = log.iter().map(|a| a.action).collect();
    assert_eq!(actions, [AuditAction::SignOut, AuditAction::SignIn, AuditAction::LoginLink]);
}

#[tokio::test]
async fn every_page_checks_the_role_on_each_request() {
    let c = console();
    let tr = c.sign_in(&trainer()).await;
    for page in ["/quan-tri", "/quan-tri/trac-nghiem", "/quan-tri/bao-cao", "/quan-tri/phien"] {
        let p = c.get(page, Some(&tr)).await;
        assert_eq!(p.status, StatusCode::OK, "{page}: {}", p.body);
        assert!(!p.body.contains("/quan-tri/phat-tin\""), "no admin links for trainers: {page}");
    }
    let csrf = value(&c.get("/quan-tri", Some(&tr)).await.body, "csrf");
    for page in
        ["/quan-tri/phat-tin", "/quan-tri/bao-cao-lua", "/quan-tri/nhat-ky", "/quan-tri/bao-cao-lua/xuat"]
    {
        let p = c.get(page, Some(&tr)).await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{page}");
        assert!(p.body.contains("chỉ dành cho quản trị viên"));
    }
    for (page, form) in [
        ("/quan-tri/phat-tin", vec![("csrf", csrf.as_str()), ("body", "Cảnh báo")]),
        ("/quan-tri/phat-tin/1/gui", vec![("csrf", csrf.as_str())]),
        ("/quan-tri/bao-cao-lua/1", vec![("csrf", csrf.as_str()), ("quyet_dinh", "xac-nhan")]),
    ] {
        assert_eq!(c.post(page, Some(&tr), &form).await.status, StatusCode::FORBIDDEN, "{page}");
    }
    assert!(c.store.broadcast_summaries(5).expect("list").is_empty(), "nothing was drafted");

    // Someone who is neither admin nor trainer cannot sign in, even with a link.
    let user = UserKey::new(Channel::Zalo, "9");
    let t = c.store.create_login_link(&user, now(), now() + 600).expect("link");
    let no = c.redeem(&t).await;
    assert_eq!(no.status, StatusCode::FORBIDDEN);
    assert!(no.body.contains("chưa được cấp quyền"), "{}", no.body);

    // A trainer granted at run time loses the console with the role.
    let granted = UserKey::new(Channel::Zalo, "5");
    c.store.give_consent(&granted, "v").expect("consent");
    c.store.set_role(&granted, Role::Trainer).expect("grant");
    let jar = c.sign_in(&granted).await;
    assert_eq!(c.get("/quan-tri", Some(&jar)).await.status, StatusCode::OK);
    c.store.set_role(&granted, Role::User).expect("revoke");
    assert_eq!(c.get("/quan-tri", Some(&jar)).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_alert_is_previewed_then_sent_once_with_the_sessions_token() {
    let c = console();
    for id in ["10", "11", "12"] {
        let k = UserKey::new(Channel::Telegram, id);
        c.store.give_consent(&k, "v").expect("consent");
        c.store.subscribe(Channel::Telegram, id, ChatKind::Private).expect("sub");
    }
    let jar = c.sign_in(&admin()).await;
    let page = c.get("/quan-tri/phat-tin", Some(&jar)).await;
    assert!(page.body.contains("<strong>3</strong> nơi"), "{}", page.body);
    let csrf = value(&page.body, "csrf");
    let body = "Cảnh báo: giả danh <công an> gọi video yêu cầu chuyển tiền.\r\n\r\nKhông chuyển tiền!";

    let forged = c.post("/quan-tri/phat-tin", Some(&jar), &[("csrf", "0000"), ("body", body)]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let missing = c.post("/quan-tri/phat-tin", Some(&jar), &[("body", body)]).await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    let other = c.sign_in(&admin()).await;
    let other_csrf = value(&c.get("/quan-tri", Some(&other)).await.body, "csrf");
    assert_ne!(other_csrf, csrf, "each session has its own token");
    let crossed = c.post("/quan-tri/phat-tin", Some(&jar), &[("csrf", &other_csrf), ("body", body)]).await;
    assert_eq!(crossed.status, StatusCode::FORBIDDEN);
    let empty = c.post("/quan-tri/phat-tin", Some(&jar), &[("csrf", &csrf), ("body", "  ")]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let long = "a".repeat(1001);
    let too_long = c.post("/quan-tri/phat-tin", Some(&jar), &[("csrf", &csrf), ("body", &long)]).await;
    assert!(too_long.body.contains("quá giới hạn"), "{}", too_long.body);

    let preview = c.post("/quan-tri/phat-tin", Some(&jar), &[("csrf", &csrf), ("body", body)]).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(preview.body.contains("giả danh &lt;công an&gt;"), "escaped: {}", preview.body);
    assert!(preview.body.contains("Gửi tới 3 nơi nhận"));
    let action = preview.body.split("action=\"/quan-tri/phat-tin/").nth(1).expect("send form");
    let id: i64 = action.split('/').next().expect("id").parse().expect("number");
    assert!(c.store.broadcast_summaries(5).expect("list").is_empty(), "a draft sends nothing");

    let sent = c.post(&format!("/quan-tri/phat-tin/{id}/gui"), Some(&jar), &[("csrf", &csrf)]).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    assert_eq!(sent.headers[header::LOCATION], format!("/quan-tri/phat-tin/{id}"));
    let progress = c.get(&format!("/quan-tri/phat-tin/{id}"), Some(&jar)).await;
    assert!(progress.body.contains("Cảnh báo") && progress.body.contains("http-equiv=\"refresh\""));
    assert!(progress.body.contains("Telegram"), "{}", progress.body);
    let twice = c.post(&format!("/quan-tri/phat-tin/{id}/gui"), Some(&jar), &[("csrf", &csrf)]).await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "a second press sends nothing");
    assert_eq!(c.get("/quan-tri/phat-tin/999", Some(&jar)).await.status, StatusCode::NOT_FOUND);
    // A second draft, cancelled: nobody gets it, and it cannot be sent afterwards.
    let preview = c.post("/quan-tri/phat-tin", Some(&jar), &[("csrf", &csrf), ("body", "Bản nháp")]).await;
    let action = preview.body.split("action=\"/quan-tri/phat-tin/").nth(1).expect("send form");
    let draft: i64 = action.split('/').next().expect("id").parse().expect("number");
    let cancel = c.post(&format!("/quan-tri/phat-tin/{draft}/huy"), Some(&jar), &[("csrf", &csrf)]).await;
    assert!(cancel.body.contains("Đã hủy"), "{}", cancel.body);
    let late = c.post(&format!("/quan-tri/phat-tin/{draft}/gui"), Some(&jar), &[("csrf", &csrf)]).await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    // A body far beyond any alert is refused before it is read.
    let huge = "x".repeat(200 * 1024);
    let big = c.post("/quan-tri/phat-tin", Some(&jar), &[("csrf", &csrf), ("body", &huge)]).await;
    assert_eq!(big.status, StatusCode::PAYLOAD_TOO_LARGE);
    let list = c.store.broadcast_summaries(5).expect("list");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].counts.values().flat_map(|m| m.values()).sum::<i64>(), 3);
    let log = c.store.audit_log(5).expect("log");
    assert_eq!(log[0].action, AuditAction::Alert);
    assert!(log[0].detail.contains("3 nơi nhận"));
    assert_eq!(log[0].who, "telegram:1");
}

#[tokio::test]
async fn the_overview_shows_the_periods_figures_and_a_chart() {
    let c = console();
    let s = &c.store;
    for (k, n) in [("scam", 4), ("suspicious", 2), ("safe", 3)] {
        for _ in 0..n {
            s.count("verdict", k).expect("count");
        }
    }
    s.count("form", "A1").expect("form");
    for id in ["10", "11"] {
        let k = UserKey::new(Channel::Zalo, id);
        s.give_consent(&k, "v").expect("consent");
        s.touch_user(&k).expect("touch");
        s.subscribe(Channel::Zalo, id, ChatKind::Private).expect("sub");
    }
    s.record_quiz(&UserKey::new(Channel::Zalo, "10"), 9, 10).expect("quiz");
    s.record_quiz(&UserKey::new(Channel::Zalo, "11"), 3, 10).expect("quiz");
    let jar = c.sign_in(&trainer()).await;
    let p = c.get("/quan-tri", Some(&jar)).await;
    assert_eq!(p.status, StatusCode::OK);
    let b = &p.body;
    assert!(b.contains("id=\"checks\">9<"), "{b}");
    assert!(b.contains("id=\"subscribers\">2<") && b.contains("id=\"reached\">2<"), "{b}");
    assert!(b.contains("id=\"quizzes\">2<") && b.contains("đạt 50%"), "{b}");
    assert!(b.contains("id=\"takers\">2<"), "two people took a quiz: {b}");
    assert!(b.contains("<svg class=\"chart\"") && b.contains("tổng 9 lượt"), "{b}");
    assert!(b.contains("Lừa đảo") && b.contains("Mẹo tuần tiếp theo"));
    let today = canhgiac::vntime::iso_date(now());
    let first = format!("{}01", &today[..8]);
    assert!(b.contains(&format!("value=\"{first}\"")), "this month by default");
    let bad = c.get("/quan-tri?tu=2026-13-01&den=2026-11-01", Some(&jar)).await;
    assert_eq!(bad.status, StatusCode::OK);
    assert!(bad.body.contains("Ngày không hợp lệ"));
    let empty = c.get("/quan-tri?tu=2020-01-01&den=2020-01-31", Some(&jar)).await;
    assert!(empty.body.contains("id=\"checks\">0<") && empty.body.contains("tổng 0 lượt"));
    assert!(empty.body.contains("id=\"takers\">0<"), "no quiz in that month");
}

#[tokio::test]
async fn reports_are_decided_as_with_duyet_and_exported() {
    let c = console();
    let reporter = UserKey::new(Channel::Telegram, "40");
    c.store.give_consent(&reporter, "v").expect("consent");
    let entities = [(EntityKind::Phone, "0912345678".to_owned(), None)];
    c.store
        .report_scam(&NewReport {
            reporter: &reporter,
            feedback: true,
            entities: &entities,
            form: Some("A1"),
            verdict: "scam",
            daily_limit: 20,
        })
        .expect("report");
    let jar = c.sign_in(&admin()).await;
    let page = c.get("/quan-tri/bao-cao-lua", Some(&jar)).await;
    assert!(page.body.contains("Chờ duyệt (1)") && page.body.contains("0912345678"), "{}", page.body);
    let csrf = value(&page.body, "csrf");
    let id = c.store.reported_value(EntityKind::Phone, "0912345678").expect("get").expect("entity").id;
    let uri = format!("/quan-tri/bao-cao-lua/{id}");
    let forged = c.post(&uri, Some(&jar), &[("csrf", "x"), ("quyet_dinh", "xac-nhan")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let done = c.post(&uri, Some(&jar), &[("csrf", &csrf), ("quyet_dinh", "xac-nhan")]).await;
    assert!(done.body.contains("Đã xác nhận lừa đảo: số điện thoại 0912345678"), "{}", done.body);
    assert!(done.body.contains("1 người báo cáo sẽ nhận được phản hồi"));
    assert!(done.body.contains("Chờ duyệt (0)"));
    assert_eq!(c.engine.register().len(), 1, "the checker knows it now");

    let today = canhgiac::vntime::iso_date(now());
    let csv = c.get(&format!("/quan-tri/bao-cao-lua/xuat?tu={today}&den={today}&dang=csv"), Some(&jar)).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.headers[header::CONTENT_DISPOSITION].to_str().expect("ascii").contains("attachment"));
    assert!(csv.body.contains("phone,0912345678"), "{}", csv.body);
    assert!(!csv.body.contains("telegram:40"), "no reporter");

    let reopen = c.post(&uri, Some(&jar), &[("csrf", &csrf), ("quyet_dinh", "mo-lai")]).await;
    assert!(reopen.body.contains("trở lại danh sách chờ duyệt") && reopen.body.contains("Chờ duyệt (1)"));
    let actions: Vec<AuditAction> = c.store.audit_log(3).expect("log").iter().map(|a| a.action).collect();
    assert_eq!(
        &actions[..3],
        [AuditAction::ReopenReport, AuditAction::ExportReports, AuditAction::ConfirmReport]
    );
}

#[tokio::test]
async fn trainers_see_their_own_group_quizzes_with_leaderboards_and_csv() {
    let c = console();
    let content = c.engine.content();
    let questions: Vec<String> = content.quiz.iter().take(3).map(|q| q.id.clone()).collect();
    fn new<'a>(who: &'a UserKey, code: &'a str, questions: &'a [String]) -> NewGroupQuiz<'a> {
        NewGroupQuiz {
            mode: QuizMode::Code,
            channel: Channel::Telegram,
            chat_id: None,
            code: Some(code),
            trainer: who,
            topic: Some("OTP"),
            difficulty: None,
            questions,
            open_period: 30,
            now: now(),
        }
    }
    let (tr, other) = (trainer(), UserKey::new(Channel::Telegram, "3"));
    let mine = c.store.create_group_quiz(&new(&tr, "ABC123", &questions)).expect("create").expect("id");
    let theirs = c.store.create_group_quiz(&new(&other, "XYZ789", &questions)).expect("create").expect("id");
    for (id, name, right) in [("50", "Lan", true), ("51", "Minh", false)] {
        let k = UserKey::new(Channel::Telegram, id);
        c.store.join_group_quiz(mine, &k, Some(name), now()).expect("join");
        c.store.record_group_answer(mine, &k, 0, 1, right, false, now()).expect("answer");
    }
    let jar = c.sign_in(&tr).await;
    let list = c.get("/quan-tri/trac-nghiem", Some(&jar)).await;
    assert!(list.body.contains(&format!("/quan-tri/trac-nghiem/{mine}\"")), "{}", list.body);
    assert!(!list.body.contains(&format!("/quan-tri/trac-nghiem/{theirs}\"")), "only their own");
    assert_eq!(
        c.get(&format!("/quan-tri/trac-nghiem/{theirs}"), Some(&jar)).await.status,
        StatusCode::NOT_FOUND
    );
    let detail = c.get(&format!("/quan-tri/trac-nghiem/{mine}"), Some(&jar)).await;
    assert!(detail.body.contains("Lan") && detail.body.contains("Minh"), "{}", detail.body);
    assert!(
        detail.body.contains("Tỷ lệ trả lời đúng từng câu") && detail.body.contains("50"),
        "{}",
        detail.body
    );
    let csv = c.get(&format!("/quan-tri/trac-nghiem/{mine}/csv"), Some(&jar)).await;
    assert!(csv.body.contains("participant,1,Lan"), "{}", csv.body);
    assert!(csv.headers[header::CONTENT_TYPE].to_str().expect("ascii").starts_with("text/csv"));
    let admin = c.sign_in(&admin()).await;
    let all = c.get("/quan-tri/trac-nghiem", Some(&admin)).await;
    assert!(all.body.contains(&format!("/quan-tri/trac-nghiem/{theirs}\"")), "admins see every session");
}

#[tokio::test]
async fn the_implementation_report_prints_and_downloads() {
    let c = console();
    c.store.count("verdict", "scam").expect("count");
    let jar = c.sign_in(&admin()).await;
    let p = c.get("/quan-tri/bao-cao?tu=2026-11-01&den=2026-11-30", Some(&jar)).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("<h1>Báo cáo triển khai canhgiac: 01/11/2026 – 30/11/2026</h1>"), "{}", p.body);
    assert!(
        p.body.contains("<table>") && p.body.contains("data-print") && p.body.contains("/static/console.js")
    );
    assert!(p.body.contains("Luật Bảo vệ dữ liệu cá nhân"), "the law in force");
    let md = c.get("/quan-tri/bao-cao/tai?tu=2026-11-01&den=2026-11-30&dang=md", Some(&jar)).await;
    assert!(md.body.starts_with("# Báo cáo triển khai"));
    assert!(md.headers[header::CONTENT_TYPE].to_str().expect("ascii").starts_with("text/markdown"));
    let csv = c.get("/quan-tri/bao-cao/tai?tu=2026-11-01&den=2026-11-30&dang=csv", Some(&jar)).await;
    assert!(csv.body.trim_start_matches('\u{feff}').starts_with("section,"), "{}", csv.body);
    let bad = c.get("/quan-tri/bao-cao/tai?tu=2026-11-30&den=2026-11-01&dang=csv", Some(&jar)).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let js = c.get("/static/console.js", None).await;
    assert!(js.body.contains("window.print"));
    assert_eq!(js.headers[header::CACHE_CONTROL], "public, max-age=86400", "a static file is cached");
    let css = c.get("/static/site.css", None).await;
    assert!(css.body.contains("@page { size: A4"));
}

#[tokio::test]
async fn sessions_are_listed_and_revoked() {
    let c = console();
    let first = c.sign_in(&trainer()).await;
    let second = c.sign_in(&trainer()).await;
    let page = c.get("/quan-tri/phien", Some(&second)).await;
    assert_eq!(page.body.matches("/thu-hoi\"").count(), 2, "{}", page.body);
    let sessions = c.store.web_sessions(Some(&trainer()), now(), canhgiac::web::IDLE_SECS).expect("list");
    let first_id = sessions.iter().map(|s| s.id).min().expect("one");
    let csrf = value(&page.body, "csrf");
    let r = c.post(&format!("/quan-tri/phien/{first_id}/thu-hoi"), Some(&second), &[("csrf", &csrf)]).await;
    assert!(r.body.contains("Đã thu hồi"), "{}", r.body);
    assert_eq!(c.get("/quan-tri", Some(&first)).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(c.get("/quan-tri", Some(&second)).await.status, StatusCode::OK);
    // A trainer cannot end an admin's session.
    let admin_jar = c.sign_in(&admin()).await;
    let admin_id = c.store.web_sessions(Some(&admin()), now(), 7200).expect("list")[0].id;
    let r = c.post(&format!("/quan-tri/phien/{admin_id}/thu-hoi"), Some(&second), &[("csrf", &csrf)]).await;
    assert!(r.body.contains("đã kết thúc từ trước"));
    assert_eq!(c.get("/quan-tri", Some(&admin_jar)).await.status, StatusCode::OK);
    let audit = c.get("/quan-tri/nhat-ky", Some(&admin_jar)).await;
    assert!(
        audit.body.contains("Thu hồi phiên đăng nhập") && audit.body.contains("Telegram 2"),
        "{}",
        audit.body
    );
}

fn web_command(engine: &Engine, user: &str, chat: ChatKind) -> Vec<Reply> {
    engine
        .handle(&Incoming {
            user: UserRef { channel: Channel::Telegram, id: user.into() },
            chat: ChatRef { id: if chat == ChatKind::Group { "-5".into() } else { user.into() }, kind: chat },
            kind: IncomingKind::Command { name: "web".into(), arg: String::new() },
            addressed: true,
        })
        .expect("handle")
}

#[test]
fn the_web_command_sends_admins_and_trainers_a_link_in_private() {
    let store = Arc::new(Store::in_memory().expect("store"));
    let (engine, _index) = engine(store.clone(), Some("https://canhgiac.example/quan-tri"));
    for id in ["1", "2", "7"] {
        store.give_consent(&UserKey::new(Channel::Telegram, id), engine.notice().version()).expect("consent");
    }
    let r = web_command(&engine, "1", ChatKind::Private);
    let button = r[0].all_buttons().next().unwrap_or_else(|| panic!("{r:?}"));
    let url = button.url.as_deref().unwrap_or_else(|| panic!("{r:?}"));
    assert!(url.starts_with("https://canhgiac.example/quan-tri/vao?t=") && url.len() > 60, "{url}");
    assert!(r[0].body.to_plain().contains("một lần"));
    assert!(web_command(&engine, "2", ChatKind::Private)[0].all_buttons().next().is_some(), "trainers too");
    let user = web_command(&engine, "7", ChatKind::Private);
    assert!(user[0].all_buttons().next().is_none() && user[0].body.to_plain().contains("người hướng dẫn"));
    let group = web_command(&engine, "1", ChatKind::Group);
    assert!(group[0].body.to_plain().contains("chat riêng"), "{}", group[0].body.to_plain());
    let (off, _i) = self::engine(store, None);
    let r = web_command(&off, "1", ChatKind::Private);
    assert!(r[0].body.to_plain().contains("chưa được bật"), "{}", r[0].body.to_plain());
}
