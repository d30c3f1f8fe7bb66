//! The tantivy schema and tokenizer registration.

use tantivy::{
    Index,
    schema::{Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions},
    tokenizer::TextAnalyzer,
};

use crate::text::{Analyzer, TokenizerKind, VietTokenizer};

/// Handles to every field.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub id: Field,
    /// Title and aliases: accented, folded, bigrams.
    pub title: [Field; 3],
    /// Keywords.
    pub keywords: [Field; 3],
    /// Summary, signs, advice, examples, topic items.
    pub body: [Field; 3],
    /// Quiz questions and tips about the entry (folded and bigrams only).
    pub extra: [Field; 2],
}

const KINDS: [TokenizerKind; 3] = [TokenizerKind::Exact, TokenizerKind::Folded, TokenizerKind::Bigram];

fn text(kind: TokenizerKind) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(kind.name())
            .set_index_option(IndexRecordOption::WithFreqs),
    )
}

impl Fields {
    /// Builds the schema and its field handles.
    #[must_use]
    pub fn schema() -> (Schema, Self) {
        let mut b = Schema::builder();
        let id = b.add_text_field("id", STRING | STORED);
        let mut three = |name: &str| -> [Field; 3] {
            let suffix = ["x", "f", "b"];
            let mut out = [id; 3];
            for (i, kind) in KINDS.into_iter().enumerate() {
                out[i] = b.add_text_field(&format!("{name}_{}", suffix[i]), text(kind));
            }
            out
        };
        let title = three("title");
        let keywords = three("kw");
        let body = three("body");
        let extra = [
            b.add_text_field("extra_f", text(TokenizerKind::Folded)),
            b.add_text_field("extra_b", text(TokenizerKind::Bigram)),
        ];
        (b.build(), Self { id, title, keywords, body, extra })
    }

    /// Field handles of an existing index (fails if the schema differs).
    pub fn from_index(index: &Index) -> tantivy::Result<Self> {
        let s = index.schema();
        let f = |n: &str| s.get_field(n);
        Ok(Self {
            id: f("id")?,
            title: [f("title_x")?, f("title_f")?, f("title_b")?],
            keywords: [f("kw_x")?, f("kw_f")?, f("kw_b")?],
            body: [f("body_x")?, f("body_f")?, f("body_b")?],
            extra: [f("extra_f")?, f("extra_b")?],
        })
    }
}

/// Registers the Vietnamese tokenizers on an index.
pub fn register_tokenizers(index: &Index, analyzer: &Analyzer) {
    for kind in KINDS {
        index
            .tokenizers()
            .register(kind.name(), TextAnalyzer::builder(VietTokenizer::new(analyzer.clone(), kind)).build());
    }
}
