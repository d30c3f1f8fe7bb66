//! Scam checker throughput: messages per second through `check` on one core, over the dev
//! messages (`../shared/datasets`, read in place). Run with `cargo bench --bench check`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may fail loudly
#![allow(missing_docs)] // criterion_main! generates an undocumented main

use std::{hint::black_box, path::PathBuf, sync::Arc, time::Instant};

use canhgiac::{
    check::{Blocklist, Checker, eval::load_dev},
    content, search,
};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn bench(c: &mut Criterion) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let content = Arc::new(content::load(&root.join("content")).expect("content"));
    let datasets = root.join("../shared/datasets");
    let texts: Vec<String> = match load_dev(&datasets) {
        Ok(samples) => samples.into_iter().map(|s| s.text).collect(),
        Err(e) => {
            eprintln!("skipping the check benchmark: {e:#}");
            return;
        }
    };
    let plain = Checker::new(content.clone(), Blocklist::new(), None).expect("checker");
    let dir = tempfile::tempdir().expect("tempdir");
    let index = search::open_or_build(&content, dir.path()).expect("index");
    let searcher = Arc::new(search::Searcher::new(content.clone(), index).expect("searcher"));
    let full = Checker::new(content, Blocklist::new(), Some(searcher)).expect("checker");

    // Whole-corpus passes, single thread: the figure quoted in the README.
    for (name, checker) in [("without form search", &plain), ("with form search", &full)] {
        let mut rates = Vec::new();
        for _ in 0..5 {
            let t = Instant::now();
            for text in &texts {
                black_box(checker.check(text));
            }
            rates.push(texts.len() as f64 / t.elapsed().as_secs_f64());
        }
        rates.sort_by(f64::total_cmp);
        println!(
            "check {name}: median {:.0} messages/s over {} messages (5 passes, 1 core)",
            rates[2],
            texts.len()
        );
    }

    let mut g = c.benchmark_group("check");
    g.throughput(Throughput::Elements(texts.len() as u64));
    g.sample_size(10);
    g.bench_function("dev_corpus", |b| {
        b.iter(|| {
            for text in &texts {
                black_box(full.check(text));
            }
        });
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
