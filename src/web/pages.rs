//! The public pages' handlers and templates.

use std::{
    net::IpAddr,
    sync::Arc,
    time::{Instant, SystemTime, UNIX_EPOCH},
};

use askama::Template;
use axum::{
    extract::{FromRequest, Multipart, Query, Request, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    middleware::Next,
    response::{Html, IntoResponse, Response},
};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tracing::warn;

use super::{ClientAddr, Web};
use crate::{
    bot::image,
    check::{MAX_CHARS, Verdict, render_card},
    search::Outcome,
    vision::{ImageProblem, Seen},
};

#[derive(Template)]
#[template(path = "index.html")]
struct IndexPage<'a> {
    org: &'a str,
    telegram: Option<String>,
    zalo: Option<String>,
    donts_title: String,
    donts: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "check.html")]
struct CheckPage<'a> {
    org: &'a str,
    embedded: bool,
    action: &'static str,
    token: String,
    text: String,
    max_chars: usize,
    error: Option<String>,
    result: Option<String>,
    verdict_class: &'static str,
    report_link: Option<String>,
}

#[derive(Template)]
#[template(path = "ask.html")]
struct AskPage<'a> {
    org: &'a str,
    q: String,
    error: Option<String>,
    title: String,
    answer: Option<String>,
}

/// A rendered page, or a plain 500 when a template fails (it cannot, short of a bug); the
/// console's pages too.
pub(in crate::web) fn page(t: &impl Template, status: StatusCode) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            warn!(error = %e, "a page could not be rendered");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// Security headers on every page; `frame` is the `frame-ancestors` value.
/// `script` allows scripts from this server (the console's print button).
pub(super) async fn secure_headers(req: Request, next: Next, frame: &str, script: bool) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let script = if script { " script-src 'self';" } else { "" };
    let csp = format!(
        "default-src 'none'; style-src 'self'; img-src 'self';{script} form-action 'self'; base-uri 'none'; frame-ancestors {frame}"
    );
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    if frame == "'none'" {
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

impl Web {
    /// A form token: a keyed hash of the hour, accepted during that hour and the one after (a
    /// page left open a while still posts); another site cannot make one.
    fn token_at(&self, hour: u64) -> String {
        let mut h = Sha256::new();
        h.update(self.secret);
        h.update(hour.to_be_bytes());
        hex::encode(&h.finalize()[..16])
    }

    fn hour() -> u64 {
        SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() / 3600)
    }

    pub(super) fn token(&self) -> String {
        self.token_at(Self::hour())
    }

    pub(super) fn token_ok(&self, t: &str) -> bool {
        let h = Self::hour();
        [h, h.saturating_sub(1)]
            .iter()
            .any(|h| crate::channels::constant_time_eq(self.token_at(*h).as_bytes(), t.as_bytes()))
    }

    /// The client: the connection's address, or, behind a reverse proxy on this host, the
    /// last address the proxy added to `X-Forwarded-For`.
    pub(super) fn client(headers: &HeaderMap, addr: Option<ClientAddr>) -> IpAddr {
        let peer = addr.map_or(IpAddr::from([0, 0, 0, 0]), |a| a.0.ip());
        if peer.is_loopback()
            && let Some(ip) = headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit(',').next())
                .and_then(|v| v.trim().parse().ok())
        {
            return ip;
        }
        peer
    }
}

pub(super) async fn index(State(web): State<Arc<Web>>) -> Response {
    let c = web.engine.content();
    let donts = c.topics.iter().find(|t| t.id == "five_donts");
    page(
        &IndexPage {
            org: &web.org,
            telegram: web.engine.telegram_link(),
            zalo: web.zalo_url.clone(),
            donts_title: donts.map_or_else(|| "Năm không".into(), |t| t.title.clone()),
            donts: donts
                .map(|t| t.items.iter().map(|i| (i.title.clone(), i.text.trim().to_owned())).collect())
                .unwrap_or_default(),
        },
        StatusCode::OK,
    )
}

fn empty_check<'a>(web: &'a Web, embedded: bool) -> CheckPage<'a> {
    CheckPage {
        org: &web.org,
        embedded,
        action: if embedded { "/nhung/kiem-tra" } else { "/kiem-tra" },
        token: web.token(),
        text: String::new(),
        max_chars: MAX_CHARS,
        error: None,
        result: None,
        verdict_class: "",
        report_link: None,
    }
}

pub(super) async fn check_form(State(web): State<Arc<Web>>) -> Response {
    page(&empty_check(&web, false), StatusCode::OK)
}

pub(super) async fn embed_form(State(web): State<Arc<Web>>) -> Response {
    page(&empty_check(&web, true), StatusCode::OK)
}

pub(super) async fn check(State(web): State<Arc<Web>>, req: Request) -> Response {
    run_check(web, req, false).await
}

pub(super) async fn embed_check(State(web): State<Arc<Web>>, req: Request) -> Response {
    run_check(web, req, true).await
}

#[derive(Debug, Default, Deserialize)]
struct CheckForm {
    #[serde(default)]
    text: String,
    #[serde(default)]
    token: String,
}

/// The posted form: the text, the token and an image (multipart), or text and token
/// (URL-encoded). `Err` is the sentence to show.
async fn read_form(req: Request) -> Result<(CheckForm, Option<Vec<u8>>), (StatusCode, &'static str)> {
    let too_large = (StatusCode::PAYLOAD_TOO_LARGE, "Nội dung gửi lên quá lớn (ảnh tối đa 10 MB).");
    let bad = (StatusCode::BAD_REQUEST, "Không đọc được nội dung gửi lên. Anh/chị thử lại nhé.");
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !multipart {
        return match axum::Form::<CheckForm>::from_request(req, &()).await {
            Ok(axum::Form(f)) => Ok((f, None)),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(too_large),
            Err(_) => Err(bad),
        };
    }
    let mut parts = Multipart::from_request(req, &()).await.map_err(|_| bad)?;
    let (mut form, mut image) = (CheckForm::default(), None);
    loop {
        let field = match parts.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large),
            Err(_) => return Err(bad),
        };
        let name = field.name().unwrap_or("").to_owned();
        let data = match field.bytes().await {
            Ok(d) => d,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large),
            Err(_) => return Err(bad),
        };
        match name.as_str() {
            "text" => form.text = String::from_utf8_lossy(&data).into_owned(),
            "token" => form.token = String::from_utf8_lossy(&data).into_owned(),
            "image" if !data.is_empty() => image = Some(data.to_vec()),
            _ => {}
        }
    }
    Ok((form, image))
}

async fn run_check(web: Arc<Web>, req: Request, embedded: bool) -> Response {
    let addr = req.extensions().get::<ClientAddr>().copied();
    let ip = Web::client(req.headers(), addr);
    let mut p = empty_check(&web, embedded);
    if let Err(wait) = web.limit.take(ip, Instant::now()) {
        p.error = Some(format!(
            "Anh/chị kiểm tra hơi nhanh. Vui lòng đợi khoảng {} giây rồi thử lại.",
            wait.as_secs().max(1)
        ));
        let mut res = page(&p, StatusCode::TOO_MANY_REQUESTS);
        if let Ok(v) = HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return res;
    }
    let (form, upload) = match read_form(req).await {
        Ok(x) => x,
        Err((status, why)) => {
            p.error = Some(why.into());
            return page(&p, status);
        }
    };
    if !web.token_ok(form.token.trim()) {
        p.error = Some(
            "Trang đã mở quá lâu hoặc không gửi từ trang này. Anh/chị tải lại trang rồi gửi lại nhé.".into(),
        );
        return page(&p, StatusCode::FORBIDDEN);
    }
    let caption: String = form.text.chars().take(MAX_CHARS).collect();
    p.text = caption.clone();
    let (mut head, text) = match upload {
        None if caption.trim().is_empty() => {
            p.error = Some("Anh/chị dán tin nhắn hoặc chọn một ảnh để kiểm tra nhé.".into());
            return page(&p, StatusCode::UNPROCESSABLE_ENTITY);
        }
        None => (crate::rich::Rich::new(), caption.clone()),
        Some(bytes) => match web.engine.read_image(bytes).await {
            Seen::Problem(problem) if caption.trim().is_empty() => {
                p.error = Some(image::problem_text(problem).into());
                let status = if matches!(problem, ImageProblem::Busy) {
                    StatusCode::SERVICE_UNAVAILABLE
                } else {
                    StatusCode::UNPROCESSABLE_ENTITY
                };
                return page(&p, status);
            }
            Seen::Problem(problem) => {
                (crate::rich::Rich::new().para(image::problem_text(problem)), caption.clone())
            }
            Seen::Read(read) => (image::what_was_read(&read), image::check_text(&read, &caption)),
        },
    };
    if text.trim().is_empty() {
        head =
            head.para("Tôi không thấy chữ hay mã QR nào trong ảnh. Anh/chị dán phần chữ của tin nhắn nhé.");
        p.result = Some(head.to_html());
        return page(&p, StatusCode::OK);
    }
    let checker = web.engine.checker().clone();
    let report = match tokio::task::spawn_blocking(move || checker.check(&text)).await {
        Ok(r) => r,
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    // Counted like the chat's checks (the report's "checks" figures), with no user.
    let store = web.engine.store();
    let _ = store.count("verdict", report.verdict.as_str());
    if let Some((form, _)) = report.types.first() {
        let _ = store.count("form", form);
    }
    p.verdict_class = match report.verdict {
        Verdict::Scam => "scam",
        Verdict::Suspicious => "suspicious",
        Verdict::Safe => "safe",
        Verdict::Unverified => "unverified",
    };
    p.result = Some(head.append(render_card(web.engine.content(), &report)).to_html());
    p.report_link = if matches!(report.verdict, Verdict::Scam | Verdict::Suspicious) {
        web.engine.telegram_link()
    } else {
        None
    };
    page(&p, StatusCode::OK)
}

#[derive(Debug, Deserialize)]
pub(super) struct AskQuery {
    #[serde(default)]
    q: String,
}

/// Longest question read (a question is a sentence or two).
const MAX_QUESTION: usize = 500;

pub(super) async fn ask(
    State(web): State<Arc<Web>>,
    Query(AskQuery { q }): Query<AskQuery>,
    headers: HeaderMap,
    addr: Option<axum::Extension<ClientAddr>>,
) -> Response {
    let q: String = q.chars().take(MAX_QUESTION).collect();
    let mut p = AskPage { org: &web.org, q: q.clone(), error: None, title: String::new(), answer: None };
    if q.trim().is_empty() {
        return page(&p, StatusCode::OK);
    }
    let ip = Web::client(&headers, addr.map(|a| a.0));
    if let Err(wait) = web.limit.take(ip, Instant::now()) {
        p.error = Some("Anh/chị hỏi hơi nhanh. Vui lòng đợi một chút rồi thử lại.".into());
        let mut res = page(&p, StatusCode::TOO_MANY_REQUESTS);
        if let Ok(v) = HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return res;
    }
    let searcher = web.engine.searcher().clone();
    let outcome = match tokio::task::spawn_blocking(move || searcher.ask(&q)).await {
        Ok(Ok(o)) => o,
        _ => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    match outcome {
        Outcome::Answer(a) => {
            p.title = a.title.clone();
            p.answer = Some(a.body.to_html());
        }
        Outcome::NoMatch { .. } => {
            p.error = Some(
                "Cẩm nang chưa có câu trả lời phù hợp. Anh/chị thử hỏi cách khác, hoặc dán tin nhắn vào trang Kiểm tra tin nhắn."
                    .into(),
            );
        }
    }
    page(&p, StatusCode::OK)
}
