//! One group-quiz session's results: the leaderboard and per-question correct rates as chat
//! text, and as CSV for the trainer (names only when asked for).

use crate::{
    quiz::group::difficulty_label,
    rich::{Rich, Span},
    store::{GroupQuiz, QuestionRate, Standing},
};

use super::{PASS_PERCENT, csv_line, percent};
use crate::vntime::date_vi;

/// A session with its leaderboard and per-question rates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionResults {
    /// The session.
    pub session: GroupQuiz,
    /// Best first.
    pub standings: Vec<Standing>,
    /// Per question asked.
    pub rates: Vec<QuestionRate>,
}

impl SessionResults {
    /// A session's results from the store (`None` if there is no such session).
    pub fn load(store: &crate::store::Store, id: i64) -> Result<Option<Self>, crate::store::StoreError> {
        let Some(session) = store.group_quiz(id)? else { return Ok(None) };
        Ok(Some(Self { standings: store.standings(id)?, rates: store.question_rates(id)?, session }))
    }

    /// Participants with at least [`PASS_PERCENT`] of the asked questions right.
    #[must_use]
    pub fn passed(&self) -> usize {
        let asked = self.session.asked();
        self.standings.iter().filter(|b| b.correct * 100 >= PASS_PERCENT * asked).count()
    }

    /// The average share of the asked questions answered right, in whole percent.
    #[must_use]
    pub fn average_percent(&self) -> usize {
        let total: usize = self.standings.iter().map(|b| b.correct).sum();
        percent(total, self.session.asked() * self.standings.len())
    }
}

/// A short title for people: size, topic, difficulty, date (the session number, which
/// `/ketqua` takes, is shown only where it is needed).
#[must_use]
pub fn title(s: &GroupQuiz) -> String {
    let mut t = format!("bài {} câu", s.questions.len());
    if let Some(topic) = &s.topic {
        t.push_str(&format!(", chủ đề {topic}"));
    }
    if let Some(d) = &s.difficulty {
        t.push_str(&format!(", mức {}", difficulty_label(d)));
    }
    t.push_str(&format!(", ngày {}", date_vi(s.started_at)));
    t
}

/// The name a participant showed, or their position when unknown.
#[must_use]
pub fn shown_name(b: &Standing, rank: usize) -> String {
    b.name.clone().unwrap_or_else(|| format!("Người tham gia {rank}"))
}

/// The leaderboard: the first `lines` participants, the average and the pass rate.
#[must_use]
pub fn leaderboard(r: &SessionResults, lines: usize) -> Rich {
    let asked = r.session.asked();
    let mut body = Rich::new().heading(format!("🏆 Bảng xếp hạng: {}", title(&r.session))).para(format!(
        "{} câu đã hỏi, {} người tham gia.",
        asked,
        r.standings.len()
    ));
    if r.standings.is_empty() {
        return body.para("Chưa có ai trả lời.");
    }
    let medal = |i: usize| match i {
        0 => "🥇 ",
        1 => "🥈 ",
        2 => "🥉 ",
        _ => "",
    };
    body = body.numbered(
        r.standings
            .iter()
            .take(lines)
            .enumerate()
            .map(|(i, b)| {
                vec![
                    Span::Text(medal(i).to_owned()),
                    Span::Bold(shown_name(b, i + 1)),
                    Span::Text(format!(": {}/{asked} câu đúng", b.correct)),
                ]
            })
            .collect(),
    );
    if r.standings.len() > lines {
        body = body.para(format!("… và {} người khác.", r.standings.len() - lines));
    }
    body.para(format!(
        "Điểm trung bình: {}% số câu đúng. Đạt (từ {PASS_PERCENT}% số câu đúng): {}/{} người.",
        r.average_percent(),
        r.passed(),
        r.standings.len()
    ))
}

/// Per-question correct rates, with the question text from `question(index)`.
#[must_use]
pub fn rates(r: &SessionResults, question: impl Fn(usize) -> Option<String>) -> Rich {
    if r.rates.is_empty() {
        return Rich::new();
    }
    Rich::new().heading("Tỷ lệ trả lời đúng từng câu").bullets(r.rates.iter().map(|q| {
        let text: String = question(q.question).unwrap_or_default().chars().take(80).collect();
        format!(
            "Câu {}: {}/{} đúng ({}%). {}",
            q.question + 1,
            q.correct,
            q.answered,
            percent(q.correct, q.answered),
            text.trim()
        )
    }))
}

/// The results as CSV (`section,position,name_or_question,correct,answered,questions,percent`):
/// one row per participant (names only `with_names`), then one per question (its id from
/// `question_id(index)`).
#[must_use]
pub fn csv(r: &SessionResults, with_names: bool, question_id: impl Fn(usize) -> Option<String>) -> String {
    let asked = r.session.asked();
    let mut out =
        csv_line(&["section", "position", "name_or_question", "correct", "answered", "questions", "percent"]);
    for (i, b) in r.standings.iter().enumerate() {
        let name = if with_names { shown_name(b, i + 1) } else { String::new() };
        out.push_str(&csv_line(&[
            "participant",
            &(i + 1).to_string(),
            &name,
            &b.correct.to_string(),
            &b.answered.to_string(),
            &asked.to_string(),
            &percent(b.correct, asked).to_string(),
        ]));
    }
    for q in &r.rates {
        out.push_str(&csv_line(&[
            "question",
            &(q.question + 1).to_string(),
            &question_id(q.question).unwrap_or_default(),
            &q.correct.to_string(),
            &q.answered.to_string(),
            "",
            &percent(q.correct, q.answered).to_string(),
        ]));
    }
    out
}
