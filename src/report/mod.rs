//! The implementation report (`canhgiac report`): the campaign's figures over a range of
//! Vietnamese dates, as Markdown tables with Vietnamese labels or as CSV
//! (`section,metric,key,value`). Aggregates only: no user appears, except in the optional
//! section on one trainer's own sessions (`--with-names --trainer`).

pub mod session;

use std::fmt::Write as _;

use thiserror::Error;

use crate::model::retention::Retention;
use crate::{
    campaign::verdict_label,
    content::Content,
    model::{Channel, ChatKind},
    store::{ReachBasis, ReportFigures, Store, StoreError, UserKey},
    vntime::{civil, days_from_civil},
};
use session::SessionResults;

/// A quiz is passed with at least this share of correct answers.
pub const PASS_PERCENT: usize = 80;
/// Questions listed as most missed.
pub const MOST_MISSED: usize = 10;

/// Report failures.
#[derive(Debug, Error)]
pub enum ReportError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A date is not YYYY-MM-DD.
    #[error("\"{0}\" is not a date of the form YYYY-MM-DD")]
    Date(String),
    /// The range is empty.
    #[error("the range ends ({to}) before it starts ({from})")]
    Range {
        /// First day.
        from: String,
        /// Last day.
        to: String,
    },
}

/// Checks a `YYYY-MM-DD` date (a real calendar day).
pub fn parse_date(s: &str) -> Result<String, ReportError> {
    let bad = || ReportError::Date(s.to_owned());
    let parts: Vec<&str> = s.trim().split('-').collect();
    let [y, m, d] = parts[..] else { return Err(bad()) };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return Err(bad());
    }
    let (y, m, d): (i64, i64, i64) =
        (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?, d.parse().map_err(|_| bad())?);
    if civil(days_from_civil(y, m, d)) != (y, m, d) {
        return Err(bad());
    }
    Ok(format!("{y:04}-{m:02}-{d:02}"))
}

/// `n` of `d` in whole percent, rounded (0 when `d` is 0).
#[must_use]
pub fn percent(n: usize, d: usize) -> usize {
    (n * 100 + d / 2).checked_div(d).unwrap_or(0)
}

/// One CSV line (fields quoted when they need it), with a trailing newline.
#[must_use]
pub fn csv_line(fields: &[&str]) -> String {
    let mut line = fields
        .iter()
        .map(|f| {
            if f.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", f.replace('"', "\"\""))
            } else {
                (*f).to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(",");
    line.push('\n');
    line
}

/// Quiz outcomes of one kind, summarised.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ScoreSummary {
    /// Quizzes taken.
    pub taken: usize,
    /// Average share of correct answers, percent (one decimal).
    pub average: f64,
    /// Quizzes with at least [`PASS_PERCENT`] correct.
    pub passed: usize,
}

impl ScoreSummary {
    fn of(scores: &[(i64, i64)]) -> Self {
        let valid: Vec<(f64, bool)> = scores
            .iter()
            .filter(|(_, total)| *total > 0)
            .map(|&(c, t)| (c as f64 * 100.0 / t as f64, c * 100 >= PASS_PERCENT as i64 * t))
            .collect();
        let taken = valid.len();
        let sum: f64 = valid.iter().map(|(p, _)| p).sum();
        let average = if taken == 0 { 0.0 } else { (sum / taken as f64 * 10.0).round() / 10.0 };
        Self { taken, average, passed: valid.iter().filter(|(_, p)| *p).count() }
    }

    /// Passed quizzes in percent (one decimal).
    #[must_use]
    pub fn pass_rate(&self) -> f64 {
        if self.taken == 0 { 0.0 } else { (self.passed as f64 * 1000.0 / self.taken as f64).round() / 10.0 }
    }
}

/// A question many got wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct Missed {
    /// Question id.
    pub id: String,
    /// Question text (empty if it left the bank).
    pub text: String,
    /// Answers.
    pub answered: i64,
    /// Wrong answers.
    pub wrong: i64,
}

/// The report.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// First day (YYYY-MM-DD, Vietnamese date).
    pub from: String,
    /// Last day, inclusive.
    pub to: String,
    /// Raw counts.
    pub figures: ReportFigures,
    /// Personal quizzes.
    pub personal: ScoreSummary,
    /// Group quizzes (one per participant who answered).
    pub group: ScoreSummary,
    /// Personal and group together.
    pub all: ScoreSummary,
    /// Most missed questions, most wrong answers first.
    pub missed: Vec<Missed>,
    /// With names: one trainer's sessions in the range.
    pub trainer_sessions: Vec<SessionResults>,
    /// The bot's own compliance in the range (aggregates, no user).
    pub privacy: PrivacyFigures,
    /// The retention periods in force (stated in the privacy section).
    pub retention: Retention,
}

/// What the bot did for data subjects in a range, counted with no user: what the annual
/// report on personal-data protection asks of the bot itself.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PrivacyFigures {
    /// Consents given to the notice.
    pub consents: i64,
    /// Refusals.
    pub declined: i64,
    /// Consents withdrawn (`/rutdongy`).
    pub withdrawals: i64,
    /// Access requests answered (`/dulieucuatoi`).
    pub access: i64,
    /// Deletions on request (`/xoadulieu`).
    pub deletions: i64,
    /// Rows deleted because their retention period ended.
    pub expired: i64,
}

impl PrivacyFigures {
    /// Data-subject requests handled: access, withdrawal and deletion.
    #[must_use]
    pub fn requests(&self) -> i64 {
        self.access + self.withdrawals + self.deletions
    }
}

impl Report {
    /// With the retention periods the bot runs with (the configuration's).
    #[must_use]
    pub fn with_retention(mut self, retention: Retention) -> Self {
        self.retention = retention;
        self
    }
}

/// The day the Law on Personal Data Protection and Decree 356 took effect.
pub const NEW_LAW_FROM: &str = "2026-01-01";

/// The legal basis of the processing for a period: the Law on Personal Data Protection
/// (91/2025/QH15) and Decree 356/2025/NĐ-CP from 1 January 2026, Decree 13/2023/NĐ-CP for the
/// days before.
#[must_use]
pub fn legal_basis(from: &str, to: &str) -> Vec<&'static str> {
    let mut out = Vec::new();
    if to >= NEW_LAW_FROM {
        out.push("Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15 và Nghị định số 356/2025/NĐ-CP (có hiệu lực từ ngày 01/01/2026)");
    }
    if from < NEW_LAW_FROM {
        out.push("Nghị định số 13/2023/NĐ-CP về bảo vệ dữ liệu cá nhân (cho những ngày trước 01/01/2026)");
    }
    out
}

/// What the bot processes personal data for (as the privacy notice says).
pub const PURPOSES: [&str; 4] = [
    "Trả lời người dùng: kiểm tra tin nhắn, hỏi đáp, trắc nghiệm",
    "Gửi mẹo hằng tuần và cảnh báo tới người đã đăng ký",
    "Ghi nhận, xác minh báo cáo lừa đảo của cán bộ (số điện thoại, số tài khoản, trang web) để cảnh báo người khác",
    "Thống kê tổng hợp, không gắn với cá nhân, cho báo cáo triển khai",
];

/// Builds the report for `from..=to` (checked `YYYY-MM-DD` dates); with `trainer`, adds that
/// trainer's sessions with their leaderboards.
pub fn build(
    store: &Store,
    content: &Content,
    from: &str,
    to: &str,
    trainer: Option<&UserKey>,
) -> Result<Report, ReportError> {
    let (from, to) = (parse_date(from)?, parse_date(to)?);
    if to < from {
        return Err(ReportError::Range { from, to });
    }
    let figures = store.report_figures(&from, &to)?;
    let all_scores: Vec<(i64, i64)> =
        figures.personal_scores.iter().chain(&figures.group_scores).copied().collect();
    let missed = figures
        .question_answers
        .iter()
        .filter(|(_, _, wrong)| *wrong > 0)
        .take(MOST_MISSED)
        .map(|(id, answered, wrong)| Missed {
            id: id.clone(),
            text: content
                .quiz
                .iter()
                .find(|q| &q.id == id)
                .map(|q| q.question.trim().to_owned())
                .unwrap_or_default(),
            answered: *answered,
            wrong: *wrong,
        })
        .collect();
    let mut trainer_sessions = Vec::new();
    if let Some(t) = trainer {
        for id in store.trainer_sessions_between(t, &from, &to)? {
            if let Some(r) = SessionResults::load(store, id)? {
                trainer_sessions.push(r);
            }
        }
    }
    let counted = |kind: &str, key: Option<&str>| -> Result<i64, ReportError> {
        Ok(store
            .totals_between(kind, Some(&from), Some(&to))?
            .into_iter()
            .filter(|(k, _)| key.is_none_or(|key| k == key))
            .map(|(_, n)| n)
            .sum())
    };
    let privacy = PrivacyFigures {
        consents: counted("privacy", Some("consent"))?,
        declined: counted("privacy", Some("declined"))?,
        withdrawals: counted("privacy", Some("withdrawal"))?,
        access: counted("privacy", Some("access"))?,
        deletions: counted("privacy", Some("deletion"))?,
        expired: counted("retention", None)?,
    };
    Ok(Report {
        privacy,
        retention: Retention::default(),
        personal: ScoreSummary::of(&figures.personal_scores),
        group: ScoreSummary::of(&figures.group_scores),
        all: ScoreSummary::of(&all_scores),
        from,
        to,
        figures,
        missed,
        trainer_sessions,
    })
}

/// Escapes a table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn table(out: &mut String, head: &[&str], rows: &[Vec<String>]) {
    let _ = writeln!(out, "| {} |", head.join(" | "));
    let _ = writeln!(
        out,
        "|{}|",
        head.iter()
            .enumerate()
            .map(|(i, _)| if i == 0 { "---" } else { "---:" })
            .collect::<Vec<_>>()
            .join("|")
    );
    if rows.is_empty() {
        let _ = writeln!(out, "| (chưa có) |{}", " |".repeat(head.len() - 1));
    }
    for r in rows {
        let _ = writeln!(out, "| {} |", r.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | "));
    }
    out.push('\n');
}

fn sum(pairs: &[(String, i64)]) -> i64 {
    pairs.iter().map(|(_, n)| n).sum()
}

fn fmt1(x: f64) -> String {
    format!("{x:.1}").replace('.', ",")
}

/// The report as Markdown with Vietnamese labels.
#[must_use]
pub fn render_md(r: &Report, content: &Content) -> String {
    let f = &r.figures;
    let mut out = format!(
        "# Báo cáo triển khai canhgiac: {} – {}\n\n",
        crate::vntime::iso_vi(&r.from),
        crate::vntime::iso_vi(&r.to)
    );
    out.push_str("Số liệu tổng hợp, không gắn với cá nhân. Ngày theo giờ Việt Nam (UTC+7).\n\n");

    out.push_str("## Bảo vệ dữ liệu cá nhân\n\nCăn cứ:\n\n");
    for basis in legal_basis(&r.from, &r.to) {
        let _ = writeln!(out, "- {basis}");
    }
    out.push_str("\nMục đích xử lý:\n\n");
    for p in PURPOSES {
        let _ = writeln!(out, "- {p}");
    }
    out.push_str("\nThời hạn lưu trữ đang áp dụng (tự động xóa mỗi ngày khi hết hạn):\n\n");
    for line in r.retention.lines_vi() {
        let _ = writeln!(out, "- {line}");
    }
    out.push_str(
        "\nNgười dùng đồng ý bằng thao tác rõ ràng (nút \"Đồng ý\") trước khi bot lưu bất cứ dữ liệu nào về họ; \
         yêu cầu xem, rút lại đồng ý và xóa dữ liệu được bot thực hiện ngay khi nhận.\n\n",
    );
    let p = &r.privacy;
    table(
        &mut out,
        &["Chỉ số", "Số lượng"],
        &[
            vec!["Lượt đồng ý xử lý dữ liệu".to_owned(), p.consents.to_string()],
            vec!["Lượt không đồng ý".to_owned(), p.declined.to_string()],
            vec!["Yêu cầu của chủ thể dữ liệu đã xử lý".to_owned(), p.requests().to_string()],
            vec!["– Xem dữ liệu (/dulieucuatoi)".to_owned(), p.access.to_string()],
            vec!["– Rút lại đồng ý (/rutdongy)".to_owned(), p.withdrawals.to_string()],
            vec!["– Xóa dữ liệu (/xoadulieu)".to_owned(), p.deletions.to_string()],
            vec!["Bản ghi đã xóa do hết thời hạn lưu".to_owned(), p.expired.to_string()],
        ],
    );

    let basis = match f.reach_basis {
        ReachBasis::Year => "Số người dùng khác nhau đã nhắn cho bot trong năm.",
        ReachBasis::Half => "Số người dùng khác nhau đã nhắn cho bot trong 6 tháng.",
        ReachBasis::Quarter => "Số người dùng khác nhau đã nhắn cho bot trong quý.",
        ReachBasis::Month => "Số người dùng khác nhau đã nhắn cho bot trong tháng.",
        ReachBasis::MonthlySum => {
            "Số người dùng khác nhau của từng tháng trong kỳ, cộng lại (kỳ báo cáo không trùng một tháng, quý, 6 tháng hay năm; bot chỉ giữ số đếm, không giữ danh sách người dùng)."
        }
    };
    let _ = writeln!(out, "## Cán bộ được tiếp cận\n\n{basis}\n");
    let mut rows: Vec<Vec<String>> =
        f.reached.iter().map(|(c, n)| vec![channel_vi(c).to_owned(), n.to_string()]).collect();
    rows.push(vec!["**Tổng**".into(), sum(&f.reached).to_string()]);
    table(&mut out, &["Kênh", "Người dùng"], &rows);
    table(
        &mut out,
        &["Chỉ số", "Số lượng"],
        &[
            vec!["Người dùng mới (lần đầu đồng ý)".to_owned(), sum(&f.new_users).to_string()],
            vec!["Lượt người dùng theo ngày (cộng dồn)".to_owned(), sum(&f.user_days).to_string()],
        ],
    );

    out.push_str("## Đăng ký nhận mẹo hàng tuần\n\n");
    let rows: Vec<Vec<String>> = f
        .subscribers_now
        .iter()
        .map(|s| {
            vec![
                s.channel.label_vi().to_owned(),
                if s.chat_kind == ChatKind::Group { "Nhóm".into() } else { "Cá nhân".into() },
                s.count.to_string(),
            ]
        })
        .collect();
    table(&mut out, &["Kênh", "Loại", "Đang đăng ký"], &rows);
    let rows: Vec<Vec<String>> =
        f.new_subscribers.iter().map(|(c, n)| vec![channel_vi(c).to_owned(), n.to_string()]).collect();
    table(&mut out, &["Kênh", "Đăng ký mới trong kỳ"], &rows);

    out.push_str("## Mẹo và cảnh báo đã gửi\n\n");
    let tips_total: i64 = f.tips_delivered.iter().map(|(_, n)| n).sum();
    let mut rows = vec![
        vec!["Lượt mẹo hàng tuần đã gửi".to_owned(), tips_total.to_string()],
        vec!["Cảnh báo đã phát".to_owned(), r.figures.alerts.to_string()],
    ];
    for (c, n) in &f.tips_delivered {
        rows.push(vec![format!("Mẹo hàng tuần đã gửi tới ({})", channel_vi(c)), n.to_string()]);
    }
    for (c, n) in &f.alert_deliveries {
        rows.push(vec![format!("Cảnh báo đã gửi tới ({})", channel_vi(c)), n.to_string()]);
    }
    table(&mut out, &["Chỉ số", "Số lượng"], &rows);

    out.push_str("## Kiểm tra tin nhắn\n\n");
    let rows: Vec<Vec<String>> =
        f.verdicts.iter().map(|(v, n)| vec![verdict_label(v).to_owned(), n.to_string()]).collect();
    table(&mut out, &["Kết luận", "Số lượt"], &rows);
    let rows: Vec<Vec<String>> = f
        .forms
        .iter()
        .map(|(id, n)| {
            vec![content.form(id).map_or(id.as_str(), |x| x.title.as_str()).to_owned(), n.to_string()]
        })
        .collect();
    table(&mut out, &["Hình thức gần nhất", "Số lượt"], &rows);

    let _ = writeln!(
        out,
        "## Trắc nghiệm\n\nĐạt: từ {PASS_PERCENT}% số câu đúng trở lên. Trắc nghiệm nhóm tính mỗi người tham gia có trả lời là một lượt. Số buổi trắc nghiệm nhóm: {}.\n",
        f.group_sessions
    );
    let row = |label: &str, g: fn(&ScoreSummary) -> String| {
        vec![label.to_owned(), g(&r.personal), g(&r.group), g(&r.all)]
    };
    table(
        &mut out,
        &["Chỉ số", "Cá nhân", "Nhóm", "Tổng"],
        &[
            row("Lượt làm bài", |s| s.taken.to_string()),
            row("Điểm trung bình (%)", |s| fmt1(s.average)),
            row("Tỷ lệ đạt (%)", |s| fmt1(s.pass_rate())),
        ],
    );

    out.push_str("## Câu hỏi trả lời sai nhiều nhất\n\n");
    let rows: Vec<Vec<String>> = r
        .missed
        .iter()
        .enumerate()
        .map(|(i, m)| {
            vec![
                (i + 1).to_string(),
                if m.text.is_empty() { m.id.clone() } else { m.text.clone() },
                m.answered.to_string(),
                m.wrong.to_string(),
                percent(usize::try_from(m.wrong).unwrap_or(0), usize::try_from(m.answered).unwrap_or(0))
                    .to_string(),
            ]
        })
        .collect();
    table(&mut out, &["#", "Câu hỏi", "Lượt trả lời", "Lượt sai", "Tỷ lệ sai (%)"], &rows);

    if !r.trainer_sessions.is_empty() {
        out.push_str("## Các buổi trắc nghiệm của người hướng dẫn\n\n");
        for s in &r.trainer_sessions {
            let _ = writeln!(out, "### Bài số {}: {}\n", s.session.id, session::title(&s.session));
            let asked = s.session.asked();
            let rows: Vec<Vec<String>> = s
                .standings
                .iter()
                .enumerate()
                .map(|(i, b)| {
                    vec![(i + 1).to_string(), session::shown_name(b, i + 1), format!("{}/{asked}", b.correct)]
                })
                .collect();
            table(&mut out, &["Hạng", "Tên", "Số câu đúng"], &rows);
        }
    }
    out
}

/// The report as CSV: `section,metric,key,value`.
#[must_use]
pub fn render_csv(r: &Report) -> String {
    let f = &r.figures;
    let mut out = csv_line(&["section", "metric", "key", "value"]);
    let mut put = |section: &str, metric: &str, key: &str, value: String| {
        out.push_str(&csv_line(&[section, metric, key, &value]));
    };
    put("period", "from", "", r.from.clone());
    put("period", "to", "", r.to.clone());
    for (i, basis) in legal_basis(&r.from, &r.to).into_iter().enumerate() {
        put("privacy", "legal_basis", &(i + 1).to_string(), basis.to_owned());
    }
    let p = &r.privacy;
    for (metric, n) in [
        ("consents", p.consents),
        ("declined", p.declined),
        ("requests", p.requests()),
        ("access_requests", p.access),
        ("withdrawals", p.withdrawals),
        ("deletions", p.deletions),
        ("expired_rows", p.expired),
    ] {
        put("privacy", metric, "", n.to_string());
    }
    for rule in crate::model::retention::RULES {
        put("privacy", "retention_days", rule.field, r.retention.days(rule.kind).to_string());
    }
    for (c, n) in &f.reached {
        put("reach", "users", c, n.to_string());
    }
    put("reach", "users", "total", sum(&f.reached).to_string());
    put("reach", "basis", "", format!("{:?}", f.reach_basis).to_lowercase());
    put("reach", "new_users", "total", sum(&f.new_users).to_string());
    put("reach", "user_days", "total", sum(&f.user_days).to_string());
    for s in &f.subscribers_now {
        put("subscribers", "now", &format!("{}:{}", s.channel, s.chat_kind), s.count.to_string());
    }
    for (c, n) in &f.new_subscribers {
        put("subscribers", "new", c, n.to_string());
    }
    for (c, n) in &f.tips_delivered {
        put("tips", "delivered", c, n.to_string());
    }
    put("alerts", "sent", "", f.alerts.to_string());
    for (c, n) in &f.alert_deliveries {
        put("alerts", "delivered", c, n.to_string());
    }
    for (v, n) in &f.verdicts {
        put("checks", "verdict", v, n.to_string());
    }
    for (id, n) in &f.forms {
        put("checks", "form", id, n.to_string());
    }
    put("quiz", "group_sessions", "", f.group_sessions.to_string());
    for (kind, s) in [("personal", &r.personal), ("group", &r.group), ("total", &r.all)] {
        put("quiz", "taken", kind, s.taken.to_string());
        put("quiz", "average_percent", kind, format!("{:.1}", s.average));
        put("quiz", "pass_rate_percent", kind, format!("{:.1}", s.pass_rate()));
    }
    for m in &r.missed {
        put("most_missed", "answered", &m.id, m.answered.to_string());
        put("most_missed", "wrong", &m.id, m.wrong.to_string());
    }
    for s in &r.trainer_sessions {
        for (i, b) in s.standings.iter().enumerate() {
            put(
                &format!("session_{}", s.session.id),
                "correct",
                &session::shown_name(b, i + 1),
                b.correct.to_string(),
            );
        }
    }
    out
}

/// A stored channel code as people know it (an unknown code is shown as it is).
fn channel_vi(code: &str) -> &str {
    match code.parse::<Channel>() {
        Ok(c) => c.label_vi(),
        Err(_) => code,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_checked_and_converted_to_vietnamese_time() {
        assert_eq!(parse_date("2025-02-28").expect("date"), "2025-02-28");
        assert!(parse_date("2025-02-30").is_err());
        assert!(parse_date("2025-2-3").is_err());
        assert!(parse_date("hôm qua").is_err());
        // 2024-12-31 17:00 UTC is already 1 January in Vietnam.
    }

    #[test]
    fn scores_average_and_pass_mark() {
        let s = ScoreSummary::of(&[(10, 10), (8, 10), (7, 10), (0, 0)]);
        assert_eq!((s.taken, s.passed), (3, 2));
        assert!((s.average - 83.3).abs() < 1e-9);
        assert!((s.pass_rate() - 66.7).abs() < 1e-9);
        assert_eq!(csv_line(&["a", "b,c", "say \"hi\""]), "a,\"b,c\",\"say \"\"hi\"\"\"\n");
    }
}
