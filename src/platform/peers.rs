//! Peer-to-peer sync over WebRTC data channels (DESIGN.md section 5). The leading tab of each
//! browser says it can take peer connections (`Ephemeral::Peer`, sealed, through the relay);
//! of two such tabs the one with the lower session id offers a connection, and the offer and
//! answer (with their ICE candidates, gathered in full first) travel as sealed `Signal`s. Once
//! the data channel is open the peers run the relay's exchange over it
//! (`crm_core::sync::peer`: every frame sealed, chunks only after the peer's sealed `Have`),
//! and keep syncing when the relay is gone. Host candidates are enough on a LAN; STUN/TURN
//! servers come from the team settings.

use super::store::{Ingested, Store};
use crm_core::presence::Ephemeral;
use crm_core::sync::peer::{seal, Reassembler};
use crm_core::sync::{Effect, Message, Session};
use crm_core::{DeviceId, SealedChunk, WorkspaceKeys};
use futures::channel::mpsc;
use futures::StreamExt;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    MessageEvent, RtcConfiguration, RtcDataChannel, RtcDataChannelEvent, RtcDataChannelType, RtcIceGatheringState,
    RtcIceServer, RtcPeerConnection, RtcPeerConnectionState, RtcSdpType, RtcSessionDescriptionInit,
};

const ENABLED_KEY: &str = "crm.p2p";

/// Whether this device connects directly to teammates (a device setting, on unless turned off).
pub fn enabled() -> bool {
    let v = web_sys::window().and_then(|w| w.local_storage().ok().flatten()).and_then(|s| s.get_item(ENABLED_KEY).ok().flatten());
    v.as_deref() != Some("off")
}

/// Turns direct connections on or off for this device (from the next start of the app).
pub fn set_enabled(on: bool) {
    if let Some(s) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = if on { s.remove_item(ENABLED_KEY) } else { s.set_item(ENABLED_KEY, "off") };
    }
}

/// A link that has not opened by then is dropped (the next announcement retries).
const OPEN_TIMEOUT_MS: f64 = 20_000.0;
const ANNOUNCE_MS: u32 = 5_000;
const RESYNC_MS: u32 = 20_000;

/// What peer sync tells the app.
pub struct PeerHooks {
    /// chunks merged from a peer (as the relay client reports them)
    pub ingested: Box<dyn Fn(Ingested)>,
    /// a sealed ephemeral message from a peer (presence)
    pub ephemeral: Box<dyn Fn(Vec<u8>)>,
    /// how many peers are connected now
    pub count: Box<dyn Fn(usize)>,
    /// the ICE servers to use (the team settings, read at each new connection)
    pub ice_servers: Box<dyn Fn() -> Vec<String>>,
    /// sends a sealed ephemeral message through the relay (signalling)
    pub signal: Box<dyn Fn(Vec<u8>)>,
}

enum Event {
    Heard(Ephemeral),
    Open(u64),
    Fragment(u64, Vec<u8>),
    Gone(u64, String),
    Local(Vec<SealedChunk>),
    Outbox,
    Ephemeral(Vec<u8>),
    Tick,
}

struct Link {
    pc: RtcPeerConnection,
    channel: Option<RtcDataChannel>,
    session: Session,
    reassembler: Reassembler,
    open: bool,
    started: f64,
    _callbacks: Vec<Closure<dyn FnMut(JsValue)>>,
}

impl Drop for Link {
    fn drop(&mut self) {
        if let Some(c) = &self.channel {
            c.set_onmessage(None);
            c.set_onopen(None);
            c.set_onclose(None);
            c.close();
        }
        self.pc.set_onconnectionstatechange(None);
        self.pc.set_ondatachannel(None);
        self.pc.close();
    }
}

struct Inner {
    me: u64,
    device: DeviceId,
    links: HashMap<u64, Link>,
    tx: mpsc::UnboundedSender<Event>,
}

#[derive(Clone)]
pub struct Peers {
    inner: Rc<RefCell<Inner>>,
}

fn now() -> f64 {
    js_sys::Date::now()
}

fn err(e: JsValue) -> String {
    e.as_string()
        .or_else(|| e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())))
        .unwrap_or_else(|| format!("{e:?}"))
}

/// `stun:host:port` or `turn:host:port username credential`, one per entry.
fn configuration(servers: &[String]) -> RtcConfiguration {
    let config = RtcConfiguration::new();
    let list = js_sys::Array::new();
    for line in servers {
        let mut parts = line.split_whitespace();
        let Some(url) = parts.next() else { continue };
        let server = RtcIceServer::new();
        server.set_urls_str(url);
        if let (Some(user), Some(credential)) = (parts.next(), parts.next()) {
            server.set_username(user);
            server.set_credential(credential);
        }
        list.push(&server);
    }
    config.set_ice_servers(&list);
    config
}

impl Peers {
    pub fn start(session: u64, store: Rc<Store>, keys: WorkspaceKeys, hooks: PeerHooks) -> Peers {
        let (tx, rx) = mpsc::unbounded();
        let peers = Peers {
            inner: Rc::new(RefCell::new(Inner { me: session, device: store.device, links: HashMap::new(), tx })),
        };
        let hooks = Rc::new(hooks);
        wasm_bindgen_futures::spawn_local(peers.clone().run(rx, store, keys, hooks));
        let tx = peers.inner.borrow().tx.clone();
        gloo_timers::callback::Interval::new(ANNOUNCE_MS, move || {
            let _ = tx.unbounded_send(Event::Tick);
        })
        .forget();
        peers.send_event(Event::Tick);
        peers
    }

    fn send_event(&self, e: Event) {
        let _ = self.inner.borrow().tx.unbounded_send(e);
    }

    /// An ephemeral message about peers (an announcement or a signal) from the relay.
    pub fn heard(&self, e: Ephemeral) {
        self.send_event(Event::Heard(e));
    }

    /// Chunks written here, or newly received from the relay: offer them to every peer.
    pub fn chunks(&self, chunks: Vec<SealedChunk>) {
        if !chunks.is_empty() {
            self.send_event(Event::Local(chunks));
        }
    }

    /// Another tab stored chunks: send the peers what they lack.
    pub fn push_outbox(&self) {
        self.send_event(Event::Outbox);
    }

    /// A sealed ephemeral message (presence) for every peer.
    pub fn ephemeral(&self, body: Vec<u8>) {
        self.send_event(Event::Ephemeral(body));
    }

    fn send(&self, remote: u64, keys: &WorkspaceKeys, msg: &Message) {
        let inner = self.inner.borrow();
        let Some(channel) = inner.links.get(&remote).filter(|l| l.open).and_then(|l| l.channel.as_ref()) else { return };
        for part in seal(keys, msg) {
            if channel.send_with_u8_array(&part).is_err() {
                let _ = inner.tx.unbounded_send(Event::Gone(remote, "the data channel refused a message".into()));
                return;
            }
        }
    }

    /// The peers whose data channel is open.
    fn open_remotes(&self) -> Vec<u64> {
        self.inner.borrow().links.iter().filter(|(_, l)| l.open).map(|(r, _)| *r).collect()
    }

    /// Frames `chunks` through `remote`'s session (skipping what it holds or was sent) and sends them.
    fn send_chunks(&self, remote: u64, keys: &WorkspaceKeys, chunks: Vec<SealedChunk>) {
        let frames = self.inner.borrow_mut().links.get_mut(&remote).map(|l| l.session.chunks_for_peer(chunks));
        for f in frames.unwrap_or_default() {
            self.send(remote, keys, &f);
        }
    }

    fn open_count(&self) -> usize {
        self.inner.borrow().links.values().filter(|l| l.open).count()
    }

    fn wire_channel(&self, remote: u64, channel: &RtcDataChannel) -> Vec<Closure<dyn FnMut(JsValue)>> {
        channel.set_binary_type(RtcDataChannelType::Arraybuffer);
        let tx = self.inner.borrow().tx.clone();
        let on_open = Closure::<dyn FnMut(JsValue)>::new(move |_| {
            let _ = tx.unbounded_send(Event::Open(remote));
        });
        let tx = self.inner.borrow().tx.clone();
        let on_message = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
            let e: MessageEvent = e.unchecked_into();
            if let Ok(buf) = e.data().dyn_into::<js_sys::ArrayBuffer>() {
                let _ = tx.unbounded_send(Event::Fragment(remote, js_sys::Uint8Array::new(&buf).to_vec()));
            }
        });
        let tx = self.inner.borrow().tx.clone();
        let on_close = Closure::<dyn FnMut(JsValue)>::new(move |_| {
            let _ = tx.unbounded_send(Event::Gone(remote, "the data channel closed".into()));
        });
        channel.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        channel.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        vec![on_open, on_message, on_close]
    }

    /// A new peer connection to `remote`; the offering side also makes the data channel.
    fn new_link(&self, remote: u64, offering: bool, ice: &[String]) -> Result<(), String> {
        let pc = RtcPeerConnection::new_with_configuration(&configuration(ice)).map_err(err)?;
        let mut callbacks = Vec::new();
        let tx = self.inner.borrow().tx.clone();
        let pc2 = pc.clone();
        let on_state = Closure::<dyn FnMut(JsValue)>::new(move |_| {
            if matches!(pc2.connection_state(), RtcPeerConnectionState::Failed | RtcPeerConnectionState::Closed) {
                let _ = tx.unbounded_send(Event::Gone(remote, "the peer connection failed".into()));
            }
        });
        pc.set_onconnectionstatechange(Some(on_state.as_ref().unchecked_ref()));
        callbacks.push(on_state);
        let channel = if offering {
            let c = pc.create_data_channel("crm-sync");
            callbacks.extend(self.wire_channel(remote, &c));
            Some(c)
        } else {
            let me = self.clone();
            let on_channel = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
                let e: RtcDataChannelEvent = e.unchecked_into();
                let c = e.channel();
                let cbs = me.wire_channel(remote, &c);
                if let Some(link) = me.inner.borrow_mut().links.get_mut(&remote) {
                    link._callbacks.extend(cbs);
                    link.channel = Some(c);
                }
            });
            pc.set_ondatachannel(Some(on_channel.as_ref().unchecked_ref()));
            callbacks.push(on_channel);
            None
        };
        let link = Link {
            pc,
            channel,
            session: Session::new(),
            reassembler: Reassembler::default(),
            open: false,
            started: now(),
            _callbacks: callbacks,
        };
        self.inner.borrow_mut().links.insert(remote, link);
        Ok(())
    }

    /// Sets our description and waits until every ICE candidate is in it (no trickling: one
    /// signal each way), then returns it.
    async fn describe(pc: &RtcPeerConnection, kind: RtcSdpType, sdp: JsValue) -> Result<String, String> {
        let sdp = js_sys::Reflect::get(&sdp, &"sdp".into()).map_err(err)?.as_string().unwrap_or_default();
        let desc = RtcSessionDescriptionInit::new(kind);
        desc.set_sdp(&sdp);
        JsFuture::from(pc.set_local_description(&desc)).await.map_err(err)?;
        let started = now();
        while pc.ice_gathering_state() != RtcIceGatheringState::Complete && now() - started < 5_000.0 {
            gloo_timers::future::TimeoutFuture::new(50).await;
        }
        Ok(pc.local_description().map(|d| d.sdp()).unwrap_or_default())
    }

    async fn offer(&self, remote: u64, keys: &WorkspaceKeys, hooks: &PeerHooks) -> Result<(), String> {
        self.new_link(remote, true, &(hooks.ice_servers)())?;
        let pc = self.inner.borrow().links.get(&remote).map(|l| l.pc.clone()).ok_or("link gone")?;
        let offer = JsFuture::from(pc.create_offer()).await.map_err(err)?;
        let sdp = Self::describe(&pc, RtcSdpType::Offer, offer).await?;
        self.signal(remote, keys, hooks, "offer", &sdp);
        Ok(())
    }

    async fn answer(&self, remote: u64, offer: &str, keys: &WorkspaceKeys, hooks: &PeerHooks) -> Result<(), String> {
        // a fresh offer replaces whatever link there was
        self.inner.borrow_mut().links.remove(&remote);
        self.new_link(remote, false, &(hooks.ice_servers)())?;
        let pc = self.inner.borrow().links.get(&remote).map(|l| l.pc.clone()).ok_or("link gone")?;
        let desc = RtcSessionDescriptionInit::new(RtcSdpType::Offer);
        desc.set_sdp(offer);
        JsFuture::from(pc.set_remote_description(&desc)).await.map_err(err)?;
        let answer = JsFuture::from(pc.create_answer()).await.map_err(err)?;
        let sdp = Self::describe(&pc, RtcSdpType::Answer, answer).await?;
        self.signal(remote, keys, hooks, "answer", &sdp);
        Ok(())
    }

    fn signal(&self, remote: u64, keys: &WorkspaceKeys, hooks: &PeerHooks, kind: &str, sdp: &str) {
        let data = serde_json::json!({ "type": kind, "sdp": sdp }).to_string();
        let me = self.inner.borrow().me;
        (hooks.signal)(Ephemeral::Signal { from: me, to: remote, data }.seal(keys));
    }

    async fn heard_ephemeral(&self, e: Ephemeral, keys: &WorkspaceKeys, hooks: &PeerHooks) -> Result<(), String> {
        let (me, device) = {
            let i = self.inner.borrow();
            (i.me, i.device)
        };
        match e {
            Ephemeral::Peer { session, device: theirs } => {
                let known = self.inner.borrow().links.contains_key(&session);
                // one side offers: the lower session id
                if theirs != device && session != me && me < session && !known {
                    self.offer(session, keys, hooks).await?;
                }
            }
            Ephemeral::Signal { from, to, data } if to == me => {
                let v: serde_json::Value = serde_json::from_str(&data).map_err(|e| format!("bad signal: {e}"))?;
                let sdp = v["sdp"].as_str().unwrap_or_default();
                match v["type"].as_str() {
                    Some("offer") => self.answer(from, sdp, keys, hooks).await?,
                    Some("answer") => {
                        let pc = self.inner.borrow().links.get(&from).map(|l| l.pc.clone());
                        if let Some(pc) = pc {
                            let desc = RtcSessionDescriptionInit::new(RtcSdpType::Answer);
                            desc.set_sdp(sdp);
                            JsFuture::from(pc.set_remote_description(&desc)).await.map_err(err)?;
                        }
                    }
                    other => return Err(format!("unknown signal {other:?}")),
                }
            }
            _ => {}
        }
        Ok(())
    }

    async fn run(self, mut rx: mpsc::UnboundedReceiver<Event>, store: Rc<Store>, keys: WorkspaceKeys, hooks: Rc<PeerHooks>) {
        let mut last_resync = now();
        while let Some(ev) = rx.next().await {
            let before = self.open_count();
            let result = match ev {
                Event::Heard(e) => self.heard_ephemeral(e, &keys, &hooks).await,
                Event::Open(remote) => {
                    if let Some(l) = self.inner.borrow_mut().links.get_mut(&remote) {
                        l.open = true;
                    }
                    match store.log().await {
                        Ok(log) => {
                            let hello = self.inner.borrow_mut().links.get_mut(&remote).map(|l| l.session.have(&log.vector));
                            if let Some(h) = hello {
                                self.send(remote, &keys, &h);
                            }
                            Ok(())
                        }
                        Err(e) => Err(e.to_string()),
                    }
                }
                Event::Fragment(remote, bytes) => {
                    let msg = self.inner.borrow_mut().links.get_mut(&remote).map(|l| l.reassembler.push(&keys, &bytes));
                    match msg {
                        Some(Ok(Some(msg))) => self.handle(remote, msg, &store, &keys, &hooks).await,
                        Some(Ok(None)) | None => Ok(()),
                        Some(Err(e)) => {
                            self.inner.borrow_mut().links.remove(&remote);
                            Err(format!("peer connection dropped: {e}"))
                        }
                    }
                }
                Event::Gone(remote, _why) => {
                    self.inner.borrow_mut().links.remove(&remote);
                    Ok(())
                }
                Event::Local(chunks) => {
                    for r in self.open_remotes() {
                        self.send_chunks(r, &keys, chunks.clone());
                    }
                    Ok(())
                }
                Event::Outbox => self.push_missing(&store, &keys).await,
                Event::Ephemeral(body) => {
                    for r in self.open_remotes() {
                        self.send(r, &keys, &Message::Ephemeral { body: body.clone() });
                    }
                    Ok(())
                }
                Event::Tick => {
                    let (me, device) = {
                        let i = self.inner.borrow();
                        (i.me, i.device)
                    };
                    (hooks.signal)(Ephemeral::Peer { session: me, device }.seal(&keys));
                    // links that never opened are dropped, so the next announcement retries
                    self.inner.borrow_mut().links.retain(|_, l| l.open || now() - l.started < OPEN_TIMEOUT_MS);
                    if now() - last_resync >= RESYNC_MS as f64 {
                        last_resync = now();
                        if let Ok(log) = store.log().await {
                            for r in self.open_remotes() {
                                let have = self.inner.borrow_mut().links.get_mut(&r).map(|l| l.session.have(&log.vector));
                                if let Some(h) = have {
                                    self.send(r, &keys, &h);
                                }
                            }
                        }
                    }
                    Ok(())
                }
            };
            if let Err(e) = result {
                web_sys::console::warn_1(&format!("peer sync: {e}").into());
            }
            let after = self.open_count();
            if after != before {
                (hooks.count)(after);
            }
        }
    }

    /// Sends every open peer the stored chunks it lacks (another tab wrote them).
    async fn push_missing(&self, store: &Store, keys: &WorkspaceKeys) -> Result<(), String> {
        let remotes: Vec<(u64, crm_core::VersionVector)> =
            self.inner.borrow().links.iter().filter(|(_, l)| l.open).map(|(r, l)| (*r, l.session.their().clone())).collect();
        for (r, their) in remotes {
            let chunks = store.chunks_missing_for(&their).await.map_err(|e| e.to_string())?;
            self.send_chunks(r, keys, chunks);
        }
        Ok(())
    }

    async fn handle(&self, remote: u64, msg: Message, store: &Store, keys: &WorkspaceKeys, hooks: &PeerHooks) -> Result<(), String> {
        let mine = store.log().await.map_err(|e| e.to_string())?.vector;
        let Some(effects) = self.inner.borrow_mut().links.get_mut(&remote).map(|l| l.session.receive(msg, &mine)) else {
            return Ok(());
        };
        for e in effects {
            match e {
                Effect::Send(m) => self.send(remote, keys, &m),
                Effect::SendMissing { their } => {
                    let chunks = store.chunks_missing_for(&their).await.map_err(|e| e.to_string())?;
                    self.send_chunks(remote, keys, chunks);
                }
                Effect::Store(chunks) => {
                    let ingested = store.ingest(keys, chunks).await.map_err(|e| e.to_string())?;
                    let ack = self.inner.borrow_mut().links.get_mut(&remote).map(|l| l.session.stored(&ingested.log.vector));
                    if let Some(ack) = ack {
                        self.send(remote, keys, &ack);
                    }
                    // what was new here goes on to the other peers (the relay client is told by the hook)
                    for r in self.open_remotes().into_iter().filter(|r| *r != remote) {
                        self.send_chunks(r, keys, ingested.fresh.clone());
                    }
                    (hooks.ingested)(ingested);
                }
                Effect::Ephemeral(body) => (hooks.ephemeral)(body),
                Effect::PeerHas(_) | Effect::CaughtUp => {}
                Effect::Closed { reason } => {
                    self.inner.borrow_mut().links.remove(&remote);
                    return Err(format!("peer closed: {reason}"));
                }
            }
        }
        Ok(())
    }
}
