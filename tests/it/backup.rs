//! `canhgiac backup --out FILE` while the database is being written, and commands that read
//! the database refusing a data directory that does not exist.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may fail loudly

use std::sync::{
    Arc,
    atomic::{AtomicBool, Ordering},
};

use canhgiac::{
    model::Channel,
    store::{Store, UserKey},
};

use crate::common;

#[test]
fn a_backup_taken_while_writing_restores_to_a_sound_database() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data");
    let store = Arc::new(Store::open(&data).expect("store"));
    for i in 0..500 {
        store.touch_user(&UserKey::new(Channel::Telegram, &i.to_string())).expect("user");
    }
    // A writer keeps going during the backup, as `serve` would.
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (store, stop) = (store.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut i = 10_000;
            while !stop.load(Ordering::Relaxed) {
                store.touch_user(&UserKey::new(Channel::Zalo, &i.to_string())).expect("write");
                i += 1;
            }
            i - 10_000
        })
    };
    let out = dir.path().join("sao-luu.sqlite3");
    let mut c = common::cli(dir.path());
    c.args(["backup", "--out"]).arg(&out);
    let run = c.output().expect("run");
    stop.store(true, Ordering::Relaxed);
    let written = writer.join().expect("writer");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{stdout}{}", String::from_utf8_lossy(&run.stderr));
    assert!(stdout.contains("Đã sao lưu"), "{stdout}");
    assert!(written > 0, "the writer wrote during the backup");

    // Restore: the copy in place of the database of a fresh data directory.
    let restored = dir.path().join("restored");
    std::fs::create_dir_all(&restored).expect("mkdir");
    std::fs::copy(&out, restored.join("canhgiac.sqlite3")).expect("copy");
    let r = Store::open(&restored).expect("the backup opens");
    let health = r.check().expect("check");
    assert!(health.problems.is_empty(), "{:?}", health.problems);
    assert!(health.users >= 500, "holds the rows: {}", health.users);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&out).expect("meta").permissions().mode() & 0o777, 0o600);
    }

    let mut again = common::cli(dir.path());
    again.args(["backup", "--out"]).arg(&out);
    let run = again.output().expect("run");
    assert!(!run.status.success(), "an existing file is not overwritten");
    assert!(String::from_utf8_lossy(&run.stderr).contains("đã có"));
}

#[test]
fn reading_commands_refuse_a_missing_data_directory() {
    let dir = tempfile::tempdir().expect("dir");
    for args in [
        vec!["stats"],
        vec!["broadcast", "status"],
        vec!["report", "--from", "2026-01-01", "--to", "2026-01-31"],
    ] {
        let mut c = common::cli(dir.path());
        c.args(&args);
        let run = c.output().expect("run");
        assert!(!run.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&run.stderr);
        assert!(err.contains("không tìm thấy cơ sở dữ liệu"), "{args:?}: {err}");
        assert!(!dir.path().join("data").exists(), "no empty database is created by {args:?}");
    }
}

#[test]
fn fresh_zalo_tokens_replace_the_stored_pair() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data");
    let store = Store::open(&data).expect("store");
    store.kv_set("zalo.refresh_token", "spent").expect("kv");
    drop(store);
    let mut c = common::cli(dir.path());
    c.arg("zalo-tokens").env("ZALO_ACCESS_TOKEN", "acc-new").env("ZALO_REFRESH_TOKEN", "ref-new");
    let out = c.output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let store = Store::open(&data).expect("store");
    assert_eq!(store.kv_get("zalo.refresh_token").expect("kv").as_deref(), Some("ref-new"));
    assert_eq!(store.kv_get("zalo.access_token").expect("kv").as_deref(), Some("acc-new"));
    let mut c = common::cli(dir.path());
    c.arg("zalo-tokens").env("ZALO_ACCESS_TOKEN", "only-one");
    assert!(!c.output().expect("run").status.success(), "both tokens are needed");
}
