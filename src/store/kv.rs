//! The settings repository: small stored values (tokens, secrets, the campaign start).

use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError};

impl Store {
    /// A stored setting.
    pub fn kv_get(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn()
            .query_row("SELECT value FROM kv WHERE key = ?1", params![key], |r| r.get(0))
            .optional()?)
    }

    /// Stores several settings in one transaction (e.g. a rotated token pair: the new refresh
    /// token must never be lost once the old one is spent).
    pub fn kv_set_all(&self, pairs: &[(&str, &str)]) -> Result<(), StoreError> {
        let mut c = self.conn();
        let tx = c.transaction()?;
        for (k, v) in pairs {
            tx.execute(
                "INSERT INTO kv (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![k, v],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The stored setting, or `value` stored now if there was none (one step: two callers
    /// cannot store different values).
    pub fn kv_get_or_insert(&self, key: &str, value: &str) -> Result<String, StoreError> {
        let c = self.conn();
        c.execute("INSERT OR IGNORE INTO kv (key, value) VALUES (?1, ?2)", params![key, value])?;
        Ok(c.query_row("SELECT value FROM kv WHERE key = ?1", params![key], |r| r.get(0))?)
    }

    /// Stores a setting.
    pub fn kv_set(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO kv (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }
}
