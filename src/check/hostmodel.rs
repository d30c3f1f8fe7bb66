//! A lexical model of hosts: does an unknown host look like the scam population?
//!
//! Features are hashed character n-grams (3 to 5) of the host with its boundaries, its TLD, and
//! a few structural buckets (length, digits, hyphens, labels, digit runs). The weights live in
//! `content/host_weights.yaml`, fitted by `canhgiac eval --fit --write` on the Chống Lừa Đảo dev
//! lists against official and whitelisted domains; only bucket weights are stored, never a host.

use super::{sigmoid, textmodel::fnv1a};
pub use crate::content::HostWeights;

/// Number of hash buckets.
pub const BUCKETS: u32 = 1 << 14;

/// The distinct feature buckets of a host (lowercase, without `www.`).
#[must_use]
pub fn features(host: &str) -> Vec<u32> {
    let mut out: Vec<u32> = Vec::with_capacity(host.len() * 3 + 8);
    let mut push = |parts: &[&str]| out.push((fnv1a(parts) % u64::from(BUCKETS)) as u32);
    let bounded: Vec<char> = std::iter::once('^').chain(host.chars()).chain(std::iter::once('$')).collect();
    let mut buf = String::new();
    for n in 3..=5 {
        for w in bounded.windows(n) {
            buf.clear();
            buf.extend(w);
            push(&["c", &buf]);
        }
    }
    let tld = host.rsplit('.').next().unwrap_or("");
    push(&["tld", tld]);
    let len = host.chars().count();
    let len_bucket = match len {
        0..=8 => "8",
        9..=12 => "12",
        13..=16 => "16",
        17..=24 => "24",
        _ => "long",
    };
    push(&["len", len_bucket]);
    let digits = host.chars().filter(char::is_ascii_digit).count();
    push(&[
        "digits",
        if digits == 0 {
            "0"
        } else if digits <= 2 {
            "2"
        } else {
            "many"
        },
    ]);
    let hyphens = host.matches('-').count();
    push(&[
        "hyphens",
        if hyphens == 0 {
            "0"
        } else if hyphens == 1 {
            "1"
        } else {
            "many"
        },
    ]);
    let labels = host.split('.').count();
    push(&[
        "labels",
        if labels <= 2 {
            "2"
        } else if labels == 3 {
            "3"
        } else {
            "many"
        },
    ]);
    let mut run = 0usize;
    let mut longest = 0usize;
    for c in host.chars() {
        run = if c.is_ascii_digit() { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    if longest >= 3 {
        push(&["digit_run"]);
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The fitted host model.
#[derive(Debug, Clone, Default)]
pub struct HostModel {
    bias: f64,
    threshold: f64,
    weights: Vec<f64>,
}

impl HostModel {
    /// A model over fitted weights (an empty model when none were fitted).
    #[must_use]
    pub fn new(w: &HostWeights) -> Self {
        let mut weights = vec![0.0; BUCKETS as usize];
        for (b, x) in &w.buckets {
            if let Some(slot) = weights.get_mut(*b as usize) {
                *slot = *x;
            }
        }
        Self { bias: w.bias, threshold: w.threshold, weights }
    }

    /// Whether the model has weights at all.
    #[must_use]
    pub fn is_fitted(&self) -> bool {
        self.threshold > 0.0
    }

    /// Probability that the host belongs to the scam population.
    #[must_use]
    pub fn probability(&self, host: &str) -> f64 {
        let z: f64 = self.bias + features(host).iter().map(|b| self.weights[*b as usize]).sum::<f64>();
        sigmoid(z)
    }

    /// Whether the host looks like a scam host.
    #[must_use]
    pub fn looks_malicious(&self, host: &str) -> bool {
        self.is_fitted() && self.probability(host) >= self.threshold
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_are_stable_and_bounded() {
        let f = features("abc-123.top");
        assert_eq!(f, features("abc-123.top"));
        assert!(f.iter().all(|b| *b < BUCKETS));
        assert!(f.windows(2).all(|w| w[0] < w[1]), "sorted and distinct");
        assert_ne!(f, features("abc-124.top"));
    }

    #[test]
    fn an_unfitted_model_flags_nothing() {
        let m = HostModel::new(&HostWeights::default());
        assert!(!m.looks_malicious("anything.xyz"));
    }
}
