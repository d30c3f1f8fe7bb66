//! The public pages, in process (`tower::ServiceExt::oneshot` on the router): the home page,
//! the check page with a scam and a legitimate message (URL-encoded and multipart, with a
//! screenshot), the question page, the embeddable variant's framing rules, the form token,
//! rate limits per client address, oversized bodies, and nothing stored.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may fail loudly

use std::{net::SocketAddr, sync::Arc};

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use canhgiac::web::{ClientAddr, Web, parse_origins};
use tower::ServiceExt;

use crate::common;

struct Site {
    router: axum::Router,
    _index: tempfile::TempDir,
    store: Arc<canhgiac::store::Store>,
}

fn site(origins: &[&str]) -> Site {
    let store = Arc::new(canhgiac::store::Store::in_memory().expect("store"));
    let (engine, index) = common::engine_with(store.clone());
    let vision = canhgiac::vision::Vision::new(canhgiac::vision::VisionSettings::default());
    let engine = Arc::new(engine.with_vision(Some(Arc::new(vision))));
    engine.set_telegram_username(Some("canhgiac_bot".into()));
    let origins = parse_origins(&origins.join(",")).expect("origins");
    let web = Web::new(
        engine,
        Some("Sở Khoa học và Công nghệ".into()),
        Some("https://zalo.me/123".into()),
        origins,
    )
    .expect("web");
    Site { router: Arc::new(web).router(), _index: index, store }
}

fn from(ip: &str, req: Request<Body>) -> Request<Body> {
    let mut req = req;
    req.extensions_mut().insert(ClientAddr(SocketAddr::new(ip.parse().expect("ip"), 40000)));
    req
}

async fn send(site: &Site, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, String) {
    let res = site.router.clone().oneshot(req).await.expect("response");
    let (parts, body) = res.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.expect("body");
    (parts.status, parts.headers, String::from_utf8_lossy(&bytes).into_owned())
}

async fn get(site: &Site, uri: &str) -> (StatusCode, axum::http::HeaderMap, String) {
    send(site, from("203.0.113.9", Request::get(uri).body(Body::empty()).expect("req"))).await
}

/// The form token in a page.
fn token(html: &str) -> String {
    let i = html.find("name=\"token\" value=\"").expect("a token") + 20;
    html[i..i + 32].to_owned()
}

fn urlencoded(text: &str, token: &str) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
            .collect::<String>()
    };
    format!("text={}&token={}", enc(text), enc(token))
}

fn post_form(uri: &str, ip: &str, body: String) -> Request<Body> {
    from(
        ip,
        Request::post(uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("req"),
    )
}

fn multipart(fields: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----canhgiac-test-boundary";
    let mut body = Vec::new();
    for (name, file, data) in fields {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match file {
            Some(f) => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: image/png\r\n\r\n").as_bytes(),
            ),
            None => body.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes()),
        }
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

const SCAM: &str = "Vietcombank: tai khoan cua quy khach bi tam khoa. Vui long xac thuc tai https://vietcombank-xacthuc.top/login de tranh bi phong toa.";
const LEGIT: &str = "Chiều nay 15h họp giao ban ở phòng họp tầng 2, mọi người mang theo báo cáo tuần nhé.";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_home_page_names_the_bot_and_the_five_donts() {
    let s = site(&[]);
    let (status, headers, html) = get(&s, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("https://t.me/canhgiac_bot") && html.contains("https://zalo.me/123"));
    assert!(html.contains("Không cung cấp mã OTP cho bất kỳ ai"), "the five don'ts");
    assert!(html.contains("Sở Khoa học và Công nghệ"));
    assert_eq!(headers["x-frame-options"], "DENY");
    assert!(headers["content-security-policy"].to_str().expect("csp").contains("frame-ancestors 'none'"));
    let (status, headers, css) = get(&s, "/static/site.css").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers["content-type"].to_str().expect("ct").starts_with("text/css") && css.contains("--primary")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pasted_scam_and_a_legitimate_message_get_the_verdict_card_and_nothing_is_stored() {
    let s = site(&[]);
    let (status, _, form) = get(&s, "/kiem-tra").await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("không được lưu lại"), "the page says nothing is stored");
    let t = token(&form);
    let (status, _, html) = send(&s, post_form("/kiem-tra", "203.0.113.10", urlencoded(SCAM, &t))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("🚨 LỪA ĐẢO") && html.contains("class=\"verdict scam\""), "{html}");
    assert!(html.contains("vietcombank-xacthuc.top"), "the scam's link is named");
    assert!(!html.contains("href=\"https://vietcombank-xacthuc.top"), "never a clickable anchor to it");
    assert!(html.contains("https://t.me/canhgiac_bot"), "a report button opens the bot");
    let (status, _, html) = send(&s, post_form("/kiem-tra", "203.0.113.10", urlencoded(LEGIT, &t))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("CHƯA THẤY DẤU HIỆU") && !html.contains("🚨"), "{html}");
    // Only anonymous counts: no user, no text.
    assert_eq!(s.store.check().expect("check").users, 0);
    // Markup in the message is escaped.
    let (_, _, html) =
        send(&s, post_form("/kiem-tra", "203.0.113.10", urlencoded("<script>alert(1)</script>", &t))).await;
    assert!(!html.contains("<script>alert"), "escaped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_screenshot_uploaded_to_the_check_page_is_read_and_checked() {
    let s = site(&[]);
    let t = token(&get(&s, "/kiem-tra").await.2);
    let mut painter = canhgiac::testing::images::Painter::default();
    let shot = canhgiac::testing::images::Shot {
        theme: "light".into(),
        font: "sans".into(),
        size: 34.0,
        width: 1080,
        format: "png".into(),
        quality: 0,
        degrees: 0.0,
    };
    let png = painter.screenshot("Chúc mừng bạn trúng thưởng iPhone 17. Đóng phí nhận quà 500.000đ vào STK 0123456789 rồi bấm https://nhanqua-tri-an.top để xác nhận.", &shot);
    let (ct, body) =
        multipart(&[("token", None, t.as_bytes()), ("text", None, b""), ("image", Some("anh.png"), &png)]);
    let req = from(
        "203.0.113.11",
        Request::post("/kiem-tra").header(header::CONTENT_TYPE, ct).body(Body::from(body)).expect("req"),
    );
    let (status, _, html) = send(&s, req).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    if canhgiac::vision::Vision::new(canhgiac::vision::VisionSettings::default()).ocr_status().is_ok() {
        assert!(html.contains("Tôi đọc được trong ảnh") && html.contains("🚨 LỪA ĐẢO"), "{html}");
    }
    // A file that is not an image: a polite refusal.
    let (ct, body) = multipart(&[("token", None, t.as_bytes()), ("image", Some("x.png"), b"not an image")]);
    let req = from(
        "203.0.113.11",
        Request::post("/kiem-tra").header(header::CONTENT_TYPE, ct).body(Body::from(body)).expect("req"),
    );
    let (status, _, html) = send(&s, req).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("không mở được tệp này như một ảnh"), "{html}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_empty_oversized_and_too_frequent_posts_are_refused() {
    let s = site(&[]);
    let t = token(&get(&s, "/kiem-tra").await.2);
    // No token, or another site's: refused (CSRF).
    let (status, _, html) =
        send(&s, post_form("/kiem-tra", "198.51.100.1", urlencoded(SCAM, "deadbeef"))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("tải lại trang"));
    let (status, _, _) = send(&s, post_form("/kiem-tra", "198.51.100.1", urlencoded("   ", &t))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // Larger than an image may be.
    let big = vec![b'a'; canhgiac::web::MAX_BODY + 1];
    let (ct, body) = multipart(&[("token", None, t.as_bytes()), ("image", Some("big.png"), &big)]);
    let req = from(
        "198.51.100.2",
        Request::post("/kiem-tra").header(header::CONTENT_TYPE, ct).body(Body::from(body)).expect("req"),
    );
    let (status, _, _) = send(&s, req).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    // A burst of 10, then one a few seconds, per address; another address is not affected.
    let mut limited = 0;
    for _ in 0..14 {
        let (status, headers, _) =
            send(&s, post_form("/kiem-tra", "198.51.100.3", urlencoded(LEGIT, &t))).await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            limited += 1;
            assert!(headers.contains_key("retry-after"));
        }
    }
    assert!(limited >= 3, "{limited}");
    let (status, _, _) = send(&s, post_form("/kiem-tra", "198.51.100.4", urlencoded(LEGIT, &t))).await;
    assert_eq!(status, StatusCode::OK);
    // Behind a proxy on this host, the forwarded address counts.
    let req = |ip: &str| {
        let mut r = post_form("/kiem-tra", "127.0.0.1", urlencoded(LEGIT, &t));
        r.headers_mut().insert("x-forwarded-for", ip.parse().expect("h"));
        r
    };
    assert_eq!(send(&s, req("192.0.2.50")).await.0, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn questions_are_answered_from_the_handbook() {
    let s = site(&[]);
    let (status, _, html) = get(
        &s,
        "/hoi?q=b%E1%BB%8B%20l%E1%BB%ABa%20chuy%E1%BB%83n%20ti%E1%BB%81n%20th%C3%AC%20l%C3%A0m%20g%C3%AC",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("class=\"answer\""), "{html}");
    let (status, _, html) = get(&s, "/hoi").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("name=\"q\"") && !html.contains("class=\"answer\""));
    // Questions share the address's allowance with checks.
    let mut limited = 0;
    for _ in 0..14 {
        let req = from("198.51.100.77", Request::get("/hoi?q=otp").body(Body::empty()).expect("req"));
        let (status, headers, _) = send(&s, req).await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            limited += 1;
            assert!(headers.contains_key("retry-after"));
        }
    }
    assert!(limited >= 3, "{limited}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_listed_sites_may_frame_the_embeddable_check() {
    let s = site(&["https://sokhcn.dongnai.gov.vn"]);
    let (status, headers, html) = get(&s, "/nhung/kiem-tra").await;
    assert_eq!(status, StatusCode::OK);
    let csp = headers["content-security-policy"].to_str().expect("csp");
    assert!(csp.contains("frame-ancestors https://sokhcn.dongnai.gov.vn"), "{csp}");
    assert!(!headers.contains_key("x-frame-options"));
    assert!(html.contains("action=\"/nhung/kiem-tra\"") && !html.contains("class=\"bar\""), "no site chrome");
    let t = token(&html);
    let (status, _, html) =
        send(&s, post_form("/nhung/kiem-tra", "203.0.113.20", urlencoded(SCAM, &t))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("🚨 LỪA ĐẢO"));
    // Unlisted: nobody may frame it.
    let s = site(&[]);
    let (_, headers, _) = get(&s, "/nhung/kiem-tra").await;
    assert!(headers["content-security-policy"].to_str().expect("csp").contains("frame-ancestors 'none'"));
    assert!(parse_origins("https://a.gov.vn/path").is_err() && parse_origins("javascript:x").is_err());
    assert_eq!(
        parse_origins(" https://a.gov.vn , https://b.vn:8443 ").expect("ok"),
        ["https://a.gov.vn", "https://b.vn:8443"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_serves_the_public_pages_over_loopback() {
    let (_fake, url) = canhgiac::testing::fake_telegram::start().await.expect("fake");
    let data = tempfile::tempdir().expect("data");
    let store = Arc::new(canhgiac::store::Store::open(data.path()).expect("store"));
    let (engine, _index) = common::engine_with(store);
    let served = common::spawn_serve(common::telegram_config(&url, data.path()), engine).await;
    let http = reqwest::Client::new();
    let form = http.get(format!("http://{}/kiem-tra", served.addr)).send().await.expect("get");
    assert_eq!(form.status(), 200);
    let t = token(&form.text().await.expect("html"));
    let res = http
        .post(format!("http://{}/kiem-tra", served.addr))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(urlencoded(SCAM, &t))
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), 200);
    let html = res.text().await.expect("html");
    assert!(html.contains("🚨 LỪA ĐẢO"));
    assert!(html.contains("https://t.me/canhgiac_bot"), "the bot's link learnt from getMe");
    served.shutdown(15).await;
}
