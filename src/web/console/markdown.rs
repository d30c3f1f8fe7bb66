//! The implementation report's Markdown (what `report` writes) as HTML for the printable page:
//! the subset that renderer uses (headings, paragraphs, bullet lists, pipe tables), every text
//! escaped, so the page and the download say the same thing.

use crate::rich::esc as escape_html;

/// Splits a table row into cells, honouring `\|` inside a cell.
fn cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|');
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    let mut out = vec![String::new()];
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                chars.next();
                if let Some(last) = out.last_mut() {
                    last.push('|');
                }
            }
            '|' => out.push(String::new()),
            c => {
                if let Some(last) = out.last_mut() {
                    last.push(c);
                }
            }
        }
    }
    out.into_iter().map(|c| c.trim().to_owned()).collect()
}

fn is_separator(line: &str) -> bool {
    let t = line.trim();
    t.starts_with('|') && t.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '))
}

/// The HTML of `md`.
#[must_use]
pub fn to_html(md: &str) -> String {
    let lines: Vec<&str> = md.lines().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let t = line.trim();
        if t.is_empty() {
            i += 1;
        } else if let Some(level) = (1..=3).rev().find(|l| t.starts_with(&format!("{} ", "#".repeat(*l)))) {
            let text = &t[level + 1..];
            out.push_str(&format!("<h{level}>{}</h{level}>\n", escape_html(text)));
            i += 1;
        } else if t.starts_with("- ") {
            out.push_str("<ul>\n");
            while i < lines.len() && lines[i].trim().starts_with("- ") {
                out.push_str(&format!("<li>{}</li>\n", escape_html(&lines[i].trim()[2..])));
                i += 1;
            }
            out.push_str("</ul>\n");
        } else if t.starts_with('|') {
            out.push_str("<table>\n");
            let head = cells(t);
            let numeric: Vec<bool> = lines
                .get(i + 1)
                .filter(|l| is_separator(l))
                .map(|l| cells(l).iter().map(|c| c.ends_with(':')).collect())
                .unwrap_or_default();
            let align = |k: usize| if numeric.get(k) == Some(&true) { " class=\"num\"" } else { "" };
            out.push_str("<thead><tr>");
            for (k, c) in head.iter().enumerate() {
                out.push_str(&format!("<th{}>{}</th>", align(k), escape_html(c)));
            }
            out.push_str("</tr></thead>\n<tbody>\n");
            i += if numeric.is_empty() { 1 } else { 2 };
            while i < lines.len() && lines[i].trim().starts_with('|') {
                out.push_str("<tr>");
                for (k, c) in cells(lines[i]).iter().enumerate() {
                    out.push_str(&format!("<td{}>{}</td>", align(k), escape_html(c)));
                }
                out.push_str("</tr>\n");
                i += 1;
            }
            out.push_str("</tbody>\n</table>\n");
        } else {
            let mut para = Vec::new();
            while i < lines.len() {
                let l = lines[i].trim();
                if l.is_empty() || l.starts_with('#') || l.starts_with("- ") || l.starts_with('|') {
                    break;
                }
                para.push(escape_html(l));
                i += 1;
            }
            out.push_str(&format!("<p>{}</p>\n", para.join(" ")));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reports_subset_becomes_escaped_html() {
        let md = "# Báo cáo <x>\n\nMột đoạn\nhai dòng.\n\n- một\n- hai & ba\n\n| Kênh | Số |\n|---|---:|\n| a \\| b | 3 |\n";
        let html = to_html(md);
        assert!(html.contains("<h1>Báo cáo &lt;x&gt;</h1>"), "{html}");
        assert!(html.contains("<p>Một đoạn hai dòng.</p>"));
        assert!(html.contains("<li>hai &amp; ba</li>"));
        assert!(html.contains("<th class=\"num\">Số</th>"));
        assert!(html.contains("<td>a | b</td><td class=\"num\">3</td>"), "{html}");
    }
}
