//! Vietnamese text processing shared by indexing, querying and the scam checker.
//!
//! The pipeline is: NFC normalisation, lowercasing, splitting into syllables, one canonical
//! tone-mark placement per syllable ("hoà" and "hòa" become the same token), and two forms of
//! every token: accented (`exact`) and folded to ASCII (`folded`, đ→d, ạ→a). Abbreviations and
//! teen code from the lexicon are expanded before the forms are built.

mod analyzer;
mod distance;
mod lexicon;
mod normalize;

pub use analyzer::{Analyzer, Token, TokenizerKind, VietTokenizer, bigram};
pub use distance::edit_distance;
pub use lexicon::{Lexicon, LexiconError, LexiconSpec};
pub use normalize::{canonical_syllable, fold, has_tone, nfc, normalize_text, split_words};
