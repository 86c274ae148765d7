//! Chunks: the unit of storage and sync. One chunk is one batch of local edits to one
//! document (the Automerge changes made since the device's previous chunk of it).
//!
//! A *snapshot* is a chunk too (the next seq of its uploader's log) whose data is the whole
//! document (`save()`), with [`Covers`]: the keys of that document's chunks whose changes it
//! includes. The covers travel in the clear header, because the relay must know which chunks
//! it may drop, and are bound into the seal's associated data, so nobody can alter them.

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
    /// `Some` for a snapshot: the chunks of `doc` whose changes the body includes.
    pub snapshot: Option<Covers>,
    pub body: Vec<u8>,
}

impl SealedChunk {
    pub fn key(&self) -> ChunkKey {
        ChunkKey { device: self.device, seq: self.seq }
    }

    pub fn is_snapshot(&self) -> bool {
        self.snapshot.is_some()
    }

    /// True if this is a snapshot that includes the changes of chunk `key` (of this doc).
    pub fn covers(&self, key: &ChunkKey) -> bool {
        self.snapshot.as_ref().is_some_and(|c| c.contains(key))
    }

    /// Checks what a receiver cannot otherwise trust in a snapshot header: canonical, bounded
    /// covers that do not name the snapshot itself or a later chunk of its own device.
    pub fn check_header(&self) -> Result<(), String> {
        let Some(covers) = &self.snapshot else { return Ok(()) };
        let name = format!("snapshot {}:{}", self.device, self.seq);
        covers.check().map_err(|e| format!("{name}: {e}"))?;
        if covers.highest(&self.device) >= self.seq {
            return Err(format!(
                "{name}: it claims to cover seq {} of its own device, which is not before the snapshot",
                covers.highest(&self.device)
            ));
        }
        Ok(())
    }
}

/// More ranges than this in one snapshot's covers is treated as hostile input.
pub const MAX_COVER_RANGES: usize = 16_384;
/// More chunk keys than this covered by one snapshot is treated as hostile input (a node marks
/// each covered key as held, so the count must stay bounded).
pub const MAX_COVERED_KEYS: u64 = 1 << 20;

/// A set of chunk keys as sorted, disjoint, non-adjacent seq ranges per device: the exact
/// chunks of one document that a snapshot includes. Exact keys, not a version vector: a
/// device's log interleaves documents, and a node that receives the snapshot must mark as held
/// the covered chunks of *this* document only, never the other documents' chunks around them.
///
/// The representation is canonical (one encoding per set), because its bytes are part of the
/// seal's associated data.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Covers(Vec<(DeviceId, Vec<(u64, u64)>)>);

impl Covers {
    pub fn new() -> Self {
        Self::default()
    }

    /// The canonical set of these keys.
    pub fn from_keys(keys: impl IntoIterator<Item = ChunkKey>) -> Self {
        let mut c = Covers::new();
        for k in keys {
            c.insert_range(k.device, k.seq, k.seq);
        }
        c
    }

    fn device_ranges(&self, device: &DeviceId) -> Option<&Vec<(u64, u64)>> {
        self.0.binary_search_by(|(d, _)| d.cmp(device)).ok().map(|i| &self.0[i].1)
    }

    pub fn contains(&self, key: &ChunkKey) -> bool {
        self.device_ranges(&key.device).is_some_and(|rs| {
            let i = rs.partition_point(|(_, last)| *last < key.seq);
            rs.get(i).is_some_and(|(first, _)| *first <= key.seq)
        })
    }

    /// The highest covered seq of `device` (0 if none).
    pub fn highest(&self, device: &DeviceId) -> u64 {
        self.device_ranges(device).and_then(|rs| rs.last()).map_or(0, |r| r.1)
    }

    /// Adds seqs `first..=last` of `device`, keeping the form canonical.
    pub fn insert_range(&mut self, device: DeviceId, first: u64, last: u64) {
        if first == 0 || first > last {
            return;
        }
        let i = match self.0.binary_search_by(|(d, _)| d.cmp(&device)) {
            Ok(i) => i,
            Err(i) => {
                self.0.insert(i, (device, Vec::new()));
                i
            }
        };
        let rs = &mut self.0[i].1;
        // ranges that overlap or touch the new one merge into it
        let lo = rs.partition_point(|(_, l)| l.saturating_add(1) < first);
        let hi = rs.partition_point(|(f, _)| *f <= last.saturating_add(1));
        let (mut f, mut l) = (first, last);
        if lo < hi {
            f = f.min(rs[lo].0);
            l = l.max(rs[hi - 1].1);
        }
        rs.splice(lo..hi, [(f, l)]);
    }

    pub fn union(&mut self, other: &Covers) {
        for (d, rs) in &other.0 {
            for (f, l) in rs {
                self.insert_range(*d, *f, *l);
            }
        }
    }

    /// True if every key of `other` is in `self`.
    pub fn includes(&self, other: &Covers) -> bool {
        other.0.iter().all(|(d, rs)| {
            let mine = self.device_ranges(d).map(Vec::as_slice).unwrap_or(&[]);
            rs.iter().all(|(f, l)| {
                let i = mine.partition_point(|(_, ml)| ml < f);
                mine.get(i).is_some_and(|(mf, ml)| mf <= f && l <= ml)
            })
        })
    }

    /// Every range as (device, first, last), in order.
    pub fn ranges(&self) -> impl Iterator<Item = (DeviceId, u64, u64)> + '_ {
        self.0.iter().flat_map(|(d, rs)| rs.iter().map(move |(f, l)| (*d, *f, *l)))
    }

    /// How many chunk keys are covered.
    pub fn key_count(&self) -> u64 {
        self.ranges().map(|(_, f, l)| l - f + 1).fold(0u64, u64::saturating_add)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Canonical form and bounds, for covers that came from the network.
    pub fn check(&self) -> Result<(), String> {
        let ranges: usize = self.0.iter().map(|(_, rs)| rs.len()).sum();
        if ranges > MAX_COVER_RANGES {
            return Err(format!("covers has {ranges} ranges (at most {MAX_COVER_RANGES})"));
        }
        for w in self.0.windows(2) {
            if w[0].0 >= w[1].0 {
                return Err("covers lists devices out of order or twice".into());
            }
        }
        for (d, rs) in &self.0 {
            if rs.is_empty() {
                return Err(format!("covers lists device {d} with no ranges"));
            }
            for (f, l) in rs {
                if *f == 0 || f > l {
                    return Err(format!("covers has the invalid range {f}..={l} for device {d}"));
                }
            }
            for w in rs.windows(2) {
                if w[0].1.saturating_add(1) >= w[1].0 {
                    return Err(format!("covers has overlapping or unmerged ranges for device {d}"));
                }
            }
        }
        let keys = self.key_count();
        if keys > MAX_COVERED_KEYS {
            return Err(format!("covers names {keys} chunks (at most {MAX_COVERED_KEYS})"));
        }
        Ok(())
    }

    /// The canonical bytes (bound into the seal's associated data).
    pub fn to_bytes(&self) -> Vec<u8> {
        // serialising plain owned data into a Vec cannot fail
        postcard::to_stdvec(self).expect("postcard encode")
    }

    /// Decodes and checks stored covers bytes (the relay keeps them in a column).
    pub fn from_bytes(bytes: &[u8]) -> Result<Covers, String> {
        let c: Covers = postcard::from_bytes(bytes).map_err(|e| format!("covers could not be decoded: {e}"))?;
        c.check()?;
        Ok(c)
    }
}

impl std::fmt::Debug for SealedChunk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = if self.is_snapshot() { "Snapshot" } else { "SealedChunk" };
        write!(f, "{kind}({}:{} doc {} {}B)", self.device, self.seq, self.doc, self.body.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(d: u8, seq: u64) -> ChunkKey {
        ChunkKey { device: DeviceId([d; 16]), seq }
    }

    #[test]
    fn covers_are_canonical_ranges_whatever_the_insertion_order() {
        let a = Covers::from_keys([k(1, 5), k(1, 1), k(2, 3), k(1, 2), k(1, 4), k(1, 9)]);
        let b = Covers::from_keys([k(1, 9), k(2, 3), k(1, 4), k(1, 5), k(1, 2), k(1, 1), k(1, 2)]);
        assert_eq!(a, b);
        assert_eq!(a.to_bytes(), b.to_bytes());
        assert_eq!(a.ranges().collect::<Vec<_>>(), vec![(DeviceId([1; 16]), 1, 2), (DeviceId([1; 16]), 4, 5), (DeviceId([1; 16]), 9, 9), (DeviceId([2; 16]), 3, 3)]);
        assert!(a.contains(&k(1, 4)) && !a.contains(&k(1, 3)) && !a.contains(&k(2, 1)));
        assert_eq!(a.key_count(), 6);
        assert_eq!(a.highest(&DeviceId([1; 16])), 9);
        assert!(a.check().is_ok());
        assert_eq!(Covers::from_bytes(&a.to_bytes()), Ok(a.clone()));
        let mut bridged = a.clone();
        bridged.insert_range(DeviceId([1; 16]), 3, 8);
        assert_eq!(bridged.ranges().filter(|r| r.0 == DeviceId([1; 16])).count(), 1);
        assert!(bridged.includes(&a) && !a.includes(&bridged));
    }
}
