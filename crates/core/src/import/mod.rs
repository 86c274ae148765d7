//! CSV import of customers, contacts and orders, as exported from Excel and other CRMs.
//!
//! The steps follow what the user sees, and each is usable on its own:
//! 1. [`encoding`]: the file's bytes to text (UTF-8, or GB18030 from Excel in China).
//! 2. [`sniff`]: header, delimiter and a preview; [`guess_mapping`] proposes which column
//!    goes to which field and the user corrects it ([`Mapping`], stored by the app).
//! 3. [`ImportJob`]: rows to [`Record`]s in batches, each bad row an error with its line
//!    number and reason ([`RowError`]) while the others go on; [`rejected_rows_csv`] gives
//!    the rejected rows back as a file to fix and import again.
//!
//! Nothing here panics on any input, allocates per file more than the text and one batch,
//! or knows about documents: records are plain values the app turns into edits.

pub mod encoding;
mod job;
pub mod mapping;
mod problem;
mod reader;
mod record;
mod rejected;
pub mod values;

pub use encoding::{decode, decode_utf8, detect, Encoding};
pub use job::{Batch, ImportJob};
pub use mapping::{guess_mapping, Column, ImportKind, Mapping, Target};
pub use problem::{RowError, RowProblem};
pub use reader::{sniff, Sniff};
pub use record::{ImportedContact, ImportedCustomer, ImportedOrder, Record};
pub use rejected::rejected_rows_csv;
pub use values::DateOrder;

/// Why a whole file cannot be imported (a single row's trouble is a [`RowError`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("the file is not UTF-8 text (first bad byte on line {line}); in Excel save it as \"CSV UTF-8\" and import it again")]
    NotUtf8 { line: u64 },
    #[error("the file is neither UTF-8 nor GB18030 (GBK) text; in Excel save it as \"CSV UTF-8\" and import it again")]
    NotGb18030,
    #[error("GB18030 text is decoded by the browser in this build: decode with TextDecoder(\"gb18030\") and import the text")]
    Gb18030InBrowser,
    #[error("the file is empty: it needs a header row naming the columns")]
    NoHeader,
    #[error("the mapping has {mapped} columns but the file has {headers}; map the columns again")]
    MappingMismatch { mapped: usize, headers: usize },
    #[error("no column is mapped to {target}, which every {kind} needs")]
    MissingTarget { kind: ImportKind, target: &'static str },
    #[error("columns \"{first}\" and \"{second}\" are both mapped to {target}; map one of them to something else or ignore it")]
    DuplicateTarget { target: String, first: String, second: String },
    #[error("column \"{header}\" is mapped to {target}, which a {kind} does not have")]
    TargetNotForKind { header: String, target: String, kind: ImportKind },
}
