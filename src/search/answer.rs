//! Answers: what `ask` returns, and how a handbook entry is rendered as rich text.

use crate::{
    content::{Content, Entry},
    rich::{Rich, Span},
};

/// A candidate entry other than the answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Alternative {
    /// Content id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Score on the same scale as the answer's confidence.
    pub score: f32,
}

/// A confident answer.
#[derive(Debug, Clone)]
pub struct Answer {
    /// Content id.
    pub id: String,
    /// Title.
    pub title: String,
    /// The entry rendered: summary, signs, advice (or the topic's points).
    pub body: Rich,
    /// Confidence in 0..1.
    pub score: f32,
    /// Up to three other entries that also match.
    pub alternatives: Vec<Alternative>,
}

/// The result of asking.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// The handbook answers the question.
    Answer(Answer),
    /// Nothing matches well enough; weak candidates, if any.
    NoMatch {
        /// Low-confidence candidates, best first.
        candidates: Vec<Alternative>,
    },
}

/// Renders a handbook entry: a form's summary, signs and advice; a topic's points; a group's forms.
#[must_use]
pub fn render_entry(content: &Content, entry: Entry<'_>) -> Rich {
    match entry {
        Entry::Form(f) => {
            let mut r = Rich::new()
                .para(f.summary.trim())
                .heading("Dấu hiệu nhận biết")
                .bullets(f.signs.iter().map(|s| s.trim().to_owned()))
                .heading("Cách phòng tránh")
                .bullets(f.advice.iter().map(|s| s.trim().to_owned()));
            let related: Vec<&str> =
                f.related.iter().filter_map(|id| content.form(id)).map(|r| r.title.as_str()).collect();
            if !related.is_empty() {
                r = r.spans(vec![Span::Bold("Liên quan: ".into()), Span::Text(related.join("; "))]);
            }
            r
        }
        Entry::Topic(t) => {
            let items: Vec<Vec<Span>> = t
                .items
                .iter()
                .map(|i| {
                    vec![Span::Bold(i.title.trim().to_owned()), Span::Text(format!(": {}", i.text.trim()))]
                })
                .collect();
            let r = Rich::new().para(t.summary.trim());
            if matches!(t.id.as_str(), "five_donts" | "after_scammed") {
                r.numbered(items)
            } else if t.id == "overview" {
                r.heading("24 hình thức lừa đảo")
                    .numbered(t.items.iter().map(|i| vec![Span::Text(i.title.trim().to_owned())]).collect())
            } else {
                r.bullet_spans(items)
            }
        }
        Entry::Group(g) => Rich::new()
            .para(g.summary.trim())
            .heading("Các hình thức trong nhóm")
            .bullets(g.forms.iter().filter_map(|id| content.form(id)).map(|f| f.title.clone())),
    }
}

/// The honest reply when nothing matches: what the bot can answer, with example questions.
#[must_use]
pub fn no_match_text(content: &Content, candidates: &[Alternative]) -> Rich {
    let mut r = Rich::new().para(
        "Xin lỗi, cẩm nang chưa có nội dung khớp với câu hỏi của anh/chị. \
         Anh/chị thử hỏi lại ngắn gọn hơn, nêu rõ tình huống gặp phải.",
    );
    if !candidates.is_empty() {
        r = r.heading("Có thể anh/chị quan tâm").bullets(candidates.iter().map(|c| c.title.clone()));
    }
    let topics: Vec<String> = content.topics.iter().map(|t| t.title.clone()).collect();
    r.heading("Anh/chị có thể hỏi về")
        .bullets(topics)
        .para("Ví dụ: \"bị gọi điện dọa khóa sim phải làm sao\", \"việc nhẹ lương cao có phải lừa đảo không\", \"năm không là gì\".")
}
