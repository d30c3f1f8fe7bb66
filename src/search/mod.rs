//! Handbook search: the tantivy schema, index build and open, and question → ranked answers.
//!
//! Every entry (topic, group, form) is one document with accented, folded and bigram fields.
//! A question is analysed with the same analyzer; accented matches and bigram (phrase) matches
//! rank above scattered folded words. A confidence in 0..1 decides whether the best entry is
//! presented as the answer or the engine honestly says it has none.

mod answer;
mod doc;
mod engine;
mod impacts;
mod index;
mod schema;

pub use answer::{Alternative, Answer, Outcome, no_match_text, render_entry};
pub use engine::{Searcher, Tuning};
pub use index::{INDEX_FORMAT, SearchError, SearchIndex, build_index, index_key, open_or_build};
