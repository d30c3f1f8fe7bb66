//! From OCR lines to the message the checker reads: lines joined into paragraphs, links that
//! wrapped across lines put back together, and the slips OCR typically makes in Vietnamese
//! repaired (marks split from their letter, "rn" read for "m", "0"/"O" and "l"/"1" swapped
//! inside words and numbers).

use unicode_normalization::UnicodeNormalization;

fn is_mark(c: char) -> bool {
    matches!(c as u32, 0x300..=0x36f)
}

/// Vietnamese letters that never appear in English words.
fn vietnamese(word: &str) -> bool {
    word.chars().any(|c| {
        matches!(c, 'đ' | 'Đ' | 'ư' | 'Ư' | 'ơ' | 'Ơ' | 'ă' | 'Ă' | 'â' | 'Â' | 'ê' | 'Ê' | 'ô' | 'Ô')
            || c.nfd().any(is_mark)
    })
}

fn linkish(word: &str) -> bool {
    let w = word.to_ascii_lowercase();
    w.contains("://") || w.starts_with("www.") || w.contains(".com") || w.contains(".vn") || w.contains('/')
}

/// A line's marks put back on their letters and composed (NFC).
fn compose(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for c in line.nfd() {
        // "khoa ̉n": a mark after a space belongs to the letter before the space.
        if is_mark(c) && out.ends_with(' ') {
            out.pop();
        }
        out.push(c);
    }
    out.nfc().collect()
}

/// A number OCR misread: letters that look like digits inside a run that is mostly digits
/// (a phone or account number) become digits.
fn fix_number(word: &str) -> Option<String> {
    let core: Vec<char> = word.chars().filter(|c| !matches!(c, '.' | ',' | '-' | ' ' | '+')).collect();
    let digits = core.iter().filter(|c| c.is_ascii_digit()).count();
    let lookalike = |c: char| matches!(c, 'O' | 'o' | 'l' | 'I' | '|' | 'S' | 'B');
    if core.len() < 6
        || digits * 10 < core.len() * 6
        || !core.iter().all(|c| c.is_ascii_digit() || lookalike(*c))
    {
        return None;
    }
    Some(
        word.chars()
            .map(|c| match c {
                'O' | 'o' => '0',
                'l' | 'I' | '|' => '1',
                'S' => '5',
                'B' => '8',
                c => c,
            })
            .collect(),
    )
}

/// A word OCR misread: a "0" between letters is an "o"; "rn" in a Vietnamese word is "m"
/// (no Vietnamese syllable has "rn").
fn fix_word(word: &str) -> String {
    if linkish(word) {
        return word.to_owned();
    }
    if let Some(n) = fix_number(word) {
        return n;
    }
    let chars: Vec<char> = word.chars().collect();
    let mut out = String::with_capacity(word.len());
    for (i, &c) in chars.iter().enumerate() {
        let before = i.checked_sub(1).and_then(|j| chars.get(j)).is_some_and(|c| c.is_alphabetic());
        let after = chars.get(i + 1).is_some_and(|c| c.is_alphabetic());
        if c == '0' && before && after {
            let upper = chars[i - 1].is_uppercase() && chars[i + 1].is_uppercase();
            out.push(if upper { 'O' } else { 'o' });
        } else {
            out.push(c);
        }
    }
    if vietnamese(&out) && out.contains("rn") { out.replace("rn", "m") } else { out }
}

/// Whether `next` continues a link that `prev` ended with (no space between them).
fn continues_link(prev: &str, next: &str) -> bool {
    let Some(last) = prev.split_whitespace().last() else { return false };
    let Some(first) = next.split_whitespace().next() else { return false };
    let open = linkish(last) || last.ends_with(['.', '/', '-', '=', '?', '&', '_']);
    let url_chars = |s: &str| s.chars().all(|c| c.is_ascii_alphanumeric() || "-._~/?#&=%+:".contains(c));
    open && linkish(&(last.to_owned() + first))
        && url_chars(first)
        && url_chars(last)
        && !first.chars().next().is_some_and(char::is_uppercase)
}

/// The message OCR read: paragraphs on their own lines, lines of a paragraph joined.
#[must_use]
pub fn clean(lines: &[String]) -> String {
    let mut paragraphs: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in lines {
        let line = compose(line.trim());
        if line.is_empty() {
            if !current.is_empty() {
                paragraphs.push(std::mem::take(&mut current));
            }
            continue;
        }
        let line: String = line.split_whitespace().map(fix_word).collect::<Vec<_>>().join(" ");
        if current.is_empty() {
            current = line;
        } else if continues_link(&current, &line) {
            current.push_str(&line);
        } else {
            current.push(' ');
            current.push_str(&line);
        }
    }
    if !current.is_empty() {
        paragraphs.push(current);
    }
    paragraphs.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(s: &[&str]) -> Vec<String> {
        s.iter().map(|l| (*l).to_owned()).collect()
    }

    #[test]
    fn lines_join_and_links_wrap_back() {
        let t = clean(&lines(&[
            "Tài khoản của quý khách",
            "bị khóa. Truy cập https://vcb-xac-",
            "minh.top/dang-nhap ngay",
            "",
            "Hotline 0912 345 678",
        ]));
        assert_eq!(
            t,
            "Tài khoản của quý khách bị khóa. Truy cập https://vcb-xac-minh.top/dang-nhap ngay\nHotline 0912 345 678"
        );
    }

    #[test]
    fn ocr_slips_in_vietnamese_are_repaired() {
        // Marks split from their letters (NFD, or after a space).
        let nfd: String = "Thông báo".nfd().collect();
        assert_eq!(clean(&lines(&[&nfd])), "Thông báo");
        assert_eq!(clean(&lines(&["Tài khoa \u{309}n"])), "Tài khoản");
        // "rn" for "m" in Vietnamese words only; English and links are left alone.
        assert_eq!(clean(&lines(&["Nhận tiền thưởng rnừng Tết"])), "Nhận tiền thưởng mừng Tết");
        assert_eq!(clean(&lines(&["Modern corner"])), "Modern corner");
        // "0" inside words, letters inside numbers.
        assert_eq!(
            clean(&lines(&["Th0ng báo từ c0ng an", "STK: 1O23456789 gọi O9l2345678"])),
            "Thong báo từ cong an STK: 1023456789 gọi 0912345678"
        );
        assert_eq!(clean(&lines(&["Mã OTP là 123456, BIDV"])), "Mã OTP là 123456, BIDV");
    }
}
