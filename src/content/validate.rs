//! Content rules: ids, required fields, lengths, counts and cross-references.

use std::{
    collections::{HashMap, HashSet},
    path::{Path, PathBuf},
};

use super::{
    DONT_IDS, FORM_IDS, GROUP_IDS, TOPIC_IDS,
    error::ContentError,
    model::{Brands, Form, Group, HostWeights, QuizQuestion, Routing, Signals, Tip, Topic, Weights},
};
use crate::text::LexiconSpec;

/// Limits, in characters.
pub const MAX_SUMMARY: usize = 700;
/// Longest sign or piece of advice.
pub const MAX_POINT: usize = 300;
/// Longest example message.
pub const MAX_EXAMPLE: usize = 500;
/// Longest topic item text.
pub const MAX_ITEM: usize = 500;
/// Longest weekly tip.
pub const MAX_TIP: usize = 400;
/// Longest quiz question (Telegram quiz poll limit).
pub const MAX_QUESTION: usize = 300;
/// Longest quiz option (Telegram quiz poll limit).
pub const MAX_OPTION: usize = 100;
/// Longest quiz explanation (Telegram quiz poll limit).
pub const MAX_EXPLANATION: usize = 200;
/// Minimum number of weekly tips (one a week for a year).
pub const MIN_TIPS: usize = 52;
/// Minimum size of the quiz bank.
pub const MIN_QUIZ: usize = 150;
/// Minimum quiz questions per form.
pub const MIN_QUIZ_PER_FORM: usize = 4;

/// A parsed entry and the file it came from.
#[derive(Debug)]
pub struct Located<T> {
    pub file: PathBuf,
    pub value: T,
}

/// Everything parsed, before validation.
#[derive(Debug, Default)]
pub struct Parsed {
    pub forms: Vec<Located<Form>>,
    pub groups: Vec<Located<Group>>,
    pub topics: Vec<Located<Topic>>,
    pub tips: Vec<Located<Tip>>,
    pub quiz: Vec<Located<QuizQuestion>>,
    pub lexicon: Option<Located<LexiconSpec>>,
    pub brands: Option<Located<Brands>>,
    pub signals: Option<Located<Signals>>,
    /// `routing.yaml`.
    pub routing: Option<Located<Routing>>,
    /// `host_weights.yaml`.
    pub host_weights: Option<Located<HostWeights>>,
    pub weights: Option<Located<Weights>>,
}

struct Checker<'a> {
    errors: &'a mut Vec<ContentError>,
}

impl Checker<'_> {
    fn err(&mut self, file: &Path, entry: &str, field: &str, message: impl Into<String>) {
        self.errors.push(ContentError::invalid(file, entry, field, message));
    }

    fn text(&mut self, file: &Path, entry: &str, field: &str, value: &str, max: usize) {
        let n = value.chars().count();
        if value.trim().is_empty() {
            self.err(file, entry, field, "is empty");
        } else if n > max {
            self.err(file, entry, field, format!("text too long: {n} characters, at most {max}"));
        }
    }

    fn list(&mut self, file: &Path, entry: &str, field: &str, values: &[String], min: usize, max_len: usize) {
        if values.len() < min {
            self.err(file, entry, field, format!("needs at least {min} items, found {}", values.len()));
        }
        for (i, v) in values.iter().enumerate() {
            self.text(file, entry, &format!("{field}[{i}]"), v, max_len);
        }
    }
}

/// Checks every rule, appending problems to `errors`.
pub fn validate(p: &Parsed, dir: &Path, errors: &mut Vec<ContentError>) {
    let mut c = Checker { errors };
    let form_ids: HashSet<&str> = FORM_IDS.into_iter().collect();
    let group_ids: HashSet<&str> = GROUP_IDS.into_iter().collect();
    let topic_ids: HashSet<&str> = TOPIC_IDS.into_iter().collect();
    let dont_ids: HashSet<&str> = DONT_IDS.into_iter().collect();

    // Global id uniqueness over forms, groups, topics, tips and quiz questions.
    let mut seen: HashMap<String, PathBuf> = HashMap::new();
    let mut unique = |c: &mut Checker<'_>, file: &Path, id: &str| {
        if let Some(first) = seen.get(id) {
            c.err(file, id, "id", format!("duplicate id (first defined in {})", first.display()));
        } else {
            seen.insert(id.to_owned(), file.to_path_buf());
        }
    };

    // Forms.
    for Located { file, value: f } in &p.forms {
        let id = f.id.as_str();
        unique(&mut c, file, id);
        match FORM_IDS.iter().position(|x| *x == id) {
            None => c.err(file, id, "id", "unknown form id (see content/SCHEMA.md for the 24 ids)"),
            Some(i) if usize::from(f.number) != i + 1 => {
                c.err(file, id, "number", format!("form `{id}` is number {} in the handbook", i + 1));
            }
            Some(_) => {}
        }
        c.text(file, id, "title", &f.title, 200);
        if f.groups.is_empty() || f.groups.len() > 2 {
            c.err(file, id, "groups", "needs one or two group ids");
        }
        for (i, g) in f.groups.iter().enumerate() {
            if !group_ids.contains(g.as_str()) {
                c.err(file, id, &format!("groups[{i}]"), format!("unknown group id `{g}`"));
            }
        }
        c.list(file, id, "aliases", &f.aliases, 1, 200);
        c.list(file, id, "keywords", &f.keywords, 3, 100);
        c.text(file, id, "summary", &f.summary, MAX_SUMMARY);
        c.list(file, id, "signs", &f.signs, 4, MAX_POINT);
        c.list(file, id, "advice", &f.advice, 4, MAX_POINT);
        if f.examples.len() < 2 {
            c.err(file, id, "examples", format!("needs at least 2 items, found {}", f.examples.len()));
        }
        for (i, e) in f.examples.iter().enumerate() {
            c.text(file, id, &format!("examples[{i}].text"), &e.text, MAX_EXAMPLE);
        }
        if f.related.is_empty() {
            c.err(file, id, "related", "needs at least 1 related form");
        }
        for (i, r) in f.related.iter().enumerate() {
            if !form_ids.contains(r.as_str()) {
                c.err(file, id, &format!("related[{i}]"), format!("unknown form id `{r}`"));
            } else if r == id {
                c.err(file, id, &format!("related[{i}]"), "a form cannot be related to itself");
            }
        }
    }
    let present: HashSet<&str> = p.forms.iter().map(|l| l.value.id.as_str()).collect();
    for id in FORM_IDS {
        if !present.contains(id) {
            c.err(&dir.join("forms"), id, "-", "form is missing");
        }
    }

    // Groups.
    for Located { file, value: g } in &p.groups {
        let id = g.id.as_str();
        unique(&mut c, file, id);
        if !group_ids.contains(id) {
            c.err(file, id, "id", "unknown group id");
        }
        c.text(file, id, "title", &g.title, 200);
        c.text(file, id, "summary", &g.summary, MAX_SUMMARY);
        for (i, f) in g.forms.iter().enumerate() {
            if !form_ids.contains(f.as_str()) {
                c.err(file, id, &format!("forms[{i}]"), format!("unknown form id `{f}`"));
            }
        }
    }
    if let Some(file) = p.groups.first().map(|l| l.file.clone()) {
        let present: HashSet<&str> = p.groups.iter().map(|l| l.value.id.as_str()).collect();
        for id in GROUP_IDS {
            if !present.contains(id) {
                c.err(&file, id, "-", "group is missing");
            }
        }
    }

    // Topics.
    for Located { file, value: t } in &p.topics {
        let id = t.id.as_str();
        unique(&mut c, file, id);
        if !topic_ids.contains(id) {
            c.err(file, id, "id", "unknown topic id");
        }
        c.text(file, id, "title", &t.title, 200);
        c.text(file, id, "summary", &t.summary, MAX_SUMMARY);
        if t.items.is_empty() {
            c.err(file, id, "items", "needs at least 1 item");
        }
        for (i, item) in t.items.iter().enumerate() {
            c.text(file, id, &format!("items[{i}].title"), &item.title, 200);
            c.text(file, id, &format!("items[{i}].text"), &item.text, MAX_ITEM);
        }
        if id == "five_donts" {
            let ids: Vec<&str> = t.items.iter().map(|i| i.id.as_deref().unwrap_or("")).collect();
            if ids != DONT_IDS {
                c.err(
                    file,
                    id,
                    "items",
                    format!("must be exactly the five don'ts in order: {}", DONT_IDS.join(", ")),
                );
            }
        }
    }
    if let Some(file) = p.topics.first().map(|l| l.file.clone()) {
        let present: HashSet<&str> = p.topics.iter().map(|l| l.value.id.as_str()).collect();
        for id in TOPIC_IDS {
            if !present.contains(id) {
                c.err(&file, id, "-", "topic is missing");
            }
        }
    }

    // Tips.
    for Located { file, value: t } in &p.tips {
        let id = t.id.as_str();
        unique(&mut c, file, id);
        c.text(file, id, "text", &t.text, MAX_TIP);
        let r = t.reference.as_str();
        if !(form_ids.contains(r) || dont_ids.contains(r) || topic_ids.contains(r)) {
            c.err(file, id, "ref", format!("unknown id `{r}`: expected a form, a don't or a topic"));
        }
    }
    if !p.tips.is_empty() && p.tips.len() < MIN_TIPS {
        let file = &p.tips[0].file;
        c.err(file, "-", "-", format!("needs at least {MIN_TIPS} tips, found {}", p.tips.len()));
    }

    // Quiz.
    let mut per_form: HashMap<&str, usize> = HashMap::new();
    for Located { file, value: q } in &p.quiz {
        let id = q.id.as_str();
        unique(&mut c, file, id);
        let f = q.form.as_str();
        if form_ids.contains(f) || topic_ids.contains(f) {
            *per_form.entry(f).or_default() += 1;
        } else {
            c.err(file, id, "form", format!("unknown form id `{f}`"));
        }
        c.text(file, id, "question", &q.question, MAX_QUESTION);
        c.text(file, id, "explanation", &q.explanation, MAX_EXPLANATION);
        if !(3..=4).contains(&q.options.len()) {
            c.err(file, id, "options", format!("needs 3 or 4 options, found {}", q.options.len()));
        }
        let correct = q.options.iter().filter(|o| o.correct).count();
        if correct != 1 {
            c.err(file, id, "options", format!("needs exactly one correct option, found {correct}"));
        }
        let mut texts = HashSet::new();
        for (i, o) in q.options.iter().enumerate() {
            c.text(file, id, &format!("options[{i}].text"), &o.text, MAX_OPTION);
            if !texts.insert(o.text.trim()) {
                c.err(file, id, &format!("options[{i}].text"), "duplicate option");
            }
        }
    }
    let quiz_dir = dir.join("quiz");
    if p.quiz.len() < MIN_QUIZ {
        c.err(
            &quiz_dir,
            "-",
            "-",
            format!("needs at least {MIN_QUIZ} quiz questions, found {}", p.quiz.len()),
        );
    }
    for id in FORM_IDS {
        let n = per_form.get(id).copied().unwrap_or(0);
        if n < MIN_QUIZ_PER_FORM {
            c.err(
                &quiz_dir,
                id,
                "form",
                format!("form has {n} quiz questions, needs at least {MIN_QUIZ_PER_FORM}"),
            );
        }
    }
}

fn is_domain(s: &str) -> bool {
    s.contains('.')
        && !s.starts_with('.')
        && !s.ends_with('.')
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
}

/// Brands: unique ids, lowercase domains, distinctive ASCII keywords.
pub fn validate_brands(b: &Located<Brands>, errors: &mut Vec<ContentError>) {
    let mut c = Checker { errors };
    let file = &b.file;
    let mut ids = HashSet::new();
    for brand in &b.value.brands {
        let id = brand.id.as_str();
        if !ids.insert(id) {
            c.err(file, id, "id", "duplicate id");
        }
        c.text(file, id, "name", &brand.name, 100);
        if brand.domains.is_empty() && brand.keywords.is_empty() {
            c.err(file, id, "domains", "a brand needs domains or keywords");
        }
        for (i, d) in brand.domains.iter().enumerate() {
            if !is_domain(d) {
                c.err(file, id, &format!("domains[{i}]"), format!("`{d}` is not a lowercase domain name"));
            }
        }
        for (i, k) in brand.keywords.iter().enumerate() {
            if k.len() < 3 || !k.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()) {
                c.err(
                    file,
                    id,
                    &format!("keywords[{i}]"),
                    format!("`{k}` must be lowercase ASCII, 3+ characters"),
                );
            }
        }
    }
    for (field, list) in [
        ("official_suffixes", &b.value.official_suffixes),
        ("shorteners", &b.value.shorteners),
        ("user_content", &b.value.user_content),
    ] {
        for (i, d) in list.iter().enumerate() {
            if !is_domain(d) {
                c.err(file, "-", &format!("{field}[{i}]"), format!("`{d}` is not a lowercase domain name"));
            }
        }
    }
    for (i, t) in b.value.risky_tlds.iter().enumerate() {
        if t.is_empty() || !t.chars().all(|c| c.is_ascii_lowercase() || c == '.') {
            c.err(file, "-", &format!("risky_tlds[{i}]"), format!("`{t}` is not a lowercase TLD"));
        }
    }
}

/// Signals: unique ids, labels, at least one non-empty phrase.
pub fn validate_signals(s: &Located<Signals>, errors: &mut Vec<ContentError>) {
    let mut c = Checker { errors };
    let file = &s.file;
    let mut ids = HashSet::new();
    for (kind, list) in [("signals", &s.value.signals), ("safe_cues", &s.value.safe_cues)] {
        if list.is_empty() {
            c.err(file, "-", kind, "needs at least one entry");
        }
        for sig in list {
            let id = sig.id.as_str();
            if !ids.insert(id) {
                c.err(file, id, "id", "duplicate id");
            }
            c.text(file, id, "label", &sig.label, 120);
            let paired = !sig.verbs.is_empty() || !sig.objects.is_empty();
            c.list(file, id, "phrases", &sig.phrases, usize::from(!paired), 80);
            if paired {
                c.list(file, id, "verbs", &sig.verbs, 1, 40);
                c.list(file, id, "objects", &sig.objects, 1, 40);
            }
            if sig.window.is_some_and(|w| w > 8) {
                c.err(file, id, "window", "at most 8 words");
            }
            for (i, a) in sig.advice.iter().enumerate() {
                c.text(file, id, &format!("advice[{i}]"), a, 300);
            }
            if kind == "safe_cues" && (sig.tactic.is_some() || !sig.advice.is_empty()) {
                c.err(file, id, "tactic", "safe cues have no tactic or advice");
            }
            for (field, list) in [("phrases", &sig.phrases), ("verbs", &sig.verbs)] {
                if let Some((i, _)) =
                    list.iter().enumerate().find(|(_, p)| p.trim_start_matches('=').starts_with('#'))
                {
                    c.err(file, id, &format!("{field}[{i}]"), "cannot start with #amount or #time");
                }
            }
            if kind == "safe_cues" && !sig.with.is_empty() {
                c.err(file, id, "with", "safe cues have no `with`");
            }
            if kind == "signals" && !sig.cancels.is_empty() {
                c.err(file, id, "cancels", "only safe cues cancel tactics");
            }
            for (i, f) in sig.forms.iter().enumerate() {
                if !FORM_IDS.contains(&f.as_str()) {
                    c.err(file, id, &format!("forms[{i}]"), format!("unknown form id `{f}`"));
                }
            }
        }
    }
}

/// Weights: thresholds in order and finite; feature names are checked by the checker.
pub fn validate_weights(w: &Located<Weights>, errors: &mut Vec<ContentError>) {
    let mut c = Checker { errors };
    let v = &w.value;
    if !(0.0 < v.suspicious_threshold && v.suspicious_threshold <= v.scam_threshold && v.scam_threshold < 1.0)
    {
        c.err(&w.file, "-", "scam_threshold", "needs 0 < suspicious_threshold <= scam_threshold < 1");
    }
    if !v.bias.is_finite() {
        c.err(&w.file, "-", "bias", "must be a finite number");
    }
    for (k, x) in &v.features {
        if !x.is_finite() {
            c.err(&w.file, k, "features", "weight must be a finite number");
        }
    }
    for (b, x) in &v.text {
        if !x.is_finite() {
            c.err(&w.file, &b.to_string(), "text", "weight must be a finite number");
        }
    }
}
