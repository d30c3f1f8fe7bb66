//! Signing in with a one-time link and signing out.

use std::{sync::Arc, time::Instant};

use askama::Template;
use axum::{
    Form,
    extract::{Query, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::Response,
};
use serde::Deserialize;
use tracing::warn;

use super::{TokenForm, message, refused, render, see_other};
use crate::web::console::{Posted, Refused, SESSION_SECS};
use crate::{
    model::{AuditAction, Role},
    store::now,
    web::{ClientAddr, Web},
};

#[derive(Template)]
#[template(path = "console/sign_in.html")]
struct SignInPage {
    org: String,
    link: String,
    form: String,
}

#[derive(Debug, Deserialize)]
pub(in crate::web::console) struct LinkQuery {
    #[serde(default)]
    t: String,
}

/// `GET /quan-tri/vao?t=…`: a button that signs in. Opening the link spends nothing, so a
/// chat app fetching a preview of it cannot use it up.
pub(in crate::web::console) async fn sign_in_page(
    State(web): State<Arc<Web>>,
    Query(q): Query<LinkQuery>,
) -> Response {
    if q.t.trim().is_empty() {
        return refused(&web, None, Refused::SignIn);
    }
    render(
        &SignInPage { org: web.org.clone(), link: q.t.trim().to_owned(), form: web.token() },
        StatusCode::OK,
    )
}

#[derive(Debug, Deserialize)]
pub(in crate::web::console) struct SignInForm {
    #[serde(default)]
    t: String,
    #[serde(default)]
    token: String,
}

/// `POST /quan-tri/vao`: spends the link and opens a session.
pub(in crate::web::console) async fn sign_in(
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
pub(in crate::web::console) async fn sign_out(
    State(web): State<Arc<Web>>,
    Posted(staff, _): Posted<TokenForm>,
) -> Response {
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
