//! The black-box and engine tests, in one test binary (one link, one harness): each module
//! is one area; `common` holds the shared harness (the real content, a spawned app on port 0,
//! the CLI helper).

mod backup;
mod bot_engine;
mod browser;
mod campaign;
mod campaign_restart;
mod cards;
mod check_cli;
mod check_dev_floors;
mod check_engine;
mod check_scenarios;
mod cli_ask;
mod cli_bot;
mod common;
mod console;
mod content_check;
mod doctor;
mod durability;
mod operations;
mod report;
mod routing_dev_set;
mod scam_reports;
mod search_dev_set;
mod telegram;
mod vision;
mod web;
mod webhooks;
mod zalo;
