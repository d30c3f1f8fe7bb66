//! Is a pasted text a message someone received (check it) or a question (answer it)?

use crate::{
    check::extract::{PhoneKind, extract},
    text::normalize_text,
};

const QUESTION_MARKERS: [&str; 14] = [
    "có phải",
    "co phai",
    "là gì",
    "la gi",
    "làm sao",
    "lam sao",
    "phải làm gì",
    "phai lam gi",
    "như thế nào",
    "nhu the nao",
    "ntn",
    "có nên",
    "co nen",
    "thế nào",
];
const MESSAGE_MARKERS: [&str; 18] = [
    "quý khách",
    "quy khach",
    "vui lòng",
    "vui long",
    "truy cập",
    "truy cap",
    "nhấn vào",
    "bấm vào",
    "bam vao",
    "chúc mừng",
    "chuc mung",
    "thông báo",
    "thong bao",
    "tài khoản của bạn",
    "tai khoan cua ban",
    "[tb]",
    "(tb)",
    "(qc)",
];

/// True when the text looks like a message someone received rather than a question to the bot.
#[must_use]
pub fn looks_like_message(text: &str) -> bool {
    let t = normalize_text(text);
    let e = extract(text);
    let has_entity = !e.urls.is_empty()
        || !e.accounts.is_empty()
        || e.codes.iter().any(|c| c.starts_with(['*', '#']))
        || e.phones
            .iter()
            .any(|p| matches!(p.kind, PhoneKind::Mobile | PhoneKind::Hotline | PhoneKind::Foreign));
    let question = t.trim_end().ends_with('?') || QUESTION_MARKERS.iter().any(|m| t.contains(m));
    let message_words = MESSAGE_MARKERS.iter().filter(|m| t.contains(*m)).count();
    let long = t.chars().count() > 160;
    if has_entity {
        return true;
    }
    if question && !long {
        return false;
    }
    message_words >= 2 || (message_words >= 1 && !question) || (long && !question)
}

#[cfg(test)]
mod tests {
    use super::looks_like_message;

    #[test]
    fn messages_and_questions_are_told_apart() {
        assert!(looks_like_message("Tai khoan cua ban bi khoa, truy cap https://abc.top de mo"));
        assert!(looks_like_message("Chuc mung quy khach trung thuong, lien he 0912345678"));
        assert!(looks_like_message("Quý khách vui lòng thanh toán hóa đơn tiền điện trong hôm nay"));
        assert!(!looks_like_message("bị gọi điện dọa khóa sim phải làm sao"));
        assert!(!looks_like_message("lua dao viec nhe luong cao"));
        assert!(!looks_like_message("deepfake là gì?"));
        assert!(!looks_like_message("năm không"));
    }
}
