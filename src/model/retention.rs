//! How long each kind of personal data is kept, in one place: the privacy notice states these
//! periods, `serve` enforces them with a daily purge ([`crate::store::Store::purge`]), `doctor`
//! and the report print them, and an operator changes them with `CANHGIAC_RETENTION_*_DAYS`
//! (or `retention:` in the configuration file). Data kept for a fixed, short time by design
//! (pasted texts in memory, update keys in the inbox) is listed in [`FIXED`].

use serde::Deserialize;

/// A kind of personal data with a configurable retention period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kept {
    /// A user's record (platform id, consent, role, last day of contact) once they have not
    /// written for the period and receive no tips.
    LastContact,
    /// An unfinished personal quiz and the list of questions to ask again, after the last
    /// answer.
    QuizProgress,
    /// Finished personal quizzes (score, date).
    QuizResults,
    /// Group-quiz participants (the name shown on the leaderboard) and their answers, after the
    /// session ended.
    Participants,
    /// Delivery rows of tips and alerts (which chat got which message, when), after the last
    /// attempt.
    Deliveries,
    /// Scam reports not confirmed by an admin (numbers, accounts and hosts of third parties,
    /// with the reports' days and keys), after the last report.
    Reports,
}

/// One retention rule: the setting's name, its bounds and what people are told.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// The kind.
    pub kind: Kept,
    /// Field name in the configuration file (`retention:`).
    pub field: &'static str,
    /// Environment variable.
    pub env: &'static str,
    /// Default days.
    pub default_days: u32,
    /// Fewest days allowed (other features need the data that long).
    pub min_days: u32,
    /// What is kept, in Vietnamese (the notice, `/dulieucuatoi`, the report).
    pub what_vi: &'static str,
    /// From when the period counts, in Vietnamese.
    pub since_vi: &'static str,
    /// A short name for the notice's one-line summary, in Vietnamese.
    pub short_vi: &'static str,
}

/// Every configurable rule, in the order the notice lists them.
pub const RULES: [Rule; 6] = [
    Rule {
        kind: Kept::LastContact,
        field: "last_contact_days",
        env: "CANHGIAC_RETENTION_LAST_CONTACT_DAYS",
        default_days: 365,
        min_days: 30,
        what_vi: "Mã người dùng, thời điểm đồng ý, vai trò và ngày dùng bot gần nhất",
        since_vi: "kể từ lần cuối anh/chị nhắn cho bot (nếu không đăng ký nhận mẹo)",
        short_vi: "thông tin người dùng (kể từ lần nhắn cuối, nếu không nhận mẹo)",
    },
    Rule {
        kind: Kept::QuizProgress,
        field: "quiz_progress_days",
        env: "CANHGIAC_RETENTION_QUIZ_PROGRESS_DAYS",
        default_days: 90,
        min_days: 1,
        what_vi: "Bài trắc nghiệm đang làm dở và các câu cần hỏi lại",
        since_vi: "kể từ lần trả lời cuối",
        short_vi: "bài trắc nghiệm làm dở",
    },
    Rule {
        kind: Kept::QuizResults,
        field: "quiz_results_days",
        env: "CANHGIAC_RETENTION_QUIZ_RESULTS_DAYS",
        default_days: 365,
        min_days: 1,
        what_vi: "Kết quả trắc nghiệm cá nhân (điểm, ngày làm)",
        since_vi: "kể từ ngày làm bài",
        short_vi: "kết quả trắc nghiệm",
    },
    Rule {
        kind: Kept::Participants,
        field: "participants_days",
        env: "CANHGIAC_RETENTION_PARTICIPANTS_DAYS",
        default_days: 90,
        min_days: 1,
        what_vi: "Tên hiển thị và câu trả lời trong trắc nghiệm nhóm",
        since_vi: "kể từ khi buổi trắc nghiệm kết thúc",
        short_vi: "tên và câu trả lời trắc nghiệm nhóm (sau buổi học)",
    },
    Rule {
        kind: Kept::Deliveries,
        field: "deliveries_days",
        env: "CANHGIAC_RETENTION_DELIVERIES_DAYS",
        // The daily and monthly sending limits look back a month.
        default_days: 90,
        min_days: 31,
        what_vi: "Nhật ký gửi mẹo và cảnh báo (gửi tới ai, khi nào)",
        since_vi: "kể từ lần gửi",
        short_vi: "nhật ký gửi mẹo, cảnh báo",
    },
    Rule {
        kind: Kept::Reports,
        field: "reports_days",
        env: "CANHGIAC_RETENTION_REPORTS_DAYS",
        default_days: 180,
        min_days: 30,
        what_vi: "Báo cáo lừa đảo chưa được xác nhận (số, tài khoản, trang web bị báo cáo và ngày báo cáo)",
        since_vi: "kể từ lần báo cáo cuối",
        short_vi: "báo cáo lừa đảo chưa được xác nhận",
    },
];

/// Data kept for a fixed time by design, in Vietnamese: (what, how long).
pub const FIXED: [(&str, &str); 5] = [
    (
        "Nội dung tin nhắn, câu hỏi anh/chị gửi",
        "không ghi vào cơ sở dữ liệu; chỉ giữ trong bộ nhớ tối đa 15 phút để hiện thêm chi tiết",
    ),
    ("Mã các cập nhật đã nhận từ Telegram/Zalo (để không xử lý hai lần)", "7 ngày"),
    (
        "Liên kết đăng nhập trang quản trị (quản trị viên, người hướng dẫn)",
        "dùng một lần trong 10 phút; xóa chậm nhất 2 ngày sau khi hết hạn",
    ),
    (
        "Phiên đăng nhập trang quản trị (trình duyệt, thời điểm dùng gần nhất)",
        "tối đa 12 giờ; xóa chậm nhất 2 ngày sau khi kết thúc",
    ),
    ("Nhật ký thao tác quản trị (ai, làm gì, lúc nào)", "365 ngày"),
];

/// Days the audit log of admin actions is kept.
pub const AUDIT_DAYS: i64 = 365;

/// The retention periods in force, in days. Read from the configuration (file field names
/// from [`RULES`]); every period lies within its rule's bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Retention {
    /// [`Kept::LastContact`].
    pub last_contact_days: u32,
    /// [`Kept::QuizProgress`].
    pub quiz_progress_days: u32,
    /// [`Kept::QuizResults`].
    pub quiz_results_days: u32,
    /// [`Kept::Participants`].
    pub participants_days: u32,
    /// [`Kept::Deliveries`].
    pub deliveries_days: u32,
    /// [`Kept::Reports`].
    pub reports_days: u32,
}

impl Default for Retention {
    fn default() -> Self {
        let mut r = Self {
            last_contact_days: 0,
            quiz_progress_days: 0,
            quiz_results_days: 0,
            participants_days: 0,
            deliveries_days: 0,
            reports_days: 0,
        };
        for rule in RULES {
            *r.slot(rule.kind) = rule.default_days;
        }
        r
    }
}

/// Longest period accepted (ten years).
pub const MAX_DAYS: u32 = 3650;

impl Retention {
    fn slot(&mut self, kind: Kept) -> &mut u32 {
        match kind {
            Kept::LastContact => &mut self.last_contact_days,
            Kept::QuizProgress => &mut self.quiz_progress_days,
            Kept::QuizResults => &mut self.quiz_results_days,
            Kept::Participants => &mut self.participants_days,
            Kept::Deliveries => &mut self.deliveries_days,
            Kept::Reports => &mut self.reports_days,
        }
    }

    /// Days a kind of data is kept.
    #[must_use]
    pub fn days(&self, kind: Kept) -> u32 {
        match kind {
            Kept::LastContact => self.last_contact_days,
            Kept::QuizProgress => self.quiz_progress_days,
            Kept::QuizResults => self.quiz_results_days,
            Kept::Participants => self.participants_days,
            Kept::Deliveries => self.deliveries_days,
            Kept::Reports => self.reports_days,
        }
    }

    /// Sets a period, checked against its rule's bounds; the error is a sentence naming the
    /// setting.
    pub fn set(&mut self, kind: Kept, days: u32) -> Result<(), String> {
        let rule = rule(kind);
        if !(rule.min_days..=MAX_DAYS).contains(&days) {
            return Err(format!(
                "{} = {days}: thời hạn lưu phải từ {} đến {MAX_DAYS} ngày",
                rule.env, rule.min_days
            ));
        }
        *self.slot(kind) = days;
        Ok(())
    }

    /// Every period is within its bounds (a configuration file may say anything).
    pub fn validate(&self) -> Result<(), String> {
        let mut copy = *self;
        RULES.iter().try_for_each(|r| copy.set(r.kind, self.days(r.kind)))
    }

    /// The cut-off for a kind at `now` (Unix seconds): data older than this is due.
    #[must_use]
    pub fn cutoff(&self, kind: Kept, now: i64) -> i64 {
        now - i64::from(self.days(kind)) * 86_400
    }

    /// The periods as a short fingerprint (part of the privacy notice's version: a notice
    /// that promises other periods is another notice).
    #[must_use]
    pub fn fingerprint(&self) -> String {
        RULES.iter().map(|r| self.days(r.kind).to_string()).collect::<Vec<_>>().join(".")
    }

    /// Each rule with its period, in Vietnamese: "what: N ngày since".
    #[must_use]
    pub fn lines_vi(&self) -> Vec<String> {
        RULES
            .iter()
            .map(|r| format!("{}: {} {}", r.what_vi, days_vi(self.days(r.kind)), r.since_vi))
            .chain(FIXED.iter().map(|(what, how)| format!("{what}: {how}")))
            .collect()
    }
}

/// The rule of a kind.
#[must_use]
pub fn rule(kind: Kept) -> Rule {
    // RULES lists every kind once (tested).
    RULES.iter().copied().find(|r| r.kind == kind).unwrap_or(RULES[0])
}

/// A number of days in Vietnamese, in months or years when it is a round number of them.
#[must_use]
pub fn days_vi(days: u32) -> String {
    match days {
        d if d >= 365 && d % 365 == 0 => format!("{} năm", d / 365),
        d if d >= 30 && d % 30 == 0 => format!("{} tháng", d / 30),
        d => format!("{d} ngày"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_one_rule_and_defaults_are_within_bounds() {
        for kind in [
            Kept::LastContact,
            Kept::QuizProgress,
            Kept::QuizResults,
            Kept::Participants,
            Kept::Deliveries,
            Kept::Reports,
        ] {
            assert_eq!(RULES.iter().filter(|r| r.kind == kind).count(), 1, "{kind:?}");
        }
        let r = Retention::default();
        r.validate().expect("defaults are valid");
        assert_eq!(r.days(Kept::LastContact), 365);
        assert_eq!(r.fingerprint(), "365.90.365.90.90.180");
    }

    #[test]
    fn bounds_are_enforced_and_named() {
        let mut r = Retention::default();
        let e = r.set(Kept::Deliveries, 7).expect_err("below the month the limits need");
        assert!(e.contains("CANHGIAC_RETENTION_DELIVERIES_DAYS"), "{e}");
        assert!(r.set(Kept::QuizResults, MAX_DAYS + 1).is_err());
        r.set(Kept::QuizResults, 730).expect("two years");
        assert_eq!(r.days(Kept::QuizResults), 730);
        assert_eq!(r.cutoff(Kept::QuizResults, 730 * 86_400 + 5), 5);
    }

    #[test]
    fn periods_read_as_people_say_them() {
        assert_eq!(days_vi(365), "1 năm");
        assert_eq!(days_vi(730), "2 năm");
        assert_eq!(days_vi(90), "3 tháng");
        assert_eq!(days_vi(45), "45 ngày");
        let lines = Retention::default().lines_vi();
        assert_eq!(lines.len(), RULES.len() + FIXED.len());
        assert!(lines[0].contains("1 năm"), "{}", lines[0]);
    }
}
