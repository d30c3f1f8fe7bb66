//! The channel-agnostic conversation engine: `Incoming` in, `Vec<Reply>` out.
//!
//! - `engine`: the dispatch (commands, buttons, texts) and the user's context;
//! - the command registry and the button actions live in `model` (the bottom vocabulary);
//! - `conversation`: the state between two messages (behind a trait);
//! - one module per feature: `inquiry` (check and ask), `personal_quiz`, `admin` (campaign),
//!   `group_quiz` (trainers);
//! - `privacy` (the notice users agree to) and `subject` (consent, withdrawal and the data
//!   subject's requests);
//! - `image`: forwarded images (screenshots, photos, QR codes) read and checked;
//! - `tip_card`: `/meo`, this week's tip as a card with a share button;
//! - `classify` routes free text; `texts` holds the fixed sentences; `types` what channels see.

mod admin;
pub mod classify;
pub mod conversation;
mod engine;
mod group_quiz;
pub mod image;
mod inquiry;
mod personal_quiz;
pub mod privacy;
mod reporting;
mod roles;
mod subject;
pub mod texts;
mod tip_card;
mod types;

pub use crate::model::{
    action::{self, Action},
    commands::{self, COMMANDS, Command},
};
pub use admin::AlertDraft;
pub use classify::{Route, Router};
pub use conversation::{CACHE_TTL, Conversations, MemoryConversations};
pub use engine::{Engine, EngineError};
pub use group_quiz::GroupPost;
pub use privacy::Notice;
pub use roles::{Role, Roles, RolesError, parse_user};
pub use types::{
    Attachment, Button, Channel, ChatKind, ChatRef, Document, Incoming, IncomingKind, QuizPoll, Reply,
    UserRef,
};
