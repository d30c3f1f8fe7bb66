//! canhgiac ("stay alert"): a fraud-awareness chatbot backend for Vietnamese public-sector staff.
//!
//! Content is data (`content`), text processing is shared (`text`), search answers questions
//! from the handbook (`search`), and the command line (`cli`) drives it all.

pub mod app;
pub mod assemble;
pub mod bot;
pub mod campaign;
pub mod channels;
pub mod check;
pub mod config;
pub mod content;
pub mod metrics;
pub mod model;
pub mod pipeline;
pub mod quiz;
pub mod report;
pub mod rich;
pub mod search;
pub mod server;
pub mod store;
#[cfg(feature = "test-support")]
pub mod testing;
pub mod text;
pub mod vntime;

/// Locks a mutex; a poisoned lock (a panic while it was held) is still used, since every
/// guarded state here stays consistent between statements.
pub(crate) fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
