//! Preparing an image for OCR: greyscale (done by the caller), a dark theme turned into dark
//! text on light, scaled so that text is a comfortable height for Tesseract, then a global
//! (Otsu) threshold that keeps text and drops bubble colours and JPEG noise.

use image::{GrayImage, imageops::FilterType};

/// Width screenshots are scaled to (phone screenshots are 720–1440 px wide, their text 25–45
/// px tall; Tesseract reads best at 30–40 px capital height).
const TARGET_WIDTH: u32 = 1800;

/// Otsu's threshold of a histogram.
fn otsu(img: &GrayImage) -> u8 {
    let mut hist = [0u64; 256];
    for p in img.pixels() {
        hist[usize::from(p.0[0])] += 1;
    }
    let total: u64 = hist.iter().sum();
    let sum: f64 = hist.iter().enumerate().map(|(i, n)| i as f64 * *n as f64).sum();
    let (mut sum_b, mut w_b, mut best, mut threshold) = (0.0, 0u64, 0.0, 128u8);
    for (t, n) in hist.iter().enumerate() {
        w_b += n;
        if w_b == 0 {
            continue;
        }
        let w_f = total - w_b;
        if w_f == 0 {
            break;
        }
        sum_b += t as f64 * *n as f64;
        let (m_b, m_f) = (sum_b / w_b as f64, (sum - sum_b) / w_f as f64);
        let between = w_b as f64 * w_f as f64 * (m_b - m_f).powi(2);
        if between > best {
            best = between;
            threshold = u8::try_from(t).unwrap_or(128);
        }
    }
    threshold
}

/// The image Tesseract reads.
#[must_use]
pub fn for_ocr(gray: &GrayImage) -> GrayImage {
    let mut img = gray.clone();
    let n = u64::from(img.width()) * u64::from(img.height());
    let mean = img.pixels().map(|p| u64::from(p.0[0])).sum::<u64>() / n.max(1);
    if mean < 110 {
        image::imageops::invert(&mut img);
    }
    let w = img.width();
    if !(TARGET_WIDTH * 2 / 3..=TARGET_WIDTH * 2).contains(&w) {
        let k = f64::from(TARGET_WIDTH) / f64::from(w);
        let k = k.clamp(0.5, 3.0);
        let (nw, nh) = ((f64::from(w) * k) as u32, (f64::from(img.height()) * k) as u32);
        img = image::imageops::resize(&img, nw.max(1), nh.max(1), FilterType::CatmullRom);
    }
    let t = otsu(&img);
    for p in img.pixels_mut() {
        p.0[0] = if p.0[0] > t { 255 } else { 0 };
    }
    img
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dark_screens_are_inverted_and_small_ones_scaled() {
        let mut dark = GrayImage::from_pixel(600, 100, image::Luma([20]));
        for x in 100..200 {
            dark.put_pixel(x, 50, image::Luma([230]));
        }
        let out = for_ocr(&dark);
        assert_eq!(out.width(), 1800, "scaled up");
        assert_eq!(out.get_pixel(10, 10).0[0], 255, "the dark page turned white");
        assert!(out.pixels().all(|p| p.0[0] == 0 || p.0[0] == 255), "thresholded");
    }
}
