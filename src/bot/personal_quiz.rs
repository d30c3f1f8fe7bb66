//! The personal quiz: ten questions, missed ones asked again next time, progress in the store.

use super::{
    action::{Action, MenuItem},
    engine::{Engine, EngineError, say, seed},
    texts,
    types::{Button, Reply},
};
use crate::{
    content::QuizQuestion,
    quiz::{self, LETTERS, QUIZ_LEN, Rng},
    rich::{Rich, Span},
    store::{QuizState, UserKey},
};

impl Engine {
    pub(super) fn start_quiz(&self, key: &UserKey) -> Result<Vec<Reply>, EngineError> {
        let missed = self.store.missed(key)?;
        let questions = quiz::select(&self.content, &missed, &mut Rng::new(seed()));
        let state = QuizState { questions, index: 0, score: 0, missed: Vec::new() };
        self.store.save_quiz(key, Some(&state))?;
        let intro = if missed.is_empty() {
            format!("Bắt đầu bài trắc nghiệm {QUIZ_LEN} câu. Chọn đáp án bằng các nút bên dưới.")
        } else {
            format!("Bắt đầu bài trắc nghiệm {QUIZ_LEN} câu, có cả những câu anh/chị từng trả lời chưa đúng.")
        };
        Ok(vec![Reply::text(Rich::new().para(intro)), self.question(&state)])
    }

    fn question(&self, state: &QuizState) -> Reply {
        let Some(q) = state.questions.get(state.index).and_then(|id| self.content.question(id)) else {
            return Reply::text(Rich::new().para(texts::NO_QUIZ));
        };
        let row: Vec<Button> = (0..q.options.len())
            .map(|i| {
                Button::new(
                    LETTERS.get(i).unwrap_or(&"?"),
                    Action::QuizAnswer { index: state.index, option: i },
                )
            })
            .collect();
        Reply::with_buttons(
            Rich::new().para(quiz::render(q, state.index + 1, state.questions.len())),
            vec![row],
        )
    }

    /// An answer button: scored, the missed list and the progress saved, and the result
    /// recorded at the end, all in one transaction (a double tap counts once).
    pub(super) fn answer_quiz(
        &self,
        key: &UserKey,
        index: usize,
        option: usize,
    ) -> Result<Vec<Reply>, EngineError> {
        enum Step<'c> {
            NoQuiz,
            Stale,
            Answered { q: &'c QuizQuestion, correct: bool, state: QuizState },
        }
        let step = self.store.unit_of_work(|u| {
            let Some(mut state) = u.quiz(key)? else { return Ok(Step::NoQuiz) };
            if index != state.index {
                return Ok(Step::Stale);
            }
            let Some(q) = state.questions.get(index).and_then(|id| self.content.question(id)) else {
                u.save_quiz(key, None)?;
                return Ok(Step::NoQuiz);
            };
            let correct = option == q.correct_index();
            u.set_missed(key, &q.id, !correct)?;
            if correct {
                state.score += 1;
            } else {
                state.missed.push(index);
            }
            u.count_answer(&q.id, correct)?;
            state.index += 1;
            if state.index < state.questions.len() {
                u.save_quiz(key, Some(&state))?;
            } else {
                u.save_quiz(key, None)?;
                u.record_quiz(key, state.score, state.questions.len())?;
            }
            Ok(Step::Answered { q, correct, state })
        })?;
        let (q, correct, state) = match step {
            Step::NoQuiz => return Ok(say(texts::NO_QUIZ)),
            Step::Stale => return Ok(say(texts::STALE_QUIZ)),
            Step::Answered { q, correct, state } => (q, correct, state),
        };
        let feedback = quiz::feedback(q, correct);
        let mut out = vec![Reply::text(feedback)];
        if state.index < state.questions.len() {
            out.push(self.question(&state));
        } else {
            let total = state.questions.len();
            let verdict = match state.score * 10 / total.max(1) {
                9..=10 => "Xuất sắc! Anh/chị nhận diện lừa đảo rất tốt.",
                7..=8 => "Khá tốt! Xem lại vài câu chưa đúng nhé.",
                _ => "Anh/chị nên ôn thêm: các câu chưa đúng sẽ được hỏi lại ở lần sau.",
            };
            if let Some(review) = self.review(&state) {
                out.push(review);
            }
            out.push(Reply::with_buttons(
                Rich::new()
                    .spans(vec![Span::Bold(format!("Kết quả: {}/{total} câu đúng.", state.score))])
                    .para(verdict),
                vec![vec![
                    Button::new("🔁 Làm bài mới", Action::Menu(MenuItem::Quiz)),
                    Button::new("🏠 Menu", Action::Menu(MenuItem::Menu)),
                ]],
            ));
        }
        Ok(out)
    }

    /// The questions answered wrong in this quiz, each with its right answer and why, so the
    /// user learns from them before the score (`None` when all were right).
    fn review(&self, state: &QuizState) -> Option<Reply> {
        let items: Vec<String> = state
            .missed
            .iter()
            .filter_map(|&i| {
                let q = self.content.question(state.questions.get(i)?)?;
                let right = q.options.get(q.correct_index())?;
                let letter = LETTERS.get(q.correct_index()).unwrap_or(&"?");
                Some(format!(
                    "Câu {}: {} Đáp án đúng: {letter}. {}. {}",
                    i + 1,
                    q.question.trim(),
                    right.text.trim().trim_end_matches('.'),
                    q.explanation.trim()
                ))
            })
            .collect();
        (!items.is_empty())
            .then(|| Reply::text(Rich::new().heading("Xem lại các câu chưa đúng").bullets(items)))
    }
}
