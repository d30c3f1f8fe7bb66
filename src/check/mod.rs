//! The scam checker: "is this a scam?", knowledge first, data second.
//!
//! A text goes through light de-obfuscation, entity extraction (`extract`), the handbook's
//! tactics from `content/signals.yaml` (`signals`: asks, pretexts, pressure), URL analysis
//! (`url`, with imported blocklists and the lexical host model `hostmodel`) and a register of
//! reported numbers and accounts when one is plugged in (`register`). The verdict is the worse
//! of two things: the floors the tactics and links set (`tactics`: asking for an OTP is a scam,
//! whatever the wording), and a logistic model over the same features plus hashed word n-grams
//! (`content/weights.yaml`, fitted by `canhgiac eval --fit`), which covers wording no rule
//! names and keeps genuine notices safe but never lowers a floor. A text that is only a link,
//! a phone number or an account number is judged as such (`Kind`): a link on its own analysis,
//! a number never as "safe". Every verdict explains itself with sentences, never model
//! fragments, plus the closest forms and advice for the tactic found.

pub mod blocklist;
#[cfg(feature = "eval")]
pub mod eval;
pub mod extract;
pub mod hostmodel;
pub mod register;
mod report;
pub mod signals;
pub mod tactics;
pub mod textmodel;
mod texts;
pub mod url;

use std::{collections::BTreeMap, sync::Arc};

pub use blocklist::{Blocklist, BlocklistError};
pub use register::{Register, Standing};
pub use report::{CheckJson, headline, render_card, render_summary};
pub use tactics::Floor;
use thiserror::Error;
use tracing::debug;
pub use url::{Risk, UrlAnalyzer, UrlFlag, UrlReport};

use self::{
    extract::{Entities, PhoneKind, extract},
    hostmodel::HostModel,
    signals::{PhraseMatcher, obfuscated_words},
    tactics::Anatomy,
};
use crate::{
    content::{Content, EntryKind, Tactic},
    search::Searcher,
    text::{Analyzer, fold, nfc},
};

/// Longest text analysed; the rest of a longer message is ignored (and the report says so).
pub const MAX_CHARS: usize = 20_000;

/// Checker set-up failures.
#[derive(Debug, Error)]
pub enum CheckError {
    /// `content/weights.yaml` names a feature the checker does not compute.
    #[error("content/weights.yaml: entry `{0}`, field `features`: unknown feature (known: {1})")]
    UnknownFeature(String, String),
    /// `content/signals.yaml`: a signal's `with` names no finding the checker computes.
    #[error("content/signals.yaml: entry `{0}`, field `with`: unknown finding `{1}`")]
    UnknownWith(String, String),
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
    /// A link, number or account the checker cannot vouch for either way.
    Unverified,
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
            Self::Unverified => "❔ CHƯA XÁC MINH ĐƯỢC",
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
            Self::Unverified => "Chưa xác minh được",
            Self::Safe => "Chưa thấy dấu hiệu lừa đảo",
        }
    }

    /// From the stored name.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Safe, Self::Unverified, Self::Suspicious, Self::Scam].into_iter().find(|v| v.as_str() == s)
    }

    /// The verdict as in the JSON interface.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Safe => "safe",
            Self::Unverified => "unverified",
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
    /// Whether it is part of a tactic floor that set the verdict.
    pub floor: bool,
    /// Its place in the scam's anatomy, when it has one.
    pub tactic: Option<Tactic>,
    /// Its definition in `content/signals.yaml` (advice, forms), when it has one.
    pub(crate) def: Option<usize>,
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

/// What the user pasted, as the checker sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A message (or anything with words of its own).
    Message,
    /// Only a link (possibly with "có phải lừa đảo không").
    Link,
    /// Only a phone number.
    Number,
    /// Only a bank account number (possibly with the bank's name).
    Account,
}

impl Kind {
    /// The JSON name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Message => "message",
            Self::Link => "link",
            Self::Number => "number",
            Self::Account => "account",
        }
    }
}

/// The checker's full answer.
#[derive(Debug, Clone)]
pub struct Report {
    /// Verdict.
    pub verdict: Verdict,
    /// What was checked: a message, a link, a number or an account.
    pub kind: Kind,
    /// Probability-like score in 0..1.
    pub score: f64,
    /// Closest fraud forms with scores, best first (empty when safe).
    pub types: Vec<(String, f64)>,
    /// Signals that raised the score, floors first, then strongest first.
    pub signals: Vec<Signal>,
    /// The rules that set a minimum verdict, strongest first.
    pub floors: Vec<Floor>,
    /// URL analyses.
    pub urls: Vec<UrlReport>,
    /// The entities found (numbers, accounts, links, amounts).
    pub entities: Entities,
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
        UrlFlag::Suspect => "Tên miền có đặc điểm giống các trang lừa đảo đã biết".to_owned(),
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
        "url_risky_tld" | "url_ip" | "url_blocklisted" | "url_suspect" => {
            &["fake_official_website", "phishing_link_seeding"]
        }
        "ussd_code" => &["sim_lock_standardization"],
        _ => &[],
    }
}

/// The don't each signal relates to.
fn dont_for(feature: &str) -> Option<&'static str> {
    Some(match feature {
        "url_unknown" | "url_unknown_vn" | "url_lookalike" | "url_shortener" | "url_risky_tld" | "url_ip"
        | "url_punycode" | "url_brand_in_path" | "url_blocklisted" | "url_download" | "url_user_content"
        | "url_suspect" | "ask_login" => "dont_strange_links",
        "ask_credentials" => "dont_share_otp",
        "ask_personal" => "dont_share_personal_info",
        "pretext_loan" => "dont_pay_loan_fees",
        "pretext_job" => "dont_pay_for_orders",
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
    query_words: std::collections::HashSet<String>,
    searcher: Option<Arc<Searcher>>,
    register: Option<Arc<dyn Register>>,
}

impl std::fmt::Debug for Checker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Checker").field("features", &self.weights.len()).finish_non_exhaustive()
    }
}

/// A count written the Vietnamese way, with dots between thousands (20.000).
pub fn thousands(n: usize) -> String {
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

/// One finding in a message, before it becomes a reason.
struct Found {
    id: String,
    label: String,
    evidence: String,
    /// Index in `content/signals.yaml` `signals`, for signals.
    def: Option<usize>,
    tactic: Option<Tactic>,
    /// The risk of the URL finding, for URL flags.
    url_risk: Option<Risk>,
}

impl Found {
    fn plain(id: &str, label: String, evidence: String) -> Self {
        Self { id: id.to_owned(), label, evidence, def: None, tactic: None, url_risk: None }
    }
}

/// The words a link begins with as the analyzer splits it: its scheme, `www`, and the first
/// run of letters and digits of its host.
fn link_words(urls: &[String]) -> signals::LinkWords {
    let mut words = signals::LinkWords::new();
    for u in urls {
        if let Some((scheme, _)) = u.split_once("://") {
            words.insert(scheme.to_ascii_lowercase());
        }
        let (host, _) = url::host_path(u);
        if u.to_ascii_lowercase().contains("www.") {
            words.insert("www".to_owned());
        }
        if let Some(first) = host.split(|c: char| !c.is_ascii_alphanumeric()).find(|w| !w.is_empty()) {
            words.insert(first.to_owned());
        }
    }
    words
}

/// GSM call-forwarding codes (unconditional, busy, no answer, unreachable, all): dialling one
/// sends the line's calls, voice OTPs included, to another number.
const FORWARDING: [&str; 8] = ["*21*", "**21*", "*61*", "*62*", "*67*", "**61*", "**62*", "**004*"];

fn forwards_calls(code: &str) -> bool {
    FORWARDING.iter().any(|f| code.starts_with(f)) && code.trim_start_matches(['*', '#']).len() > 6
}

/// The lowest score shown for a verdict a floor set (the headline's risk level agrees with it).
fn floor_score(v: Verdict) -> f64 {
    match v {
        Verdict::Scam => 0.9,
        Verdict::Suspicious => 0.6,
        Verdict::Unverified => 0.3,
        Verdict::Safe => 0.0,
    }
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
        for d in &content.signals.signals {
            if let Some(w) = d.with.iter().find(|w| !known.contains(w)) {
                return Err(CheckError::UnknownWith(d.id.clone(), w.clone()));
            }
        }
        let mut text_weights = vec![0.0; textmodel::BUCKETS as usize];
        for (b, w) in &content.weights.text {
            if *b >= textmodel::BUCKETS {
                return Err(CheckError::BadBucket(*b, textmodel::BUCKETS));
            }
            text_weights[*b as usize] = *w;
        }
        let query_words = content
            .signals
            .query_words
            .iter()
            .flat_map(|p| analyzer.analyze(p))
            .map(|t| t.folded)
            .chain(
                content.brands.brands.iter().flat_map(|b| b.keywords.iter().map(|k| k.to_ascii_lowercase())),
            )
            .chain(content.brands.brands.iter().map(|b| fold(&b.name.to_lowercase())))
            .collect();
        Ok(Self {
            text_weights,
            signals: PhraseMatcher::new(&content.signals.signals, &analyzer),
            cues: PhraseMatcher::new(&content.signals.safe_cues, &analyzer),
            urls: UrlAnalyzer::new(&content.brands, blocklist)
                .with_host_model(HostModel::new(&content.host_weights)),
            weights: content.weights.features.clone(),
            query_words,
            analyzer,
            content,
            searcher,
            register: None,
        })
    }

    /// Consults `register` (reported numbers, accounts and hosts) on every check.
    #[must_use]
    pub fn with_register(mut self, register: Arc<dyn Register>) -> Self {
        self.register = Some(register);
        self
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

    /// What the text is: a message, or only a link, a phone number or an account number with
    /// at most a few words of asking around it.
    fn kind(&self, text: &str, e: &Entities) -> Kind {
        // A bare link, number or account is short; and with no entity and no long run of
        // digits there is nothing but words (no need to analyse the text a second time).
        let digit_run = text.split(|c: char| !c.is_ascii_digit()).any(|r| r.len() >= 8);
        let entity = !e.urls.is_empty() || !e.phones.is_empty() || !e.accounts.is_empty();
        if text.chars().count() > 300 || !(entity || digit_run) {
            return Kind::Message;
        }
        let mut rest = text.to_owned();
        for raw in e.urls.iter().chain(e.phones.iter().map(|p| &p.raw)).chain(&e.accounts) {
            rest = rest.replace(raw.as_str(), " ");
        }
        let mut bare_accounts = 0;
        let only_query = self.analyzer.analyze(&rest).iter().all(|t| {
            let digits = t.folded.chars().all(|c| c.is_ascii_digit());
            if digits && (8..=19).contains(&t.folded.len()) {
                bare_accounts += 1;
                return true;
            }
            self.query_words.contains(&t.folded)
        });
        if !only_query {
            return Kind::Message;
        }
        let links = !e.urls.is_empty();
        let numbers = !e.phones.is_empty();
        let accounts = !e.accounts.is_empty() || bare_accounts > 0;
        match (links, numbers, accounts) {
            (true, false, false) => Kind::Link,
            (false, true, false) => Kind::Number,
            (false, false, true) => Kind::Account,
            _ => Kind::Message,
        }
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
        let empty = cleaned.trim().is_empty();
        if empty {
            notes.push("Tin nhắn trống: anh/chị hãy dán nội dung tin nhắn cần kiểm tra.".to_owned());
        }
        // Phrases are matched on the text with letter substitutions undone ("m0t" → "mot") and
        // spelled-out words joined ("O.T.P" → "OTP").
        let unleet = signals::join_spelled(&signals::deleet(&cleaned));
        let original = nfc(&unleet);
        // `original` is already NFC: lowercasing it is the whole of `normalize_text`.
        let norm = original.to_lowercase();
        let tokens = self.analyzer.analyze_normalized(&norm);
        let entities = extract(&cleaned);
        let kind = if empty { Kind::Message } else { self.kind(&cleaned, &entities) };
        let urls: Vec<UrlReport> = entities.urls.iter().take(20).map(|u| self.urls.analyze(u)).collect();
        let unofficial_link = urls.iter().any(|u| u.risk != Risk::Official);
        let all_official = !urls.is_empty() && !unofficial_link;
        let shortened_only = unofficial_link
            && urls.iter().all(|u| u.risk == Risk::Official || u.flags.contains(&UrlFlag::Shortener));

        // Safe cues first: a genuine notice cancels the tactics its cue names, unless the
        // message brings a channel of its own (an unknown link, a mobile number, an account).
        let cue_hits = self.cues.find(&tokens, &original, &norm);
        let personal_number =
            entities.phones.iter().any(|p| matches!(p.kind, PhoneKind::Mobile | PhoneKind::Foreign));
        let own_channel = unofficial_link || !entities.accounts.is_empty() || personal_number;
        // "Call the hotline" is what genuine notices say; calling back counts as an ask when the
        // message gives a personal or foreign number, or none at all (a call script).
        let hotline_only = !entities.phones.is_empty() && !personal_number;
        let otp_code = entities.codes.iter().any(|c| !c.starts_with(['*', '#']));
        let mut cancelled: Vec<Tactic> = Vec::new();
        if !own_channel {
            for h in &cue_hits {
                cancelled.extend(&self.content.signals.safe_cues[h.index].cancels);
            }
        }
        if otp_code {
            // A message that carries the code is a notice of it, not a request for it.
            cancelled.push(Tactic::AskCredentials);
        }
        if all_official && !own_channel {
            // Pay, log in or send papers through the organisation's own site: its normal business.
            cancelled.extend([Tactic::AskMoney, Tactic::AskPersonal, Tactic::AskInstall, Tactic::AskLogin]);
        }
        let mut present: Vec<Found> = Vec::new();
        let defs = &self.content.signals.signals;
        let links = link_words(&entities.urls);
        for hit in self.signals.find_with_links(&tokens, &original, &norm, &links) {
            let d = &defs[hit.index];
            // Logging in "through a link" is no ask when every link is the brand's own.
            if d.tactic == Some(Tactic::AskLogin) && all_official {
                continue;
            }
            present.push(Found {
                def: Some(hit.index),
                tactic: d.tactic,
                ..Found::plain(&d.id, d.label.clone(), hit.evidence)
            });
        }
        for h in &cue_hits {
            present.push(Found::plain(
                &self.content.signals.safe_cues[h.index].id,
                String::new(),
                String::new(),
            ));
        }
        for r in &urls {
            for f in &r.flags {
                if !present.iter().any(|p| p.id == f.feature()) {
                    present.push(Found {
                        url_risk: Some(f.risk()),
                        ..Found::plain(f.feature(), url_label(*f, r), r.url.clone())
                    });
                }
            }
        }
        let structural =
            |id: &str| STRUCTURAL.iter().find(|(k, _)| *k == id).map_or("", |(_, l)| *l).to_owned();
        let mut add = |id: &str, evidence: String| present.push(Found::plain(id, structural(id), evidence));
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
        // A signal with `with:` fires only beside one of those findings ("nạp tiền" is an ask
        // on a job or investment platform, not in a carrier's top-up promotion).
        let needs = |p: &Found| p.def.filter(|i| !defs[*i].with.is_empty());
        if present.iter().any(|p| needs(p).is_some()) {
            let keep: Vec<bool> = present
                .iter()
                .map(|p| {
                    needs(p).is_none_or(|i| defs[i].with.iter().any(|w| present.iter().any(|q| q.id == *w)))
                })
                .collect();
            let mut keep = keep.into_iter();
            present.retain(|_| keep.next().unwrap_or(true));
        }
        let mut anatomy = Anatomy {
            channel: personal_number
                || !entities.accounts.is_empty()
                || urls.iter().any(|u| u.risk >= Risk::Medium),
            ..Anatomy::default()
        };
        let mut install_asked = false;
        for p in &present {
            let skip = p.tactic == Some(Tactic::AskCallback) && hotline_only;
            let counted = p.tactic.filter(|t| !cancelled.contains(t) && !skip);
            install_asked |= counted == Some(Tactic::AskInstall);
            match counted {
                // Brands send their own short links too: "log in" through a shortener alone is
                // left to the model (a bare short link is still judged suspicious).
                Some(Tactic::AskLogin) if shortened_only => {}
                Some(t) => anatomy.add(t),
                None => {}
            }
        }

        // The fitted model.
        let grams = textmodel::ngrams(&tokens);
        let text_score: f64 = grams.iter().map(|g| self.text_weights[g.bucket as usize]).sum();
        let w = &self.content.weights;
        let logit: f64 = w.bias + text_score + present.iter().map(|p| self.weight(&p.id)).sum::<f64>();
        let model_score = if empty { 0.0 } else { sigmoid(logit) };
        // The model's middle band needs something to point at: an ask, or a channel of the
        // message's own (an unknown link, a personal number, an account). Wording alone is not a
        // reason to alarm anyone.
        let evidence = own_channel || !anatomy.asks.is_empty() || !entities.phones.is_empty();
        let model_verdict = if model_score >= w.scam_threshold {
            Verdict::Scam
        } else if model_score >= w.suspicious_threshold && evidence {
            Verdict::Suspicious
        } else {
            Verdict::Safe
        };

        // The floors: the tactics, the worst link, the register.
        let mut floors = if kind == Kind::Message { tactics::floors(&anatomy) } else { Vec::new() };
        let worst_link = urls.iter().map(|u| u.risk).max();
        match worst_link {
            Some(Risk::High) => floors.insert(0, Floor::DangerousLink),
            // In a message a shortener or an odd TLD is one feature among others (the model
            // weighs it); a bare link has nothing else to be judged on.
            // A short link hides where it goes (brands use them too): the link line says so and
            // the model weighs it. Anything else that makes a link risky makes the message at
            // least suspicious, so the headline is never milder than the link.
            Some(Risk::Medium)
                if kind == Kind::Link
                    || urls.iter().any(|u| {
                        u.flags.iter().any(|f| f.risk() == Risk::Medium && *f != UrlFlag::Shortener)
                    }) =>
            {
                floors.push(Floor::RiskyLink);
            }
            _ => {}
        }
        let mut standing = self.register.as_ref().map(|r| r.standing(&entities)).unwrap_or_default();
        // An imported list never outranks an official domain (lists carry the odd legitimate
        // host, such as an app store a scam page linked to).
        if let Standing::Listed { value, .. } = &standing
            && urls.iter().any(|u| u.host == *value && u.flags.contains(&UrlFlag::Official))
        {
            standing = Standing::Unknown;
        }
        match standing {
            Standing::Confirmed { .. } => floors.insert(0, Floor::Reported),
            Standing::Listed { .. } => floors.insert(0, Floor::Listed),
            Standing::Reported { reporters } if reporters >= 2 => floors.push(Floor::ReportedByMany),
            _ => {}
        }
        let apk = entities.apk || urls.iter().any(|u| u.flags.contains(&UrlFlag::Download));
        if kind == Kind::Message && install_asked && apk {
            floors.insert(0, Floor::InstallApk);
        }
        if kind == Kind::Message && entities.codes.iter().any(|c| forwards_calls(c)) {
            // Dialling a call-forwarding code hands the SIM's calls (and voice OTPs) to someone else.
            floors.insert(0, Floor::ForwardingCode);
        }
        let floor_verdict = floors.iter().map(|f| f.verdict()).max();
        let mut verdict = match kind {
            // A bare link, number or account is judged on itself, not on a message model.
            Kind::Link if all_official => Verdict::Safe,
            Kind::Link | Kind::Number | Kind::Account => Verdict::Unverified,
            Kind::Message => model_verdict,
        };
        if let Some(f) = floor_verdict {
            verdict = verdict.max(f);
        }
        if verdict == Verdict::Safe && kind == Kind::Message && unofficial_link {
            // An unknown link is not a reason for alarm, but nothing to vouch for either.
            verdict = Verdict::Unverified;
        }
        if empty {
            verdict = Verdict::Safe;
        }
        let mut score = if kind == Kind::Message { model_score } else { 0.0 };
        if floor_verdict.is_some() || kind != Kind::Message {
            score = score.max(floor_score(verdict));
        }
        if verdict < model_verdict {
            score = score.min(floor_score(verdict).max(w.suspicious_threshold - 0.01));
        }

        // Reasons: the findings a floor rests on first, then what the model weighs.
        let tactic_floor = floors.iter().any(|f| f.from_tactics());
        let link_floor = floors.iter().any(|f| f.from_link());
        let in_floor = |p: &Found| {
            (p.tactic.is_some() && tactic_floor)
                || (link_floor && p.url_risk.is_some_and(|r| r >= Risk::Medium))
        };
        let mut signals: Vec<Signal> = present
            .iter()
            .filter(|p| !p.label.is_empty())
            .filter(|p| {
                self.weight(&p.id) > 0.0 || p.tactic.is_some() || p.id == "url_blocklisted" || in_floor(p)
            })
            .map(|p| Signal {
                id: p.id.clone(),
                label: p.label.clone(),
                evidence: p.evidence.clone(),
                weight: self.weight(&p.id),
                floor: in_floor(p),
                tactic: p.tactic,
                def: p.def,
            })
            .collect();
        if let Some(s) = register::signal(&standing) {
            signals.push(s);
        }
        if text_score >= 1.5 && model_verdict >= Verdict::Suspicious {
            signals.push(Signal {
                id: "text_similarity".to_owned(),
                label: "Cách diễn đạt giống nhiều tin nhắn lừa đảo đã biết".to_owned(),
                evidence: String::new(),
                weight: text_score,
                floor: false,
                tactic: None,
                def: None,
            });
        }
        // Floors first, and within them the ask, then the pretext, then the pressure.
        let rank = |s: &Signal| match s.tactic {
            Some(Tactic::Pretext) => 1,
            Some(Tactic::Pressure | Tactic::Threat) => 2,
            Some(_) => 0,
            None => 3,
        };
        signals.sort_by(|a, b| {
            b.floor.cmp(&a.floor).then(rank(a).cmp(&rank(b))).then(b.weight.total_cmp(&a.weight))
        });
        if kind != Kind::Message {
            // A bare link, number or account: its own analysis is the reason, not the shape.
            signals.retain(|s| s.id.starts_with("url_") || s.id.starts_with("reported_") || s.id == "listed");
        }
        if verdict == Verdict::Safe {
            signals.clear();
        }
        let types =
            if verdict >= Verdict::Suspicious { self.types(&cleaned, score, &signals) } else { Vec::new() };
        debug!(
            verdict = verdict.as_str(),
            kind = kind.as_str(),
            score,
            signals = signals.len(),
            urls = urls.len(),
            "checked"
        );
        let features = present.into_iter().map(|p| p.id).collect();
        let note_count = notes.len();
        let advice = self.advice(verdict, kind, &floors, &signals, &types, notes);
        let buckets = grams.iter().map(|g| g.bucket).collect();
        Report {
            verdict,
            kind,
            score,
            types,
            signals,
            floors,
            urls,
            entities,
            advice,
            notes: note_count,
            features,
            buckets,
        }
    }

    /// The closest forms: text search over the handbook (relative scores) plus the forms the
    /// fired signals point to (each signal adds its share, first-listed forms more).
    fn types(&self, text: &str, score: f64, signals: &[Signal]) -> Vec<(String, f64)> {
        let mut votes: BTreeMap<String, f64> = BTreeMap::new();
        if let Some(s) = &self.searcher {
            let query: String = text.chars().take(2000).collect();
            if let Ok(ranked) = s.rank_message(&query, 10) {
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
            let forms: Vec<&str> = match s.def {
                Some(i) => defs[i].forms.iter().map(String::as_str).collect(),
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
        kind: Kind,
        floors: &[Floor],
        signals: &[Signal],
        types: &[(String, f64)],
        notes: Vec<String>,
    ) -> Vec<String> {
        let mut out = notes;
        match (verdict, kind) {
            // What to do first (the chat summary shows this line), then why the rule holds.
            (Verdict::Scam, _) => {
                out.push(texts::SCAM.to_owned());
                if let Some(f) = floors.iter().find(|f| f.verdict() == Verdict::Scam) {
                    out.push(f.explain_vi().to_owned());
                }
            }
            (Verdict::Suspicious, _) => {
                out.push(texts::SUSPICIOUS.to_owned());
                if let Some(f) = floors.first() {
                    out.push(f.explain_vi().to_owned());
                }
            }
            (Verdict::Unverified, Kind::Number) => {
                out.extend(texts::NUMBER.iter().map(|s| (*s).to_owned()));
                return out;
            }
            (Verdict::Unverified, Kind::Account) => {
                out.extend(texts::ACCOUNT.iter().map(|s| (*s).to_owned()));
                return out;
            }
            (Verdict::Unverified, _) => {
                out.extend(texts::LINK.iter().map(|s| (*s).to_owned()));
                return out;
            }
            (Verdict::Safe, Kind::Link) => {
                out.push(texts::OFFICIAL_LINK.to_owned());
                return out;
            }
            (Verdict::Safe, _) => {
                out.extend(texts::SAFE.iter().map(|s| (*s).to_owned()));
                return out;
            }
        }
        // Advice for the tactics found, in the order they were given.
        let defs = &self.content.signals.signals;
        for a in signals.iter().filter_map(|s| s.def).flat_map(|i| &defs[i].advice) {
            if !out.contains(a) {
                out.push(a.clone());
            }
        }
        let five = self.content.topics.iter().find(|t| t.id == "five_donts");
        let mut seen = Vec::new();
        for d in signals.iter().filter_map(|s| dont_for(&s.id)) {
            if seen.contains(&d) {
                continue;
            }
            seen.push(d);
            if let Some(item) = five.and_then(|t| t.items.iter().find(|i| i.id.as_deref() == Some(d))) {
                out.push(format!("{}: {}", item.title.trim(), item.text.trim()));
            }
        }
        if let Some(form) = types.first().and_then(|(id, _)| self.content.form(id)) {
            for a in form.advice.iter().take(2) {
                let a = a.trim().to_owned();
                if !out.contains(&a) {
                    out.push(a);
                }
            }
        }
        out.push(texts::REPORT.to_owned());
        out
    }
}
