//! The scam checker: "does this message look like a scam?"
//!
//! A message goes through entity extraction (`extract`), URL analysis (`url`, with optional
//! imported blocklists), named signal phrases from `content/signals.yaml` (`signals`), and a
//! logistic model over those features whose weights are data (`content/weights.yaml`, fitted on
//! the dev data by `canhgiac eval --fit`, see `eval`). The result explains itself: every signal
//! that raised the score comes with its evidence, every URL with its reasons, plus the closest
//! fraud forms (through the search index) and what to do.

pub mod blocklist;
pub mod eval;
pub mod extract;
mod report;
pub mod signals;
pub mod textmodel;
pub mod url;

use std::{collections::BTreeMap, sync::Arc};

pub use blocklist::Blocklist;
pub use report::{CheckJson, headline, render_card, render_summary};
use thiserror::Error;
use tracing::debug;
pub use url::{Risk, UrlAnalyzer, UrlFlag, UrlReport};

use self::{
    extract::{PhoneKind, extract},
    signals::{PhraseMatcher, obfuscated_words},
};
use crate::{
    content::{Content, EntryKind},
    search::Searcher,
    text::{Analyzer, nfc},
};

/// Longest text analysed; the rest of a longer message is ignored (and the report says so).
pub const MAX_CHARS: usize = 20_000;

/// Checker set-up failures.
#[derive(Debug, Error)]
pub enum CheckError {
    /// `content/weights.yaml` names a feature the checker does not compute.
    #[error("content/weights.yaml: entry `{0}`, field `features`: unknown feature (known: {1})")]
    UnknownFeature(String, String),
    /// `content/weights.yaml` has a text bucket out of range.
    #[error("content/weights.yaml: entry `{0}`, field `text`: bucket out of range (0..{1})")]
    BadBucket(u32, u32),
}

/// The verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// No clear sign of a scam.
    Safe,
    /// Some signs; verify before acting.
    Suspicious,
    /// Clearly a scam.
    Scam,
}

impl Verdict {
    /// The headline users see, with its sign.
    #[must_use]
    pub fn headline_vi(self) -> &'static str {
        match self {
            Self::Scam => "🚨 LỪA ĐẢO",
            Self::Suspicious => "⚠️ ĐÁNG NGỜ",
            Self::Safe => "✅ CHƯA THẤY DẤU HIỆU LỪA ĐẢO",
        }
    }

    /// The verdict as a label in a list or a table cell (never "an toàn": the checker only
    /// says it found no sign of fraud).
    #[must_use]
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Scam => "Lừa đảo",
            Self::Suspicious => "Đáng ngờ",
            Self::Safe => "Chưa thấy dấu hiệu lừa đảo",
        }
    }

    /// From the stored name.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Safe, Self::Suspicious, Self::Scam].into_iter().find(|v| v.as_str() == s)
    }

    /// The verdict as in the JSON interface.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Safe => "safe",
            Self::Suspicious => "suspicious",
            Self::Scam => "scam",
        }
    }
}

/// A reason that raised the score.
#[derive(Debug, Clone, PartialEq)]
pub struct Signal {
    /// Feature id.
    pub id: String,
    /// Vietnamese label.
    pub label: String,
    /// What in the message triggered it.
    pub evidence: String,
    /// Its weight in the model.
    pub weight: f64,
}

impl Signal {
    /// The signal as users read it: its label and, when there is one, the words that fired it.
    #[must_use]
    pub fn describe(&self) -> String {
        if self.evidence.is_empty() {
            self.label.clone()
        } else {
            format!("{}: \"{}\"", self.label, self.evidence)
        }
    }
}

/// The checker's full answer.
#[derive(Debug, Clone)]
pub struct Report {
    /// Verdict.
    pub verdict: Verdict,
    /// Probability-like score in 0..1.
    pub score: f64,
    /// Closest fraud forms with scores, best first (empty when safe).
    pub types: Vec<(String, f64)>,
    /// Signals that raised the score, strongest first.
    pub signals: Vec<Signal>,
    /// URL analyses.
    pub urls: Vec<UrlReport>,
    /// What to do, in Vietnamese: first the notes about the input (empty, too long), then the
    /// advice for the verdict.
    pub advice: Vec<String>,
    /// How many of the first `advice` lines are notes about the input.
    pub notes: usize,
    /// Every feature present (for fitting and diagnostics).
    pub features: Vec<String>,
    /// Hashed n-gram buckets of the text (for fitting).
    pub buckets: Vec<u32>,
}

/// Labels of the structural (non-phrase) features.
const STRUCTURAL: [(&str, &str); 10] = [
    ("phone_mobile", "Yêu cầu liên hệ qua số điện thoại di động cá nhân"),
    ("phone_foreign", "Có số điện thoại nước ngoài"),
    ("phone_hotline", "Có số tổng đài 1800/1900"),
    ("phone_shortcode", "Có đầu số dịch vụ ngắn"),
    ("bank_account", "Có số tài khoản ngân hàng để chuyển tiền"),
    ("amount", "Nhắc đến một khoản tiền cụ thể"),
    ("ussd_code", "Yêu cầu bấm mã dạng *...# (có thể chuyển hướng cuộc gọi, chiếm SIM)"),
    ("qr_code", "Yêu cầu quét mã QR"),
    ("apk_mention", "Nhắc đến tệp cài đặt APK"),
    ("obfuscated_text", "Chữ bị cố tình viết lệch, chèn ký tự để lách bộ lọc"),
];

fn url_label(flag: UrlFlag, r: &UrlReport) -> String {
    let brand = r.brand.clone().unwrap_or_default();
    match flag {
        UrlFlag::Official => format!("Đường link chính thức ({})", r.domain),
        UrlFlag::Unknown | UrlFlag::UnknownVn => "Có đường link tới trang web lạ".to_owned(),
        UrlFlag::Blocklisted => "Đường link nằm trong danh sách chặn lừa đảo".to_owned(),
        UrlFlag::Lookalike => format!("Đường link giả mạo tên miền của {brand}"),
        UrlFlag::BrandInPath => format!("Đường link lạ dùng tên {brand} để đánh lừa"),
        UrlFlag::Shortener => "Dùng link rút gọn che giấu trang đích".to_owned(),
        UrlFlag::Ip => "Đường link dùng địa chỉ IP thay cho tên miền".to_owned(),
        UrlFlag::RiskyTld => "Tên miền có đuôi thường dùng cho trang lừa đảo".to_owned(),
        UrlFlag::Punycode => "Tên miền dùng ký tự quốc tế giả dạng chữ Latin".to_owned(),
        UrlFlag::Download => "Đường link tải tệp cài đặt (APK/EXE)".to_owned(),
        UrlFlag::UserContent => format!("Mời vào nhóm, tài khoản hay biểu mẫu trên {}", r.domain),
    }
}

/// Forms that structural URL findings point to.
fn url_forms(feature: &str) -> &'static [&'static str] {
    match feature {
        "url_lookalike" | "url_punycode" | "url_brand_in_path" => {
            &["fake_official_website", "sms_brandname_spoofing"]
        }
        "url_shortener" | "url_user_content" => &["phishing_link_seeding"],
        "url_download" | "apk_mention" => &["gambling_loan_ads", "fake_official_website"],
        "url_risky_tld" | "url_ip" | "url_blocklisted" => &["fake_official_website"],
        "ussd_code" => &["sim_lock_standardization"],
        _ => &[],
    }
}

/// The don't each signal relates to.
fn dont_for(feature: &str) -> Option<&'static str> {
    Some(match feature {
        "click_link" | "url_unknown" | "url_unknown_vn" | "url_lookalike" | "url_shortener"
        | "url_risky_tld" | "url_ip" | "url_punycode" | "url_brand_in_path" | "url_blocklisted"
        | "url_download" | "url_user_content" => "dont_strange_links",
        "asks_credentials" => "dont_share_otp",
        "asks_id_documents" | "account_update" => "dont_share_personal_info",
        "loan_offer" => "dont_pay_loan_fees",
        "job_commission" => "dont_pay_for_orders",
        _ => return None,
    })
}

/// The scam checker. Cheap to share behind an `Arc`.
pub struct Checker {
    pub(crate) content: Arc<Content>,
    analyzer: Analyzer,
    signals: PhraseMatcher,
    cues: PhraseMatcher,
    urls: UrlAnalyzer,
    weights: BTreeMap<String, f64>,
    text_weights: Vec<f64>,
    searcher: Option<Arc<Searcher>>,
}

impl std::fmt::Debug for Checker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Checker").field("features", &self.weights.len()).finish_non_exhaustive()
    }
}

/// A count written the Vietnamese way, with dots between thousands (20.000).
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

pub(crate) fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

impl Checker {
    /// A checker over the content's signals, brands and weights. `searcher`, when given, finds
    /// the closest fraud forms.
    pub fn new(
        content: Arc<Content>,
        blocklist: Blocklist,
        searcher: Option<Arc<Searcher>>,
    ) -> Result<Self, CheckError> {
        let analyzer = Analyzer::new(content.lexicon.clone());
        let known = Self::feature_ids(&content);
        for k in content.weights.features.keys() {
            if !known.contains(k) {
                return Err(CheckError::UnknownFeature(k.clone(), known.join(", ")));
            }
        }
        let mut text_weights = vec![0.0; textmodel::BUCKETS as usize];
        for (b, w) in &content.weights.text {
            if *b >= textmodel::BUCKETS {
                return Err(CheckError::BadBucket(*b, textmodel::BUCKETS));
            }
            text_weights[*b as usize] = *w;
        }
        Ok(Self {
            text_weights,
            signals: PhraseMatcher::new(&content.signals.signals, &analyzer),
            cues: PhraseMatcher::new(&content.signals.safe_cues, &analyzer),
            urls: UrlAnalyzer::new(&content.brands, blocklist),
            weights: content.weights.features.clone(),
            analyzer,
            content,
            searcher,
        })
    }

    /// Every feature the checker computes, in a stable order.
    #[must_use]
    pub fn feature_ids(content: &Content) -> Vec<String> {
        let mut ids: Vec<String> = content.signals.signals.iter().map(|s| s.id.clone()).collect();
        ids.extend(content.signals.safe_cues.iter().map(|s| s.id.clone()));
        ids.extend(UrlFlag::ALL.iter().map(|f| f.feature().to_owned()));
        ids.extend(STRUCTURAL.iter().map(|(id, _)| (*id).to_owned()));
        ids
    }

    /// The content the checker uses.
    #[must_use]
    pub fn content(&self) -> &Arc<Content> {
        &self.content
    }

    /// The URL analyzer (for URL-only evaluation).
    #[must_use]
    pub fn url_analyzer(&self) -> &UrlAnalyzer {
        &self.urls
    }

    fn weight(&self, feature: &str) -> f64 {
        self.weights.get(feature).copied().unwrap_or(0.0)
    }

    /// Checks one message.
    #[must_use]
    pub fn check(&self, text: &str) -> Report {
        let _span = tracing::debug_span!("check", chars = text.len()).entered();
        let mut notes = Vec::new();
        let text = if text.chars().count() > MAX_CHARS {
            notes.push(format!("Tin nhắn rất dài: chỉ {} ký tự đầu được phân tích.", thousands(MAX_CHARS)));
            let end = text.char_indices().nth(MAX_CHARS).map_or(text.len(), |(i, _)| i);
            &text[..end]
        } else {
            text
        };
        let cleaned: String =
            text.chars().map(|c| if c.is_control() && c != '\n' { ' ' } else { c }).collect();
        if cleaned.trim().is_empty() {
            notes.push("Tin nhắn trống: anh/chị hãy dán nội dung tin nhắn cần kiểm tra.".to_owned());
        }
        // Phrases are matched on the text with letter substitutions undone ("m0t" → "mot"), which
        // keeps byte offsets (every substitution is one ASCII byte for one ASCII byte).
        let unleet = signals::deleet(&cleaned);
        let original = nfc(&unleet);
        // `original` is already NFC: lowercasing it is the whole of `normalize_text`.
        let norm = original.to_lowercase();
        let tokens = self.analyzer.analyze_normalized(&norm);
        let entities = extract(&cleaned);

        let mut present: Vec<(String, String, String)> = Vec::new(); // (feature, label, evidence)
        for hit in self.signals.find(&tokens, &original, &norm) {
            let d = &self.content.signals.signals[hit.index];
            present.push((d.id.clone(), d.label.clone(), hit.evidence));
        }
        let safe_cues: Vec<String> = self
            .cues
            .find(&tokens, &original, &norm)
            .into_iter()
            .map(|h| self.content.signals.safe_cues[h.index].id.clone())
            .collect();
        for c in &safe_cues {
            present.push((c.clone(), String::new(), String::new()));
        }
        let urls: Vec<UrlReport> = entities.urls.iter().take(20).map(|u| self.urls.analyze(u)).collect();
        for r in &urls {
            for f in &r.flags {
                if !present.iter().any(|(id, _, _)| id == f.feature()) {
                    present.push((f.feature().to_owned(), url_label(*f, r), r.url.clone()));
                }
            }
        }
        let structural =
            |id: &str| STRUCTURAL.iter().find(|(k, _)| *k == id).map_or("", |(_, l)| *l).to_owned();
        let mut add = |id: &str, evidence: String| present.push((id.to_owned(), structural(id), evidence));
        let phone = |k: PhoneKind| entities.phones.iter().find(|p| p.kind == k).map(|p| p.raw.clone());
        for (kind, feature) in [
            (PhoneKind::Mobile, "phone_mobile"),
            (PhoneKind::Foreign, "phone_foreign"),
            (PhoneKind::Hotline, "phone_hotline"),
            (PhoneKind::ShortCode, "phone_shortcode"),
        ] {
            if let Some(p) = phone(kind) {
                add(feature, p);
            }
        }
        if let Some(a) = entities.accounts.first() {
            add("bank_account", a.clone());
        }
        if let Some(a) = entities.amounts.first() {
            add("amount", a.clone());
        }
        if let Some(c) = entities.codes.iter().find(|c| c.starts_with(['*', '#'])) {
            add("ussd_code", c.clone());
        }
        if entities.qr {
            add("qr_code", String::new());
        }
        if entities.apk {
            add("apk_mention", String::new());
        }
        if let Some(words) = obfuscated_words(&cleaned) {
            add("obfuscated_text", words.into_iter().take(3).collect::<Vec<_>>().join(" "));
        }

        let grams = textmodel::ngrams(&tokens);
        let text_score: f64 = grams.iter().map(|g| self.text_weights[g.bucket as usize]).sum();
        let w = &self.content.weights;
        let logit: f64 = w.bias + text_score + present.iter().map(|(id, _, _)| self.weight(id)).sum::<f64>();
        let mut score = sigmoid(logit);
        if urls.iter().any(|u| u.flags.contains(&UrlFlag::Blocklisted)) {
            score = score.max(w.scam_threshold.max(0.9));
        }
        if cleaned.trim().is_empty() {
            score = 0.0;
        }
        let verdict = if score >= w.scam_threshold {
            Verdict::Scam
        } else if score >= w.suspicious_threshold {
            Verdict::Suspicious
        } else {
            Verdict::Safe
        };
        let mut signals: Vec<Signal> = present
            .iter()
            .filter(|(id, _, _)| self.weight(id) > 0.0 || id == "url_blocklisted")
            .map(|(id, label, evidence)| Signal {
                id: id.clone(),
                label: label.clone(),
                evidence: evidence.clone(),
                weight: self.weight(id),
            })
            .collect();
        if text_score >= 1.5 {
            let weight = |g: &textmodel::Gram| self.text_weights[g.bucket as usize];
            let mut top: Vec<&textmodel::Gram> =
                grams.iter().filter(|g| weight(g) > 0.0 && g.is_pair()).collect();
            top.sort_by(|a, b| weight(b).total_cmp(&weight(a)));
            // The message's own words, as written.
            let evidence: Vec<String> = top
                .iter()
                .take(4)
                .map(|g| signals::evidence(&original, &norm, tokens[g.first].from, tokens[g.last].to))
                .collect();
            signals.push(Signal {
                id: "text_similarity".to_owned(),
                label: "Cách viết giống các tin nhắn lừa đảo đã biết".to_owned(),
                evidence: evidence.join(", "),
                weight: text_score,
            });
        }
        signals.sort_by(|a, b| b.weight.total_cmp(&a.weight));
        if verdict == Verdict::Safe {
            signals.clear();
        }
        let types = if verdict == Verdict::Safe { Vec::new() } else { self.types(&cleaned, score, &signals) };
        debug!(verdict = verdict.as_str(), score, signals = signals.len(), urls = urls.len(), "checked");
        let features = present.iter().map(|(id, _, _)| id.clone()).collect();
        let note_count = notes.len();
        let advice = self.advice(verdict, &signals, &types, notes);
        let buckets = grams.iter().map(|g| g.bucket).collect();
        Report { verdict, score, types, signals, urls, advice, notes: note_count, features, buckets }
    }

    /// The closest forms: text search over the handbook (relative scores) plus the forms the
    /// fired signals point to (each signal adds its share, first-listed forms more).
    fn types(&self, text: &str, score: f64, signals: &[Signal]) -> Vec<(String, f64)> {
        let mut votes: BTreeMap<String, f64> = BTreeMap::new();
        if let Some(s) = &self.searcher {
            let query: String = text.chars().take(2000).collect();
            if let Ok(ranked) = s.rank(&query, 10) {
                let forms: Vec<(String, f32)> = ranked
                    .into_iter()
                    .filter(|(id, _)| self.content.entry(id).is_some_and(|e| e.kind() == EntryKind::Form))
                    .collect();
                let top = forms.first().map_or(1.0, |f| f.1.max(f32::EPSILON));
                for (id, raw) in forms {
                    *votes.entry(id).or_default() += f64::from(raw / top);
                }
            }
        }
        let defs = &self.content.signals.signals;
        for s in signals {
            let forms: Vec<&str> = match defs.iter().find(|d| d.id == s.id) {
                Some(d) => d.forms.iter().map(String::as_str).collect(),
                None => url_forms(&s.id).to_vec(),
            };
            for (rank, f) in forms.iter().enumerate() {
                *votes.entry((*f).to_owned()).or_default() += 0.6 / (1.0 + rank as f64);
            }
        }
        let mut ranked: Vec<(String, f64)> = votes.into_iter().collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let top = ranked.first().map_or(1.0, |r| r.1.max(f64::EPSILON));
        ranked
            .into_iter()
            .take(3)
            .map(|(id, v)| (id, ((v / top * score) * 1000.0).round() / 1000.0))
            .collect()
    }

    fn advice(
        &self,
        verdict: Verdict,
        signals: &[Signal],
        types: &[(String, f64)],
        notes: Vec<String>,
    ) -> Vec<String> {
        let mut out = notes;
        match verdict {
            Verdict::Scam => out.push(
                "Đây rất có thể là tin nhắn lừa đảo: không bấm vào đường link, không gọi lại, không chuyển tiền và không cung cấp thông tin hay mã OTP."
                    .to_owned(),
            ),
            Verdict::Suspicious => out.push(
                "Tin nhắn có dấu hiệu đáng ngờ: anh/chị hãy tự liên hệ tổ chức được nhắc đến qua số tổng đài hoặc trang web chính thức trước khi làm theo."
                    .to_owned(),
            ),
            Verdict::Safe => {
                out.push("Chưa thấy dấu hiệu lừa đảo rõ ràng trong tin nhắn này.".to_owned());
                out.push(
                    "Dù vậy, anh/chị không cung cấp mã OTP, mật khẩu cho bất kỳ ai, kể cả người xưng là nhân viên ngân hàng hay công an."
                        .to_owned(),
                );
                return out;
            }
        }
        let five = self.content.topics.iter().find(|t| t.id == "five_donts");
        let mut donts: Vec<&str> = signals.iter().filter_map(|s| dont_for(&s.id)).collect();
        donts.dedup();
        let mut seen = Vec::new();
        for d in donts {
            if seen.contains(&d) {
                continue;
            }
            seen.push(d);
            if let Some(item) = five.and_then(|t| t.items.iter().find(|i| i.id.as_deref() == Some(d))) {
                out.push(format!("{}: {}", item.title.trim(), item.text.trim()));
            }
        }
        if let Some(form) = types.first().and_then(|(id, _)| self.content.form(id)) {
            out.extend(form.advice.iter().take(2).map(|a| a.trim().to_owned()));
        }
        out.push(
            "Báo cáo tin nhắn lừa đảo: nhắn tin theo cú pháp S [số/tên gửi][nội dung] tới 5656 hoặc 156; báo cáo trang web lừa đảo tại canhbao.khonggianmang.gov.vn. Nếu đã mất tiền, gọi ngay ngân hàng và trình báo công an."
                .to_owned(),
        );
        out
    }
}
