//! Bytes per customer before and after compaction, for one customer edited many times
//! (DESIGN.md section 5, issue 5 "storage growth"). Prints one line per measurement so
//! `cargo xtask bench` can pick them up:
//!
//! ```text
//! cargo run --release -p crm-core --example compaction_bytes [EDITS...]   # default: 10 10000
//! ```
//!
//! The same scenario backs the bounds asserted by `tests/compaction_bytes.rs`.

use crm_core::compaction::Policy;
use crm_core::replica::Replica;
use crm_core::{DeviceId, DocId, Edit, Field, Kind, SealedChunk, WorkspaceSecret};

/// What one customer costs in storage, in bytes (chunk bodies plus their headers).
#[derive(Debug, Clone, Copy)]
pub struct Bytes {
    pub edits: usize,
    /// every chunk ever made for the customer, as a node without compaction keeps them
    pub uncompacted: usize,
    /// the editing device, compacting by the default policy as it edits
    pub device: usize,
    /// a relay (store-only replica) before its retention window has passed ...
    pub relay_in_window: usize,
    /// ... and after
    pub relay_after_window: usize,
    /// the document's save, the floor any representation pays
    pub save: usize,
    pub snapshots: usize,
}

/// Edits one customer `edits` times on one device that compacts by `policy`; a store-only
/// relay receives everything and drops what is covered once the window has passed. Also
/// returns every chunk made (for tests that push them to a real relay).
pub fn measure(edits: usize, policy: &Policy) -> (Bytes, Vec<SealedChunk>) {
    let keys = WorkspaceSecret([7; 32]).keys();
    let mut device = Replica::device(DeviceId([1; 16]), keys);
    let mut relay = Replica::store_only(DeviceId([200; 16]));
    let id = DocId([1; 16]);
    let mut all = vec![device.create(id, Kind::Company, "Acme Trading Co.")];
    let mut snapshots = 0;
    for i in 0..edits {
        // the edits a busy account gets, every one a real change: stage, phone, owner, tags
        let edit = match i % 4 {
            0 => Edit::Set(Field::Lifecycle, ["lead", "active", "at risk"][i / 4 % 3].into()),
            1 => Edit::Set(Field::Phone, format!("+86 138 {:04} {:04}", i % 10_000, (i * 7) % 10_000)),
            2 => Edit::Set(Field::Owner, ["wang", "li", "zhang", "chen"][i / 4 % 4].into()),
            _ if i / 4 % 2 == 0 => Edit::AddTag(format!("t{}", i / 8 % 10)),
            _ => Edit::RemoveTag(format!("t{}", i / 8 % 10)),
        };
        all.extend(device.edit(id, &[edit]).expect("edit"));
        if let Some(snap) = device.compact(id, Some(policy)).expect("compaction") {
            snapshots += 1;
            all.push(snap);
        }
    }
    let uncompacted = all.iter().filter(|c| !c.is_snapshot()).map(|c| c.body.len() + 40).sum();
    relay.ingest(all.clone()).expect("relay stores");
    let relay_in_window = relay.stored_bytes();
    relay.now = 1;
    relay.expire(1);
    let relay_after_window = relay.stored_bytes();
    let save = device.doc_mut(&id).expect("the customer").save().len();
    let bytes =
        Bytes { edits, uncompacted, device: device.stored_bytes(), relay_in_window, relay_after_window, save, snapshots };
    (bytes, all)
}

#[allow(dead_code)]
fn main() {
    // `cargo xtask bench` reads "bytes per customer, <what>, <N> edits: <bytes>" lines
    let counts: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    for edits in if counts.is_empty() { vec![10, 10_000] } else { counts } {
        let (b, _) = measure(edits, &Policy::default());
        println!("compaction: one customer edited {} times, {} snapshots made", b.edits, b.snapshots);
        println!("bytes per customer, uncompacted chunks, {edits} edits: {}", b.uncompacted);
        println!("bytes per customer, device after compaction, {edits} edits: {}", b.device);
        println!("bytes per customer, relay within retention, {edits} edits: {}", b.relay_in_window);
        println!("bytes per customer, relay after retention, {edits} edits: {}", b.relay_after_window);
        println!("bytes per customer, automerge save, {edits} edits: {}", b.save);
    }
}
