//! Settings: the invite link that lets a teammate's browser join this workspace.

use crate::platform::workspace::invite_link;
use crate::state::services;
use leptos::prelude::*;

#[component]
pub fn Settings() -> impl IntoView {
    let s = services();
    let link = invite_link(&s.secret);
    let copied = RwSignal::new(false);
    let node = NodeRef::<leptos::html::Input>::new();
    let link_for_copy = link.clone();
    let copy = move |_| {
        if let Some(el) = node.get() {
            el.select();
        }
        if let Some(w) = web_sys::window() {
            let _ = w.navigator().clipboard().write_text(&link_for_copy);
        }
        copied.set(true);
    };
    view! {
        <section class="settings">
            <h1>"Settings"</h1>
            <h2>"Share this workspace"</h2>
            <p>
                "Open this link in another browser to join this workspace. It carries the workspace key: "
                "share it only with your team. The relay never sees the key."
            </p>
            <div class="field invite">
                <label for="invite-link">"Invite link"</label>
                <div class="row">
                    <input id="invite-link" type="text" readonly node_ref=node prop:value=link.clone()/>
                    <button type="button" on:click=copy>"Copy"</button>
                </div>
                <span class="hint" role="status">{move || if copied.get() { "Copied" } else { "" }}</span>
            </div>
            <h2>"This device"</h2>
            <dl class="facts">
                <dt>"Workspace"</dt>
                <dd><code>{s.keys.workspace.to_string()}</code></dd>
                <dt>"Device"</dt>
                <dd><code>{s.store.device.to_string()}</code></dd>
            </dl>
        </section>
    }
}
