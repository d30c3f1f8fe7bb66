//! External scam lists the operator imports (`CANHGIAC_LISTS`): hosts (one a line,
//! hosts-file lines or AdGuard rules, as `--blocklist` reads) and numbers or accounts (CSV:
//! `phone,0912345678`, `account,0123456789[,bank]`, or a bare value). A list comes from a file
//! or a URL; a URL is fetched with a conditional request (ETag, Last-Modified), kept on disk
//! under the data directory so a restart works offline, and replaced atomically (a temporary
//! file renamed over the old one). A failed refresh keeps the last good copy; it is logged and
//! counted. The entries go into the register, which swaps the whole imported set at once.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::Arc,
    time::Duration,
};

use serde::{Deserialize, Serialize};

use super::normal_phone;
use crate::model::EntityKind;

/// What a list holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    /// Web hosts.
    Hosts,
    /// Phone numbers and bank accounts.
    Numbers,
}

/// One configured list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListSource {
    /// What it holds.
    pub kind: ListKind,
    /// A URL (`http://`, `https://`) or a file path.
    pub location: String,
}

impl ListSource {
    /// Whether it is fetched over HTTP.
    #[must_use]
    pub fn is_url(&self) -> bool {
        self.location.starts_with("http://") || self.location.starts_with("https://")
    }

    /// A short name for people: the URL's host or the file's name.
    #[must_use]
    pub fn name(&self) -> String {
        if self.is_url() {
            crate::check::url::host_path(&self.location).0
        } else {
            Path::new(&self.location)
                .file_name()
                .map_or_else(|| self.location.clone(), |n| n.to_string_lossy().into_owned())
        }
    }
}

/// Reads `CANHGIAC_LISTS`: comma-separated `hosts:LOCATION` or `numbers:LOCATION`.
pub fn parse_sources(s: &str) -> Result<Vec<ListSource>, String> {
    s.split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(|item| {
            let (kind, location) = item.split_once(':').ok_or_else(|| {
                format!("CANHGIAC_LISTS \"{item}\": thiếu loại danh sách (hosts: hoặc numbers:)")
            })?;
            let kind = match kind.trim() {
                "hosts" => ListKind::Hosts,
                "numbers" => ListKind::Numbers,
                other => {
                    return Err(format!(
                        "CANHGIAC_LISTS \"{item}\": loại \"{other}\" không hợp lệ (dùng hosts: hoặc numbers:)"
                    ));
                }
            };
            Ok(ListSource { kind, location: location.trim().to_owned() })
        })
        .collect()
}

/// The entries of a list's text.
#[must_use]
pub fn parse(kind: ListKind, text: &str) -> Vec<(EntityKind, String)> {
    match kind {
        // A line with a path names one page, not the whole host (lists carry lines such as
        // an app store's page of one app): only whole hosts are taken.
        ListKind::Hosts => text
            .lines()
            .filter(|l| {
                let l = l.trim();
                let rest = l.split_once("://").map_or(l, |(_, r)| r);
                !rest.trim_end_matches('/').contains('/')
            })
            .filter_map(crate::check::blocklist::parse_line)
            .map(|h| (EntityKind::Host, h))
            .collect(),
        ListKind::Numbers => text.lines().filter_map(number_line).collect(),
    }
}

fn number_line(line: &str) -> Option<(EntityKind, String)> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let fields: Vec<&str> = line.split(',').map(str::trim).collect();
    let (kind, value) = match fields.as_slice() {
        ["phone", v, ..] => (EntityKind::Phone, *v),
        ["account", v, ..] => (EntityKind::Account, *v),
        [v, ..] => {
            let digits: String = v.chars().filter(char::is_ascii_digit).collect();
            let phone_like = (digits.starts_with('0') && digits.len() == 10) || v.starts_with('+');
            (if phone_like { EntityKind::Phone } else { EntityKind::Account }, *v)
        }
        [] => return None,
    };
    let digits: String = value.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 6 {
        // A header ("kind,value") or a stray word.
        return None;
    }
    Some(match kind {
        EntityKind::Phone => (kind, normal_phone(value)),
        _ => (kind, digits),
    })
}

/// What is remembered of a URL between fetches.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Meta {
    etag: Option<String>,
    last_modified: Option<String>,
}

/// How a refresh of one list went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refreshed {
    /// A new copy was fetched and stored.
    Updated,
    /// The server said nothing changed (304).
    NotModified,
    /// The fetch failed; the last good copy stays.
    Failed(String),
    /// A file: read where it is.
    File,
}

/// The configured lists, their on-disk copies and the client that fetches them.
#[derive(Debug, Clone)]
pub struct Lists {
    sources: Vec<ListSource>,
    dir: PathBuf,
    client: reqwest::Client,
}

/// FNV-1a of a URL, for its cache file's name.
fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

impl Lists {
    /// The lists of `sources`, with their copies under `data_dir/lists`.
    #[must_use]
    pub fn new(sources: Vec<ListSource>, data_dir: &Path) -> Self {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .user_agent(concat!("canhgiac/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        Self { sources, dir: data_dir.join("lists"), client }
    }

    /// The configured sources.
    #[must_use]
    pub fn sources(&self) -> &[ListSource] {
        &self.sources
    }

    fn copy(&self, s: &ListSource) -> PathBuf {
        if s.is_url() {
            self.dir.join(format!("{:016x}.txt", fnv(&s.location)))
        } else {
            PathBuf::from(&s.location)
        }
    }

    fn meta(&self, s: &ListSource) -> PathBuf {
        self.dir.join(format!("{:016x}.meta.json", fnv(&s.location)))
    }

    /// Every entry of every list, from the files and the stored copies (no network): what
    /// `serve` starts with, offline or not. A list with no copy yet adds nothing.
    #[must_use]
    pub fn entries(&self) -> super::Listed {
        let mut out = HashMap::new();
        for s in &self.sources {
            let Ok(bytes) = std::fs::read(self.copy(s)) else {
                if !s.is_url() {
                    tracing::warn!(list = %s.location, "list file cannot be read; skipped");
                }
                continue;
            };
            let name: Arc<str> = Arc::from(s.name());
            for e in parse(s.kind, &String::from_utf8_lossy(&bytes)) {
                out.entry(e).or_insert_with(|| name.clone());
            }
        }
        out
    }

    /// Fetches one URL list if it changed; a file needs nothing.
    pub async fn refresh(&self, s: &ListSource) -> Refreshed {
        if !s.is_url() {
            return Refreshed::File;
        }
        match self.fetch(s).await {
            Ok(r) => r,
            Err(e) => Refreshed::Failed(e),
        }
    }

    async fn fetch(&self, s: &ListSource) -> Result<Refreshed, String> {
        let meta: Meta = std::fs::read(self.meta(s))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .filter(|_| self.copy(s).exists())
            .unwrap_or_default();
        let mut req = self.client.get(&s.location);
        if let Some(etag) = &meta.etag {
            req = req.header(reqwest::header::IF_NONE_MATCH, etag);
        }
        if let Some(lm) = &meta.last_modified {
            req = req.header(reqwest::header::IF_MODIFIED_SINCE, lm);
        }
        let resp = req.send().await.map_err(|e| e.without_url().to_string())?;
        if resp.status() == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(Refreshed::NotModified);
        }
        if !resp.status().is_success() {
            return Err(format!("HTTP {}", resp.status().as_u16()));
        }
        let header = |name| {
            resp.headers()
                .get(name)
                .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
                .map(str::to_owned)
        };
        let fresh = Meta {
            etag: header(reqwest::header::ETAG),
            last_modified: header(reqwest::header::LAST_MODIFIED),
        };
        let body = resp.bytes().await.map_err(|e| e.without_url().to_string())?;
        if parse(s.kind, &String::from_utf8_lossy(&body)).is_empty() {
            return Err("the list has no entries (not replacing the last good copy)".to_owned());
        }
        std::fs::create_dir_all(&self.dir).map_err(|e| e.to_string())?;
        let target = self.copy(s);
        let tmp = target.with_extension("tmp");
        std::fs::write(&tmp, &body).map_err(|e| e.to_string())?;
        std::fs::rename(&tmp, &target).map_err(|e| e.to_string())?;
        let _ = std::fs::write(self.meta(s), serde_json::to_vec(&fresh).unwrap_or_default());
        Ok(Refreshed::Updated)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_and_lines_are_read() {
        let s =
            parse_sources("hosts:https://example.org/a.txt, numbers:/etc/canhgiac/so.csv").expect("sources");
        assert_eq!(s.len(), 2);
        assert!(s[0].is_url() && !s[1].is_url());
        assert_eq!(s[1].name(), "so.csv");
        assert!(parse_sources("https://example.org/a.txt").is_err(), "the kind is required");
        assert!(parse_sources("links:/x").is_err());
        let numbers = parse(
            ListKind::Numbers,
            "kind,value,bank\nphone,+84 912 345 678\naccount,0123-456-789,Vietcombank\n0987654321\n# note\n12\n",
        );
        assert_eq!(
            numbers,
            [
                (EntityKind::Phone, "0912345678".to_owned()),
                (EntityKind::Account, "0123456789".to_owned()),
                (EntityKind::Phone, "0987654321".to_owned()),
            ]
        );
        assert_eq!(
            parse(ListKind::Hosts, "0.0.0.0 scam.top\n||bad.xyz^\nplay.google.com/store/apps/details?id=x\n"),
            [(EntityKind::Host, "scam.top".to_owned()), (EntityKind::Host, "bad.xyz".to_owned())]
        );
    }
}
