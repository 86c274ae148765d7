//! The plain, non-CRDT row per customer (DESIGN.md section 4). The list, search, filters,
//! the pipeline board and "My tasks" read only these, so a document is loaded only when a
//! customer is opened. Kept small: at 100k customers every byte here is 100 kB of memory.

use super::record::{deal_status, Customer, Kind};
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

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
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
    /// lower-cased name, email, phone, owner, tags, contacts, note text, for search
    pub search: String,
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

        let mut search: Vec<&str> = vec![&c.name, &c.email, &c.phone, &c.owner, &c.external_id, &c.city, &c.province, &c.industry];
        search.extend(c.tags.keys().map(String::as_str));
        search.extend(contact_names.iter().map(String::as_str));
        search.extend(emails.iter().map(String::as_str));
        search.extend(phones.iter().map(String::as_str));
        let mut note_chars = 0;
        let note_texts: Vec<String> = c
            .notes
            .values()
            .map_while(|n| {
                if note_chars >= NOTE_SEARCH_CHARS {
                    return None;
                }
                let t: String = n.text.as_str().chars().take(NOTE_SEARCH_CHARS - note_chars).collect();
                note_chars += t.chars().count();
                Some(t)
            })
            .collect();
        search.extend(note_texts.iter().map(String::as_str));
        let search = search.into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ").to_lowercase();

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
            search,
        }
    }

    pub fn is_deleted(&self) -> bool {
        self.deleted_at > 0
    }

    /// True when every whitespace-separated term of `query` occurs in the searchable text.
    pub fn matches(&self, query: &str) -> bool {
        Query::new(query).matches(self)
    }

    /// The list's default order: by name, case-insensitively, unnamed customers last.
    pub fn sort_key(&self) -> (bool, String, String) {
        (self.name.is_empty(), self.name.to_lowercase(), self.id.clone())
    }
}

/// A search query, parsed once and matched against many summaries (once per keystroke over
/// every customer, so it must not allocate per row).
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
        self.terms.iter().all(|t| s.search.contains(t.as_str()))
    }
}
