//! The BM25 contribution of every (field, term) of the open index to every document it occurs
//! in, read once from tantivy when a [`super::Searcher`] opens.
//!
//! The handbook index is small (a few dozen documents) and never changes under an open
//! searcher, while a question becomes 50–100 boosted term clauses. Through tantivy's query
//! path each clause looked its term up in the dictionary, built a BM25 weight with a 256-entry
//! table and a scorer, for every search; that was most of a search's time. Here each clause is
//! one map lookup and a multiplication per document, and the scores are tantivy's own: each
//! posting keeps the score tantivy's [`Bm25Weight`] gives the term in that document, over the
//! same statistics (document frequency, total documents, average field length), and a query
//! multiplies it by the clause's boost (a term query boosts the weight first; the two differ
//! by float rounding only). `tests/it/search_dev_set.rs` proves the rankings equal tantivy's
//! query path on every dev question and scenario message.

use std::collections::HashMap;

use tantivy::{
    DocAddress, DocSet, Searcher, TERMINATED, Term,
    postings::Postings,
    query::{Bm25StatisticsProvider, Bm25Weight},
    schema::{Field, IndexRecordOption},
};

/// One document a term occurs in, with the term's BM25 score there (before boosting).
#[derive(Debug, Clone, Copy)]
struct Posting {
    /// The document's position in [`Impacts::docs`].
    doc: u32,
    /// tantivy's BM25 score of the term in the document's field.
    score: f32,
}

/// Every indexed (field, term) with its postings, over all segments.
pub(super) struct Impacts {
    /// Documents in index order (segment, then document id): the order ties are broken in.
    docs: Vec<DocAddress>,
    terms: HashMap<Field, HashMap<String, Vec<Posting>>>,
}

impl std::fmt::Debug for Impacts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Impacts")
            .field("docs", &self.docs.len())
            .field("terms", &self.terms.values().map(HashMap::len).sum::<usize>())
            .finish()
    }
}

impl Impacts {
    /// Reads every indexed text field's terms and postings (with frequencies) from `searcher`.
    pub(super) fn read(searcher: &Searcher) -> tantivy::Result<Self> {
        let mut docs = Vec::new();
        let mut first = Vec::new();
        for (seg_ord, seg) in searcher.segment_readers().iter().enumerate() {
            first.push(docs.len() as u32);
            docs.extend((0..seg.max_doc()).map(|d| DocAddress::new(seg_ord as u32, d)));
        }
        let mut terms: HashMap<Field, HashMap<String, Vec<Posting>>> = HashMap::new();
        for (field, entry) in searcher.schema().fields() {
            let with_freqs = entry.field_type().get_index_record_option().is_some_and(|o| o.has_freq());
            if !entry.is_indexed() || !with_freqs {
                continue;
            }
            let of_field = terms.entry(field).or_default();
            // A term's weight depends only on its document frequency within a field (the
            // same statistics a term query reads): one per frequency, not one per term.
            let docs_total = searcher.total_num_docs()?;
            let average = searcher.total_num_tokens(field)? as f32 / docs_total as f32;
            let mut weights: HashMap<u64, Bm25Weight> = HashMap::new();
            for (seg_ord, seg) in searcher.segment_readers().iter().enumerate() {
                let inverted = seg.inverted_index(field)?;
                let norms = seg.get_fieldnorms_reader(field)?;
                let mut stream = inverted.terms().stream()?;
                while stream.advance() {
                    let Ok(text) = std::str::from_utf8(stream.key()) else { continue };
                    let df = searcher.doc_freq(&Term::from_field_text(field, text))?;
                    let weight = weights
                        .entry(df)
                        .or_insert_with(|| Bm25Weight::for_one_term_without_explain(df, docs_total, average));
                    let term = of_field.entry(text.to_owned()).or_default();
                    let mut postings =
                        inverted.read_postings_from_terminfo(stream.value(), IndexRecordOption::WithFreqs)?;
                    let mut doc = postings.doc();
                    while doc != TERMINATED {
                        if !seg.is_deleted(doc) {
                            term.push(Posting {
                                doc: first[seg_ord] + doc,
                                score: weight.score(norms.fieldnorm_id(doc), postings.term_freq()),
                            });
                        }
                        doc = postings.advance();
                    }
                }
            }
        }
        Ok(Self { docs, terms })
    }

    /// True when `field` holds `text` (a clause on it can add something).
    #[cfg(feature = "test-support")]
    pub(super) fn holds(&self, field: Field, text: &str) -> bool {
        self.terms.get(&field).is_some_and(|t| t.contains_key(text))
    }

    /// The best `limit` documents for boosted term clauses, as tantivy's boolean query of
    /// `Should` clauses with BM25 scores summed: best first, ties in index order; only
    /// documents some clause matches.
    pub(super) fn top<'a>(
        &self,
        clauses: impl IntoIterator<Item = (Field, &'a str, f32)>,
        limit: usize,
    ) -> Vec<(f32, DocAddress)> {
        let mut scores = vec![0.0f32; self.docs.len()];
        let mut matched = vec![false; self.docs.len()];
        for (field, text, boost) in clauses {
            let Some(postings) = self.terms.get(&field).and_then(|t| t.get(text)) else { continue };
            for p in postings {
                let i = p.doc as usize;
                scores[i] += boost * p.score;
                matched[i] = true;
            }
        }
        let mut top: Vec<(f32, u32)> = (0..self.docs.len() as u32)
            .filter(|&i| matched[i as usize])
            .map(|i| (scores[i as usize], i))
            .collect();
        top.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        top.truncate(limit);
        top.into_iter().map(|(s, i)| (s, self.docs[i as usize])).collect()
    }
}
