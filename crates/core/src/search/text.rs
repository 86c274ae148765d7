//! Folding text for matching, and mapping matches in folded text back to the original.
//!
//! Folding is per character (never `str::to_lowercase`, whose final-sigma rule looks at
//! neighbours), so the original and the folded text can be walked in lockstep to turn a byte
//! range of the folded text into a byte range of the original for highlighting.

/// The folded form of one character: lower case, full-width ASCII (what a Chinese input method
/// types in full-width mode: `ｚｓ`, `１３８`) as ASCII, and final sigma as sigma.
pub(crate) fn fold_char(c: char) -> std::char::ToLowercase {
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        'ς' => 'σ',
        c => c,
    };
    c.to_lowercase()
}

/// Appends the folded form of `text` to `out`.
pub(crate) fn fold_into(text: &str, out: &mut String) {
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else {
            out.extend(fold_char(c));
        }
    }
}

pub(crate) fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    fold_into(text, &mut out);
    out
}

fn folded_len(c: char) -> usize {
    if c.is_ascii() {
        1
    } else {
        fold_char(c).map(char::len_utf8).sum()
    }
}

/// The byte range of `original` whose folded form covers `folded[start..end]`, widened to
/// whole characters.
pub(crate) fn original_range(original: &str, (start, end): (usize, usize)) -> (usize, usize) {
    let mut at = 0;
    let mut from = None;
    for (i, c) in original.char_indices() {
        let next = at + folded_len(c);
        if from.is_none() && start < next {
            from = Some(i);
        }
        if end <= next {
            return (from.unwrap_or(i), i + c.len_utf8());
        }
        at = next;
    }
    (from.unwrap_or(original.len()), original.len())
}

/// The first occurrence of `needle` in `hay` at or after `from`. Both are valid UTF-8 (or
/// `needle` is ASCII), so a match always starts on a character boundary. Fields and terms
/// are short: a word-at-a-time scan for the first byte beats building a searcher per row.
pub(crate) fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let last_start = hay.len().checked_sub(needle.len())?;
    let mut i = from;
    while i <= last_start {
        i += find_byte(first, &hay[i..=last_start])?;
        if hay[i + 1..i + needle.len()].iter().zip(rest).all(|(a, b)| a == b) {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// The first `b` in `hay`, eight bytes at a time (a zero byte of `word ^ pattern` is a match).
fn find_byte(b: u8, hay: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let pattern = ONES * u64::from(b);
    let mut chunks = hay.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word) ^ pattern;
        // the lowest flagged byte is always a real zero byte
        let zero = x.wrapping_sub(ONES) & !x & HIGHS;
        if zero != 0 {
            return Some(at + (zero.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    chunks.remainder().iter().position(|&x| x == b).map(|p| at + p)
}

/// A 256-bit Bloom filter of the bytes and the byte pairs of a text. A row can contain a
/// term only if its filter has every bit of the term's, so testing four words rejects most
/// rows without reading their text.
pub(crate) type TextFilter = [u64; 4];

pub(crate) fn text_filter(bytes: &[u8]) -> TextFilter {
    let mut filter = TextFilter::default();
    let mut previous = None;
    for &b in bytes {
        set_bit(&mut filter, 0x1_0000 | u32::from(b));
        if let Some(a) = previous {
            set_bit(&mut filter, pair(a, b));
        }
        previous = Some(b);
    }
    filter
}

/// The key of a byte pair in a filter.
pub(crate) fn pair(a: u8, b: u8) -> u32 {
    u32::from(a) << 8 | u32::from(b)
}

pub(crate) fn set_bit<const N: usize>(filter: &mut [u64; N], key: u32) {
    let bits = (N * 64).trailing_zeros();
    let h = (key.wrapping_mul(0x9E37_79B1) >> (32 - bits)) as usize;
    filter[h / 64] |= 1 << (h % 64);
}

/// Every bit of `probe` is set in `filter`.
pub(crate) fn has_all<const N: usize>(filter: &[u64; N], probe: &[u64; N]) -> bool {
    filter.iter().zip(probe).all(|(f, p)| p & !f == 0)
}

/// Bit `i` for each ASCII letter `a + i` in `bytes`.
pub(crate) fn letters(bytes: &[u8]) -> u32 {
    bytes.iter().filter(|b| b.is_ascii_lowercase()).fold(0, |m, &b| m | letter_bit(b))
}

pub(crate) fn letter_bit(b: u8) -> u32 {
    if b.is_ascii_lowercase() {
        1 << (b - b'a')
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_lowers_case_and_full_width() {
        assert_eq!(fold("ACME Ltd"), "acme ltd");
        assert_eq!(fold("ＺＳ１３８"), "zs138");
        assert_eq!(fold("ΟΔΟΣ οδος"), "οδοσ οδοσ");
        assert_eq!(fold("张三"), "张三");
    }

    #[test]
    fn folded_ranges_map_back_to_whole_original_characters() {
        // 'İ' folds to two characters (i + combining dot), 3 bytes for its 2
        let text = "İstanbul";
        let folded = fold(text);
        let at = folded.find("stan").unwrap();
        assert_eq!(original_range(text, (at, at + 4)), (2, 6));
        assert_eq!(original_range(text, (0, 1)), (0, 2));
        assert_eq!(original_range("ＡＢ", (1, 2)), (3, 6));
        assert_eq!(original_range("张三", (3, 6)), (3, 6));
    }

    #[test]
    fn find_finds_first_occurrence_from_an_offset() {
        assert_eq!(find(b"banana", b"ana", 0), Some(1));
        assert_eq!(find(b"banana", b"ana", 2), Some(3));
        assert_eq!(find(b"banana", b"ana", 4), None);
        assert_eq!(find(b"ab", b"abc", 0), None);
        assert_eq!(find(b"ab", b"", 0), None);
        assert_eq!(find(b"ab", b"b", 9), None);
        let long = b"0123456789abcdefghij\xe5\xbc\xa0 tail";
        for (at, &b) in long.iter().enumerate() {
            if long[..at].iter().all(|&x| x != b) {
                assert_eq!(find(long, &[b], 0), Some(at), "{b}");
            }
        }
        assert_eq!(find(long, b"z", 0), None);
    }
}
