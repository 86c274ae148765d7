//! Key rotation and invites (docs/CONTRACTS.md "Members", `crm_core::members`).
//!
//! The relay's part in removing a member: it swaps the token it accepts for a workspace (the
//! old one then only fetches an envelope), keeps each remaining device's envelope of the new
//! key ring (opaque: sealed to the device's public key), closes every open sync connection of
//! the workspace, and revokes the workspace's outstanding invites (they carry the old ring).
//! Invites: the relay keeps the hash of an invite's token, its expiry and the ring sealed with
//! a key only the link holds, and hands that out until the invite expires or is revoked.
//!
//! Every request carries `Authorization: Bearer <64 hex digits>`; bodies are JSON of bounded
//! size, and anything malformed is refused with a status and a sentence saying what was wrong.

use crate::auth::parse_workspace;
use crate::error::AppError;
use crate::store::{constant_time_eq, now_millis, Store, StoreError};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header::AUTHORIZATION, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use crm_core::crypto::AuthToken;
use crm_core::members::hex_bytes;
use crm_core::{DeviceId, WorkspaceId};
use rusqlite::{params, OptionalExtension, TransactionBehavior};
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Largest request body these endpoints read.
pub const MAX_BODY: usize = 1024 * 1024;
/// Devices one rotation may hand the key to.
pub const MAX_ENVELOPES: usize = 1000;
/// Largest envelope (a ring of `crm_core::members::MAX_EPOCHS` secrets, sealed, fits).
pub const MAX_ENVELOPE: usize = 40 * 1024;
/// Smallest envelope that can hold a nonce, a tag and a ring of one secret.
const MIN_ENVELOPE: usize = 24 + 16 + 11 + 32;
/// Longest an invite may stay valid.
pub const MAX_INVITE_LIFETIME_MS: i64 = 90 * 24 * 3600 * 1000;
/// Outstanding invites one workspace may hold.
pub const MAX_INVITES: i64 = 200;

const REPLACED: &str = "this token was replaced: the workspace key was rotated";
const REMOVED: &str = "this device was removed from the workspace";

fn refused(status: StatusCode, why: impl Into<String>) -> AppError {
    AppError::Refused(status, why.into())
}

fn bad(why: impl Into<String>) -> AppError {
    refused(StatusCode::BAD_REQUEST, why)
}

/// The token of `Authorization: Bearer <64 hex digits>`.
pub fn bearer(headers: &HeaderMap) -> Result<AuthToken, AppError> {
    let value = headers
        .get(AUTHORIZATION)
        .ok_or(AppError::Unauthorized("no Authorization: Bearer <token> header"))?
        .to_str()
        .map_err(|_| AppError::Unauthorized("the Authorization header is not text"))?;
    let token = value.strip_prefix("Bearer ").ok_or(AppError::Unauthorized("the Authorization header is not Bearer"))?;
    AuthToken::from_hex(token.trim())
        .ok_or(AppError::Unauthorized("the bearer token is malformed: expected 64 hex digits"))
}

fn parse_hash(s: &str, what: &str) -> Result<[u8; 32], AppError> {
    hex_bytes(s)
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .ok_or_else(|| bad(format!("{what} is malformed: expected 64 hex digits")))
}

fn parse_id(s: &str, what: &str) -> Result<String, AppError> {
    let ok = s.len() == 32 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if ok {
        Ok(s.to_string())
    } else {
        Err(bad(format!("{what} is malformed: expected 32 lowercase hex digits")))
    }
}

fn parse_envelope(s: &str, what: &str) -> Result<Vec<u8>, AppError> {
    if s.len() > 2 * MAX_ENVELOPE {
        return Err(refused(StatusCode::PAYLOAD_TOO_LARGE, format!("{what} is larger than {MAX_ENVELOPE} bytes")));
    }
    let b = hex_bytes(s).ok_or_else(|| bad(format!("{what} is not hex")))?;
    if b.len() < MIN_ENVELOPE {
        return Err(bad(format!("{what} is too short to hold a sealed key ring")));
    }
    Ok(b)
}

fn parse_json<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T, AppError> {
    serde_json::from_slice(body).map_err(|e| bad(format!("the request body is not the expected JSON: {e}")))
}

/// Which epoch a token belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenEpoch {
    UnknownWorkspace,
    /// the workspace's current token, at this epoch
    Current(u32),
    /// an older epoch's token; the workspace is now at `current`
    Older { current: u32 },
    Wrong,
}

/// What a rotation request found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rotation {
    Done,
    /// another rotation came first: the workspace is at this epoch
    Conflict(u32),
    NotCurrent(TokenEpoch),
}

/// One invite as the relay keeps it.
#[derive(Debug, Clone)]
pub struct Invite {
    pub id: String,
    pub workspace: String,
    pub token_hash: Vec<u8>,
    pub envelope: Vec<u8>,
    pub created_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
}

fn current_epoch(conn: &rusqlite::Connection, ws: &str) -> Result<u32, StoreError> {
    let n: i64 =
        conn.query_row("SELECT COALESCE(MAX(epoch), 0) FROM key_epochs WHERE workspace = ?1", params![ws], |r| r.get(0))?;
    u32::try_from(n).map_err(|_| StoreError::Corrupt(format!("key epoch {n}")))
}

fn token_epoch_in(conn: &rusqlite::Connection, ws: &str, hash: &[u8; 32]) -> Result<TokenEpoch, StoreError> {
    let stored: Option<Vec<u8>> = conn
        .query_row("SELECT token_hash FROM workspaces WHERE id = ?1", params![ws], |r| r.get(0))
        .optional()?;
    let Some(stored) = stored else { return Ok(TokenEpoch::UnknownWorkspace) };
    let current = current_epoch(conn, ws)?;
    if constant_time_eq(&stored, hash) {
        return Ok(TokenEpoch::Current(current));
    }
    let mut stmt = conn.prepare_cached("SELECT token_hash FROM key_epochs WHERE workspace = ?1")?;
    let mut rows = stmt.query(params![ws])?;
    while let Some(row) = rows.next()? {
        let h: Vec<u8> = row.get(0)?;
        if constant_time_eq(&h, hash) {
            return Ok(TokenEpoch::Older { current });
        }
    }
    Ok(TokenEpoch::Wrong)
}

impl Store {
    pub async fn token_epoch(&self, workspace: WorkspaceId, hash: [u8; 32]) -> Result<TokenEpoch, StoreError> {
        self.read(move |conn| token_epoch_in(conn, &workspace.to_string(), &hash)).await
    }

    /// Moves `workspace` to `epoch` (which must be the next one) with `new_hash`, if
    /// `current_hash` is its current token's; stores the envelopes and revokes every
    /// outstanding invite, all in one transaction.
    pub async fn rotate(
        &self,
        workspace: WorkspaceId,
        current_hash: [u8; 32],
        epoch: u32,
        new_hash: [u8; 32],
        envelopes: Vec<(DeviceId, Vec<u8>)>,
    ) -> Result<Rotation, StoreError> {
        self.write(move |conn| {
            let ws = workspace.to_string();
            let now = now_millis();
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let found = token_epoch_in(&tx, &ws, &current_hash)?;
            let TokenEpoch::Current(current) = found else { return Ok(Rotation::NotCurrent(found)) };
            if epoch != current + 1 {
                return Ok(Rotation::Conflict(current));
            }
            if current == 0 {
                tx.execute(
                    "INSERT INTO key_epochs (workspace, epoch, token_hash, created_at) VALUES (?1, 0, ?2, ?3)",
                    params![ws, &current_hash[..], now],
                )?;
            }
            tx.execute(
                "INSERT INTO key_epochs (workspace, epoch, token_hash, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![ws, epoch as i64, &new_hash[..], now],
            )?;
            tx.execute("UPDATE workspaces SET token_hash = ?2 WHERE id = ?1", params![ws, &new_hash[..]])?;
            {
                let mut stmt =
                    tx.prepare_cached("INSERT INTO envelopes (workspace, epoch, device, body) VALUES (?1, ?2, ?3, ?4)")?;
                for (device, body) in &envelopes {
                    stmt.execute(params![ws, epoch as i64, device.to_string(), body])?;
                }
            }
            tx.execute(
                "UPDATE invites SET revoked_at = ?2 WHERE workspace = ?1 AND revoked_at IS NULL",
                params![ws, now],
            )?;
            tx.commit()?;
            Ok(Rotation::Done)
        })
        .await
    }

    /// `device`'s envelope of `epoch`, if it was given one.
    pub async fn envelope(&self, workspace: WorkspaceId, epoch: u32, device: DeviceId) -> Result<Option<Vec<u8>>, StoreError> {
        self.read(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT body FROM envelopes WHERE workspace = ?1 AND epoch = ?2 AND device = ?3",
                    params![workspace.to_string(), epoch as i64, device.to_string()],
                    |r| r.get(0),
                )
                .optional()?)
        })
        .await
    }

    /// Stores a new invite unless the workspace holds too many outstanding ones or the id
    /// is taken. Returns false when the id is taken.
    pub async fn create_invite(&self, invite: Invite) -> Result<Result<(), String>, StoreError> {
        self.write(move |conn| {
            let outstanding: i64 = conn.query_row(
                "SELECT COUNT(*) FROM invites WHERE workspace = ?1 AND revoked_at IS NULL AND expires_at > ?2",
                params![invite.workspace, now_millis()],
                |r| r.get(0),
            )?;
            if outstanding >= MAX_INVITES {
                return Ok(Err(format!("this workspace already has {MAX_INVITES} outstanding invites: revoke some first")));
            }
            let n = conn.execute(
                "INSERT INTO invites (id, workspace, token_hash, envelope, created_at, expires_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (id) DO NOTHING",
                params![
                    invite.id,
                    invite.workspace,
                    invite.token_hash,
                    invite.envelope,
                    invite.created_at,
                    invite.expires_at
                ],
            )?;
            Ok(if n == 1 { Ok(()) } else { Err("an invite with this id exists already".to_string()) })
        })
        .await
    }

    /// The workspace's invites that still work, newest first.
    pub async fn outstanding_invites(&self, workspace: WorkspaceId) -> Result<Vec<Invite>, StoreError> {
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, created_at, expires_at FROM invites \
                 WHERE workspace = ?1 AND revoked_at IS NULL AND expires_at > ?2 ORDER BY created_at DESC, id",
            )?;
            let rows = stmt.query_map(params![workspace.to_string(), now_millis()], |r| {
                Ok(Invite {
                    id: r.get(0)?,
                    workspace: workspace.to_string(),
                    token_hash: Vec::new(),
                    envelope: Vec::new(),
                    created_at: r.get(1)?,
                    expires_at: r.get(2)?,
                    revoked_at: None,
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    /// Revokes an invite of `workspace`; false when it has no such invite.
    pub async fn revoke_invite(&self, workspace: WorkspaceId, id: String) -> Result<bool, StoreError> {
        self.write(move |conn| {
            let n = conn.execute(
                "UPDATE invites SET revoked_at = COALESCE(revoked_at, ?3) WHERE workspace = ?1 AND id = ?2",
                params![workspace.to_string(), id, now_millis()],
            )?;
            Ok(n == 1)
        })
        .await
    }

    pub async fn invite(&self, id: String) -> Result<Option<Invite>, StoreError> {
        self.read(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT id, workspace, token_hash, envelope, created_at, expires_at, revoked_at FROM invites WHERE id = ?1",
                    params![id],
                    |r| {
                        Ok(Invite {
                            id: r.get(0)?,
                            workspace: r.get(1)?,
                            token_hash: r.get(2)?,
                            envelope: r.get(3)?,
                            created_at: r.get(4)?,
                            expires_at: r.get(5)?,
                            revoked_at: r.get(6)?,
                        })
                    },
                )
                .optional()?)
        })
        .await
    }
}

/// Checks that the bearer token is `workspace`'s current one. Like a first sync connection,
/// the first token registers an unknown workspace: a device may make an invite before it
/// ever synced.
async fn current_member(state: &AppState, workspace: WorkspaceId, headers: &HeaderMap) -> Result<(), AppError> {
    let token = bearer(headers)?;
    crate::auth::authorize(&state.store, workspace, &token).await.map(|_| ())
}

fn token_refusal(found: TokenEpoch) -> AppError {
    match found {
        TokenEpoch::UnknownWorkspace => refused(StatusCode::NOT_FOUND, "this workspace is unknown to the relay"),
        TokenEpoch::Older { .. } => AppError::Unauthorized(REPLACED),
        TokenEpoch::Wrong | TokenEpoch::Current(_) => AppError::Unauthorized("wrong auth token for this workspace"),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RotateBody {
    epoch: u32,
    token_hash: String,
    envelopes: BTreeMap<String, String>,
}

/// `POST /workspaces/<id>/rotate`: the current token's holder moves the workspace to the next
/// key epoch.
pub async fn rotate(
    State(state): State<Arc<AppState>>,
    Path(workspace): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let workspace = parse_workspace(&workspace)?;
    let token = bearer(&headers)?;
    let req: RotateBody = parse_json(&body)?;
    let new_hash = parse_hash(&req.token_hash, "token_hash")?;
    if req.envelopes.is_empty() {
        return Err(bad("a rotation must hand the new key to at least one device (envelopes is empty)"));
    }
    if req.envelopes.len() > MAX_ENVELOPES {
        return Err(refused(StatusCode::PAYLOAD_TOO_LARGE, format!("more than {MAX_ENVELOPES} envelopes")));
    }
    let mut envelopes = Vec::with_capacity(req.envelopes.len());
    for (device, body) in &req.envelopes {
        let id = parse_id(device, "an envelope's device id")?;
        let device: DeviceId = id.parse().map_err(|_| bad("an envelope's device id is malformed"))?;
        envelopes.push((device, parse_envelope(body, &format!("the envelope of device {id}"))?));
    }
    match state.store.rotate(workspace, token.hash(), req.epoch, new_hash, envelopes).await? {
        Rotation::Done => {
            tracing::info!(%workspace, epoch = req.epoch, "workspace key rotated");
            state.hubs.rotated(workspace);
            Ok(Json(json!({ "epoch": req.epoch })).into_response())
        }
        Rotation::Conflict(now) => Err(refused(
            StatusCode::CONFLICT,
            format!("the workspace key was rotated meanwhile (it is at epoch {now}, not {}): catch up and try again", req.epoch.saturating_sub(1)),
        )),
        Rotation::NotCurrent(found) => Err(token_refusal(found)),
    }
}

#[derive(Deserialize)]
pub struct KeyQuery {
    device: Option<String>,
}

/// `GET /workspaces/<id>/key?device=<id>`: which epoch the workspace is at, and for a device
/// holding an older epoch's token, its envelope of the current one (a device with none was
/// removed).
pub async fn key(
    State(state): State<Arc<AppState>>,
    Path(workspace): Path<String>,
    Query(q): Query<KeyQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let workspace = parse_workspace(&workspace)?;
    let token = bearer(&headers)?;
    let device = q.device.as_deref().ok_or_else(|| bad("the device query parameter is missing"))?;
    let device: DeviceId = parse_id(device, "device")?.parse().map_err(|_| bad("device is malformed"))?;
    match state.store.token_epoch(workspace, token.hash()).await? {
        TokenEpoch::Current(epoch) => Ok(Json(json!({ "epoch": epoch, "current": true })).into_response()),
        TokenEpoch::Older { current } => match state.store.envelope(workspace, current, device).await? {
            Some(body) => Ok(Json(json!({
                "epoch": current,
                "current": false,
                "envelope": crm_core::ids::to_hex(&body),
            }))
            .into_response()),
            None => Err(refused(StatusCode::FORBIDDEN, REMOVED)),
        },
        other => Err(token_refusal(other)),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InviteBody {
    id: String,
    token_hash: String,
    expires_at: i64,
    envelope: String,
}

fn invite_json(i: &Invite) -> serde_json::Value {
    json!({ "id": i.id, "created_at": i.created_at, "expires_at": i.expires_at })
}

/// `POST /workspaces/<id>/invites`: a member makes an invite.
pub async fn create_invite(
    State(state): State<Arc<AppState>>,
    Path(workspace): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let workspace = parse_workspace(&workspace)?;
    current_member(&state, workspace, &headers).await?;
    let req: InviteBody = parse_json(&body)?;
    let id = parse_id(&req.id, "id")?;
    let token_hash = parse_hash(&req.token_hash, "token_hash")?.to_vec();
    let now = now_millis();
    if req.expires_at <= now {
        return Err(bad("expires_at is in the past"));
    }
    if req.expires_at > now + MAX_INVITE_LIFETIME_MS {
        return Err(bad("expires_at is more than 90 days away"));
    }
    let envelope = parse_envelope(&req.envelope, "envelope")?;
    let invite = Invite {
        id,
        workspace: workspace.to_string(),
        token_hash,
        envelope,
        created_at: now,
        expires_at: req.expires_at,
        revoked_at: None,
    };
    let out = invite_json(&invite);
    state.store.create_invite(invite).await?.map_err(|why| refused(StatusCode::CONFLICT, why))?;
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// `GET /workspaces/<id>/invites`: the invites that still work.
pub async fn list_invites(
    State(state): State<Arc<AppState>>,
    Path(workspace): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let workspace = parse_workspace(&workspace)?;
    current_member(&state, workspace, &headers).await?;
    let invites = state.store.outstanding_invites(workspace).await?;
    Ok(Json(json!({ "invites": invites.iter().map(invite_json).collect::<Vec<_>>() })).into_response())
}

/// `DELETE /workspaces/<id>/invites/<invite-id>`: revokes an invite.
pub async fn revoke_invite(
    State(state): State<Arc<AppState>>,
    Path((workspace, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let workspace = parse_workspace(&workspace)?;
    current_member(&state, workspace, &headers).await?;
    let id = parse_id(&id, "the invite id")?;
    if state.store.revoke_invite(workspace, id).await? {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(refused(StatusCode::NOT_FOUND, "this workspace has no such invite"))
    }
}

/// `GET /invites/<invite-id>`: whoever holds the link redeems it for the sealed key ring.
pub async fn redeem_invite(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let id = parse_id(&id, "the invite id")?;
    let token = bearer(&headers)?;
    let invite = state
        .store
        .invite(id)
        .await?
        .ok_or_else(|| refused(StatusCode::NOT_FOUND, "this invite is unknown to the relay"))?;
    if !constant_time_eq(&invite.token_hash, &token.hash()) {
        return Err(AppError::Unauthorized("wrong token for this invite"));
    }
    if invite.revoked_at.is_some() {
        return Err(refused(StatusCode::GONE, "this invite was revoked"));
    }
    if invite.expires_at <= now_millis() {
        return Err(refused(StatusCode::GONE, "this invite has expired"));
    }
    Ok(Json(json!({
        "workspace": invite.workspace,
        "envelope": crm_core::ids::to_hex(&invite.envelope),
        "expires_at": invite.expires_at,
    }))
    .into_response())
}
