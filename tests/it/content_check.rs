//! Content validation: the shipped content passes, and each kind of defect is reported with
//! the file, the entry id and the field.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may fail loudly

use crate::common;

use std::{fs, path::Path};

use canhgiac::content;

/// Copies the real content into a temp dir so a test can break it.
fn copy_content() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(&common::root().join("content"), dir.path());
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for e in fs::read_dir(from).expect("read_dir") {
        let e = e.expect("entry");
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            fs::copy(e.path(), &target).expect("copy");
        }
    }
}

fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join(file);
    let text = fs::read_to_string(&path).expect("read");
    assert!(text.contains(from), "{file} does not contain {from:?}");
    fs::write(&path, text.replacen(from, to, 1)).expect("write");
}

/// Loads and returns the error report as text (panics if the content is valid).
fn errors(dir: &Path) -> String {
    match content::load(dir) {
        Ok(_) => panic!("content unexpectedly valid"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn shipped_content_is_valid_and_complete() {
    let c = common::content();
    assert_eq!(c.forms.len(), 24);
    assert_eq!(c.groups.len(), 3);
    assert_eq!(c.topics.len(), 4);
    assert!(c.tips.len() >= 52, "tips: {}", c.tips.len());
    assert!(c.quiz.len() >= 150, "quiz: {}", c.quiz.len());
    for (i, id) in content::FORM_IDS.iter().enumerate() {
        let f = c.form(id).unwrap_or_else(|| panic!("form {id} missing"));
        assert_eq!(usize::from(f.number), i + 1);
        assert!(f.signs.len() >= 4 && f.advice.len() >= 4 && f.examples.len() >= 2, "{id}");
        assert!(c.quiz_for(id).count() >= 4, "{id} has too few quiz questions");
    }
    for t in &c.tips {
        assert!(t.text.chars().count() <= 400, "{}", t.id);
    }
    let five = c.entry("five_donts").expect("five_donts");
    assert!(!five.title().is_empty());
    let report = c.topics.iter().find(|t| t.id == "report_channels").expect("report_channels");
    let all: String = report.items.iter().map(|i| format!("{} {}", i.title, i.text)).collect();
    for needle in ["canhbao.khonggianmang.gov.vn", "156", "5656", "113", "VNeID"] {
        assert!(all.contains(needle), "report_channels lacks {needle}");
    }
}

#[test]
fn unknown_form_id_names_file_entry_and_field() {
    let dir = copy_content();
    edit(dir.path(), "forms/02_deepfake_call.yaml", "id: deepfake_call", "id: deepfake_calls");
    let e = errors(dir.path());
    assert!(e.contains("02_deepfake_call.yaml: entry `deepfake_calls`, field `id`: unknown form id"), "{e}");
    assert!(e.contains("entry `deepfake_call`, field `-`: form is missing"), "{e}");
}

#[test]
fn duplicate_id_is_reported() {
    let dir = copy_content();
    edit(dir.path(), "tips.yaml", "id: tip_002", "id: tip_001");
    let e = errors(dir.path());
    assert!(e.contains("tips.yaml: entry `tip_001`, field `id`: duplicate id"), "{e}");
}

#[test]
fn missing_and_unknown_fields_are_named() {
    let dir = copy_content();
    edit(dir.path(), "forms/05_fake_emergency_relative.yaml", "title:", "titel:");
    let e = errors(dir.path());
    assert!(
        e.contains("05_fake_emergency_relative.yaml: entry `fake_emergency_relative`, field `titel`"),
        "{e}"
    );
}

#[test]
fn empty_field_and_too_long_text_are_reported() {
    let dir = copy_content();
    let path = dir.path().join("tips.yaml");
    let mut text = fs::read_to_string(&path).expect("read");
    text.push_str(&format!("\n- id: tip_long\n  ref: deepfake_call\n  text: \"{}\"\n", "a".repeat(401)));
    text.push_str("\n- id: tip_empty\n  ref: deepfake_call\n  text: \"\"\n");
    text.push_str("\n- id: tip_badref\n  ref: nothing_like_this\n  text: \"ok\"\n");
    fs::write(&path, text).expect("write");
    let e = errors(dir.path());
    assert!(e.contains("entry `tip_long`, field `text`: text too long: 401 characters, at most 400"), "{e}");
    assert!(e.contains("entry `tip_empty`, field `text`: is empty"), "{e}");
    assert!(e.contains("entry `tip_badref`, field `ref`: unknown id `nothing_like_this`"), "{e}");
}

#[test]
fn quiz_with_no_or_two_correct_options_is_reported() {
    let dir = copy_content();
    let path = dir.path().join("quiz/zz_test.yaml");
    fs::write(
        &path,
        "- id: q_none\n  form: deepfake_call\n  difficulty: easy\n  question: \"Câu hỏi?\"\n  options:\n    - text: A\n    - text: B\n    - text: C\n  explanation: \"Vì vậy.\"\n\
         - id: q_two\n  form: deepfake_call\n  difficulty: hard\n  question: \"Câu hỏi?\"\n  options:\n    - text: A\n      correct: true\n    - text: B\n      correct: true\n    - text: C\n  explanation: \"Vì vậy.\"\n",
    )
    .expect("write");
    let e = errors(dir.path());
    assert!(
        e.contains(
            "zz_test.yaml: entry `q_none`, field `options`: needs exactly one correct option, found 0"
        ),
        "{e}"
    );
    assert!(
        e.contains("zz_test.yaml: entry `q_two`, field `options`: needs exactly one correct option, found 2"),
        "{e}"
    );
}

#[test]
fn form_with_too_few_quiz_questions_is_reported() {
    let dir = copy_content();
    // Re-point every deepfake question but one at another form.
    for file in ["quiz/part1.yaml", "quiz/part2.yaml"] {
        let path = dir.path().join(file);
        let text = fs::read_to_string(&path).expect("read");
        let mut seen = 0;
        let out: Vec<String> = text
            .lines()
            .map(|l| {
                if l.trim() == "form: deepfake_call" || l.trim() == "form: \"deepfake_call\"" {
                    seen += 1;
                    if seen > 1 {
                        return l.replace("deepfake_call", "cheap_travel_combo");
                    }
                }
                l.to_owned()
            })
            .collect();
        fs::write(&path, out.join("\n")).expect("write");
    }
    let e = errors(dir.path());
    assert!(
        e.contains("entry `deepfake_call`, field `form`: form has 1 quiz questions, needs at least 4"),
        "{e}"
    );
}

#[test]
fn malformed_yaml_names_the_file() {
    let dir = copy_content();
    fs::write(dir.path().join("groups.yaml"), "- id: [unclosed\n").expect("write");
    let e = errors(dir.path());
    assert!(e.contains("groups.yaml: invalid YAML"), "{e}");
}

#[test]
fn wrong_type_names_the_field_path() {
    let dir = copy_content();
    edit(dir.path(), "forms/01_cheap_travel_combo.yaml", "number: 1", "number: một");
    let e = errors(dir.path());
    assert!(e.contains("01_cheap_travel_combo.yaml: entry `cheap_travel_combo`, field `number`"), "{e}");
}

#[test]
fn the_quiz_bank_gives_nothing_away_by_length_and_knows_this_years_scams() {
    let content = common::content();
    let questions: Vec<_> = content.quiz.iter().collect();
    let longest_right = questions
        .iter()
        .filter(|q| {
            let right = q.correct_index();
            let len = |i: usize| q.options[i].text.trim().chars().count();
            (0..q.options.len()).all(|i| i == right || len(i) < len(right))
        })
        .count();
    let share = longest_right as f64 / questions.len() as f64;
    println!(
        "quiz bank: {} questions, the right option is the longest in {longest_right} ({:.1}%)",
        questions.len(),
        share * 100.0
    );
    // Four options: a quarter by chance; the bank stays near chance.
    assert!(share <= 0.30, "the longest option is right too often: {:.1}%", share * 100.0);
    assert!(questions.len() >= 194, "{}", questions.len());
    assert!(content.tips.len() >= 74, "{}", content.tips.len());
    // The 2025–2026 patterns are in the tips and the quiz.
    let text: String = content
        .tips
        .iter()
        .map(|t| t.text.to_lowercase())
        .chain(questions.iter().map(|q| q.question.to_lowercase()))
        .collect();
    for pattern in ["vneid", "sáp nhập", "apk", "phạt nguội", "mã qr", "ảnh chụp màn hình"] {
        assert!(text.contains(pattern), "no tip or question about {pattern}");
    }
}
