//! The weekly tip slot: a weekday and a time of day in Asia/Ho_Chi_Minh (UTC+7, no daylight
//! saving), parsed from `CANHGIAC_TIP_SCHEDULE` (e.g. `MON 08:00`, `T2 08:00`).

use thiserror::Error;

use crate::vntime::VN_OFFSET;

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
        format!("{}, {:02}:{:02}", self.day_name(), self.minute / 60, self.minute % 60)
    }

    /// The next slot after `now` as people say it, e.g. "08:00 thứ Hai, 30/11/2026".
    #[must_use]
    pub fn describe_next(&self, now: i64) -> String {
        let at = self.next_slot(now);
        format!(
            "{:02}:{:02} {}, {}",
            self.minute / 60,
            self.minute % 60,
            self.day_name(),
            crate::vntime::date_vi(at)
        )
    }

    fn day_name(&self) -> &'static str {
        let day = ["thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật"];
        usize::try_from(self.weekday).ok().and_then(|i| day.get(i)).copied().unwrap_or("thứ Hai")
    }
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
        assert_eq!(s.describe_next(MON_0800_VN + 10), "08:00 thứ Hai, 30/11/2026");
        // Sunday 23:00 UTC is already Monday 06:00 in Vietnam: the slot is still ahead.
        assert_eq!(s.latest_slot(MON_0800_VN - 2 * 3600), MON_0800_VN - WEEK);
    }
}
