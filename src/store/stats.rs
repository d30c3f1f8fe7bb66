//! The statistics repository: aggregate day counters (kind, key, count) that hold no user.

use rusqlite::params;

use super::{Store, StoreError, Unit};

impl Store {
    /// Adds one to an aggregate counter for today (Vietnamese date), e.g. kind `verdict`, key
    /// `scam`; kind `form`, key a form id.
    pub fn count(&self, kind: &str, key: &str) -> Result<(), StoreError> {
        Unit { c: &self.conn() }.count(kind, key)
    }

    /// Totals of a kind of counter over the days `from..=to` (YYYY-MM-DD; `None`: no bound),
    /// largest first.
    pub fn totals_between(
        &self,
        kind: &str,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        let c = self.reader();
        let mut st = c.prepare_cached(
            "SELECT key, SUM(count) FROM stats WHERE kind = ?1
               AND (?2 IS NULL OR day >= ?2) AND (?3 IS NULL OR day <= ?3)
             GROUP BY key ORDER BY 2 DESC, 1",
        )?;
        let rows = st.query_map(params![kind, from, to], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Day-by-day counts of a kind of counter over `from..=to` (YYYY-MM-DD), as (day, key,
    /// count) ordered by day: the console's chart.
    pub fn daily_totals(
        &self,
        kind: &str,
        from: &str,
        to: &str,
    ) -> Result<Vec<(String, String, i64)>, StoreError> {
        let c = self.reader();
        let mut st = c.prepare_cached(
            "SELECT day, key, SUM(count) FROM stats WHERE kind = ?1 AND day >= ?2 AND day <= ?3
             GROUP BY day, key ORDER BY day, key",
        )?;
        let rows = st.query_map(params![kind, from, to], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Totals of a kind of counter over all days, largest first.
    pub fn totals(&self, kind: &str) -> Result<Vec<(String, i64)>, StoreError> {
        self.totals_between(kind, None, None)
    }
}
