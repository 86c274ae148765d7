//! The IndexedDB store in a real browser (headless Chromium via wasm-bindgen-test):
//! atomic local edits, seq allocation across two connections, reopening, and merging chunks
//! from another device. Run by `cargo xtask test`.
#![cfg(target_arch = "wasm32")]

use crm_core::customer::session_actor;
use crm_core::{ContactField, DocId, Edit, Field, Kind, VersionVector, WorkspaceSecret};
use crm_web::platform::store::{Store, StoreError};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn unique_name(tag: &str) -> String {
    format!("test-{tag}-{}", DocId::random())
}

#[wasm_bindgen_test]
async fn a_local_edit_writes_chunk_summary_and_counters_together() {
    let keys = WorkspaceSecret::generate().keys();
    let store = Store::open_named(&unique_name("edit"), keys.workspace).await.unwrap();
    let actor = session_actor(store.device);
    let (id, summary, first) = store.create(&keys, &actor, Kind::Company, "Acme", 1).await.unwrap();
    assert_eq!(summary.name, "Acme");
    assert_eq!(first.seq, 1);
    let (view, summary, chunk) = store
        .edit(&keys, &actor, id, &[Edit::Set(Field::Email, "a@acme.cn".into()), Edit::AddTag("vip".into())])
        .await
        .unwrap();
    assert_eq!(chunk.iter().map(|c| c.seq).collect::<Vec<_>>(), vec![2]);
    assert_eq!(view.customer.email, "a@acme.cn");
    assert_eq!(summary.tags, vec!["vip"]);
    assert_eq!(store.seq().await.unwrap(), 2);
    assert_eq!(store.log().await.unwrap().vector.get(&store.device), 2);
    let outbox = store.chunks_missing_for(&VersionVector::new()).await.unwrap();
    assert_eq!(outbox.iter().map(|c| c.seq).collect::<Vec<_>>(), vec![1, 2]);
    let listed = store.summaries().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].email, "a@acme.cn");
}

#[wasm_bindgen_test]
async fn a_failed_edit_stores_nothing() {
    let keys = WorkspaceSecret::generate().keys();
    let store = Store::open_named(&unique_name("fail"), keys.workspace).await.unwrap();
    let actor = session_actor(store.device);
    let (id, _, _) = store.create(&keys, &actor, Kind::Person, "Li Lei", 1).await.unwrap();
    let err = store
        .edit(&keys, &actor, id, &[Edit::Set(Field::Owner, "wu".into()), Edit::SetContact { id: "nope".into(), field: ContactField::Name, value: "x".into() }])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Model(_)), "{err}");
    assert_eq!(store.seq().await.unwrap(), 1);
    assert_eq!(store.chunks_missing_for(&VersionVector::new()).await.unwrap().len(), 1);
    assert_eq!(store.customer(id).await.unwrap().unwrap().customer.owner, "");
    assert_eq!(store.summaries().await.unwrap()[0].owner, "");
    let missing = store.edit(&keys, &actor, DocId::random(), &[Edit::AddTag("x".into())]).await.unwrap_err();
    assert!(matches!(missing, StoreError::NoCustomer(_)));
}

#[wasm_bindgen_test]
async fn two_connections_never_reuse_a_seq_or_lose_an_edit() {
    let keys = WorkspaceSecret::generate().keys();
    let name = unique_name("tabs");
    // two tabs of one browser: two connections to one database, two actors, one device
    let a = Store::open_named(&name, keys.workspace).await.unwrap();
    let b = Store::open_named(&name, keys.workspace).await.unwrap();
    assert_eq!(a.device, b.device);
    let (actor_a, actor_b) = (session_actor(a.device), session_actor(b.device));
    let (id, _, _) = a.create(&keys, &actor_a, Kind::Company, "Shared", 1).await.unwrap();
    let n = 10;
    let tags_a: Vec<[Edit; 1]> = (0..n).map(|i| [Edit::AddTag(format!("a{i}"))]).collect();
    let tags_b: Vec<[Edit; 1]> = (0..n).map(|i| [Edit::AddTag(format!("b{i}"))]).collect();
    // start all of them before awaiting any: IndexedDB interleaves the two connections
    let mut all = Vec::new();
    for (ea, eb) in tags_a.iter().zip(&tags_b) {
        all.push(a.edit(&keys, &actor_a, id, ea));
        all.push(b.edit(&keys, &actor_b, id, eb));
    }
    let results = futures::future::join_all(all).await;
    let mut seqs: Vec<u64> = results.into_iter().map(|r| r.unwrap().2[0].seq).collect();
    seqs.sort();
    assert_eq!(seqs, (2..=(2 * n as u64 + 1)).collect::<Vec<_>>(), "every seq used once");
    let chunks = a.chunks_missing_for(&VersionVector::new()).await.unwrap();
    assert_eq!(chunks.len(), 2 * n + 1);
    let tags = b.customer(id).await.unwrap().unwrap().customer.tags;
    assert_eq!(tags.len(), 2 * n, "no edit lost: {tags:?}");
}

#[wasm_bindgen_test]
async fn reopening_the_database_shows_exactly_what_was_stored() {
    let keys = WorkspaceSecret::generate().keys();
    let name = unique_name("reopen");
    let store = Store::open_named(&name, keys.workspace).await.unwrap();
    let actor = session_actor(store.device);
    let (id, _, _) = store.create(&keys, &actor, Kind::Company, "北京科技", 1).await.unwrap();
    store
        .edit(&keys, &actor, id, &[Edit::AddContact { id: "c1".into() }, Edit::SetContact { id: "c1".into(), field: ContactField::Name, value: "张三".into() }])
        .await
        .unwrap();
    let device = store.device;
    let before = store.customer(id).await.unwrap().unwrap();
    store.close();
    let again = Store::open_named(&name, keys.workspace).await.unwrap();
    assert_eq!(again.device, device, "the device keeps its identity");
    assert_eq!(again.seq().await.unwrap(), 2);
    assert_eq!(again.customer(id).await.unwrap().unwrap(), before);
    assert_eq!(again.summaries().await.unwrap()[0].name, "北京科技");
    // the next edit continues the log
    let actor = session_actor(again.device);
    let (_, _, chunk) = again.edit(&keys, &actor, id, &[Edit::Set(Field::Phone, "010".into())]).await.unwrap();
    assert_eq!(chunk[0].seq, 3);
}

#[wasm_bindgen_test]
async fn chunks_from_another_device_merge_and_tampered_ones_are_refused() {
    let keys = WorkspaceSecret::generate().keys();
    let a = Store::open_named(&unique_name("dev-a"), keys.workspace).await.unwrap();
    let b = Store::open_named(&unique_name("dev-b"), keys.workspace).await.unwrap();
    assert_ne!(a.device, b.device);
    let actor = session_actor(a.device);
    let (id, _, _) = a.create(&keys, &actor, Kind::Company, "Acme", 1).await.unwrap();
    a.edit(&keys, &actor, id, &[Edit::Set(Field::Owner, "wang".into())]).await.unwrap();
    let mut chunks = a.chunks_missing_for(&VersionVector::new()).await.unwrap();
    let mut bad = chunks[1].clone();
    bad.seq = 3; // moved to another slot: must not open
    chunks.push(bad);
    // delivered reversed and twice
    let mut delivery = chunks.clone();
    delivery.reverse();
    delivery.extend(chunks.clone());
    let out = b.ingest(&keys, delivery).await.unwrap();
    assert_eq!(out.fresh.len(), 2);
    assert_eq!(out.rejected.len(), 2, "{:?}", out.rejected);
    assert_eq!(out.log.vector.get(&a.device), 2);
    let c = b.customer(id).await.unwrap().unwrap().customer;
    assert_eq!((c.name.as_str(), c.owner.as_str()), ("Acme", "wang"));
    // b can now serve a's chunks to a third node
    assert_eq!(b.chunks_missing_for(&VersionVector::new()).await.unwrap().len(), 2);
}

#[wasm_bindgen_test]
fn a_full_disk_is_reported_in_words_that_say_nothing_was_lost() {
    let full = web_sys::DomException::new_with_message_and_name("The quota has been exceeded.", "QuotaExceededError").unwrap();
    let err = StoreError::from(indexed_db_futures::error::Error::from(full));
    assert!(matches!(err, StoreError::QuotaExceeded), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("storage is full") && text.contains("nothing saved before was lost"), "{text}");
    let other = web_sys::DomException::new_with_message_and_name("bad key", "DataError").unwrap();
    assert!(matches!(StoreError::from(indexed_db_futures::error::Error::from(other)), StoreError::Idb(_)));
}

#[wasm_bindgen_test]
async fn a_customer_edited_many_times_is_compacted_and_another_device_rebuilds_it() {
    let keys = WorkspaceSecret::generate().keys();
    let store = Store::open_named(&unique_name("compact"), keys.workspace).await.unwrap();
    let actor = session_actor(store.device);
    let (id, _, _) = store.create(&keys, &actor, Kind::Company, "Busy Co", 1).await.unwrap();
    let mut snapshots = Vec::new();
    for i in 0..200 {
        let (_, _, chunks) = store.edit(&keys, &actor, id, &[Edit::Set(Field::Phone, format!("+86 10 5555 {i:04}"))]).await.unwrap();
        snapshots.extend(chunks.into_iter().filter(|c| c.is_snapshot()));
    }
    assert!(!snapshots.is_empty(), "200 edits of one customer make a snapshot");
    let held = store.chunks_missing_for(&VersionVector::new()).await.unwrap();
    assert!(held.len() < 100, "covered chunks are gone: {} of 201 left", held.len());
    // the device's log still counts every seq it used (a snapshot does not leave holes)
    assert_eq!(store.log().await.unwrap().vector.get(&store.device), store.seq().await.unwrap());
    assert_eq!(store.customer(id).await.unwrap().unwrap().customer.phone, "+86 10 5555 0199");
    // another device gets everything from what is left
    let other = Store::open_named(&unique_name("compact-b"), keys.workspace).await.unwrap();
    let ingested = other.ingest(&keys, held).await.unwrap();
    assert!(ingested.rejected.is_empty(), "{:?}", ingested.rejected);
    assert_eq!(other.customer(id).await.unwrap().unwrap().customer.phone, "+86 10 5555 0199");
    assert_eq!(other.log().await.unwrap().vector, store.log().await.unwrap().vector);
}
