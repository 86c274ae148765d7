//! Start-up and the app shell: open the workspace's store, start sync, mount the routes.

use crate::components::command_palette::CommandPalette;
use crate::components::sync_status::SyncStatusBadge;
use crate::platform::store::Store;
use crate::platform::peers::{PeerHooks, Peers};
use crate::platform::store::Ingested;
use crate::platform::sync_client::{Hooks, SyncClient};
use crate::platform::tabs::{self, TabMsg, Tabs};
use crate::i18n::{common::Common, set_locale, use_locale, Locale};
use crate::platform::{self, workspace};
use crate::routes::{
    analytics::AnalyticsPage, customer::CustomerPage, customers::CustomerList, duplicates::DuplicatesPage, import::ImportPage,
    pipeline::PipelinePage, settings::Settings, tasks::TasksPage, trash::TrashPage,
};
use crate::state::{install_services, services, AppState, Services};
use crm_core::customer::session_actor;
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::path;
use std::cell::RefCell;
use std::rc::Rc;

pub fn start() {
    console_error_panic_hook::set_once();
    platform::register_service_worker();
    platform::commit_typing_on_pagehide();
    platform::request_persistent_storage();
    // not leptos' spawn_local: its executor is installed by mount_to_body, which runs later
    wasm_bindgen_futures::spawn_local(async {
        let (ring, problem) = workspace::open().await;
        let keys = ring.keys();
        platform::members::reload_when_ring_changes(&keys.workspace);
        let store = match Store::open(keys.workspace).await {
            Ok(s) => Rc::new(s),
            Err(e) => {
                fatal(&format!("The local database could not be opened: {e}"));
                return;
            }
        };
        let (summaries, load_problem) = match store.summaries().await {
            Ok(s) => (s, None),
            Err(e) => (Vec::new(), Some(e.to_string())),
        };
        let settings = store.settings().await.unwrap_or_else(|_| crm_core::Settings::genesis());
        let app = AppState::new(summaries, settings);
        app.error.set(problem.or(load_problem));
        install_services(Services {
            actor: session_actor(store.device),
            store: store.clone(),
            ring,
            keys: keys.clone(),
            sync: RefCell::new(None),
            tabs: RefCell::new(None),
            peers: RefCell::new(None),
        });
        let tabs = Tabs::join(&keys.workspace.to_string(), move |msg| heard_from_tab(app, msg));
        *services().tabs.borrow_mut() = Some(tabs);
        // one tab holds the network connections for all (Web Locks); the others wait their turn
        let workspace = keys.workspace.to_string();
        tabs::when_leader(&workspace, move || start_sync(app, store, keys));
        crate::platform::presence::start(app);
        let locale = RwSignal::new(Locale::initial());
        set_locale(locale, locale.get_untracked());
        mount_to_body(move || {
            provide_context(app);
            provide_context(locale);
            provide_context(crate::routes::customers::ListView::new());
            crate::platform::analytics::follow_changes(app);
            view! { <App/> }
        });
        crate::routes::tasks::start_reminders(app, locale);
        publish_device_key(app).await;
        upgrade_old_rows(app).await;
    });
}

/// This tab leads: connect to the relay, and to peers, for every tab of this browser.
fn start_sync(app: AppState, store: Rc<Store>, keys: crm_core::WorkspaceKeys) {
    let post = |m: TabMsg| {
        if let Some(t) = services().tabs.borrow().as_ref() {
            t.post(&m);
        }
    };
    // chunks merged from the network (relay or peer): show them here and in the other tabs
    let show = move |ing: &Ingested| {
        let mut ids: Vec<String> = ing.summaries.iter().map(|s| s.id.clone()).collect();
        if let Some(settings) = ing.settings.clone() {
            app.settings.set(settings);
            ids.push(crm_core::WORKSPACE_DOC.to_string());
        }
        if let Some(t) = services().tabs.borrow().as_ref() {
            t.announce(&ids);
        }
        app.changed_elsewhere(ing.summaries.clone());
    };
    let ephemeral = move |body: Vec<u8>| {
        crate::platform::presence::receive(app, &body);
        post(TabMsg::Ephemeral { body, outbound: false });
    };
    let hooks = Hooks {
        status: Box::new(move |s| {
            post(TabMsg::Status { status: s.clone() });
            app.sync.set(s);
        }),
        ingested: Box::new(move |ing| {
            show(&ing);
            // what the relay brought goes on to the peers
            if let Some(p) = services().peers.borrow().as_ref() {
                p.chunks(ing.fresh);
            }
        }),
        ephemeral: Box::new(ephemeral),
        refused: Box::new(move || check_access(app)),
    };
    let client = SyncClient::start(&workspace::relay_url(), store.clone(), keys.clone(), hooks);
    *services().sync.borrow_mut() = Some(client);
    let peer_hooks = PeerHooks {
        ingested: Box::new(move |ing| {
            show(&ing);
            // what a peer brought goes on to the relay
            if let Some(c) = services().sync.borrow().as_ref() {
                c.push_outbox();
            }
        }),
        ephemeral: Box::new(ephemeral),
        count: Box::new(move |n| app.peers.set(n)),
        ice_servers: Box::new(move || app.settings.with_untracked(|s| s.ice_servers.clone())),
        signal: Box::new(|body| {
            if let Some(c) = services().sync.borrow().as_ref() {
                c.send_ephemeral(body);
            }
        }),
    };
    if crate::platform::peers::enabled() {
        let peers = Peers::start(crate::platform::presence::session(), store, keys, peer_hooks);
        *services().peers.borrow_mut() = Some(peers);
    }
}

/// Publishes this device's public key in the workspace document (once; again only if it
/// changed), so a rotation can seal the next key to it. A removed device publishes nothing.
async fn publish_device_key(app: AppState) {
    let s = services();
    let device = s.store.device;
    let public = platform::members::device_keys(&s.keys.workspace).public_hex();
    let d = device.to_string();
    let needed = app.settings.with_untracked(|st| {
        !st.is_removed(&d) && st.member_of(&device).and_then(|(_, m)| m.keys.get(&d)) != Some(&public)
    });
    if needed {
        crate::state::edit_settings(app, move |st| {
            st.publish_device_key(&device, &public);
            Ok(())
        })
        .await;
    }
}

thread_local! {
    static CHECKING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The relay refused the connection or closed it for a rotation: if the key was rotated,
/// take the new one (stored; this tab reloads with it, the others follow the storage event);
/// if this device was removed, stop syncing and say so.
fn check_access(app: AppState) {
    if CHECKING.with(|c| c.replace(true)) {
        return;
    }
    wasm_bindgen_futures::spawn_local(async move {
        let s = services();
        let outcome = platform::members::check_access(&s.ring, &s.store.device).await;
        CHECKING.with(|c| c.set(false));
        match outcome {
            Ok(platform::members::Access::Current) => {}
            Ok(platform::members::Access::Rotated(_)) => {
                if let Some(w) = web_sys::window() {
                    let _ = w.location().reload();
                }
            }
            Ok(platform::members::Access::Removed) => {
                app.removed.set(true);
                let why = crate::i18n::members::MembersMsg::of(Locale::initial()).device_removed.to_string();
                if let Some(c) = s.sync.borrow().as_ref() {
                    c.stop(why);
                }
            }
            // the relay is down or answered oddly: the reconnect loop tries again
            Err(e) => leptos::logging::warn!("key check: {e}"),
        }
    });
}

/// What another tab of this browser said.
fn heard_from_tab(app: AppState, msg: TabMsg) {
    let leader = services().sync.borrow().clone();
    match msg {
        TabMsg::Changed { ids } => {
            // that tab's chunks are in the shared store: the leader sends them on
            if let Some(c) = &leader {
                c.push_outbox();
            }
            if let Some(p) = services().peers.borrow().as_ref() {
                p.push_outbox();
            }
            let store = services().store.clone();
            wasm_bindgen_futures::spawn_local(async move {
                if ids.iter().any(|i| *i == crm_core::WORKSPACE_DOC.to_string()) {
                    crate::state::reload_settings(app).await;
                }
                match store.summaries_of(&ids).await {
                    Ok(summaries) => app.changed_elsewhere(summaries),
                    Err(e) => app.error.set(Some(e.to_string())),
                }
            });
        }
        TabMsg::Hello => {
            if leader.is_some() {
                if let Some(t) = services().tabs.borrow().as_ref() {
                    t.post(&TabMsg::Status { status: app.sync.get_untracked() });
                }
            }
        }
        TabMsg::Status { status } => {
            if leader.is_none() {
                app.sync.set(crate::platform::sync_client::SyncStatus { here: false, ..status });
            }
        }
        TabMsg::Ephemeral { body, outbound } => match (&leader, outbound) {
            (Some(c), true) => c.send_ephemeral(body),
            (_, false) => crate::platform::presence::receive(app, &body),
            (None, true) => {}
        },
    }
}

/// Rows stored by an older version of the app lack what newer screens read (the analytics
/// facts): rebuild them from their documents, a few hundred per transaction, while the app runs.
async fn upgrade_old_rows(app: AppState) {
    let old: Vec<String> = app.summaries.with_untracked(|all| {
        all.iter().filter(|s| s.version < crm_core::SUMMARY_VERSION).map(|s| s.id.clone()).collect()
    });
    for ids in old.chunks(300) {
        match services().store.rebuild_summaries(ids).await {
            Ok(rows) => app.upsert_summaries(rows),
            Err(e) => {
                app.report(e);
                return;
            }
        }
        gloo_timers::future::TimeoutFuture::new(0).await;
    }
}

fn fatal(message: &str) {
    if let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) {
        body.set_inner_html("<main><p role=\"alert\" class=\"fatal\"></p></main>");
        if let Ok(Some(p)) = body.query_selector("p") {
            p.set_text_content(Some(message));
        }
    }
}

#[component]
pub fn App() -> impl IntoView {
    let app = crate::state::use_app();
    let locale = use_locale();
    let t = move || Common::of(locale.get());
    view! {
        <Router>
            <header class="topbar">
                <A href="/" attr:class="brand">{move || t().brand}</A>
                <nav aria-label=move || t().nav_main>
                    <A href="/" exact=true>{move || t().nav_customers}</A>
                    <A href="/pipeline">{move || t().nav_pipeline}</A>
                    <A href="/tasks">{move || t().nav_tasks}</A>
                    <A href="/analytics">{move || crate::i18n::analytics::AnalyticsMsg::of(locale.get()).title}</A>
                    <A href="/import">{move || t().nav_import}</A>
                    <A href="/trash">{move || t().nav_trash}</A>
                    <A href="/settings">{move || t().nav_settings}</A>
                </nav>
                <SyncStatusBadge/>
            </header>
            <CommandPalette/>
            <Show when=move || app.removed.get()>
                <div class="banner removed" role="alert">
                    <span>{move || crate::i18n::members::MembersMsg::of(locale.get()).device_removed}</span>
                </div>
            </Show>
            {move || app.error.get().map(|e| view! {
                <div class="banner" role="alert">
                    <span>{e}</span>
                    <button type="button" on:click=move |_| app.error.set(None)>{move || t().dismiss}</button>
                </div>
            })}
            <main>
                <Routes fallback=move || view! { <p>{move || t().not_found}</p> }>
                    <Route path=path!("/") view=CustomerList/>
                    <Route path=path!("/customers/:id") view=CustomerPage/>
                    <Route path=path!("/pipeline") view=PipelinePage/>
                    <Route path=path!("/tasks") view=TasksPage/>
                    <Route path=path!("/analytics") view=AnalyticsPage/>
                    <Route path=path!("/import") view=ImportPage/>
                    <Route path=path!("/duplicates") view=DuplicatesPage/>
                    <Route path=path!("/trash") view=TrashPage/>
                    <Route path=path!("/settings") view=Settings/>
                </Routes>
            </main>
        </Router>
    }
}
