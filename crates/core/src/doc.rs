//! What every synced document shares: an Automerge document plus the bookkeeping that turns
//! local edits into chunks (`save_after` the heads already chunked) and merges chunks from
//! other devices in any order.

use automerge::{ActorId, AutoCommit, ChangeHash};

pub struct ChunkedDoc {
    pub(crate) doc: AutoCommit,
    /// heads covered by chunks already taken (or merged from others)
    chunked: Vec<ChangeHash>,
    dirty: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ChunkError {
    #[error("document could not be read: {0}")]
    Automerge(#[from] automerge::AutomergeError),
    #[error("local edits must be taken as a chunk before remote changes are merged")]
    UnchunkedLocalEdits,
    #[error("the document waits for changes that have not arrived; it is compacted once they have")]
    Waiting,
}

impl ChunkedDoc {
    /// A document whose current content still has to be sent as a chunk.
    pub fn fresh(doc: AutoCommit) -> Self {
        Self { doc, chunked: Vec::new(), dirty: true }
    }

    /// A document whose current content every device already has (or that is empty).
    pub fn settled(mut doc: AutoCommit) -> Self {
        let chunked = doc.get_heads();
        Self { doc, chunked, dirty: false }
    }

    pub fn empty(actor: ActorId) -> Self {
        Self::settled(AutoCommit::new().with_actor(actor))
    }

    pub fn load(snapshot: &[u8], actor: ActorId) -> Result<Self, ChunkError> {
        Ok(Self::settled(AutoCommit::load(snapshot)?.with_actor(actor)))
    }

    pub fn mark_dirty(&mut self) {
        self.dirty = true;
    }

    pub fn rollback(&mut self) {
        self.doc.rollback();
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
    pub fn merge_chunk(&mut self, data: &[u8]) -> Result<(), ChunkError> {
        if self.dirty {
            return Err(ChunkError::UnchunkedLocalEdits);
        }
        self.doc.load_incremental(data)?;
        self.chunked = self.doc.get_heads();
        Ok(())
    }

    /// The compacted document, including changes still waiting for their dependencies.
    pub fn save(&mut self) -> Vec<u8> {
        self.doc.save()
    }

    /// The whole document for a snapshot (crate::compaction): refused while local edits are
    /// not yet chunked (the save would hold changes no covered chunk has) or while merged
    /// changes wait for their dependencies (a snapshot must be a complete, loadable history).
    pub fn snapshot(&mut self) -> Result<Vec<u8>, ChunkError> {
        if self.dirty {
            return Err(ChunkError::UnchunkedLocalEdits);
        }
        if self.is_waiting() {
            return Err(ChunkError::Waiting);
        }
        Ok(self.doc.save())
    }

    /// The current heads (hashes of the latest changes).
    pub fn heads(&mut self) -> Vec<ChangeHash> {
        self.doc.get_heads()
    }

    /// True if the change `hash` is part of this document.
    pub fn has_change(&mut self, hash: &ChangeHash) -> bool {
        self.doc.get_change_by_hash(hash).is_some()
    }

    /// True when some merged changes still wait for changes that have not arrived.
    pub fn is_waiting(&mut self) -> bool {
        !self.doc.get_missing_deps(&[]).is_empty()
    }
}
