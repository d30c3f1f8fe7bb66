//! Conversation state between two messages of one user: what their next text should be
//! treated as (after "Kiểm tra tin nhắn" or "Hỏi đáp"), and the texts they pasted a moment ago,
//! kept for the "more" buttons. Behind a trait so the engine does not care where it lives;
//! the default keeps it in memory only, for at most [`CACHE_TTL`], as the privacy notice says
//! (message text is never written to disk), within [`CACHE_BYTES`] in all (the oldest go
//! first). Only the text is kept, not what the checker made of it: the checker is
//! deterministic and fast, so "why" checks it again.

use std::{
    collections::{HashMap, VecDeque},
    sync::Mutex,
    time::{Duration, Instant},
};

use crate::model::UserKey;

/// How long a pasted text (and a pending mode) is kept.
pub const CACHE_TTL: Duration = Duration::from_secs(15 * 60);
/// Most bytes of text kept at once (the oldest go first).
pub const CACHE_BYTES: usize = 8 * 1024 * 1024;

/// What a pending "next text" should be treated as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Check it as a message.
    Check,
    /// Answer it as a question.
    Ask,
    /// Report what it names as a scam.
    Report,
}

/// A text the user sent a moment ago, with what the bot made of it.
#[derive(Debug, Clone)]
pub struct Remembered {
    /// The text.
    pub text: String,
    /// It was checked as a message (its verdict can be explained).
    pub checked: bool,
    /// The entry that answered it, when it was a question.
    pub answer: Option<String>,
}

impl Remembered {
    /// Memory it takes, roughly.
    fn cost(&self) -> usize {
        self.text.len() + self.answer.as_ref().map_or(0, String::len) + 96
    }
}

/// Where conversation state lives.
pub trait Conversations: Send + Sync + std::fmt::Debug {
    /// The user's next text is to be treated as `mode`.
    fn set_mode(&self, user: &UserKey, mode: Mode);
    /// The pending mode, if any and still fresh; it is used up.
    fn take_mode(&self, user: &UserKey) -> Option<Mode>;
    /// Keeps a text for the "more" buttons; returns its id.
    fn remember(&self, user: &UserKey, item: Remembered) -> u64;
    /// A text kept for this user (never another user's), if still fresh.
    fn recall(&self, user: &UserKey, id: u64) -> Option<Remembered>;
    /// Forgets everything about a user (they deleted their data).
    fn forget(&self, user: &UserKey);
    /// Notes that the user, who has not agreed to the privacy notice, has just been shown it;
    /// returns whether they had been already (within the lifetime), so that the notice is
    /// not repeated under every answer.
    fn note_asked(&self, user: &UserKey) -> bool;
    /// Notes that a user who has not agreed yet follows the OA (Zalo), so that agreeing in
    /// any way (typed, or a later notice's button) still records it.
    fn note_follow(&self, user: &UserKey);
    /// Whether the user followed a moment ago (within the lifetime); used up.
    fn take_follow(&self, user: &UserKey) -> bool;
}

#[derive(Debug)]
struct Kept {
    owner: UserKey,
    item: Remembered,
    at: Instant,
}

#[derive(Debug, Default)]
struct State {
    next_id: u64,
    items: HashMap<u64, Kept>,
    /// Ids in the order they were kept (ids only grow), for expiry and the cap.
    order: VecDeque<u64>,
    bytes: usize,
    modes: HashMap<UserKey, (Mode, Instant)>,
    /// Users shown the privacy notice, and when.
    asked: HashMap<UserKey, Instant>,
    /// Users who followed before agreeing, and when.
    follows: HashMap<UserKey, Instant>,
}

/// Conversation state in memory, bounded in time ([`CACHE_TTL`]) and size ([`CACHE_BYTES`]).
#[derive(Debug)]
pub struct MemoryConversations {
    ttl: Duration,
    budget: usize,
    state: Mutex<State>,
}

impl Default for MemoryConversations {
    fn default() -> Self {
        Self::new(CACHE_TTL, CACHE_BYTES)
    }
}

impl MemoryConversations {
    /// With a lifetime and a bound on the bytes kept.
    #[must_use]
    pub fn new(ttl: Duration, budget: usize) -> Self {
        Self { ttl, budget: budget.max(1), state: Mutex::new(State::default()) }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        crate::lock(&self.state)
    }
}

impl Conversations for MemoryConversations {
    fn set_mode(&self, user: &UserKey, mode: Mode) {
        let mut s = self.state();
        let ttl = self.ttl;
        if s.modes.len() >= 4096 {
            s.modes.retain(|_, (_, at)| at.elapsed() < ttl);
        }
        s.modes.insert(user.clone(), (mode, Instant::now()));
    }

    fn take_mode(&self, user: &UserKey) -> Option<Mode> {
        let (mode, at) = self.state().modes.remove(user)?;
        (at.elapsed() < self.ttl).then_some(mode)
    }

    fn remember(&self, user: &UserKey, item: Remembered) -> u64 {
        let mut s = self.state();
        let cost = item.cost();
        // Drop what expired or overflows, oldest first: amortised O(1) per call.
        while let Some(&oldest) = s.order.front() {
            let stale = s.items.get(&oldest).is_none_or(|k| k.at.elapsed() >= self.ttl);
            if !stale && s.bytes + cost <= self.budget {
                break;
            }
            s.order.pop_front();
            if let Some(k) = s.items.remove(&oldest) {
                s.bytes -= k.item.cost();
            }
        }
        s.next_id += 1;
        let id = s.next_id;
        s.bytes += cost;
        s.items.insert(id, Kept { owner: user.clone(), item, at: Instant::now() });
        s.order.push_back(id);
        id
    }

    fn recall(&self, user: &UserKey, id: u64) -> Option<Remembered> {
        let s = self.state();
        let k = s.items.get(&id)?;
        (k.owner == *user && k.at.elapsed() < self.ttl).then(|| k.item.clone())
    }

    fn forget(&self, user: &UserKey) {
        let mut s = self.state();
        let mut freed = 0;
        s.items.retain(|_, k| {
            let mine = k.owner == *user;
            if mine {
                freed += k.item.cost();
            }
            !mine
        });
        s.bytes -= freed;
        s.modes.remove(user);
        s.follows.remove(user);
    }

    fn note_asked(&self, user: &UserKey) -> bool {
        let mut s = self.state();
        let ttl = self.ttl;
        if s.asked.len() >= 4096 {
            s.asked.retain(|_, at| at.elapsed() < ttl);
        }
        s.asked.insert(user.clone(), Instant::now()).is_some_and(|at| at.elapsed() < ttl)
    }

    fn note_follow(&self, user: &UserKey) {
        let mut s = self.state();
        let ttl = self.ttl;
        if s.follows.len() >= 4096 {
            s.follows.retain(|_, at| at.elapsed() < ttl);
        }
        s.follows.insert(user.clone(), Instant::now());
    }

    fn take_follow(&self, user: &UserKey) -> bool {
        self.state().follows.remove(user).is_some_and(|at| at.elapsed() < self.ttl)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Channel;

    fn text(t: &str) -> Remembered {
        Remembered { text: t.into(), checked: false, answer: None }
    }

    #[test]
    fn texts_are_private_bounded_and_forgotten() {
        // Room for three short texts.
        let c = MemoryConversations::new(CACHE_TTL, 3 * (96 + 4));
        let (a, b) = (UserKey::new(Channel::Telegram, "a"), UserKey::new(Channel::Zalo, "a"));
        let id = c.remember(&a, text("một"));
        assert_eq!(c.recall(&a, id).map(|r| r.text), Some("một".into()));
        assert!(c.recall(&b, id).is_none(), "another user's text is never shown");
        for t in ["hai", "ba", "bốn"] {
            c.remember(&a, text(t));
        }
        assert!(c.recall(&a, id).is_none(), "the oldest goes when the cap is reached");
        c.set_mode(&a, Mode::Ask);
        c.forget(&a);
        assert_eq!(c.take_mode(&a), None);
        assert!(c.recall(&a, id + 3).is_none());
    }

    #[test]
    fn modes_are_used_once_and_expire() {
        let c = MemoryConversations::new(Duration::ZERO, 10);
        let a = UserKey::new(Channel::Telegram, "a");
        c.set_mode(&a, Mode::Check);
        assert_eq!(c.take_mode(&a), None, "expired");
        let c = MemoryConversations::default();
        c.set_mode(&a, Mode::Check);
        assert_eq!(c.take_mode(&a), Some(Mode::Check));
        assert_eq!(c.take_mode(&a), None, "used up");
    }
}
