//! Images people forward: what was read (OCR text, QR codes) is said first, so the user can
//! tell when the reading went wrong, then the usual verdict on it. A VietQR transfer is spelled
//! out and checked as what it is, a request to send money; an uncertain reading asks for the
//! text; an image that cannot be read gets a sentence saying why and what to do.

use super::{
    engine::{Engine, say},
    types::Reply,
};
use crate::{
    check::thousands,
    rich::Rich,
    store::UserKey,
    vision::{ImageProblem, ImageRead, Payment, QrContent, Seen},
};

/// How much of the text read is quoted back.
const QUOTE_CHARS: usize = 280;

/// What to say when an image cannot be read.
#[must_use]
pub fn problem_text(p: ImageProblem) -> &'static str {
    match p {
        ImageProblem::TooLarge => {
            "Ảnh quá lớn (tối đa 10 MB). Anh/chị gửi ảnh chụp màn hình nhỏ hơn, hoặc dán phần chữ của tin nhắn để tôi kiểm tra nhé."
        }
        ImageProblem::TooManyPixels => {
            "Ảnh có kích thước quá lớn để tôi đọc. Anh/chị chụp lại màn hình, hoặc dán phần chữ của tin nhắn nhé."
        }
        ImageProblem::NotAnImage => {
            "Tôi không mở được tệp này như một ảnh. Anh/chị gửi ảnh JPG hoặc PNG, hoặc dán phần chữ của tin nhắn nhé."
        }
        ImageProblem::Corrupt | ImageProblem::Failed => {
            "Ảnh bị lỗi nên tôi không đọc được. Anh/chị gửi lại ảnh, hoặc dán phần chữ của tin nhắn để tôi kiểm tra nhé."
        }
        ImageProblem::OcrMissing => {
            "Hiện tôi chưa đọc được chữ trong ảnh. Anh/chị dán phần chữ của tin nhắn để tôi kiểm tra nhé."
        }
        ImageProblem::TimedOut => {
            "Ảnh này khó đọc, tôi chưa đọc xong. Anh/chị dán phần chữ của tin nhắn để tôi kiểm tra nhé."
        }
        ImageProblem::Busy => {
            "Tôi đang đọc nhiều ảnh cùng lúc. Anh/chị gửi lại ảnh sau ít phút, hoặc dán phần chữ của tin nhắn nhé."
        }
        ImageProblem::Download => {
            "Tôi chưa tải được ảnh này. Anh/chị gửi lại ảnh, hoặc dán phần chữ của tin nhắn nhé."
        }
    }
}

const NOTHING_READ: &str = "Tôi không thấy chữ hay mã QR nào trong ảnh. Nếu ảnh có tin nhắn, anh/chị dán phần chữ để tôi kiểm tra nhé.";
const UNCERTAIN: &str = "⚠️ Ảnh hơi mờ nên tôi đọc chưa chắc chắn. Nếu chữ trên khác với ảnh, anh/chị dán phần chữ của tin nhắn để tôi kiểm tra chính xác hơn.";
const QR_ONLY: &str = "Tôi chưa đọc được chữ trong ảnh, chỉ đọc được mã QR. Nếu ảnh có tin nhắn, anh/chị dán thêm phần chữ nhé.";

fn shorten(s: &str, max: usize) -> String {
    let flat = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let cut: String = flat.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(a, _)| a).to_owned();
    format!("{cut}…")
}

fn amount(n: u64) -> String {
    format!("{} đồng", thousands(usize::try_from(n).unwrap_or(usize::MAX)))
}

fn bank(p: &Payment) -> String {
    p.bank.map_or_else(|| format!("ngân hàng có mã {}", p.bin), str::to_owned)
}

/// The sentence the user reads about a QR code.
#[must_use]
pub fn describe(code: &QrContent) -> String {
    match code {
        QrContent::Link(url) => format!("🔗 Mã QR trong ảnh mở đường link: {url}"),
        QrContent::Payment(p) => {
            let mut s = format!("💳 Mã QR này chuyển tiền tới tài khoản {} tại {}", p.account, bank(p));
            if let Some(name) = &p.name {
                s.push_str(&format!(" (người nhận: {name})"));
            }
            if let Some(a) = p.amount {
                s.push_str(&format!(", số tiền {}", amount(a)));
            }
            if let Some(m) = &p.message {
                s.push_str(&format!(", nội dung “{m}”"));
            }
            s.push('.');
            if !p.checksum_ok {
                s.push_str(" Mã này sai số kiểm tra: có thể đã bị sửa.");
            }
            s
        }
        QrContent::Text(t) => format!("Mã QR trong ảnh chứa: “{}”", shorten(t, 120)),
    }
}

/// What the checker reads: the caption, the text, and each code as what it asks for (a link
/// to open; a transfer is a request to send money to that account).
#[must_use]
pub fn check_text(read: &ImageRead, caption: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    if !caption.trim().is_empty() {
        parts.push(caption.trim().to_owned());
    }
    if !read.text.is_empty() {
        parts.push(read.text.clone());
    }
    for code in &read.codes {
        parts.push(match code {
            QrContent::Link(url) => url.clone(),
            QrContent::Payment(p) => {
                let mut s = format!("Quét mã QR để chuyển tiền vào tài khoản {} tại {}", p.account, bank(p));
                if let Some(a) = p.amount {
                    s.push_str(&format!(", số tiền {}", amount(a)));
                }
                if let Some(m) = &p.message {
                    s.push_str(&format!(", nội dung {m}"));
                }
                s + "."
            }
            QrContent::Text(t) => t.clone(),
        });
    }
    parts.join("\n")
}

/// What the reply says first: the text read (quoted, shortened), each QR code, and a word
/// when the reading is unsure or only a code could be read.
#[must_use]
pub fn what_was_read(read: &ImageRead) -> Rich {
    let mut head = Rich::new();
    if !read.text.is_empty() {
        head = head.para(format!("📷 Tôi đọc được trong ảnh: “{}”", shorten(&read.text, QUOTE_CHARS)));
    }
    for code in &read.codes {
        head = head.para(describe(code));
    }
    if read.uncertain() {
        head = head.para(UNCERTAIN);
    } else if read.text.is_empty() && !read.codes.is_empty() && !read.ocr {
        head = head.para(QR_ONLY);
    }
    head
}

impl Engine {
    /// The reply to an image: what was read, then the verdict on it.
    pub(super) fn image(&self, key: &UserKey, seen: &Seen, caption: &str) -> Vec<Reply> {
        let read = match seen {
            Seen::Problem(p) => {
                // The caption alone can still be checked.
                if !caption.trim().is_empty() {
                    let mut reply = self.check(key, caption);
                    reply.body = Rich::new().para(problem_text(*p)).append(reply.body);
                    return vec![reply];
                }
                return say(problem_text(*p));
            }
            Seen::Read(r) => r,
        };
        let text = check_text(read, caption);
        if text.trim().is_empty() {
            return say(NOTHING_READ);
        }
        let mut reply = self.check(key, &text);
        reply.body = what_was_read(read).append(reply.body);
        vec![reply]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vision::vietqr;

    #[test]
    fn transfers_are_spelled_out_for_people_and_as_a_money_request_for_the_checker() {
        let QrContent::Payment(p) = crate::vision::qr::classify(&vietqr::build(
            "970436",
            "0123456789",
            Some(1_500_000),
            Some("PHI NHAN QUA"),
        )) else {
            panic!("transfer")
        };
        let code = QrContent::Payment(p);
        assert_eq!(
            describe(&code),
            "💳 Mã QR này chuyển tiền tới tài khoản 0123456789 tại Vietcombank, số tiền 1.500.000 đồng, nội dung “PHI NHAN QUA”."
        );
        let read = ImageRead {
            text: "Chúc mừng bạn trúng thưởng".into(),
            confidence: 90,
            codes: vec![code],
            ocr: true,
        };
        let t = check_text(&read, "xem giúp");
        assert!(
            t.starts_with("xem giúp\nChúc mừng") && t.contains("chuyển tiền vào tài khoản 0123456789"),
            "{t}"
        );
        assert_eq!(shorten("một  hai\nba bốn năm", 9), "một hai…");
    }
}
