//! Images through OCR and QR decoding: a dev set of screenshots drawn from the scenario
//! messages (tests/data/images/set.tsv: themes, fonts, sizes, JPEG quality, slight rotation)
//! read back with character accuracy and the same verdict as the text; QR codes (links and
//! VietQR transfers) all decode; posters with a payment QR and a prize pretext are scams.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may fail loudly

use std::{sync::Arc, time::Instant};

use canhgiac::{
    check::Verdict,
    testing::images::{Painter, Shot},
    vision::{Seen, Vision, VisionSettings},
};
use unicode_normalization::UnicodeNormalization;

use crate::common;

/// The dev set: (label, shot, text).
pub fn dev_set() -> Vec<(String, Shot, String)> {
    let text = std::fs::read_to_string(common::root().join("tests/data/images/set.tsv")).expect("set.tsv");
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

fn norm(s: &str) -> Vec<char> {
    s.nfc().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" ").chars().collect()
}

/// 1 − edit distance / length, on NFC text with spaces collapsed.
pub fn char_accuracy(truth: &str, read: &str) -> f64 {
    let (a, b) = (norm(truth), norm(read));
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            cur.push((prev[j] + usize::from(ca != cb)).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    1.0 - prev[b.len()] as f64 / a.len().max(1) as f64
}

fn vision() -> Option<Arc<Vision>> {
    let v = Vision::new(VisionSettings::default());
    match v.ocr_status() {
        Ok(()) => Some(Arc::new(v)),
        Err(why) if std::env::var_os("CI").is_some() => panic!("OCR must be installed in CI: {why}"),
        Err(why) => {
            eprintln!("skipped: {why}");
            None
        }
    }
}

#[test]
fn screenshots_read_back_with_the_same_verdict_as_their_text() {
    let Some(vision) = vision() else { return };
    let (checker, _dir) = common::checker();
    let mut painter = Painter::default();
    let (mut acc, mut same, mut times) = (Vec::new(), 0, Vec::new());
    let set = dev_set();
    for (label, shot, text) in &set {
        let bytes = painter.screenshot(text, shot);
        let t = Instant::now();
        let Seen::Read(read) = vision.read_now(&bytes) else { panic!("{label}: not read") };
        times.push(t.elapsed());
        // The screenshot's header is part of what is read.
        let a = char_accuracy(&format!("Tin nhắn {text}"), &read.text);
        acc.push(a);
        let (want, got) = (checker.check(text).verdict, checker.check(&read.text).verdict);
        if want == got {
            same += 1;
        } else {
            eprintln!(
                "verdict {want:?} → {got:?} ({a:.2}, {} {} {}): {}",
                shot.theme, shot.font, shot.format, read.text
            );
        }
        if a < 0.9 {
            eprintln!(
                "accuracy {a:.2} conf {:.0} ({} {} {} {} {}°)\n  truth: {text}\n  read:  {}",
                read.confidence, shot.theme, shot.font, shot.size, shot.format, shot.degrees, read.text
            );
        }
    }
    times.sort();
    let mean = acc.iter().sum::<f64>() / acc.len() as f64;
    let share = f64::from(same) / set.len() as f64;
    eprintln!(
        "OCR dev set: {} images, mean character accuracy {mean:.3}, verdicts as for the text {same}/{} ({:.0}%), time median {:?}, p95 {:?}",
        set.len(),
        set.len(),
        share * 100.0,
        times[times.len() / 2],
        times[times.len() * 95 / 100]
    );
    assert!(share >= 0.9, "verdicts match for {share:.2} of the images");
    assert!(mean >= 0.9, "mean character accuracy {mean:.3}");
    let _ = Verdict::Scam;
}
