//! The scam-report repository: entities staff reported (phone numbers, bank accounts, hosts),
//! each report under a pseudonymous reporter key, admins' decisions (who, when, why; a
//! decision can be taken back), and the outcome queued to the reporters who asked to hear
//! back (through the outbox, so a crash never loses or repeats it). Never the message text,
//! never a reporter's name.

use rusqlite::{OptionalExtension, Transaction, params};
use sha2::{Digest, Sha256};

use super::{Store, StoreError, Unit, UserKey, now};
use crate::model::{BroadcastKind, BroadcastStatus, Channel, ChatKind, EntityKind, ReportStatus};

/// A report to record.
#[derive(Debug, Clone)]
pub struct NewReport<'a> {
    /// Who reports (their key is stored pseudonymised).
    pub reporter: &'a UserKey,
    /// Tell them the outcome (in their private chat).
    pub feedback: bool,
    /// The entities: kind, normalised value, bank name for an account when given.
    pub entities: &'a [(EntityKind, String, Option<String>)],
    /// The closest form, if any.
    pub form: Option<&'a str>,
    /// The checker's verdict.
    pub verdict: &'a str,
    /// Most reports one person may make in a day (entities counted).
    pub daily_limit: usize,
}

/// What recording a report did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Recorded {
    /// Entities newly reported by this person.
    pub new: usize,
    /// Entities this person had reported already (ignored).
    pub repeated: usize,
    /// Entities left out because of the daily limit.
    pub over_limit: usize,
}

/// One entity with its reports, for review, lists and the export.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct EntitySummary {
    /// Id.
    pub id: i64,
    /// Kind.
    pub kind: EntityKind,
    /// Normalised value.
    pub value: String,
    /// Bank, for an account.
    pub bank: Option<String>,
    /// Where it stands.
    pub status: ReportStatus,
    /// Distinct reporters (a report whose reporter deleted their data counts as one).
    pub reporters: i64,
    /// Reports.
    pub reports: i64,
    /// First report day (`YYYY-MM-DD`).
    pub first_day: String,
    /// Last report day.
    pub last_day: String,
    /// Day of the last decision.
    pub decided_day: Option<String>,
    /// Closest forms of the reports, most frequent first.
    pub forms: Vec<(String, i64)>,
}

/// What a decision did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decided {
    /// The entity after the decision.
    pub entity: EntitySummary,
    /// Reporters told the outcome (queued in the outbox).
    pub notified: usize,
    /// The feedback broadcast, if any.
    pub broadcast: Option<i64>,
}

/// The pseudonymous key of a reporter: a salted hash of `channel:id` (the salt lives in the
/// database, so the key means nothing outside it). The salt is made with the first report;
/// before it, nobody has a key (`None`), and looking one up writes nothing.
fn reporter_key(tx: &rusqlite::Connection, k: &UserKey, create: bool) -> Result<Option<String>, StoreError> {
    let salt: Option<String> =
        tx.query_row("SELECT value FROM kv WHERE key = 'reports.salt'", [], |r| r.get(0)).optional()?;
    let salt = match salt {
        Some(s) => s,
        None if !create => return Ok(None),
        None => {
            let mut bytes = [0u8; 16];
            // Without the OS's randomness the time and the process still differ per database.
            if getrandom::fill(&mut bytes).is_err() {
                bytes[..8].copy_from_slice(&now().to_le_bytes());
                bytes[8..12].copy_from_slice(&std::process::id().to_le_bytes());
            }
            let s: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            tx.execute("INSERT OR IGNORE INTO kv (key, value) VALUES ('reports.salt', ?1)", [&s])?;
            tx.query_row("SELECT value FROM kv WHERE key = 'reports.salt'", [], |r| r.get(0))?
        }
    };
    let digest = Sha256::digest(format!("{salt}|{}:{}", k.channel, k.id).as_bytes());
    Ok(Some(digest.iter().take(12).map(|b| format!("{b:02x}")).collect()))
}

/// Removes a user's key from their reports (they stay as anonymous counts) and any pending
/// feedback to them.
pub(super) fn forget_reporter(tx: &Transaction<'_>, k: &UserKey) -> Result<usize, StoreError> {
    let n = match reporter_key(tx, k, false)? {
        Some(key) => tx.execute("UPDATE scam_reports SET reporter = NULL WHERE reporter = ?1", [&key])?,
        None => 0,
    };
    Ok(n + drop_feedback(tx, k)?)
}

/// Forgets whom to tell the outcome of reports: the user withdrew consent or left.
pub(super) fn drop_feedback(tx: &Transaction<'_>, k: &UserKey) -> Result<usize, StoreError> {
    Ok(tx.execute(
        "UPDATE scam_reports SET notify_channel = NULL, notify_chat = NULL WHERE notify_channel = ?1 AND notify_chat = ?2",
        params![k.channel, k.id],
    )?)
}

/// Reports made by a user, and pending feedback to them (for `/dulieucuatoi`).
pub(super) fn reports_of(c: &rusqlite::Connection, k: &UserKey) -> Result<(i64, i64), StoreError> {
    let made = match reporter_key(c, k, false)? {
        Some(key) => {
            c.query_row("SELECT COUNT(*) FROM scam_reports WHERE reporter = ?1", [&key], |r| r.get(0))?
        }
        None => 0,
    };
    let notify = c.query_row(
        "SELECT COUNT(*) FROM scam_reports WHERE notify_channel = ?1 AND notify_chat = ?2",
        params![k.channel, k.id],
        |r| r.get(0),
    )?;
    Ok((made, notify))
}

const SUMMARY_SQL: &str = "SELECT e.id, e.kind, e.value, e.bank, e.status, e.first_day, e.last_day, e.decided_day,
        (SELECT COUNT(DISTINCT reporter) + COUNT(*) - COUNT(reporter) FROM scam_reports r WHERE r.entity_id = e.id),
        (SELECT COUNT(*) FROM scam_reports r WHERE r.entity_id = e.id)
     FROM reported_entities e";

fn summary(c: &rusqlite::Connection, r: &rusqlite::Row<'_>) -> Result<EntitySummary, StoreError> {
    let id: i64 = r.get(0)?;
    let mut st = c.prepare_cached(
        "SELECT form, COUNT(*) FROM scam_reports WHERE entity_id = ?1 AND form IS NOT NULL
         GROUP BY form ORDER BY 2 DESC, 1",
    )?;
    let forms = st.query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
    Ok(EntitySummary {
        id,
        kind: r.get(1)?,
        value: r.get(2)?,
        bank: r.get(3)?,
        status: r.get(4)?,
        first_day: r.get(5)?,
        last_day: r.get(6)?,
        decided_day: r.get(7)?,
        reporters: r.get(8)?,
        reports: r.get(9)?,
        forms,
    })
}

fn summaries(
    c: &rusqlite::Connection,
    filter: &str,
    p: impl rusqlite::Params,
) -> Result<Vec<EntitySummary>, StoreError> {
    let mut st = c.prepare(&format!("{SUMMARY_SQL} {filter}"))?;
    let mut rows = st.query(p)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(summary(c, r)?);
    }
    Ok(out)
}

impl Store {
    /// Records a report: each entity once per reporter, within the reporter's daily limit.
    /// Counted (`reports`, per kind) for the report, with no user.
    pub fn report_scam(&self, r: &NewReport<'_>) -> Result<Recorded, StoreError> {
        let mut c = self.conn();
        let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let key = reporter_key(&tx, r.reporter, true)?.unwrap_or_default();
        let day = crate::vntime::iso_date(now());
        let mut today: usize = tx
            .query_row(
                "SELECT COUNT(*) FROM scam_reports WHERE reporter = ?1 AND day = ?2",
                params![key, day],
                |r| r.get::<_, i64>(0),
            )?
            .try_into()
            .unwrap_or(usize::MAX);
        let mut out = Recorded::default();
        let (notify_channel, notify_chat) =
            if r.feedback { (Some(r.reporter.channel), Some(r.reporter.id.as_str())) } else { (None, None) };
        for (kind, value, bank) in r.entities {
            let known: Option<i64> = tx
                .query_row(
                    "SELECT e.id FROM reported_entities e JOIN scam_reports s ON s.entity_id = e.id
                     WHERE e.kind = ?1 AND e.value = ?2 AND s.reporter = ?3",
                    params![kind, value, key],
                    |r| r.get(0),
                )
                .optional()?;
            if known.is_some() {
                out.repeated += 1;
                continue;
            }
            if today >= r.daily_limit {
                out.over_limit += 1;
                continue;
            }
            tx.execute(
                "INSERT INTO reported_entities (kind, value, bank, first_day, last_day) VALUES (?1, ?2, ?3, ?4, ?4)
                 ON CONFLICT (kind, value) DO UPDATE SET last_day = excluded.last_day,
                     bank = COALESCE(reported_entities.bank, excluded.bank)",
                params![kind, value, bank, day],
            )?;
            let id: i64 = tx.query_row(
                "SELECT id FROM reported_entities WHERE kind = ?1 AND value = ?2",
                params![kind, value],
                |r| r.get(0),
            )?;
            tx.execute(
                "INSERT INTO scam_reports (entity_id, reporter, day, form, verdict, notify_channel, notify_chat)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![id, key, day, r.form, r.verdict, notify_channel, notify_chat],
            )?;
            tx.execute("UPDATE reported_entities SET reports = reports + 1 WHERE id = ?1", [id])?;
            Unit { c: &tx }.count("reports", kind.as_str())?;
            today += 1;
            out.new += 1;
        }
        tx.commit()?;
        Ok(out)
    }

    /// An entity by id.
    pub fn reported_entity(&self, id: i64) -> Result<Option<EntitySummary>, StoreError> {
        Ok(summaries(&self.conn(), "WHERE e.id = ?1", [id])?.pop())
    }

    /// An entity by kind and normalised value.
    pub fn reported_value(&self, kind: EntityKind, value: &str) -> Result<Option<EntitySummary>, StoreError> {
        Ok(summaries(&self.conn(), "WHERE e.kind = ?1 AND e.value = ?2", params![kind, value])?.pop())
    }

    /// Entities with a status (or all), most reporters first.
    pub fn reported_entities(&self, status: Option<ReportStatus>) -> Result<Vec<EntitySummary>, StoreError> {
        summaries(
            &self.reader(),
            "WHERE (?1 IS NULL OR e.status = ?1) ORDER BY 9 DESC, e.last_day DESC, e.id",
            [status],
        )
    }

    /// Confirmed entities reported within `from..=to` (`YYYY-MM-DD`), for the police.
    pub fn confirmed_between(&self, from: &str, to: &str) -> Result<Vec<EntitySummary>, StoreError> {
        summaries(
            &self.reader(),
            "WHERE e.status = 'confirmed' AND e.last_day >= ?1 AND e.first_day <= ?2 ORDER BY e.kind, e.value",
            params![from, to],
        )
    }

    /// Every entity as the in-memory register needs it, handed to `f` one by one (loading a
    /// million entities at start without an intermediate list); returns how many.
    /// `f` gets the kind, the value (borrowed from the row: nothing is allocated for it),
    /// the status, the day of a confirmation and the reports.
    pub fn each_register_row(
        &self,
        mut f: impl FnMut(EntityKind, &str, ReportStatus, Option<&str>, u32),
    ) -> Result<usize, StoreError> {
        let c = self.reader();
        let mut st = c.prepare("SELECT kind, value, status, decided_day, reports FROM reported_entities")?;
        let mut rows = st.query([])?;
        let mut n = 0;
        while let Some(r) = rows.next()? {
            let status: ReportStatus = r.get(2)?;
            let value = r.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
            // Only a confirmation's day is ever shown.
            let day = if status == ReportStatus::Confirmed {
                r.get_ref(3)?.as_str_or_null().map_err(rusqlite::Error::from)?
            } else {
                None
            };
            f(r.get(0)?, value, status, day, r.get(4)?);
            n += 1;
        }
        Ok(n)
    }

    /// Entities in the register that are numbers or accounts, and hosts.
    pub fn register_size(&self) -> Result<(usize, usize), StoreError> {
        let (numbers, hosts): (i64, i64) = self.reader().query_row(
            "SELECT COUNT(*) FILTER (WHERE kind != 'host'), COUNT(*) FILTER (WHERE kind = 'host') FROM reported_entities",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok((usize::try_from(numbers).unwrap_or(0), usize::try_from(hosts).unwrap_or(0)))
    }

    /// The newest decision and report ids (where a register that has seen up to them stands).
    pub fn register_marks(&self) -> Result<(i64, i64), StoreError> {
        Ok(self.reader().query_row(
            "SELECT (SELECT COALESCE(MAX(id), 0) FROM report_decisions), (SELECT COALESCE(MAX(id), 0) FROM scam_reports)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?)
    }

    /// Entities decided or reported after the marks `(decision, report)` (another process,
    /// such as `canhgiac reports approve`, changed them).
    pub fn register_changes(
        &self,
        (decision, report): (i64, i64),
    ) -> Result<Vec<(EntityKind, String)>, StoreError> {
        let c = self.reader();
        let mut st = c.prepare(
            "SELECT DISTINCT e.kind, e.value FROM reported_entities e WHERE e.id IN
               (SELECT entity_id FROM report_decisions WHERE id > ?1
                UNION SELECT entity_id FROM scam_reports WHERE id > ?2)",
        )?;
        let rows = st.query_map(params![decision, report], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Decides an entity (confirm, reject, or back to pending when a decision is taken
    /// back), recording who, when and why, and queues `feedback` (given the entity after the
    /// decision) to each reporter waiting to hear back. `None` if there is no such entity.
    pub fn decide_report(
        &self,
        id: i64,
        status: ReportStatus,
        by: &str,
        why: Option<&str>,
        feedback: impl Fn(&EntitySummary) -> Option<String>,
    ) -> Result<Option<Decided>, StoreError> {
        let mut c = self.conn();
        let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let t = now();
        let day = crate::vntime::iso_date(t);
        let changed = tx.execute(
            "UPDATE reported_entities SET status = ?2, decided_day = ?3 WHERE id = ?1",
            params![id, status, day],
        )?;
        if changed == 0 {
            return Ok(None);
        }
        tx.execute(
            "INSERT INTO report_decisions (entity_id, status, decided_by, decided_at, why) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, status, by, t, why],
        )?;
        let Some(entity) = summaries(&tx, "WHERE e.id = ?1", [id])?.pop() else { return Ok(None) };
        let mut notified = 0;
        let mut broadcast = None;
        if let Some(body) = feedback(&entity) {
            let targets: Vec<(Channel, String)> = tx
                .prepare(
                    "SELECT DISTINCT notify_channel, notify_chat FROM scam_reports
                     WHERE entity_id = ?1 AND notify_channel IS NOT NULL",
                )?
                .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?;
            if !targets.is_empty() {
                tx.execute(
                    "INSERT INTO broadcasts (kind, body, created_by, status, created_at, queued_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
                    params![BroadcastKind::Feedback, body, by, BroadcastStatus::Queued, t],
                )?;
                let b = tx.last_insert_rowid();
                for (channel, chat) in &targets {
                    super::outbox::insert_row(
                        &tx,
                        b,
                        &(*channel, chat.clone(), ChatKind::Private, true),
                        None,
                    )?;
                }
                // Told once: whom to tell is not kept any longer.
                tx.execute(
                    "UPDATE scam_reports SET notify_channel = NULL, notify_chat = NULL WHERE entity_id = ?1",
                    [id],
                )?;
                notified = targets.len();
                broadcast = Some(b);
            }
        }
        tx.commit()?;
        Ok(Some(Decided { entity, notified, broadcast }))
    }
}
