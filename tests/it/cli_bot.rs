//! Black-box tests of `canhgiac chat` and `canhgiac serve` without tokens.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may fail loudly

use crate::common;

use std::{
    io::{BufRead, BufReader, Write},
    process::Stdio,
    time::{Duration, Instant},
};

use common::cli as canhgiac;

#[test]
fn chat_runs_the_engine_in_the_terminal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut child = canhgiac(dir.path())
        .arg("chat")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let script =
        "/start\n1\n4\nTai khoan bi khoa, truy cap https://vietcombank-xacthuc.top ngay\n/quiz\n1\n/thoat\n";
    child.stdin.take().expect("stdin").write_all(script.as_bytes()).expect("write");
    let out = child.wait_with_output().expect("wait");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).expect("utf8");
    assert!(text.contains("Xin chào anh/chị"), "{text}");
    assert!(text.contains("[4] ✋ Năm không"), "buttons are numbered: {text}");
    assert!(text.contains("Năm không\n\n"), "pressing 4 shows the five don'ts: {text}");
    assert!(text.contains("🚨 LỪA ĐẢO"), "{text}");
    assert!(text.contains("Câu 1/10") && text.contains("Câu 2/10"), "{text}");
}

#[test]
fn serve_without_tokens_says_how_to_enable_each_channel() {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let mut child = canhgiac(dir.path())
        .arg("serve")
        .env("CANHGIAC_LISTEN", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut log = String::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline && !log.contains("HTTP server listening") {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
            log.push_str(&line);
            log.push('\n');
        }
    }
    let health = std::net::TcpStream::connect(("127.0.0.1", port)).and_then(|mut s| {
        s.write_all(b"GET /healthz HTTP/1.0\r\nHost: x\r\n\r\n")?;
        let mut buf = String::new();
        std::io::Read::read_to_string(&mut s, &mut buf)?;
        Ok(buf)
    });
    let _ = child.kill();
    let _ = child.wait();
    assert!(log.contains("Telegram: off") && log.contains("TELEGRAM_BOT_TOKEN"), "{log}");
    assert!(log.contains("Zalo: off") && log.contains("ZALO_APP_ID"), "{log}");
    let health = health.expect("healthz");
    assert!(health.starts_with("HTTP/1.0 200") && health.ends_with("ok\n"), "{health}");
}
