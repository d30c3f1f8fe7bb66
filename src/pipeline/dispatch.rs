//! Per-chat ordering with bounded concurrency: the updates of one chat are handled one after
//! another in the order they were accepted; different chats run at the same time, at most
//! `concurrency` at once; at most `capacity` updates wait, and beyond that a caller is told
//! to refuse (503) before it accepts anything. Every task is tracked, so shutdown can drain
//! what is in flight within a deadline.

use std::{
    collections::{HashMap, VecDeque},
    future::Future,
    pin::Pin,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use tokio::sync::Semaphore;
use tokio_util::task::TaskTracker;

/// One unit of work (handling one update).
pub type Job = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

struct Inner {
    queues: Mutex<HashMap<String, VecDeque<Job>>>,
    waiting: AtomicUsize,
    capacity: usize,
    workers: Arc<Semaphore>,
    tracker: TaskTracker,
}

/// The dispatcher (cheap to clone).
#[derive(Clone)]
pub struct Dispatcher {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dispatcher")
            .field("waiting", &self.inner.waiting.load(Ordering::Relaxed))
            .field("capacity", &self.inner.capacity)
            .finish_non_exhaustive()
    }
}

/// Room for one update, reserved before it is accepted; given back if unused.
pub struct Slot {
    inner: Option<Arc<Inner>>,
}

impl std::fmt::Debug for Slot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Slot").finish_non_exhaustive()
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Some(inner) = self.inner.take() {
            inner.waiting.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

impl Dispatcher {
    /// At most `concurrency` chats handled at once and `capacity` updates waiting.
    #[must_use]
    pub fn new(concurrency: usize, capacity: usize) -> Self {
        Self {
            inner: Arc::new(Inner {
                queues: Mutex::new(HashMap::new()),
                waiting: AtomicUsize::new(0),
                capacity: capacity.max(1),
                workers: Arc::new(Semaphore::new(concurrency.max(1))),
                tracker: TaskTracker::new(),
            }),
        }
    }

    /// Reserves room for one update; `None` when the bot is at capacity (refuse early).
    #[must_use]
    pub fn reserve(&self) -> Option<Slot> {
        let inner = &self.inner;
        inner
            .waiting
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| (n < inner.capacity).then_some(n + 1))
            .ok()
            .map(|_| Slot { inner: Some(inner.clone()) })
    }

    /// Reserves room even beyond capacity (updates accepted before a restart must run).
    #[must_use]
    pub fn reserve_always(&self) -> Slot {
        self.inner.waiting.fetch_add(1, Ordering::AcqRel);
        Slot { inner: Some(self.inner.clone()) }
    }

    /// Updates accepted and not finished.
    #[must_use]
    pub fn waiting(&self) -> usize {
        self.inner.waiting.load(Ordering::Acquire)
    }

    /// Runs `job` after the chat's earlier jobs.
    pub fn submit(&self, mut slot: Slot, chat: &str, job: Job) {
        // The slot is released when the job has run (not before): capacity counts waiting
        // and running jobs alike.
        let _ = slot.inner.take();
        let mut queues = crate::lock(&self.inner.queues);
        if let Some(queue) = queues.get_mut(chat) {
            queue.push_back(job);
            return;
        }
        queues.insert(chat.to_owned(), VecDeque::new());
        drop(queues);
        let inner = self.inner.clone();
        let chat = chat.to_owned();
        self.inner.tracker.spawn(async move {
            let mut next = Some(job);
            while let Some(job) = next.take() {
                {
                    // The semaphore is never closed, so acquiring only waits.
                    let _permit = inner.workers.clone().acquire_owned().await;
                    job.await;
                }
                inner.waiting.fetch_sub(1, Ordering::AcqRel);
                let mut queues = crate::lock(&inner.queues);
                match queues.get_mut(&chat).and_then(VecDeque::pop_front) {
                    Some(job) => next = Some(job),
                    None => {
                        queues.remove(&chat);
                    }
                }
            }
        });
    }

    /// Stops taking work and waits up to `deadline` for what is in flight. True when
    /// everything finished.
    pub async fn drain(&self, deadline: Duration) -> bool {
        self.inner.tracker.close();
        tokio::time::timeout(deadline, self.inner.tracker.wait()).await.is_ok()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex as StdMutex;

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn one_chat_in_order_many_chats_at_once() {
        let d = Dispatcher::new(8, 100);
        let log = Arc::new(StdMutex::new(Vec::new()));
        let started = Arc::new(AtomicUsize::new(0));
        for chat in ["a", "b"] {
            for i in 0..5u64 {
                let (log, started) = (log.clone(), started.clone());
                let slot = d.reserve().expect("room");
                d.submit(
                    slot,
                    chat,
                    Box::pin(async move {
                        started.fetch_add(1, Ordering::SeqCst);
                        // Later jobs of a chat finish sooner if they could overtake.
                        tokio::time::sleep(Duration::from_millis(20 - i * 4)).await;
                        log.lock().expect("log").push(format!("{chat}{i}"));
                    }),
                );
            }
        }
        let t = std::time::Instant::now();
        assert!(d.drain(Duration::from_secs(5)).await);
        let log = log.lock().expect("log").clone();
        for chat in ["a", "b"] {
            let mine: Vec<&String> = log.iter().filter(|e| e.starts_with(chat)).collect();
            let want: Vec<String> = (0..5).map(|i| format!("{chat}{i}")).collect();
            assert_eq!(mine, want.iter().collect::<Vec<_>>(), "in order within a chat");
        }
        // Two chats side by side: well under the 120 ms of running all ten in a row.
        assert!(t.elapsed() < Duration::from_millis(110), "{:?}", t.elapsed());
        assert_eq!(d.waiting(), 0);
    }

    #[tokio::test]
    async fn capacity_is_refused_early_and_given_back() {
        let d = Dispatcher::new(1, 2);
        let a = d.reserve().expect("first");
        let _b = d.reserve().expect("second");
        assert!(d.reserve().is_none(), "full");
        drop(a);
        assert!(d.reserve().is_some(), "an unused slot is given back");
    }

    #[tokio::test]
    async fn drain_gives_up_at_the_deadline() {
        let d = Dispatcher::new(1, 10);
        let slot = d.reserve().expect("room");
        d.submit(slot, "x", Box::pin(tokio::time::sleep(Duration::from_secs(30))));
        assert!(!d.drain(Duration::from_millis(50)).await);
    }
}
