//! Builds the parts from the configuration: content, search index, checker, store and the
//! conversation engine. The binary, the tests and the benches all assemble the same way;
//! every failure names what it was loading and where.

use std::{path::PathBuf, sync::Arc};

use thiserror::Error;

use crate::{
    bot::{Engine, Roles, RolesError},
    campaign::{ScheduleError, TipSchedule},
    check::{Blocklist, BlocklistError, CheckError, Checker},
    config::Config,
    content::{self, Content, ContentErrors},
    search::{self, SearchError, Searcher},
    store::{Store, StoreError},
};

/// What could not be assembled.
#[derive(Debug, Error)]
pub enum BuildError {
    /// The content directory has errors.
    #[error("loading content from {dir}: {source}")]
    Content {
        /// The directory.
        dir: PathBuf,
        /// Every problem found.
        source: ContentErrors,
    },
    /// The search index could not be opened or built.
    #[error("opening the index in {dir}: {source}")]
    Index {
        /// The directory.
        dir: PathBuf,
        /// The cause.
        source: SearchError,
    },
    /// A blocklist file could not be read.
    #[error(transparent)]
    Blocklist(#[from] BlocklistError),
    /// The checker's data is inconsistent.
    #[error(transparent)]
    Check(#[from] CheckError),
    /// The database could not be opened.
    #[error("opening the database in {dir}: {source}")]
    Store {
        /// The data directory.
        dir: PathBuf,
        /// The cause.
        source: StoreError,
    },
    /// `CANHGIAC_ADMINS` / `CANHGIAC_TRAINERS` is malformed.
    #[error(transparent)]
    Roles(#[from] RolesError),
    /// `CANHGIAC_TIP_SCHEDULE` is malformed.
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
}

/// Loads and validates the content directory.
pub fn content(cfg: &Config) -> Result<Arc<Content>, BuildError> {
    content::load(&cfg.content_dir)
        .map(Arc::new)
        .map_err(|source| BuildError::Content { dir: cfg.content_dir.clone(), source })
}

/// The search index for `content` (built first if missing, stale or damaged).
pub fn searcher(cfg: &Config, content: Arc<Content>) -> Result<Searcher, BuildError> {
    let index_err = |source| BuildError::Index { dir: cfg.index_dir.clone(), source };
    let index = search::open_or_build(&content, &cfg.index_dir).map_err(index_err)?;
    Searcher::new(content, index).map_err(index_err)
}

/// The host blocklists of the settings plus `extra`.
pub fn blocklist(cfg: &Config, extra: &[PathBuf]) -> Result<Blocklist, BuildError> {
    let mut blocklist = Blocklist::new();
    for path in cfg.blocklists.iter().chain(extra) {
        let n = blocklist.add_file(path)?;
        tracing::info!(path = %path.display(), hosts = n, "blocklist loaded");
    }
    Ok(blocklist)
}

/// The checker: content, blocklists from the settings plus `extra`, and (when `with_search`)
/// the search index for the closest forms.
pub fn checker(cfg: &Config, extra: &[PathBuf], with_search: bool) -> Result<Checker, BuildError> {
    let content = content(cfg)?;
    let blocklist = blocklist(cfg, extra)?;
    let searcher = if with_search { Some(Arc::new(searcher(cfg, content.clone())?)) } else { None };
    Ok(Checker::new(content, blocklist, searcher)?)
}

/// The database in the data directory.
pub fn store(cfg: &Config) -> Result<Store, BuildError> {
    Store::open(&cfg.data_dir).map_err(|source| BuildError::Store { dir: cfg.data_dir.clone(), source })
}

/// The conversation engine: content, search index, checker, store, roles and the weekly slot.
pub fn engine(cfg: &Config) -> Result<Engine, BuildError> {
    let content = content(cfg)?;
    let searcher = Arc::new(searcher(cfg, content.clone())?);
    let checker = Arc::new(Checker::new(content.clone(), blocklist(cfg, &[])?, Some(searcher.clone()))?);
    let store = Arc::new(store(cfg)?);
    let roles = Roles::new(&cfg.admins, &cfg.trainers)?;
    let schedule = TipSchedule::parse(&cfg.tip_schedule)?;
    Ok(Engine::new(content, searcher, checker, store).with_roles(roles).with_schedule(schedule))
}
