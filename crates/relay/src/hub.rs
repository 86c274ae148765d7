//! Per-workspace shared state while any of its members is connected: the relay's own
//! [`ChunkLog`] for the workspace (what it holds; loaded from the database on first use and
//! then kept in step with every commit), and the fan-out channel that carries newly stored
//! chunks to the workspace's other connections. Workspaces never share a hub, so one
//! workspace's chunks cannot reach another's members.
//!
//! Stores to one workspace are serialised by the log's lock: commit, then record in the log,
//! so the log never claims a chunk that is not durable. A stored snapshot's covered keys count
//! as held (crm_core::compaction): chunks it covers are not stored again, and the vector the
//! relay states stays gap-free after the retention sweep drops them.

use crate::limits::Bucket;
use crate::store::{Store, StoreError};
use crm_core::vv::ChunkLog;
use crm_core::{DeviceId, SealedChunk, VersionVector, WorkspaceId};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;

/// Batches of forwarded chunks a slow connection may fall behind by before it catches up
/// from the database instead.
const FORWARD_CAPACITY: usize = 64;

/// What one connection hands to the workspace's others.
#[derive(Debug)]
pub enum Forwarded {
    /// newly stored chunks
    Chunks(Vec<SealedChunk>),
    /// a sealed ephemeral message (presence, signalling): passed on, never stored
    Ephemeral(Vec<u8>),
    /// the workspace's key was rotated: every connection (authenticated with the old token)
    /// closes, and its device comes back with the new token or learns it was removed
    Rotated,
}

/// A forward, and the connection it came from (which must not get it back).
#[derive(Debug)]
pub struct Forward {
    pub from: u64,
    pub what: Forwarded,
}

pub struct Hub {
    pub workspace: WorkspaceId,
    /// the relay's log of the workspace and the bytes of chunk bodies it stores
    log: tokio::sync::Mutex<Option<(ChunkLog, u64)>>,
    tx: broadcast::Sender<Arc<Forward>>,
    /// the workspace's rate budget, shared by its connections
    pub bucket: Mutex<Bucket>,
}

/// A push the workspace's storage quota cannot take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverQuota {
    pub stored: u64,
    pub incoming: u64,
    pub quota: u64,
}

impl std::fmt::Display for OverQuota {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "this workspace may store {} bytes and holds {}; the {} bytes pushed were not stored",
            self.quota, self.stored, self.incoming
        )
    }
}

/// Keys a workspace's log may hold ahead of its vector. Snapshot covers are small on the wire
/// but a range past a gap is held key by key, so without this a short header could cost the
/// relay a lot of memory. Honest gaps are transient and small.
pub const MAX_AHEAD: u64 = 1 << 18;

/// A push the relay refuses, with the reason the peer is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    OverQuota(OverQuota),
    /// a snapshot claims to cover a chunk the relay holds for another document: receivers
    /// would count that chunk as held and never fetch it
    ForeignCover(String),
    /// a snapshot's covers would hold too many keys ahead of the relay's vector
    TooFarAhead(String),
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::OverQuota(q) => q.fmt(f),
            Refused::ForeignCover(s) | Refused::TooFarAhead(s) => f.write_str(s),
        }
    }
}

impl Hub {
    fn new(workspace: WorkspaceId, bytes_per_sec: u64) -> Hub {
        let (tx, _) = broadcast::channel(FORWARD_CAPACITY);
        Hub { workspace, log: tokio::sync::Mutex::new(None), tx, bucket: Mutex::new(Bucket::new(bytes_per_sec)) }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Forward>> {
        self.tx.subscribe()
    }

    /// The log's lock, with the log loaded from the database on first use.
    async fn loaded_log(
        &self,
        store: &Store,
    ) -> Result<tokio::sync::MutexGuard<'_, Option<(ChunkLog, u64)>>, StoreError> {
        let mut guard = self.log.lock().await;
        if guard.is_none() {
            let log = store.load_log(self.workspace).await?;
            let bytes = store.workspace_bytes(self.workspace).await?;
            *guard = Some((log, bytes));
        }
        Ok(guard)
    }

    async fn with_log<T>(&self, store: &Store, f: impl FnOnce(&mut ChunkLog) -> T) -> Result<T, StoreError> {
        let mut guard = self.loaded_log(store).await?;
        Ok(f(&mut guard.as_mut().expect("loaded_log loads it").0))
    }

    /// The relay's vector for this workspace.
    pub async fn vector(&self, store: &Store) -> Result<VersionVector, StoreError> {
        self.with_log(store, |log| log.vector.clone()).await
    }

    /// For each device the relay holds chunks of beyond `their`, the seq to read after.
    pub async fn missing_plan(&self, store: &Store, their: &VersionVector) -> Result<Vec<(DeviceId, u64)>, StoreError> {
        self.with_log(store, |log| {
            let mut top: BTreeMap<DeviceId, u64> = log.vector.0.clone();
            for key in &log.ahead {
                let e = top.entry(key.device).or_insert(0);
                *e = (*e).max(key.seq);
            }
            top.into_iter().filter(|(d, max)| *max > their.get(d)).map(|(d, _)| (d, their.get(&d))).collect()
        })
        .await
    }

    /// Stores chunks durably, records them in the log and returns the chunks that were new
    /// and the relay's vector afterwards; or, when the new ones would take the workspace past
    /// `quota` bytes or a snapshot covers another document's chunk, stores none of them.
    /// Chunks the log holds already (replays, and chunks a stored snapshot covers) are not
    /// stored again. Serialised per workspace.
    pub async fn store(
        &self,
        store: &Store,
        mut chunks: Vec<SealedChunk>,
        quota: u64,
    ) -> Result<Result<(Vec<SealedChunk>, VersionVector), Refused>, StoreError> {
        let mut guard = self.loaded_log(store).await?;
        {
            let (log, stored) = guard.as_ref().expect("loaded_log loads it");
            chunks.retain(|c| !log.has(&c.key()));
            let incoming: u64 = chunks.iter().map(|c| c.body.len() as u64).sum();
            if incoming > 0 && stored.saturating_add(incoming) > quota {
                return Ok(Err(Refused::OverQuota(OverQuota { stored: *stored, incoming, quota })));
            }
            let ahead: u64 = chunks.iter().filter_map(|c| c.snapshot.as_ref()).map(|cv| log.ahead_cost(cv)).sum();
            if ahead > 0 && (log.ahead.len() as u64).saturating_add(ahead) > MAX_AHEAD {
                return Ok(Err(Refused::TooFarAhead(format!(
                    "the snapshots pushed cover {ahead} chunks past gaps in what this relay holds (it keeps at most \
                     {MAX_AHEAD} such keys per workspace); push the chunks before them first; nothing was stored"
                ))));
            }
        }
        for c in chunks.iter().filter(|c| c.is_snapshot()) {
            if let Some(foreign) = store.covered_foreign(self.workspace, c.clone()).await? {
                return Ok(Err(Refused::ForeignCover(format!(
                    "snapshot {}:{} of document {} claims to cover chunk {}:{}, which belongs to another document; nothing was stored",
                    c.device, c.seq, c.doc, foreign.device, foreign.seq
                ))));
            }
        }
        let fresh = match store.insert_chunks(self.workspace, chunks).await {
            Ok(fresh) => fresh,
            Err(e) => {
                // whether the commit happened is unknown: reload the log from disk next time
                *guard = None;
                return Err(e);
            }
        };
        let (log, stored) = guard.as_mut().expect("loaded_log loads it");
        for c in &fresh {
            log.insert_chunk(c);
            *stored += c.body.len() as u64;
        }
        Ok(Ok((fresh, log.vector.clone())))
    }

    /// Accounts for chunk bodies the retention sweep deleted.
    pub async fn swept(&self, bytes: u64) {
        if let Some((_, stored)) = self.log.lock().await.as_mut() {
            *stored = stored.saturating_sub(bytes);
        }
    }

    /// Hands new chunks to the workspace's other connections.
    pub fn forward(&self, from: u64, chunks: Vec<SealedChunk>) {
        if !chunks.is_empty() {
            // an error only means nobody is listening
            let _ = self.tx.send(Arc::new(Forward { from, what: Forwarded::Chunks(chunks) }));
        }
    }

    /// Hands an ephemeral message to the workspace's other connections. A connection that
    /// has fallen behind loses it (it is ephemeral; the sender repeats what matters).
    pub fn forward_ephemeral(&self, from: u64, body: Vec<u8>) {
        let _ = self.tx.send(Arc::new(Forward { from, what: Forwarded::Ephemeral(body) }));
    }
}

/// The hubs of the workspaces that have connections, connection ids and the count of open
/// connections.
#[derive(Default)]
pub struct Hubs {
    map: Mutex<HashMap<WorkspaceId, Arc<Hub>>>,
    next_id: AtomicU64,
    open: AtomicUsize,
}

impl Hubs {
    /// Joins the workspace's hub (creating it); returns it and a fresh connection id.
    pub fn join(&self, workspace: WorkspaceId, bytes_per_sec: u64) -> (Arc<Hub>, u64) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.open.fetch_add(1, Ordering::SeqCst);
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        let hub = map.entry(workspace).or_insert_with(|| Arc::new(Hub::new(workspace, bytes_per_sec))).clone();
        (hub, id)
    }

    /// Leaves the hub; the last one out drops it (and its cached log).
    pub fn leave(&self, hub: Arc<Hub>) {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        // one reference in the map, one held by the caller: nobody else uses it
        if Arc::strong_count(&hub) <= 2 {
            map.remove(&hub.workspace);
        }
        // let go while still holding the map lock, so two connections leaving at once
        // cannot both see the other's reference
        drop(hub);
        drop(map);
        self.open.fetch_sub(1, Ordering::SeqCst);
    }

    /// The hub of `workspace`, if it has connections.
    pub fn get(&self, workspace: &WorkspaceId) -> Option<Arc<Hub>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner()).get(workspace).cloned()
    }

    /// Tells every open connection of `workspace` that its key was rotated.
    pub fn rotated(&self, workspace: WorkspaceId) {
        if let Some(hub) = self.get(&workspace) {
            // no connection has id u64::MAX, so every one hears it
            let _ = hub.tx.send(Arc::new(Forward { from: u64::MAX, what: Forwarded::Rotated }));
        }
    }

    /// Open sync connections.
    pub fn connections(&self) -> usize {
        self.open.load(Ordering::SeqCst)
    }

    /// Returns once no sync connection is open.
    pub async fn wait_idle(&self) {
        while self.connections() > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}
