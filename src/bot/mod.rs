//! The channel-agnostic conversation engine: `Incoming` in, `Vec<Reply>` out.

mod admin;
mod classify;
mod engine;
mod roles;
pub mod texts;
mod types;

pub use classify::looks_like_message;
pub use engine::{CACHE_TTL, Engine, EngineError};
pub use roles::{Role, Roles, RolesError};
pub use types::{Button, Channel, ChatKind, ChatRef, Incoming, IncomingKind, Reply, UserRef};
