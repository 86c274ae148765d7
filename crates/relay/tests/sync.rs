//! The relay's sync endpoint over real sockets: authentication before the upgrade, storing,
//! acknowledging, forwarding and catching up, hostile frames, durability across `kill -9`,
//! no plaintext at rest, and the cost of a reconnect with nothing new.

mod common;

use common::*;
use crm_core::replica::Replica;
use crm_core::sync::{Message, MAX_FRAME};
use crm_core::{ChunkKey, DocId, Kind, VersionVector, WorkspaceSecret};
use std::collections::BTreeSet;
use std::time::Duration;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::Message as WsMessage;

fn keys_of(chunks: &[crm_core::SealedChunk]) -> BTreeSet<ChunkKey> {
    chunks.iter().map(|c| c.key()).collect()
}

#[tokio::test]
async fn connections_without_a_valid_token_are_refused_with_401_before_upgrading() {
    bounded(60, async {
        let relay = Relay::fresh().await;
        let keys = WorkspaceSecret::generate().keys();
        let ws = keys.workspace.to_string();
        let upgrade = |protocols: &str| {
            format!(
                "GET /sync/{ws} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
                 Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n{protocols}\r\n"
            )
        };

        // no subprotocols at all
        let r = relay.http(&upgrade("")).await;
        assert_eq!(r.status, 401);
        assert!(r.text().contains("crm-sync.v1"), "reason names what is missing: {}", r.text());
        // the protocol but no token
        let r = relay.http(&upgrade("Sec-WebSocket-Protocol: crm-sync.v1\r\n")).await;
        assert_eq!(r.status, 401);
        assert!(r.text().contains("auth token"), "{}", r.text());
        // a malformed token
        let r = relay.http(&upgrade("Sec-WebSocket-Protocol: crm-sync.v1, auth.1234\r\n")).await;
        assert_eq!(r.status, 401);
        assert!(r.text().contains("malformed"), "{}", r.text());
        // the websocket client sees the same refusal
        match relay.try_connect(&ws, Some("crm-sync.v1")).await {
            Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => assert_eq!(resp.status(), 401),
            other => panic!("expected HTTP 401, got {:?}", other.map(|_| ())),
        }

        // the first valid token registers the workspace ...
        let mut owner = relay.connect(&keys).await;
        assert_eq!(owner.hello(&VersionVector::new()).await.1, VersionVector::new());
        // ... and another token for it is refused
        let intruder = WorkspaceSecret::generate().keys();
        let r = relay
            .http(&upgrade(&format!("Sec-WebSocket-Protocol: crm-sync.v1, auth.{}\r\n", intruder.token.to_hex())))
            .await;
        assert_eq!(r.status, 401);
        assert!(r.text().contains("wrong auth token"), "{}", r.text());
        let wrong = format!("crm-sync.v1, auth.{}", intruder.token.to_hex());
        match relay.try_connect(&ws, Some(&wrong)).await {
            Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => assert_eq!(resp.status(), 401),
            other => panic!("expected HTTP 401, got {:?}", other.map(|_| ())),
        }
        // the rightful owner's connection is unaffected
        let ack = owner.push(sealed(&keys, device(1), 1..=1, 50)).await;
        assert_eq!(ack.get(&device(1)), 1);
    })
    .await;
}

#[tokio::test]
async fn malformed_workspace_ids_are_refused_with_400() {
    bounded(60, async {
        let relay = Relay::fresh().await;
        let keys = WorkspaceSecret::generate().keys();
        let protocols = format!("crm-sync.v1, auth.{}", keys.token.to_hex());
        let upper = keys.workspace.to_string().to_uppercase();
        for bad in ["not-a-workspace", "0123", upper.as_str(), &"g".repeat(32)] {
            let r = relay
                .http(&format!(
                    "GET /sync/{bad} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
                     Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
                     Sec-WebSocket-Protocol: {protocols}\r\n\r\n"
                ))
                .await;
            assert_eq!(r.status, 400, "{bad}");
            assert!(r.text().contains("workspace id"), "{}", r.text());
        }
        match relay.try_connect("nope", Some(&protocols)).await {
            Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => assert_eq!(resp.status(), 400),
            other => panic!("expected HTTP 400, got {:?}", other.map(|_| ())),
        }
    })
    .await;
}

#[tokio::test]
async fn a_plain_request_that_is_not_an_upgrade_registers_nothing() {
    bounded(60, async {
        let relay = Relay::fresh().await;
        let squatter = WorkspaceSecret::generate().keys();
        let owner_secret = WorkspaceSecret::generate();
        let owner = owner_secret.keys();
        let r = relay
            .http(&format!(
                "GET /sync/{} HTTP/1.1\r\nHost: 127.0.0.1\r\nSec-WebSocket-Protocol: crm-sync.v1, auth.{}\r\nConnection: close\r\n\r\n",
                owner.workspace,
                squatter.token.to_hex()
            ))
            .await;
        assert!(r.status >= 400 && r.status != 401, "refused as not a websocket: {}", r.status);
        // the workspace is still free for its real token
        let mut peer = relay.connect(&owner).await;
        assert!(peer.hello(&VersionVector::new()).await.1.is_empty());
    })
    .await;
}

#[tokio::test]
async fn pushed_chunks_are_acked_forwarded_live_and_served_to_late_joiners_of_that_workspace_only() {
    bounded(90, async {
        let relay = Relay::fresh().await;
        let keys = WorkspaceSecret::generate().keys();
        let other_keys = WorkspaceSecret::generate().keys();
        let empty = VersionVector::new();

        let mut a = relay.connect(&keys).await;
        let mut b = relay.connect(&keys).await;
        let mut stranger = relay.connect(&other_keys).await;
        for p in [&mut a, &mut b, &mut stranger] {
            let (chunks, reply) = p.hello(&empty).await;
            assert!(chunks.is_empty() && reply.is_empty());
        }

        // A pushes three chunks: the Ack covers them
        let pushed = sealed(&keys, device(1), 1..=3, 200);
        let ack = a.push(pushed.clone()).await;
        assert_eq!(ack, vector(&[(device(1), 3)]));

        // B, connected at the time, receives them live, sealed exactly as pushed
        let got = b.recv_chunks(3).await;
        assert_eq!(got, pushed);
        for c in &got {
            assert!(keys.open(c).is_ok());
        }
        // B acks what it stored; the relay needs nothing more
        b.send(&Message::Ack { vector: ack.clone() }).await;

        // a duplicate push is acked again but forwarded to nobody
        assert_eq!(a.push(pushed[..1].to_vec()).await, ack);
        // B's own push reaches A, not B itself
        let from_b = sealed(&keys, device(2), 1..=1, 100);
        assert_eq!(b.push(from_b.clone()).await, vector(&[(device(1), 3), (device(2), 1)]));
        assert_eq!(a.recv_chunks(1).await, from_b);

        // another workspace's member gets nothing, and its relay vector is its own
        stranger.expect_silence(Duration::from_millis(500)).await;
        let (chunks, reply) = stranger.hello(&empty).await;
        assert!(chunks.is_empty());
        assert!(reply.is_empty());
        b.expect_silence(Duration::from_millis(200)).await;

        // a client connecting later with an empty vector gets every chunk, then the reply
        let mut late = relay.connect(&keys).await;
        let (chunks, reply) = late.hello(&empty).await;
        let mut expected = pushed.clone();
        expected.extend(from_b.clone());
        assert_eq!(keys_of(&chunks), keys_of(&expected));
        assert_eq!(chunks.len(), expected.len(), "each chunk once");
        assert_eq!(reply, vector(&[(device(1), 3), (device(2), 1)]));

        // one that already has some gets only the rest
        let mut partial = relay.connect(&keys).await;
        let (chunks, _) = partial.hello(&vector(&[(device(1), 2), (device(2), 1)])).await;
        assert_eq!(chunks, pushed[2..].to_vec());
    })
    .await;
}

#[tokio::test]
async fn concurrent_writers_reach_every_member_exactly_once() {
    bounded(120, async {
        let relay = Relay::fresh().await;
        let keys = WorkspaceSecret::generate().keys();
        let mut readers = Vec::new();
        for _ in 0..2 {
            let mut r = relay.connect(&keys).await;
            r.hello(&VersionVector::new()).await;
            readers.push(r);
        }
        let mut writers = Vec::new();
        for w in 1..=4u8 {
            let mut peer = relay.connect(&keys).await;
            peer.hello(&VersionVector::new()).await;
            let chunks = sealed(&keys, device(w), 1..=50, 300);
            writers.push(tokio::spawn(async move {
                let mut last = VersionVector::new();
                for c in chunks {
                    // other writers' chunks arrive interleaved with this one's acks
                    peer.send(&Message::Chunks { chunks: vec![c] }).await;
                    loop {
                        match peer.recv().await {
                            Message::Ack { vector } => {
                                last = vector;
                                break;
                            }
                            Message::Chunks { .. } => {}
                            other => panic!("unexpected {other:?}"),
                        }
                    }
                }
                assert!(last.get(&device(w)) == 50);
                peer
            }));
        }
        for w in writers {
            w.await.unwrap();
        }
        let expected = vector(&[(device(1), 50), (device(2), 50), (device(3), 50), (device(4), 50)]);
        for r in &mut readers {
            let got = r.recv_chunks(200).await;
            assert_eq!(got.len(), 200, "no duplicates");
            assert_eq!(keys_of(&got).len(), 200);
            r.expect_silence(Duration::from_millis(200)).await;
            let (more, reply) = r.hello(&expected).await;
            assert!(more.is_empty());
            assert_eq!(reply, expected);
        }
    })
    .await;
}

#[tokio::test]
async fn catch_up_streams_many_pages_in_bounded_frames_before_the_reply() {
    bounded(180, async {
        let relay = Relay::fresh().await;
        let keys = WorkspaceSecret::generate().keys();
        let mut writer = relay.connect(&keys).await;
        // 1,300 chunks over two devices: more than one 500-row page each for one of them
        let mut all = Vec::new();
        for (dev, n) in [(device(1), 1100u64), (device(2), 200)] {
            let chunks = sealed(&keys, dev, 1..=n, 2000);
            for batch in chunks.chunks(100) {
                writer.push(batch.to_vec()).await;
            }
            all.extend(chunks);
        }
        let mut reader = relay.connect(&keys).await;
        let (got, reply) = reader.hello(&VersionVector::new()).await;
        assert_eq!(got.len(), all.len(), "every chunk exactly once");
        assert_eq!(keys_of(&got), keys_of(&all));
        assert_eq!(reply, vector(&[(device(1), 1100), (device(2), 200)]));
        // frames were filled up to the budget, not one chunk per frame
        assert!(reader.received_bytes > 1300 * 2000);
    })
    .await;
}

#[tokio::test]
async fn a_member_that_falls_behind_live_forwarding_still_gets_every_chunk_once() {
    bounded(180, async {
        let relay = Relay::fresh().await;
        let keys = WorkspaceSecret::generate().keys();
        let mut writer = relay.connect(&keys).await;
        let mut slow = relay.connect(&keys).await;
        writer.hello(&VersionVector::new()).await;
        slow.hello(&VersionVector::new()).await;
        // ~16 MB pushed while the slow member reads nothing: its socket buffers fill, its
        // queue of forwarded batches overflows, and the relay catches it up from storage
        // the relay never opens bodies: opaque ones spare the test 16 MB of (debug-build) sealing
        let all = opaque(device(1), 1..=2000, 8 * 1024);
        for batch in all.chunks(10) {
            writer.push(batch.to_vec()).await;
        }
        let got = slow.recv_chunks(all.len()).await;
        assert_eq!(got.len(), all.len(), "no chunk twice");
        assert_eq!(keys_of(&got), keys_of(&all));
        slow.expect_silence(Duration::from_millis(300)).await;
    })
    .await;
}

#[tokio::test]
async fn an_oversized_frame_closes_only_that_connection_with_1009_and_a_reason() {
    bounded(90, async {
        let relay = Relay::fresh().await;
        let keys = WorkspaceSecret::generate().keys();
        let mut bystander = relay.connect(&keys).await;
        bystander.hello(&VersionVector::new()).await;

        let mut bad = relay.connect(&keys).await;
        bad.hello(&VersionVector::new()).await;
        // the send itself may or may not complete before the relay gives up on the frame
        let _ = bad.send_raw(WsMessage::Binary(vec![1u8; MAX_FRAME + 1].into())).await;
        let closed = bad.closed().await;
        let frame = closed.frame.expect("a close frame");
        assert_eq!(u16::from(frame.code), 1009);
        assert!(frame.reason.contains("exceeds"), "reason: {}", frame.reason);
        assert!(closed.errors.iter().any(|e| e.contains("exceeds")), "Message::Error too: {:?}", closed.errors);

        // a message over the limit split into frames under it is refused the same way
        let mut fragmented = relay.connect(&keys).await;
        let half = MAX_FRAME / 2 + 16;
        let first = Frame::message(vec![1u8; half], OpCode::Data(Data::Binary), false);
        let rest = Frame::message(vec![0u8; half], OpCode::Data(Data::Continue), true);
        let _ = fragmented.send_raw(WsMessage::Frame(first)).await;
        let _ = fragmented.send_raw(WsMessage::Frame(rest)).await;
        let closed = fragmented.closed().await;
        assert_eq!(u16::from(closed.frame.expect("a close frame").code), 1009);

        // the bystander keeps working, and new connections are accepted
        let ack = bystander.push(sealed(&keys, device(1), 1..=2, 100)).await;
        assert_eq!(ack.get(&device(1)), 2);
        let mut fresh = relay.connect(&keys).await;
        let (chunks, _) = fresh.hello(&VersionVector::new()).await;
        assert_eq!(chunks.len(), 2);
    })
    .await;
}

#[tokio::test]
async fn garbage_and_text_frames_get_an_error_message_and_a_1008_close() {
    bounded(90, async {
        let relay = Relay::fresh().await;
        let keys = WorkspaceSecret::generate().keys();
        let mut bystander = relay.connect(&keys).await;
        bystander.hello(&VersionVector::new()).await;

        let hostile: Vec<WsMessage> = vec![
            WsMessage::Binary(vec![1, 200, 200, 200].into()),
            WsMessage::Binary(vec![9, 0].into()),
            WsMessage::Binary(Vec::new().into()),
            WsMessage::Text("hello".into()),
        ];
        for (i, frame) in hostile.into_iter().enumerate() {
            let mut bad = relay.connect(&keys).await;
            bad.send_raw(frame).await.unwrap();
            let closed = bad.closed().await;
            let close = closed.frame.unwrap_or_else(|| panic!("frame {i}: a close frame"));
            assert_eq!(u16::from(close.code), 1008, "frame {i}");
            assert!(!close.reason.is_empty(), "frame {i}: the close has a reason");
            assert_eq!(closed.errors.len(), 1, "frame {i}: one Message::Error before the close");

            // everyone else is fine
            let ack = bystander.push(sealed(&keys, device(1), i as u64 + 1..=i as u64 + 1, 64)).await;
            assert_eq!(ack.get(&device(1)), i as u64 + 1);
        }
        let mut fresh = relay.connect(&keys).await;
        let (chunks, reply) = fresh.hello(&VersionVector::new()).await;
        assert_eq!(chunks.len(), 4);
        assert_eq!(reply.get(&device(1)), 4);

        // a chunk with a seq beyond what the store can index is refused, not stored
        let mut huge_seq = relay.connect(&keys).await;
        let mut c = sealed(&keys, device(3), 1..=1, 10).remove(0);
        c.seq = u64::MAX;
        huge_seq.send(&Message::Chunks { chunks: vec![c] }).await;
        let closed = huge_seq.closed().await;
        assert_eq!(u16::from(closed.frame.expect("close").code), 1008);
        assert_eq!(bystander.push(Vec::from([sealed(&keys, device(1), 5..=5, 8).remove(0)])).await.get(&device(3)), 0);
    })
    .await;
}

#[tokio::test]
async fn acked_chunks_survive_kill_9_and_restart() {
    bounded(120, async {
        let data = tempfile::tempdir().unwrap();
        let keys = WorkspaceSecret::generate().keys();
        let relay = Relay::start(data.path()).await;
        let mut a = relay.connect(&keys).await;
        a.hello(&VersionVector::new()).await;
        let mut acked = Vec::new();
        for (dev, range) in [(device(1), 1..=30u64), (device(2), 1..=20)] {
            for seq in range {
                let chunk = sealed(&keys, dev, seq..=seq, 300);
                let ack = a.push(chunk.clone()).await;
                assert!(ack.get(&dev) >= seq);
                acked.extend(chunk);
            }
        }
        relay.kill_9().await;

        let relay = Relay::start(data.path()).await;
        let mut b = relay.connect(&keys).await;
        let (chunks, reply) = b.hello(&VersionVector::new()).await;
        assert_eq!(reply, vector(&[(device(1), 30), (device(2), 20)]));
        assert_eq!(keys_of(&chunks), keys_of(&acked));
        for c in &chunks {
            let original = acked.iter().find(|o| o.key() == c.key()).unwrap();
            assert_eq!(c, original, "stored exactly as received");
        }
        // the workspace is still registered to the same token only
        let intruder = WorkspaceSecret::generate().keys();
        let wrong = format!("crm-sync.v1, auth.{}", intruder.token.to_hex());
        assert!(relay.try_connect(&keys.workspace.to_string(), Some(&wrong)).await.is_err());
    })
    .await;
}

#[tokio::test]
async fn sigterm_closes_open_connections_with_1001_and_exits_promptly() {
    bounded(60, async {
        let data = tempfile::tempdir().unwrap();
        let mut relay = Relay::start(data.path()).await;
        let keys = WorkspaceSecret::generate().keys();
        let mut peer = relay.connect(&keys).await;
        peer.hello(&VersionVector::new()).await;
        let status = std::process::Command::new("kill").args(["-TERM", &relay.pid().to_string()]).status().unwrap();
        assert!(status.success());
        let closed = peer.closed().await;
        assert_eq!(u16::from(closed.frame.expect("a close frame").code), 1001);
        let exit = step("relay exits after SIGTERM", relay.wait()).await;
        assert!(exit.success(), "{exit:?}");
    })
    .await;
}

#[tokio::test]
async fn the_database_files_hold_no_plaintext_of_stored_chunks() {
    bounded(90, async {
        let data = tempfile::tempdir().unwrap();
        let relay = Relay::start(data.path()).await;
        let secret = WorkspaceSecret::generate();
        let keys = secret.keys();
        const MARKER: &str = "PLAINTEXT-MARKER-5f3a9c";
        const CUSTOMER: &str = "Zhang Wei Trading 张伟贸易";

        // a real customer document created on a device, plus a raw chunk with the marker
        let mut author = Replica::device(device(1), keys.clone());
        let doc = DocId([0x42; 16]);
        let created = author.create(doc, Kind::Company, &format!("{CUSTOMER} {MARKER}"));
        let raw = keys.seal(&crm_core::Chunk {
            device: device(2),
            seq: 1,
            doc,
            data: format!("note: {MARKER} for {CUSTOMER}").into_bytes(),
        });
        let mut a = relay.connect(&keys).await;
        a.hello(&VersionVector::new()).await;
        let ack = a.push(vec![created.clone(), raw.clone()]).await;
        assert_eq!(ack, vector(&[(device(1), 1), (device(2), 1)]));

        // the relay really holds them: another device fetches them back and opens them
        let mut b = relay.connect(&keys).await;
        let (chunks, _) = b.hello(&VersionVector::new()).await;
        assert_eq!(chunks.len(), 2);
        let mut reader = Replica::device(device(3), keys.clone());
        reader.ingest(chunks.clone()).unwrap();
        assert!(reader.customers()[&doc].name.contains(MARKER));
        let opened = keys.open(chunks.iter().find(|c| c.device == device(2)).unwrap()).unwrap();
        assert!(contains(&opened.data, MARKER.as_bytes()));

        // ... yet no file in its data directory contains the plaintext, nor any secret
        drop((a, b));
        let bytes = dir_bytes(data.path());
        assert!(data.path().join("relay.sqlite3").exists());
        assert!(contains(&bytes, &raw.body[..32]), "sanity: the sealed body is in the scanned files");
        for needle in [MARKER.as_bytes(), CUSTOMER.as_bytes(), "张伟贸易".as_bytes(), "Zhang Wei".as_bytes()] {
            assert!(!contains(&bytes, needle), "plaintext {:?} found at rest", String::from_utf8_lossy(needle));
        }
        for secret_bytes in
            [&keys.token.0[..], keys.token.to_hex().as_bytes(), &secret.0[..], secret.to_hex().as_bytes()]
        {
            assert!(!contains(&bytes, secret_bytes), "a secret is stored at rest");
        }
        assert!(contains(&bytes, &keys.token.hash()), "only the token's hash is stored");
    })
    .await;
}

#[tokio::test]
async fn reconnecting_with_nothing_new_costs_one_round_trip_under_2_kb() {
    bounded(120, async {
        let relay = Relay::fresh().await;
        let keys = WorkspaceSecret::generate().keys();
        let mut a = relay.connect(&keys).await;
        a.hello(&VersionVector::new()).await;
        for d in 1..=3u8 {
            for batch in sealed(&keys, device(d), 1..=200, 500).chunks(50) {
                a.push(batch.to_vec()).await;
            }
        }
        let everything = vector(&[(device(1), 200), (device(2), 200), (device(3), 200)]);

        let mut again = relay.connect(&keys).await;
        again.send(&Message::Have { vector: everything.clone(), reply: true }).await;
        // the very next frame is the reply: no chunks, one round trip
        match again.recv().await {
            Message::Have { vector, reply: false } => assert_eq!(vector, everything),
            other => panic!("expected the Have reply, got {other:?}"),
        }
        again.expect_silence(Duration::from_millis(300)).await;
        // payloads plus WebSocket framing (client frames: <= 8 header + 4 mask bytes; server: <= 4)
        let total = again.sent_bytes + 12 + again.received_bytes + 4;
        assert!(total < 2048, "{total} bytes for Have + reply");
    })
    .await;
}
