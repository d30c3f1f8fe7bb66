//! The analyzer: text → Vietnamese tokens in accented and folded form, plus the tantivy
//! tokenizers that index the same tokens.

use std::sync::Arc;

use super::{
    lexicon::Lexicon,
    normalize::{canonical_syllable, fold, has_tone, normalize_text, split_words},
};
use tantivy::tokenizer::{Token as TantivyToken, TokenStream, Tokenizer};

/// One analysed word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Canonical accented form (NFC, lowercase, one tone placement).
    pub exact: String,
    /// ASCII-folded form.
    pub folded: String,
    /// Whether the user typed diacritics on this word.
    pub marked: bool,
    /// Whether the word is a stopword.
    pub stop: bool,
    /// Byte offsets in the normalised text of the word this token came from.
    pub from: usize,
    /// End byte offset.
    pub to: usize,
}

/// The term for two words in a row: index and query terms must be spelled the same way.
#[must_use]
pub fn bigram(a: &str, b: &str) -> String {
    format!("{a}_{b}")
}

/// Turns text into tokens using a lexicon. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Analyzer {
    lexicon: Arc<Lexicon>,
}

impl Analyzer {
    /// An analyzer over the given lexicon.
    #[must_use]
    pub fn new(lexicon: Arc<Lexicon>) -> Self {
        Self { lexicon }
    }

    /// The lexicon in use.
    #[must_use]
    pub fn lexicon(&self) -> &Lexicon {
        &self.lexicon
    }

    /// Analyses text: NFC, lowercase, split, expand abbreviations, canonical and folded forms.
    #[must_use]
    pub fn analyze(&self, text: &str) -> Vec<Token> {
        self.analyze_normalized(&normalize_text(text))
    }

    /// Like [`Analyzer::analyze`] for text already passed through `normalize_text`; token
    /// offsets refer to `norm`.
    #[must_use]
    pub fn analyze_normalized(&self, norm: &str) -> Vec<Token> {
        let mut out = Vec::new();
        for (start, word) in split_words(norm) {
            let end = start + word.len();
            let canon = canonical_syllable(word);
            let folded = fold(&canon);
            if !has_tone(&canon)
                && let Some(expansion) = self.lexicon.expand(&folded)
            {
                for w in expansion {
                    let f = fold(w);
                    let stop = self.lexicon.is_stopword(w, &f, true);
                    out.push(Token { exact: w.clone(), folded: f, marked: true, stop, from: start, to: end });
                }
                continue;
            }
            let marked = canon != folded;
            let stop = self.lexicon.is_stopword(&canon, &folded, marked);
            out.push(Token { exact: canon, folded, marked, stop, from: start, to: end });
        }
        out
    }

    /// Folded bigrams of consecutive tokens, written `a_b`.
    #[must_use]
    pub fn bigrams(tokens: &[Token]) -> Vec<String> {
        tokens.windows(2).map(|w| bigram(&w[0].folded, &w[1].folded)).collect()
    }
}

/// Which form of the tokens a tantivy field indexes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenizerKind {
    /// Canonical accented syllables.
    Exact,
    /// ASCII-folded syllables.
    Folded,
    /// Folded bigrams (`a_b`) for phrase preference.
    Bigram,
}

impl TokenizerKind {
    /// The name under which the tokenizer is registered with tantivy.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Exact => "vi_exact",
            Self::Folded => "vi_folded",
            Self::Bigram => "vi_bigram",
        }
    }
}

/// A tantivy tokenizer producing one form of the analyzer's tokens.
#[derive(Debug, Clone)]
pub struct VietTokenizer {
    analyzer: Analyzer,
    kind: TokenizerKind,
}

impl VietTokenizer {
    /// A tokenizer of the given kind.
    #[must_use]
    pub fn new(analyzer: Analyzer, kind: TokenizerKind) -> Self {
        Self { analyzer, kind }
    }
}

/// A token stream over precomputed tokens.
pub struct VecTokenStream {
    tokens: Vec<TantivyToken>,
    index: usize,
}

impl TokenStream for VecTokenStream {
    fn advance(&mut self) -> bool {
        if self.index < self.tokens.len() {
            self.index += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &TantivyToken {
        &self.tokens[self.index - 1]
    }

    fn token_mut(&mut self) -> &mut TantivyToken {
        &mut self.tokens[self.index - 1]
    }
}

impl Tokenizer for VietTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        let tokens = self.analyzer.analyze(text);
        let make = |position: usize, text: String, from: usize, to: usize| TantivyToken {
            offset_from: from,
            offset_to: to,
            position,
            text,
            position_length: 1,
        };
        let out: Vec<TantivyToken> = match self.kind {
            TokenizerKind::Exact => {
                tokens.into_iter().enumerate().map(|(i, t)| make(i, t.exact, t.from, t.to)).collect()
            }
            TokenizerKind::Folded => {
                tokens.into_iter().enumerate().map(|(i, t)| make(i, t.folded, t.from, t.to)).collect()
            }
            TokenizerKind::Bigram => tokens
                .windows(2)
                .enumerate()
                .map(|(i, w)| make(i, bigram(&w[0].folded, &w[1].folded), w[0].from, w[1].to))
                .collect(),
        };
        VecTokenStream { tokens: out, index: 0 }
    }
}

#[cfg(test)]
mod tests {
    use unicode_normalization::UnicodeNormalization;

    use super::*;
    use crate::text::lexicon::LexiconSpec;

    fn analyzer() -> Analyzer {
        let mut spec = LexiconSpec::default();
        for (k, v) in [("ko", "không"), ("ck", "chuyển khoản"), ("stk", "số tài khoản"), ("đc", "được")]
        {
            spec.abbreviations.insert(k.into(), v.into());
        }
        spec.stopwords = vec!["có".into(), "là".into()];
        spec.stopwords_unaccented = vec!["co".into(), "la".into()];
        Analyzer::new(Arc::new(Lexicon::compile(&spec).expect("valid lexicon")))
    }

    fn exact(a: &Analyzer, s: &str) -> Vec<String> {
        a.analyze(s).into_iter().map(|t| t.exact).collect()
    }

    #[test]
    fn nfc_and_nfd_input_give_identical_tokens() {
        let a = analyzer();
        let text = "Bị gọi điện dọa khóa SIM phải làm sao";
        let nfd: String = text.nfd().collect();
        assert_eq!(a.analyze(text), a.analyze(&nfd));
    }

    #[test]
    fn tone_placement_styles_give_identical_tokens() {
        let a = analyzer();
        assert_eq!(exact(&a, "khoá tài khoản, thuỷ"), exact(&a, "khóa tài khoản, thủy"));
    }

    #[test]
    fn folding_maps_d_and_drops_marks() {
        let a = analyzer();
        let folded: Vec<String> = a.analyze("Đường dây lừa đảo").into_iter().map(|t| t.folded).collect();
        assert_eq!(folded, ["duong", "day", "lua", "dao"]);
    }

    #[test]
    fn abbreviations_are_expanded_in_place() {
        let a = analyzer();
        assert_eq!(exact(&a, "ko ck stk"), ["không", "chuyển", "khoản", "số", "tài", "khoản"]);
        assert_eq!(exact(&a, "dc"), ["được"]);
        assert_eq!(exact(&a, "đc"), ["được"]);
        // A toned word is never read as an abbreviation.
        assert_eq!(exact(&a, "có"), ["có"]);
    }

    #[test]
    fn uppercase_is_lowered() {
        let a = analyzer();
        assert_eq!(exact(&a, "LỪA ĐẢO"), exact(&a, "lừa đảo"));
    }

    #[test]
    fn stopwords_are_flagged_by_form() {
        let a = analyzer();
        let toks = a.analyze("có co cỏ");
        assert!(toks[0].stop, "accented stopword");
        assert!(toks[1].stop, "unaccented form of a stopword");
        assert!(!toks[2].stop, "a different accented word");
    }

    #[test]
    fn bigram_tokenizer_joins_neighbours() {
        let mut t = VietTokenizer::new(analyzer(), TokenizerKind::Bigram);
        let mut s = t.token_stream("việc nhẹ lương cao");
        let mut out = Vec::new();
        while s.advance() {
            out.push(s.token().text.clone());
        }
        assert_eq!(out, ["viec_nhe", "nhe_luong", "luong_cao"]);
    }
}
