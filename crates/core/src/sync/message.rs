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
const VERSION: u8 = 1;

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
    use crate::ids::{DeviceId, DocId};
    use proptest::prelude::*;

    #[test]
    fn messages_round_trip() {
        let mut v = VersionVector::new();
        v.0.insert(DeviceId([3; 16]), 9);
        for m in [
            Message::Have { vector: v.clone(), reply: true },
            Message::Ack { vector: v },
            Message::Chunks {
                chunks: vec![SealedChunk { device: DeviceId([1; 16]), seq: 1, doc: DocId([2; 16]), body: vec![7; 100] }],
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
        assert!(matches!(Message::decode(&[1, 200, 200, 200]), Err(ProtocolError::Decode(_))));
        assert!(matches!(Message::decode(&vec![1; MAX_FRAME + 1]), Err(ProtocolError::FrameTooLarge(_))));
        let zero = Message::Chunks {
            chunks: vec![SealedChunk { device: DeviceId([1; 16]), seq: 0, doc: DocId([2; 16]), body: vec![] }],
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
            let mut framed = vec![1u8];
            framed.extend(&bytes);
            let _ = Message::decode(&framed);
        }
    }
}
