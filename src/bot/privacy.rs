//! The privacy notice users agree to (Law 91/2025/QH15 and Decree 356/2025/NĐ-CP): what is
//! stored, why, for how long, who is responsible and how to withdraw, with its version. The
//! version changes when the text's revision, a retention period or the responsible unit
//! changes, and a user who agreed to another version is asked again.

use super::{
    action::Action,
    types::{Button, Reply},
};
use crate::{model::retention::Retention, rich::Rich};

/// Bumped when the notice's wording changes in substance.
pub const REVISION: u32 = 2;

/// The notice in force.
#[derive(Debug, Clone)]
pub struct Notice {
    version: String,
    retention: Retention,
    org: Option<String>,
    contact: Option<String>,
}

impl Default for Notice {
    fn default() -> Self {
        Self::new(Retention::default(), None, None)
    }
}

/// FNV-1a, for a short stable fingerprint of the responsible unit in the version.
fn fnv(s: &str) -> u32 {
    s.bytes().fold(0x811c_9dc5_u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193))
}

impl Notice {
    /// The notice for these retention periods and this responsible unit and contact (from the
    /// configuration: `CANHGIAC_ORG_NAME`, `CANHGIAC_PRIVACY_CONTACT`).
    #[must_use]
    pub fn new(retention: Retention, org: Option<String>, contact: Option<String>) -> Self {
        let clean = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        let (org, contact) = (clean(org), clean(contact));
        let unit = format!("{}|{}", org.as_deref().unwrap_or(""), contact.as_deref().unwrap_or(""));
        let version = format!("{REVISION}-{}-{:08x}", retention.fingerprint(), fnv(&unit));
        Self { version, retention, org, contact }
    }

    /// The version stored with a consent.
    #[must_use]
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The retention periods it states.
    #[must_use]
    pub fn retention(&self) -> &Retention {
        &self.retention
    }

    /// Who is responsible for the data, in Vietnamese.
    #[must_use]
    pub fn controller(&self) -> String {
        let org = self.org.as_deref().unwrap_or("Đơn vị triển khai bot này (cơ quan của anh/chị)");
        match &self.contact {
            Some(c) => format!("{org}. Liên hệ về dữ liệu cá nhân: {c}."),
            None => format!("{org}."),
        }
    }

    /// The notice's body: what, why, how long, who, how to withdraw.
    #[must_use]
    pub fn body(&self) -> Rich {
        Rich::new()
            .heading("Quyền riêng tư")
            .bullets([
                format!("Tôi lưu: {}", STORED),
                NOT_STORED.to_owned(),
                PURPOSE.to_owned(),
                format!("Thời hạn lưu: {}.", self.periods()),
                format!("Chịu trách nhiệm: {}", self.controller()),
                RIGHTS.to_owned(),
            ])
            .para(LAW)
    }

    /// The retention periods, in one sentence.
    fn periods(&self) -> String {
        crate::model::retention::RULES
            .iter()
            .map(|r| {
                format!("{} {}", r.short_vi, crate::model::retention::days_vi(self.retention.days(r.kind)))
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The question with its two buttons (after a Zalo follow, `follower` is remembered in
    /// the button, since nothing is stored before the answer).
    #[must_use]
    pub fn request(&self, intro: Option<&str>, follower: bool) -> Reply {
        let mut body = Rich::new();
        if let Some(intro) = intro {
            body = body.para(intro);
        }
        body = body.append(self.body()).para(QUESTION);
        Reply::with_buttons(body, vec![buttons(follower)])
    }
}

/// "Đồng ý" / "Không đồng ý".
#[must_use]
pub fn buttons(follower: bool) -> Vec<Button> {
    vec![
        Button::new("✅ Đồng ý", Action::Consent { agree: true, follower }),
        Button::new("Không đồng ý", Action::Consent { agree: false, follower }),
    ]
}

/// What is stored, once the user agrees.
const STORED: &str = "mã người dùng của nền tảng, thời điểm anh/chị đồng ý, ngày gần nhất anh/chị dùng bot, lựa chọn nhận mẹo hàng tuần, tiến độ và kết quả trắc nghiệm; khi anh/chị tham gia trắc nghiệm nhóm, thêm tên đang hiển thị để lập bảng xếp hạng; khi anh/chị báo cáo lừa đảo, các số điện thoại, số tài khoản, trang web bị báo cáo kèm một mã ẩn danh thay cho anh/chị.";
/// What is never stored.
const NOT_STORED: &str =
    "Tôi không lưu nội dung tin nhắn hay câu hỏi anh/chị gửi: chỉ đếm số lượt theo ngày, không gắn với ai.";
/// Why.
const PURPOSE: &str = "Mục đích: trả lời anh/chị, gửi mẹo và cảnh báo khi anh/chị đăng ký, xác minh báo cáo lừa đảo để cảnh báo người khác, thống kê tổng hợp không gắn với cá nhân cho báo cáo triển khai.";
/// The user's rights and how to use them.
const RIGHTS: &str = "Anh/chị có thể xem dữ liệu (/dulieucuatoi), rút lại đồng ý (/rutdongy) hoặc xóa dữ liệu (/xoadulieu) bất cứ lúc nào; yêu cầu được thực hiện ngay.";
/// The legal basis.
const LAW: &str = "Căn cứ: Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15 và Nghị định số 356/2025/NĐ-CP.";
/// The question.
const QUESTION: &str = "Anh/chị có đồng ý để tôi xử lý dữ liệu như trên không? Nếu không đồng ý, anh/chị vẫn kiểm tra tin nhắn và hỏi đáp được, tôi không lưu gì về anh/chị.";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::retention::Kept;

    #[test]
    fn the_version_follows_the_periods_and_the_responsible_unit() {
        let base = Notice::default();
        assert_eq!(base.version(), Notice::default().version(), "stable");
        let mut r = Retention::default();
        r.set(Kept::QuizResults, 730).expect("set");
        assert_ne!(Notice::new(r, None, None).version(), base.version(), "another period");
        assert_ne!(
            Notice::new(Retention::default(), Some("Sở KH&CN".into()), None).version(),
            base.version(),
            "another unit"
        );
        assert_eq!(
            Notice::new(Retention::default(), Some("  ".into()), None).version(),
            base.version(),
            "blank is unset"
        );
    }

    #[test]
    fn the_notice_says_what_why_how_long_who_and_how_to_withdraw() {
        let n = Notice::new(
            Retention::default(),
            Some("Sở Khoa học và Công nghệ".into()),
            Some("dpo@example.vn".into()),
        );
        let text = n.request(None, false).body.to_plain();
        for needle in [
            "Tôi lưu",
            "Mục đích",
            "Thời hạn lưu",
            "1 năm",
            "3 tháng",
            "Sở Khoa học và Công nghệ",
            "dpo@example.vn",
            "/rutdongy",
            "91/2025/QH15",
            "356/2025/NĐ-CP",
        ] {
            assert!(text.contains(needle), "{needle} missing in {text}");
        }
        let r = n.request(None, true);
        let actions: Vec<Option<Action>> = r.all_buttons().map(|b| Action::decode(&b.data)).collect();
        assert_eq!(
            actions,
            [
                Some(Action::Consent { agree: true, follower: true }),
                Some(Action::Consent { agree: false, follower: true })
            ]
        );
    }
}
