//! Vietnamese time (Asia/Ho_Chi_Minh: UTC+7, no daylight saving): local days and minutes,
//! calendar dates and the forms people read them in. Shared by the store (days it counts by),
//! the campaign (weekly slots, Zalo's sending window) and the report.

/// Vietnam's offset from UTC.
pub const VN_OFFSET: i64 = 7 * 3600;

/// Vietnamese local time parts of a Unix time: (days since 1970-01-01, minute of the day).
#[must_use]
pub fn local_day_minute(now: i64) -> (i64, i64) {
    let local = now + VN_OFFSET;
    (local.div_euclid(86_400), local.rem_euclid(86_400) / 60)
}

/// The Unix time of a Vietnamese local day (days since 1970-01-01) at a minute of the day.
#[must_use]
pub fn local_time(day: i64, minute: i64) -> i64 {
    day * 86_400 + minute * 60 - VN_OFFSET
}

/// Monday 00:00 (Vietnamese time) of the week containing `now`.
#[must_use]
pub fn week_start(now: i64) -> i64 {
    let (day, _) = local_day_minute(now);
    local_time(day - (day + 3).rem_euclid(7), 0)
}

/// (year, month, day) of a day count since 1970-01-01 (proleptic Gregorian calendar).
#[must_use]
pub fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// A Unix time as Vietnamese local date and time, `23/11/2026 08:00`.
#[must_use]
pub fn datetime_vi(t: i64) -> String {
    let minute = local_day_minute(t).1;
    format!("{} {:02}:{:02}", date_vi(t), minute / 60, minute % 60)
}

/// A Unix time's Vietnamese date as `YYYY-MM-DD` (the form the store keeps days in).
#[must_use]
pub fn iso_date(t: i64) -> String {
    let (y, m, d) = civil(local_day_minute(t).0);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian); the inverse of [`civil`].
#[must_use]
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// A Unix time's Vietnamese date as people write it, `23/11/2026`.
#[must_use]
pub fn date_vi(t: i64) -> String {
    let (y, m, d) = civil(local_day_minute(t).0);
    format!("{d:02}/{m:02}/{y}")
}

/// A stored day (`YYYY-MM-DD`) as people write it (`DD/MM/YYYY`); anything else unchanged.
#[must_use]
pub fn iso_vi(day: &str) -> String {
    let p: Vec<&str> = day.split('-').collect();
    match p[..] {
        [y, m, d] => format!("{d}/{m}/{y}"),
        _ => day.to_owned(),
    }
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` day; `None` if it is not a real date.
#[must_use]
pub fn iso_day(s: &str) -> Option<i64> {
    let p: Vec<i64> = s.split('-').map(|x| x.parse().ok()).collect::<Option<_>>()?;
    let [y, m, d] = p[..] else { return None };
    let days = days_from_civil(y, m, d);
    (civil(days) == (y, m, d) && s.len() == 10).then_some(days)
}

/// The `YYYY-MM-DD` of a day count since 1970-01-01.
#[must_use]
pub fn iso_of_day(days: i64) -> String {
    let (y, m, d) = civil(days);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2026-11-23 is a Monday. 01:00 UTC = 08:00 in Vietnam.
    const MON_0800_VN: i64 = 1_795_395_600;

    #[test]
    fn local_days_dates_and_weeks() {
        assert_eq!(week_start(MON_0800_VN + 86_400), MON_0800_VN - 8 * 3600);
        assert_eq!(local_day_minute(MON_0800_VN).1, 8 * 60);
        assert_eq!(datetime_vi(MON_0800_VN), "23/11/2026 08:00");
        let day = iso_day("2026-11-23").expect("a date");
        assert_eq!(iso_of_day(day), "2026-11-23");
        assert_eq!(iso_of_day(day + 8), "2026-12-01");
        assert_eq!(iso_day("2026-02-30"), None);
        assert_eq!(iso_day("2026-1-1"), None);
        assert_eq!(iso_date(MON_0800_VN - 8 * 3600 - 1), "2026-11-22");
        assert_eq!(date_vi(1_735_664_400), "01/01/2025");
        assert_eq!(date_vi(1_735_664_399), "31/12/2024");
        assert_eq!(civil(0), (1970, 1, 1));
        assert_eq!(civil(11_016), (2000, 2, 29));
        assert_eq!(days_from_civil(2000, 2, 29), 11_016);
    }
}
