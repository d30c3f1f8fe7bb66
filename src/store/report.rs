//! Aggregate queries for the implementation report (`canhgiac report`): counts only, per
//! channel, form, verdict or question, over a range of Vietnamese dates (inclusive). Unix
//! times are turned into Vietnamese dates in SQL (UTC+7, no daylight saving).

use rusqlite::params;

use super::{Store, StoreError, SubscriptionCount};

/// Scores of finished quizzes: (correct, questions), one pair per quiz taken, no names.
pub type Scores = Vec<(i64, i64)>;

/// The raw figures of a date range.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportFigures {
    /// Distinct users who wrote to the bot, per channel.
    pub reached: Vec<(String, i64)>,
    /// Subscriptions now, per channel and chat kind.
    pub subscribers_now: Vec<SubscriptionCount>,
    /// Subscriptions made in the range, per channel.
    pub new_subscribers: Vec<(String, i64)>,
    /// Weekly tips delivered in the range, per channel.
    pub tips_delivered: Vec<(String, i64)>,
    /// Alerts queued in the range.
    pub alerts: i64,
    /// Deliveries of those alerts, per channel.
    pub alert_deliveries: Vec<(String, i64)>,
    /// Checked messages per verdict.
    pub verdicts: Vec<(String, i64)>,
    /// Checked messages per closest form.
    pub forms: Vec<(String, i64)>,
    /// Personal quizzes finished: (score, total) each.
    pub personal_scores: Scores,
    /// Group quizzes: (correct, asked) per participant who answered.
    pub group_scores: Scores,
    /// Group-quiz sessions started.
    pub group_sessions: i64,
    /// Per question: (question id, answers, wrong answers), personal and group quizzes.
    pub question_answers: Vec<(String, i64, i64)>,
}

/// SQL: the Vietnamese date of a Unix-time column is within `?1..=?2`.
fn in_range(column: &str) -> String {
    format!("date({column}, 'unixepoch', '+7 hours') BETWEEN ?1 AND ?2")
}

impl Store {
    fn pairs(&self, sql: &str, from: &str, to: &str) -> Result<Vec<(String, i64)>, StoreError> {
        let c = self.reader();
        let mut st = c.prepare(sql)?;
        let rows = st.query_map(params![from, to], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn count_in(&self, sql: &str, from: &str, to: &str) -> Result<i64, StoreError> {
        Ok(self.reader().query_row(sql, params![from, to], |r| r.get(0))?)
    }

    /// Messages of broadcasts of a kind delivered, per channel, with `time` (a column of
    /// `outbox o` or `broadcasts b`) within the dates.
    fn deliveries(
        &self,
        kind: &str,
        time: &str,
        from: &str,
        to: &str,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        self.pairs(
            &format!(
                "SELECT o.channel, COUNT(*) FROM outbox o JOIN broadcasts b ON b.id = o.broadcast_id
                 WHERE b.kind = '{kind}' AND o.status = 'sent' AND {} GROUP BY o.channel ORDER BY o.channel",
                in_range(time)
            ),
            from,
            to,
        )
    }

    /// Every figure of the report for Vietnamese dates `from..=to` (YYYY-MM-DD).
    pub fn report_figures(&self, from: &str, to: &str) -> Result<ReportFigures, StoreError> {
        let stats = |kind: &str| self.totals_between(kind, Some(from), Some(to));
        let question_answers = {
            let c = self.reader();
            let mut st = c.prepare(
                "SELECT key, SUM(CASE WHEN kind = 'quiz_answered' THEN count ELSE 0 END),
                        SUM(CASE WHEN kind = 'quiz_wrong' THEN count ELSE 0 END)
                 FROM stats WHERE kind IN ('quiz_answered', 'quiz_wrong') AND day BETWEEN ?1 AND ?2
                 GROUP BY key ORDER BY 3 DESC, 2 DESC, 1",
            )?;
            let rows = st.query_map(params![from, to], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            rows.collect::<Result<_, _>>()?
        };
        let scores = |sql: &str| -> Result<Scores, StoreError> {
            let c = self.reader();
            let mut st = c.prepare(sql)?;
            let rows = st.query_map(params![from, to], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<_, _>>()?)
        };
        Ok(ReportFigures {
            reached: self.pairs(
                "SELECT channel, COUNT(DISTINCT user_id) FROM activity WHERE day BETWEEN ?1 AND ?2
                 GROUP BY channel ORDER BY channel",
                from,
                to,
            )?,
            subscribers_now: self.subscription_counts()?,
            new_subscribers: self.pairs(
                &format!(
                    "SELECT channel, COUNT(*) FROM subscriptions WHERE {} GROUP BY channel ORDER BY channel",
                    in_range("subscribed_at")
                ),
                from,
                to,
            )?,
            tips_delivered: self.deliveries("tip", "o.updated_at", from, to)?,
            alerts: self.count_in(
                &format!(
                    "SELECT COUNT(*) FROM broadcasts WHERE kind = 'alert' AND {}",
                    in_range("queued_at")
                ),
                from,
                to,
            )?,
            alert_deliveries: self.deliveries("alert", "b.queued_at", from, to)?,
            verdicts: stats("verdict")?,
            forms: stats("form")?,
            personal_scores: scores(&format!(
                "SELECT score, total FROM quiz_results WHERE {} ORDER BY rowid",
                in_range("finished_at")
            ))?,
            group_scores: scores(&format!(
                "SELECT SUM(a.correct),
                        CASE g.mode WHEN 'poll' THEN MIN(g.current + 1, json_array_length(g.questions))
                             ELSE json_array_length(g.questions) END
                 FROM group_answers a JOIN group_quizzes g ON g.id = a.session_id
                 WHERE {} GROUP BY a.session_id, a.channel, a.user_id ORDER BY a.session_id",
                in_range("g.started_at")
            ))?,
            group_sessions: self.count_in(
                &format!("SELECT COUNT(*) FROM group_quizzes WHERE {}", in_range("started_at")),
                from,
                to,
            )?,
            question_answers,
        })
    }

    /// Ids of a trainer's sessions started within the dates, oldest first.
    pub fn trainer_sessions_between(
        &self,
        trainer: &super::UserKey,
        from: &str,
        to: &str,
    ) -> Result<Vec<i64>, StoreError> {
        let c = self.reader();
        let mut st = c.prepare(&format!(
            "SELECT id FROM group_quizzes WHERE {} AND trainer_channel = ?3 AND trainer_id = ?4 ORDER BY id",
            in_range("started_at")
        ))?;
        let rows = st.query_map(params![from, to, trainer.channel, trainer.id], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
