//! Tip cards: the time to draw one card (median and p95 over every tip, form and list, square
//! and portrait), all cards in one run, a card from the disk cache, PNG sizes and the process's
//! peak memory, side by side with the baseline of sending the weekly tip as text (no drawing).
//! Run with `cargo bench --bench cards`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may fail loudly

use std::{
    path::PathBuf,
    sync::Arc,
    time::{Duration, Instant},
};

use canhgiac::{
    cards::{Branding, CardId, Cards, Format, Kind},
    content,
};

fn pct(sorted: &[Duration], p: usize) -> Duration {
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let content = Arc::new(content::load(&root.join("content")).expect("content"));
    let rss_before = canhgiac::testing::peak_rss_kb();
    let branding = Branding {
        org: Some("Sở Khoa học và Công nghệ tỉnh Đồng Nai".into()),
        handle: Some("Telegram: @canhgiac_bot".into()),
        ..Branding::default()
    };
    let cards = Cards::new(content.clone(), branding.clone(), None);
    let ids = CardId::all(&content, Kind::All);

    // Warm-up: the font is parsed and the first glyphs rasterised once per process.
    let t = Instant::now();
    cards.render(&ids[0], Format::Square).expect("card");
    let first = t.elapsed();

    let mut times = Vec::new();
    let mut sizes = Vec::new();
    let all = Instant::now();
    for round in 0..3 {
        for id in &ids {
            for format in [Format::Square, Format::Portrait] {
                let t = Instant::now();
                let r = cards.render(id, format).expect("card");
                times.push(t.elapsed());
                if round == 0 {
                    sizes.push(r.png.len());
                }
            }
        }
    }
    let per_round = all.elapsed() / 3;
    times.sort();
    sizes.sort_unstable();
    let rss_after = canhgiac::testing::peak_rss_kb();

    // From the disk cache (what the worker does after the first subscriber).
    let dir = tempfile::tempdir().expect("dir");
    let cached = Cards::new(content.clone(), branding, Some(dir.path().to_path_buf()));
    let tip = CardId::Tip(content.tips[0].id.clone());
    cached.card(&tip, Format::Square).expect("draw once");
    // A new renderer each time, so that nothing comes from memory.
    let mut disk = Vec::new();
    for _ in 0..200 {
        let fresh = Cards::new(content.clone(), cached.branding(), Some(dir.path().to_path_buf()));
        let t = Instant::now();
        fresh.card(&tip, Format::Square).expect("cached");
        disk.push(t.elapsed());
    }
    disk.sort();

    // Baseline: the tip as text, as before cards.
    let mut text = Vec::new();
    for tip in &content.tips {
        let t = Instant::now();
        std::hint::black_box(canhgiac::campaign::Campaign::tip_message(tip));
        text.push(t.elapsed());
    }
    text.sort();

    println!("cards: {} cards × 2 formats, 3 rounds", ids.len());
    println!("  first card in a process (font load): {first:?}");
    println!(
        "  per card: median {:?}, p95 {:?}, max {:?}",
        pct(&times, 50),
        pct(&times, 95),
        times[times.len() - 1]
    );
    println!("  all {} cards: {per_round:?}", ids.len() * 2);
    println!("  from the disk cache: median {:?}", pct(&disk, 50));
    println!("  baseline, the tip as text: median {:?}", pct(&text, 50));
    println!(
        "  PNG: median {} KB, largest {} KB (Zalo's limit: 1024 KB)",
        sizes[sizes.len() / 2] / 1024,
        sizes[sizes.len() - 1] / 1024
    );
    println!("  peak RSS: {} MB before drawing, {} MB after", rss_before / 1024, rss_after / 1024);
}
