//! The handbook as data: the content model, loading from `content/*.yaml` and validation.
//!
//! Loading always validates; `canhgiac content check` and the run-time loader share the same
//! rules, and every problem is reported with the file, the entry id and the field.

pub mod embedded;
mod error;
mod load;
mod model;
mod validate;

pub use error::{ContentError, ContentErrors};
pub use load::load;
pub use model::{
    Brand, Brands, Content, Difficulty, Entry, EntryKind, Example, ExampleKind, Form, Group, HostWeights,
    Item, QuizOption, QuizQuestion, SignalDef, Signals, Tactic, Tip, Topic, Weights,
};
pub use validate::MAX_TIP;

/// The 24 fraud form ids, in handbook order.
pub const FORM_IDS: [&str; 24] = [
    "cheap_travel_combo",
    "deepfake_call",
    "sim_lock_standardization",
    "fake_transfer_receipt",
    "fake_emergency_relative",
    "kid_model_casting",
    "fake_lender",
    "gambling_loan_ads",
    "fake_official_website",
    "sms_brandname_spoofing",
    "investment_crypto",
    "online_collaborator_job",
    "social_account_takeover",
    "fake_police_procuracy",
    "counterfeit_ecommerce",
    "stolen_id_loan",
    "mistaken_transfer",
    "fund_recovery_service",
    "telegram_otp_theft",
    "fake_news_flashai",
    "facebook_recovery_service",
    "romance_parcel_prize",
    "phishing_link_seeding",
    "lottery_number_tips",
];

/// The three group ids.
pub const GROUP_IDS: [&str; 3] = ["brand_impersonation", "account_takeover", "combined"];

/// The four topic ids.
pub const TOPIC_IDS: [&str; 4] = ["overview", "five_donts", "after_scammed", "report_channels"];

/// The five don'ts, in order.
pub const DONT_IDS: [&str; 5] = [
    "dont_strange_links",
    "dont_share_personal_info",
    "dont_pay_loan_fees",
    "dont_pay_for_orders",
    "dont_share_otp",
];
