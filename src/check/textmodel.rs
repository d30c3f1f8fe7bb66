//! The text part of the checker's model: word unigrams and bigrams of the analysed message,
//! hashed (FNV-1a) into a fixed number of buckets. Only bucket weights are stored
//! (`content/weights.yaml`, `text`), never any text of the data the weights were fitted on.

use crate::text::Token;

/// Number of hash buckets.
pub const BUCKETS: u32 = 1 << 14;

/// FNV-1a (64 bit) of the parts joined by single spaces: stable across runs and platforms.
pub(crate) fn fnv1a(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            h ^= u64::from(b' ');
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        for b in p.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// One hashed n-gram of a message: its bucket, its name (`u word` or `b word word`, folded),
/// and the tokens it spans (for quoting the message's own words).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gram {
    /// Bucket in `0..BUCKETS`.
    pub bucket: u32,
    /// `u <word>` or `b <word> <word>`, folded.
    pub name: String,
    /// First token.
    pub first: usize,
    /// Last token (the same as `first` for a single word).
    pub last: usize,
}

impl Gram {
    /// Whether it is a pair of words.
    #[must_use]
    pub fn is_pair(&self) -> bool {
        self.last > self.first
    }
}

/// The distinct buckets of a message, each with the n-gram that produced it first.
#[must_use]
pub fn ngrams(tokens: &[Token]) -> Vec<Gram> {
    let mut out: Vec<Gram> = Vec::with_capacity(tokens.len() * 2);
    let mut seen = std::collections::HashSet::with_capacity(tokens.len() * 2);
    let mut push = |parts: &[&str], first: usize, last: usize| {
        let bucket = (fnv1a(parts) % u64::from(BUCKETS)) as u32;
        if seen.insert(bucket) {
            out.push(Gram { bucket, name: parts.join(" "), first, last });
        }
    };
    for (i, t) in tokens.iter().enumerate() {
        if t.folded.chars().any(|c| c.is_ascii_digit()) {
            continue; // numbers, codes and dates say little about the kind of message
        }
        push(&["u", &t.folded], i, i);
        if let Some(next) = tokens.get(i + 1)
            && !next.folded.chars().any(|c| c.is_ascii_digit())
        {
            push(&["b", &t.folded, &next.folded], i, i + 1);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Analyzer;

    #[test]
    fn buckets_are_stable_distinct_and_skip_numbers() {
        let a = Analyzer::default();
        let g = ngrams(&a.analyze("Tài khoản bị khóa 24h, tai khoan"));
        let names: Vec<&str> = g.iter().map(|x| x.name.as_str()).collect();
        assert!(names.contains(&"u tai"));
        assert!(names.contains(&"b tai khoan"));
        assert!(!names.iter().any(|n| n.contains("24h")));
        assert_eq!(names.iter().filter(|n| **n == "u tai").count(), 1, "no duplicates");
        assert_eq!(g, ngrams(&a.analyze("Tài khoản bị khóa 24h, tai khoan")));
        assert!(g.iter().all(|x| x.bucket < BUCKETS));
    }
}
