//! The weekly tip slot: a weekday and a time of day in Asia/Ho_Chi_Minh (UTC+7, no daylight
//! saving), parsed from `CANHGIAC_TIP_SCHEDULE` (e.g. `MON 08:00`, `T2 08:00`).

use thiserror::Error;

use crate::store::VN_OFFSET;

/// Seconds in a week.
pub const WEEK: i64 = 7 * 86_400;

/// A schedule that could not be read.
#[derive(Debug, Error, PartialEq, Eq)]
#[error(
    "CANHGIAC_TIP_SCHEDULE \"{0}\" is not a weekday and a time such as \"MON 08:00\" (MON…SUN or T2…T7, CN; 00:00–23:59)"
)]
pub struct ScheduleError(pub String);

/// The weekly slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TipSchedule {
    /// 0 = Monday … 6 = Sunday.
    weekday: i64,
    /// Minutes after midnight, Vietnamese time.
    minute: i64,
}

impl Default for TipSchedule {
    fn default() -> Self {
        Self { weekday: 0, minute: 8 * 60 }
    }
}

const DAYS: [[&str; 4]; 7] = [
    ["mon", "monday", "t2", "thu2"],
    ["tue", "tuesday", "t3", "thu3"],
    ["wed", "wednesday", "t4", "thu4"],
    ["thu", "thursday", "t5", "thu5"],
    ["fri", "friday", "t6", "thu6"],
    ["sat", "saturday", "t7", "thu7"],
    ["sun", "sunday", "cn", "chunhat"],
];

impl TipSchedule {
    /// Parses `DAY HH:MM`.
    pub fn parse(s: &str) -> Result<Self, ScheduleError> {
        let err = || ScheduleError(s.to_owned());
        let mut parts = s.split_whitespace();
        let (Some(day), Some(time), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(err());
        };
        let day = day.to_lowercase();
        let weekday = DAYS.iter().position(|names| names.contains(&day.as_str())).ok_or_else(err)?;
        let (h, m) = time.split_once(':').ok_or_else(err)?;
        let (h, m): (i64, i64) = (h.parse().map_err(|_| err())?, m.parse().map_err(|_| err())?);
        if !(0..24).contains(&h) || !(0..60).contains(&m) || time.len() > 5 {
            return Err(err());
        }
        Ok(Self { weekday: i64::try_from(weekday).map_err(|_| err())?, minute: h * 60 + m })
    }

    /// The latest slot at or before `now` (Unix seconds).
    #[must_use]
    pub fn latest_slot(&self, now: i64) -> i64 {
        let local = now + VN_OFFSET;
        let day = local.div_euclid(86_400);
        // 1970-01-01 was a Thursday (weekday 3 when Monday is 0).
        let weekday = (day + 3).rem_euclid(7);
        let mut slot = (day - weekday + self.weekday) * 86_400 + self.minute * 60;
        if slot > local {
            slot -= WEEK;
        }
        slot - VN_OFFSET
    }

    /// The first slot after `now`.
    #[must_use]
    pub fn next_slot(&self, now: i64) -> i64 {
        self.latest_slot(now) + WEEK
    }

    /// As written in Vietnamese, e.g. "thứ Hai, 08:00".
    #[must_use]
    pub fn describe(&self) -> String {
        let day = ["thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật"];
        let name = usize::try_from(self.weekday).ok().and_then(|i| day.get(i)).unwrap_or(&"thứ Hai");
        format!("{name}, {:02}:{:02}", self.minute / 60, self.minute % 60)
    }
}

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
pub fn vn_datetime(t: i64) -> String {
    let (day, minute) = local_day_minute(t);
    let (y, m, d) = civil(day);
    format!("{d:02}/{m:02}/{y} {:02}:{:02}", minute / 60, minute % 60)
}

/// A Unix time's Vietnamese date as `YYYY-MM-DD` (the form the store keeps days in).
#[must_use]
pub fn vn_date(t: i64) -> String {
    let (y, m, d) = civil(local_day_minute(t).0);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2026-11-23 is a Monday. 01:00 UTC = 08:00 in Vietnam.
    const MON_0800_VN: i64 = 1_795_395_600;

    #[test]
    fn parses_english_and_vietnamese_days() {
        assert_eq!(TipSchedule::parse("MON 08:00"), Ok(TipSchedule::default()));
        assert_eq!(TipSchedule::parse("t2 8:00"), Ok(TipSchedule::default()));
        assert_eq!(TipSchedule::parse("CN 21:30").map(|s| s.describe()), Ok("Chủ nhật, 21:30".into()));
        for bad in ["", "MON", "MON 24:00", "XYZ 08:00", "MON 08:60", "MON 08:00 extra", "MON 0800"] {
            assert!(TipSchedule::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn slots_are_in_vietnamese_time() {
        let s = TipSchedule::default();
        assert_eq!(s.latest_slot(MON_0800_VN), MON_0800_VN);
        assert_eq!(s.latest_slot(MON_0800_VN - 1), MON_0800_VN - WEEK);
        assert_eq!(s.latest_slot(MON_0800_VN + 3 * 86_400), MON_0800_VN);
        assert_eq!(s.next_slot(MON_0800_VN + 10), MON_0800_VN + WEEK);
        // Sunday 23:00 UTC is already Monday 06:00 in Vietnam: the slot is still ahead.
        assert_eq!(s.latest_slot(MON_0800_VN - 2 * 3600), MON_0800_VN - WEEK);
        assert_eq!(week_start(MON_0800_VN + 86_400), MON_0800_VN - 8 * 3600);
        assert_eq!(local_day_minute(MON_0800_VN).1, 8 * 60);
        assert_eq!(vn_datetime(MON_0800_VN), "23/11/2026 08:00");
        assert_eq!(vn_date(MON_0800_VN - 8 * 3600 - 1), "2026-11-22");
        assert_eq!(civil(0), (1970, 1, 1));
        assert_eq!(civil(11_016), (2000, 2, 29));
    }
}
