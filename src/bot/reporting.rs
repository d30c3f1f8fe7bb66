//! Scam reports in the conversation: a user reports the numbers, accounts and links of a
//! message (`/baocaolua`, or "🚩 Báo cáo lừa đảo" under a verdict), sees what will be recorded
//! and confirms; an admin reviews what is pending (`/duyet`), confirms or rejects in one tap,
//! or takes a confirmation back (`/gobaocao`); reporters who asked hear the outcome once.

use super::{
    action::{Action, Decision, Detail},
    conversation::Remembered,
    engine::{Ctx, Engine, EngineError, say},
    texts,
    types::{Button, Reply},
};
use crate::{
    model::{AuditAction, EntityKind, ReportStatus, Role},
    reports::{self, Candidate},
    rich::Rich,
    store::{EntitySummary, NewReport, UserKey, now},
};

/// Entities listed by one `/duyet`.
pub const REVIEW_PAGE: usize = 5;

impl Engine {
    /// `/baocaolua <text>`: what the report would record, with the buttons to send it.
    pub(super) fn report_text(&self, key: &UserKey, text: &str) -> Vec<Reply> {
        let id = self.remember(key, text, true, None);
        self.report_draft(key, id)
    }

    /// The draft of a report from remembered text `id`.
    pub(super) fn report_draft(&self, key: &UserKey, id: u64) -> Vec<Reply> {
        let Some(Remembered { text, .. }) = self.conversations.recall(key, id) else {
            return say(texts::EXPIRED);
        };
        let report = self.checker.check(&text);
        let found = reports::candidates(&report, &text, &self.content);
        let (official, reportable): (Vec<&Candidate>, Vec<&Candidate>) =
            found.iter().partition(|c| c.official);
        let mut body = Rich::new();
        if reportable.is_empty() {
            body = body.para(texts::REPORT_NOTHING);
            if !official.is_empty() {
                body = body.para(texts::REPORT_OFFICIAL).bullets(official.iter().map(|c| c.describe()));
            }
            return vec![Reply::text(body.para(authorities(&[])))];
        }
        body = body.para(texts::REPORT_WILL_RECORD).bullets(reportable.iter().map(|c| c.describe()));
        if !official.is_empty() {
            body = body.para(texts::REPORT_OFFICIAL).bullets(official.iter().map(|c| c.describe()));
        }
        body = body.para(texts::REPORT_PRIVACY);
        vec![Reply::with_buttons(
            body,
            vec![
                vec![
                    Button::new("✅ Gửi báo cáo", Action::ReportSend { id, feedback: Some(false) }),
                    Button::new(
                        "🔔 Gửi và báo kết quả cho tôi",
                        Action::ReportSend { id, feedback: Some(true) },
                    ),
                ],
                vec![Button::new("Hủy", Action::ReportSend { id, feedback: None })],
            ],
        )]
    }

    /// "Gửi báo cáo": records it, then says what happens next and how to report to the
    /// authorities too.
    pub(super) fn report_send(
        &self,
        cx: &Ctx<'_>,
        id: u64,
        feedback: Option<bool>,
    ) -> Result<Vec<Reply>, EngineError> {
        let Some(feedback) = feedback else { return Ok(say(texts::REPORT_CANCELLED)) };
        let key = cx.key;
        let Some(Remembered { text, .. }) = self.conversations.recall(key, id) else {
            return Ok(say(texts::EXPIRED));
        };
        let report = self.checker.check(&text);
        let found: Vec<Candidate> =
            reports::candidates(&report, &text, &self.content).into_iter().filter(|c| !c.official).collect();
        let entities: Vec<(EntityKind, String, Option<String>)> =
            found.iter().map(|c| (c.kind, c.value.clone(), c.bank.clone())).collect();
        let recorded = self.store.report_scam(&NewReport {
            reporter: key,
            feedback,
            entities: &entities,
            form: report.types.first().map(|(f, _)| f.as_str()),
            verdict: report.verdict.as_str(),
            daily_limit: reports::DAILY_LIMIT,
        })?;
        for c in &found {
            self.register.refresh(&self.store, c.kind, &c.value)?;
        }
        let mut body = Rich::new();
        body = match (recorded.new, recorded.repeated, recorded.over_limit) {
            (0, _, 0) => body.para(texts::REPORT_REPEATED),
            (0, _, _) => body.para(texts::REPORT_LIMIT),
            (n, _, over) => {
                let b =
                    body.para(format!("Cảm ơn anh/chị! Tôi đã ghi nhận {n} mục để quản trị viên xem xét."));
                if over > 0 { b.para(texts::REPORT_LIMIT) } else { b }
            }
        };
        body = body.para(if feedback { texts::REPORT_NEXT_FEEDBACK } else { texts::REPORT_NEXT });
        body = body.para(authorities(&found));
        Ok(vec![Reply::text(body)])
    }

    /// `/duyet`: the pending entities, most reporters first, each with its three buttons.
    pub(super) fn review_reports(&self) -> Result<Vec<Reply>, EngineError> {
        let pending = self.store.reported_entities(Some(ReportStatus::Pending))?;
        if pending.is_empty() {
            return Ok(say(texts::REVIEW_EMPTY));
        }
        let mut out = vec![Reply::plain(format!(
            "Có {} mục chờ duyệt{}. Mỗi mục: bấm Xác nhận lừa đảo, Không phải lừa đảo hoặc Bỏ qua.",
            pending.len(),
            if pending.len() > REVIEW_PAGE {
                format!(" (hiện {REVIEW_PAGE} mục nhiều người báo nhất)")
            } else {
                String::new()
            }
        ))];
        for e in pending.iter().take(REVIEW_PAGE) {
            out.push(Reply::with_buttons(
                Rich::new().bullets(self.describe_entity(e)),
                vec![
                    vec![
                        Button::new(
                            "🚫 Xác nhận lừa đảo",
                            Action::Decide { entity: e.id, decision: Decision::Confirm },
                        ),
                        Button::new(
                            "✅ Không phải lừa đảo",
                            Action::Decide { entity: e.id, decision: Decision::Reject },
                        ),
                    ],
                    vec![Button::new("Bỏ qua", Action::Decide { entity: e.id, decision: Decision::Skip })],
                ],
            ));
        }
        Ok(out)
    }

    /// An entity for an admin: what, how many people, when, which forms (the web console
    /// shows the same lines).
    pub fn describe_entity(&self, e: &EntitySummary) -> Vec<String> {
        let what = match &e.bank {
            Some(bank) => format!("{} {} ({bank})", e.kind.label_vi(), e.value),
            None => format!("{} {}", e.kind.label_vi(), e.value),
        };
        let mut lines = vec![
            what,
            format!(
                "{} người báo cáo ({} lượt), từ {} đến {}",
                e.reporters,
                e.reports,
                crate::vntime::iso_vi(&e.first_day),
                crate::vntime::iso_vi(&e.last_day)
            ),
        ];
        let forms: Vec<String> = e
            .forms
            .iter()
            .take(3)
            .map(|(id, n)| {
                format!("{} ({n})", self.content.form(id).map_or(id.as_str(), |f| f.title.as_str()))
            })
            .collect();
        if !forms.is_empty() {
            lines.push(format!("Hình thức gần nhất: {}", forms.join("; ")));
        }
        lines
    }

    /// A decision from `/duyet`'s buttons.
    pub(super) fn decide(
        &self,
        cx: &Ctx<'_>,
        entity: i64,
        decision: Decision,
    ) -> Result<Vec<Reply>, EngineError> {
        if cx.role < Role::Admin {
            return Ok(say(texts::ADMIN_ONLY));
        }
        let status = match decision {
            Decision::Skip => return Ok(say(texts::REVIEW_SKIPPED)),
            Decision::Confirm => ReportStatus::Confirmed,
            Decision::Reject => ReportStatus::Rejected,
        };
        Ok(say(&self.set_report_status(cx.key, entity, status, None)?))
    }

    /// `/gobaocao <số, STK hoặc tên miền>`: takes a confirmation (or a rejection) back.
    pub(super) fn withdraw_confirmation(&self, cx: &Ctx<'_>, arg: &str) -> Result<Vec<Reply>, EngineError> {
        let arg = arg.trim();
        if arg.is_empty() {
            return Ok(say(texts::UNCONFIRM_USAGE));
        }
        let found = [
            (EntityKind::Phone, reports::normal_phone(arg)),
            (EntityKind::Account, arg.chars().filter(char::is_ascii_digit).collect()),
            (EntityKind::Host, crate::check::url::host_path(&arg.to_lowercase()).0),
        ]
        .into_iter()
        .find_map(|(kind, value)| self.store.reported_value(kind, &value).ok().flatten());
        match found {
            Some(e) if e.status != ReportStatus::Pending => Ok(say(&self.set_report_status(
                cx.key,
                e.id,
                ReportStatus::Pending,
                Some("quản trị viên rút lại quyết định"),
            )?)),
            Some(_) => Ok(say(texts::UNCONFIRM_PENDING)),
            None => Ok(say(texts::UNCONFIRM_UNKNOWN)),
        }
    }

    /// An admin's decision on a reported entity (from `/duyet`, `/gobaocao` or the web
    /// console; the caller checked the role): the register, the reporters' feedback and the
    /// audit log follow. Returns what to tell the admin.
    pub fn set_report_status(
        &self,
        by: &UserKey,
        entity: i64,
        status: ReportStatus,
        why: Option<&str>,
    ) -> Result<String, EngineError> {
        let by = by.to_string();
        let Some(current) = self.store.reported_entity(entity)? else { return Ok(texts::REVIEW_GONE.into()) };
        if status == ReportStatus::Confirmed && reports::is_official(&self.checker, &current) {
            return Ok(texts::REVIEW_OFFICIAL.into());
        }
        let decided = self.store.decide_report(entity, status, &by, why, |e| reports::feedback(e, status))?;
        let Some(d) = decided else { return Ok(texts::REVIEW_GONE.into()) };
        // The decision is logged by entity id and outcome: no message text, no person.
        tracing::info!(
            entity = d.entity.id,
            status = status.as_str(),
            notified = d.notified,
            "report decided"
        );
        self.register.refresh(&self.store, d.entity.kind, &d.entity.value)?;
        if d.broadcast.is_some() {
            self.wake_worker();
        }
        let what = format!("{} {}", d.entity.kind.label_vi(), d.entity.value);
        self.store.audit(&by, AuditAction::of_decision(status), &what, now())?;
        let mut text = match status {
            ReportStatus::Confirmed => format!(
                "Đã xác nhận lừa đảo: {what}. Từ giờ ai kiểm tra tin nhắn có mục này sẽ được cảnh báo."
            ),
            ReportStatus::Rejected => format!("Đã ghi nhận {what} không phải lừa đảo."),
            ReportStatus::Pending => {
                format!("Đã rút lại quyết định về {what}; mục này trở lại danh sách chờ duyệt.")
            }
        };
        if d.notified > 0 {
            text.push_str(&format!(" {} người báo cáo sẽ nhận được phản hồi.", d.notified));
        }
        Ok(text)
    }
}

/// How to report to the authorities, filled in with what was found.
fn authorities(found: &[Candidate]) -> String {
    let mut lines = Vec::new();
    if let Some(p) = found.iter().find(|c| c.kind == EntityKind::Phone && !c.official) {
        lines.push(format!(
            "Báo cuộc gọi, tin nhắn lừa đảo: soạn \"LD {} [nội dung]\" gửi 156; tin nhắn rác: soạn \"S {} [nội dung]\" gửi 156 hoặc 5656.",
            p.value, p.value
        ));
    }
    if found.iter().any(|c| c.kind == EntityKind::Host && !c.official) {
        lines.push("Báo trang web lừa đảo tại canhbao.khonggianmang.gov.vn.".to_owned());
    }
    lines.push("Đã mất tiền: gọi ngay tổng đài ngân hàng, báo công an nơi gần nhất (khẩn cấp gọi 113) hoặc qua mục \"Kiến nghị, phản ánh về ANTT\" trên ứng dụng VNeID.".to_owned());
    format!("Anh/chị cũng có thể tự báo cơ quan chức năng: {}", lines.join(" "))
}

/// The "🚩 Báo cáo lừa đảo" button under a verdict.
#[must_use]
pub(super) fn flag_button(id: u64) -> Button {
    Button::new("🚩 Báo cáo lừa đảo", Action::Detail { id, what: Detail::Flag })
}
