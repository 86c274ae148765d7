//! One side of one connection, as a state machine with no I/O.

use super::message::{Message, FRAME_BUDGET};
use crate::chunk::SealedChunk;
use crate::vv::{ChunkLog, VersionVector};

/// What the adapter must do, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    Send(Message),
    /// Load every stored chunk not covered by `their` and pass them to
    /// [`Session::chunks_for_peer`], sending the frames it returns.
    SendMissing { their: VersionVector },
    /// Store these chunks durably, then send [`Session::stored`]'s acknowledgement.
    Store(Vec<crate::chunk::SealedChunk>),
    /// The other side is known to hold at least this (the outbox may drop what it covers).
    PeerHas(VersionVector),
    /// Everything the other side held when we asked has arrived.
    CaughtUp,
    /// The other side reported an error and is closing.
    Closed { reason: String },
    /// A sealed ephemeral message: a relay forwards it to the workspace's other connections,
    /// a device opens it (see [`crate::presence::Ephemeral`]).
    Ephemeral(Vec<u8>),
}

#[derive(Debug, Default)]
pub struct Session {
    their: VersionVector,
    /// chunks sent in this session since the other side last said what it has
    sent: ChunkLog,
    awaiting_reply: bool,
}

impl Session {
    pub fn new() -> Self {
        Self::default()
    }

    /// What the other side is known to hold.
    pub fn their(&self) -> &VersionVector {
        &self.their
    }

    /// The opening message, and the periodic re-sync that recovers anything lost in transit:
    /// "here is what I have; tell me what you have".
    pub fn have(&mut self, mine: &VersionVector) -> Message {
        self.awaiting_reply = true;
        Message::Have { vector: mine.clone(), reply: true }
    }

    pub fn receive(&mut self, msg: Message, mine: &VersionVector) -> Vec<Effect> {
        match msg {
            Message::Have { vector, reply } => {
                self.their.merge(&vector);
                // a fresh statement of holdings: anything sent but lost may be sent again
                self.sent = ChunkLog { vector: self.their.clone(), ahead: Default::default() };
                let mut out = vec![Effect::PeerHas(self.their.clone()), Effect::SendMissing { their: self.their.clone() }];
                if reply {
                    out.push(Effect::Send(Message::Have { vector: mine.clone(), reply: false }));
                } else if self.awaiting_reply {
                    self.awaiting_reply = false;
                    out.push(Effect::CaughtUp);
                }
                out
            }
            Message::Chunks { chunks } => {
                // the peer holds what it sends: never frame these back to it. (Not what its
                // snapshots cover: untrusted covers must not cost memory before the node has
                // checked them, and a node that stores a snapshot never forwards covered chunks.)
                for c in &chunks {
                    self.sent.insert(c.key());
                }
                if chunks.is_empty() {
                    Vec::new()
                } else {
                    vec![Effect::Store(chunks)]
                }
            }
            Message::Ack { vector } => {
                self.their.merge(&vector);
                vec![Effect::PeerHas(self.their.clone())]
            }
            Message::Error { reason } => vec![Effect::Closed { reason }],
            Message::Ephemeral { body } => vec![Effect::Ephemeral(body)],
        }
    }

    /// The acknowledgement to send once received chunks are durable.
    pub fn stored(&mut self, mine: &VersionVector) -> Message {
        Message::Ack { vector: mine.clone() }
    }

    /// Frames the chunks the other side lacks and has not been sent yet, at most about
    /// [`FRAME_BUDGET`] body bytes per frame. Used both for catch-up and for live pushes.
    pub fn chunks_for_peer(&mut self, chunks: impl IntoIterator<Item = SealedChunk>) -> Vec<Message> {
        let mut frames = Vec::new();
        let mut cur: Vec<SealedChunk> = Vec::new();
        let mut bytes = 0;
        for c in chunks {
            let key = c.key();
            if self.their.covers(&key) || self.sent.has(&key) {
                continue;
            }
            // once a snapshot is sent, the chunks it covers need not follow it
            self.sent.insert_chunk(&c);
            if !cur.is_empty() && bytes + c.body.len() > FRAME_BUDGET {
                frames.push(Message::Chunks { chunks: std::mem::take(&mut cur) });
                bytes = 0;
            }
            bytes += c.body.len();
            cur.push(c);
        }
        if !cur.is_empty() {
            frames.push(Message::Chunks { chunks: cur });
        }
        frames
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{DeviceId, DocId};

    fn chunk(seq: u64, len: usize) -> SealedChunk {
        SealedChunk { device: DeviceId([1; 16]), seq, doc: DocId([2; 16]), snapshot: None, body: vec![0; len] }
    }

    #[test]
    fn reply_to_have_comes_after_missing_chunks_and_marks_caught_up() {
        let mut a = Session::new();
        let mut b = Session::new();
        let empty = VersionVector::new();
        let hello = a.have(&empty);
        let eff = b.receive(hello, &empty);
        assert!(matches!(eff[1], Effect::SendMissing { .. }));
        let Effect::Send(reply) = eff[2].clone() else { panic!("reply expected") };
        assert_eq!(a.receive(reply, &empty).last(), Some(&Effect::CaughtUp));
    }

    #[test]
    fn chunks_a_peer_sent_are_never_framed_back_to_it() {
        let mut s = Session::new();
        let empty = VersionVector::new();
        s.receive(Message::Chunks { chunks: vec![chunk(1, 10), chunk(2, 10)] }, &empty);
        let frames = s.chunks_for_peer([chunk(1, 10), chunk(2, 10), chunk(3, 10)]);
        assert_eq!(frames, vec![Message::Chunks { chunks: vec![chunk(3, 10)] }]);
    }

    #[test]
    fn chunks_are_framed_within_budget_and_not_resent_until_the_peer_restates() {
        let mut s = Session::new();
        let big = FRAME_BUDGET / 2 + 1;
        let frames = s.chunks_for_peer((1..=4).map(|i| chunk(i, big)));
        assert_eq!(frames.len(), 4);
        assert!(s.chunks_for_peer((1..=4).map(|i| chunk(i, big))).is_empty());
        let mut v = VersionVector::new();
        v.0.insert(DeviceId([1; 16]), 2);
        s.receive(Message::Have { vector: v.clone(), reply: false }, &v);
        let again = s.chunks_for_peer((1..=4).map(|i| chunk(i, 10)));
        assert_eq!(again, vec![Message::Chunks { chunks: vec![chunk(3, 10), chunk(4, 10)] }]);
    }

    #[test]
    fn chunks_a_sent_snapshot_covers_do_not_follow_it() {
        let mut s = Session::new();
        let mut snap = chunk(5, 10);
        snap.snapshot = Some(crate::chunk::Covers::from_keys((1..=3).map(|seq| chunk(seq, 0).key())));
        let frames = s.chunks_for_peer([snap.clone(), chunk(2, 10), chunk(4, 10)]);
        assert_eq!(frames, vec![Message::Chunks { chunks: vec![snap, chunk(4, 10)] }]);
    }
}
