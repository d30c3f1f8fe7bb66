//! Checking a message and answering a question: the verdict card, the handbook answer, and
//! the "more" buttons on either (why, what to do, signs, advice, related forms).

use tracing::debug;

use super::{
    action::{Action, Detail, MenuItem},
    conversation::Remembered,
    engine::{Engine, EngineError, main_menu},
    texts,
    types::{Button, Reply},
};
use crate::{
    check::{Report, Verdict},
    content::Entry,
    rich::{Rich, Span},
    search::{Outcome, render_entry},
    store::UserKey,
};

/// The first sentences of `text` within `max_chars`.
fn first_sentences(text: &str, max_chars: usize) -> String {
    let t = text.trim();
    if t.chars().count() <= max_chars {
        return t.to_owned();
    }
    let cut: String = t.chars().take(max_chars).collect();
    match cut.rfind(". ") {
        Some(i) if i > max_chars / 3 => cut[..=i].to_owned(),
        _ => format!("{}…", cut.trim_end()),
    }
}

impl Engine {
    /// Checks a message: verdict first, top reasons, closest form, buttons to expand.
    pub(super) fn check(&self, key: &UserKey, text: &str) -> Reply {
        self.verdict_reply(key, text, self.checker.check(text))
    }

    /// The verdict reply for a report already made (routing checks the text once).
    pub(super) fn verdict_reply(&self, key: &UserKey, text: &str, r: Report) -> Reply {
        // The verdict and the form counted in one transaction (one commit, not two).
        let _ = self.store.unit_of_work(|u| {
            u.count("verdict", r.verdict.as_str())?;
            if let Some((form, _)) = r.types.first() {
                u.count("form", form)?;
            }
            Ok(())
        });
        debug!(verdict = r.verdict.as_str(), "checked a message");
        let body = crate::check::render_summary(&self.content, &r);
        let verdict = r.verdict;
        let id = self.remember(key, text, true, None);
        let mut buttons = Vec::new();
        if verdict != Verdict::Safe {
            buttons.push(vec![
                Button::new("🔎 Vì sao?", Action::Detail { id, what: Detail::Why }),
                Button::new("✅ Nên làm gì", Action::Detail { id, what: Detail::Todo }),
            ]);
        }
        buttons.push(vec![
            Button::new("📣 Báo cáo ở đâu", Action::Detail { id, what: Detail::Report }),
            Button::new("❓ Đây là câu hỏi", Action::Detail { id, what: Detail::Ask }),
        ]);
        // Five buttons in all: Zalo's limit.
        buttons.push(vec![super::reporting::flag_button(id)]);
        Reply::with_buttons(body, buttons)
    }

    /// Answers a question: title and summary first, buttons for signs, advice, related forms.
    pub(super) fn ask(&self, key: &UserKey, text: &str) -> Result<Reply, EngineError> {
        match self.searcher.ask(text)? {
            Outcome::Answer(a) => {
                let _ = self.store.count("answer", &a.id);
                let entry = self.content.entry(&a.id);
                let id = self.remember(key, text, false, Some(a.id.clone()));
                let mut buttons = Vec::new();
                let body = match entry {
                    Some(Entry::Form(f)) => {
                        buttons.push(vec![
                            Button::new("⚠️ Dấu hiệu", Action::Detail { id, what: Detail::Signs }),
                            Button::new("🛡 Cách phòng tránh", Action::Detail { id, what: Detail::Advice }),
                        ]);
                        buttons.push(vec![
                            Button::new(
                                "🔗 Hình thức liên quan",
                                Action::Detail { id, what: Detail::Related },
                            ),
                            Button::new("🔎 Kiểm tra tin này", Action::Detail { id, what: Detail::Check }),
                        ]);
                        Rich::new()
                            .spans(vec![Span::Bold(f.title.clone())])
                            .para(first_sentences(&f.summary, 400))
                    }
                    _ => {
                        buttons.push(vec![
                            Button::new("📣 Báo cáo ở đâu", Action::Detail { id, what: Detail::Report }),
                            Button::new("🔎 Kiểm tra tin này", Action::Detail { id, what: Detail::Check }),
                        ]);
                        Rich::new().spans(vec![Span::Bold(a.title.clone())]).append(a.body)
                    }
                };
                Ok(Reply::with_buttons(body, buttons))
            }
            Outcome::NoMatch { candidates } => {
                let _ = self.store.count("answer", "none");
                let id = self.remember(key, text, false, None);
                let mut r = Reply::text(crate::search::no_match_text(&self.content, &candidates));
                // The main menu without "Hỏi đáp": they are asking already.
                let ask = Action::Menu(MenuItem::Ask).encode();
                let mut menu: Vec<Button> =
                    main_menu().into_iter().flatten().filter(|b| b.data != ask).collect();
                menu.insert(
                    0,
                    Button::new("🔎 Kiểm tra như một tin nhắn", Action::Detail { id, what: Detail::Check }),
                );
                r.buttons = menu.chunks(2).map(<[Button]>::to_vec).collect();
                Ok(r)
            }
        }
    }

    pub(super) fn topic(&self, id: &str) -> Reply {
        match self.content.entry(id) {
            Some(e) => Reply::text(
                Rich::new()
                    .spans(vec![Span::Bold(e.title().to_owned())])
                    .append(render_entry(&self.content, e)),
            ),
            None => Reply::text(Rich::new().para(texts::EXPIRED)),
        }
    }

    /// A "more" button on a text the user sent a moment ago.
    pub(super) fn expand(&self, key: &UserKey, id: u64, what: Detail) -> Result<Vec<Reply>, EngineError> {
        let Some(Remembered { text, checked, answer }) = self.conversations.recall(key, id) else {
            return Ok(vec![Reply::text(Rich::new().para(texts::EXPIRED))]);
        };
        // The checker is deterministic: "why" and "what to do" check the text again rather
        // than keeping every report in memory.
        let report =
            (checked && matches!(what, Detail::Why | Detail::Todo)).then(|| self.checker.check(&text));
        let form = answer.as_deref().and_then(|a| self.content.form(a));
        Ok(match (what, &report, form) {
            (Detail::Why, Some(r), _) => vec![Reply::text(crate::check::render_card(&self.content, r))],
            (Detail::Todo, Some(r), _) => {
                vec![Reply::text(Rich::new().heading("Anh/chị nên").bullets(r.advice.clone()))]
            }
            (Detail::Report, _, _) => vec![self.topic("report_channels")],
            (Detail::Ask, _, _) => vec![self.ask(key, &text)?],
            (Detail::Check, _, _) => vec![self.check(key, &text)],
            (Detail::Signs, _, Some(f)) => {
                vec![Reply::text(
                    Rich::new().heading(format!("Dấu hiệu: {}", f.title)).bullets(f.signs.clone()),
                )]
            }
            (Detail::Advice, _, Some(f)) => {
                vec![Reply::text(
                    Rich::new().heading(format!("Phòng tránh: {}", f.title)).bullets(f.advice.clone()),
                )]
            }
            (Detail::Related, _, Some(f)) => {
                let items: Vec<String> = f
                    .related
                    .iter()
                    .filter_map(|r| self.content.form(r))
                    .map(|r| format!("{}: {}", r.title, first_sentences(&r.summary, 160)))
                    .collect();
                vec![Reply::text(Rich::new().heading("Hình thức liên quan").bullets(items))]
            }
            _ => vec![Reply::text(Rich::new().para(texts::EXPIRED))],
        })
    }
}
