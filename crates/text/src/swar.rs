//! Eight bytes at a time in a `u64` (SIMD within a register): each test answers with the high
//! bit of every byte that passes it. Safe code the compiler keeps in registers, where a byte
//! loop took a branch, often mispredicted, per byte. Shared by language detection, folding and
//! the coach's tokeniser.

pub const HIGH_BITS: u64 = 0x8080_8080_8080_8080;
pub const LOW_BITS: u64 = 0x0101_0101_0101_0101;

/// The bytes of `eight` (each below 0x80) equal to `byte`.
pub fn bytes_equal(eight: u64, byte: u8) -> u64 {
    // A byte below 0x80 plus 0x7F reaches 0x80 unless it is 0, with no carry out of it.
    !((eight ^ (LOW_BITS * u64::from(byte))) + LOW_BITS * 0x7F) & HIGH_BITS
}

/// The bytes of `eight` (each below 0x80) in `low..=high` (`high` below 0x80).
pub fn bytes_in(eight: u64, low: u8, high: u8) -> u64 {
    // At least `low`: adding 0x80 - low reaches 0x80; at most `high`: adding 0x7F - high does
    // not. Neither sum carries out of its byte.
    (eight + LOW_BITS * u64::from(0x80 - low))
        & !(eight + LOW_BITS * u64::from(0x7F - high))
        & HIGH_BITS
}

/// The zero bytes among eight bytes of any value.
pub fn zero_bytes(eight: u64) -> u64 {
    let low_seven = 0x7F * LOW_BITS;
    !(((eight & low_seven) + low_seven) | eight) & HIGH_BITS
}

/// The ASCII letters among eight ASCII bytes.
pub fn letters(eight: u64) -> u64 {
    bytes_in(eight | (LOW_BITS * 0x20), b'a', b'z')
}

/// The ASCII letters, digits and apostrophes among eight bytes of any value.
pub fn word_bytes(eight: u64) -> u64 {
    let ascii = eight & !HIGH_BITS;
    (letters(ascii) | bytes_in(ascii, b'0', b'9') | bytes_equal(ascii, b'\'')) & !eight
}

/// The run of ASCII letters, digits and apostrophes that begins eight bytes: its length (8
/// if all are) and the apostrophes in it (as high bits).
pub fn word_run(eight: u64) -> (usize, u64) {
    let words = word_bytes(eight);
    let ends = !words & HIGH_BITS;
    // The bits below the first byte that is not a word byte (all when there is none).
    let run = ends.wrapping_sub(1) & !ends;
    let apostrophes = bytes_equal(eight & !HIGH_BITS, b'\'') & words & run;
    (leading(words), apostrophes)
}

/// How many bytes pass, counted.
pub fn count(passed: u64) -> u32 {
    // One bit per byte, summed into the top byte.
    ((passed >> 7).wrapping_mul(LOW_BITS) >> 56) as u32
}

/// How many bytes from the first pass, up to 8.
pub fn leading(passed: u64) -> usize {
    (!passed & HIGH_BITS).trailing_zeros() as usize / 8
}

/// The eight bytes of `bytes` from `at` (zeros past the end).
pub fn load(bytes: &[u8], at: usize) -> u64 {
    if let Some(eight) = bytes.get(at..at + 8) {
        return u64::from_le_bytes(eight.try_into().expect("8 bytes"));
    }
    if bytes.len() >= 8 && at < bytes.len() {
        // The text's last eight bytes, shifted down so that `at` comes first.
        let last = u64::from_le_bytes(bytes[bytes.len() - 8..].try_into().expect("8 bytes"));
        return last >> (8 * (at + 8 - bytes.len()));
    }
    let mut eight = [0u8; 8];
    for (to, &from) in eight.iter_mut().zip(bytes.get(at..).unwrap_or_default()) {
        *to = from;
    }
    u64::from_le_bytes(eight)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_tests_match_the_byte_by_byte_tests() {
        for b in 0..=255u8 {
            // Each byte at each place, among bytes that would carry into it if they could.
            for place in 0..8 {
                let mut bytes = [0xFFu8; 8];
                bytes[place] = b;
                let eight = u64::from_le_bytes(bytes);
                let passes = |mask: u64| mask >> (8 * place) & 0x80 != 0;
                assert_eq!(
                    passes(word_bytes(eight)),
                    b.is_ascii_alphanumeric() || b == b'\''
                );
                let ascii = eight & !HIGH_BITS & (0x7F << (8 * place));
                if b.is_ascii() {
                    assert_eq!(passes(letters(ascii)), b.is_ascii_alphabetic());
                    assert_eq!(passes(bytes_equal(ascii, b':')), b == b':');
                    assert_eq!(passes(bytes_in(ascii, b'0', b'9')), b.is_ascii_digit());
                }
            }
        }
        assert_eq!(count(letters(u64::from_le_bytes(*b"aB3 zZ'x"))), 5);
        assert_eq!(leading(word_bytes(u64::from_le_bytes(*b"it's ok."))), 4);
        assert_eq!(leading(word_bytes(u64::from_le_bytes(*b"abcdefgh"))), 8);
        for (eight, len, apostrophes) in [
            (*b"it's ok'", 4, 0x80 << 16),
            (*b"'abc'def", 8, 0x80 | 0x80 << 32),
            (*b" 'a'b'c'", 0, 0),
            (*b"ab\xE2\x80\x99'xy", 2, 0),
        ] {
            assert_eq!(word_run(u64::from_le_bytes(eight)), (len, apostrophes));
        }
    }

    #[test]
    fn loads_pad_with_zeros() {
        let text = b"0123456789abc";
        for at in 0..=text.len() + 2 {
            let mut expected = [0u8; 8];
            for (i, slot) in expected.iter_mut().enumerate() {
                *slot = text.get(at + i).copied().unwrap_or(0);
            }
            assert_eq!(load(text, at), u64::from_le_bytes(expected), "{at}");
            assert_eq!(load(&text[..5], at), {
                let mut short = [0u8; 8];
                for (i, slot) in short.iter_mut().enumerate() {
                    *slot = text[..5].get(at + i).copied().unwrap_or(0);
                }
                u64::from_le_bytes(short)
            });
        }
    }
}
