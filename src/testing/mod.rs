//! Test and benchmark support: fake Telegram Bot API and Zalo OA API servers on 127.0.0.1 that
//! record every call. Nothing here talks to a real host.

pub mod fake_telegram;
pub mod fake_zalo;
pub mod images;
pub mod multipart;
