//! Helpers shared by the black-box tests: the real content, an index in a temporary directory.

#![allow(dead_code)]

use std::{path::PathBuf, sync::Arc};

use canhgiac::{content, search};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn content() -> Arc<content::Content> {
    Arc::new(content::load(&root().join("content")).unwrap_or_else(|e| panic!("{e}")))
}

/// A searcher over the real content with its index built in a fresh temporary directory.
pub fn searcher() -> (search::Searcher, tempfile::TempDir) {
    let content = content();
    let dir = tempfile::tempdir().expect("tempdir");
    let index = search::open_or_build(&content, dir.path()).expect("index");
    (search::Searcher::new(content, index).expect("searcher"), dir)
}

/// The dev questions: (expected id or "none", question).
pub fn dev_questions() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(root().join("tests/data/dev_questions.tsv")).expect("dev set");
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (id, q) = l.split_once('\t').expect("id<TAB>question");
            (id.to_owned(), q.to_owned())
        })
        .collect()
}
