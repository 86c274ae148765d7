//! A peer of `@automerge/automerge-repo-sync-server` 0.2.8, which runs automerge-repo 1.2.1
//! with its NodeWSServerAdapter (src/network/messages.ts, automerge-repo-network-websocket):
//! every WebSocket frame is one CBOR map.
//!
//! - `{type: "join", senderId, peerMetadata, supportedProtocolVersions: ["1"]}` is answered by
//!   `{type: "peer", senderId: <server's peer id>, targetId, peerMetadata,
//!   selectedProtocolVersion: "1"}`;
//! - `{type: "request" | "sync", senderId, targetId, documentId, data}` carry an Automerge sync
//!   message (`data`, a byte string) for one document; "request" is what a peer that does not
//!   hold the document yet sends first. The server answers with "sync" messages, and
//!   "doc-unavailable" for a document nobody has.
//!
//! Document ids are the bs58check encoding of a 16-byte (v4 UUID) binary id. The peer
//! advertises a storage id and `isEphemeral: false`, as a browser peer with IndexedDB storage
//! does, so the server keeps (and persists) a sync state per peer and document as it does for
//! real clients (`--peer-storage 0`: an ephemeral peer without storage id instead). Each client keeps one `automerge::sync::State` for the server and answers
//! every sync message it gets, as automerge-repo does.

use crate::stats::{EditKey, Tracker};
use crate::{mark_ready, Ctx, Proto, Team};
use anyhow::{anyhow, bail, Context, Result};
use ciborium::Value as Cbor;
use crm_core::automerge::sync::{self, SyncDoc};
use crm_core::automerge::transaction::{CommitOptions, Transactable};
use crm_core::automerge::{ActorId, AutoCommit, ChangeHash, ROOT};
use crm_core::{CustomerDoc, DocId, Kind};
use std::sync::Mutex;
use std::time::Instant;
use tokio_tungstenite::tungstenite::Message as WsMessage;

/// The automerge-repo document id of a 16-byte binary id: bs58check (base58 of the bytes
/// followed by the first 4 bytes of their double SHA-256), as automerge-repo's
/// `binaryToDocumentId`.
pub fn document_id(binary: &[u8; 16]) -> String {
    bs58::encode(binary).with_check().into_string()
}

/// 16 random bytes made a version-4 UUID (automerge-repo's `isValidDocumentId` checks that).
pub fn uuid_v4(mut b: [u8; 16]) -> [u8; 16] {
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    b
}

/// A team: one document on the server.
pub struct TeamDoc {
    url: String,
    document_id: String,
    /// the document as the first member creates it (a CRM customer, saved)
    initial: Vec<u8>,
    /// the heads the first member reached with the server: a member is set up once it has them
    heads: Mutex<Vec<ChangeHash>>,
}

impl TeamDoc {
    pub fn new(url: &str, index: usize) -> Result<TeamDoc> {
        if !url.starts_with("ws://") {
            bail!("--url {url:?} does not start with ws:// (the sync server's WebSocket URL)");
        }
        let binary = uuid_v4(DocId::random().0);
        // the same customer document our relay's clients create
        let mut doc = CustomerDoc::create(DocId(binary), ActorId::random(), Kind::Company, &format!("Load Team {index:04} Ltd"), crm_core::clock::now_ms());
        Ok(TeamDoc { url: url.to_string(), document_id: document_id(&binary), initial: doc.save(), heads: Mutex::new(Vec::new()) })
    }
}

fn map(entries: Vec<(&str, Cbor)>) -> Cbor {
    Cbor::Map(entries.into_iter().map(|(k, v)| (Cbor::Text(k.to_string()), v)).collect())
}

fn encode(v: &Cbor) -> WsMessage {
    let mut buf = Vec::with_capacity(256);
    ciborium::into_writer(v, &mut buf).expect("writing CBOR into a Vec cannot fail");
    WsMessage::Binary(buf.into())
}

/// A decoded repo message: its type and the fields this peer reads.
#[derive(Debug, Default, PartialEq)]
pub struct RepoMsg {
    pub kind: String,
    pub sender: Option<String>,
    pub target: Option<String>,
    pub document_id: Option<String>,
    pub data: Option<Vec<u8>>,
    pub message: Option<String>,
}

pub fn decode(bytes: &[u8]) -> Result<RepoMsg> {
    let v: Cbor = ciborium::from_reader(bytes).context("the server sent a frame that is not CBOR")?;
    let Cbor::Map(entries) = v else { bail!("the server sent CBOR that is not a map") };
    let mut m = RepoMsg::default();
    for (k, v) in entries {
        let Cbor::Text(k) = k else { continue };
        let text = |v: Cbor| if let Cbor::Text(s) = v { Some(s) } else { None };
        match k.as_str() {
            "type" => m.kind = text(v).unwrap_or_default(),
            "senderId" => m.sender = text(v),
            "targetId" => m.target = text(v),
            "documentId" => m.document_id = text(v),
            "message" => m.message = text(v),
            "data" => {
                m.data = match v {
                    Cbor::Bytes(b) => Some(b),
                    // a typed-array tag, should an encoder add one
                    Cbor::Tag(_, inner) => match *inner {
                        Cbor::Bytes(b) => Some(b),
                        _ => None,
                    },
                    _ => None,
                }
            }
            _ => {}
        }
    }
    Ok(m)
}

/// One peer once joined.
struct Peer {
    peer_id: String,
    server_id: String,
    document_id: String,
    doc: AutoCommit,
    state: sync::State,
    /// the client's number in the run
    global: usize,
}

impl Peer {
    fn doc_message(&self, kind: &str, data: Vec<u8>) -> WsMessage {
        encode(&map(vec![
            ("type", Cbor::Text(kind.into())),
            ("senderId", Cbor::Text(self.peer_id.clone())),
            ("targetId", Cbor::Text(self.server_id.clone())),
            ("documentId", Cbor::Text(self.document_id.clone())),
            ("data", Cbor::Bytes(data)),
        ]))
    }

    /// The sync message the state calls for, if any, as a frame of type `kind`.
    fn next_sync(&mut self, kind: &str) -> Option<WsMessage> {
        let msg = self.doc.sync().generate_sync_message(&mut self.state)?;
        Some(self.doc_message(kind, msg.encode()))
    }

    /// Applies one frame from the server; reports the changes it brought and returns the
    /// answer.
    fn receive(&mut self, tracker: &Tracker, bytes: &[u8]) -> Result<Vec<WsMessage>> {
        let m = decode(bytes)?;
        match m.kind.as_str() {
            "sync" | "request" => {
                if m.document_id.as_deref() != Some(self.document_id.as_str()) {
                    bail!("a sync message for another document ({:?})", m.document_id);
                }
                let data = m.data.ok_or_else(|| anyhow!("a sync message without data"))?;
                let msg = sync::Message::decode(&data).context("an undecodable Automerge sync message")?;
                let before = self.doc.get_heads();
                self.doc.sync().receive_sync_message(&mut self.state, msg).context("applying a sync message")?;
                let now = Instant::now();
                if self.doc.get_heads() != before {
                    for c in self.doc.get_changes(&before) {
                        tracker.delivered(&c.hash().0, now);
                    }
                }
                Ok(self.next_sync("sync").into_iter().collect())
            }
            "doc-unavailable" => bail!("the server says document {} is unavailable", self.document_id),
            "error" => bail!("the server reported an error: {}", m.message.unwrap_or_default()),
            // ephemeral messages, remote heads: nothing this peer uses
            _ => Ok(Vec::new()),
        }
    }
}

impl Proto for Peer {
    fn edit(&mut self, n: u64) -> Result<(EditKey, Vec<WsMessage>)> {
        // unique per client and edit, so every edit really changes the field
        let phone = format!("+44 20 {:04} {:04}", self.global % 10_000, n % 10_000);
        self.doc.put(ROOT, "phone", phone)?;
        let hash = self
            .doc
            .commit_with(CommitOptions::default().with_time(crm_core::clock::now_ms()))
            .ok_or_else(|| anyhow!("an edit made no change"))?;
        Ok((hash.0, self.next_sync("sync").into_iter().collect()))
    }

    fn incoming(&mut self, ctx: &Ctx, bytes: &[u8]) -> Result<Vec<WsMessage>> {
        self.receive(&ctx.tracker, bytes)
    }
}

pub async fn client(ctx: &Ctx, team: &Team, t: &TeamDoc, creator: bool, global: usize, readied: &mut bool) -> Result<()> {
    if !creator {
        team.wait_doc().await?;
    }
    let permit = ctx.connecting.acquire().await?;
    let started = Instant::now();
    let (mut ws, _) = tokio::time::timeout(crate::SETUP_STEP, tokio_tungstenite::connect_async_with_config(t.url.as_str(), Some(crate::ws_config()), true))
        .await
        .map_err(|_| anyhow!("the WebSocket handshake took over {} s", crate::SETUP_STEP.as_secs()))?
        .context("WebSocket handshake with the sync server")?;
    Ctx::push_us(&ctx.handshake_us, started.elapsed());

    let suffix = hex(&DocId::random().0);
    let peer_id = format!("crm-load-{global}-{}", &suffix[..8]);
    let metadata = if ctx.opts.peer_storage {
        map(vec![("storageId", Cbor::Text(format!("crm-load-storage-{suffix}"))), ("isEphemeral", Cbor::Bool(false))])
    } else {
        map(vec![("isEphemeral", Cbor::Bool(true))])
    };
    let join = map(vec![
        ("type", Cbor::Text("join".into())),
        ("senderId", Cbor::Text(peer_id.clone())),
        ("peerMetadata", metadata),
        ("supportedProtocolVersions", Cbor::Array(vec![Cbor::Text("1".into())])),
    ]);
    ctx.send(&mut ws, encode(&join)).await?;
    let server_id = loop {
        let m = decode(&ctx.recv_setup(&mut ws).await?)?;
        match m.kind.as_str() {
            "peer" => break m.sender.ok_or_else(|| anyhow!("the server's peer message has no senderId"))?,
            "error" => bail!("the server refused the join: {}", m.message.unwrap_or_default()),
            other => bail!("expected a peer message after join, got {other:?}"),
        }
    };

    let actor = ActorId::random();
    let doc = if creator { AutoCommit::load(&t.initial)?.with_actor(actor) } else { AutoCommit::new().with_actor(actor) };
    let mut peer = Peer { peer_id, server_id, document_id: t.document_id.clone(), doc, state: sync::State::new(), global };
    // the first member offers the document it made; the others ask for it
    let first = peer.next_sync(if creator { "sync" } else { "request" }).ok_or_else(|| anyhow!("no first sync message"))?;
    ctx.send(&mut ws, first).await?;
    let target = if creator { peer.doc.get_heads() } else { t.heads.lock().unwrap_or_else(|p| p.into_inner()).clone() };
    loop {
        let synced = if creator {
            // the server said it holds everything this peer has
            peer.state.their_heads.as_ref() == Some(&target)
        } else {
            peer.doc.get_heads() == target
        };
        if synced {
            break;
        }
        let bytes = ctx.recv_setup(&mut ws).await?;
        for f in peer.receive(&ctx.tracker, &bytes)? {
            ctx.send(&mut ws, f).await?;
        }
    }
    if creator {
        *t.heads.lock().unwrap_or_else(|p| p.into_inner()) = target;
        team.doc_ready.send_replace(Some(true));
    }
    drop(permit);
    mark_ready(ctx, team, started, readied);
    crate::edit_loop(ctx, team, global, ws, peer).await
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_ids_match_automerge_repo() {
        // bs58check.encode of these bytes in automerge-repo 1.2.1's own bs58check (node)
        let b: [u8; 16] = [0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x46, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff];
        assert_eq!(document_id(&b), "148vjpuxLmPtrT3kP4TEueSfUbc");
        assert_eq!(bs58::decode("148vjpuxLmPtrT3kP4TEueSfUbc").with_check(None).into_vec().unwrap(), b);
        // v4 UUID bits: version nibble 4, variant 10xx
        let u = uuid_v4([0xff; 16]);
        assert_eq!((u[6] >> 4, u[8] >> 6), (4, 2));
        assert_eq!(uuid_v4(b), b, "already a v4 UUID");
    }

    #[test]
    fn repo_messages_round_trip_through_cbor() {
        let peer = Peer {
            peer_id: "me".into(),
            server_id: "storage-server-x".into(),
            document_id: "148vjpuxLmPtrT3kP4TEueSfUbc".into(),
            doc: AutoCommit::new(),
            state: sync::State::new(),
            global: 0,
        };
        let WsMessage::Binary(bytes) = peer.doc_message("sync", vec![0x42, 1, 2]) else { panic!("binary") };
        let m = decode(&bytes).unwrap();
        assert_eq!(m.kind, "sync");
        assert_eq!(m.sender.as_deref(), Some("me"));
        assert_eq!(m.target.as_deref(), Some("storage-server-x"));
        assert_eq!(m.document_id.as_deref(), Some("148vjpuxLmPtrT3kP4TEueSfUbc"));
        assert_eq!(m.data, Some(vec![0x42, 1, 2]));
        // the data field is a CBOR byte string (major type 2), as cbor-x writes a Uint8Array
        // with tagUint8Array: false
        let at = bytes.windows(4).position(|w| w == b"data").unwrap();
        assert_eq!(bytes[at + 4], 0x43, "byte string of length 3");
    }

    fn peer(doc: AutoCommit, global: usize) -> Peer {
        let document_id = "148vjpuxLmPtrT3kP4TEueSfUbc".to_string();
        Peer { peer_id: format!("p{global}"), server_id: "s".into(), document_id, doc, state: sync::State::new(), global }
    }

    /// Passes frames back and forth until neither side has anything to say.
    fn exchange(tracker: &Tracker, a: &mut Peer, b: &mut Peer, first: Vec<WsMessage>) {
        let mut to_b = first;
        for _ in 0..20 {
            let mut to_a = Vec::new();
            for f in to_b.drain(..) {
                let WsMessage::Binary(f) = f else { panic!("binary frames only") };
                to_a.extend(b.receive(tracker, &f).unwrap());
            }
            for f in to_a {
                let WsMessage::Binary(f) = f else { panic!("binary frames only") };
                to_b.extend(a.receive(tracker, &f).unwrap());
            }
            if to_b.is_empty() {
                return;
            }
        }
        panic!("the sync did not settle");
    }

    #[test]
    fn an_edit_is_delivered_once_the_other_peer_has_applied_its_change() {
        let team = TeamDoc::new("ws://x", 1).unwrap();
        let tracker = Tracker::default();
        let mut a = peer(AutoCommit::load(&team.initial).unwrap(), 0);
        let mut b = peer(AutoCommit::new(), 1);
        // b gets the document: no edit has been sent, so nothing is counted
        let first = b.next_sync("request").into_iter().collect();
        exchange(&tracker, &mut b, &mut a, first);
        assert_eq!(a.doc.get_heads(), b.doc.get_heads());
        assert_eq!(tracker.totals().deliveries, 0);
        // two edits of a reach b, each counted once; b's own edit is not a delivery to b
        for n in 0..2 {
            let (key, frames) = a.edit(n).unwrap();
            assert!(!frames.is_empty(), "an edit goes out at once");
            tracker.sent(key, 1, Instant::now());
            exchange(&tracker, &mut a, &mut b, frames);
        }
        let (key, frames) = b.edit(0).unwrap();
        tracker.sent(key, 1, Instant::now());
        exchange(&tracker, &mut b, &mut a, frames);
        let t = tracker.totals();
        assert_eq!((t.edits_sent, t.deliveries, t.unexpected, tracker.outstanding()), (3, 3, 0, 0));
        assert_eq!(a.doc.get_heads(), b.doc.get_heads());
    }
}
