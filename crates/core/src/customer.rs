//! The customer document: how a customer maps onto one Automerge document.
//!
//! ```text
//! ROOT { kind: "company"|"person", name, email, phone, owner: str, created_at: int (ms),
//!        tags: { <tag>: true },                       // a map, so concurrent adds merge
//!        contacts: { <id>: { name, title, email, phone } } }
//! ```
//! Scalar fields are last-writer-wins per field; Automerge keeps the losing values of a
//! concurrent write, which [`CustomerDoc::conflicts`] reports so the UI can show them.

use crate::ids::{random_bytes, to_hex, DeviceId, DocId};
use automerge::{transaction::Transactable, ActorId, AutoCommit, ChangeHash, ObjId, ObjType, ReadDoc, ScalarValue, Value, ROOT};
use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("customer document could not be read: {0}")]
    Automerge(#[from] automerge::AutomergeError),
    #[error("there is no contact {0} on this customer")]
    NoContact(String),
    #[error("{0:?} is not a customer kind: use \"company\" or \"person\"")]
    BadKind(String),
    #[error("this customer has not fully arrived from the other devices yet; try again once sync completes")]
    Incomplete,
    #[error("local edits must be taken as a chunk before remote changes are merged")]
    UnchunkedLocalEdits,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
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
    pub fn parse(s: &str) -> Result<Self, ModelError> {
        match s {
            "company" => Ok(Kind::Company),
            "person" => Ok(Kind::Person),
            other => Err(ModelError::BadKind(other.to_string())),
        }
    }
}

/// A profile field holding one string.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Field {
    Kind,
    Name,
    Email,
    Phone,
    Owner,
}

impl Field {
    pub const ALL: [Field; 5] = [Field::Kind, Field::Name, Field::Email, Field::Phone, Field::Owner];
    pub fn key(&self) -> &'static str {
        match self {
            Field::Kind => "kind",
            Field::Name => "name",
            Field::Email => "email",
            Field::Phone => "phone",
            Field::Owner => "owner",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ContactField {
    Name,
    Title,
    Email,
    Phone,
}

impl ContactField {
    pub const ALL: [ContactField; 4] = [ContactField::Name, ContactField::Title, ContactField::Email, ContactField::Phone];
    pub fn key(&self) -> &'static str {
        match self {
            ContactField::Name => "name",
            ContactField::Title => "title",
            ContactField::Email => "email",
            ContactField::Phone => "phone",
        }
    }
}

/// One user-level change to a customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Edit {
    Set(Field, String),
    AddTag(String),
    RemoveTag(String),
    AddContact { id: String },
    SetContact { id: String, field: ContactField, value: String },
    RemoveContact { id: String },
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub id: String,
    pub name: String,
    pub title: String,
    pub email: String,
    pub phone: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    pub id: String,
    pub kind: Kind,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub owner: String,
    pub tags: Vec<String>,
    pub contacts: Vec<Contact>,
    pub created_at: i64,
}

/// A field that was written concurrently: the value every device shows, and the others.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    /// `name`, or `contacts.<id>.email`
    pub path: String,
    pub value: String,
    pub others: Vec<String>,
}

/// The plain, non-CRDT row the list and search read (DESIGN.md section 4).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub id: String,
    pub kind: Kind,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub owner: String,
    pub tags: Vec<String>,
    pub contacts: usize,
    pub conflicts: usize,
    pub created_at: i64,
    /// lower-cased name, email, phone, owner, tags and contacts, for search
    pub search: String,
}

impl Summary {
    /// True when every whitespace-separated term of `query` occurs in the searchable text.
    pub fn matches(&self, query: &str) -> bool {
        Query::new(query).matches(self)
    }

    /// The list's order: by name, case-insensitively, unnamed customers last.
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

/// An actor id unique to one device *and* one running app instance: two tabs of one browser
/// share a device but must never share an Automerge actor (their change sequences would clash).
pub fn session_actor(device: DeviceId) -> ActorId {
    let mut bytes = device.0.to_vec();
    bytes.extend_from_slice(&random_bytes::<4>());
    ActorId::from(bytes)
}

pub fn new_contact_id() -> String {
    to_hex(&random_bytes::<8>())
}

pub struct CustomerDoc {
    pub id: DocId,
    doc: AutoCommit,
    /// heads covered by chunks already taken (or merged from others)
    chunked: Vec<ChangeHash>,
    dirty: bool,
}

impl CustomerDoc {
    /// A new customer; its first chunk (from [`Self::take_chunk`]) carries the whole document.
    pub fn create(id: DocId, actor: ActorId, kind: Kind, name: &str, created_at: i64) -> Self {
        let mut doc = AutoCommit::new().with_actor(actor);
        // fresh in-memory document: these puts cannot fail
        doc.put(ROOT, "kind", kind.as_str()).expect("put");
        doc.put(ROOT, "name", name).expect("put");
        for f in ["email", "phone", "owner"] {
            doc.put(ROOT, f, "").expect("put");
        }
        doc.put(ROOT, "created_at", created_at).expect("put");
        doc.put_object(ROOT, "tags", ObjType::Map).expect("put");
        doc.put_object(ROOT, "contacts", ObjType::Map).expect("put");
        Self { id, doc, chunked: Vec::new(), dirty: true }
    }

    /// A document known only by id, before any of its chunks arrived.
    pub fn empty(id: DocId, actor: ActorId) -> Self {
        Self { id, doc: AutoCommit::new().with_actor(actor), chunked: Vec::new(), dirty: false }
    }

    /// Opens a stored snapshot (from [`Self::save`]).
    pub fn load(id: DocId, snapshot: &[u8], actor: ActorId) -> Result<Self, ModelError> {
        let mut doc = AutoCommit::load(snapshot)?.with_actor(actor);
        let chunked = doc.get_heads();
        Ok(Self { id, doc, chunked, dirty: false })
    }

    /// Applies all of `edits` or none of them.
    pub fn edit(&mut self, edits: &[Edit]) -> Result<(), ModelError> {
        for e in edits {
            if let Err(err) = self.apply_edit(e) {
                self.doc.rollback();
                return Err(err);
            }
        }
        if !edits.is_empty() {
            self.dirty = true;
        }
        Ok(())
    }

    /// False until the chunk that created this customer has arrived.
    pub fn is_complete(&self) -> bool {
        self.map("tags").is_ok() && self.map("contacts").is_ok()
    }

    fn map(&self, key: &str) -> Result<ObjId, ModelError> {
        match self.doc.get(ROOT, key)? {
            Some((Value::Object(ObjType::Map), id)) => Ok(id),
            _ => Err(ModelError::Incomplete),
        }
    }

    fn contact_obj(&self, id: &str) -> Result<ObjId, ModelError> {
        let contacts = self.map("contacts")?;
        match self.doc.get(&contacts, id)? {
            Some((Value::Object(ObjType::Map), obj)) => Ok(obj),
            _ => Err(ModelError::NoContact(id.to_string())),
        }
    }

    fn apply_edit(&mut self, e: &Edit) -> Result<(), ModelError> {
        match e {
            _ if !self.is_complete() => return Err(ModelError::Incomplete),
            Edit::Set(Field::Kind, v) => {
                Kind::parse(v)?;
                self.doc.put(ROOT, "kind", v.as_str())?;
            }
            Edit::Set(f, v) => {
                // writing the value already shown is a no-op, not a change that wins conflicts
                if self.doc.get_all(ROOT, f.key())?.len() == 1 && str_at(&self.doc, &ROOT, f.key()) == *v {
                    return Ok(());
                }
                self.doc.put(ROOT, f.key(), v.as_str())?;
            }
            Edit::AddTag(t) => {
                let t = t.trim();
                if t.is_empty() {
                    return Ok(());
                }
                let tags = self.map("tags")?;
                self.doc.put(&tags, t, true)?;
            }
            Edit::RemoveTag(t) => {
                let tags = self.map("tags")?;
                self.doc.delete(&tags, t.as_str())?;
            }
            Edit::AddContact { id } => {
                let contacts = self.map("contacts")?;
                let c = self.doc.put_object(&contacts, id.as_str(), ObjType::Map)?;
                for f in ContactField::ALL {
                    self.doc.put(&c, f.key(), "")?;
                }
            }
            Edit::SetContact { id, field, value } => {
                let c = self.contact_obj(id)?;
                self.doc.put(&c, field.key(), value.as_str())?;
            }
            Edit::RemoveContact { id } => {
                let contacts = self.map("contacts")?;
                self.doc.delete(&contacts, id.as_str())?;
            }
        }
        Ok(())
    }

    /// The changes made here since the last chunk (`save_after(heads)`), or None if there are
    /// none. After this, the next chunk starts from the current heads.
    pub fn take_chunk(&mut self) -> Option<Vec<u8>> {
        if !self.dirty {
            return None;
        }
        let data = self.doc.save_after(&self.chunked);
        self.chunked = self.doc.get_heads();
        self.dirty = false;
        if data.is_empty() {
            None
        } else {
            Some(data)
        }
    }

    /// Merges a chunk from another device. Chunks may come in any order and more than once;
    /// a chunk whose dependencies have not arrived is held by Automerge (and kept by
    /// [`Self::save`]) until they do.
    pub fn merge_chunk(&mut self, data: &[u8]) -> Result<(), ModelError> {
        if self.dirty {
            return Err(ModelError::UnchunkedLocalEdits);
        }
        self.doc.load_incremental(data)?;
        self.chunked = self.doc.get_heads();
        Ok(())
    }

    /// The compacted document, including changes still waiting for their dependencies.
    pub fn save(&mut self) -> Vec<u8> {
        self.doc.save()
    }

    /// True when some merged changes still wait for changes that have not arrived.
    pub fn is_waiting(&mut self) -> bool {
        !self.doc.get_missing_deps(&[]).is_empty()
    }

    pub fn customer(&self) -> Customer {
        let d = &self.doc;
        let mut tags: Vec<String> = match d.get(ROOT, "tags") {
            Ok(Some((Value::Object(_), obj))) => d.keys(&obj).collect(),
            _ => Vec::new(),
        };
        tags.sort();
        let mut contacts = Vec::new();
        if let Ok(Some((Value::Object(_), cobj))) = d.get(ROOT, "contacts") {
            for id in d.keys(&cobj) {
                if let Ok(Some((Value::Object(_), o))) = d.get(&cobj, id.as_str()) {
                    contacts.push(Contact {
                        name: str_at(d, &o, "name"),
                        title: str_at(d, &o, "title"),
                        email: str_at(d, &o, "email"),
                        phone: str_at(d, &o, "phone"),
                        id,
                    });
                }
            }
        }
        Customer {
            id: self.id.to_string(),
            kind: Kind::parse(&str_at(d, &ROOT, "kind")).unwrap_or_default(),
            name: str_at(d, &ROOT, "name"),
            email: str_at(d, &ROOT, "email"),
            phone: str_at(d, &ROOT, "phone"),
            owner: str_at(d, &ROOT, "owner"),
            tags,
            contacts,
            created_at: match d.get(ROOT, "created_at") {
                Ok(Some((Value::Scalar(s), _))) => s.as_i64().unwrap_or(0),
                _ => 0,
            },
        }
    }

    /// Every field that currently holds concurrent values.
    pub fn conflicts(&self) -> Vec<Conflict> {
        let d = &self.doc;
        let mut out = Vec::new();
        for f in Field::ALL {
            if let Some(c) = conflict_at(d, &ROOT, f.key(), f.key().to_string()) {
                out.push(c);
            }
        }
        if let Ok(Some((Value::Object(_), cobj))) = d.get(ROOT, "contacts") {
            for id in d.keys(&cobj) {
                if let Ok(Some((Value::Object(_), o))) = d.get(&cobj, id.as_str()) {
                    for f in ContactField::ALL {
                        if let Some(c) = conflict_at(d, &o, f.key(), format!("contacts.{id}.{}", f.key())) {
                            out.push(c);
                        }
                    }
                }
            }
        }
        out
    }

    pub fn summary(&self) -> Summary {
        let c = self.customer();
        let mut search = vec![c.name.clone(), c.email.clone(), c.phone.clone(), c.owner.clone()];
        search.extend(c.tags.iter().cloned());
        for ct in &c.contacts {
            search.extend([ct.name.clone(), ct.title.clone(), ct.email.clone(), ct.phone.clone()]);
        }
        let search = search.into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ").to_lowercase();
        Summary {
            id: c.id,
            kind: c.kind,
            name: c.name,
            email: c.email,
            phone: c.phone,
            owner: c.owner,
            tags: c.tags,
            contacts: c.contacts.len(),
            conflicts: self.conflicts().len(),
            created_at: c.created_at,
            search,
        }
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

fn str_at(d: &AutoCommit, obj: &ObjId, key: &str) -> String {
    match d.get(obj, key) {
        Ok(Some((v, _))) => scalar_string(&v),
        _ => String::new(),
    }
}

fn conflict_at(d: &AutoCommit, obj: &ObjId, key: &str, path: String) -> Option<Conflict> {
    let all = d.get_all(obj, key).ok()?;
    if all.len() < 2 {
        return None;
    }
    let (winner, wid) = d.get(obj, key).ok()??;
    let others = all.iter().filter(|(_, id)| *id != wid).map(|(v, _)| scalar_string(v)).collect();
    Some(Conflict { path, value: scalar_string(&winner), others })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(n: u8) -> ActorId {
        ActorId::from(vec![n; 20])
    }

    fn fresh(n: u8) -> (CustomerDoc, Vec<u8>) {
        let mut d = CustomerDoc::create(DocId([1; 16]), actor(n), Kind::Company, "Acme", 1000);
        let first = d.take_chunk().unwrap();
        (d, first)
    }

    #[test]
    fn edits_map_onto_the_document_and_survive_a_reload() {
        let (mut d, _) = fresh(1);
        let cid = "c1".to_string();
        d.edit(&[
            Edit::Set(Field::Email, "info@acme.cn".into()),
            Edit::Set(Field::Kind, "person".into()),
            Edit::AddTag("vip".into()),
            Edit::AddTag("beijing".into()),
            Edit::AddContact { id: cid.clone() },
            Edit::SetContact { id: cid.clone(), field: ContactField::Name, value: "张三".into() },
        ])
        .unwrap();
        let snap = d.save();
        let back = CustomerDoc::load(d.id, &snap, actor(1)).unwrap().customer();
        assert_eq!(back.email, "info@acme.cn");
        assert_eq!(back.kind, Kind::Person);
        assert_eq!(back.tags, vec!["beijing", "vip"]);
        assert_eq!(back.contacts[0].name, "张三");
        assert!(d.edit(&[Edit::Set(Field::Kind, "alien".into())]).is_err());
        assert!(d.edit(&[Edit::SetContact { id: "nope".into(), field: ContactField::Name, value: "x".into() }]).is_err());
        // a failing batch leaves nothing half-applied
        let before = d.customer();
        assert!(d.edit(&[Edit::Set(Field::Owner, "wu".into()), Edit::RemoveContact { id: "x".into() }, Edit::Set(Field::Kind, "alien".into())]).is_err());
        assert_eq!(d.customer(), before);
    }

    #[test]
    fn chunks_carry_only_changes_since_the_previous_chunk() {
        let (mut d, first) = fresh(1);
        d.edit(&[Edit::Set(Field::Phone, "123".into())]).unwrap();
        let second = d.take_chunk().unwrap();
        assert!(second.len() < first.len() + 40);
        assert!(d.take_chunk().is_none(), "nothing new, no chunk");
        let mut other = CustomerDoc::empty(d.id, actor(2));
        other.merge_chunk(&first).unwrap();
        other.merge_chunk(&second).unwrap();
        assert_eq!(other.customer().phone, "123");
    }

    #[test]
    fn concurrent_writes_to_one_field_are_reported_as_a_conflict_on_both_sides() {
        let (mut a, first) = fresh(1);
        let mut b = CustomerDoc::empty(a.id, actor(2));
        b.merge_chunk(&first).unwrap();
        a.edit(&[Edit::Set(Field::Name, "Acme A".into())]).unwrap();
        b.edit(&[Edit::Set(Field::Name, "Acme B".into())]).unwrap();
        let ca = a.take_chunk().unwrap();
        let cb = b.take_chunk().unwrap();
        a.merge_chunk(&cb).unwrap();
        b.merge_chunk(&ca).unwrap();
        assert_eq!(a.customer(), b.customer());
        let conf = a.conflicts();
        assert_eq!(conf.len(), 1);
        assert_eq!(conf[0].path, "name");
        let mut both = vec![conf[0].value.clone(), conf[0].others[0].clone()];
        both.sort();
        assert_eq!(both, vec!["Acme A", "Acme B"]);
        assert_eq!(a.conflicts(), b.conflicts());
        assert_eq!(a.summary().conflicts, 1);
    }

    #[test]
    fn a_chunk_that_arrives_before_its_dependency_is_kept_through_a_save() {
        let (mut a, first) = fresh(1);
        a.edit(&[Edit::Set(Field::Owner, "li".into())]).unwrap();
        let second = a.take_chunk().unwrap();
        let mut b = CustomerDoc::empty(a.id, actor(2));
        b.merge_chunk(&second).unwrap();
        assert!(b.is_waiting());
        assert!(!b.is_complete());
        assert!(matches!(b.edit(&[Edit::Set(Field::Name, "x".into())]), Err(ModelError::Incomplete)));
        let snap = b.save();
        let mut b = CustomerDoc::load(a.id, &snap, actor(2)).unwrap();
        b.merge_chunk(&first).unwrap();
        assert!(!b.is_waiting());
        assert_eq!(b.customer().owner, "li");
        assert_eq!(b.customer().name, "Acme");
    }

    #[test]
    fn merging_with_unchunked_local_edits_is_refused() {
        let (mut a, first) = fresh(1);
        a.edit(&[Edit::Set(Field::Owner, "li".into())]).unwrap();
        assert!(matches!(a.merge_chunk(&first), Err(ModelError::UnchunkedLocalEdits)));
    }

    #[test]
    fn search_matches_every_term_case_insensitively() {
        let (mut d, _) = fresh(1);
        d.edit(&[Edit::AddTag("VIP".into()), Edit::Set(Field::Email, "Sales@Acme.com".into())]).unwrap();
        let s = d.summary();
        assert!(s.matches("acme vip"));
        assert!(s.matches("SALES@"));
        assert!(!s.matches("acme zzz"));
        assert!(Query::new("  ").is_empty() && Query::new("").matches(&s));
    }
}
