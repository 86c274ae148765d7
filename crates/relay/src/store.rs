//! SQLite storage: registered workspaces (id and the SHA-256 of their auth token, nothing
//! else secret) and every workspace's sealed chunks, keyed by (workspace, device, seq) and
//! kept exactly as received. The relay never opens a chunk body.
//!
//! All calls are blocking; the async side reaches them through [`Store`]'s async methods,
//! which run them on tokio's blocking pool. Writes go through one connection (SQLite has one
//! writer at a time anyway) and commit durably: WAL with `synchronous=FULL`, so a chunk is on
//! disk before the relay acknowledges it. Reads use a small pool of their own connections,
//! which WAL lets run beside the writer.
//!
//! Snapshots (crm_core::compaction) are chunks too; what each covers is also kept in the
//! `snapshots` table, because the relay must (a) count covered keys as held even once their
//! chunks are gone, so the log it loads stays gap-free, (b) send the covers back with the
//! snapshot, and (c) know what it may drop once the snapshot is older than the retention
//! window ([`Store::sweep`]).
//!
//! The SQL is kept portable to PostgreSQL (DESIGN.md section 9): plain column types (`TEXT`,
//! `BIGINT`, `BLOB` for what PostgreSQL calls `BYTEA`), `INSERT ... ON CONFLICT ... DO
//! NOTHING`, keyset pagination. Only the pragmas are SQLite's own.

use crm_core::compaction;
use crm_core::vv::ChunkLog;
use crm_core::{ChunkKey, Covers, DeviceId, DocId, SealedChunk, WorkspaceId};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// File name of the database inside the data directory.
pub const DB_FILE: &str = "relay.sqlite3";
/// Idle read connections kept open.
const MAX_IDLE_READERS: usize = 4;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS workspaces (
    id TEXT PRIMARY KEY,
    token_hash BLOB NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS chunks (
    workspace TEXT NOT NULL,
    device TEXT NOT NULL,
    seq BIGINT NOT NULL,
    doc TEXT NOT NULL,
    body BLOB NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (workspace, device, seq)
);
CREATE INDEX IF NOT EXISTS chunks_by_doc ON chunks (workspace, doc);
CREATE TABLE IF NOT EXISTS snapshots (
    workspace TEXT NOT NULL,
    device TEXT NOT NULL,
    seq BIGINT NOT NULL,
    doc TEXT NOT NULL,
    covers BLOB NOT NULL,
    received_at BIGINT NOT NULL,
    swept BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace, device, seq)
);
CREATE INDEX IF NOT EXISTS snapshots_to_sweep ON snapshots (swept, received_at);
-- key epochs (members.rs): every epoch's token hash once a workspace rotated; the current one
-- is also in workspaces.token_hash. An older epoch's token may only fetch its envelope.
CREATE TABLE IF NOT EXISTS key_epochs (
    workspace TEXT NOT NULL,
    epoch BIGINT NOT NULL,
    token_hash BLOB NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (workspace, epoch)
);
-- the key ring of an epoch sealed to one remaining device's public key (opaque to the relay)
CREATE TABLE IF NOT EXISTS envelopes (
    workspace TEXT NOT NULL,
    epoch BIGINT NOT NULL,
    device TEXT NOT NULL,
    body BLOB NOT NULL,
    PRIMARY KEY (workspace, epoch, device)
);
-- invite links: the hash of the invite's token, when it stops working, and the key ring
-- sealed with a key only the link holds
CREATE TABLE IF NOT EXISTS invites (
    id TEXT PRIMARY KEY,
    workspace TEXT NOT NULL,
    token_hash BLOB NOT NULL,
    envelope BLOB NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX IF NOT EXISTS invites_by_workspace ON invites (workspace);
";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("cannot create the data directory {0}: {1}")]
    DataDir(PathBuf, std::io::Error),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("a storage task failed: {0}")]
    Task(String),
}

/// What checking a token against the workspace table found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registration {
    /// The workspace was unknown and is now registered with this token's hash.
    Registered,
    /// The workspace is known and the token's hash matches.
    Matches,
    /// The workspace is known under another token.
    Mismatch,
}

/// One page of a device's chunks, in seq order.
#[derive(Debug, Default)]
pub struct Page {
    pub chunks: Vec<SealedChunk>,
    /// More chunks of this device may follow the last one returned.
    pub more: bool,
}

/// Shared handle to the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

/// What one sweep dropped.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    pub chunks: u64,
    pub bytes: u64,
}

pub fn now_millis() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

fn open_connection(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    Ok(conn)
}

/// A seq as stored: BIGINT is signed, so seqs above `i64::MAX` cannot be stored.
pub fn seq_to_sql(seq: u64) -> Option<i64> {
    i64::try_from(seq).ok()
}

impl Store {
    /// Opens (creating if needed) `relay.sqlite3` inside `data_dir`, creating the directory.
    pub fn open(data_dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|e| StoreError::DataDir(data_dir.to_owned(), e))?;
        let path = data_dir.join(DB_FILE);
        let writer = open_connection(&path)?;
        writer.execute_batch(SCHEMA)?;
        Ok(Store { inner: Arc::new(Inner { path, writer: Mutex::new(writer), readers: Mutex::new(Vec::new()) }) })
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Runs `f` on the writer connection, on the blocking pool.
    pub(crate) async fn write<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            // a panic while holding the lock leaves the connection itself usable
            let mut conn = inner.writer.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut conn)
        })
        .await
        .map_err(|e| StoreError::Task(e.to_string()))?
    }

    /// Runs `f` on a pooled read connection, on the blocking pool.
    pub(crate) async fn read<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let pooled = inner.readers.lock().unwrap_or_else(|p| p.into_inner()).pop();
            let conn = match pooled {
                Some(c) => c,
                None => open_connection(&inner.path)?,
            };
            let out = f(&conn);
            let mut idle = inner.readers.lock().unwrap_or_else(|p| p.into_inner());
            if idle.len() < MAX_IDLE_READERS {
                idle.push(conn);
            }
            out
        })
        .await
        .map_err(|e| StoreError::Task(e.to_string()))?
    }

    /// Registers `workspace` with `token_hash` if it is unknown, else compares the hashes.
    pub async fn register_or_check(
        &self,
        workspace: WorkspaceId,
        token_hash: [u8; 32],
    ) -> Result<Registration, StoreError> {
        self.write(move |conn| {
            let id = workspace.to_string();
            let inserted = conn.execute(
                "INSERT INTO workspaces (id, token_hash, created_at) VALUES (?1, ?2, ?3) ON CONFLICT (id) DO NOTHING",
                params![id, &token_hash[..], now_millis()],
            )?;
            if inserted == 1 {
                return Ok(Registration::Registered);
            }
            let stored: Vec<u8> =
                conn.query_row("SELECT token_hash FROM workspaces WHERE id = ?1", params![id], |r| r.get(0))?;
            Ok(if constant_time_eq(&stored, &token_hash) { Registration::Matches } else { Registration::Mismatch })
        })
        .await
    }

    /// Stores chunks in one transaction, ignoring ones already held, and commits durably.
    /// Returns the chunks that were new. Every chunk's seq must fit [`seq_to_sql`].
    pub async fn insert_chunks(
        &self,
        workspace: WorkspaceId,
        chunks: Vec<SealedChunk>,
    ) -> Result<Vec<SealedChunk>, StoreError> {
        self.write(move |conn| {
            let ws = workspace.to_string();
            let received = now_millis();
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut fresh = Vec::new();
            {
                let mut stmt = tx.prepare_cached(
                    "INSERT INTO chunks (workspace, device, seq, doc, body, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
                     ON CONFLICT (workspace, device, seq) DO NOTHING",
                )?;
                let mut snap = tx.prepare_cached(
                    "INSERT INTO snapshots (workspace, device, seq, doc, covers, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
                     ON CONFLICT (workspace, device, seq) DO NOTHING",
                )?;
                for c in chunks {
                    let seq = seq_to_sql(c.seq).ok_or_else(|| StoreError::Corrupt(format!("seq {} out of range", c.seq)))?;
                    let (device, doc) = (c.device.to_string(), c.doc.to_string());
                    let n = stmt.execute(params![ws, device, seq, doc, &c.body[..], received])?;
                    if n == 1 {
                        if let Some(covers) = &c.snapshot {
                            snap.execute(params![ws, device, seq, doc, covers.to_bytes(), received])?;
                        }
                        fresh.push(c);
                    }
                }
            }
            tx.commit()?;
            Ok(fresh)
        })
        .await
    }

    /// Bytes of chunk bodies stored for `workspace` (what its quota counts).
    pub async fn workspace_bytes(&self, workspace: WorkspaceId) -> Result<u64, StoreError> {
        self.read(move |conn| {
            let n: i64 = conn.query_row(
                "SELECT COALESCE(SUM(LENGTH(body)), 0) FROM chunks WHERE workspace = ?1",
                params![workspace.to_string()],
                |r| r.get(0),
            )?;
            Ok(n.max(0) as u64)
        })
        .await
    }

    /// The set of chunk keys held for `workspace`. Devices whose chunks are gap-free (the
    /// usual case: count == max seq) cost one aggregate row; only gappy ones list their keys.
    pub async fn load_log(&self, workspace: WorkspaceId) -> Result<ChunkLog, StoreError> {
        self.read(move |conn| {
            let ws = workspace.to_string();
            let mut log = ChunkLog::default();
            let mut gappy = Vec::new();
            {
                let mut stmt = conn.prepare_cached(
                    "SELECT device, COUNT(*), MAX(seq) FROM chunks WHERE workspace = ?1 GROUP BY device",
                )?;
                let mut rows = stmt.query(params![ws])?;
                while let Some(row) = rows.next()? {
                    let device_text: String = row.get(0)?;
                    let device = parse_device(&device_text)?;
                    let count: i64 = row.get(1)?;
                    let max: i64 = row.get(2)?;
                    if count == max && count > 0 {
                        log.vector.0.insert(device, max as u64);
                    } else {
                        gappy.push(device_text);
                    }
                }
            }
            let mut stmt =
                conn.prepare_cached("SELECT seq FROM chunks WHERE workspace = ?1 AND device = ?2 ORDER BY seq")?;
            for device_text in gappy {
                let device = parse_device(&device_text)?;
                let mut rows = stmt.query(params![ws, device_text])?;
                while let Some(row) = rows.next()? {
                    let seq: i64 = row.get(0)?;
                    log.insert(ChunkKey { device, seq: seq as u64 });
                }
            }
            // what the snapshots cover counts as held, dropped or not
            let mut stmt = conn.prepare_cached("SELECT covers FROM snapshots WHERE workspace = ?1")?;
            let mut rows = stmt.query(params![ws])?;
            while let Some(row) = rows.next()? {
                log.insert_covers(&parse_covers(&row.get::<_, Vec<u8>>(0)?)?);
            }
            Ok(log)
        })
        .await
    }

    /// Up to `max_rows` chunks of `device` with seq > `after`, in seq order, stopping early
    /// once about `max_bytes` of bodies are gathered (always at least one chunk).
    pub async fn page(
        &self,
        workspace: WorkspaceId,
        device: DeviceId,
        after: u64,
        max_rows: usize,
        max_bytes: usize,
    ) -> Result<Page, StoreError> {
        self.read(move |conn| {
            let Some(after) = seq_to_sql(after) else { return Ok(Page::default()) };
            let mut stmt = conn.prepare_cached(
                "SELECT c.seq, c.doc, c.body, s.covers FROM chunks c LEFT JOIN snapshots s \
                 ON s.workspace = c.workspace AND s.device = c.device AND s.seq = c.seq \
                 WHERE c.workspace = ?1 AND c.device = ?2 AND c.seq > ?3 ORDER BY c.seq LIMIT ?4",
            )?;
            let limit = max_rows as i64 + 1;
            let mut rows = stmt.query(params![workspace.to_string(), device.to_string(), after, limit])?;
            let mut page = Page::default();
            let mut bytes = 0usize;
            while let Some(row) = rows.next()? {
                if page.chunks.len() >= max_rows || (bytes >= max_bytes && !page.chunks.is_empty()) {
                    page.more = true;
                    break;
                }
                let seq: i64 = row.get(0)?;
                let doc: String = row.get(1)?;
                let body: Vec<u8> = row.get(2)?;
                let covers: Option<Vec<u8>> = row.get(3)?;
                let snapshot = covers.map(|c| parse_covers(&c)).transpose()?;
                bytes += body.len();
                page.chunks.push(SealedChunk { device, seq: seq as u64, doc: parse_doc(&doc)?, snapshot, body });
            }
            Ok(page)
        })
        .await
    }

    /// Drops, in one transaction, the chunks of `workspace` that snapshots received at least
    /// `retention` before `now` (milliseconds) make redundant ([`compaction::droppable`]: same
    /// document, covered, and an earlier snapshot only when everything it covers is covered
    /// too). Never a snapshot's own row while nothing covers it, never another document's
    /// chunk. A snapshot is swept once: chunks it covers that arrive later are not stored at
    /// all (the hub's log holds their keys already).
    pub async fn sweep(&self, workspace: WorkspaceId, now: i64, retention: Duration) -> Result<Swept, StoreError> {
        self.write(move |conn| {
            let ws = workspace.to_string();
            let cutoff = now.saturating_sub(retention.as_millis().min(i64::MAX as u128) as i64);
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut swept = Swept::default();
            let ripe: Vec<(String, i64, String, Vec<u8>)> = {
                let mut stmt = tx.prepare_cached(
                    "SELECT device, seq, doc, covers FROM snapshots WHERE workspace = ?1 AND swept = 0 AND received_at <= ?2 \
                     ORDER BY received_at, device, seq",
                )?;
                let rows = stmt.query_map(params![ws, cutoff], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
                rows.collect::<Result<_, _>>()?
            };
            for (device, seq, doc, covers) in ripe {
                let snapshot = SealedChunk {
                    device: parse_device(&device)?,
                    seq: seq as u64,
                    doc: parse_doc(&doc)?,
                    snapshot: Some(parse_covers(&covers)?),
                    body: Vec::new(),
                };
                let held: Vec<SealedChunk> = {
                    let mut stmt = tx.prepare_cached(
                        "SELECT c.device, c.seq, s.covers FROM chunks c LEFT JOIN snapshots s \
                         ON s.workspace = c.workspace AND s.device = c.device AND s.seq = c.seq \
                         WHERE c.workspace = ?1 AND c.doc = ?2",
                    )?;
                    let mut rows = stmt.query(params![ws, doc])?;
                    let mut held = Vec::new();
                    while let Some(row) = rows.next()? {
                        let covers: Option<Vec<u8>> = row.get(2)?;
                        held.push(SealedChunk {
                            device: parse_device(&row.get::<_, String>(0)?)?,
                            seq: row.get::<_, i64>(1)? as u64,
                            doc: snapshot.doc,
                            snapshot: covers.map(|c| parse_covers(&c)).transpose()?,
                            body: Vec::new(),
                        });
                    }
                    held
                };
                // dropped earlier in this sweep by a later snapshot that covers it
                if !held.iter().any(|c| c.key() == snapshot.key()) {
                    continue;
                }
                let mut del_chunk = tx.prepare_cached(
                    "DELETE FROM chunks WHERE workspace = ?1 AND device = ?2 AND seq = ?3 RETURNING LENGTH(body)",
                )?;
                let mut del_snap = tx.prepare_cached("DELETE FROM snapshots WHERE workspace = ?1 AND device = ?2 AND seq = ?3")?;
                for key in compaction::superseded(&snapshot, &held) {
                    let (d, s) = (key.device.to_string(), key.seq as i64);
                    let len: i64 = del_chunk.query_row(params![ws, d, s], |r| r.get(0))?;
                    del_snap.execute(params![ws, d, s])?;
                    swept.chunks += 1;
                    swept.bytes += len.max(0) as u64;
                }
                tx.execute(
                    "UPDATE snapshots SET swept = 1 WHERE workspace = ?1 AND device = ?2 AND seq = ?3",
                    params![ws, device, seq],
                )?;
            }
            tx.commit()?;
            Ok(swept)
        })
        .await
    }

    /// A chunk this relay holds for another document than `snapshot`'s, among those its covers
    /// name (the first found), if any.
    pub async fn covered_foreign(&self, workspace: WorkspaceId, snapshot: SealedChunk) -> Result<Option<ChunkKey>, StoreError> {
        self.read(move |conn| {
            let Some(covers) = &snapshot.snapshot else { return Ok(None) };
            let mut stmt = conn.prepare_cached(
                "SELECT seq FROM chunks WHERE workspace = ?1 AND device = ?2 AND seq BETWEEN ?3 AND ?4 AND doc <> ?5 LIMIT 1",
            )?;
            for (device, first, last) in covers.ranges() {
                let (Some(first), Some(last)) = (seq_to_sql(first), seq_to_sql(last.min(i64::MAX as u64))) else { continue };
                let seq: Option<i64> = stmt
                    .query_row(
                        params![workspace.to_string(), device.to_string(), first, last, snapshot.doc.to_string()],
                        |r| r.get(0),
                    )
                    .optional()?;
                if let Some(seq) = seq {
                    return Ok(Some(ChunkKey { device, seq: seq as u64 }));
                }
            }
            Ok(None)
        })
        .await
    }

    /// The workspaces that have snapshots whose window has passed and which were not swept.
    pub async fn ripe_workspaces(&self, now: i64, retention: Duration) -> Result<Vec<WorkspaceId>, StoreError> {
        self.read(move |conn| {
            let cutoff = now.saturating_sub(retention.as_millis().min(i64::MAX as u128) as i64);
            let mut stmt =
                conn.prepare_cached("SELECT DISTINCT workspace FROM snapshots WHERE swept = 0 AND received_at <= ?1")?;
            let rows = stmt.query_map(params![cutoff], |r| r.get::<_, String>(0))?;
            let mut out = Vec::new();
            for w in rows {
                let w = w?;
                out.push(w.parse().map_err(|_| StoreError::Corrupt(format!("workspace id {w:?}")))?);
            }
            Ok(out)
        })
        .await
    }

    /// The stored token hash of `workspace`, if registered (for tests and tooling).
    pub async fn token_hash(&self, workspace: WorkspaceId) -> Result<Option<Vec<u8>>, StoreError> {
        self.read(move |conn| {
            Ok(conn
                .query_row("SELECT token_hash FROM workspaces WHERE id = ?1", params![workspace.to_string()], |r| {
                    r.get(0)
                })
                .optional()?)
        })
        .await
    }
}

fn parse_device(s: &str) -> Result<DeviceId, StoreError> {
    s.parse().map_err(|_| StoreError::Corrupt(format!("device id {s:?}")))
}

fn parse_doc(s: &str) -> Result<DocId, StoreError> {
    s.parse().map_err(|_| StoreError::Corrupt(format!("doc id {s:?}")))
}

fn parse_covers(bytes: &[u8]) -> Result<Covers, StoreError> {
    Covers::from_bytes(bytes).map_err(|e| StoreError::Corrupt(format!("snapshot covers: {e}")))
}

pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(device: u8, seq: u64) -> SealedChunk {
        SealedChunk { device: DeviceId([device; 16]), seq, doc: DocId([9; 16]), snapshot: None, body: vec![seq as u8; 40] }
    }

    #[tokio::test]
    async fn insert_is_idempotent_and_log_and_pages_see_every_chunk() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let ws = WorkspaceId([1; 16]);
        let fresh = store.insert_chunks(ws, vec![chunk(1, 1), chunk(1, 2), chunk(2, 3)]).await.unwrap();
        assert_eq!(fresh.len(), 3);
        let again = store.insert_chunks(ws, vec![chunk(1, 2), chunk(1, 3)]).await.unwrap();
        assert_eq!(again, vec![chunk(1, 3)]);
        let log = store.load_log(ws).await.unwrap();
        assert_eq!(log.vector.get(&DeviceId([1; 16])), 3);
        assert_eq!(log.vector.get(&DeviceId([2; 16])), 0);
        assert!(log.has(&ChunkKey { device: DeviceId([2; 16]), seq: 3 }));
        let p = store.page(ws, DeviceId([1; 16]), 1, 1, usize::MAX).await.unwrap();
        assert_eq!((p.chunks, p.more), (vec![chunk(1, 2)], true));
        let p = store.page(ws, DeviceId([1; 16]), 2, 10, usize::MAX).await.unwrap();
        assert_eq!((p.chunks, p.more), (vec![chunk(1, 3)], false));
        // another workspace sees nothing
        assert!(store.load_log(WorkspaceId([2; 16])).await.unwrap().vector.is_empty());
    }

    #[test]
    fn the_database_runs_in_wal_mode_with_full_sync() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let conn = store.inner.writer.lock().unwrap();
        let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        let sync: i64 = conn.query_row("PRAGMA synchronous", [], |r| r.get(0)).unwrap();
        assert_eq!((mode.as_str(), sync), ("wal", 2));
        let reader = open_connection(store.path()).unwrap();
        let sync: i64 = reader.query_row("PRAGMA synchronous", [], |r| r.get(0)).unwrap();
        assert_eq!(sync, 2);
    }

    #[tokio::test]
    async fn first_token_registers_and_later_ones_must_match() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let ws = WorkspaceId([1; 16]);
        assert_eq!(store.register_or_check(ws, [7; 32]).await.unwrap(), Registration::Registered);
        assert_eq!(store.register_or_check(ws, [7; 32]).await.unwrap(), Registration::Matches);
        assert_eq!(store.register_or_check(ws, [8; 32]).await.unwrap(), Registration::Mismatch);
        assert_eq!(store.token_hash(ws).await.unwrap(), Some(vec![7; 32]));
    }

    fn snapshot(device: u8, seq: u64, covered: &[(u8, u64)]) -> SealedChunk {
        let keys = covered.iter().map(|&(d, s)| ChunkKey { device: DeviceId([d; 16]), seq: s });
        SealedChunk { snapshot: Some(Covers::from_keys(keys)), ..chunk(device, seq) }
    }

    async fn stored_keys(store: &Store, ws: WorkspaceId, device: u8) -> Vec<u64> {
        let page = store.page(ws, DeviceId([device; 16]), 0, 1000, usize::MAX).await.unwrap();
        page.chunks.iter().map(|c| c.seq).collect()
    }

    #[tokio::test]
    async fn the_sweep_drops_only_covered_chunks_of_the_snapshots_document_once_its_window_passed() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let ws = WorkspaceId([1; 16]);
        let mut other_doc = chunk(1, 3);
        other_doc.doc = DocId([8; 16]);
        store.insert_chunks(ws, vec![chunk(1, 1), chunk(1, 2), other_doc, chunk(2, 1)]).await.unwrap();
        // covers 1:1, 1:2 and 2:1 (not 1:3, another document's chunk between them)
        let s1 = snapshot(1, 4, &[(1, 1), (1, 2), (2, 1)]);
        store.insert_chunks(ws, vec![s1.clone()]).await.unwrap();
        let window = Duration::from_secs(3600);
        let t0 = now_millis();
        assert_eq!(store.sweep(ws, t0, window).await.unwrap(), Swept::default(), "inside the window");
        assert_eq!(store.ripe_workspaces(t0 + 3_600_000, window).await.unwrap(), vec![ws]);
        let swept = store.sweep(ws, t0 + 3_600_000, window).await.unwrap();
        assert_eq!(swept, Swept { chunks: 3, bytes: 120 });
        assert_eq!(stored_keys(&store, ws, 1).await, vec![3, 4]);
        assert!(stored_keys(&store, ws, 2).await.is_empty());
        // the snapshot comes back with its covers, and the dropped keys still count as held
        let page = store.page(ws, DeviceId([1; 16]), 3, 10, usize::MAX).await.unwrap();
        assert_eq!(page.chunks, vec![s1.clone()]);
        let log = store.load_log(ws).await.unwrap();
        assert_eq!(log.vector.get(&DeviceId([1; 16])), 4);
        assert_eq!(log.vector.get(&DeviceId([2; 16])), 1);
        // a swept snapshot is not looked at again
        assert!(store.ripe_workspaces(t0 + 7_200_000, window).await.unwrap().is_empty());

        // a later snapshot covering the first (and what it covered) replaces it; one covering
        // less than an earlier snapshot does not drop that snapshot
        let s2 = snapshot(2, 2, &[(1, 1), (1, 2), (1, 4), (2, 1)]);
        let partial = snapshot(3, 1, &[(1, 4)]);
        store.insert_chunks(ws, vec![s2.clone(), partial]).await.unwrap();
        let later = now_millis() + 3_600_000;
        assert_eq!(store.sweep(ws, later, window).await.unwrap().chunks, 1);
        assert_eq!(stored_keys(&store, ws, 1).await, vec![3], "s1 is gone, the other document's chunk stays");
        assert_eq!(stored_keys(&store, ws, 2).await, vec![2]);
        assert_eq!(stored_keys(&store, ws, 3).await, vec![1], "a snapshot nothing covers stays");
        let log = store.load_log(ws).await.unwrap();
        assert_eq!(log.vector.get(&DeviceId([1; 16])), 4, "s1's key still counts as held");
        // and the covers of the snapshot no longer stored went with it
        let covers_rows: i64 = store
            .read(|c| Ok(c.query_row("SELECT COUNT(*) FROM snapshots", [], |r| r.get(0))?))
            .await
            .unwrap();
        assert_eq!(covers_rows, 2);
        // another document's chunk inside a snapshot's covers is found
        let liar = snapshot(2, 3, &[(1, 3)]);
        assert_eq!(store.covered_foreign(ws, liar).await.unwrap(), Some(ChunkKey { device: DeviceId([1; 16]), seq: 3 }));
        assert_eq!(store.covered_foreign(ws, s2).await.unwrap(), None);
    }
}
