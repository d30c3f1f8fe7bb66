//! The text of each searchable entry, split into the fields it is indexed under.

use crate::content::{Content, Entry};

/// The indexed text of one entry.
#[derive(Debug, Clone, Default)]
pub struct EntryText {
    pub id: String,
    pub title: Vec<String>,
    pub keywords: Vec<String>,
    pub body: Vec<String>,
    pub extra: Vec<String>,
}

/// The indexed text of every entry, in `Content::entries` order.
#[must_use]
pub fn entry_texts(content: &Content) -> Vec<EntryText> {
    content.entries().map(|e| entry_text(content, e)).collect()
}

fn entry_text(content: &Content, entry: Entry<'_>) -> EntryText {
    let mut t = EntryText { id: entry.id().to_owned(), ..EntryText::default() };
    t.title.push(entry.title().to_owned());
    match entry {
        Entry::Form(f) => {
            t.title.extend(f.aliases.iter().cloned());
            t.keywords.extend(f.keywords.iter().cloned());
            t.body.push(f.summary.clone());
            t.body.extend(f.signs.iter().cloned());
            t.body.extend(f.advice.iter().cloned());
            t.body.extend(f.examples.iter().map(|e| e.text.clone()));
        }
        Entry::Group(g) => {
            t.title.extend(g.aliases.iter().cloned());
            t.body.push(g.summary.clone());
        }
        Entry::Topic(tp) => {
            t.title.extend(tp.aliases.iter().cloned());
            t.keywords.extend(tp.keywords.iter().cloned());
            t.body.push(tp.summary.clone());
            // The overview lists all 24 forms; indexing those names in its body would make it
            // compete with every form, so they go to the low-weight field.
            let items = tp.items.iter().map(|i| format!("{}. {}", i.title, i.text));
            if tp.id == "overview" {
                t.extra.extend(items);
            } else {
                t.body.extend(items);
            }
        }
    }
    let id = entry.id();
    t.extra.extend(content.quiz_for(id).map(|q| {
        format!("{} {}", q.question, q.options.get(q.correct_index()).map_or("", |o| o.text.as_str()))
    }));
    t.extra.extend(content.tips_for(id).map(|tip| tip.text.clone()));
    if id == "five_donts" {
        for d in crate::content::DONT_IDS {
            t.extra.extend(content.tips_for(d).map(|tip| tip.text.clone()));
        }
    }
    t
}
