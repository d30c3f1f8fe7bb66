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
    model::{
        Brand, Brands, Content, EntryKind, Form, Group, HostWeights, QuizQuestion, Routing, SignalDef,
        Signals, Tip, Topic, Weights,
    },
    validate::{Located, Parsed, validate, validate_brands, validate_signals, validate_weights},
};
use crate::text::{Lexicon, LexiconSpec};

/// Files at the top of `content/` that the loader knows.
const TOP_FILES: [&str; 9] = [
    "groups.yaml",
    "topics.yaml",
    "tips.yaml",
    "lexicon.yaml",
    "brands.yaml",
    "signals.yaml",
    "weights.yaml",
    "host_weights.yaml",
    "routing.yaml",
];

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

/// The keys of a mapping file, checked against the allowed ones.
fn mapping(
    file: &Path,
    value: Value,
    allowed: &[&str],
    errors: &mut Vec<ContentError>,
) -> serde_yaml::Mapping {
    match value {
        Value::Mapping(m) => {
            for k in m.keys() {
                let key = k.as_str().unwrap_or("?");
                if !allowed.contains(&key) {
                    errors.push(ContentError::invalid(
                        file,
                        "-",
                        key,
                        format!("unknown field; expected one of {}", allowed.join(", ")),
                    ));
                }
            }
            m
        }
        _ => {
            errors.push(ContentError::invalid(file, "-", "-", "expected a mapping"));
            serde_yaml::Mapping::new()
        }
    }
}

fn strings(file: &Path, m: &serde_yaml::Mapping, key: &str, errors: &mut Vec<ContentError>) -> Vec<String> {
    match m.get(key) {
        None => Vec::new(),
        Some(v) => serde_yaml::from_value::<Vec<String>>(v.clone()).unwrap_or_else(|e| {
            errors.push(ContentError::invalid(file, "-", key, e.to_string()));
            Vec::new()
        }),
    }
}

fn brands(file: &Path, value: Value, errors: &mut Vec<ContentError>) -> Located<Brands> {
    let m = mapping(
        file,
        value,
        &["brands", "official_suffixes", "shorteners", "risky_tlds", "user_content"],
        errors,
    );
    let list: Vec<Located<Brand>> = list(file, m.get("brands").cloned(), errors);
    Located {
        file: file.to_path_buf(),
        value: Brands {
            brands: list.into_iter().map(|l| l.value).collect(),
            official_suffixes: strings(file, &m, "official_suffixes", errors),
            shorteners: strings(file, &m, "shorteners", errors),
            risky_tlds: strings(file, &m, "risky_tlds", errors),
            user_content: strings(file, &m, "user_content", errors),
        },
    }
}

fn signals(file: &Path, value: Value, errors: &mut Vec<ContentError>) -> Located<Signals> {
    let m = mapping(file, value, &["signals", "safe_cues", "query_words"], errors);
    let signals: Vec<Located<SignalDef>> = list(file, m.get("signals").cloned(), errors);
    let safe: Vec<Located<SignalDef>> = list(file, m.get("safe_cues").cloned(), errors);
    Located {
        file: file.to_path_buf(),
        value: Signals {
            signals: signals.into_iter().map(|l| l.value).collect(),
            safe_cues: safe.into_iter().map(|l| l.value).collect(),
            query_words: strings(file, &m, "query_words", errors),
        },
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
            "brands.yaml" => parsed.brands = v.map(|v| brands(&file, v, &mut errors)),
            "signals.yaml" => parsed.signals = v.map(|v| signals(&file, v, &mut errors)),
            "weights.yaml" => {
                if let Some(v) = v {
                    parsed.weights = entry::<Weights>(&file, v, 1, &mut errors);
                }
            }
            "routing.yaml" => {
                if let Some(v) = v {
                    parsed.routing = entry::<Routing>(&file, v, 1, &mut errors);
                }
            }
            "host_weights.yaml" => {
                if let Some(v) = v {
                    parsed.host_weights = entry::<HostWeights>(&file, v, 1, &mut errors);
                }
            }
            _ => {}
        }
    }
    let brands_parsed = parsed.brands.take();
    let signals_parsed = parsed.signals.take();
    let weights_parsed = parsed.weights.take();
    let host_weights = parsed.host_weights.take();
    let routing = parsed.routing.take();
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
        ("brands.yaml", brands_parsed.is_some()),
        ("signals.yaml", signals_parsed.is_some()),
        ("weights.yaml", weights_parsed.is_some()),
        ("host_weights.yaml", host_weights.is_some()),
        ("routing.yaml", routing.is_some()),
    ] {
        let f = dir.join(name);
        if !present && !f.exists() {
            errors.push(ContentError::invalid(f, "-", "-", "file is missing"));
        }
    }

    validate(&parsed, dir, &mut errors);
    if let Some(b) = &brands_parsed {
        validate_brands(b, &mut errors);
    }
    if let Some(s) = &signals_parsed {
        validate_signals(s, &mut errors);
    }
    if let Some(w) = &weights_parsed {
        validate_weights(w, &mut errors);
    }
    if let Some(h) = &host_weights {
        let finite = h.value.bias.is_finite() && h.value.buckets.values().all(|x| x.is_finite());
        if !finite || !(0.0..1.0).contains(&h.value.threshold) {
            errors.push(ContentError::invalid(
                &h.file,
                "-",
                "threshold",
                "needs finite weights and 0 <= threshold < 1",
            ));
        }
    }
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
    let Some(weights) = weights_parsed.map(|w| w.value) else {
        return Err(ContentErrors(vec![ContentError::invalid(
            dir.join("weights.yaml"),
            "-",
            "-",
            "missing",
        )]));
    };
    Ok(Content {
        brands: brands_parsed.map(|b| b.value).unwrap_or_default(),
        signals: signals_parsed.map(|s| s.value).unwrap_or_default(),
        weights,
        host_weights: host_weights.map(|h| h.value).unwrap_or_default(),
        routing: routing.map(|r| r.value).unwrap_or_default(),
        forms,
        groups,
        topics,
        tips: parsed.tips.into_iter().map(|l| l.value).collect(),
        quiz: parsed.quiz.into_iter().map(|l| l.value).collect(),
        lexicon: Arc::new(lexicon),
        hash: hex::encode(hasher.finalize()),
        by_id,
    })
}
