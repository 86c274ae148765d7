//! A hardened relay (issue 5): hostile and abusive traffic over real sockets. Truncated,
//! replayed, rewritten and over-quota pushes are refused or ignored with nothing stored
//! changing; a connection over its rate is slowed down, not served faster and not buffered.

mod common;

use common::*;
use crm_core::sync::Message;
use crm_core::{VersionVector, WorkspaceSecret};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message as WsMessage;

/// What a newly connected member of the workspace is given: every stored chunk.
async fn stored(relay: &Relay, keys: &crm_core::WorkspaceKeys) -> Vec<crm_core::SealedChunk> {
    let mut late = relay.connect(keys).await;
    late.hello(&VersionVector::new()).await.0
}

#[tokio::test]
async fn a_truncated_frame_is_refused_with_a_reason_and_stores_nothing() {
    bounded(90, async {
        let relay = Relay::fresh().await;
        let keys = WorkspaceSecret::generate().keys();
        let mut peer = relay.connect(&keys).await;
        peer.hello(&VersionVector::new()).await;
        let frame = Message::Chunks { chunks: sealed(&keys, device(1), 1..=3, 200) }.encode();
        for cut in [frame.len() - 1, frame.len() / 2, 3] {
            let mut bad = relay.connect(&keys).await;
            bad.hello(&VersionVector::new()).await;
            bad.send_raw(WsMessage::Binary(frame[..cut].to_vec().into())).await.expect("send");
            let closed = bad.closed().await;
            assert_eq!(u16::from(closed.frame.expect("a close frame").code), 1008, "cut at {cut}");
            assert!(!closed.errors.is_empty(), "a Message::Error says why (cut at {cut})");
        }
        assert!(stored(&relay, &keys).await.is_empty(), "nothing of a truncated push is stored");
        // the whole frame still works
        assert_eq!(peer.push(sealed(&keys, device(1), 1..=3, 200)).await.get(&device(1)), 3);
    })
    .await;
}

#[tokio::test]
async fn replayed_and_rewritten_chunks_change_nothing_stored() {
    bounded(90, async {
        let relay = Relay::fresh().await;
        let keys = WorkspaceSecret::generate().keys();
        let original = sealed(&keys, device(2), 1..=2, 300);
        let mut a = relay.connect(&keys).await;
        a.hello(&VersionVector::new()).await;
        a.push(original.clone()).await;

        // the same frame again, from another connection: acknowledged, stored once
        let mut replayer = relay.connect(&keys).await;
        replayer.hello(&VersionVector::new()).await;
        assert_eq!(replayer.push(original.clone()).await.get(&device(2)), 2);
        // the same (device, seq) with another body: the first one stays
        let mut forged = original.clone();
        for c in &mut forged {
            c.body = vec![0xAB; c.body.len()];
        }
        assert_eq!(replayer.push(forged).await.get(&device(2)), 2);
        let got = stored(&relay, &keys).await;
        assert_eq!(got, original, "each chunk once, with its original body");
        // and a member that saw the original is not sent the replay or the forgery
        a.expect_silence(Duration::from_millis(300)).await;

        // a chunk of this workspace pushed into another one stays there: it neither
        // reaches this workspace nor becomes readable (the other workspace's key differs)
        let other = WorkspaceSecret::generate().keys();
        let mut intruder = relay.connect(&other).await;
        intruder.hello(&VersionVector::new()).await;
        intruder.push(sealed(&keys, device(9), 1..=1, 50)).await;
        assert_eq!(stored(&relay, &keys).await, original);
        let theirs = stored(&relay, &other).await;
        assert_eq!(theirs.len(), 1);
        assert!(other.open(&theirs[0]).is_err(), "sealed for another workspace: it does not open");
    })
    .await;
}

#[tokio::test]
async fn a_push_beyond_the_workspace_quota_is_refused_whole_and_earlier_data_stays() {
    bounded(90, async {
        let tmp = tempfile::tempdir().unwrap();
        let relay = Relay::start_with(tmp.path(), &["--workspace-quota", "4000"], None).await;
        let keys = WorkspaceSecret::generate().keys();
        let mut peer = relay.connect(&keys).await;
        peer.hello(&VersionVector::new()).await;
        let first = opaque(device(3), 1..=3, 1000);
        assert_eq!(peer.push(first.clone()).await.get(&device(3)), 3);
        // a replay costs nothing against the quota
        assert_eq!(peer.push(first.clone()).await.get(&device(3)), 3);

        peer.send(&Message::Chunks { chunks: opaque(device(3), 4..=5, 1000) }).await;
        let closed = peer.closed().await;
        assert_eq!(u16::from(closed.frame.expect("a close frame").code), 1008);
        assert!(
            closed.errors.iter().any(|e| e.contains("may store 4000 bytes") && e.contains("not stored")),
            "{:?}",
            closed.errors
        );
        assert_eq!(stored(&relay, &keys).await, first, "none of the refused push, all of before");

        // the quota is per workspace: another one is not affected
        let other = WorkspaceSecret::generate().keys();
        let mut o = relay.connect(&other).await;
        o.hello(&VersionVector::new()).await;
        assert_eq!(o.push(opaque(device(4), 1..=3, 1000)).await.get(&device(4)), 3);
    })
    .await;
}

#[tokio::test]
async fn a_connection_over_its_byte_rate_is_slowed_down_not_dropped() {
    bounded(120, async {
        let tmp = tempfile::tempdir().unwrap();
        // 40 kB a second, a second's worth up front
        let relay = Relay::start_with(tmp.path(), &["--conn-bytes-per-sec", "40000"], None).await;
        let keys = WorkspaceSecret::generate().keys();
        let mut peer = relay.connect(&keys).await;
        peer.hello(&VersionVector::new()).await;
        let t0 = Instant::now();
        // 10 pushes of 20 kB: 200 kB, of which 160 kB over the first second's budget
        for k in 0..10u64 {
            let ack = peer.push(opaque(device(5), k + 1..=k + 1, 20_000)).await;
            assert_eq!(ack.get(&device(5)), k + 1);
        }
        let took = t0.elapsed();
        assert!(took >= Duration::from_millis(3_500), "200 kB at 40 kB/s took only {took:?}");
        assert_eq!(stored(&relay, &keys).await.len(), 10, "every chunk stored: slowed, not refused");
    })
    .await;
}

#[tokio::test]
async fn a_flood_of_tiny_messages_is_paced_by_the_message_rate() {
    bounded(120, async {
        let tmp = tempfile::tempdir().unwrap();
        let relay = Relay::start_with(tmp.path(), &["--conn-msgs-per-sec", "50"], None).await;
        let keys = WorkspaceSecret::generate().keys();
        let mut peer = relay.connect(&keys).await;
        let t0 = Instant::now();
        // 150 requests of 50 a second, 50 of them free: at least 2 s before the last reply
        for _ in 0..150 {
            peer.hello(&VersionVector::new()).await;
        }
        let took = t0.elapsed();
        assert!(took >= Duration::from_millis(1_800), "150 messages at 50/s took only {took:?}");
    })
    .await;
}

#[tokio::test]
async fn ephemeral_messages_reach_the_workspaces_other_connections_and_are_never_stored() {
    bounded(90, async {
        let relay = Relay::fresh().await;
        let keys = WorkspaceSecret::generate().keys();
        let other_ws = WorkspaceSecret::generate().keys();
        let mut a = relay.connect(&keys).await;
        let mut b = relay.connect(&keys).await;
        let mut stranger = relay.connect(&other_ws).await;
        for p in [&mut a, &mut b, &mut stranger] {
            p.hello(&VersionVector::new()).await;
        }
        let body = keys.seal_ephemeral(b"alice is on customer 7");
        a.send(&Message::Ephemeral { body: body.clone() }).await;
        assert_eq!(b.recv().await, Message::Ephemeral { body: body.clone() });
        a.expect_silence(Duration::from_millis(300)).await;
        stranger.expect_silence(Duration::from_millis(300)).await;
        assert!(stored(&relay, &keys).await.is_empty(), "an ephemeral message is not stored");
        // one over the size limit closes the sender's connection with a reason
        a.send(&Message::Ephemeral { body: vec![0; crm_core::sync::MAX_EPHEMERAL + 1] }).await;
        let closed = a.closed().await;
        assert_eq!(u16::from(closed.frame.expect("a close frame").code), 1008);
        assert!(closed.errors.iter().any(|e| e.contains("ephemeral")), "{:?}", closed.errors);
        b.expect_silence(Duration::from_millis(300)).await;
    })
    .await;
}
