//! The plain, non-CRDT row per customer (DESIGN.md section 4). The list, search, filters,
//! the pipeline board and "My tasks" read only these, so a document is loaded only when a
//! customer is opened. Kept small: at 100k customers every byte here is 100 kB of memory.

use super::record::{deal_status, Customer, Kind};
use crate::analytics::facts::Facts;
use crate::search::SearchField;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How much of the notes goes into the search text.
const NOTE_SEARCH_CHARS: usize = 400;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DealSummary {
    pub id: String,
    pub title: String,
    pub pipeline: String,
    pub stage: String,
    pub amount: i64,
    pub currency: String,
    pub status: String,
    pub expected_close: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskSummary {
    pub id: String,
    pub title: String,
    pub due: i64,
    pub remind_at: i64,
    pub assignee: String,
}

/// The version of [`Summary::of`]: rows stored by an older one are rebuilt from their
/// documents when the app starts (2 added the analytics [`Facts`]).
pub const SUMMARY_VERSION: u32 = 2;

/// Every field defaults when missing, so rows stored by an older version still load.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Summary {
    pub id: String,
    pub kind: Kind,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub owner: String,
    pub tags: Vec<String>,
    pub industry: String,
    pub province: String,
    pub city: String,
    pub source: String,
    pub lifecycle: String,
    pub external_id: String,
    pub custom: BTreeMap<String, String>,
    pub contacts: usize,
    /// contact names, every email and phone of the customer and its contacts
    pub contact_names: Vec<String>,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub deals: Vec<DealSummary>,
    /// sum of open deals' amounts (minor units, whatever their currency)
    pub open_deal_value: i64,
    /// ms; 0 = never
    pub last_interaction: i64,
    /// open tasks, soonest first
    pub tasks: Vec<TaskSummary>,
    pub open_tickets: u32,
    /// earliest SLA due time of an open ticket (ms); 0 = none
    pub sla_due: i64,
    pub orders: u32,
    /// minor units
    pub revenue: i64,
    /// YYYY-MM-DD; empty = none
    pub last_order: String,
    pub loyalty_points: i64,
    pub conflicts: usize,
    pub created_at: i64,
    pub deleted_at: i64,
    pub merged_into: String,
    /// the start of the notes, for search
    pub notes: String,
    /// what analytics reads (orders, interactions, tickets, surveys, loyalty)
    pub facts: Facts,
    /// [`SUMMARY_VERSION`] of the code that built the row; 0 = before versions
    pub version: u32,
}

impl Summary {
    pub fn of(id: &str, c: &Customer, conflicts: usize) -> Self {
        let mut contact_names = Vec::new();
        let mut emails: Vec<String> = [c.email.clone()].into_iter().filter(|s| !s.is_empty()).collect();
        let mut phones: Vec<String> = [c.phone.clone()].into_iter().filter(|s| !s.is_empty()).collect();
        for ct in c.contacts.values() {
            if !ct.name.is_empty() {
                contact_names.push(ct.name.clone());
            }
            emails.extend(ct.all_emails().map(str::to_string));
            phones.extend(ct.all_phones().map(str::to_string));
        }
        let deals: Vec<DealSummary> = c
            .deals
            .iter()
            .map(|(id, d)| DealSummary {
                id: id.clone(),
                title: d.title.clone(),
                pipeline: d.pipeline.clone(),
                stage: d.stage.clone(),
                amount: d.amount,
                currency: d.currency.clone(),
                status: if d.status.is_empty() { deal_status::OPEN.to_string() } else { d.status.clone() },
                expected_close: d.expected_close.clone(),
            })
            .collect();
        let open_deal_value = deals.iter().filter(|d| d.status == deal_status::OPEN).map(|d| d.amount).sum();
        let mut tasks: Vec<TaskSummary> = c
            .tasks
            .iter()
            .filter(|(_, t)| !t.done)
            .map(|(id, t)| TaskSummary {
                id: id.clone(),
                title: t.title.clone(),
                due: t.due,
                remind_at: t.remind_at,
                assignee: t.assignee.clone(),
            })
            .collect();
        tasks.sort_by_key(|t| (t.due == 0, t.due));
        let open: Vec<_> = c.tickets.values().filter(|t| t.is_open()).collect();
        let sla_due = open.iter().filter(|t| t.sla_due > 0).map(|t| t.sla_due).min().unwrap_or(0);
        let last_interaction = c.interactions.iter().map(|i| i.at).max().unwrap_or(0);
        let last_order = c.orders.iter().map(|o| o.date.as_str()).max().unwrap_or("").to_string();
        let loyalty_points = c.loyalty.iter().map(|e| e.points).sum();

        let mut notes = String::new();
        for n in c.notes.values() {
            let room = NOTE_SEARCH_CHARS.saturating_sub(notes.chars().count());
            if room == 0 {
                break;
            }
            if !notes.is_empty() {
                notes.push('\n');
            }
            notes.extend(n.text.as_str().chars().take(room));
        }

        Summary {
            id: id.to_string(),
            kind: c.kind,
            name: c.name.clone(),
            email: c.email.clone(),
            phone: c.phone.clone(),
            owner: c.owner.clone(),
            tags: c.tags.keys().cloned().collect(),
            industry: c.industry.clone(),
            province: c.province.clone(),
            city: c.city.clone(),
            source: c.source.clone(),
            lifecycle: c.lifecycle.clone(),
            external_id: c.external_id.clone(),
            custom: c.custom.clone(),
            contacts: c.contacts.len(),
            contact_names,
            emails,
            phones,
            deals,
            open_deal_value,
            last_interaction,
            tasks,
            open_tickets: open.len() as u32,
            sla_due,
            orders: c.orders.len() as u32,
            revenue: c.orders.iter().map(|o| o.amount).sum(),
            last_order,
            loyalty_points,
            conflicts,
            created_at: c.created_at,
            deleted_at: c.deleted_at,
            merged_into: c.merged_into.clone(),
            notes,
            facts: Facts::of(c),
            version: SUMMARY_VERSION,
        }
    }

    pub fn is_deleted(&self) -> bool {
        self.deleted_at > 0
    }

    /// What search looks at, by kind of field (see [`crate::search`]).
    pub fn search_fields(&self) -> Vec<(SearchField, &str)> {
        let mut f = vec![(SearchField::Name, self.name.as_str())];
        f.extend(self.contact_names.iter().map(|n| (SearchField::Contact, n.as_str())));
        f.extend(self.emails.iter().map(|n| (SearchField::Email, n.as_str())));
        f.extend(self.phones.iter().map(|n| (SearchField::Phone, n.as_str())));
        f.extend(self.tags.iter().map(|n| (SearchField::Tag, n.as_str())));
        for o in [&self.owner, &self.city, &self.province, &self.industry, &self.external_id] {
            f.push((SearchField::Other, o.as_str()));
        }
        f.push((SearchField::Note, self.notes.as_str()));
        f
    }

    /// The list's default order: by name, case-insensitively, unnamed customers last.
    pub fn sort_key(&self) -> (bool, String, String) {
        (self.name.is_empty(), self.name.to_lowercase(), self.id.clone())
    }
}

/// A plain "every term occurs somewhere" match, for small pickers (a customer field, a
/// deal's customer). The list and the palette use [`crate::search::SearchIndex`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    terms: Vec<String>,
}

impl Query {
    pub fn new(query: &str) -> Self {
        Self { terms: query.to_lowercase().split_whitespace().map(str::to_string).collect() }
    }
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }
    pub fn matches(&self, s: &Summary) -> bool {
        if self.terms.is_empty() {
            return true;
        }
        let fields = s.search_fields();
        let lower: Vec<String> = fields.iter().map(|(_, t)| t.to_lowercase()).collect();
        self.terms.iter().all(|t| lower.iter().any(|f| f.contains(t.as_str())))
    }
}
