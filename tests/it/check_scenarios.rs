//! The checker on the project's scenario sets (`tests/data/scenarios`: scams written per form
//! and for the 2025–2026 patterns from the handbook, legitimate messages staff receive), and on
//! the examples that broke trust: prints the figures and asserts the floors.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may fail loudly

use crate::common;

use canhgiac::check::{
    Kind, Verdict,
    eval::{evaluate_scenarios, format_scenarios, load_scenarios},
};

#[test]
fn scenario_floors_hold() {
    let (checker, _dir) = common::checker();
    let scenarios = load_scenarios(&common::root().join("tests/data/scenarios")).expect("scenarios");
    let e = evaluate_scenarios(&checker, &scenarios, false);
    println!("{}", format_scenarios(&e));
    assert!(e.scams >= 380 && e.legit >= 240, "sets too small: {} scams, {} legitimate", e.scams, e.legit);
    assert!(e.scam_rate() >= 0.80, "scams judged scam {:.1}% < 80%", e.scam_rate() * 100.0);
    assert!(e.safe_rate() <= 0.05, "scams judged safe {:.1}% > 5%", e.safe_rate() * 100.0);
    assert!(
        e.legit_flagged_rate() <= 0.075,
        "legitimate flagged {:.1}% > 7.5%",
        e.legit_flagged_rate() * 100.0
    );
    assert!(e.top3_rate() >= 0.80, "right form in the top 3 {:.1}% < 80%", e.top3_rate() * 100.0);
}

#[test]
fn the_examples_that_broke_trust_get_a_careful_verdict() {
    let (c, _dir) = common::checker();
    for text in [
        "Chị ơi em là nhân viên ngân hàng Vietcombank, thẻ tín dụng của chị được nâng hạn mức, chị đọc giúp em mã OTP vừa gửi để em kích hoạt nhé",
        "cung cấp mã otp",
        "Cô giáo chủ nhiệm báo con anh bị ngã ở trường, đang cấp cứu, cần chuyển ngay 20 triệu để phẫu thuật vào tài khoản bác sĩ 0123456789",
        "Anh đang họp không nghe máy được, em chuyển giúp anh 30 triệu vào tài khoản này cho đối tác nhé: 190366778899 Techcombank",
        "abbankvn.com",
    ] {
        let r = c.check(text);
        assert_eq!(r.verdict, Verdict::Scam, "{text}: {:?}", r.signals);
        assert!(r.signals.iter().any(|s| s.floor), "a floor explains it: {text}");
        assert!(
            r.signals.iter().all(|s| s.id != "text_similarity" || s.evidence.is_empty()),
            "no model fragments"
        );
    }
    let r = c.check("abbankvn.com");
    assert_eq!(r.kind, Kind::Link);
    let r = c.check("0912345678 có phải lừa đảo không");
    assert_eq!((r.kind, r.verdict), (Kind::Number, Verdict::Unverified));
    assert!(r.advice.iter().any(|a| a.contains("156")), "{:?}", r.advice);
    let r = c.check("STK 0123456789012 Vietcombank");
    assert_eq!((r.kind, r.verdict), (Kind::Account, Verdict::Unverified));
    let r = c.check("https://thuvien.example.com/sach");
    assert!(r.verdict >= Verdict::Unverified, "an unknown link is never safe");
    if r.verdict == Verdict::Unverified {
        assert!(r.advice.iter().any(|a| a.contains("tinnhiemmang.vn")), "{:?}", r.advice);
    }
    let r = c.check("https://www.vietcombank.com.vn");
    assert_eq!(r.verdict, Verdict::Safe);
    // Ordinary money talk between people who know each other stays quiet.
    for text in [
        "tiền ăn hôm qua mỗi người 150k, ck cho mình vào stk 0123456789 MB nhé",
        "Mẹ ơi con chuyển khoản tiền học cho em rồi nhé",
        "Mã OTP của Quý khách là 482913. Tuyệt đối không cung cấp mã này cho bất kỳ ai.",
    ] {
        assert!(c.check(text).verdict < Verdict::Suspicious, "{text}");
    }
    // The advice follows the tactic: the fake-police script is told police do not work by phone.
    let r = c.check("Tôi là cán bộ điều tra công an, số CCCD của anh liên quan đường dây rửa tiền, anh phải chuyển toàn bộ số dư vào tài khoản tạm giữ, không được nói với ai");
    assert_eq!(r.verdict, Verdict::Scam);
    assert!(r.advice.iter().any(|a| a.contains("không qua điện thoại")), "{:?}", r.advice);
    assert!(
        !r.advice.iter().any(|a| a.contains("tự liên hệ tổ chức được nhắc đến")),
        "never 'call them back'"
    );
}
