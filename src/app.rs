//! Start-up and the app shell: open the workspace's store, start sync, mount the routes.

use crate::components::sync_status::SyncStatusBadge;
use crate::platform::store::Store;
use crate::platform::sync_client::{Hooks, SyncClient};
use crate::platform::tabs::Tabs;
use crate::platform::{self, workspace};
use crate::routes::{customer::CustomerPage, customers::CustomerList, settings::Settings};
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
        let (secret, problem) = workspace::current();
        let keys = secret.keys();
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
        let app = AppState::new(summaries);
        app.error.set(problem.or(load_problem));
        install_services(Services {
            actor: session_actor(store.device),
            store: store.clone(),
            secret,
            keys: keys.clone(),
            sync: RefCell::new(None),
            tabs: RefCell::new(None),
        });
        let tabs = Tabs::join(&keys.workspace.to_string(), move |ids| {
            let store = services().store.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match store.summaries_of(&ids).await {
                    Ok(summaries) => app.changed_elsewhere(summaries),
                    Err(e) => app.error.set(Some(e.to_string())),
                }
            });
        });
        *services().tabs.borrow_mut() = Some(tabs);
        let hooks = Hooks {
            status: Box::new(move |s| app.sync.set(s)),
            ingested: Box::new(move |ing| {
                let ids: Vec<String> = ing.summaries.iter().map(|s| s.id.clone()).collect();
                if let Some(t) = services().tabs.borrow().as_ref() {
                    t.announce(&ids);
                }
                app.changed_elsewhere(ing.summaries);
            }),
        };
        let client = SyncClient::start(&workspace::relay_url(), store, keys, hooks);
        *services().sync.borrow_mut() = Some(client);
        mount_to_body(move || {
            provide_context(app);
            view! { <App/> }
        });
    });
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
    view! {
        <Router>
            <header class="topbar">
                <A href="/" attr:class="brand">"CRM"</A>
                <nav aria-label="Main">
                    <A href="/" exact=true>"Customers"</A>
                    <A href="/settings">"Settings"</A>
                </nav>
                <SyncStatusBadge/>
            </header>
            {move || app.error.get().map(|e| view! {
                <div class="banner" role="alert">
                    <span>{e}</span>
                    <button type="button" on:click=move |_| app.error.set(None)>"Dismiss"</button>
                </div>
            })}
            <main>
                <Routes fallback=|| view! { <p>"This page does not exist."</p> }>
                    <Route path=path!("/") view=CustomerList/>
                    <Route path=path!("/customers/:id") view=CustomerPage/>
                    <Route path=path!("/settings") view=Settings/>
                </Routes>
            </main>
        </Router>
    }
}
