//! Named signals: phrases from `content/signals.yaml` matched as folded token sequences (so
//! diacritics, case and common abbreviations do not matter), and request patterns matched as a
//! verb followed by its object within a few words ("đọc giúp em mã OTP"). Asks are turned off by
//! a preceding negation ("không cung cấp mã OTP" is the opposite of asking for it, but "nếu
//! không chuyển tiền" is still an ask) and by a past-tense marker ("đã chuyển khoản" reports a
//! transfer, it does not ask for one).

use std::collections::HashMap;

use crate::{
    content::SignalDef,
    text::{Analyzer, Token},
};

/// Negations that turn an ask off when they stand within three words before it.
const NEGATIONS: [&str; 5] = ["khong", "dung", "cam", "chang", "chua"];
/// A word before a negation that makes it a condition ("nếu không ... thì"), not a refusal.
const CONDITIONS: [&str; 1] = ["neu"];
/// Words right before a request verb that make it a report (past, passive, under way or to
/// come), not a request: "đã chuyển", "được giao", "đang giao", "sẽ chuyển".
const PAST: [&str; 5] = ["da", "vua", "duoc", "dang", "se"];
/// A pattern word that stands for a sum of money ("chuyển #amount": "chuyển 5tr", "ck 500k").
const AMOUNT: &str = "#amount";
/// A pattern word that stands for a time of day ("trước #time": "trước 17h", "trước 20h30").
const TIME: &str = "#time";
/// A pattern word that stands for a link in the message ("bấm vào #link").
const LINK: &str = "#link";
/// A pattern word that stands for a Vietnamese phone number written as one word ("gọi #phone").
const PHONE: &str = "#phone";
/// A pattern that starts with this matches only words typed with the same accents ("=mã" is
/// not "mà", which an unaccented "ma" could be).
const STRICT: char = '=';
/// Characters that end a sentence (or a clause that starts a new instruction).
const SENTENCE_END: [char; 6] = ['.', '!', '?', ';', ':', '\n'];
/// Default number of words allowed between a verb and its object.
const DEFAULT_WINDOW: usize = 4;

/// A phrase that matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhraseHit {
    /// Index of the signal (or cue) in its list.
    pub index: usize,
    /// The matched text.
    pub evidence: String,
}

/// What a pattern word matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// The word itself.
    Text,
    /// Any sum of money.
    Amount,
    /// Any time of day.
    Time,
    /// The first word of a link found in the message.
    Link,
    /// A phone number.
    Phone,
}

/// The first words of the links in a message ("https", "www", the host's first label), so that
/// `#link` can stand for any of them.
pub type LinkWords = std::collections::HashSet<String>;

/// What a pattern word is compared with, besides the token.
struct Context<'a> {
    links: &'a LinkWords,
    /// The message is written with accents: an unaccented word in it is meant without them
    /// ("thuê bao" is not "thuê báo").
    accented: bool,
}

/// Share of accented words from which a message counts as written with accents.
const ACCENTED_SHARE: f64 = 0.3;

/// One word of a pattern: its accented and folded forms.
#[derive(Debug, Clone)]
struct Word {
    exact: String,
    folded: String,
    class: Class,
    /// Only a token typed with the same accents matches.
    strict: bool,
}

impl Word {
    /// Whether a token is this word: by accents when both carry them (so "tại" is not "tải"),
    /// by the folded form otherwise (so "tai" typed without accents is both), unless strict.
    fn is(&self, t: &Token, cx: &Context<'_>) -> bool {
        match self.class {
            Class::Amount => is_amount(&t.folded),
            Class::Time => is_time(&t.folded),
            Class::Link => cx.links.contains(&t.folded),
            Class::Phone => {
                let d = &t.folded;
                (9..=12).contains(&d.len())
                    && d.chars().all(|c| c.is_ascii_digit())
                    && (d.starts_with('0') || d.starts_with("84"))
            }
            // Strict: a word with accents matches only as typed with them ("mã", not "ma").
            Class::Text if self.strict && self.exact != self.folded => t.marked && t.exact == self.exact,
            Class::Text if (t.marked || cx.accented) && self.exact != self.folded => t.exact == self.exact,
            Class::Text => t.folded == self.folded,
        }
    }
}

/// A time of day written as one word: "17h", "8h30", "20g", "23h59p".
fn is_time(word: &str) -> bool {
    let hours_end = word.find(|c: char| !c.is_ascii_digit()).unwrap_or(word.len());
    let (hours, rest) = word.split_at(hours_end);
    let minutes = rest.strip_prefix(['h', 'g']).map(|m| m.trim_end_matches('p'));
    (1..=2).contains(&hours.len())
        && minutes.is_some_and(|m| m.len() <= 2 && m.chars().all(|c| c.is_ascii_digit()))
}

/// A sum of money written as one word: "500k", "5tr", "3tr750", "20.000d", "1.500.000".
fn is_amount(word: &str) -> bool {
    let digits_end = word.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ',')).unwrap_or(word.len());
    let (number, unit) = word.split_at(digits_end);
    let count = number.chars().filter(char::is_ascii_digit).count();
    if count == 0 || number.starts_with(['.', ',']) || number.chars().all(|c| !c.is_ascii_digit() || c == '0')
    {
        return false;
    }
    match unit {
        "" => count >= 4 && !number.starts_with('0') && (number.contains(['.', ',']) || count >= 5),
        "k" | "d" | "dong" | "vnd" | "trieu" | "cu" | "ty" | "usd" | "usdt" | "m" => true,
        u => u.starts_with("tr") && u[2..].chars().all(|c| c.is_ascii_digit()),
    }
}

fn matches_at(tokens: &[Token], at: usize, words: &[Word], cx: &Context<'_>) -> bool {
    at + words.len() <= tokens.len() && tokens[at..].iter().zip(words).all(|(t, w)| w.is(t, cx))
}

/// One compiled pattern: a phrase, or the verb half of a verb/object pair.
#[derive(Debug, Clone)]
struct Pattern {
    signal: usize,
    words: Vec<Word>,
    /// Whether these words are a verb that needs an object after it.
    verb: bool,
}

/// Matches the phrases and verb/object pairs of a list of signal definitions.
#[derive(Debug, Clone, Default)]
pub struct PhraseMatcher {
    by_first: HashMap<String, Vec<Pattern>>,
    objects: Vec<Vec<Vec<Word>>>,
    windows: Vec<usize>,
    asks: Vec<bool>,
}

/// The words of a pattern; `#amount` and `#time` stand for any sum or time, a leading `=` makes
/// every word strict about accents.
fn words(analyzer: &Analyzer, phrase: &str) -> Vec<Word> {
    let (strict, phrase) = match phrase.strip_prefix(STRICT) {
        Some(rest) => (true, rest),
        None => (false, phrase),
    };
    let special = |class| Word { exact: String::new(), folded: String::new(), class, strict };
    phrase
        .split_whitespace()
        .flat_map(|piece| match piece {
            AMOUNT => vec![special(Class::Amount)],
            TIME => vec![special(Class::Time)],
            LINK => vec![special(Class::Link)],
            PHONE => vec![special(Class::Phone)],
            _ => analyzer
                .analyze(piece)
                .into_iter()
                .map(|t| Word { exact: t.exact, folded: t.folded, class: Class::Text, strict })
                .collect(),
        })
        .collect()
}

impl PhraseMatcher {
    /// Compiles the phrases with the same analyzer as the messages.
    #[must_use]
    pub fn new(defs: &[SignalDef], analyzer: &Analyzer) -> Self {
        let mut by_first: HashMap<String, Vec<Pattern>> = HashMap::new();
        let mut objects = Vec::with_capacity(defs.len());
        for (i, d) in defs.iter().enumerate() {
            let phrases = d.phrases.iter().map(|p| (p, false));
            let verbs = d.verbs.iter().map(|p| (p, true));
            for (p, verb) in phrases.chain(verbs) {
                let words = words(analyzer, p);
                // A phrase is found by its first word, so it cannot start with `#amount`/`#time`.
                if let Some(first) = words.first().filter(|w| w.class == Class::Text) {
                    by_first.entry(first.folded.clone()).or_default().push(Pattern {
                        signal: i,
                        words,
                        verb,
                    });
                }
            }
            objects.push(d.objects.iter().map(|o| words(analyzer, o)).filter(|w| !w.is_empty()).collect());
        }
        for list in by_first.values_mut() {
            // Longest phrase first, so the evidence is the most specific match.
            list.sort_by_key(|p| std::cmp::Reverse(p.words.len()));
        }
        let windows = defs.iter().map(|d| d.window.unwrap_or(DEFAULT_WINDOW)).collect();
        let asks = defs.iter().map(|d| d.tactic.is_some_and(|t| t.is_ask())).collect();
        Self { by_first, objects, windows, asks }
    }

    /// Whether the ask starting at token `start` is negated or told in the past tense.
    fn cancelled(tokens: &[Token], norm: &str, start: usize) -> bool {
        // Only words of the same sentence count ("…chưa có tiền. Ông chuyển giúp…" is an ask).
        let same_sentence =
            |i: usize| !norm.get(tokens[i].to..tokens[start].from).unwrap_or("").contains(SENTENCE_END);
        let from = start.saturating_sub(4);
        // "nếu chiều nay chị không nộp": a condition within four words before the negation.
        let negated = (from..start).any(|i| {
            same_sentence(i)
                && NEGATIONS.contains(&tokens[i].folded.as_str())
                && !tokens[i.saturating_sub(4)..i].iter().any(|t| CONDITIONS.contains(&t.folded.as_str()))
        });
        negated || start > 0 && same_sentence(start - 1) && PAST.contains(&tokens[start - 1].folded.as_str())
    }

    /// The end (exclusive) of the first object of `signal` starting within the window after the
    /// verb ending at `at`, in the same sentence.
    fn object_after(
        &self,
        tokens: &[Token],
        norm: &str,
        cx: &Context<'_>,
        signal: usize,
        at: usize,
    ) -> Option<usize> {
        let last = (at + self.windows[signal]).min(tokens.len().saturating_sub(1));
        let verb_end = tokens.get(at.checked_sub(1)?)?.to;
        (at..=last)
            .take_while(|s| {
                let gap = norm.get(verb_end..tokens[*s].from).unwrap_or("");
                !gap.contains(SENTENCE_END)
            })
            .find_map(|s| {
                self.objects[signal].iter().find(|o| matches_at(tokens, s, o, cx)).map(|o| s + o.len())
            })
    }

    /// The first match of every signal. `tokens` come from analysing the text, `original` is the
    /// NFC form of the text and `norm` the normalised text the token offsets refer to.
    #[must_use]
    pub fn find(&self, tokens: &[Token], original: &str, norm: &str) -> Vec<PhraseHit> {
        self.find_with_links(tokens, original, norm, &LinkWords::new())
    }

    /// Like [`PhraseMatcher::find`], with the first words of the message's links for `#link`.
    #[must_use]
    pub fn find_with_links(
        &self,
        tokens: &[Token],
        original: &str,
        norm: &str,
        links: &LinkWords,
    ) -> Vec<PhraseHit> {
        // Counted on the words as typed: expanded abbreviations ("mk" → "mật khẩu") carry
        // accents the user did not type.
        let words: Vec<&str> =
            norm.split_whitespace().filter(|w| w.chars().any(char::is_alphabetic)).collect();
        let marked = words.iter().filter(|w| w.chars().any(|c| c.is_alphabetic() && !c.is_ascii())).count();
        let accented = !words.is_empty() && marked as f64 >= ACCENTED_SHARE * words.len() as f64;
        let cx = Context { links, accented };
        let mut hits: Vec<PhraseHit> = Vec::new();
        let mut seen = vec![false; self.asks.len()];
        for start in 0..tokens.len() {
            let Some(cands) = self.by_first.get(&tokens[start].folded) else { continue };
            for p in cands {
                if seen[p.signal] {
                    continue;
                }
                if !matches_at(tokens, start, &p.words, &cx) {
                    continue;
                }
                let end = start + p.words.len();
                let end = if p.verb {
                    match self.object_after(tokens, norm, &cx, p.signal, end) {
                        Some(e) => e,
                        None => continue,
                    }
                } else {
                    end
                };
                if self.asks[p.signal] && Self::cancelled(tokens, norm, start) {
                    continue;
                }
                seen[p.signal] = true;
                hits.push(PhraseHit {
                    index: p.signal,
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
/// "Te|egram", "t1en", "0TP"): `0 @ ! | $` touching a letter, and `1 3 4` between two letters,
/// become the letter they imitate. Digits standing alone ("4G", "500k", "0912...") are left
/// alone. Every substitution is one ASCII byte for one ASCII byte, so offsets are kept.
#[must_use]
pub fn deleet(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<char> = chars.clone();
    for i in 0..chars.len() {
        let prev_letter = i > 0 && out[i - 1].is_alphabetic();
        let next = chars.get(i + 1).copied();
        let next_letter = next.is_some_and(char::is_alphabetic);
        let between = prev_letter && next_letter;
        let sub = match chars[i] {
            '0' => 'o',
            '@' => 'a',
            '!' => 'i',
            '|' => 'l',
            '$' => 's',
            '1' if between => 'i',
            '3' if between => 'e',
            '4' if between => 'a',
            _ => continue,
        };
        let next_sub = next.is_some_and(|c| matches!(c, '@' | '!' | '|' | '$'));
        let word_end = next.is_none_or(|c| c.is_whitespace() || matches!(c, ',' | '.' | ';' | ':' | '?'));
        // "0TP", "0nline": a zero opening a word of letters.
        let zero_opens = chars[i] == '0'
            && (i == 0 || !chars[i - 1].is_alphanumeric())
            && chars.get(i + 1..i + 3).is_some_and(|w| w.iter().all(|c| c.is_ascii_alphabetic()));
        if between
            || zero_opens
            || prev_letter && (next_sub || (word_end && (chars[i] != '!' || chars[i - 1] != out[i - 1])))
            || (!prev_letter && next_letter && chars[i] != '0' && i > 0 && chars[i - 1].is_whitespace())
        {
            out[i] = sub;
        }
    }
    out.into_iter().collect()
}

/// Joins words spelled out letter by letter to dodge filters: "O.T.P", "v.i.e.t.c.o.m",
/// "c-h-u-y-e-n" (three letters or more with `.`, `-`, `_` or `*` between them), and
/// "c h u y e n" (five letters or more with single spaces).
#[must_use]
pub fn join_spelled(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len();
    let letter = |i: usize| chars.get(i).is_some_and(|c| c.is_alphabetic());
    // A lone letter: not glued to another letter or digit on either side.
    let lone = |i: usize| {
        letter(i)
            && (i == 0 || !chars[i - 1].is_alphanumeric())
            && chars.get(i + 1).is_none_or(|c| !c.is_alphanumeric())
    };
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < n {
        if lone(i) {
            // The run of lone letters from here, all separated by the same kind of separator.
            let mut letters = vec![chars[i]];
            let mut j = i;
            let mut spaced = None;
            while j + 2 < n && lone(j + 2) {
                let sep = chars[j + 1];
                let is_space = sep == ' ';
                if !(is_space || matches!(sep, '.' | '-' | '_' | '*'))
                    || spaced.is_some_and(|s| s != is_space)
                {
                    break;
                }
                spaced = Some(is_space);
                letters.push(chars[j + 2]);
                j += 2;
            }
            let enough = if spaced == Some(true) { 5 } else { 3 };
            if letters.len() >= enough {
                out.extend(letters);
                i = j + 1;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
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
    use crate::{
        content::Tactic,
        text::{Lexicon, LexiconSpec, normalize_text},
    };

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
                verbs: vec!["đọc".into()],
                objects: vec!["mã otp".into(), "mã".into()],
                window: None,
                forms: vec![],
                tactic: Some(Tactic::AskCredentials),
                advice: vec![],
                with: vec![],
                cancels: vec![],
            },
            SignalDef {
                id: "asks_transfer".into(),
                label: "CK".into(),
                phrases: vec!["chuyển khoản".into()],
                verbs: vec![],
                objects: vec![],
                window: None,
                forms: vec![],
                tactic: Some(Tactic::AskMoney),
                advice: vec![],
                with: vec![],
                cancels: vec![],
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
        assert!(find("Quý khách đã chuyển khoản thành công").is_empty(), "a report, not an ask");
        assert_eq!(find("Nếu không chuyển khoản trong hôm nay").len(), 1, "a condition is still an ask");
    }

    #[test]
    fn times_of_day() {
        for t in ["17h", "8h30", "20g", "23h59p"] {
            assert!(is_time(t), "{t}");
        }
        for n in ["17", "h", "123h", "5tr"] {
            assert!(!is_time(n), "{n}");
        }
    }

    #[test]
    fn amounts_are_sums_of_money_not_codes() {
        for a in ["500k", "5tr", "3tr750", "20.000d", "1.500.000", "20000", "2cu"] {
            assert!(is_amount(a), "{a}");
        }
        for n in ["199", "24", "2", "0912345678", "4g", "k", "0d"] {
            assert!(!is_amount(n), "{n}");
        }
    }

    #[test]
    fn a_verb_needs_its_object_within_the_window() {
        let hits = find("Chị đọc giúp em cái mã vừa gửi nhé");
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].evidence, "đọc giúp em cái mã");
        assert!(find("Chị đọc báo hôm nay chưa, có bài hay lắm về mã").is_empty(), "object too far");
        assert!(find("em đọc rồi").is_empty());
    }

    #[test]
    fn deleet_restores_substituted_letters_only() {
        assert_eq!(deleet("Hen h0 tinh m0t dem"), "Hen ho tinh mot dem");
        assert_eq!(deleet("em g@! xinh, Te|egram, sinh v!en"), "em gai xinh, Telegram, sinh vien");
        assert_eq!(deleet("goi 0912345678, 4G, 500k, 1.000.000!"), "goi 0912345678, 4G, 500k, 1.000.000!");
        assert_eq!(deleet("Xin chao!"), "Xin chao!");
        assert_eq!(deleet("cung cap 0TP, nhan t1en, d!eu k!en"), "cung cap oTP, nhan tien, dieu kien");
        assert_eq!(deleet("goi 1900 1234, 3G 4G, 10.000d"), "goi 1900 1234, 3G 4G, 10.000d");
    }

    #[test]
    fn spelled_out_words_are_joined() {
        assert_eq!(join_spelled("doc ma O.T.P cho em"), "doc ma OTP cho em");
        assert_eq!(join_spelled("V.i.e.t.c.o.m.b.a.n.k thong bao"), "Vietcombank thong bao");
        assert_eq!(join_spelled("c h u y e n tien"), "chuyen tien");
        assert_eq!(join_spelled("a b c la gi, TP. HCM, 1.000.000"), "a b c la gi, TP. HCM, 1.000.000");
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
