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
pub const CACHE_BYTES: usize = 4 * 1024 * 1024;

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
    /// Memory it takes with its bookkeeping: the texts' heap blocks, and its slot in the
    /// queue counted at the queue's worst load (half full, just after it grew), with the
    /// owner's id and the allocator's headers.
    fn cost(&self) -> usize {
        const ENTRY: usize = 2 * std::mem::size_of::<Option<Kept>>() + 3 * 16 + 32;
        self.text.capacity() + self.answer.as_ref().map_or(0, String::capacity) + ENTRY
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

/// Users tracked at most per kind of note (modes, notices shown, follows): beyond it the oldest
/// notes go, so a flood of new users cannot grow memory.
const MAX_NOTED: usize = 50_000;

/// Notes per user that expire: a map, and the users in the order they were first noted so
/// that expiry and the cap drop the oldest first in amortised O(1) per call. Noting a user
/// again only refreshes the map: their place in the queue moves to the back when it comes up
/// (one queue entry per user, however often they write).
#[derive(Debug)]
struct Expiring<V> {
    map: HashMap<UserKey, (V, Instant)>,
    order: VecDeque<(UserKey, Instant)>,
}

impl<V> Default for Expiring<V> {
    fn default() -> Self {
        Self { map: HashMap::new(), order: VecDeque::new() }
    }
}

impl<V> Expiring<V> {
    /// Notes `value` for `user` now (after dropping what expired); the previous note.
    fn insert(&mut self, user: &UserKey, value: V, ttl: Duration) -> Option<(V, Instant)> {
        let now = Instant::now();
        // The cap makes room only for a user not noted yet.
        let room = usize::from(!self.map.contains_key(user));
        while let Some((_, at)) = self.order.front() {
            let over = self.map.len() + room > MAX_NOTED || self.order.len() >= 2 * MAX_NOTED;
            if !over && now.duration_since(*at) < ttl {
                break;
            }
            let Some((oldest, at)) = self.order.pop_front() else { break };
            match self.map.get(&oldest).map(|(_, t)| *t) {
                // Noted again since, and still fresh: back of the queue with that time.
                Some(t) if t > at && !over && now.duration_since(t) < ttl => {
                    self.order.push_back((oldest, t))
                }
                // Expired, or the oldest under the cap.
                Some(t) if t >= at || over => {
                    self.map.remove(&oldest);
                }
                // Removed and noted anew: the newer note has its own place.
                _ => {}
            }
        }
        match self.map.get_mut(user) {
            Some(note) => Some(std::mem::replace(note, (value, now))),
            None => {
                self.order.push_back((user.clone(), now));
                self.map.insert(user.clone(), (value, now))
            }
        }
    }

    fn remove(&mut self, user: &UserKey) -> Option<(V, Instant)> {
        self.map.remove(user)
    }
}

#[derive(Debug, Default)]
struct State {
    /// Texts in the order they were kept; the one at `i` has id `first + i + 1` (ids only
    /// grow, so the oldest are at the front; a forgotten text leaves an empty slot).
    kept: VecDeque<Option<Kept>>,
    /// Texts dropped from the front so far.
    first: u64,
    bytes: usize,
    modes: Expiring<Mode>,
    /// Users shown the privacy notice, and when.
    asked: Expiring<()>,
    /// Users who followed before agreeing, and when.
    follows: Expiring<()>,
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
        let ttl = self.ttl;
        self.state().modes.insert(user, mode, ttl);
    }

    fn take_mode(&self, user: &UserKey) -> Option<Mode> {
        let (mode, at) = self.state().modes.remove(user)?;
        (at.elapsed() < self.ttl).then_some(mode)
    }

    fn remember(&self, user: &UserKey, item: Remembered) -> u64 {
        let mut s = self.state();
        let cost = item.cost();
        // Drop what expired or overflows, oldest first: amortised O(1) per call.
        while let Some(front) = s.kept.front() {
            let stale = front.as_ref().is_none_or(|k| k.at.elapsed() >= self.ttl);
            if !stale && s.bytes + cost <= self.budget {
                break;
            }
            if let Some(Some(k)) = s.kept.pop_front() {
                s.bytes -= k.item.cost();
            }
            s.first += 1;
        }
        s.bytes += cost;
        s.kept.push_back(Some(Kept { owner: user.clone(), item, at: Instant::now() }));
        s.first + s.kept.len() as u64
    }

    fn recall(&self, user: &UserKey, id: u64) -> Option<Remembered> {
        let s = self.state();
        let i = usize::try_from(id.checked_sub(s.first + 1)?).ok()?;
        let k = s.kept.get(i)?.as_ref()?;
        (k.owner == *user && k.at.elapsed() < self.ttl).then(|| k.item.clone())
    }

    fn forget(&self, user: &UserKey) {
        let mut s = self.state();
        let mut freed = 0;
        for slot in &mut s.kept {
            if slot.as_ref().is_some_and(|k| k.owner == *user) {
                freed += slot.take().map_or(0, |k| k.item.cost());
            }
        }
        s.bytes -= freed;
        s.modes.remove(user);
        s.follows.remove(user);
    }

    fn note_asked(&self, user: &UserKey) -> bool {
        let ttl = self.ttl;
        self.state().asked.insert(user, (), ttl).is_some_and(|(_, at)| at.elapsed() < ttl)
    }

    fn note_follow(&self, user: &UserKey) {
        let ttl = self.ttl;
        self.state().follows.insert(user, (), ttl);
    }

    fn take_follow(&self, user: &UserKey) -> bool {
        self.state().follows.remove(user).is_some_and(|(_, at)| at.elapsed() < self.ttl)
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
        let c = MemoryConversations::new(CACHE_TTL, 3 * text("bốn").cost());
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

    #[test]
    fn notes_stay_bounded_and_cheap_with_many_users() {
        let c = MemoryConversations::default();
        let started = Instant::now();
        for i in 0..(MAX_NOTED + 10_000) {
            let u = UserKey::new(Channel::Telegram, &i.to_string());
            assert!(!c.note_asked(&u), "a new user was not shown the notice yet");
        }
        // Each note is O(1): 60,000 of them take well under a second even in a debug build
        // (a scan per note took minutes).
        assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
        let s = c.state();
        assert!(s.asked.map.len() <= MAX_NOTED && s.asked.order.len() <= 2 * MAX_NOTED);
        drop(s);
        let last = UserKey::new(Channel::Telegram, &(MAX_NOTED + 9_999).to_string());
        assert!(c.note_asked(&last), "a recent note is kept");
        let first = UserKey::new(Channel::Telegram, "0");
        assert!(!c.note_asked(&first), "the oldest went to keep the cap");
        // Noting the same user again and again keeps one entry, in the map and in the queue.
        let queued = c.state().asked.order.len();
        for _ in 0..1000 {
            assert!(c.note_asked(&last));
        }
        let s = c.state();
        assert!(s.asked.map.contains_key(&last));
        assert_eq!(s.asked.order.len(), queued);
    }

    #[test]
    fn a_note_refreshed_since_it_was_queued_is_kept_until_it_expires() {
        let mut notes: Expiring<()> = Expiring::default();
        let ttl = Duration::from_millis(200);
        let (a, b) = (UserKey::new(Channel::Telegram, "a"), UserKey::new(Channel::Telegram, "b"));
        notes.insert(&a, (), ttl);
        std::thread::sleep(Duration::from_millis(120));
        assert!(notes.insert(&a, (), ttl).is_some(), "refreshed");
        std::thread::sleep(Duration::from_millis(120));
        // a's first queue entry is older than the lifetime, but a wrote since: a stays.
        notes.insert(&b, (), ttl);
        assert!(notes.map.contains_key(&a));
        assert_eq!(notes.order.len(), 2, "a moved to the back, not duplicated");
        std::thread::sleep(Duration::from_millis(250));
        notes.insert(&b, (), ttl);
        assert!(!notes.map.contains_key(&a), "expired");
        // Removed and noted anew: one live note.
        notes.remove(&b);
        notes.insert(&b, (), ttl);
        assert!(notes.map.contains_key(&b));
    }
}
