//! Campaign commands: subscribing a private chat or (for admins and trainers) a whole group,
//! and the admin's `/guimeo`, `/phatcanhbao` (preview, then a confirm button) and `/thongke`.
//! Anyone else asking for an admin command gets a polite refusal.

use tracing::info;

use super::{
    engine::{Engine, EngineError},
    roles::Role,
    texts,
    types::{Button, ChatKind, Incoming, Reply},
};
use crate::{
    campaign::{Campaign, MAX_ALERT_CHARS, TipNow},
    rich::{Rich, Span},
    store::{UserKey, UserRow, now},
};

impl Engine {
    fn next_slot_text(&self) -> String {
        self.campaign().next_tip_text(now())
    }

    /// Campaign commands; `None` for anything else.
    pub(super) fn campaign_command(
        &self,
        inc: &Incoming,
        key: &UserKey,
        user: &UserRow,
        role: Role,
        name: &str,
        arg: &str,
    ) -> Result<Option<Vec<Reply>>, EngineError> {
        let group = inc.chat.kind == ChatKind::Group;
        let replies = match name {
            "dangky" => self.subscribe(inc, key, user, role)?,
            "huydangky" => {
                if group && role < Role::Trainer {
                    vec![Reply::plain(texts::GROUP_ONLY_STAFF)]
                } else {
                    let chat = if group { inc.chat.id.as_str() } else { key.id.as_str() };
                    self.store().unsubscribe(&key.channel, chat)?;
                    vec![Reply::plain(if group { texts::GROUP_UNSUBSCRIBED } else { texts::UNSUBSCRIBED })]
                }
            }
            "guimeo" | "phatcanhbao" | "thongke" if role < Role::Admin => {
                vec![Reply::plain(texts::ADMIN_ONLY)]
            }
            "guimeo" => vec![match self.campaign().tip_now(&key.to_string(), now())? {
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
            }],
            "phatcanhbao" => vec![self.draft_alert(key, arg)?],
            "thongke" => vec![Reply::text(self.campaign().stats(now())?.render())],
            _ => return Ok(None),
        };
        Ok(Some(replies))
    }

    fn subscribe(
        &self,
        inc: &Incoming,
        key: &UserKey,
        user: &UserRow,
        role: Role,
    ) -> Result<Vec<Reply>, EngineError> {
        let group = inc.chat.kind == ChatKind::Group;
        if group && role < Role::Trainer {
            return Ok(vec![Reply::plain(texts::GROUP_ONLY_STAFF)]);
        }
        let (chat, kind) = if group { (inc.chat.id.as_str(), "group") } else { (key.id.as_str(), "private") };
        let Some(tip) = self.campaign().subscribe(&key.channel, chat, kind, now())? else {
            return Ok(vec![Reply::plain(format!(
                "{} đã đăng ký rồi. Mẹo tiếp theo sẽ đến lúc {}.",
                if group { "Nhóm này" } else { "Anh/chị" },
                self.next_slot_text()
            ))]);
        };
        let not_following = key.channel == "zalo" && !user.follower;
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
        Ok(vec![Reply::text(body)])
    }

    fn draft_alert(&self, key: &UserKey, arg: &str) -> Result<Reply, EngineError> {
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
                Button::new(&format!("✅ Gửi tới {audience} nơi nhận"), format!("bc:ok:{id}")),
                Button::new("Hủy", format!("bc:no:{id}")),
            ]],
        ))
    }

    /// The alert confirm and cancel buttons; `None` for other buttons.
    pub(super) fn campaign_button(
        &self,
        inc: &Incoming,
        key: &UserKey,
        user: &UserRow,
        role: Role,
        data: &str,
    ) -> Result<Option<Vec<Reply>>, EngineError> {
        let (confirm, id) = match data.split(':').collect::<Vec<_>>().as_slice() {
            ["bc", "ok", id] => (true, *id),
            ["bc", "no", id] => (false, *id),
            ["m", "sub"] => return Ok(Some(self.subscribe(inc, key, user, role)?)),
            _ => return Ok(None),
        };
        if role < Role::Admin {
            return Ok(Some(vec![Reply::plain(texts::ADMIN_ONLY)]));
        }
        let Ok(id) = id.parse::<i64>() else { return Ok(Some(vec![Reply::plain(texts::ALERT_GONE)])) };
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
        Ok(Some(vec![reply]))
    }
}
