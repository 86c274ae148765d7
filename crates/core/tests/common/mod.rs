//! The deterministic network of the simulation tests: nodes (devices and a store-only relay)
//! joined by links that drop, duplicate, reorder and partition, each end running the sans-IO
//! sync session.

#![allow(dead_code)]

use crm_core::replica::Replica;
use crm_core::sync::{Effect, Message, Session};
use crm_core::automerge::ChangeHash;
use crm_core::{ContactField, DeviceId, DocId, Edit, Field, Kind, SealedChunk};

/// xorshift64*: tiny, seeded, reproducible
pub struct Rng(pub u64);
impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// A bidirectional link between node `a` and node `b`, each end with its own session.
pub struct Link {
    pub a: usize,
    pub b: usize,
    pub sa: Session,
    pub sb: Session,
    pub up: bool,
    /// the relay refuses this link's device (its token was replaced): it cannot come up
    pub refused: bool,
}

impl Link {
    pub fn new(a: usize, b: usize) -> Link {
        Link { a, b, sa: Session::new(), sb: Session::new(), up: false, refused: false }
    }
}

pub struct InFlight {
    pub link: usize,
    pub to_b: bool,
    pub bytes: Vec<u8>,
}

pub struct Net {
    pub nodes: Vec<Replica>,
    pub links: Vec<Link>,
    pub queue: Vec<InFlight>,
    pub rng: Rng,
    pub lossy: bool,
    pub delivered: usize,
    /// every change made anywhere: (document, heads right after the edit)
    pub edits: Vec<(DocId, Vec<ChangeHash>)>,
    pub snapshots: usize,
    pub relay_dropped: usize,
}

impl Net {
    pub fn send(&mut self, link: usize, from_b: bool, msg: Message) {
        if !self.links[link].up {
            return;
        }
        let bytes = msg.encode();
        let copies = if self.lossy {
            if self.rng.chance(15) {
                0
            } else if self.rng.chance(10) {
                2
            } else {
                1
            }
        } else {
            1
        };
        for _ in 0..copies {
            self.queue.push(InFlight { link, to_b: !from_b, bytes: bytes.clone() });
        }
    }

    pub fn run_effects(&mut self, link: usize, at_b: bool, effects: Vec<Effect>) {
        for e in effects {
            let (node, _) = self.ends(link, at_b);
            match e {
                Effect::Send(m) => self.send(link, at_b, m),
                Effect::SendMissing { their } => {
                    let missing = self.nodes[node].missing_for(&their);
                    let frames = self.session(link, at_b).chunks_for_peer(missing);
                    for f in frames {
                        self.send(link, at_b, f);
                    }
                }
                Effect::Store(chunks) => {
                    let fresh = self.nodes[node].ingest(chunks).expect("valid chunks merge");
                    let mine = self.nodes[node].vector().clone();
                    let ack = self.session(link, at_b).stored(&mine);
                    self.send(link, at_b, ack);
                    // forward what was new to this node's other links (relay fan-out, gossip)
                    if !fresh.is_empty() {
                        self.offer(node, Some(link), fresh);
                    }
                }
                Effect::PeerHas(_) | Effect::CaughtUp | Effect::Ephemeral(_) => {}
                Effect::Closed { reason } => panic!("unexpected close: {reason}"),
            }
        }
    }

    pub fn ends(&self, link: usize, at_b: bool) -> (usize, usize) {
        let l = &self.links[link];
        if at_b {
            (l.b, l.a)
        } else {
            (l.a, l.b)
        }
    }

    pub fn session(&mut self, link: usize, at_b: bool) -> &mut Session {
        let l = &mut self.links[link];
        if at_b {
            &mut l.sb
        } else {
            &mut l.sa
        }
    }

    pub fn offer(&mut self, node: usize, except: Option<usize>, chunks: Vec<crm_core::SealedChunk>) {
        for li in 0..self.links.len() {
            if Some(li) == except || !self.links[li].up {
                continue;
            }
            let at_b = if self.links[li].a == node {
                false
            } else if self.links[li].b == node {
                true
            } else {
                continue;
            };
            let frames = self.session(li, at_b).chunks_for_peer(chunks.clone());
            for f in frames {
                self.send(li, at_b, f);
            }
        }
    }

    /// (Re)connects a link: fresh sessions, both sides open with `Have`.
    pub fn connect(&mut self, li: usize) {
        if self.links[li].refused {
            return;
        }
        self.links[li].up = true;
        self.links[li].sa = Session::new();
        self.links[li].sb = Session::new();
        self.resync(li);
    }

    pub fn resync(&mut self, li: usize) {
        let (a, b) = (self.links[li].a, self.links[li].b);
        let va = self.nodes[a].vector().clone();
        let vb = self.nodes[b].vector().clone();
        let ha = self.links[li].sa.have(&va);
        let hb = self.links[li].sb.have(&vb);
        self.send(li, false, ha);
        self.send(li, true, hb);
    }

    pub fn deliver_one(&mut self) -> bool {
        if self.queue.is_empty() {
            return false;
        }
        // reordering: take any in-flight message, not the oldest
        let i = if self.lossy { self.rng.below(self.queue.len() as u64) as usize } else { 0 };
        let m = self.queue.swap_remove(i);
        if !self.links[m.link].up {
            return true;
        }
        self.delivered += 1;
        let msg = Message::decode(&m.bytes).expect("nodes only send valid frames");
        let at_b = m.to_b;
        let (node, _) = self.ends(m.link, at_b);
        let mine = self.nodes[node].vector().clone();
        let effects = self.session(m.link, at_b).receive(msg, &mine);
        self.run_effects(m.link, at_b, effects);
        true
    }
}

pub fn device(n: u8) -> DeviceId {
    DeviceId([n; 16])
}


impl Net {
    /// A lossy network of `nodes` joined by `links` (all down until connected).
    pub fn new(nodes: Vec<Replica>, links: Vec<Link>, seed: u64) -> Net {
        Net {
            nodes,
            links,
            queue: Vec::new(),
            rng: Rng(seed | 1),
            lossy: true,
            delivered: 0,
            edits: Vec::new(),
            snapshots: 0,
            relay_dropped: 0,
        }
    }

    /// Device `d` edits a random customer it has, or creates one (10%, or when it has none);
    /// the new customer's id goes to `docs`. Returns the chunk to offer, if any.
    pub fn random_edit(&mut self, d: usize, step: usize, next_doc: &mut u64, docs: &mut Vec<DocId>) -> Option<SealedChunk> {
        if self.rng.chance(10) || self.nodes[d].doc_ids().is_empty() {
            *next_doc += 1;
            let mut idb = [0xd0u8; 16];
            idb[..8].copy_from_slice(&next_doc.to_be_bytes());
            let id = DocId(idb);
            docs.push(id);
            return Some(self.nodes[d].create(id, Kind::Person, &format!("New {step}")));
        }
        let ids = self.nodes[d].doc_ids();
        let id = ids[self.rng.below(ids.len() as u64) as usize];
        let field = [Field::Name, Field::Email, Field::Phone, Field::Owner][self.rng.below(4) as usize];
        let mut edits = vec![Edit::Set(field, format!("d{d}s{step}"))];
        if self.rng.chance(20) {
            edits.push(Edit::AddTag(format!("t{}", self.rng.below(5))));
        }
        if self.rng.chance(10) {
            let cid = format!("c{d}{step}");
            edits.push(Edit::AddContact { id: cid.clone() });
            edits.push(Edit::SetContact { id: cid, field: ContactField::Name, value: format!("n{step}") });
        }
        match self.nodes[d].edit(id, &edits) {
            Ok(c) => c,
            // the customer's first chunk has not reached this device yet
            Err(crm_core::replica::ReplicaError::Model(crm_core::customer::ModelError::Incomplete)) => None,
            Err(e) => panic!("edit failed: {e}"),
        }
    }
}
