//! Search benchmarks: per-query `ask` latency over the dev questions (criterion mean, plus a
//! printed p50/p99 distribution) and the index build. Run with `cargo bench --bench search`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may fail loudly
#![allow(missing_docs)] // criterion_main! generates an undocumented main

use std::{hint::black_box, path::PathBuf, sync::Arc, time::Instant};

use canhgiac::{content, search};
use criterion::{Criterion, criterion_group, criterion_main};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn questions() -> Vec<String> {
    std::fs::read_to_string(root().join("tests/data/dev_questions.tsv"))
        .expect("dev questions")
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once('\t').map(|(_, q)| q.to_owned()))
        .collect()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn bench(c: &mut Criterion) {
    let content = Arc::new(content::load(&root().join("content")).expect("content"));
    let dir = tempfile::tempdir().expect("tempdir");
    let index = search::open_or_build(&content, dir.path()).expect("index");
    let searcher = search::Searcher::new(content.clone(), index).expect("searcher");
    let qs = questions();

    // Latency distribution: every dev question 50 times, each timed on its own.
    for q in &qs {
        black_box(searcher.ask(q).expect("ask"));
    }
    let mut times = Vec::with_capacity(qs.len() * 50);
    for _ in 0..50 {
        for q in &qs {
            let t = Instant::now();
            black_box(searcher.ask(q).expect("ask"));
            times.push(t.elapsed().as_secs_f64() * 1e6);
        }
    }
    times.sort_by(f64::total_cmp);
    println!(
        "ask latency over {} queries: p50 {:.0} µs, p90 {:.0} µs, p99 {:.0} µs, max {:.0} µs",
        times.len(),
        percentile(&times, 0.5),
        percentile(&times, 0.9),
        percentile(&times, 0.99),
        times[times.len() - 1]
    );

    let mut i = 0;
    c.bench_function("ask/dev_set_per_query", |b| {
        b.iter(|| {
            i = (i + 1) % qs.len();
            black_box(searcher.ask(&qs[i]).expect("ask"))
        });
    });

    let mut g = c.benchmark_group("index");
    g.sample_size(20);
    g.bench_function("build", |b| {
        b.iter(|| {
            let d = tempfile::tempdir().expect("tempdir");
            black_box(search::build_index(&content, d.path()).expect("build"))
        });
    });
    g.bench_function("load_content_and_build", |b| {
        b.iter(|| {
            let d = tempfile::tempdir().expect("tempdir");
            let c = content::load(&root().join("content")).expect("content");
            black_box(search::build_index(&c, d.path()).expect("build"))
        });
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
