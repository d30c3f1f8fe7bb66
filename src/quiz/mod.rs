//! Quiz logic, pure: choosing the questions of a personal quiz (missed ones come back first)
//! or of a group quiz (spread over forms, no repeats) and rendering a question with lettered
//! options.

pub mod group;

use crate::{
    content::{Content, QuizQuestion},
    rich::{Rich, Span},
};

/// Questions in a personal quiz.
pub const QUIZ_LEN: usize = 10;
/// At most this many previously missed questions come back in one quiz.
pub const MAX_REPEATS: usize = 5;
/// Option letters.
pub const LETTERS: [&str; 4] = ["A", "B", "C", "D"];

/// A small deterministic random generator (SplitMix64), enough for shuffling questions.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    #[must_use]
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Shuffles a slice in place (Fisher–Yates).
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next_u64() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

/// Chooses the questions of a personal quiz: up to [`MAX_REPEATS`] missed questions first,
/// then new ones spread over different forms.
#[must_use]
pub fn select(content: &Content, missed: &[String], rng: &mut Rng) -> Vec<String> {
    let mut repeats: Vec<String> =
        missed.iter().filter(|id| content.question(id).is_some()).cloned().collect();
    rng.shuffle(&mut repeats);
    repeats.truncate(MAX_REPEATS);
    let pool: Vec<&QuizQuestion> = content.quiz.iter().filter(|q| !repeats.contains(&q.id)).collect();
    spread(repeats, pool, QUIZ_LEN, rng)
}

/// Fills `chosen` up to `len` questions from a shuffled `pool`, one question per form first,
/// then any; no question twice.
#[must_use]
pub fn spread(
    mut chosen: Vec<String>,
    mut pool: Vec<&QuizQuestion>,
    len: usize,
    rng: &mut Rng,
) -> Vec<String> {
    rng.shuffle(&mut pool);
    let mut forms: Vec<&str> = Vec::new();
    // First pass: one question per form; second pass fills up if needed.
    for pass in 0..2 {
        for q in &pool {
            if chosen.len() >= len {
                break;
            }
            if chosen.contains(&q.id) || (pass == 0 && forms.contains(&q.form.as_str())) {
                continue;
            }
            forms.push(&q.form);
            chosen.push(q.id.clone());
        }
    }
    chosen
}

/// The question text with lettered options.
#[must_use]
pub fn render(q: &QuizQuestion, number: usize, total: usize) -> String {
    let mut s = format!("Câu {number}/{total}: {}\n", q.question.trim());
    for (i, o) in q.options.iter().enumerate() {
        s.push_str(&format!("\n{}. {}", LETTERS.get(i).unwrap_or(&"?"), o.text.trim()));
    }
    s
}

/// What a user sees after answering: right or wrong, the right answer, the explanation.
#[must_use]
pub fn feedback(q: &QuizQuestion, correct: bool) -> Rich {
    if correct {
        return Rich::new().spans(vec![
            Span::Bold("✅ Chính xác!".into()),
            Span::Text(format!(" {}", q.explanation.trim())),
        ]);
    }
    let right = q.correct_index();
    let letter = LETTERS.get(right).unwrap_or(&"?");
    Rich::new()
        .spans(vec![
            Span::Bold("❌ Chưa đúng.".into()),
            Span::Text(format!(" Đáp án đúng: {letter}. {}", q.options[right].text.trim())),
        ])
        .para(q.explanation.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shuffle_is_a_permutation_and_deterministic() {
        let mut a: Vec<u32> = (0..20).collect();
        let mut b = a.clone();
        Rng::new(7).shuffle(&mut a);
        Rng::new(7).shuffle(&mut b);
        assert_eq!(a, b);
        let mut sorted = a.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..20).collect::<Vec<_>>());
    }
}
