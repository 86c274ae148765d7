//! A query parsed once per keystroke: folded terms and the masks that let most rows be
//! rejected without reading their text.

use super::text::{fold, letter_bit, letters, pair, set_bit, text_filter, TextFilter};

/// Longest term matched through pinyin: the matcher tracks term positions in a `u64`.
pub(crate) const MAX_PINYIN_TERM: usize = 63;

/// Characters a phone number is written with besides digits.
const PHONE_PUNCTUATION: &[char] = &['+', '-', '(', ')', '.', '/'];

#[derive(Debug)]
pub(crate) struct Query {
    pub terms: Vec<Term>,
}

#[derive(Debug)]
pub(crate) struct Term {
    /// folded (lower-case) text; never empty, never contains whitespace
    pub text: String,
    /// [`text_filter`] of `text`
    pub filter: TextFilter,
    /// set when the term can match through pinyin (it has an ASCII letter and is short)
    pub pinyin: Option<PinyinMask>,
    /// for a phone number typed with punctuation (`138-0013`): its digits (`1380013`), and
    /// their [`text_filter`]
    pub digits: Option<(String, TextFilter)>,
}

/// What a row's readings must contain for a term to match them.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PinyinMask {
    /// the term's first letter (0 when it starts with something else)
    pub first: u32,
    /// every letter of the term
    pub letters: u32,
    /// the pairs of letters in a row in the term (see `PinyinFilter` in the index)
    pub pairs: [u64; 2],
}

impl Query {
    pub fn parse(query: &str) -> Self {
        Self { terms: fold(query).split_whitespace().map(Term::new).collect() }
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// True when every row matching `self` also matches a query with `previous` terms, so a
    /// search for `self` only needs to look at the rows that matched `previous`: each old
    /// term is a prefix of the new term in its place (typing on), and more terms only narrow.
    pub fn narrows(&self, previous: &[String]) -> bool {
        !previous.is_empty()
            && previous.len() <= self.terms.len()
            && previous.iter().zip(&self.terms).all(|(old, new)| new.text.starts_with(old.as_str()) && !is_phone_punctuation(old))
    }
}

/// A term of phone punctuation only (`+`, `(`) can match nothing through digits, while what
/// it grows into (`+86`) can: rows it did not match may match the longer term.
fn is_phone_punctuation(term: &str) -> bool {
    term.chars().all(|c| PHONE_PUNCTUATION.contains(&c))
}

impl Term {
    fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let letters = letters(bytes);
        let pinyin = (letters != 0 && bytes.len() <= MAX_PINYIN_TERM).then(|| {
            let mut pairs = [0; 2];
            for w in bytes.windows(2).filter(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_lowercase()) {
                set_bit(&mut pairs, pair(w[0], w[1]));
            }
            PinyinMask { first: letter_bit(bytes[0]), letters, pairs }
        });
        let phone_like = text.chars().all(|c| c.is_ascii_digit() || PHONE_PUNCTUATION.contains(&c));
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        let digits = (phone_like && !digits.is_empty() && digits.len() < text.len()).then(|| {
            let filter = text_filter(digits.as_bytes());
            (digits, filter)
        });
        Self { text: text.to_string(), filter: text_filter(bytes), pinyin, digits }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_folded_and_split_on_any_whitespace() {
        let q = Query::parse("  Zhang\u{3000}ＳＡＮ\tacme ");
        let texts: Vec<_> = q.terms.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(texts, ["zhang", "san", "acme"]);
    }

    #[test]
    fn phone_terms_keep_their_digits() {
        let q = Query::parse("+86-138 0013 a1");
        assert_eq!(q.terms[0].digits.as_ref().map(|d| d.0.as_str()), Some("86138"));
        assert_eq!(q.terms[1].digits, None, "plain digits match as they are");
        assert_eq!(q.terms[2].digits, None);
        assert!(q.terms[2].pinyin.is_some());
        assert!(q.terms[0].pinyin.is_none());
    }

    #[test]
    fn only_typing_on_narrows() {
        let prev = |s: &str| s.split_whitespace().map(str::to_string).collect::<Vec<_>>();
        assert!(Query::parse("zhan").narrows(&prev("zh")));
        assert!(Query::parse("zh s").narrows(&prev("zh")));
        assert!(!Query::parse("zh").narrows(&prev("zha")));
        assert!(!Query::parse("azh").narrows(&prev("zh")));
        assert!(!Query::parse("zh").narrows(&prev("")));
        assert!(!Query::parse("+86").narrows(&prev("+")));
        assert!(Query::parse("+86").narrows(&prev("+8")));
    }
}
