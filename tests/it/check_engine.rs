//! The scam checker without network: hand-written messages of each kind (never dataset text).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may fail loudly

use crate::common;

use canhgiac::check::{Risk, Verdict};

fn verdict(text: &str) -> Verdict {
    let (c, _dir) = common::checker();
    c.check(text).verdict
}

#[test]
fn done_when_phishing_example_is_scam_with_the_right_reasons() {
    let (c, _dir) = common::checker();
    let r = c.check(
        "Tai khoan cua quy khach bi khoa, vui long truy cap https://vietcombank-xacthuc.top de mo khoa",
    );
    assert_eq!(r.verdict, Verdict::Scam);
    let ids: Vec<&str> = r.signals.iter().map(|s| s.id.as_str()).collect();
    for id in ["url_lookalike", "url_risky_tld", "threat", "ask_login"] {
        assert!(ids.contains(&id), "missing {id} in {ids:?}");
    }
    assert_eq!(r.urls.len(), 1);
    assert_eq!(r.urls[0].domain, "vietcombank-xacthuc.top");
    assert_eq!(r.urls[0].risk, Risk::High);
    assert!(r.urls[0].reasons.iter().any(|x| x.contains("Vietcombank")));
    let types: Vec<&str> = r.types.iter().map(|(id, _)| id.as_str()).collect();
    assert!(
        types.contains(&"sms_brandname_spoofing") || types.contains(&"fake_official_website"),
        "{types:?}"
    );
    assert!(r.advice.iter().any(|a| a.contains("5656") || a.contains("canhbao.khonggianmang.gov.vn")));
}

#[test]
fn legitimate_messages_stay_safe() {
    let (c, _dir) = common::checker();
    for text in [
        // genuine bank OTP, which itself says not to share the code
        "Ma OTP cua Quy khach la 482913, co hieu luc trong 3 phut. Tuyet doi KHONG cung cap ma nay cho bat ky ai, ke ca nhan vien ngan hang.",
        "123456 là mã xác thực giao dịch của bạn. Không chia sẻ mã này với bất kỳ ai.",
        // balance-change notice
        "TK 1903xxxx5678 +2,500,000VND luc 09:12 21/11. So du 7,340,000VND. ND: LUONG THANG 11",
        // carrier promotion with its official syntax
        "Quy khach duoc tang 20% gia tri the nap hom nay. Chi tiet LH 198 (0d). Tu choi QC soan TC gui 199.",
        // delivery notice that asks for no payment
        "Don hang 8823411 cua Quy khach dang duoc giao, vui long de y dien thoai. Ma van don GHN8823411.",
        // ordinary chat
        "Chiều nay anh họp ở phòng 302 nhé, nhớ mang báo cáo quý 3.",
        "Mẹ ơi tối nay con về muộn, mẹ cứ ăn cơm trước nhé",
    ] {
        let r = c.check(text);
        assert_eq!(r.verdict, Verdict::Safe, "{text}: {:?}", r.signals);
        assert!(r.signals.is_empty(), "a safe verdict lists no alarming signals");
    }
}

#[test]
fn scams_of_several_kinds_are_flagged() {
    let (c, _dir) = common::checker();
    for text in [
        "Tôi là cán bộ điều tra Công an TP, số CCCD của anh liên quan đường dây rửa tiền. Anh phải chuyển toàn bộ số dư vào tài khoản tạm giữ để xác minh, không được nói với ai.",
        "Tuyen CTV online lam tai nha, chi can dien thoai, 300-500k/ngay, nhan hoa hong 15% moi don. Ket ban Zalo 0912345678 de nhan nhiem vu.",
        "EVN thong bao: Quy khach con no tien dien, he thong se ngung cap dien trong hom nay. Lien he nhan vien qua Zalo 0987654321 de thanh toan.",
        "Chuc mung ban trung thuong xe SH, nop phi 2tr vao STK 0123456789 de nhan giai",
        "Vay tien nhanh 50 trieu, no xau van vay duoc, chi can CCCD. Nop phi ho so 500k truoc khi giai ngan",
    ] {
        let r = c.check(text);
        assert_ne!(r.verdict, Verdict::Safe, "{text}: score {}", r.score);
        assert!(!r.signals.is_empty(), "a flagged message explains itself: {text}");
    }
}

#[test]
fn bad_input_never_panics() {
    let (c, _dir) = common::checker();
    let empty = c.check("");
    assert_eq!(empty.verdict, Verdict::Safe);
    assert!(empty.advice[0].contains("trống"), "{:?}", empty.advice);
    let big = "Tài khoản của bạn bị khóa. ".repeat(45_000); // > 1 MB
    let r = c.check(&big);
    assert!(r.advice.iter().any(|a| a.contains("chỉ")), "a truncation note");
    let garbage: String = (0u32..5000).filter_map(|i| char::from_u32((i * 7919) % 0x2FFFF)).collect();
    let _ = c.check(&garbage);
    let _ = c.check("\u{0}\u{1}\u{7f}\u{feff}http://\u{0}.top");
    let _ = c.check("hxxp://[.]/ . com ... https:// xn--.com 1.2.3.4:99999/a.apk");
}

#[test]
fn verdicts_are_ordered_by_score() {
    assert_eq!(verdict("Chào anh, mai họp lúc 9h nhé"), Verdict::Safe);
}
