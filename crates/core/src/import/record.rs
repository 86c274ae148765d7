//! What an imported row becomes: plain values, validated and parsed, not yet documents.
//!
//! The app turns these into customer-document edits; resolving an order's or contact's
//! `customer` reference (an external id, an email or a name) against existing customers is
//! its job, since only it knows them. Empty text means the file had no value.

use crate::dates::Date;
use crate::Kind;

/// One imported row, of the kind the import was started with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Record {
    Customer(ImportedCustomer),
    Contact(ImportedContact),
    Order(ImportedOrder),
}

impl Record {
    /// The line of the file the row starts on, 1-based.
    pub fn line(&self) -> u64 {
        match self {
            Record::Customer(c) => c.line,
            Record::Contact(c) => c.line,
            Record::Order(o) => o.line,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportedCustomer {
    pub line: u64,
    pub external_id: String,
    pub name: String,
    /// `None` when the file does not say
    pub kind: Option<Kind>,
    pub email: String,
    pub phone: String,
    pub owner: String,
    pub industry: String,
    pub size: String,
    pub province: String,
    pub city: String,
    pub source: String,
    pub tags: Vec<String>,
    pub referred_by: String,
    pub do_not_call: Option<bool>,
    pub email_opt_in: Option<bool>,
    /// several note columns are joined with line breaks
    pub notes: String,
    /// (custom field name, value), non-empty values only, in column order
    pub custom: Vec<(String, String)>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportedContact {
    pub line: u64,
    /// the customer's external id, email or name, as written
    pub customer: String,
    pub name: String,
    pub title: String,
    pub role: String,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub wechat: String,
    pub birthday: Option<Date>,
    pub custom: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportedOrder {
    pub line: u64,
    /// the customer's external id, email or name, as written
    pub customer: String,
    pub order_id: String,
    pub date: Date,
    /// hundredths of the currency unit, whatever the currency (see [`super::values`])
    pub amount_minor: i64,
    /// ISO 4217 code from the currency column or the amount's sign; empty if neither says
    /// (the app applies the workspace's currency)
    pub currency: String,
    pub quantity: Option<i64>,
    /// line items, split on `;` `|` `、` and line breaks (not commas: names contain them)
    pub items: Vec<String>,
    pub custom: Vec<(String, String)>,
}
