//! The customer document: how a customer maps onto one Automerge document.
//!
//! The shape is [`record::Customer`] (profile, tags, custom fields, contacts, deals,
//! interactions, tasks, notes, tickets, orders, surveys, loyalty, timeline events). An edit
//! hydrates the current document into that struct, changes it, and reconciles it back:
//! `autosurgeon` writes only what differs, so concurrent edits of different fields (or of
//! different items) merge, and a field written concurrently keeps both values, which
//! [`CustomerDoc::conflicts`] reports so the UI can show them. Notes are collaborative text:
//! typing is rebased onto whatever arrived meanwhile ([`crate::text_merge`]).

pub mod history;
pub mod record;
pub mod summary;
pub mod timeline;

pub use history::{device_of, ConflictValue, FieldChange, Version};
pub use record::*;
pub use summary::{DealSummary, Query, Summary, TaskSummary, SUMMARY_VERSION};

use crate::ids::{random_bytes, to_hex, DeviceId, DocId};
use crate::doc::{ChunkError, ChunkedDoc};
use automerge::{transaction::{CommitOptions, Transactable}, ActorId, AutoCommit, ObjId, ObjType, ReadDoc, ScalarValue, Value, ROOT};
use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("customer document could not be read: {0}")]
    Automerge(#[from] automerge::AutomergeError),
    #[error("customer document has an unexpected shape: {0}")]
    Shape(String),
    #[error("there is no {0} {1} on this customer")]
    NoItem(&'static str, String),
    #[error("{0:?} is not a customer kind: use \"company\" or \"person\"")]
    BadKind(String),
    #[error("{0}")]
    Invalid(String),
    #[error("this customer has not fully arrived from the other devices yet; try again once sync completes")]
    Incomplete,
    #[error("local edits must be taken as a chunk before remote changes are merged")]
    UnchunkedLocalEdits,
}

impl From<ChunkError> for ModelError {
    fn from(e: ChunkError) -> Self {
        match e {
            ChunkError::Automerge(e) => ModelError::Automerge(e),
            ChunkError::UnchunkedLocalEdits => ModelError::UnchunkedLocalEdits,
            ChunkError::Waiting => ModelError::Incomplete,
        }
    }
}

impl From<autosurgeon::HydrateError> for ModelError {
    fn from(e: autosurgeon::HydrateError) -> Self {
        ModelError::Shape(e.to_string())
    }
}

impl From<autosurgeon::ReconcileError> for ModelError {
    fn from(e: autosurgeon::ReconcileError) -> Self {
        ModelError::Shape(e.to_string())
    }
}

/// A profile field holding one string.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Field {
    Kind,
    Name,
    Email,
    Phone,
    Owner,
    ExternalId,
    Industry,
    Size,
    Province,
    City,
    Address,
    Website,
    Source,
    ReferredBy,
    Lifecycle,
}

impl Field {
    pub const ALL: [Field; 15] = [
        Field::Kind,
        Field::Name,
        Field::Email,
        Field::Phone,
        Field::Owner,
        Field::ExternalId,
        Field::Industry,
        Field::Size,
        Field::Province,
        Field::City,
        Field::Address,
        Field::Website,
        Field::Source,
        Field::ReferredBy,
        Field::Lifecycle,
    ];

    /// The field's key in the document (and in conflict paths).
    pub fn key(self) -> &'static str {
        match self {
            Field::Kind => "kind",
            Field::Name => "name",
            Field::Email => "email",
            Field::Phone => "phone",
            Field::Owner => "owner",
            Field::ExternalId => "external_id",
            Field::Industry => "industry",
            Field::Size => "size",
            Field::Province => "province",
            Field::City => "city",
            Field::Address => "address",
            Field::Website => "website",
            Field::Source => "source",
            Field::ReferredBy => "referred_by",
            Field::Lifecycle => "lifecycle",
        }
    }

    /// The value shown for this field.
    pub fn get(self, c: &Customer) -> &str {
        match self {
            Field::Kind => c.kind.as_str(),
            Field::Name => &c.name,
            Field::Email => &c.email,
            Field::Phone => &c.phone,
            Field::Owner => &c.owner,
            Field::ExternalId => &c.external_id,
            Field::Industry => &c.industry,
            Field::Size => &c.size,
            Field::Province => &c.province,
            Field::City => &c.city,
            Field::Address => &c.address,
            Field::Website => &c.website,
            Field::Source => &c.source,
            Field::ReferredBy => &c.referred_by,
            Field::Lifecycle => &c.lifecycle,
        }
    }

    /// The field's string in `c` (None for the kind, which is not a free string).
    pub fn slot(self, c: &mut Customer) -> Option<&mut String> {
        Some(match self {
            Field::Kind => return None,
            Field::Name => &mut c.name,
            Field::Email => &mut c.email,
            Field::Phone => &mut c.phone,
            Field::Owner => &mut c.owner,
            Field::ExternalId => &mut c.external_id,
            Field::Industry => &mut c.industry,
            Field::Size => &mut c.size,
            Field::Province => &mut c.province,
            Field::City => &mut c.city,
            Field::Address => &mut c.address,
            Field::Website => &mut c.website,
            Field::Source => &mut c.source,
            Field::ReferredBy => &mut c.referred_by,
            Field::Lifecycle => &mut c.lifecycle,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Flag {
    DoNotCall,
    EmailOptIn,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ContactField {
    Name,
    Title,
    Role,
    Email,
    Phone,
    Wechat,
    Birthday,
    Note,
}

impl ContactField {
    pub const ALL: [ContactField; 8] = [
        ContactField::Name,
        ContactField::Title,
        ContactField::Role,
        ContactField::Email,
        ContactField::Phone,
        ContactField::Wechat,
        ContactField::Birthday,
        ContactField::Note,
    ];
    pub fn key(self) -> &'static str {
        match self {
            ContactField::Name => "name",
            ContactField::Title => "title",
            ContactField::Role => "role",
            ContactField::Email => "email",
            ContactField::Phone => "phone",
            ContactField::Wechat => "wechat",
            ContactField::Birthday => "birthday",
            ContactField::Note => "note",
        }
    }

    pub fn slot(self, c: &mut Contact) -> &mut String {
        match self {
            ContactField::Name => &mut c.name,
            ContactField::Title => &mut c.title,
            ContactField::Role => &mut c.role,
            ContactField::Email => &mut c.email,
            ContactField::Phone => &mut c.phone,
            ContactField::Wechat => &mut c.wechat,
            ContactField::Birthday => &mut c.birthday,
            ContactField::Note => &mut c.note,
        }
    }
    pub fn get(self, c: &Contact) -> String {
        self.slot(&mut c.clone()).clone()
    }
}

/// One user-level change to a customer. A batch of edits applies entirely or not at all.
#[derive(Clone, Debug, PartialEq)]
pub enum Edit {
    Set(Field, String),
    SetFlag(Flag, bool),
    AddTag(String),
    RemoveTag(String),
    /// an empty value removes the custom field
    SetCustom { key: String, value: String },
    AddContact { id: String },
    SetContact { id: String, field: ContactField, value: String },
    /// the contact's other emails (`phones: false`) or phones (`phones: true`)
    SetContactOthers { id: String, phones: bool, values: Vec<String> },
    RemoveContact { id: String },
    /// creates the deal or replaces its fields (only changed fields are written)
    PutDeal { id: String, deal: Deal },
    /// moves a deal to another stage and records it in the timeline
    MoveDeal { id: String, stage: String, at: i64, by: String },
    /// marks a deal won or lost (with the reason) and records it
    CloseDeal { id: String, won: bool, reason: String, at: i64, by: String },
    RemoveDeal { id: String },
    LogInteraction(Interaction),
    PutTask { id: String, task: Task },
    SetTaskDone { id: String, done: bool, at: i64 },
    RemoveTask { id: String },
    AddNote { id: String, author: String, at: i64, text: String },
    /// what the editor started from (`base`) and what it holds now (`local`): the change
    /// between them is rebased onto the note as stored, keeping anyone else's typing
    EditNote { id: String, base: String, local: String, at: i64 },
    RemoveNote { id: String },
    PutTicket { id: String, ticket: Ticket },
    AddTicketUpdate { id: String, update: TicketUpdate },
    AddOrder(Order),
    AddSurvey(Survey),
    AddLoyalty(LoyaltyEntry),
    /// soft delete: the customer moves to the Trash
    Delete { at: i64, by: String },
    Restore { at: i64, by: String },
    /// marks this customer as merged into another one (and deleted)
    MergedInto { target: String, at: i64, by: String },
    /// resolves a conflict: the value written by `op` becomes the field's only value
    KeepValue { path: String, op: String },
    /// puts the place at `path` back as it was at `heads` (a field's value, a removed item)
    RestoreValue { path: String, heads: Vec<String> },
}

/// An actor id unique to one device *and* one running app instance: two tabs of one browser
/// share a device but must never share an Automerge actor (their change sequences would clash).
pub fn session_actor(device: DeviceId) -> ActorId {
    let mut bytes = device.0.to_vec();
    bytes.extend_from_slice(&random_bytes::<4>());
    ActorId::from(bytes)
}

/// A random id for an item inside a customer (contact, deal, task, note, order, ...).
pub fn new_id() -> String {
    to_hex(&random_bytes::<8>())
}

pub fn new_contact_id() -> String {
    new_id()
}

/// A field that was written concurrently: the value every device shows, and the others.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    /// `name`, or `contacts.<id>.email`, `deals.<id>.stage`
    pub path: String,
    pub value: String,
    pub others: Vec<String>,
    /// every value with who wrote it and when, the shown one first (filled by
    /// [`CustomerDoc::conflicts_detailed`])
    #[serde(default)]
    pub values: Vec<ConflictValue>,
}

pub struct CustomerDoc {
    pub id: DocId,
    inner: ChunkedDoc,
}

fn event(at: i64, by: &str, kind: &str, deal: &str, from: &str, to: &str) -> Event {
    Event {
        id: new_id(),
        at,
        by: by.to_string(),
        kind: kind.to_string(),
        deal: deal.to_string(),
        from: from.to_string(),
        to: to.to_string(),
    }
}

impl CustomerDoc {
    /// A new customer; its first chunk (from [`Self::take_chunk`]) carries the whole document.
    pub fn create(id: DocId, actor: ActorId, kind: Kind, name: &str, created_at: i64) -> Self {
        let c = Customer { kind, name: name.to_string(), created_at, ..Default::default() };
        Self::create_from(id, actor, &c)
    }

    /// A new customer with everything known up front (an import, a merge).
    pub fn create_from(id: DocId, actor: ActorId, customer: &Customer) -> Self {
        let mut doc = AutoCommit::new().with_actor(actor);
        // a fresh document holds nothing that could clash with the struct
        autosurgeon::reconcile(&mut doc, customer).expect("reconcile into an empty document");
        doc.commit_with(CommitOptions::default().with_time(crate::clock::now_ms()));
        Self { id, inner: ChunkedDoc::fresh(doc) }
    }

    /// A document known only by id, before any of its chunks arrived.
    pub fn empty(id: DocId, actor: ActorId) -> Self {
        Self { id, inner: ChunkedDoc::empty(actor) }
    }

    /// Opens a stored snapshot (from [`Self::save`]).
    pub fn load(id: DocId, snapshot: &[u8], actor: ActorId) -> Result<Self, ModelError> {
        Ok(Self { id, inner: ChunkedDoc::load(snapshot, actor)? })
    }

    /// Applies all of `edits` or none of them.
    pub fn edit(&mut self, edits: &[Edit]) -> Result<(), ModelError> {
        for e in edits {
            if let Err(err) = self.apply_edit(e) {
                self.inner.rollback();
                return Err(err);
            }
        }
        if !edits.is_empty() {
            // one change per batch, stamped with the time for the history
            self.inner.doc.commit_with(CommitOptions::default().with_time(crate::clock::now_ms()));
            self.inner.mark_dirty();
        }
        Ok(())
    }

    /// False until the chunk that created this customer has arrived.
    pub fn is_complete(&self) -> bool {
        matches!(self.inner.doc.get(ROOT, "tags"), Ok(Some((Value::Object(ObjType::Map), _))))
            && matches!(self.inner.doc.get(ROOT, "contacts"), Ok(Some((Value::Object(ObjType::Map), _))))
    }

    fn map_at(&self, obj: &ObjId, key: &str) -> Option<ObjId> {
        match self.inner.doc.get(obj, key) {
            Ok(Some((Value::Object(ObjType::Map), id))) => Some(id),
            _ => None,
        }
    }

    fn apply_edit(&mut self, e: &Edit) -> Result<(), ModelError> {
        if !self.is_complete() {
            return Err(ModelError::Incomplete);
        }
        match e {
            Edit::EditNote { id, base, local, at } => return self.edit_note(id, base, local, *at),
            Edit::KeepValue { path, op } => return self.keep_value(path, op),
            Edit::RestoreValue { path, heads } => return self.restore_value(path, heads),
            _ => {}
        }
        let mut c = self.customer();
        Self::change(&mut c, e)?;
        autosurgeon::reconcile(&mut self.inner.doc, &c)?;
        Ok(())
    }

    fn change(c: &mut Customer, e: &Edit) -> Result<(), ModelError> {
        fn item<'a, T>(m: &'a mut std::collections::BTreeMap<String, T>, what: &'static str, id: &str) -> Result<&'a mut T, ModelError> {
            m.get_mut(id).ok_or_else(|| ModelError::NoItem(what, id.to_string()))
        }
        match e {
            Edit::Set(Field::Kind, v) => c.kind = Kind::parse(v).ok_or_else(|| ModelError::BadKind(v.clone()))?,
            Edit::Set(f, v) => {
                if let Some(slot) = f.slot(c) {
                    *slot = v.clone();
                }
            }
            Edit::SetFlag(Flag::DoNotCall, v) => c.do_not_call = *v,
            Edit::SetFlag(Flag::EmailOptIn, v) => c.email_opt_in = *v,
            Edit::AddTag(t) => {
                let t = t.trim();
                if !t.is_empty() {
                    c.tags.insert(t.to_string(), true);
                }
            }
            Edit::RemoveTag(t) => {
                c.tags.remove(t);
            }
            Edit::SetCustom { key, value } => {
                if value.is_empty() {
                    c.custom.remove(key);
                } else {
                    c.custom.insert(key.clone(), value.clone());
                }
            }
            Edit::AddContact { id } => {
                c.contacts.entry(id.clone()).or_default();
            }
            Edit::SetContact { id, field, value } => *field.slot(item(&mut c.contacts, "contact", id)?) = value.clone(),
            Edit::SetContactOthers { id, phones, values } => {
                let ct = item(&mut c.contacts, "contact", id)?;
                let v: Vec<String> = values.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
                if *phones {
                    ct.phones = v;
                } else {
                    ct.emails = v;
                }
            }
            Edit::RemoveContact { id } => {
                c.contacts.remove(id).ok_or_else(|| ModelError::NoItem("contact", id.clone()))?;
            }
            Edit::PutDeal { id, deal } => {
                if deal.title.trim().is_empty() {
                    return Err(ModelError::Invalid("a deal needs a title".into()));
                }
                c.deals.insert(id.clone(), deal.clone());
            }
            Edit::MoveDeal { id, stage, at, by } => {
                let d = item(&mut c.deals, "deal", id)?;
                if d.stage != *stage {
                    let from = std::mem::replace(&mut d.stage, stage.clone());
                    c.events.push(event(*at, by, "stage", id, &from, stage));
                }
            }
            Edit::CloseDeal { id, won, reason, at, by } => {
                let d = item(&mut c.deals, "deal", id)?;
                let status = if *won { deal_status::WON } else { deal_status::LOST };
                d.status = status.to_string();
                d.lost_reason = if *won { String::new() } else { reason.clone() };
                d.closed_at = *at;
                c.events.push(event(*at, by, status, id, "", reason));
            }
            Edit::RemoveDeal { id } => {
                c.deals.remove(id).ok_or_else(|| ModelError::NoItem("deal", id.clone()))?;
            }
            Edit::LogInteraction(i) => {
                if !INTERACTION_KINDS.contains(&i.kind.as_str()) {
                    return Err(ModelError::Invalid(format!("{:?} is not a kind of interaction", i.kind)));
                }
                c.interactions.push(i.clone());
            }
            Edit::PutTask { id, task } => {
                if task.title.trim().is_empty() {
                    return Err(ModelError::Invalid("a task needs a title".into()));
                }
                c.tasks.insert(id.clone(), task.clone());
            }
            Edit::SetTaskDone { id, done, at } => {
                let t = item(&mut c.tasks, "task", id)?;
                t.done = *done;
                t.done_at = if *done { *at } else { 0 };
            }
            Edit::RemoveTask { id } => {
                c.tasks.remove(id).ok_or_else(|| ModelError::NoItem("task", id.clone()))?;
            }
            Edit::AddNote { id, author, at, text } => {
                c.notes.insert(
                    id.clone(),
                    Note { text: autosurgeon::Text::with_value(text), author: author.clone(), created_at: *at, updated_at: *at },
                );
            }
            Edit::EditNote { .. } | Edit::KeepValue { .. } | Edit::RestoreValue { .. } => {
                unreachable!("applied to the document directly")
            }
            Edit::RemoveNote { id } => {
                c.notes.remove(id).ok_or_else(|| ModelError::NoItem("note", id.clone()))?;
            }
            Edit::PutTicket { id, ticket } => {
                if ticket.subject.trim().is_empty() {
                    return Err(ModelError::Invalid("a ticket needs a subject".into()));
                }
                if !TICKET_STATUSES.contains(&ticket.status.as_str()) {
                    return Err(ModelError::Invalid(format!("{:?} is not a ticket status", ticket.status)));
                }
                c.tickets.insert(id.clone(), ticket.clone());
            }
            Edit::AddTicketUpdate { id, update } => item(&mut c.tickets, "ticket", id)?.updates.push(update.clone()),
            Edit::AddOrder(o) => c.orders.push(o.clone()),
            Edit::AddSurvey(s) => {
                let ok = match s.kind.as_str() {
                    "nps" => (0..=10).contains(&s.score),
                    "csat" => (1..=5).contains(&s.score),
                    _ => false,
                };
                if !ok {
                    return Err(ModelError::Invalid(format!("{} score {} is out of range (NPS 0-10, CSAT 1-5)", s.kind, s.score)));
                }
                c.surveys.push(s.clone());
            }
            Edit::AddLoyalty(l) => c.loyalty.push(l.clone()),
            Edit::Delete { at, by } => {
                if c.deleted_at == 0 {
                    c.deleted_at = *at;
                    c.events.push(event(*at, by, "deleted", "", "", ""));
                }
            }
            Edit::Restore { at, by } => {
                if c.deleted_at != 0 {
                    c.deleted_at = 0;
                    c.merged_into.clear();
                    c.events.push(event(*at, by, "restored", "", "", ""));
                }
            }
            Edit::MergedInto { target, at, by } => {
                c.merged_into = target.clone();
                c.deleted_at = *at;
                c.events.push(event(*at, by, "merged", "", "", target));
            }
        }
        Ok(())
    }

    fn edit_note(&mut self, id: &str, base: &str, local: &str, at: i64) -> Result<(), ModelError> {
        let notes = self.map_at(&ROOT, "notes").ok_or(ModelError::Incomplete)?;
        let note = self.map_at(&notes, id).ok_or_else(|| ModelError::NoItem("note", id.to_string()))?;
        let text = match self.inner.doc.get(&note, "text")? {
            Some((Value::Object(ObjType::Text), t)) => t,
            _ => return Err(ModelError::Shape(format!("note {id} has no text"))),
        };
        let current = self.inner.doc.text(&text)?;
        let splices = crate::text_merge::rebase(base, local, &current);
        if splices.is_empty() {
            return Ok(());
        }
        for s in splices {
            self.inner.doc.splice_text(&text, s.pos, s.delete as isize, &s.insert)?;
        }
        self.inner.doc.put(&note, "updated_at", at)?;
        Ok(())
    }

    /// See [`ChunkedDoc::take_chunk`].
    pub fn take_chunk(&mut self) -> Option<Vec<u8>> {
        self.inner.take_chunk()
    }

    /// See [`ChunkedDoc::merge_chunk`].
    pub fn merge_chunk(&mut self, data: &[u8]) -> Result<(), ModelError> {
        Ok(self.inner.merge_chunk(data)?)
    }

    pub fn save(&mut self) -> Vec<u8> {
        self.inner.save()
    }

    pub fn is_waiting(&mut self) -> bool {
        self.inner.is_waiting()
    }

    /// See [`ChunkedDoc::snapshot`].
    pub fn snapshot(&mut self) -> Result<Vec<u8>, ModelError> {
        Ok(self.inner.snapshot()?)
    }

    /// See [`ChunkedDoc::heads`].
    pub fn heads(&mut self) -> Vec<automerge::ChangeHash> {
        self.inner.heads()
    }

    /// See [`ChunkedDoc::has_change`].
    pub fn has_change(&mut self, hash: &automerge::ChangeHash) -> bool {
        self.inner.has_change(hash)
    }

    /// The customer as every device shows it (the winning value of each conflicted field).
    /// A document that has not fully arrived reads as the parts that have.
    pub fn customer(&self) -> Customer {
        autosurgeon::hydrate(&self.inner.doc).unwrap_or_default()
    }

    /// The text of a note as stored.
    pub fn note_text(&self, id: &str) -> Option<String> {
        let notes = self.map_at(&ROOT, "notes")?;
        let note = self.map_at(&notes, id)?;
        match self.inner.doc.get(&note, "text").ok()? {
            Some((Value::Object(ObjType::Text), t)) => self.inner.doc.text(&t).ok(),
            _ => None,
        }
    }

    /// Every field, anywhere in the customer's maps, that currently holds concurrent values.
    pub fn conflicts(&self) -> Vec<Conflict> {
        let mut out = Vec::new();
        self.conflicts_in(&ROOT, String::new(), &mut out);
        out
    }

    fn conflicts_in(&self, obj: &ObjId, prefix: String, out: &mut Vec<Conflict>) {
        let d = &self.inner.doc;
        for key in d.keys(obj) {
            let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
            match d.get(obj, key.as_str()) {
                Ok(Some((Value::Object(ObjType::Map), child))) => self.conflicts_in(&child, path, out),
                Ok(Some((Value::Scalar(_), _))) => {
                    if let Some(c) = conflict_at(d, obj, &key, path) {
                        out.push(c);
                    }
                }
                _ => {}
            }
        }
    }

    pub fn summary(&self) -> Summary {
        Summary::of(&self.id.to_string(), &self.customer(), self.conflicts().len())
    }
}

fn scalar_string(v: &Value<'_>) -> String {
    match v {
        Value::Scalar(s) => match s.as_ref() {
            ScalarValue::Str(s) => s.to_string(),
            ScalarValue::Null => String::new(),
            other => other.to_string(),
        },
        Value::Object(_) => String::new(),
    }
}

fn conflict_at(d: &AutoCommit, obj: &ObjId, key: &str, path: String) -> Option<Conflict> {
    let all = d.get_all(obj, key).ok()?;
    if all.len() < 2 {
        return None;
    }
    let (winner, wid) = d.get(obj, key).ok()??;
    let others = all.iter().filter(|(_, id)| *id != wid).map(|(v, _)| scalar_string(v)).collect();
    Some(Conflict { path, value: scalar_string(&winner), others, values: Vec::new() })
}

#[cfg(test)]
mod tests;
