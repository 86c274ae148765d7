//! Presence (DESIGN.md section 6): this tab tells the team which customer it has open and which
//! field it is editing, repeating it every few seconds, and keeps a board of what the others
//! said (`crm_core::presence`). Nothing of it is stored; an entry fades when its sender stops
//! repeating it (a closed tab, a lost network) and goes at once when the sender leaves.

use crate::state::{services, AppState};
use leptos::prelude::*;
use crm_core::presence::{Ephemeral, Presence, FADE_MS, HEARTBEAT_MS};
use crm_core::DocId;
use std::cell::{Cell, RefCell};

thread_local! {
    static SESSION: u64 = u64::from_le_bytes(crm_core::ids::random_bytes());
    static TICK: Cell<u64> = const { Cell::new(0) };
    static HERE: RefCell<(Option<DocId>, Option<String>)> = const { RefCell::new((None, None)) };
    static APP: Cell<Option<AppState>> = const { Cell::new(None) };
}

/// This tab's random id (presence and peer connections).
pub fn session() -> u64 {
    SESSION.with(|s| *s)
}

fn message(leaving: bool) -> Ephemeral {
    let (doc, field) = HERE.with(|h| h.borrow().clone());
    let tick = TICK.with(|t| {
        t.set(t.get() + 1);
        t.get()
    });
    let s = services();
    let name = APP.with(|a| a.get()).map(|app| app.settings.with_untracked(|st| st.who(&s.store.device))).unwrap_or_default();
    Ephemeral::Presence(Presence {
        session: SESSION.with(|s| *s),
        device: s.store.device,
        name,
        doc,
        field,
        tick,
        leaving,
    })
}

/// Sends a sealed ephemeral message: on the network when this tab leads, else through the
/// leading tab.
pub fn send(m: &Ephemeral) {
    let s = services();
    let body = m.seal(&s.keys);
    let client = s.sync.borrow().clone();
    match client {
        Some(client) => {
            if let Some(p) = s.peers.borrow().as_ref() {
                p.ephemeral(body.clone());
            }
            client.send_ephemeral(body)
        }
        None => {
            if let Some(tabs) = s.tabs.borrow().as_ref() {
                tabs.post(&crate::platform::tabs::TabMsg::Ephemeral { body, outbound: true });
            }
        }
    }
}

/// Says where this tab is now: the customer open and the field being edited.
pub fn set_here(doc: Option<DocId>, field: Option<String>) {
    let changed = HERE.with(|h| {
        let mut h = h.borrow_mut();
        let new = (doc, field);
        let changed = *h != new;
        *h = new;
        changed
    });
    if changed {
        send(&message(false));
    }
}

/// A sealed ephemeral message from the network (or the leading tab).
pub fn receive(app: AppState, body: &[u8]) {
    match Ephemeral::open(&services().keys, body) {
        Ok(Ephemeral::Presence(p)) => {
            let now = crate::platform::now_ms();
            let mut changed = false;
            app.presence.update_untracked(|b| changed = b.apply(p, now));
            if changed {
                app.presence.notify();
            }
        }
        Ok(e @ (Ephemeral::Signal { .. } | Ephemeral::Peer { .. })) => {
            if let Some(p) = services().peers.borrow().as_ref() {
                p.heard(e);
            }
        }
        // presence is best effort: a message that does not open is dropped, and said so
        Err(e) => web_sys::console::warn_1(&format!("ephemeral message ignored: {e}").into()),
    }
}

/// Repeats this tab's presence while it has a customer open, fades the silent, and says
/// goodbye when the tab goes away.
pub fn start(app: AppState) {
    APP.with(|a| a.set(Some(app)));
    gloo_timers::callback::Interval::new(HEARTBEAT_MS as u32, move || {
        if HERE.with(|h| h.borrow().0.is_some()) {
            send(&message(false));
        }
    })
    .forget();
    gloo_timers::callback::Interval::new((FADE_MS / 5) as u32, move || {
        let now = crate::platform::now_ms();
        let mut changed = false;
        app.presence.update_untracked(|b| changed = b.fade(now));
        if changed {
            app.presence.notify();
        }
    })
    .forget();
    if let Some(w) = web_sys::window() {
        let bye = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
            if HERE.with(|h| h.borrow().0.is_some()) {
                send(&message(true));
            }
        });
        let _ = w.add_event_listener_with_callback("pagehide", wasm_bindgen::JsCast::unchecked_ref(bye.as_ref()));
        bye.forget();
    }
}
