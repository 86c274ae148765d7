//! CSV for spreadsheets.
//!
//! Excel reads a CSV as the system code page unless it starts with a UTF-8 BOM, so Chinese
//! names would arrive garbled; it also runs any cell starting with `=`, `+`, `-` or `@` as a
//! formula, so a customer named `=HYPERLINK(...)` from a web form would become a live link
//! or worse (CSV injection). Such cells get a leading `'`, which Excel shows as text and the
//! importer removes again; plain numbers like `-12.5` are left alone.

use std::borrow::Cow;

/// A CSV file: UTF-8 with BOM, CRLF line endings, fields quoted where needed, formula cells
/// guarded ([`guard_formula`]). Rows may have any length.
pub fn to_csv<H: AsRef<str>>(headers: &[H], rows: impl IntoIterator<Item = Vec<String>>) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).flexible(true).from_writer(&mut out);
        // writing to a Vec cannot fail
        let _ = w.write_record(headers.iter().map(|h| guard_formula(h.as_ref()).into_owned()));
        for row in rows {
            let _ = w.write_record(row.iter().map(|c| guard_formula(c).into_owned()));
        }
        let _ = w.flush();
    }
    out
}

/// `cell`, with a `'` in front if a spreadsheet would run it as a formula.
pub fn guard_formula(cell: &str) -> Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && !is_plain_number(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// `-12`, `+3.5`, `-0.25`: digits with a sign and at most one decimal point.
fn is_plain_number(s: &str) -> bool {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    !int.is_empty() && all_digits(int) && all_digits(frac) && !(digits.ends_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_guarded_numbers_are_not() {
        for (cell, want) in [
            ("=1+1", "'=1+1"),
            ("+86 138 0013 8000", "'+86 138 0013 8000"),
            ("-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("-12.5", "-12.5"),
            ("+8613800138000", "+8613800138000"),
            ("-", "'-"),
            ("-1.", "'-1."),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(guard_formula(cell), want, "{cell:?}");
        }
    }

    #[test]
    fn bom_crlf_and_quoting() {
        let out = to_csv(&["名称", "note"], [vec!["张三".into(), "a, \"b\"\nc".into()], vec!["x".into()]]);
        let text = String::from_utf8(out).expect("utf-8");
        assert_eq!(text, "\u{feff}名称,note\r\n张三,\"a, \"\"b\"\"\nc\"\r\nx\r\n");
    }
}
