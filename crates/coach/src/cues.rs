//! Anger cues that need no word list and work in every language: shouting in capitals, repeated
//! or full-width `!`/`?`, and stretched letters ("sooooo", "whyyyy", "啊啊啊").

/// A cue with its weight towards the anger score and its char span in the original text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Cue {
    pub name: &'static str,
    pub weight: f32,
    pub start: usize,
    pub end: usize,
}

const CAPITALS_WEIGHT: f32 = 0.3;
const SHOUTED_WORD_WEIGHT: f32 = 0.1;
const PUNCTUATION_RUN_WEIGHT: f32 = 0.15;
const FULL_WIDTH_WEIGHT: f32 = 0.05;
const ELONGATION_WEIGHT: f32 = 0.1;
/// Each kind of cue counts at most this much, so a wall of "!!!!!!" cannot reach "furious" alone.
const PER_KIND_CAP: f32 = 0.3;

fn is_emphasis(c: char) -> bool {
    matches!(c, '!' | '?' | '！' | '？')
}

pub(crate) fn anger_cues(text: &str) -> Vec<Cue> {
    let chars: Vec<char> = text.chars().collect();
    let mut cues = Vec::new();
    capitals(&chars, &mut cues);
    punctuation(&chars, &mut cues);
    elongation(&chars, &mut cues);
    cues
}

fn capitals(chars: &[char], cues: &mut Vec<Cue>) {
    let upper = chars.iter().filter(|c| c.is_uppercase()).count();
    let lower = chars.iter().filter(|c| c.is_lowercase()).count();
    if upper >= 8 && upper * 10 >= (upper + lower) * 6 {
        cues.push(Cue {
            name: "cue.capitals",
            weight: CAPITALS_WEIGHT,
            start: 0,
            end: chars.len(),
        });
        return;
    }
    // Single shouted words in otherwise normal text ("this is NOT acceptable").
    let mut total = 0.0;
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_alphabetic() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].is_alphabetic() {
            i += 1;
        }
        let word = &chars[start..i];
        if word.len() >= 4 && word.iter().all(|c| c.is_uppercase()) && total < CAPITALS_WEIGHT {
            total += SHOUTED_WORD_WEIGHT;
            cues.push(Cue {
                name: "cue.shouted_word",
                weight: SHOUTED_WORD_WEIGHT,
                start,
                end: i,
            });
        }
    }
}

fn punctuation(chars: &[char], cues: &mut Vec<Cue>) {
    let mut total = 0.0;
    let mut i = 0;
    while i < chars.len() {
        if !is_emphasis(chars[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && (is_emphasis(chars[i]) || chars[i] == '1') {
            i += 1;
        }
        let run = &chars[start..i];
        let (name, weight) = if run.len() >= 2 {
            ("cue.repeated_punctuation", PUNCTUATION_RUN_WEIGHT)
        } else if run[0] == '！' && !chars.iter().any(|&c| crate::tokens::is_ideograph(c)) {
            // Full-width "！" is ordinary in Chinese text, a cue elsewhere.
            ("cue.full_width_punctuation", FULL_WIDTH_WEIGHT)
        } else {
            continue;
        };
        if total + weight <= PER_KIND_CAP + f32::EPSILON {
            total += weight;
            cues.push(Cue {
                name,
                weight,
                start,
                end: i,
            });
        }
    }
}

fn elongation(chars: &[char], cues: &mut Vec<Cue>) {
    let mut total = 0.0;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        while i < chars.len() && chars[i] == c {
            i += 1;
        }
        let letter = c.is_alphabetic() && !matches!(c, 'w' | 'W' | 'x' | 'X' | 'z' | 'Z');
        // Three identical letters in a row do not occur in ordinary words of these languages.
        if letter && i - start >= 3 && total < PER_KIND_CAP {
            total += ELONGATION_WEIGHT;
            cues.push(Cue {
                name: "cue.elongation",
                weight: ELONGATION_WEIGHT,
                start,
                end: i,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<&'static str> {
        anger_cues(text).into_iter().map(|c| c.name).collect()
    }

    #[test]
    fn finds_each_cue() {
        assert_eq!(names("WHERE IS MY ORDER"), ["cue.capitals"]);
        assert_eq!(names("This is NEVER acceptable"), ["cue.shouted_word"]);
        assert_eq!(names("Why?!?"), ["cue.repeated_punctuation"]);
        assert_eq!(names("Sooooo slow"), ["cue.elongation"]);
        assert_eq!(names("Stop！"), ["cue.full_width_punctuation"]);
    }

    #[test]
    fn ordinary_text_has_no_cues() {
        assert!(names("Hello, my parcel is late. Can you check? Thanks!").is_empty());
        assert!(names("包裹还没到！请帮我查一下。").is_empty());
        assert!(names("www.example.com, DHL, USB").is_empty());
    }

    #[test]
    fn cues_are_capped() {
        let total: f32 = anger_cues("!!! ??? !!! ??? !!! ???")
            .iter()
            .map(|c| c.weight)
            .sum();
        assert!(total <= PER_KIND_CAP + 1e-6);
    }
}
