//! The stable JSON shape of a check and the Vietnamese verdict card.

use serde::Serialize;

use super::{Report, Verdict};
use crate::{
    content::Content,
    rich::{Rich, Span},
};

/// `{"verdict", "score", "types", "signals", "urls", "advice"}`: the machine interface.
#[derive(Debug, Serialize)]
pub struct CheckJson {
    /// `scam`, `suspicious` or `safe`.
    pub verdict: &'static str,
    /// 0..1.
    pub score: f64,
    /// Closest forms.
    pub types: Vec<TypeJson>,
    /// Signals that fired.
    pub signals: Vec<SignalJson>,
    /// URL analyses.
    pub urls: Vec<UrlJson>,
    /// What to do.
    pub advice: Vec<String>,
}

/// A form and its score.
#[derive(Debug, Serialize)]
pub struct TypeJson {
    /// Form id.
    pub id: String,
    /// Score.
    pub score: f64,
}

/// A signal.
#[derive(Debug, Serialize)]
pub struct SignalJson {
    /// Signal id.
    pub id: String,
    /// Vietnamese label.
    pub label: String,
    /// What triggered it.
    pub evidence: String,
}

/// A URL analysis.
#[derive(Debug, Serialize)]
pub struct UrlJson {
    /// The URL.
    pub url: String,
    /// Registrable domain.
    pub domain: String,
    /// official, low, medium or high.
    pub risk: super::Risk,
    /// Vietnamese reasons.
    pub reasons: Vec<String>,
}

impl From<&Report> for CheckJson {
    fn from(r: &Report) -> Self {
        Self {
            verdict: r.verdict.as_str(),
            score: (r.score * 1000.0).round() / 1000.0,
            types: r.types.iter().map(|(id, score)| TypeJson { id: id.clone(), score: *score }).collect(),
            signals: r
                .signals
                .iter()
                .map(|s| SignalJson {
                    id: s.id.clone(),
                    label: s.label.clone(),
                    evidence: s.evidence.clone(),
                })
                .collect(),
            urls: r
                .urls
                .iter()
                .map(|u| UrlJson {
                    url: u.url.clone(),
                    domain: u.domain.clone(),
                    risk: u.risk,
                    reasons: u.reasons.clone(),
                })
                .collect(),
            advice: r.advice.clone(),
        }
    }
}

/// The verdict card: verdict first, then reasons, links, the matching form and advice.
#[must_use]
pub fn render_card(content: &Content, r: &Report) -> Rich {
    let headline = match r.verdict {
        Verdict::Scam => "🚨 LỪA ĐẢO",
        Verdict::Suspicious => "⚠️ ĐÁNG NGỜ",
        Verdict::Safe => "✅ CHƯA THẤY DẤU HIỆU LỪA ĐẢO",
    };
    let mut card = Rich::new().spans(vec![
        Span::Bold(headline.to_owned()),
        Span::Text(format!(" (điểm rủi ro {:.0}/100)", r.score * 100.0)),
    ]);
    if !r.signals.is_empty() {
        card = card.heading("Lý do").bullet_spans(
            r.signals
                .iter()
                .take(8)
                .map(|s| {
                    let mut line = vec![Span::Text(s.label.clone())];
                    if !s.evidence.is_empty() {
                        line.push(Span::Text(format!(": \"{}\"", s.evidence)));
                    }
                    line
                })
                .collect(),
        );
    }
    if !r.urls.is_empty() {
        card = card.heading("Đường link trong tin nhắn").bullet_spans(
            r.urls
                .iter()
                .map(|u| {
                    vec![
                        Span::Bold(u.domain.clone()),
                        Span::Text(format!(" — {}: {}", u.risk.label_vi(), u.reasons.join(" "))),
                    ]
                })
                .collect(),
        );
    }
    if let Some((id, _)) = r.types.first()
        && let Some(form) = content.form(id)
    {
        card = card.spans(vec![Span::Bold("Giống hình thức: ".into()), Span::Text(form.title.clone())]);
    }
    card.heading("Anh/chị nên").bullets(r.advice.iter().cloned())
}
