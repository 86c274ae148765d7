//! Compaction at the relay over real sockets: a snapshot is stored with its covers, the
//! chunks it covers are dropped once the retention window has passed (never before, never
//! the snapshot, never another document's), a client with an old vector catches up across the
//! drop, malformed snapshot headers are refused with a reason and store nothing, and a
//! customer edited 10,000 times stays small in the relay's SQLite.

mod common;

#[path = "../../core/examples/compaction_bytes.rs"]
#[allow(dead_code)]
mod scenario;

use common::*;
use crm_core::compaction::Policy;
use crm_core::replica::Replica;
use crm_core::sync::{Message, Session};
use crm_core::{ChunkKey, Covers, DocId, Edit, Field, Kind, SealedChunk, VersionVector, WorkspaceId, WorkspaceSecret};
use std::path::Path;
use std::time::{Duration, Instant};

/// Rows and body bytes of `workspace`'s chunks in the relay's database, read beside it.
fn db_chunks(data: &Path, workspace: WorkspaceId) -> (i64, i64) {
    let conn = rusqlite::Connection::open(data.join(crm_relay::store::DB_FILE)).unwrap();
    conn.query_row(
        "SELECT COUNT(*), COALESCE(SUM(LENGTH(body)), 0) FROM chunks WHERE workspace = ?1",
        [workspace.to_string()],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .unwrap()
}

/// Waits until the relay holds at most `rows` chunks of `workspace`.
async fn until_rows(data: &Path, workspace: WorkspaceId, rows: i64) -> (i64, i64) {
    let start = Instant::now();
    loop {
        let now = db_chunks(data, workspace);
        if now.0 <= rows {
            return now;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "the relay still holds {now:?}, expected {rows} rows");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Pushes chunks in frames within the frame budget; returns the last acknowledgement.
async fn push_all(peer: &mut Peer, chunks: Vec<SealedChunk>) -> VersionVector {
    let mut ack = VersionVector::new();
    for frame in Session::new().chunks_for_peer(chunks) {
        let Message::Chunks { chunks } = frame else { unreachable!("chunks_for_peer frames chunks") };
        ack = peer.push(chunks).await;
    }
    ack
}

async fn relay_with_retention(secs: u64) -> (Relay, tempfile::TempDir) {
    let tmp = tempfile::tempdir().unwrap();
    let relay = Relay::start_with(tmp.path(), &["--retention-secs", &secs.to_string(), "--sweep-every-secs", "1"], None).await;
    (relay, tmp)
}

#[tokio::test]
async fn a_snapshot_is_kept_its_covered_chunks_dropped_after_the_window_and_old_vectors_catch_up() {
    bounded(120, async {
        let (relay, tmp) = relay_with_retention(4).await;
        let secret = WorkspaceSecret::generate();
        let keys = secret.keys();
        let id = DocId([1; 16]);
        let mut a = Replica::device(device(1), keys.clone());
        let mut chunks = vec![a.create(id, Kind::Company, "Acme")];
        for i in 0..40 {
            chunks.extend(a.edit(id, &[Edit::Set(Field::Phone, format!("{i}"))]).unwrap());
        }
        // another customer, whose chunk sits between the first one's and is never covered
        let other = a.create(DocId([2; 16]), Kind::Person, "Bystander");
        // b saw the beginning, then went offline and kept editing
        let mut b = Replica::device(device(2), keys.clone());
        b.ingest(chunks[..5].to_vec()).unwrap();
        for i in 0..3 {
            b.edit(id, &[Edit::AddTag(format!("offline{i}"))]).unwrap();
        }

        let mut pa = relay.connect(&keys).await;
        pa.hello(&VersionVector::new()).await;
        let mut all = chunks.clone();
        all.push(other.clone());
        push_all(&mut pa, all).await;
        let snap = a.compact(id, None).unwrap().expect("a snapshot");
        assert_eq!(pa.push(vec![snap.clone()]).await, *a.vector(), "the snapshot is acked like any chunk");
        let ws = keys.workspace;
        assert_eq!(db_chunks(tmp.path(), ws).0, 43, "inside the window nothing is dropped");

        // inside the window a newcomer gets everything, the snapshot with its covers intact
        let mut early = relay.connect(&keys).await;
        let (got, _) = early.hello(&VersionVector::new()).await;
        assert!(got.contains(&snap));
        assert!(keys.open(got.iter().find(|c| c.is_snapshot()).unwrap()).is_ok());

        // after the window: the snapshot and the other customer's chunk are all that is left
        let (rows, bytes) = until_rows(tmp.path(), ws, 2).await;
        assert_eq!(rows, 2, "{bytes} bytes");
        // re-pushing a dropped chunk stores nothing: the snapshot holds it
        assert_eq!(pa.push(chunks[10..12].to_vec()).await, *a.vector());
        assert_eq!(db_chunks(tmp.path(), ws).0, 2);

        // a newcomer gets the snapshot and the other chunk, and the relay's full vector
        let mut late = relay.connect(&keys).await;
        let (got, reply) = late.hello(&VersionVector::new()).await;
        assert_eq!(got.len(), 2);
        assert_eq!(reply, *a.vector(), "dropped keys still count as held: the vector has no holes");
        let mut c = Replica::device(device(3), keys.clone());
        c.ingest(got).unwrap();
        assert_eq!(c.customers(), a.customers());
        assert_eq!(c.vector(), a.vector());

        // b, with a vector from before the drop, gets only the snapshot and pushes its edits
        let mut pb = relay.connect(&keys).await;
        let (got, reply) = pb.hello(b.vector()).await;
        assert_eq!(got.iter().map(|c| c.key()).collect::<Vec<_>>(), vec![other.key(), snap.key()]);
        b.ingest(got).unwrap();
        let ack = push_all(&mut pb, b.missing_for(&reply)).await;
        assert_eq!(ack.get(&device(2)), 3);
        let (got, _) = pa.hello(a.vector()).await;
        a.ingest(got).unwrap();
        assert_eq!(a.customers(), b.customers());
        assert_eq!(a.customers()[&id].phone, "39");
        assert_eq!(a.customers()[&id].tags.len(), 3, "every offline edit arrived");
        assert_eq!(a.vector(), b.vector());

        // a restarted relay rebuilds the same gap-free vector from its database alone
        relay.kill_9().await;
        let relay = Relay::start_with(tmp.path(), &["--retention-secs", "4"], None).await;
        let mut after = relay.connect(&keys).await;
        assert_eq!(after.hello(a.vector()).await, (Vec::new(), a.vector().clone()));
    })
    .await;
}

#[tokio::test]
async fn malformed_snapshot_headers_are_refused_with_a_reason_and_store_nothing() {
    bounded(90, async {
        let relay = Relay::fresh().await;
        let keys = WorkspaceSecret::generate().keys();
        let ws = keys.workspace;
        let mut owner = relay.connect(&keys).await;
        owner.hello(&VersionVector::new()).await;
        owner.push(sealed(&keys, device(1), 1..=3, 64)).await;
        let before = owner.hello(&VersionVector::new()).await.1;
        let rows = db_chunks(&relay.data, ws);

        let snap = |dev: u8, seq: u64, doc: DocId, covered: &[(u8, u64)]| SealedChunk {
            device: device(dev),
            seq,
            doc,
            snapshot: Some(Covers::from_keys(covered.iter().map(|&(d, s)| ChunkKey { device: device(d), seq: s }))),
            body: vec![5; 64],
        };
        let chunks = |c: SealedChunk| Message::Chunks { chunks: vec![c] }.encode();
        // covers its own seq
        let self_covering = chunks(snap(2, 2, DocId([1; 16]), &[(2, 1), (2, 2)]));
        // ranges that touch, hand-encoded (the API never makes them)
        let mut unmerged = vec![self_covering[0]];
        let raw = (1u32, vec![(device(2), 9u64, DocId([1; 16]), Some(vec![(device(1), vec![(1u64, 1u64), (2u64, 2u64)])]), vec![5u8; 64])]);
        unmerged.extend(postcard::to_stdvec(&raw).unwrap());
        // covers a chunk the relay holds for another document (sealed() gives chunk n doc [n; 16])
        let foreign = chunks(snap(2, 1, DocId([1; 16]), &[(1, 1), (1, 2)]));
        // covers a long range far past anything the relay holds (a small header, much memory)
        let mut far = Covers::new();
        far.insert_range(device(5), 2, 300_001);
        let far_ahead = chunks(SealedChunk { snapshot: Some(far), ..snap(2, 1, DocId([1; 16]), &[]) });
        // a node of the previous protocol version
        let old = vec![1u8, 0, 0, 0];
        for (frame, reason) in [
            (self_covering, "own device"),
            (unmerged, "unmerged"),
            (foreign, "belongs to another document"),
            (far_ahead, "past gaps"),
            (old, "unsupported protocol version 1"),
        ] {
            let mut bad = relay.connect(&keys).await;
            bad.send_raw(tokio_tungstenite::tungstenite::Message::Binary(frame.into())).await.unwrap();
            let closed = bad.closed().await;
            assert_eq!(closed.errors.len(), 1, "{reason}: one Message::Error");
            assert!(closed.errors[0].contains(reason), "expected {reason:?} in {:?}", closed.errors[0]);
            assert_eq!(closed.frame.map(|f| u16::from(f.code)), Some(1008), "{reason}");
            assert_eq!(db_chunks(&relay.data, ws), rows, "{reason}: nothing stored");
        }
        assert_eq!(owner.hello(&VersionVector::new()).await.1, before, "the relay's vector is unchanged");
    })
    .await;
}

#[tokio::test]
async fn a_customer_edited_ten_thousand_times_stays_small_in_the_relays_sqlite() {
    bounded(300, async {
        let (relay, tmp) = relay_with_retention(1).await;
        let (bytes, all) = scenario::measure(10_000, &Policy::default());
        let keys = WorkspaceSecret([7; 32]).keys(); // the scenario's workspace
        let mut peer = relay.connect(&keys).await;
        peer.hello(&VersionVector::new()).await;
        let ack = push_all(&mut peer, all.clone()).await;
        let total: u64 = ack.0.values().sum();
        assert_eq!(total as usize, all.len(), "every chunk and snapshot acknowledged");
        let latest = all.iter().rev().find(|c| c.is_snapshot()).unwrap().key();
        let tail = all.iter().filter(|c| c.key() > latest).count() as i64;
        let (rows, body_bytes) = until_rows(tmp.path(), keys.workspace, tail + 1).await;
        let conn = rusqlite::Connection::open(tmp.path().join(crm_relay::store::DB_FILE)).unwrap();
        let used: i64 = conn
            .query_row(
                "SELECT (SELECT page_count FROM pragma_page_count()) - (SELECT freelist_count FROM pragma_freelist_count())",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let page: i64 = conn.query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap();
        println!(
            "relay sqlite, one customer edited 10,000 times: {rows} rows, {body_bytes} body bytes, {} bytes of used pages \
             (uncompacted {} bytes, device {} bytes)",
            used * page,
            bytes.uncompacted,
            bytes.device
        );
        let bound = 2 * bytes.save as i64 + 2 * Policy::default().min_bytes as i64 + 16 * 1024;
        assert!(body_bytes <= bound, "{body_bytes} body bytes at the relay, bound {bound}");
        // the database as a whole (schema, indexes, the workspace row) stays within a few pages
        // more; the key-epoch, envelope and invite tables and their indexes (members.rs) take a
        // page each even when empty
        assert!(used * page <= bound + 96 * 1024, "{} bytes of pages in use", used * page);
        // a newcomer catches up from what is left and sees the same customer
        let mut late = relay.connect(&keys).await;
        let (got, reply) = late.hello(&VersionVector::new()).await;
        assert_eq!(reply, ack);
        let mut fresh = Replica::device(device(9), keys.clone());
        fresh.ingest(got).unwrap();
        let mut device_view = Replica::device(device(8), keys);
        device_view.ingest(all).unwrap();
        assert_eq!(fresh.customers(), device_view.customers());
    })
    .await;
}
