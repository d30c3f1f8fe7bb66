//! Named signals: phrases from `content/signals.yaml` matched as folded token sequences (so
//! diacritics, case and common abbreviations do not matter), with simple negation handling
//! ("không cung cấp mã OTP" is the opposite of asking for it).

use std::collections::HashMap;

use crate::{
    content::SignalDef,
    text::{Analyzer, Token},
};

/// Signals that a preceding negation ("không", "đừng", "cấm") turns off.
const NEGATABLE: [&str; 6] = [
    "asks_credentials",
    "asks_transfer",
    "click_link",
    "install_app_or_dial",
    "asks_id_documents",
    "secrecy",
];
const NEGATIONS: [&str; 4] = ["khong", "dung", "cam", "chang"];

/// A phrase that matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhraseHit {
    /// Index of the signal (or cue) in its list.
    pub index: usize,
    /// The matched text.
    pub evidence: String,
}

/// Matches the phrases of a list of signal definitions.
#[derive(Debug, Clone, Default)]
pub struct PhraseMatcher {
    by_first: HashMap<String, Vec<(usize, Vec<String>)>>,
    negatable: Vec<bool>,
}

impl PhraseMatcher {
    /// Compiles the phrases with the same analyzer as the messages.
    #[must_use]
    pub fn new(defs: &[SignalDef], analyzer: &Analyzer) -> Self {
        let mut by_first: HashMap<String, Vec<(usize, Vec<String>)>> = HashMap::new();
        for (i, d) in defs.iter().enumerate() {
            for p in &d.phrases {
                let words: Vec<String> = analyzer.analyze(p).into_iter().map(|t| t.folded).collect();
                if let Some(first) = words.first() {
                    by_first.entry(first.clone()).or_default().push((i, words));
                }
            }
        }
        for list in by_first.values_mut() {
            // Longest phrase first, so the evidence is the most specific match.
            list.sort_by_key(|e| std::cmp::Reverse(e.1.len()));
        }
        let negatable = defs.iter().map(|d| NEGATABLE.contains(&d.id.as_str())).collect();
        Self { by_first, negatable }
    }

    /// The first match of every signal. `tokens` come from analysing the text, `original` is the
    /// NFC form of the text and `norm` the normalised text the token offsets refer to.
    #[must_use]
    pub fn find(&self, tokens: &[Token], original: &str, norm: &str) -> Vec<PhraseHit> {
        let mut hits: Vec<PhraseHit> = Vec::new();
        let mut seen = vec![false; self.negatable.len()];
        for start in 0..tokens.len() {
            let Some(cands) = self.by_first.get(&tokens[start].folded) else { continue };
            for (idx, words) in cands {
                if seen[*idx] {
                    continue;
                }
                let end = start + words.len();
                if end > tokens.len() || !tokens[start..end].iter().zip(words).all(|(t, w)| t.folded == *w) {
                    continue;
                }
                if self.negatable[*idx] {
                    let from = start.saturating_sub(3);
                    if tokens[from..start].iter().any(|t| NEGATIONS.contains(&t.folded.as_str())) {
                        continue;
                    }
                }
                seen[*idx] = true;
                hits.push(PhraseHit {
                    index: *idx,
                    evidence: evidence(original, norm, tokens[start].from, tokens[end - 1].to),
                });
            }
        }
        hits
    }
}

/// The original-case text of a span found in the normalised text, when the two align.
pub(crate) fn evidence(original: &str, norm: &str, from: usize, to: usize) -> String {
    let text =
        if original.len() == norm.len() && original.is_char_boundary(from) && original.is_char_boundary(to) {
            &original[from..to]
        } else {
            &norm[from..to]
        };
    text.chars().take(120).collect()
}

/// Undoes character substitutions used to dodge filters ("h0 tình m0t đêm", "g@! xinh",
/// "Te|egram"): `0 @ ! | $` touching a letter become the letter they imitate. Digits standing
/// alone ("4G", "500k", "0912...") are left alone.
#[must_use]
pub fn deleet(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<char> = chars.clone();
    for i in 0..chars.len() {
        let sub = match chars[i] {
            '0' => 'o',
            '@' => 'a',
            '!' => 'i',
            '|' => 'l',
            '$' => 's',
            _ => continue,
        };
        let prev_letter = i > 0 && out[i - 1].is_alphabetic();
        let next = chars.get(i + 1).copied();
        let next_letter = next.is_some_and(char::is_alphabetic);
        let next_sub = next.is_some_and(|c| matches!(c, '@' | '!' | '|' | '$'));
        let word_end = next.is_none_or(|c| c.is_whitespace() || matches!(c, ',' | '.' | ';' | ':' | '?'));
        if prev_letter
            && (next_letter || next_sub || (word_end && (chars[i] != '!' || chars[i - 1] != out[i - 1])))
            || (!prev_letter && next_letter && chars[i] != '0' && i > 0 && chars[i - 1].is_whitespace())
        {
            out[i] = sub;
        }
    }
    out.into_iter().collect()
}

/// Text written to dodge filters: punctuation inside words ("N'ha'nL,jen:Qu.a") or digits for
/// letters ("m4i d3m"). Returns the suspicious words when they are a large share of the text.
#[must_use]
pub fn obfuscated_words(text: &str) -> Option<Vec<String>> {
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.len() < 3 {
        return None;
    }
    let odd: Vec<String> = words
        .iter()
        .filter(|w| {
            let chars: Vec<char> = w.chars().collect();
            let inner = if chars.len() > 2 { &chars[1..chars.len() - 1] } else { &[][..] };
            let punct = inner
                .iter()
                .filter(|c| {
                    matches!(c, '\'' | ',' | ':' | ';' | '"' | '_' | '`' | '~' | '*' | '<' | '>' | '|' | '@')
                })
                .count();
            let leet = chars
                .windows(3)
                .any(|w| w[0].is_alphabetic() && w[1].is_ascii_digit() && w[2].is_alphabetic());
            let letters = chars.iter().filter(|c| c.is_alphabetic()).count();
            let digits = chars.iter().filter(|c| c.is_ascii_digit()).count();
            let code_like = digits * 2 > chars.len() || w.contains('/') || w.contains('{');
            letters >= 2 && !code_like && (punct >= 2 || leet)
        })
        .map(|w| (*w).to_owned())
        .collect();
    let share = odd.len() as f32 / words.len() as f32;
    (odd.len() >= 3 && share >= 0.15).then_some(odd)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::text::{Lexicon, LexiconSpec, normalize_text};

    fn matcher() -> (PhraseMatcher, Analyzer) {
        let mut spec = LexiconSpec::default();
        spec.abbreviations.insert("ck".into(), "chuyển khoản".into());
        spec.abbreviations.insert("ko".into(), "không".into());
        let a = Analyzer::new(Arc::new(Lexicon::compile(&spec).expect("lexicon")));
        let defs = vec![
            SignalDef {
                id: "asks_credentials".into(),
                label: "OTP".into(),
                phrases: vec!["cung cấp mã otp".into()],
                forms: vec![],
            },
            SignalDef {
                id: "asks_transfer".into(),
                label: "CK".into(),
                phrases: vec!["chuyển khoản".into()],
                forms: vec![],
            },
        ];
        (PhraseMatcher::new(&defs, &a), a)
    }

    fn find(text: &str) -> Vec<PhraseHit> {
        let (m, a) = matcher();
        m.find(&a.analyze(text), &crate::text::nfc(text), &normalize_text(text))
    }

    #[test]
    fn matches_without_diacritics_and_through_abbreviations() {
        let hits = find("Vui long CUNG CAP MA OTP va ck ngay");
        assert_eq!(hits.len(), 2);
        assert_eq!(hits[0].evidence, "CUNG CAP MA OTP");
        assert_eq!(hits[1].evidence, "ck");
    }

    #[test]
    fn negation_turns_a_request_off() {
        assert!(find("Tuyệt đối không cung cấp mã OTP cho bất kỳ ai").is_empty());
        assert!(find("ko cung cap ma otp").is_empty());
    }

    #[test]
    fn deleet_restores_substituted_letters_only() {
        assert_eq!(deleet("Hen h0 tinh m0t dem"), "Hen ho tinh mot dem");
        assert_eq!(deleet("em g@! xinh, Te|egram, sinh v!en"), "em gai xinh, Telegram, sinh vien");
        assert_eq!(deleet("goi 0912345678, 4G, 500k, 1.000.000!"), "goi 0912345678, 4G, 500k, 1.000.000!");
        assert_eq!(deleet("Xin chao!"), "Xin chao!");
    }

    #[test]
    fn obfuscation_is_detected_but_not_in_normal_text() {
        assert!(
            obfuscated_words("GR N'ha'nL,jen:Qu.a;HangN,gay y H,ojV'ienM:Oj;N'apV,aoT K,La:nDa.uT").is_some()
        );
        assert!(obfuscated_words("dE e jiUP Ank tk0ai m4i d3m nay t3le: gvhkimngan").is_some());
        assert!(obfuscated_words("Chào anh, em gửi anh báo cáo tuần này nhé, có gì anh góp ý ạ").is_none());
        assert!(
            obfuscated_words(
                "So du TK VCB thay doi. Ref /Ref:P193055{//}/Ref:P193055{//}Tien di Han D.Vi CHUYEN:PHAM"
            )
            .is_none()
        );
    }
}
