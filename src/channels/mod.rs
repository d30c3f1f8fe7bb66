//! Channel adapters: translate platform events into `bot::Incoming` and `bot::Reply` into
//! platform calls. Only this layer knows teloxide or terminal details.

/// Compares secrets in constant time (no early exit on the first differing byte).
#[must_use]
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub mod console;
pub mod render;
pub mod telegram;
pub mod zalo;
