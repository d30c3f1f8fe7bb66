//! Settings: defaults, then an optional YAML file (`canhgiac.yaml` or `--config FILE`), then
//! `CANHGIAC_*` (and platform token) environment variables, which win. Secrets are redacted in
//! `Debug` output so that a logged configuration never leaks a token.

use std::{
    fmt,
    path::{Path, PathBuf},
};

/// A setting that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The configuration file could not be read.
    #[error("cannot read the configuration file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The configuration file is not valid YAML for these settings.
    #[error("invalid configuration file {path}: {source}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The cause (names the field and line).
        source: serde_yaml::Error,
    },
    /// An environment variable has an unusable value.
    #[error("{0}")]
    Value(String),
}

type Result<T> = std::result::Result<T, ConfigError>;
use serde::Deserialize;

/// A secret string that never prints.
#[derive(Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    #[must_use]
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    /// The secret value, for the one place that must send it.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// All settings. Field names match the lowercase environment names without the prefix.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// CANHGIAC_CONTENT_DIR: the YAML content.
    pub content_dir: PathBuf,
    /// CANHGIAC_INDEX_DIR: the tantivy index.
    pub index_dir: PathBuf,
    /// CANHGIAC_DATA_DIR: SQLite database and other state.
    pub data_dir: PathBuf,
    /// CANHGIAC_LISTEN: the HTTP server's address.
    pub listen: String,
    /// CANHGIAC_PUBLIC_URL: public https base URL (Telegram webhook mode when set).
    pub public_url: Option<String>,
    /// TELEGRAM_BOT_TOKEN.
    pub telegram_bot_token: Option<Secret>,
    /// CANHGIAC_TELEGRAM_API_URL.
    pub telegram_api_url: String,
    /// CANHGIAC_TELEGRAM_WEBHOOK_SECRET.
    pub telegram_webhook_secret: Option<Secret>,
    /// ZALO_APP_ID.
    pub zalo_app_id: Option<String>,
    /// ZALO_APP_SECRET.
    pub zalo_app_secret: Option<Secret>,
    /// ZALO_OA_SECRET_KEY.
    pub zalo_oa_secret_key: Option<Secret>,
    /// ZALO_ACCESS_TOKEN.
    pub zalo_access_token: Option<Secret>,
    /// ZALO_REFRESH_TOKEN.
    pub zalo_refresh_token: Option<Secret>,
    /// CANHGIAC_ZALO_API_URL.
    pub zalo_api_url: String,
    /// CANHGIAC_ZALO_OAUTH_URL.
    pub zalo_oauth_url: String,
    /// CANHGIAC_ADMINS: `telegram:ID` / `zalo:ID`.
    pub admins: Vec<String>,
    /// CANHGIAC_TRAINERS.
    pub trainers: Vec<String>,
    /// CANHGIAC_TIP_SCHEDULE: weekly tip slot in Asia/Ho_Chi_Minh, e.g. `MON 08:00`.
    pub tip_schedule: String,
    /// CANHGIAC_BLOCKLISTS: host lists for the scam checker (comma-separated paths).
    pub blocklists: Vec<PathBuf>,
    /// CANHGIAC_BROADCAST_RATE: broadcast messages per second on Telegram (Telegram allows
    /// about 30; the default leaves room for replies to users during a broadcast).
    pub broadcast_rate: u32,
    /// CANHGIAC_ZALO_DAILY_CAP: Zalo promotion messages per day for the OA (500 for OAs with
    /// up to 10,000 followers, 5% of followers above that).
    pub zalo_daily_cap: i64,
    /// CANHGIAC_METRICS_LISTEN: serve `/metrics` on this (private) address instead of the
    /// public listener.
    pub metrics_listen: Option<String>,
    /// CANHGIAC_LOG_FORMAT: `text` (plain, coloured only on a terminal) or `json` (one object
    /// a line).
    pub log_format: LogFormat,
    /// CANHGIAC_RETENTION_*_DAYS (file: `retention:` with the same names in lowercase, without
    /// the prefix): how long each kind of personal data is kept.
    pub retention: crate::model::retention::Retention,
    /// CANHGIAC_ORG_NAME: the unit that runs the bot and is responsible for the data (the
    /// privacy notice names it).
    pub org_name: Option<String>,
    /// CANHGIAC_PRIVACY_CONTACT: where users reach that unit about their data (an e-mail
    /// address or a phone number).
    pub privacy_contact: Option<String>,
    /// CANHGIAC_LISTS: imported scam lists, comma-separated `hosts:URL_OR_FILE` and
    /// `numbers:URL_OR_FILE` (see `reports::lists`).
    pub lists: Vec<String>,
    /// CANHGIAC_LISTS_REFRESH_HOURS: how often `serve` fetches the URL lists again.
    pub lists_refresh_hours: u32,
    /// CANHGIAC_CARD_THEME: the cards' colours, a theme name (`xanh`, `do`, `xanh-la`, `tim`)
    /// or `#RRGGBB[,#RRGGBB]`.
    pub card_theme: String,
    /// CANHGIAC_CARD_LOGO: a PNG logo drawn in the cards' header.
    pub card_logo: Option<PathBuf>,
    /// CANHGIAC_CARDS: send the weekly tip as a card image (default on).
    pub cards: bool,
    /// CANHGIAC_TESSERACT: the OCR program (default `tesseract` on the path).
    pub tesseract: Option<PathBuf>,
    /// CANHGIAC_OCR_WORKERS: images read at once (default 2).
    pub ocr_workers: usize,
    /// CANHGIAC_WEB: the public pages (`/`, `/kiem-tra`, `/hoi`, `/nhung/kiem-tra`), default on.
    pub web: bool,
    /// CANHGIAC_EMBED_ORIGINS: sites allowed to frame `/nhung/kiem-tra` (`https://host`, comma-separated).
    pub embed_origins: Vec<String>,
    /// CANHGIAC_ZALO_OA_URL: the Zalo OA's public link, shown on the home page.
    pub zalo_oa_url: Option<String>,
}

/// How logs are written (to stderr).
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line (for log collectors).
    Json,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            content_dir: PathBuf::from("./content"),
            index_dir: PathBuf::from("./index"),
            data_dir: PathBuf::from("./data"),
            listen: "127.0.0.1:8080".into(),
            public_url: None,
            telegram_bot_token: None,
            telegram_api_url: "https://api.telegram.org".into(),
            telegram_webhook_secret: None,
            zalo_app_id: None,
            zalo_app_secret: None,
            zalo_oa_secret_key: None,
            zalo_access_token: None,
            zalo_refresh_token: None,
            zalo_api_url: "https://openapi.zalo.me".into(),
            zalo_oauth_url: "https://oauth.zaloapp.com".into(),
            admins: Vec::new(),
            trainers: Vec::new(),
            tip_schedule: "MON 08:00".into(),
            blocklists: Vec::new(),
            broadcast_rate: 28,
            zalo_daily_cap: 500,
            metrics_listen: None,
            log_format: LogFormat::Text,
            retention: crate::model::retention::Retention::default(),
            org_name: None,
            privacy_contact: None,
            lists: Vec::new(),
            lists_refresh_hours: 6,
            card_theme: "xanh".into(),
            card_logo: None,
            cards: true,
            tesseract: None,
            ocr_workers: 2,
            web: true,
            embed_origins: Vec::new(),
            zalo_oa_url: None,
        }
    }
}

/// An on/off setting (`on`, `off`, `true`, `1`, `bật`…); the error names the variable and
/// what it decides.
fn switch(name: &str, v: &str, what: &str) -> Result<bool> {
    let folded = crate::text::fold(v.trim()).to_ascii_lowercase();
    match folded.as_str() {
        "1" | "true" | "on" | "yes" | "bat" => Ok(true),
        "0" | "false" | "off" | "no" | "tat" => Ok(false),
        _ => Err(ConfigError::Value(format!("{name} \"{v}\" phải là on hoặc off ({what})"))),
    }
}

fn list(s: &str) -> Vec<String> {
    s.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

impl Config {
    /// Loads settings: the file named by `file`, else `./canhgiac.yaml` if present, then the
    /// process environment.
    pub fn load(file: Option<&Path>) -> Result<Self> {
        Self::load_with(file, |k| std::env::var(k).ok())
    }

    /// Like [`Config::load`] with an explicit environment (for tests).
    pub fn load_with(file: Option<&Path>, env: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let default_file = Path::new("canhgiac.yaml");
        let mut cfg = match file {
            Some(f) => Self::from_file(f)?,
            None if default_file.exists() => Self::from_file(default_file)?,
            None => Self::default(),
        };
        let get = |k: &str| env(k).filter(|v| !v.trim().is_empty());
        if let Some(v) = get("CANHGIAC_CONTENT_DIR") {
            cfg.content_dir = v.into();
        }
        if let Some(v) = get("CANHGIAC_INDEX_DIR") {
            cfg.index_dir = v.into();
        }
        if let Some(v) = get("CANHGIAC_DATA_DIR") {
            cfg.data_dir = v.into();
        }
        if let Some(v) = get("CANHGIAC_LISTEN") {
            cfg.listen = v;
        }
        if let Some(v) = get("CANHGIAC_PUBLIC_URL") {
            cfg.public_url = Some(v);
        }
        if let Some(v) = get("TELEGRAM_BOT_TOKEN") {
            cfg.telegram_bot_token = Some(Secret(v));
        }
        if let Some(v) = get("CANHGIAC_TELEGRAM_API_URL") {
            cfg.telegram_api_url = v;
        }
        if let Some(v) = get("CANHGIAC_TELEGRAM_WEBHOOK_SECRET") {
            cfg.telegram_webhook_secret = Some(Secret(v));
        }
        if let Some(v) = get("ZALO_APP_ID") {
            cfg.zalo_app_id = Some(v);
        }
        if let Some(v) = get("ZALO_APP_SECRET") {
            cfg.zalo_app_secret = Some(Secret(v));
        }
        if let Some(v) = get("ZALO_OA_SECRET_KEY") {
            cfg.zalo_oa_secret_key = Some(Secret(v));
        }
        if let Some(v) = get("ZALO_ACCESS_TOKEN") {
            cfg.zalo_access_token = Some(Secret(v));
        }
        if let Some(v) = get("ZALO_REFRESH_TOKEN") {
            cfg.zalo_refresh_token = Some(Secret(v));
        }
        if let Some(v) = get("CANHGIAC_ZALO_API_URL") {
            cfg.zalo_api_url = v;
        }
        if let Some(v) = get("CANHGIAC_ZALO_OAUTH_URL") {
            cfg.zalo_oauth_url = v;
        }
        if let Some(v) = get("CANHGIAC_ADMINS") {
            cfg.admins = list(&v);
        }
        if let Some(v) = get("CANHGIAC_TRAINERS") {
            cfg.trainers = list(&v);
        }
        if let Some(v) = get("CANHGIAC_TIP_SCHEDULE") {
            cfg.tip_schedule = v;
        }
        if let Some(v) = get("CANHGIAC_BLOCKLISTS") {
            cfg.blocklists = list(&v).into_iter().map(PathBuf::from).collect();
        }
        if let Some(v) = get("CANHGIAC_BROADCAST_RATE") {
            cfg.broadcast_rate =
                v.trim().parse().ok().filter(|n| (1..=1000).contains(n)).ok_or_else(|| {
                    ConfigError::Value(format!(
                        "CANHGIAC_BROADCAST_RATE \"{v}\" is not a number of messages per second (1–1000)"
                    ))
                })?;
        }
        if let Some(v) = get("CANHGIAC_METRICS_LISTEN") {
            cfg.metrics_listen = Some(v);
        }
        if let Some(v) = get("CANHGIAC_LOG_FORMAT") {
            cfg.log_format = match v.trim().to_ascii_lowercase().as_str() {
                "text" => LogFormat::Text,
                "json" => LogFormat::Json,
                _ => {
                    return Err(ConfigError::Value(format!(
                        "CANHGIAC_LOG_FORMAT \"{v}\" is neither text nor json"
                    )));
                }
            };
        }
        if let Some(v) = get("CANHGIAC_ZALO_DAILY_CAP") {
            cfg.zalo_daily_cap = v.trim().parse().ok().filter(|n| *n >= 0).ok_or_else(|| {
                ConfigError::Value(format!("CANHGIAC_ZALO_DAILY_CAP \"{v}\" is not a number of messages"))
            })?;
        }
        if let Some(v) = get("CANHGIAC_ORG_NAME") {
            cfg.org_name = Some(v.trim().to_owned());
        }
        if let Some(v) = get("CANHGIAC_PRIVACY_CONTACT") {
            cfg.privacy_contact = Some(v.trim().to_owned());
        }
        if let Some(v) = get("CANHGIAC_CARD_THEME") {
            cfg.card_theme = v.trim().to_owned();
        }
        crate::cards::Theme::parse(&cfg.card_theme).map_err(|e| ConfigError::Value(e.to_string()))?;
        if let Some(v) = get("CANHGIAC_CARD_LOGO") {
            cfg.card_logo = Some(v.trim().into());
        }
        if let Some(v) = get("CANHGIAC_CARDS") {
            cfg.cards = switch("CANHGIAC_CARDS", &v, "gửi mẹo tuần kèm ảnh thẻ hay không")?;
        }
        if let Some(v) = get("CANHGIAC_WEB") {
            cfg.web = switch("CANHGIAC_WEB", &v, "bật hay tắt trang web công khai")?;
        }
        if let Some(v) = get("CANHGIAC_EMBED_ORIGINS") {
            cfg.embed_origins = list(&v);
        }
        cfg.embed_origins = crate::web::parse_origins(&cfg.embed_origins.join(","))
            .map_err(|e| ConfigError::Value(format!("CANHGIAC_EMBED_ORIGINS: {e}")))?;
        if let Some(v) = get("CANHGIAC_ZALO_OA_URL") {
            cfg.zalo_oa_url = Some(v.trim().to_owned());
        }
        if let Some(u) = &cfg.zalo_oa_url
            && !reqwest::Url::parse(u).is_ok_and(|url| url.scheme() == "https")
        {
            return Err(ConfigError::Value(format!(
                "CANHGIAC_ZALO_OA_URL \"{u}\" phải là địa chỉ https, ví dụ https://zalo.me/1234567890"
            )));
        }
        if let Some(v) = get("CANHGIAC_TESSERACT") {
            cfg.tesseract = Some(v.trim().into());
        }
        if let Some(v) = get("CANHGIAC_OCR_WORKERS") {
            cfg.ocr_workers = v.trim().parse().ok().filter(|n| (1..=16).contains(n)).ok_or_else(|| {
                ConfigError::Value(format!("CANHGIAC_OCR_WORKERS \"{v}\" phải là số từ 1 đến 16"))
            })?;
        }
        if let Some(v) = get("CANHGIAC_LISTS") {
            cfg.lists = list(&v);
        }
        crate::reports::lists::parse_sources(&cfg.lists.join(",")).map_err(ConfigError::Value)?;
        if let Some(v) = get("CANHGIAC_LISTS_REFRESH_HOURS") {
            cfg.lists_refresh_hours =
                v.trim().parse().ok().filter(|h| (1..=720).contains(h)).ok_or_else(|| {
                    ConfigError::Value(format!(
                        "CANHGIAC_LISTS_REFRESH_HOURS \"{v}\" phải là số giờ từ 1 đến 720"
                    ))
                })?;
        }
        if !(1..=16).contains(&cfg.ocr_workers) {
            return Err(ConfigError::Value(format!(
                "ocr_workers = {}: phải là số từ 1 đến 16 (số ảnh đọc cùng lúc)",
                cfg.ocr_workers
            )));
        }
        if !(1..=720).contains(&cfg.lists_refresh_hours) {
            return Err(ConfigError::Value(format!(
                "lists_refresh_hours = {}: phải là số giờ từ 1 đến 720",
                cfg.lists_refresh_hours
            )));
        }
        for rule in crate::model::retention::RULES {
            if let Some(v) = get(rule.env) {
                let days = v
                    .trim()
                    .parse()
                    .map_err(|_| ConfigError::Value(format!("{} \"{v}\" không phải là số ngày", rule.env)))?;
                cfg.retention.set(rule.kind, days).map_err(ConfigError::Value)?;
            }
        }
        cfg.retention.validate().map_err(ConfigError::Value)?;
        Ok(cfg)
    }

    fn from_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| ConfigError::Read { path: path.to_path_buf(), source })?;
        if text.trim().is_empty() {
            return Ok(Self::default());
        }
        serde_yaml::from_str(&text).map_err(|source| ConfigError::Parse { path: path.to_path_buf(), source })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    #[test]
    fn defaults_need_no_settings() {
        let c = Config::load_with(None, |_| None).expect("defaults");
        assert_eq!(c.content_dir, PathBuf::from("./content"));
        assert_eq!(c.listen, "127.0.0.1:8080");
        assert_eq!(c.tip_schedule, "MON 08:00");
    }

    #[test]
    fn environment_wins_over_file_and_secrets_are_redacted() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("c.yaml");
        std::fs::write(&file, "index_dir: /from/file\nlisten: 0.0.0.0:1\n").expect("write");
        let env: HashMap<&str, &str> = [
            ("CANHGIAC_INDEX_DIR", "/from/env"),
            ("TELEGRAM_BOT_TOKEN", "123:SECRET"),
            ("CANHGIAC_ADMINS", "telegram:1, zalo:2"),
        ]
        .into();
        let c = Config::load_with(Some(&file), |k| env.get(k).map(|v| (*v).to_owned())).expect("load");
        assert_eq!(c.index_dir, PathBuf::from("/from/env"));
        assert_eq!(c.listen, "0.0.0.0:1");
        assert_eq!(c.admins, ["telegram:1", "zalo:2"]);
        let dbg = format!("{c:?}");
        assert!(!dbg.contains("SECRET"), "{dbg}");
    }

    #[test]
    fn retention_comes_from_the_file_and_the_environment_within_bounds() {
        use crate::model::retention::Kept;
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("c.yaml");
        std::fs::write(&file, "retention:\n  quiz_results_days: 730\n").expect("write");
        let env: HashMap<&str, &str> = [("CANHGIAC_RETENTION_PARTICIPANTS_DAYS", "30")].into();
        let c = Config::load_with(Some(&file), |k| env.get(k).map(|v| (*v).to_owned())).expect("load");
        assert_eq!(c.retention.days(Kept::QuizResults), 730);
        assert_eq!(c.retention.days(Kept::Participants), 30);
        assert_eq!(c.retention.days(Kept::LastContact), 365, "default");
        let bad: HashMap<&str, &str> = [("CANHGIAC_RETENTION_DELIVERIES_DAYS", "3")].into();
        let e = Config::load_with(None, |k| bad.get(k).map(|v| (*v).to_owned())).expect_err("too short");
        assert!(e.to_string().contains("CANHGIAC_RETENTION_DELIVERIES_DAYS"), "{e}");
        std::fs::write(&file, "retention:\n  deliveries_days: 2\n").expect("write");
        assert!(Config::load_with(Some(&file), |_| None).is_err(), "the file is checked too");
    }

    #[test]
    fn unknown_file_settings_are_an_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("c.yaml");
        std::fs::write(&file, "nope: 1\n").expect("write");
        let err = Config::load_with(Some(&file), |_| None).expect_err("unknown key");
        assert!(format!("{err:#}").contains("nope"));
    }
}
