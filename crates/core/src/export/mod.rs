//! Customers and contacts out of the CRM: CSV for spreadsheets, vCard for phones and mail
//! clients. Both are written so the usual consumer opens them correctly without settings:
//! Excel gets UTF-8 with a BOM and CRLF, address books get vCard 4.0 with folded lines.

pub mod csv;
pub mod vcard;

pub use self::csv::{guard_formula, to_csv};
pub use self::vcard::{to_vcards, VCard};
