//! What is a typed text: a message someone received (check it), a question about scams (answer
//! it), small talk (a short friendly reply with the menu), or unclear (ask with two buttons)?
//!
//! The checker's own reading comes first: a bare link, number or account, or a text in which
//! it finds scam tactics, is a message. Then the vocabulary of `content/routing.yaml` decides,
//! matched as whole folded words.

use crate::{
    check::{Kind, Report, Verdict},
    content::Content,
    text::Analyzer,
};

/// Where a typed text goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// A received message, link, number or account: check it.
    Check,
    /// A question about scams: answer it from the handbook.
    Ask,
    /// Greetings, thanks, off-topic questions: a short reply with the menu.
    SmallTalk,
    /// Could be either: ask the user with two buttons.
    Unsure,
}

impl Route {
    /// The name used in the routing data set.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Check => "check",
            Self::Ask => "ask",
            Self::SmallTalk => "smalltalk",
            Self::Unsure => "unsure",
        }
    }
}

/// Folded phrases matched as whole words in a text.
#[derive(Debug, Clone, Default)]
struct Phrases(Vec<String>);

impl Phrases {
    fn new(analyzer: &Analyzer, list: &[String]) -> Self {
        Self(
            list.iter()
                .map(|p| format!(" {} ", folded(analyzer, p)))
                .filter(|p| !p.trim().is_empty())
                .collect(),
        )
    }

    fn any(&self, spaced: &str) -> bool {
        self.0.iter().any(|p| spaced.contains(p.as_str()))
    }

    fn count(&self, spaced: &str) -> usize {
        self.0.iter().filter(|p| spaced.contains(p.as_str())).count()
    }
}

fn folded(analyzer: &Analyzer, text: &str) -> String {
    analyzer.analyze(text).into_iter().map(|t| t.folded).collect::<Vec<_>>().join(" ")
}

/// The router over the content's vocabulary.
#[derive(Debug, Clone)]
pub struct Router {
    analyzer: Analyzer,
    check_requests: Phrases,
    questions: Phrases,
    messages: Phrases,
    smalltalk: Phrases,
    topic: Phrases,
    question_topics: Phrases,
    endings: std::collections::HashSet<String>,
}

/// Longest question, in words, still read as a question rather than a pasted message.
const QUESTION_WORDS: usize = 40;

impl Router {
    /// A router over `content/routing.yaml`.
    #[must_use]
    pub fn new(content: &Content) -> Self {
        let analyzer = Analyzer::new(content.lexicon.clone());
        let r = &content.routing;
        Self {
            check_requests: Phrases::new(&analyzer, &r.check_requests),
            questions: Phrases::new(&analyzer, &r.question_markers),
            messages: Phrases::new(&analyzer, &r.message_markers),
            smalltalk: Phrases::new(&analyzer, &r.smalltalk),
            topic: Phrases::new(&analyzer, &r.topic_words),
            question_topics: Phrases::new(&analyzer, &r.question_topics),
            endings: r.question_endings.iter().map(|w| folded(&analyzer, w)).collect(),
            analyzer,
        }
    }

    /// Whether a question is about something else than scams and data protection.
    #[must_use]
    pub fn off_topic(&self, text: &str) -> bool {
        let spaced = format!(" {} ", folded(&self.analyzer, text));
        !self.topic.any(&spaced)
    }

    /// Routes a text, given the checker's report on it.
    #[must_use]
    pub fn route(&self, text: &str, report: &Report) -> Route {
        if report.kind != Kind::Message {
            return Route::Check;
        }
        let words = folded(&self.analyzer, text);
        let spaced = format!(" {words} ");
        let n = words.split(' ').filter(|w| !w.is_empty()).count();
        let e = &report.entities;
        // A code (an OTP, a dial code) or a quoted message is something received.
        let quoted = text.split(['"', '“', '”']).nth(1).is_some_and(|q| q.split_whitespace().count() >= 5);
        let entity = !e.urls.is_empty() || !e.accounts.is_empty() || !e.codes.is_empty() || quoted;
        let last = words.rsplit(' ').next().unwrap_or("");
        let question =
            text.trim_end().ends_with('?') || self.questions.any(&spaced) || self.endings.contains(last);
        let tactics =
            report.features.iter().filter(|f| f.starts_with("ask_") || f.starts_with("pretext_")).count();
        let topic = self.topic.any(&spaced);
        // "tinnhiemmang.vn là gì": a question about an official site is still a question.
        let official_only = !e.urls.is_empty()
            && e.accounts.is_empty()
            && report.urls.iter().all(|u| u.risk == crate::check::Risk::Official);
        if question && official_only && n <= 8 {
            return Route::Ask;
        }
        if entity || self.check_requests.any(&spaced) {
            return Route::Check;
        }
        // "Nếu đã lỡ chuyển tiền cho kẻ lừa đảo thì…": someone asking about a scam, unless they
        // pasted the message with it.
        let pasted = self.messages.count(&spaced) >= 2;
        if question && !entity && !pasted && n <= QUESTION_WORDS && self.question_topics.any(&spaced) {
            return Route::Ask;
        }
        // A long text whose tactics the checker flags, ending in "bạn có muốn...?", is a
        // received message; a short one is someone describing what happened to them.
        let flagged = report.verdict >= Verdict::Suspicious || tactics >= 2;
        if self.smalltalk.any(&spaced) && n <= 6 && !flagged {
            return Route::SmallTalk;
        }
        if question && n <= QUESTION_WORDS && self.messages.count(&spaced) < 2 && !(flagged && n >= 20) {
            return if topic { Route::Ask } else { Route::SmallTalk };
        }
        if flagged || self.messages.any(&spaced) {
            return Route::Check;
        }
        if topic && n <= 12 {
            return Route::Ask;
        }
        if n >= 15 || !e.phones.is_empty() {
            return Route::Check;
        }
        if !topic && tactics == 0 {
            return Route::SmallTalk;
        }
        Route::Unsure
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::check::{Blocklist, Checker};

    #[test]
    fn messages_questions_and_small_talk_are_told_apart() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
        let content = Arc::new(crate::content::load(&dir).expect("content"));
        let checker = Checker::new(content.clone(), Blocklist::new(), None).expect("checker");
        let router = Router::new(&content);
        for (text, want) in [
            ("Tai khoan cua ban bi khoa, truy cap https://abc.top de mo", Route::Check),
            ("Quý khách vui lòng thanh toán hóa đơn tiền điện trong hôm nay", Route::Check),
            ("abbankvn.com", Route::Check),
            ("0912345678 có phải lừa đảo không", Route::Check),
            ("bị gọi điện dọa khóa sim phải làm sao", Route::Ask),
            ("lua dao viec nhe luong cao", Route::Ask),
            ("deepfake là gì?", Route::Ask),
            ("năm không", Route::Ask),
            ("chào bot", Route::SmallTalk),
            ("cảm ơn nhé", Route::SmallTalk),
            ("trưa nay ăn gì", Route::SmallTalk),
            ("giá vàng hôm nay bao nhiêu", Route::SmallTalk),
        ] {
            assert_eq!(router.route(text, &checker.check(text)), want, "{text}");
        }
    }
}
