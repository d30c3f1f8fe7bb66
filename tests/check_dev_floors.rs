//! The scam checker on the real dev data (`../shared/datasets`, read in place, never copied):
//! prints the figures and asserts the floors. The same figures are measured on held-back data.

mod common;

use canhgiac::check::{
    Blocklist, Checker,
    eval::{IE403, PTH1993_HAM, evaluate, evaluate_urls, format_report, load_dev},
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
    assert!(ie.recall() >= 0.90, "scam recall {:.3} < 0.90", ie.recall());
    assert!(ie.f1() >= 0.88, "F1 {:.3} < 0.88", ie.f1());
    assert!(e.total.f1() >= 0.88, "F1 over all sources {:.3} < 0.88", e.total.f1());
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
