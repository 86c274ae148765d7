//! Cell values as people type them into spreadsheets: amounts with thousands separators and
//! currency signs, dates in a dozen spellings, yes/no in two languages, lists in one cell.
//!
//! Each parser accepts what a person would read unambiguously and refuses the rest, so a
//! refused value becomes a row error the user can fix, never a silently wrong number.
//! Full-width characters from Chinese input methods (`２０２４`, `，`) are read as their ASCII
//! forms first.
//!
//! Money is kept as `i64` hundredths of the currency unit ("cents", whatever the currency),
//! because floats cannot add up invoices exactly. More than two decimals are rounded half away
//! from zero.

use crate::dates::Date;
use crate::normalize::fold_width;
use crate::Kind;
use serde::{Deserialize, Serialize};

/// A date if it exists, in years 1 to 9999: `ymd(2023, 2, 29)` is `None`.
fn ymd(y: i32, m: u32, d: u32) -> Option<Date> {
    if (1..=9999).contains(&y) {
        Date::new(y, m, d)
    } else {
        None
    }
}

/// How to read `05/03/2024`: 5 March (day first, most of the world) or May 3 (month first,
/// the US and Excel in US English). `Auto` decides per file from the column's values
/// ([`date_order_hint`]); with no deciding value it reads month first.
/// `DD.MM.YYYY` with dots is always day first, `YYYY/MM/DD` always year-month-day.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateOrder {
    #[default]
    Auto,
    DayFirst,
    MonthFirst,
}

/// Numbers, at most one month name, and the separators dates are written with.
struct DateParts<'a> {
    nums: [(u32, usize); 3],
    n: usize,
    word: Option<&'a str>,
    dotted: bool,
}

fn date_parts(s: &str) -> Option<DateParts<'_>> {
    let mut p = DateParts { nums: [(0, 0); 3], n: 0, word: None, dotted: false };
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if c.is_ascii_digit() {
            let len = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
            if p.n == 3 || len > 8 {
                return None;
            }
            p.nums[p.n] = (rest[..len].parse().ok()?, len);
            p.n += 1;
            rest = &rest[len..];
        } else if c.is_ascii_alphabetic() {
            let len = rest.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(rest.len());
            if p.word.is_some() {
                return None;
            }
            p.word = Some(&rest[..len]);
            rest = &rest[len..];
        } else {
            match c {
                '.' => p.dotted = true,
                '-' | '/' | ' ' | ',' | '年' | '月' | '日' | '号' => {}
                _ => return None,
            }
            rest = &rest[c.len_utf8()..];
        }
    }
    Some(p)
}

/// Cuts a time of day (`10:30`, `T10:30:00+08:00`, `下午 3:00`) off a date.
fn strip_time(s: &str) -> &str {
    let Some(colon) = s.find(':') else { return s };
    let head = s[..colon].trim_end_matches(|c: char| c.is_ascii_digit());
    let head = head.strip_suffix(['T', 't']).unwrap_or(head).trim_end();
    let head = head.strip_suffix("上午").or_else(|| head.strip_suffix("下午")).unwrap_or(head);
    head.trim_end()
}

fn month_from_name(w: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    if w.len() < 3 {
        return None;
    }
    let w = w.to_ascii_lowercase();
    let i = MONTHS.iter().position(|m| m.starts_with(&w))?;
    u32::try_from(i + 1).ok()
}

fn year_of(v: u32, len: usize) -> Option<i32> {
    match len {
        // two-digit years as Excel reads them: 00-29 -> 2000s, 30-99 -> 1900s
        2 => Some(if v < 30 { 2000 + v as i32 } else { 1900 + v as i32 }),
        4 => i32::try_from(v).ok(),
        _ => None,
    }
}

/// Reads a date: `2024-03-05`, `2024/3/5`, `2024.03.05`, `20240305`, `2024-03-05 10:30[:00]`,
/// `2024-03-05T10:30:00Z`, `2024年3月5日`, `5.3.2024` (day first), `3/5/2024` and `3/5/24`
/// (by `order`), `5 Mar 2024`, `Mar 5, 2024`, `05-Mar-24`, and Excel serial day numbers
/// (five digits, e.g. `45356`). A time of day is dropped.
pub fn parse_date(s: &str, order: DateOrder) -> Option<Date> {
    let folded = fold_width(s.trim());
    let p = date_parts(strip_time(&folded))?;
    let [(a, la), (b, lb), (c, lc)] = p.nums;
    if let Some(word) = p.word {
        let m = month_from_name(word)?;
        if p.n != 2 {
            return None;
        }
        return match (la, lb) {
            (4, 1..=2) => ymd(year_of(a, la)?, m, b),
            (1..=2, 2 | 4) => ymd(year_of(b, lb)?, m, a),
            _ => None,
        };
    }
    match p.n {
        1 if la == 8 => ymd((a / 10_000) as i32, a / 100 % 100, a % 100),
        // Excel stores dates as days since 1899-12-30; five digits span 1927-2173
        1 if la == 5 => Some(Date::from_days(a as i32 - 25_569)),
        3 if la == 4 && lb <= 2 && lc <= 2 => ymd(a as i32, b, c),
        3 if la <= 2 && lb <= 2 && (lc == 4 || lc == 2) => {
            let day_first = p.dotted
                || match order {
                    DateOrder::DayFirst => true,
                    DateOrder::MonthFirst => false,
                    DateOrder::Auto => a > 12,
                };
            let (d, m) = if day_first { (a, b) } else { (b, a) };
            ymd(year_of(c, lc)?, m, d)
        }
        _ => None,
    }
}

/// What one value says about the file's date order: `3/25/2024` can only be month first,
/// `25/3/2024` only day first, `3/5/2024` says nothing.
pub fn date_order_hint(s: &str) -> Option<DateOrder> {
    match slash_parts(s)? {
        (a, b) if a > 12 && b <= 12 => Some(DateOrder::DayFirst),
        (a, b) if b > 12 && a <= 12 => Some(DateOrder::MonthFirst),
        _ => None,
    }
}

/// Whether `s` reads as a different date day first than month first (`3/5/2024`).
pub fn is_ambiguous_date(s: &str) -> bool {
    slash_parts(s).is_some_and(|(a, b)| a <= 12 && b <= 12 && a != b)
}

/// The first two numbers of a `a/b/yyyy` or `a-b-yy` date, whose order is the question.
fn slash_parts(s: &str) -> Option<(u32, u32)> {
    let folded = fold_width(s.trim());
    let p = date_parts(strip_time(&folded))?;
    let [(a, la), (b, lb), (_, lc)] = p.nums;
    let shaped = p.n == 3 && p.word.is_none() && !p.dotted && la <= 2 && lb <= 2 && (lc == 2 || lc == 4);
    shaped.then_some((a, b))
}

/// Why a number was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumberError {
    NotANumber,
    NotWhole,
    TooLarge,
}

/// Digits with thousands separators and a decimal mark, as (integer digits, fraction digits).
///
/// `1,234.56`, `1.234,56`, `1 234,56`, `1'234.56` all give ("1234", "56"). One comma followed
/// by exactly three digits (`1,234`) is a thousands separator, as in English and Chinese
/// spreadsheets; one comma followed by other than three digits (`12,5`) is a decimal comma.
/// Groups after the first must have three digits, so `12,34,5` is refused.
fn split_digits(s: &str) -> Option<(String, &str)> {
    let group_sep = |c: char| matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\'' | '’');
    if !s.chars().all(|c| c.is_ascii_digit() || c == ',' || c == '.' || group_sep(c)) {
        return None;
    }
    let commas = s.matches(',').count();
    let dots = s.matches('.').count();
    let decimal = match (commas, dots) {
        (0, 0) => None,
        (1, 0) => {
            let after = s.rsplit(',').next().map_or(0, str::len);
            (after != 3 || s.starts_with("0,")).then_some(',')
        }
        (_, 0) => None,
        (0, 1) => Some('.'),
        (0, _) => None,
        _ => {
            let d = if s.rfind('.') > s.rfind(',') { '.' } else { ',' };
            if s.matches(d).count() != 1 {
                return None;
            }
            Some(d)
        }
    };
    let (int, frac) = match decimal {
        Some(d) => s.split_once(d)?,
        None => (s, ""),
    };
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut groups = int.split(|c: char| !c.is_ascii_digit());
    let first = groups.next().unwrap_or("");
    let mut digits = first.to_string();
    let mut grouped = false;
    for g in groups {
        if g.len() != 3 {
            return None;
        }
        grouped = true;
        digits.push_str(g);
    }
    if (grouped && !(1..=3).contains(&first.len())) || (digits.is_empty() && frac.is_empty()) {
        return None;
    }
    Some((digits, frac))
}

/// `int.frac` scaled by 10^scale, rounded half away from zero.
fn to_fixed(int: &str, frac: &str, scale: usize) -> Result<i64, NumberError> {
    let digit = |b: u8| i64::from(b - b'0');
    let mut v: i64 = 0;
    let fb = frac.as_bytes();
    for b in int.bytes().chain((0..scale).map(|i| fb.get(i).copied().unwrap_or(b'0'))) {
        v = v.checked_mul(10).and_then(|v| v.checked_add(digit(b))).ok_or(NumberError::TooLarge)?;
    }
    if fb.get(scale).is_some_and(|&b| b >= b'5') {
        v = v.checked_add(1).ok_or(NumberError::TooLarge)?;
    }
    Ok(v)
}

/// Currency signs and names, longest first where one ends another (`美元` before `元`).
const CURRENCY_SIGNS: &[(&str, &str)] = &[
    ("US$", "USD"),
    ("HK$", "HKD"),
    ("NT$", "TWD"),
    ("A$", "AUD"),
    ("C$", "CAD"),
    ("S$", "SGD"),
    ("人民币", "CNY"),
    ("美元", "USD"),
    ("欧元", "EUR"),
    ("英镑", "GBP"),
    ("港币", "HKD"),
    ("港元", "HKD"),
    ("日元", "JPY"),
    ("RMB", "CNY"),
    ("¥", "CNY"),
    ("￥", "CNY"),
    ("元", "CNY"),
    ("$", "USD"),
    ("€", "EUR"),
    ("£", "GBP"),
    ("円", "JPY"),
    ("₩", "KRW"),
    ("₹", "INR"),
];

/// ISO 4217 codes accepted in any letter case; other codes must be written in capitals.
const KNOWN_CODES: &[&str] = &[
    "CNY", "USD", "EUR", "GBP", "JPY", "HKD", "TWD", "KRW", "SGD", "AUD", "CAD", "CHF", "INR", "RUB", "MOP", "THB",
    "MYR", "VND", "NZD", "SEK", "NOK", "DKK",
];

fn code_of(word: &str) -> Option<String> {
    let upper = word.to_ascii_uppercase();
    let ok = word.len() == 3
        && word.bytes().all(|b| b.is_ascii_alphabetic())
        && (word == upper || KNOWN_CODES.contains(&upper.as_str()));
    ok.then_some(upper)
}

/// A currency written on its own, as in a currency column: `CNY`, `usd`, `¥`, `人民币`.
pub fn parse_currency(s: &str) -> Option<String> {
    let folded = fold_width(s.trim());
    let t = folded.trim();
    if let Some((_, code)) = CURRENCY_SIGNS.iter().find(|(sign, _)| *sign == t) {
        return Some((*code).to_string());
    }
    code_of(t)
}

fn currency_prefix(t: &str) -> Option<(String, &str)> {
    if let Some((sign, code)) = CURRENCY_SIGNS.iter().find(|(sign, _)| t.starts_with(sign)) {
        return Some(((*code).to_string(), &t[sign.len()..]));
    }
    let word = t.get(..3)?;
    let rest = &t[3..];
    rest.starts_with(|c: char| c.is_ascii_digit() || c.is_whitespace() || c == '-').then_some(())?;
    Some((code_of(word)?, rest))
}

fn currency_suffix(t: &str) -> Option<(String, &str)> {
    if let Some((sign, code)) = CURRENCY_SIGNS.iter().find(|(sign, _)| t.ends_with(sign)) {
        return Some(((*code).to_string(), &t[..t.len() - sign.len()]));
    }
    let cut = t.len().checked_sub(3)?;
    let word = t.get(cut..)?;
    let rest = &t[..cut];
    rest.ends_with(|c: char| c.is_ascii_digit() || c.is_whitespace()).then_some(())?;
    Some((code_of(word)?, rest))
}

/// An amount of money in hundredths, and the currency if the cell names one:
/// `1,234.56`, `¥1,234.50`, `$12`, `-€3,50`, `1.234,56 EUR`, `12元`, `(12.00)` (negative).
pub fn parse_money(s: &str) -> Result<(i64, Option<String>), NumberError> {
    let folded = fold_width(s.trim());
    let mut t = folded.trim();
    let mut neg = false;
    if let Some(inner) = t.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        neg = true;
        t = inner.trim();
    }
    let mut currency = None;
    loop {
        if let Some(rest) = t.strip_prefix(['-', '−']) {
            if neg {
                return Err(NumberError::NotANumber);
            }
            neg = true;
            t = rest.trim_start();
        } else if let Some(rest) = t.strip_prefix('+') {
            t = rest.trim_start();
        } else if let Some((code, rest)) = currency.is_none().then(|| currency_prefix(t)).flatten() {
            currency = Some(code);
            t = rest.trim_start();
        } else {
            break;
        }
    }
    if currency.is_none() {
        if let Some((code, rest)) = currency_suffix(t) {
            currency = Some(code);
            t = rest.trim_end();
        }
    }
    let (int, frac) = split_digits(t).ok_or(NumberError::NotANumber)?;
    let v = to_fixed(&int, frac, 2)?;
    Ok((if neg { -v } else { v }, currency))
}

/// A whole number such as a quantity: `3`, `1,200`, `-2`, `3.00`; `2.5` is refused.
pub fn parse_whole(s: &str) -> Result<i64, NumberError> {
    let folded = fold_width(s.trim());
    let t = folded.trim();
    let (neg, t) = match t.strip_prefix(['-', '−']) {
        Some(rest) => (true, rest.trim_start()),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (int, frac) = split_digits(t).ok_or(NumberError::NotANumber)?;
    if frac.bytes().any(|b| b != b'0') {
        return Err(NumberError::NotWhole);
    }
    let v = to_fixed(&int, "", 0)?;
    Ok(if neg { -v } else { v })
}

/// yes/no, y/n, true/false, 1/0, on/off, 是/否, 对/错, 有/无.
pub fn parse_bool(s: &str) -> Option<bool> {
    let folded = fold_width(s.trim());
    match folded.trim().to_lowercase().as_str() {
        "yes" | "y" | "true" | "t" | "1" | "on" | "x" | "是" | "对" | "有" | "√" | "✓" => Some(true),
        "no" | "n" | "false" | "f" | "0" | "off" | "否" | "不" | "错" | "无" => Some(false),
        _ => None,
    }
}

/// company / person, also in the words other CRMs and Chinese spreadsheets use.
pub fn parse_kind(s: &str) -> Option<Kind> {
    let folded = fold_width(s.trim());
    match folded.trim().to_lowercase().as_str() {
        "company" | "organization" | "organisation" | "org" | "business" | "corporate" | "enterprise" | "b2b"
        | "account" | "公司" | "企业" | "机构" | "单位" | "组织" | "企业客户" | "公司客户" => {
            Some(Kind::Company)
        }
        "person" | "individual" | "private" | "personal" | "consumer" | "b2c" | "contact" | "个人" | "个体"
        | "自然人" | "个人客户" => Some(Kind::Person),
        _ => None,
    }
}

/// Splits a cell holding several values, trimming each and dropping empty ones and repeats.
pub fn split_list(s: &str, separators: &[char]) -> Vec<String> {
    let folded = fold_width(s);
    let mut out: Vec<String> = Vec::new();
    for part in folded.split(|c| separators.contains(&c)) {
        let part = part.trim();
        if !part.is_empty() && !out.iter().any(|p| p == part) {
            out.push(part.to_string());
        }
    }
    out
}

/// Tag separators: `,;|` and the Chinese `、，；` (the full-width ones fold to ASCII first).
pub const TAG_SEPARATORS: &[char] = &[',', ';', '|', '、', '\n'];
/// Several emails in one cell: also spaces, which no address contains.
pub const EMAIL_SEPARATORS: &[char] = &[',', ';', '|', '、', '\n', ' ', '/'];
/// Several phones in one cell: not spaces or dashes, which are inside numbers.
pub const PHONE_SEPARATORS: &[char] = &[',', ';', '|', '、', '\n', '/'];
/// Order line items: not commas, which product names contain (`Cable, 2 m`).
pub const ITEM_SEPARATORS: &[char] = &[';', '|', '、', '\n'];

/// One address, roughly: `local@domain.tld`, no spaces. Deliverability is not the point;
/// catching a name or a phone in the email column is.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else { return false };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(|c| c.is_whitespace() || matches!(c, ',' | ';' | '<' | '>' | '"'))
}

/// `1.38001E+10`: a long number Excel turned into scientific notation, losing its digits.
pub fn mangled_by_excel(s: &str) -> bool {
    let t = s.trim();
    let Some((mantissa, exp)) = t.split_once(['E', 'e']) else { return false };
    let exp = exp.strip_prefix('+').unwrap_or(exp);
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, "0"));
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    digits(int) && digits(frac) && digits(exp)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> Option<Date> {
        Date::new(y, m, d)
    }

    #[test]
    fn dates_in_many_spellings_read_the_same() {
        let want = date(2024, 3, 5);
        for s in [
            "2024-03-05",
            "2024/3/5",
            "2024.03.05",
            "20240305",
            "2024-03-05 10:30",
            "2024-03-05 10:30:59",
            "2024-03-05T10:30:00Z",
            "2024-03-05T10:30:00+08:00",
            "2024年3月5日",
            "2024年3月5日 下午3:00",
            "２０２４年３月５日",
            "5.3.2024",
            "05.03.2024",
            "5 Mar 2024",
            "Mar 5, 2024",
            "March 5 2024",
            "05-Mar-24",
            "45356",
        ] {
            assert_eq!(parse_date(s, DateOrder::Auto), want, "{s}");
        }
        assert_eq!(parse_date("3/5/2024", DateOrder::MonthFirst), want);
        assert_eq!(parse_date("5/3/2024", DateOrder::DayFirst), want);
        assert_eq!(parse_date("3/5/24", DateOrder::MonthFirst), want);
        assert_eq!(parse_date("25/3/2024", DateOrder::Auto), date(2024, 3, 25));
        assert_eq!(parse_date("5/3/65", DateOrder::DayFirst), date(1965, 3, 5));
    }

    #[test]
    fn impossible_dates_are_refused() {
        for s in [
            "31/31/2024",
            "2024-02-30",
            "2024-13-01",
            "",
            "tomorrow",
            "2024",
            "1/2",
            "2024-03-05-01",
            "Foo 5 2024",
            "13/13/13",
            "12345678901",
        ] {
            assert_eq!(parse_date(s, DateOrder::Auto), None, "{s}");
        }
        assert_eq!(parse_date("25/3/2024", DateOrder::MonthFirst), None);
    }

    #[test]
    fn date_order_hints_come_only_from_deciding_values() {
        assert_eq!(date_order_hint("25/03/2024"), Some(DateOrder::DayFirst));
        assert_eq!(date_order_hint("03/25/2024"), Some(DateOrder::MonthFirst));
        assert_eq!(date_order_hint("03/05/2024"), None);
        assert_eq!(date_order_hint("25.03.2024"), None);
        assert_eq!(date_order_hint("2024/03/25"), None);
        assert!(is_ambiguous_date("3/5/2024"));
        assert!(!is_ambiguous_date("5/5/2024"));
        assert!(!is_ambiguous_date("25/5/2024"));
        assert!(!is_ambiguous_date("2024-03-05"));
    }

    #[test]
    fn money_with_separators_signs_and_currencies() {
        let ok = |s: &str, v: i64, c: Option<&str>| {
            assert_eq!(parse_money(s), Ok((v, c.map(str::to_string))), "{s}");
        };
        ok("1234.56", 123_456, None);
        ok("1,234.56", 123_456, None);
        ok("1.234,56", 123_456, None);
        ok("1 234,56", 123_456, None);
        ok("1\u{a0}234,56", 123_456, None);
        ok("1'234.56", 123_456, None);
        ok("1,234,567", 123_456_700, None);
        ok("1.234.567", 123_456_700, None);
        ok("1,234", 123_400, None);
        ok("12,5", 1250, None);
        ok("0,123", 12, None);
        ok(".5", 50, None);
        ok("29.335", 2934, None);
        ok("-29.335", -2934, None);
        ok("¥1,234.50", 123_450, Some("CNY"));
        ok("￥１，２３４.５０", 123_450, Some("CNY"));
        ok("$12", 1200, Some("USD"));
        ok("-$12", -1200, Some("USD"));
        ok("$-12", -1200, Some("USD"));
        ok("(12.00)", -1200, None);
        ok("€3,50", 350, Some("EUR"));
        ok("3,50 €", 350, Some("EUR"));
        ok("12元", 1200, Some("CNY"));
        ok("12美元", 1200, Some("USD"));
        ok("USD 12.5", 1250, Some("USD"));
        ok("12.50 chf", 1250, Some("CHF"));
        ok("HK$ 100", 10_000, Some("HKD"));
        ok("£0.01", 1, Some("GBP"));
    }

    #[test]
    fn garbage_amounts_are_refused() {
        for s in [
            "",
            "12,34x",
            "abc",
            "1,2,3",
            "12,34,5",
            "1.2.3,4,5",
            "--5",
            "1e5",
            "12 34",
            "$",
            "(-5)",
            "1,234.5.6",
            "abc12",
        ] {
            assert!(parse_money(s).is_err(), "{s}");
        }
        assert_eq!(parse_money("99999999999999999999"), Err(NumberError::TooLarge));
        assert_eq!(parse_money("92233720368547758.07"), Ok((i64::MAX, None)));
        assert_eq!(parse_money("92233720368547758.08"), Err(NumberError::TooLarge));
    }

    #[test]
    fn whole_numbers() {
        assert_eq!(parse_whole("3"), Ok(3));
        assert_eq!(parse_whole("1,200"), Ok(1200));
        assert_eq!(parse_whole("-2"), Ok(-2));
        assert_eq!(parse_whole("3.00"), Ok(3));
        assert_eq!(parse_whole("2.5"), Err(NumberError::NotWhole));
        assert_eq!(parse_whole("two"), Err(NumberError::NotANumber));
    }

    #[test]
    fn currencies_bools_kinds_lists_emails() {
        assert_eq!(parse_currency("usd").as_deref(), Some("USD"));
        assert_eq!(parse_currency("人民币").as_deref(), Some("CNY"));
        assert_eq!(parse_currency("XBT").as_deref(), Some("XBT"));
        assert_eq!(parse_currency("xbt"), None);
        assert_eq!(parse_currency("dollars"), None);
        assert_eq!(parse_bool("是"), Some(true));
        assert_eq!(parse_bool(" No "), Some(false));
        assert_eq!(parse_bool("maybe"), None);
        assert_eq!(parse_kind("企业"), Some(Kind::Company));
        assert_eq!(parse_kind("Individual"), Some(Kind::Person));
        assert_eq!(parse_kind("robot"), None);
        assert_eq!(split_list("vip, 华东、重点；vip |", TAG_SEPARATORS), ["vip", "华东", "重点"]);
        assert!(is_email("li@example.cn"));
        assert!(!is_email("Li Lei"));
        assert!(!is_email("a@b"));
        assert!(!is_email("a@b.cn; c@d.cn"));
        assert!(mangled_by_excel("1.38001E+10"));
        assert!(!mangled_by_excel("13800138000"));
    }
}
