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
    store::{EntitySummary, Store, StoreError},
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
        let official = official_phone(p.kind);
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
    match e.kind {
        EntityKind::Phone => {
            crate::check::extract::extract(&e.value).phones.iter().any(|p| official_phone(p.kind))
        }
        EntityKind::Host => checker
            .url_analyzer()
            .analyze(&format!("https://{}/", e.value))
            .flags
            .contains(&UrlFlag::Official),
        EntityKind::Account => false,
    }
}

/// A service short code or a 1800/1900 hotline: numbers of organisations, not of people.
fn official_phone(kind: PhoneKind) -> bool {
    matches!(kind, PhoneKind::Hotline | PhoneKind::ShortCode)
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

/// What the register holds of one entity (12 bytes: a million entities fit in little memory).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Known {
    status: ReportStatus,
    reports: u32,
    /// Day of the confirmation, as days since 1970-01-01 (0: none).
    decided: u32,
}

/// A number or account as one integer (kind, a leading `+`, the digit count, the digits),
/// when it is at most 19 digits; hosts and longer values are kept as text.
fn numeric_key(kind: EntityKind, value: &str) -> Option<u128> {
    let (plus, digits) = value.strip_prefix('+').map_or((0u128, value), |d| (1, d));
    if digits.is_empty() || digits.len() > 19 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = digits.parse().ok()?;
    let code: u128 = match kind {
        EntityKind::Phone => 1,
        EntityKind::Account => 2,
        EntityKind::Host => return None,
    };
    Some(code << 100 | plus << 99 | (digits.len() as u128) << 90 | u128::from(n))
}

/// Entities by kind and value: numbers and accounts packed into integers, hosts as text, each
/// in a vector sorted by key. Loading a million entries is sequential writes and one sort (a
/// hash table of that size spends its time in cache misses); a lookup is a binary search. A
/// single insert moves memory, which is fine at the pace people report.
#[derive(Debug)]
struct EntityMap<V> {
    numbers: Vec<(u128, V)>,
    others: Vec<((EntityKind, Box<str>), V)>,
}

impl<V> Default for EntityMap<V> {
    fn default() -> Self {
        Self { numbers: Vec::new(), others: Vec::new() }
    }
}

impl<V> EntityMap<V> {
    fn with_capacity(numbers: usize, others: usize) -> Self {
        Self { numbers: Vec::with_capacity(numbers), others: Vec::with_capacity(others) }
    }

    /// Adds without keeping the order: [`EntityMap::seal`] sorts once after a bulk load.
    fn push(&mut self, kind: EntityKind, value: &str, v: V) {
        match numeric_key(kind, value) {
            Some(k) => self.numbers.push((k, v)),
            None => self.others.push(((kind, value.into()), v)),
        }
    }

    /// Sorts after [`EntityMap::push`]es (the sources have unique keys; a repeat keeps one).
    fn seal(&mut self) {
        self.numbers.sort_unstable_by_key(|(k, _)| *k);
        self.numbers.dedup_by_key(|(k, _)| *k);
        self.others.sort_unstable_by(|(a, _), (b, _)| a.cmp(b));
        self.others.dedup_by(|(a, _), (b, _)| a == b);
    }

    fn insert(&mut self, kind: EntityKind, value: &str, v: V) {
        match numeric_key(kind, value) {
            Some(k) => match self.numbers.binary_search_by_key(&k, |(x, _)| *x) {
                Ok(i) => self.numbers[i].1 = v,
                Err(i) => self.numbers.insert(i, (k, v)),
            },
            None => match self.others.binary_search_by(|((xk, xv), _)| (*xk, &**xv).cmp(&(kind, value))) {
                Ok(i) => self.others[i].1 = v,
                Err(i) => self.others.insert(i, ((kind, value.into()), v)),
            },
        }
    }

    fn get(&self, kind: EntityKind, value: &str) -> Option<&V> {
        match numeric_key(kind, value) {
            Some(k) => self.numbers.binary_search_by_key(&k, |(x, _)| *x).ok().map(|i| &self.numbers[i].1),
            None => self
                .others
                .binary_search_by(|((xk, xv), _)| (*xk, &**xv).cmp(&(kind, value)))
                .ok()
                .map(|i| &self.others[i].1),
        }
    }

    fn remove(&mut self, kind: EntityKind, value: &str) {
        match numeric_key(kind, value) {
            Some(k) => {
                if let Ok(i) = self.numbers.binary_search_by_key(&k, |(x, _)| *x) {
                    self.numbers.remove(i);
                }
            }
            None => {
                if let Ok(i) = self.others.binary_search_by(|((xk, xv), _)| (*xk, &**xv).cmp(&(kind, value)))
                {
                    self.others.remove(i);
                }
            }
        }
    }

    fn len(&self) -> usize {
        self.numbers.len() + self.others.len()
    }
}

/// A stored day (`YYYY-MM-DD`) as days since 1970-01-01 (0 when it is not a day).
fn day_number(day: Option<&str>) -> u32 {
    let Some(day) = day else { return 0 };
    let mut p = day.split('-').map(|x| x.parse::<i64>().ok());
    match (p.next().flatten(), p.next().flatten(), p.next().flatten()) {
        (Some(y), Some(m), Some(d)) => u32::try_from(crate::vntime::days_from_civil(y, m, d)).unwrap_or(0),
        _ => 0,
    }
}

/// The register in memory: every reported entity by kind and value, and the imported lists'
/// entries. Reads take a shared lock and a hash lookup per entity of the message.
#[derive(Debug, Default)]
pub struct MemoryRegister {
    map: RwLock<EntityMap<Known>>,
    /// Entries of the imported lists, with their list's name (swapped whole on a refresh).
    listed: RwLock<Arc<EntityMap<Arc<str>>>>,
    /// The newest decision and report ids seen (for [`MemoryRegister::sync`]).
    marks: std::sync::Mutex<(i64, i64)>,
}

impl MemoryRegister {
    /// The register as the store holds it.
    pub fn load(store: &Store) -> Result<Self, StoreError> {
        let r = Self::default();
        r.reload(store)?;
        Ok(r)
    }

    /// Reads everything again (at start, and after a retention purge removed entities).
    pub fn reload(&self, store: &Store) -> Result<(), StoreError> {
        let marks = store.register_marks()?;
        let (numbers, hosts) = store.register_size()?;
        let mut map = EntityMap::with_capacity(numbers, hosts);
        store.each_register_row(|kind, value, status, day, reports| {
            map.push(kind, value, Known { status, reports, decided: day_number(day) });
        })?;
        map.seal();
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
                let decided = if e.status == ReportStatus::Confirmed {
                    day_number(e.decided_day.as_deref())
                } else {
                    0
                };
                let known = Known {
                    status: e.status,
                    reports: u32::try_from(e.reports).unwrap_or(u32::MAX),
                    decided,
                };
                map.insert(kind, value, known);
            }
            None => map.remove(kind, value),
        }
        Ok(())
    }

    /// Replaces the imported lists' entries at once.
    pub fn set_listed(&self, entries: Listed) {
        let mut map = EntityMap::with_capacity(entries.len(), 0);
        for ((kind, value), source) in entries {
            map.push(kind, &value, source);
        }
        map.seal();
        *crate::lock_write(&self.listed) = Arc::new(map);
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
        if map.len() == 0 && listed.len() == 0 {
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
        for (kind, value) in &keys {
            // Imported lists: hosts match their parent domains too.
            let hit = if *kind == EntityKind::Host {
                crate::check::url::parent_domains(value).find_map(|h| listed.get(EntityKind::Host, h))
            } else {
                listed.get(*kind, value)
            };
            if let Some(source) = hit
                && !matches!(best, Standing::Listed { .. })
            {
                best = Standing::Listed { value: value.clone(), source: source.to_string() };
            }
        }
        for (kind, value) in keys {
            let Some(k) = map.get(kind, &value) else { continue };
            let standing = match k.status {
                ReportStatus::Confirmed => {
                    let (y, m, d) = crate::vntime::civil(i64::from(k.decided));
                    Standing::Confirmed {
                        value,
                        day: if k.decided == 0 { String::new() } else { format!("{d:02}/{m:02}/{y}") },
                        reports: k.reports,
                    }
                }
                ReportStatus::Pending => Standing::Reported { reporters: k.reports },
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
    fn packed_keys_keep_values_apart() {
        let k = |kind, v| numeric_key(kind, v);
        assert_ne!(k(EntityKind::Phone, "0912345678"), k(EntityKind::Phone, "912345678"), "leading zero");
        assert_ne!(k(EntityKind::Phone, "+12025550100"), k(EntityKind::Phone, "12025550100"));
        assert_ne!(k(EntityKind::Phone, "0123456789"), k(EntityKind::Account, "0123456789"));
        assert_eq!(k(EntityKind::Host, "a.vn"), None);
        assert_eq!(k(EntityKind::Account, "12345678901234567890"), None, "20 digits stay text");
        let mut m = EntityMap::default();
        m.push(EntityKind::Host, "b.top", 4);
        m.push(EntityKind::Phone, "0987654321", 5);
        m.seal();
        m.insert(EntityKind::Account, "12345678901234567890", 1);
        m.insert(EntityKind::Phone, "0912345678", 2);
        m.insert(EntityKind::Host, "scam.top", 3);
        m.insert(EntityKind::Host, "b.top", 6);
        assert_eq!(
            (m.get(EntityKind::Host, "b.top"), m.get(EntityKind::Phone, "0987654321")),
            (Some(&6), Some(&5))
        );
        assert_eq!(
            (m.get(EntityKind::Account, "12345678901234567890"), m.get(EntityKind::Phone, "0912345678")),
            (Some(&1), Some(&2))
        );
        m.remove(EntityKind::Host, "scam.top");
        assert_eq!((m.get(EntityKind::Host, "scam.top"), m.len()), (None, 4));
        assert_eq!(day_number(Some("1970-01-02")), 1);
    }

    #[test]
    fn phones_take_one_form() {
        assert_eq!(normal_phone("+84 987 654 321"), "0987654321");
        assert_eq!(normal_phone("84987654321"), "0987654321");
        assert_eq!(normal_phone("0987.654.321"), "0987654321");
        assert_eq!(normal_phone("+1 202 555 0100"), "+12025550100");
        assert_eq!(normal_phone("156"), "156");
    }
}
