//! The content compiled into the binary (by `build.rs`), the last place the binary looks for
//! it: written out once per content version into the data directory, then loaded like any
//! other content directory (so validation and errors are the same).

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

include!(concat!(env!("OUT_DIR"), "/embedded_content.rs"));

/// A short fingerprint of the compiled-in content.
#[must_use]
pub fn version() -> String {
    let mut h = Sha256::new();
    for (path, bytes) in FILES {
        h.update(path.as_bytes());
        h.update(bytes);
    }
    hex::encode(&h.finalize()[..6])
}

/// Writes the compiled-in content under `base` (once per version); returns its directory.
pub fn extract(base: &Path) -> std::io::Result<PathBuf> {
    let dir = base.join(format!("content-{}", version()));
    if dir.join(".complete").exists() {
        return Ok(dir);
    }
    // Written beside, then renamed: a crash never leaves a half-written directory in use.
    let tmp = base.join(format!(".content-{}-{}", version(), std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    for (path, bytes) in FILES {
        let target = tmp.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(target, bytes)?;
    }
    std::fs::write(tmp.join(".complete"), b"")?;
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::rename(&tmp, &dir)?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_whole_content_is_compiled_in_and_loads() {
        assert!(super::FILES.iter().any(|(p, _)| *p == "tips.yaml"));
        assert!(super::FILES.iter().filter(|(p, _)| p.starts_with("forms/")).count() >= 24);
        let dir = tempfile::tempdir().expect("dir");
        let content = super::extract(dir.path()).expect("extract");
        assert_eq!(super::extract(dir.path()).expect("again"), content, "once per version");
        crate::content::load(&content).expect("the compiled-in content is valid");
    }
}
