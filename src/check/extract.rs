//! Entity extraction from a message: URLs (also obfuscated), phone numbers, bank account
//! numbers, amounts of money, codes (OTP-like, USSD dial codes) and mentions of QR codes and APKs.

use std::sync::LazyLock;

use regex::Regex;

use super::url::host_path;
use serde::Serialize;

/// What kind of phone number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PhoneKind {
    /// A Vietnamese mobile number (a person's).
    Mobile,
    /// A Vietnamese landline.
    Landline,
    /// A 1800/1900 hotline.
    Hotline,
    /// A 3–5 digit service short code.
    ShortCode,
    /// A foreign number.
    Foreign,
}

/// A phone number found in the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Phone {
    /// As written.
    pub raw: String,
    /// Digits only (with a leading + for international).
    pub normalized: String,
    /// Its kind.
    pub kind: PhoneKind,
}

/// Everything extracted from one message.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Entities {
    /// URLs, de-obfuscated, in order of appearance.
    pub urls: Vec<String>,
    /// Phone numbers.
    pub phones: Vec<Phone>,
    /// Bank account numbers (digits next to "STK", "số tài khoản", ...).
    pub accounts: Vec<String>,
    /// Amounts of money as written ("500k", "5tr", "5.000.000đ").
    pub amounts: Vec<String>,
    /// OTP-like codes and USSD dial codes.
    pub codes: Vec<String>,
    /// Mentions of QR codes.
    pub qr: bool,
    /// Mentions of APK files or installing an app from a link.
    pub apk: bool,
}

macro_rules! re {
    ($name:ident, $pat:expr) => {
        static $name: LazyLock<Regex> =
            LazyLock::new(|| Regex::new($pat).expect(concat!("valid regex ", stringify!($name))));
    };
}

// Digits are written `[0-9]`, not `\d`: the checker reads ASCII digits only (see `has_digit`
// in `extract`), and a Unicode `\d` repeated up to 19 times made the automata, and the search
// caches each thread keeps for them, megabytes large.
// De-obfuscation: hxxp, [.], (.), {.}, [dot], and spaces around dots before a common TLD.
re!(HXXP, r"(?i)\bhxxps?\b|\bh\s*t\s*t\s*p\s*s?\s*:\s*/\s*/");
re!(BRACKET_DOT, r"(?i)\s*(?:\[\s*(?:\.|dot)\s*\]|\(\s*(?:\.|dot)\s*\)|\{\s*(?:\.|dot)\s*\})\s*");
re!(
    SPACED_DOT,
    r"(?i)([a-z0-9-])\s*\.\s+(com|net|org|vn|top|xyz|vip|cc|info|me|ly|co|io|shop|site|online|club|live|link|app|asia|tk|ml|icu|fun|pro|biz)\b|([a-z0-9-])\s+\.\s*(com|net|org|vn|top|xyz|vip|cc|info|me|ly|co|io|shop|site|online|club|live|link|app|asia|tk|ml|icu|fun|pro|biz)\b"
);
re!(
    URL,
    r"(?i)(?:\b(?:https?|ftp)://[^\s<>\x22'`]+)|(?:\b(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}\b(?::[0-9]{2,5})?(?:/[^\s<>\x22'`]*)?)"
);
re!(IPV4_URL, r"(?i)\b(?:https?://)?(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?::[0-9]{2,5})?(?:/[^\s<>\x22'`]*)?");
re!(EMAIL_BEFORE, r"[A-Za-z0-9._%+-]@$");
re!(
    PHONE,
    r"(?:\+\s?84|\b84|\b0)[\s.\-]?(?:[35789](?:[\s.\-]?[0-9]){8}|2(?:[\s.\-]?[0-9]){9})\b|\b1[89]00[\s.\-]?[0-9]{2,4}[\s.\-]?[0-9]{0,4}\b|\+\s?(?:[1-79][0-9]{0,2}|8[0-35-9][0-9]?)(?:[\s.\-]?[0-9]){6,12}\b"
);
re!(
    SHORT_CODE,
    r"(?i)\b(?:gửi|gui|tới|toi|đến|den|lh|liên hệ|lien he|gọi|goi|tổng đài|tong dai|hotline|đầu số|dau so|sđt|sdt)\s*:?\s*([0-9]{3,5})\b"
);
re!(
    ACCOUNT,
    r"(?i)\b(?:stk|số tài khoản|so tai khoan|số tk|so tk|tài khoản số|tai khoan so|tk số|tk so|account(?: number| no\.?)?|acc)(?:\s+\p{L}{1,6})?\s*[:.\-]?\s*((?:[0-9][\s.\-]?){8,19})"
);
re!(
    AMOUNT,
    r"(?i)\b[0-9]{1,3}(?:[.,][0-9]{3})+(?:[.,][0-9]+)?\s*(?:đ|đồng|dong|vnđ|vnd|d|usd|usdt|\$)?|\b[0-9]+(?:[.,][0-9]+)?\s*(?:k|tr|triệu|trieu|nghìn|nghin|ngàn|ngan|tỷ|tỷ đồng|ty|đ|đồng|vnđ|vnd|usd|usdt|\$)(?:[0-9]+)?\b"
);
re!(
    OTP_CODE,
    r"(?i)\b(?:otp|odp|mã|ma|code|pin|mật khẩu|mat khau|password)\b[^0-9\n]{0,25}([0-9]{4,8})\b|\b([0-9]{4,8})\s+(?:la|là)\s+(?:ma|mã)\b"
);
re!(USSD, r"[*#][0-9]{2,4}(?:\*[0-9]+)*#");
re!(QR, r"(?i)\b(?:qr|mã qr|ma qr|quét mã|quet ma)\b");
re!(APK, r"(?i)\.apk\b|\bfile apk\b|\bapk\b");

/// Reverses common URL obfuscation so that links can be found and checked.
#[must_use]
pub fn deobfuscate(text: &str) -> String {
    // Each pattern runs only where its telltale character is (the Unicode word boundaries make
    // these regexes the costliest part of a check on Vietnamese text).
    let lower = text.to_ascii_lowercase();
    if !lower.contains("hxxp")
        && !text.contains('/')
        && !text.contains(['[', '(', '{'])
        && !text.contains('.')
    {
        return text.to_owned();
    }
    let t = if lower.contains("hxxp") || text.contains('/') {
        HXXP.replace_all(text, |c: &regex::Captures<'_>| {
            let m = c[0].to_ascii_lowercase().replace(char::is_whitespace, "");
            if m.starts_with("hxxps") || m.starts_with("https") {
                "https://".to_owned()
            } else {
                "http://".to_owned()
            }
        })
    } else {
        std::borrow::Cow::Borrowed(text)
    };
    let t = t.replace("http://://", "http://").replace("https://://", "https://");
    let t = if t.contains(['[', '(', '{']) { BRACKET_DOT.replace_all(&t, ".").into_owned() } else { t };
    if !t.contains('.') {
        return t;
    }
    SPACED_DOT
        .replace_all(&t, |c: &regex::Captures<'_>| match (c.get(1), c.get(2), c.get(3), c.get(4)) {
            (Some(a), Some(b), _, _) | (_, _, Some(a), Some(b)) => format!("{}.{}", a.as_str(), b.as_str()),
            _ => c[0].to_owned(),
        })
        .into_owned()
}

fn trim_url(u: &str) -> &str {
    u.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']', '}', '>', '\'', '"', '…'])
}

/// Whether the last label of a host is a real top-level domain.
fn known_tld(host: &str) -> bool {
    let host = host.trim_end_matches('.');
    let Some(tld) = host.rsplit('.').next() else { return false };
    if tld.len() < 2 || !tld.chars().all(|c| c.is_ascii_alphabetic()) {
        return false;
    }
    psl::suffix(host.as_bytes()).is_some_and(|s| s.is_known())
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// Extracts every entity from a message.
#[must_use]
pub fn extract(text: &str) -> Entities {
    let clean = deobfuscate(text);
    let mut e = Entities::default();
    let has_dot = clean.contains('.');
    let has_digit = text.bytes().any(|b| b.is_ascii_digit());
    let push_url = |u: &str, e: &mut Entities| {
        let u = trim_url(u).to_owned();
        if !u.is_empty() && !e.urls.contains(&u) {
            e.urls.push(u);
        }
    };
    for m in URL.find_iter(if has_dot { &clean } else { "" }) {
        if EMAIL_BEFORE.is_match(&clean[..m.start()]) {
            continue;
        }
        let u = trim_url(m.as_str());
        let (host, _) = host_path(u);
        let explicit = u.contains("://");
        if host.chars().all(|c| c.is_ascii_digit() || c == '.') {
            continue; // numbers like 1.000.000 or bare IPs (handled below)
        }
        let labels: Vec<&str> = host.split('.').collect();
        let numeric_name = labels.len() >= 2
            && labels[..labels.len() - 1].iter().all(|l| l.chars().all(|c| c.is_ascii_digit()));
        if explicit || (known_tld(&host) && !numeric_name) {
            push_url(u, &mut e);
        }
    }
    for m in IPV4_URL.find_iter(if has_dot && has_digit { &clean } else { "" }) {
        let (host, _) = host_path(m.as_str());
        let octets: Vec<&str> = host.split('.').collect();
        let valid = octets.len() == 4 && octets.iter().all(|o| o.parse::<u16>().is_ok_and(|n| n <= 255));
        // A bare dotted number is usually an amount or a date; count it as a link only with a
        // scheme, a port or a path.
        let linkish = m.as_str().contains("://") || m.as_str().contains('/') || m.as_str().contains(':');
        if valid && linkish {
            push_url(m.as_str(), &mut e);
        }
    }

    let numeric = if has_digit { text } else { "" };
    for m in PHONE.find_iter(numeric) {
        let raw = m.as_str().trim().to_owned();
        let d = digits(&raw);
        let plus = raw.starts_with('+');
        let (normalized, kind) = if d.starts_with("1800") || d.starts_with("1900") {
            (d.clone(), PhoneKind::Hotline)
        } else if plus && !d.starts_with("84") {
            (format!("+{d}"), PhoneKind::Foreign)
        } else {
            let national = if let Some(rest) = d.strip_prefix("84") { format!("0{rest}") } else { d.clone() };
            let kind = if national.starts_with("02") { PhoneKind::Landline } else { PhoneKind::Mobile };
            (national, kind)
        };
        if !e.phones.iter().any(|p| p.normalized == normalized) {
            e.phones.push(Phone { raw, normalized, kind });
        }
    }
    for c in SHORT_CODE.captures_iter(numeric) {
        let d = c[1].to_owned();
        if !e.phones.iter().any(|p| p.normalized == d) {
            e.phones.push(Phone { raw: d.clone(), normalized: d, kind: PhoneKind::ShortCode });
        }
    }
    for c in ACCOUNT.captures_iter(numeric) {
        let d = digits(&c[1]);
        if (8..=19).contains(&d.len()) && !e.accounts.contains(&d) {
            e.accounts.push(d);
        }
    }
    for m in AMOUNT.find_iter(numeric) {
        let a = m.as_str().trim().to_owned();
        // Phone-number-like digit runs are not amounts.
        if digits(&a).len() <= 12 && !e.amounts.contains(&a) {
            e.amounts.push(a);
        }
    }
    for c in OTP_CODE.captures_iter(numeric) {
        if let Some(m) = c.get(1).or_else(|| c.get(2)) {
            e.codes.push(m.as_str().to_owned());
        }
    }
    for m in USSD.find_iter(numeric) {
        e.codes.push(m.as_str().to_owned());
    }
    let lower = clean.to_lowercase();
    e.qr = (lower.contains("qr") || lower.contains("quét") || lower.contains("quet")) && QR.is_match(text);
    e.apk = lower.contains("apk") && APK.is_match(&clean);
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_with_and_without_scheme_and_obfuscated() {
        let e = extract("Truy cap https://vietcombank-xacthuc.top/login, hoac vcb-online.xyz ngay!");
        assert_eq!(e.urls, ["https://vietcombank-xacthuc.top/login", "vcb-online.xyz"]);
        assert_eq!(extract("vao hxxp://abc[.]top de nhan").urls, ["http://abc.top"]);
        assert_eq!(extract("link: evil(.)xyz/a").urls, ["evil.xyz/a"]);
        assert_eq!(extract("[ ehoaq. com ] giu an toan").urls, ["ehoaq.com"]);
        assert_eq!(extract("LINK:k98.me").urls, ["k98.me"]);
        assert_eq!(extract("dang ky tai:bit.ly/Frw2T5 ngay").urls, ["bit.ly/Frw2T5"]);
        assert_eq!(extract("http://103.21.4.7:8080/app.apk").urls, ["http://103.21.4.7:8080/app.apk"]);
    }

    #[test]
    fn numbers_abbreviations_and_emails_are_not_urls() {
        assert!(extract("So du 1.000.000 VND tai TP.HCM luc 10.30").urls.is_empty());
        assert!(extract("lien he abc@gmail.com nhe").urls.is_empty());
        assert!(extract("Ngay 12.05.2025 con.Vui long").urls.is_empty());
        assert!(extract("Ma OTP la: 462708.Cam on Quy khach").urls.is_empty());
    }

    #[test]
    fn phone_numbers_in_vietnamese_formats() {
        let e = extract(
            "LH 0912 345 678 hoac +84 987.654.321, 84867256447, (028) 3725 2002, 1900 545413, +882 1234 5678",
        );
        let kinds: Vec<(String, PhoneKind)> =
            e.phones.iter().map(|p| (p.normalized.clone(), p.kind)).collect();
        assert!(kinds.contains(&("0912345678".into(), PhoneKind::Mobile)), "{kinds:?}");
        assert!(kinds.contains(&("0987654321".into(), PhoneKind::Mobile)), "{kinds:?}");
        assert!(kinds.contains(&("0867256447".into(), PhoneKind::Mobile)), "{kinds:?}");
        assert!(kinds.contains(&("1900545413".into(), PhoneKind::Hotline)), "{kinds:?}");
        assert!(kinds.iter().any(|(_, k)| *k == PhoneKind::Foreign), "{kinds:?}");
        let e = extract("Soan DK gui 9345. Chi tiet LH 198");
        let codes: Vec<&str> = e.phones.iter().map(|p| p.normalized.as_str()).collect();
        assert_eq!(codes, ["9345", "198"]);
    }

    #[test]
    fn accounts_amounts_and_codes() {
        let e = extract(
            "Chuyen 5tr vao STK: 1903 5678 9012 ngan hang ACB, phi 500k, tong 5.000.000đ. Ma OTP: 123456. Bam *091*0912345678#",
        );
        assert_eq!(e.accounts, ["190356789012"]);
        assert!(e.amounts.contains(&"5tr".to_owned()), "{:?}", e.amounts);
        assert!(e.amounts.contains(&"500k".to_owned()), "{:?}", e.amounts);
        assert!(e.amounts.iter().any(|a| a.starts_with("5.000.000")), "{:?}", e.amounts);
        assert!(e.codes.contains(&"123456".to_owned()), "{:?}", e.codes);
        assert!(e.codes.contains(&"*091*0912345678#".to_owned()), "{:?}", e.codes);
        assert!(extract("quet ma QR de thanh toan").qr);
        assert!(extract("tai file app-evn.apk").apk);
    }
}
