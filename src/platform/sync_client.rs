//! The relay connection: a WebSocket carrying the core sync exchange, with the outbox of
//! unacknowledged chunks kept in IndexedDB (so it survives reloads), reconnect with
//! exponential backoff, and a status the UI shows.
//!
//! Incoming frames are queued and handled one at a time by a single task, because handling
//! one may await IndexedDB and the next must see its result.

use super::store::{Ingested, Store};
use crm_core::sync::{Effect, Message, Session};
use crm_core::{SealedChunk, WorkspaceKeys};
use futures::channel::mpsc;
use futures::StreamExt;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{BinaryType, CloseEvent, MessageEvent, WebSocket};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum SyncState {
    #[default]
    Offline,
    Connecting,
    Syncing,
    Synced,
}

impl SyncState {
    pub fn as_str(&self) -> &'static str {
        match self {
            SyncState::Offline => "offline",
            SyncState::Connecting => "connecting",
            SyncState::Syncing => "syncing",
            SyncState::Synced => "synced",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct SyncStatus {
    pub state: SyncState,
    /// this tab holds the connection (the others hear the status from it)
    pub here: bool,
    /// local chunks the relay has not acknowledged
    pub pending: u64,
    /// the last problem, in words, if any
    pub error: Option<String>,
}

/// What the client tells the app.
pub struct Hooks {
    pub status: Box<dyn Fn(SyncStatus)>,
    pub ingested: Box<dyn Fn(Ingested)>,
    /// a sealed ephemeral message from the network
    pub ephemeral: Box<dyn Fn(Vec<u8>)>,
    /// the relay would not open the connection, or closed it because the workspace key was
    /// rotated: ask it whether this device's key was replaced or removed (`members.rs`)
    pub refused: Box<dyn Fn()>,
}

enum Event {
    Open(u64),
    Frame(u64, Vec<u8>),
    /// generation, reason, close code
    Closed(u64, String, u16),
    Local(SealedChunk),
    /// another tab wrote chunks to the shared store: push what the relay lacks
    Outbox,
    Ephemeral(Vec<u8>),
    Resync,
}

struct Inner {
    url: String,
    token: String,
    ws: Option<WebSocket>,
    gen: u64,
    open: bool,
    caught_up: bool,
    attempt: u32,
    /// stopped for good (this device was removed): no more reconnects
    stopped: bool,
    session: Session,
    status: SyncStatus,
    tx: mpsc::UnboundedSender<Event>,
    // keep the JS callbacks alive as long as their socket
    _callbacks: Vec<Closure<dyn FnMut(JsValue)>>,
}

/// Closes a socket we are done with, without its close event reporting a second time.
fn close_quietly(ws: &WebSocket) {
    ws.set_onclose(None);
    ws.set_onmessage(None);
    ws.set_onopen(None);
    let _ = ws.close();
}

#[derive(Clone)]
pub struct SyncClient {
    inner: Rc<RefCell<Inner>>,
}

const PING_MS: u32 = 20_000;
/// The relay closes connections with this code when the workspace key was rotated.
const CLOSE_KEY_ROTATED: u16 = 4001;

impl SyncClient {
    /// Starts syncing `store` with the relay at `base_url` (ws:// or wss://, no trailing slash).
    pub fn start(base_url: &str, store: Rc<Store>, keys: WorkspaceKeys, hooks: Hooks) -> SyncClient {
        let (tx, rx) = mpsc::unbounded();
        let url = format!("{base_url}/sync/{}", keys.workspace);
        let inner = Rc::new(RefCell::new(Inner {
            url,
            token: keys.token.to_hex(),
            ws: None,
            gen: 0,
            open: false,
            caught_up: false,
            attempt: 0,
            stopped: false,
            session: Session::new(),
            status: SyncStatus::default(),
            tx,
            _callbacks: Vec::new(),
        }));
        let client = SyncClient { inner };
        let hooks = Rc::new(hooks);
        wasm_bindgen_futures::spawn_local(client.clone().run(rx, store, keys, hooks));
        client.watch_network();
        client.connect();
        client.schedule_ping();
        client
    }

    /// A chunk this device just wrote: counted as unsent and pushed if connected.
    pub fn local_chunk(&self, chunk: SealedChunk) {
        let _ = self.inner.borrow().tx.unbounded_send(Event::Local(chunk));
    }

    /// Another tab of this browser stored new chunks: send them on.
    pub fn push_outbox(&self) {
        let _ = self.inner.borrow().tx.unbounded_send(Event::Outbox);
    }

    /// Sends a sealed ephemeral message when connected (dropped otherwise: it is ephemeral).
    pub fn send_ephemeral(&self, body: Vec<u8>) {
        let _ = self.inner.borrow().tx.unbounded_send(Event::Ephemeral(body));
    }

    /// Stops syncing for good (this device was removed from the workspace), saying why.
    pub fn stop(&self, reason: String) {
        let mut i = self.inner.borrow_mut();
        i.stopped = true;
        i.open = false;
        if let Some(ws) = i.ws.take() {
            close_quietly(&ws);
        }
        i.status.error = Some(reason);
        let _ = i.tx.unbounded_send(Event::Resync);
    }

    /// Reconnects now (the browser came back online), resetting the backoff.
    pub fn reconnect_now(&self) {
        let stale = {
            let mut i = self.inner.borrow_mut();
            i.attempt = 0;
            !i.open && !i.stopped
        };
        if stale {
            self.connect();
        }
    }

    fn watch_network(&self) {
        let Some(w) = web_sys::window() else { return };
        let me = self.clone();
        let online = Closure::<dyn FnMut(JsValue)>::new(move |_| me.reconnect_now());
        let me = self.clone();
        let offline = Closure::<dyn FnMut(JsValue)>::new(move |_| me.drop_connection("the browser is offline".into()));
        let _ = w.add_event_listener_with_callback("online", online.as_ref().unchecked_ref());
        let _ = w.add_event_listener_with_callback("offline", offline.as_ref().unchecked_ref());
        // app-lifetime listeners
        online.forget();
        offline.forget();
    }

    fn schedule_ping(&self) {
        let me = self.clone();
        gloo_timers::callback::Interval::new(PING_MS, move || {
            let _ = me.inner.borrow().tx.unbounded_send(Event::Resync);
        })
        .forget();
    }

    fn connect(&self) {
        let mut i = self.inner.borrow_mut();
        if let Some(old) = i.ws.take() {
            close_quietly(&old);
        }
        i.gen += 1;
        i.open = false;
        i.caught_up = false;
        let gen = i.gen;
        let protocols = js_sys::Array::of2(&"crm-sync.v1".into(), &format!("auth.{}", i.token).into());
        let ws = match WebSocket::new_with_str_sequence(&i.url, &protocols) {
            Ok(ws) => ws,
            Err(e) => {
                let _ = i.tx.unbounded_send(Event::Closed(gen, format!("cannot open the relay connection: {e:?}"), 1006));
                return;
            }
        };
        ws.set_binary_type(BinaryType::Arraybuffer);
        let tx = i.tx.clone();
        let on_open = Closure::<dyn FnMut(JsValue)>::new(move |_| {
            let _ = tx.unbounded_send(Event::Open(gen));
        });
        let tx = i.tx.clone();
        let on_message = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
            let e: MessageEvent = e.unchecked_into();
            if let Ok(buf) = e.data().dyn_into::<js_sys::ArrayBuffer>() {
                let _ = tx.unbounded_send(Event::Frame(gen, js_sys::Uint8Array::new(&buf).to_vec()));
            }
        });
        let tx = i.tx.clone();
        let on_close = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
            let code = e.dyn_ref::<CloseEvent>().map(|c| c.code()).unwrap_or(1006);
            let reason = match e.dyn_ref::<CloseEvent>() {
                Some(c) if !c.reason().is_empty() => format!("relay closed the connection: {}", c.reason()),
                Some(c) if c.code() == 1006 => "the relay cannot be reached".to_string(),
                Some(c) => format!("connection closed ({})", c.code()),
                None => "connection closed".to_string(),
            };
            let _ = tx.unbounded_send(Event::Closed(gen, reason, code));
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        i._callbacks = vec![on_open, on_message, on_close];
        i.ws = Some(ws);
    }

    /// Closes the current connection; the close is then handled like any other (the reason
    /// shown, a reconnect scheduled with backoff).
    fn drop_connection(&self, reason: String) {
        if let Some(ws) = self.inner.borrow_mut().ws.take() {
            close_quietly(&ws);
        }
        let i = self.inner.borrow();
        let _ = i.tx.unbounded_send(Event::Closed(i.gen, reason, 1000));
    }

    fn send(&self, msg: &Message) {
        let i = self.inner.borrow();
        if let (true, Some(ws)) = (i.open, &i.ws) {
            let _ = ws.send_with_u8_array(&msg.encode());
        }
    }

    fn publish(&self, hooks: &Hooks) {
        let status = {
            let mut i = self.inner.borrow_mut();
            i.status.state = if i.open {
                if i.caught_up && i.status.pending == 0 {
                    SyncState::Synced
                } else {
                    SyncState::Syncing
                }
            } else if i.ws.is_some() {
                SyncState::Connecting
            } else {
                SyncState::Offline
            };
            i.status.here = true;
            i.status.clone()
        };
        (hooks.status)(status);
    }

    async fn refresh_pending(&self, store: &Store) {
        let (seq, relay) = (store.seq().await, store.relay_has().await);
        if let (Ok(seq), Ok(relay)) = (seq, relay) {
            self.inner.borrow_mut().status.pending = seq.saturating_sub(relay.get(&store.device));
        }
    }

    async fn run(self, mut rx: mpsc::UnboundedReceiver<Event>, store: Rc<Store>, keys: WorkspaceKeys, hooks: Rc<Hooks>) {
        self.refresh_pending(&store).await;
        self.publish(&hooks);
        while let Some(ev) = rx.next().await {
            let current = self.inner.borrow().gen;
            match ev {
                Event::Open(g) if g == current => {
                    {
                        let mut i = self.inner.borrow_mut();
                        i.open = true;
                        i.attempt = 0;
                        i.session = Session::new();
                        i.status.error = None;
                    }
                    match store.log().await {
                        Ok(log) => {
                            let hello = self.inner.borrow_mut().session.have(&log.vector);
                            self.send(&hello);
                        }
                        Err(e) => self.inner.borrow_mut().status.error = Some(e.to_string()),
                    }
                }
                Event::Frame(g, bytes) if g == current => match Message::decode(&bytes) {
                    Ok(msg) => {
                        if let Err(e) = self.handle(msg, &store, &keys, &hooks).await {
                            self.inner.borrow_mut().status.error = Some(e);
                        }
                    }
                    Err(e) => {
                        self.send(&Message::Error { reason: e.to_string() });
                        self.drop_connection(format!("bad frame from the relay: {e}"));
                    }
                },
                Event::Closed(g, reason, code) if g == current => {
                    // refused before opening (a replaced token gets a 401 the browser does
                    // not show) or closed for a rotation: the relay says which over HTTP
                    let was_open = self.inner.borrow().open;
                    if !was_open || code == CLOSE_KEY_ROTATED {
                        (hooks.refused)();
                    }
                    let delay = {
                        let mut i = self.inner.borrow_mut();
                        i.open = false;
                        i.ws = None;
                        i.caught_up = false;
                        i.status.error = Some(reason);
                        let d = (500u32 << i.attempt.min(4)).min(8_000);
                        i.attempt += 1;
                        // spread reconnects of many clients after a relay restart
                        d + (js_sys::Math::random() * 400.0) as u32
                    };
                    let me = self.clone();
                    gloo_timers::callback::Timeout::new(delay, move || {
                        let offline = web_sys::window().map(|w| !w.navigator().on_line()).unwrap_or(false);
                        let (open, stopped) = { let i = me.inner.borrow(); (i.open, i.stopped) };
                        if !offline && !open && !stopped {
                            me.connect();
                            // publish the "connecting" state
                            let _ = me.inner.borrow().tx.unbounded_send(Event::Resync);
                        }
                    })
                    .forget();
                }
                Event::Local(chunk) => {
                    self.refresh_pending(&store).await;
                    let frames = self.inner.borrow_mut().session.chunks_for_peer([chunk]);
                    for f in frames {
                        self.send(&f);
                    }
                }
                Event::Outbox => {
                    self.refresh_pending(&store).await;
                    let their = self.inner.borrow().session.their().clone();
                    let open = self.inner.borrow().open;
                    if open {
                        if let Ok(chunks) = store.chunks_missing_for(&their).await {
                            let frames = self.inner.borrow_mut().session.chunks_for_peer(chunks);
                            for f in frames {
                                self.send(&f);
                            }
                        }
                    }
                }
                Event::Ephemeral(body) => self.send(&Message::Ephemeral { body }),
                Event::Resync => {
                    let open = self.inner.borrow().open;
                    if open {
                        if let Ok(log) = store.log().await {
                            let have = self.inner.borrow_mut().session.have(&log.vector);
                            self.send(&have);
                        }
                    }
                }
                _ => {} // an event of an older connection
            }
            self.publish(&hooks);
        }
    }

    async fn handle(&self, msg: Message, store: &Store, keys: &WorkspaceKeys, hooks: &Hooks) -> Result<(), String> {
        let mine = store.log().await.map_err(|e| e.to_string())?.vector;
        let effects = self.inner.borrow_mut().session.receive(msg, &mine);
        for e in effects {
            match e {
                Effect::Send(m) => self.send(&m),
                Effect::SendMissing { their } => {
                    let chunks = store.chunks_missing_for(&their).await.map_err(|e| e.to_string())?;
                    let frames = self.inner.borrow_mut().session.chunks_for_peer(chunks);
                    for f in frames {
                        self.send(&f);
                    }
                }
                Effect::Store(chunks) => {
                    let ingested = store.ingest(keys, chunks).await.map_err(|e| e.to_string())?;
                    let ack = self.inner.borrow_mut().session.stored(&ingested.log.vector);
                    self.send(&ack);
                    let rejected = ingested.rejected.clone();
                    (hooks.ingested)(ingested);
                    if let Some(r) = rejected.first() {
                        return Err(format!("{} incoming change(s) refused: {r}", rejected.len()));
                    }
                }
                Effect::PeerHas(v) => {
                    store.set_relay_has(&v).await.map_err(|e| e.to_string())?;
                    self.refresh_pending(store).await;
                }
                Effect::CaughtUp => self.inner.borrow_mut().caught_up = true,
                Effect::Ephemeral(body) => (hooks.ephemeral)(body),
                Effect::Closed { reason } => self.drop_connection(format!("relay error: {reason}")),
            }
        }
        Ok(())
    }
}
