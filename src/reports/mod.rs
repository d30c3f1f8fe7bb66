//! Community reports: what a report would record from a checked message (phone numbers, bank
//! accounts with their bank when named, hosts), which of those are official and can never be
//! confirmed as scams without an explicit override, and the in-memory register the checker
//! consults on every message ([`MemoryRegister`], loaded from the store at start and updated
//! after every report and decision).

pub mod lists;

use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
};

use crate::{
    check::{Register, Report, Standing, extract::PhoneKind, url::UrlFlag},
    content::Content,
    model::{EntityKind, ReportStatus},
    store::{EntitySummary, RegisterRow, Store, StoreError},
};

/// Most entities one person may report in a day.
pub const DAILY_LIMIT: usize = 20;

/// Something a report can name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Kind.
    pub kind: EntityKind,
    /// Normalised value (`0…` for a Vietnamese number, digits for an account, the host).
    pub value: String,
    /// The bank of an account, when the message names one.
    pub bank: Option<String>,
    /// An official number or domain (a short code, a 1800/1900 hotline, a brand's domain,
    /// a state domain): shown as official, never recorded as reported.
    pub official: bool,
}

impl Candidate {
    /// How people read it: "số điện thoại 0987654321".
    #[must_use]
    pub fn describe(&self) -> String {
        match &self.bank {
            Some(bank) => format!("{} {} ({bank})", self.kind.label_vi(), self.value),
            None => format!("{} {}", self.kind.label_vi(), self.value),
        }
    }
}

/// A phone number in the register's form: Vietnamese numbers as `0…` (from `+84…` or `84…`
/// with nine or ten digits after), others as written in digits with their `+`.
#[must_use]
pub fn normal_phone(number: &str) -> String {
    let plus = number.trim_start().starts_with('+');
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    match digits.strip_prefix("84") {
        Some(rest) if (plus || digits.len() >= 11) && (9..=10).contains(&rest.len()) => format!("0{rest}"),
        _ if plus => format!("+{digits}"),
        _ => digits,
    }
}

/// The entities of a checked message a report would record.
#[must_use]
pub fn candidates(report: &Report, text: &str, content: &Content) -> Vec<Candidate> {
    let mut out: Vec<Candidate> = Vec::new();
    let mut push = |c: Candidate| {
        if !out.iter().any(|o| o.kind == c.kind && o.value == c.value) {
            out.push(c);
        }
    };
    for p in &report.entities.phones {
        let official = matches!(p.kind, PhoneKind::Hotline | PhoneKind::ShortCode);
        push(Candidate { kind: EntityKind::Phone, value: normal_phone(&p.normalized), bank: None, official });
    }
    let bank = bank_named(text, content);
    for a in &report.entities.accounts {
        let digits: String = a.chars().filter(char::is_ascii_digit).collect();
        if !digits.is_empty() {
            push(Candidate { kind: EntityKind::Account, value: digits, bank: bank.clone(), official: false });
        }
    }
    for u in &report.urls {
        if u.host.is_empty() {
            continue;
        }
        let official = u.flags.contains(&UrlFlag::Official);
        push(Candidate { kind: EntityKind::Host, value: u.host.clone(), bank: None, official });
    }
    out
}

/// The bank a message names, from the brands of category `bank` (by name or keyword).
fn bank_named(text: &str, content: &Content) -> Option<String> {
    let folded = crate::text::fold(text);
    let words: Vec<&str> = folded.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    content.brands.brands.iter().filter(|b| b.category == "bank").find_map(|b| {
        let name = crate::text::fold(&b.name);
        let hit = words.contains(&name.as_str()) || b.keywords.iter().any(|k| words.contains(&k.as_str()));
        hit.then(|| b.name.clone())
    })
}

/// The outcome told to the reporters, or none (a decision taken back tells nobody).
pub fn feedback(e: &EntitySummary, status: ReportStatus) -> Option<String> {
    let what = format!("{} {}", e.kind.label_vi(), e.value);
    match status {
        ReportStatus::Confirmed => Some(format!(
            "Quản trị viên đã xác nhận {what} mà anh/chị báo cáo là lừa đảo. Từ giờ, ai gửi tin nhắn có mục này cho tôi kiểm tra sẽ được cảnh báo."
        )),
        ReportStatus::Rejected => Some(format!(
            "Quản trị viên đã xem xét {what} mà anh/chị báo cáo và chưa đủ căn cứ xác nhận là lừa đảo. Anh/chị vẫn nên cảnh giác và không chuyển tiền, không cung cấp mã OTP."
        )),
        ReportStatus::Pending => None,
    }
}

/// An official number or domain (a short code, a hotline, a brand's or a state domain): it
/// cannot be confirmed as a scam without an explicit override.
#[must_use]
pub fn is_official(checker: &crate::check::Checker, e: &EntitySummary) -> bool {
    let probe = match e.kind {
        EntityKind::Phone => e.value.clone(),
        EntityKind::Host => format!("https://{}/", e.value),
        EntityKind::Account => return false,
    };
    let report = checker.check(&probe);
    candidates(&report, &probe, checker.content()).iter().any(|c| c.official)
}

/// The confirmed entities for the provincial police, as CSV (`kind,value,bank,first_day,
/// last_day,reporters,reports,forms,confirmed_day`) or a Markdown table in Vietnamese. No
/// reporter identity is in it.
#[must_use]
pub fn export(list: &[EntitySummary], csv: bool, from: &str, to: &str, content: &Content) -> String {
    let forms =
        |e: &EntitySummary| e.forms.iter().map(|(f, n)| format!("{f} ({n})")).collect::<Vec<_>>().join("; ");
    let titles = |e: &EntitySummary| {
        e.forms
            .iter()
            .map(|(f, n)| format!("{} ({n})", content.form(f).map_or(f.as_str(), |x| x.title.as_str())))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let capital = |s: &str| {
        let mut c = s.chars();
        c.next().map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
    };
    if csv {
        let mut out = crate::report::csv_line(&[
            "kind",
            "value",
            "bank",
            "first_day",
            "last_day",
            "reporters",
            "reports",
            "forms",
            "confirmed_day",
        ]);
        for e in list {
            out.push_str(&crate::report::csv_line(&[
                e.kind.as_str(),
                &e.value,
                e.bank.as_deref().unwrap_or(""),
                &e.first_day,
                &e.last_day,
                &e.reporters.to_string(),
                &e.reports.to_string(),
                &forms(e),
                e.decided_day.as_deref().unwrap_or(""),
            ]));
        }
        return out;
    }
    let mut out = format!(
        "# Danh sách số điện thoại, số tài khoản, trang web đã xác nhận lừa đảo\n\nBáo cáo trong khoảng {} – {}. Không có thông tin người báo cáo.\n\n| Loại | Giá trị | Ngân hàng | Báo cáo đầu | Báo cáo cuối | Người báo cáo | Lượt | Hình thức | Ngày xác nhận |\n|---|---|---|---|---|---:|---:|---|---|\n",
        crate::vntime::iso_vi(from),
        crate::vntime::iso_vi(to)
    );
    if list.is_empty() {
        out.push_str("| (chưa có) | | | | | | | | |\n");
    }
    for e in list {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            capital(e.kind.label_vi()),
            e.value.replace('|', "\\|"),
            e.bank.as_deref().unwrap_or(""),
            crate::vntime::iso_vi(&e.first_day),
            crate::vntime::iso_vi(&e.last_day),
            e.reporters,
            e.reports,
            titles(e).replace('|', "\\|"),
            e.decided_day.as_deref().map(crate::vntime::iso_vi).unwrap_or_default()
        ));
    }
    out
}

/// Entries of the imported lists, each with its list's name.
pub type Listed = HashMap<(EntityKind, String), Arc<str>>;

/// What the register holds of one entity.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Known {
    status: ReportStatus,
    reporters: u32,
    reports: u32,
    decided_day: Option<String>,
}

/// The register in memory: every reported entity by kind and value. Reads take a shared lock
/// and a hash lookup per entity of the message.
#[derive(Debug, Default)]
pub struct MemoryRegister {
    map: RwLock<HashMap<(EntityKind, String), Known>>,
    /// Entries of the imported lists, with their list's name (swapped whole on a refresh).
    listed: RwLock<Arc<Listed>>,
    /// The newest decision and report ids seen (for [`MemoryRegister::sync`]).
    marks: std::sync::Mutex<(i64, i64)>,
}

impl MemoryRegister {
    /// The register of these rows.
    #[must_use]
    pub fn from_rows(rows: Vec<RegisterRow>) -> Self {
        let map = rows
            .into_iter()
            .map(|r| {
                let known = Known {
                    status: r.status,
                    reporters: r.reporters,
                    reports: r.reports,
                    decided_day: r.decided_day,
                };
                ((r.kind, r.value), known)
            })
            .collect();
        Self { map: RwLock::new(map), listed: RwLock::default(), marks: std::sync::Mutex::default() }
    }

    /// The register as the store holds it.
    pub fn load(store: &Store) -> Result<Self, StoreError> {
        let marks = store.register_marks()?;
        let r = Self::from_rows(store.register_rows()?);
        *crate::lock(&r.marks) = marks;
        Ok(r)
    }

    /// Reads everything again (after a retention purge removed entities).
    pub fn reload(&self, store: &Store) -> Result<(), StoreError> {
        let marks = store.register_marks()?;
        let fresh = Self::from_rows(store.register_rows()?);
        let map = std::mem::take(&mut *crate::lock_write(&fresh.map));
        *crate::lock_write(&self.map) = map;
        *crate::lock(&self.marks) = marks;
        Ok(())
    }

    /// Reads again the entities reported or decided since the last look, by this process or
    /// another (an operator's `canhgiac reports approve`). Returns how many.
    pub fn sync(&self, store: &Store) -> Result<usize, StoreError> {
        let since = *crate::lock(&self.marks);
        let now = store.register_marks()?;
        if now == since {
            return Ok(0);
        }
        let changed = store.register_changes(since)?;
        for (kind, value) in &changed {
            self.refresh(store, *kind, value)?;
        }
        *crate::lock(&self.marks) = now;
        Ok(changed.len())
    }

    /// Reads one entity again from the store (after a report or a decision).
    pub fn refresh(&self, store: &Store, kind: EntityKind, value: &str) -> Result<(), StoreError> {
        let row = store.reported_value(kind, value)?;
        let mut map = crate::lock_write(&self.map);
        match row {
            Some(e) => {
                let known = Known {
                    status: e.status,
                    reporters: u32::try_from(e.reporters).unwrap_or(u32::MAX),
                    reports: u32::try_from(e.reports).unwrap_or(u32::MAX),
                    decided_day: e.decided_day,
                };
                map.insert((kind, value.to_owned()), known);
            }
            None => {
                map.remove(&(kind, value.to_owned()));
            }
        }
        Ok(())
    }

    /// Replaces the imported lists' entries at once.
    pub fn set_listed(&self, entries: Listed) {
        *crate::lock_write(&self.listed) = Arc::new(entries);
    }

    /// Entries of the imported lists.
    #[must_use]
    pub fn listed_len(&self) -> usize {
        crate::lock_read(&self.listed).len()
    }

    /// Entities held.
    #[must_use]
    pub fn len(&self) -> usize {
        crate::lock_read(&self.map).len()
    }

    /// Holds nothing.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Register for MemoryRegister {
    fn standing(&self, entities: &crate::check::extract::Entities) -> Standing {
        let listed = crate::lock_read(&self.listed).clone();
        let map = crate::lock_read(&self.map);
        if map.is_empty() && listed.is_empty() {
            return Standing::Unknown;
        }
        let mut keys: Vec<(EntityKind, String)> = Vec::new();
        keys.extend(entities.phones.iter().map(|p| (EntityKind::Phone, normal_phone(&p.normalized))));
        keys.extend(
            entities
                .accounts
                .iter()
                .map(|a| (EntityKind::Account, a.chars().filter(char::is_ascii_digit).collect())),
        );
        keys.extend(entities.urls.iter().map(|u| (EntityKind::Host, crate::check::url::host_path(u).0)));
        let mut best = Standing::Unknown;
        for key in &keys {
            // Imported lists: hosts match their parent domains too.
            let hit = if key.0 == EntityKind::Host {
                crate::check::url::parent_domains(&key.1)
                    .find_map(|h| listed.get(&(EntityKind::Host, h.to_owned())))
            } else {
                listed.get(key)
            };
            if let Some(source) = hit
                && !matches!(best, Standing::Listed { .. })
            {
                best = Standing::Listed { value: key.1.clone(), source: source.to_string() };
            }
        }
        for key in keys {
            let Some(k) = map.get(&key) else { continue };
            let standing = match k.status {
                ReportStatus::Confirmed => Standing::Confirmed {
                    value: key.1.clone(),
                    day: k.decided_day.as_deref().map(crate::vntime::iso_vi).unwrap_or_default(),
                    reports: k.reports,
                },
                ReportStatus::Pending => Standing::Reported { reporters: k.reporters },
                ReportStatus::Rejected => continue,
            };
            best = match (&best, &standing) {
                (Standing::Confirmed { .. }, _) => best,
                (_, Standing::Confirmed { .. }) => standing,
                (Standing::Listed { .. }, _) => best,
                (Standing::Reported { reporters: a }, Standing::Reported { reporters: b }) if a >= b => best,
                _ => standing,
            };
        }
        best
    }
}

/// A register shared by the checker (reads) and the engine (updates).
pub type SharedRegister = Arc<MemoryRegister>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_take_one_form() {
        assert_eq!(normal_phone("+84 987 654 321"), "0987654321");
        assert_eq!(normal_phone("84987654321"), "0987654321");
        assert_eq!(normal_phone("0987.654.321"), "0987654321");
        assert_eq!(normal_phone("+1 202 555 0100"), "+12025550100");
        assert_eq!(normal_phone("156"), "156");
    }
}
