//! Channel adapters: translate platform events into `bot::Incoming` and `bot::Reply` into
//! platform calls. Only this layer knows teloxide or terminal details.

pub mod console;
pub mod render;
pub mod telegram;
pub mod zalo;
