//! Test and benchmark support: a fake Telegram Bot API served on 127.0.0.1, recording every
//! call. Nothing here talks to a real host.

pub mod fake_telegram;
