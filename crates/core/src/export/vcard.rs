//! vCard 4.0 (RFC 6350), the format phones and mail clients import contacts from.
//!
//! Text values escape `\`, `,`, `;` and line breaks; lines longer than 75 octets are folded
//! (CRLF and a space), at a character boundary so no client ever sees half a Chinese
//! character. `FN` is required by the RFC, so a card without a name is named by its
//! organisation, email or phone.

use crate::dates::Date;

/// One person (or organisation) as an address-book entry. Empty strings are left out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VCard {
    /// a stable id, so importing twice updates rather than duplicates (a URI such as
    /// `urn:uuid:...`, or any text)
    pub uid: String,
    pub full_name: String,
    pub given: Option<String>,
    pub family: Option<String>,
    pub org: String,
    pub title: String,
    pub role: String,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    /// (service, handle), e.g. `("WeChat", "lilei88")`
    pub im: Vec<(String, String)>,
    pub birthday: Option<Date>,
    pub note: String,
}

/// The cards as one `.vcf` text, CRLF line endings.
pub fn to_vcards(cards: &[VCard]) -> String {
    let mut out = String::new();
    for card in cards {
        write_card(&mut out, card);
    }
    out
}

fn write_card(out: &mut String, c: &VCard) {
    let mut line = |l: String| push_folded(out, &l);
    line("BEGIN:VCARD".into());
    line("VERSION:4.0".into());
    if !c.uid.is_empty() {
        if c.uid.contains(':') && !c.uid.contains(char::is_whitespace) {
            line(format!("UID:{}", c.uid));
        } else {
            line(format!("UID;VALUE=text:{}", escape(&c.uid)));
        }
    }
    let full_name = [c.full_name.as_str(), c.org.as_str()]
        .into_iter()
        .chain(c.emails.iter().map(String::as_str))
        .chain(c.phones.iter().map(String::as_str))
        .find(|s| !s.trim().is_empty())
        .unwrap_or("");
    line(format!("FN:{}", escape(full_name)));
    if c.given.is_some() || c.family.is_some() {
        let part = |p: &Option<String>| escape(p.as_deref().unwrap_or(""));
        line(format!("N:{};{};;;", part(&c.family), part(&c.given)));
    }
    for (name, value) in [("ORG", &c.org), ("TITLE", &c.title), ("ROLE", &c.role)] {
        if !value.is_empty() {
            line(format!("{name}:{}", escape(value)));
        }
    }
    for e in c.emails.iter().filter(|e| !e.is_empty()) {
        line(format!("EMAIL:{}", escape(e)));
    }
    for p in c.phones.iter().filter(|p| !p.is_empty()) {
        line(format!("TEL:{}", escape(p)));
    }
    for (service, handle) in c.im.iter().filter(|(_, h)| !h.is_empty()) {
        let service = param(service);
        let scheme: String =
            service.chars().filter(char::is_ascii_alphanumeric).flat_map(|c| c.to_lowercase()).collect();
        let scheme = if scheme.is_empty() { "x-im".to_string() } else { scheme };
        line(format!("IMPP;X-SERVICE-TYPE={service}:{scheme}:{}", percent_encode(handle)));
    }
    if let Some(d) = c.birthday {
        line(format!("BDAY:{:04}{:02}{:02}", d.y, d.m, d.d));
    }
    if !c.note.is_empty() {
        line(format!("NOTE:{}", escape(&c.note)));
    }
    line("END:VCARD".into());
}

/// A text value: `\` `,` `;` escaped, every line break as `\n`, other control characters dropped.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ',' => out.push_str("\\,"),
            ';' => out.push_str("\\;"),
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A parameter value: without the characters that would end it.
fn param(s: &str) -> String {
    s.chars().filter(|c| !c.is_control() && !matches!(c, '"' | ';' | ':' | ',')).collect()
}

/// A URI path: unreserved characters as they are, the rest percent-encoded as UTF-8.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.trim().bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'@' | b'+') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Appends `line` + CRLF, folded so no physical line exceeds 75 octets.
fn push_folded(out: &mut String, line: &str) {
    const MAX: usize = 75;
    let mut rest = line;
    // continuation lines start with a space, which counts
    let mut limit = MAX;
    loop {
        if rest.len() <= limit {
            out.push_str(rest);
            out.push_str("\r\n");
            return;
        }
        let mut cut = limit;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        out.push_str(&rest[..cut]);
        out.push_str("\r\n ");
        rest = &rest[cut..];
        limit = MAX - 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped() {
        assert_eq!(escape("a,b;c\\d\r\ne\nf\rg\u{7}"), "a\\,b\\;c\\\\d\\ne\\nf\\ng");
        assert_eq!(percent_encode("李 x/1"), "%E6%9D%8E%20x%2F1");
    }

    #[test]
    fn fn_falls_back_to_org_then_email() {
        let card = VCard { org: "ACME, Inc.".into(), emails: vec!["a@b.cn".into()], ..Default::default() };
        assert!(to_vcards(&[card]).contains("\r\nFN:ACME\\, Inc.\r\n"));
        let card = VCard { emails: vec!["a@b.cn".into()], ..Default::default() };
        assert!(to_vcards(&[card]).contains("\r\nFN:a@b.cn\r\n"));
    }

    #[test]
    fn folding_keeps_characters_whole() {
        for prefix in 0..4 {
            let line = format!("NOTE:{}{}", "x".repeat(prefix), "客户关系管理".repeat(40));
            let mut out = String::new();
            push_folded(&mut out, &line);
            let physical: Vec<&str> = out.trim_end_matches("\r\n").split("\r\n").collect();
            assert!(physical.len() > 1);
            assert!(physical.iter().all(|l| l.len() <= 75), "{physical:?}");
            assert!(physical[1..].iter().all(|l| l.starts_with(' ')));
            assert_eq!(out.trim_end_matches("\r\n").replace("\r\n ", ""), line);
        }
    }
}
