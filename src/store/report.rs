//! Aggregate queries for the implementation report (`canhgiac report`): counts only, per
//! channel, form, verdict or question, over a range of Vietnamese dates (inclusive). Every
//! figure about people comes from the anonymous day counters (`stats`), never from per-user
//! rows, so a report for a past period gives the same figures after users delete their data
//! or retention periods end. Unix times are turned into Vietnamese dates in SQL (UTC+7, no
//! daylight saving).

use rusqlite::params;

use super::{Store, StoreError, SubscriptionCount};

/// Scores of finished quizzes: (correct, questions), one pair per quiz taken, no names.
pub type Scores = Vec<(i64, i64)>;

/// How the count of distinct users of a range is made from the anonymous counters: each user
/// is counted once per calendar month, quarter, half-year and year, so a range that is exactly
/// one of those is counted exactly; any other range adds up each month's users.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ReachBasis {
    /// A calendar year.
    Year,
    /// January–June or July–December.
    Half,
    /// A calendar quarter.
    Quarter,
    /// A calendar month.
    Month,
    /// Any other range: distinct users of each month within it, added up.
    #[default]
    MonthlySum,
}

impl ReachBasis {
    /// The basis for `from..=to` (checked `YYYY-MM-DD` dates).
    #[must_use]
    pub fn of(from: &str, to: &str) -> Self {
        let ymd = |s: &str| -> Option<(i64, i64, i64)> {
            let mut p = s.split('-').map(|x| x.parse::<i64>().ok());
            Some((p.next()??, p.next()??, p.next()??))
        };
        let (Some((y1, m1, d1)), Some((y2, m2, d2))) = (ymd(from), ymd(to)) else { return Self::MonthlySum };
        let last_day = crate::vntime::civil(crate::vntime::days_from_civil(y2, m2 + 1, 1) - 1).2;
        if y1 != y2 || d1 != 1 || d2 != last_day || m2 < m1 {
            return Self::MonthlySum;
        }
        match (m2 - m1 + 1, m1) {
            (12, 1) => Self::Year,
            (6, 1 | 7) => Self::Half,
            (3, 1 | 4 | 7 | 10) => Self::Quarter,
            (1, _) => Self::Month,
            _ => Self::MonthlySum,
        }
    }

    /// The counter this basis reads.
    fn kind(self) -> &'static str {
        match self {
            Self::Year => "reach_year",
            Self::Half => "reach_half",
            Self::Quarter => "reach_quarter",
            Self::Month | Self::MonthlySum => "reach_month",
        }
    }
}

/// The raw figures of a date range.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportFigures {
    /// Distinct users who wrote to the bot, per channel (see [`ReachBasis`]).
    pub reached: Vec<(String, i64)>,
    /// How `reached` was counted.
    pub reach_basis: ReachBasis,
    /// Users on each day, added up over the range (user-days), per channel.
    pub user_days: Vec<(String, i64)>,
    /// Users who wrote for the first time in the range, per channel.
    pub new_users: Vec<(String, i64)>,
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
    fn count_in(&self, sql: &str, from: &str, to: &str) -> Result<i64, StoreError> {
        Ok(self.reader().query_row(sql, params![from, to], |r| r.get(0))?)
    }

    /// Scores counted under `kind` (keys `correct/total`) within the dates, one pair per quiz.
    fn counted_scores(&self, kind: &str, from: &str, to: &str) -> Result<Scores, StoreError> {
        let mut out = Vec::new();
        for (key, n) in self.totals_between(kind, Some(from), Some(to))? {
            if let Some((c, t)) = key.split_once('/')
                && let (Ok(c), Ok(t)) = (c.parse::<i64>(), t.parse::<i64>())
            {
                out.extend(std::iter::repeat_n((c, t), usize::try_from(n).unwrap_or(0)));
            }
        }
        out.sort_unstable();
        Ok(out)
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
        let live_group_scores = {
            // Sessions still running are not counted yet: read their answers.
            let c = self.reader();
            let mut st = c.prepare(&format!(
                "SELECT SUM(a.correct),
                        CASE g.mode WHEN 'poll' THEN MIN(g.current + 1, json_array_length(g.questions))
                             ELSE json_array_length(g.questions) END
                 FROM group_answers a JOIN group_quizzes g ON g.id = a.session_id
                 WHERE g.status = 'running' AND {} GROUP BY a.session_id, a.channel, a.user_id",
                in_range("g.started_at")
            ))?;
            let rows = st.query_map(params![from, to], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<Result<Vec<(i64, i64)>, _>>()?
        };
        let mut group_scores = self.counted_scores("group_score", from, to)?;
        group_scores.extend(live_group_scores);
        let reach_basis = ReachBasis::of(from, to);
        Ok(ReportFigures {
            reached: stats(reach_basis.kind())?,
            reach_basis,
            user_days: stats("reach_day")?,
            new_users: stats("users_new")?,
            subscribers_now: self.subscription_counts()?,
            new_subscribers: stats("subscribed")?,
            tips_delivered: stats("delivered_tip")?,
            alerts: self.count_in(
                &format!(
                    "SELECT COUNT(*) FROM broadcasts WHERE kind = 'alert' AND {}",
                    in_range("queued_at")
                ),
                from,
                to,
            )?,
            alert_deliveries: stats("delivered_alert")?,
            verdicts: stats("verdict")?,
            forms: stats("form")?,
            personal_scores: self.counted_scores("quiz_score", from, to)?,
            group_scores,
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
