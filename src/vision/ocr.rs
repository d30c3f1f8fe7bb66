//! Text from an image with the Tesseract program and its Vietnamese model (`tesseract-ocr`,
//! `tesseract-ocr-vie`). The program is run per image with the image on stdin and TSV on
//! stdout: nothing touches the disk, a hung run is killed at the timeout, and a crash in the
//! OCR engine cannot take the bot down. Words come back with their line, paragraph and block,
//! in Tesseract's reading order, and a confidence.

use std::{
    io::{Read, Write},
    path::PathBuf,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use image::GrayImage;

use super::ImageProblem;

/// The OCR program and how it is run.
#[derive(Debug, Clone)]
pub struct Tesseract {
    program: PathBuf,
    /// `-l`: Vietnamese, with English for brand names and links.
    langs: String,
    timeout: Duration,
}

/// Text read from an image.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OcrText {
    /// Lines in reading order; paragraphs separated by an empty line.
    pub lines: Vec<String>,
    /// Mean word confidence (0–100), weighted by word length; 0 with no words.
    pub confidence: f32,
    /// Words read.
    pub words: usize,
}

impl Tesseract {
    /// Finds the program (`CANHGIAC_TESSERACT`, else `tesseract` on the path) with its
    /// Vietnamese model; the error says what to install, in Vietnamese.
    pub fn detect(program: Option<PathBuf>, timeout: Duration) -> Result<Self, String> {
        let program = program.unwrap_or_else(|| PathBuf::from("tesseract"));
        let out = Command::new(&program)
            .arg("--list-langs")
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .map_err(|_| {
                format!(
                    "không tìm thấy chương trình OCR \"{}\": cài gói tesseract-ocr và tesseract-ocr-vie (apt install tesseract-ocr tesseract-ocr-vie)",
                    program.display()
                )
            })?;
        let langs = String::from_utf8_lossy(&out.stdout);
        let has = |l: &str| langs.lines().any(|x| x.trim() == l);
        if !has("vie") {
            return Err("Tesseract chưa có mô hình tiếng Việt: cài gói tesseract-ocr-vie".into());
        }
        let langs = if has("eng") { "vie+eng" } else { "vie" };
        Ok(Self { program, langs: langs.into(), timeout })
    }

    /// The program's path as given.
    #[must_use]
    pub fn program(&self) -> &std::path::Path {
        &self.program
    }

    /// Reads the text of a prepared (greyscale) image.
    pub fn read(&self, img: &GrayImage) -> Result<OcrText, ImageProblem> {
        let mut png = Vec::new();
        img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .map_err(|_| ImageProblem::Failed)?;
        let mut child = Command::new(&self.program)
            .args(["stdin", "stdout", "-l", &self.langs, "--psm", "4", "--dpi", "300"])
            .args(["-c", "preserve_interword_spaces=1", "tsv"])
            // One thread per run: the pool decides how many run at once.
            .env("OMP_THREAD_LIMIT", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|_| ImageProblem::OcrMissing)?;
        let mut stdin = child.stdin.take().ok_or(ImageProblem::Failed)?;
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(&png);
        });
        let mut stdout = child.stdout.take().ok_or(ImageProblem::Failed)?;
        let reader = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = stdout.read_to_string(&mut s);
            s
        });
        let deadline = Instant::now() + self.timeout;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
                _ => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(ImageProblem::TimedOut);
                }
            }
        };
        let _ = writer.join();
        let tsv = reader.join().unwrap_or_default();
        if !status.success() {
            return Err(ImageProblem::Failed);
        }
        Ok(parse_tsv(&tsv))
    }
}

/// Lines from Tesseract's TSV (level 5 rows are words), in the order it gives them.
#[must_use]
pub fn parse_tsv(tsv: &str) -> OcrText {
    let mut lines: Vec<String> = Vec::new();
    let mut last: Option<(u32, u32, u32)> = None;
    let (mut weighted, mut chars, mut words) = (0.0f64, 0usize, 0usize);
    for row in tsv.lines().skip(1) {
        let f: Vec<&str> = row.split('\t').collect();
        if f.len() < 12 || f[0] != "5" {
            continue;
        }
        let text = f[11].trim();
        let conf: f64 = f[10].parse().unwrap_or(-1.0);
        if text.is_empty() || conf < 0.0 {
            continue;
        }
        let num = |i: usize| f[i].parse::<u32>().unwrap_or(0);
        let key = (num(2), num(3), num(4));
        match last {
            Some(k) if k == key => {
                if let Some(l) = lines.last_mut() {
                    l.push(' ');
                    l.push_str(text);
                }
            }
            Some((b, p, _)) => {
                if (b, p) != (key.0, key.1) {
                    lines.push(String::new());
                }
                lines.push(text.to_owned());
            }
            None => lines.push(text.to_owned()),
        }
        last = Some(key);
        let n = text.chars().count();
        weighted += conf * n as f64;
        chars += n;
        words += 1;
    }
    let confidence = if chars == 0 { 0.0 } else { (weighted / chars as f64) as f32 };
    OcrText { lines, confidence, words }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsv_words_become_lines_and_paragraphs_with_a_confidence() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
            1\t1\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t\n\
            5\t1\t1\t1\t1\t1\t0\t0\t10\t10\t90\tTài\n\
            5\t1\t1\t1\t1\t2\t0\t0\t10\t10\t90\tkhoản\n\
            5\t1\t1\t1\t2\t1\t0\t0\t10\t10\t60\tbị\n\
            5\t1\t2\t1\t1\t1\t0\t0\t10\t10\t30\tkhóa\n\
            5\t1\t2\t1\t1\t2\t0\t0\t10\t10\t-1\t \n";
        let t = parse_tsv(tsv);
        assert_eq!(t.lines, ["Tài khoản", "bị", "", "khóa"]);
        assert_eq!(t.words, 4);
        assert!((t.confidence - (90.0 * 8.0 + 60.0 * 2.0 + 30.0 * 4.0) / 14.0).abs() < 0.01);
        assert_eq!(parse_tsv(""), OcrText::default());
    }
}
