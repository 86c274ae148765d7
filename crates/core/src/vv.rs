//! Version vectors: what a node holds, as `{device -> highest contiguous seq}`.

use crate::chunk::{ChunkKey, Covers, SealedChunk};
use crate::ids::DeviceId;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionVector(pub BTreeMap<DeviceId, u64>);

impl VersionVector {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn get(&self, device: &DeviceId) -> u64 {
        self.0.get(device).copied().unwrap_or(0)
    }
    pub fn covers(&self, key: &ChunkKey) -> bool {
        key.seq <= self.get(&key.device)
    }
    /// Raise each entry to the other's where the other is higher.
    pub fn merge(&mut self, other: &VersionVector) {
        for (d, s) in &other.0 {
            let e = self.0.entry(*d).or_insert(0);
            if *s > *e {
                *e = *s;
            }
        }
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The set of chunk keys a node has stored: the contiguous prefix per device (its vector)
/// plus any chunks that arrived ahead of a gap. Chunks may arrive reordered or duplicated;
/// the vector only advances across contiguous runs, so "what you lack" is always exact.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkLog {
    pub vector: VersionVector,
    pub ahead: BTreeSet<ChunkKey>,
}

impl ChunkLog {
    pub fn has(&self, key: &ChunkKey) -> bool {
        self.vector.covers(key) || self.ahead.contains(key)
    }

    /// Records `key`; returns false if it was already held (a duplicate).
    pub fn insert(&mut self, key: ChunkKey) -> bool {
        if key.seq == 0 || self.has(&key) {
            return false;
        }
        let cur = self.vector.get(&key.device);
        if key.seq == cur + 1 {
            let mut top = key.seq;
            while self.ahead.remove(&ChunkKey { device: key.device, seq: top + 1 }) {
                top += 1;
            }
            self.vector.0.insert(key.device, top);
        } else {
            self.ahead.insert(key);
        }
        true
    }

    /// Records seqs `first..=last` of `device` (a snapshot's covered range) without walking
    /// them one by one when the range joins the contiguous prefix.
    pub fn insert_range(&mut self, device: DeviceId, first: u64, last: u64) {
        let first = first.max(1);
        if first > last {
            return;
        }
        let cur = self.vector.get(&device);
        if first <= cur + 1 {
            if last > cur {
                // the range joins the prefix: drop what it swallows, then absorb the run after it
                let swallowed: Vec<ChunkKey> =
                    self.ahead.range(ChunkKey { device, seq: cur + 1 }..=ChunkKey { device, seq: last }).copied().collect();
                for k in swallowed {
                    self.ahead.remove(&k);
                }
                let mut top = last;
                while self.ahead.remove(&ChunkKey { device, seq: top + 1 }) {
                    top += 1;
                }
                self.vector.0.insert(device, top);
            }
        } else {
            for seq in first..=last {
                self.ahead.insert(ChunkKey { device, seq });
            }
        }
    }

    /// How many keys recording `covers` would add to [`Self::ahead`] at most (ranges that do
    /// not join the contiguous prefix are held key by key): what a node checks before letting
    /// a small header cost it much memory.
    pub fn ahead_cost(&self, covers: &Covers) -> u64 {
        covers
            .ranges()
            .filter(|(d, first, _)| *first > self.vector.get(d) + 1)
            .map(|(_, first, last)| last - first + 1)
            .fold(0u64, u64::saturating_add)
    }

    /// Records every key of `covers`.
    pub fn insert_covers(&mut self, covers: &Covers) {
        for (d, first, last) in covers.ranges() {
            self.insert_range(d, first, last);
        }
    }

    /// Records a chunk, and for a snapshot every chunk it covers: a node holding a snapshot
    /// holds the changes of the chunks it replaces, which may have been dropped everywhere.
    pub fn insert_chunk(&mut self, chunk: &SealedChunk) -> bool {
        let fresh = self.insert(chunk.key());
        if let Some(covers) = &chunk.snapshot {
            self.insert_covers(covers);
        }
        fresh
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(d: u8, seq: u64) -> ChunkKey {
        ChunkKey { device: DeviceId([d; 16]), seq }
    }

    fn range(d: u8, first: u64, last: u64) -> Covers {
        let mut c = Covers::new();
        c.insert_range(DeviceId([d; 16]), first, last);
        c
    }

    #[test]
    fn vector_advances_only_over_contiguous_runs() {
        let mut log = ChunkLog::default();
        assert!(log.insert(k(1, 2)));
        assert_eq!(log.vector.get(&DeviceId([1; 16])), 0);
        assert!(log.insert(k(1, 3)));
        assert!(log.insert(k(1, 1)));
        assert_eq!(log.vector.get(&DeviceId([1; 16])), 3);
        assert!(log.ahead.is_empty());
        assert!(!log.insert(k(1, 2)), "duplicate is reported");
        assert!(!log.insert(k(1, 0)), "seq 0 is never valid");
    }

    #[test]
    fn covered_ranges_join_the_prefix_or_wait_ahead() {
        let d = DeviceId([1; 16]);
        let mut log = ChunkLog::default();
        log.insert(k(1, 1));
        log.insert(k(1, 9));
        log.insert_range(d, 5, 6);
        assert_eq!(log.vector.get(&d), 1);
        assert!(log.has(&k(1, 5)) && log.has(&k(1, 6)) && !log.has(&k(1, 4)));
        log.insert_range(d, 2, 4);
        assert_eq!(log.vector.get(&d), 6, "the range and what waited after it join the prefix");
        log.insert_range(d, 3, 8);
        assert_eq!(log.vector.get(&d), 9);
        assert!(log.ahead.is_empty());
        let long = range(1, 1, 1_000_000_000);
        assert_eq!(log.ahead_cost(&long), 0);
        log.insert_covers(&long);
        assert_eq!(log.vector.get(&d), 1_000_000_000, "a long joining range costs no walk");
        let far = range(2, 10, 19);
        assert_eq!(log.ahead_cost(&far), 10, "a range past a gap is held key by key");
    }

    #[test]
    fn merge_takes_the_maximum() {
        let mut a = VersionVector::new();
        a.0.insert(DeviceId([1; 16]), 5);
        let mut b = VersionVector::new();
        b.0.insert(DeviceId([1; 16]), 3);
        b.0.insert(DeviceId([2; 16]), 4);
        a.merge(&b);
        assert_eq!(a.get(&DeviceId([1; 16])), 5);
        assert_eq!(a.get(&DeviceId([2; 16])), 4);
    }
}
