//! canhgiac ("stay alert"): a fraud-awareness chatbot backend for Vietnamese public-sector staff.
//!
//! The library; the `canhgiac` binary is a thin command line over it. Dependencies point
//! downwards:
//!
//! - `app` (the composition root of `serve`) → `server` (HTTP: health, readiness, metrics,
//!   listener limits), `channels` (Telegram, Zalo, console: each brings its webhook routes)
//!   and `pipeline` (durable intake, per-chat ordering, bounded concurrency);
//! - → `bot` (the channel-agnostic engine: one dispatch over commands, buttons and texts);
//! - → `search`, `check`, `quiz`, `campaign`, `report`, `reports` (features: the implementation
//!   report, and scam reports with the register the checker consults and the imported lists);
//! - → `content`, `text`, `store` (the only SQL), `rich`, `vntime`, `metrics`;
//! - → `model` (the vocabulary: channels, roles, statuses, the command registry, button
//!   actions), which depends on nothing here.
//!
//! `assemble` builds the parts from `config`. The fake platform servers (`testing`) and the
//! dataset evaluation (`check::eval`) are compiled only with the `test-support` and `eval`
//! features, never into a release build.

pub mod app;
pub mod assemble;
pub mod bot;
pub mod campaign;
pub mod cards;
pub mod channels;
pub mod check;
pub mod config;
pub mod content;
pub mod metrics;
pub mod model;
pub mod pipeline;
pub mod quiz;
pub mod report;
pub mod reports;
pub mod rich;
pub mod search;
pub mod server;
pub mod store;
#[cfg(feature = "test-support")]
pub mod testing;
pub mod text;
pub mod vision;
pub mod vntime;
pub mod web;

/// Locks a mutex; a poisoned lock (a panic while it was held) is still used, since every
/// guarded state here stays consistent between statements.
pub(crate) fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Reads behind an `RwLock` (a writer's panic leaves the map whole: it only replaces entries).
pub(crate) fn lock_read<T>(m: &std::sync::RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    m.read().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Writes behind an `RwLock`.
pub(crate) fn lock_write<T>(m: &std::sync::RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    m.write().unwrap_or_else(std::sync::PoisonError::into_inner)
}
