//! What channels hand to the engine and what they get back; no platform types here.

use crate::model::action::Action;
use crate::rich::Rich;

pub use crate::model::{Channel, ChatKind};

/// The user who wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRef {
    /// Channel.
    pub channel: Channel,
    /// Platform user id.
    pub id: String,
}

/// The chat the message came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatRef {
    /// Platform chat id.
    pub id: String,
    /// Kind.
    pub kind: ChatKind,
}

/// What the user did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IncomingKind {
    /// Typed or pasted text.
    Text(String),
    /// A forwarded message (always checked).
    Forwarded(String),
    /// A command such as `/kiemtra …`.
    Command {
        /// Name without the slash (and without `@bot`).
        name: String,
        /// Everything after it.
        arg: String,
    },
    /// A button press with its data.
    Button(String),
    /// Something the bot cannot read (sticker, voice, file…), named.
    Unsupported(String),
    /// An image still on the platform (a Telegram file id, a Zalo attachment URL) with its
    /// caption; the channel fetches and reads it into [`IncomingKind::Image`].
    Photo {
        /// Where the channel fetches it.
        file: String,
        /// The text sent with it.
        caption: String,
    },
    /// An image read (OCR and QR codes), with its caption.
    Image {
        /// What was read, or why nothing could be.
        seen: crate::vision::Seen,
        /// The text sent with it.
        caption: String,
    },
    /// Started following / joined.
    Joined,
    /// Stopped following / blocked.
    Left,
    /// An answer to a quiz poll the bot sent (Telegram `poll_answer`).
    PollAnswer {
        /// The platform's poll id.
        poll_id: String,
        /// Chosen options, 0-based (empty: the vote was retracted).
        options: Vec<usize>,
        /// The name the user shows on the platform (stored only for group-quiz leaderboards).
        name: Option<String>,
    },
}

impl IncomingKind {
    /// `/name arg…` as a command (the name lowercased, the argument trimmed); `None` for text
    /// that does not start with a slash.
    #[must_use]
    pub fn command(text: &str) -> Option<Self> {
        let cmd = text.trim().strip_prefix('/')?;
        let (name, arg) = cmd.split_once(char::is_whitespace).unwrap_or((cmd, ""));
        Some(Self::Command { name: name.to_lowercase(), arg: arg.trim().to_owned() })
    }
}

/// One incoming event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incoming {
    /// Who.
    pub user: UserRef,
    /// Where.
    pub chat: ChatRef,
    /// What.
    pub kind: IncomingKind,
    /// In a group: the bot was commanded, mentioned or replied to.
    pub addressed: bool,
}

/// A button: a label and the encoded [`Action`] that comes back (ASCII, ≤ 64 bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Button {
    /// What the user sees.
    pub label: String,
    /// What comes back: [`Action::encode`] (empty for a link).
    pub data: String,
    /// A link the button opens instead of coming back to the bot.
    pub url: Option<String>,
}

impl Button {
    /// A button doing `action`.
    #[must_use]
    pub fn new(label: &str, action: Action) -> Self {
        Self { label: label.to_owned(), data: action.encode(), url: None }
    }

    /// A button opening `url` (an https address).
    #[must_use]
    pub fn link(label: &str, url: String) -> Self {
        Self { label: label.to_owned(), data: String::new(), url: Some(url) }
    }
}

/// A reply, rendered by each channel for its platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The text.
    pub body: Rich,
    /// Button rows under it.
    pub buttons: Vec<Vec<Button>>,
    /// A poll or a file sent after the text (the text is skipped when empty).
    pub attachment: Option<Attachment>,
}

/// A native quiz poll (Telegram's `sendPoll`); the channel reports the poll id it got back
/// with [`crate::bot::Engine::poll_sent`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuizPoll {
    /// The group-quiz session.
    pub session: i64,
    /// Index of the question in the session.
    pub index: usize,
    /// The question (numbered).
    pub question: String,
    /// The options.
    pub options: Vec<String>,
    /// Index of the correct option.
    pub correct: usize,
    /// Shown after answering.
    pub explanation: String,
    /// Seconds the poll stays open.
    pub open_period: u16,
}

/// A file for the user (e.g. a CSV export).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// File name shown to the user.
    pub file_name: String,
    /// Contents.
    pub bytes: Vec<u8>,
}

/// What a reply carries besides text and buttons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attachment {
    /// A quiz poll.
    Poll(QuizPoll),
    /// A file.
    Document(Document),
    /// An image (a tip card): sent with the text as its caption when the text is short enough.
    Photo(crate::cards::Card),
}

impl Reply {
    /// A reply without buttons.
    #[must_use]
    pub fn text(body: Rich) -> Self {
        Self { body, buttons: Vec::new(), attachment: None }
    }

    /// A reply of one plain paragraph.
    #[must_use]
    pub fn plain(text: impl Into<String>) -> Self {
        Self::text(Rich::new().para(text))
    }

    /// A reply with button rows under it.
    #[must_use]
    pub fn with_buttons(body: Rich, buttons: Vec<Vec<Button>>) -> Self {
        Self { body, buttons, attachment: None }
    }

    /// A reply with an attachment (a poll, a file) after the text.
    #[must_use]
    pub fn with_attachment(body: Rich, attachment: Attachment) -> Self {
        Self { body, buttons: Vec::new(), attachment: Some(attachment) }
    }

    /// Every button, row by row.
    pub fn all_buttons(&self) -> impl Iterator<Item = &Button> {
        self.buttons.iter().flatten()
    }
}
