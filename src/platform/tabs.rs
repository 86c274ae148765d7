//! Tabs of one browser (DESIGN.md section 5). They share the workspace's IndexedDB; a
//! BroadcastChannel carries what one tab must tell the others, and a Web Lock elects the one
//! tab that holds the network connections for all of them (the *leader*):
//!
//! - every tab announces the customers it changed; the leader then pushes that tab's new
//!   chunks (they are in the shared store already) and every tab refreshes what it shows;
//! - the leader announces what it received from the network, and its sync status;
//! - ephemeral messages (presence, signalling) a follower sends go to the leader, which puts
//!   them on the network; those the leader receives go to every follower.
//!
//! When the leading tab closes, the browser releases its lock and the next waiting tab takes
//! over. A browser without Web Locks lets every tab connect (the store makes that harmless).

use super::sync_client::SyncStatus;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{BroadcastChannel, MessageEvent};

/// What tabs say to each other.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "k")]
pub enum TabMsg {
    /// these customers changed in the sender's tab (or arrived from the network there)
    Changed { ids: Vec<String> },
    /// a tab started: the leader answers with its status
    Hello,
    /// the leader's sync status
    Status { status: SyncStatus },
    /// a sealed ephemeral message; `outbound`: from a follower, for the leader to send on
    Ephemeral { body: Vec<u8>, outbound: bool },
}

pub struct Tabs {
    channel: Option<BroadcastChannel>,
    _on_message: Option<Closure<dyn FnMut(MessageEvent)>>,
}

impl Tabs {
    /// Joins the workspace's channel; `heard` receives what other tabs say.
    pub fn join(workspace: &str, heard: impl Fn(TabMsg) + 'static) -> Tabs {
        let Ok(channel) = BroadcastChannel::new(&format!("crm-{workspace}")) else {
            return Tabs { channel: None, _on_message: None };
        };
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            // anything else on the channel (an older version of the app) is ignored
            if let Ok(msg) = serde_wasm_bindgen::from_value::<TabMsg>(e.data()) {
                heard(msg);
            }
        });
        channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        let tabs = Tabs { channel: Some(channel), _on_message: Some(on_message) };
        tabs.post(&TabMsg::Hello);
        tabs
    }

    pub fn post(&self, msg: &TabMsg) {
        if let Some(c) = &self.channel {
            if let Ok(v) = msg.serialize(&serde_wasm_bindgen::Serializer::json_compatible()) {
                let _ = c.post_message(&v);
            }
        }
    }

    /// Tells the other tabs these customers changed here.
    pub fn announce(&self, ids: &[String]) {
        if !ids.is_empty() {
            self.post(&TabMsg::Changed { ids: ids.to_vec() });
        }
    }
}

/// Waits for the workspace's sync lock, then calls `lead` once: this tab now holds the network
/// connections until it closes. Without Web Locks, `lead` runs at once.
pub fn when_leader(workspace: &str, lead: impl FnOnce() + 'static) {
    let locks = web_sys::window()
        .map(|w| w.navigator())
        .and_then(|n| js_sys::Reflect::get(&n, &"locks".into()).ok())
        .filter(|l| !l.is_undefined() && !l.is_null());
    let request = locks.as_ref().and_then(|l| js_sys::Reflect::get(l, &"request".into()).ok()).and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    let (Some(locks), Some(request)) = (locks, request) else {
        lead();
        return;
    };
    let mut lead = Some(lead);
    let granted = Closure::<dyn FnMut(JsValue) -> js_sys::Promise>::new(move |_lock: JsValue| {
        if let Some(lead) = lead.take() {
            lead();
        }
        // held until the tab goes away: a promise that never settles
        js_sys::Promise::new(&mut |_, _| {})
    });
    let name = JsValue::from_str(&format!("crm-sync-{workspace}"));
    if request.call2(&locks, &name, granted.as_ref().unchecked_ref()).is_err() {
        // cannot wait for the lock: sync from this tab rather than not at all
        web_sys::console::warn_1(&"Web Locks request failed; this tab syncs on its own".into());
    }
    // the lock callback lives as long as the tab
    granted.forget();
}
