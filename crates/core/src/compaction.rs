//! Compaction: replacing a document's pile of chunks by one snapshot (DESIGN.md section 5).
//!
//! A document edited 10,000 times is 10,000 chunks, each carrying its own header, nonce, tag
//! and Automerge change framing. A *snapshot* is one chunk, the next seq of the compacting
//! device's log, whose data is the document's whole save and whose [`Covers`] list the exact
//! chunk keys of that document whose changes the save includes (chunk.rs; the covers travel in
//! the clear header and are bound into the seal).
//!
//! The rules every node follows, whatever its storage:
//! - **Make** ([`wants`], [`plan`], [`seal_snapshot`]): a device compacts a document whose
//!   chunks since its last snapshot are many and large compared with that snapshot. The covers
//!   are every chunk of the document it holds plus everything the snapshots it holds cover, so
//!   a later snapshot covers the earlier ones (and what they covered). In the same transaction
//!   it writes the snapshot and deletes [`Plan::delete`]: the snapshot is durable before any
//!   chunk it replaces is gone, so no edit is ever lost.
//! - **Receive**: a node that stores a snapshot records its covered keys as held
//!   ([`crate::vv::ChunkLog::insert_chunk`]): the chunks may already be dropped everywhere, and
//!   a node that kept asking for them would never catch up. A device merges the snapshot into
//!   its document (a full save merges like any chunk) and may drop at once the chunks of that
//!   document it covers ([`superseded`]).
//! - **Relay**: stores a snapshot like any chunk and drops what it covers only after a
//!   retention window ([`droppable`] is the rule), never the snapshot itself (until a later
//!   snapshot covers it and everything it covered).
//!
//! Two devices compacting one document concurrently make two snapshots, neither covering the
//! other: both are kept, both merge (they are saves of one history), and the next compaction of
//! a device that holds both covers both.

use crate::chunk::{Chunk, ChunkKey, Covers, SealedChunk};
use crate::crypto::{WorkspaceKeys, NONCE_LEN};
use crate::ids::{DeviceId, DocId};
use crate::sync::MAX_CHUNK_BODY;

/// When a document deserves a snapshot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    /// at least this many plain chunks since the last snapshot ...
    pub min_chunks: usize,
    /// ... holding at least this many body bytes ...
    pub min_bytes: usize,
    /// ... and at least this percentage of the newest snapshot's size: a large document is
    /// not re-saved after every few edits (each snapshot is the whole document, and the relay
    /// keeps replaced ones for its retention window), so stored bytes per document stay within
    /// about twice its save.
    pub growth_percent: usize,
}

impl Default for Policy {
    fn default() -> Self {
        Policy { min_chunks: 64, min_bytes: 8 * 1024, growth_percent: 100 }
    }
}

/// Why a snapshot could not be made.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CompactError {
    #[error("the snapshot of document {doc} would be {bytes} bytes with its covers, more than a chunk may hold ({MAX_CHUNK_BODY}); its chunks are kept")]
    TooLarge { doc: DocId, bytes: usize },
    #[error("document {0} has no chunks here to compact")]
    Nothing(DocId),
    #[error("the snapshot of document {doc} cannot name what it replaces ({reason}); its chunks are kept")]
    Covers { doc: DocId, reason: String },
}

/// Whether `held` (every chunk of one document stored here) deserves compaction.
pub fn wants(policy: &Policy, held: &[SealedChunk]) -> bool {
    wants_sizes(policy, held.iter().map(|c| (c.is_snapshot(), c.body.len())))
}

/// [`wants`] from (is a snapshot, body bytes) of each held chunk: a store can keep these in an
/// index and decide without reading the chunks.
pub fn wants_sizes(policy: &Policy, held: impl IntoIterator<Item = (bool, usize)>) -> bool {
    let (mut plain, mut plain_bytes, mut snapshot_bytes) = (0usize, 0usize, 0usize);
    for (snapshot, len) in held {
        if snapshot {
            snapshot_bytes = snapshot_bytes.max(len);
        } else {
            plain += 1;
            plain_bytes += len;
        }
    }
    let growth = snapshot_bytes.saturating_mul(policy.growth_percent) / 100;
    plain >= policy.min_chunks.max(1) && plain_bytes >= policy.min_bytes.max(growth)
}

/// What compacting one document does to a node's storage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub doc: DocId,
    /// the snapshot's covers: every chunk of the document held here, and all they cover
    pub covers: Covers,
    /// the chunks to delete in the transaction that writes the snapshot (every chunk of the
    /// document held here: the snapshot includes all of them)
    pub delete: Vec<ChunkKey>,
}

/// Plans the compaction of the document whose stored chunks are `held` (all of one doc).
pub fn plan(doc: DocId, held: &[SealedChunk]) -> Result<Plan, CompactError> {
    if held.is_empty() {
        return Err(CompactError::Nothing(doc));
    }
    let mut covers = Covers::from_keys(held.iter().map(SealedChunk::key));
    for c in held {
        if let Some(inner) = &c.snapshot {
            covers.union(inner);
        }
    }
    // covers accumulate over a document's life; past the codec's bounds every receiver would
    // refuse the snapshot, so it is not made at all
    covers.check().map_err(|reason| CompactError::Covers { doc, reason })?;
    Ok(Plan { doc, covers, delete: held.iter().map(SealedChunk::key).collect() })
}

/// Seals the snapshot of `plan.doc` as chunk `seq` of `device`. `save` is the document's whole
/// save, taken with no unchunked local edits (they would be in the save but in no chunk the
/// covers name: harmless, yet the covers would no longer say exactly what the save holds).
pub fn seal_snapshot(
    keys: &WorkspaceKeys,
    device: DeviceId,
    seq: u64,
    plan: &Plan,
    save: Vec<u8>,
    nonce: Option<[u8; NONCE_LEN]>,
) -> Result<SealedChunk, CompactError> {
    let chunk = Chunk { device, seq, doc: plan.doc, data: save };
    let sealed = match nonce {
        Some(n) => keys.seal_snapshot_with_nonce(&chunk, plan.covers.clone(), n),
        None => keys.seal_snapshot(&chunk, plan.covers.clone()),
    };
    // the covers ride in the same frame: body and covers together must fit where a chunk body may
    let bytes = sealed.body.len() + plan.covers.to_bytes().len();
    if bytes > MAX_CHUNK_BODY {
        return Err(CompactError::TooLarge { doc: plan.doc, bytes });
    }
    Ok(sealed)
}

/// True if `chunk` may be dropped once `snapshot` is durable: same document, covered, not the
/// snapshot itself, and, when `chunk` is an earlier snapshot, everything it covers is covered
/// too (so dropping it never forgets that a key is held).
pub fn droppable(snapshot: &SealedChunk, chunk: &SealedChunk) -> bool {
    let Some(covers) = &snapshot.snapshot else { return false };
    chunk.doc == snapshot.doc
        && chunk.key() != snapshot.key()
        && covers.contains(&chunk.key())
        && chunk.snapshot.as_ref().is_none_or(|inner| covers.includes(inner))
}

/// The chunks among `held` that `snapshot` makes redundant ([`droppable`]).
pub fn superseded(snapshot: &SealedChunk, held: &[SealedChunk]) -> Vec<ChunkKey> {
    held.iter().filter(|c| droppable(snapshot, c)).map(SealedChunk::key).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::WorkspaceSecret;

    fn plain(d: u8, seq: u64, len: usize) -> SealedChunk {
        SealedChunk { device: DeviceId([d; 16]), seq, doc: DocId([5; 16]), snapshot: None, body: vec![0; len] }
    }

    #[test]
    fn policy_waits_for_enough_chunks_and_bytes_relative_to_the_last_snapshot() {
        let p = Policy { min_chunks: 3, min_bytes: 100, growth_percent: 100 };
        assert!(!wants(&p, &[plain(1, 1, 50), plain(1, 2, 50)]), "too few chunks");
        assert!(wants(&p, &[plain(1, 1, 50), plain(1, 2, 50), plain(1, 3, 50)]));
        let mut snap = plain(1, 4, 1000);
        snap.snapshot = Some(Covers::from_keys([plain(1, 1, 0).key()]));
        let mut held = vec![snap, plain(1, 5, 300), plain(1, 6, 300), plain(1, 7, 300)];
        assert!(!wants(&p, &held), "900 bytes of edits after a 1000-byte snapshot");
        held.push(plain(1, 8, 300));
        assert!(wants(&p, &held));
    }

    #[test]
    fn a_plan_covers_everything_held_and_what_held_snapshots_cover() {
        let mut old = plain(2, 3, 10);
        old.snapshot = Some(Covers::from_keys([plain(1, 1, 0).key(), plain(2, 1, 0).key()]));
        let held = vec![old.clone(), plain(1, 4, 10), plain(2, 5, 10)];
        let p = plan(DocId([5; 16]), &held).unwrap();
        for k in [(1, 1), (2, 1), (2, 3), (1, 4), (2, 5)] {
            assert!(p.covers.contains(&plain(k.0, k.1, 0).key()), "{k:?}");
        }
        assert!(!p.covers.contains(&plain(1, 2, 0).key()), "another document's chunk in between");
        assert_eq!(p.delete, held.iter().map(SealedChunk::key).collect::<Vec<_>>());
        assert_eq!(plan(DocId([5; 16]), &[]), Err(CompactError::Nothing(DocId([5; 16]))));
        // covers receivers would refuse (too many ranges: chunks interleaved with other
        // documents' for a very long time) make no snapshot
        let scattered: Vec<SealedChunk> =
            (0..=crate::chunk::MAX_COVER_RANGES as u64).map(|i| plain(1, 2 * i + 1, 1)).collect();
        let err = plan(DocId([5; 16]), &scattered).unwrap_err();
        assert!(matches!(err, CompactError::Covers { .. }) && err.to_string().contains("ranges"), "{err}");
    }

    #[test]
    fn only_covered_chunks_of_the_same_document_are_droppable() {
        let keys = WorkspaceSecret([1; 32]).keys();
        let p = plan(DocId([5; 16]), &[plain(1, 1, 10), plain(1, 2, 10)]).unwrap();
        let snap = seal_snapshot(&keys, DeviceId([1; 16]), 3, &p, b"save".to_vec(), Some([0; 24])).unwrap();
        assert!(droppable(&snap, &plain(1, 1, 10)));
        assert!(!droppable(&snap, &snap), "never the snapshot itself");
        assert!(!droppable(&snap, &plain(1, 4, 10)), "a later chunk");
        let mut other_doc = plain(1, 2, 10);
        other_doc.doc = DocId([6; 16]);
        assert!(!droppable(&snap, &other_doc), "another document's chunk, whatever the covers say");
        // an earlier snapshot covering more than this one is kept
        let mut wider = plain(1, 2, 10);
        wider.snapshot = Some(Covers::from_keys([plain(1, 1, 0).key(), plain(7, 1, 0).key()]));
        assert!(!droppable(&snap, &wider));
        assert_eq!(superseded(&snap, &[plain(1, 1, 10), wider, snap.clone()]), vec![plain(1, 1, 0).key()]);
    }

    #[test]
    fn an_oversized_snapshot_is_refused_and_nothing_is_dropped() {
        let keys = WorkspaceSecret([1; 32]).keys();
        let p = plan(DocId([5; 16]), &[plain(1, 1, 10)]).unwrap();
        let err = seal_snapshot(&keys, DeviceId([1; 16]), 2, &p, vec![0; MAX_CHUNK_BODY], None).unwrap_err();
        assert!(matches!(err, CompactError::TooLarge { .. }), "{err}");
    }
}
