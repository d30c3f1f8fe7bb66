//! What goes on each card, built from the content: a weekly tip, one of the 24 forms, the five
//! don'ts and the reporting channels. Only the words are chosen here; `render` draws them.

use crate::content::{Content, Entry, Tip};

/// The call to action at the foot of every card.
pub const CTA: &str = "Nghi ngờ? Gửi tin nhắn cho bot để kiểm tra";

/// Signs and pieces of advice a form card shows.
const PER_FORM: usize = 3;
/// Reporting channels a card lists (the content lists the main ones first).
const CHANNELS: usize = 7;

/// Which card.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CardId {
    /// A weekly tip, by id.
    Tip(String),
    /// One of the 24 forms, by id.
    Form(String),
    /// The five don'ts.
    Donts,
    /// Where to report a scam.
    Channels,
}

impl CardId {
    /// The file name without extension (`tip_001`, `form_07_fake_lender`, `nam_khong`).
    #[must_use]
    pub fn stem(&self, content: &Content) -> String {
        match self {
            Self::Tip(id) => id.clone(),
            Self::Form(id) => {
                let n = content.form(id).map_or(0, |f| f.number);
                format!("form_{n:02}_{id}")
            }
            Self::Donts => "nam_khong".into(),
            Self::Channels => "kenh_bao_cao".into(),
        }
    }

    /// Every card of a kind, in content order.
    #[must_use]
    pub fn all(content: &Content, kind: Kind) -> Vec<Self> {
        let mut ids = Vec::new();
        if matches!(kind, Kind::Tips | Kind::All) {
            ids.extend(content.tips.iter().map(|t| Self::Tip(t.id.clone())));
        }
        if matches!(kind, Kind::Forms | Kind::All) {
            ids.extend(content.forms.iter().map(|f| Self::Form(f.id.clone())));
        }
        if matches!(kind, Kind::Donts | Kind::All) {
            ids.push(Self::Donts);
        }
        if matches!(kind, Kind::Channels | Kind::All) {
            ids.push(Self::Channels);
        }
        ids
    }
}

/// A group of cards (`canhgiac cards render --kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The weekly tips.
    Tips,
    /// The 24 forms.
    Forms,
    /// The five don'ts.
    Donts,
    /// The reporting channels.
    Channels,
    /// Everything.
    All,
}

impl std::str::FromStr for Kind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "tips" | "meo" => Self::Tips,
            "forms" | "hinhthuc" => Self::Forms,
            "donts" | "namkhong" | "5khong" => Self::Donts,
            "channels" | "kenh" => Self::Channels,
            "all" | "tatca" => Self::All,
            other => {
                return Err(format!(
                    "\"{other}\" không phải loại thẻ: tips, forms, donts, channels hoặc all"
                ));
            }
        })
    }
}

/// One line of a list: plain, or with a bold lead phrase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// Plain text.
    Plain(String),
    /// A bold lead, then text.
    Lead {
        /// The bold part.
        lead: String,
        /// The rest.
        text: String,
    },
}

/// A part of the card under the title.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Section {
    /// Its heading.
    pub heading: Option<String>,
    /// Paragraphs.
    pub paras: Vec<String>,
    /// A list.
    pub items: Vec<Item>,
    /// The list is numbered (else bulleted).
    pub numbered: bool,
}

/// The words of a card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardSpec {
    /// The small label above the title.
    pub kicker: String,
    /// The title.
    pub title: String,
    /// What is under the title.
    pub sections: Vec<Section>,
    /// The call to action in the footer.
    pub cta: String,
    /// Much text: start from smaller sizes.
    pub dense: bool,
}

/// The words of a card; `None` when its tip or form is not in the content.
#[must_use]
pub fn spec(content: &Content, id: &CardId) -> Option<CardSpec> {
    match id {
        CardId::Tip(id) => content.tip(id).map(|t| tip(content, t)),
        CardId::Form(id) => {
            let f = content.form(id)?;
            let list = |v: &[String]| v.iter().take(PER_FORM).cloned().map(Item::Plain).collect();
            Some(CardSpec {
                kicker: format!("Hình thức lừa đảo {}/{}", f.number, content.forms.len()),
                title: f.title.clone(),
                sections: vec![
                    Section {
                        heading: Some("Dấu hiệu nhận biết".into()),
                        items: list(&f.signs),
                        ..Section::default()
                    },
                    Section {
                        heading: Some("Cách phòng tránh".into()),
                        items: list(&f.advice),
                        ..Section::default()
                    },
                ],
                cta: CTA.into(),
                dense: true,
            })
        }
        CardId::Donts => {
            let t = content.topics.iter().find(|t| t.id == "five_donts")?;
            Some(CardSpec {
                kicker: "Quy tắc phòng chống lừa đảo".into(),
                title: format!("{} để không bị lừa", t.title),
                sections: vec![Section {
                    items: t.items.iter().map(|i| Item::Plain(i.title.clone())).collect(),
                    numbered: true,
                    ..Section::default()
                }],
                cta: CTA.into(),
                dense: false,
            })
        }
        CardId::Channels => {
            let t = content.topics.iter().find(|t| t.id == "report_channels")?;
            Some(CardSpec {
                kicker: "Gặp lừa đảo, báo ngay".into(),
                title: t.title.clone(),
                sections: vec![Section {
                    items: t.items.iter().take(CHANNELS).map(|i| Item::Plain(i.title.clone())).collect(),
                    ..Section::default()
                }],
                cta: CTA.into(),
                dense: false,
            })
        }
    }
}

/// A weekly tip's card: what it is about as the title, the tip as the text.
fn tip(content: &Content, tip: &Tip) -> CardSpec {
    CardSpec {
        kicker: "Mẹo cảnh giác".into(),
        title: tip_title(content, tip),
        sections: vec![Section { paras: vec![tip.text.clone()], ..Section::default() }],
        cta: CTA.into(),
        dense: false,
    }
}

/// What a tip is about: its form's title, its don't, or its topic.
#[must_use]
pub fn tip_title(content: &Content, tip: &Tip) -> String {
    if let Some(entry) = content.entry(&tip.reference) {
        return match entry {
            Entry::Form(f) => f.title.clone(),
            other => other.title().to_owned(),
        };
    }
    content
        .topics
        .iter()
        .flat_map(|t| &t.items)
        .find(|i| i.id.as_deref() == Some(tip.reference.as_str()))
        .map_or_else(|| "Mẹo cảnh giác tuần này".to_owned(), |i| i.title.clone())
}
