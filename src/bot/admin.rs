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
    model::AuditAction,
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
                self.store().audit(
                    &key.to_string(),
                    AuditAction::SendTip,
                    &format!("mẹo tuần, {recipients} nơi nhận"),
                    now(),
                )?;
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

    /// Drafts an alert from `by` (an admin; the caller checked): its id, the audience, and
    /// the message recipients will see; `Err` with what to tell the admin when the text is
    /// empty or too long. Nothing is sent until [`Engine::send_alert`].
    pub fn create_alert(&self, by: &UserKey, body: &str) -> Result<Result<AlertDraft, String>, EngineError> {
        let body = body.trim();
        if body.is_empty() {
            return Ok(Err(texts::ALERT_USAGE.into()));
        }
        let n = body.chars().count();
        if n > MAX_ALERT_CHARS {
            return Ok(Err(format!(
                "Cảnh báo dài {n} ký tự, quá giới hạn {MAX_ALERT_CHARS} ký tự. Anh/chị rút gọn rồi gửi lại nhé."
            )));
        }
        let id = self.store().create_alert_draft(body, &by.to_string())?;
        Ok(Ok(AlertDraft {
            id,
            audience: self.campaign().audience()?,
            message: Campaign::alert_message(body),
        }))
    }

    /// Sends a drafted alert to every subscriber (once: a second call finds no draft);
    /// returns the recipients, or `None` when the draft is gone.
    pub fn send_alert(&self, by: &UserKey, id: i64) -> Result<Option<usize>, EngineError> {
        let Some(n) = self.store().queue_alert(id)? else { return Ok(None) };
        self.wake_worker();
        info!(broadcast = id, recipients = n, "alert confirmed");
        self.store().audit(
            &by.to_string(),
            AuditAction::Alert,
            &format!("cảnh báo số {id}, {n} nơi nhận"),
            now(),
        )?;
        Ok(Some(n))
    }

    /// Drops a drafted alert; `false` when it was already sent or dropped.
    pub fn cancel_alert(&self, id: i64) -> Result<bool, EngineError> {
        Ok(self.store().cancel_draft(id)?)
    }

    pub(super) fn draft_alert(&self, key: &UserKey, arg: &str) -> Result<Reply, EngineError> {
        let d = match self.create_alert(key, arg)? {
            Ok(d) => d,
            Err(why) => return Ok(Reply::plain(why)),
        };
        let (id, audience) = (d.id, d.audience);
        let preview = Rich::new()
            .para(format!(
                "Xem trước cảnh báo. Bấm \"Gửi\" để gửi tới {audience} nơi nhận đã đăng ký (Telegram và Zalo)."
            ))
            .append(d.message.rich());
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
        key: &UserKey,
        role: Role,
        id: i64,
        confirm: bool,
    ) -> Result<Vec<Reply>, EngineError> {
        if role < Role::Admin {
            return Ok(say(texts::ADMIN_ONLY));
        }
        let reply = if confirm {
            match self.send_alert(key, id)? {
                Some(n) => Reply::plain(format!(
                    "Đã bắt đầu gửi cảnh báo tới {n} nơi nhận. Gõ /thongke để theo dõi."
                )),
                None => Reply::plain(texts::ALERT_GONE),
            }
        } else if self.cancel_alert(id)? {
            Reply::plain(texts::ALERT_CANCELLED)
        } else {
            Reply::plain(texts::ALERT_GONE)
        };
        Ok(vec![reply])
    }
}

/// How long a sign-in link to the web console works.
pub const LOGIN_LINK_SECS: i64 = 600;

impl Engine {
    /// With the web console at `url` (`<public url>/quan-tri`), which `/web` links to.
    #[must_use]
    pub fn with_console(self, url: Option<String>) -> Self {
        crate::lock_write(&self.links).console_url = url.map(|u| u.trim_end_matches('/').to_owned());
        self
    }

    /// A one-time sign-in link to the web console for `user` (whose role the caller checked),
    /// valid [`LOGIN_LINK_SECS`]; `None` when the console is not served at a known address.
    /// `via` says where it was asked for, for the audit log.
    pub fn login_link(&self, user: &UserKey, via: &str) -> Result<Option<String>, EngineError> {
        let Some(base) = crate::lock_read(&self.links).console_url.clone() else { return Ok(None) };
        let t = now();
        let token = self.store().create_login_link(user, t, t + LOGIN_LINK_SECS)?;
        self.store().audit(&user.to_string(), AuditAction::LoginLink, via, t)?;
        Ok(Some(format!("{base}/vao?t={token}")))
    }

    /// `/web`: the sign-in link, as a button (private chats only).
    pub(super) fn web_link(&self, key: &UserKey) -> Result<Reply, EngineError> {
        Ok(match self.login_link(key, "qua bot")? {
            Some(url) => Reply::with_buttons(
                Rich::new()
                    .para("Đây là liên kết đăng nhập trang quản trị của anh/chị. Liên kết chỉ dùng được một lần, trong 10 phút.")
                    .para("Anh/chị không chuyển liên kết này cho người khác.")
                    .para("Trang quản trị lưu phiên đăng nhập (trình duyệt, thời điểm dùng gần nhất) tối đa 12 giờ và ghi các thao tác quản trị vào nhật ký, giữ 365 ngày."),
                vec![vec![Button::link("🔐 Mở trang quản trị", url)]],
            ),
            None => Reply::plain(texts::CONSOLE_OFF),
        })
    }
}

/// A drafted alert, waiting for the admin's confirmation.
#[derive(Debug, Clone)]
pub struct AlertDraft {
    /// The broadcast's id.
    pub id: i64,
    /// Chats that will receive it.
    pub audience: i64,
    /// What recipients will see.
    pub message: crate::campaign::Outgoing,
}
