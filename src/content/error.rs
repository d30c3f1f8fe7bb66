//! Content errors that name the file, the entry and the field.

use std::{fmt, path::PathBuf};

use thiserror::Error;

/// One problem in the content.
#[derive(Debug, Error)]
pub enum ContentError {
    /// A file or directory could not be read.
    #[error("{}: cannot read: {source}", file.display())]
    Io {
        /// The file.
        file: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A file is not valid YAML.
    #[error("{}: invalid YAML: {message}", file.display())]
    Yaml {
        /// The file.
        file: PathBuf,
        /// The parser's message (with line and column).
        message: String,
    },
    /// An entry breaks a rule.
    #[error("{}: entry `{entry}`, field `{field}`: {message}", file.display())]
    Invalid {
        /// The file.
        file: PathBuf,
        /// The entry id (or `#N` when it has none).
        entry: String,
        /// The field (a path such as `options[2].text`).
        field: String,
        /// What is wrong.
        message: String,
    },
}

impl ContentError {
    /// A rule violation.
    pub fn invalid(
        file: impl Into<PathBuf>,
        entry: impl Into<String>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self::Invalid { file: file.into(), entry: entry.into(), field: field.into(), message: message.into() }
    }
}

/// Every problem found in one load; never empty.
#[derive(Debug)]
pub struct ContentErrors(pub Vec<ContentError>);

impl fmt::Display for ContentErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} problem(s) in the content:", self.0.len())?;
        for e in &self.0 {
            writeln!(f, "  {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ContentErrors {}
