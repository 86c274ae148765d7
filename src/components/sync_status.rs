//! The sync badge: offline / connecting / syncing / synced, and how many local changes the
//! relay has not acknowledged yet.

use crate::platform::sync_client::SyncState;
use crate::i18n::{common::Common, fill, use_locale};
use crate::state::use_app;
use leptos::prelude::*;

#[component]
pub fn SyncStatusBadge() -> impl IntoView {
    let app = use_app();
    let status = app.sync;
    let locale = use_locale();
    let t = move || Common::of(locale.get());
    let text = move || {
        let s = status.get();
        let t = t();
        let label = match s.state {
            SyncState::Offline => t.sync_offline,
            SyncState::Connecting => t.sync_connecting,
            SyncState::Syncing => t.sync_syncing,
            SyncState::Synced => t.sync_synced,
        };
        let mut text = label.to_string();
        if s.pending > 0 {
            text = format!("{text} · {}", fill(t.sync_pending, &[&s.pending]));
        }
        let peers = app.peers.get();
        if peers > 0 {
            text = format!("{text} · {}", fill(t.sync_peers, &[&peers]));
        }
        text
    };
    view! {
        <div
            class="sync-status"
            role="status"
            aria-label=move || t().sync_status
            data-state=move || status.get().state.as_str()
            data-pending=move || status.get().pending.to_string()
            data-here=move || status.get().here.to_string()
            data-peers=move || app.peers.get().to_string()
            title=move || status.get().error.unwrap_or_default()
        >
            <span class="dot" aria-hidden="true"></span>
            <span>{text}</span>
        </div>
    }
}
