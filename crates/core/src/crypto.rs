//! Workspace secrets and chunk sealing (DESIGN.md section 7).
//!
//! The invite link carries a random 32-byte secret in its URL fragment. From it HKDF-SHA256
//! derives three independent values: the workspace id (public, names the workspace on the
//! relay), the auth token (sent to the relay, which stores only its SHA-256) and the
//! encryption key (never leaves the device). Chunks are sealed with XChaCha20-Poly1305 under a
//! random 24-byte nonce, with `(workspace, device, seq, doc)` as associated data so a relay
//! can neither read a chunk nor move it to another slot. A snapshot's covers (chunk.rs) are
//! bound in too, under another label, so they can be neither altered nor added to a plain
//! chunk nor stripped from a snapshot.

use crate::chunk::{Chunk, Covers, SealedChunk};
use crate::ids::{from_hex, random_bytes, to_hex, WorkspaceId};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use sha2::{Digest, Sha256};

pub const NONCE_LEN: usize = 24;
const HKDF_SALT: &[u8] = b"local-first-crm/v1";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CryptoError {
    #[error("the invite secret is malformed: expected 64 hex digits")]
    BadSecret,
    #[error("chunk {0} could not be opened: it was altered, misplaced, or sealed with another workspace's key")]
    Open(String),
    #[error("chunk {0} is too short to hold a nonce and tag")]
    Truncated(String),
    #[error("snapshot {0} could not be opened: its covers (the chunks it replaces) or its body were altered, it was misplaced, or sealed with another workspace's key")]
    Snapshot(String),
}

/// The secret shared by everyone in a workspace.
#[derive(Clone, PartialEq, Eq)]
pub struct WorkspaceSecret(pub [u8; 32]);

impl std::fmt::Debug for WorkspaceSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WorkspaceSecret(..)")
    }
}

impl WorkspaceSecret {
    pub fn generate() -> Self {
        Self(random_bytes())
    }
    pub fn to_hex(&self) -> String {
        to_hex(&self.0)
    }
    pub fn from_hex(s: &str) -> Result<Self, CryptoError> {
        from_hex(s.trim()).map(Self).ok_or(CryptoError::BadSecret)
    }
    pub fn keys(&self) -> WorkspaceKeys {
        let hk = Hkdf::<Sha256>::new(Some(HKDF_SALT), &self.0);
        let mut id = [0u8; 16];
        let mut token = [0u8; 32];
        let mut key = [0u8; 32];
        // lengths are far below HKDF's 255*32 limit, so expand cannot fail
        hk.expand(b"workspace-id", &mut id).expect("hkdf length");
        hk.expand(b"relay-auth-token", &mut token).expect("hkdf length");
        hk.expand(b"chunk-encryption-key", &mut key).expect("hkdf length");
        WorkspaceKeys { workspace: WorkspaceId(id), token: AuthToken(token), key, epoch: 0, older: Vec::new() }
    }
}

/// The bearer token a device presents to the relay.
#[derive(Clone, PartialEq, Eq)]
pub struct AuthToken(pub [u8; 32]);

impl AuthToken {
    pub fn to_hex(&self) -> String {
        to_hex(&self.0)
    }
    pub fn from_hex(s: &str) -> Option<Self> {
        from_hex(s).map(Self)
    }
    /// What the relay stores: it never keeps the token itself.
    pub fn hash(&self) -> [u8; 32] {
        Sha256::digest(self.0).into()
    }
}

impl std::fmt::Debug for AuthToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuthToken(..)")
    }
}

/// Everything derived from a workspace secret, or from a key ring (`members.rs`): the token
/// and key of the newest epoch, which seal, and the keys of earlier epochs, which only open
/// (history written before a rotation stays readable).
#[derive(Clone)]
pub struct WorkspaceKeys {
    pub workspace: WorkspaceId,
    pub token: AuthToken,
    key: [u8; 32],
    /// the key epoch `token` and `key` belong to (0: derived from the original secret)
    pub epoch: u32,
    /// keys of earlier epochs, newest first
    older: Vec<[u8; 32]>,
}

impl WorkspaceKeys {
    /// Plain chunks keep the v1 label (so every chunk sealed before snapshots existed still
    /// opens); a snapshot uses its own label followed by its canonical covers.
    fn aad(&self, c: &SealedChunkHeader) -> Vec<u8> {
        let mut aad = Vec::with_capacity(16 * 3 + 8 + 8);
        aad.extend_from_slice(if c.covers.is_some() { b"crm-snap-v1" } else { b"crm-chunk-v1" });
        aad.extend_from_slice(self.workspace.as_bytes());
        aad.extend_from_slice(c.device.as_bytes());
        aad.extend_from_slice(&c.seq.to_be_bytes());
        aad.extend_from_slice(c.doc.as_bytes());
        if let Some(covers) = c.covers {
            aad.extend_from_slice(&covers.to_bytes());
        }
        aad
    }

    pub fn seal(&self, chunk: &Chunk) -> SealedChunk {
        let nonce: [u8; NONCE_LEN] = random_bytes();
        self.seal_with_nonce(chunk, nonce)
    }

    /// Deterministic variant for tests and simulations that must not touch the OS RNG.
    pub fn seal_with_nonce(&self, chunk: &Chunk, nonce: [u8; NONCE_LEN]) -> SealedChunk {
        self.seal_inner(chunk, None, nonce)
    }

    /// Seals a snapshot: `chunk.data` is the document's whole save, `covers` the chunks of it
    /// whose changes it includes (see [`crate::compaction`]).
    pub fn seal_snapshot(&self, chunk: &Chunk, covers: Covers) -> SealedChunk {
        self.seal_inner(chunk, Some(covers), random_bytes())
    }

    pub fn seal_snapshot_with_nonce(&self, chunk: &Chunk, covers: Covers, nonce: [u8; NONCE_LEN]) -> SealedChunk {
        self.seal_inner(chunk, Some(covers), nonce)
    }

    fn seal_inner(&self, chunk: &Chunk, covers: Option<Covers>, nonce: [u8; NONCE_LEN]) -> SealedChunk {
        let header = SealedChunkHeader { device: chunk.device, seq: chunk.seq, doc: chunk.doc, covers: covers.as_ref() };
        let cipher = XChaCha20Poly1305::new((&self.key).into());
        let ct = cipher
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: &chunk.data, aad: &self.aad(&header) })
            .expect("XChaCha20-Poly1305 encryption of an in-memory buffer cannot fail");
        let mut body = Vec::with_capacity(NONCE_LEN + ct.len());
        body.extend_from_slice(&nonce);
        body.extend_from_slice(&ct);
        SealedChunk { device: chunk.device, seq: chunk.seq, doc: chunk.doc, snapshot: covers, body }
    }

    pub fn open(&self, sealed: &SealedChunk) -> Result<Chunk, CryptoError> {
        let name = || format!("{}:{}", sealed.device, sealed.seq);
        if sealed.body.len() < NONCE_LEN + 16 {
            return Err(CryptoError::Truncated(name()));
        }
        let header =
            SealedChunkHeader { device: sealed.device, seq: sealed.seq, doc: sealed.doc, covers: sealed.snapshot.as_ref() };
        let (nonce, ct) = sealed.body.split_at(NONCE_LEN);
        let aad = self.aad(&header);
        let data = self
            .all_keys()
            .find_map(|key| {
                XChaCha20Poly1305::new(key.into()).decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad: &aad }).ok()
            })
            .ok_or_else(|| if sealed.is_snapshot() { CryptoError::Snapshot(name()) } else { CryptoError::Open(name()) })?;
        Ok(Chunk { device: sealed.device, seq: sealed.seq, doc: sealed.doc, data })
    }

    /// The newest key first, then older epochs': chunks carry no epoch marker (those stored
    /// before epochs existed must stay readable), and a failed tag check costs one Poly1305
    /// pass, so trying a handful of keys is cheap.
    fn all_keys(&self) -> impl Iterator<Item = &[u8; 32]> {
        std::iter::once(&self.key).chain(self.older.iter())
    }

    /// Keys from `epoch` secrets of a ring: `secrets[0]` is the original workspace secret.
    pub(crate) fn from_ring(secrets: &[WorkspaceSecret]) -> WorkspaceKeys {
        let genesis = secrets[0].keys();
        let mut keys: Vec<([u8; 32], AuthToken)> = vec![(genesis.key, genesis.token.clone())];
        for (epoch, s) in secrets.iter().enumerate().skip(1) {
            keys.push(epoch_keys(&genesis.workspace, epoch as u32, s));
        }
        let (key, token) = keys.pop().expect("a ring holds the original secret");
        let older = keys.into_iter().rev().map(|(k, _)| k).collect();
        WorkspaceKeys { workspace: genesis.workspace, token, key, epoch: secrets.len() as u32 - 1, older }
    }
}

/// The key and token of a later epoch. The workspace id and epoch go into HKDF's info, so a
/// secret handed out for one workspace and epoch derives nothing usable elsewhere.
fn epoch_keys(workspace: &WorkspaceId, epoch: u32, secret: &WorkspaceSecret) -> ([u8; 32], AuthToken) {
    let hk = Hkdf::<Sha256>::new(Some(b"local-first-crm/v1/epoch"), &secret.0);
    let info = |what: &[u8]| [what, workspace.as_bytes(), &epoch.to_be_bytes()].concat();
    let mut token = [0u8; 32];
    let mut key = [0u8; 32];
    hk.expand(&info(b"relay-auth-token"), &mut token).expect("hkdf length");
    hk.expand(&info(b"chunk-encryption-key"), &mut key).expect("hkdf length");
    (key, AuthToken(token))
}

impl WorkspaceKeys {
    /// Seals an ephemeral message (presence, peer signalling): never stored, so it carries
    /// no slot; the associated data binds it to this workspace and to its purpose.
    pub fn seal_ephemeral(&self, plain: &[u8]) -> Vec<u8> {
        let nonce: [u8; NONCE_LEN] = random_bytes();
        let cipher = XChaCha20Poly1305::new((&self.key).into());
        let ct = cipher
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: plain, aad: &self.ephemeral_aad() })
            .expect("XChaCha20-Poly1305 encryption of an in-memory buffer cannot fail");
        let mut body = Vec::with_capacity(NONCE_LEN + ct.len());
        body.extend_from_slice(&nonce);
        body.extend_from_slice(&ct);
        body
    }

    /// Opens an ephemeral message with the newest key only: live messages have no history to
    /// keep readable, and one sealed with an older epoch's key may come from a removed device
    /// (its presence, its WebRTC signalling, its peer frames), so it is not taken.
    pub fn open_ephemeral(&self, body: &[u8]) -> Result<Vec<u8>, CryptoError> {
        if body.len() < NONCE_LEN + 16 {
            return Err(CryptoError::Truncated("ephemeral message".into()));
        }
        let (nonce, ct) = body.split_at(NONCE_LEN);
        XChaCha20Poly1305::new((&self.key).into())
            .decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad: &self.ephemeral_aad() })
            .map_err(|_| CryptoError::Open("ephemeral message".into()))
    }

    fn ephemeral_aad(&self) -> Vec<u8> {
        let mut aad = b"crm-ephemeral-v1".to_vec();
        aad.extend_from_slice(self.workspace.as_bytes());
        aad
    }
}

#[derive(Clone, Copy)]
struct SealedChunkHeader<'a> {
    device: crate::DeviceId,
    seq: u64,
    doc: crate::DocId,
    covers: Option<&'a Covers>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DeviceId, DocId};

    fn chunk() -> Chunk {
        Chunk { device: DeviceId([1; 16]), seq: 7, doc: DocId([2; 16]), data: b"hello customer".to_vec() }
    }

    #[test]
    fn derived_values_are_stable_and_distinct() {
        let s = WorkspaceSecret([9; 32]);
        let a = s.keys();
        let b = WorkspaceSecret::from_hex(&s.to_hex()).unwrap().keys();
        assert_eq!(a.workspace, b.workspace);
        assert_eq!(a.token, b.token);
        assert_ne!(&a.token.0[..], &a.key[..]);
        assert_ne!(a.workspace, WorkspaceSecret([8; 32]).keys().workspace);
    }

    #[test]
    fn sealed_chunk_hides_plaintext_and_opens_back() {
        let k = WorkspaceSecret([9; 32]).keys();
        let sealed = k.seal(&chunk());
        assert!(!sealed.body.windows(8).any(|w| w == b"customer"));
        assert_eq!(k.open(&sealed).unwrap(), chunk());
    }

    #[test]
    fn moved_or_foreign_or_altered_chunks_do_not_open() {
        let k = WorkspaceSecret([9; 32]).keys();
        let sealed = k.seal(&chunk());
        let mut moved = sealed.clone();
        moved.seq = 8;
        assert!(matches!(k.open(&moved), Err(CryptoError::Open(_))));
        let mut flipped = sealed.clone();
        let last = flipped.body.len() - 1;
        flipped.body[last] ^= 1;
        assert!(k.open(&flipped).is_err());
        assert!(WorkspaceSecret([3; 32]).keys().open(&sealed).is_err());
        let mut short = sealed;
        short.body.truncate(10);
        assert!(matches!(k.open(&short), Err(CryptoError::Truncated(_))));
    }

    #[test]
    fn snapshot_covers_are_bound_into_the_seal() {
        let k = WorkspaceSecret([9; 32]).keys();
        let d1 = DeviceId([1; 16]);
        let covers = Covers::from_keys((1..=6).map(|seq| crate::ChunkKey { device: d1, seq }));
        let snap = k.seal_snapshot(&chunk(), covers.clone());
        assert_eq!(snap.snapshot.as_ref(), Some(&covers));
        assert_eq!(k.open(&snap).unwrap(), chunk());
        // widening the covers (to make a relay drop more) is refused, with a reason that says so
        let mut widened = snap.clone();
        widened.snapshot.as_mut().unwrap().insert_range(DeviceId([5; 16]), 1, 100);
        let err = k.open(&widened).unwrap_err();
        assert!(matches!(err, CryptoError::Snapshot(_)), "{err}");
        assert!(err.to_string().contains("covers"), "{err}");
        // stripping the covers does not turn the snapshot into a plain chunk ...
        let mut stripped = snap.clone();
        stripped.snapshot = None;
        assert!(matches!(k.open(&stripped), Err(CryptoError::Open(_))));
        // ... and adding covers to a plain chunk does not turn it into a snapshot
        let mut promoted = k.seal(&chunk());
        promoted.snapshot = Some(covers);
        assert!(matches!(k.open(&promoted), Err(CryptoError::Snapshot(_))));
    }
}
