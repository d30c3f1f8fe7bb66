//! Vietnamese names for the codes the campaign stores (channels, outbox statuses, reasons), for
//! every place an admin reads them: `/thongke`, `canhgiac broadcast status`, the report. Logs
//! and JSON keep the codes.

/// A channel's name as users know it.
#[must_use]
pub fn channel_vi(code: &str) -> &str {
    match code {
        "telegram" => "Telegram",
        "zalo" => "Zalo",
        "console" => "Dòng lệnh",
        other => other,
    }
}

/// An outbox row's status.
#[must_use]
pub fn status_vi(code: &str) -> &str {
    match code {
        "sent" => "đã gửi",
        "failed" => "lỗi",
        "skipped" => "bỏ qua",
        "pending" | "sending" => "đang chờ",
        other => other,
    }
}

/// A broadcast's state.
#[must_use]
pub fn broadcast_status_vi(code: &str) -> &str {
    match code {
        "done" => "xong",
        "queued" => "đang gửi",
        "cancelled" => "đã hủy",
        "draft" => "chờ xác nhận",
        other => other,
    }
}

/// Why a row was skipped, failed or is waiting. Unknown codes (platform error texts) are
/// shown as they are.
#[must_use]
pub fn reason_vi(code: &str) -> String {
    let known = match code {
        "not_follower" => "chưa quan tâm OA trên Zalo",
        "unfollowed" => "đã bỏ quan tâm OA",
        "blocked" => "đã chặn bot",
        "removed_from_chat" => "bot không còn trong nhóm",
        "deleted" => "người dùng đã xóa dữ liệu",
        "moved_duplicate" => "nhóm đã đổi mã và được đăng ký lại",
        "chat_moved" => "nhóm đổi mã (nâng cấp lên siêu nhóm)",
        "daily_limit" => "đã nhận một tin trong ngày",
        "chat_rate" => "giãn cách gửi trong cùng cuộc trò chuyện",
        "rate_limited" => "nền tảng yêu cầu gửi chậm lại",
        "tip_missing" => "mẹo không còn trong nội dung",
        "" => "không rõ",
        _ => return code.to_owned(),
    };
    known.to_owned()
}

/// A chat kind: a person or a group.
#[must_use]
pub fn chat_kind_vi(code: &str) -> &'static str {
    if code == "group" { "nhóm" } else { "người dùng" }
}
