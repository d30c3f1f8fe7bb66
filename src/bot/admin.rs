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
    campaign::{MAX_ALERT_CHARS, TipNow},
    rich::{Rich, Span},
    store::{UserKey, now},
    vntime::datetime_vi,
};

fn text(s: impl Into<String>) -> Reply {
    Reply::text(Rich::new().para(s))
}

impl Engine {
    fn admin_key(key: &UserKey) -> String {
        format!("{}:{}", key.channel, key.id)
    }

    fn next_slot_text(&self) -> String {
        let c = self.campaign();
        format!("{} ({})", datetime_vi(c.schedule().next_slot(now())), c.schedule().describe())
    }

    /// Campaign commands; `None` for anything else.
    pub(super) fn campaign_command(
        &self,
        inc: &Incoming,
        key: &UserKey,
        name: &str,
        arg: &str,
    ) -> Result<Option<Vec<Reply>>, EngineError> {
        let group = inc.chat.kind == ChatKind::Group;
        let role = self.role(key)?;
        let replies = match name {
            "dangky" => self.subscribe(inc, key, role)?,
            "huydangky" => {
                if group && role < Role::Trainer {
                    vec![text(texts::GROUP_ONLY_STAFF)]
                } else {
                    let chat = if group { inc.chat.id.as_str() } else { key.id.as_str() };
                    self.campaign().store().unsubscribe(&key.channel, chat)?;
                    vec![text(if group { texts::GROUP_UNSUBSCRIBED } else { texts::UNSUBSCRIBED })]
                }
            }
            "guimeo" | "phatcanhbao" | "thongke" if role < Role::Admin => vec![text(texts::ADMIN_ONLY)],
            "guimeo" => vec![match self.campaign().tip_now(&Self::admin_key(key), now())? {
                TipNow::Queued { id, recipients } => {
                    self.wake_worker();
                    info!(broadcast = id, recipients, "tip sent now by an admin");
                    text(format!(
                        "Đang gửi mẹo tuần này tới {recipients} nơi nhận (đợt #{id}). Gõ /thongke để theo dõi."
                    ))
                }
                TipNow::AlreadySent { id } => text(format!(
                    "Mẹo tuần này đã được gửi (đợt #{id}). Mẹo tuần sau sẽ tự gửi vào {}.",
                    self.next_slot_text()
                )),
            }],
            "phatcanhbao" => vec![self.draft_alert(key, arg)?],
            "thongke" => vec![Reply::text(self.campaign().stats(now())?.render())],
            _ => return Ok(None),
        };
        Ok(Some(replies))
    }

    fn subscribe(&self, inc: &Incoming, key: &UserKey, role: Role) -> Result<Vec<Reply>, EngineError> {
        let group = inc.chat.kind == ChatKind::Group;
        if group && role < Role::Trainer {
            return Ok(vec![text(texts::GROUP_ONLY_STAFF)]);
        }
        let (chat, kind) = if group { (inc.chat.id.as_str(), "group") } else { (key.id.as_str(), "private") };
        if !group {
            self.campaign().store().touch_user(key)?;
        }
        let Some(tip) = self.campaign().subscribe(&key.channel, chat, kind, now())? else {
            return Ok(vec![text(format!(
                "{} đã đăng ký rồi. Mẹo tiếp theo sẽ đến vào {}.",
                if group { "Nhóm này" } else { "Anh/chị" },
                self.next_slot_text()
            ))]);
        };
        let not_following =
            key.channel == "zalo" && !self.campaign().store().user(key)?.is_some_and(|u| u.follower);
        let intro = if group {
            format!(
                "Đã đăng ký cho nhóm! Mỗi tuần nhóm sẽ nhận một mẹo cảnh giác, lần tới vào {}.",
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
            return Ok(text(texts::ALERT_USAGE));
        }
        let n = body.chars().count();
        if n > MAX_ALERT_CHARS {
            return Ok(text(format!(
                "Cảnh báo dài {n} ký tự, quá giới hạn {MAX_ALERT_CHARS} ký tự. Anh/chị rút gọn rồi gửi lại nhé."
            )));
        }
        let c = self.campaign();
        let id = c.store().create_alert_draft(body, &Self::admin_key(key))?;
        let audience = c.audience()?;
        let item = crate::store::OutboxItem {
            id: 0,
            broadcast_id: id,
            kind: "alert".into(),
            channel: key.channel.clone(),
            chat_id: key.id.clone(),
            chat_kind: "private".into(),
            tip_id: None,
            body: Some(body.to_owned()),
            attempts: 0,
        };
        let mut preview = Rich::new().para(format!(
            "Xem trước cảnh báo. Bấm \"Gửi\" để gửi tới {audience} nơi nhận đã đăng ký (Telegram và Zalo)."
        ));
        if let Some(m) = c.message(&item) {
            preview = preview.append(m.rich());
        }
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
        data: &str,
    ) -> Result<Option<Vec<Reply>>, EngineError> {
        let (confirm, id) = match data.split(':').collect::<Vec<_>>().as_slice() {
            ["bc", "ok", id] => (true, *id),
            ["bc", "no", id] => (false, *id),
            ["m", "sub"] => return Ok(Some(self.subscribe(inc, key, self.role(key)?)?)),
            _ => return Ok(None),
        };
        if self.role(key)? < Role::Admin {
            return Ok(Some(vec![text(texts::ADMIN_ONLY)]));
        }
        let Ok(id) = id.parse::<i64>() else { return Ok(Some(vec![text(texts::ALERT_GONE)])) };
        let store = self.campaign().store().clone();
        let reply = if confirm {
            match store.queue_alert(id)? {
                Some(n) => {
                    self.wake_worker();
                    info!(broadcast = id, recipients = n, "alert confirmed");
                    text(format!(
                        "Đã bắt đầu gửi cảnh báo (đợt #{id}) tới {n} nơi nhận. Gõ /thongke để theo dõi."
                    ))
                }
                None => text(texts::ALERT_GONE),
            }
        } else if store.cancel_draft(id)? {
            text(texts::ALERT_CANCELLED)
        } else {
            text(texts::ALERT_GONE)
        };
        Ok(Some(vec![reply]))
    }
}
