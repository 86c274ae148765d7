//! One timeline per customer: the communication log together with deal stage changes,
//! orders, tickets and notes, newest first.

use super::record::Customer;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TimelineKind {
    /// an interaction; the string is its kind (call, email, ...)
    Interaction(String),
    /// stage, won, lost, deleted, restored, merged
    Event(String),
    Order,
    Ticket,
    Note,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimelineItem {
    /// ms since the epoch
    pub at: i64,
    pub kind: TimelineKind,
    /// the item's id inside the customer (interaction, deal, order, ticket, note)
    pub item: String,
    pub by: String,
    /// a one-line summary (interaction summary, deal title, order items, ticket subject,
    /// start of the note); the UI adds labels in the reader's language
    pub text: String,
    /// for events: from -> to
    pub from: String,
    pub to: String,
}

/// Milliseconds at midnight UTC of a `YYYY-MM-DD` date (0 when it does not parse).
fn date_ms(date: &str) -> i64 {
    crate::dates::parse_ymd(date).map(|d| d.to_days() as i64 * 86_400_000).unwrap_or(0)
}

pub fn timeline(c: &Customer) -> Vec<TimelineItem> {
    let mut out = Vec::new();
    let item = |at, kind, item: &str, by: &str, text: String| TimelineItem {
        at,
        kind,
        item: item.to_string(),
        by: by.to_string(),
        text,
        from: String::new(),
        to: String::new(),
    };
    for i in &c.interactions {
        out.push(item(i.at, TimelineKind::Interaction(i.kind.clone()), &i.id, &i.by, i.summary.clone()));
    }
    for e in &c.events {
        let title = c.deals.get(&e.deal).map(|d| d.title.clone()).unwrap_or_default();
        let mut it = item(e.at, TimelineKind::Event(e.kind.clone()), &e.deal, &e.by, title);
        it.from = e.from.clone();
        it.to = e.to.clone();
        out.push(it);
    }
    for o in &c.orders {
        out.push(item(date_ms(&o.date), TimelineKind::Order, &o.id, "", o.items.clone()));
    }
    for (id, t) in &c.tickets {
        out.push(item(t.created_at, TimelineKind::Ticket, id, "", t.subject.clone()));
    }
    for (id, n) in &c.notes {
        let text: String = n.text.as_str().chars().take(140).collect();
        out.push(item(n.created_at, TimelineKind::Note, id, &n.author, text));
    }
    out.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.item.cmp(&b.item)));
    out
}
