//! The operator's side of the scam-report register: `canhgiac reports list|show|approve|reject|
//! export` over a database, and `canhgiac check` consulting the same register.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may fail loudly

use canhgiac::{
    model::{Channel, EntityKind},
    store::{NewReport, Store, UserKey},
};

use crate::common;

fn report(s: &Store, who: &str, entities: &[(EntityKind, String, Option<String>)]) {
    let reporter = UserKey::new(Channel::Telegram, who);
    common::agree(s, Channel::Telegram, who);
    let r = NewReport {
        reporter: &reporter,
        feedback: who == "1",
        entities,
        form: Some("fake_police_procuracy"),
        verdict: "scam",
        daily_limit: 20,
    };
    s.report_scam(&r).expect("report");
}

#[test]
fn operators_list_decide_and_export_and_check_consults_the_register() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data");
    {
        let s = Store::open(&data).expect("store");
        let phone = (EntityKind::Phone, "0912345678".to_owned(), None);
        let account = (EntityKind::Account, "0123456789".to_owned(), Some("Vietcombank".to_owned()));
        let official = (EntityKind::Host, "vietcombank.com.vn".to_owned(), None);
        report(&s, "1", &[phone.clone(), account]);
        report(&s, "2", &[phone, official]);
    }
    let run = |args: &[&str]| {
        let out = common::cli(dir.path()).args(args).output().expect("run");
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        (out.status.success(), text(&out.stdout), text(&out.stderr))
    };
    let (ok, out, err) = run(&["reports", "list", "--status", "pending", "--json"]);
    assert!(ok, "{err}");
    let list: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let list = list.as_array().expect("array");
    assert_eq!(list.len(), 3);
    let first = &list[0];
    for field in ["id", "kind", "value", "status", "reporters", "first_day", "last_day"] {
        assert!(!first[field].is_null(), "{field} in {first}");
    }
    assert_eq!(
        (first["kind"].as_str(), first["value"].as_str(), first["reporters"].as_i64()),
        (Some("phone"), Some("0912345678"), Some(2))
    );
    let id_of = |value: &str| {
        list.iter().find(|e| e["value"] == value).and_then(|e| e["id"].as_i64()).expect("id").to_string()
    };

    // An official domain is not confirmed without the override.
    let (ok, _, err) = run(&["reports", "approve", &id_of("vietcombank.com.vn")]);
    assert!(!ok && err.contains("chính thức") && err.contains("--override-official"), "{err}");
    let (ok, out, err) = run(&["reports", "approve", &id_of("0912345678"), "--why", "nhiều người báo"]);
    assert!(ok && out.contains("1 người báo cáo sẽ nhận phản hồi"), "{out}{err}");
    let (ok, _, err) = run(&["reports", "reject", &id_of("0123456789")]);
    assert!(ok, "{err}");
    let (_, out, _) = run(&["reports", "show", &id_of("0912345678")]);
    assert!(out.contains("\"confirmed\"") && out.contains("fake_police_procuracy"), "{out}");

    // The export: confirmed only, no reporter identity.
    let (ok, csv, err) = run(&["reports", "export", "--from", "2026-01-01", "--to", "2999-12-31"]);
    assert!(ok, "{err}");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[1].starts_with("phone,0912345678,,") && lines[1].contains(",2,2,"), "{csv}");
    let (_, md, _) =
        run(&["reports", "export", "--from", "2026-01-01", "--to", "2999-12-31", "--format", "md"]);
    assert!(md.contains("| Số điện thoại | 0912345678 |") && !md.contains("telegram"), "{md}");

    // `check` reads the same register.
    let (ok, out, err) = run(&["check", "--json", "Gọi ngay 0912 345 678 để nhận quà"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["verdict"], "scam", "{out}");
    let signal =
        v["signals"].as_array().expect("signals").iter().find(|s| s["id"] == "reported_confirmed").cloned();
    let signal = signal.expect("the confirmed signal");
    assert!(
        signal["label"].as_str().is_some_and(|l| l.contains("xác nhận"))
            && signal["evidence"] == "0912345678"
    );
}
