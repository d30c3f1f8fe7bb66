//! Images through OCR and QR decoding: a dev set of screenshots drawn from the scenario
//! messages (tests/data/images/set.tsv: themes, fonts, sizes, JPEG quality, slight rotation)
//! read back with character accuracy and the same verdict as the text; QR codes (links and
//! VietQR transfers) all decode; posters with a payment QR and a prize pretext are scams.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may fail loudly

use std::{sync::Arc, time::Instant};

use canhgiac::{
    check::Verdict,
    testing::images::{Painter, Shot},
    vision::{Seen, Vision, VisionSettings},
};
use unicode_normalization::UnicodeNormalization;

use crate::common;

/// The dev set: (label, shot, text).
pub fn dev_set() -> Vec<(String, Shot, String)> {
    canhgiac::testing::images::dev_set(&common::root())
}

fn norm(s: &str) -> Vec<char> {
    s.nfc().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" ").chars().collect()
}

/// 1 − edit distance / length, on NFC text with spaces collapsed.
pub fn char_accuracy(truth: &str, read: &str) -> f64 {
    let (a, b) = (norm(truth), norm(read));
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            cur.push((prev[j] + usize::from(ca != cb)).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    1.0 - prev[b.len()] as f64 / a.len().max(1) as f64
}

fn vision() -> Option<Arc<Vision>> {
    vision_with(VisionSettings::default())
}

fn vision_with(settings: VisionSettings) -> Option<Arc<Vision>> {
    let v = Vision::new(settings);
    match v.ocr_status() {
        Ok(()) => Some(Arc::new(v)),
        Err(why) if std::env::var_os("CI").is_some() => panic!("OCR must be installed in CI: {why}"),
        Err(why) => {
            eprintln!("skipped: {why}");
            None
        }
    }
}

#[test]
fn screenshots_read_back_with_the_same_verdict_as_their_text() {
    // The whole set is queued at once: room for all of it (the default refuses beyond 18).
    let Some(vision) = vision_with(VisionSettings { queue: 64, ..VisionSettings::default() }) else { return };
    let (checker, _dir) = common::checker();
    let mut painter = Painter::default();
    let (mut acc, mut same) = (Vec::new(), 0);
    let set = dev_set();
    let images: Vec<Vec<u8>> = set.iter().map(|(_, shot, text)| painter.screenshot(text, shot)).collect();
    // Read through the pool, as the channels do: all at once, two at a time.
    let rt =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let started = Instant::now();
    let results: Vec<(Seen, std::time::Duration)> = rt.block_on(async {
        let tasks: Vec<_> = images
            .iter()
            .cloned()
            .map(|bytes| {
                let v = vision.clone();
                tokio::spawn(async move {
                    let t = Instant::now();
                    let seen = v.read(bytes).await;
                    (seen, t.elapsed())
                })
            })
            .collect();
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await.expect("task"));
        }
        out
    });
    let wall = started.elapsed();
    for ((label, shot, text), (seen, took)) in set.iter().zip(results) {
        let Seen::Read(read) = seen else { panic!("{label}: not read: {seen:?}") };
        let _ = took;
        // The screenshot's header is part of what is read.
        let a = char_accuracy(&format!("Tin nhắn {text}"), &read.text);
        acc.push(a);
        let (want, got) = (checker.check(text).verdict, checker.check(&read.text).verdict);
        if want == got {
            same += 1;
        } else {
            eprintln!(
                "verdict {want:?} → {got:?} ({a:.2}, {} {} {}): {}",
                shot.theme, shot.font, shot.format, read.text
            );
        }
        if a < 0.9 {
            eprintln!(
                "accuracy {a:.2} conf {:.0} ({} {} {} {} {}°)\n  truth: {text}\n  read:  {}",
                read.confidence, shot.theme, shot.font, shot.size, shot.format, shot.degrees, read.text
            );
        }
    }
    let mean = acc.iter().sum::<f64>() / acc.len() as f64;
    let share = f64::from(same) / set.len() as f64;
    eprintln!(
        "OCR dev set: {} images, mean character accuracy {mean:.3}, verdicts as for the text {same}/{} ({:.0}%); through the pool in {wall:?} ({:.2} images/s)",
        set.len(),
        set.len(),
        share * 100.0,
        set.len() as f64 / wall.as_secs_f64()
    );
    assert!(share >= 0.9, "verdicts match for {share:.2} of the images");
    assert!(mean >= 0.9, "mean character accuracy {mean:.3}");
    let _ = Verdict::Scam;
}

fn modules(payload: &str) -> Vec<Vec<bool>> {
    let code = qrcode::QrCode::new(payload.as_bytes()).expect("qr");
    let w = code.width();
    let colors = code.to_colors();
    (0..w).map(|y| (0..w).map(|x| colors[y * w + x] == qrcode::Color::Dark).collect()).collect()
}

#[test]
fn every_qr_code_decodes_links_and_vietqr_transfers_are_spelled_out() {
    use canhgiac::vision::{QrContent, qr, vietqr};
    let mut painter = Painter::default();
    let transfer = vietqr::build("970436", "0123456789", Some(2_500_000), Some("PHI NHAN QUA"));
    let cases: Vec<(String, Vec<String>)> = vec![
        ("Quét để xem chi tiết".into(), vec!["https://dichvucong.gov.vn/p/home/dvc-trang-chu.html".into()]),
        ("Nhận quà".into(), vec!["http://vcb-tri-an.top/nhan-qua?id=8812".into()]),
        ("Chuyển khoản".into(), vec![transfer.clone()]),
        (
            "Hai mã".into(),
            vec!["https://shopee.vn".into(), vietqr::build("970418", "21510000123456", None, None)],
        ),
        ("Wi-Fi".into(), vec!["WIFI:S:Phong hop;T:WPA;P:12345678;;".into()]),
    ];
    for (title, payloads) in cases {
        let codes: Vec<Vec<Vec<bool>>> = payloads.iter().map(|p| modules(p)).collect();
        let png = painter.poster(&title, "Mã QR dưới đây", &codes);
        let gray = image::load_from_memory(&png).expect("png").to_luma8();
        let mut found = qr::decode_all(&gray);
        let mut want: Vec<QrContent> = payloads.iter().map(|p| qr::classify(p)).collect();
        found.sort_by_key(|c| format!("{c:?}"));
        want.sort_by_key(|c| format!("{c:?}"));
        assert_eq!(found, want, "{title}");
    }
    let QrContent::Payment(p) = qr::classify(&transfer) else { panic!("a transfer") };
    assert_eq!((p.bank, p.account.as_str(), p.amount), (Some("Vietcombank"), "0123456789", Some(2_500_000)));
}

/// The verdict on an image, as the bot gives it.
fn image_verdict(vision: &Vision, checker: &canhgiac::check::Checker, png: &[u8]) -> (Verdict, String) {
    let Seen::Read(read) = vision.read_now(png) else { panic!("not read") };
    let text = canhgiac::bot::image::check_text(&read, "");
    (checker.check(&text).verdict, text)
}

#[test]
fn a_prize_poster_with_a_payment_qr_is_a_scam_and_a_water_bill_is_not() {
    use canhgiac::vision::vietqr;
    let Some(vision) = vision() else { return };
    let (checker, _dir) = common::checker();
    let mut painter = Painter::default();
    let pay = modules(&vietqr::build("970422", "0886123456", Some(1_200_000), Some("PHI NHAN THUONG")));
    let prize = painter.poster(
        "CHÚC MỪNG QUÝ KHÁCH TRÚNG THƯỞNG",
        "Số điện thoại của quý khách đã trúng xe máy SH trong chương trình tri ân khách hàng. Để nhận thưởng, vui lòng quét mã QR thanh toán phí hồ sơ trước 17h hôm nay.",
        &[pay],
    );
    let (v, text) = image_verdict(&vision, &checker, &prize);
    assert_eq!(v, Verdict::Scam, "{text}");
    let water =
        modules(&vietqr::build("970418", "12010000123456", Some(186_000), Some("TIEN NUOC T11 KH0123")));
    let bill = painter.poster(
        "Hóa đơn tiền nước tháng 11/2026",
        "Khách hàng: Nguyễn Văn An. Chỉ số cũ 1.204, chỉ số mới 1.226, tiêu thụ 22 m3. Số tiền: 186.000 đồng. Quý khách có thể thanh toán tại quầy giao dịch hoặc quét mã dưới đây.",
        &[water],
    );
    let (v, text) = image_verdict(&vision, &checker, &bill);
    assert_ne!(v, Verdict::Scam, "{text}");
}

fn photo_update(update_id: i64, chat: i64, file: &str, caption: Option<&str>) -> serde_json::Value {
    let mut msg = serde_json::json!({"message_id": update_id * 10, "date": 1_700_000_000,
        "chat": common::tg::private(chat), "from": common::tg::user(chat),
        "photo": [{"file_id": format!("{file}-small"), "file_unique_id": "s", "width": 90, "height": 90},
                  {"file_id": file, "file_unique_id": "l", "width": 1080, "height": 900}]});
    if let Some(c) = caption {
        msg["caption"] = c.into();
    }
    serde_json::json!({"update_id": update_id, "message": msg})
}

fn document_update(update_id: i64, chat: i64, file: &str, mime: &str) -> serde_json::Value {
    serde_json::json!({"update_id": update_id, "message": {"message_id": update_id * 10, "date": 1_700_000_000,
        "chat": common::tg::private(chat), "from": common::tg::user(chat),
        "document": {"file_id": file, "file_unique_id": format!("u{file}"), "file_name": "anh.png", "mime_type": mime}}})
}

fn files_under(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p.display().to_string());
        }
    }
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn telegram_photos_and_image_files_get_a_verdict_and_bad_images_a_polite_refusal() {
    let Some(vision) = vision() else { return };
    let (fake, url) = canhgiac::testing::fake_telegram::start().await.expect("fake");
    let data = tempfile::tempdir().expect("data");
    let store = Arc::new(canhgiac::store::Store::open(data.path()).expect("store"));
    let (engine, _index) = common::engine_with(store);
    let engine = engine.with_vision(Some(vision));
    let served = common::spawn_serve(common::telegram_config(&url, data.path()), engine).await;
    let mut painter = Painter::default();
    let shot = |theme: &str| Shot {
        theme: theme.into(),
        font: "sans".into(),
        size: 34.0,
        width: 1080,
        format: "jpeg".into(),
        quality: 80,
        degrees: 0.0,
    };
    let scam = "Vietcombank thông báo: tài khoản của quý khách đã bị tạm khóa do chưa cập nhật sinh trắc học. Vui lòng truy cập https://vietcombank-sinhtrachoc.top để xác thực trước 17h hôm nay.";
    let legit = "Chiều nay 15h họp giao ban ở phòng họp tầng 2, mọi người nhớ mang theo báo cáo tuần nhé.";
    {
        let mut files = fake.files.lock().expect("lock");
        files.insert("scam".into(), painter.screenshot(scam, &shot("light")));
        files.insert("legit".into(), painter.screenshot(legit, &shot("dark")));
        files.insert("big".into(), vec![0u8; 11 * 1024 * 1024]);
        files.insert("broken".into(), b"\x89PNG\r\n\x1a\nnot really".to_vec());
    }
    let before = files_under(data.path());
    fake.push_updates([
        photo_update(1, 501, "scam", None),
        document_update(2, 502, "legit", "image/png"),
        photo_update(3, 503, "big", None),
        photo_update(4, 504, "broken", Some("tin này có phải lừa đảo không")),
    ]);
    let to = |chat: i64| {
        fake.delivered().into_iter().filter(|d| d.chat == chat).map(|d| d.text).collect::<Vec<_>>().join("\n")
    };
    for _ in 0..600 {
        if [501, 502, 503, 504].iter().all(|c| !to(*c).is_empty()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let scam_reply = to(501);
    assert!(
        scam_reply.contains("Tôi đọc được trong ảnh") && scam_reply.contains("vietcombank-sinhtrachoc.top"),
        "{scam_reply}"
    );
    assert!(scam_reply.contains("🚨 LỪA ĐẢO"), "{scam_reply}");
    let legit_reply = to(502);
    assert!(legit_reply.contains("họp giao ban") && !legit_reply.contains("🚨"), "{legit_reply}");
    assert!(to(503).contains("Ảnh quá lớn"), "{}", to(503));
    let broken = to(504);
    assert!(broken.contains("Ảnh bị lỗi"), "{broken}");
    assert_eq!(fake.calls("getFile").len(), 4);
    // The images were read in memory: nothing new on disk (the database's own files aside).
    let after: Vec<String> = files_under(data.path()).into_iter().filter(|f| !before.contains(f)).collect();
    assert!(after.iter().all(|f| f.contains("canhgiac.sqlite3")), "{after:?}");
    served.shutdown(15).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_zalo_image_event_gets_a_verdict_saying_what_was_read() {
    use canhgiac::config::{Config, Secret};
    let Some(vision) = vision() else { return };
    let (fake, api) =
        canhgiac::testing::fake_zalo::start("access-0", "refresh-0", "app-secret").await.expect("fake");
    let data = tempfile::tempdir().expect("data");
    let store = Arc::new(canhgiac::store::Store::open(data.path()).expect("store"));
    let (engine, _index) = common::engine_with(store);
    let engine = engine.with_vision(Some(vision));
    let mut cfg = Config::load_with(None, |_| None).expect("config");
    cfg.zalo_app_id = Some("app".into());
    cfg.zalo_app_secret = Some(Secret::new("app-secret"));
    cfg.zalo_oa_secret_key = Some(Secret::new("oa-secret"));
    cfg.zalo_access_token = Some(Secret::new("access-0"));
    cfg.zalo_refresh_token = Some(Secret::new("refresh-0"));
    cfg.zalo_api_url = api.clone();
    cfg.zalo_oauth_url = api.clone();
    cfg.data_dir = data.path().to_path_buf();
    let served = common::spawn_serve(cfg, engine).await;
    let mut painter = Painter::default();
    let text = "Con đang cấp cứu ở bệnh viện, mẹ chuyển gấp 20 triệu vào số tài khoản 0123456789 của bác sĩ để mổ ngay, đừng gọi cho bố kẻo bố lo.";
    let shot = Shot {
        theme: "sms".into(),
        font: "dejavu".into(),
        size: 32.0,
        width: 900,
        format: "jpeg".into(),
        quality: 70,
        degrees: 0.8,
    };
    fake.media.lock().expect("lock").insert("anh1.jpg".into(), painter.screenshot(text, &shot));
    let ts = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_millis()
        .to_string();
    let event = serde_json::json!({"app_id": "app", "sender": {"id": "z9"}, "recipient": {"id": "oa"},
        "event_name": "user_send_image", "timestamp": ts,
        "message": {"msg_id": "img-9", "text": "",
            "attachments": [{"type": "image", "payload": {"thumbnail": format!("{api}/media/anh1.jpg"), "url": format!("{api}/media/anh1.jpg")}}]}});
    let body = event.to_string();
    let sig = canhgiac::channels::zalo::mac("app", body.as_bytes(), &ts, "oa-secret");
    let status = reqwest::Client::new()
        .post(format!("http://{}/webhooks/zalo", served.addr))
        .header("content-type", "application/json")
        .header("X-ZEvent-Signature", format!("mac={sig}"))
        .body(body)
        .send()
        .await
        .expect("post")
        .status();
    assert_eq!(status, 200);
    let mut reply = String::new();
    for _ in 0..400 {
        if let Some(c) = fake.calls("cs").first() {
            reply = c.body["message"]["text"].as_str().unwrap_or("").to_owned();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(reply.contains("Tôi đọc được trong ảnh") && reply.contains("cấp cứu"), "{reply}");
    assert!(reply.contains("🚨"), "{reply}");
    served.shutdown(15).await;
}

#[test]
fn the_command_line_and_the_console_check_an_image() {
    use canhgiac::vision::vietqr;
    if vision().is_none() {
        return;
    }
    let dir = tempfile::tempdir().expect("dir");
    let mut painter = Painter::default();
    let pay = modules(&vietqr::build("970422", "0886123456", Some(1_200_000), Some("PHI NHAN THUONG")));
    let poster = painter.poster(
        "CHÚC MỪNG QUÝ KHÁCH TRÚNG THƯỞNG",
        "Quý khách đã trúng 50 triệu đồng. Để nhận thưởng, vui lòng quét mã QR thanh toán phí hồ sơ trước 17h hôm nay.",
        &[pay],
    );
    let file = dir.path().join("poster.png");
    std::fs::write(&file, &poster).expect("write");
    let out = common::cli(dir.path()).args(["check", "--json", "--image"]).arg(&file).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["check"]["verdict"], "scam", "{v}");
    assert!(v["image"]["text"].as_str().expect("text").contains("TRÚNG THƯỞNG"), "{v}");
    assert_eq!(v["image"]["qr"][0]["kind"], "payment");
    assert_eq!(v["image"]["qr"][0]["value"]["bank"], "MB Bank");
    let out = common::cli(dir.path()).args(["check", "--image"]).arg(&file).output().expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Tôi đọc được trong ảnh") && text.contains("tài khoản 0886123456 tại MB Bank"),
        "{text}"
    );
    // Not an image: a clear refusal and exit 1.
    let junk = dir.path().join("junk.png");
    std::fs::write(&junk, b"hello").expect("write");
    let out = common::cli(dir.path()).args(["check", "--image"]).arg(&junk).output().expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("không mở được tệp này như một ảnh"));
    // The console: `/anh FILE`.
    let mut child = common::cli(dir.path())
        .arg("chat")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("chat");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        writeln!(stdin, "/anh {}", file.display()).expect("write");
        writeln!(stdin, "/thoat").expect("write");
    }
    let out = child.wait_with_output().expect("wait");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Tôi đọc được trong ảnh") && text.contains("🚨"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_images_is_refused_early_not_queued_in_memory() {
    let Some(vision) = vision_with(VisionSettings { workers: 1, queue: 2, ..VisionSettings::default() })
    else {
        return;
    };
    let mut painter = Painter::default();
    let shot = Shot {
        theme: "light".into(),
        font: "sans".into(),
        size: 30.0,
        width: 900,
        format: "png".into(),
        quality: 0,
        degrees: 0.0,
    };
    let img = painter.screenshot("Chiều nay họp giao ban lúc 15h.", &shot);
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (v, b) = (vision.clone(), img.clone());
            tokio::spawn(async move { v.read(b).await })
        })
        .collect();
    let mut busy = 0;
    for t in tasks {
        if t.await.expect("task") == Seen::Problem(canhgiac::vision::ImageProblem::Busy) {
            busy += 1;
        }
    }
    assert_eq!(busy, 5, "one reading, two waiting, the rest refused");
}

fn image_reply(engine: &canhgiac::bot::Engine, seen: Seen, caption: &str) -> String {
    use canhgiac::bot::{Channel, ChatKind, ChatRef, Incoming, IncomingKind, UserRef};
    let inc = Incoming {
        user: UserRef { channel: Channel::Telegram, id: "77".into() },
        chat: ChatRef { id: "77".into(), kind: ChatKind::Private },
        kind: IncomingKind::Image { seen, caption: caption.into() },
        addressed: true,
    };
    engine.handle(&inc).expect("handle").iter().map(|r| r.body.to_plain()).collect::<Vec<_>>().join("\n")
}

#[test]
fn the_engine_says_what_it_read_asks_for_the_text_when_unsure_and_explains_each_refusal() {
    use canhgiac::vision::{ImageProblem, ImageRead};
    let store = Arc::new(canhgiac::store::Store::in_memory().expect("store"));
    let (engine, _dir) = common::engine_with(store);
    let read = |text: &str, confidence: u8| {
        Seen::Read(ImageRead { text: text.into(), confidence, codes: Vec::new(), ocr: true })
    };
    let sure = image_reply(
        &engine,
        read("Mã OTP của bạn là 123456, hãy đọc cho nhân viên ngân hàng để nhận quà tri ân", 92),
        "",
    );
    assert!(sure.starts_with("📷 Tôi đọc được trong ảnh: “Mã OTP"), "{sure}");
    assert!(!sure.contains("Ảnh hơi mờ"), "{sure}");
    let unsure = image_reply(&engine, read("Tài kh0an cua ban bi kh0a", 41), "");
    assert!(unsure.contains("Ảnh hơi mờ") && unsure.contains("dán phần chữ"), "{unsure}");
    assert!(image_reply(&engine, read("", 0), "").contains("không thấy chữ hay mã QR"));
    for (p, words) in [
        (ImageProblem::TooLarge, "quá lớn"),
        (ImageProblem::TooManyPixels, "kích thước quá lớn"),
        (ImageProblem::NotAnImage, "JPG hoặc PNG"),
        (ImageProblem::Corrupt, "bị lỗi"),
        (ImageProblem::OcrMissing, "chưa đọc được chữ"),
        (ImageProblem::TimedOut, "khó đọc"),
        (ImageProblem::Busy, "sau ít phút"),
        (ImageProblem::Download, "chưa tải được"),
    ] {
        let r = image_reply(&engine, Seen::Problem(p), "");
        assert!(
            r.contains(words) && r.contains("dán phần chữ")
                || p == ImageProblem::NotAnImage && r.contains(words),
            "{p:?}: {r}"
        );
    }
    // The caption of an unreadable image is still checked.
    let r = image_reply(
        &engine,
        Seen::Problem(ImageProblem::Corrupt),
        "Gửi mã OTP cho tôi để nhận thưởng https://nhanqua-vcb.top",
    );
    assert!(r.contains("bị lỗi") && r.contains("🚨"), "{r}");
}

#[test]
fn photos_held_crooked_and_compressed_hard_are_straightened_and_still_read() {
    let Some(vision) = vision() else { return };
    let mut painter = Painter::default();
    let set = dev_set();
    // Before straightening, 5° read at 0.30 and 8° at 0.18 on this sample.
    for (deg, quality, size) in [(5.0f32, 40u8, 24.0f32), (-8.0, 60, 30.0)] {
        let mut acc = Vec::new();
        for (_, shot, text) in set.iter().take(8) {
            let s = Shot { degrees: deg, quality, format: "jpeg".into(), size, ..shot.clone() };
            let Seen::Read(r) = vision.read_now(&painter.screenshot(text, &s)) else { panic!("not read") };
            acc.push(char_accuracy(&format!("Tin nhắn {text}"), &r.text));
        }
        let mean = acc.iter().sum::<f64>() / acc.len() as f64;
        eprintln!("rotated {deg}°, JPEG {quality}: mean character accuracy {mean:.3}");
        assert!(mean >= 0.9, "{deg}°: {mean:.3}");
    }
}
