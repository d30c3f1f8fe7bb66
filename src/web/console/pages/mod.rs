//! The console's handlers and templates, a module per page. Every handler takes [`Staff`],
//! [`Admin`] or a posted form checked with the session's token ([`super::Posted`]); this
//! module holds what they share: the page chrome, refusals and messages, date ranges and
//! downloads.

mod alerts;
mod implementation;
mod overview;
mod quizzes;
mod reports;
mod sessions;
mod sign_in;

pub(super) use alerts::{alerts, broadcast, cancel_alert, draft_alert, send_alert};
pub(super) use implementation::{report, report_download};
pub(super) use overview::overview;
pub(super) use quizzes::{quiz, quiz_csv, quizzes};
pub(super) use reports::{decide, export_reports, reports};
pub(super) use sessions::{audit, revoke, sessions};
pub(super) use sign_in::{sign_in, sign_in_page, sign_out};

use askama::Template;
use axum::{
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use tracing::warn;

use super::{Refused, Staff, status_of};
use crate::web::pages::page as render;
use crate::{
    store::{UserKey, now},
    web::Web,
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
pub(in crate::web::console) struct TokenForm {
    #[serde(default)]
    csrf: String,
}

impl super::Tokened for TokenForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// A file to download: CSV (with a byte-order mark, so spreadsheets read UTF-8) or Markdown.
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

// ---- Date ranges ---------------------------------------------------------------------------

/// `?tu=YYYY-MM-DD&den=YYYY-MM-DD` (the date inputs' format).
#[derive(Debug, Default, Deserialize)]
pub(in crate::web::console) struct RangeQuery {
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
