#![allow(clippy::expect_used, clippy::unwrap_used)] // test images: a failure to draw is a failed test
//! Test images drawn from text: a message in a chat bubble as a phone screenshot (light, dark
//! or SMS theme; Noto Sans, Noto Sans Bold or DejaVu Sans; a font size; PNG or JPEG at a
//! quality; a slight rotation as in a photo of a screen), and posters with QR codes. The OCR
//! tests read them back.

use cosmic_text::{Attrs, Buffer, Family, FontSystem, Metrics, Shaping, SwashCache, Weight, Wrap};
use tiny_skia::{Paint, Pixmap, PixmapPaint, Rect, Transform};

/// How a screenshot looks.
#[derive(Debug, Clone)]
pub struct Shot {
    /// `light`, `dark` or `sms`.
    pub theme: String,
    /// `sans`, `sans-bold` or `dejavu` (Noto Sans if DejaVu is not installed).
    pub font: String,
    /// Text size in pixels.
    pub size: f32,
    /// Screenshot width in pixels.
    pub width: u32,
    /// `png` or `jpeg`.
    pub format: String,
    /// JPEG quality.
    pub quality: u8,
    /// Rotation in degrees.
    pub degrees: f32,
}

/// The dev image set (`tests/data/images/set.tsv` under `root`): label, how to draw it, text.
#[must_use]
pub fn dev_set(root: &std::path::Path) -> Vec<(String, Shot, String)> {
    let text = std::fs::read_to_string(root.join("tests/data/images/set.tsv")).expect("set.tsv");
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let shot = Shot {
                theme: f[1].into(),
                font: f[2].into(),
                size: f[3].parse().expect("size"),
                width: f[4].parse().expect("width"),
                format: f[5].into(),
                quality: f[6].parse().expect("quality"),
                degrees: f[7].parse().expect("degrees"),
            };
            (f[0].to_owned(), shot, f[8].replace("\\n", "\n"))
        })
        .collect()
}

const DEJAVU: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

/// The fonts: the bundled Noto Sans, and DejaVu Sans when the system has it.
pub struct Painter {
    fonts: FontSystem,
    cache: SwashCache,
    dejavu: bool,
}

impl std::fmt::Debug for Painter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Painter").field("dejavu", &self.dejavu).finish()
    }
}

impl Default for Painter {
    fn default() -> Self {
        let mut db = crate::cards::bundled_fonts();
        let dejavu = std::fs::read(DEJAVU).map(|b| db.load_font_data(b)).is_ok();
        Self {
            fonts: FontSystem::new_with_locale_and_db("vi-VN".into(), db),
            cache: SwashCache::new(),
            dejavu,
        }
    }
}

fn rgb(c: (u8, u8, u8)) -> tiny_skia::Color {
    tiny_skia::Color::from_rgba8(c.0, c.1, c.2, 255)
}

impl Painter {
    /// Lays out `text` at `size` in `width`; returns the buffer and its height.
    fn lay(&mut self, text: &str, font: &str, size: f32, width: f32) -> (Buffer, f32) {
        let mut b = Buffer::new(&mut self.fonts, Metrics::new(size, (size * 1.35).ceil()));
        b.set_wrap(Wrap::WordOrGlyph);
        b.set_size(Some(width), None);
        let family = if font == "dejavu" && self.dejavu { "DejaVu Sans" } else { "Noto Sans" };
        let weight = if font == "sans-bold" { Weight::BOLD } else { Weight::NORMAL };
        b.set_text(text, &Attrs::new().family(Family::Name(family)).weight(weight), Shaping::Advanced, None);
        b.shape_until_scroll(&mut self.fonts, false);
        let h = b.layout_runs().map(|r| r.line_top + r.line_height).fold(0.0, f32::max);
        (b, h)
    }

    fn paint(&mut self, pixmap: &mut Pixmap, b: &Buffer, x: f32, y: f32, ink: (u8, u8, u8)) {
        let colour = crate::cards::Rgb(ink.0, ink.1, ink.2);
        crate::cards::paint_buffer(&mut self.fonts, &mut self.cache, pixmap, b, (x, y), colour);
    }

    /// A chat screenshot of `text` (the image file's bytes).
    pub fn screenshot(&mut self, text: &str, shot: &Shot) -> Vec<u8> {
        let (page, bubble, ink, bar) = match shot.theme.as_str() {
            "dark" => ((18, 18, 18), (44, 44, 46), (235, 235, 235), (28, 28, 30)),
            "sms" => ((255, 255, 255), (11, 132, 255), (255, 255, 255), (246, 246, 246)),
            _ => ((255, 255, 255), (229, 229, 234), (20, 20, 20), (246, 246, 246)),
        };
        let w = shot.width as f32;
        let pad = w * 0.04;
        let text_w = w * 0.72;
        let (body, th) = self.lay(text, &shot.font, shot.size, text_w);
        let (head, hh) = self.lay("Tin nhắn", "sans-bold", shot.size * 0.9, w - 2.0 * pad);
        let bar_h = hh + 2.0 * pad;
        let h = (bar_h + th + 6.0 * pad).ceil() as u32;
        let mut pm = Pixmap::new(shot.width, h).unwrap_or_else(|| Pixmap::new(1, 1).expect("pixmap"));
        pm.fill(rgb(page));
        let mut paint = Paint::default();
        paint.set_color(rgb(bar));
        if let Some(r) = Rect::from_xywh(0.0, 0.0, w, bar_h) {
            pm.fill_rect(r, &paint, Transform::identity(), None);
        }
        let (hx, hy) = (pad, pad);
        let head_ink = if shot.theme == "dark" { (235, 235, 235) } else { (20, 20, 20) };
        self.paint(&mut pm, &head, hx, hy, head_ink);
        paint.set_color(rgb(bubble));
        paint.anti_alias = true;
        let by = bar_h + 2.0 * pad;
        let path = tiny_skia::PathBuilder::from_rect(
            Rect::from_xywh(pad, by, text_w + 2.0 * pad, th + 2.0 * pad)
                .unwrap_or_else(|| Rect::from_xywh(0.0, 0.0, 1.0, 1.0).expect("rect")),
        );
        pm.fill_path(&path, &paint, tiny_skia::FillRule::Winding, Transform::identity(), None);
        self.paint(&mut pm, &body, 2.0 * pad, by + pad, ink);
        let pm = rotate(&pm, shot.degrees, page);
        encode(&pm, &shot.format, shot.quality)
    }

    /// A poster: a title, text, and QR codes under them (PNG bytes).
    pub fn poster(&mut self, title: &str, text: &str, codes: &[Vec<Vec<bool>>]) -> Vec<u8> {
        let w = 1080.0;
        let (t, th) = self.lay(title, "sans-bold", 48.0, w - 120.0);
        let (b, bh) = self.lay(text, "sans", 34.0, w - 120.0);
        let module = 10.0;
        let qr_h = codes.iter().map(|c| c.len() as f32 * module + 80.0).fold(0.0, f32::max);
        let h = (60.0 + th + 30.0 + bh + 40.0 + qr_h + 60.0) as u32;
        let mut pm = Pixmap::new(1080, h).expect("pixmap");
        pm.fill(rgb((255, 252, 240)));
        self.paint(&mut pm, &t, 60.0, 60.0, (170, 20, 20));
        self.paint(&mut pm, &b, 60.0, 90.0 + th, (20, 20, 20));
        let mut x = 60.0;
        let y = 130.0 + th + bh;
        let mut black = Paint::default();
        black.set_color(rgb((0, 0, 0)));
        let mut white = Paint::default();
        white.set_color(rgb((255, 255, 255)));
        for code in codes {
            let n = code.len() as f32;
            if let Some(r) = Rect::from_xywh(x, y, n * module + 80.0, n * module + 80.0) {
                pm.fill_rect(r, &white, Transform::identity(), None);
            }
            for (row, line) in code.iter().enumerate() {
                for (col, dark) in line.iter().enumerate() {
                    if *dark
                        && let Some(r) = Rect::from_xywh(
                            x + 40.0 + col as f32 * module,
                            y + 40.0 + row as f32 * module,
                            module,
                            module,
                        )
                    {
                        pm.fill_rect(r, &black, Transform::identity(), None);
                    }
                }
            }
            x += n * module + 120.0;
        }
        encode(&pm, "png", 0)
    }
}

/// Rotates around the centre, filling the corners with the page colour.
fn rotate(pm: &Pixmap, degrees: f32, page: (u8, u8, u8)) -> Pixmap {
    if degrees == 0.0 {
        return pm.clone();
    }
    let mut out = Pixmap::new(pm.width(), pm.height()).expect("pixmap");
    out.fill(rgb(page));
    let (cx, cy) = (pm.width() as f32 / 2.0, pm.height() as f32 / 2.0);
    let paint = PixmapPaint { quality: tiny_skia::FilterQuality::Bicubic, ..PixmapPaint::default() };
    out.draw_pixmap(0, 0, pm.as_ref(), &paint, Transform::from_rotate_at(degrees, cx, cy), None);
    out
}

fn encode(pm: &Pixmap, format: &str, quality: u8) -> Vec<u8> {
    let rgb: Vec<u8> = pm.data().chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect();
    let img = image::RgbImage::from_raw(pm.width(), pm.height(), rgb).expect("image");
    let mut out = Vec::new();
    if format == "jpeg" {
        let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality.max(10));
        img.write_with_encoder(enc).expect("jpeg");
    } else {
        img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png).expect("png");
    }
    out
}
