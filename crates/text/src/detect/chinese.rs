//! Simplified or traditional Chinese, decided by characters that exist in only one of the two.

use std::sync::OnceLock;

use super::zh_tables::{SIMPLIFIED_ONLY, TRADITIONAL_ONLY};
use crate::lang::{Detection, Lang};

/// Characters that exist in both scripts but in practice are written far more often in
/// simplified text, because traditional text uses another character for the common word
/// (著/着, 裡/里, 於/于, 後/后, 麼/么, 隻/只). Weaker evidence than the exclusive tables.
const LEANS_SIMPLIFIED: &[char] = &['么', '于', '后', '只', '着', '里'];
const LEAN_WEIGHT: f32 = 0.3;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Form {
    Shared,
    Simplified,
    Traditional,
    LeansSimplified,
}

/// The unified ideographs (U+3400..U+9FFF) hold nearly every character of real text: one byte
/// per character there makes the per-character test a load instead of two binary searches.
const DENSE_START: u32 = 0x3400;
const DENSE_END: u32 = 0xA000;

fn dense_forms() -> &'static [Form] {
    static FORMS: OnceLock<Vec<Form>> = OnceLock::new();
    FORMS.get_or_init(|| {
        (DENSE_START..DENSE_END)
            .map(|code| char::from_u32(code).map_or(Form::Shared, form_by_search))
            .collect()
    })
}

fn form_by_search(c: char) -> Form {
    if SIMPLIFIED_ONLY.binary_search(&c).is_ok() {
        Form::Simplified
    } else if TRADITIONAL_ONLY.binary_search(&c).is_ok() {
        Form::Traditional
    } else if LEANS_SIMPLIFIED.contains(&c) {
        Form::LeansSimplified
    } else {
        Form::Shared
    }
}

fn form(c: char) -> Form {
    let code = u32::from(c);
    if (DENSE_START..DENSE_END).contains(&code) {
        dense_forms()[(code - DENSE_START) as usize]
    } else if code < 0x2E80 {
        Form::Shared
    } else {
        form_by_search(c)
    }
}

pub(super) fn detect(text: &str, hint: Option<Lang>) -> Detection {
    let mut simplified = 0.0f32;
    let mut traditional = 0.0f32;
    for c in text.chars() {
        match form(c) {
            Form::Simplified => simplified += 1.0,
            Form::Traditional => traditional += 1.0,
            Form::LeansSimplified => simplified += LEAN_WEIGHT,
            Form::Shared => {}
        }
    }
    let margin = (simplified - traditional).abs();
    let hinted = hint.filter(|h| h.is_chinese());
    if margin < 1.0 {
        // Nothing (or almost nothing) tells the scripts apart: the caller's hint decides; without
        // one, simplified is the likelier script for an unknown writer, said with low confidence.
        let lang = hinted.unwrap_or(if traditional > simplified {
            Lang::ZhHant
        } else {
            Lang::ZhHans
        });
        let confidence = if hinted.is_some() { 0.6 } else { 0.35 };
        return Detection { lang, confidence };
    }
    let lang = if simplified > traditional {
        Lang::ZhHans
    } else {
        Lang::ZhHant
    };
    // Two clear characters already make it likely; mixed evidence lowers the confidence.
    let share = simplified.max(traditional) / (simplified + traditional);
    let amount = 1.0 - (-margin / 1.5).exp();
    Detection {
        lang,
        confidence: (0.5 + 0.5 * amount) * share,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted_and_disjoint() {
        assert!(SIMPLIFIED_ONLY.windows(2).all(|w| w[0] < w[1]));
        assert!(TRADITIONAL_ONLY.windows(2).all(|w| w[0] < w[1]));
        assert!(
            SIMPLIFIED_ONLY
                .iter()
                .all(|c| TRADITIONAL_ONLY.binary_search(c).is_err())
        );
    }

    #[test]
    fn dense_lookup_agrees_with_the_tables() {
        for &c in SIMPLIFIED_ONLY {
            assert_eq!(form(c), Form::Simplified, "{c}");
        }
        for &c in TRADITIONAL_ONLY {
            assert_eq!(form(c), Form::Traditional, "{c}");
        }
        assert_eq!(form('着'), Form::LeansSimplified);
        assert_eq!(form('的'), Form::Shared);
        assert_eq!(form('a'), Form::Shared);
    }

    #[test]
    fn shared_characters_are_in_neither_table() {
        for c in ['的', '是', '人', '大', '里', '台', '后', '只'] {
            assert!(SIMPLIFIED_ONLY.binary_search(&c).is_err(), "{c}");
            assert!(TRADITIONAL_ONLY.binary_search(&c).is_err(), "{c}");
        }
    }

    #[test]
    fn distinguishing_characters_decide() {
        let hans = detect("我要退款，这个订单还没发货", None);
        assert_eq!(hans.lang, Lang::ZhHans);
        assert!(hans.confidence > 0.8);
        let hant = detect("我要退款，這個訂單還沒發貨", None);
        assert_eq!(hant.lang, Lang::ZhHant);
        assert!(hant.confidence > 0.8);
    }

    #[test]
    fn only_shared_characters_follow_the_hint() {
        // 我要退款 is written the same in both scripts.
        assert_eq!(detect("我要退款", Some(Lang::ZhHant)).lang, Lang::ZhHant);
        assert_eq!(detect("我要退款", Some(Lang::ZhHans)).lang, Lang::ZhHans);
    }

    #[test]
    fn only_shared_characters_without_hint_is_a_low_confidence_guess() {
        let d = detect("我要退款", None);
        assert_eq!(d.lang, Lang::ZhHans);
        assert!(d.confidence < 0.5);
        // A hint that is not Chinese says nothing about the script.
        assert!(detect("我要退款", Some(Lang::En)).confidence < 0.5);
    }

    #[test]
    fn clear_evidence_beats_a_wrong_hint() {
        assert_eq!(
            detect("這個訂單還沒發貨", Some(Lang::ZhHans)).lang,
            Lang::ZhHant
        );
    }

    #[test]
    fn mixed_evidence_lowers_confidence() {
        let clean = detect("这个订单还没发货", None);
        let mixed = detect("这个订单還沒发货", None);
        assert_eq!(mixed.lang, Lang::ZhHans);
        assert!(mixed.confidence < clean.confidence);
    }
}
