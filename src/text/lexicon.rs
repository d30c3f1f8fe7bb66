//! The search lexicon: abbreviations and teen code, synonym groups and stopwords.
//!
//! The data lives in `content/lexicon.yaml`; this module compiles it into lookup tables.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Deserialize;
use thiserror::Error;

use super::normalize::{canonical_syllable, fold, normalize_text, split_words};

/// An invalid lexicon entry.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum LexiconError {
    /// An abbreviation whose key or expansion holds no word.
    #[error("abbreviation `{0}`: key and expansion must both contain words")]
    EmptyAbbreviation(String),
    /// An abbreviation key of several words.
    #[error("abbreviation `{0}`: the key must be a single word")]
    MultiWordKey(String),
    /// A synonym group with fewer than two phrases.
    #[error("synonym group {0}: needs at least two phrases")]
    SmallSynonymGroup(usize),
    /// An empty stopword.
    #[error("stopword {0}: empty")]
    EmptyStopword(usize),
}

/// `content/lexicon.yaml` as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LexiconSpec {
    /// Abbreviation (as typed) → full words.
    #[serde(default)]
    pub abbreviations: BTreeMap<String, String>,
    /// Groups of phrases that mean the same thing.
    #[serde(default)]
    pub synonyms: Vec<Vec<String>>,
    /// Function words that carry no topic (accented spelling), for words typed with marks.
    #[serde(default)]
    pub stopwords: Vec<String>,
    /// Function words as typed without marks. Kept separate because folding makes many content
    /// words look like function words ("vay" loan / "vậy", "no" debt / "nó").
    #[serde(default)]
    pub stopwords_unaccented: Vec<String>,
}

/// The compiled lexicon.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    abbreviations: HashMap<String, Vec<String>>,
    synonyms: Vec<Vec<Vec<String>>>,
    stop_exact: HashSet<String>,
    stop_folded: HashSet<String>,
}

fn words_of(s: &str) -> Vec<String> {
    let norm = normalize_text(s);
    split_words(&norm).map(|(_, w)| canonical_syllable(w)).collect()
}

impl Lexicon {
    /// Compiles and checks a lexicon specification.
    pub fn compile(spec: &LexiconSpec) -> Result<Self, LexiconError> {
        let mut abbreviations = HashMap::new();
        for (key, expansion) in &spec.abbreviations {
            let key_words = words_of(key);
            let exp = words_of(expansion);
            if key_words.is_empty() || exp.is_empty() {
                return Err(LexiconError::EmptyAbbreviation(key.clone()));
            }
            if key_words.len() != 1 {
                return Err(LexiconError::MultiWordKey(key.clone()));
            }
            abbreviations.insert(fold(&key_words[0]), exp);
        }
        let mut synonyms = Vec::new();
        for (i, group) in spec.synonyms.iter().enumerate() {
            let phrases: Vec<Vec<String>> = group
                .iter()
                .map(|p| words_of(p).iter().map(|w| fold(w)).collect::<Vec<_>>())
                .filter(|p: &Vec<String>| !p.is_empty())
                .collect();
            if phrases.len() < 2 {
                return Err(LexiconError::SmallSynonymGroup(i + 1));
            }
            synonyms.push(phrases);
        }
        let mut stop_exact = HashSet::new();
        let mut stop_folded = HashSet::new();
        for (i, w) in spec.stopwords.iter().enumerate() {
            let words = words_of(w);
            if words.is_empty() {
                return Err(LexiconError::EmptyStopword(i + 1));
            }
            stop_exact.extend(words);
        }
        for (i, w) in spec.stopwords_unaccented.iter().enumerate() {
            let words = words_of(w);
            if words.is_empty() {
                return Err(LexiconError::EmptyStopword(spec.stopwords.len() + i + 1));
            }
            stop_folded.extend(words.iter().map(|w| fold(w)));
        }
        Ok(Self { abbreviations, synonyms, stop_exact, stop_folded })
    }

    /// The expansion of a word typed without tone marks, if it is a known abbreviation.
    #[must_use]
    pub fn expand(&self, folded_word: &str) -> Option<&[String]> {
        self.abbreviations.get(folded_word).map(Vec::as_slice)
    }

    /// Whether a token is a stopword: accented tokens against the accented list, unaccented
    /// ones against the unaccented list.
    #[must_use]
    pub fn is_stopword(&self, exact: &str, folded: &str, marked: bool) -> bool {
        if marked { self.stop_exact.contains(exact) } else { self.stop_folded.contains(folded) }
    }

    /// Synonym groups as folded word sequences.
    #[must_use]
    pub fn synonym_groups(&self) -> &[Vec<Vec<String>>] {
        &self.synonyms
    }

    /// Number of abbreviations known.
    #[must_use]
    pub fn abbreviation_count(&self) -> usize {
        self.abbreviations.len()
    }
}
