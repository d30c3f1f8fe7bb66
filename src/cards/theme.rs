//! Colours and branding of the cards: a named theme (or two hex colours), the department's
//! name, an optional logo and the bot's handle, all from configuration.

use std::path::Path;

use super::CardError;

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// `#RRGGBB` (the `#` is optional).
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        let h = s.trim().trim_start_matches('#');
        if h.len() != 6 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let byte = |i: usize| u8::from_str_radix(&h[i..i + 2], 16).ok();
        Some(Self(byte(0)?, byte(2)?, byte(4)?))
    }

    /// The colour as `#rrggbb`.
    #[must_use]
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// Mixed with `other` by `t` (0: self, 1: other).
    #[must_use]
    pub fn mix(self, other: Self, t: f32) -> Self {
        let m =
            |a: u8, b: u8| (f32::from(a) + (f32::from(b) - f32::from(a)) * t).round().clamp(0.0, 255.0) as u8;
        Self(m(self.0, other.0), m(self.1, other.1), m(self.2, other.2))
    }

    /// Relative luminance (WCAG), 0 to 1.
    #[must_use]
    pub fn luminance(self) -> f32 {
        let lin = |c: u8| {
            let c = f32::from(c) / 255.0;
            if c <= 0.039_28 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
        };
        0.2126 * lin(self.0) + 0.7152 * lin(self.1) + 0.0722 * lin(self.2)
    }

    /// WCAG contrast ratio between two colours (1 to 21).
    #[must_use]
    pub fn contrast(self, other: Self) -> f32 {
        let (a, b) = (self.luminance(), other.luminance());
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }
}

const WHITE: Rgb = Rgb(0xff, 0xff, 0xff);
const INK: Rgb = Rgb(0x1c, 0x23, 0x33);

/// The colours of a card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Theme {
    /// The header and footer bands.
    pub primary: Rgb,
    /// The label above the title, headings and list markers.
    pub accent: Rgb,
    /// The page.
    pub background: Rgb,
    /// Body text.
    pub ink: Rgb,
    /// Text on the bands.
    pub on_primary: Rgb,
}

/// The named themes (`CANHGIAC_CARD_THEME`), the first is the default.
pub const THEMES: &[(&str, Rgb, Rgb)] = &[
    ("xanh", Rgb(0x0d, 0x3b, 0x66), Rgb(0xc6, 0x28, 0x28)),
    ("do", Rgb(0xa3, 0x1d, 0x1d), Rgb(0xb4, 0x53, 0x09)),
    ("xanh-la", Rgb(0x1b, 0x5e, 0x20), Rgb(0xb7, 0x1c, 0x1c)),
    ("tim", Rgb(0x4a, 0x14, 0x8c), Rgb(0xc2, 0x18, 0x5b)),
];

impl Default for Theme {
    fn default() -> Self {
        Self::from_colours(THEMES[0].1, THEMES[0].2)
    }
}

impl Theme {
    /// A theme from its two colours; the page is a faint tint of the primary colour, and text
    /// on the bands is white (or the ink colour when the band is too light for white).
    #[must_use]
    pub fn from_colours(primary: Rgb, accent: Rgb) -> Self {
        let on_primary = if primary.contrast(WHITE) >= 4.5 { WHITE } else { INK };
        // The accent must stay readable on the page: darken it until it is.
        let background = WHITE.mix(primary, 0.04);
        let mut accent = accent;
        while accent.contrast(background) < 4.5 {
            accent = accent.mix(Rgb(0, 0, 0), 0.15);
        }
        Self { primary, accent, background, ink: INK, on_primary }
    }

    /// A named theme (`xanh`, `do`, `xanh-la`, `tim`), or `#RRGGBB` / `#RRGGBB,#RRGGBB`
    /// (the bands, then the accent).
    pub fn parse(s: &str) -> Result<Self, CardError> {
        let s = s.trim();
        if let Some((_, p, a)) = THEMES.iter().find(|(name, _, _)| name.eq_ignore_ascii_case(s)) {
            return Ok(Self::from_colours(*p, *a));
        }
        let mut parts = s.split(',').map(str::trim);
        let primary = parts.next().and_then(Rgb::parse);
        let accent = match parts.next() {
            Some(a) => Rgb::parse(a),
            None => primary.map(|_| THEMES[0].2),
        };
        match (primary, accent, parts.next()) {
            (Some(p), Some(a), None) => Ok(Self::from_colours(p, a)),
            _ => Err(CardError::Setting(format!(
                "CANHGIAC_CARD_THEME \"{s}\" không hợp lệ: dùng một trong {} hoặc mã màu dạng #0d3b66 (có thể thêm màu nhấn: #0d3b66,#c62828)",
                THEMES.iter().map(|t| t.0).collect::<Vec<_>>().join(", ")
            ))),
        }
    }
}

/// Who the cards come from.
#[derive(Debug, Clone, Default)]
pub struct Branding {
    /// The department (`CANHGIAC_ORG_NAME`), shown in the header.
    pub org: Option<String>,
    /// The logo (`CANHGIAC_CARD_LOGO`, a PNG), drawn in the header.
    pub logo: Option<Logo>,
    /// The colours.
    pub theme: Theme,
    /// The bot's handle (`@name` on Telegram), shown under the call to action.
    pub handle: Option<String>,
}

/// A decoded logo and a fingerprint of its file (cards are redrawn when it changes).
#[derive(Clone)]
pub struct Logo {
    pub(super) pixmap: tiny_skia::Pixmap,
    pub(super) fingerprint: String,
}

impl std::fmt::Debug for Logo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Logo")
            .field("width", &self.pixmap.width())
            .field("height", &self.pixmap.height())
            .finish()
    }
}

/// Largest logo file read (a logo is a small PNG).
const MAX_LOGO_BYTES: u64 = 2 * 1024 * 1024;
/// Largest logo side in pixels.
const MAX_LOGO_SIDE: u32 = 4096;

impl Logo {
    /// Reads a PNG logo; the error names the file and says what is wrong, in Vietnamese.
    pub fn load(path: &Path) -> Result<Self, CardError> {
        let bad = |why: String| CardError::Setting(format!("Logo {}: {why}", path.display()));
        let size = std::fs::metadata(path).map_err(|e| bad(format!("không đọc được ({e})")))?.len();
        if size > MAX_LOGO_BYTES {
            return Err(bad("tệp lớn hơn 2 MB".into()));
        }
        let bytes = std::fs::read(path).map_err(|e| bad(format!("không đọc được ({e})")))?;
        Self::from_png(&bytes).map_err(|why| bad(why.into()))
    }

    /// A logo from PNG bytes.
    pub fn from_png(bytes: &[u8]) -> Result<Self, &'static str> {
        // The header is read first so that a huge image is refused before it is decoded.
        if bytes.len() < 24 || &bytes[..8] != b"\x89PNG\r\n\x1a\n" {
            return Err("không phải tệp PNG");
        }
        let dim = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
        if dim(16) > MAX_LOGO_SIDE || dim(20) > MAX_LOGO_SIDE {
            return Err("ảnh lớn hơn 4096 điểm ảnh mỗi chiều");
        }
        let pixmap = tiny_skia::Pixmap::decode_png(bytes).map_err(|_| "tệp PNG hỏng")?;
        let fingerprint = super::short_hash(&[bytes]);
        Ok(Self { pixmap, fingerprint })
    }
}

impl Branding {
    /// A fingerprint of everything that changes how a card looks (part of the cache key).
    #[must_use]
    pub fn fingerprint(&self) -> String {
        let t = &self.theme;
        format!(
            "{}|{}|{}|{}|{}",
            self.org.as_deref().unwrap_or(""),
            self.logo.as_ref().map_or("", |l| l.fingerprint.as_str()),
            t.primary.hex(),
            t.accent.hex(),
            self.handle.as_deref().unwrap_or(""),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn themes_parse_by_name_or_colour_and_stay_readable() {
        assert_eq!(Theme::parse("XANH").expect("named"), Theme::default());
        let t = Theme::parse("#ffeb3b").expect("one colour");
        assert_eq!(t.on_primary, INK, "white on yellow is unreadable");
        let t = Theme::parse("#0d3b66, #ffd54f").expect("two colours");
        assert!(t.accent.contrast(t.background) >= 4.5, "a light accent is darkened");
        for (name, _, _) in THEMES {
            let t = Theme::parse(name).expect("theme");
            assert!(t.on_primary.contrast(t.primary) >= 4.5, "{name}");
            assert!(t.ink.contrast(t.background) >= 7.0, "{name}");
        }
        let e = Theme::parse("hồng").expect_err("unknown").to_string();
        assert!(e.contains("CANHGIAC_CARD_THEME") && e.contains("xanh-la"), "{e}");
        assert!(Theme::parse("#12345").is_err() && Theme::parse("#123456,#1,#2").is_err());
    }

    #[test]
    fn logos_are_checked_before_decoding() {
        assert_eq!(Logo::from_png(b"GIF89a....................").err(), Some("không phải tệp PNG"));
        let mut huge = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        huge.extend_from_slice(&100_000u32.to_be_bytes());
        huge.extend_from_slice(&10u32.to_be_bytes());
        assert!(Logo::from_png(&huge).err().is_some_and(|e| e.contains("4096")));
        let small = tiny_skia::Pixmap::new(8, 8).expect("pixmap").encode_png().expect("png");
        let logo = Logo::from_png(&small).expect("logo");
        assert_eq!(logo.pixmap.width(), 8);
    }
}
