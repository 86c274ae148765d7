//! Deterministic simulation: several devices and a relay exchange messages over a network
//! that drops, duplicates, reorders and partitions, while the devices keep editing. Once the
//! network heals, every device must hold identical documents and every chunk.
//!
//! With compaction on, devices also replace documents' chunks by snapshots as they edit, the
//! relay drops covered chunks once a snapshot is older than its retention window, devices
//! restart from their stored chunks alone, and one device stays offline for a long stretch
//! across compactions and drops: the end state must still be equal documents, every edit ever
//! made present everywhere, and storage bounded.

mod common;

use common::*;
use crm_core::compaction::{self, Policy};
use crm_core::replica::Replica;
use crm_core::sync::{Effect, Session};
use crm_core::{DocId, Edit, Field, Kind, SealedChunk, WorkspaceSecret};

/// Compaction during a simulation.
struct Compacting {
    policy: Policy,
    /// steps a snapshot must wait at the relay before what it covers is dropped
    retention: u64,
    /// this device is cut off from everyone during these steps
    offline: (usize, std::ops::Range<usize>),
    /// percent chance per step that a random device restarts from its stored chunks
    restart_percent: u64,
}

fn run_simulation(seed: u64, devices: usize, steps: usize) -> Net {
    simulate(seed, devices, steps, None)
}

fn simulate(seed: u64, devices: usize, steps: usize, compacting: Option<&Compacting>) -> Net {
    let keys = WorkspaceSecret([42; 32]).keys();
    let mut nodes: Vec<Replica> = (0..devices).map(|i| Replica::device(device(i as u8 + 1), keys.clone())).collect();
    nodes.push(Replica::store_only(device(200)));
    let relay = devices;
    let mut links: Vec<Link> =
        (0..devices).map(|i| Link::new(i, relay)).collect();
    // one direct peer-to-peer link: the same exchange without the relay
    links.push(Link::new(0, 1));
    let mut net = Net::new(nodes, links, seed);
    let offline = |step: usize, li: usize, links: &[Link]| {
        compacting.is_some_and(|c| c.offline.1.contains(&step) && (links[li].a == c.offline.0 || links[li].b == c.offline.0))
    };
    for li in 0..net.links.len() {
        net.connect(li);
    }

    // a shared customer everyone starts from
    let shared = DocId([7; 16]);
    let first = net.nodes[0].create(shared, Kind::Company, "Shared Co");
    net.offer(0, None, vec![first]);
    let mut docs: Vec<DocId> = vec![shared];
    let mut next_doc = 0u64;

    for step in 0..steps {
        net.nodes[relay].now = step as u64;
        if let Some(c) = compacting {
            for li in 0..net.links.len() {
                if offline(step, li, &net.links) {
                    net.links[li].up = false;
                }
            }
            if step % 20 == 0 {
                net.relay_dropped += net.nodes[relay].expire(c.retention);
            }
            if net.rng.chance(c.restart_percent) {
                // a restart: documents rebuilt from storage alone, every connection anew
                let d = net.rng.below(devices as u64) as usize;
                net.nodes[d].restart().expect("stored chunks rebuild the documents");
                for li in 0..net.links.len() {
                    if (net.links[li].a == d || net.links[li].b == d) && !offline(step, li, &net.links) {
                        net.connect(li);
                    }
                }
            }
        }
        let r = net.rng.below(100);
        if r < 40 {
            net.deliver_one();
        } else if r < 75 {
            // a device edits a customer it has (or creates one)
            let d = net.rng.below(devices as u64) as usize;
            let chunk = net.random_edit(d, step, &mut next_doc, &mut docs);
            if let Some(c) = chunk {
                let doc = c.doc;
                let heads = net.nodes[d].doc_mut(&doc).expect("edited here").heads();
                net.edits.push((doc, heads));
                let mut out = vec![c];
                if let Some(comp) = compacting {
                    if let Some(snap) = net.nodes[d].compact(doc, Some(&comp.policy)).expect("compaction") {
                        net.snapshots += 1;
                        out.push(snap);
                    }
                }
                net.offer(d, None, out);
            }
        } else if r < 85 {
            // a link goes down (partition) or comes back (reconnect with a fresh session)
            let li = net.rng.below(net.links.len() as u64) as usize;
            if net.links[li].up {
                net.links[li].up = false;
            } else if !offline(step, li, &net.links) {
                net.connect(li);
            }
        } else {
            // periodic re-sync on a random live link recovers anything lost
            let li = net.rng.below(net.links.len() as u64) as usize;
            if net.links[li].up {
                net.resync(li);
            }
        }
    }

    heal(&mut net);
    net
}

/// Reliable network, all links up, resync until nothing moves.
fn heal(net: &mut Net) {
    net.lossy = false;
    for li in 0..net.links.len() {
        net.connect(li);
    }
    let mut rounds = 0;
    loop {
        while net.deliver_one() {}
        rounds += 1;
        let vectors: Vec<_> = net.nodes.iter().map(|n| n.vector().clone()).collect();
        if vectors.windows(2).all(|w| w[0] == w[1]) || rounds > 20 {
            break;
        }
        for li in 0..net.links.len() {
            net.resync(li);
        }
    }
}

fn assert_converged(net: &Net, devices: usize) {
    let first = net.nodes[0].customers();
    assert!(!first.is_empty());
    for n in &net.nodes[1..devices] {
        assert_eq!(n.customers(), first, "device {:?} diverged", n.device);
        assert_eq!(n.vector(), net.nodes[0].vector());
    }
    for id in first.keys() {
        let conflicts = net.nodes[0].doc(id).unwrap().conflicts();
        for n in &net.nodes[1..devices] {
            assert_eq!(n.doc(id).unwrap().conflicts(), conflicts);
        }
    }
    let relay = &net.nodes[devices];
    assert_eq!(relay.vector(), net.nodes[0].vector(), "relay holds every chunk");
    let total: u64 = relay.vector().0.values().sum();
    assert_eq!(relay.chunk_count() as u64, total);
}

/// The end state with compaction: equal documents and vectors, every edit ever made present
/// on every device (also after a restart from storage alone), and nothing stored that a
/// snapshot old enough has made redundant.
fn assert_converged_compacted(net: &mut Net, devices: usize, retention: u64) {
    let relay = devices;
    // the relay's window passes for every snapshot; then everyone syncs again across the drops
    net.nodes[relay].now += retention + 1;
    net.relay_dropped += net.nodes[relay].expire(retention);
    heal(net);
    for d in 0..devices {
        net.nodes[d].restart().expect("stored chunks rebuild the documents");
    }
    let first = net.nodes[0].customers();
    assert!(!first.is_empty());
    for n in &net.nodes[1..devices] {
        assert_eq!(n.customers(), first, "device {:?} diverged", n.device);
    }
    for n in &net.nodes[1..=devices] {
        assert_eq!(n.vector(), net.nodes[0].vector(), "{:?} holds every key", n.device);
    }
    for id in first.keys() {
        let conflicts = net.nodes[0].doc(id).unwrap().conflicts();
        for n in &net.nodes[1..devices] {
            assert_eq!(n.doc(id).unwrap().conflicts(), conflicts);
        }
    }
    let edits = std::mem::take(&mut net.edits);
    for (doc, heads) in &edits {
        for n in net.nodes[..devices].iter_mut() {
            let d = n.doc_mut(doc).expect("every device has every customer");
            for h in heads {
                assert!(d.has_change(h), "an edit of {doc} is missing on {:?}", n.device);
            }
        }
    }
    // bounded: no stored chunk is one a stored snapshot (old enough, at the relay) replaces
    for n in &net.nodes[..=devices] {
        let held: Vec<SealedChunk> = n.missing_for(&Default::default());
        for s in held.iter().filter(|c| c.is_snapshot()) {
            let same_doc: Vec<SealedChunk> = held.iter().filter(|c| c.doc == s.doc).cloned().collect();
            assert!(compaction::superseded(s, &same_doc).is_empty(), "{:?} kept chunks {s:?} replaces", n.device);
        }
    }
    let total: u64 = net.nodes[relay].vector().0.values().sum();
    let stored = net.nodes[relay].chunk_count() as u64;
    println!(
        "{} edits, {} snapshots, relay holds {stored} of {total} chunks ({} bytes), dropped {}; device 0 holds {} bytes",
        edits.len(),
        net.snapshots,
        net.nodes[relay].stored_bytes(),
        net.relay_dropped,
        net.nodes[0].stored_bytes()
    );
    assert!(net.snapshots > 0 && net.relay_dropped > 0, "the run compacted and the relay dropped");
    assert!(stored * 2 < total, "compaction keeps the relay below half the chunks: {stored} of {total}");
}

fn compacting(offline: usize, from: usize, until: usize) -> Compacting {
    Compacting {
        policy: Policy { min_chunks: 6, min_bytes: 0, growth_percent: 100 },
        retention: 150,
        offline: (offline, from..until),
        restart_percent: 1,
    }
}

#[test]
fn compaction_while_a_device_is_offline_for_long_converges_with_every_edit() {
    for seed in [3u64, 2718, 31337] {
        let c = compacting(2, 300, 2600);
        let mut net = simulate(seed, 3, 3000, Some(&c));
        // the offline device came back after the relay had dropped chunks it never saw
        assert_converged_compacted(&mut net, 3, c.retention);
    }
}

#[test]
fn five_devices_compacting_with_long_partitions_and_restarts_converge() {
    let c = Compacting { restart_percent: 2, ..compacting(4, 800, 3400) };
    let mut net = simulate(77, 5, 4000, Some(&c));
    assert_converged_compacted(&mut net, 5, c.retention);
}

#[test]
fn a_device_offline_across_a_compaction_and_a_relay_drop_catches_up() {
    let keys = WorkspaceSecret([5; 32]).keys();
    let (mut a, mut b) = (Replica::device(device(1), keys.clone()), Replica::device(device(2), keys));
    let mut relay = Replica::store_only(device(200));
    let id = DocId([9; 16]);
    let c0 = a.create(id, Kind::Company, "Acme");
    relay.ingest(vec![c0.clone()]).unwrap();
    b.ingest(vec![c0]).unwrap();
    // b goes offline for "a month" and keeps working
    let mut offline_edits = Vec::new();
    for i in 0..30 {
        offline_edits.push(b.edit(id, &[Edit::AddTag(format!("b{i}"))]).unwrap().unwrap());
    }
    // meanwhile a edits a lot, compacting as it goes, and the relay drops what is covered
    for i in 0..300 {
        let mut out = vec![a.edit(id, &[Edit::Set(Field::Phone, format!("{i}"))]).unwrap().unwrap()];
        out.extend(a.compact(id, Some(&Policy { min_chunks: 50, min_bytes: 0, growth_percent: 100 })).unwrap());
        relay.ingest(out).unwrap();
    }
    relay.now = 100;
    assert!(relay.expire(10) > 250, "the relay dropped the covered chunks");
    assert!(relay.chunk_count() < 60, "{} chunks at the relay", relay.chunk_count());
    // b returns: it gets only what its vector lacks (snapshots and the tail), and pushes its edits
    let to_b = relay.missing_for(b.vector());
    assert!(to_b.iter().any(|c| c.is_snapshot()));
    b.ingest(to_b).unwrap();
    relay.ingest(a.missing_for(relay.vector())).unwrap();
    relay.ingest(b.missing_for(relay.vector())).unwrap();
    a.ingest(relay.missing_for(a.vector())).unwrap();
    assert_eq!(a.customers(), b.customers());
    assert_eq!(a.customers()[&id].phone, "299");
    assert_eq!(a.customers()[&id].tags.len(), 30, "every offline edit arrived");
    assert_eq!(a.vector(), b.vector());
    assert_eq!(relay.vector(), a.vector());
}

#[test]
fn three_devices_on_a_lossy_reordering_duplicating_network_converge() {
    for seed in [1u64, 7, 42, 1234, 99991] {
        let net = run_simulation(seed, 3, 3000);
        assert!(net.delivered > 500, "the network carried traffic");
        assert_converged(&net, 3);
    }
}

#[test]
fn five_devices_with_long_partitions_converge() {
    let net = run_simulation(2024, 5, 6000);
    assert_converged(&net, 5);
}

#[test]
fn offline_edits_to_one_field_on_two_devices_resolve_to_one_value_with_a_conflict() {
    let keys = WorkspaceSecret([1; 32]).keys();
    let mut a = Replica::device(device(1), keys.clone());
    let mut b = Replica::device(device(2), keys);
    let id = DocId([9; 16]);
    let c0 = a.create(id, Kind::Company, "Acme");
    b.ingest(vec![c0]).unwrap();
    // both offline: same field, different fields, and a new customer each
    let ca1 = a.edit(id, &[Edit::Set(Field::Phone, "111".into())]).unwrap().unwrap();
    let ca2 = a.edit(id, &[Edit::Set(Field::Email, "a@acme.com".into())]).unwrap().unwrap();
    let cb1 = b.edit(id, &[Edit::Set(Field::Phone, "222".into())]).unwrap().unwrap();
    let cb2 = b.edit(id, &[Edit::Set(Field::Owner, "wang".into())]).unwrap().unwrap();
    let na = a.create(DocId([10; 16]), Kind::Person, "From A");
    let nb = b.create(DocId([11; 16]), Kind::Person, "From B");
    a.ingest(vec![cb2, nb, cb1]).unwrap();
    b.ingest(vec![na, ca2, ca1]).unwrap();
    assert_eq!(a.customers(), b.customers());
    let c = &a.customers()[&id];
    assert_eq!(c.email, "a@acme.com");
    assert_eq!(c.owner, "wang");
    assert_eq!(a.customers().len(), 3);
    let conf = a.doc(&id).unwrap().conflicts();
    assert_eq!(conf.len(), 1);
    assert_eq!(conf[0].path, "phone");
    assert_eq!(conf[0].value, c.phone);
    let mut vals = vec![conf[0].value.clone(), conf[0].others[0].clone()];
    vals.sort();
    assert_eq!(vals, ["111", "222"]);
    assert_eq!(b.doc(&id).unwrap().conflicts(), conf);
}

#[test]
fn reconnecting_with_nothing_new_costs_one_small_round_trip() {
    let keys = WorkspaceSecret([1; 32]).keys();
    let mut a = Replica::device(device(1), keys);
    let mut relay = Replica::store_only(device(200));
    for i in 0..200u8 {
        let c = a.create(DocId([i; 16]), Kind::Company, "x");
        relay.ingest(vec![c]).unwrap();
    }
    let mut sa = Session::new();
    let mut sr = Session::new();
    let hello = sa.have(a.vector());
    let mut bytes = hello.encode().len();
    let eff = sr.receive(hello, relay.vector());
    let mut replies = Vec::new();
    for e in eff {
        match e {
            Effect::SendMissing { their } => assert!(sr.chunks_for_peer(relay.missing_for(&their)).is_empty()),
            Effect::Send(m) => replies.push(m),
            _ => {}
        }
    }
    assert_eq!(replies.len(), 1, "one reply: a single round trip");
    bytes += replies[0].encode().len();
    let eff = sa.receive(replies.pop().unwrap(), a.vector());
    assert!(eff.contains(&Effect::CaughtUp));
    assert!(bytes < 2048, "{bytes} bytes");
}

