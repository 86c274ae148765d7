//! Chunks: the unit of storage and sync. One chunk is one batch of local edits to one
//! document (the Automerge changes made since the device's previous chunk of it).

use crate::ids::{DeviceId, DocId};
use serde::{Deserialize, Serialize};

/// Where a chunk sits in the workspace: its device's log and position in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ChunkKey {
    pub device: DeviceId,
    pub seq: u64,
}

/// A plaintext chunk: Automerge change bytes for `doc`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chunk {
    pub device: DeviceId,
    pub seq: u64,
    pub doc: DocId,
    pub data: Vec<u8>,
}

/// A chunk as it travels and as the relay stores it: the header in clear (so a relay can
/// index it), the body sealed (nonce || ciphertext || tag).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedChunk {
    pub device: DeviceId,
    pub seq: u64,
    pub doc: DocId,
    pub body: Vec<u8>,
}

impl SealedChunk {
    pub fn key(&self) -> ChunkKey {
        ChunkKey { device: self.device, seq: self.seq }
    }
}

impl std::fmt::Debug for SealedChunk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SealedChunk({}:{} doc {} {}B)", self.device, self.seq, self.doc, self.body.len())
    }
}

