//! Tip cards people share: the weekly tips, the 24 forms, the five don'ts and the reporting
//! channels drawn as PNG images (1080×1080, or 1080×1350 for a portrait post) in the bundled
//! Noto Sans, with the department's name, logo and colours.
//!
//! [`Cards`] draws each card once per content version and branding, keeps it on disk under
//! `<data>/cards/<version>/` (older versions are removed) and a few in memory; the campaign
//! sends the weekly tip's card as a photo and `/meo` shows it.

mod render;
mod spec;
mod theme;

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::{Arc, Mutex, RwLock},
};

use sha2::{Digest, Sha256};
use tracing::{info, warn};

pub use render::{Block, MARGIN, MIN_SCALE, Rect, Rendered, prepare};
#[cfg(feature = "test-support")]
pub(crate) use render::{bundled_fonts, paint_buffer};
pub use spec::{CTA, CardId, CardSpec, Item, Kind, Section, spec, tip_title};
pub use theme::{Branding, Logo, Rgb, THEMES, Theme};

use crate::{content::Content, lock, lock_read, lock_write};

/// Changes whenever the drawing changes, so that cached cards are redrawn.
const RENDERER_REVISION: &str = "cards-2";
/// Cards kept in memory (the weekly tip's, mostly).
const IN_MEMORY: usize = 16;

/// Card failures.
#[derive(Debug, thiserror::Error)]
pub enum CardError {
    /// A setting is unusable (the theme, the logo); the message is for the operator.
    #[error("{0}")]
    Setting(String),
    /// The tip or form is not in the content.
    #[error("không có thẻ này trong nội dung: {0}")]
    Unknown(String),
    /// The text does not fit even at the smallest size.
    #[error("nội dung thẻ \"{0}\" quá dài, không vừa khung")]
    TooLong(String),
    /// Drawing failed.
    #[error("không vẽ được thẻ ({0})")]
    Draw(&'static str),
    /// The cache directory could not be written.
    #[error("thư mục thẻ {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

/// The size of a card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// 1080×1080, for chats and feeds.
    Square,
    /// 1080×1350, a portrait post.
    Portrait,
}

impl Format {
    /// Width and height in pixels.
    #[must_use]
    pub fn size(self) -> (u32, u32) {
        match self {
            Self::Square => (1080, 1080),
            Self::Portrait => (1080, 1350),
        }
    }

    fn suffix(self) -> &'static str {
        match self {
            Self::Square => "",
            Self::Portrait => "-doc",
        }
    }
}

/// A drawn card ready to send: its cache key (the same image always has the same key, so a
/// channel may reuse an upload) and the PNG.
#[derive(Clone, PartialEq, Eq)]
pub struct Card {
    /// `<version>/<file name>`.
    pub key: String,
    /// The PNG file.
    pub png: Arc<[u8]>,
}

impl std::fmt::Debug for Card {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Card").field("key", &self.key).field("bytes", &self.png.len()).finish()
    }
}

/// A short hex digest of some byte strings.
pub(crate) fn short_hash(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
        h.update([0]);
    }
    hex::encode(&h.finalize()[..8])
}

/// The card renderer with its caches.
pub struct Cards {
    content: Arc<Content>,
    branding: RwLock<Branding>,
    fonts: Mutex<render::Fonts>,
    dir: Option<PathBuf>,
    memory: Mutex<HashMap<(CardId, Format), Card>>,
    /// The version of every card (see [`Cards::version`]), kept with the branding it follows.
    version: RwLock<String>,
}

impl std::fmt::Debug for Cards {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cards").field("dir", &self.dir).finish_non_exhaustive()
    }
}

impl Cards {
    /// Cards for the content and branding, cached under `dir` (`None`: in memory only).
    #[must_use]
    pub fn new(content: Arc<Content>, branding: Branding, dir: Option<PathBuf>) -> Self {
        let version = version_of(&content, &branding);
        Self {
            content,
            branding: RwLock::new(branding),
            fonts: Mutex::new(render::Fonts::new()),
            dir,
            memory: Mutex::new(HashMap::new()),
            version: RwLock::new(version),
        }
    }

    /// The content the cards are drawn from.
    #[must_use]
    pub fn content(&self) -> &Arc<Content> {
        &self.content
    }

    /// The branding in use.
    #[must_use]
    pub fn branding(&self) -> Branding {
        lock_read(&self.branding).clone()
    }

    /// Sets the bot's handle once it is known (Telegram's `getMe`); cards are redrawn.
    pub fn set_handle(&self, handle: Option<String>) {
        let mut b = lock_write(&self.branding);
        if b.handle != handle {
            b.handle = handle;
            *lock_write(&self.version) = version_of(&self.content, &b);
            lock(&self.memory).clear();
        }
    }

    /// The version of every card: the content, the branding and the renderer.
    #[must_use]
    pub fn version(&self) -> String {
        lock_read(&self.version).clone()
    }

    /// The file name of a card.
    #[must_use]
    pub fn file_name(&self, id: &CardId, format: Format) -> String {
        format!("{}{}.png", id.stem(&self.content), format.suffix())
    }

    /// The card a file name stands for (`tip_001.png`, `nam_khong-doc.png`), if any.
    #[must_use]
    pub fn lookup(&self, file: &str) -> Option<(CardId, Format)> {
        CardId::all(&self.content, Kind::All).into_iter().find_map(|id| {
            [Format::Square, Format::Portrait]
                .into_iter()
                .find(|f| self.file_name(&id, *f) == file)
                .map(|f| (id.clone(), f))
        })
    }

    /// Draws a card now (not cached), with the layout figures the tests check.
    pub fn render(&self, id: &CardId, format: Format) -> Result<Rendered, CardError> {
        let spec = spec(&self.content, id).ok_or_else(|| CardError::Unknown(id.stem(&self.content)))?;
        let branding = self.branding();
        lock(&self.fonts).render(&spec, &branding, format)
    }

    /// A card from memory, the disk cache, or drawn now (and cached).
    pub fn card(&self, id: &CardId, format: Format) -> Result<Card, CardError> {
        let mem_key = (id.clone(), format);
        let version = self.version();
        let name = self.file_name(id, format);
        let key = format!("{version}/{name}");
        if let Some(c) = lock(&self.memory).get(&mem_key).filter(|c| c.key == key) {
            return Ok(c.clone());
        }
        let dir = self.dir.as_ref().map(|d| d.join(&version));
        let cached = dir.as_ref().and_then(|d| std::fs::read(d.join(&name)).ok()).filter(|b| is_png(b));
        let png: Arc<[u8]> = match cached {
            Some(bytes) => bytes.into(),
            None => {
                let drawn = self.render(id, format)?;
                if let Some(d) = &dir
                    && let Err(e) = self.store(d, &name, &drawn.png)
                {
                    warn!(error = %e, "a card could not be cached on disk; it is drawn again next time");
                }
                drawn.png.into()
            }
        };
        let card = Card { key, png };
        let mut memory = lock(&self.memory);
        if memory.len() >= IN_MEMORY {
            memory.clear();
        }
        memory.insert(mem_key, card.clone());
        Ok(card)
    }

    /// Writes a card atomically (a temporary file renamed), removing older versions first.
    fn store(&self, dir: &Path, name: &str, png: &[u8]) -> Result<(), CardError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| CardError::Io { path, source }
        };
        if !dir.exists() {
            if let Some(parent) = dir.parent() {
                prune(parent, dir);
            }
            std::fs::create_dir_all(dir).map_err(io(dir))?;
        }
        let tmp = dir.join(format!(".{name}.tmp"));
        std::fs::write(&tmp, png).map_err(io(&tmp))?;
        std::fs::rename(&tmp, dir.join(name)).map_err(io(dir))?;
        Ok(())
    }
}

/// The version of cards drawn from `content` with `branding` by this renderer.
fn version_of(content: &Content, branding: &Branding) -> String {
    let b = branding.fingerprint();
    short_hash(&[content.hash.as_bytes(), b.as_bytes(), RENDERER_REVISION.as_bytes()])
}

/// Removes cached versions other than `keep` (the content or branding changed).
fn prune(parent: &Path, keep: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else { return };
    for e in entries.flatten() {
        let path = e.path();
        if path != keep && path.is_dir() {
            match std::fs::remove_dir_all(&path) {
                Ok(()) => info!(dir = %path.display(), "old cards removed"),
                Err(e) => warn!(error = %e, "old cards could not be removed"),
            }
        }
    }
}

/// Whether bytes start like a PNG file.
#[must_use]
pub fn is_png(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\x89PNG\r\n\x1a\n")
}

#[cfg(test)]
mod tests;
