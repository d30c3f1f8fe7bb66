//! Host blocklists imported at run time (`--blocklist FILE`): one host a line, hosts-file lines
//! (`0.0.0.0 host`) or AdGuard rules (`||host^`, `||host$all`). Comments (`#`, `!`) are skipped.

use std::{collections::HashSet, fs, path::Path};

use thiserror::Error;

/// A blocklist that cannot be read.
#[derive(Debug, Error)]
#[error("blocklist {path}: {source}")]
pub struct BlocklistError {
    path: String,
    source: std::io::Error,
}

/// A set of blocked hosts; a host is blocked when it or a parent domain is listed.
#[derive(Debug, Clone, Default)]
pub struct Blocklist {
    hosts: HashSet<String>,
}

/// The host of one line of a list, if the line names one.
pub(crate) fn parse_line(line: &str) -> Option<String> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') || line.starts_with('!') || line.starts_with("@@") {
        return None;
    }
    let rule = line.strip_prefix("||").unwrap_or(line);
    let mut parts = rule.split_whitespace();
    let first = parts.next()?;
    // hosts-file format: "0.0.0.0 host" / "127.0.0.1 host"
    let host = if matches!(first, "0.0.0.0" | "127.0.0.1" | "::" | "::1") { parts.next()? } else { first };
    let host = host.split(['^', '$', '/', '|']).next()?;
    let host = host.trim_start_matches("*.").trim_end_matches('.').to_ascii_lowercase();
    let valid = !host.is_empty()
        && host.contains('.')
        && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    valid.then_some(host)
}

impl Blocklist {
    /// An empty list.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the hosts of a list given as text; returns how many were added.
    pub fn add_text(&mut self, text: &str) -> usize {
        let before = self.hosts.len();
        self.hosts.extend(text.lines().filter_map(parse_line));
        self.hosts.len() - before
    }

    /// Adds the hosts of a file; returns how many were added.
    pub fn add_file(&mut self, path: &Path) -> Result<usize, BlocklistError> {
        let bytes =
            fs::read(path).map_err(|source| BlocklistError { path: path.display().to_string(), source })?;
        Ok(self.add_text(&String::from_utf8_lossy(&bytes)))
    }

    /// Whether `host` or one of its parent domains is listed.
    #[must_use]
    pub fn contains(&self, host: &str) -> bool {
        if self.hosts.is_empty() {
            return false;
        }
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        super::url::parent_domains(&host).any(|h| self.hosts.contains(h))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plain_hosts_adguard_and_hosts_files() {
        let mut b = Blocklist::new();
        let n = b.add_text("# comment\n! adguard comment\nevil.top\n||phish.xyz^\n||bad.vn$all\n0.0.0.0 tracker.cc\n\nnot a host\n");
        assert_eq!(n, 4);
        assert!(b.contains("evil.top"));
        assert!(b.contains("login.phish.xyz"), "subdomains of a listed host are blocked");
        assert!(b.contains("BAD.VN"));
        assert!(b.contains("tracker.cc"));
        assert!(!b.contains("good.vn"));
        assert!(!b.contains("xyz"));
    }
}
