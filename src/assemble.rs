//! Builds the parts from the configuration: content, search index, checker, store and the
//! conversation engine. The binary, the tests and the benches all assemble the same way;
//! every failure names what it was loading and where.

use crate::reports::MemoryRegister;
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
    /// The cards' theme or logo is unusable.
    #[error(transparent)]
    Cards(#[from] crate::cards::CardError),
}

/// Where the content is: `CANHGIAC_CONTENT_DIR` when set (or `./content` when it exists), else
/// a `content` directory installed next to the binary, else the content compiled into the
/// binary (written out under the data directory). So the binary runs from any directory.
pub fn content_dir(cfg: &Config) -> PathBuf {
    let default = Config::default().content_dir;
    if cfg.content_dir != default || cfg.content_dir.is_dir() {
        return cfg.content_dir.clone();
    }
    let beside = std::env::current_exe().ok().and_then(|exe| exe.parent().map(|d| d.join("content")));
    if let Some(dir) = beside.filter(|d| d.is_dir()) {
        return dir;
    }
    match content::embedded::extract(&cfg.data_dir) {
        Ok(dir) => {
            tracing::info!(dir = %dir.display(), "no content directory found; using the content compiled into the binary");
            dir
        }
        Err(e) => {
            tracing::warn!(error = %e, "could not write the compiled-in content under the data directory");
            cfg.content_dir.clone()
        }
    }
}

/// Where the search index goes: `CANHGIAC_INDEX_DIR` when set, `./index` when the content is in
/// `./content` (a checkout), else under the data directory (never the working directory of a
/// service started elsewhere).
pub fn index_dir(cfg: &Config) -> PathBuf {
    let defaults = Config::default();
    if cfg.index_dir != defaults.index_dir || defaults.content_dir.is_dir() {
        cfg.index_dir.clone()
    } else {
        cfg.data_dir.join("index")
    }
}

/// Loads and validates the content (see [`content_dir`] for where it is found).
pub fn content(cfg: &Config) -> Result<Arc<Content>, BuildError> {
    let dir = content_dir(cfg);
    content::load(&dir).map(Arc::new).map_err(|source| BuildError::Content { dir, source })
}

/// The search index for `content` (built first if missing, stale or damaged).
pub fn searcher(cfg: &Config, content: Arc<Content>) -> Result<Searcher, BuildError> {
    let dir = index_dir(cfg);
    let index_err = |source| BuildError::Index { dir: dir.clone(), source };
    let index = search::open_or_build(&content, &dir).map_err(index_err)?;
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

/// The checker: content, blocklists from the settings plus `extra`, (when `with_search`) the
/// search index for the closest forms, and the register of reported entities when the data
/// directory holds a database (it is read, never created, here).
pub fn checker(cfg: &Config, extra: &[PathBuf], with_search: bool) -> Result<Checker, BuildError> {
    let content = content(cfg)?;
    let blocklist = blocklist(cfg, extra)?;
    let searcher = if with_search { Some(Arc::new(searcher(cfg, content.clone())?)) } else { None };
    let checker = Checker::new(content, blocklist, searcher)?;
    let has_db = cfg.data_dir.join("canhgiac.sqlite3").exists();
    if !has_db && cfg.lists.is_empty() {
        return Ok(checker);
    }
    let register = if has_db {
        MemoryRegister::load(&store(cfg)?)
            .map_err(|source| BuildError::Store { dir: cfg.data_dir.clone(), source })?
    } else {
        MemoryRegister::default()
    };
    register.set_listed(imported_lists(cfg).entries());
    Ok(checker.with_register(Arc::new(register)))
}

/// The imported scam lists of the settings (their stored copies are read, nothing fetched).
#[must_use]
pub fn imported_lists(cfg: &Config) -> crate::reports::lists::Lists {
    let sources = crate::reports::lists::parse_sources(&cfg.lists.join(",")).unwrap_or_default();
    crate::reports::lists::Lists::new(sources, &cfg.data_dir)
}

/// The database in the data directory.
pub fn store(cfg: &Config) -> Result<Store, BuildError> {
    Store::open(&cfg.data_dir).map_err(|source| BuildError::Store { dir: cfg.data_dir.clone(), source })
}

/// The cards' branding: the department's name, logo and colours from the settings (the bot's
/// handle is added once Telegram is connected).
pub fn branding(cfg: &Config) -> Result<crate::cards::Branding, BuildError> {
    Ok(crate::cards::Branding {
        org: cfg.org_name.clone(),
        logo: cfg.card_logo.as_deref().map(crate::cards::Logo::load).transpose()?,
        theme: crate::cards::Theme::parse(&cfg.card_theme)?,
        handle: None,
    })
}

/// The card renderer for `content`, cached under `<data>/cards`.
pub fn cards(cfg: &Config, content: Arc<Content>) -> Result<crate::cards::Cards, BuildError> {
    Ok(crate::cards::Cards::new(content, branding(cfg)?, Some(cfg.data_dir.join("cards"))))
}

/// The image reader: OCR with Tesseract when installed, QR codes always.
#[must_use]
pub fn vision(cfg: &Config) -> crate::vision::Vision {
    crate::vision::Vision::new(crate::vision::VisionSettings {
        program: cfg.tesseract.clone(),
        workers: cfg.ocr_workers,
        ..crate::vision::VisionSettings::default()
    })
}

/// The conversation engine: content, search index, checker, store, roles, the weekly slot and
/// the privacy notice.
pub fn engine(cfg: &Config) -> Result<Engine, BuildError> {
    let content = content(cfg)?;
    let searcher = Arc::new(searcher(cfg, content.clone())?);
    let store = Arc::new(store(cfg)?);
    let started = std::time::Instant::now();
    let register = Arc::new(
        MemoryRegister::load(&store)
            .map_err(|source| BuildError::Store { dir: cfg.data_dir.clone(), source })?,
    );
    tracing::info!(
        entities = register.len(),
        ms = started.elapsed().as_millis(),
        "register of reported entities loaded"
    );
    let checker = Arc::new(
        Checker::new(content.clone(), blocklist(cfg, &[])?, Some(searcher.clone()))?
            .with_register(register.clone()),
    );
    let roles = Roles::new(&cfg.admins, &cfg.trainers)?;
    let schedule = TipSchedule::parse(&cfg.tip_schedule)?;
    let notice = crate::bot::Notice::new(cfg.retention, cfg.org_name.clone(), cfg.privacy_contact.clone());
    let cards = if cfg.cards { Some(Arc::new(cards(cfg, content.clone())?)) } else { None };
    Ok(Engine::new(content, searcher, checker, store)
        .with_cards(cards)
        .with_vision(Some(Arc::new(vision(cfg))))
        .with_public_url(cfg.public_url.clone())
        .with_console(console_url(cfg))
        .with_roles(roles)
        .with_schedule(schedule)
        .with_notice(notice)
        .with_register(register))
}

/// The web console's public address (`<CANHGIAC_PUBLIC_URL>/quan-tri`), when the web pages
/// are on and the public address is known.
#[must_use]
pub fn console_url(cfg: &Config) -> Option<String> {
    let public = cfg.public_url.as_deref().filter(|_| cfg.web)?;
    Some(format!("{}/quan-tri", public.trim_end_matches('/')))
}

/// What is wrong with the settings, in Vietnamese for the operator (`canhgiac doctor`): each
/// problem names the setting and what to do. Empty when everything can be used.
#[must_use]
pub fn config_problems(cfg: &Config) -> Vec<String> {
    let mut out = Vec::new();
    let token_ok = |t: &str| {
        let (id, rest) = t.split_once(':').unwrap_or(("", ""));
        !id.is_empty()
            && id.bytes().all(|b| b.is_ascii_digit())
            && rest.len() >= 30
            && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    };
    if let Some(t) = &cfg.telegram_bot_token
        && !token_ok(t.expose())
    {
        out.push(
            "TELEGRAM_BOT_TOKEN không đúng dạng mã của @BotFather (số:chuỗi ký tự); hãy sao chép lại.".into(),
        );
    }
    if let Some(u) = &cfg.public_url {
        match reqwest::Url::parse(u) {
            Ok(url) if url.scheme() == "https" => {}
            Ok(_) => out.push(format!(
                "CANHGIAC_PUBLIC_URL \"{u}\" phải là địa chỉ https: Telegram và Zalo chỉ gửi webhook qua HTTPS."
            )),
            Err(_) => out.push(format!("CANHGIAC_PUBLIC_URL \"{u}\" không phải là một địa chỉ web hợp lệ.")),
        }
    }
    if let Some(s) = &cfg.telegram_webhook_secret {
        let s = s.expose();
        if s.len() < 16
            || s.len() > 256
            || !s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            out.push(
                "CANHGIAC_TELEGRAM_WEBHOOK_SECRET phải dài 16–256 ký tự, chỉ gồm chữ, số, \"_\" và \"-\" (hoặc bỏ trống để bot tự tạo)."
                    .into(),
            );
        }
    }
    let zalo = [cfg.zalo_app_id.is_some(), cfg.zalo_app_secret.is_some(), cfg.zalo_oa_secret_key.is_some()];
    if zalo.iter().any(|x| *x) && !zalo.iter().all(|x| *x) {
        out.push(
            "Zalo chỉ bật khi có đủ ZALO_APP_ID, ZALO_APP_SECRET và ZALO_OA_SECRET_KEY; hiện còn thiếu."
                .into(),
        );
    }
    if zalo.iter().all(|x| *x) && (cfg.zalo_access_token.is_none() || cfg.zalo_refresh_token.is_none()) {
        out.push(
            "Zalo cần ZALO_ACCESS_TOKEN và ZALO_REFRESH_TOKEN lần chạy đầu (lấy ở API Explorer của Zalo); sau đó bot tự làm mới."
                .into(),
        );
    }
    if let Err(e) = Roles::new(&cfg.admins, &cfg.trainers) {
        out.push(format!("{e} (dạng đúng: telegram:123456789 hoặc zalo:84123456789)."));
    }
    if TipSchedule::parse(&cfg.tip_schedule).is_err() {
        out.push(format!(
            "CANHGIAC_TIP_SCHEDULE \"{}\" không đúng dạng, ví dụ: MON 08:00 hoặc T2 08:00.",
            cfg.tip_schedule
        ));
    }
    if let Some(logo) = &cfg.card_logo
        && let Err(e) = crate::cards::Logo::load(logo)
    {
        out.push(format!(
            "CANHGIAC_CARD_LOGO: {e}. Hãy dùng tệp PNG nhỏ hơn 2 MB, mỗi chiều không quá 4096 điểm ảnh."
        ));
    }
    if let Some(problem) = unwritable(&cfg.data_dir) {
        out.push(problem);
    }
    out
}

/// Why the data directory cannot be written, if it cannot.
fn unwritable(dir: &std::path::Path) -> Option<String> {
    // The nearest directory that exists must take a new file.
    let existing = dir.ancestors().find(|d| d.is_dir())?;
    let probe = existing.join(format!(".canhgiac-write-test-{}", std::process::id()));
    match std::fs::write(&probe, b"") {
        Ok(()) => {
            let _ = std::fs::remove_file(&probe);
            None
        }
        Err(e) => Some(format!(
            "Không ghi được vào thư mục dữ liệu {} ({e}): cấp quyền ghi cho tài khoản chạy bot hoặc đặt CANHGIAC_DATA_DIR khác.",
            dir.display()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;

    #[test]
    fn settings_problems_are_named() {
        let mut cfg = Config::load_with(None, |_| None).expect("config");
        cfg.data_dir = std::env::temp_dir().join("canhgiac-doctor-test");
        assert!(config_problems(&cfg).is_empty(), "{:?}", config_problems(&cfg));
        cfg.telegram_bot_token = Some(Secret::new("123456:ABCdefGHIjklMNOpqrSTUvwxYZ0123456789"));
        cfg.public_url = Some("https://bot.so.gov.vn".into());
        assert!(config_problems(&cfg).is_empty(), "{:?}", config_problems(&cfg));
        cfg.telegram_bot_token = Some(Secret::new("not-a-token"));
        cfg.public_url = Some("http://bot.so.gov.vn".into());
        cfg.telegram_webhook_secret = Some(Secret::new("short"));
        cfg.zalo_app_id = Some("123".into());
        cfg.admins = vec!["viber:1".into()];
        cfg.tip_schedule = "someday".into();
        let p = config_problems(&cfg).join("\n");
        for needle in [
            "TELEGRAM_BOT_TOKEN",
            "phải là địa chỉ https",
            "CANHGIAC_TELEGRAM_WEBHOOK_SECRET",
            "ZALO_OA_SECRET_KEY",
            "CANHGIAC_ADMINS",
            "CANHGIAC_TIP_SCHEDULE",
        ] {
            assert!(p.contains(needle), "{needle} missing in:\n{p}");
        }
    }
}
