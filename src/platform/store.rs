//! The browser store: one IndexedDB database per workspace (DESIGN.md section 4).
//!
//! - `chunks`    key `"<device>:<seq, 20 digits>"` -> `{ doc, body: Uint8Array }` (sealed)
//! - `docs`      key doc id -> Uint8Array, the compacted Automerge document
//! - `summaries` key doc id -> the plain list/search row
//! - `meta`      `device`, `seq` (this device's last used seq), `log` (the chunk log),
//!   `relay` (what the relay has acknowledged)
//!
//! Every operation that changes a document is ONE readwrite transaction over all four
//! stores: read the document, change it, write chunk + document + summary + counters, commit.
//! After a crash or a closed tab the database is before or after the edit, never between,
//! and two tabs (two connections) are serialised by IndexedDB, so a seq is never reused.

use crm_core::customer::{session_actor, Conflict, ModelError, Version};
use crm_core::{
    Chunk, ChunkLog, Customer, CustomerDoc, DeviceId, DocId, Edit, Kind, SealedChunk, Settings, Summary, VersionVector,
    WorkspaceDoc, WorkspaceId, WorkspaceKeys, WORKSPACE_DOC,
};
use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::{Transaction, TransactionMode};
use js_sys::{Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

const CHUNKS: &str = "chunks";
const DOCS: &str = "docs";
const SUMMARIES: &str = "summaries";
const META: &str = "meta";
/// `"<doc>|<device>:<seq>"` -> `[is snapshot (0/1), body bytes]`: the chunks of each document,
/// so compaction decides from one range read (chunks written before version 2 are not in it:
/// they are never compacted away here, which is safe, only less thrifty)
const BY_DOC: &str = "by_doc";
const ALL: [&str; 5] = [CHUNKS, DOCS, SUMMARIES, META, BY_DOC];
const DB_VERSION: u32 = 2;

#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    #[error("The browser's storage is full: this change was not saved. Free some disk space; nothing saved before was lost.")]
    QuotaExceeded,
    #[error("Local storage failed: {0}")]
    Idb(String),
    #[error("{0}")]
    Model(String),
    #[error("Stored data is damaged: {0}")]
    Corrupt(String),
    #[error("There is no customer {0} on this device")]
    NoCustomer(String),
    #[error("{0}")]
    Settings(String),
}

impl From<indexed_db_futures::error::Error> for StoreError {
    fn from(e: indexed_db_futures::error::Error) -> Self {
        if let indexed_db_futures::error::Error::DomException(d) = &e {
            let d = web_sys::DomException::from(d.clone());
            // a full disk aborts the transaction with QuotaExceededError (some engines report
            // the abort itself, naming the quota in its message)
            if d.name() == "QuotaExceededError" || (d.name() == "AbortError" && d.message().to_lowercase().contains("quota")) {
                return StoreError::QuotaExceeded;
            }
        }
        StoreError::Idb(e.to_string())
    }
}

impl From<indexed_db_futures::error::OpenDbError> for StoreError {
    fn from(e: indexed_db_futures::error::OpenDbError) -> Self {
        StoreError::Idb(e.to_string())
    }
}

impl From<ModelError> for StoreError {
    fn from(e: ModelError) -> Self {
        StoreError::Model(e.to_string())
    }
}

/// A customer as the detail page shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomerView {
    pub id: DocId,
    pub customer: Customer,
    pub conflicts: Vec<Conflict>,
    pub complete: bool,
}

impl CustomerView {
    fn of(doc: &mut CustomerDoc) -> Self {
        Self { id: doc.id, customer: doc.customer(), conflicts: doc.conflicts_detailed(), complete: doc.is_complete() }
    }
}

/// A change to an existing customer, worked out from its document as stored (an import's
/// additions, a merge): see [`Store::write_all`].
pub type Change = Box<dyn FnOnce(&Customer) -> Vec<Edit>>;

/// What [`Store::write_all`] stored.
#[derive(Default, Debug)]
pub struct WrittenAll {
    /// the new customers' ids, in the order given
    pub created: Vec<DocId>,
    /// the new rows of every customer written (new ones first)
    pub summaries: Vec<Summary>,
    /// the chunk of each customer written, for the relay
    pub chunks: Vec<(DocId, Option<SealedChunk>)>,
}

/// What merging chunks from the network did.
#[derive(Default, Debug)]
pub struct Ingested {
    /// chunks that were new here (to forward to other connections)
    pub fresh: Vec<SealedChunk>,
    /// summaries of the documents that changed
    pub summaries: Vec<Summary>,
    /// chunks refused, with the reason
    pub rejected: Vec<String>,
    /// the workspace settings, when they changed
    pub settings: Option<Settings>,
    /// this node's log after the merge
    pub log: ChunkLog,
}

pub fn chunk_key(device: &DeviceId, seq: u64) -> String {
    format!("{device}:{seq:020}")
}

fn by_doc_key(doc: &DocId, device: &DeviceId, seq: u64) -> String {
    format!("{doc}|{}", chunk_key(device, seq))
}

fn bytes_of(v: &JsValue) -> Result<Vec<u8>, StoreError> {
    v.dyn_ref::<Uint8Array>().map(|a| a.to_vec()).ok_or_else(|| StoreError::Corrupt("expected bytes".into()))
}

fn get_field(o: &JsValue, k: &str) -> Result<JsValue, StoreError> {
    Reflect::get(o, &JsValue::from_str(k)).map_err(|_| StoreError::Corrupt(format!("missing field {k}")))
}

/// A stored chunk: `doc`, `body`, and for a snapshot `snapshot` (its covers' canonical
/// bytes, which the seal binds: a snapshot stored without them would not open elsewhere).
fn chunk_record(c: &SealedChunk) -> JsValue {
    let o = Object::new();
    // Reflect::set on a fresh plain object cannot fail
    let _ = Reflect::set(&o, &"doc".into(), &c.doc.to_string().into());
    let _ = Reflect::set(&o, &"body".into(), &Uint8Array::from(&c.body[..]).into());
    if let Some(covers) = &c.snapshot {
        let _ = Reflect::set(&o, &"snapshot".into(), &Uint8Array::from(&covers.to_bytes()[..]).into());
    }
    o.into()
}

fn parse_chunk(key: &str, v: &JsValue) -> Result<SealedChunk, StoreError> {
    let bad = || StoreError::Corrupt(format!("chunk record {key}"));
    let (dev, seq) = key.split_once(':').ok_or_else(bad)?;
    Ok(SealedChunk {
        device: dev.parse().map_err(|_| bad())?,
        seq: seq.parse().map_err(|_| bad())?,
        doc: get_field(v, "doc")?.as_string().ok_or_else(bad)?.parse().map_err(|_| bad())?,
        snapshot: match get_field(v, "snapshot")? {
            s if s.is_undefined() => None,
            s => Some(crm_core::Covers::from_bytes(&bytes_of(&s)?).map_err(|e| StoreError::Corrupt(format!("chunk record {key}: {e}")))?),
        },
        body: bytes_of(&get_field(v, "body")?)?,
    })
}

fn to_js<T: serde::Serialize>(v: &T) -> JsValue {
    // plain data (strings, numbers, vectors) always serialises
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).expect("serialise to JS")
}

fn from_js<T: serde::de::DeserializeOwned>(v: JsValue, what: &str) -> Result<T, StoreError> {
    serde_wasm_bindgen::from_value(v).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

pub struct Store {
    db: Database,
    pub workspace: WorkspaceId,
    pub device: DeviceId,
}

impl Store {
    pub fn db_name(workspace: &WorkspaceId) -> String {
        format!("crm-{workspace}")
    }

    /// Opens (creating on first use) the workspace's database and this device's identity.
    pub async fn open(workspace: WorkspaceId) -> Result<Store, StoreError> {
        Self::open_named(&Self::db_name(&workspace), workspace).await
    }

    /// Opens a database under an explicit name: tests use it to hold two devices of one
    /// workspace in one browser profile.
    pub async fn open_named(name: &str, workspace: WorkspaceId) -> Result<Store, StoreError> {
        let db = Database::open(name)
            .with_version(DB_VERSION)
            .with_on_upgrade_needed(|event, db| {
                if event.old_version() < 1.0 {
                    for name in [CHUNKS, DOCS, SUMMARIES, META] {
                        db.create_object_store(name).build()?;
                    }
                }
                if event.old_version() < 2.0 {
                    db.create_object_store(BY_DOC).build()?;
                }
                Ok(())
            })
            .await?;
        // the device id is created once, inside a transaction, so two tabs opening the same
        // fresh database agree on it
        let tx = db.transaction(META).with_mode(TransactionMode::Readwrite).build()?;
        let meta = tx.object_store(META)?;
        let existing: Option<String> = meta.get("device").primitive()?.await?;
        let device = match existing.and_then(|s| s.parse::<DeviceId>().ok()) {
            Some(d) => {
                drop(meta);
                tx.abort().await.ok();
                d
            }
            None => {
                let d = DeviceId::random();
                meta.put(d.to_string()).with_key("device").primitive()?.await?;
                drop(meta);
                tx.commit().await?;
                d
            }
        };
        Ok(Store { db, workspace, device })
    }

    fn rw(&self) -> Result<Transaction<'_>, StoreError> {
        Ok(self.db.transaction(ALL).with_mode(TransactionMode::Readwrite).build()?)
    }

    async fn meta_json<T: serde::de::DeserializeOwned + Default>(
        tx: &Transaction<'_>,
        key: &str,
    ) -> Result<T, StoreError> {
        let meta = tx.object_store(META)?;
        let v: Option<JsValue> = meta.get(key).primitive()?.await?;
        match v {
            None => Ok(T::default()),
            Some(v) => from_js(v, &format!("meta {key}")),
        }
    }

    async fn put_meta_json<T: serde::Serialize>(tx: &Transaction<'_>, key: &str, v: &T) -> Result<(), StoreError> {
        let meta = tx.object_store(META)?;
        meta.put(to_js(v)).with_key(key).primitive()?.await?;
        Ok(())
    }

    async fn load_doc_in(
        tx: &Transaction<'_>,
        doc: DocId,
        actor: &crm_core::automerge::ActorId,
    ) -> Result<Option<CustomerDoc>, StoreError> {
        let docs = tx.object_store(DOCS)?;
        let v: Option<JsValue> = docs.get(doc.to_string()).primitive()?.await?;
        match v {
            None => Ok(None),
            Some(v) => Ok(Some(CustomerDoc::load(doc, &bytes_of(&v)?, actor.clone())?)),
        }
    }

    async fn put_doc_in(tx: &Transaction<'_>, doc: &mut CustomerDoc) -> Result<Summary, StoreError> {
        let id = doc.id.to_string();
        let bytes = doc.save();
        tx.object_store(DOCS)?.put(JsValue::from(Uint8Array::from(&bytes[..]))).with_key(id.clone()).primitive()?.await?;
        let summary = doc.summary();
        tx.object_store(SUMMARIES)?.put(to_js(&summary)).with_key(id).primitive()?.await?;
        Ok(summary)
    }

    async fn put_chunk_in(tx: &Transaction<'_>, c: &SealedChunk) -> Result<(), StoreError> {
        tx.object_store(CHUNKS)?.put(chunk_record(c)).with_key(chunk_key(&c.device, c.seq)).primitive()?.await?;
        let entry = js_sys::Array::of2(&JsValue::from(u8::from(c.is_snapshot())), &JsValue::from(c.body.len() as f64));
        tx.object_store(BY_DOC)?.put(JsValue::from(entry)).with_key(by_doc_key(&c.doc, &c.device, c.seq)).primitive()?.await?;
        Ok(())
    }

    async fn delete_chunk_in(tx: &Transaction<'_>, doc: DocId, key: &crm_core::ChunkKey) -> Result<(), StoreError> {
        tx.object_store(CHUNKS)?.delete(chunk_key(&key.device, key.seq)).primitive()?.await?;
        tx.object_store(BY_DOC)?.delete(by_doc_key(&doc, &key.device, key.seq)).primitive()?.await?;
        Ok(())
    }

    /// The index entries of `doc`'s chunks: (chunk key string, is snapshot, body bytes).
    async fn held_sizes_in(tx: &Transaction<'_>, doc: DocId) -> Result<Vec<(String, bool, usize)>, StoreError> {
        let (from, to) = (format!("{doc}|"), format!("{doc}}}")); // '}' sorts right after '|'
        let store = tx.object_store(BY_DOC)?;
        let keys: Vec<String> = store.get_all_keys().with_query(from.clone()..to.clone()).primitive()?.await?.collect::<Result<_, _>>()?;
        let vals: Vec<JsValue> = store.get_all().with_query(from..to).primitive()?.await?.collect::<Result<_, _>>()?;
        Ok(keys
            .into_iter()
            .zip(vals)
            .map(|(k, v)| {
                let a = js_sys::Array::from(&v);
                let key = k.split_once('|').map(|(_, c)| c.to_string()).unwrap_or_default();
                (key, a.get(0).as_f64() == Some(1.0), a.get(1).as_f64().unwrap_or(0.0) as usize)
            })
            .collect())
    }

    /// Every chunk of `doc` stored here (that the index knows of).
    async fn held_in(tx: &Transaction<'_>, doc: DocId) -> Result<Vec<SealedChunk>, StoreError> {
        let chunks = tx.object_store(CHUNKS)?;
        let mut out = Vec::new();
        for (key, _, _) in Self::held_sizes_in(tx, doc).await? {
            let v: Option<JsValue> = chunks.get(key.clone()).primitive()?.await?;
            if let Some(v) = v {
                out.push(parse_chunk(&key, &v)?);
            }
        }
        Ok(out)
    }

    /// Compacts `doc` into a snapshot when its chunks deserve it (`crm_core::compaction`),
    /// inside `tx`: the snapshot is written and the chunks it covers deleted in the edit's own
    /// transaction, so no change is ever only in a deleted chunk. Returns the snapshot, for
    /// the relay and peers.
    async fn compact_in(
        &self,
        tx: &Transaction<'_>,
        keys: &WorkspaceKeys,
        doc: &mut CustomerDoc,
    ) -> Result<Option<SealedChunk>, StoreError> {
        use crm_core::compaction;
        let sizes = Self::held_sizes_in(tx, doc.id).await?;
        if !compaction::wants_sizes(&compaction::Policy::default(), sizes.iter().map(|(_, s, n)| (*s, *n))) {
            return Ok(None);
        }
        let save = match doc.snapshot() {
            Ok(save) => save,
            // waiting for changes that have not arrived: not a complete history yet
            Err(_) => return Ok(None),
        };
        let held = Self::held_in(tx, doc.id).await?;
        let Ok(plan) = compaction::plan(doc.id, &held) else { return Ok(None) };
        let meta = tx.object_store(META)?;
        let seq: Option<f64> = meta.get("seq").primitive()?.await?;
        let seq = seq.unwrap_or(0.0) as u64 + 1;
        let Ok(sealed) = compaction::seal_snapshot(keys, self.device, seq, &plan, save, None) else { return Ok(None) };
        Self::put_chunk_in(tx, &sealed).await?;
        for key in &plan.delete {
            Self::delete_chunk_in(tx, doc.id, key).await?;
        }
        meta.put(seq as f64).with_key("seq").primitive()?.await?;
        drop(meta);
        let mut log: ChunkLog = Self::meta_json(tx, "log").await?;
        log.insert_chunk(&sealed);
        Self::put_meta_json(tx, "log", &log).await?;
        Ok(Some(sealed))
    }

    /// Seals the doc's new changes as this device's next chunk, inside `tx`.
    async fn append_local_chunk(
        &self,
        tx: &Transaction<'_>,
        keys: &WorkspaceKeys,
        doc: &mut CustomerDoc,
    ) -> Result<Option<SealedChunk>, StoreError> {
        let data = doc.take_chunk();
        self.append_local_chunk_of(tx, keys, doc.id, data).await
    }

    async fn append_local_chunk_of(
        &self,
        tx: &Transaction<'_>,
        keys: &WorkspaceKeys,
        doc_id: DocId,
        data: Option<Vec<u8>>,
    ) -> Result<Option<SealedChunk>, StoreError> {
        let Some(data) = data else { return Ok(None) };
        let meta = tx.object_store(META)?;
        let seq: Option<f64> = meta.get("seq").primitive()?.await?;
        let seq = seq.unwrap_or(0.0) as u64 + 1;
        let sealed = keys.seal(&Chunk { device: self.device, seq, doc: doc_id, data });
        Self::put_chunk_in(tx, &sealed).await?;
        meta.put(seq as f64).with_key("seq").primitive()?.await?;
        let mut log: ChunkLog = Self::meta_json(tx, "log").await?;
        log.insert(sealed.key());
        Self::put_meta_json(tx, "log", &log).await?;
        Ok(Some(sealed))
    }

    /// Creates a customer: its first chunk, document and summary in one transaction.
    pub async fn create(
        &self,
        keys: &WorkspaceKeys,
        actor: &crm_core::automerge::ActorId,
        kind: Kind,
        name: &str,
        now_ms: i64,
    ) -> Result<(DocId, Summary, SealedChunk), StoreError> {
        let c = Customer { kind, name: name.to_string(), created_at: now_ms, ..Default::default() };
        let mut out = self.create_many(keys, actor, vec![c]).await?;
        let (id, summary, chunk) = out.pop().expect("one customer created");
        Ok((id, summary, chunk))
    }

    /// Creates customers with everything known up front (an import batch, a merge), all in
    /// one transaction: all of them are stored, or none.
    pub async fn create_many(
        &self,
        keys: &WorkspaceKeys,
        actor: &crm_core::automerge::ActorId,
        customers: Vec<Customer>,
    ) -> Result<Vec<(DocId, Summary, SealedChunk)>, StoreError> {
        let tx = self.rw()?;
        let mut out = Vec::with_capacity(customers.len());
        for c in customers {
            let id = DocId::random();
            let mut doc = CustomerDoc::create_from(id, actor.clone(), &c);
            let chunk = self.append_local_chunk_of(&tx, keys, id, doc.take_chunk()).await?.expect("a new document has changes");
            let summary = Self::put_doc_in(&tx, &mut doc).await?;
            out.push((id, summary, chunk));
        }
        tx.commit().await?;
        Ok(out)
    }

    /// Applies edits to several customers in one transaction (an import of orders, a merge):
    /// all of them are stored, or none.
    pub async fn edit_many(
        &self,
        keys: &WorkspaceKeys,
        actor: &crm_core::automerge::ActorId,
        batch: Vec<(DocId, Vec<Edit>)>,
    ) -> Result<Vec<(Summary, Option<SealedChunk>)>, StoreError> {
        let tx = self.rw()?;
        let mut out = Vec::with_capacity(batch.len());
        for (id, edits) in batch {
            let mut doc =
                Self::load_doc_in(&tx, id, actor).await?.ok_or_else(|| StoreError::NoCustomer(id.to_string()))?;
            doc.edit(&edits)?;
            let chunk = self.append_local_chunk_of(&tx, keys, id, doc.take_chunk()).await?;
            out.push((Self::put_doc_in(&tx, &mut doc).await?, chunk));
        }
        tx.commit().await?;
        Ok(out)
    }

    /// Creates `new` customers and changes existing ones in ONE readwrite transaction however
    /// many there are (an import, a merge): all of it is stored, or nothing.
    ///
    /// Each change is worked out from the document as stored, inside the transaction, so it
    /// never applies to a stale copy. `step(done, total)` is called every few milliseconds;
    /// when it returns false the transaction is aborted and nothing at all is stored
    /// (`Ok(None)`): this is how a cancelled import leaves nothing behind, and nothing reaches
    /// the relay or other tabs before the commit. The page stays responsive meanwhile: every
    /// awaited request hands the browser its event loop (a transaction cannot wait on a timer
    /// without committing, so the work is sliced by requests, not by timeouts).
    pub async fn write_all(
        &self,
        keys: &WorkspaceKeys,
        actor: &crm_core::automerge::ActorId,
        new: Vec<Customer>,
        changes: Vec<(DocId, Change)>,
        mut step: impl FnMut(usize, usize) -> bool,
    ) -> Result<Option<WrittenAll>, StoreError> {
        // work between two yields to the browser: well under a frame
        const SLICE_MS: f64 = 8.0;
        let total = new.len() + changes.len();
        let tx = self.rw()?;
        let meta = tx.object_store(META)?;
        let seq: Option<f64> = meta.get("seq").primitive()?.await?;
        let mut seq = seq.unwrap_or(0.0) as u64;
        let mut log: ChunkLog = Self::meta_json(&tx, "log").await?;
        let (chunks, docs, summaries) = (tx.object_store(CHUNKS)?, tx.object_store(DOCS)?, tx.object_store(SUMMARIES)?);
        let mut out = WrittenAll { created: Vec::with_capacity(new.len()), ..Default::default() };
        let mut slice_start = js_sys::Date::now();
        let mut last = None;
        let mut done = 0;
        for c in new {
            let id = DocId::random();
            let mut doc = CustomerDoc::create_from(id, actor.clone(), &c);
            let data = doc.take_chunk().ok_or_else(|| StoreError::Model("a new customer has no content".into()))?;
            seq += 1;
            let sealed = keys.seal(&Chunk { device: self.device, seq, doc: id, data });
            log.insert(sealed.key());
            chunks.put(chunk_record(&sealed)).with_key(chunk_key(&self.device, seq)).primitive()?;
            docs.put(JsValue::from(Uint8Array::from(&doc.save()[..]))).with_key(id.to_string()).primitive()?;
            // a fresh document holds exactly `c` and no conflicts: no need to read it back
            let summary = Summary::of(&id.to_string(), &c, 0);
            last = Some(summaries.put(to_js(&summary)).with_key(id.to_string()).primitive()?);
            out.created.push(id);
            out.summaries.push(summary);
            out.chunks.push((id, Some(sealed)));
            done += 1;
            if js_sys::Date::now() - slice_start > SLICE_MS {
                if let Some(req) = last.take() {
                    req.await?;
                }
                if !step(done, total) {
                    return Ok(None);
                }
                slice_start = js_sys::Date::now();
            }
        }
        if let Some(req) = last.take() {
            req.await?;
        }
        for (id, change) in changes {
            let mut doc =
                Self::load_doc_in(&tx, id, actor).await?.ok_or_else(|| StoreError::NoCustomer(id.to_string()))?;
            let edits = change(&doc.customer());
            doc.edit(&edits)?;
            let mut chunk = None;
            if let Some(data) = doc.take_chunk() {
                seq += 1;
                let sealed = keys.seal(&Chunk { device: self.device, seq, doc: id, data });
                log.insert(sealed.key());
                chunks.put(chunk_record(&sealed)).with_key(chunk_key(&self.device, seq)).primitive()?;
                chunk = Some(sealed);
            }
            out.summaries.push(Self::put_doc_in(&tx, &mut doc).await?);
            out.chunks.push((id, chunk));
            done += 1;
            if js_sys::Date::now() - slice_start > SLICE_MS {
                if !step(done, total) {
                    return Ok(None);
                }
                slice_start = js_sys::Date::now();
            }
        }
        if !step(done, total) {
            return Ok(None);
        }
        meta.put(seq as f64).with_key("seq").primitive()?.await?;
        drop((meta, chunks, docs, summaries));
        Self::put_meta_json(&tx, "log", &log).await?;
        tx.commit().await?;
        Ok(Some(out))
    }

    /// The workspace settings (the shared genesis until someone changes them).
    pub async fn settings(&self) -> Result<Settings, StoreError> {
        let tx = self.db.transaction(DOCS).build()?;
        Ok(Self::load_workspace_in(&tx, &session_actor(self.device)).await?.settings())
    }

    async fn load_workspace_in(
        tx: &Transaction<'_>,
        actor: &crm_core::automerge::ActorId,
    ) -> Result<WorkspaceDoc, StoreError> {
        let v: Option<JsValue> = tx.object_store(DOCS)?.get(WORKSPACE_DOC.to_string()).primitive()?.await?;
        match v {
            None => Ok(WorkspaceDoc::genesis(actor.clone())),
            Some(v) => WorkspaceDoc::load(&bytes_of(&v)?, actor.clone()).map_err(|e| StoreError::Corrupt(e.to_string())),
        }
    }

    async fn put_workspace_in(tx: &Transaction<'_>, doc: &mut WorkspaceDoc) -> Result<(), StoreError> {
        let bytes = doc.save();
        tx.object_store(DOCS)?
            .put(JsValue::from(Uint8Array::from(&bytes[..])))
            .with_key(WORKSPACE_DOC.to_string())
            .primitive()?
            .await?;
        Ok(())
    }

    /// Changes the workspace settings through `f` in one transaction with its chunk.
    pub async fn edit_settings(
        &self,
        keys: &WorkspaceKeys,
        actor: &crm_core::automerge::ActorId,
        f: impl FnOnce(&mut Settings) -> Result<(), String>,
    ) -> Result<(Settings, Option<SealedChunk>), StoreError> {
        let tx = self.rw()?;
        let mut doc = Self::load_workspace_in(&tx, actor).await?;
        doc.update(f).map_err(|e| StoreError::Settings(e.to_string()))?;
        let chunk = self.append_local_chunk_of(&tx, keys, WORKSPACE_DOC, doc.take_chunk()).await?;
        Self::put_workspace_in(&tx, &mut doc).await?;
        tx.commit().await?;
        Ok((doc.settings(), chunk))
    }

    /// Applies `edits` to a customer as stored now (never to a stale in-memory copy), in one
    /// transaction with its chunk, summary and counters.
    pub async fn edit(
        &self,
        keys: &WorkspaceKeys,
        actor: &crm_core::automerge::ActorId,
        id: DocId,
        edits: &[Edit],
    ) -> Result<(CustomerView, Summary, Vec<SealedChunk>), StoreError> {
        let tx = self.rw()?;
        let mut doc =
            Self::load_doc_in(&tx, id, actor).await?.ok_or_else(|| StoreError::NoCustomer(id.to_string()))?;
        doc.edit(edits)?;
        let chunk = self.append_local_chunk(&tx, keys, &mut doc).await?;
        let summary = Self::put_doc_in(&tx, &mut doc).await?;
        // a customer edited many times is compacted as it goes
        let snapshot = if chunk.is_some() { self.compact_in(&tx, keys, &mut doc).await? } else { None };
        tx.commit().await?;
        Ok((CustomerView::of(&mut doc), summary, chunk.into_iter().chain(snapshot).collect()))
    }

    pub async fn customer(&self, id: DocId) -> Result<Option<CustomerView>, StoreError> {
        let tx = self.db.transaction(DOCS).build()?;
        let actor = session_actor(self.device);
        Ok(Self::load_doc_in(&tx, id, &actor).await?.map(|mut d| CustomerView::of(&mut d)))
    }

    /// The customer's newest `limit` changes, newest first (see `crm_core::customer::history`).
    pub async fn history(&self, id: DocId, limit: usize) -> Result<Vec<Version>, StoreError> {
        let tx = self.db.transaction(DOCS).build()?;
        let actor = session_actor(self.device);
        let mut doc = Self::load_doc_in(&tx, id, &actor).await?.ok_or_else(|| StoreError::NoCustomer(id.to_string()))?;
        Ok(doc.history(limit))
    }

    /// The customer as it was at `heads` (a point of its history).
    pub async fn customer_as_of(&self, id: DocId, heads: &[String]) -> Result<Customer, StoreError> {
        let tx = self.db.transaction(DOCS).build()?;
        let actor = session_actor(self.device);
        let mut doc = Self::load_doc_in(&tx, id, &actor).await?.ok_or_else(|| StoreError::NoCustomer(id.to_string()))?;
        Ok(doc.customer_as_of(heads)?)
    }

    pub async fn summaries(&self) -> Result<Vec<Summary>, StoreError> {
        let tx = self.db.transaction(SUMMARIES).build()?;
        let store = tx.object_store(SUMMARIES)?;
        let all: Vec<JsValue> = store.get_all().primitive()?.await?.collect::<Result<_, _>>()?;
        all.into_iter().map(|v| from_js(v, "summary")).collect()
    }

    /// Rebuilds the rows of these customers from their documents (rows stored by an older
    /// version of the app, see `SUMMARY_VERSION`), in one transaction; returns the new rows.
    pub async fn rebuild_summaries(&self, ids: &[String]) -> Result<Vec<Summary>, StoreError> {
        let tx = self.db.transaction([DOCS, SUMMARIES]).with_mode(TransactionMode::Readwrite).build()?;
        let actor = session_actor(self.device);
        let mut out = Vec::new();
        for id in ids {
            let Ok(doc_id) = id.parse::<DocId>() else { continue };
            if let Some(doc) = Self::load_doc_in(&tx, doc_id, &actor).await? {
                let summary = doc.summary();
                tx.object_store(SUMMARIES)?.put(to_js(&summary)).with_key(id.clone()).primitive()?.await?;
                out.push(summary);
            }
        }
        tx.commit().await?;
        Ok(out)
    }

    /// The summaries of some customers (those another tab reported changed).
    pub async fn summaries_of(&self, ids: &[String]) -> Result<Vec<Summary>, StoreError> {
        let tx = self.db.transaction(SUMMARIES).build()?;
        let store = tx.object_store(SUMMARIES)?;
        let mut out = Vec::new();
        for id in ids {
            let v: Option<JsValue> = store.get(id.as_str()).primitive()?.await?;
            if let Some(v) = v {
                out.push(from_js(v, "summary")?);
            }
        }
        Ok(out)
    }

    pub async fn log(&self) -> Result<ChunkLog, StoreError> {
        let tx = self.db.transaction(META).build()?;
        Self::meta_json(&tx, "log").await
    }

    /// This device's last allocated seq.
    pub async fn seq(&self) -> Result<u64, StoreError> {
        let tx = self.db.transaction(META).build()?;
        let v: Option<f64> = tx.object_store(META)?.get("seq").primitive()?.await?;
        Ok(v.unwrap_or(0.0) as u64)
    }

    /// What the relay has acknowledged holding.
    pub async fn relay_has(&self) -> Result<VersionVector, StoreError> {
        let tx = self.db.transaction(META).build()?;
        Self::meta_json(&tx, "relay").await
    }

    pub async fn set_relay_has(&self, v: &VersionVector) -> Result<(), StoreError> {
        let tx = self.db.transaction(META).with_mode(TransactionMode::Readwrite).build()?;
        let mut cur: VersionVector = Self::meta_json(&tx, "relay").await?;
        cur.merge(v);
        Self::put_meta_json(&tx, "relay", &cur).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every stored chunk not covered by `their`: this device's unacknowledged outbox when
    /// `their` is the relay's vector, or what a peer lacks.
    pub async fn chunks_missing_for(&self, their: &VersionVector) -> Result<Vec<SealedChunk>, StoreError> {
        let tx = self.db.transaction([CHUNKS, META]).build()?;
        let log: ChunkLog = Self::meta_json(&tx, "log").await?;
        let mut devices: Vec<DeviceId> = log.vector.0.keys().copied().collect();
        devices.extend(log.ahead.iter().map(|k| k.device));
        devices.sort();
        devices.dedup();
        let store = tx.object_store(CHUNKS)?;
        let mut out = Vec::new();
        for d in devices {
            let from = chunk_key(&d, their.get(&d) + 1);
            let to = format!("{d};"); // ';' sorts right after ':'
            let keys: Vec<String> =
                store.get_all_keys().with_query(from.clone()..to.clone()).primitive()?.await?.collect::<Result<_, _>>()?;
            let vals: Vec<JsValue> =
                store.get_all().with_query(from..to).primitive()?.await?.collect::<Result<_, _>>()?;
            for (k, v) in keys.iter().zip(vals.iter()) {
                out.push(parse_chunk(k, v)?);
            }
        }
        Ok(out)
    }

    /// Stores chunks from the network and merges them into their documents, all in one
    /// transaction. Chunks that do not open (altered, or another workspace's) are refused and
    /// reported; the rest are kept.
    pub async fn ingest(&self, keys: &WorkspaceKeys, chunks: Vec<SealedChunk>) -> Result<Ingested, StoreError> {
        let actor = session_actor(self.device);
        let tx = self.rw()?;
        let mut log: ChunkLog = Self::meta_json(&tx, "log").await?;
        let mut out = Ingested::default();
        let mut by_doc: std::collections::BTreeMap<DocId, Vec<Chunk>> = Default::default();
        let mut seen = std::collections::BTreeSet::new();
        for sealed in chunks {
            if log.has(&sealed.key()) || seen.contains(&sealed.key()) {
                continue;
            }
            // only a chunk that opens counts as seen: a forged one must not shadow the real one
            match keys.open(&sealed) {
                Ok(chunk) => {
                    seen.insert(sealed.key());
                    by_doc.entry(chunk.doc).or_default().push(chunk);
                    out.fresh.push(sealed);
                }
                Err(e) => out.rejected.push(e.to_string()),
            }
        }
        if let Some(chunks) = by_doc.remove(&WORKSPACE_DOC) {
            let mut doc = Self::load_workspace_in(&tx, &actor).await?;
            let mut merged = Vec::new();
            for c in chunks {
                match doc.merge_chunk(&c.data) {
                    Ok(()) => merged.push(c),
                    Err(e) => out.rejected.push(format!("chunk {}:{} of the workspace settings: {e}", c.device, c.seq)),
                }
            }
            if !merged.is_empty() {
                Self::put_workspace_in(&tx, &mut doc).await?;
                out.settings = Some(doc.settings());
                for c in merged {
                    log.insert(crm_core::ChunkKey { device: c.device, seq: c.seq });
                }
            }
        }
        for (id, chunks) in by_doc {
            let mut doc = match Self::load_doc_in(&tx, id, &actor).await? {
                Some(d) => d,
                None => CustomerDoc::empty(id, actor.clone()),
            };
            let mut merged = Vec::new();
            for c in chunks {
                match doc.merge_chunk(&c.data) {
                    Ok(()) => merged.push(c),
                    Err(e) => out.rejected.push(format!("chunk {}:{} of customer {id}: {e}", c.device, c.seq)),
                }
            }
            if merged.is_empty() {
                continue;
            }
            out.summaries.push(Self::put_doc_in(&tx, &mut doc).await?);
            for c in merged {
                log.insert(crm_core::ChunkKey { device: c.device, seq: c.seq });
            }
        }
        let chunk_store = tx.object_store(CHUNKS)?;
        out.fresh.retain(|s| log.has(&s.key()));
        for s in &out.fresh {
            // a snapshot's covered chunks count as held: they may be dropped everywhere
            if let Some(covers) = &s.snapshot {
                log.insert_covers(covers);
            }
        }
        drop(chunk_store);
        for s in &out.fresh {
            Self::put_chunk_in(&tx, s).await?;
        }
        // a device drops at once what a snapshot it received makes redundant
        for snap in out.fresh.iter().filter(|s| s.is_snapshot()) {
            let held = Self::held_in(&tx, snap.doc).await?;
            for key in crm_core::compaction::superseded(snap, &held) {
                Self::delete_chunk_in(&tx, snap.doc, &key).await?;
            }
        }
        Self::put_meta_json(&tx, "log", &log).await?;
        tx.commit().await?;
        out.log = log;
        Ok(out)
    }


    pub fn close(self) {
        self.db.close();
    }
}
