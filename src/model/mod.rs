//! The shared vocabulary, from the channel adapters down to SQL: channels, chat kinds, roles,
//! user keys, broadcast and outbox states, delivery reasons and group-quiz modes. Each code has
//! one spelling in the store (`as_str`, `ToSql`/`FromSql`) and one Vietnamese label for people
//! (`label_vi`); nothing above this module compares status strings.
//!
//! Also here: the command registry ([`commands`]) and every button as an [`action::Action`].
//! This is the lowest module of the crate: it depends on nothing else here.

pub mod action;
pub mod commands;
pub mod retention;

use std::{fmt, str::FromStr};

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

/// A stored code that is not one of the known values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} \"{value}\"")]
pub struct UnknownCode {
    /// Which vocabulary.
    pub what: &'static str,
    /// The value found.
    pub value: String,
}

/// Display, SQL and JSON for a type stored as its code: `as_str()` out, `FromStr` in.
macro_rules! stored_as_code {
    ($name:ident) => {
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.as_str()))
            }
        }

        impl FromSql for $name {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                value.as_str()?.parse().map_err(|e: <$name as FromStr>::Err| FromSqlError::Other(Box::new(e)))
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}

/// Declares a closed vocabulary: each variant with its stored code and its Vietnamese label.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident ($what:literal) {
        $($(#[$vmeta:meta])* $variant:ident = $code:literal / $label:literal,)+
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant,)+];

            /// The stored code.
            #[must_use]
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $code,)+ }
            }

            /// The Vietnamese label shown to people.
            #[must_use]
            pub fn label_vi(self) -> &'static str {
                match self { $(Self::$variant => $label,)+ }
            }
        }

        impl FromStr for $name {
            type Err = UnknownCode;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($code => Ok(Self::$variant),)+
                    other => Err(UnknownCode { what: $what, value: other.to_owned() }),
                }
            }
        }

        stored_as_code!($name);
    };
}

vocabulary! {
    /// An admin or trainer action written to the audit log.
    AuditAction ("audit action") {
        /// A one-time sign-in link was issued.
        LoginLink = "login_link" / "Tạo liên kết đăng nhập",
        /// Signed in to the web console.
        SignIn = "sign_in" / "Đăng nhập trang quản trị",
        /// Signed out.
        SignOut = "sign_out" / "Đăng xuất",
        /// Ended a sign-in session.
        RevokeSession = "revoke_session" / "Thu hồi phiên đăng nhập",
        /// Sent an alert to every subscriber.
        Alert = "alert" / "Phát cảnh báo",
        /// Sent this week's tip now.
        SendTip = "send_tip" / "Gửi mẹo tuần",
        /// Confirmed a reported entity as a scam.
        ConfirmReport = "confirm_report" / "Xác nhận lừa đảo",
        /// Found a reported entity not to be a scam.
        RejectReport = "reject_report" / "Không phải lừa đảo",
        /// Took a decision on a reported entity back.
        ReopenReport = "reopen_report" / "Rút lại quyết định",
        /// Exported confirmed reports.
        ExportReports = "export_reports" / "Xuất danh sách lừa đảo",
        /// Downloaded the implementation report.
        ExportReport = "export_report" / "Tải báo cáo triển khai",
        /// Granted the trainer role.
        GrantTrainer = "grant_trainer" / "Cấp quyền người hướng dẫn",
        /// Took the trainer role back.
        RevokeTrainer = "revoke_trainer" / "Thu hồi quyền người hướng dẫn",
    }
}

impl AuditAction {
    /// The audit entry of a decision on a reported entity.
    #[must_use]
    pub fn of_decision(status: ReportStatus) -> Self {
        match status {
            ReportStatus::Confirmed => Self::ConfirmReport,
            ReportStatus::Rejected => Self::RejectReport,
            ReportStatus::Pending => Self::ReopenReport,
        }
    }
}

vocabulary! {
    /// Where a user came from.
    Channel ("channel") {
        /// Telegram.
        Telegram = "telegram" / "Telegram",
        /// Zalo Official Account.
        Zalo = "zalo" / "Zalo",
        /// The terminal (`canhgiac chat`).
        Console = "console" / "Dòng lệnh",
    }
}

vocabulary! {
    /// A private chat or a group.
    ChatKind ("chat kind") {
        /// One-to-one.
        Private = "private" / "người dùng",
        /// A group chat.
        Group = "group" / "nhóm",
    }
}

vocabulary! {
    /// A user's role, from least to most rights (ordered).
    Role ("role") {
        /// Everyone.
        User = "user" / "người dùng",
        /// Runs group quizzes and reads their results.
        Trainer = "trainer" / "người hướng dẫn",
        /// Runs the campaign: tips, alerts, statistics, grants trainers.
        Admin = "admin" / "quản trị viên",
    }
}

vocabulary! {
    /// What a broadcast carries.
    BroadcastKind ("broadcast kind") {
        /// The weekly tip (each chat its own next tip).
        Tip = "tip" / "mẹo hàng tuần",
        /// An alert written by an admin.
        Alert = "alert" / "cảnh báo",
        /// The outcome of a scam report, to the people who reported it and asked to hear back.
        Feedback = "feedback" / "phản hồi báo cáo",
    }
}

vocabulary! {
    /// What a scam report names.
    EntityKind ("entity kind") {
        /// A phone number (national form, `0…`, or `+…` abroad).
        Phone = "phone" / "số điện thoại",
        /// A bank account number.
        Account = "account" / "số tài khoản",
        /// A web host.
        Host = "host" / "trang web",
    }
}

vocabulary! {
    /// Where a reported entity stands.
    ReportStatus ("report status") {
        /// Reported, not decided.
        Pending = "pending" / "chờ duyệt",
        /// Confirmed as a scam by an admin.
        Confirmed = "confirmed" / "đã xác nhận lừa đảo",
        /// Decided not to be a scam.
        Rejected = "rejected" / "không phải lừa đảo",
    }
}

vocabulary! {
    /// Where a broadcast is in its life.
    BroadcastStatus ("broadcast status") {
        /// An alert awaiting its admin's confirmation.
        Draft = "draft" / "chờ xác nhận",
        /// A weekly tip whose recipients are still being listed (in chunks, so replies to
        /// users never wait behind a large fan-out); its rows already go out.
        Preparing = "preparing" / "đang chuẩn bị",
        /// Being delivered.
        Queued = "queued" / "đang gửi",
        /// Every row settled.
        Done = "done" / "xong",
        /// A draft that was cancelled.
        Cancelled = "cancelled" / "đã hủy",
    }
}

vocabulary! {
    /// One outbox row: `pending → sending → sent | failed | skipped`.
    OutboxStatus ("outbox status") {
        /// Waiting for its turn.
        Pending = "pending" / "đang chờ",
        /// Claimed by the worker; in doubt after a crash.
        Sending = "sending" / "đang chờ",
        /// Delivered.
        Sent = "sent" / "đã gửi",
        /// Given up.
        Failed = "failed" / "lỗi",
        /// Not sent on purpose.
        Skipped = "skipped" / "bỏ qua",
    }
}

vocabulary! {
    /// How a group quiz is played.
    QuizMode ("quiz mode") {
        /// Native polls posted in a group, one after another.
        Poll = "poll" / "bình chọn trong nhóm",
        /// Participants join with a code and answer in their private chat.
        Code = "code" / "mã tham gia",
    }
}

vocabulary! {
    /// Where a group quiz is.
    SessionStatus ("session status") {
        /// Questions still to come.
        Running = "running" / "đang diễn ra",
        /// Every question asked.
        Finished = "finished" / "đã xong",
        /// Stopped early by its trainer.
        Stopped = "stopped" / "đã dừng",
    }
}

/// Why an outbox row was skipped, failed or is waiting. Platform error texts that have no code
/// of their own are kept as they came (`Other`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reason {
    /// A Zalo user who does not follow the OA (promotion messages reach followers only).
    NotFollower,
    /// The Zalo user unfollowed.
    Unfollowed,
    /// The user blocked the bot.
    Blocked,
    /// The bot is no longer in the group.
    RemovedFromChat,
    /// The user deleted their data.
    Deleted,
    /// The group changed id and its new id was already subscribed.
    MovedDuplicate,
    /// The group changed id (upgraded to a supergroup).
    ChatMoved,
    /// The chat had its message of the day.
    DailyLimit,
    /// Pacing messages within one chat.
    ChatRate,
    /// The platform asked to slow down.
    RateLimited,
    /// The tip is no longer in the content.
    TipMissing,
    /// A platform's own error text.
    Other(String),
}

impl Reason {
    const CODES: [(Reason, &'static str, &'static str); 11] = [
        (Self::NotFollower, "not_follower", "chưa quan tâm OA trên Zalo"),
        (Self::Unfollowed, "unfollowed", "đã bỏ quan tâm OA"),
        (Self::Blocked, "blocked", "đã chặn bot"),
        (Self::RemovedFromChat, "removed_from_chat", "bot không còn trong nhóm"),
        (Self::Deleted, "deleted", "người dùng đã xóa dữ liệu"),
        (Self::MovedDuplicate, "moved_duplicate", "nhóm đã đổi mã và được đăng ký lại"),
        (Self::ChatMoved, "chat_moved", "nhóm đổi mã (nâng cấp lên siêu nhóm)"),
        (Self::DailyLimit, "daily_limit", "đã nhận một tin trong ngày"),
        (Self::ChatRate, "chat_rate", "giãn cách gửi trong cùng cuộc trò chuyện"),
        (Self::RateLimited, "rate_limited", "nền tảng yêu cầu gửi chậm lại"),
        (Self::TipMissing, "tip_missing", "mẹo không còn trong nội dung"),
    ];

    /// The stored code (a platform's text for `Other`).
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::Other(s) => s,
            known => Self::CODES.iter().find(|(r, ..)| r == known).map_or("", |(_, code, _)| code),
        }
    }

    /// The Vietnamese label; a platform's own text is shown as it came.
    #[must_use]
    pub fn label_vi(&self) -> &str {
        match self {
            Self::Other(s) if s.is_empty() => "không rõ",
            Self::Other(s) => s,
            known => Self::CODES.iter().find(|(r, ..)| r == known).map_or("", |(.., label)| label),
        }
    }

    /// From a stored code (never fails: unknown text is `Other`).
    #[must_use]
    pub fn parse(s: &str) -> Self {
        Self::CODES
            .iter()
            .find(|(_, code, _)| *code == s)
            .map_or_else(|| Self::Other(s.to_owned()), |(r, ..)| r.clone())
    }
}

/// Never fails: unknown text is a platform's own ([`Reason::Other`]).
impl FromStr for Reason {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self::parse(s))
    }
}

stored_as_code!(Reason);

/// A user on one channel with their platform id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserKey {
    /// Channel.
    pub channel: Channel,
    /// Platform user id.
    pub id: String,
}

impl UserKey {
    /// A key.
    #[must_use]
    pub fn new(channel: Channel, id: &str) -> Self {
        Self { channel, id: id.to_owned() }
    }
}

/// `channel:id`, as in `CANHGIAC_ADMINS` and the `created_by` of broadcasts.
impl fmt::Display for UserKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.channel, self.id)
    }
}

/// From `channel:id` (the channel case-insensitive, spaces trimmed).
impl FromStr for UserKey {
    type Err = UnknownCode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || UnknownCode { what: "user (channel:ID)", value: s.to_owned() };
        let (channel, id) = s.trim().split_once(':').ok_or_else(bad)?;
        let channel: Channel = channel.trim().to_ascii_lowercase().parse().map_err(|_| bad())?;
        let id = id.trim();
        if id.is_empty() {
            return Err(bad());
        }
        Ok(Self::new(channel, id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_through_sql() {
        let c = rusqlite::Connection::open_in_memory().expect("db");
        for s in OutboxStatus::ALL {
            let back: OutboxStatus = c.query_row("SELECT ?1", [s], |r| r.get(0)).expect("row");
            assert_eq!(back, *s);
        }
        let bad = c.query_row("SELECT 'nonsense'", [], |r| r.get::<_, OutboxStatus>(0));
        assert!(bad.is_err(), "an unknown stored status is an error, not a default");
        let r: Reason = c.query_row("SELECT ?1", [Reason::DailyLimit], |r| r.get(0)).expect("row");
        assert_eq!(r, Reason::DailyLimit);
        let r: Reason = c.query_row("SELECT 'zalo -211: quota'", [], |r| r.get(0)).expect("row");
        assert_eq!(r, Reason::Other("zalo -211: quota".into()));
    }

    #[test]
    fn labels_are_vietnamese_and_keys_parse() {
        assert_eq!(Reason::Blocked.label_vi(), "đã chặn bot");
        assert_eq!(Reason::Other(String::new()).label_vi(), "không rõ");
        assert_eq!(Channel::Console.label_vi(), "Dòng lệnh");
        assert!(Role::Admin > Role::Trainer && Role::Trainer > Role::User);
        let k: UserKey = " Telegram : 42 ".parse().expect("key");
        assert_eq!(k, UserKey::new(Channel::Telegram, "42"));
        assert_eq!(k.to_string(), "telegram:42");
        assert!("viber:1".parse::<UserKey>().is_err());
        assert!("zalo:".parse::<UserKey>().is_err());
    }
}
