//! Building the index into `index/` and opening it, rebuilding when the content changed.
//!
//! The index directory holds one `v-<key>` folder per built version and a `CURRENT` file naming
//! the one in use together with its full key: the SHA-256 of the content plus the index format.
//! A build writes into a temporary folder and publishes it with renames, so a concurrent reader
//! never sees half an index.

use std::{
    fs,
    io::Write,
    path::{Path, PathBuf},
    time::{SystemTime, UNIX_EPOCH},
};

use tantivy::{Index, IndexReader, ReloadPolicy, TantivyDocument};
use thiserror::Error;
use tracing::{info, info_span, warn};

use super::{
    doc::entry_texts,
    schema::{Fields, register_tokenizers},
};
use crate::{content::Content, text::Analyzer};

/// Bumped whenever the schema or the analyzer changes, so old indexes are rebuilt.
pub const INDEX_FORMAT: &str = "canhgiac-index-v1";

/// Index failures.
#[derive(Debug, Error)]
pub enum SearchError {
    /// Filesystem trouble in the index directory.
    #[error("index directory {}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// tantivy failed.
    #[error("search index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    /// Files of the index fail their checksum.
    #[error("search index damaged: {0}")]
    Damaged(String),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SearchError + '_ {
    move |source| SearchError::Io { path: path.to_path_buf(), source }
}

/// The key an index must carry to match this content.
#[must_use]
pub fn index_key(content: &Content) -> String {
    format!("{INDEX_FORMAT}:{}", content.hash)
}

/// An open index.
#[derive(Clone)]
pub struct SearchIndex {
    pub(crate) reader: IndexReader,
    pub(crate) fields: Fields,
    /// The key it was built for.
    pub key: String,
    /// Whether this open had to build it.
    pub built: bool,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex").field("key", &self.key).field("built", &self.built).finish()
    }
}

fn current(dir: &Path) -> Option<(String, String)> {
    let text = fs::read_to_string(dir.join("CURRENT")).ok()?;
    let mut lines = text.lines();
    Some((lines.next()?.to_owned(), lines.next()?.to_owned()))
}

fn short(key: &str) -> String {
    let hash = key.rsplit(':').next().unwrap_or(key);
    let version = key.split(':').next().unwrap_or("").rsplit('-').next().unwrap_or("");
    format!("v-{version}-{}", &hash[..hash.len().min(16)])
}

/// Builds the index for `content` into `dir` (always, even if an up-to-date one exists).
pub fn build_index(content: &Content, dir: &Path) -> Result<PathBuf, SearchError> {
    let _span =
        info_span!("build_index", dir = %dir.display(), entries = content.entries().count()).entered();
    fs::create_dir_all(dir).map_err(io(dir))?;
    let key = index_key(content);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let tmp = dir.join(format!(".build-{}-{nanos}", std::process::id()));
    fs::create_dir_all(&tmp).map_err(io(&tmp))?;
    let result = write_index(content, &tmp);
    if let Err(e) = result {
        let _ = fs::remove_dir_all(&tmp);
        return Err(e);
    }
    let name = short(&key);
    let target = dir.join(&name);
    if target.exists() {
        fs::remove_dir_all(&target).map_err(io(&target))?;
    }
    fs::rename(&tmp, &target).map_err(io(&target))?;
    let pointer_tmp = dir.join(format!(".CURRENT-{}-{nanos}", std::process::id()));
    {
        let mut f = fs::File::create(&pointer_tmp).map_err(io(&pointer_tmp))?;
        writeln!(f, "{name}\n{key}").map_err(io(&pointer_tmp))?;
        f.sync_all().map_err(io(&pointer_tmp))?;
    }
    fs::rename(&pointer_tmp, dir.join("CURRENT")).map_err(io(dir))?;
    // Remove older versions; a reader that still maps them keeps working on Unix.
    if let Ok(rd) = fs::read_dir(dir) {
        for e in rd.filter_map(Result::ok) {
            let n = e.file_name().to_string_lossy().into_owned();
            if n.starts_with("v-") && n != name {
                let _ = fs::remove_dir_all(e.path());
            }
        }
    }
    info!(version = %name, "search index built");
    Ok(target)
}

fn write_index(content: &Content, path: &Path) -> Result<(), SearchError> {
    let (schema, fields) = Fields::schema();
    let index = Index::create_in_dir(path, schema)?;
    register_tokenizers(&index, &Analyzer::new(content.lexicon.clone()));
    let mut writer = index.writer_with_num_threads::<TantivyDocument>(1, 15_000_000)?;
    for t in entry_texts(content) {
        let mut doc = TantivyDocument::default();
        doc.add_text(fields.id, &t.id);
        for (values, f) in [(&t.title, fields.title), (&t.keywords, fields.keywords), (&t.body, fields.body)]
        {
            for v in values {
                for field in f {
                    doc.add_text(field, v);
                }
            }
        }
        for v in &t.extra {
            for field in fields.extra {
                doc.add_text(field, v);
            }
        }
        writer.add_document(doc)?;
    }
    writer.commit()?;
    writer.wait_merging_threads()?;
    Ok(())
}

fn open_dir(content: &Content, path: &Path, key: String, built: bool) -> Result<SearchIndex, SearchError> {
    let index = Index::open_in_dir(path)?;
    if !built {
        // A damaged file would only fail later, at the first question: check every file's
        // checksum now so a damaged index is rebuilt instead.
        let damaged = index.validate_checksum()?;
        if !damaged.is_empty() {
            let files: Vec<String> = damaged.iter().map(|p| p.display().to_string()).collect();
            return Err(SearchError::Damaged(files.join(", ")));
        }
    }
    register_tokenizers(&index, &Analyzer::new(content.lexicon.clone()));
    let fields = Fields::from_index(&index)?;
    let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
    Ok(SearchIndex { reader, fields, key, built })
}

/// Opens the index in `dir`, building it first when it is missing, unreadable or was built for
/// other content (its recorded key differs).
pub fn open_or_build(content: &Content, dir: &Path) -> Result<SearchIndex, SearchError> {
    let key = index_key(content);
    if let Some((name, recorded)) = current(dir) {
        if recorded == key {
            match open_dir(content, &dir.join(&name), key.clone(), false) {
                Ok(ix) => return Ok(ix),
                Err(e) => warn!(error = %e, "search index damaged or unreadable; rebuilding it"),
            }
        } else {
            info!("content changed since the index was built, rebuilding");
        }
    } else {
        info!(dir = %dir.display(), "no index yet, building");
    }
    let path = build_index(content, dir)?;
    open_dir(content, &path, key, true)
}
