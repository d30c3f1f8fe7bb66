//! The retention purge: deletes what has been kept as long as the privacy notice says
//! ([`crate::model::retention`]), and nothing else. `serve` runs it once a day; each run is
//! one transaction, and what it deleted is counted (per rule, no user) for the report.

use super::{Store, StoreError, Unit, UserKey, users::erase_user};
use crate::model::retention::{Kept, RULES, Retention};

/// What one purge deleted, per rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Purged {
    /// Rows about users whose record ended, everything about them ([`Kept::LastContact`]).
    pub last_contact: usize,
    /// Unfinished quizzes and questions to ask again ([`Kept::QuizProgress`]).
    pub quiz_progress: usize,
    /// Finished personal quizzes ([`Kept::QuizResults`]).
    pub quiz_results: usize,
    /// Group-quiz participants and answers ([`Kept::Participants`]).
    pub participants: usize,
    /// Delivery rows and tip history of chats no longer subscribed ([`Kept::Deliveries`]).
    pub deliveries: usize,
    /// Unconfirmed reported entities with their reports ([`Kept::Reports`]).
    pub reports: usize,
}

impl Purged {
    /// Rows deleted for a rule.
    #[must_use]
    pub fn of(&self, kind: Kept) -> usize {
        match kind {
            Kept::LastContact => self.last_contact,
            Kept::QuizProgress => self.quiz_progress,
            Kept::QuizResults => self.quiz_results,
            Kept::Participants => self.participants,
            Kept::Deliveries => self.deliveries,
            Kept::Reports => self.reports,
        }
    }

    /// Nothing was due.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        RULES.iter().all(|r| self.of(r.kind) == 0)
    }
}

impl Store {
    /// Deletes everything whose retention period has ended at `now` (Unix seconds).
    pub fn purge(&self, retention: &Retention, now: i64) -> Result<Purged, StoreError> {
        let day = |kind: Kept| crate::vntime::iso_date(retention.cutoff(kind, now));
        let mut c = self.conn();
        let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut out = Purged::default();

        // Users who have not written since the cut-off and get no tips in their private chat
        // (a subscription counts only while their explicit consent stands).
        let gone: Vec<UserKey> = {
            let mut st = tx.prepare(
                "SELECT channel, user_id FROM users u
                 WHERE COALESCE(last_seen, date(created_at, 'unixepoch', '+7 hours')) < ?1
                   AND NOT (consent_at IS NOT NULL AND consent_version IS NOT NULL AND EXISTS
                       (SELECT 1 FROM subscriptions s WHERE s.channel = u.channel AND s.chat_id = u.user_id))",
            )?;
            let rows = st
                .query_map([day(Kept::LastContact)], |r| Ok(UserKey { channel: r.get(0)?, id: r.get(1)? }))?;
            rows.collect::<Result<_, _>>()?
        };
        for k in &gone {
            out.last_contact += erase_user(&tx, k)?;
        }

        out.quiz_progress = tx.execute(
            "DELETE FROM quiz_sessions WHERE updated_at < ?1",
            [retention.cutoff(Kept::QuizProgress, now)],
        )?;
        // Questions to ask again carry no time: they go with the user's last contact.
        out.quiz_progress += tx.execute(
            "DELETE FROM quiz_missed WHERE NOT EXISTS (SELECT 1 FROM users u
               WHERE u.channel = quiz_missed.channel AND u.user_id = quiz_missed.user_id AND u.last_seen >= ?1)",
            [day(Kept::QuizProgress)],
        )?;

        out.quiz_results = tx.execute(
            "DELETE FROM quiz_results WHERE finished_at < ?1",
            [retention.cutoff(Kept::QuizResults, now)],
        )?;

        // Sessions ended before the cut-off: their scores are already counted; names and
        // answers go, and the trainer is no longer named.
        let ended = "SELECT id FROM group_quizzes WHERE status != 'running' AND finished_at < ?1";
        let cutoff = retention.cutoff(Kept::Participants, now);
        out.participants = tx
            .execute(&format!("DELETE FROM participants WHERE session_id IN ({ended})"), [cutoff])?
            + tx.execute(&format!("DELETE FROM group_answers WHERE session_id IN ({ended})"), [cutoff])?;
        tx.execute(
            &format!(
                "UPDATE group_quizzes SET trainer_id = 'expired:' || id
                 WHERE id IN ({ended}) AND trainer_id NOT LIKE 'expired:%' AND trainer_id NOT LIKE 'deleted:%'"
            ),
            [cutoff],
        )?;

        let cutoff = retention.cutoff(Kept::Deliveries, now);
        out.deliveries = tx.execute(
            "DELETE FROM outbox WHERE status IN ('sent', 'failed', 'skipped') AND updated_at < ?1",
            [cutoff],
        )? + tx.execute(
            "DELETE FROM tip_history WHERE assigned_at < ?1 AND NOT EXISTS (SELECT 1 FROM subscriptions s
               WHERE s.channel = tip_history.channel AND s.chat_id = tip_history.chat_id)",
            [cutoff],
        )?;

        // Reported entities nobody confirmed, last reported before the cut-off: the third
        // parties' numbers go with their reports and decisions.
        let stale = "SELECT id FROM reported_entities WHERE status != 'confirmed' AND last_day < ?1";
        let day_cut = day(Kept::Reports);
        out.reports = tx
            .execute(&format!("DELETE FROM scam_reports WHERE entity_id IN ({stale})"), [&day_cut])?
            + tx.execute(&format!("DELETE FROM report_decisions WHERE entity_id IN ({stale})"), [&day_cut])?;
        out.reports += tx.execute(
            "DELETE FROM reported_entities WHERE status != 'confirmed' AND last_day < ?1",
            [&day_cut],
        )?;

        // The web console's links, sessions and audit log have fixed periods (see `FIXED`).
        super::web::purge_web(&tx, now, now - crate::model::retention::AUDIT_DAYS * 86_400)?;

        let unit = Unit { c: &tx };
        let today = crate::vntime::iso_date(now);
        for rule in RULES {
            let n = out.of(rule.kind);
            if n > 0 {
                unit.count_on(&today, "retention", rule.field, i64::try_from(n).unwrap_or(i64::MAX))?;
            }
        }
        tx.commit()?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Channel, SessionStatus};
    use crate::store::{ReportFigures, now, subject::tests::populate};

    const DAY: i64 = 86_400;

    /// The report's figures for today, without the "subscribed now" count (not a past figure).
    fn figures(s: &Store) -> ReportFigures {
        let today = crate::vntime::iso_date(now());
        let mut f = s.report_figures(&today, &today).expect("figures");
        f.subscribers_now.clear();
        f
    }

    #[test]
    fn the_purge_deletes_what_is_due_and_nothing_else_and_report_figures_stay() {
        let s = Store::in_memory().expect("store");
        let t = now();
        let (me, other) = (UserKey::new(Channel::Telegram, "7"), UserKey::new(Channel::Zalo, "8"));
        populate(&s, &me, "111111", t);
        populate(&s, &other, "222222", t);
        s.set_subscribed(&me, false).expect("unsubscribe");
        let mine = s.subject_data(&me).expect("data").sessions_run[0];
        assert!(s.end_group_quiz(mine, SessionStatus::Finished, t).expect("end"));
        let before = figures(&s);
        assert_eq!(before.personal_scores, [(8, 10), (8, 10)]);
        assert_eq!(before.group_scores, [(1, 2), (1, 2)], "one counted at the end, one live");
        let r = Retention::default();

        assert!(s.purge(&r, t).expect("purge").is_empty(), "nothing is due today");
        let p = s.purge(&r, t + 100 * DAY).expect("purge");
        assert_eq!(
            p,
            Purged {
                last_contact: 0,
                quiz_progress: 4,
                quiz_results: 0,
                participants: 2,
                deliveries: 2,
                reports: 0
            },
            "two quizzes in progress and two questions to ask again; one ended session's name and \
             answer; a row skipped (a Zalo user who does not follow) and the tip history of a chat \
             no longer subscribed (pending rows stay)"
        );
        let d = s.subject_data(&me).expect("data");
        assert!(d.quiz_in_progress.is_none() && d.missed_questions.is_empty() && d.group_quizzes.is_empty());
        assert_eq!(d.quiz_results.len(), 1, "results are kept a year");
        let o = s.subject_data(&other).expect("data");
        assert_eq!(o.group_quizzes.len(), 1, "a running session keeps its players");
        assert!(o.subscribed_at.is_some() && o.record.is_some());

        let p = s.purge(&r, t + 400 * DAY).expect("purge");
        assert!(p.last_contact >= 5, "the user and every row about them: {p:?}");
        assert_eq!(p.quiz_results, 1, "{p:?}");
        assert!(s.subject_data(&me).expect("data").is_empty(), "a year without contact and no tips: gone");
        let o = s.subject_data(&other).expect("data");
        assert!(o.record.is_some() && o.subscribed_at.is_some(), "a subscriber is kept");
        assert!(o.quiz_results.is_empty());
        assert_eq!(figures(&s), before, "the report's figures do not move");
        let counted = s.totals("retention").expect("totals");
        assert!(counted.contains(&("quiz_progress_days".to_owned(), 4)), "{counted:?}");
    }

    #[test]
    fn report_figures_stay_after_a_user_deletes_their_data() {
        let s = Store::in_memory().expect("store");
        let t = now();
        let (me, other) = (UserKey::new(Channel::Telegram, "7"), UserKey::new(Channel::Telegram, "8"));
        populate(&s, &me, "111111", t);
        populate(&s, &other, "222222", t);
        for id in s.subject_data(&me).expect("data").sessions_run {
            s.end_group_quiz(id, SessionStatus::Finished, t).expect("end");
        }
        let before = figures(&s);
        assert_eq!(before.reached, [("telegram".to_owned(), 2)]);
        assert_eq!(before.new_users, [("telegram".to_owned(), 2)]);
        assert_eq!(before.new_subscribers, [("telegram".to_owned(), 2)]);
        assert!(s.delete_user(&me).expect("delete"));
        assert_eq!(figures(&s), before);
    }

    #[test]
    fn unconfirmed_reports_expire_and_confirmed_ones_stay() {
        use crate::model::{EntityKind, ReportStatus};
        let s = Store::in_memory().expect("store");
        let t = now();
        let reporter = UserKey::new(Channel::Telegram, "1");
        let entities = [
            (EntityKind::Phone, "0912345678".to_owned(), None),
            (EntityKind::Host, "vcb-xacthuc.top".to_owned(), None),
        ];
        let r = crate::store::NewReport {
            reporter: &reporter,
            feedback: false,
            entities: &entities,
            form: None,
            verdict: "scam",
            daily_limit: 20,
        };
        s.report_scam(&r).expect("report");
        let host = s.reported_value(EntityKind::Host, "vcb-xacthuc.top").expect("q").expect("row");
        s.decide_report(host.id, ReportStatus::Confirmed, "telegram:9", None, |_| None).expect("confirm");
        assert_eq!(s.purge(&Retention::default(), t + 100 * DAY).expect("purge").reports, 0, "not yet");
        let p = s.purge(&Retention::default(), t + 200 * DAY).expect("purge");
        assert_eq!(p.reports, 2, "the pending number and its report: {p:?}");
        assert!(s.reported_value(EntityKind::Phone, "0912345678").expect("q").is_none());
        assert!(
            s.reported_value(EntityKind::Host, "vcb-xacthuc.top").expect("q").is_some(),
            "confirmed stays"
        );
    }

    #[test]
    fn reach_is_counted_once_per_user_and_period() {
        let s = Store::in_memory().expect("store");
        let k = UserKey::new(Channel::Telegram, "1");
        s.touch_user(&k).expect("touch");
        s.touch_user(&k).expect("again");
        let today = crate::vntime::iso_date(now());
        for kind in ["reach_day", "reach_month", "reach_quarter", "reach_half", "reach_year", "users_new"] {
            assert_eq!(
                s.totals_between(kind, Some(&today), Some(&today)).expect("totals"),
                [("telegram".to_owned(), 1)],
                "{kind}"
            );
        }
    }
}
