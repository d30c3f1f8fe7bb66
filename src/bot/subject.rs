//! Consent and the data subject's requests: agreeing to the notice (or not), withdrawing,
//! seeing what is stored (`/dulieucuatoi`, with a file on Telegram) and deleting it. Each
//! request is answered at once, well within Decree 356's timelines, and counted for the
//! report with no user.

use super::{
    action::Action,
    engine::{Ctx, Engine, EngineError, main_menu, say},
    texts,
    types::{Attachment, Button, Document, Reply},
};
use crate::{
    model::{Channel, Role},
    rich::Rich,
    store::{StoreError, SubjectData, UserKey},
    vntime::{date_vi, datetime_vi},
};

/// The file `/dulieucuatoi` attaches on Telegram.
pub const EXPORT_FILE: &str = "du-lieu-cua-toi.json";

impl Engine {
    /// The reply to a step that needs consent from someone who has not given it: the notice
    /// in a private chat, a pointer to it in a group (a group never gets the whole notice).
    pub(super) fn consent_needed(&self, cx: &Ctx<'_>) -> Vec<Reply> {
        if cx.group() {
            return say(texts::CONSENT_IN_PRIVATE);
        }
        vec![self.notice.request(Some(texts::CONSENT_NEEDED), false)]
    }

    /// "Đồng ý" or "Không đồng ý".
    pub(super) fn consent_answer(
        &self,
        cx: &Ctx<'_>,
        agree: bool,
        follower: bool,
    ) -> Result<Vec<Reply>, EngineError> {
        let key = cx.key;
        if !agree && cx.consented {
            // "Không đồng ý" under an old notice from someone who had agreed: a withdrawal.
            return self.withdraw(cx, true);
        }
        if !agree {
            self.store.count("privacy", "declined")?;
            self.conversations.note_asked(key);
            let stored = !self.store.subject_data(key)?.is_empty();
            let body = Rich::new().para(texts::DECLINED);
            return Ok(vec![if stored {
                Reply::with_buttons(body.para(texts::DECLINED_HAS_DATA), vec![delete_buttons()])
            } else {
                Reply::with_buttons(body, main_menu())
            }]);
        }
        if cx.consented {
            // A second press (or `/dongy` again): nothing changes, nothing is counted twice.
            return Ok(vec![Reply::with_buttons(Rich::new().para(texts::ALREADY_CONSENTED), main_menu())]);
        }
        self.store.give_consent(key, self.notice.version())?;
        // The follow is remembered in the button, and for a while in memory (typed consent).
        let followed = self.conversations.take_follow(key);
        if (follower || followed) && key.channel == Channel::Zalo {
            self.store.set_follower(key, true)?;
        }
        Ok(vec![Reply::with_buttons(Rich::new().para(texts::CONSENTED), main_menu())])
    }

    /// `/rutdongy`: processing stops at once; deleting is offered.
    pub(super) fn withdraw(&self, cx: &Ctx<'_>, consented: bool) -> Result<Vec<Reply>, EngineError> {
        let key = cx.key;
        let had = consented && self.store.withdraw_consent(key)?;
        self.conversations.forget(key);
        let stored = !self.store.subject_data(key)?.is_empty();
        let mut body = Rich::new().para(if had { texts::WITHDRAWN } else { texts::NOT_CONSENTED });
        if !stored {
            return Ok(vec![Reply::text(body.para(texts::NOTHING_STORED))]);
        }
        body = body.para(texts::OFFER_DELETE);
        Ok(vec![Reply::with_buttons(body, vec![delete_buttons()])])
    }

    /// `/dulieucuatoi`: everything stored about the user, in words, and on Telegram as a file.
    pub(super) fn my_data(&self, cx: &Ctx<'_>) -> Result<Vec<Reply>, EngineError> {
        let key = cx.key;
        let data = self.store.subject_request(key)?;
        let mut body = Rich::new().heading("Dữ liệu tôi đang lưu về anh/chị");
        if data.is_empty() {
            body = body.para(texts::NOTHING_STORED);
        } else {
            body = body.bullets(describe(key, &data, cx.role));
        }
        body = body
            .para(texts::NEVER_STORED)
            .heading("Thời hạn lưu")
            .bullets(self.notice.retention().lines_vi())
            .para(texts::SUBJECT_RIGHTS);
        if data.is_empty() || cx.group() || key.channel != Channel::Telegram {
            return Ok(vec![Reply::text(body)]);
        }
        body = body.para(format!("Tệp {EXPORT_FILE} kèm theo chứa đầy đủ các dữ liệu trên."));
        Ok(vec![Reply::with_attachment(
            body,
            Attachment::Document(Document {
                file_name: EXPORT_FILE.to_owned(),
                bytes: data.export(key).map_err(|e| EngineError::Store(StoreError::Json(e)))?,
            }),
        )])
    }

    /// Deleting everything (the button under `/xoadulieu`, `/rutdongy` or a refusal).
    pub(super) fn delete_data(&self, key: &UserKey) -> Result<Vec<Reply>, EngineError> {
        let existed = self.store.delete_user(key)?;
        self.conversations.forget(key);
        Ok(say(if existed { texts::DELETED } else { texts::NOTHING_TO_DELETE }))
    }
}

/// "Xóa hết dữ liệu" / "Giữ lại".
fn delete_buttons() -> Vec<Button> {
    vec![
        Button::new("🗑 Xóa hết dữ liệu", Action::Delete(true)),
        Button::new("Giữ lại", Action::Delete(false)),
    ]
}

/// The stored data in Vietnamese, one line per kind.
fn describe(key: &UserKey, d: &SubjectData, role: Role) -> Vec<String> {
    let mut out = vec![format!("Tài khoản: {} (mã {})", key.channel.label_vi(), key.id)];
    if let Some(r) = &d.record {
        out.push(match r.consent_at {
            Some(t) => format!("Đồng ý xử lý dữ liệu: {}", datetime_vi(t)),
            None => "Đồng ý xử lý dữ liệu: chưa đồng ý hoặc đã rút lại".to_owned(),
        });
        out.push(format!("Bắt đầu dùng bot: {}", date_vi(r.created_at)));
        if let Some(day) = &r.last_seen {
            out.push(format!("Ngày dùng gần nhất: {}", crate::vntime::iso_vi(day)));
        }
        if role > Role::User {
            out.push(format!("Vai trò: {}", role.label_vi()));
        }
        if key.channel == Channel::Zalo {
            out.push(format!("Quan tâm Official Account: {}", if r.follower { "có" } else { "không" }));
        }
    }
    match d.subscribed_at {
        Some(t) => out.push(format!("Nhận mẹo hàng tuần: từ {}", date_vi(t))),
        None if !d.tips.is_empty() => out.push("Nhận mẹo hàng tuần: không".to_owned()),
        None => {}
    }
    if !d.tips.is_empty() {
        out.push(format!("Mẹo đã gửi cho anh/chị: {}", d.tips.len()));
    }
    if let Some(q) = &d.quiz_in_progress {
        out.push(format!("Trắc nghiệm đang làm: câu {}/{}", q.index + 1, q.questions.len()));
    }
    if !d.missed_questions.is_empty() {
        out.push(format!("Câu trắc nghiệm sẽ hỏi lại: {}", d.missed_questions.len()));
    }
    if let Some(last) = d.quiz_results.last() {
        out.push(format!(
            "Kết quả trắc nghiệm: {} bài, bài gần nhất {}/{} câu đúng ngày {}",
            d.quiz_results.len(),
            last.score,
            last.total,
            date_vi(last.finished_at)
        ));
    }
    for p in &d.group_quizzes {
        out.push(format!(
            "Trắc nghiệm nhóm bài số {}: tên hiển thị \"{}\", {} câu trả lời",
            p.session,
            p.display_name.as_deref().unwrap_or("(không có)"),
            p.answers
        ));
    }
    if !d.sessions_run.is_empty() {
        out.push(format!("Buổi trắc nghiệm nhóm anh/chị tổ chức: {}", d.sessions_run.len()));
    }
    let delivered: i64 = d.deliveries.values().sum();
    if delivered > 0 {
        out.push(format!("Nhật ký gửi tin tới anh/chị: {delivered} lượt"));
    }
    if d.reports_made > 0 {
        out.push(format!(
            "Báo cáo lừa đảo anh/chị đã gửi: {} (lưu dưới mã ẩn danh){}",
            d.reports_made,
            if d.feedback_waiting > 0 {
                format!(", {} đang chờ báo kết quả cho anh/chị", d.feedback_waiting)
            } else {
                String::new()
            }
        ));
    }
    if d.decisions_made > 0 {
        out.push(format!("Quyết định duyệt báo cáo anh/chị đã đưa ra: {}", d.decisions_made));
    }
    if !d.web_sessions.is_empty() || d.web_links > 0 {
        let last = d.web_sessions.iter().map(|(_, seen, _)| *seen).max();
        out.push(format!(
            "Trang quản trị trên web: {} phiên đăng nhập{}{}",
            d.web_sessions.len(),
            last.map(|t| format!(", dùng gần nhất lúc {}", crate::vntime::datetime_vi(t)))
                .unwrap_or_default(),
            if d.web_links > 0 {
                format!("; {} liên kết đăng nhập", d.web_links)
            } else {
                String::new()
            }
        ));
    }
    if d.audit_entries > 0 {
        out.push(format!("Thao tác quản trị ghi trong nhật ký: {}", d.audit_entries));
    }
    if d.broadcasts_created > 0 {
        out.push(format!("Cảnh báo, mẹo anh/chị đã phát: {}", d.broadcasts_created));
    }
    out
}
