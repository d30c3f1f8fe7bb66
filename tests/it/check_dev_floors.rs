//! The scam checker on the real dev data (`../shared/datasets`, read in place, never copied):
//! prints the figures and asserts the floors. The same figures are measured on held-back data.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may fail loudly

use crate::common;

use canhgiac::check::{
    Blocklist, Checker,
    eval::{
        IE403, PTH1993_HAM, evaluate, evaluate_links, evaluate_urls, format_links, format_report, load_dev,
    },
};

#[test]
fn dev_data_floors_hold() {
    let Some(datasets) = common::datasets() else { return };
    let content = common::content();
    let checker = Checker::new(content, Blocklist::new(), None).expect("checker");
    let samples = load_dev(&datasets).expect("datasets");
    let e = evaluate(&checker, &samples);
    let u = evaluate_urls(&checker, &datasets).expect("url lists");
    println!("{}", format_report(&e, Some(&u)));

    let ie = e.by_source.get(IE403).expect("ie403");
    let ham = e.by_source.get(PTH1993_HAM).expect("pth1993 ham");
    // The model's thresholds are chosen for unseen templates (`eval --cv`), not for this set:
    // the handbook's floors add recall here at some precision on carrier promotions.
    assert!(ie.recall() >= 0.90, "scam recall {:.3} < 0.90", ie.recall());
    assert!(ie.f1() >= 0.86, "F1 {:.3} < 0.86", ie.f1());
    assert!(e.total.f1() >= 0.85, "F1 over all sources {:.3} < 0.85", e.total.f1());
    assert!(ie.false_scam() <= 0.02, "legitimate judged scam {:.2}% > 2%", ie.false_scam() * 100.0);
    assert!(
        e.total.false_scam() <= 0.02,
        "legitimate judged scam (all) {:.2}% > 2%",
        e.total.false_scam() * 100.0
    );
    assert!(ham.false_scam() <= 0.01, "pth1993 ham judged scam {:.2}% > 1%", ham.false_scam() * 100.0);
    // URL analysis alone: whitelisted sites must rarely look dangerous.
    let (flagged, total) = u.whitelist_flagged;
    assert!(
        (u.whitelist_high as f64) / (total as f64) < 0.05,
        "whitelisted judged high risk: {}/{total}",
        u.whitelist_high
    );
    assert!(flagged < total / 10, "whitelisted flagged: {flagged}/{total}");
}

#[test]
fn hosts_pasted_alone_get_a_link_verdict() {
    let Some(datasets) = common::datasets() else { return };
    let content = common::content();
    let checker = Checker::new(content, Blocklist::new(), None).expect("checker");
    let e = evaluate_links(&checker, &datasets, 1).expect("lists");
    print!("{}", format_links(&e));
    let rate = |a: usize, b: usize| a as f64 / b.max(1) as f64;
    assert!(rate(e.black.0, e.black.2) >= 0.50, "blacklisted hosts flagged {}/{}", e.black.0, e.black.2);
    assert!(rate(e.white.0, e.white.2) <= 0.05, "whitelisted hosts flagged {}/{}", e.white.0, e.white.2);
}
