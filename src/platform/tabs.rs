//! Tabs of one browser share the workspace's IndexedDB; a BroadcastChannel tells the others
//! which customers a tab just changed, so every open tab shows them at once. (Which tab holds
//! the relay connection is a later step; for now each tab syncs on its own, and the shared
//! store makes their work idempotent.)

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{BroadcastChannel, MessageEvent};

pub struct Tabs {
    channel: Option<BroadcastChannel>,
    _on_message: Option<Closure<dyn FnMut(MessageEvent)>>,
}

impl Tabs {
    /// Joins the workspace's channel; `changed` receives the ids other tabs report.
    pub fn join(workspace: &str, changed: impl Fn(Vec<String>) + 'static) -> Tabs {
        let Ok(channel) = BroadcastChannel::new(&format!("crm-{workspace}")) else {
            return Tabs { channel: None, _on_message: None };
        };
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let ids: Vec<String> =
                js_sys::Array::from(&e.data()).iter().filter_map(|v| v.as_string()).collect();
            if !ids.is_empty() {
                changed(ids);
            }
        });
        channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        Tabs { channel: Some(channel), _on_message: Some(on_message) }
    }

    /// Tells the other tabs these customers changed here.
    pub fn announce(&self, ids: &[String]) {
        if let (Some(c), false) = (&self.channel, ids.is_empty()) {
            let arr: js_sys::Array = ids.iter().map(|s| JsValue::from_str(s)).collect();
            let _ = c.post_message(&arr);
        }
    }
}
