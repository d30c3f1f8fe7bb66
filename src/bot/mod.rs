//! The channel-agnostic conversation engine: `Incoming` in, `Vec<Reply>` out.

mod admin;
pub mod classify;
mod engine;
mod roles;
pub mod texts;
mod types;

pub use classify::{Route, Router};
pub use engine::{CACHE_TTL, Engine, EngineError, GroupPost};
pub use roles::{Role, Roles, RolesError, parse_user};
pub use types::{
    Attachment, Button, Channel, ChatKind, ChatRef, Document, Incoming, IncomingKind, QuizPoll, Reply,
    UserRef,
};
