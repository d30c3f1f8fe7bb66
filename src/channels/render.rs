//! Rendering `Rich` text for platforms: Telegram HTML (escaped) and plain text, split at a
//! platform's length limit on paragraph boundaries.

use crate::rich::{Block, Rich, Span, esc, spans_text};

/// Telegram's message length limit (characters).
pub const TELEGRAM_LIMIT: usize = 4096;

fn spans_html(sp: &[Span]) -> String {
    sp.iter()
        .map(|s| match s {
            Span::Text(t) => esc(t),
            Span::Bold(t) => format!("<b>{}</b>", esc(t)),
            Span::Link { text, url } => {
                format!("<a href=\"{}\">{}</a>", html_escape::encode_double_quoted_attribute(url), esc(text))
            }
        })
        .collect()
}

fn spans_plain(sp: &[Span]) -> String {
    spans_text(sp, false)
}

/// One rendered block: (markup, visible length).
fn blocks(r: &Rich, html: bool) -> Vec<(String, usize, bool)> {
    let render = |sp: &[Span]| if html { spans_html(sp) } else { spans_plain(sp) };
    r.blocks
        .iter()
        .map(|b| {
            let (markup, plain) = match b {
                Block::Heading(h) => (if html { format!("<b>{}</b>", esc(h)) } else { h.clone() }, h.clone()),
                Block::Paragraph(p) => (render(p), spans_plain(p)),
                Block::Bullets(items) => (
                    items.iter().map(|i| format!("• {}", render(i))).collect::<Vec<_>>().join("\n"),
                    items.iter().map(|i| format!("• {}", spans_plain(i))).collect::<Vec<_>>().join("\n"),
                ),
                Block::Numbered(items) => (
                    items
                        .iter()
                        .enumerate()
                        .map(|(n, i)| format!("{}. {}", n + 1, render(i)))
                        .collect::<Vec<_>>()
                        .join("\n"),
                    items
                        .iter()
                        .enumerate()
                        .map(|(n, i)| format!("{}. {}", n + 1, spans_plain(i)))
                        .collect::<Vec<_>>()
                        .join("\n"),
                ),
            };
            (markup, plain.chars().count(), matches!(b, Block::Heading(_)))
        })
        .collect()
}

/// Renders and splits into messages of at most `limit` visible characters, cutting between
/// blocks (paragraphs, lists), then between lines, never inside a tag.
#[must_use]
pub fn split(r: &Rich, html: bool, limit: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut cur_len = 0;
    let mut prev_heading = false;
    // Where the last heading starts in `cur` and its visible length, so that a heading moves
    // to the next message with the block it introduces.
    let mut heading_at = (0usize, 0usize);
    for (markup, len, heading) in blocks(r, html) {
        let sep = if cur.is_empty() {
            0
        } else if prev_heading {
            1
        } else {
            2
        };
        if cur_len + sep + len > limit && !cur.is_empty() {
            if prev_heading && heading_at.0 > 0 {
                let heading_text = cur.split_off(heading_at.0);
                out.push(cur.trim_end().to_owned());
                cur = heading_text.trim_start().to_owned();
                cur_len = heading_at.1;
            } else if !prev_heading {
                out.push(std::mem::take(&mut cur));
                cur_len = 0;
            }
        }
        if len > limit {
            // One huge block: cut it by lines, then by characters.
            for line in markup.split('\n') {
                let l = if html {
                    html_escape::decode_html_entities(line).chars().count()
                } else {
                    line.chars().count()
                };
                if cur_len + l + 1 > limit && !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                    cur_len = 0;
                }
                if l > limit {
                    let plain: String = if html {
                        html_escape::decode_html_entities(line).into_owned()
                    } else {
                        line.to_owned()
                    };
                    let chars: Vec<char> = plain.chars().collect();
                    for piece in chars.chunks(limit) {
                        let s: String = piece.iter().collect();
                        out.push(if html { esc(&s) } else { s });
                    }
                    continue;
                }
                if !cur.is_empty() {
                    cur.push('\n');
                    cur_len += 1;
                }
                cur.push_str(line);
                cur_len += l;
            }
            prev_heading = false;
            continue;
        }
        if !cur.is_empty() {
            cur.push_str(if prev_heading { "\n" } else { "\n\n" });
            cur_len += sep;
        }
        if heading {
            heading_at = (cur.len(), len);
        }
        cur.push_str(&markup);
        cur_len += len;
        prev_heading = heading;
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    if out.is_empty() {
        out.push(String::new());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_escaped_and_bold_is_tagged() {
        let r = Rich::new().spans(vec![Span::Bold("A<b>".into()), Span::Text(" & <script>".into())]);
        assert_eq!(split(&r, true, 4096), ["<b>A&lt;b&gt;</b> &amp; &lt;script&gt;"]);
    }

    #[test]
    fn long_text_splits_at_paragraphs_within_the_limit() {
        let mut r = Rich::new();
        for i in 0..30 {
            r = r.para(format!("Đoạn {i}: {}", "chữ ".repeat(60)));
        }
        let parts = split(&r, true, 4096);
        assert!(parts.len() >= 2, "{}", parts.len());
        for p in &parts {
            assert!(html_escape::decode_html_entities(p).chars().count() <= 4096);
            assert!(p.starts_with("Đoạn "), "cut on a paragraph boundary");
        }
        let giant = Rich::new().para("x".repeat(10_000));
        let parts = split(&giant, false, 4096);
        assert_eq!(parts.len(), 3);
        assert!(parts.iter().all(|p| p.chars().count() <= 4096));
    }
}
