//! The web console's repository: one-time sign-in links, sign-in sessions and the audit log of
//! admin actions. Links and sessions are stored as SHA-256 hashes of their secrets, so a copy
//! of the database lets nobody in.

use rusqlite::{OptionalExtension, params};
use sha2::{Digest, Sha256};

use super::{Store, StoreError, UserKey};
use crate::model::AuditAction;

/// A sign-in session of the console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSession {
    /// Row id (what the session list shows and revokes).
    pub id: i64,
    /// Who signed in.
    pub user: UserKey,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds; the session ends then however active it is.
    pub expires_at: i64,
    /// Unix seconds of the last request (updated at most once a minute).
    pub last_seen: i64,
    /// The browser, as its `User-Agent` names it (cut to 120 characters), for the list.
    pub agent: Option<String>,
}

/// One admin action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Row id.
    pub id: i64,
    /// Unix seconds.
    pub at: i64,
    /// `telegram:ID`, `zalo:ID`, `cli` or `deleted`.
    pub who: String,
    /// What kind of action.
    pub action: AuditAction,
    /// What it was about, for people (no message text of users).
    pub detail: String,
}

/// The SHA-256 of a secret, hex.
fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A new secret: 32 bytes from the operating system's CSPRNG, hex.
fn secret() -> Result<String, StoreError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::Random(e.to_string()))?;
    Ok(hex::encode(bytes))
}

fn session_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<WebSession> {
    Ok(WebSession {
        id: r.get(0)?,
        user: UserKey { channel: r.get(1)?, id: r.get(2)? },
        created_at: r.get(3)?,
        expires_at: r.get(4)?,
        last_seen: r.get(5)?,
        agent: r.get(6)?,
    })
}

const SESSION_COLUMNS: &str = "id, channel, user_id, created_at, expires_at, last_seen, agent";

impl Store {
    /// A one-time sign-in link's secret for `user`, valid until `expires_at`.
    pub fn create_login_link(&self, user: &UserKey, now: i64, expires_at: i64) -> Result<String, StoreError> {
        let token = secret()?;
        let c = self.conn();
        // Spent and expired links are of no use: they go as new ones are made.
        c.execute("DELETE FROM web_links WHERE expires_at < ?1 OR used_at IS NOT NULL", [now - 86_400])?;
        c.execute(
            "INSERT INTO web_links (token_hash, channel, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![digest(&token), user.channel, user.id, now, expires_at],
        )?;
        Ok(token)
    }

    /// Spends a sign-in link: when it exists, is unused and has not expired, marks it used and
    /// opens a session until `session_expires`; returns the user and the session's secret.
    /// A link works once, even when two requests race for it.
    pub fn redeem_login_link(
        &self,
        token: &str,
        now: i64,
        session_expires: i64,
        agent: Option<&str>,
    ) -> Result<Option<(UserKey, String)>, StoreError> {
        let session = secret()?;
        let agent: Option<String> = agent.map(|a| a.chars().take(120).collect());
        self.unit_of_work(|u| {
            let found: Option<UserKey> = u
                .c
                .query_row(
                    "UPDATE web_links SET used_at = ?2 WHERE token_hash = ?1 AND used_at IS NULL AND expires_at > ?2
                     RETURNING channel, user_id",
                    params![digest(token), now],
                    |r| Ok(UserKey { channel: r.get(0)?, id: r.get(1)? }),
                )
                .optional()?;
            let Some(user) = found else { return Ok(None) };
            u.c.execute(
                "INSERT INTO web_sessions (token_hash, channel, user_id, created_at, expires_at, last_seen, agent)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?4, ?6)",
                params![digest(&session), user.channel, user.id, now, session_expires, agent],
            )?;
            Ok(Some((user, session)))
        })
    }

    /// The session of a cookie's secret, if it is open: not revoked, not expired, and used
    /// within `idle` seconds. Notes the request (at most once a minute).
    pub fn web_session(&self, secret: &str, now: i64, idle: i64) -> Result<Option<WebSession>, StoreError> {
        let c = self.conn();
        let found = c
            .query_row(
                &format!(
                    "SELECT {SESSION_COLUMNS} FROM web_sessions
                     WHERE token_hash = ?1 AND revoked_at IS NULL AND expires_at > ?2 AND last_seen > ?3"
                ),
                params![digest(secret), now, now - idle],
                session_row,
            )
            .optional()?;
        if let Some(s) = &found
            && now - s.last_seen >= 60
        {
            c.execute("UPDATE web_sessions SET last_seen = ?2 WHERE id = ?1", params![s.id, now])?;
        }
        Ok(found)
    }

    /// Open sessions (of one user, or everyone's), newest first.
    pub fn web_sessions(
        &self,
        user: Option<&UserKey>,
        now: i64,
        idle: i64,
    ) -> Result<Vec<WebSession>, StoreError> {
        let c = self.reader();
        let mut st = c.prepare(&format!(
            "SELECT {SESSION_COLUMNS} FROM web_sessions
             WHERE revoked_at IS NULL AND expires_at > ?1 AND last_seen > ?2
               AND (?3 IS NULL OR (channel = ?3 AND user_id = ?4))
             ORDER BY id DESC LIMIT 200"
        ))?;
        let rows = st.query_map(
            params![now, now - idle, user.map(|u| u.channel), user.map(|u| u.id.as_str())],
            session_row,
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Ends a session (only `owner`'s when given); `true` if one was open.
    pub fn revoke_web_session(&self, id: i64, owner: Option<&UserKey>, now: i64) -> Result<bool, StoreError> {
        Ok(self.conn().execute(
            "UPDATE web_sessions SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL
               AND (?3 IS NULL OR (channel = ?3 AND user_id = ?4))",
            params![id, now, owner.map(|u| u.channel), owner.map(|u| u.id.as_str())],
        )? > 0)
    }

    /// Ends every session and unused link of a user (their role was taken back).
    pub fn revoke_web_access(&self, user: &UserKey, now: i64) -> Result<usize, StoreError> {
        let c = self.conn();
        c.execute(
            "DELETE FROM web_links WHERE channel = ?1 AND user_id = ?2 AND used_at IS NULL",
            params![user.channel, user.id],
        )?;
        Ok(c.execute(
            "UPDATE web_sessions SET revoked_at = ?3 WHERE channel = ?1 AND user_id = ?2 AND revoked_at IS NULL",
            params![user.channel, user.id, now],
        )?)
    }

    /// Writes an admin action to the audit log.
    pub fn audit(&self, who: &str, action: AuditAction, detail: &str, now: i64) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO audit_log (at, who, action, detail) VALUES (?1, ?2, ?3, ?4)",
            params![now, who, action, detail],
        )?;
        Ok(())
    }

    /// The latest audit entries, newest first.
    pub fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        let c = self.reader();
        let mut st =
            c.prepare("SELECT id, at, who, action, detail FROM audit_log ORDER BY id DESC LIMIT ?1")?;
        let rows = st.query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
            Ok(AuditEntry {
                id: r.get(0)?,
                at: r.get(1)?,
                who: r.get(2)?,
                action: r.get(3)?,
                detail: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// Deletes a user's links and sessions and unnames their audit entries (within the erasure's
/// transaction); returns the rows touched.
pub(super) fn erase_web(tx: &rusqlite::Transaction<'_>, k: &UserKey) -> Result<usize, StoreError> {
    let mut n = 0;
    for table in ["web_links", "web_sessions"] {
        n += tx.execute(
            &format!("DELETE FROM {table} WHERE channel = ?1 AND user_id = ?2"),
            params![k.channel, k.id],
        )?;
    }
    n += tx.execute("UPDATE audit_log SET who = 'deleted' WHERE who = ?1", [k.to_string()])?;
    Ok(n)
}

/// Purges spent links, ended sessions a day after they ended, and audit entries older than
/// `audit_cutoff`; returns the rows deleted.
pub(super) fn purge_web(
    tx: &rusqlite::Transaction<'_>,
    now: i64,
    audit_cutoff: i64,
) -> Result<usize, StoreError> {
    let day_ago = now - 86_400;
    Ok(tx.execute("DELETE FROM web_links WHERE expires_at < ?1", [day_ago])?
        + tx.execute(
            "DELETE FROM web_sessions WHERE expires_at < ?1 OR revoked_at < ?1 OR last_seen < ?1",
            [day_ago],
        )?
        + tx.execute("DELETE FROM audit_log WHERE at < ?1", [audit_cutoff])?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Channel;

    #[test]
    fn a_link_works_once_and_sessions_end() {
        let s = Store::in_memory().expect("store");
        let admin = UserKey::new(Channel::Telegram, "1");
        let t = s.create_login_link(&admin, 1000, 1600).expect("link");
        assert_eq!(t.len(), 64);
        assert!(s.redeem_login_link("nope", 1001, 9000, None).expect("redeem").is_none());
        let (who, secret) =
            s.redeem_login_link(&t, 1001, 9000, Some("Firefox")).expect("redeem").expect("ok");
        assert_eq!(who, admin);
        assert!(s.redeem_login_link(&t, 1002, 9000, None).expect("again").is_none(), "single use");
        let late = s.create_login_link(&admin, 2000, 2600).expect("link");
        assert!(s.redeem_login_link(&late, 2600, 9000, None).expect("late").is_none(), "expired");

        let open = s.web_session(&secret, 1100, 7200).expect("session").expect("open");
        assert_eq!((open.user.clone(), open.agent.as_deref()), (admin.clone(), Some("Firefox")));
        assert!(s.web_session(&secret, 1100 + 7201, 7200).expect("idle").is_none(), "idle too long");
        assert!(s.web_session(&secret, 9000, 1_000_000).expect("expired").is_none(), "expired");
        assert_eq!(s.web_sessions(Some(&admin), 1200, 7200).expect("list").len(), 1);
        let other = UserKey::new(Channel::Zalo, "z");
        assert!(!s.revoke_web_session(open.id, Some(&other), 1300).expect("not theirs"));
        assert!(s.revoke_web_session(open.id, Some(&admin), 1300).expect("revoke"));
        assert!(s.web_session(&secret, 1301, 7200).expect("revoked").is_none());
    }

    #[test]
    fn audit_entries_lose_their_author_on_erasure() {
        let s = Store::in_memory().expect("store");
        let admin = UserKey::new(Channel::Telegram, "1");
        s.give_consent(&admin, "v").expect("consent");
        s.audit(&admin.to_string(), AuditAction::Alert, "Cảnh báo số 3", 10).expect("audit");
        s.create_login_link(&admin, 10, 600).expect("link");
        assert!(s.delete_user(&admin).expect("delete"));
        let log = s.audit_log(10).expect("log");
        assert_eq!(log[0].who, "deleted");
        let links: i64 = s.conn().query_row("SELECT COUNT(*) FROM web_links", [], |r| r.get(0)).expect("n");
        assert_eq!(links, 0);
    }
}
