//! Frames between two peers over a WebRTC data channel. The exchange is the relay's one
//! ([`super::Session`]), but every frame is sealed with the workspace key as a whole: a peer
//! that cannot seal is not a member, and nothing it sends is acted on — in particular, chunks
//! go out only in answer to a `Have` that opened, so a peer proves membership before it gets
//! any. Data channels carry messages of limited size (Chromium: 256 KiB), so sealed frames
//! travel in fragments: one flag byte (1: more follow, 0: last) and up to [`FRAGMENT`] bytes.

use super::message::{Message, MAX_FRAME};
use crate::crypto::WorkspaceKeys;

/// Payload bytes per data-channel message.
pub const FRAGMENT: usize = 60 * 1024;
/// A sealed frame is the frame plus nonce and tag.
const MAX_SEALED: usize = MAX_FRAME + 64;

/// Seals a message and cuts it into data-channel messages.
pub fn seal(keys: &WorkspaceKeys, msg: &Message) -> Vec<Vec<u8>> {
    let sealed = keys.seal_ephemeral(&msg.encode());
    let pieces: Vec<&[u8]> = sealed.chunks(FRAGMENT).collect();
    let last = pieces.len() - 1;
    pieces
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let mut m = Vec::with_capacity(p.len() + 1);
            m.push(u8::from(i != last));
            m.extend_from_slice(p);
            m
        })
        .collect()
}

/// Joins fragments back into messages, refusing anything malformed, oversized or not sealed
/// by this workspace with a reason.
#[derive(Default)]
pub struct Reassembler {
    buf: Vec<u8>,
}

impl Reassembler {
    /// Takes one data-channel message; returns a message once its last fragment is in.
    pub fn push(&mut self, keys: &WorkspaceKeys, fragment: &[u8]) -> Result<Option<Message>, String> {
        let (&more, body) = fragment.split_first().ok_or("empty data-channel message")?;
        if more > 1 {
            return Err(format!("bad fragment flag {more}"));
        }
        if self.buf.len() + body.len() > MAX_SEALED {
            return Err(format!("a peer frame exceeds {MAX_SEALED} bytes"));
        }
        self.buf.extend_from_slice(body);
        if more == 1 {
            return Ok(None);
        }
        let sealed = std::mem::take(&mut self.buf);
        let frame = keys
            .open_ephemeral(&sealed)
            .map_err(|_| "a peer frame did not open with the workspace key: the peer is not a member".to_string())?;
        Message::decode(&frame).map(Some).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chunk::SealedChunk;
    use crate::ids::{DeviceId, DocId};
    use crate::WorkspaceSecret;

    #[test]
    fn frames_survive_fragmenting_and_strangers_are_refused() {
        let keys = WorkspaceSecret([1; 32]).keys();
        let big = Message::Chunks {
            chunks: (1..=3)
                .map(|seq| SealedChunk { device: DeviceId([2; 16]), seq, doc: DocId([3; 16]), body: vec![seq as u8; 100_000], snapshot: None })
                .collect(),
        };
        let parts = seal(&keys, &big);
        assert!(parts.len() > 4 && parts.iter().all(|p| p.len() <= FRAGMENT + 1));
        let mut r = Reassembler::default();
        let mut out = None;
        for p in &parts {
            out = r.push(&keys, p).unwrap();
        }
        assert_eq!(out, Some(big));

        // a frame sealed with another workspace's key: refused, with the reason
        let stranger = WorkspaceSecret([9; 32]).keys();
        let hello = Message::Have { vector: Default::default(), reply: true };
        let mut r = Reassembler::default();
        let e = r.push(&keys, &seal(&stranger, &hello)[0]).unwrap_err();
        assert!(e.contains("not a member"), "{e}");
        // malformed fragments
        assert!(r.push(&keys, &[]).is_err());
        assert!(r.push(&keys, &[7, 1, 2]).is_err());
        let mut flood = Reassembler::default();
        let piece = vec![1u8; FRAGMENT + 1];
        let mut err = None;
        for _ in 0..(MAX_SEALED / FRAGMENT + 2) {
            if let Err(e) = flood.push(&keys, &piece) {
                err = Some(e);
                break;
            }
        }
        assert!(err.unwrap().contains("exceeds"));
    }
}
