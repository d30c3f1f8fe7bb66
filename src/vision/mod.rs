//! Images people forward: screenshots of chats, photos of messages, posters and bills with QR
//! codes. An image is checked for size, decoded in memory, its QR codes decoded (links,
//! VietQR transfers) and its text read by Tesseract after preparing it for OCR (greyscale,
//! dark themes inverted, scaled to a good text height, thresholded), then cleaned of the slips
//! OCR makes in Vietnamese. Nothing is written to disk or logged; the reading runs in a
//! bounded pool off the async runtime with a timeout.

mod clean;
mod decode;
mod ocr;
mod prepare;
pub mod qr;
pub mod vietqr;

use std::{path::PathBuf, sync::Arc, time::Duration};

pub use clean::clean;
pub use decode::{ImageLimits, decode};
pub use ocr::{OcrText, Tesseract, parse_tsv};
pub use prepare::for_ocr;
pub use qr::QrContent;
pub use vietqr::Payment;

/// Why an image could not be read; each has its own sentence for the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageProblem {
    /// The file is larger than allowed.
    TooLarge,
    /// The picture has too many pixels (or declares so: a decompression bomb).
    TooManyPixels,
    /// Not an image format the bot reads.
    NotAnImage,
    /// Damaged or truncated.
    Corrupt,
    /// No OCR program is installed (and no QR code was found).
    OcrMissing,
    /// Reading took longer than allowed.
    TimedOut,
    /// Too many images at once: try again shortly.
    Busy,
    /// The image could not be fetched from the platform.
    Download,
    /// OCR failed.
    Failed,
}

impl ImageProblem {
    /// A short name for logs and metrics.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TooLarge => "too_large",
            Self::TooManyPixels => "too_many_pixels",
            Self::NotAnImage => "not_an_image",
            Self::Corrupt => "corrupt",
            Self::OcrMissing => "ocr_missing",
            Self::TimedOut => "timed_out",
            Self::Busy => "busy",
            Self::Download => "download",
            Self::Failed => "failed",
        }
    }
}

/// What was read from an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRead {
    /// The text, cleaned (paragraphs on their own lines); empty when none was found.
    pub text: String,
    /// OCR's confidence in it (0–100).
    pub confidence: u8,
    /// The QR codes.
    pub codes: Vec<QrContent>,
    /// Whether OCR ran (it is not installed everywhere).
    pub ocr: bool,
}

/// Confidence below which the reply says the reading is uncertain and asks for the text.
pub const LOW_CONFIDENCE: u8 = 65;

impl ImageRead {
    /// The reading is too uncertain to rely on without the text.
    #[must_use]
    pub fn uncertain(&self) -> bool {
        !self.text.is_empty() && self.confidence < LOW_CONFIDENCE
    }
}

/// An image's outcome, as the engine receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    /// Read (text, codes, or neither).
    Read(ImageRead),
    /// Not readable, and why.
    Problem(ImageProblem),
}

/// Settings of the reader.
#[derive(Debug, Clone)]
pub struct VisionSettings {
    /// Size limits.
    pub limits: ImageLimits,
    /// Images read at once (each runs one OCR process).
    pub workers: usize,
    /// Images waiting for a worker before new ones are refused as busy.
    pub queue: usize,
    /// Longest one OCR run may take.
    pub timeout: Duration,
    /// The Tesseract program (`CANHGIAC_TESSERACT`), else `tesseract` on the path.
    pub program: Option<PathBuf>,
}

impl Default for VisionSettings {
    fn default() -> Self {
        Self {
            limits: ImageLimits::default(),
            workers: 2,
            queue: 16,
            timeout: Duration::from_secs(20),
            program: None,
        }
    }
}

/// The image reader: OCR (when installed) and QR codes, in a bounded pool.
#[derive(Debug)]
pub struct Vision {
    settings: VisionSettings,
    ocr: Result<Tesseract, String>,
    workers: Arc<tokio::sync::Semaphore>,
    waiting: std::sync::atomic::AtomicUsize,
}

impl Vision {
    /// A reader; looks for Tesseract once (see [`Vision::ocr_status`]).
    #[must_use]
    pub fn new(settings: VisionSettings) -> Self {
        let ocr = Tesseract::detect(settings.program.clone(), settings.timeout);
        match &ocr {
            Ok(t) => tracing::info!(program = %t.program().display(), "OCR: Tesseract with Vietnamese"),
            Err(why) => tracing::warn!(reason = %why, "OCR off: images are read for QR codes only"),
        }
        let workers = Arc::new(tokio::sync::Semaphore::new(settings.workers.max(1)));
        Self { settings, ocr, workers, waiting: std::sync::atomic::AtomicUsize::new(0) }
    }

    /// `Ok` when OCR works, else what to install (in Vietnamese, for `doctor`).
    pub fn ocr_status(&self) -> Result<(), &str> {
        self.ocr.as_ref().map(|_| ()).map_err(String::as_str)
    }

    /// The size limits.
    #[must_use]
    pub fn limits(&self) -> ImageLimits {
        self.settings.limits
    }

    /// Reads an image now, on this thread (the command line; the pool calls it too).
    #[must_use]
    pub fn read_now(&self, bytes: &[u8]) -> Seen {
        let img = match decode(bytes, &self.settings.limits) {
            Ok(i) => i,
            Err(p) => return Seen::Problem(p),
        };
        let gray = img.to_luma8();
        drop(img);
        let codes = qr::decode_all(&gray);
        let ocr = match &self.ocr {
            Ok(t) => t.read(&for_ocr(&gray)).map(Some),
            Err(_) => Ok(None),
        };
        match ocr {
            Ok(Some(o)) => Seen::Read(ImageRead {
                text: clean(&o.lines),
                confidence: o.confidence.round().clamp(0.0, 100.0) as u8,
                codes,
                ocr: true,
            }),
            Ok(None) if codes.is_empty() => Seen::Problem(ImageProblem::OcrMissing),
            Ok(None) => Seen::Read(ImageRead { text: String::new(), confidence: 0, codes, ocr: false }),
            Err(p) if codes.is_empty() => Seen::Problem(p),
            Err(_) => Seen::Read(ImageRead { text: String::new(), confidence: 0, codes, ocr: false }),
        }
    }

    /// Reads an image in the pool: at most `workers` at once, at most `queue` waiting (more
    /// are refused as busy rather than held in memory).
    pub async fn read(self: &Arc<Self>, bytes: Vec<u8>) -> Seen {
        use std::sync::atomic::Ordering;
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.settings.queue + self.settings.workers {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Seen::Problem(ImageProblem::Busy);
        }
        let permit = self.workers.clone().acquire_owned().await;
        let me = self.clone();
        let seen = match permit {
            Ok(permit) => tokio::task::spawn_blocking(move || {
                let seen = me.read_now(&bytes);
                drop(permit);
                seen
            })
            .await
            .unwrap_or(Seen::Problem(ImageProblem::Failed)),
            Err(_) => Seen::Problem(ImageProblem::Busy),
        };
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        seen
    }
}
