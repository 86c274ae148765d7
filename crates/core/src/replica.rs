//! An in-memory node: the reference for what every storage adapter does (the browser's
//! IndexedDB store, the relay's SQLite store), and the node of the sync simulation tests.
//!
//! A *device* replica opens chunks and merges them into customer documents; a *store-only*
//! replica (a relay) keeps sealed chunks without ever opening them.
//!
//! Compaction (crate::compaction) as every adapter does it: a device writes a snapshot and
//! deletes the chunks it covers in one step ([`Replica::compact`]), drops at once the chunks a
//! received snapshot covers, and records covered keys as held; a store-only replica drops
//! covered chunks only once the snapshot is `retention` old on its clock ([`Replica::expire`]).

use crate::chunk::{Chunk, ChunkKey, SealedChunk};
use crate::compaction::{self, CompactError, Policy};
use crate::crypto::{CryptoError, WorkspaceKeys};
use crate::customer::{Customer, CustomerDoc, Edit, Kind, ModelError};
use crate::ids::{DeviceId, DocId};
use crate::vv::{ChunkLog, VersionVector};
use automerge::ActorId;
use std::collections::BTreeMap;

#[derive(Debug, thiserror::Error)]
pub enum ReplicaError {
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error("no customer {0}")]
    NoDoc(DocId),
    #[error(transparent)]
    Compact(#[from] CompactError),
}

pub struct Replica {
    pub device: DeviceId,
    keys: Option<WorkspaceKeys>,
    actor: ActorId,
    seq: u64,
    pub log: ChunkLog,
    chunks: BTreeMap<ChunkKey, SealedChunk>,
    docs: BTreeMap<DocId, CustomerDoc>,
    nonce_counter: u64,
    /// the clock of a store-only replica (any unit; the simulation counts steps)
    pub now: u64,
    /// when each stored snapshot arrived, on [`Self::now`]
    snapshot_at: BTreeMap<ChunkKey, u64>,
}

impl Replica {
    pub fn device(device: DeviceId, keys: WorkspaceKeys) -> Self {
        let mut actor = device.0.to_vec();
        actor.extend_from_slice(&[0, 0, 0, 1]);
        Self {
            device,
            keys: Some(keys),
            actor: ActorId::from(actor),
            seq: 0,
            log: ChunkLog::default(),
            chunks: BTreeMap::new(),
            docs: BTreeMap::new(),
            nonce_counter: 0,
            now: 0,
            snapshot_at: BTreeMap::new(),
        }
    }

    pub fn store_only(device: DeviceId) -> Self {
        Self { keys: None, ..Self::device(device, crate::crypto::WorkspaceSecret([0; 32]).keys()) }
    }

    /// Switches to other keys (a key rotation): later chunks are sealed with them.
    pub fn set_keys(&mut self, keys: WorkspaceKeys) {
        self.keys = Some(keys);
    }

    pub fn keys(&self) -> Option<&WorkspaceKeys> {
        self.keys.as_ref()
    }

    pub fn vector(&self) -> &VersionVector {
        &self.log.vector
    }

    /// Deterministic nonces keep simulations reproducible; unique per (device, counter).
    fn next_nonce(&mut self) -> [u8; 24] {
        self.nonce_counter += 1;
        let mut nonce = [0u8; 24];
        nonce[..16].copy_from_slice(&self.device.0);
        nonce[16..].copy_from_slice(&self.nonce_counter.to_be_bytes());
        nonce
    }

    /// Seals the doc's pending local changes as this device's next chunk.
    fn commit(&mut self, doc: DocId) -> Option<SealedChunk> {
        let data = self.docs.get_mut(&doc)?.take_chunk()?;
        self.seq += 1;
        let chunk = Chunk { device: self.device, seq: self.seq, doc, data };
        let nonce = self.next_nonce();
        let sealed = self.keys.as_ref()?.seal_with_nonce(&chunk, nonce);
        self.log.insert(sealed.key());
        self.chunks.insert(sealed.key(), sealed.clone());
        Some(sealed)
    }

    /// The stored chunks of one document (snapshots included).
    pub fn held(&self, doc: DocId) -> Vec<SealedChunk> {
        self.chunks.values().filter(|c| c.doc == doc).cloned().collect()
    }

    /// Compacts `doc` if `policy` says it deserves it (always, with `None`): writes a snapshot
    /// as this device's next chunk and deletes the chunks it covers, as one step. Returns the
    /// snapshot to send. A document that cannot be saved completely yet is left alone.
    pub fn compact(&mut self, doc: DocId, policy: Option<&Policy>) -> Result<Option<SealedChunk>, ReplicaError> {
        let held = self.held(doc);
        if held.is_empty() || policy.is_some_and(|p| !compaction::wants(p, &held)) {
            return Ok(None);
        }
        let Some(keys) = self.keys.clone() else { return Ok(None) };
        let save = match self.docs.get_mut(&doc).ok_or(ReplicaError::NoDoc(doc))?.snapshot() {
            Ok(save) => save,
            Err(ModelError::Incomplete) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let plan = compaction::plan(doc, &held)?;
        let nonce = self.next_nonce();
        let sealed = compaction::seal_snapshot(&keys, self.device, self.seq + 1, &plan, save, Some(nonce))?;
        // the adapter's one transaction: snapshot in, covered chunks out, counters and log
        self.seq += 1;
        self.log.insert_chunk(&sealed);
        self.chunks.insert(sealed.key(), sealed.clone());
        for key in &plan.delete {
            self.chunks.remove(key);
        }
        Ok(Some(sealed))
    }

    /// Drops the chunks stored here that snapshots at least `retention` old (on
    /// [`Self::now`]) make redundant: what a relay does. Returns how many were dropped.
    pub fn expire(&mut self, retention: u64) -> usize {
        let ripe: Vec<SealedChunk> = self
            .snapshot_at
            .iter()
            .filter(|(_, at)| at.saturating_add(retention) <= self.now)
            .filter_map(|(k, _)| self.chunks.get(k).cloned())
            .collect();
        let mut dropped = 0;
        for snap in ripe {
            // a snapshot dropped earlier in this loop (covered by a later one) drops nothing
            if !self.chunks.contains_key(&snap.key()) {
                continue;
            }
            for key in compaction::superseded(&snap, &self.held(snap.doc)) {
                self.chunks.remove(&key);
                self.snapshot_at.remove(&key);
                dropped += 1;
            }
        }
        dropped
    }

    /// Rebuilds every document from the stored chunks alone, as a restarted device does:
    /// proves that what compaction kept is enough.
    pub fn restart(&mut self) -> Result<(), ReplicaError> {
        if self.keys.is_none() {
            return Ok(());
        }
        self.docs.clear();
        let stored: Vec<SealedChunk> = self.chunks.values().cloned().collect();
        for sealed in stored {
            self.merge(&sealed)?;
        }
        Ok(())
    }

    fn merge(&mut self, sealed: &SealedChunk) -> Result<(), ReplicaError> {
        if let Some(keys) = &self.keys {
            let chunk = keys.open(sealed)?;
            let actor = self.actor.clone();
            let doc = self.docs.entry(chunk.doc).or_insert_with(|| CustomerDoc::empty(chunk.doc, actor));
            doc.merge_chunk(&chunk.data)?;
        }
        Ok(())
    }

    /// Body and header bytes of every stored chunk.
    pub fn stored_bytes(&self) -> usize {
        self.chunks.values().map(|c| c.body.len() + 40 + c.snapshot.as_ref().map_or(0, |s| s.to_bytes().len())).sum()
    }

    pub fn create(&mut self, id: DocId, kind: Kind, name: &str) -> SealedChunk {
        let doc = CustomerDoc::create(id, self.actor.clone(), kind, name, 0);
        self.docs.insert(id, doc);
        self.commit(id).expect("a new document always has a first chunk")
    }

    pub fn edit(&mut self, id: DocId, edits: &[Edit]) -> Result<Option<SealedChunk>, ReplicaError> {
        self.docs.get_mut(&id).ok_or(ReplicaError::NoDoc(id))?.edit(edits)?;
        Ok(self.commit(id))
    }

    /// Stores chunks from the network (duplicates, and chunks a held snapshot covers, ignored)
    /// and merges them into documents. Returns the chunks that were new here.
    pub fn ingest(&mut self, chunks: Vec<SealedChunk>) -> Result<Vec<SealedChunk>, ReplicaError> {
        let mut fresh = Vec::new();
        for sealed in chunks {
            if self.log.has(&sealed.key()) {
                continue;
            }
            self.merge(&sealed)?;
            self.log.insert_chunk(&sealed);
            self.chunks.insert(sealed.key(), sealed.clone());
            if sealed.is_snapshot() {
                if self.keys.is_some() {
                    // a device holds the snapshot durably now: what it covers is redundant here
                    for key in compaction::superseded(&sealed, &self.held(sealed.doc)) {
                        self.chunks.remove(&key);
                    }
                } else {
                    self.snapshot_at.insert(sealed.key(), self.now);
                }
            }
            fresh.push(sealed);
        }
        Ok(fresh)
    }

    /// Every stored chunk not covered by `their`.
    pub fn missing_for(&self, their: &VersionVector) -> Vec<SealedChunk> {
        self.chunks.values().filter(|c| !their.covers(&c.key())).cloned().collect()
    }

    pub fn chunk_count(&self) -> usize {
        self.chunks.len()
    }

    pub fn customers(&self) -> BTreeMap<DocId, Customer> {
        self.docs.iter().map(|(id, d)| (*id, d.customer())).collect()
    }

    pub fn doc(&self, id: &DocId) -> Option<&CustomerDoc> {
        self.docs.get(id)
    }

    pub fn doc_mut(&mut self, id: &DocId) -> Option<&mut CustomerDoc> {
        self.docs.get_mut(id)
    }

    pub fn doc_ids(&self) -> Vec<DocId> {
        self.docs.keys().copied().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::WorkspaceSecret;
    use crate::customer::Field;

    fn edited(n: usize) -> (Replica, Vec<SealedChunk>, DocId) {
        let mut a = Replica::device(DeviceId([1; 16]), WorkspaceSecret([4; 32]).keys());
        let id = DocId([3; 16]);
        let mut chunks = vec![a.create(id, Kind::Company, "Acme")];
        for i in 0..n {
            chunks.push(a.edit(id, &[Edit::Set(Field::Phone, format!("{i}"))]).unwrap().unwrap());
        }
        (a, chunks, id)
    }

    #[test]
    fn compaction_replaces_a_documents_chunks_by_one_snapshot_that_rebuilds_it() {
        let (mut a, chunks, id) = edited(50);
        let other = a.create(DocId([4; 16]), Kind::Person, "Untouched");
        let before = a.customers();
        let policy = Policy { min_chunks: 100, ..Policy::default() };
        assert_eq!(a.compact(id, Some(&policy)).unwrap(), None, "below the policy: nothing happens");
        let snap = a.compact(id, None).unwrap().expect("a snapshot");
        assert_eq!(snap.seq, 53, "the next seq of the device's own log");
        assert_eq!(a.held(id), vec![snap.clone()], "every covered chunk is gone");
        assert_eq!(a.held(DocId([4; 16])), vec![other], "other documents keep theirs");
        for c in &chunks {
            assert!(snap.covers(&c.key()));
        }
        a.restart().unwrap();
        assert_eq!(a.customers(), before, "the stored snapshot alone rebuilds the document");
    }

    #[test]
    fn a_snapshot_received_marks_its_covered_keys_held_and_drops_them() {
        let (mut a, chunks, id) = edited(20);
        let snap = a.compact(id, None).unwrap().unwrap();
        // a device that never saw the chunks: the snapshot alone brings the customer and the
        // keys, so it never asks for chunks that may be gone everywhere
        let keys = WorkspaceSecret([4; 32]).keys();
        let mut fresh = Replica::device(DeviceId([2; 16]), keys.clone());
        fresh.ingest(vec![snap.clone()]).unwrap();
        assert_eq!(fresh.customers(), a.customers());
        assert_eq!(fresh.vector(), a.vector());
        assert!(fresh.log.ahead.is_empty());
        // covered chunks arriving later are duplicates
        assert!(fresh.ingest(chunks[..5].to_vec()).unwrap().is_empty());
        // a device holding some of them drops them once the snapshot is in
        let mut partial = Replica::device(DeviceId([3; 16]), keys);
        partial.ingest(chunks[..10].to_vec()).unwrap();
        partial.ingest(vec![snap.clone()]).unwrap();
        assert_eq!(partial.held(id), vec![snap.clone()]);
        assert_eq!(partial.customers(), a.customers());
        // a store-only node keeps them until the snapshot is `retention` old
        let mut relay = Replica::store_only(DeviceId([9; 16]));
        relay.ingest(chunks[..10].to_vec()).unwrap();
        relay.ingest(vec![snap.clone()]).unwrap();
        assert_eq!(relay.vector(), a.vector());
        assert_eq!(relay.expire(5), 0);
        relay.now = 5;
        assert_eq!(relay.expire(5), 10);
        assert_eq!(relay.held(id), vec![snap]);
    }

    #[test]
    fn a_document_waiting_for_changes_is_not_compacted() {
        let (a, chunks, id) = edited(3);
        let mut b = Replica::device(DeviceId([2; 16]), WorkspaceSecret([4; 32]).keys());
        // the last edit without the ones it depends on
        b.ingest(vec![chunks[3].clone()]).unwrap();
        assert_eq!(b.compact(id, None).unwrap(), None);
        b.ingest(chunks[..3].to_vec()).unwrap();
        assert!(b.compact(id, None).unwrap().is_some());
        assert_eq!(b.customers(), a.customers());
    }

    #[test]
    fn concurrent_snapshots_are_harmless_and_a_later_one_supersedes_both() {
        let (mut a, chunks, id) = edited(10);
        let keys = WorkspaceSecret([4; 32]).keys();
        let mut b = Replica::device(DeviceId([2; 16]), keys);
        b.ingest(chunks).unwrap();
        b.edit(id, &[Edit::AddTag("b".into())]).unwrap();
        a.edit(id, &[Edit::AddTag("a".into())]).unwrap();
        // both compact without having seen the other's edit or snapshot
        let sa = a.compact(id, None).unwrap().unwrap();
        let sb = b.compact(id, None).unwrap().unwrap();
        let mut relay = Replica::store_only(DeviceId([9; 16]));
        relay.ingest(a.missing_for(&Default::default())).unwrap();
        relay.ingest(b.missing_for(&Default::default())).unwrap();
        a.ingest(vec![sb.clone()]).unwrap();
        b.ingest(vec![sa.clone()]).unwrap();
        assert_eq!(a.customers(), b.customers());
        assert_eq!(a.customers()[&id].tags.len(), 2, "both concurrent edits survive");
        assert_eq!(a.held(id).len(), 2, "neither snapshot covers the other: both are kept");
        relay.now = 10;
        relay.expire(1);
        assert_eq!(relay.held(id).len(), 2, "the relay keeps both too");
        // the next compaction covers both snapshots and everything they covered
        let s = a.compact(id, None).unwrap().unwrap();
        assert!(s.covers(&sa.key()) && s.covers(&sb.key()));
        relay.ingest(vec![s.clone()]).unwrap();
        b.ingest(vec![s.clone()]).unwrap();
        assert_eq!(b.held(id), vec![s.clone()]);
        relay.now = 20;
        relay.expire(1);
        assert_eq!(relay.held(id), vec![s]);
        assert_eq!(relay.vector(), a.vector());
        b.restart().unwrap();
        assert_eq!(b.customers(), a.customers());
    }
}
