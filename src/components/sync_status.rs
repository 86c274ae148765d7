//! The sync badge: offline / connecting / syncing / synced, and how many local changes the
//! relay has not acknowledged yet.

use crate::platform::sync_client::SyncState;
use crate::state::use_app;
use leptos::prelude::*;

#[component]
pub fn SyncStatusBadge() -> impl IntoView {
    let app = use_app();
    let status = app.sync;
    let text = move || {
        let s = status.get();
        let label = match s.state {
            SyncState::Offline => "Offline",
            SyncState::Connecting => "Connecting…",
            SyncState::Syncing => "Syncing…",
            SyncState::Synced => "Synced",
        };
        if s.pending > 0 {
            format!("{label} · {} unsent", s.pending)
        } else {
            label.to_string()
        }
    };
    view! {
        <div
            class="sync-status"
            role="status"
            aria-label="Sync status"
            data-state=move || status.get().state.as_str()
            data-pending=move || status.get().pending.to_string()
            title=move || status.get().error.unwrap_or_default()
        >
            <span class="dot" aria-hidden="true"></span>
            <span>{text}</span>
        </div>
    }
}
