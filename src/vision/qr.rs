//! QR codes in an image, decoded with rqrr (pure Rust): each becomes a link to analyse, a
//! VietQR transfer to spell out, or plain text.

use image::GrayImage;

use super::vietqr::{self, Payment};

/// What a QR code holds.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "lowercase")]
pub enum QrContent {
    /// A web address.
    Link(String),
    /// A bank transfer (VietQR).
    Payment(Payment),
    /// Anything else.
    Text(String),
}

/// Most codes read from one image (a poster rarely has more than two).
const MAX_CODES: usize = 8;

/// Classifies a decoded payload.
#[must_use]
pub fn classify(payload: &str) -> QrContent {
    let p = payload.trim();
    if let Some(pay) = vietqr::parse(p) {
        return QrContent::Payment(pay);
    }
    let lower = p.to_ascii_lowercase();
    let looks_like_link = lower.starts_with("http://")
        || lower.starts_with("https://")
        || (lower.starts_with("www.") && !p.contains(char::is_whitespace));
    if looks_like_link { QrContent::Link(p.to_owned()) } else { QrContent::Text(p.to_owned()) }
}

fn detect(gray: &GrayImage) -> Vec<String> {
    let mut prepared = rqrr::PreparedImage::prepare(gray.clone());
    prepared
        .detect_grids()
        .into_iter()
        .take(MAX_CODES)
        .filter_map(|g| g.decode().ok().map(|(_, content)| content))
        .collect()
}

/// Every QR code in the image (a large photo is also tried at half size, where a small code's
/// modules are crisper for the detector).
#[must_use]
pub fn decode_all(gray: &GrayImage) -> Vec<QrContent> {
    let mut found = detect(gray);
    if found.is_empty() && gray.width().max(gray.height()) > 1600 {
        let half = image::imageops::resize(
            gray,
            gray.width() / 2,
            gray.height() / 2,
            image::imageops::FilterType::Triangle,
        );
        found = detect(&half);
    }
    found.sort();
    found.dedup();
    found.iter().map(|p| classify(p)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_are_told_apart() {
        assert_eq!(
            classify(" https://vcb-hoan-tien.top/nhan "),
            QrContent::Link("https://vcb-hoan-tien.top/nhan".into())
        );
        assert!(matches!(classify(&vietqr::build("970418", "123", None, None)), QrContent::Payment(_)));
        assert_eq!(
            classify("WIFI:S:Phong hop;T:WPA;P:123;;"),
            QrContent::Text("WIFI:S:Phong hop;T:WPA;P:123;;".into())
        );
    }
}
