//! Edit distance between words, for typo correction and look-alike domains.

/// Optimal string alignment distance (a transposition counts as one edit), giving up early:
/// any distance above `max` is returned as `max + 1`. Words up to 32 characters are
/// compared in stack buffers (typo correction compares a word with thousands of others, and
/// allocating five buffers for each comparison was most of its cost).
#[must_use]
pub fn edit_distance(a: &str, b: &str, max: usize) -> usize {
    let (mut ab, mut bb) = (['\0'; SHORT], ['\0'; SHORT]);
    match (fill(&mut ab, a), fill(&mut bb, b)) {
        (Some(la), Some(lb)) => {
            let mut rows = [[0usize; SHORT + 1]; 3];
            let [r0, r1, r2] = &mut rows;
            osa(&ab[..la], &bb[..lb], max, r0, r1, r2)
        }
        _ => {
            let a: Vec<char> = a.chars().collect();
            let b: Vec<char> = b.chars().collect();
            let mut r0 = vec![0usize; b.len() + 1];
            let (mut r1, mut r2) = (r0.clone(), r0.clone());
            osa(&a, &b, max, &mut r0, &mut r1, &mut r2)
        }
    }
}

/// Longest word compared without allocating.
const SHORT: usize = 32;

/// The characters of `s` into `buf`; `None` when they do not fit.
fn fill(buf: &mut [char; SHORT], s: &str) -> Option<usize> {
    let mut n = 0;
    for c in s.chars() {
        *buf.get_mut(n)? = c;
        n += 1;
    }
    Some(n)
}

/// The distance over three rows of at least `b.len() + 1` cells.
fn osa(
    a: &[char],
    b: &[char],
    max: usize,
    prev2: &mut [usize],
    prev: &mut [usize],
    cur: &mut [usize],
) -> usize {
    if a.len().abs_diff(b.len()) > max {
        return max + 1;
    }
    let (mut prev2, mut prev, mut cur) = (prev2, prev, cur);
    for (j, cell) in prev.iter_mut().enumerate().take(b.len() + 1) {
        *cell = j;
    }
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return max + 1;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::edit_distance;

    #[test]
    fn edit_distance_counts_transpositions_as_one() {
        assert_eq!(edit_distance("deepfkae", "deepfake", 2), 1);
        assert_eq!(edit_distance("cobo", "combo", 1), 1);
        assert_eq!(edit_distance("vietconbank", "vietcombank", 2), 1);
        assert_eq!(edit_distance("abc", "xyz", 1), 2);
    }

    /// The former implementation (vectors for everything), as the reference.
    fn reference(a: &str, b: &str, max: usize) -> usize {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        if a.len().abs_diff(b.len()) > max {
            return max + 1;
        }
        let mut prev2 = vec![0usize; b.len() + 1];
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        let mut cur = vec![0usize; b.len() + 1];
        for i in 1..=a.len() {
            cur[0] = i;
            let mut row_min = cur[0];
            for j in 1..=b.len() {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    v = v.min(prev2[j - 2] + 1);
                }
                cur[j] = v;
                row_min = row_min.min(v);
            }
            if row_min > max {
                return max + 1;
            }
            std::mem::swap(&mut prev2, &mut prev);
            std::mem::swap(&mut prev, &mut cur);
        }
        prev[b.len()]
    }

    #[test]
    fn stack_and_heap_paths_agree_with_the_reference() {
        // Words over a small alphabet (many near misses), short and longer than `SHORT`.
        let alphabet: Vec<char> = "aăbđeêo".chars().collect();
        let mut seed = 7u64;
        let mut word = |len: usize| -> String {
            (0..len)
                .map(|_| {
                    seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    alphabet[(seed >> 33) as usize % alphabet.len()]
                })
                .collect()
        };
        for round in 0..3000 {
            let long = round % 10 == 0;
            let (la, lb) =
                if long { (super::SHORT + 3, super::SHORT + 1) } else { (round % 9, (round / 9) % 9) };
            let (a, b) = (word(la), word(lb));
            for max in 0..4 {
                assert_eq!(edit_distance(&a, &b, max), reference(&a, &b, max), "{a} {b} {max}");
            }
        }
        let long = "a".repeat(40);
        assert_eq!(edit_distance(&long, &format!("{long}b"), 2), 1);
    }
}
