//! The stable JSON shape of a check and the Vietnamese verdict card.

use serde::Serialize;

use super::Report;
use crate::{
    content::Content,
    rich::{Rich, Span},
};

/// `{"verdict", "kind", "score", "types", "signals", "urls", "advice"}`: the machine interface.
#[derive(Debug, Serialize)]
pub struct CheckJson {
    /// `scam`, `suspicious`, `unverified` or `safe`.
    pub verdict: &'static str,
    /// `message`, `link`, `number` or `account`.
    pub kind: &'static str,
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
    /// Whether it is part of a tactic floor (a rule no model may lower).
    pub floor: bool,
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
            kind: r.kind.as_str(),
            score: (r.score * 1000.0).round() / 1000.0,
            types: r.types.iter().map(|(id, score)| TypeJson { id: id.clone(), score: *score }).collect(),
            signals: r
                .signals
                .iter()
                .map(|s| SignalJson {
                    id: s.id.clone(),
                    label: s.label.clone(),
                    evidence: s.evidence.clone(),
                    floor: s.floor,
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

/// The first line of every verdict, on every channel: the verdict and the risk level.
#[must_use]
pub fn headline(r: &Report) -> Vec<Span> {
    vec![
        Span::Bold(r.verdict.headline_vi().to_owned()),
        Span::Text(format!(" · mức rủi ro {:.0}/100", r.score * 100.0)),
    ]
}

/// "Giống hình thức: …" for the closest form, if any.
fn closest_form(content: &Content, r: &Report) -> Option<Vec<Span>> {
    let form = r.types.first().and_then(|(id, _)| content.form(id))?;
    Some(vec![Span::Bold("Giống hình thức: ".into()), Span::Text(form.title.clone())])
}

/// The short answer in a chat: the headline, the top three reasons, the closest form, notes
/// about the input, and the one line of advice for the verdict.
#[must_use]
pub fn render_summary(content: &Content, r: &Report) -> Rich {
    let mut body = Rich::new().spans(headline(r));
    if !r.signals.is_empty() {
        body = body.bullets(r.signals.iter().take(3).map(super::Signal::describe));
    }
    if let Some(line) = closest_form(content, r) {
        body = body.spans(line);
    }
    for line in r.advice.iter().take(r.notes + 1) {
        body = body.para(line.clone());
    }
    body
}

/// The verdict card: verdict first, then reasons, links, the matching form and advice.
#[must_use]
pub fn render_card(content: &Content, r: &Report) -> Rich {
    let mut card = Rich::new().spans(headline(r));
    if !r.signals.is_empty() {
        card = card.heading("Lý do").bullets(r.signals.iter().take(8).map(super::Signal::describe));
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
    if let Some(line) = closest_form(content, r) {
        card = card.spans(line);
    }
    card.heading("Anh/chị nên").bullets(r.advice.iter().cloned())
}
