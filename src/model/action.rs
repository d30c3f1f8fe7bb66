//! What a button does: one enum for every button the bot shows, encoded into the short ASCII
//! payload the platforms carry (Telegram's callback data: at most 64 bytes) and decoded back.
//! Nothing else builds or splits payload strings.

use std::fmt::Write as _;

/// Telegram's limit for callback data.
pub const MAX_PAYLOAD: usize = 64;

/// An entry of the main menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MenuItem {
    /// Check a message (the next text is checked).
    Check,
    /// Ask a question (the next text is a question).
    Ask,
    /// Start a personal quiz.
    Quiz,
    /// The five don'ts.
    FiveDonts,
    /// The welcome and menu.
    Menu,
    /// Weekly tips.
    Subscribe,
}

/// More about a message or an answer the user saw a moment ago.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// Why the verdict.
    Why,
    /// What to do.
    Todo,
    /// Where to report.
    Report,
    /// Treat the text as a question.
    Ask,
    /// Treat the text as a message to check.
    Check,
    /// The form's signs.
    Signs,
    /// The form's advice.
    Advice,
    /// Related forms.
    Related,
    /// Report the numbers, accounts and links of the checked message as a scam.
    Flag,
}

/// An admin's decision on a reported entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// It is a scam.
    Confirm,
    /// It is not.
    Reject,
    /// Decide later.
    Skip,
}

/// Every button.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// A main-menu entry.
    Menu(MenuItem),
    /// Confirm (`true`) or cancel deleting the user's data.
    Delete(bool),
    /// The answer to the privacy notice: agree or not. `follower`: the notice answered a Zalo
    /// follow, so the user follows the OA (nothing is stored before they agree).
    Consent {
        /// Agreed.
        agree: bool,
        /// Shown after a follow.
        follower: bool,
    },
    /// An answer to question `index` of the personal quiz.
    QuizAnswer {
        /// Question index.
        index: usize,
        /// Option chosen.
        option: usize,
    },
    /// More about remembered text `id`.
    Detail {
        /// The remembered text.
        id: u64,
        /// What more.
        what: Detail,
    },
    /// Send (`true`) or cancel a drafted alert.
    Alert {
        /// The draft.
        id: i64,
        /// Send it.
        send: bool,
    },
    /// Send the scam report drafted from remembered text `id` (asking to hear the outcome or
    /// not), or cancel it (`feedback: None`).
    ReportSend {
        /// The remembered text.
        id: u64,
        /// `Some(true)`: send and tell me the outcome; `Some(false)`: send; `None`: cancel.
        feedback: Option<bool>,
    },
    /// An admin decides a reported entity.
    Decide {
        /// The entity.
        entity: i64,
        /// The decision.
        decision: Decision,
    },
    /// An answer in a code-mode group quiz.
    GroupAnswer {
        /// Session.
        session: i64,
        /// Question index.
        index: usize,
        /// Option chosen.
        option: usize,
    },
}

const MENU: [(MenuItem, &str); 6] = [
    (MenuItem::Check, "check"),
    (MenuItem::Ask, "ask"),
    (MenuItem::Quiz, "quiz"),
    (MenuItem::FiveDonts, "5k"),
    (MenuItem::Menu, "menu"),
    (MenuItem::Subscribe, "sub"),
];

/// A report's buttons: send and tell me, send, cancel.
const SENDS: [(Option<bool>, &str); 3] = [(Some(true), "fb"), (Some(false), "ok"), (None, "no")];

const DECISIONS: [(Decision, &str); 3] =
    [(Decision::Confirm, "y"), (Decision::Reject, "n"), (Decision::Skip, "s")];

const DETAILS: [(Detail, &str); 9] = [
    (Detail::Flag, "flag"),
    (Detail::Why, "why"),
    (Detail::Todo, "todo"),
    (Detail::Report, "rep"),
    (Detail::Ask, "ask"),
    (Detail::Check, "chk"),
    (Detail::Signs, "signs"),
    (Detail::Advice, "adv"),
    (Detail::Related, "rel"),
];

impl Action {
    /// The payload (ASCII, at most [`MAX_PAYLOAD`] bytes: every field is a short code or a
    /// number).
    #[must_use]
    pub fn encode(&self) -> String {
        let mut s = String::new();
        // Writing to a String cannot fail.
        let _ = match self {
            Self::Menu(m) => write!(s, "m:{}", MENU.iter().find(|(x, _)| x == m).map_or("menu", |(_, c)| c)),
            Self::Delete(yes) => write!(s, "del:{}", if *yes { "yes" } else { "no" }),
            Self::Consent { agree, follower } => write!(s, "ok:{}:{}", u8::from(*agree), u8::from(*follower)),
            Self::QuizAnswer { index, option } => write!(s, "q:{index}:{option}"),
            Self::Detail { id, what } => {
                write!(s, "x:{id:x}:{}", DETAILS.iter().find(|(d, _)| d == what).map_or("why", |(_, c)| c))
            }
            Self::Alert { id, send } => write!(s, "bc:{}:{id}", if *send { "ok" } else { "no" }),
            Self::GroupAnswer { session, index, option } => write!(s, "g:{session}:{index}:{option}"),
            Self::ReportSend { id, feedback } => {
                write!(s, "rs:{id:x}:{}", SENDS.iter().find(|(f, _)| f == feedback).map_or("no", |(_, c)| c))
            }
            Self::Decide { entity, decision } => write!(
                s,
                "dv:{entity}:{}",
                DECISIONS.iter().find(|(d, _)| d == decision).map_or("s", |(_, c)| c)
            ),
        };
        s
    }

    /// The action of a payload; `None` for anything the bot did not make (old or forged).
    #[must_use]
    pub fn decode(data: &str) -> Option<Self> {
        let parts: Vec<&str> = data.split(':').collect();
        Some(match parts.as_slice() {
            ["m", item] => Self::Menu(MENU.iter().find(|(_, c)| c == item)?.0),
            ["del", "yes"] => Self::Delete(true),
            ["del", "no"] => Self::Delete(false),
            ["ok", agree @ ("0" | "1"), follower @ ("0" | "1")] => {
                Self::Consent { agree: *agree == "1", follower: *follower == "1" }
            }
            ["q", index, option] => {
                Self::QuizAnswer { index: index.parse().ok()?, option: option.parse().ok()? }
            }
            ["x", id, what] => Self::Detail {
                id: u64::from_str_radix(id, 16).ok()?,
                what: DETAILS.iter().find(|(_, c)| c == what)?.0,
            },
            ["bc", "ok", id] => Self::Alert { id: id.parse().ok()?, send: true },
            ["bc", "no", id] => Self::Alert { id: id.parse().ok()?, send: false },
            ["rs", id, what] => Self::ReportSend {
                id: u64::from_str_radix(id, 16).ok()?,
                feedback: SENDS.iter().find(|(_, c)| c == what)?.0,
            },
            ["dv", entity, decision] => Self::Decide {
                entity: entity.parse().ok()?,
                decision: DECISIONS.iter().find(|(_, c)| c == decision)?.0,
            },
            ["g", session, index, option] => Self::GroupAnswer {
                session: session.parse().ok()?,
                index: index.parse().ok()?,
                option: option.parse().ok()?,
            },
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_round_trips_within_64_bytes() {
        let mut all: Vec<Action> = MENU.iter().map(|(m, _)| Action::Menu(*m)).collect();
        all.extend([Action::Delete(true), Action::Delete(false)]);
        for (agree, follower) in [(true, true), (true, false), (false, true), (false, false)] {
            all.push(Action::Consent { agree, follower });
        }
        all.push(Action::QuizAnswer { index: usize::MAX, option: usize::MAX });
        all.extend(DETAILS.iter().map(|(d, _)| Action::Detail { id: u64::MAX, what: *d }));
        all.extend([Action::Alert { id: i64::MIN, send: true }, Action::Alert { id: i64::MAX, send: false }]);
        all.push(Action::GroupAnswer { session: i64::MIN, index: usize::MAX, option: usize::MAX });
        for feedback in [Some(true), Some(false), None] {
            all.push(Action::ReportSend { id: u64::MAX, feedback });
        }
        all.extend(DECISIONS.iter().map(|(d, _)| Action::Decide { entity: i64::MIN, decision: *d }));
        for a in all {
            let p = a.encode();
            assert!(p.len() <= MAX_PAYLOAD && p.is_ascii(), "{p}");
            assert_eq!(Action::decode(&p), Some(a), "{p}");
        }
    }

    #[test]
    fn foreign_payloads_are_refused() {
        for p in ["", "m:", "m:nope", "q:1", "q:a:b", "x:zz:why", "x:1:nope", "bc:ok:x", "g:1:2", "del:maybe"]
        {
            assert_eq!(Action::decode(p), None, "{p}");
        }
        assert_eq!(Action::decode("x:ff:why"), Some(Action::Detail { id: 255, what: Detail::Why }));
    }
}
