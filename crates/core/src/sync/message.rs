//! Wire messages and their bounded, validating codec.

use crate::chunk::SealedChunk;
use crate::vv::VersionVector;
use serde::{Deserialize, Serialize};

/// No frame, in either direction, may exceed this many bytes.
pub const MAX_FRAME: usize = 1024 * 1024;
/// A single sealed chunk body may not exceed this (a frame must hold at least one chunk).
pub const MAX_CHUNK_BODY: usize = 768 * 1024;
/// Chunk frames are filled up to about this many body bytes.
pub const FRAME_BUDGET: usize = 256 * 1024;
/// An ephemeral message body may not exceed this.
pub const MAX_EPHEMERAL: usize = 16 * 1024;
/// More devices than this in one vector is treated as hostile input.
pub const MAX_DEVICES: usize = 100_000;
/// Version 2 added the snapshot header (`SealedChunk::snapshot`) to every chunk on the wire.
/// Postcard is not self-describing, so a version-1 node cannot skip the new field: it is told
/// "unsupported protocol version" instead of misreading frames (the relay serves the app, so
/// both sides update together).
const VERSION: u8 = 2;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Message {
    /// What the sender holds. With `reply`, the receiver answers with its own `Have` after
    /// sending the chunks the sender lacks, so "reply received" means "caught up".
    Have { vector: VersionVector, reply: bool },
    /// Chunks the receiver lacks.
    Chunks { chunks: Vec<SealedChunk> },
    /// Sent once received chunks are durable: what the sender now holds.
    Ack { vector: VersionVector },
    /// The sender is closing this connection because of the stated problem.
    Error { reason: String },
    /// A sealed ephemeral message (presence, peer signalling) for the workspace's other
    /// connections: a relay forwards it and never stores it.
    Ephemeral { body: Vec<u8> },
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ProtocolError {
    #[error("frame of {0} bytes exceeds the {MAX_FRAME}-byte limit")]
    FrameTooLarge(usize),
    #[error("empty frame")]
    Empty,
    #[error("unsupported protocol version {0} (this node speaks version {VERSION})")]
    Version(u8),
    #[error("frame could not be decoded: {0}")]
    Decode(String),
    #[error("invalid message: {0}")]
    Invalid(String),
}

impl Message {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![VERSION];
        // serialising plain owned data into a Vec cannot fail
        out.extend(postcard::to_stdvec(self).expect("postcard encode"));
        out
    }

    /// Decodes and validates an untrusted frame.
    pub fn decode(frame: &[u8]) -> Result<Message, ProtocolError> {
        if frame.len() > MAX_FRAME {
            return Err(ProtocolError::FrameTooLarge(frame.len()));
        }
        let (&v, body) = frame.split_first().ok_or(ProtocolError::Empty)?;
        if v != VERSION {
            return Err(ProtocolError::Version(v));
        }
        let (msg, rest): (Message, &[u8]) =
            postcard::take_from_bytes(body).map_err(|e| ProtocolError::Decode(e.to_string()))?;
        if !rest.is_empty() {
            return Err(ProtocolError::Decode(format!("{} trailing bytes", rest.len())));
        }
        msg.validate()?;
        Ok(msg)
    }

    fn validate(&self) -> Result<(), ProtocolError> {
        let bad = |s: String| Err(ProtocolError::Invalid(s));
        match self {
            Message::Have { vector, .. } | Message::Ack { vector } => {
                if vector.len() > MAX_DEVICES {
                    return bad(format!("vector of {} devices", vector.len()));
                }
            }
            Message::Chunks { chunks } => {
                for c in chunks {
                    if c.seq == 0 {
                        return bad(format!("chunk {} has seq 0", c.device));
                    }
                    if c.body.len() > MAX_CHUNK_BODY {
                        return bad(format!("chunk {}:{} is {} bytes", c.device, c.seq, c.body.len()));
                    }
                    c.check_header().map_err(ProtocolError::Invalid)?;
                }
            }
            Message::Error { reason } => {
                if reason.len() > 4096 {
                    return bad("error reason longer than 4096 bytes".into());
                }
            }
            Message::Ephemeral { body } => {
                if body.len() > MAX_EPHEMERAL {
                    return bad(format!("ephemeral message of {} bytes exceeds {MAX_EPHEMERAL}", body.len()));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chunk::{ChunkKey, Covers};
    use crate::ids::{DeviceId, DocId};
    use proptest::prelude::*;

    fn snapshot(seq: u64, covers: Covers) -> Message {
        Message::Chunks {
            chunks: vec![SealedChunk { device: DeviceId([1; 16]), seq, doc: DocId([2; 16]), snapshot: Some(covers), body: vec![7; 40] }],
        }
    }

    #[test]
    fn malformed_snapshot_headers_are_refused_with_a_reason() {
        let d = DeviceId([1; 16]);
        let own = |seqs: &[u64]| Covers::from_keys(seqs.iter().map(|&seq| ChunkKey { device: d, seq }));
        // covering itself or a later chunk of its own device
        let err = Message::decode(&snapshot(5, own(&[1, 5])).encode()).unwrap_err();
        assert!(err.to_string().contains("own device"), "{err}");
        // non-canonical covers: encode a hand-made pair of touching ranges
        let mut bytes = Message::Chunks { chunks: vec![] }.encode();
        bytes.truncate(1);
        let raw = (1u32, vec![(d, 9u64, DocId([2; 16]), Some(vec![(d, vec![(1u64, 2u64), (3u64, 4u64)])]), vec![7u8; 40])]);
        bytes.extend(postcard::to_stdvec(&raw).unwrap());
        let err = Message::decode(&bytes).unwrap_err();
        assert!(matches!(err, ProtocolError::Invalid(_)) && err.to_string().contains("unmerged"), "{err}");
        // too many keys
        let mut huge = Covers::new();
        huge.insert_range(DeviceId([3; 16]), 1, crate::chunk::MAX_COVERED_KEYS + 1);
        let err = Message::decode(&snapshot(5, huge).encode()).unwrap_err();
        assert!(err.to_string().contains("at most"), "{err}");
        // a well-formed one passes
        assert!(Message::decode(&snapshot(5, own(&[1, 2, 4])).encode()).is_ok());
    }

    #[test]
    fn messages_round_trip() {
        let mut v = VersionVector::new();
        v.0.insert(DeviceId([3; 16]), 9);
        for m in [
            Message::Have { vector: v.clone(), reply: true },
            Message::Ack { vector: v },
            Message::Chunks {
                chunks: vec![SealedChunk { device: DeviceId([1; 16]), seq: 1, doc: DocId([2; 16]), snapshot: None, body: vec![7; 100] }],
            },
            Message::Chunks {
                chunks: vec![SealedChunk {
                    device: DeviceId([1; 16]),
                    seq: 9,
                    doc: DocId([2; 16]),
                    snapshot: Some(Covers::from_keys([1, 2, 3, 7].map(|seq| ChunkKey { device: DeviceId([1; 16]), seq }))),
                    body: vec![7; 100],
                }],
            },
            Message::Error { reason: "bye".into() },
            Message::Ephemeral { body: vec![5; 40] },
        ] {
            assert_eq!(Message::decode(&m.encode()).unwrap(), m);
        }
    }

    #[test]
    fn hostile_frames_are_rejected_with_a_reason() {
        assert_eq!(Message::decode(&[]), Err(ProtocolError::Empty));
        assert_eq!(Message::decode(&[9, 0]), Err(ProtocolError::Version(9)));
        assert_eq!(Message::decode(&[1, 3, 0]), Err(ProtocolError::Version(1)), "version-1 nodes are told to update");
        assert!(matches!(Message::decode(&[VERSION, 200, 200, 200]), Err(ProtocolError::Decode(_))));
        assert!(matches!(Message::decode(&vec![1; MAX_FRAME + 1]), Err(ProtocolError::FrameTooLarge(_))));
        let zero = Message::Chunks {
            chunks: vec![SealedChunk { device: DeviceId([1; 16]), seq: 0, doc: DocId([2; 16]), snapshot: None, body: vec![] }],
        };
        assert!(matches!(Message::decode(&zero.encode()), Err(ProtocolError::Invalid(_))));
        let mut trailing = Message::Error { reason: "x".into() }.encode();
        trailing.push(0);
        assert!(matches!(Message::decode(&trailing), Err(ProtocolError::Decode(_))));
        let big = Message::Ephemeral { body: vec![0; MAX_EPHEMERAL + 1] };
        assert!(matches!(Message::decode(&big.encode()), Err(ProtocolError::Invalid(_))));
    }

    proptest! {
        #[test]
        fn decoding_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = Message::decode(&bytes);
            let mut framed = vec![VERSION];
            framed.extend(&bytes);
            let _ = Message::decode(&framed);
        }
    }
}
