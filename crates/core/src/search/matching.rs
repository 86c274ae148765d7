//! How one term matches one field: by substring (graded prefix / word prefix / inside), by
//! pinyin, or by the digits of a phone number.
//!
//! Pinyin matching treats the field as a run of units, one per character. A Chinese
//! character consumes a non-empty prefix of one of its readings, or itself; any other
//! character consumes itself. A term matches when consecutive units, starting anywhere,
//! consume it exactly. So `zhangsan`, `zhangs`, `zs`, `zsf`, `zhsf` and `张s` all find 张三丰,
//! and `sf` finds it too (from 三). The matcher is a bit-parallel automaton: the set of term
//! positions reached so far is a `u64`, advanced once per character, so a field is read once
//! whatever the term, with no allocation.

use super::pinyin::{code, Code};
use super::query::{Term, MAX_PINYIN_TERM};
use super::text::find;

/// How a term matched a field, best first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum How {
    /// at the start of the field
    Prefix,
    /// at the start of a word inside the field
    WordPrefix,
    /// through pinyin, from the field's first character
    PinyinStart,
    /// through pinyin, from a later character
    Pinyin,
    /// anywhere else inside the field
    Inside,
}

/// The best way `term` occurs in `field` as a substring, looking at the occurrence at `first`
/// and every later one, and where.
pub(crate) fn grade_substring(field: &str, term: &str, first: usize) -> (How, usize) {
    let mut best = (grade_at(field, term, first), first);
    let mut at = first;
    while best.0 > How::Prefix {
        let Some(next) = find(field.as_bytes(), term.as_bytes(), at + 1) else { break };
        let how = grade_at(field, term, next);
        if how < best.0 {
            best = (how, next);
        }
        at = next;
    }
    best
}

fn grade_at(field: &str, term: &str, at: usize) -> How {
    let Some(before) = field[..at].chars().next_back() else { return How::Prefix };
    let first = term.chars().next().unwrap_or(' ');
    // a word starts after a separator, or where the script changes (北京Acme, Acme北京)
    if is_separator(before) || before.is_ascii() != first.is_ascii() {
        How::WordPrefix
    } else {
        How::Inside
    }
}

/// Spaces and punctuation, ASCII and the common wide ones (、。（）·「」 and full-width forms).
/// Cheaper than `char::is_alphanumeric`, whose Unicode tables would cost download size.
fn is_separator(c: char) -> bool {
    if c.is_ascii() {
        !c.is_ascii_alphanumeric()
    } else {
        c.is_whitespace() || matches!(c, '\u{2000}'..='\u{206F}' | '\u{3000}'..='\u{303F}' | '\u{FF01}'..='\u{FF0F}' | '\u{FF1A}'..='\u{FF20}' | '·')
    }
}

/// Whether `term` matches `field` through pinyin: `Some(true)` when a match starts at the
/// field's first character. `codes` are the [`Code`]s of the field's characters.
pub(crate) fn pinyin_match(field: &str, codes: &[Code], term: &[u8]) -> Option<bool> {
    let (&first, _) = term.split_first().filter(|_| term.len() <= MAX_PINYIN_TERM)?;
    let done = 1u64 << term.len();
    let mut any = 0u64; // positions reached by matches started anywhere
    let mut from_start = 1u64; // positions reached by matches started at the first character
    let mut found = false;
    for ((at, c), &code) in field.char_indices().zip(codes) {
        let own = field.as_bytes().get(at..at + c.len_utf8()).unwrap_or_default();
        // nothing under way: skip, without looking at readings, what no match starts at
        if any == 0 && from_start == 0 && !code.may_start(c, own, first) {
            continue;
        }
        let unit = Unit { own, readings: code.readings(c) };
        if from_start != 0 {
            from_start = unit.step(from_start, term);
            if from_start & done != 0 {
                return Some(true);
            }
        }
        if !found {
            any = unit.step(any | 1, term);
            found = any & done != 0;
        }
        if found && from_start == 0 {
            return Some(false);
        }
    }
    found.then_some(false)
}

/// The byte range of the first pinyin match of `term` in `field` (shortest from the earliest
/// starting character), for highlighting.
pub(crate) fn pinyin_range(field: &str, term: &[u8]) -> Option<(usize, usize)> {
    if term.is_empty() || term.len() > MAX_PINYIN_TERM {
        return None;
    }
    let done = 1u64 << term.len();
    for (start, _) in field.char_indices() {
        let mut reached = 1u64;
        for (at, c) in field[start..].char_indices().map(|(i, c)| (start + i, c)) {
            let own = field.as_bytes().get(at..at + c.len_utf8()).unwrap_or_default();
            reached = Unit { own, readings: code(c).readings(c) }.step(reached, term);
            if reached & done != 0 {
                return Some((start, at + c.len_utf8()));
            }
            if reached == 0 {
                break;
            }
        }
    }
    None
}

/// One character of a field as the automaton sees it: its own bytes and its readings.
struct Unit<'a> {
    own: &'a [u8],
    readings: (Option<&'static str>, Option<&'static str>),
}

impl Unit<'_> {
    /// The term positions reachable after this unit from the positions in `reached`.
    fn step(&self, reached: u64, term: &[u8]) -> u64 {
        let mut next = 0;
        let mut bits = reached;
        while bits != 0 {
            let p = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            let rest = &term[p.min(term.len())..];
            if !self.own.is_empty() && rest.first() == self.own.first() && rest.starts_with(self.own) {
                next |= 1 << (p + self.own.len());
            }
            for reading in [self.readings.0, self.readings.1].into_iter().flatten() {
                let k = common_prefix(reading.as_bytes(), rest);
                if k > 0 {
                    // positions p+1 ..= p+k
                    next |= ((1u64 << k) - 1) << (p + 1);
                }
            }
        }
        next
    }
}

/// Length of the common prefix of a reading and the rest of a term; `v` (ü) also matches a
/// typed `u`, since many people type 吕 as `lu`.
fn common_prefix(reading: &[u8], rest: &[u8]) -> usize {
    reading.iter().zip(rest).take_while(|&(&r, &t)| r == t || (r == b'v' && t == b'u')).count()
}

/// The best match of a term in a phone number's digits: returns the byte offset in `digits`.
pub(crate) fn find_digits(digits: &str, term: &Term) -> Option<usize> {
    find(digits.as_bytes(), term.digits.as_ref()?.0.as_bytes(), 0)
}

/// The byte range in `phone` (folded) of the digits `digits_range` of its digits-only form.
pub(crate) fn digits_to_phone_range(phone: &str, (start, end): (usize, usize)) -> (usize, usize) {
    let mut seen = 0;
    let mut from = 0;
    for (i, b) in phone.bytes().enumerate() {
        if b.is_ascii_digit() {
            if seen == start {
                from = i;
            }
            seen += 1;
            if seen == end {
                return (from, i + 1);
            }
        }
    }
    (from, phone.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn py(field: &str, term: &str) -> Option<bool> {
        let codes: Vec<Code> = field.chars().map(code).collect();
        pinyin_match(field, &codes, term.as_bytes())
    }

    #[test]
    fn pinyin_matches_full_initials_and_mixed() {
        for term in ["zhangsan", "zhangs", "zs", "zsf", "zhsf", "zhangsanfeng", "zsanf", "张s", "zhang"] {
            assert_eq!(py("张三丰", term), Some(true), "{term}");
        }
        for term in ["san", "sf", "sanfeng"] {
            assert_eq!(py("张三丰", term), Some(false), "{term}");
        }
        for term in ["ang", "zx", "zhangsanfengx", "hang", "s张"] {
            assert_eq!(py("张三丰", term), None, "{term}");
        }
    }

    #[test]
    fn pinyin_needs_a_backtrack_that_greedy_matching_misses() {
        // 八安 ba an: "ban" = b + an, while greedy "ba" leaves "n"
        assert_eq!(py("八安", "ban"), Some(true));
    }

    #[test]
    fn pinyin_accepts_u_for_v_and_second_readings() {
        assert_eq!(py("吕布", "lvbu"), Some(true));
        assert_eq!(py("吕布", "lubu"), Some(true));
        assert_eq!(py("单田芳", "shantf"), Some(true));
        assert_eq!(py("单田芳", "dtf"), Some(true));
        assert_eq!(py("中国银行", "yinhang"), Some(false));
    }

    #[test]
    fn pinyin_runs_through_latin_letters_in_a_field() {
        assert_eq!(py("张三tech", "zstech"), Some(true));
        assert_eq!(py("北京 acme", "bjacme"), None, "a space breaks the run");
    }

    #[test]
    fn pinyin_ranges_cover_the_matched_characters() {
        assert_eq!(pinyin_range("张三丰", b"zs"), Some((0, 6)));
        assert_eq!(pinyin_range("张三丰", b"zhangs"), Some((0, 6)));
        assert_eq!(pinyin_range("张三丰", b"sf"), Some((3, 9)));
        assert_eq!(pinyin_range("老张三", b"zhang"), Some((3, 6)));
        assert_eq!(pinyin_range("张三", b"x"), None);
    }

    #[test]
    fn substrings_are_graded_by_their_best_occurrence() {
        assert_eq!(grade_substring("acme corp", "acme", 0), (How::Prefix, 0));
        assert_eq!(grade_substring("xan an", "an", 1), (How::WordPrefix, 4));
        assert_eq!(grade_substring("banana", "an", 1), (How::Inside, 1));
        assert_eq!(grade_substring("北京acme", "acme", 6), (How::WordPrefix, 6));
        assert_eq!(grade_substring("张三", "三", 3), (How::Inside, 3));
    }

    #[test]
    fn phone_digits_map_back_to_the_written_number() {
        let phone = "+86 138-0013-8000";
        // digits: 8613800138000; "1380013" is digits 2..9
        let (s, e) = digits_to_phone_range(phone, (2, 9));
        assert_eq!(&phone[s..e], "138-0013");
    }
}
