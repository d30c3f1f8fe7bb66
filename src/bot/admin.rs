//! Campaign commands: subscribing a private chat or (for admins and trainers) a whole group,
//! and the admin's `/guimeo`, `/phatcanhbao` (preview, then a confirm button) and `/thongke`.
//! Anyone else asking for an admin command gets a polite refusal.

use tracing::info;

use super::{
    action::Action,
    engine::{Ctx, Engine, EngineError, say},
    roles::Role,
    texts,
    types::{Button, Channel, ChatKind, Reply},
};
use crate::{
    campaign::{Campaign, MAX_ALERT_CHARS, TipNow},
    rich::{Rich, Span},
    store::{UserKey, now},
};

impl Engine {
    fn next_slot_text(&self) -> String {
        self.campaign().next_tip_text(now())
    }

    /// `/huydangky`: a private chat, or (staff only) the whole group.
    pub(super) fn unsubscribe(&self, cx: &Ctx<'_>) -> Result<Vec<Reply>, EngineError> {
        let group = cx.group();
        if group && cx.role < Role::Trainer {
            return Ok(say(texts::GROUP_ONLY_STAFF));
        }
        let chat = if group { cx.inc.chat.id.as_str() } else { cx.key.id.as_str() };
        self.store().unsubscribe(cx.key.channel, chat)?;
        Ok(say(if group { texts::GROUP_UNSUBSCRIBED } else { texts::UNSUBSCRIBED }))
    }

    /// `/guimeo`: this week's tip to every subscriber now, once.
    pub(super) fn send_tip_now(&self, key: &UserKey) -> Result<Vec<Reply>, EngineError> {
        Ok(vec![match self.campaign().tip_now(&key.to_string(), now())? {
            TipNow::Queued { id, recipients } => {
                self.wake_worker();
                info!(broadcast = id, recipients, "tip sent now by an admin");
                Reply::plain(format!(
                    "Đang gửi mẹo tuần này tới {recipients} nơi nhận. Gõ /thongke để theo dõi."
                ))
            }
            TipNow::AlreadySent { .. } => Reply::plain(format!(
                "Mẹo tuần này đã được gửi. Mẹo tuần sau sẽ tự gửi lúc {}.",
                self.next_slot_text()
            )),
        }])
    }

    /// `/dangky` (and the menu button): a private chat, or (staff only) the whole group.
    pub(super) fn subscribe(&self, cx: &Ctx<'_>) -> Result<Vec<Reply>, EngineError> {
        let (inc, key, user) = (cx.inc, cx.key, cx.user);
        let group = cx.group();
        if group && cx.role < Role::Trainer {
            return Ok(vec![Reply::plain(texts::GROUP_ONLY_STAFF)]);
        }
        let (chat, kind) = if group {
            (inc.chat.id.as_str(), ChatKind::Group)
        } else {
            (key.id.as_str(), ChatKind::Private)
        };
        let Some(tip) = self.campaign().subscribe(key.channel, chat, kind, now())? else {
            return Ok(vec![Reply::plain(format!(
                "{} đã đăng ký rồi. Mẹo tiếp theo sẽ đến lúc {}.",
                if group { "Nhóm này" } else { "Anh/chị" },
                self.next_slot_text()
            ))]);
        };
        let not_following = key.channel == Channel::Zalo && !user.follower;
        let intro = if group {
            format!(
                "Đã đăng ký cho nhóm! Mỗi tuần nhóm sẽ nhận một mẹo cảnh giác, lần tới lúc {}.",
                self.next_slot_text()
            )
        } else {
            format!("{} Lần tới: {}.", texts::SUBSCRIBED, self.next_slot_text())
        };
        let mut body = Rich::new()
            .para(intro)
            .spans(vec![Span::Bold("💡 Mẹo tuần này: ".into()), Span::Text(tip.text.trim().to_owned())]);
        if not_following {
            body = body.para(texts::FOLLOW_TO_RECEIVE);
        }
        let mut reply = Reply::text(body);
        reply.attachment = self.campaign().tip_card(&tip.id).map(super::types::Attachment::Photo);
        Ok(vec![reply])
    }

    pub(super) fn draft_alert(&self, key: &UserKey, arg: &str) -> Result<Reply, EngineError> {
        let body = arg.trim();
        if body.is_empty() {
            return Ok(Reply::plain(texts::ALERT_USAGE));
        }
        let n = body.chars().count();
        if n > MAX_ALERT_CHARS {
            return Ok(Reply::plain(format!(
                "Cảnh báo dài {n} ký tự, quá giới hạn {MAX_ALERT_CHARS} ký tự. Anh/chị rút gọn rồi gửi lại nhé."
            )));
        }
        let c = self.campaign();
        let id = self.store().create_alert_draft(body, &key.to_string())?;
        let audience = c.audience()?;
        let preview = Rich::new()
            .para(format!(
                "Xem trước cảnh báo. Bấm \"Gửi\" để gửi tới {audience} nơi nhận đã đăng ký (Telegram và Zalo)."
            ))
            .append(Campaign::alert_message(body).rich());
        Ok(Reply::with_buttons(
            preview,
            vec![vec![
                Button::new(&format!("✅ Gửi tới {audience} nơi nhận"), Action::Alert { id, send: true }),
                Button::new("Hủy", Action::Alert { id, send: false }),
            ]],
        ))
    }

    /// The alert's send and cancel buttons (admins only).
    pub(super) fn confirm_alert(
        &self,
        role: Role,
        id: i64,
        confirm: bool,
    ) -> Result<Vec<Reply>, EngineError> {
        if role < Role::Admin {
            return Ok(say(texts::ADMIN_ONLY));
        }
        let store = self.store();
        let reply = if confirm {
            match store.queue_alert(id)? {
                Some(n) => {
                    self.wake_worker();
                    info!(broadcast = id, recipients = n, "alert confirmed");
                    Reply::plain(format!(
                        "Đã bắt đầu gửi cảnh báo tới {n} nơi nhận. Gõ /thongke để theo dõi."
                    ))
                }
                None => Reply::plain(texts::ALERT_GONE),
            }
        } else if store.cancel_draft(id)? {
            Reply::plain(texts::ALERT_CANCELLED)
        } else {
            Reply::plain(texts::ALERT_GONE)
        };
        Ok(vec![reply])
    }
}
