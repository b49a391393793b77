//! Language detection: route by script first (Han, Greek, Latin, other), then decide within it.

mod chinese;
mod latin;
mod shape;
mod word_table;
mod zh_tables;

use crate::lang::{Detection, Lang};
use crate::script::{Script, script_of};
use crate::swar;
use latin::{Class, LatinScores};

/// Detects the language of `text` with no prior knowledge. See [`detect_with_hint`].
pub fn detect(text: &str) -> Detection {
    detect_with_hint(text, None)
}

/// Detects the language of `text`. `hint` is what the caller already believes (the customer's
/// preferred language, the conversation so far); it decides only when the text itself does not,
/// e.g. Chinese written only with characters shared by both scripts, or a two-word reply.
/// Text with no letters at all (empty, emoji, numbers) is `und` with confidence 0.
///
/// ```
/// use text::{Lang, detect, detect_with_hint};
/// assert_eq!(detect("den exw parei akoma to paketo moy").lang, Lang::El);
/// // Only characters shared by both scripts: the hint decides, and confidence says "unsure".
/// assert_eq!(detect_with_hint("我要退款", Some(Lang::ZhHant)).lang, Lang::ZhHant);
/// assert!(detect("我要退款").confidence < 0.5);
/// ```
pub fn detect_with_hint(text: &str, hint: Option<Lang>) -> Detection {
    let text = window(text);
    let counts = ScriptCounts::of(text);
    match counts.dominant() {
        None => Detection {
            lang: Lang::Und,
            confidence: 0.0,
        },
        Some(Script::Han) if counts.kana * 10 < counts.han || counts.kana < 2 => {
            chinese::detect(text, hint)
        }
        Some(Script::Han | Script::Kana) => Detection {
            lang: Lang::Und,
            confidence: counts.share(counts.han + counts.kana),
        },
        Some(Script::Greek) => Detection {
            lang: Lang::El,
            confidence: counts.share(counts.greek) * saturation(counts.greek as f32, 6.0),
        },
        Some(Script::Latin) => {
            let detection = detect_latin(text, hint);
            Detection {
                confidence: detection.confidence * counts.share(counts.latin),
                ..detection
            }
        }
        Some(Script::OtherLetter | Script::None) => Detection {
            lang: Lang::Und,
            confidence: counts.share(counts.other),
        },
    }
}

/// Detection reads at most this many characters: a message's language shows in its first few
/// sentences, and the cost of a 1 MB paste stays that of a paragraph.
const WINDOW_CHARS: usize = 1000;

fn window(text: &str) -> &str {
    if text.len() <= WINDOW_CHARS {
        return text;
    }
    match text.char_indices().nth(WINDOW_CHARS) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

/// Letters per script, ignoring URLs, e-mail addresses and @mentions (their Latin letters say
/// nothing about the language of a Greek or Chinese message).
#[derive(Debug, Default)]
struct ScriptCounts {
    latin: u32,
    greek: u32,
    han: u32,
    kana: u32,
    other: u32,
}

/// A Chinese character carries about as much as a short word; letters of alphabets much less.
const HAN_WEIGHT: u32 = 3;

impl ScriptCounts {
    /// The letters of the whole text (ASCII eight bytes at a time), less those of the
    /// address tokens, found around the ':' and '@' bytes and the "www." of the text: most
    /// tweets have an @mention, and looking at every token cost more than the rest of the
    /// count.
    fn of(text: &str) -> ScriptCounts {
        let (mut counts, ascii) = ScriptCounts::of_letters(text);
        let addresses = address_counts(text, ascii);
        counts.latin -= addresses.latin;
        counts.greek -= addresses.greek;
        counts.han -= addresses.han;
        counts.kana -= addresses.kana;
        counts.other -= addresses.other;
        counts
    }

    /// The letters of `text` per script, and whether it is all ASCII.
    fn of_letters(text: &str) -> (ScriptCounts, bool) {
        let bytes = text.as_bytes();
        let mut counts = ScriptCounts::default();
        let mut ascii = true;
        let mut i = 0;
        while i < bytes.len() {
            if let Some(chunk) = bytes.get(i..i + 8) {
                let eight = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
                if eight & swar::HIGH_BITS == 0 {
                    counts.latin += swar::count(swar::letters(eight));
                    i += 8;
                    continue;
                }
            }
            let byte = bytes[i];
            if byte.is_ascii() {
                counts.latin += u32::from(byte.is_ascii_alphabetic());
                i += 1;
                continue;
            }
            let c = text[i..].chars().next().expect("a char starts here");
            ascii = false;
            counts.add(c);
            i += c.len_utf8();
        }
        (counts, ascii)
    }

    fn add(&mut self, c: char) {
        match script_of(c) {
            Script::Latin => self.latin += 1,
            Script::Greek => self.greek += 1,
            Script::Han => self.han += 1,
            Script::Kana => self.kana += 1,
            Script::OtherLetter => self.other += 1,
            Script::None => {}
        }
    }

    fn weighted(&self) -> [(Script, u32); 5] {
        [
            (Script::Han, self.han * HAN_WEIGHT),
            (Script::Kana, self.kana * HAN_WEIGHT),
            (Script::Greek, self.greek),
            (Script::Latin, self.latin),
            (Script::OtherLetter, self.other),
        ]
    }

    fn dominant(&self) -> Option<Script> {
        let (script, weight) = self
            .weighted()
            .into_iter()
            .max_by_key(|&(_, weight)| weight)?;
        (weight > 0).then_some(script)
    }

    /// Share of all (weighted) letters that are in the given script, from its raw count.
    fn share(&self, count: u32) -> f32 {
        let total: u32 = self.weighted().iter().map(|&(_, w)| w).sum();
        let weight = if self.han + self.kana >= count && count > 0 && self.han + self.kana > 0 {
            count * HAN_WEIGHT
        } else {
            count
        };
        if total == 0 {
            0.0
        } else {
            (weight as f32 / total as f32).min(1.0)
        }
    }
}

/// The letters of ASCII `bytes`, eight at a time.
fn ascii_letter_count(bytes: &[u8]) -> u32 {
    let chunks = bytes.chunks_exact(8);
    let rest = chunks.remainder();
    let rest_letters = rest.iter().filter(|b| b.is_ascii_alphabetic()).count() as u32;
    chunks
        .map(|chunk| {
            swar::count(swar::letters(u64::from_le_bytes(
                chunk.try_into().expect("8 bytes"),
            )))
        })
        .sum::<u32>()
        + rest_letters
}

/// Calls `on_match` with the position of each ASCII byte of `bytes` that `matches` marks
/// (given eight bytes with their high bit cleared, it gives the high bit of each byte it
/// matches), in order, eight bytes at a time.
fn each_ascii_position(
    bytes: &[u8],
    matches: impl Fn(u64) -> u64,
    mut on_match: impl FnMut(usize),
) {
    let chunks = bytes.chunks_exact(8);
    let mut last = [0u8; 8];
    last[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    let eights = chunks.map(|chunk| u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
    for (index, eight) in eights.chain([u64::from_le_bytes(last)]).enumerate() {
        // Bytes that are not ASCII match nothing (their high bit cleared, they might).
        let mut found = matches(eight & !swar::HIGH_BITS) & !(eight & swar::HIGH_BITS);
        while found != 0 {
            on_match(index * 8 + found.trailing_zeros() as usize / 8);
            found &= found - 1;
        }
    }
}

/// The ASCII whitespace bytes among eight ASCII bytes (by `char::is_whitespace`: U+0009 to
/// U+000D and the space).
fn ascii_spaces(eight: u64) -> u64 {
    swar::bytes_in(eight, b'\t', b'\r') | swar::bytes_equal(eight, b' ')
}

/// The first ASCII whitespace byte of ASCII `bytes` from `at`, eight bytes at a time (URLs
/// make long tokens).
fn first_ascii_space_from(bytes: &[u8], mut at: usize) -> Option<usize> {
    while at < bytes.len() {
        let spaces = ascii_spaces(swar::load(bytes, at));
        if spaces != 0 {
            // Padding past the end is zeros, not spaces.
            return Some(at + spaces.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    None
}

/// The last ASCII whitespace byte of ASCII `bytes` before `at`, eight bytes at a time.
fn last_ascii_space_before(bytes: &[u8], mut at: usize) -> Option<usize> {
    while at > 0 {
        let from = at.saturating_sub(8);
        // The bytes from..at, as the low bytes.
        let eight = swar::load(bytes, from) & (u64::MAX >> (8 * (8 - (at - from))));
        let spaces = ascii_spaces(eight);
        if spaces != 0 {
            return Some(from + (63 - spaces.leading_zeros() as usize) / 8);
        }
        at = from;
    }
    None
}

/// The token (run of chars that are not whitespace) around the byte at `at`.
fn token_around(text: &str, at: usize, ascii: bool) -> &str {
    let bytes = text.as_bytes();
    let (start, end) = if ascii {
        (
            last_ascii_space_before(bytes, at).map_or(0, |i| i + 1),
            first_ascii_space_from(bytes, at).unwrap_or(bytes.len()),
        )
    } else {
        (
            text[..at]
                .char_indices()
                .rev()
                .find(|&(_, c)| c.is_whitespace())
                .map_or(0, |(i, c)| i + c.len_utf8()),
            text[at..]
                .char_indices()
                .find(|&(_, c)| c.is_whitespace())
                .map_or(text.len(), |(i, _)| at + i),
        )
    };
    &text[start..end]
}

/// The letters of the address tokens (see [`is_address`]): those with a ':' or '@', each
/// once, and those that begin with "www.".
fn address_counts(text: &str, ascii: bool) -> ScriptCounts {
    let bytes = text.as_bytes();
    let mut counts = ScriptCounts::default();
    let mut add_letters = |token: &str| {
        if ascii {
            counts.latin += ascii_letter_count(token.as_bytes());
        } else {
            token.chars().for_each(|c| counts.add(c));
        }
    };
    let is_mark = |b: u8| b == b':' || b == b'@';
    // `looked_to` is the end of the last token with a mark looked at.
    let mut looked_to = 0;
    each_ascii_position(
        bytes,
        |eight| {
            swar::bytes_equal(eight, b':')
                | swar::bytes_equal(eight, b'@')
                | swar::bytes_equal(eight, b'.')
        },
        |at| {
            // Inside a token with a mark already looked at: any "www." there is in it too.
            if at < looked_to {
                return;
            }
            if bytes[at] == b'.' {
                // A token that begins with "www." and has no mark (those with one are looked
                // at from their mark).
                let Some(start) = at.checked_sub(3).filter(|&s| &bytes[s..at] == b"www") else {
                    return;
                };
                if text[..start]
                    .chars()
                    .next_back()
                    .is_none_or(char::is_whitespace)
                {
                    let token = token_around(text, start, ascii);
                    if !token.bytes().any(is_mark) {
                        add_letters(token);
                    }
                }
            } else {
                let token = token_around(text, at, ascii);
                looked_to = token.as_ptr() as usize - text.as_ptr() as usize + token.len();
                if is_address(token.as_bytes()) {
                    add_letters(token);
                }
            }
        },
    );
    counts
}

/// URLs, @mentions and e-mail addresses. Chinese has no spaces, so a mention inside a Chinese
/// "token" must not drop the sentence around it: only a token that starts with @ or is all ASCII.
fn is_address(token: &[u8]) -> bool {
    // Byte tests first: a substring search per word costs more than the word's letters.
    (token.contains(&b':') && token.windows(3).any(|w| w == b"://"))
        || token.starts_with(b"www.")
        || token.starts_with(b"@")
        || (token.contains(&b'@') && token.contains(&b'.') && token.is_ascii())
}

/// 0 for no evidence, approaching 1 as evidence grows past `scale`.
fn saturation(evidence: f32, scale: f32) -> f32 {
    1.0 - (-evidence / scale).exp()
}

/// Minimum evidence (about one distinctive function word) before naming a Latin-script language.
const MIN_LATIN_EVIDENCE: f32 = 1.5;
/// A supported language mixed into English (Taglish, Romanian with English phrases) wins when
/// its own evidence (words English does not share) reaches this share of the English evidence
/// and this absolute amount (two distinctive words), from at least two known words.
const CODE_SWITCH_SHARE: f32 = 0.25;
const CODE_SWITCH_MIN_EVIDENCE: f32 = 4.0;
/// The hint wins when its language has at least this share of the best evidence.
const HINT_SHARE: f32 = 0.5;

fn class_lang(class: Class) -> Lang {
    match class {
        Class::En => Lang::En,
        Class::Ro => Lang::Ro,
        Class::Tl => Lang::Tl,
        Class::Greeklish => Lang::El,
        _ => Lang::Und,
    }
}

fn lang_class(lang: Lang) -> Option<Class> {
    match lang {
        Lang::En => Some(Class::En),
        Lang::Ro => Some(Class::Ro),
        Lang::Tl => Some(Class::Tl),
        Lang::El => Some(Class::Greeklish),
        _ => None,
    }
}

fn detect_latin(text: &str, hint: Option<Lang>) -> Detection {
    let scores = LatinScores::of(text);
    let (best, best_score, second) = scores.ranking();
    let hinted = hint.and_then(lang_class);
    if best_score < MIN_LATIN_EVIDENCE {
        return match hinted {
            Some(class) => Detection {
                lang: class_lang(class),
                confidence: 0.3,
            },
            None => Detection {
                lang: Lang::Und,
                confidence: 0.2,
            },
        };
    }
    let mut chosen = (best, best_score);
    if best == Class::En {
        for class in [Class::Tl, Class::Ro, Class::Greeklish] {
            let score = scores.score_beyond_english(class);
            if score >= CODE_SWITCH_SHARE * best_score
                && score >= CODE_SWITCH_MIN_EVIDENCE
                && scores.known_beyond_english(class) >= 2
                && (chosen.0 == Class::En || score > chosen.1)
            {
                chosen = (class, score);
            }
        }
    }
    if let Some(class) = hinted
        && class != chosen.0
        && scores.score(class) >= HINT_SHARE * chosen.1
    {
        chosen = (class, scores.score(class));
    }
    let rival = if chosen.0 == best { second } else { best_score };
    let margin = ((chosen.1 - rival) / chosen.1).clamp(0.0, 1.0);
    Detection {
        lang: class_lang(chosen.0),
        confidence: saturation(chosen.1, 4.0) * (0.5 + 0.5 * margin),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lang(text: &str) -> Lang {
        detect(text).lang
    }

    /// The letters of ASCII text outside addresses, word by word (the plain definition
    /// [`ScriptCounts::of`] computes from the address tokens alone).
    fn latin_letters_by_words(text: &str) -> u32 {
        // `split_whitespace`, as non-ASCII text is split (it splits at U+000B too, unlike
        // `split_ascii_whitespace`).
        text.split_whitespace()
            .filter(|t| !is_address(t.as_bytes()))
            .map(|t| t.bytes().filter(u8::is_ascii_alphabetic).count() as u32)
            .sum()
    }

    #[test]
    fn ascii_letter_count_skips_exactly_the_address_tokens() {
        let mut texts: Vec<String> = [
            "@acme my order :( see http://x.co/a?b=c and www.acme.com/help",
            "www.a.b www. wwww.x.y xwww.z a:www.b @ @@ :: a@b.c a@b :// x://y",
            "www.acme.com:80/p @a:b c@d.e\twww.q\nz:www.y\rwww.@",
            "time 10:30, list: a; b\u{b}@x.y\u{c}www.k",
            ":@",
            "",
            "plain words only",
        ]
        .iter()
        .map(|t| t.to_string())
        .collect();
        // Every split of a text with marks at chunk edges (the count reads 16 bytes at a time).
        let long = "abc defgh ijk@lmn opq:rst uvwxyz www.ab cd@ef.gh ij://kl mnop qrst";
        for cut in 0..long.len() {
            texts.push(long[..cut].to_string());
            texts.push(long[cut..].to_string());
            texts.push(format!("{}  {}", &long[cut..], &long[..cut]));
        }
        for text in &texts {
            assert!(text.is_ascii());
            assert_eq!(
                ScriptCounts::of(text).latin,
                latin_letters_by_words(text),
                "{text:?}"
            );
        }
    }

    #[test]
    fn letter_counts_of_mixed_text_skip_exactly_the_address_tokens() {
        let by_words = |text: &str| {
            let mut counts = [0u32; 5];
            for token in text
                .split_whitespace()
                .filter(|t| !is_address(t.as_bytes()))
            {
                for c in token.chars() {
                    match script_of(c) {
                        Script::Latin => counts[0] += 1,
                        Script::Greek => counts[1] += 1,
                        Script::Han => counts[2] += 1,
                        Script::Kana => counts[3] += 1,
                        Script::OtherLetter => counts[4] += 1,
                        Script::None => {}
                    }
                }
            }
            counts
        };
        let mut texts: Vec<String> = [
            "@acme it’s down 😡 see http://x.co/é and www.ăcme.ro/ajutor",
            "www.a.b\u{a0}www.x:y ţ@b.c @ţ ΑΒΓ abc 中文@ 中文 @中文 かな x://中",
            "naïve café\u{2003}résumé:: a@b.ç www.",
            "中文www.abc 日本語 Ωmega",
            "’",
            // Bytes of chars that are not ASCII whose low seven bits are '.' or ':'.
            "www®x www®.y a:ºb ®@º º:x",
            "\u{3000}www.中文\u{3000}@x\u{2028}a@b.c\u{85}www.q\u{a0}www.ş",
        ]
        .map(String::from)
        .to_vec();
        // Every split of a text with marks at chunk edges (ASCII is counted 8 bytes at a time).
        let long = "abc dé中gh ijk@lmn opq:rst ΩΩ uvwxyz www.ab cd@ef.gh ij://kl mnop\u{3000}qrst";
        let cuts: Vec<usize> = long.char_indices().map(|(i, _)| i).collect();
        for &cut in &cuts {
            texts.push(long[..cut].to_string());
            texts.push(long[cut..].to_string());
            texts.push(format!("{}\u{a0} {}", &long[cut..], &long[..cut]));
        }
        for text in &texts {
            let text = text.as_str();
            let counts = ScriptCounts::of(text);
            assert_eq!(
                [
                    counts.latin,
                    counts.greek,
                    counts.han,
                    counts.kana,
                    counts.other
                ],
                by_words(text),
                "{text:?}"
            );
        }
    }

    #[test]
    fn ascii_letters_are_counted_like_byte_by_byte() {
        let text = b"https://t.co/AbC123xyz @Zz_9 a-b.c:d@E [`{";
        for start in 0..text.len() {
            for end in start..=text.len() {
                let bytes = &text[start..end];
                let expected = bytes.iter().filter(|b| b.is_ascii_alphabetic()).count() as u32;
                assert_eq!(ascii_letter_count(bytes), expected);
            }
        }
    }

    #[test]
    fn space_searches_match_the_byte_searches() {
        let is_space = |b: &u8| b.is_ascii() && char::from(*b).is_whitespace();
        let text = b"a bc\tdefghijklmnop\x0bq\r\n  rstuvwxyz0123456789:@www.x\x0c\x1cz ";
        for end in 0..=text.len() {
            let bytes = &text[..end];
            for at in 0..=end {
                assert_eq!(
                    first_ascii_space_from(bytes, at),
                    bytes[at..].iter().position(is_space).map(|i| at + i)
                );
                assert_eq!(
                    last_ascii_space_before(bytes, at),
                    bytes[..at].iter().rposition(is_space)
                );
            }
        }
    }

    #[test]
    fn whitespace_is_no_letter() {
        // The counts take every char of the text, whitespace between tokens too.
        for c in (0..=0x10FFFF)
            .filter_map(char::from_u32)
            .filter(|c| c.is_whitespace())
        {
            assert_eq!(script_of(c), Script::None, "{c:?}");
        }
    }

    #[test]
    fn empty_and_emoji_only_are_und_with_no_confidence() {
        for text in ["", "   ", "😡😡😡", "👍🏽 !!! 123", "\u{0}\u{7}"] {
            let d = detect(text);
            assert_eq!(d.lang, Lang::Und, "{text:?}");
            assert_eq!(d.confidence, 0.0, "{text:?}");
        }
    }

    #[test]
    fn english_sentences() {
        assert_eq!(
            lang("I have been waiting for my refund for three weeks."),
            Lang::En
        );
        assert_eq!(lang("This is the worst service I've ever had"), Lang::En);
        assert_eq!(lang("can you please call me back"), Lang::En);
    }

    #[test]
    fn romanian_with_and_without_diacritics() {
        assert_eq!(
            lang("Aștept de două săptămâni să îmi returnați banii."),
            Lang::Ro
        );
        assert_eq!(
            lang("Astept de doua saptamani sa imi returnati banii."),
            Lang::Ro
        );
        assert_eq!(
            lang("nu mai comand niciodata de la voi, coletul a venit spart"),
            Lang::Ro
        );
        // Content words only: the Romanian letters carry it.
        assert_eq!(lang("Fetițele au mâncat căpșunile."), Lang::Ro);
    }

    #[test]
    fn tagalog_and_taglish() {
        assert_eq!(lang("Hindi pa po dumarating ang order ko."), Lang::Tl);
        assert_eq!(
            lang("Ang tagal ng delivery, sobrang disappointed ako sa seller."),
            Lang::Tl
        );
        assert_eq!(
            lang("Grabe, wala pa rin yung refund ko. Please call me ASAP."),
            Lang::Tl
        );
    }

    #[test]
    fn greek_with_and_without_accents_and_greeklish() {
        assert_eq!(lang("Δεν έχω παραλάβει ακόμα το δέμα μου."), Lang::El);
        assert_eq!(lang("ΔΕΝ ΕΧΩ ΠΑΡΑΛΑΒΕΙ ΑΚΟΜΑ ΤΟ ΔΕΜΑ ΜΟΥ"), Lang::El);
        assert_eq!(lang("den exw parei akoma to paketo moy"), Lang::El);
        assert_eq!(lang("8elw na milisw me kapoion upeu8uno twra"), Lang::El);
        for greeklish in [
            "Kalispera, thelw na akyrwsw thn paraggelia mou",
            "pote tha erthei to dema?",
            "den mou apantaei kaneis sto tilefono",
            "thelo piso ta lefta mou",
        ] {
            assert_eq!(lang(greeklish), Lang::El, "{greeklish}");
        }
    }

    #[test]
    fn chinese_scripts() {
        assert_eq!(lang("我要退款，这个订单还没发货"), Lang::ZhHans);
        assert_eq!(lang("我要退款，這個訂單還沒發貨"), Lang::ZhHant);
        assert_eq!(lang("我的iPhone坏了，怎么办"), Lang::ZhHans);
    }

    #[test]
    fn chinese_shared_characters_use_the_hint_and_say_so() {
        let hinted = detect_with_hint("我要退款", Some(Lang::ZhHant));
        assert_eq!(hinted.lang, Lang::ZhHant);
        let unhinted = detect("我要退款");
        assert!(unhinted.lang.is_chinese());
        assert!(unhinted.confidence < hinted.confidence);
    }

    #[test]
    fn other_languages_are_und() {
        for text in [
            "Quiero que me devuelvan el dinero de mi pedido, por favor.",
            "Ich habe meine Bestellung noch nicht erhalten und bin sehr enttäuscht.",
            "Je n'ai toujours pas reçu ma commande, c'est inadmissible.",
            "Saya belum menerima barang yang saya pesan minggu lalu.",
            "Non ho ancora ricevuto il mio ordine, sono molto deluso.",
            "Ainda não recebi o meu pedido e estou muito chateado.",
            "Nie otrzymałem jeszcze zamówienia, jestem bardzo zawiedziony.",
            "Siparişim hala gelmedi, lütfen kontrol edin.",
            "Paketet har fortfarande inte kommit fram.",
            "Dili pa gihapon moabot ang akong order.",
            "Agizo langu bado halijafika, tafadhali angalia.",
            "Đơn hàng của tôi vẫn chưa đến.",
            "Я до сих пор не получил свой заказ",
            "注文した商品がまだ届いていません",
            "주문한 상품이 아직 도착하지 않았습니다",
        ] {
            assert_eq!(lang(text), Lang::Und, "{text}");
        }
    }

    #[test]
    fn ascii_letter_counts_leave_out_addresses_like_the_word_by_word_count() {
        for text in [
            "my order never came",
            "see https://example.com/orders now",
            "ask @support or mail name@example.com",
            "www.example.com says hi",
            "time 9:30, a.www.b and x@y",
            "\tmixed\r\nwhite   space\x0b here",
        ] {
            let expected: u32 = text
                .split_ascii_whitespace()
                .filter(|word| !is_address(word.as_bytes()))
                .map(|word| word.bytes().filter(u8::is_ascii_alphabetic).count() as u32)
                .sum();
            assert_eq!(ScriptCounts::of(text).latin, expected, "{text:?}");
        }
    }

    #[test]
    fn urls_and_mentions_do_not_outvote_greek() {
        assert!(is_address("(https://t.co/x)".as_bytes()));
        assert!(is_address("@support".as_bytes()));
        assert!(is_address("www.example.com".as_bytes()));
        assert!(!is_address("hello".as_bytes()));
        assert!(is_address("name@example.com".as_bytes()));
        assert!(!is_address("回复@小明:我要退款".as_bytes()));
        assert_eq!(
            lang("Η παραγγελία μου https://example.com/orders/ABCDEFGHIJKLMNOP @CalmdeskSupport"),
            Lang::El
        );
    }

    #[test]
    fn hint_decides_a_short_ambiguous_reply() {
        assert_eq!(detect_with_hint("ok", Some(Lang::Ro)).lang, Lang::Ro);
        assert_eq!(detect("ok").lang, Lang::Und);
        // Mixed text: the hint picks among the languages the text supports, never against it.
        assert_eq!(
            detect_with_hint("thank you po", Some(Lang::Tl)).lang,
            Lang::Tl
        );
        assert_eq!(
            detect_with_hint("thank you so much", Some(Lang::Tl)).lang,
            Lang::En
        );
    }

    #[test]
    fn confidence_is_a_probability_like_number() {
        for text in [
            "hello there, how are you",
            "den exw",
            "我要",
            "ok",
            "Καλημέρα",
        ] {
            let c = detect(text).confidence;
            assert!((0.0..=1.0).contains(&c), "{text}: {c}");
        }
    }
}
