//! The channel-agnostic conversation engine: `Incoming` in, `Vec<Reply>` out.

mod classify;
mod engine;
pub mod texts;
mod types;

pub use classify::looks_like_message;
pub use engine::{CACHE_TTL, Engine, EngineError};
pub use types::{Button, Channel, ChatKind, ChatRef, Incoming, IncomingKind, Reply, UserRef};
