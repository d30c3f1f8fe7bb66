//! `/meo`: this week's tip as a card people can pass on, with a "Chia sẻ" button on Telegram
//! (a share link carrying the card's address and the bot's) and a hint to forward it on Zalo.

use super::{
    action::{Action, MenuItem},
    engine::{Ctx, Engine, EngineError, say},
    types::{Attachment, Button, Channel, Reply},
};
use crate::{
    cards::CardId,
    rich::{Rich, Span},
    store::now,
};

/// What shared cards point to; filled in as `serve` learns it.
#[derive(Debug, Clone, Default)]
pub struct Links {
    /// The bot's Telegram username (without `@`).
    pub telegram_username: Option<String>,
    /// `CANHGIAC_PUBLIC_URL`: cards are then served at `<url>/the/<file>`.
    pub public_url: Option<String>,
    /// The web console's address (`<url>/quan-tri`), when the web pages are on.
    pub console_url: Option<String>,
}

/// Percent-encodes a query value.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl Engine {
    /// Where shared cards point: the bot's Telegram username (from `getMe`).
    pub fn set_telegram_username(&self, username: Option<String>) {
        crate::lock_write(&self.links).telegram_username = username;
    }

    /// The bot's Telegram link (`https://t.me/<username>`), once Telegram is connected.
    #[must_use]
    pub fn telegram_link(&self) -> Option<String> {
        crate::lock_read(&self.links).telegram_username.as_ref().map(|u| format!("https://t.me/{u}"))
    }

    /// Where shared cards point: the public address cards are served from.
    #[must_use]
    pub fn with_public_url(self, url: Option<String>) -> Self {
        crate::lock_write(&self.links).public_url = url.map(|u| u.trim_end_matches('/').to_owned());
        self
    }

    /// Telegram's share link for a card: the card's public address when there is one, else
    /// the bot's link, with the tip's title (and the bot's link) as the text.
    fn share_url(&self, file: &str, title: &str) -> Option<String> {
        let links = crate::lock_read(&self.links).clone();
        let bot = links.telegram_username.map(|u| format!("https://t.me/{u}"));
        let card = links.public_url.map(|p| format!("{p}/the/{file}"));
        let (url, text) = match (card, bot) {
            (Some(card), Some(bot)) => (card, format!("{title}. Kiểm tra tin nhắn đáng ngờ: {bot}")),
            (Some(card), None) => (card, title.to_owned()),
            (None, Some(bot)) => (bot, format!("{title}. Mẹo cảnh giác lừa đảo trực tuyến")),
            (None, None) => return None,
        };
        Some(format!("https://t.me/share/url?url={}&text={}", encode(&url), encode(&text)))
    }

    /// `/meo`: this week's tip, its card, and a way to pass it on.
    pub(super) fn this_weeks_tip(&self, cx: &Ctx<'_>) -> Result<Vec<Reply>, EngineError> {
        let campaign = self.campaign();
        let Some(tip) = campaign.current_tip(now())? else {
            return Ok(say("Hiện chưa có mẹo nào. Anh/chị thử lại sau nhé."));
        };
        let title = crate::cards::tip_title(&self.content, tip);
        let card = campaign.tip_card(&tip.id);
        let mut body = Rich::new()
            .spans(vec![Span::Bold(format!("💡 Mẹo cảnh giác tuần này: {title}"))])
            .para(tip.text.trim());
        let mut buttons = Vec::new();
        match cx.key.channel {
            Channel::Telegram => {
                let file = campaign
                    .cards()
                    .map(|c| c.file_name(&CardId::Tip(tip.id.clone()), crate::cards::Format::Square));
                if let Some(url) = file.and_then(|f| self.share_url(&f, &title)) {
                    buttons.push(vec![Button::link("📤 Chia sẻ", url)]);
                }
            }
            Channel::Zalo if card.is_some() => {
                body = body
                    .para("Anh/chị bấm giữ vào ảnh rồi chọn \"Chia sẻ\" để gửi cho đồng nghiệp, người thân.");
            }
            _ => {}
        }
        if !cx.group() && !self.store.is_subscribed(cx.key.channel, &cx.key.id)? {
            buttons.push(vec![Button::new("🔔 Nhận mẹo hàng tuần", Action::Menu(MenuItem::Subscribe))]);
        }
        let mut reply = Reply::with_buttons(body, buttons);
        reply.attachment = card.map(Attachment::Photo);
        Ok(vec![reply])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn share_links_are_encoded() {
        assert_eq!(encode("a b/ạ"), "a%20b%2F%E1%BA%A1");
    }
}
