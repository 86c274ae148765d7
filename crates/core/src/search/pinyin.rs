//! Toneless pinyin of Chinese characters, from a compact table generated at build time.
//!
//! `build.rs` reads the `pinyin` crate (a build-dependency, so none of its ~40k-character
//! tables reach the wasm) and writes, for U+4E00..=U+9FFF:
//! - a presence bitmap (one bit per code point); a lookup is one bit test and a popcount
//!   against a rank directory (one `u16` per 64 bits) derived from it on first use;
//! - for each present character a 9-bit index into the syllable list (8 bits in one byte
//!   array, the ninth in a bit array; syllables are sorted by frequency so few need it);
//! - the ~400 syllables, space-separated (their offsets are also derived on first use);
//! - a short sorted list of second readings (surnames and place names: 单 shan, 曾 zeng,
//!   长 chang, 重 chong, 行 hang ...), and a 256-bit filter of the characters that may have
//!   one, so the common case costs one bit test.
//!
//! Present are the 6,763 characters of GB 2312 plus a few dozen name characters outside it:
//! all 20,992 ideographs would cost ~22 kB compressed, the subset ~10 kB (see `build.rs`).
//! Readings are what a Latin keyboard types: `ü` is `v` (吕 `lv`), no tones.

use std::sync::OnceLock;

include!(concat!(env!("OUT_DIR"), "/pinyin_table.rs"));

/// Bytes of the table in the binary (syllables, bitmap, indices, alternates and their filter).
pub const TABLE_BYTES: usize = SYLLABLES.len()
    + std::mem::size_of_val(&PRESENT)
    + PRESENT_COUNT
    + PRESENT_COUNT.div_ceil(8)
    + std::mem::size_of_val(&MAY_HAVE_ALTERNATE)
    + std::mem::size_of_val(&ALTERNATES);

// the download budget is tight: a bigger table needs a decision, not an accident
const _: () = assert!(TABLE_BYTES < 16 * 1024, "the pinyin table grew past 16 kB");

/// What is derived from the table once, on first use (~7 kB of heap).
struct Derived {
    syllables: Vec<&'static str>,
    /// present characters before each 64-bit word of `PRESENT`
    rank: Vec<u16>,
}

fn derived() -> &'static Derived {
    static DERIVED: OnceLock<Derived> = OnceLock::new();
    DERIVED.get_or_init(|| {
        let mut count = 0u16;
        let rank = PRESENT
            .iter()
            .map(|word| {
                let before = count;
                count += word.count_ones() as u16; // < PRESENT_COUNT
                before
            })
            .collect();
        Derived { syllables: SYLLABLES.split(' ').collect(), rank }
    })
}

/// The most common toneless reading of `c`, or `None` when `c` is not a (covered) Chinese
/// character. `pinyin('张') == Some("zhang")`, `pinyin('吕') == Some("lv")`.
pub fn pinyin(c: char) -> Option<&'static str> {
    syllable_index(c).map(syllable)
}

/// Every reading search accepts for `c`: the most common first, then a second one for a few
/// surnames and place names (`readings('单')` yields `dan`, `shan`).
pub fn readings(c: char) -> impl Iterator<Item = &'static str> {
    let (first, second) = reading_pair(c);
    first.into_iter().chain(second)
}

/// The readings of `c` as a pair, for the matcher (no iterator state).
pub(crate) fn reading_pair(c: char) -> (Option<&'static str>, Option<&'static str>) {
    code(c).readings(c)
}

/// A character's readings in 16 bits, worked out once per character when a customer is
/// indexed, so matching does not search the table again on every keystroke: 0 for none,
/// else the index of the most common syllable + 1, with [`Code::SECOND`] set when the
/// character has a second reading.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Code(pub u16);

impl Code {
    const SECOND: u16 = 0x8000;

    /// The readings of `c`, whose code this is.
    pub fn readings(self, c: char) -> (Option<&'static str>, Option<&'static str>) {
        if self.0 == 0 {
            return (None, None);
        }
        let first = syllable(usize::from(self.0 & !Self::SECOND) - 1);
        let second = if self.0 & Self::SECOND != 0 { alternate(c) } else { None };
        (Some(first), second)
    }
}

impl Code {
    /// Whether a match of a term starting with byte `first` can start at `c` (whose UTF-8 is
    /// `own`), cheaper than [`readings`](Self::readings).
    pub fn may_start(self, c: char, own: &[u8], first: u8) -> bool {
        if own.first() == Some(&first) {
            return true;
        }
        if self.0 == 0 {
            return false;
        }
        syllable(usize::from(self.0 & !Self::SECOND) - 1).as_bytes().first() == Some(&first)
            || (self.0 & Self::SECOND != 0 && alternate(c).and_then(|r| r.bytes().next()) == Some(first))
    }
}

pub(crate) fn code(c: char) -> Code {
    let Some(first) = syllable_index(c) else { return Code(0) };
    // syllable indices are < 512 (build.rs), so + 1 fits in 15 bits
    let second = if alternate(c).is_some() { Code::SECOND } else { 0 };
    Code((first as u16 + 1) | second)
}

fn alternate(c: char) -> Option<&'static str> {
    let i = (u32::from(c) % 256) as usize;
    if MAY_HAVE_ALTERNATE[i / 64] >> (i % 64) & 1 == 0 {
        return None;
    }
    let offset = u32::from(c).checked_sub(FIRST)?;
    let at = ALTERNATES.binary_search_by_key(&offset, |&(cp, _)| u32::from(cp)).ok()?;
    Some(syllable(usize::from(ALTERNATES[at].1)))
}

fn syllable_index(c: char) -> Option<usize> {
    let cp = u32::from(c);
    if !(FIRST..=LAST).contains(&cp) {
        return None;
    }
    let i = (cp - FIRST) as usize;
    let word = PRESENT[i / 64];
    let bit = 1u64 << (i % 64);
    if word & bit == 0 {
        return None;
    }
    let n = usize::from(derived().rank[i / 64]) + (word & (bit - 1)).count_ones() as usize;
    let low = usize::from(IDS[n]);
    let high = IDS[PRESENT_COUNT + n / 8] >> (n % 8) & 1;
    Some(low | usize::from(high) << 8)
}

fn syllable(i: usize) -> &'static str {
    derived().syllables.get(i).copied().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_characters_have_their_usual_reading() {
        let cases = [('张', "zhang"), ('三', "san"), ('李', "li"), ('四', "si"), ('王', "wang"), ('吕', "lv"), ('女', "nv"), ('丰', "feng")];
        for (c, want) in cases {
            assert_eq!(pinyin(c), Some(want), "{c}");
        }
    }

    #[test]
    fn surname_heteronyms_have_both_readings() {
        let cases = [('单', "shan"), ('曾', "zeng"), ('解', "xie"), ('仇', "qiu"), ('区', "ou"), ('朴', "piao"), ('查', "zha"), ('秘', "bi"), ('乐', "yue"), ('长', "chang"), ('重', "chong"), ('覃', "qin")];
        for (c, surname) in cases {
            let all: Vec<_> = readings(c).collect();
            assert!(all.contains(&surname), "{c}: {all:?}");
            assert_eq!(all.len(), 2, "{c}: {all:?}");
        }
        assert_eq!(readings('张').collect::<Vec<_>>(), ["zhang"]);
    }

    #[test]
    fn name_characters_outside_gb2312_are_covered() {
        assert_eq!(pinyin('喆'), Some("zhe"));
        assert_eq!(pinyin('镕'), Some("rong"));
    }

    #[test]
    fn non_chinese_characters_have_no_reading() {
        for c in ['a', 'Z', '1', ' ', 'é', 'あ', '😀', '\u{4DFF}', '\u{A000}', char::MAX] {
            assert_eq!(pinyin(c), None, "{c:?}");
            assert_eq!(readings(c).count(), 0);
        }
    }

    #[test]
    fn every_covered_character_reads_as_lowercase_ascii() {
        let mut covered = 0;
        for cp in FIRST..=LAST {
            let c = char::from_u32(cp).unwrap();
            for r in readings(c) {
                covered += 1;
                assert!(!r.is_empty() && r.bytes().all(|b| b.is_ascii_lowercase()), "{c}: {r:?}");
            }
        }
        assert!(covered > PRESENT_COUNT, "{covered}");
    }
}
