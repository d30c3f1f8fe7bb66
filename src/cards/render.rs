//! Drawing a card: the bundled Noto Sans shaped and wrapped by cosmic-text (stacked Vietnamese
//! marks, line breaks between syllables, no single syllable left alone on a last line), one
//! scale for all body text found so that everything fits, painted with tiny-skia to PNG.

use cosmic_text::{
    Attrs, Buffer, Color, Family, FontSystem, Metrics, Shaping, SwashCache, Weight, Wrap, fontdb,
};
use tiny_skia::{Paint, Pixmap, PixmapPaint, Rect as SkRect, Transform};
use unicode_normalization::UnicodeNormalization;

use super::{
    CardError, Format,
    spec::{CardSpec, Item},
    theme::{Branding, Rgb},
};

const REGULAR: &[u8] = include_bytes!("../../assets/fonts/NotoSans-Regular.ttf");
const BOLD: &[u8] = include_bytes!("../../assets/fonts/NotoSans-Bold.ttf");
const FAMILY: &str = "Noto Sans";

/// Distance from the edges that no text crosses.
pub const MARGIN: f32 = 72.0;
const HEADER: f32 = 128.0;
const STRIPE: f32 = 8.0;
const FOOTER: f32 = 156.0;
/// The smallest scale of the body text (below it a card is refused as too long).
pub const MIN_SCALE: f32 = 0.55;

/// A rectangle in pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    /// Left.
    pub x0: f32,
    /// Top.
    pub y0: f32,
    /// Right.
    pub x1: f32,
    /// Bottom.
    pub y1: f32,
}

impl Rect {
    /// Whether `other` lies inside this rectangle.
    #[must_use]
    pub fn contains(&self, other: &Rect) -> bool {
        other.x0 >= self.x0 && other.y0 >= self.y0 && other.x1 <= self.x1 && other.y1 <= self.y1
    }

    fn grow(&mut self, x: f32, y: f32) {
        self.x0 = self.x0.min(x);
        self.y0 = self.y0.min(y);
        self.x1 = self.x1.max(x + 1.0);
        self.y1 = self.y1.max(y + 1.0);
    }
}

/// One text block as drawn: where it was allowed to go and where its ink landed.
#[derive(Debug, Clone)]
pub struct Block {
    /// What it is ("title", "body", "footer", ...).
    pub role: &'static str,
    /// The box the layout gave it.
    pub area: Rect,
    /// The pixels the glyphs actually covered (`None` for an empty block).
    pub ink: Option<Rect>,
    /// Lines after wrapping.
    pub lines: usize,
    /// Words on the last line (a syllable left alone would be 1).
    pub last_line_words: usize,
}

/// A drawn card.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The PNG file.
    pub png: Vec<u8>,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The scale the body text was drawn at (1 = full size).
    pub scale: f32,
    /// Every text block.
    pub blocks: Vec<Block>,
    /// Glyphs the font lacks (drawn as empty boxes); always 0 for the bundled content.
    pub missing_glyphs: usize,
    /// The area no text may leave.
    pub safe: Rect,
}

/// The font system and glyph cache: one per renderer, used behind a lock.
pub(super) struct Fonts {
    system: FontSystem,
    cache: SwashCache,
}

impl std::fmt::Debug for Fonts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fonts").finish_non_exhaustive()
    }
}

/// How a piece of text is set.
#[derive(Debug, Clone, Copy)]
struct Style {
    size: f32,
    line: f32,
    bold: bool,
    color: Rgb,
}

/// Text shaped and wrapped to a width.
struct Laid {
    buffer: Buffer,
    height: f32,
    lines: usize,
    last_line_words: usize,
    missing: usize,
    color: Rgb,
}

/// Prepares text for a card: composed (NFC, so decomposed input draws the same), spaces
/// collapsed, characters the font cannot draw (emoji) dropped, and the last two words of a
/// paragraph joined by a no-break space so that no syllable is left alone on the last line.
#[must_use]
pub fn prepare(text: &str) -> String {
    let mut open = false;
    let composed: String = text
        .nfc()
        .filter(|c| drawable(*c))
        .map(|c| match c {
            // Straight double quotes become curly ones, opening and closing in turn.
            '"' => {
                open = !open;
                if open { '\u{201c}' } else { '\u{201d}' }
            }
            c => c,
        })
        .collect();
    let words: Vec<&str> = composed.split_whitespace().collect();
    match words.len() {
        0 => String::new(),
        1..=3 => words.join(" "),
        n => format!("{}\u{a0}{}", words[..n - 1].join(" "), words[n - 1]),
    }
}

/// Characters Noto Sans has: Latin with every Vietnamese letter and mark, punctuation, the
/// đồng sign. Emoji and pictographs are left out (a card does not need them).
fn drawable(c: char) -> bool {
    matches!(c as u32,
        0x20..=0x7e | 0xa0..=0x24f | 0x300..=0x36f | 0x1e00..=0x1eff | 0x2010..=0x2027
        | 0x2030..=0x205e | 0x20a0..=0x20c0 | 0x2116 | 0x2122)
}

impl Fonts {
    /// The bundled fonts only: no system font is looked at.
    pub(super) fn new() -> Self {
        let db = bundled_fonts();
        Self { system: FontSystem::new_with_locale_and_db("vi-VN".into(), db), cache: SwashCache::new() }
    }

    fn lay(&mut self, text: &str, style: Style, width: f32) -> Laid {
        self.lay_spans(&[(text, style.bold)], style, width)
    }

    /// Lays out spans (each regular or bold) as one paragraph.
    fn lay_spans(&mut self, spans: &[(&str, bool)], style: Style, width: f32) -> Laid {
        let metrics = Metrics::new(style.size, (style.size * style.line).ceil());
        let mut buffer = Buffer::new(&mut self.system, metrics);
        buffer.set_wrap(Wrap::WordOrGlyph);
        buffer.set_size(Some(width), None);
        let attrs = |bold: bool| {
            Attrs::new().family(Family::Name(FAMILY)).weight(if bold { Weight::BOLD } else { Weight::NORMAL })
        };
        let default = attrs(style.bold);
        buffer.set_rich_text(spans.iter().map(|(t, b)| (*t, attrs(*b))), &default, Shaping::Advanced, None);
        buffer.shape_until_scroll(&mut self.system, false);
        let (mut lines, mut bottom, mut missing, mut last_words) = (0, 0.0f32, 0, 0);
        for run in buffer.layout_runs() {
            lines += 1;
            bottom = bottom.max(run.line_top + run.line_height);
            missing += run.glyphs.iter().filter(|g| g.glyph_id == 0).count();
            let start = run.glyphs.iter().map(|g| g.start).min().unwrap_or(0);
            let end = run.glyphs.iter().map(|g| g.end).max().unwrap_or(0);
            last_words = run.text.get(start..end).map_or(0, |s| s.split_whitespace().count());
        }
        Laid { buffer, height: bottom, lines, last_line_words: last_words, missing, color: style.color }
    }

    /// Paints laid-out text with its top-left corner at (`x`, `y`); returns the ink's box.
    fn paint(&mut self, pixmap: &mut Pixmap, laid: &Laid, x: f32, y: f32) -> Option<Rect> {
        paint_buffer(&mut self.system, &mut self.cache, pixmap, &laid.buffer, (x, y), laid.color)
    }
}

/// The bundled fonts in a font database (no system font is looked at).
pub(crate) fn bundled_fonts() -> fontdb::Database {
    let mut db = fontdb::Database::new();
    db.load_font_data(REGULAR.to_vec());
    db.load_font_data(BOLD.to_vec());
    db.set_sans_serif_family(FAMILY);
    db
}

/// Paints a laid-out buffer onto an opaque pixmap with its top-left corner at `at`, in
/// `color`; returns the box the ink covered (also where it fell outside the pixmap).
pub(crate) fn paint_buffer(
    system: &mut FontSystem,
    cache: &mut SwashCache,
    pixmap: &mut Pixmap,
    buffer: &Buffer,
    at: (f32, f32),
    color: Rgb,
) -> Option<Rect> {
    let (w, h) = (pixmap.width() as i32, pixmap.height() as i32);
    let Rgb(r, g, b) = color;
    let base = Color::rgb(r, g, b);
    let data = pixmap.data_mut();
    let mut ink: Option<Rect> = None;
    for run in buffer.layout_runs() {
        for glyph in run.glyphs {
            let p = glyph.physical((at.0, at.1 + run.line_y), 1.0);
            cache.with_pixels(system, p.cache_key, base, |gx, gy, color| {
                let (px, py) = (p.x + gx, p.y + gy);
                let a = u32::from(color.a());
                if a == 0 {
                    return;
                }
                ink.get_or_insert(Rect {
                    x0: px as f32,
                    y0: py as f32,
                    x1: px as f32 + 1.0,
                    y1: py as f32 + 1.0,
                })
                .grow(px as f32, py as f32);
                if px < 0 || py < 0 || px >= w || py >= h {
                    return;
                }
                // The page is opaque, so premultiplied and straight colour agree.
                let i = ((py * w + px) * 4) as usize;
                for (k, c) in [color.r(), color.g(), color.b()].into_iter().enumerate() {
                    let d = u32::from(data[i + k]);
                    data[i + k] = ((u32::from(c) * a + d * (255 - a) + 127) / 255) as u8;
                }
                data[i + 3] = 255;
            });
        }
    }
    ink
}

fn fill(pixmap: &mut Pixmap, x: f32, y: f32, w: f32, h: f32, colour: Rgb) {
    if let Some(rect) = SkRect::from_xywh(x, y, w, h) {
        let mut paint = Paint::default();
        paint.set_color_rgba8(colour.0, colour.1, colour.2, 255);
        paint.anti_alias = true;
        pixmap.fill_rect(rect, &paint, Transform::identity(), None);
    }
}

/// Body text sizes at scale 1.
struct Sizes {
    kicker: f32,
    title: f32,
    heading: f32,
    body: f32,
}

/// What the content area holds, laid out at one scale.
struct Column {
    parts: Vec<(&'static str, f32, Laid, f32)>,
    height: f32,
    missing: usize,
}

impl Fonts {
    fn column(&mut self, spec: &CardSpec, branding: &Branding, width: f32, s: f32) -> Column {
        let t = branding.theme;
        let sizes = if spec.dense {
            Sizes { kicker: 26.0, title: 54.0, heading: 32.0, body: 31.0 }
        } else {
            Sizes { kicker: 28.0, title: 60.0, heading: 36.0, body: 42.0 }
        };
        let body = Style { size: sizes.body * s, line: 1.4, bold: false, color: t.ink };
        let mut parts: Vec<(&'static str, f32, Laid, f32)> = Vec::new();
        let kicker = Style { size: sizes.kicker * s.max(0.8), line: 1.3, bold: true, color: t.accent };
        parts.push(("kicker", 0.0, self.lay(&prepare(&spec.kicker.to_uppercase()), kicker, width), 12.0 * s));
        let title = Style { size: sizes.title * s, line: 1.22, bold: true, color: t.ink };
        parts.push(("title", 0.0, self.lay(&prepare(&spec.title), title, width), 44.0 * s));
        for section in &spec.sections {
            if let Some(h) = &section.heading {
                let style = Style { size: sizes.heading * s, line: 1.3, bold: true, color: t.accent };
                parts.push(("heading", 0.0, self.lay(&prepare(h), style, width), 12.0 * s));
            }
            for para in &section.paras {
                parts.push(("body", 0.0, self.lay(&prepare(para), body, width), 20.0 * s));
            }
            let indent = (body.size * 1.5).round();
            for (i, item) in section.items.iter().enumerate() {
                let marker = match section.numbered {
                    true => format!("{}.", i + 1),
                    false => "•".to_owned(),
                };
                let ms = Style { bold: true, color: t.accent, ..body };
                parts.push(("marker", 0.0, self.lay(&marker, ms, indent), 0.0));
                let laid = match item {
                    Item::Plain(text) => self.lay(&prepare(text), body, width - indent),
                    Item::Lead { lead, text } => {
                        let (lead, text) = (format!("{} ", prepare(lead)), prepare(text));
                        self.lay_spans(&[(&lead, true), (&text, false)], body, width - indent)
                    }
                };
                parts.push(("item", indent, laid, 16.0 * s));
            }
            if let Some(last) = parts.last_mut() {
                last.3 = last.3.max(30.0 * s);
            }
        }
        if let Some(last) = parts.last_mut() {
            last.3 = 0.0;
        }
        let mut height = 0.0;
        let mut missing = 0;
        for (role, _, laid, gap) in &parts {
            missing += laid.missing;
            // A marker sits beside its item and takes no height of its own.
            if *role != "marker" {
                height += laid.height + gap;
            }
        }
        Column { parts, height, missing }
    }

    /// The largest laid-out text of `text` at most `max` pixels tall, shrinking from `size`.
    fn fit(&mut self, text: &str, style: Style, width: f32, max: f32) -> Laid {
        let mut style = style;
        loop {
            let laid = self.lay(text, style, width);
            if laid.height <= max || style.size <= 14.0 {
                return laid;
            }
            style.size -= 1.0;
        }
    }

    /// Draws `spec` for `branding` at `format`.
    pub(super) fn render(
        &mut self,
        spec: &CardSpec,
        branding: &Branding,
        format: Format,
    ) -> Result<Rendered, CardError> {
        let (w, h) = format.size();
        let (wf, hf) = (w as f32, h as f32);
        let t = branding.theme;
        let mut pixmap = Pixmap::new(w, h).ok_or(CardError::Draw("canvas"))?;
        pixmap.fill(tiny_skia::Color::from_rgba8(t.background.0, t.background.1, t.background.2, 255));
        let safe = Rect { x0: MARGIN, y0: 0.0, x1: wf - MARGIN, y1: hf };
        let mut blocks = Vec::new();
        let mut missing = 0;

        // Header: the logo and the department's name on the primary band, an accent stripe.
        fill(&mut pixmap, 0.0, 0.0, wf, HEADER, t.primary);
        fill(&mut pixmap, 0.0, HEADER, wf, STRIPE, t.accent);
        let mut x = MARGIN;
        if let Some(logo) = &branding.logo {
            let side = HEADER - 36.0;
            let k = side / logo.pixmap.width().max(logo.pixmap.height()) as f32;
            let (lw, lh) = (logo.pixmap.width() as f32 * k, logo.pixmap.height() as f32 * k);
            let paint = PixmapPaint { quality: tiny_skia::FilterQuality::Bicubic, ..PixmapPaint::default() };
            pixmap.draw_pixmap(
                0,
                0,
                logo.pixmap.as_ref(),
                &paint,
                Transform::from_scale(k, k).post_translate(x, (HEADER - lh) / 2.0),
                None,
            );
            x += lw + 24.0;
        }
        let org = branding
            .org
            .as_deref()
            .filter(|o| !o.trim().is_empty())
            .unwrap_or("Cảnh giác lừa đảo trực tuyến");
        let style = Style { size: 30.0, line: 1.25, bold: true, color: t.on_primary };
        let laid = self.fit(&prepare(org), style, wf - MARGIN - x, HEADER - 28.0);
        let y = (HEADER - laid.height) / 2.0;
        let ink = self.paint(&mut pixmap, &laid, x, y);
        missing += laid.missing;
        blocks.push(Block {
            role: "header",
            area: Rect { x0: x, y0: 0.0, x1: wf - MARGIN, y1: HEADER },
            ink,
            lines: laid.lines,
            last_line_words: laid.last_line_words,
        });

        // Footer: the call to action and where to find the bot.
        let top = hf - FOOTER;
        fill(&mut pixmap, 0.0, top, wf, FOOTER, t.primary);
        let mut footer =
            vec![(prepare(&spec.cta), Style { size: 34.0, line: 1.25, bold: true, color: t.on_primary })];
        if let Some(handle) = branding.handle.as_deref().filter(|h| !h.trim().is_empty()) {
            footer
                .push((prepare(handle), Style { size: 28.0, line: 1.25, bold: false, color: t.on_primary }));
        }
        let share = (FOOTER - 40.0) / footer.len() as f32;
        let laid: Vec<Laid> =
            footer.iter().map(|(text, style)| self.fit(text, *style, wf - 2.0 * MARGIN, share)).collect();
        let total: f32 = laid.iter().map(|l| l.height).sum::<f32>() + 6.0 * (laid.len() as f32 - 1.0);
        let mut y = top + (FOOTER - total) / 2.0;
        for l in &laid {
            let ink = self.paint(&mut pixmap, l, MARGIN, y);
            missing += l.missing;
            blocks.push(Block {
                role: "footer",
                area: Rect { x0: MARGIN, y0: top, x1: wf - MARGIN, y1: hf },
                ink,
                lines: l.lines,
                last_line_words: l.last_line_words,
            });
            y += l.height + 6.0;
        }

        // The content: one scale for all of it, the largest that fits, centred vertically.
        let area = Rect { x0: MARGIN, y0: HEADER + STRIPE + 52.0, x1: wf - MARGIN, y1: top - 44.0 };
        let width = area.x1 - area.x0;
        let room = area.y1 - area.y0;
        let mut column = self.column(spec, branding, width, 1.0);
        let mut scale = 1.0;
        if column.height > room {
            let (mut lo, mut hi) = (MIN_SCALE, 1.0f32);
            let mut best = None;
            for _ in 0..9 {
                let mid = (lo + hi) / 2.0;
                let c = self.column(spec, branding, width, mid);
                if c.height <= room {
                    lo = mid;
                    best = Some((mid, c));
                } else {
                    hi = mid;
                }
            }
            match best {
                Some((s, c)) => (scale, column) = (s, c),
                None => {
                    let c = self.column(spec, branding, width, MIN_SCALE);
                    if c.height > room {
                        return Err(CardError::TooLong(spec.title.clone()));
                    }
                    (scale, column) = (MIN_SCALE, c);
                }
            }
        }
        missing += column.missing;
        let mut y = area.y0 + ((room - column.height) / 2.0).max(0.0);
        let mut after_title = None;
        for (role, indent, laid, gap) in &column.parts {
            let ink = self.paint(&mut pixmap, laid, area.x0 + indent, y);
            blocks.push(Block {
                role,
                area: Rect { x0: area.x0 + indent, y0: area.y0, x1: area.x1, y1: area.y1 },
                ink,
                lines: laid.lines,
                last_line_words: laid.last_line_words,
            });
            if *role != "marker" {
                y += laid.height + gap;
            }
            if *role == "title" {
                after_title = Some(y - gap);
            }
        }
        // A short accent rule between the title and the text.
        if let Some(y) = after_title {
            fill(&mut pixmap, area.x0, y + 14.0 * scale, 96.0, 6.0 * scale.max(0.7), t.accent);
        }
        let png = pixmap.encode_png().map_err(|_| CardError::Draw("png"))?;
        Ok(Rendered { png, width: w, height: h, scale, blocks, missing_glyphs: missing, safe })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_composed_cleaned_and_its_last_words_kept_together() {
        let nfd: String = "Không bấm vào đường link lạ".nfd().collect();
        assert_eq!(prepare(&nfd), "Không bấm vào đường link\u{a0}lạ");
        assert_eq!(prepare("🚨 Cảnh  báo\n mới ✅"), "Cảnh báo mới");
        assert_eq!(prepare("   "), "");
        assert!(prepare("Giá 1.990.000₫ – “rẻ”…").contains('₫'));
        assert_eq!(prepare("Lừa đảo \"combo\" và \"tour\""), "Lừa đảo “combo” và\u{a0}“tour”");
    }
}
