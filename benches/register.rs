//! The register of reported entities at scale: loading 1,000,000 entities from the database
//! at start, and what consulting them adds to checking a message, side by side with the same
//! checker without a register. Run with `cargo bench --bench register` (`BENCH_REGISTER_SIZE`
//! changes the size).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may fail loudly
#![allow(missing_docs)] // criterion_main! generates an undocumented main

use std::{hint::black_box, path::PathBuf, sync::Arc, time::Instant};

use canhgiac::{
    check::{Blocklist, Checker},
    content,
    reports::MemoryRegister,
    store::Store,
};
use criterion::{Criterion, criterion_group, criterion_main};

/// Fills the register tables directly (one transaction): phones, accounts and hosts, one in
/// ten confirmed.
fn fill(store_dir: &std::path::Path, n: usize) {
    drop(Store::open(store_dir).expect("store"));
    let mut c = rusqlite::Connection::open(store_dir.join("canhgiac.sqlite3")).expect("open");
    let tx = c.transaction().expect("tx");
    {
        let mut st = tx
            .prepare(
                "INSERT INTO reported_entities (kind, value, status, first_day, last_day, decided_day, reports)
                 VALUES (?1, ?2, ?3, '2026-11-01', '2026-11-20', ?4, ?5)",
            )
            .expect("prepare");
        for i in 0..n {
            let (kind, value) = match i % 3 {
                0 => ("phone", format!("09{:08}", i / 3)),
                1 => ("account", format!("{:012}", 100_000_000_000 + i)),
                _ => ("host", format!("scam-{i}.top")),
            };
            let confirmed = i % 10 == 0;
            st.execute(rusqlite::params![
                kind,
                value,
                if confirmed { "confirmed" } else { "pending" },
                confirmed.then_some("2026-11-21"),
                1 + i % 4
            ])
            .expect("insert");
        }
    }
    tx.commit().expect("commit");
}

fn bench(c: &mut Criterion) {
    let n: usize =
        std::env::var("BENCH_REGISTER_SIZE").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let content = Arc::new(content::load(&root.join("content")).expect("content"));
    let dir = tempfile::tempdir().expect("tempdir");
    let t = Instant::now();
    fill(dir.path(), n);
    println!("register: {n} entities written in {:.1} s", t.elapsed().as_secs_f64());
    let store = Store::open(dir.path()).expect("store");
    let mut loads = Vec::new();
    let mut register = None;
    for _ in 0..3 {
        let t = Instant::now();
        let r = MemoryRegister::load(&store).expect("load");
        loads.push(t.elapsed().as_secs_f64() * 1000.0);
        register = Some(r);
    }
    loads.sort_by(f64::total_cmp);
    let t = Instant::now();
    let n_read = store
        .each_register_row(|k, v, s, d, n| {
            black_box((k, v, s, d, n));
        })
        .expect("scan");
    println!("register: reading {n_read} rows alone takes {:.0} ms", t.elapsed().as_secs_f64() * 1000.0);
    let t = Instant::now();
    let sizes = store.register_size().expect("size");
    println!("register: counting {sizes:?} takes {:.0} ms", t.elapsed().as_secs_f64() * 1000.0);
    let register = Arc::new(register.expect("loaded"));
    println!("register: load of {} entities, median {:.0} ms (3 runs)", register.len(), loads[1]);

    // Messages with a number, an account and a link (one of them known), and one without.
    let texts = [
        "Công an phường thông báo, gọi ngay 0900000333 hoặc chuyển vào STK 100000000001 để xác minh.",
        "Nhận quà tại https://scam-5.top/nhan-qua trước 17h hôm nay.",
        "Chiều nay họp lúc 3 giờ nhé, anh gọi 0987654321 nếu cần.",
        "Mã OTP của quý khách là 123456. Không chia sẻ mã cho bất kỳ ai.",
    ];
    let plain = Checker::new(content.clone(), Blocklist::new(), None).expect("checker");
    let with = Checker::new(content, Blocklist::new(), None).expect("checker").with_register(register);
    assert_eq!(with.check(texts[0]).verdict.as_str(), "scam", "the confirmed number is found");

    let mut g = c.benchmark_group("register");
    g.bench_function("check 4 messages, no register", |b| {
        b.iter(|| {
            for t in &texts {
                black_box(plain.check(t));
            }
        });
    });
    g.bench_function(format!("check 4 messages, register of {n}"), |b| {
        b.iter(|| {
            for t in &texts {
                black_box(with.check(t));
            }
        });
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
