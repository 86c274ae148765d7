//! Canonical forms of phone numbers and email addresses, for comparing, not for display.
//!
//! The same person arrives as `+86 138-0013-8000` from one spreadsheet and `13800138000` from
//! another, as `Li@Example.com ` here and `li@example.com` there. Import and duplicate
//! detection compare these keys; what the user typed is stored as typed.

use std::borrow::Cow;

/// Folds full-width ASCII (`０-９`, `Ａ-Ｚ`, `，`, `＠`, the ideographic space ...) to its
/// half-width form. Chinese input methods produce these in digits, dates and addresses.
pub fn fold_width(s: &str) -> Cow<'_, str> {
    let wide = |c: char| ('\u{FF01}'..='\u{FF5E}').contains(&c) || c == '\u{3000}';
    if !s.chars().any(wide) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| match c {
                '\u{3000}' => ' ',
                // the range is exactly ASCII 0x21..=0x7E shifted by 0xFEE0
                c if wide(c) => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                c => c,
            })
            .collect(),
    )
}

/// Digits only, with the country code, so two spellings of one number compare equal.
///
/// `00` (the international call prefix) is dropped, an extension (`ext. 12`, `x12`, `转12`,
/// `#12`) is cut off, and Chinese mobiles lose their country code: `+86 138 0013 8000`,
/// `0086-13800138000` and `138 0013 8000` all give `13800138000`. Other numbers keep what was
/// written (`+44 20 7946 0000` gives `442079460000`; a domestic `020 7946 0000` stays
/// `02079460000`: without a country it cannot be known which one it is).
pub fn normalize_phone(s: &str) -> String {
    let s = fold_width(s);
    let mut digits = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else if c.is_alphabetic() || matches!(c, '#' | ',' | ';') {
            // start of an extension or of a second number
            if !digits.is_empty() {
                break;
            }
        }
    }
    let mut d = digits.as_str();
    if let Some(rest) = d.strip_prefix("00") {
        d = rest;
    }
    if let Some(rest) = d.strip_prefix("86") {
        if is_cn_mobile(rest) {
            d = rest;
        }
    }
    d.to_string()
}

/// 11 digits starting 13-19: the shape of every mainland Chinese mobile number.
fn is_cn_mobile(d: &str) -> bool {
    let b = d.as_bytes();
    b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1])
}

/// Trimmed and lower-cased, without a `mailto:` prefix or `<...>` brackets.
///
/// Lower-casing the local part is not strictly right by RFC 5321, but every mail provider
/// people use treats it case-insensitively, and a duplicate missed is worse than none.
pub fn normalize_email(s: &str) -> String {
    let s = fold_width(s);
    let mut t = s.trim();
    if let Some(rest) = t.get(..7).filter(|p| p.eq_ignore_ascii_case("mailto:")).and_then(|_| t.get(7..)) {
        t = rest;
    }
    let t = t.trim().trim_start_matches('<').trim_end_matches('>').trim();
    t.to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_mobiles_compare_equal_with_or_without_country_code() {
        for s in ["+86 138-0013-8000", "0086 13800138000", "8613800138000", "138 0013 8000", "１３８００１３８０００"]
        {
            assert_eq!(normalize_phone(s), "13800138000", "{s}");
        }
    }

    #[test]
    fn other_numbers_keep_their_country_code_and_lose_extensions() {
        assert_eq!(normalize_phone("+44 20 7946 0000"), "442079460000");
        assert_eq!(normalize_phone("+1 (555) 123-4567 ext. 89"), "15551234567");
        assert_eq!(normalize_phone("010-8888 6666转123"), "01088886666");
        assert_eq!(normalize_phone("86 1234"), "861234");
        assert_eq!(normalize_phone(""), "");
        assert_eq!(normalize_phone("n/a"), "");
    }

    #[test]
    fn emails_are_trimmed_and_lowercased() {
        assert_eq!(normalize_email("  Li.Lei@Example.COM "), "li.lei@example.com");
        assert_eq!(normalize_email("mailto:<Bob@x.org>"), "bob@x.org");
        assert_eq!(normalize_email("ａ＠ｂ．ｃｎ"), "a@b.cn");
        assert_eq!(normalize_email("mailt"), "mailt");
        assert_eq!(normalize_email("é"), "é");
        assert_eq!(normalize_email("abcdef李@x.cn"), "abcdef李@x.cn");
    }
}
