//! Question → ranked entries. Builds a weighted boolean query of accented, folded and bigram
//! terms (with typo correction and synonyms), ranks with BM25, and computes a confidence.

use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
};

use tantivy::{
    DocAddress, TantivyDocument,
    schema::{Field, Value},
};
use tracing::debug;

use super::{
    SearchError,
    answer::{Alternative, Answer, Outcome, render_entry},
    doc::entry_texts,
    impacts::Impacts,
    index::SearchIndex,
};
use crate::{
    content::Content,
    text::{Analyzer, Token, edit_distance},
};

/// Longest question searched (characters); the rest of a longer text is ignored.
pub const MAX_QUESTION_CHARS: usize = 1000;

/// Weights and thresholds of the ranking. The defaults were fitted on the dev questions
/// (`tests/data/dev_questions.tsv`) and are deliberately round numbers.
#[derive(Debug, Clone)]
pub struct Tuning {
    /// Boosts for accented terms: title, keywords, body.
    pub exact: [f32; 3],
    /// Boosts for folded terms: title, keywords, body, extra.
    pub folded: [f32; 4],
    /// Boosts for bigrams: title, keywords, body, extra.
    pub bigram: [f32; 4],
    /// Rerank bonus, as a share of the best raw score, for a question that contains a whole
    /// multi-word title, alias or keyword of an entry (scaled by the share of the question covered).
    pub phrase_bonus: f32,
    /// Factor for typo-corrected terms.
    pub corrected: f32,
    /// Factor for synonym terms.
    pub synonym: f32,
    /// Weight of unigram coverage against bigram coverage in the confidence.
    pub unigram_weight: f32,
    /// Weight of ln(1 + raw BM25 score) in the confidence.
    pub raw_weight: f32,
    /// Evidence at which the confidence is 0.5.
    pub threshold: f32,
    /// Minimum confidence to present the best entry as the answer.
    pub min_confidence: f32,
    /// Alternatives must score at least this share of the best raw score.
    pub alt_ratio: f32,
}

impl Default for Tuning {
    fn default() -> Self {
        Self {
            exact: [1.5, 2.0, 1.8],
            folded: [1.0, 1.5, 1.25, 0.5],
            bigram: [1.5, 2.0, 1.9, 0.75],
            phrase_bonus: 0.5,
            corrected: 0.7,
            synonym: 0.5,
            unigram_weight: 0.3,
            raw_weight: 0.1,
            threshold: 0.58,
            min_confidence: 0.5,
            alt_ratio: 0.3,
        }
    }
}

/// Per-entry token statistics for confidence and typo correction.
#[derive(Debug, Default)]
struct Stats {
    n: usize,
    df: HashMap<String, u32>,
    terms: HashMap<String, HashSet<String>>,
    bigrams: HashMap<String, HashSet<String>>,
    bigram_df: HashMap<String, u32>,
    /// Multi-word titles, aliases and keywords, keyed by their first folded word.
    phrases: HashMap<String, Vec<(String, Vec<String>)>>,
    by_len: HashMap<usize, Vec<String>>,
}

impl Stats {
    fn new(content: &Content, analyzer: &Analyzer) -> Self {
        let mut s = Self::default();
        for t in entry_texts(content) {
            for name in t.title.iter().chain(&t.keywords) {
                let words: Vec<String> = analyzer.analyze(name).into_iter().map(|t| t.folded).collect();
                if words.len() >= 2 {
                    s.phrases.entry(words[0].clone()).or_default().push((t.id.clone(), words));
                }
            }
            let mut set = HashSet::new();
            let mut bigrams = HashSet::new();
            for text in t.title.iter().chain(&t.keywords).chain(&t.body).chain(&t.extra) {
                let toks = analyzer.analyze(text);
                bigrams.extend(Analyzer::bigrams(&toks));
                set.extend(toks.into_iter().map(|tok| tok.folded));
            }
            for term in &set {
                *s.df.entry(term.clone()).or_default() += 1;
            }
            for b in &bigrams {
                *s.bigram_df.entry(b.clone()).or_default() += 1;
            }
            s.terms.insert(t.id.clone(), set);
            s.bigrams.insert(t.id, bigrams);
            s.n += 1;
        }
        for term in s.df.keys() {
            if term.chars().all(char::is_alphabetic) {
                s.by_len.entry(term.chars().count()).or_default().push(term.clone());
            }
        }
        for v in s.by_len.values_mut() {
            v.sort();
        }
        s
    }

    fn idf(&self, df: u32) -> f32 {
        let n = self.n as f32;
        let df = df as f32;
        (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
    }

    /// The closest known term for an unknown one, if a small edit away.
    fn correct(&self, term: &str) -> Option<&str> {
        let len = term.chars().count();
        if len < 4 || !term.chars().all(char::is_alphabetic) {
            return None;
        }
        let max = if len >= 7 { 2 } else { 1 };
        let mut best: Option<(usize, u32, &str)> = None;
        for l in len.saturating_sub(max)..=len + max {
            for cand in self.by_len.get(&l).into_iter().flatten() {
                let d = edit_distance(term, cand, max);
                if d <= max {
                    let df = self.df.get(cand).copied().unwrap_or(0);
                    let better = match best {
                        None => true,
                        Some((bd, bdf, _)) => d < bd || (d == bd && df > bdf),
                    };
                    if better {
                        best = Some((d, df, cand));
                    }
                }
            }
        }
        best.map(|(_, _, c)| c)
    }
}

/// A content term of the question with its weight for the confidence.
#[derive(Debug)]
struct QueryTerm {
    folded: String,
    corrected: Option<String>,
    idf: f32,
}

/// Answers questions from the handbook. Cheap to share behind an `Arc`.
pub struct Searcher {
    content: Arc<Content>,
    index: SearchIndex,
    analyzer: Analyzer,
    stats: Stats,
    ids: Vec<Vec<String>>,
    /// Every (field, term) the index holds with its BM25 postings: a query is scored from
    /// these without building tantivy scorers (see [`Impacts`]).
    impacts: Impacts,
    tuning: Tuning,
}

impl std::fmt::Debug for Searcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Searcher").field("index", &self.index).field("tuning", &self.tuning).finish()
    }
}

impl Searcher {
    /// A searcher over an open index of `content`.
    pub fn new(content: Arc<Content>, index: SearchIndex) -> Result<Self, SearchError> {
        Self::with_tuning(content, index, Tuning::default())
    }

    /// A searcher with explicit tuning.
    pub fn with_tuning(
        content: Arc<Content>,
        index: SearchIndex,
        tuning: Tuning,
    ) -> Result<Self, SearchError> {
        let analyzer = Analyzer::new(content.lexicon.clone());
        let stats = Stats::new(&content, &analyzer);
        let searcher = index.reader.searcher();
        let mut ids = Vec::new();
        for (seg_ord, seg) in searcher.segment_readers().iter().enumerate() {
            let mut seg_ids = vec![String::new(); seg.max_doc() as usize];
            for doc_id in 0..seg.max_doc() {
                let doc: TantivyDocument = searcher.doc(DocAddress::new(seg_ord as u32, doc_id))?;
                if let Some(id) = doc.get_first(index.fields.id).and_then(|v| v.as_str()) {
                    seg_ids[doc_id as usize] = id.to_owned();
                }
            }
            ids.push(seg_ids);
        }
        let impacts = Impacts::read(&searcher)?;
        Ok(Self { content, index, analyzer, stats, ids, impacts, tuning })
    }

    /// The content answers come from.
    #[must_use]
    pub fn content(&self) -> &Arc<Content> {
        &self.content
    }

    /// The content terms of a question; unknown words are corrected to the closest known one
    /// when `correct` (a question typed by a person), kept as they are otherwise.
    fn query_terms(&self, tokens: &[Token], correct: bool) -> Vec<QueryTerm> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        // Words split by a space that are one known word when joined ("deep voice" → deepvoice).
        for w in tokens.windows(2) {
            let joined = format!("{}{}", w[0].folded, w[1].folded);
            if let Some(df) = self.stats.df.get(&joined)
                && (!self.stats.df.contains_key(&w[1].folded) || !self.stats.df.contains_key(&w[0].folded))
            {
                seen.insert(joined.clone());
                seen.insert(w[0].folded.clone());
                seen.insert(w[1].folded.clone());
                out.push(QueryTerm { folded: joined, corrected: None, idf: self.stats.idf(*df) });
            }
        }
        for t in tokens.iter().filter(|t| !t.stop) {
            if !seen.insert(t.folded.clone()) {
                continue;
            }
            let df = self.stats.df.get(&t.folded).copied();
            let (corrected, idf) = match df {
                Some(df) => (None, self.stats.idf(df)),
                None => match self.stats.correct(&t.folded).filter(|_| correct) {
                    Some(c) => {
                        let df = self.stats.df.get(c).copied().unwrap_or(0);
                        (Some(c.to_owned()), self.stats.idf(df))
                    }
                    None => (None, self.stats.idf(0)),
                },
            };
            out.push(QueryTerm { folded: t.folded.clone(), corrected, idf });
        }
        out
    }

    /// The boosted (field, term) clauses of a query: the best boost of each pair.
    fn clauses(&self, q: &Parsed) -> HashMap<(Field, String), f32> {
        let (tokens, terms) = (&q.tokens[..], &q.terms[..]);
        let f = &self.index.fields;
        let tu = &self.tuning;
        let mut weights: HashMap<(Field, String), f32> = HashMap::new();
        let mut add = |field, text: &str, w: f32| {
            let e = weights.entry((field, text.to_owned())).or_insert(0.0);
            *e = e.max(w);
        };
        for t in tokens.iter().filter(|t| !t.stop && t.marked) {
            for (i, field) in [f.title[0], f.keywords[0], f.body[0]].into_iter().enumerate() {
                add(field, &t.exact, tu.exact[i]);
            }
        }
        let folded_fields = [f.title[1], f.keywords[1], f.body[1], f.extra[0]];
        let bigram_fields = [f.title[2], f.keywords[2], f.body[2], f.extra[1]];
        for q in terms {
            let (text, factor) = match &q.corrected {
                Some(c) => (c.as_str(), tu.corrected),
                None => (q.folded.as_str(), 1.0),
            };
            for (i, field) in folded_fields.into_iter().enumerate() {
                add(field, text, tu.folded[i] * factor);
            }
        }
        let folded_seq = &q.seq;
        for w in folded_seq.windows(2) {
            let bigram = crate::text::bigram(&w[0], &w[1]);
            for (i, field) in bigram_fields.into_iter().enumerate() {
                add(field, &bigram, tu.bigram[i]);
            }
        }
        if q.message {
            return weights;
        }
        // Synonyms: when a phrase of a group occurs, the other phrases count at a lower weight.
        for group in self.analyzer.lexicon().synonym_groups() {
            let present = group.iter().any(|p| contains_seq(folded_seq, p));
            if !present {
                continue;
            }
            for phrase in group.iter().filter(|p| !contains_seq(folded_seq, p)) {
                for w in phrase {
                    for (i, field) in folded_fields.into_iter().enumerate() {
                        add(field, w, tu.folded[i] * tu.synonym);
                    }
                }
                for pair in phrase.windows(2) {
                    let bigram = crate::text::bigram(&pair[0], &pair[1]);
                    for (i, field) in bigram_fields.into_iter().enumerate() {
                        add(field, &bigram, tu.bigram[i] * tu.synonym);
                    }
                }
            }
        }
        weights
    }

    /// IDF-weighted share of the question's content words found in entry `id`. Tokens with
    /// digits (amounts, dates, "156") count when they match and are never held against it.
    fn coverage(&self, id: &str, terms: &[QueryTerm]) -> f32 {
        let Some(set) = self.stats.terms.get(id) else { return 0.0 };
        let mut total = 0.0;
        let mut matched = 0.0;
        for t in terms {
            let m = match &t.corrected {
                Some(c) if set.contains(c) => t.idf * self.tuning.corrected,
                _ if set.contains(&t.folded) => t.idf,
                _ => 0.0,
            };
            if m == 0.0 && t.folded.chars().any(|c| c.is_ascii_digit()) {
                continue;
            }
            total += t.idf;
            matched += m;
        }
        if total <= 0.0 { 0.0 } else { matched / total }
    }

    /// Confidence in 0..1 that entry `id` answers the question; 0.5 is the answer threshold.
    fn confidence(&self, id: &str, raw: f32, q: &Parsed) -> f32 {
        let tu = &self.tuning;
        let u = self.coverage(id, &q.terms);
        // A one-word question has no bigrams to judge: its word coverage stands for both.
        let b = self.bigram_coverage(id, q).unwrap_or(u);
        let x = tu.unigram_weight * u + (1.0 - tu.unigram_weight) * b + tu.raw_weight * (1.0 + raw).ln();
        x / (x + tu.threshold)
    }

    /// IDF-weighted share of the question's bigrams (not both stopwords) found in entry `id`;
    /// `None` when the question has no such bigram.
    fn bigram_coverage(&self, id: &str, q: &Parsed) -> Option<f32> {
        let Some(set) = self.stats.bigrams.get(id) else { return Some(0.0) };
        let (tokens, seq) = (&q.tokens, &q.seq);
        let mut total = 0.0;
        let mut matched = 0.0;
        for (i, w) in seq.windows(2).enumerate() {
            if tokens[i].stop && tokens[i + 1].stop {
                continue;
            }
            let b = crate::text::bigram(&w[0], &w[1]);
            let df = self.stats.bigram_df.get(&b).copied().unwrap_or(0);
            let idf = self.stats.idf(df);
            total += idf;
            if set.contains(&b) {
                matched += idf;
            }
        }
        (total > 0.0).then(|| matched / total)
    }

    /// Analyses a question once: its tokens, content terms and corrected word sequence.
    fn query(&self, question: &str) -> Parsed {
        self.parse(question, true)
    }

    fn parse(&self, question: &str, correct: bool) -> Parsed {
        let mut tokens = self.analyzer.analyze(question);
        if !correct {
            tokens.truncate(MESSAGE_WORDS);
        }
        let terms = self.query_terms(&tokens, correct);
        let seq = tokens
            .iter()
            .map(|t| {
                terms
                    .iter()
                    .find(|q| q.folded == t.folded)
                    .and_then(|q| q.corrected.clone())
                    .unwrap_or_else(|| t.folded.clone())
            })
            .collect();
        Parsed { tokens, terms, seq, message: !correct }
    }

    /// Diagnostic: the content terms of a question with idf, correction and presence in `id`.
    #[doc(hidden)]
    pub fn debug_terms(&self, question: &str, id: &str) -> Vec<String> {
        let tokens = self.analyzer.analyze(question);
        let set = self.stats.terms.get(id);
        self.query_terms(&tokens, true)
            .iter()
            .map(|t| {
                let present = set.is_some_and(|s| s.contains(t.corrected.as_ref().unwrap_or(&t.folded)));
                format!(
                    "{}{}:{:.2}{}",
                    t.folded,
                    t.corrected.as_ref().map(|c| format!("->{c}")).unwrap_or_default(),
                    t.idf,
                    if present { "+" } else { "-" }
                )
            })
            .collect()
    }

    /// Diagnostic features of the best entry for a question (used to fit the tuning).
    #[doc(hidden)]
    pub fn explain(&self, question: &str) -> Result<Option<(String, f32, f32, f32)>, SearchError> {
        let q = self.query(question);
        let ranked = self.rank_query(&q, 1)?;
        Ok(ranked.first().map(|(id, raw)| {
            let u = self.coverage(id, &q.terms);
            (id.clone(), *raw, u, self.bigram_coverage(id, &q).unwrap_or(u))
        }))
    }

    /// Ranked entry ids with raw BM25 scores, best first.
    pub fn rank(&self, question: &str, limit: usize) -> Result<Vec<(String, f32)>, SearchError> {
        self.rank_query(&self.query(question), limit)
    }

    /// Like [`Searcher::rank`] for a message rather than a question: its words are taken as
    /// written, without typo correction (a received message is full of names, codes and
    /// brand words that correction would only slow down and bend).
    pub fn rank_message(&self, message: &str, limit: usize) -> Result<Vec<(String, f32)>, SearchError> {
        self.rank_query(&self.parse(message, false), limit)
    }

    /// The same ranking as [`Searcher::rank`] (`message`: [`Searcher::rank_message`]) through
    /// tantivy's own query path (a boolean query of boosted term queries and a top-docs
    /// collector) instead of the precomputed impacts: the tests prove the two agree.
    #[cfg(feature = "test-support")]
    #[doc(hidden)]
    pub fn rank_through_tantivy(
        &self,
        text: &str,
        message: bool,
        limit: usize,
    ) -> Result<Vec<(String, f32)>, SearchError> {
        use tantivy::{
            Term,
            collector::TopDocs,
            query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery},
            schema::IndexRecordOption,
        };
        let q = if message { self.parse(text, false) } else { self.query(text) };
        self.rank_with(&q, limit, |clauses, n| {
            let query = BooleanQuery::new(
                clauses
                    .iter()
                    .filter(|((field, text), _)| self.impacts.holds(*field, text))
                    .map(|((field, text), w)| {
                        let q =
                            TermQuery::new(Term::from_field_text(*field, text), IndexRecordOption::WithFreqs);
                        (Occur::Should, Box::new(BoostQuery::new(Box::new(q), *w)) as Box<dyn Query>)
                    })
                    .collect(),
            );
            Ok(self.index.reader.searcher().search(&query, &TopDocs::with_limit(n).order_by_score())?)
        })
    }

    fn rank_query(&self, q: &Parsed, limit: usize) -> Result<Vec<(String, f32)>, SearchError> {
        self.rank_with(q, limit, |clauses, n| {
            Ok(self.impacts.top(clauses.iter().map(|((f, t), w)| (*f, t.as_str(), *w)), n))
        })
    }

    /// Ranks with `top` (the best `n` documents for the query's clauses), then adds the
    /// phrase bonus.
    fn rank_with(
        &self,
        q: &Parsed,
        limit: usize,
        top: impl FnOnce(&HashMap<(Field, String), f32>, usize) -> Result<Vec<(f32, DocAddress)>, SearchError>,
    ) -> Result<Vec<(String, f32)>, SearchError> {
        if q.terms.is_empty() {
            return Ok(Vec::new());
        }
        let top = top(&self.clauses(q), limit.max(10))?;
        let mut ranked: Vec<(String, f32)> = top
            .into_iter()
            .filter_map(|(score, addr)| {
                let id = self.ids.get(addr.segment_ord as usize)?.get(addr.doc_id as usize)?;
                Some((id.clone(), score))
            })
            .collect();
        let covered = self.phrase_cover(&q.seq);
        if !covered.is_empty() {
            let best = ranked.first().map_or(0.0, |r| r.1);
            let n = q.tokens.len().max(1) as f32;
            for (id, score) in &mut ranked {
                if let Some(words) = covered.get(id.as_str()) {
                    *score += self.tuning.phrase_bonus * best * (*words as f32 / n).min(1.0);
                }
            }
            ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
        }
        ranked.truncate(limit);
        Ok(ranked)
    }

    /// For each entry, how many question words are covered by its whole multi-word names.
    fn phrase_cover(&self, seq: &[String]) -> HashMap<&str, usize> {
        let mut covered: HashMap<&str, Vec<bool>> = HashMap::new();
        for start in 0..seq.len() {
            for (id, words) in self.stats.phrases.get(seq[start].as_str()).into_iter().flatten() {
                let end = start + words.len();
                if end <= seq.len() && seq[start..end].iter().zip(words).all(|(a, b)| a == b) {
                    let mask = covered.entry(id.as_str()).or_insert_with(|| vec![false; seq.len()]);
                    mask[start..end].iter_mut().for_each(|m| *m = true);
                }
            }
        }
        covered.into_iter().map(|(id, mask)| (id, mask.iter().filter(|m| **m).count())).collect()
    }

    /// Answers a question: the best entry when confident enough, otherwise an honest no-match
    /// with the closest candidates.
    pub fn ask(&self, question: &str) -> Result<Outcome, SearchError> {
        // A question is a sentence or two; a long paste is searched on its beginning, so
        // the time and memory of one request stay bounded.
        let end = question.char_indices().nth(MAX_QUESTION_CHARS).map_or(question.len(), |(i, _)| i);
        let q = self.query(&question[..end]);
        let ranked = self.rank_query(&q, 6)?;
        let Some((best_id, best_raw)) = ranked.first().cloned() else {
            return Ok(Outcome::NoMatch { candidates: Vec::new() });
        };
        let confidence = self.confidence(&best_id, best_raw, &q);
        debug!(best = %best_id, raw = best_raw, confidence, terms = q.terms.len(), "ranked");
        let scale = |raw: f32| (confidence * raw / best_raw * 1000.0).round() / 1000.0;
        let alternatives: Vec<Alternative> = ranked
            .iter()
            .skip(1)
            .filter(|(_, raw)| *raw >= best_raw * self.tuning.alt_ratio)
            .take(3)
            .filter_map(|(id, raw)| {
                let e = self.content.entry(id)?;
                Some(Alternative { id: id.clone(), title: e.title().to_owned(), score: scale(*raw) })
            })
            .collect();
        let Some(entry) = self.content.entry(&best_id) else {
            return Ok(Outcome::NoMatch { candidates: alternatives });
        };
        if confidence < self.tuning.min_confidence {
            let mut candidates = vec![Alternative {
                id: best_id.clone(),
                title: entry.title().to_owned(),
                score: scale(best_raw),
            }];
            candidates.extend(alternatives);
            candidates.retain(|c| c.score >= self.tuning.min_confidence * 0.8);
            return Ok(Outcome::NoMatch { candidates });
        }
        Ok(Outcome::Answer(Answer {
            id: best_id,
            title: entry.title().to_owned(),
            body: render_entry(&self.content, entry),
            score: (confidence * 1000.0).round() / 1000.0,
            alternatives,
        }))
    }
}

/// A question analysed once for ranking and confidence.
/// Words of a received message used to rank the closest forms (the opening of a scam message
/// carries its story; the rest adds clauses, not signal).
const MESSAGE_WORDS: usize = 24;

struct Parsed {
    tokens: Vec<Token>,
    terms: Vec<QueryTerm>,
    /// A received message rather than a question: no synonym clauses, and only its first
    /// `MESSAGE_WORDS` words, which keeps a long message's query small.
    message: bool,
    /// The folded words with typo corrections applied (bigrams and phrases use these).
    seq: Vec<String>,
}

fn contains_seq(hay: &[String], needle: &[String]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w.iter().zip(needle).all(|(a, b)| a == b))
}
