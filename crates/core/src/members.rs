//! Key epochs, device keys, envelopes and invites: what lets a team remove a member
//! (DESIGN.md section 7, issue 5).
//!
//! - A **key ring** holds every epoch's secret a device was given: epoch 0 is the original
//!   workspace secret (it names the workspace forever and keeps data written before rotations
//!   readable); each removal adds a fresh random secret. The newest epoch seals and
//!   authenticates; every epoch opens ([`WorkspaceKeys`]).
//! - Each device has an X25519 key pair; the private half never leaves it, the public half is
//!   published in the workspace document (`Settings::device_keys`).
//! - Removing a member makes the next epoch and seals the whole ring to every remaining
//!   device's public key: an **envelope** (ephemeral-static X25519, HKDF-SHA256,
//!   XChaCha20-Poly1305). The relay keeps envelopes and hands each device its own; it cannot
//!   open them, and a removed device gets none.
//! - An **invite** is a random secret in the link's fragment. HKDF derives from it an id (names
//!   the invite on the relay), a token (the relay keeps its hash) and a key that seals the
//!   ring into the invite's envelope. The relay can expire and revoke invites; it never sees
//!   the ring.

use crate::crypto::{AuthToken, CryptoError, WorkspaceKeys, WorkspaceSecret, NONCE_LEN};
use crate::ids::{from_hex, random_bytes, to_hex, WorkspaceId};
use crate::DeviceId;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use sha2::Sha256;
use x25519_dalek::{PublicKey, StaticSecret};

/// Rings longer than this are refused when read: a workspace that rotated this often should
/// start afresh, and a parser must not allocate what the network tells it to.
pub const MAX_EPOCHS: usize = 1024;
const RING_MAGIC: &[u8] = b"crm-ring-v1";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MembersError {
    #[error("the key ring is malformed: {0}")]
    BadRing(&'static str),
    #[error("the key envelope could not be opened: it is damaged or sealed to another device")]
    Envelope,
    #[error("the invite could not be opened: it is damaged or belongs to another invite")]
    Invite,
    #[error("the public key is malformed: expected 64 hex digits of a usable X25519 key")]
    BadPublicKey,
    #[error("the invite link is malformed: expected 64 hex digits")]
    BadInvite,
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

/// Every epoch secret a device holds, oldest (the original workspace secret) first.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyRing {
    secrets: Vec<WorkspaceSecret>,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyRing(epoch {})", self.epoch())
    }
}

impl KeyRing {
    /// The ring of a workspace that never rotated: just its original secret.
    pub fn genesis(secret: WorkspaceSecret) -> KeyRing {
        KeyRing { secrets: vec![secret] }
    }

    /// The newest epoch (0 before any rotation).
    pub fn epoch(&self) -> u32 {
        self.secrets.len() as u32 - 1
    }

    /// The original secret (the workspace's name derives from it).
    pub fn genesis_secret(&self) -> &WorkspaceSecret {
        &self.secrets[0]
    }

    pub fn workspace(&self) -> WorkspaceId {
        self.secrets[0].keys().workspace
    }

    /// Seal with the newest epoch, open with any.
    pub fn keys(&self) -> WorkspaceKeys {
        WorkspaceKeys::from_ring(&self.secrets)
    }

    /// The ring after a rotation to `fresh` (random: [`KeyRing::rotate`]).
    pub fn rotated_to(&self, fresh: WorkspaceSecret) -> KeyRing {
        let mut secrets = self.secrets.clone();
        secrets.push(fresh);
        KeyRing { secrets }
    }

    pub fn rotate(&self) -> KeyRing {
        self.rotated_to(WorkspaceSecret::generate())
    }

    /// Whether `other` is this ring or a later one of the same workspace (it starts with
    /// every secret this one holds): a device only ever moves forward.
    pub fn is_prefix_of(&self, other: &KeyRing) -> bool {
        other.secrets.len() >= self.secrets.len() && other.secrets[..self.secrets.len()] == self.secrets[..]
    }

    /// `crm-ring-v1` then 32 bytes per epoch, oldest first.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = RING_MAGIC.to_vec();
        for s in &self.secrets {
            out.extend_from_slice(&s.0);
        }
        out
    }

    pub fn from_bytes(b: &[u8]) -> Result<KeyRing, MembersError> {
        let body = b.strip_prefix(RING_MAGIC).ok_or(MembersError::BadRing("it does not start with crm-ring-v1"))?;
        if body.is_empty() || body.len() % 32 != 0 {
            return Err(MembersError::BadRing("its length is not a whole number of 32-byte secrets"));
        }
        if body.len() / 32 > MAX_EPOCHS {
            return Err(MembersError::BadRing("it holds more epochs than allowed"));
        }
        let secrets = body.chunks_exact(32).map(|c| WorkspaceSecret(c.try_into().expect("32-byte chunk"))).collect();
        Ok(KeyRing { secrets })
    }

    pub fn to_hex(&self) -> String {
        to_hex(&self.to_bytes())
    }

    pub fn from_hex(s: &str) -> Result<KeyRing, MembersError> {
        let bytes = hex_bytes(s).ok_or(MembersError::BadRing("it is not hex"))?;
        KeyRing::from_bytes(&bytes)
    }
}

/// Decodes lowercase or uppercase hex of any even length.
pub fn hex_bytes(s: &str) -> Option<Vec<u8>> {
    let s = s.trim();
    if s.len() % 2 != 0 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

/// A device's X25519 key pair. The private half stays on the device.
#[derive(Clone)]
pub struct DeviceKeyPair {
    secret: StaticSecret,
}

impl std::fmt::Debug for DeviceKeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DeviceKeyPair(public {})", self.public_hex())
    }
}

impl DeviceKeyPair {
    pub fn generate() -> DeviceKeyPair {
        Self::from_bytes(random_bytes())
    }
    pub fn from_bytes(b: [u8; 32]) -> DeviceKeyPair {
        DeviceKeyPair { secret: StaticSecret::from(b) }
    }
    pub fn secret_hex(&self) -> String {
        to_hex(self.secret.as_bytes())
    }
    pub fn from_secret_hex(s: &str) -> Option<DeviceKeyPair> {
        from_hex::<32>(s.trim()).map(Self::from_bytes)
    }
    pub fn public(&self) -> [u8; 32] {
        PublicKey::from(&self.secret).to_bytes()
    }
    pub fn public_hex(&self) -> String {
        to_hex(&self.public())
    }
}

/// Parses a published public key, refusing low-order points (they would make the shared
/// secret predictable).
pub fn parse_public_key(hex: &str) -> Result<[u8; 32], MembersError> {
    let b: [u8; 32] = from_hex(hex.trim()).ok_or(MembersError::BadPublicKey)?;
    let probe = StaticSecret::from([7u8; 32]).diffie_hellman(&PublicKey::from(b));
    if !probe.was_contributory() {
        return Err(MembersError::BadPublicKey);
    }
    Ok(b)
}

fn envelope_aad(workspace: &WorkspaceId, device: &DeviceId, head: &[u8]) -> Vec<u8> {
    [b"crm-envelope-v1".as_slice(), workspace.as_bytes(), device.as_bytes(), head].concat()
}

fn aead_seal(key: &[u8; 32], plain: &[u8], aad: &[u8]) -> Vec<u8> {
    let nonce: [u8; NONCE_LEN] = random_bytes();
    let ct = XChaCha20Poly1305::new(key.into())
        .encrypt(XNonce::from_slice(&nonce), Payload { msg: plain, aad })
        .expect("XChaCha20-Poly1305 encryption of an in-memory buffer cannot fail");
    [nonce.as_slice(), &ct].concat()
}

fn aead_open(key: &[u8; 32], body: &[u8], aad: &[u8]) -> Option<Vec<u8>> {
    if body.len() < NONCE_LEN + 16 {
        return None;
    }
    let (nonce, ct) = body.split_at(NONCE_LEN);
    XChaCha20Poly1305::new(key.into()).decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad }).ok()
}

fn envelope_key(shared: &[u8; 32], ephemeral: &[u8; 32], recipient: &[u8; 32]) -> [u8; 32] {
    let hk = Hkdf::<Sha256>::new(Some(b"local-first-crm/v1/envelope"), shared);
    let mut key = [0u8; 32];
    hk.expand(&[ephemeral.as_slice(), recipient].concat(), &mut key).expect("hkdf length");
    key
}

/// Seals `ring` to one device: `epoch (4 bytes BE) || ephemeral public key (32) || nonce (24)
/// || ciphertext`. The associated data binds it to the workspace, the device and the epoch.
pub fn seal_envelope(ring: &KeyRing, device: &DeviceId, recipient: &[u8; 32]) -> Vec<u8> {
    let ephemeral = StaticSecret::from(random_bytes::<32>());
    let eph_pub = PublicKey::from(&ephemeral).to_bytes();
    let shared = ephemeral.diffie_hellman(&PublicKey::from(*recipient));
    let key = envelope_key(shared.as_bytes(), &eph_pub, recipient);
    let head = [ring.epoch().to_be_bytes().as_slice(), &eph_pub].concat();
    let sealed = aead_seal(&key, &ring.to_bytes(), &envelope_aad(&ring.workspace(), device, &head));
    [head, sealed].concat()
}

/// Opens this device's envelope and checks that the ring inside is of `workspace` at the
/// epoch the envelope names.
pub fn open_envelope(
    body: &[u8],
    me: &DeviceKeyPair,
    device: &DeviceId,
    workspace: &WorkspaceId,
) -> Result<KeyRing, MembersError> {
    if body.len() < 36 {
        return Err(MembersError::Envelope);
    }
    let (head, sealed) = body.split_at(36);
    let epoch = u32::from_be_bytes(head[..4].try_into().expect("4 bytes"));
    let eph_pub: [u8; 32] = head[4..].try_into().expect("32 bytes");
    let shared = me.secret.diffie_hellman(&PublicKey::from(eph_pub));
    if !shared.was_contributory() {
        return Err(MembersError::Envelope);
    }
    let key = envelope_key(shared.as_bytes(), &eph_pub, &me.public());
    let plain = aead_open(&key, sealed, &envelope_aad(workspace, device, head)).ok_or(MembersError::Envelope)?;
    let ring = KeyRing::from_bytes(&plain)?;
    if ring.epoch() != epoch || ring.workspace() != *workspace {
        return Err(MembersError::Envelope);
    }
    Ok(ring)
}

/// The random secret an invite link carries.
#[derive(Clone, PartialEq, Eq)]
pub struct InviteSecret(pub [u8; 32]);

impl std::fmt::Debug for InviteSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("InviteSecret(..)")
    }
}

/// What an invite secret derives: the id and token the relay knows it by, and the key of its
/// envelope, which the relay never sees.
#[derive(Clone)]
pub struct InviteKeys {
    /// 16 bytes, named on the relay as 32 hex digits
    pub id: [u8; 16],
    pub token: AuthToken,
    key: [u8; 32],
}

impl InviteSecret {
    pub fn generate() -> InviteSecret {
        InviteSecret(random_bytes())
    }
    pub fn to_hex(&self) -> String {
        to_hex(&self.0)
    }
    pub fn from_hex(s: &str) -> Result<InviteSecret, MembersError> {
        from_hex(s.trim()).map(InviteSecret).ok_or(MembersError::BadInvite)
    }
    pub fn keys(&self) -> InviteKeys {
        let hk = Hkdf::<Sha256>::new(Some(b"local-first-crm/v1/invite"), &self.0);
        let mut id = [0u8; 16];
        let mut token = [0u8; 32];
        let mut key = [0u8; 32];
        hk.expand(b"invite-id", &mut id).expect("hkdf length");
        hk.expand(b"invite-token", &mut token).expect("hkdf length");
        hk.expand(b"invite-envelope-key", &mut key).expect("hkdf length");
        InviteKeys { id, token: AuthToken(token), key }
    }
}

impl InviteKeys {
    pub fn id_hex(&self) -> String {
        to_hex(&self.id)
    }

    fn aad(&self) -> Vec<u8> {
        [b"crm-invite-v1".as_slice(), &self.id].concat()
    }

    /// The ring sealed for whoever holds the invite link.
    pub fn seal_ring(&self, ring: &KeyRing) -> Vec<u8> {
        aead_seal(&self.key, &ring.to_bytes(), &self.aad())
    }

    pub fn open_ring(&self, body: &[u8]) -> Result<KeyRing, MembersError> {
        let plain = aead_open(&self.key, body, &self.aad()).ok_or(MembersError::Invite)?;
        KeyRing::from_bytes(&plain)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Chunk, DocId};

    fn chunk(seq: u64) -> Chunk {
        Chunk { device: DeviceId([1; 16]), seq, doc: DocId([2; 16]), data: b"after removal".to_vec() }
    }

    #[test]
    fn genesis_ring_keys_equal_the_secret_keys() {
        let s = WorkspaceSecret([9; 32]);
        let ring = KeyRing::genesis(s.clone());
        let (a, b) = (ring.keys(), s.keys());
        assert_eq!((a.workspace, a.token.clone(), a.epoch), (b.workspace, b.token.clone(), 0));
        let sealed = b.seal(&chunk(1));
        assert_eq!(a.open(&sealed).unwrap(), chunk(1));
    }

    #[test]
    fn a_rotated_ring_keeps_the_workspace_opens_history_and_seals_anew() {
        let old = KeyRing::genesis(WorkspaceSecret([9; 32]));
        let new = old.rotated_to(WorkspaceSecret([5; 32]));
        let (ko, kn) = (old.keys(), new.keys());
        assert_eq!(kn.workspace, ko.workspace);
        assert_eq!(kn.epoch, 1);
        assert_ne!(kn.token, ko.token);
        let before = ko.seal(&chunk(1));
        let after = kn.seal(&chunk(2));
        assert_eq!(kn.open(&before).unwrap(), chunk(1), "history stays readable");
        assert!(ko.open(&after).is_err(), "the old ring cannot open what the new one sealed");
        assert!(ko.open_ephemeral(&kn.seal_ephemeral(b"hi")).is_err());
        assert!(kn.open_ephemeral(&ko.seal_ephemeral(b"hi")).is_err(), "live messages of an older epoch are not taken");
        assert_eq!(kn.open_ephemeral(&kn.seal_ephemeral(b"hi")).unwrap(), b"hi");
        assert!(old.is_prefix_of(&new) && !new.is_prefix_of(&old));
        assert_eq!(KeyRing::from_hex(&new.to_hex()).unwrap(), new);
    }

    #[test]
    fn malformed_rings_are_refused() {
        assert!(KeyRing::from_bytes(b"nope").is_err());
        assert!(KeyRing::from_bytes(RING_MAGIC).is_err());
        assert!(KeyRing::from_bytes(&[RING_MAGIC, &[0; 31]].concat()).is_err());
        assert!(KeyRing::from_bytes(&[RING_MAGIC, &vec![0; 32 * (MAX_EPOCHS + 1)]].concat()).is_err());
        assert!(KeyRing::from_hex("zz").is_err());
    }

    #[test]
    fn an_envelope_opens_only_for_its_device() {
        let ring = KeyRing::genesis(WorkspaceSecret([9; 32])).rotate();
        let (alice, bob) = (DeviceKeyPair::generate(), DeviceKeyPair::generate());
        let (da, db) = (DeviceId([1; 16]), DeviceId([2; 16]));
        let ws = ring.workspace();
        let env = seal_envelope(&ring, &da, &alice.public());
        assert_eq!(open_envelope(&env, &alice, &da, &ws).unwrap(), ring);
        assert_eq!(open_envelope(&env, &bob, &da, &ws), Err(MembersError::Envelope));
        assert_eq!(open_envelope(&env, &alice, &db, &ws), Err(MembersError::Envelope), "bound to the device");
        let mut bad = env.clone();
        bad[0] ^= 1;
        assert_eq!(open_envelope(&bad, &alice, &da, &ws), Err(MembersError::Envelope), "the epoch is bound");
        assert!(open_envelope(&env[..20], &alice, &da, &ws).is_err());
        let pair = DeviceKeyPair::from_secret_hex(&alice.secret_hex()).unwrap();
        assert_eq!(pair.public(), alice.public());
        assert_eq!(parse_public_key(&alice.public_hex()).unwrap(), alice.public());
        assert!(parse_public_key(&"00".repeat(32)).is_err(), "a low-order point is refused");
    }

    #[test]
    fn an_invite_seals_the_ring_for_its_link_only() {
        let ring = KeyRing::genesis(WorkspaceSecret([9; 32])).rotate();
        let inv = InviteSecret::generate();
        let k = inv.keys();
        let body = k.seal_ring(&ring);
        let again = InviteSecret::from_hex(&inv.to_hex()).unwrap().keys();
        assert_eq!((again.id, again.token.clone()), (k.id, k.token.clone()));
        assert_eq!(again.open_ring(&body).unwrap(), ring);
        assert_eq!(InviteSecret::generate().keys().open_ring(&body), Err(MembersError::Invite));
        assert!(InviteSecret::from_hex("abc").is_err());
    }
}
