//! Answer accuracy on the dev questions (written independently of the content): top-1
//! accuracy, including questions the handbook cannot answer (expected: no answer).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may fail loudly

use crate::common;

use canhgiac::search::Outcome;

#[test]
fn dev_set_top1_accuracy_is_at_least_90_percent() {
    let (searcher, _dir) = common::searcher();
    let questions = common::dev_questions();
    assert!(questions.len() >= 120, "dev set too small: {}", questions.len());
    let mut correct = 0;
    let mut answerable = (0, 0);
    let mut unanswerable = (0, 0);
    let mut failures = Vec::new();
    for (expected, q) in &questions {
        let got = match searcher.ask(q).expect("ask") {
            Outcome::Answer(a) => a.id,
            Outcome::NoMatch { .. } => "none".to_owned(),
        };
        let ok = &got == expected;
        correct += usize::from(ok);
        let bucket = if expected == "none" { &mut unanswerable } else { &mut answerable };
        bucket.0 += usize::from(ok);
        bucket.1 += 1;
        if !ok {
            failures.push(format!("  expected {expected:<26} got {got:<26} {q}"));
        }
    }
    let accuracy = correct as f64 / questions.len() as f64;
    println!(
        "dev set: top-1 accuracy {:.1}% ({correct}/{}); answerable {}/{}; no-answer {}/{}",
        accuracy * 100.0,
        questions.len(),
        answerable.0,
        answerable.1,
        unanswerable.0,
        unanswerable.1
    );
    for f in &failures {
        println!("{f}");
    }
    assert!(accuracy >= 0.90, "top-1 accuracy {:.1}% is below 90%", accuracy * 100.0);
}

/// Prints the confidence features of every dev question (for fitting `Tuning`).
#[test]
#[ignore = "diagnostic: run with --ignored --nocapture"]
fn dev_set_features() {
    let (searcher, _dir) = common::searcher();
    for (expected, q) in common::dev_questions() {
        if let Some((id, raw, u, b)) = searcher.explain(&q).expect("explain") {
            let mark = if id == expected {
                "OK "
            } else if expected == "none" {
                "NEG"
            } else {
                "BAD"
            };
            println!("FEAT\t{mark}\t{raw:.2}\t{u:.2}\t{b:.2}\t{expected}\t{id}\t{q}");
        }
    }
}

#[test]
#[ignore = "diagnostic"]
fn debug_terms() {
    let (searcher, _dir) = common::searcher();
    let q = std::env::var("Q").unwrap_or_default();
    let id = std::env::var("ID").unwrap_or_default();
    println!("TERMS {:?}", searcher.debug_terms(&q, &id));
    println!("RANK {:?}", searcher.rank(&q, 5).expect("rank"));
}

/// Ranking-only top-1 accuracy on answerable questions for a grid of boosts (diagnostic).
#[test]
#[ignore = "diagnostic"]
fn boost_grid() {
    use canhgiac::search::{Searcher, Tuning};
    let content = common::content();
    let dir = tempfile::tempdir().expect("tempdir");
    let questions: Vec<_> = common::dev_questions().into_iter().filter(|(id, _)| id != "none").collect();
    for title in [1.0f32, 2.0, 3.0] {
        for kw in [1.0f32, 2.0, 3.0] {
            for body in [0.5f32, 1.0, 1.5] {
                for extra in [0.2f32, 0.5, 1.0] {
                    let index = canhgiac::search::open_or_build(&content, dir.path()).expect("index");
                    let t = Tuning {
                        exact: [title * 1.5, kw * 1.5, body * 1.2],
                        folded: [title, kw, body, extra],
                        bigram: [title * 1.5, kw * 1.5, body * 1.5, extra * 1.5],
                        ..Tuning::default()
                    };
                    let s = Searcher::with_tuning(content.clone(), index, t).expect("searcher");
                    let ok = questions
                        .iter()
                        .filter(|(id, q)| s.rank(q, 1).expect("rank").first().is_some_and(|(g, _)| g == id))
                        .count();
                    println!("GRID {title} {kw} {body} {extra} {ok}/{}", questions.len());
                }
            }
        }
    }
}

/// The precomputed BM25 impacts rank exactly as tantivy's own query path: the same entries in
/// the same order with the same scores (to float rounding; a swap is allowed only between
/// entries tantivy itself scores equal), for every dev question and every scenario message.
#[test]
fn impacts_rank_as_tantivy_does() {
    let (searcher, _dir) = common::searcher();
    let mut texts: Vec<(String, bool)> =
        common::dev_questions().into_iter().map(|(_, q)| (q, false)).collect();
    for file in ["legit.tsv", "scams_a.tsv", "scams_b.tsv", "scams_new.tsv"] {
        let text = std::fs::read_to_string(common::root().join("tests/data/scenarios").join(file))
            .expect("scenarios");
        for line in text.lines().skip(1) {
            if let Some(message) = line.rsplit('\t').next() {
                texts.push((message.replace("\\n", "\n"), true));
                texts.push((message.replace("\\n", "\n"), false));
            }
        }
    }
    assert!(texts.len() > 400, "{} texts", texts.len());
    let mut ranked = 0;
    for (text, message) in &texts {
        let ours =
            if *message { searcher.rank_message(text, 10) } else { searcher.rank(text, 10) }.expect("rank");
        let theirs = searcher.rank_through_tantivy(text, *message, 10).expect("tantivy");
        assert_eq!(ours.len(), theirs.len(), "{text}\nours {ours:?}\ntantivy {theirs:?}");
        for (i, ((id, score), (tid, tscore))) in ours.iter().zip(&theirs).enumerate() {
            let close = |a: f32, b: f32| (a - b).abs() <= 1e-4 * a.abs().max(b.abs()).max(1.0);
            assert!(close(*score, *tscore), "{text}: position {i}: {score} against {tscore}");
            if id != tid {
                let tied = theirs.iter().any(|(t, s)| t == id && close(*s, *tscore));
                assert!(tied, "{text}: position {i}: {id} against {tid}\nours {ours:?}\ntantivy {theirs:?}");
            }
        }
        ranked += usize::from(!ours.is_empty());
    }
    println!("impacts = tantivy on {} texts ({ranked} with results)", texts.len());
    assert!(ranked * 2 > texts.len(), "most texts rank something: {ranked}");
}
