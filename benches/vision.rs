//! Reading images: the time to read one screenshot (decode, QR, OCR) sequentially (median and
//! p95 over the dev image set), throughput through the pool with one and two workers, the
//! bot's own peak memory, and Tesseract's peak memory per image; side by side with checking
//! the same message as text. Run with `cargo bench --bench vision` (needs tesseract-ocr and
//! tesseract-ocr-vie).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may fail loudly

use std::{
    path::PathBuf,
    sync::Arc,
    time::{Duration, Instant},
};

use canhgiac::{
    testing::images::{Painter, Shot},
    vision::{Seen, Vision, VisionSettings, for_ocr},
};

fn pct(sorted: &[Duration], p: usize) -> Duration {
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

fn throughput(images: &[Vec<u8>], workers: usize) -> f64 {
    let vision = Arc::new(Vision::new(VisionSettings { workers, queue: 1000, ..VisionSettings::default() }));
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("rt");
    let t = Instant::now();
    rt.block_on(async {
        let tasks: Vec<_> = images
            .iter()
            .cloned()
            .map(|b| {
                let v = vision.clone();
                tokio::spawn(async move { v.read(b).await })
            })
            .collect();
        for t in tasks {
            assert!(matches!(t.await.expect("task"), Seen::Read(_)));
        }
    });
    images.len() as f64 / t.elapsed().as_secs_f64()
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let vision = Vision::new(VisionSettings::default());
    if let Err(why) = vision.ocr_status() {
        eprintln!("skipped: {why}");
        return;
    }
    let mut painter = Painter::default();
    let set: Vec<(Shot, String)> =
        canhgiac::testing::images::dev_set(&root).into_iter().map(|(_, s, t)| (s, t)).collect();
    let images: Vec<Vec<u8>> = set.iter().map(|(s, t)| painter.screenshot(t, s)).collect();
    let rss0 = canhgiac::testing::peak_rss_kb();
    let (checker, _) = {
        let content = Arc::new(canhgiac::content::load(&root.join("content")).expect("content"));
        (
            canhgiac::check::Checker::new(content, canhgiac::check::Blocklist::new(), None).expect("checker"),
            (),
        )
    };
    let mut times = Vec::new();
    let mut text_times = Vec::new();
    for (img, (_, text)) in images.iter().zip(&set) {
        let t = Instant::now();
        let seen = vision.read_now(img);
        times.push(t.elapsed());
        assert!(matches!(seen, Seen::Read(_)));
        let t = Instant::now();
        std::hint::black_box(checker.check(text));
        text_times.push(t.elapsed());
    }
    times.sort();
    text_times.sort();
    let rss1 = canhgiac::testing::peak_rss_kb();
    let one = throughput(&images, 1);
    let two = throughput(&images, 2);
    // Tesseract's own peak memory on the largest prepared image, measured by GNU time.
    let biggest = images.iter().max_by_key(|b| b.len()).expect("images");
    let prepared = for_ocr(&image::load_from_memory(biggest).expect("img").to_luma8());
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("p.png");
    prepared.save(&file).expect("save");
    let tess_kb = std::process::Command::new("/usr/bin/time")
        .args(["-f", "%M", "tesseract"])
        .arg(&file)
        .args(["stdout", "-l", "vie+eng", "--psm", "4", "tsv"])
        .env("OMP_THREAD_LIMIT", "1")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stderr).lines().last()?.trim().parse::<u64>().ok());
    let sizes: Vec<usize> = images.iter().map(Vec::len).collect();
    println!("vision: {} screenshots of the dev image set", images.len());
    println!(
        "  per image (decode, QR, OCR), sequential: median {:?}, p95 {:?}, max {:?}",
        pct(&times, 50),
        pct(&times, 95),
        times[times.len() - 1]
    );
    println!("  baseline, checking the same message as text: median {:?}", pct(&text_times, 50));
    println!("  through the pool: {one:.2} images/s with 1 worker, {two:.2} images/s with 2 workers");
    println!(
        "  image files: median {} KB, largest {} KB",
        sizes[sizes.len() / 2] / 1024,
        sizes.iter().max().copied().unwrap_or(0) / 1024
    );
    println!(
        "  bot's peak RSS: {} MB before reading, {} MB after (in-process work per image)",
        rss0 / 1024,
        rss1 / 1024
    );
    match tess_kb {
        Some(kb) => println!("  Tesseract's peak RSS on the largest image: {} MB per process", kb / 1024),
        None => println!("  Tesseract's peak RSS: /usr/bin/time not available"),
    }
}
