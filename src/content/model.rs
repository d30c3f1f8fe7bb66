//! The content model: forms, groups, topics, tips, quiz questions and the lexicon.

use std::{collections::HashMap, sync::Arc};

use serde::Deserialize;

use crate::text::Lexicon;

/// One of the 24 forms of online fraud.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Form {
    /// Stable id.
    pub id: String,
    /// Handbook number, 1..=24.
    pub number: u8,
    /// Vietnamese name.
    pub title: String,
    /// Group ids, main group first.
    pub groups: Vec<String>,
    /// Other names people use.
    pub aliases: Vec<String>,
    /// Words a user might type.
    pub keywords: Vec<String>,
    /// Two or three sentences.
    pub summary: String,
    /// Signs to recognise it.
    pub signs: Vec<String>,
    /// What to do.
    pub advice: Vec<String>,
    /// Example messages or call scripts.
    pub examples: Vec<Example>,
    /// Related form ids.
    pub related: Vec<String>,
}

/// The medium of an example.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExampleKind {
    /// Text message.
    Sms,
    /// Phone or video call script.
    Call,
    /// Chat message (Zalo, Messenger, Telegram).
    Chat,
    /// Social media post or ad.
    Post,
    /// E-mail.
    Email,
}

/// An example scam message.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    /// Medium.
    pub kind: ExampleKind,
    /// The message.
    pub text: String,
}

/// One of the three groups.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    /// Stable id.
    pub id: String,
    /// Vietnamese name.
    pub title: String,
    /// Other names.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Description.
    pub summary: String,
    /// Form ids whose main group this is.
    pub forms: Vec<String>,
}

/// A topic: overview, the five don'ts, after being scammed, where to report.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Topic {
    /// Stable id.
    pub id: String,
    /// Vietnamese title.
    pub title: String,
    /// Other names.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Words a user might type.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Introduction.
    pub summary: String,
    /// Points, steps or channels.
    pub items: Vec<Item>,
}

/// A point of a topic.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// Optional id (required for the five don'ts).
    #[serde(default)]
    pub id: Option<String>,
    /// Short heading.
    pub title: String,
    /// Detail.
    pub text: String,
}

/// A weekly awareness tip.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tip {
    /// Stable id.
    pub id: String,
    /// The form, don't or topic it is about.
    #[serde(rename = "ref")]
    pub reference: String,
    /// The tip.
    pub text: String,
}

/// How hard a quiz question is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Difficulty {
    /// Easy.
    Easy,
    /// Medium.
    Medium,
    /// Hard.
    Hard,
}

/// A multiple-choice quiz question.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuizQuestion {
    /// Stable id.
    pub id: String,
    /// The form (or topic) it is about.
    pub form: String,
    /// Difficulty.
    pub difficulty: Difficulty,
    /// The question.
    pub question: String,
    /// Three or four options, exactly one correct.
    pub options: Vec<QuizOption>,
    /// Why the answer is right.
    pub explanation: String,
}

impl QuizQuestion {
    /// Index of the correct option (validation guarantees there is exactly one).
    #[must_use]
    pub fn correct_index(&self) -> usize {
        self.options.iter().position(|o| o.correct).unwrap_or(0)
    }
}

/// An answer option.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuizOption {
    /// Option text.
    pub text: String,
    /// Whether it is the right answer.
    #[serde(default)]
    pub correct: bool,
}

/// What kind of searchable entry an id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// One of the 24 forms.
    Form,
    /// One of the 3 groups.
    Group,
    /// One of the 4 topics.
    Topic,
}

/// A searchable entry: a form, a group or a topic.
#[derive(Debug, Clone, Copy)]
pub enum Entry<'a> {
    /// A form.
    Form(&'a Form),
    /// A group.
    Group(&'a Group),
    /// A topic.
    Topic(&'a Topic),
}

impl Entry<'_> {
    /// The id.
    #[must_use]
    pub fn id(&self) -> &str {
        match self {
            Self::Form(f) => &f.id,
            Self::Group(g) => &g.id,
            Self::Topic(t) => &t.id,
        }
    }

    /// The title.
    #[must_use]
    pub fn title(&self) -> &str {
        match self {
            Self::Form(f) => &f.title,
            Self::Group(g) => &g.title,
            Self::Topic(t) => &t.title,
        }
    }

    /// The kind.
    #[must_use]
    pub fn kind(&self) -> EntryKind {
        match self {
            Self::Form(_) => EntryKind::Form,
            Self::Group(_) => EntryKind::Group,
            Self::Topic(_) => EntryKind::Topic,
        }
    }
}

/// All content, validated.
#[derive(Debug, Clone)]
pub struct Content {
    /// The 24 forms in handbook order.
    pub forms: Vec<Form>,
    /// The 3 groups.
    pub groups: Vec<Group>,
    /// The 4 topics.
    pub topics: Vec<Topic>,
    /// Weekly tips.
    pub tips: Vec<Tip>,
    /// The quiz bank.
    pub quiz: Vec<QuizQuestion>,
    /// The compiled lexicon.
    pub lexicon: Arc<Lexicon>,
    /// Official brands, shorteners and risky TLDs for the scam checker.
    pub brands: Brands,
    /// Scam signals and safe cues.
    pub signals: Signals,
    /// The checker's fitted model.
    pub weights: Weights,
    /// The checker's fitted host model.
    pub host_weights: HostWeights,
    /// Chat routing vocabulary.
    pub routing: Routing,
    /// SHA-256 of every content file (names and bytes), hex.
    pub hash: String,
    pub(crate) by_id: HashMap<String, (EntryKind, usize)>,
}

impl Content {
    /// Looks up a searchable entry by id.
    #[must_use]
    pub fn entry(&self, id: &str) -> Option<Entry<'_>> {
        let (kind, i) = *self.by_id.get(id)?;
        Some(match kind {
            EntryKind::Form => Entry::Form(&self.forms[i]),
            EntryKind::Group => Entry::Group(&self.groups[i]),
            EntryKind::Topic => Entry::Topic(&self.topics[i]),
        })
    }

    /// Every searchable entry: topics, groups, then forms.
    pub fn entries(&self) -> impl Iterator<Item = Entry<'_>> {
        self.topics
            .iter()
            .map(Entry::Topic)
            .chain(self.groups.iter().map(Entry::Group))
            .chain(self.forms.iter().map(Entry::Form))
    }

    /// A quiz question by id.
    #[must_use]
    pub fn question(&self, id: &str) -> Option<&QuizQuestion> {
        self.quiz.iter().find(|q| q.id == id)
    }

    /// A weekly tip by id.
    #[must_use]
    pub fn tip(&self, id: &str) -> Option<&Tip> {
        self.tips.iter().find(|t| t.id == id)
    }

    /// A form by id.
    #[must_use]
    pub fn form(&self, id: &str) -> Option<&Form> {
        match self.entry(id)? {
            Entry::Form(f) => Some(f),
            _ => None,
        }
    }

    /// Quiz questions about a form or topic.
    pub fn quiz_for<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a QuizQuestion> + 'a {
        self.quiz.iter().filter(move |q| q.form == id)
    }

    /// Tips about a form, don't or topic.
    pub fn tips_for<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Tip> + 'a {
        self.tips.iter().filter(move |t| t.reference == id)
    }
}

/// An official brand scammers impersonate (`content/brands.yaml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Brand {
    /// Stable id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// bank, government, utility, carrier, ecommerce, courier, social, ewallet, finance, other.
    pub category: String,
    /// Real registrable domains.
    #[serde(default)]
    pub domains: Vec<String>,
    /// Distinctive ASCII brand tokens used to spot look-alike domains.
    #[serde(default)]
    pub keywords: Vec<String>,
}

/// `content/brands.yaml`.
#[derive(Debug, Clone, Default)]
pub struct Brands {
    /// The brands.
    pub brands: Vec<Brand>,
    /// Any domain under these suffixes is official (e.g. `gov.vn`).
    pub official_suffixes: Vec<String>,
    /// URL shortener domains.
    pub shorteners: Vec<String>,
    /// TLDs heavily used by phishing.
    pub risky_tlds: Vec<String>,
    /// Hosts where anyone can publish (chat groups, profiles, forms, free hosting).
    pub user_content: Vec<String>,
}

/// The part a signal plays in a scam: a scam is a pretext plus an ask plus pressure.
/// The checker's floors are written over these classes (see `check::tactics`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tactic {
    /// Asks for an OTP, a password, a PIN or card data.
    AskCredentials,
    /// Asks to transfer money, pay a fee, a deposit or a top-up.
    AskMoney,
    /// Asks for identity documents, a selfie, personal or account data.
    AskPersonal,
    /// Asks to install an app, an APK or a remote-control tool, or grant permissions.
    AskInstall,
    /// Asks to log in or "verify" through a link.
    AskLogin,
    /// Asks to call back, press a key, dial a code or text a number.
    AskCallback,
    /// Asks to move to another chat app or group.
    AskMoveApp,
    /// Asks to keep the matter secret.
    AskSecrecy,
    /// Asks to release goods against a claimed payment.
    AskGoods,
    /// A story that makes the ask look legitimate (authority, bank, relative in trouble, prize...).
    Pretext,
    /// Deadlines.
    Pressure,
    /// Threats: arrest, a locked account or SIM, a cut-off, exposure.
    Threat,
}

impl Tactic {
    /// Whether the tactic is an ask (something the sender wants the victim to do).
    #[must_use]
    pub fn is_ask(self) -> bool {
        !matches!(self, Self::Pretext | Self::Pressure | Self::Threat)
    }
}

/// A named scam signal or safe cue (`content/signals.yaml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignalDef {
    /// Stable id.
    pub id: String,
    /// Vietnamese label shown to users.
    pub label: String,
    /// Phrases, matched as token sequences without regard to diacritics.
    #[serde(default)]
    pub phrases: Vec<String>,
    /// Request verbs: with `objects`, the signal fires when an object follows a verb within
    /// `window` words ("đọc giúp em mã OTP").
    #[serde(default)]
    pub verbs: Vec<String>,
    /// What the verbs must act on.
    #[serde(default)]
    pub objects: Vec<String>,
    /// Most words between the end of a verb and the start of its object (default 4).
    #[serde(default)]
    pub window: Option<usize>,
    /// Fraud forms the signal points to.
    #[serde(default)]
    pub forms: Vec<String>,
    /// Its class in the scam's anatomy (signals without one only feed the model).
    #[serde(default)]
    pub tactic: Option<Tactic>,
    /// Advice specific to this tactic, shown when it fires.
    #[serde(default)]
    pub advice: Vec<String>,
    /// Other findings (signal, URL or structural feature ids) one of which must be present for
    /// this signal to fire at all.
    #[serde(default)]
    pub with: Vec<String>,
    /// Safe cues only: tactics this cue cancels when the message gives no channel of its own
    /// (no unknown link, mobile number or account): a real OTP notice "asks" for nothing.
    #[serde(default)]
    pub cancels: Vec<Tactic>,
}

/// `content/signals.yaml`.
#[derive(Debug, Clone, Default)]
pub struct Signals {
    /// Scam signals.
    pub signals: Vec<SignalDef>,
    /// Patterns of legitimate messages.
    pub safe_cues: Vec<SignalDef>,
    /// Words people put around a pasted link, number or account when they ask about it
    /// ("có phải lừa đảo không", "kiểm tra giúp"): they do not make it a message.
    pub query_words: Vec<String>,
}

/// `content/routing.yaml`: how the chat tells messages, questions and small talk apart.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Routing {
    /// Words asking the bot to judge what comes with them.
    pub check_requests: Vec<String>,
    /// Marks of a question.
    pub question_markers: Vec<String>,
    /// Marks of a received message.
    pub message_markers: Vec<String>,
    /// Greetings and thanks.
    pub smalltalk: Vec<String>,
    /// The campaign's topic words.
    pub topic_words: Vec<String>,
    /// Words that make a question about scams whatever else it contains.
    #[serde(default)]
    pub question_topics: Vec<String>,
    /// Last words that make a sentence a yes/no question.
    #[serde(default)]
    pub question_endings: Vec<String>,
}

/// `content/host_weights.yaml`: the lexical host model (see `check::hostmodel`).
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HostWeights {
    /// Intercept.
    pub bias: f64,
    /// Probability from which an unknown host looks like a scam host.
    pub threshold: f64,
    /// Hashed feature bucket → weight.
    #[serde(default)]
    pub buckets: std::collections::BTreeMap<u32, f64>,
}

/// `content/weights.yaml`: the checker's logistic model, fitted by `canhgiac eval --fit`.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Weights {
    /// Intercept.
    pub bias: f64,
    /// Probability from which a message is `scam`.
    pub scam_threshold: f64,
    /// Probability from which a message is `suspicious`.
    pub suspicious_threshold: f64,
    /// Feature id → weight.
    pub features: std::collections::BTreeMap<String, f64>,
    /// Hashed n-gram bucket → weight (see `check::textmodel`).
    #[serde(default)]
    pub text: std::collections::BTreeMap<u32, f64>,
}
