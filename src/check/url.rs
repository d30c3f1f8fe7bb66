//! URL analysis: registrable domain (public suffix list), official-domain allowlist, look-alikes
//! of official brands (brand word in an unrelated domain or subdomain, small edits, homoglyphs,
//! punycode), shorteners, raw IP hosts, risky TLDs, file downloads and imported blocklists.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::{blocklist::Blocklist, hostmodel::HostModel};
use crate::{content::Brands, text::edit_distance};

/// How risky a URL looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Risk {
    /// An official domain of a known brand or a state body.
    Official,
    /// Unknown domain, nothing specific against it.
    Low,
    /// Something to be careful about (shortener, risky TLD, brand word in the path).
    Medium,
    /// Phishing hallmarks (look-alike domain, IP host, APK download, blocklisted).
    High,
}

impl Risk {
    /// Vietnamese name.
    #[must_use]
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Official => "chính thức",
            Self::Low => "chưa rõ",
            Self::Medium => "đáng ngờ",
            Self::High => "nguy hiểm",
        }
    }
}

/// A finding about a URL; each is also a model feature (`url_<name>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UrlFlag {
    /// Official domain.
    Official,
    /// Not official, nothing else known, outside the .vn ccTLD.
    Unknown,
    /// Not official, nothing else known, under .vn (registration needs a Vietnamese identity).
    UnknownVn,
    /// Listed in an imported blocklist.
    Blocklisted,
    /// Imitates an official brand.
    Lookalike,
    /// Brand word in the path of an unrelated domain.
    BrandInPath,
    /// URL shortener.
    Shortener,
    /// Raw IP address host.
    Ip,
    /// TLD heavily used by phishing.
    RiskyTld,
    /// Internationalised (punycode) domain.
    Punycode,
    /// Direct download of an app or program.
    Download,
    /// A page on a platform where anyone can publish (Telegram/Zalo group, profile, form).
    UserContent,
    /// An unknown host that the lexical host model finds like known scam hosts.
    Suspect,
}

impl UrlFlag {
    /// All flags.
    pub const ALL: [Self; 13] = [
        Self::Suspect,
        Self::UserContent,
        Self::Official,
        Self::Unknown,
        Self::UnknownVn,
        Self::Blocklisted,
        Self::Lookalike,
        Self::BrandInPath,
        Self::Shortener,
        Self::Ip,
        Self::RiskyTld,
        Self::Punycode,
        Self::Download,
    ];

    /// The risk this finding alone gives a URL.
    #[must_use]
    pub fn risk(self) -> Risk {
        match self {
            Self::Official => Risk::Official,
            Self::Unknown | Self::UnknownVn => Risk::Low,
            Self::Shortener
            | Self::RiskyTld
            | Self::BrandInPath
            | Self::Punycode
            | Self::Suspect
            | Self::UserContent => Risk::Medium,
            Self::Blocklisted | Self::Lookalike | Self::Ip | Self::Download => Risk::High,
        }
    }

    /// The feature id.
    #[must_use]
    pub fn feature(self) -> &'static str {
        match self {
            Self::Official => "url_official",
            Self::Unknown => "url_unknown",
            Self::UnknownVn => "url_unknown_vn",
            Self::Blocklisted => "url_blocklisted",
            Self::Lookalike => "url_lookalike",
            Self::BrandInPath => "url_brand_in_path",
            Self::Shortener => "url_shortener",
            Self::Ip => "url_ip",
            Self::RiskyTld => "url_risky_tld",
            Self::Punycode => "url_punycode",
            Self::Download => "url_download",
            Self::UserContent => "url_user_content",
            Self::Suspect => "url_suspect",
        }
    }
}

/// The analysis of one URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlReport {
    /// The URL as found (de-obfuscated).
    pub url: String,
    /// Host, lowercase.
    pub host: String,
    /// Registrable domain.
    pub domain: String,
    /// Overall risk.
    pub risk: Risk,
    /// Findings.
    pub flags: Vec<UrlFlag>,
    /// The brand imitated or owning the domain, if any.
    pub brand: Option<String>,
    /// Vietnamese reasons, one per finding.
    pub reasons: Vec<String>,
}

/// Analyses URLs against the brand data and an optional blocklist.
#[derive(Debug, Clone, Default)]
pub struct UrlAnalyzer {
    official: HashMap<String, String>,
    official_suffixes: Vec<String>,
    shorteners: HashSet<String>,
    user_content: HashSet<String>,
    risky_tlds: HashSet<String>,
    keywords: Vec<(String, String)>,
    blocklist: Blocklist,
    hosts: HostModel,
}

/// A host and its parent domains down to the registrable level: `a.b.example.vn`,
/// `b.example.vn`, `example.vn` (never a bare suffix such as `vn`).
pub(crate) fn parent_domains(host: &str) -> impl Iterator<Item = &str> {
    std::iter::successors(Some(host), |h| h.split_once('.').map(|(_, rest)| rest).filter(|r| r.contains('.')))
}

/// Maps look-alike characters to the letters they imitate.
fn unglyph(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| match c {
            '0' => 'o',
            '1' | 'ı' | 'ӏ' | 'і' => 'i',
            '3' => 'e',
            '4' | 'а' => 'a',
            '5' | 'ѕ' => 's',
            '8' => 'b',
            'е' => 'e',
            'о' => 'o',
            'р' => 'p',
            'с' => 'c',
            'у' => 'y',
            'х' => 'x',
            'ԁ' => 'd',
            'ɡ' => 'g',
            'ո' => 'n',
            other => other,
        })
        .collect();
    for (from, to) in [("rn", "m"), ("vv", "w")] {
        out = out.replace(from, to);
    }
    out
}

/// Host (lowercase, without `www.`) and the rest (path, query) of a URL with or without scheme.
pub(crate) fn host_path(url: &str) -> (String, String) {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = authority.split(':').next().unwrap_or(authority).trim_end_matches('.').to_ascii_lowercase();
    let host = host.strip_prefix("www.").map_or(host.clone(), str::to_owned);
    (host, rest[end..].to_ascii_lowercase())
}

fn is_ip(host: &str) -> bool {
    let parts: Vec<&str> = host.split('.').collect();
    parts.len() == 4 && parts.iter().all(|p| p.parse::<u8>().is_ok())
}

impl UrlAnalyzer {
    /// An analyzer over the brand data.
    #[must_use]
    pub fn new(brands: &Brands, blocklist: Blocklist) -> Self {
        let mut official = HashMap::new();
        let mut keywords = Vec::new();
        for b in &brands.brands {
            for d in &b.domains {
                official.insert(d.to_ascii_lowercase(), b.name.clone());
            }
            for k in &b.keywords {
                keywords.push((k.to_ascii_lowercase(), b.name.clone()));
            }
        }
        Self {
            official,
            official_suffixes: brands
                .official_suffixes
                .iter()
                .map(|s| format!(".{}", s.trim_start_matches('.').to_ascii_lowercase()))
                .collect(),
            shorteners: brands.shorteners.iter().map(|s| s.to_ascii_lowercase()).collect(),
            user_content: brands.user_content.iter().map(|s| s.to_ascii_lowercase()).collect(),
            risky_tlds: brands
                .risky_tlds
                .iter()
                .map(|s| s.trim_start_matches('.').to_ascii_lowercase())
                .collect(),
            keywords,
            blocklist,
            hosts: HostModel::default(),
        }
    }

    /// Flags unknown hosts that the lexical model finds like known scam hosts.
    #[must_use]
    pub fn with_host_model(mut self, hosts: HostModel) -> Self {
        self.hosts = hosts;
        self
    }

    /// The brand owning `host`, if it is an official domain (or a subdomain of one).
    fn official_owner(&self, host: &str) -> Option<String> {
        if let Some(name) = parent_domains(host).find_map(|h| self.official.get(h)) {
            return Some(name.clone());
        }
        // Suffixes are kept with their leading dot: `host` is one of them or ends with one.
        self.official_suffixes
            .iter()
            .find(|dotted| host == &dotted[1..] || host.ends_with(dotted.as_str()))
            .map(|dotted| format!("cơ quan nhà nước ({dotted})"))
    }

    /// The brand a piece of a host imitates. With `whole_only`, a brand word must be a whole
    /// label or hyphen-separated part (not inside a longer word).
    fn imitated(&self, text: &str, whole_only: bool) -> Option<(String, String)> {
        let tokens: Vec<String> =
            text.split(['.', '-', '_', '/']).filter(|t| !t.is_empty()).map(unglyph).collect();
        for (k, name) in &self.keywords {
            for t in &tokens {
                let hit = t == k
                    || (!whole_only && k.len() >= 4 && t.contains(k.as_str()))
                    || (!whole_only
                        && k.len() >= 6
                        && t.len() >= 6
                        && edit_distance(t, k, 2) <= if k.len() >= 9 { 2 } else { 1 });
                if hit {
                    return Some((name.clone(), t.clone()));
                }
            }
        }
        None
    }

    /// Analyses one URL.
    #[must_use]
    pub fn analyze(&self, url: &str) -> UrlReport {
        let (host, path) = host_path(url);
        let ascii_host = if host.contains("xn--") {
            let (unicode, _) = idna::domain_to_unicode(&host);
            let folded = crate::text::fold(&unicode);
            unglyph(&folded)
        } else {
            host.clone()
        };
        let domain =
            if is_ip(&host) { host.clone() } else { psl::domain_str(&host).unwrap_or(&host).to_owned() };
        let mut flags = Vec::new();
        let mut reasons = Vec::new();
        let mut brand = None;

        if self.blocklist.contains(&host) {
            flags.push(UrlFlag::Blocklisted);
            reasons.push("Tên miền có trong danh sách chặn lừa đảo đã nhập.".to_owned());
        }
        // A brand's own named host (play.google.com) is not a page anyone can publish on, even
        // when its domain (google.com) hosts such pages.
        let user_content = (self.user_content.contains(&host) || self.user_content.contains(&domain))
            && !self.official.contains_key(&host);
        if user_content {
            flags.push(UrlFlag::UserContent);
            reasons.push(format!(
                "Link tới trang do người dùng tự tạo trên {domain} (nhóm chat, tài khoản, biểu mẫu): không phải trang chính thức."
            ));
        } else if let Some(owner) = self.official_owner(&host) {
            brand = Some(owner.clone());
            if flags.is_empty() {
                flags.push(UrlFlag::Official);
                reasons.push(format!("Tên miền chính thức của {owner}."));
            }
        } else if is_ip(&host) {
            flags.push(UrlFlag::Ip);
            reasons.push("Dùng địa chỉ IP thay cho tên miền.".to_owned());
        } else {
            if host.contains("xn--") {
                flags.push(UrlFlag::Punycode);
                reasons.push(format!(
                    "Tên miền dùng ký tự quốc tế (punycode), hiển thị thành \"{ascii_host}\"."
                ));
            }
            if self.shorteners.contains(&domain) || self.shorteners.contains(&host) {
                flags.push(UrlFlag::Shortener);
                reasons.push("Link rút gọn che giấu địa chỉ thật.".to_owned());
            } else if let Some((name, token)) = self.imitated(&ascii_host, domain.ends_with(".vn")) {
                flags.push(UrlFlag::Lookalike);
                reasons.push(format!(
                    "Tên miền \"{domain}\" mạo danh {name} (chứa \"{token}\") nhưng không phải tên miền chính thức."
                ));
                brand = Some(name);
            } else if let Some((name, _)) = self.imitated(&path, true) {
                flags.push(UrlFlag::BrandInPath);
                reasons.push(format!("Đường dẫn nhắc tên {name} nhưng nằm trên tên miền lạ \"{domain}\"."));
                brand = Some(name);
            }
            let tld = host.rsplit('.').next().unwrap_or("");
            let suffix = psl::suffix_str(&host).unwrap_or(tld);
            // A shortener's own TLD says nothing about where its link leads.
            let shortener = flags.contains(&UrlFlag::Shortener);
            if !shortener && (self.risky_tlds.contains(tld) || self.risky_tlds.contains(suffix)) {
                flags.push(UrlFlag::RiskyTld);
                reasons.push(format!("Đuôi tên miền \".{tld}\" thường bị dùng cho trang lừa đảo."));
            }
        }
        let file = path.split(['?', '#']).next().unwrap_or("");
        if [".apk", ".xapk", ".apks", ".exe", ".msi", ".bat", ".scr", ".jar"]
            .iter()
            .any(|x| file.ends_with(x))
        {
            flags.push(UrlFlag::Download);
            reasons.push("Link tải thẳng tệp cài đặt (APK/EXE): có thể là phần mềm độc hại.".to_owned());
        }
        let known =
            flags.iter().any(|f| matches!(f, UrlFlag::Official | UrlFlag::UserContent | UrlFlag::Shortener));
        if !known && !is_ip(&host) && self.hosts.looks_malicious(&host) {
            flags.push(UrlFlag::Suspect);
            reasons.push(
                "Tên miền có đặc điểm giống các trang lừa đảo đã biết (chuỗi ký tự, đuôi, cách đặt tên)."
                    .to_owned(),
            );
        }
        if flags.is_empty() {
            flags.push(if domain.ends_with(".vn") { UrlFlag::UnknownVn } else { UrlFlag::Unknown });
            reasons.push("Tên miền không thuộc danh sách chính thức đã biết.".to_owned());
        }
        let risk = flags.iter().map(|f| f.risk()).max().unwrap_or(Risk::Low);
        UrlReport { url: url.to_owned(), host, domain, risk, flags, brand, reasons }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parent_domains_stop_at_the_registrable_level() {
        let p: Vec<&str> = parent_domains("a.b.example.vn").collect();
        assert_eq!(p, ["a.b.example.vn", "b.example.vn", "example.vn"]);
        assert_eq!(parent_domains("localhost").collect::<Vec<_>>(), ["localhost"]);
    }
    use crate::content::Brand;

    fn analyzer() -> UrlAnalyzer {
        let brand = |id: &str, domains: &[&str], keywords: &[&str]| Brand {
            id: id.into(),
            name: id.into(),
            category: "bank".into(),
            domains: domains.iter().map(|s| (*s).to_owned()).collect(),
            keywords: keywords.iter().map(|s| (*s).to_owned()).collect(),
        };
        let brands = Brands {
            brands: vec![
                brand("Vietcombank", &["vietcombank.com.vn"], &["vietcombank", "vcb"]),
                brand("Sacombank", &["sacombank.com.vn"], &["sacombank"]),
                brand("ACB", &["acb.com.vn"], &["acb"]),
            ],
            official_suffixes: vec!["gov.vn".into()],
            shorteners: vec!["bit.ly".into()],
            user_content: vec!["t.me".into()],
            risky_tlds: vec!["top".into(), "xyz".into(), "cc".into()],
        };
        let mut bl = Blocklist::new();
        bl.add_text("blocked.example.com\n");
        UrlAnalyzer::new(&brands, bl)
    }

    fn flags(url: &str) -> Vec<UrlFlag> {
        analyzer().analyze(url).flags
    }

    #[test]
    fn official_domains_and_state_bodies() {
        let r = analyzer().analyze("https://www.vietcombank.com.vn/vi-VN");
        assert_eq!(r.risk, Risk::Official);
        assert_eq!(r.domain, "vietcombank.com.vn");
        assert_eq!(flags("https://portal.vietcombank.com.vn/login"), [UrlFlag::Official]);
        assert_eq!(flags("dichvucong.gov.vn"), [UrlFlag::Official]);
    }

    #[test]
    fn lookalikes_in_domain_subdomain_and_by_edits() {
        let r = analyzer().analyze("https://vietcombank-xacthuc.top");
        assert_eq!(r.risk, Risk::High);
        assert!(r.flags.contains(&UrlFlag::Lookalike) && r.flags.contains(&UrlFlag::RiskyTld));
        assert_eq!(r.domain, "vietcombank-xacthuc.top");
        assert!(flags("http://vn-sacombank.com").contains(&UrlFlag::Lookalike));
        assert!(flags("https://sacombank.vn-iy.life").contains(&UrlFlag::Lookalike), "brand in a subdomain");
        assert!(flags("http://www.vovietcombanks.cc").contains(&UrlFlag::Lookalike), "brand inside a word");
        assert!(flags("vietc0mbank.net").contains(&UrlFlag::Lookalike), "homoglyph");
        assert!(flags("vietconbank.net").contains(&UrlFlag::Lookalike), "one edit away");
        assert!(flags("http://v-acb.com").contains(&UrlFlag::Lookalike), "short brand as a whole token");
        assert!(!flags("http://acbxyz.net").contains(&UrlFlag::Lookalike), "short brand inside a word");
        assert!(flags("http://login-help.net/vietcombank/verify").contains(&UrlFlag::BrandInPath));
    }

    #[test]
    fn shorteners_ips_punycode_downloads_and_blocklist() {
        assert_eq!(flags("bit.ly/abc"), [UrlFlag::Shortener]);
        assert_eq!(flags("https://t.me/some_group"), [UrlFlag::UserContent]);
        let r = analyzer().analyze("http://103.21.4.7:8080/evn.apk");
        assert!(r.flags.contains(&UrlFlag::Ip) && r.flags.contains(&UrlFlag::Download));
        let r = analyzer().analyze("https://xn--vietcmbank-d7g.com/");
        assert!(r.flags.contains(&UrlFlag::Punycode), "{r:?}");
        assert_eq!(flags("https://blocked.example.com/x"), [UrlFlag::Blocklisted]);
        assert_eq!(flags("https://some-shop.vn/"), [UrlFlag::UnknownVn]);
        assert_eq!(flags("https://some-shop.com/"), [UrlFlag::Unknown]);
        assert_eq!(
            flags("https://tt.vietcombankmoney.vn/x"),
            [UrlFlag::UnknownVn],
            "brand inside a .vn word"
        );
    }
}
