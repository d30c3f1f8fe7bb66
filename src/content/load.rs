//! Reading `content/` from disk: YAML parsing per entry, hashing, then validation.

use std::{
    collections::HashMap,
    fs,
    path::{Path, PathBuf},
    sync::Arc,
};

use serde::de::DeserializeOwned;
use serde_yaml::Value;
use sha2::{Digest, Sha256};

use super::{
    error::{ContentError, ContentErrors},
    model::{Content, EntryKind, Form, Group, QuizQuestion, Tip, Topic},
    validate::{Located, Parsed, validate},
};
use crate::text::{Lexicon, LexiconSpec};

/// Files at the top of `content/` that the loader knows.
const TOP_FILES: [&str; 6] =
    ["groups.yaml", "topics.yaml", "tips.yaml", "lexicon.yaml", "brands.yaml", "signals.yaml"];

fn yaml_files(dir: &Path, errors: &mut Vec<ContentError>) -> Vec<PathBuf> {
    match fs::read_dir(dir) {
        Ok(rd) => {
            let mut files: Vec<PathBuf> = rd
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
                .collect();
            files.sort();
            files
        }
        Err(source) => {
            errors.push(ContentError::Io { file: dir.to_path_buf(), source });
            Vec::new()
        }
    }
}

fn read(path: &Path, hasher: &mut Sha256, root: &Path, errors: &mut Vec<ContentError>) -> Option<Value> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(source) => {
            errors.push(ContentError::Io { file: path.to_path_buf(), source });
            return None;
        }
    };
    let rel = path.strip_prefix(root).unwrap_or(path);
    hasher.update(rel.to_string_lossy().as_bytes());
    hasher.update([0]);
    hasher.update(&bytes);
    hasher.update([0]);
    match serde_yaml::from_slice::<Value>(&bytes) {
        Ok(v) => Some(v),
        Err(e) => {
            errors.push(ContentError::Yaml { file: path.to_path_buf(), message: e.to_string() });
            None
        }
    }
}

/// The entry name for messages: its `id`, else `#N` (1-based position).
fn entry_name(value: &Value, position: usize) -> String {
    value.get("id").and_then(Value::as_str).map_or_else(|| format!("#{position}"), str::to_owned)
}

/// Deserialises one entry, turning serde's error into one that names the field.
fn entry<T: DeserializeOwned>(
    file: &Path,
    value: Value,
    position: usize,
    errors: &mut Vec<ContentError>,
) -> Option<Located<T>> {
    let name = entry_name(&value, position);
    match serde_path_to_error::deserialize::<_, T>(value) {
        Ok(v) => Some(Located { file: file.to_path_buf(), value: v }),
        Err(e) => {
            let path = e.path().to_string();
            let message = e.inner().to_string();
            let field = if path.is_empty() || path == "." {
                // "missing field `title`" / "unknown field `x`": name the field from the message.
                message.split('`').nth(1).unwrap_or("-").to_owned()
            } else {
                path
            };
            errors.push(ContentError::invalid(file, name, field, message));
            None
        }
    }
}

fn list<T: DeserializeOwned>(
    file: &Path,
    value: Option<Value>,
    errors: &mut Vec<ContentError>,
) -> Vec<Located<T>> {
    match value {
        None => Vec::new(),
        Some(Value::Sequence(items)) => {
            items.into_iter().enumerate().filter_map(|(i, v)| entry(file, v, i + 1, errors)).collect()
        }
        Some(Value::Null) => Vec::new(),
        Some(_) => {
            errors.push(ContentError::invalid(file, "-", "-", "expected a list of entries"));
            Vec::new()
        }
    }
}

/// Loads and validates the content directory. Returns every problem found, not just the first.
pub fn load(dir: &Path) -> Result<Content, ContentErrors> {
    let mut errors = Vec::new();
    let mut hasher = Sha256::new();
    if !dir.is_dir() {
        return Err(ContentErrors(vec![ContentError::Io {
            file: dir.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "content directory not found"),
        }]));
    }
    let mut parsed = Parsed::default();

    for file in yaml_files(&dir.join("forms"), &mut errors) {
        if let Some(v) = read(&file, &mut hasher, dir, &mut errors)
            && let Some(form) = entry::<Form>(&file, v, 1, &mut errors)
        {
            parsed.forms.push(form);
        }
    }
    for file in yaml_files(&dir.join("quiz"), &mut errors) {
        let v = read(&file, &mut hasher, dir, &mut errors);
        parsed.quiz.extend(list::<QuizQuestion>(&file, v, &mut errors));
    }
    for file in yaml_files(dir, &mut errors) {
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if !TOP_FILES.contains(&name.as_str()) {
            errors.push(ContentError::invalid(
                &file,
                "-",
                "-",
                format!("unknown content file; expected one of {}", TOP_FILES.join(", ")),
            ));
            continue;
        }
        let v = read(&file, &mut hasher, dir, &mut errors);
        match name.as_str() {
            "groups.yaml" => parsed.groups = list::<Group>(&file, v, &mut errors),
            "topics.yaml" => parsed.topics = list::<Topic>(&file, v, &mut errors),
            "tips.yaml" => parsed.tips = list::<Tip>(&file, v, &mut errors),
            "lexicon.yaml" => {
                if let Some(v) = v {
                    parsed.lexicon = entry::<LexiconSpec>(&file, v, 1, &mut errors);
                }
            }
            // Checker data (brands, signals) is loaded by the `check` module; it is hashed here
            // so that the index is rebuilt when it changes.
            _ => {}
        }
    }
    let lexicon_file = dir.join("lexicon.yaml");
    let lexicon_spec = match parsed.lexicon.take() {
        Some(l) => l.value,
        None => {
            if !lexicon_file.exists() {
                errors.push(ContentError::invalid(&lexicon_file, "-", "-", "file is missing"));
            }
            LexiconSpec::default()
        }
    };
    let lexicon = match Lexicon::compile(&lexicon_spec) {
        Ok(l) => l,
        Err(e) => {
            errors.push(ContentError::invalid(&lexicon_file, "lexicon", "-", e.to_string()));
            Lexicon::default()
        }
    };
    for (name, present) in [
        ("groups.yaml", !parsed.groups.is_empty()),
        ("topics.yaml", !parsed.topics.is_empty()),
        ("tips.yaml", !parsed.tips.is_empty()),
    ] {
        let f = dir.join(name);
        if !present && !f.exists() {
            errors.push(ContentError::invalid(f, "-", "-", "file is missing"));
        }
    }

    validate(&parsed, dir, &mut errors);
    if !errors.is_empty() {
        return Err(ContentErrors(errors));
    }
    let forms: Vec<Form> = {
        let mut f: Vec<Form> = parsed.forms.into_iter().map(|l| l.value).collect();
        f.sort_by_key(|f| f.number);
        f
    };
    let groups: Vec<Group> = parsed.groups.into_iter().map(|l| l.value).collect();
    let topics: Vec<Topic> = parsed.topics.into_iter().map(|l| l.value).collect();
    let mut by_id = HashMap::new();
    for (i, f) in forms.iter().enumerate() {
        by_id.insert(f.id.clone(), (EntryKind::Form, i));
    }
    for (i, g) in groups.iter().enumerate() {
        by_id.insert(g.id.clone(), (EntryKind::Group, i));
    }
    for (i, t) in topics.iter().enumerate() {
        by_id.insert(t.id.clone(), (EntryKind::Topic, i));
    }
    Ok(Content {
        forms,
        groups,
        topics,
        tips: parsed.tips.into_iter().map(|l| l.value).collect(),
        quiz: parsed.quiz.into_iter().map(|l| l.value).collect(),
        lexicon_spec,
        lexicon: Arc::new(lexicon),
        hash: hex::encode(hasher.finalize()),
        by_id,
    })
}
