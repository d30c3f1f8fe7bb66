//! Black-box tests of `canhgiac check`: verdict card, --json shape, --jsonl with bad lines,
//! blocklists, and stdin input.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may fail loudly

use crate::common;

use std::{
    io::Write,
    process::{Command, Stdio},
};

use serde_json::Value;

use common::cli as canhgiac;

fn run_with_stdin(mut c: Command, input: &[u8]) -> (String, String, bool) {
    c.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    let data = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&data).expect("write"));
    let out = child.wait_with_output().expect("wait");
    writer.join().expect("writer");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.success(),
    )
}

const PHISH: &str =
    "Tai khoan cua quy khach bi khoa, vui long truy cap https://vietcombank-xacthuc.top de mo khoa";

#[test]
fn card_shows_verdict_first_then_reasons_links_and_advice() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = canhgiac(dir.path()).args(["check", PHISH]).output().expect("run");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("utf8");
    assert!(text.starts_with("🚨 LỪA ĐẢO"), "{text}");
    for part in
        ["Lý do\n• ", "Đường link trong tin nhắn", "vietcombank-xacthuc.top — nguy hiểm", "Anh/chị nên\n• "]
    {
        assert!(text.contains(part), "missing {part:?} in {text}");
    }
}

#[test]
fn json_has_the_stable_shape() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = canhgiac(dir.path()).args(["check", "--json", PHISH]).output().expect("run");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let keys: Vec<&str> = v.as_object().expect("object").keys().map(String::as_str).collect();
    assert_eq!(keys.len(), 7, "{keys:?}");
    for k in ["verdict", "kind", "score", "types", "signals", "urls", "advice"] {
        assert!(keys.contains(&k), "missing {k}");
    }
    assert_eq!(v["verdict"], "scam");
    let score = v["score"].as_f64().expect("score");
    assert!((0.0..=1.0).contains(&score));
    assert!(v["types"][0]["id"].is_string() && v["types"][0]["score"].is_number());
    let s = &v["signals"][0];
    assert!(s["id"].is_string() && s["label"].is_string() && s["evidence"].is_string(), "{s}");
    assert!(s["floor"].is_boolean(), "{s}");
    assert_eq!(v["kind"], "message");
    let u = &v["urls"][0];
    assert_eq!(u["url"], "https://vietcombank-xacthuc.top");
    assert_eq!(u["domain"], "vietcombank-xacthuc.top");
    assert_eq!(u["risk"], "high");
    assert!(u["reasons"].as_array().is_some_and(|r| !r.is_empty()));
    assert!(v["advice"].as_array().is_some_and(|a| !a.is_empty()));
}

#[test]
fn jsonl_reports_bad_lines_and_goes_on_in_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut input = Vec::new();
    input.extend_from_slice(format!("{}\n", serde_json::json!({ "text": PHISH })).as_bytes());
    input.extend_from_slice(b"not json\n");
    input.extend_from_slice(b"{\"message\": \"no text field\"}\n");
    input.extend_from_slice(b"{\"text\": \"\xff\xfe\"}\n");
    input.extend_from_slice(
        format!("{}\n", serde_json::json!({ "text": "Dòng 1\nDòng 2: chiều nay họp nhé" })).as_bytes(),
    );
    input.extend_from_slice(b"{\"text\": 42}\n");
    input.extend_from_slice(format!("{}\n", serde_json::json!({ "text": "" })).as_bytes());
    let mut c = canhgiac(dir.path());
    c.args(["check", "--jsonl"]);
    let (stdout, stderr, ok) = run_with_stdin(c, &input);
    assert!(ok, "{stderr}");
    let lines: Vec<Value> = stdout.lines().map(|l| serde_json::from_str(l).expect("json line")).collect();
    assert_eq!(lines.len(), 7, "{stdout}");
    assert_eq!(lines[0]["verdict"], "scam");
    assert_eq!(lines[1]["line"], 2);
    assert!(lines[1]["error"].as_str().expect("error").contains("not a JSON object"));
    assert!(lines[2]["error"].as_str().expect("error").contains("missing \"text\""));
    assert!(lines[3]["error"].as_str().expect("error").contains("UTF-8"));
    assert_eq!(lines[4]["verdict"], "safe");
    assert!(lines[5]["error"].as_str().expect("error").contains("must be a string"));
    assert_eq!(lines[6]["verdict"], "safe");
    assert_eq!(stderr.matches("canhgiac check: line").count(), 4, "{stderr}");
}

#[test]
fn blocklist_files_are_loaded_at_run_time() {
    let dir = tempfile::tempdir().expect("tempdir");
    let list = dir.path().join("hosts.txt");
    std::fs::write(&list, "# test list\n||cua-hang-la.vn$all\nkhac.example.org\n").expect("write");
    let msg = "Don hang cua ban dang cho, xem tai https://cua-hang-la.vn/don/123";
    let out = canhgiac(dir.path()).args(["check", "--json", msg]).output().expect("run");
    let before: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_ne!(before["urls"][0]["risk"], "high");
    let out = canhgiac(dir.path())
        .args(["check", "--json", "--blocklist"])
        .arg(&list)
        .arg(msg)
        .output()
        .expect("run");
    let after: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(after["urls"][0]["risk"], "high", "{after}");
    assert_eq!(after["verdict"], "scam");
    let missing = canhgiac(dir.path())
        .args(["check", "--blocklist", "/nonexistent/list.txt", "x"])
        .output()
        .expect("run");
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nonexistent/list.txt"));
}

#[test]
fn message_can_come_from_stdin_even_as_binary_garbage() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut c = canhgiac(dir.path());
    c.args(["check", "--json"]);
    let (stdout, stderr, ok) = run_with_stdin(c, b"\x00\xff\xfe garbage \x80\x81 bytes");
    assert!(ok, "{stderr}");
    let v: Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(v["verdict"], "safe");
}
