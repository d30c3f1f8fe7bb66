//! Group quizzes, pure: reading a trainer's `/quiznhom [số câu] [chủ đề] [độ khó] [giây]`
//! (topic matched against form, group and topic names, accents optional) and choosing the
//! questions (topic and difficulty filters, spread over forms, no repeats).

use crate::{
    content::{Content, Difficulty, Entry},
    text::{fold, normalize_text},
};

use super::{Rng, spread};

/// Questions in a group quiz unless the trainer says otherwise.
pub const DEFAULT_LEN: usize = 10;
/// At most this many questions in one group quiz.
pub const MAX_LEN: usize = 20;
/// Seconds a poll stays open unless the trainer says otherwise.
pub const DEFAULT_SECONDS: u16 = 30;
/// Telegram's limits for a poll's open period.
pub const SECONDS_RANGE: (u16, u16) = (5, 600);

/// A topic the trainer asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicMatch {
    /// As shown to users (a title, or the words typed when several entries matched).
    pub label: String,
    /// The forms (or topics) whose questions are used.
    pub forms: Vec<String>,
}

/// What a trainer asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupSpec {
    /// Number of questions (1..=[`MAX_LEN`]).
    pub len: usize,
    /// Topic (None: all).
    pub topic: Option<TopicMatch>,
    /// Difficulty (None: all).
    pub difficulty: Option<Difficulty>,
    /// Seconds per poll.
    pub seconds: u16,
}

/// Why a request cannot be served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpecError {
    /// No form, group or topic matches these words.
    UnknownTopic(String),
}

/// The stored name of a difficulty.
#[must_use]
pub fn difficulty_name(d: Difficulty) -> &'static str {
    match d {
        Difficulty::Easy => "easy",
        Difficulty::Medium => "medium",
        Difficulty::Hard => "hard",
    }
}

/// The Vietnamese label of a stored difficulty name.
#[must_use]
pub fn difficulty_label(name: &str) -> &'static str {
    match name {
        "easy" => "dễ",
        "medium" => "trung bình",
        "hard" => "khó",
        _ => "mọi mức",
    }
}

fn folded(s: &str) -> String {
    let f = fold(&normalize_text(s));
    f.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

fn seconds_word(w: &str) -> Option<u16> {
    let digits = w.trim_end_matches(|c: char| c.is_alphabetic());
    let unit = &w[digits.len()..];
    (!digits.is_empty() && matches!(unit, "s" | "g" | "giay")).then(|| digits.parse().ok()).flatten()
}

/// Reads `[số câu] [chủ đề] [độ khó] [giây]` in any order: a number is the count (capped at
/// [`MAX_LEN`]), `30s` / `30 giây` the seconds per poll, `dễ` / `trung bình` / `khó` the
/// difficulty, anything else the topic.
pub fn parse_spec(content: &Content, arg: &str) -> Result<GroupSpec, SpecError> {
    let mut spec = GroupSpec { len: DEFAULT_LEN, topic: None, difficulty: None, seconds: DEFAULT_SECONDS };
    let words: Vec<String> = folded(arg).split(' ').filter(|w| !w.is_empty()).map(str::to_owned).collect();
    let mut rest: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = words[i].as_str();
        let next = words.get(i + 1).map(String::as_str);
        if let Ok(n) = w.parse::<usize>() {
            if matches!(next, Some("s" | "giay" | "g")) {
                spec.seconds = u16::try_from(n).unwrap_or(u16::MAX);
                i += 1;
            } else {
                spec.len = n.clamp(1, MAX_LEN);
            }
        } else if let Some(s) = seconds_word(w) {
            spec.seconds = s;
        } else if w == "de" {
            spec.difficulty = Some(Difficulty::Easy);
        } else if w == "kho" {
            spec.difficulty = Some(Difficulty::Hard);
        } else if w == "trung" && next == Some("binh") {
            spec.difficulty = Some(Difficulty::Medium);
            i += 1;
        } else if !matches!(w, "cau" | "chu" | "do") {
            rest.push(w);
        }
        i += 1;
    }
    spec.seconds = spec.seconds.clamp(SECONDS_RANGE.0, SECONDS_RANGE.1);
    if !rest.is_empty() {
        let words = rest.join(" ");
        spec.topic = Some(match_topic(content, &words).ok_or(SpecError::UnknownTopic(words))?);
    }
    Ok(spec)
}

/// The entries whose names best match the (folded) words: exact name first, then a name
/// containing the words, then words containing a name. Only entries with quiz questions.
#[must_use]
pub fn match_topic(content: &Content, words: &str) -> Option<TopicMatch> {
    let q = folded(words);
    if q.is_empty() {
        return None;
    }
    let padded = format!(" {q} ");
    let mut best: (u8, Vec<(String, Vec<String>)>) = (0, Vec::new());
    for e in content.entries() {
        let names = |id: &str, title: &str, other: &[&[String]]| -> Vec<String> {
            [id.replace('_', " "), title.to_owned()]
                .into_iter()
                .chain(other.iter().flat_map(|o| o.iter().cloned()))
                .collect()
        };
        let (names, forms): (Vec<String>, Vec<String>) = match e {
            Entry::Form(f) => (names(&f.id, &f.title, &[&f.aliases, &f.keywords]), vec![f.id.clone()]),
            Entry::Group(g) => (
                names(&g.id, &g.title, &[&g.aliases]),
                content.forms.iter().filter(|f| f.groups.contains(&g.id)).map(|f| f.id.clone()).collect(),
            ),
            Entry::Topic(t) => (names(&t.id, &t.title, &[&t.aliases, &t.keywords]), vec![t.id.clone()]),
        };
        if !content.quiz.iter().any(|q| forms.contains(&q.form)) {
            continue;
        }
        let score = names
            .iter()
            .map(|n| folded(n))
            .map(|n| {
                if n == q {
                    3
                } else if format!(" {n} ").contains(&padded) {
                    2
                } else if n.len() >= 3 && padded.contains(&format!(" {n} ")) {
                    1
                } else {
                    0
                }
            })
            .max()
            .unwrap_or(0);
        if score > 0 && score > best.0 {
            best = (score, Vec::new());
        }
        if score > 0 && score == best.0 {
            best.1.push((e.title().to_owned(), forms));
        }
    }
    let found = best.1;
    // Titles as written (the words are folded): one, a few joined, or the first and a count.
    let titles: Vec<&str> = found.iter().map(|(t, _)| t.as_str()).collect();
    let label = match titles.as_slice() {
        [] => words.trim().to_owned(),
        [_, _, _, _, ..] => format!("{} và {} chủ đề khác", titles[0], titles.len() - 1),
        _ => titles.join(", "),
    };
    let mut forms: Vec<String> = found.into_iter().flat_map(|(_, f)| f).collect();
    forms.dedup();
    (!forms.is_empty()).then_some(TopicMatch { label, forms })
}

/// Chooses the questions of a group quiz: filtered by topic and difficulty, spread over forms,
/// each at most once. May return fewer than asked when the bank has fewer.
#[must_use]
pub fn select_group(content: &Content, spec: &GroupSpec, rng: &mut Rng) -> Vec<String> {
    let pool = content
        .quiz
        .iter()
        .filter(|q| spec.topic.as_ref().is_none_or(|t| t.forms.contains(&q.form)))
        .filter(|q| spec.difficulty.is_none_or(|d| q.difficulty == d))
        .collect();
    spread(Vec::new(), pool, spec.len, rng)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content() -> Content {
        crate::content::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content"))
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn count_topic_difficulty_and_seconds_in_any_order() {
        let c = content();
        let s = parse_spec(&c, "khó 45 giây 8 OTP").expect("spec");
        assert_eq!((s.len, s.difficulty, s.seconds), (8, Some(Difficulty::Hard), 45));
        assert!(s.topic.expect("topic").forms.contains(&"telegram_otp_theft".to_owned()));
        let s = parse_spec(&c, "50 trung bình 2s").expect("spec");
        assert_eq!((s.len, s.difficulty, s.seconds, s.topic), (MAX_LEN, Some(Difficulty::Medium), 5, None));
        let s = parse_spec(&c, "deepfake").expect("spec");
        assert_eq!(s.topic.expect("topic").forms, ["deepfake_call"]);
        assert!(matches!(parse_spec(&c, "xyzzy"), Err(SpecError::UnknownTopic(w)) if w == "xyzzy"));
    }

    #[test]
    fn selection_filters_and_never_repeats() {
        let c = content();
        let spec = parse_spec(&c, "20 de").expect("spec");
        let ids = select_group(&c, &spec, &mut Rng::new(3));
        assert_eq!(ids.len(), 20);
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), 20);
        assert!(ids.iter().all(|id| c.quiz.iter().any(|q| &q.id == id && q.difficulty == Difficulty::Easy)));
        let spec = parse_spec(&c, "20 deepfake").expect("spec");
        let ids = select_group(&c, &spec, &mut Rng::new(3));
        assert_eq!(ids.len(), c.quiz_for("deepfake_call").count(), "fewer when the bank has fewer");
    }
}
