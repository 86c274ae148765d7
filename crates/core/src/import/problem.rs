//! Why a row was rejected, in words a user can act on.
//!
//! A row is rejected as a whole: importing half of it would leave a customer without the
//! email that was mistyped, and nobody would notice. All of a row's problems are reported
//! at once, so one round of fixing is enough. Problems are an enum, so the app may show them
//! in another language; `Display` is the English text.

use std::fmt;

/// One thing wrong with a row. `field` is the target's key (`amount`, `date`, ...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RowProblem {
    /// the row has another number of fields than the header
    FieldCount {
        found: usize,
        expected: usize,
    },
    /// a required field is empty
    Missing {
        field: &'static str,
    },
    NotANumber {
        field: &'static str,
        value: String,
    },
    NotAWholeNumber {
        field: &'static str,
        value: String,
    },
    TooLarge {
        field: &'static str,
        value: String,
    },
    NotADate {
        field: &'static str,
        value: String,
    },
    NotYesNo {
        field: &'static str,
        value: String,
    },
    NotAKind {
        value: String,
    },
    NotAnEmail {
        value: String,
    },
    NotAPhone {
        value: String,
    },
    /// a long number Excel turned into `1.38E+10`, its digits lost
    MangledByExcel {
        field: &'static str,
        value: String,
    },
    NotACurrency {
        value: String,
    },
    /// the amount names one currency and the currency column another
    CurrencyConflict {
        amount: String,
        in_amount: String,
        in_column: String,
    },
    /// the CSV reader could not read the record
    Unreadable {
        detail: String,
    },
}

/// Long values are cut in messages; the raw row keeps them whole.
fn shown(v: &str) -> String {
    const MAX: usize = 60;
    match v.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &v[..i]),
        None => v.to_string(),
    }
}

impl fmt::Display for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use RowProblem::*;
        match self {
            FieldCount { found, expected } => {
                let s = if *found == 1 { "" } else { "s" };
                write!(f, "{found} field{s}, the header has {expected}")
            }
            Missing { field } => write!(f, "no {field}"),
            NotANumber { field, value } => write!(f, "{field} \"{}\" is not a number", shown(value)),
            NotAWholeNumber { field, value } => write!(f, "{field} \"{}\" is not a whole number", shown(value)),
            TooLarge { field, value } => write!(f, "{field} \"{}\" is too large", shown(value)),
            NotADate { field, value } => write!(
                f,
                "{field} \"{}\" is not a date (use YYYY-MM-DD, YYYY/MM/DD, DD.MM.YYYY, 2024年3月5日 …)",
                shown(value)
            ),
            NotYesNo { field, value } => {
                write!(f, "{field} \"{}\" is not yes or no (use yes/no, true/false, 1/0, 是/否)", shown(value))
            }
            NotAKind { value } => {
                write!(f, "kind \"{}\" is neither company nor person (use company/person, 公司/个人)", shown(value))
            }
            NotAnEmail { value } => write!(f, "email \"{}\" is not an email address", shown(value)),
            NotAPhone { value } => write!(f, "phone \"{}\" has no digits", shown(value)),
            MangledByExcel { field, value } => write!(
                f,
                "{field} \"{}\" was turned into a number by Excel and lost digits; format the column as text and export again",
                shown(value)
            ),
            NotACurrency { value } => write!(
                f,
                "currency \"{}\" is not a currency (use a code like CNY, USD, EUR or a sign like ¥, $, €)",
                shown(value)
            ),
            CurrencyConflict { amount, in_amount, in_column } => {
                write!(f, "amount \"{}\" is in {in_amount} but the currency column says {in_column}", shown(amount))
            }
            Unreadable { detail } => write!(f, "the row could not be read: {detail}"),
        }
    }
}

/// A rejected row: where it is, why, and its text as in the file (for the rejected-rows file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    /// the line of the file the row starts on, 1-based
    pub line: u64,
    pub problems: Vec<RowProblem>,
    /// the row's text as in the file, without its line break
    pub raw: String,
}

impl RowError {
    /// The problems as one English sentence list: `no name; email "x" is not an email address`.
    pub fn reason(&self) -> String {
        let parts: Vec<String> = self.problems.iter().map(ToString::to_string).collect();
        parts.join("; ")
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_read_as_sentences() {
        let e = RowError {
            line: 7,
            problems: vec![
                RowProblem::NotANumber { field: "amount", value: "12,34x".into() },
                RowProblem::Missing { field: "name" },
            ],
            raw: String::new(),
        };
        assert_eq!(e.to_string(), "line 7: amount \"12,34x\" is not a number; no name");
        assert_eq!(RowProblem::FieldCount { found: 3, expected: 5 }.to_string(), "3 fields, the header has 5");
        let long = RowProblem::NotAnEmail { value: "长".repeat(100) }.to_string();
        assert!(long.contains('…') && long.chars().count() < 100);
    }
}
