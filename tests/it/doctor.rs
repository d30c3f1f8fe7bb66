//! `canhgiac doctor`: a healthy installation passes; a missing, emptied or damaged database
//! fails with a line that says so.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may fail loudly

use canhgiac::{
    model::Channel,
    store::{Store, UserKey},
};

use crate::common;

fn doctor(dir: &std::path::Path) -> (bool, String) {
    let mut c = common::cli(dir);
    c.arg("doctor");
    let out = c.output().expect("run");
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn doctor_reports_each_part_and_fails_on_a_bad_database() {
    let dir = tempfile::tempdir().expect("dir");
    let (ok, out) = doctor(dir.path());
    assert!(!ok && out.contains("❌ Cơ sở dữ liệu") && out.contains("chưa có tệp"), "{out}");
    assert!(out.contains("✅ Nội dung") && out.contains("✅ Chỉ mục tìm kiếm"), "{out}");

    let data = dir.path().join("data");
    {
        let s = Store::open(&data).expect("store");
        s.touch_user(&UserKey::new(Channel::Telegram, "1")).expect("user");
    }
    let (ok, out) = doctor(dir.path());
    assert!(ok, "{out}");
    assert!(out.contains("✅ Cơ sở dữ liệu") && out.contains("1 người dùng"), "{out}");
    assert!(out.contains("✅ Cấu hình"), "{out}");
    assert!(out.contains("⚠️ Thông báo quyền riêng tư chưa nêu tên đơn vị"), "{out}");
    assert!(out.contains("Kết quả trắc nghiệm cá nhân (điểm, ngày làm): 1 năm"), "retention: {out}");

    // The responsible unit and a retention period from the environment.
    let mut c = common::cli(dir.path());
    c.arg("doctor")
        .env("CANHGIAC_ORG_NAME", "Sở Khoa học và Công nghệ")
        .env("CANHGIAC_PRIVACY_CONTACT", "dulieu@example.gov.vn")
        .env("CANHGIAC_RETENTION_QUIZ_RESULTS_DAYS", "730");
    let text = String::from_utf8_lossy(&c.output().expect("run").stdout).into_owned();
    assert!(text.contains("ℹ️ Chịu trách nhiệm dữ liệu: Sở Khoa học và Công nghệ"), "{text}");
    assert!(text.contains("(điểm, ngày làm): 2 năm"), "{text}");

    // An imported list whose file is missing.
    let mut c = common::cli(dir.path());
    c.arg("doctor").env("CANHGIAC_LISTS", "numbers:/khong/co/tep.csv");
    let out = c.output().expect("run");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(!out.status.success() && text.contains("❌ Danh sách lừa đảo nhập ngoài"), "{text}");

    // Settings that cannot work: each named, and the exit code says so.
    let mut c = common::cli(dir.path());
    c.arg("doctor").env("TELEGRAM_BOT_TOKEN", "abc").env("CANHGIAC_PUBLIC_URL", "http://bot.example.gov.vn");
    let bad = c.output().expect("run");
    let text = String::from_utf8_lossy(&bad.stdout);
    assert!(!bad.status.success(), "{text}");
    assert!(
        text.contains("❌ Cấu hình: TELEGRAM_BOT_TOKEN") && text.contains("phải là địa chỉ https"),
        "{text}"
    );

    // An emptied file (a zero-length database).
    let file = data.join("canhgiac.sqlite3");
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }
    std::fs::write(&file, b"").expect("truncate");
    let (ok, out) = doctor(dir.path());
    assert!(!ok && out.contains("không có người dùng nào"), "{out}");

    // A damaged file.
    {
        let s = Store::open(&data).expect("store");
        for i in 0..2000 {
            s.touch_user(&UserKey::new(Channel::Zalo, &format!("u{i}"))).expect("user");
        }
    }
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }
    let mut bytes = std::fs::read(&file).expect("read");
    let (mid, len) = (bytes.len() / 2, bytes.len());
    for b in &mut bytes[mid..(mid + 8192).min(len)] {
        *b = 0x5A;
    }
    std::fs::write(&file, bytes).expect("write");
    let (ok, out) = doctor(dir.path());
    assert!(!ok && out.contains("❌ Cơ sở dữ liệu"), "{out}");

    // A new installation that `serve` has run on, before anyone wrote: fine.
    let fresh = tempfile::tempdir().expect("dir");
    Store::open(&fresh.path().join("data")).expect("store").kv_set("campaign.started_at", "1").expect("kv");
    let (ok, out) = doctor(fresh.path());
    assert!(ok && out.contains("0 người dùng"), "{out}");
}
