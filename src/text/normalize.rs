//! Character-level normalisation: NFC, canonical tone placement and ASCII folding.

use unicode_normalization::UnicodeNormalization;

/// Tone marks as Unicode combining characters (huyền, sắc, ngã, hỏi, nặng).
const TONE_MARKS: [char; 5] = ['\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}'];

/// Returns the NFC form of `s`, so that decomposed input (NFD) does not split words.
#[must_use]
pub fn nfc(s: &str) -> String {
    s.nfc().collect()
}

/// NFC plus lowercase: the first step for every piece of text we analyse.
#[must_use]
pub fn normalize_text(s: &str) -> String {
    nfc(s).to_lowercase()
}

fn is_combining(c: char) -> bool {
    ('\u{300}'..='\u{36f}').contains(&c)
}

/// True for characters that belong to a word: letters, digits and stray combining marks.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_combining(c)
}

/// Splits normalised text into words (syllables), dropping punctuation and spaces.
pub fn split_words(s: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut words = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in s.char_indices() {
        match (is_word_char(c), start) {
            (true, None) => start = Some(i),
            (false, Some(b)) => {
                words.push((b, &s[b..i]));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(b) = start {
        words.push((b, &s[b..]));
    }
    words.into_iter()
}

/// Folds a word to ASCII: removes every diacritic and maps đ to d.
#[must_use]
pub fn fold(word: &str) -> String {
    word.nfd()
        .filter(|c| !is_combining(*c))
        .map(|c| match c {
            'đ' => 'd',
            'Đ' => 'D',
            other => other,
        })
        .collect()
}

/// True when the word carries a tone mark (not just a shape mark such as the one in "ơ" or "â").
#[must_use]
pub fn has_tone(word: &str) -> bool {
    word.nfd().any(|c| TONE_MARKS.contains(&c))
}

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'ă' | 'â' | 'e' | 'ê' | 'i' | 'o' | 'ô' | 'ơ' | 'u' | 'ư' | 'y')
}

fn has_shape(c: char) -> bool {
    matches!(c, 'ă' | 'â' | 'ê' | 'ô' | 'ơ' | 'ư')
}

/// Rewrites one lowercase NFC syllable with its tone mark in a single canonical place
/// ("old style": hòa, thủy, khóa), and spells a lone `y` after a consonant as `i`
/// (kỹ/kĩ, quý/quí, lý/lí), so that every spelling variant yields the same token.
/// Words that are not Vietnamese syllables (digits, foreign words) pass through unchanged
/// apart from losing nothing.
#[must_use]
pub fn canonical_syllable(word: &str) -> String {
    // Split off the tone: decompose, drop tone marks, recompose the shape marks.
    let mut tone: Option<char> = None;
    let base: String = word
        .nfd()
        .filter(|c| {
            if TONE_MARKS.contains(c) {
                tone = Some(*c);
                false
            } else {
                true
            }
        })
        .nfc()
        .collect();
    let mut chars: Vec<char> = base.chars().collect();
    if !chars.iter().all(|c| c.is_alphabetic()) {
        // Mixed tokens such as "5tr" or "24h": keep the tone where it was.
        return nfc(word);
    }
    // Initial consonant: everything before the first vowel, plus the u of "qu" and the i of "gi".
    let mut start = chars.iter().position(|c| is_vowel(*c)).unwrap_or(chars.len());
    if start < chars.len() {
        let before: String = chars[..start].iter().collect();
        let next_is_vowel = chars.get(start + 1).is_some_and(|c| is_vowel(*c));
        if (before == "q" && chars[start] == 'u' || before == "g" && chars[start] == 'i') && next_is_vowel {
            start += 1;
        }
    }
    let mut end = start;
    while end < chars.len() && is_vowel(chars[end]) {
        end += 1;
    }
    // lone "y" after a consonant is spelled "i" (kỹ → kĩ); "qu" + "y" too (quý → quí).
    if end == start + 1 && start > 0 && chars[start] == 'y' && end == chars.len() {
        chars[start] = 'i';
    }
    let Some(tone) = tone else {
        return chars.into_iter().collect();
    };
    if start == end {
        // No vowel: not a syllable we understand; put the tone back at the end.
        return nfc(&format!("{}{tone}", chars.iter().collect::<String>()));
    }
    let cluster = &chars[start..end];
    let has_final = end < chars.len();
    let pos = if let Some(i) = cluster.iter().rposition(|c| has_shape(*c)) {
        start + i
    } else if cluster.len() == 1 || has_final {
        end - 1
    } else if cluster.len() == 2 {
        start
    } else {
        start + 1
    };
    let mut out = String::with_capacity(word.len() + 2);
    for (i, c) in chars.iter().enumerate() {
        out.push(*c);
        if i == pos {
            out.push(tone);
        }
    }
    nfc(&out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nfd_and_nfc_normalise_to_the_same_text() {
        let composed = "Tiếng Việt có dấu";
        let decomposed: String = composed.nfd().collect();
        assert_ne!(composed, decomposed);
        assert_eq!(normalize_text(composed), normalize_text(&decomposed));
    }

    #[test]
    fn split_words_keeps_syllables_and_drops_punctuation() {
        let words: Vec<&str> = split_words("lừa đảo, \"combo\" 5tr!").map(|(_, w)| w).collect();
        assert_eq!(words, ["lừa", "đảo", "combo", "5tr"]);
    }

    #[test]
    fn tone_placement_is_canonical() {
        for (a, b) in [("hoà", "hòa"), ("thuỷ", "thủy"), ("khoá", "khóa"), ("hoè", "hòe"), ("uỷ", "ủy")]
        {
            assert_eq!(canonical_syllable(a), canonical_syllable(b), "{a} vs {b}");
        }
        assert_eq!(canonical_syllable("khoá"), "khóa");
        // With a final consonant the tone sits on the last vowel in both styles.
        assert_eq!(canonical_syllable("hoàn"), "hoàn");
        assert_eq!(canonical_syllable("khuyến"), "khuyến");
        assert_eq!(canonical_syllable("người"), "người");
        assert_eq!(canonical_syllable("quả"), "quả");
        assert_eq!(canonical_syllable("giả"), "giả");
        assert_eq!(canonical_syllable("ngoài"), "ngoài");
    }

    #[test]
    fn lone_y_after_consonant_is_spelled_i() {
        assert_eq!(canonical_syllable("kỹ"), canonical_syllable("kĩ"));
        assert_eq!(canonical_syllable("quý"), canonical_syllable("quí"));
        assert_eq!(canonical_syllable("lý"), "lí");
        assert_eq!(canonical_syllable("y"), "y");
        assert_eq!(canonical_syllable("thủy"), "thủy");
    }

    #[test]
    fn decomposed_syllables_are_canonicalised_too() {
        let nfd: String = "hoà".nfd().collect();
        assert_eq!(canonical_syllable(&nfc(&nfd)), "hòa");
    }

    #[test]
    fn folding_removes_all_marks_and_maps_d() {
        assert_eq!(fold("đường"), "duong");
        assert_eq!(fold("Đà Nẵng"), "Da Nang");
        assert_eq!(fold("ạ ầ ự ỹ ơ ư ă"), "a a u y o u a");
    }

    #[test]
    fn non_syllables_pass_through() {
        assert_eq!(canonical_syllable("5tr"), "5tr");
        assert_eq!(canonical_syllable("otp"), "otp");
        assert_eq!(canonical_syllable("156"), "156");
    }
}
