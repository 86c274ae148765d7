//! An in-memory node: the reference for what every storage adapter does (the browser's
//! IndexedDB store, the relay's SQLite store), and the node of the sync simulation tests.
//!
//! A *device* replica opens chunks and merges them into customer documents; a *store-only*
//! replica (a relay) keeps sealed chunks without ever opening them.

use crate::chunk::{Chunk, ChunkKey, SealedChunk};
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
        }
    }

    pub fn store_only(device: DeviceId) -> Self {
        Self { keys: None, ..Self::device(device, crate::crypto::WorkspaceSecret([0; 32]).keys()) }
    }

    pub fn vector(&self) -> &VersionVector {
        &self.log.vector
    }

    /// Seals the doc's pending local changes as this device's next chunk.
    fn commit(&mut self, doc: DocId) -> Option<SealedChunk> {
        let data = self.docs.get_mut(&doc)?.take_chunk()?;
        self.seq += 1;
        let chunk = Chunk { device: self.device, seq: self.seq, doc, data };
        // deterministic nonces keep simulations reproducible; unique per (device, counter)
        self.nonce_counter += 1;
        let mut nonce = [0u8; 24];
        nonce[..16].copy_from_slice(&self.device.0);
        nonce[16..].copy_from_slice(&self.nonce_counter.to_be_bytes());
        let sealed = self.keys.as_ref()?.seal_with_nonce(&chunk, nonce);
        self.log.insert(sealed.key());
        self.chunks.insert(sealed.key(), sealed.clone());
        Some(sealed)
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

    /// Stores chunks from the network (duplicates ignored) and merges them into documents.
    /// Returns the chunks that were new here.
    pub fn ingest(&mut self, chunks: Vec<SealedChunk>) -> Result<Vec<SealedChunk>, ReplicaError> {
        let mut fresh = Vec::new();
        for sealed in chunks {
            if self.log.has(&sealed.key()) {
                continue;
            }
            if let Some(keys) = &self.keys {
                let chunk = keys.open(&sealed)?;
                let actor = self.actor.clone();
                let doc = self.docs.entry(chunk.doc).or_insert_with(|| CustomerDoc::empty(chunk.doc, actor));
                doc.merge_chunk(&chunk.data)?;
            }
            self.log.insert(sealed.key());
            self.chunks.insert(sealed.key(), sealed.clone());
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

    pub fn doc_ids(&self) -> Vec<DocId> {
        self.docs.keys().copied().collect()
    }
}
