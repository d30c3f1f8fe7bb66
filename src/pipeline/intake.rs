//! The durable intake: an update is written to the inbox table (deduplicated by its key)
//! before the platform gets its 200, and marked handled afterwards. One writer thread owns
//! its own connection with `synchronous = FULL` and commits whatever arrived meanwhile in one
//! transaction (group commit): an acknowledged update survives `kill -9` and even a power
//! cut, and throughput does not fall to one disk sync per update.

use std::{path::Path, thread::JoinHandle, time::Duration};

use rusqlite::Connection;
use thiserror::Error;
use tokio::sync::{mpsc, oneshot};
use tracing::{info, warn};

use crate::{
    model::Channel,
    store::{
        StoreError,
        inbox::{self, Pending},
    },
};

/// Most commands committed in one transaction.
const BATCH: usize = 1024;
/// Commands waiting for the writer; beyond this, callers are refused (503).
const QUEUE: usize = 16 * 1024;

/// Intake failures.
#[derive(Debug, Error)]
pub enum IntakeError {
    /// The inbox could not be opened or written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// SQLite failed.
    #[error("inbox database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The writer is gone (shutting down) or its queue is full.
    #[error("the inbox is not taking updates now")]
    Unavailable,
    /// The write failed; nothing was acknowledged.
    #[error("the inbox write failed: {0}")]
    Write(String),
}

enum Cmd {
    Accept {
        channel: Channel,
        key: String,
        chat: String,
        payload: Vec<u8>,
        reply: oneshot::Sender<Result<bool, String>>,
    },
    Done {
        channel: Channel,
        key: String,
    },
    Probe {
        reply: oneshot::Sender<Result<(), String>>,
    },
}

/// The intake (cheap to clone).
#[derive(Debug, Clone)]
pub struct Intake {
    tx: mpsc::Sender<Cmd>,
}

/// The writer thread; [`Writer::finish`] waits for the last commits.
#[derive(Debug)]
pub struct Writer {
    thread: Option<JoinHandle<()>>,
}

impl Writer {
    /// Waits (off the async runtime) until every intake handle is dropped and the writer has
    /// committed what it had.
    pub async fn finish(mut self) {
        if let Some(t) = self.thread.take() {
            let _ = tokio::task::spawn_blocking(move || t.join()).await;
        }
    }
}

impl Intake {
    /// Opens the inbox in the store's database file and starts the writer. Returns the
    /// updates accepted before a restart and not handled, to be handled first.
    pub fn open(db: &Path) -> Result<(Self, Writer, Vec<Pending>), IntakeError> {
        let conn = Connection::open(db)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        // Erased payloads are overwritten, not left in free pages.
        conn.pragma_update(None, "secure_delete", "ON")?;
        // The writer only appends and marks recent rows: a small page cache is enough.
        conn.pragma_update(None, "cache_size", -512)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        let pending = inbox::pending(&conn)?;
        let pruned = inbox::prune(&conn)?;
        if !pending.is_empty() || pruned > 0 {
            info!(pending = pending.len(), pruned, "inbox opened");
        }
        let (tx, rx) = mpsc::channel(QUEUE);
        let thread = std::thread::Builder::new()
            .name("inbox-writer".into())
            .spawn(move || write_loop(conn, rx))
            .map_err(|e| IntakeError::Write(e.to_string()))?;
        Ok((Self { tx }, Writer { thread: Some(thread) }, pending))
    }

    /// Writes an update durably. `Ok(true)`: new, handle it; `Ok(false)`: a duplicate.
    pub async fn accept(
        &self,
        channel: Channel,
        key: &str,
        chat: &str,
        payload: Vec<u8>,
    ) -> Result<bool, IntakeError> {
        let (reply, answer) = oneshot::channel();
        let cmd = Cmd::Accept { channel, key: key.to_owned(), chat: chat.to_owned(), payload, reply };
        self.tx.try_send(cmd).map_err(|_| IntakeError::Unavailable)?;
        answer.await.map_err(|_| IntakeError::Unavailable)?.map_err(IntakeError::Write)
    }

    /// Marks an update handled (its payload is erased).
    pub async fn done(&self, channel: Channel, key: &str) {
        if self.tx.send(Cmd::Done { channel, key: key.to_owned() }).await.is_err() {
            warn!("inbox closed before an update was marked handled; it will be handled again");
        }
    }

    /// Proves the inbox can be written (a transaction through the writer).
    pub async fn probe(&self) -> Result<(), IntakeError> {
        let (reply, answer) = oneshot::channel();
        self.tx.try_send(Cmd::Probe { reply }).map_err(|_| IntakeError::Unavailable)?;
        answer.await.map_err(|_| IntakeError::Unavailable)?.map_err(IntakeError::Write)
    }
}

fn write_loop(mut conn: Connection, mut rx: mpsc::Receiver<Cmd>) {
    let mut since_prune = 0usize;
    while let Some(first) = rx.blocking_recv() {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match rx.try_recv() {
                Ok(cmd) => batch.push(cmd),
                Err(_) => break,
            }
        }
        let results = commit(&mut conn, &batch);
        for (cmd, result) in batch.into_iter().zip(results) {
            match cmd {
                Cmd::Accept { reply, .. } => {
                    let _ = reply.send(result);
                }
                Cmd::Probe { reply } => {
                    let _ = reply.send(result.map(|_| ()));
                }
                Cmd::Done { .. } => {
                    if let Err(e) = result {
                        warn!(error = %e, "could not mark an update handled; it will be handled again after a restart");
                    }
                }
            }
        }
        since_prune += 1;
        if since_prune >= 4096 {
            since_prune = 0;
            if let Err(e) = inbox::prune(&conn) {
                warn!(error = %e, "inbox prune failed");
            }
        }
    }
}

/// One transaction for the whole batch; on failure every command gets the error.
fn commit(conn: &mut Connection, batch: &[Cmd]) -> Vec<Result<bool, String>> {
    let run = |conn: &mut Connection| -> Result<Vec<bool>, StoreError> {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut out = Vec::with_capacity(batch.len());
        for cmd in batch {
            out.push(match cmd {
                Cmd::Accept { channel, key, chat, payload, .. } => {
                    inbox::insert(&tx, *channel, key, chat, payload)?
                }
                Cmd::Done { channel, key } => {
                    inbox::done(&tx, *channel, key)?;
                    true
                }
                Cmd::Probe { .. } => {
                    inbox::count_pending(&tx)?;
                    true
                }
            });
        }
        tx.commit()?;
        Ok(out)
    };
    match run(conn) {
        Ok(v) => v.into_iter().map(Ok).collect(),
        Err(e) => {
            let e = e.to_string();
            batch.iter().map(|_| Err(e.clone())).collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn accepted_updates_survive_a_restart_until_handled() {
        let dir = tempfile::tempdir().expect("dir");
        let db = {
            let store = crate::store::Store::open(dir.path()).expect("store");
            store.path().expect("file").to_path_buf()
        };
        {
            let (intake, writer, pending) = Intake::open(&db).expect("open");
            assert!(pending.is_empty());
            assert!(intake.accept(Channel::Telegram, "1", "c1", b"one".to_vec()).await.expect("accept"));
            assert!(
                !intake.accept(Channel::Telegram, "1", "c1", b"one".to_vec()).await.expect("again"),
                "duplicate"
            );
            assert!(intake.accept(Channel::Zalo, "1", "z", b"zalo".to_vec()).await.expect("other channel"));
            assert!(intake.accept(Channel::Telegram, "2", "c1", b"two".to_vec()).await.expect("accept"));
            intake.done(Channel::Telegram, "1").await;
            intake.probe().await.expect("probe");
            drop(intake);
            writer.finish().await;
        }
        let (intake, writer, pending) = Intake::open(&db).expect("reopen");
        let keys: Vec<(Channel, &str, &[u8])> =
            pending.iter().map(|p| (p.channel, p.key.as_str(), p.payload.as_slice())).collect();
        assert_eq!(keys, [(Channel::Zalo, "1", &b"zalo"[..]), (Channel::Telegram, "2", &b"two"[..])]);
        assert!(
            !intake.accept(Channel::Telegram, "1", "c1", b"one".to_vec()).await.expect("still a duplicate")
        );
        drop(intake);
        writer.finish().await;
    }
}
