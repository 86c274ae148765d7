//! Per-workspace shared state while any of its members is connected: the relay's own
//! [`ChunkLog`] for the workspace (what it holds; loaded from the database on first use and
//! then kept in step with every commit), and the fan-out channel that carries newly stored
//! chunks to the workspace's other connections. Workspaces never share a hub, so one
//! workspace's chunks cannot reach another's members.
//!
//! Stores to one workspace are serialised by the log's lock: commit, then record in the log,
//! so the log never claims a chunk that is not durable.

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

/// Newly stored chunks, and the connection they came from (which already has them).
#[derive(Debug)]
pub struct Forward {
    pub from: u64,
    pub chunks: Vec<SealedChunk>,
}

pub struct Hub {
    pub workspace: WorkspaceId,
    log: tokio::sync::Mutex<Option<ChunkLog>>,
    tx: broadcast::Sender<Arc<Forward>>,
}

impl Hub {
    fn new(workspace: WorkspaceId) -> Hub {
        let (tx, _) = broadcast::channel(FORWARD_CAPACITY);
        Hub { workspace, log: tokio::sync::Mutex::new(None), tx }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Forward>> {
        self.tx.subscribe()
    }

    /// The log's lock, with the log loaded from the database on first use.
    async fn loaded_log(&self, store: &Store) -> Result<tokio::sync::MutexGuard<'_, Option<ChunkLog>>, StoreError> {
        let mut guard = self.log.lock().await;
        if guard.is_none() {
            *guard = Some(store.load_log(self.workspace).await?);
        }
        Ok(guard)
    }

    async fn with_log<T>(&self, store: &Store, f: impl FnOnce(&mut ChunkLog) -> T) -> Result<T, StoreError> {
        let mut guard = self.loaded_log(store).await?;
        Ok(f(guard.as_mut().expect("loaded_log loads it")))
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
    /// and the relay's vector afterwards. Serialised per workspace.
    pub async fn store(
        &self,
        store: &Store,
        chunks: Vec<SealedChunk>,
    ) -> Result<(Vec<SealedChunk>, VersionVector), StoreError> {
        let mut guard = self.loaded_log(store).await?;
        let fresh = match store.insert_chunks(self.workspace, chunks).await {
            Ok(fresh) => fresh,
            Err(e) => {
                // whether the commit happened is unknown: reload the log from disk next time
                *guard = None;
                return Err(e);
            }
        };
        let log = guard.as_mut().expect("loaded_log loads it");
        for c in &fresh {
            log.insert(c.key());
        }
        Ok((fresh, log.vector.clone()))
    }

    /// Hands new chunks to the workspace's other connections.
    pub fn forward(&self, from: u64, chunks: Vec<SealedChunk>) {
        if !chunks.is_empty() {
            // an error only means nobody is listening
            let _ = self.tx.send(Arc::new(Forward { from, chunks }));
        }
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
    pub fn join(&self, workspace: WorkspaceId) -> (Arc<Hub>, u64) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.open.fetch_add(1, Ordering::SeqCst);
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        let hub = map.entry(workspace).or_insert_with(|| Arc::new(Hub::new(workspace))).clone();
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
