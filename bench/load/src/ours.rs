//! A client of our relay: a device of the team's workspace, as `bench/native` connects one
//! (subprotocols `crm-sync.v1, auth.<token hex>`, `Message` frames driven by a
//! `crm_core::sync::Session`), keeping its customers in a `crm_core::replica::Replica` (the
//! in-memory reference of what every device stores). An edit is `Edit::Set(Field::Phone, ..)`
//! on the team's customer: one Automerge change, sealed as the device's next chunk and
//! pushed. A delivery is a chunk of another device that this one has opened and merged into
//! its document; it acknowledges it as a device does.

use crate::stats::{chunk_edit_key, EditKey};
use crate::{mark_ready, Ctx, Proto, Team};
use anyhow::{anyhow, bail, Context, Result};
use crm_core::replica::Replica;
use crm_core::sync::{Effect, Message, Session};
use crm_core::{DeviceId, DocId, Edit, Field, Kind, WorkspaceKeys, WorkspaceSecret};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::Instant;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message as WsMessage;

/// A team: its own workspace (secret, keys) and the one customer its members edit.
pub struct TeamKeys {
    host: String,
    keys: WorkspaceKeys,
    doc: DocId,
}

impl TeamKeys {
    pub fn new(url: &str) -> Result<TeamKeys> {
        let host = url
            .trim_end_matches('/')
            .strip_prefix("http://")
            .ok_or_else(|| anyhow!("--url {url:?} does not start with http:// (our relay's URL)"))?
            .to_string();
        Ok(TeamKeys { host, keys: WorkspaceSecret::generate().keys(), doc: DocId::random() })
    }
}

fn frame(msg: &Message) -> WsMessage {
    WsMessage::Binary(msg.encode().into())
}

/// One device's state once connected.
struct Device {
    replica: Replica,
    session: Session,
    doc: DocId,
    /// the client's number in the run
    global: usize,
    /// own chunks not yet acknowledged: seq -> when they were written
    unacked: BTreeMap<u64, Instant>,
}

impl Device {
    /// Carries out the session's effects for one message; returns what to send and whether
    /// the session is caught up.
    fn handle(&mut self, ctx: &Ctx, msg: Message) -> Result<(Vec<WsMessage>, bool)> {
        let mut out = Vec::new();
        let mut caught_up = false;
        let effects = self.session.receive(msg, self.replica.vector());
        for effect in effects {
            match effect {
                Effect::Send(m) => out.push(frame(&m)),
                Effect::Store(chunks) => {
                    let fresh = self.replica.ingest(chunks).context("opening and merging a chunk")?;
                    let now = Instant::now();
                    for c in &fresh {
                        ctx.tracker.delivered(&chunk_edit_key(&c.device.0, c.seq), now);
                    }
                    let ack = self.session.stored(self.replica.vector());
                    out.push(frame(&ack));
                }
                Effect::SendMissing { their } => {
                    let missing = self.replica.missing_for(&their);
                    out.extend(self.session.chunks_for_peer(missing).iter().map(frame));
                }
                Effect::PeerHas(v) => {
                    let acked = v.get(&self.replica.device);
                    let now = Instant::now();
                    while let Some(entry) = self.unacked.first_entry() {
                        if *entry.key() > acked {
                            break;
                        }
                        Ctx::push_us(&ctx.ack_us, now.saturating_duration_since(entry.remove()));
                    }
                }
                Effect::CaughtUp => caught_up = true,
                Effect::Closed { reason } => bail!("the relay reported an error: {reason}"),
                Effect::Ephemeral(_) => {}
            }
        }
        Ok((out, caught_up))
    }
}

impl Proto for Device {
    fn edit(&mut self, n: u64) -> Result<(EditKey, Vec<WsMessage>)> {
        // unique per client and edit, so every edit really changes the field
        let phone = format!("+44 20 {:04} {:04}", self.global % 10_000, n % 10_000);
        let chunk = self
            .replica
            .edit(self.doc, &[Edit::Set(Field::Phone, phone)])?
            .ok_or_else(|| anyhow!("an edit made no chunk"))?;
        let key = chunk_edit_key(&chunk.device.0, chunk.seq);
        self.unacked.insert(chunk.seq, Instant::now());
        let frames = self.session.chunks_for_peer([chunk]).iter().map(frame).collect();
        Ok((key, frames))
    }

    fn incoming(&mut self, ctx: &Ctx, bytes: &[u8]) -> Result<Vec<WsMessage>> {
        let msg = Message::decode(bytes).context("the relay sent an undecodable frame")?;
        Ok(self.handle(ctx, msg)?.0)
    }
}

pub async fn client(ctx: &Ctx, team: &Team, t: &TeamKeys, creator: bool, global: usize, readied: &mut bool) -> Result<()> {
    if !creator {
        team.wait_doc().await?;
    }
    let permit = ctx.connecting.acquire().await?;
    let started = Instant::now();
    let mut request = format!("ws://{}/sync/{}", t.host, t.keys.workspace).into_client_request()?;
    let protocols = format!("crm-sync.v1, auth.{}", t.keys.token.to_hex());
    request.headers_mut().insert("Sec-WebSocket-Protocol", HeaderValue::from_str(&protocols)?);
    let (mut ws, _) = tokio::time::timeout(crate::SETUP_STEP, tokio_tungstenite::connect_async_with_config(request, Some(crate::ws_config()), true))
        .await
        .map_err(|_| anyhow!("the WebSocket handshake took over {} s", crate::SETUP_STEP.as_secs()))?
        .context("WebSocket handshake with the relay")?;
    Ctx::push_us(&ctx.handshake_us, started.elapsed());

    let mut dev = Device {
        replica: Replica::device(DeviceId::random(), t.keys.clone()),
        session: Session::new(),
        doc: t.doc,
        global,
        unacked: BTreeMap::new(),
    };
    // catch up: Have, then whatever the relay holds, until its Have reply
    let hello = dev.session.have(dev.replica.vector());
    ctx.send(&mut ws, frame(&hello)).await?;
    loop {
        let msg = Message::decode(&ctx.recv_setup(&mut ws).await?).context("the relay sent an undecodable frame")?;
        let (out, done) = dev.handle(ctx, msg)?;
        for f in out {
            ctx.send(&mut ws, f).await?;
        }
        if done {
            break;
        }
    }
    if creator {
        // the team's customer: created here, pushed, acknowledged
        let chunk = dev.replica.create(t.doc, Kind::Company, &format!("Load Team {:04} Ltd", team.index));
        for f in dev.session.chunks_for_peer([chunk]) {
            ctx.send(&mut ws, frame(&f)).await?;
        }
        let me = dev.replica.device;
        loop {
            match Message::decode(&ctx.recv_setup(&mut ws).await?).context("the relay sent an undecodable frame")? {
                Message::Ack { vector } if vector.get(&me) >= 1 => break,
                Message::Error { reason } => bail!("the relay refused the customer: {reason}"),
                _ => {}
            }
        }
        team.doc_ready.send_replace(Some(true));
    } else if dev.replica.doc(&t.doc).is_none_or(|d| !d.is_complete()) {
        bail!("caught up without the team's customer");
    }
    drop(permit);
    mark_ready(ctx, team, started, readied);
    crate::edit_loop(ctx, team, global, ws, dev).await
}

/// The relay's default limits beside the traffic the clients offered during the window, so
/// the report says whether the relay's defaults could have throttled it.
pub fn limits_note(frames_per_conn: Option<f64>, bytes_per_conn: Option<f64>, bytes_per_team: Option<f64>) -> Value {
    let l = crm_relay::limits::Limits::default();
    let within = |x: Option<f64>, limit: u64| x.map(|x| x <= limit as f64 / 2.0);
    let ok = [
        within(frames_per_conn, l.conn_msgs_per_sec),
        within(bytes_per_conn, l.conn_bytes_per_sec),
        within(bytes_per_team, l.workspace_bytes_per_sec),
    ];
    json!({
        "defaults": {
            "conn_msgs_per_sec": l.conn_msgs_per_sec,
            "conn_bytes_per_sec": l.conn_bytes_per_sec,
            "workspace_bytes_per_sec": l.workspace_bytes_per_sec,
            "workspace_quota": l.workspace_quota,
        },
        // each offered average at most half its default limit (the buckets hold a second's
        // worth, so bursts of twice the average still pass unthrottled)
        "offered_within_defaults": ok.iter().all(|x| x.unwrap_or(false)),
    })
}
