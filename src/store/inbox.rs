//! The inbox repository: updates written before they are acknowledged, read back after a
//! crash, and erased (payload emptied) once handled. Functions on a plain connection, because
//! the intake writes through its own connection (see `pipeline::intake`).

use rusqlite::{Connection, params};

use super::{StoreError, now};
use crate::model::Channel;

/// How long a handled update's key is kept to drop duplicate deliveries.
pub const KEEP_KEYS: i64 = 7 * 86_400;

/// An update accepted and not yet handled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    /// Channel.
    pub channel: Channel,
    /// The platform's update or event key.
    pub key: String,
    /// The chat it belongs to (its updates are handled in order).
    pub chat: String,
    /// The raw update.
    pub payload: Vec<u8>,
}

/// Writes an update; false when its key was seen before (a duplicate delivery).
pub fn insert(
    c: &Connection,
    channel: Channel,
    key: &str,
    chat: &str,
    payload: &[u8],
) -> Result<bool, StoreError> {
    let mut st = c.prepare_cached(
        "INSERT OR IGNORE INTO inbox (channel, update_key, chat_key, payload, received_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    Ok(st.execute(params![channel, key, chat, payload, now()])? > 0)
}

/// Marks an update handled and erases its payload.
pub fn done(c: &Connection, channel: Channel, key: &str) -> Result<(), StoreError> {
    let mut st = c.prepare_cached(
        "UPDATE inbox SET done_at = ?3, payload = X'' WHERE channel = ?1 AND update_key = ?2 AND done_at IS NULL",
    )?;
    st.execute(params![channel, key, now()])?;
    Ok(())
}

/// Updates accepted and not handled, oldest first.
pub fn pending(c: &Connection) -> Result<Vec<Pending>, StoreError> {
    let mut st = c.prepare(
        "SELECT channel, update_key, chat_key, payload FROM inbox WHERE done_at IS NULL ORDER BY received_at, rowid",
    )?;
    let rows = st.query_map([], |r| {
        Ok(Pending { channel: r.get(0)?, key: r.get(1)?, chat: r.get(2)?, payload: r.get(3)? })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Forgets keys of updates handled more than [`KEEP_KEYS`] ago. Returns how many.
pub fn prune(c: &Connection) -> Result<usize, StoreError> {
    Ok(c.execute("DELETE FROM inbox WHERE done_at IS NOT NULL AND done_at < ?1", params![now() - KEEP_KEYS])?)
}

/// Updates accepted and not yet handled.
pub fn count_pending(c: &Connection) -> Result<i64, StoreError> {
    Ok(c.query_row("SELECT COUNT(*) FROM inbox WHERE done_at IS NULL", [], |r| r.get(0))?)
}
