//! Preparing an image for OCR: greyscale (done by the caller), a dark theme turned into dark
//! text on light, a photo taken at a slant straightened (the skew of the text lines found by
//! projection profiles), scaled so that text is a comfortable height for Tesseract, then a
//! global (Otsu) threshold that keeps text and drops bubble colours and JPEG noise.

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

/// Largest slant straightened, in degrees (a photo of a phone held crooked).
const MAX_SKEW: f32 = 12.0;

/// The slant of the text lines in degrees (positive: lines fall to the right), from the
/// angle whose horizontal projection of ink is sharpest; 0 when there is too little ink.
#[must_use]
pub fn skew(gray: &GrayImage) -> f32 {
    let k = (800.0 / gray.width() as f32).min(1.0);
    let small = if k < 1.0 {
        image::imageops::resize(
            gray,
            (gray.width() as f32 * k) as u32,
            ((gray.height() as f32 * k) as u32).max(1),
            FilterType::Triangle,
        )
    } else {
        gray.clone()
    };
    let t = otsu(&small);
    let mut ink: Vec<(f32, f32)> = small
        .enumerate_pixels()
        .filter(|(_, _, p)| p.0[0] < t)
        .map(|(x, y, _)| (x as f32, y as f32))
        .collect();
    let total = (small.width() * small.height()) as usize;
    // Too little ink to measure, or a dark block (a bubble) rather than text.
    if ink.len() < 200 || ink.len() * 2 > total {
        return 0.0;
    }
    if ink.len() > 80_000 {
        let step = ink.len() / 80_000 + 1;
        ink = ink.into_iter().step_by(step).collect();
    }
    let h = small.height() as f32;
    let w = small.width() as f32;
    let span = (h + w * (MAX_SKEW.to_radians().tan()) * 2.0) as usize + 2;
    let offset = w * MAX_SKEW.to_radians().tan() + 1.0;
    let score = |deg: f32| {
        let tan = deg.to_radians().tan();
        let mut rows = vec![0u32; span];
        for (x, y) in &ink {
            let r = (y - x * tan + offset) as usize;
            if let Some(c) = rows.get_mut(r) {
                *c += 1;
            }
        }
        rows.iter().map(|c| f64::from(*c) * f64::from(*c)).sum::<f64>()
    };
    let mut best = (0.0f32, score(0.0));
    let mut deg = -MAX_SKEW;
    while deg <= MAX_SKEW {
        let s = score(deg);
        if s > best.1 * 1.0001 {
            best = (deg, s);
        }
        deg += 0.25;
    }
    best.0
}

/// Rotates by `deg` degrees about the centre (bilinear), filling the corners with white.
#[must_use]
pub fn rotate(gray: &GrayImage, deg: f32) -> GrayImage {
    let (w, h) = gray.dimensions();
    let (sin, cos) = deg.to_radians().sin_cos();
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    let px = |x: i64, y: i64| -> f32 {
        if x < 0 || y < 0 || x >= i64::from(w) || y >= i64::from(h) {
            255.0
        } else {
            f32::from(gray.get_pixel(x as u32, y as u32).0[0])
        }
    };
    GrayImage::from_fn(w, h, |x, y| {
        let (dx, dy) = (x as f32 - cx, y as f32 - cy);
        let sx = dx * cos - dy * sin + cx;
        let sy = dx * sin + dy * cos + cy;
        let (x0, y0) = (sx.floor(), sy.floor());
        let (fx, fy) = (sx - x0, sy - y0);
        let (x0, y0) = (x0 as i64, y0 as i64);
        let top = px(x0, y0) * (1.0 - fx) + px(x0 + 1, y0) * fx;
        let bottom = px(x0, y0 + 1) * (1.0 - fx) + px(x0 + 1, y0 + 1) * fx;
        image::Luma([(top * (1.0 - fy) + bottom * fy).round().clamp(0.0, 255.0) as u8])
    })
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
    let slant = skew(&img);
    if slant.abs() >= 0.5 {
        img = rotate(&img, slant);
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
    fn a_slant_is_measured_and_straightened() {
        // Ten "lines of text": dashed horizontal strokes.
        let mut img = GrayImage::from_pixel(600, 400, image::Luma([255]));
        for line in 0..10 {
            for x in (40..560).filter(|x| x % 12 < 9) {
                for dy in 0..6 {
                    img.put_pixel(x, 30 + line * 35 + dy, image::Luma([0]));
                }
            }
        }
        assert!(skew(&img).abs() < 0.3);
        for deg in [3.0f32, -5.0, 8.0] {
            let slanted = rotate(&img, -deg);
            let found = skew(&slanted);
            assert!((found - deg).abs() <= 0.5, "{deg}° measured as {found}°");
            assert!(skew(&rotate(&slanted, found)).abs() <= 0.5, "straightened");
        }
    }

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
