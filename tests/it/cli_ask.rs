//! Black-box tests of the `canhgiac` binary: `ask` (terminal, --json, --jsonl), `index`,
//! `content check`, and the index rebuilt when the content changes.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may fail loudly

use crate::common;

use std::{
    io::Write,
    path::Path,
    process::{Command, Output, Stdio},
};

use serde_json::Value;

/// The CLI with `index` as both its index and working directory.
fn canhgiac(index: &Path, content: &Path) -> Command {
    common::cli_with(index, content, index)
}

fn run(mut c: Command) -> Output {
    let out = c.output().expect("run canhgiac");
    assert!(out.status.success(), "failed: {}", String::from_utf8_lossy(&out.stderr));
    out
}

fn ask_json(index: &Path, q: &str) -> Value {
    let mut c = canhgiac(index, &common::root().join("content"));
    c.args(["ask", "--json", q]);
    serde_json::from_slice(&run(c).stdout).expect("json")
}

#[test]
fn done_when_examples_name_the_right_forms() {
    let dir = tempfile::tempdir().expect("tempdir");
    let v = ask_json(dir.path(), "bị gọi điện dọa khóa sim phải làm sao");
    assert_eq!(v["id"], "sim_lock_standardization", "{v}");
    let v = ask_json(dir.path(), "lua dao viec nhe luong cao");
    assert_eq!(v["id"], "online_collaborator_job", "{v}");
}

#[test]
fn json_has_the_stable_shape() {
    let dir = tempfile::tempdir().expect("tempdir");
    let v = ask_json(dir.path(), "deepfake");
    let obj = v.as_object().expect("object");
    let keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    for k in ["query", "id", "title", "score", "answer", "alternatives"] {
        assert!(keys.contains(&k), "missing {k} in {v}");
    }
    assert_eq!(v["query"], "deepfake");
    assert_eq!(v["id"], "deepfake_call");
    assert!(v["score"].as_f64().expect("score") > 0.5);
    assert!(v["answer"].as_str().expect("answer").contains("Dấu hiệu nhận biết"));
    for alt in v["alternatives"].as_array().expect("alternatives") {
        assert!(alt["id"].is_string() && alt["title"].is_string() && alt["score"].is_number(), "{alt}");
    }
    assert!(v["alternatives"].as_array().expect("alts").len() <= 3);
}

#[test]
fn any_form_of_the_query_finds_the_same_entry() {
    let dir = tempfile::tempdir().expect("tempdir");
    let accented = "giả danh công an gọi điện yêu cầu chuyển tiền";
    let nfd: String = unicode_normalization::UnicodeNormalization::nfd(accented).collect();
    for q in [
        accented,
        "gia danh cong an goi dien yeu cau chuyen tien",
        nfd.as_str(),
        "GIẢ DANH CÔNG AN GỌI ĐIỆN YÊU CẦU CHUYỂN TIỀN",
        "gia danh cong an goi dt yc ck tien",
    ] {
        assert_eq!(ask_json(dir.path(), q)["id"], "fake_police_procuracy", "{q}");
    }
}

#[test]
fn unrelated_question_gets_an_honest_no_answer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let v = ask_json(dir.path(), "công thức làm bánh flan");
    assert!(v["id"].is_null(), "{v}");
    assert_eq!(v["title"], "");
    assert!(
        v["answer"].as_str().expect("answer").contains("dán tin nhắn"),
        "off topic: the small-talk reply {v}"
    );
    let mut c = canhgiac(dir.path(), &common::root().join("content"));
    c.args(["ask", "công thức làm bánh flan"]);
    let text = String::from_utf8(run(c).stdout).expect("utf8");
    assert!(text.contains("Anh/chị có thể hỏi về"), "{text}");
}

#[test]
fn terminal_answer_shows_title_summary_signs_advice_and_alternatives() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut c = canhgiac(dir.path(), &common::root().join("content"));
    c.args(["ask", "bị", "gọi", "điện", "dọa", "khóa", "sim", "phải", "làm", "sao"]);
    let text = String::from_utf8(run(c).stdout).expect("utf8");
    assert!(text.starts_with("▶ Lừa đảo \"khóa SIM\""), "{text}");
    assert!(text.contains("Dấu hiệu nhận biết\n• "), "{text}");
    assert!(text.contains("Cách phòng tránh\n• "), "{text}");
    assert!(!text.contains("\x1b["), "no ANSI codes when not on a terminal");
}

#[test]
fn jsonl_answers_every_line_in_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let questions = common::dev_questions();
    let mut input = String::new();
    for _ in 0..5 {
        for (_, q) in &questions {
            input.push_str(q);
            input.push('\n');
        }
    }
    input.push('\n'); // an empty line still gets an answer object
    let mut c = canhgiac(dir.path(), &common::root().join("content"));
    c.args(["ask", "--jsonl"]).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        stdin.write_all(input.as_bytes()).expect("write");
        stdin.write_all(b"\xff\xfe invalid utf-8\n").expect("write");
    });
    let out = child.wait_with_output().expect("wait");
    writer.join().expect("writer");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .expect("utf8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), questions.len() * 5 + 2);
    for (i, (_, q)) in questions.iter().enumerate() {
        assert_eq!(lines[i]["query"], q.as_str());
    }
    assert_eq!(lines[questions.len() * 5]["query"], "");
    assert!(lines[questions.len() * 5]["id"].is_null());
}

#[test]
fn index_is_rebuilt_when_content_changes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let content = dir.path().join("content");
    let index = dir.path().join("index");
    std::fs::create_dir_all(&index).expect("mkdir");
    copy(&common::root().join("content"), &content);
    let current = || std::fs::read_to_string(index.join("CURRENT")).expect("CURRENT");

    let mut c = canhgiac(&index, &content);
    c.args(["ask", "--json", "deepfake"]);
    run(c);
    let first = current();

    let mut c = canhgiac(&index, &content);
    c.args(["ask", "--json", "deepfake"]);
    run(c);
    assert_eq!(current(), first, "unchanged content must reuse the index");

    let tips = content.join("tips.yaml");
    let text = std::fs::read_to_string(&tips).expect("tips");
    std::fs::write(
        &tips,
        format!(
            "{text}\n- id: tip_extra\n  ref: deepfake_call\n  text: \"Mẹo mới về cuộc gọi video giả mạo.\"\n"
        ),
    )
    .expect("write");
    let mut c = canhgiac(&index, &content);
    c.args(["ask", "--json", "deepfake"]);
    run(c);
    assert_ne!(current(), first, "changed content must rebuild the index");
    let versions = std::fs::read_dir(&index)
        .expect("read_dir")
        .filter(|e| e.as_ref().is_ok_and(|e| e.file_name().to_string_lossy().starts_with("v-")))
        .count();
    assert_eq!(versions, 1, "old index versions are cleaned up");

    let mut c = canhgiac(&index, &content);
    c.arg("index");
    let out = String::from_utf8(run(c).stdout).expect("utf8");
    assert!(out.contains("Đã xây dựng chỉ mục"), "{out}");
}

#[test]
fn a_damaged_index_is_rebuilt_with_a_clear_log_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = dir.path().join("index");
    std::fs::create_dir_all(&index).expect("mkdir");
    let content = common::root().join("content");
    let mut c = canhgiac(&index, &content);
    c.args(["ask", "--json", "deepfake"]);
    run(c);
    let version = std::fs::read_to_string(index.join("CURRENT")).expect("CURRENT");
    let version = index.join(version.lines().next().expect("name"));
    // Flip bytes in the middle of every segment file (as a disk error would).
    let mut damaged = 0;
    for e in std::fs::read_dir(&version).expect("read_dir").filter_map(Result::ok) {
        let p = e.path();
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("").to_owned();
        if name.ends_with(".json") || name.starts_with('.') {
            continue;
        }
        let mut bytes = std::fs::read(&p).expect("read");
        if bytes.len() > 64 {
            let mid = bytes.len() / 2;
            for b in &mut bytes[mid..mid + 16] {
                *b ^= 0xA5;
            }
            std::fs::write(&p, bytes).expect("write");
            damaged += 1;
        }
    }
    assert!(damaged > 0, "segment files found");
    let mut c = canhgiac(&index, &content);
    c.args(["ask", "--json", "deepfake"]).env("RUST_LOG", "warn");
    let out = run(c);
    let answer: Value = serde_json::from_slice(&out.stdout).expect("json answer after the rebuild");
    assert_eq!(answer["id"], "deepfake_call", "{answer}");
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(log.contains("search index damaged"), "{log}");
}

#[test]
fn content_check_exit_codes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut c = canhgiac(dir.path(), &common::root().join("content"));
    c.args(["content", "check"]);
    let out = run(c);
    assert!(String::from_utf8_lossy(&out.stdout).contains("Content OK"));

    let content = dir.path().join("content");
    copy(&common::root().join("content"), &content);
    std::fs::remove_file(content.join("forms/24_lottery_number_tips.yaml")).expect("rm");
    let mut c = canhgiac(dir.path(), &content);
    c.args(["content", "check"]);
    let out = c.output().expect("run");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("entry `lottery_number_tips`, field `-`: form is missing"), "{err}");

    let mut c = canhgiac(dir.path(), &content);
    c.args(["ask", "deepfake"]);
    let out = c.output().expect("run");
    assert!(!out.status.success(), "ask refuses invalid content");
    assert!(String::from_utf8_lossy(&out.stderr).contains("form is missing"));
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir") {
        let e = e.expect("entry");
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).expect("copy");
        }
    }
}

#[test]
fn content_check_rejects_weights_for_a_feature_the_checker_does_not_have() {
    let dir = tempfile::tempdir().expect("tempdir");
    let content = dir.path().join("content");
    copy(&common::root().join("content"), &content);
    let path = content.join("weights.yaml");
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, text.replacen("  account_update: ", "  acount_update: ", 1)).expect("write");
    let mut c = canhgiac(dir.path(), &content);
    c.args(["content", "check"]);
    let out = c.output().expect("run");
    assert!(!out.status.success(), "a misspelt feature must fail the check, not only `serve`");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("weights.yaml") && err.contains("acount_update"), "{err}");
}

#[test]
fn the_binary_runs_from_any_directory() {
    // No content directory anywhere near: the content compiled into the binary is used, and
    // the index goes under the data directory, not the working directory.
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let out = Command::new(env!("CARGO_BIN_EXE_canhgiac"))
        .args(["ask", "--json", "deepfake"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("CANHGIAC_DATA_DIR", &data)
        .current_dir(dir.path())
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let answer: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(answer["id"], "deepfake_call");
    assert!(data.join("index").is_dir(), "index under the data directory");
    assert!(!dir.path().join("index").exists(), "nothing written in the working directory");
    assert!(
        std::fs::read_dir(&data)
            .expect("data")
            .any(|e| e.is_ok_and(|e| e.file_name().to_string_lossy().starts_with("content-")))
    );
}
