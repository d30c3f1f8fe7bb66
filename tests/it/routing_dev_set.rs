//! Routing in chat on the dev set (`tests/data/scenarios/routing.tsv`, written from what staff
//! type): pasted messages, links and numbers are checked, questions answered, small talk gets
//! the short reply. Prints the confusion and asserts the floor.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may fail loudly

use crate::common;

use std::collections::BTreeMap;

use canhgiac::{
    bot::Router,
    check::{Blocklist, Checker},
};

#[test]
fn routing_dev_set_is_routed_as_a_person_expects() {
    let content = common::content();
    let checker = Checker::new(content.clone(), Blocklist::new(), None).expect("checker");
    let router = Router::new(&content);
    let text = std::fs::read_to_string(common::root().join("tests/data/scenarios/routing.tsv"))
        .expect("routing set");
    let mut confusion: BTreeMap<(String, &'static str), usize> = BTreeMap::new();
    let (mut right, mut total) = (0usize, 0usize);
    for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let (expect, t) = line.split_once('\t').expect("expect<TAB>text");
        let t = t.replace("\\n", "\n");
        let got = router.route(&t, &checker.check(&t)).as_str();
        *confusion.entry((expect.to_owned(), got)).or_default() += 1;
        total += 1;
        if got == expect {
            right += 1;
        } else {
            println!("{expect} -> {got} | {}", t.chars().take(120).collect::<String>().replace('\n', " "));
        }
    }
    let accuracy = right as f64 / total as f64;
    println!("routing: {right}/{total} = {:.1}%", accuracy * 100.0);
    for ((e, g), n) in &confusion {
        println!("  expected {e:<9} routed {g:<9} {n}");
    }
    assert!(total >= 200, "routing set too small: {total}");
    assert!(accuracy >= 0.95, "routing accuracy {:.1}% < 95%", accuracy * 100.0);
}
