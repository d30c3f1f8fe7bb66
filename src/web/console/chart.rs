//! The dashboard's chart: checks per day by verdict as stacked bars, drawn as SVG on the
//! server (presentation attributes only, so the pages' CSP needs no inline styles).

use std::fmt::Write as _;

use crate::check::Verdict;

/// Verdicts from the worst, bottom of each bar, with their colours.
const SERIES: [(Verdict, &str); 4] = [
    (Verdict::Scam, "#b3261e"),
    (Verdict::Suspicious, "#e8a317"),
    (Verdict::Unverified, "#8a8f98"),
    (Verdict::Safe, "#2e7d32"),
];

/// One day's counts, in [`SERIES`] order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Day {
    /// YYYY-MM-DD.
    pub day: String,
    /// Counts per verdict, worst first.
    pub counts: [i64; 4],
}

/// Every day of `from..=to` (YYYY-MM-DD) with the counts found in `rows` (day, verdict key,
/// count); days without checks count zero.
#[must_use]
pub fn days(from: &str, to: &str, rows: &[(String, String, i64)]) -> Vec<Day> {
    let mut out = Vec::new();
    let (Some(first), Some(end)) = (crate::vntime::iso_day(from), crate::vntime::iso_day(to)) else {
        return out;
    };
    // At most a year of bars: a longer range shows its last 366 days.
    for n in first.max(end - 365)..=end {
        let day = crate::vntime::iso_of_day(n);
        let mut counts = [0; 4];
        for (_, key, n) in rows.iter().filter(|(d, _, _)| *d == day) {
            if let Some(i) = SERIES.iter().position(|(v, _)| Verdict::parse(key) == Some(*v)) {
                counts[i] += n;
            }
        }
        out.push(Day { day, counts });
    }
    out
}

/// A round axis maximum at or above `max`.
fn nice_max(max: i64) -> i64 {
    let max = max.max(1);
    let mut step = 1;
    while step * 10 < max {
        step *= 10;
    }
    [1, 2, 5, 10].iter().map(|m| m * step).find(|v| *v >= max).unwrap_or(max)
}

/// `dd/mm` of a YYYY-MM-DD day.
fn short(day: &str) -> String {
    match (day.get(8..10), day.get(5..7)) {
        (Some(d), Some(m)) => format!("{d}/{m}"),
        _ => day.to_owned(),
    }
}

/// The chart as an inline `<svg>` element (with a text alternative); its legend is HTML
/// beside it (`overview.html`), in the same colours.
#[must_use]
pub fn svg(days: &[Day]) -> String {
    let (w, h, left, bottom, top) = (720.0_f64, 280.0_f64, 52.0_f64, 34.0_f64, 14.0_f64);
    let plot_h = h - bottom - top;
    let total: i64 = days.iter().map(|d| d.counts.iter().sum::<i64>()).sum();
    let max = nice_max(days.iter().map(|d| d.counts.iter().sum::<i64>()).max().unwrap_or(0));
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="Số lượt kiểm tra theo ngày: tổng {total} lượt" xmlns="http://www.w3.org/2000/svg">"#
    );
    for i in 0..=4 {
        let v = max * i / 4;
        let y = top + plot_h - plot_h * (i as f64) / 4.0;
        let _ = write!(
            s,
            r##"<line x1="{left}" y1="{y:.1}" x2="{w}" y2="{y:.1}" stroke="#dde1e6" stroke-width="1"/><text x="{:.1}" y="{:.1}" font-size="18" text-anchor="end" fill="#555">{v}</text>"##,
            left - 6.0,
            y + 6.0
        );
    }
    let n = days.len().max(1) as f64;
    let slot = (w - left) / n;
    let bar = (slot * 0.7).max(1.0);
    // Room for about seven date labels at a phone's size.
    let label_every = days.len().div_ceil(7).max(1);
    for (i, d) in days.iter().enumerate() {
        let x = left + slot * i as f64 + (slot - bar) / 2.0;
        let mut y = top + plot_h;
        for (k, (verdict, colour)) in SERIES.iter().enumerate() {
            let c = d.counts[k];
            if c == 0 {
                continue;
            }
            let bh = plot_h * c as f64 / max as f64;
            y -= bh;
            let _ = write!(
                s,
                r#"<rect x="{x:.1}" y="{y:.1}" width="{bar:.1}" height="{bh:.1}" fill="{colour}"><title>{}: {} {c}</title></rect>"#,
                short(&d.day),
                verdict.label_vi()
            );
        }
        if i % label_every == 0 {
            let _ = write!(
                s,
                r##"<text x="{:.1}" y="{:.1}" font-size="18" text-anchor="middle" fill="#555">{}</text>"##,
                x + bar / 2.0,
                h - bottom + 24.0,
                short(&d.day)
            );
        }
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_fill_gaps_and_bars_stack() {
        let rows = vec![
            ("2026-11-02".to_owned(), "scam".to_owned(), 3),
            ("2026-11-02".to_owned(), "safe".to_owned(), 1),
            ("2026-11-04".to_owned(), "suspicious".to_owned(), 2),
        ];
        let d = days("2026-11-01", "2026-11-04", &rows);
        assert_eq!(d.len(), 4);
        assert_eq!(d[1].counts, [3, 0, 0, 1]);
        assert_eq!(d[0].counts, [0; 4]);
        let svg = svg(&d);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches("<rect").count(), 3, "three bars");
        assert!(svg.contains("tổng 6 lượt") && svg.contains("02/11"));
        assert_eq!(nice_max(7), 10);
        assert_eq!(nice_max(130), 200);
        assert_eq!(nice_max(0), 1);
    }
}
