//! The shape of a customer document: plain Rust types that `autosurgeon` hydrates from the
//! Automerge document and reconciles back into it (DESIGN.md section 3).
//!
//! Why these representations:
//! - Items a person edits in place (contacts, deals, tasks, notes, tickets) are maps keyed by
//!   a random id, so two devices adding items concurrently never collide, and concurrent edits
//!   to different fields of one item merge field by field.
//! - Records that only grow (interactions, orders, survey responses, loyalty points, timeline
//!   events) are lists with a `#[key]` id: concurrent appends both survive.
//! - Money is an integer in minor units (cents/fen) with its currency: no float drift.
//! - Dates a person types are `YYYY-MM-DD` strings; moments are milliseconds since the epoch.
//! - Every field hydrates to its default when absent, so documents written by an older version
//!   of the app (or still arriving) open without error.

use autosurgeon::{Hydrate, HydrateError, Prop, ReadDoc, Reconcile, Reconciler, Text};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Declares a record type whose every field defaults when missing from the document.
macro_rules! record {
    ($(#[$m:meta])* pub struct $name:ident { $( $(#[$fm:meta])* pub $f:ident : $t:ty ),* $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Debug, Default, PartialEq, Reconcile, Hydrate)]
        pub struct $name {
            $( $(#[$fm])* #[autosurgeon(missing = "Default::default")] pub $f: $t, )*
        }
    };
}
pub(crate) use record;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    #[default]
    Company,
    Person,
}

impl Kind {
    pub fn as_str(&self) -> &'static str {
        match self {
            Kind::Company => "company",
            Kind::Person => "person",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "company" => Some(Kind::Company),
            "person" => Some(Kind::Person),
            _ => None,
        }
    }
}

// stored as the strings "company" / "person" (the format the first version wrote)
impl Reconcile for Kind {
    type Key<'a> = autosurgeon::reconcile::NoKey;
    fn reconcile<R: Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
        r.str(self.as_str())
    }
}

impl Hydrate for Kind {
    fn hydrate_string(s: &'_ str) -> Result<Self, HydrateError> {
        Ok(Kind::parse(s).unwrap_or_default())
    }
}

/// Reads a scalar field that may hold a string where a number is expected (or the reverse)
/// without failing the whole document.
pub fn hydrate_lenient_i64<D: ReadDoc>(doc: &D, obj: &automerge::ObjId, prop: Prop<'_>) -> Result<i64, HydrateError> {
    Ok(match doc.get(obj, &prop)? {
        Some((automerge::Value::Scalar(s), _)) => match s.as_ref() {
            automerge::ScalarValue::Int(i) => *i,
            automerge::ScalarValue::Uint(u) => *u as i64,
            automerge::ScalarValue::F64(f) => *f as i64,
            automerge::ScalarValue::Timestamp(t) => *t,
            automerge::ScalarValue::Str(s) => s.trim().parse().unwrap_or(0),
            _ => 0,
        },
        _ => 0,
    })
}

record! {
    /// A person at a customer (for a company), or extra ways to reach a person customer.
    pub struct Contact {
        pub name: String,
        pub title: String,
        /// role in the account: decision maker, purchaser, user, finance, ...
        pub role: String,
        /// the main email and phone; `emails` / `phones` hold the others
        pub email: String,
        pub phone: String,
        pub emails: Vec<String>,
        pub phones: Vec<String>,
        pub wechat: String,
        /// YYYY-MM-DD (or --MM-DD when the year is unknown)
        pub birthday: String,
        /// label -> YYYY-MM-DD (anniversary, contract renewal, ...)
        pub dates: BTreeMap<String, String>,
        pub note: String,
    }
}

impl Contact {
    pub fn all_emails(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.email.as_str()).chain(self.emails.iter().map(String::as_str)).filter(|s| !s.is_empty())
    }
    pub fn all_phones(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.phone.as_str()).chain(self.phones.iter().map(String::as_str)).filter(|s| !s.is_empty())
    }
}

record! {
    pub struct LineItem {
        pub name: String,
        pub quantity: f64,
        /// minor units per unit
        pub unit_price: i64,
    }
}

pub mod deal_status {
    pub const OPEN: &str = "open";
    pub const WON: &str = "won";
    pub const LOST: &str = "lost";
}

record! {
    pub struct Deal {
        pub title: String,
        /// pipeline and stage ids from the workspace settings
        pub pipeline: String,
        pub stage: String,
        /// minor units
        pub amount: i64,
        pub currency: String,
        /// YYYY-MM-DD
        pub expected_close: String,
        /// open | won | lost
        pub status: String,
        pub lost_reason: String,
        pub owner: String,
        pub created_at: i64,
        pub closed_at: i64,
        pub items: Vec<LineItem>,
    }
}

pub const INTERACTION_KINDS: [&str; 7] = ["call", "email", "meeting", "chat", "wechat", "visit", "social"];

record! {
    /// One entry of the communication log.
    pub struct Interaction {
        #[key]
        pub id: String,
        /// one of [`INTERACTION_KINDS`]
        pub kind: String,
        /// "in" (the customer reached us) or "out"
        pub direction: String,
        pub at: i64,
        pub duration_min: i64,
        pub summary: String,
        pub by: String,
        /// campaign or content that led to it, for the 6C "content" figure
        pub campaign: String,
    }
}

record! {
    pub struct Task {
        pub title: String,
        /// ms since the epoch; 0 = no due date
        pub due: i64,
        /// ms since the epoch; 0 = no reminder
        pub remind_at: i64,
        pub assignee: String,
        pub done: bool,
        pub done_at: i64,
        pub created_at: i64,
    }
}

record! {
    /// Collaborative text: concurrent typing on two devices keeps every character.
    pub struct Note {
        pub text: Text,
        pub author: String,
        pub created_at: i64,
        pub updated_at: i64,
    }
}

pub const TICKET_STATUSES: [&str; 5] = ["new", "in_progress", "waiting", "resolved", "closed"];
pub const TICKET_PRIORITIES: [&str; 4] = ["low", "normal", "high", "urgent"];

record! {
    pub struct TicketUpdate {
        #[key]
        pub id: String,
        pub at: i64,
        pub by: String,
        pub text: String,
    }
}

record! {
    /// A complaint or a request.
    pub struct Ticket {
        pub subject: String,
        /// complaint | request
        pub kind: String,
        pub priority: String,
        /// phone, email, wechat, visit, web ...
        pub channel: String,
        /// one of [`TICKET_STATUSES`]
        pub status: String,
        /// ms since the epoch; 0 = no SLA
        pub sla_due: i64,
        pub resolution: String,
        /// 1-5, 0 = not rated
        pub satisfaction: i64,
        pub created_at: i64,
        pub resolved_at: i64,
        pub updates: Vec<TicketUpdate>,
    }
}

impl Ticket {
    pub fn is_open(&self) -> bool {
        !matches!(self.status.as_str(), "resolved" | "closed")
    }
    pub fn is_overdue(&self, now_ms: i64) -> bool {
        self.is_open() && self.sla_due > 0 && self.sla_due < now_ms
    }
}

record! {
    /// A purchase: the history behind RFM and lifetime value.
    pub struct Order {
        #[key]
        pub id: String,
        /// the order number in the system it came from
        pub external_id: String,
        /// YYYY-MM-DD
        pub date: String,
        /// minor units
        pub amount: i64,
        pub currency: String,
        pub quantity: i64,
        pub items: String,
    }
}

record! {
    pub struct Survey {
        #[key]
        pub id: String,
        pub at: i64,
        /// nps (0-10) | csat (1-5)
        pub kind: String,
        pub score: i64,
        pub comment: String,
    }
}

record! {
    pub struct LoyaltyEntry {
        #[key]
        pub id: String,
        pub at: i64,
        pub points: i64,
        pub reason: String,
        /// YYYY-MM-DD; empty = never
        pub expires: String,
    }
}

record! {
    /// Something that happened to the customer that is not a field value: a deal changing
    /// stage, won or lost, a merge. Shown in the timeline.
    pub struct Event {
        #[key]
        pub id: String,
        pub at: i64,
        pub by: String,
        /// stage | won | lost | merged | deleted | restored
        pub kind: String,
        pub deal: String,
        pub from: String,
        pub to: String,
    }
}

record! {
    /// The whole customer document.
    pub struct Customer {
        pub kind: Kind,
        pub name: String,
        pub email: String,
        pub phone: String,
        pub owner: String,
        pub created_at: i64,
        /// the id in the system it was imported from
        pub external_id: String,
        pub industry: String,
        /// 1-10, 11-50, ... for companies
        pub size: String,
        pub province: String,
        pub city: String,
        pub address: String,
        pub website: String,
        pub source: String,
        /// the customer id of whoever referred this one
        pub referred_by: String,
        /// a lifecycle stage set by hand; empty = derived from the data
        pub lifecycle: String,
        pub do_not_call: bool,
        pub email_opt_in: bool,
        pub tags: BTreeMap<String, bool>,
        /// custom field key (from the workspace settings) -> value as text
        pub custom: BTreeMap<String, String>,
        pub contacts: BTreeMap<String, Contact>,
        pub deals: BTreeMap<String, Deal>,
        pub interactions: Vec<Interaction>,
        pub tasks: BTreeMap<String, Task>,
        pub notes: BTreeMap<String, Note>,
        pub tickets: BTreeMap<String, Ticket>,
        pub orders: Vec<Order>,
        pub surveys: Vec<Survey>,
        pub loyalty: Vec<LoyaltyEntry>,
        pub events: Vec<Event>,
        /// ms since the epoch when moved to the Trash; 0 = not deleted
        pub deleted_at: i64,
        /// set when this customer was merged into another (then it is also deleted)
        pub merged_into: String,
    }
}

impl Customer {
    pub fn tag_list(&self) -> Vec<String> {
        self.tags.keys().cloned().collect()
    }
    pub fn is_deleted(&self) -> bool {
        self.deleted_at > 0
    }
    /// Loyalty points not expired as of `today` (YYYY-MM-DD).
    pub fn loyalty_balance(&self, today: &str) -> i64 {
        self.loyalty.iter().filter(|e| e.expires.is_empty() || e.expires.as_str() >= today).map(|e| e.points).sum()
    }
}
