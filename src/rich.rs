//! Channel-agnostic rich text: headings, paragraphs with bold and links, bullet lists.
//!
//! The engine produces `Rich`; each channel renders and escapes it for its platform. This module
//! renders plain text (JSON output, Zalo), terminal text (ANSI bold when on a terminal) and web
//! HTML (escaped; links shown, not followed: a checked message's links may be dangerous).

/// A run of text inside a paragraph or list item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Span {
    /// Plain text.
    Text(String),
    /// Bold text.
    Bold(String),
    /// A link.
    Link {
        /// Visible text.
        text: String,
        /// Target URL.
        url: String,
    },
}

/// A block of rich text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A short heading.
    Heading(String),
    /// A paragraph.
    Paragraph(Vec<Span>),
    /// A bullet list; each item is a line of spans.
    Bullets(Vec<Vec<Span>>),
    /// A numbered list.
    Numbered(Vec<Vec<Span>>),
}

/// Structured text, built block by block.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rich {
    /// The blocks, in order.
    pub blocks: Vec<Block>,
}

/// Spans as text: bold as ANSI bold when `ansi`, links as "text (url)".
#[must_use]
pub fn spans_text(sp: &[Span], ansi: bool) -> String {
    sp.iter()
        .map(|s| match s {
            Span::Text(t) => t.clone(),
            Span::Bold(t) if ansi => format!("\x1b[1m{t}\x1b[0m"),
            Span::Bold(t) => t.clone(),
            Span::Link { text, url } if text == url => url.clone(),
            Span::Link { text, url } => format!("{text} ({url})"),
        })
        .collect()
}

/// Text escaped for HTML (the web pages and Telegram's HTML both use it).
pub(crate) fn esc(s: &str) -> String {
    html_escape::encode_text(s).into_owned()
}

fn spans_html(sp: &[Span]) -> String {
    sp.iter()
        .map(|s| match s {
            Span::Text(t) => esc(t),
            Span::Bold(t) => format!("<strong>{}</strong>", esc(t)),
            Span::Link { text, url } if text == url => format!("<span class=\"link\">{}</span>", esc(url)),
            Span::Link { text, url } => format!("{} (<span class=\"link\">{}</span>)", esc(text), esc(url)),
        })
        .collect()
}

impl Rich {
    /// Web HTML, escaped: headings, paragraphs, lists. Links are shown as text, never as
    /// clickable anchors (they may be the scam's own links).
    #[must_use]
    pub fn to_html(&self) -> String {
        let list = |items: &[Vec<Span>]| {
            items.iter().map(|i| format!("<li>{}</li>", spans_html(i))).collect::<String>()
        };
        self.blocks
            .iter()
            .map(|b| match b {
                Block::Heading(h) => format!("<h3>{}</h3>", esc(h)),
                Block::Paragraph(p) => format!("<p>{}</p>", spans_html(p)),
                Block::Bullets(items) => format!("<ul>{}</ul>", list(items)),
                Block::Numbered(items) => format!("<ol>{}</ol>", list(items)),
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Empty text.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a heading.
    #[must_use]
    pub fn heading(mut self, text: impl Into<String>) -> Self {
        self.blocks.push(Block::Heading(text.into()));
        self
    }

    /// Adds every block of `other` after these.
    #[must_use]
    pub fn append(mut self, other: Rich) -> Self {
        self.blocks.extend(other.blocks);
        self
    }

    /// Adds a plain paragraph.
    #[must_use]
    pub fn para(mut self, text: impl Into<String>) -> Self {
        self.blocks.push(Block::Paragraph(vec![Span::Text(text.into())]));
        self
    }

    /// Adds a paragraph of spans.
    #[must_use]
    pub fn spans(mut self, spans: Vec<Span>) -> Self {
        self.blocks.push(Block::Paragraph(spans));
        self
    }

    /// Adds a bullet list of plain items (skipped when empty).
    #[must_use]
    pub fn bullets<I, S>(mut self, items: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let items: Vec<Vec<Span>> = items.into_iter().map(|s| vec![Span::Text(s.into())]).collect();
        if !items.is_empty() {
            self.blocks.push(Block::Bullets(items));
        }
        self
    }

    /// Adds a numbered list of items made of spans (skipped when empty).
    #[must_use]
    pub fn numbered(mut self, items: Vec<Vec<Span>>) -> Self {
        if !items.is_empty() {
            self.blocks.push(Block::Numbered(items));
        }
        self
    }

    /// Adds a bullet list of items made of spans (skipped when empty).
    #[must_use]
    pub fn bullet_spans(mut self, items: Vec<Vec<Span>>) -> Self {
        if !items.is_empty() {
            self.blocks.push(Block::Bullets(items));
        }
        self
    }

    /// Plain text: blocks separated by blank lines, bullets as "• ".
    #[must_use]
    pub fn to_plain(&self) -> String {
        self.render(false)
    }

    /// Terminal text: like plain text, with ANSI bold for headings and bold spans if `ansi`.
    #[must_use]
    pub fn to_terminal(&self, ansi: bool) -> String {
        self.render(ansi)
    }

    fn render(&self, ansi: bool) -> String {
        let bold = |s: &str| if ansi { format!("\x1b[1m{s}\x1b[0m") } else { s.to_owned() };
        let spans = |sp: &[Span]| spans_text(sp, ansi);
        let mut out: Vec<String> = Vec::new();
        for b in &self.blocks {
            out.push(match b {
                Block::Heading(h) => bold(h),
                Block::Paragraph(p) => spans(p),
                Block::Bullets(items) => {
                    items.iter().map(|i| format!("• {}", spans(i))).collect::<Vec<_>>().join("\n")
                }
                Block::Numbered(items) => items
                    .iter()
                    .enumerate()
                    .map(|(n, i)| format!("{}. {}", n + 1, spans(i)))
                    .collect::<Vec<_>>()
                    .join("\n"),
            });
        }
        // Headings stick to the block after them.
        let mut text = String::new();
        let mut prev_heading = false;
        for (b, s) in self.blocks.iter().zip(out) {
            if !text.is_empty() {
                text.push_str(if prev_heading { "\n" } else { "\n\n" });
            }
            text.push_str(&s);
            prev_heading = matches!(b, Block::Heading(_));
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_rendering_joins_blocks() {
        let r = Rich::new()
            .heading("Dấu hiệu")
            .bullets(["một", "hai"])
            .spans(vec![Span::Bold("Chú ý:".into()), Span::Text(" gọi 113".into())]);
        assert_eq!(r.to_plain(), "Dấu hiệu\n• một\n• hai\n\nChú ý: gọi 113");
        assert!(r.to_terminal(true).contains("\x1b[1mDấu hiệu\x1b[0m"));
    }

    #[test]
    fn empty_lists_are_skipped() {
        let r = Rich::new().bullets(Vec::<String>::new()).para("x");
        assert_eq!(r.blocks.len(), 1);
    }
}
