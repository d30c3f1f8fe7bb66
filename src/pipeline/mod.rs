//! How an update travels from a platform to the engine, the same in every mode (Telegram
//! webhook or long polling, Zalo webhook):
//!
//! 1. room is reserved in the [`Dispatcher`] (none: refuse with 503 before reading further);
//! 2. the update is written to the inbox by the [`Intake`] (deduplicated, group-committed);
//! 3. only then is it acknowledged (200, or the next `getUpdates` offset);
//! 4. it is handled in its chat's order, concurrently with other chats, and marked handled.
//!
//! After a crash, updates accepted and not handled are handled at the next start.

pub mod dispatch;
pub mod intake;

use std::sync::Arc;

pub use dispatch::{Dispatcher, Job, Slot};
pub use intake::{Intake, IntakeError, Writer};
use tracing::warn;

use crate::{metrics::Metrics, model::Channel, store::inbox::Pending};

/// A channel's handling of one accepted update from its raw payload (updates replayed after
/// a restart; fresh ones are offered already parsed).
pub trait Handler: Send + Sync + 'static {
    /// The work for one update (parsing, the engine, the replies).
    fn job(self: Arc<Self>, payload: Vec<u8>) -> Job;
}

/// How many chats are handled at once, and how many updates may wait.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Chats handled at the same time (each on a blocking thread for the engine).
    pub concurrency: usize,
    /// Updates accepted and not handled, beyond which new ones are refused.
    pub capacity: usize,
}

impl Default for Limits {
    fn default() -> Self {
        // Handling an update mostly waits on the platform's API; the engine's own CPU work
        // is bounded by the engine itself (`bot::Engine::handle_async`).
        Self { concurrency: 64, capacity: 1024 }
    }
}

/// The intake and the dispatcher together (cheap to clone).
#[derive(Debug, Clone)]
pub struct Pipeline {
    /// Durable acceptance.
    pub intake: Intake,
    /// Ordered, bounded handling.
    pub dispatcher: Dispatcher,
    /// Counters.
    pub metrics: Arc<Metrics>,
}

/// What became of an offered update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offer {
    /// Written and queued: acknowledge it.
    Accepted,
    /// Seen before: acknowledge it and do nothing.
    Duplicate,
}

impl Pipeline {
    /// A pipeline over an open intake.
    #[must_use]
    pub fn new(intake: Intake, limits: Limits, metrics: Arc<Metrics>) -> Self {
        Self { intake, dispatcher: Dispatcher::new(limits.concurrency, limits.capacity), metrics }
    }

    /// Room for one more update, or `None` (refuse with 503, counted).
    #[must_use]
    pub fn reserve(&self) -> Option<Slot> {
        let slot = self.dispatcher.reserve();
        if slot.is_none() {
            self.metrics.inc(&self.metrics.overloaded);
        }
        slot
    }

    /// Writes an update durably, then queues `work` (the update already parsed) in its
    /// chat. An `Err` means nothing was accepted: the caller must not acknowledge it.
    pub async fn offer(
        &self,
        slot: Slot,
        work: Job,
        channel: Channel,
        key: &str,
        chat: &str,
        payload: Vec<u8>,
    ) -> Result<Offer, IntakeError> {
        self.metrics.inc(&self.metrics.updates);
        if !self.intake.accept(channel, key, chat, payload).await? {
            self.metrics.inc(&self.metrics.duplicates);
            return Ok(Offer::Duplicate);
        }
        self.run(slot, work, channel, key, chat);
        Ok(Offer::Accepted)
    }

    /// Queues updates accepted before a restart (beyond capacity if need be).
    pub fn replay(&self, pending: Vec<Pending>, handler_of: impl Fn(Channel) -> Option<Arc<dyn Handler>>) {
        for p in pending {
            let Some(handler) = handler_of(p.channel) else {
                warn!(
                    channel = p.channel.as_str(),
                    "an unhandled update of a channel that is off now; it stays"
                );
                continue;
            };
            self.metrics.inc(&self.metrics.replayed);
            let slot = self.dispatcher.reserve_always();
            self.run(slot, handler.job(p.payload), p.channel, &p.key, &p.chat);
        }
    }

    fn run(&self, slot: Slot, work: Job, channel: Channel, key: &str, chat: &str) {
        let (intake, metrics, key) = (self.intake.clone(), self.metrics.clone(), key.to_owned());
        metrics.inc(&metrics.in_flight);
        self.dispatcher.submit(
            slot,
            &format!("{channel}:{chat}"),
            Box::pin(async move {
                work.await;
                intake.done(channel, &key).await;
                metrics.dec(&metrics.in_flight);
                metrics.inc(&metrics.handled);
            }),
        );
    }
}
