//! The personal-quiz and counter repository, and the unit of work that runs several of its
//! steps (or any store step written on a [`Unit`]) as one transaction.

use rusqlite::{Connection, OptionalExtension, params};

use super::{QuizState, StoreError, UserKey, now};

/// Store steps on one connection or transaction: what [`super::Store::unit_of_work`] hands
/// to its closure (and what the store's own one-step methods use).
#[derive(Debug)]
pub struct Unit<'a> {
    pub(super) c: &'a Connection,
}

impl Unit<'_> {
    /// The quiz in progress.
    pub fn quiz(&self, k: &UserKey) -> Result<Option<QuizState>, StoreError> {
        // The quiz statements run on every answer: they are kept prepared.
        let json: Option<String> = self
            .c
            .prepare_cached("SELECT state FROM quiz_sessions WHERE channel = ?1 AND user_id = ?2")?
            .query_row(params![k.channel, k.id], |r| r.get(0))
            .optional()?;
        Ok(json.map(|j| serde_json::from_str(&j)).transpose()?)
    }

    /// Saves (or with `None`, ends) the quiz in progress.
    pub fn save_quiz(&self, k: &UserKey, state: Option<&QuizState>) -> Result<(), StoreError> {
        let c = self.c;
        match state {
            Some(s) => c
                .prepare_cached(
                    "INSERT INTO quiz_sessions (channel, user_id, state, updated_at) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (channel, user_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
                )?
                .execute(params![k.channel, k.id, serde_json::to_string(s)?, now()])?,
            None => c
                .prepare_cached("DELETE FROM quiz_sessions WHERE channel = ?1 AND user_id = ?2")?
                .execute(params![k.channel, k.id])?,
        };
        Ok(())
    }

    /// Remembers a missed question (or forgets it once answered right).
    pub fn set_missed(&self, k: &UserKey, question: &str, missed: bool) -> Result<(), StoreError> {
        let sql = if missed {
            "INSERT OR IGNORE INTO quiz_missed (channel, user_id, question_id) VALUES (?1, ?2, ?3)"
        } else {
            "DELETE FROM quiz_missed WHERE channel = ?1 AND user_id = ?2 AND question_id = ?3"
        };
        self.c.prepare_cached(sql)?.execute(params![k.channel, k.id, question])?;
        Ok(())
    }

    /// Questions the user got wrong and has not yet answered right.
    pub fn missed(&self, k: &UserKey) -> Result<Vec<String>, StoreError> {
        let c = self.c;
        let mut st = c.prepare(
            "SELECT question_id FROM quiz_missed WHERE channel = ?1 AND user_id = ?2 ORDER BY question_id",
        )?;
        let rows = st.query_map(params![k.channel, k.id], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Records a finished quiz, and its score in the anonymous counters (`quiz_score`, key
    /// `score/total`) the report reads.
    pub fn record_quiz(&self, k: &UserKey, score: usize, total: usize) -> Result<(), StoreError> {
        self.c.execute(
            "INSERT INTO quiz_results (channel, user_id, score, total, finished_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![k.channel, k.id, score, total, now()],
        )?;
        self.count("quiz_score", &format!("{score}/{total}"))
    }

    /// Adds one to an aggregate counter for today (Vietnamese date), e.g. kind `verdict`, key
    /// `scam`; kind `form`, key a form id.
    pub fn count(&self, kind: &str, key: &str) -> Result<(), StoreError> {
        self.count_on(&crate::vntime::iso_date(now()), kind, key, 1)
    }

    /// Adds `n` to an aggregate counter of a given day (`YYYY-MM-DD`).
    pub fn count_on(&self, day: &str, kind: &str, key: &str, n: i64) -> Result<(), StoreError> {
        self.c
            .prepare_cached(
                "INSERT INTO stats (day, kind, key, count) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (day, kind, key) DO UPDATE SET count = count + excluded.count",
            )?
            .execute(params![day, kind, key, n])?;
        Ok(())
    }

    /// Counts an answered quiz question (and a wrong one) for the "most missed" figures:
    /// aggregate, no user.
    pub fn count_answer(&self, question: &str, correct: bool) -> Result<(), StoreError> {
        self.count("quiz_answered", question)?;
        if !correct {
            self.count("quiz_wrong", question)?;
        }
        Ok(())
    }
}
