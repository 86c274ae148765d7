//! One authenticated sync connection: the `GET /sync/<workspace-id>` handler (checks run
//! before the upgrade) and the task that then serves the socket.
//!
//! The task owns a [`crm_core::sync::Session`] and carries out its [`Effect`]s in order, one
//! message at a time: `Store` commits in one durable transaction and only then acks and
//! forwards the new chunks to the workspace's other connections; `SendMissing` streams the
//! chunks the peer lacks from the database in bounded pages, before the `Have` reply that
//! follows it. Between messages it frames chunks forwarded by other connections through its
//! own session (so nothing the peer holds, or was already sent, goes out twice).
//!
//! Anything unexpected from the peer (a text frame, an undecodable or oversized frame) gets a
//! `Message::Error` when possible and a close with a reason (1009 for too big, 1008
//! otherwise); only that connection ends.

use crate::auth;
use crate::error::AppError;
use crate::hub::{Forward, Forwarded, Hub};
use crate::limits::Bucket;
use crate::store::{seq_to_sql, StoreError};
use crate::AppState;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use crm_core::sync::{Effect, Message, Session, MAX_FRAME};
use crm_core::{VersionVector, WorkspaceId};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

/// Chunks read from the database per page when catching a peer up.
pub const PAGE_ROWS: usize = 500;
/// And at most about this many body bytes per page.
pub const PAGE_BYTES: usize = 4 * 1024 * 1024;
/// How long a closing connection waits for the peer's close reply.
const CLOSE_GRACE: Duration = Duration::from_secs(5);
/// A frame the peer does not take within this long means it is gone.
const SEND_TIMEOUT: Duration = Duration::from_secs(60);
/// The relay pings a quiet peer this often ...
const PING_EVERY: Duration = Duration::from_secs(30);
/// ... and drops it when nothing at all (not even a pong) came for this long.
const IDLE_LIMIT: Duration = Duration::from_secs(95);
/// Close codes (RFC 6455).
const CLOSE_NORMAL: u16 = 1000;
const CLOSE_GOING_AWAY: u16 = 1001;
const CLOSE_POLICY: u16 = 1008;
const CLOSE_TOO_BIG: u16 = 1009;
const CLOSE_INTERNAL: u16 = 1011;
/// Application close code: the workspace key was rotated (docs/CONTRACTS.md).
pub const CLOSE_KEY_ROTATED: u16 = 4001;
const ROTATED_REASON: &str = "the workspace key was rotated";

/// `GET /sync/<workspace-id>`: validate, authenticate, then upgrade.
pub async fn handler(
    State(state): State<Arc<AppState>>,
    Path(workspace): Path<String>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, AppError> {
    let workspace = auth::parse_workspace(&workspace)?;
    let token = auth::token_from_headers(&headers)?;
    // only a real upgrade request may register a workspace
    let upgrade = upgrade?;
    let registration = auth::authorize(&state.store, workspace, &token).await?;
    tracing::info!(%workspace, ?registration, "sync connection accepted");
    Ok(upgrade
        .protocols([auth::PROTOCOL])
        .max_message_size(MAX_FRAME)
        .max_frame_size(MAX_FRAME)
        // the socket is read 16 KiB at a time, not tungstenite's 128 KiB: that buffer is held
        // (and zeroed before each read) per connection, which at 1,000 connections was most
        // of the relay's memory (bench/load: 154 MB -> 36 MB peak); frames may still be larger
        .read_buffer_size(16 * 1024)
        .on_failed_upgrade(|e| tracing::warn!("websocket upgrade failed: {e}"))
        .on_upgrade(move |socket| serve(state, workspace, token, socket)))
}

/// Why a connection ends.
enum End {
    /// The peer went away; nothing more to say.
    Gone,
    /// The peer sent a close frame: let the transport send its reply.
    PeerClosed,
    /// Tell the peer why, then close.
    Close { code: u16, reason: String, send_error: bool, drain: bool },
}

impl End {
    fn policy(reason: impl Into<String>) -> End {
        End::Close { code: CLOSE_POLICY, reason: reason.into(), send_error: true, drain: true }
    }
    /// The key was rotated under this connection's token.
    fn rotated() -> End {
        End::Close { code: CLOSE_KEY_ROTATED, reason: ROTATED_REASON.into(), send_error: false, drain: true }
    }
    fn storage(e: StoreError) -> End {
        tracing::error!("storage failure: {e}");
        End::Close { code: CLOSE_INTERNAL, reason: "the relay's storage failed".into(), send_error: true, drain: true }
    }
}

struct Conn {
    state: Arc<AppState>,
    hub: Arc<Hub>,
    id: u64,
    socket: WebSocket,
    session: Session,
    /// The peer has stated what it holds at least once.
    heard_have: bool,
    /// this connection's rate budgets: bytes and messages (see `limits.rs`)
    bytes: Bucket,
    messages: Bucket,
}

async fn serve(state: Arc<AppState>, workspace: WorkspaceId, token: crm_core::crypto::AuthToken, socket: WebSocket) {
    let (hub, id) = state.hubs.join(workspace, state.limits.workspace_bytes_per_sec);
    // subscribe before reading anything: every commit from now on is forwarded, every
    // earlier one is in the database
    let mut forwards = hub.subscribe();
    // a rotation committed between the token check and the subscription was not heard:
    // check again now that every later one will be
    let still_current = matches!(
        state.store.token_epoch(workspace, token.hash()).await,
        Ok(crate::members::TokenEpoch::Current(_))
    );
    let mut conn = Conn {
        state: state.clone(),
        hub: hub.clone(),
        id,
        socket,
        session: Session::new(),
        heard_have: false,
        bytes: Bucket::new(state.limits.conn_bytes_per_sec),
        messages: Bucket::new(state.limits.conn_msgs_per_sec),
    };
    let end = if still_current { conn.run(&mut forwards).await } else { End::rotated() };
    drop(forwards);
    conn.finish(end).await;
    drop(conn);
    state.hubs.leave(hub);
    tracing::debug!(%workspace, id, "sync connection ended");
}

impl Conn {
    async fn run(&mut self, forwards: &mut tokio::sync::broadcast::Receiver<Arc<Forward>>) -> End {
        let mut heartbeat = tokio::time::interval_at(tokio::time::Instant::now() + PING_EVERY, PING_EVERY);
        heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_heard = tokio::time::Instant::now();
        let mut shutdown = self.state.shutdown.subscribe();
        loop {
            if *shutdown.borrow_and_update() {
                return End::Close {
                    code: CLOSE_GOING_AWAY,
                    reason: "the relay is shutting down".into(),
                    send_error: false,
                    drain: true,
                };
            }
            let step = tokio::select! {
                changed = shutdown.changed() => changed.map_err(|_| End::Gone),
                incoming = self.socket.recv() => {
                    let step = self.incoming(incoming).await;
                    // the socket was not read while the message was handled (a long catch-up
                    // included): the peer is heard as of the end of it
                    last_heard = tokio::time::Instant::now();
                    step
                }
                _ = heartbeat.tick() => {
                    if last_heard.elapsed() >= IDLE_LIMIT {
                        Err(End::Close { code: CLOSE_GOING_AWAY, reason: "no traffic from the peer; closing".into(), send_error: false, drain: false })
                    } else {
                        self.send_ws(WsMessage::Ping(Default::default())).await
                    }
                }
                forwarded = forwards.recv() => match forwarded {
                    Ok(f) if f.from == self.id => Ok(()),
                    Ok(f) => match &f.what {
                        Forwarded::Chunks(chunks) => self.send_chunks(chunks.iter().cloned()).await,
                        Forwarded::Ephemeral(body) => self.send(&Message::Ephemeral { body: body.clone() }).await,
                        Forwarded::Rotated => Err(End::rotated()),
                    },
                    Err(RecvError::Lagged(n)) => {
                        last_heard = tokio::time::Instant::now();
                        tracing::debug!(id = self.id, missed = n, "forward queue overflowed; catching up from storage");
                        if self.heard_have {
                            let their = self.session.their().clone();
                            self.send_missing(&their).await
                        } else {
                            // its first Have will bring it up to date
                            Ok(())
                        }
                    }
                    Err(RecvError::Closed) => Err(End::Gone),
                },
            };
            if let Err(end) = step {
                return end;
            }
        }
    }

    async fn incoming(&mut self, incoming: Option<Result<WsMessage, axum::Error>>) -> Result<(), End> {
        match incoming {
            None => Err(End::Gone),
            Some(Err(e)) => Err(transport_error(e)),
            Some(Ok(WsMessage::Binary(frame))) => {
                self.pace(frame.len() as u64).await;
                match Message::decode(&frame) {
                    Ok(msg) => self.handle(msg).await,
                    Err(e) => Err(End::policy(e.to_string())),
                }
            }
            Some(Ok(WsMessage::Text(_))) => {
                Err(End::policy("text frames are not part of the protocol; send binary frames"))
            }
            Some(Ok(WsMessage::Close(_))) => Err(End::PeerClosed),
            Some(Ok(WsMessage::Ping(_) | WsMessage::Pong(_))) => Ok(()),
        }
    }

    /// Waits out this connection's and its workspace's rate budgets: the socket is not read
    /// meanwhile, so a fast sender is slowed by TCP and nothing piles up in the relay.
    async fn pace(&mut self, frame_bytes: u64) {
        let mine = self.bytes.take(frame_bytes).max(self.messages.take(1));
        let shared = self.hub.bucket.lock().unwrap_or_else(|p| p.into_inner()).take(frame_bytes);
        let wait = mine.max(shared);
        if !wait.is_zero() {
            tracing::debug!(id = self.id, ?wait, "over its rate: reading on later");
            tokio::time::sleep(wait).await;
        }
    }

    async fn handle(&mut self, msg: Message) -> Result<(), End> {
        if let Message::Chunks { chunks } = &msg {
            if let Some(c) = chunks.iter().find(|c| seq_to_sql(c.seq).is_none()) {
                return Err(End::policy(format!("chunk {}:{} has a seq beyond 2^63-1", c.device, c.seq)));
            }
        }
        if matches!(msg, Message::Have { .. }) {
            self.heard_have = true;
        }
        let mine = self.hub.vector(&self.state.store).await.map_err(End::storage)?;
        let effects = self.session.receive(msg, &mine);
        for effect in effects {
            match effect {
                Effect::Send(m) => self.send(&m).await?,
                Effect::SendMissing { their } => self.send_missing(&their).await?,
                Effect::Store(chunks) => {
                    let stored = self.hub.store(&self.state.store, chunks, self.state.limits.workspace_quota).await;
                    let (fresh, vector) = match stored.map_err(End::storage)? {
                        Ok(done) => done,
                        Err(over) => return Err(End::policy(over.to_string())),
                    };
                    // forward before acking: a member that connects once the pusher holds the
                    // ack subscribes after this forward, so it gets the chunks once (catch-up)
                    // instead of also live (a duplicate, harmless but it made tests flaky)
                    self.hub.forward(self.id, fresh);
                    let ack = self.session.stored(&vector);
                    self.send(&ack).await?;
                }
                Effect::PeerHas(_) | Effect::CaughtUp => {}
                Effect::Ephemeral(body) => self.hub.forward_ephemeral(self.id, body),
                Effect::Closed { reason } => {
                    tracing::info!(id = self.id, "peer closed with an error: {reason}");
                    return Err(End::Close {
                        code: CLOSE_NORMAL,
                        reason: String::new(),
                        send_error: false,
                        drain: true,
                    });
                }
            }
        }
        Ok(())
    }

    /// Streams every stored chunk not covered by `their` (and not already sent), page by
    /// page, device by device.
    async fn send_missing(&mut self, their: &VersionVector) -> Result<(), End> {
        let store = self.state.store.clone();
        let plan = self.hub.missing_plan(&store, their).await.map_err(End::storage)?;
        for (device, mut after) in plan {
            loop {
                let page =
                    store.page(self.hub.workspace, device, after, PAGE_ROWS, PAGE_BYTES).await.map_err(End::storage)?;
                let Some(last) = page.chunks.last() else { break };
                after = last.seq;
                self.send_chunks(page.chunks).await?;
                if !page.more {
                    break;
                }
            }
        }
        Ok(())
    }

    async fn send_chunks(&mut self, chunks: impl IntoIterator<Item = crm_core::SealedChunk>) -> Result<(), End> {
        for frame in self.session.chunks_for_peer(chunks) {
            self.send(&frame).await?;
        }
        Ok(())
    }

    async fn send(&mut self, msg: &Message) -> Result<(), End> {
        self.send_ws(WsMessage::Binary(msg.encode().into())).await
    }

    async fn send_ws(&mut self, msg: WsMessage) -> Result<(), End> {
        match tokio::time::timeout(SEND_TIMEOUT, self.socket.send(msg)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) | Err(_) => Err(End::Gone),
        }
    }

    /// Says goodbye as `end` asks: an in-band `Message::Error`, a close frame with a reason,
    /// then (when the transport is still in a readable state) waits briefly for the peer's
    /// close reply so it sees an orderly close.
    async fn finish(&mut self, end: End) {
        let (code, reason, send_error, drain) = match end {
            End::Gone => return,
            End::PeerClosed => {
                // reading on flushes the queued close reply and then ends the stream
                let _ =
                    tokio::time::timeout(CLOSE_GRACE, async { while let Some(Ok(_)) = self.socket.recv().await {} })
                        .await;
                return;
            }
            End::Close { code, reason, send_error, drain } => (code, reason, send_error, drain),
        };
        if code != CLOSE_NORMAL {
            tracing::info!(id = self.id, code, "closing sync connection: {reason}");
        }
        if send_error {
            let _ = self.send(&Message::Error { reason: truncate(&reason, 4096).to_string() }).await;
        }
        let frame = CloseFrame { code, reason: truncate(&reason, 123).into() };
        if self.send_ws(WsMessage::Close(Some(frame))).await.is_err() {
            return;
        }
        if drain {
            let _ =
                tokio::time::timeout(CLOSE_GRACE, async { while let Some(Ok(_)) = self.socket.recv().await {} }).await;
        } else {
            // the transport cannot read on (an oversized frame is half read): leave the close
            // frame time to reach the peer before the socket is dropped
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
}

/// Maps a transport error to how the connection ends: an oversized frame gets 1009.
fn transport_error(e: axum::Error) -> End {
    let inner = e.into_inner();
    match inner.downcast_ref::<tungstenite::Error>() {
        Some(tungstenite::Error::Capacity(cap)) => {
            let reason = match cap {
                tungstenite::error::CapacityError::MessageTooLong { size, max_size } => {
                    format!("message of {size} bytes exceeds the {max_size}-byte frame limit")
                }
                other => format!("frame too large: {other}"),
            };
            End::Close { code: CLOSE_TOO_BIG, reason, send_error: true, drain: false }
        }
        Some(tungstenite::Error::Protocol(tungstenite::error::ProtocolError::ResetWithoutClosingHandshake)) => {
            End::Gone
        }
        Some(tungstenite::Error::Protocol(p)) => End::Close {
            code: CLOSE_POLICY,
            reason: format!("websocket protocol error: {p}"),
            send_error: false,
            drain: false,
        },
        _ => {
            tracing::debug!("sync connection transport error: {inner}");
            End::Gone
        }
    }
}

/// The longest prefix of `s` of at most `max` bytes that ends on a character boundary.
fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::truncate;

    #[test]
    fn close_reasons_are_cut_on_character_boundaries() {
        assert_eq!(truncate("hello", 123), "hello");
        let long = "é".repeat(100);
        let cut = truncate(&long, 123);
        assert!(cut.len() <= 123 && cut.chars().all(|c| c == 'é'));
    }
}
