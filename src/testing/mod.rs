//! Test and benchmark support: fake Telegram Bot API and Zalo OA API servers on 127.0.0.1 that
//! record every call. Nothing here talks to a real host.

pub mod fake_telegram;
pub mod fake_zalo;
pub mod images;
pub mod multipart;

/// Peak resident memory of this process so far, in kB (from `/proc`; 0 elsewhere).
#[must_use]
pub fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}
