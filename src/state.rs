//! App state in one place. Reactive state (signals, all `Copy`) is provided through context;
//! the browser services behind it (IndexedDB store, relay client, keys: JS objects, not
//! `Send`) live in a thread-local, reached through [`services`]. State flows one way:
//! store -> signals -> view -> actions (the functions at the bottom) -> store.

use crate::platform::store::{CustomerView, Store, StoreError};
use crate::platform::sync_client::{SyncClient, SyncStatus};
use crate::platform::tabs::Tabs;
use crm_core::automerge::ActorId;
use crm_core::search::SearchIndex;
use crm_core::members::KeyRing;
use crm_core::{Customer, DocId, Edit, Kind, SealedChunk, Settings, Summary, WorkspaceKeys, WORKSPACE_DOC};
use leptos::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;

pub struct Services {
    pub store: Rc<Store>,
    /// every key epoch this device holds (`platform::members`); `keys` are its newest
    pub ring: KeyRing,
    pub keys: WorkspaceKeys,
    /// this tab's Automerge actor (device id + per-tab suffix)
    pub actor: ActorId,
    pub sync: RefCell<Option<SyncClient>>,
    pub tabs: RefCell<Option<Tabs>>,
    /// peer-to-peer connections (only in the tab that holds the network connections)
    pub peers: RefCell<Option<crate::platform::peers::Peers>>,
}

impl Services {
    /// Everyone who must hear of a local change: the relay (the chunk) and other tabs.
    fn local_change(&self, id: DocId, chunk: Option<SealedChunk>) {
        self.local_changes(vec![(id, chunk)]);
    }

    fn local_changes(&self, changes: Vec<(DocId, Option<SealedChunk>)>) {
        let ids: Vec<String> = changes.iter().map(|(id, _)| id.to_string()).collect();
        let chunks: Vec<SealedChunk> = changes.into_iter().filter_map(|(_, c)| c).collect();
        if let Some(p) = self.peers.borrow().as_ref() {
            p.chunks(chunks.clone());
        }
        if let Some(c) = self.sync.borrow().as_ref() {
            for chunk in chunks {
                c.local_chunk(chunk);
            }
        }
        if let Some(t) = self.tabs.borrow().as_ref() {
            t.announce(&ids);
        }
    }
}

thread_local! {
    static SERVICES: RefCell<Option<Rc<Services>>> = const { RefCell::new(None) };
}

pub fn install_services(s: Services) {
    SERVICES.with(|c| *c.borrow_mut() = Some(Rc::new(s)));
}

/// The running app's services; they are installed before the first view is mounted.
pub fn services() -> Rc<Services> {
    SERVICES.with(|c| c.borrow().clone()).expect("services are installed before the app mounts")
}

#[derive(Clone, Copy)]
pub struct AppState {
    /// every customer's list row, by id
    pub summaries: RwSignal<Vec<Summary>>,
    /// bumped with the ids of documents changed by another device
    pub remote_changes: RwSignal<(u64, Vec<String>)>,
    pub sync: RwSignal<SyncStatus>,
    /// a problem the user must see (a failed save, full disk, damaged invite)
    pub error: RwSignal<Option<String>>,
    /// the team's shared settings (pipelines, custom fields, tiers, saved views)
    pub settings: RwSignal<Settings>,
    /// search over every customer not in the Trash, kept in step with `summaries`
    pub index: StoredValue<SearchIndex, LocalStorage>,
    /// bumped whenever `index` changes
    pub index_gen: RwSignal<u64>,
    /// where each customer's row is in `summaries` (rows are only ever added or replaced)
    pub positions: StoredValue<std::collections::HashMap<String, usize>, LocalStorage>,
    /// the latest analytics report, its progress and the options (see `platform::analytics`);
    /// `report.scores[i]` belongs to `summaries[i]`
    pub analytics: RwSignal<crate::platform::analytics::Analytics>,
    /// who else is where, as last heard (see `platform::presence`)
    pub presence: RwSignal<crm_core::presence::PresenceBoard>,
    /// peers connected directly (WebRTC), as the leading tab reports
    pub peers: RwSignal<usize>,
    /// the relay says this device was removed from the workspace: it no longer syncs
    pub removed: RwSignal<bool>,
}

impl AppState {
    pub fn new(summaries: Vec<Summary>, settings: Settings) -> Self {
        let mut index = SearchIndex::new();
        for s in summaries.iter().filter(|s| !s.is_deleted()) {
            index.upsert(&s.id, &s.search_fields());
        }
        let positions = summaries.iter().enumerate().map(|(i, s)| (s.id.clone(), i)).collect();
        Self {
            positions: StoredValue::new_local(positions),
            index: StoredValue::new_local(index),
            index_gen: RwSignal::new(0),
            settings: RwSignal::new(settings),
            summaries: RwSignal::new(summaries),
            remote_changes: RwSignal::new((0, Vec::new())),
            sync: RwSignal::new(SyncStatus::default()),
            error: RwSignal::new(None),
            analytics: RwSignal::new(Default::default()),
            presence: RwSignal::new(Default::default()),
            peers: RwSignal::new(0),
            removed: RwSignal::new(false),
        }
    }

    /// Customers changed elsewhere (another device or tab): refresh the list and any open page.
    pub fn changed_elsewhere(&self, summaries: Vec<Summary>) {
        let ids: Vec<String> = summaries.iter().map(|s| s.id.clone()).collect();
        self.upsert_summaries(summaries);
        if !ids.is_empty() {
            self.remote_changes.update(|(n, changed)| {
                *n += 1;
                *changed = ids;
            });
        }
    }

    pub fn upsert_summaries(&self, changed: Vec<Summary>) {
        if changed.is_empty() {
            return;
        }
        self.index.update_value(|ix| {
            for s in &changed {
                if s.is_deleted() {
                    ix.remove(&s.id);
                } else {
                    ix.upsert(&s.id, &s.search_fields());
                }
            }
        });
        self.index_gen.update(|g| *g += 1);
        self.positions.update_value(|pos| {
            self.summaries.update(|all| {
                for s in changed {
                    match pos.get(&s.id) {
                        Some(&i) => all[i] = s,
                        None => {
                            pos.insert(s.id.clone(), all.len());
                            all.push(s);
                        }
                    }
                }
            })
        });
    }

    pub fn report(&self, e: StoreError) {
        self.error.set(Some(e.to_string()));
    }
}

pub fn use_app() -> AppState {
    expect_context::<AppState>()
}

/// Creates an empty customer and returns its id.
pub async fn create_customer(app: AppState) -> Option<DocId> {
    let s = services();
    match s.store.create(&s.keys, &s.actor, Kind::Company, "", crate::platform::now_ms()).await {
        Ok((id, summary, chunk)) => {
            app.upsert_summaries(vec![summary]);
            s.local_change(id, Some(chunk));
            Some(id)
        }
        Err(e) => {
            app.report(e);
            None
        }
    }
}

/// Applies edits to a customer; returns its new state for the page to show.
pub async fn edit_customer(app: AppState, id: DocId, edits: Vec<Edit>) -> Option<CustomerView> {
    let s = services();
    match s.store.edit(&s.keys, &s.actor, id, &edits).await {
        Ok((view, summary, chunks)) => {
            app.upsert_summaries(vec![summary]);
            s.local_changes(chunks.into_iter().map(|c| (id, Some(c))).collect());
            Some(view)
        }
        Err(e) => {
            app.report(e);
            None
        }
    }
}

pub async fn load_customer(app: AppState, id: DocId) -> Option<CustomerView> {
    match services().store.customer(id).await {
        Ok(v) => v,
        Err(e) => {
            app.report(e);
            None
        }
    }
}

/// Creates customers with their content (an import batch); returns their ids.
pub async fn create_customers(app: AppState, customers: Vec<Customer>) -> Result<Vec<DocId>, StoreError> {
    let s = services();
    let created = s.store.create_many(&s.keys, &s.actor, customers).await?;
    let ids: Vec<DocId> = created.iter().map(|(id, _, _)| *id).collect();
    let mut summaries = Vec::with_capacity(created.len());
    let mut changes = Vec::with_capacity(created.len());
    for (id, summary, chunk) in created {
        summaries.push(summary);
        changes.push((id, Some(chunk)));
    }
    app.upsert_summaries(summaries);
    s.local_changes(changes);
    Ok(ids)
}

/// Applies edits to several customers at once, all or nothing (an import batch, a merge).
pub async fn edit_customers(app: AppState, batch: Vec<(DocId, Vec<Edit>)>) -> Result<(), StoreError> {
    let s = services();
    let ids: Vec<DocId> = batch.iter().map(|(id, _)| *id).collect();
    let done = s.store.edit_many(&s.keys, &s.actor, batch).await?;
    let mut summaries = Vec::with_capacity(done.len());
    let mut changes = Vec::with_capacity(done.len());
    for (id, (summary, chunk)) in ids.into_iter().zip(done) {
        summaries.push(summary);
        changes.push((id, chunk));
    }
    app.upsert_summaries(summaries);
    s.local_changes(changes);
    Ok(())
}

/// Changes the team's settings; shown at once here, synced to everyone.
pub async fn edit_settings(app: AppState, f: impl FnOnce(&mut Settings) -> Result<(), String>) -> bool {
    let s = services();
    match s.store.edit_settings(&s.keys, &s.actor, f).await {
        Ok((settings, chunk)) => {
            app.settings.set(settings);
            s.local_change(WORKSPACE_DOC, chunk);
            true
        }
        Err(e) => {
            app.report(e);
            false
        }
    }
}

/// Another tab or device changed the settings: read them again.
pub async fn reload_settings(app: AppState) {
    match services().store.settings().await {
        Ok(s) => app.settings.set(s),
        Err(e) => app.report(e),
    }
}

/// Creates customers and changes existing ones in one transaction, all or nothing (an import,
/// a merge; see `Store::write_all`). `step(done, total)` reports progress; returning false
/// cancels, and then nothing is stored (`Ok(None)`). Returns the new customers' ids.
pub async fn write_all(
    app: AppState,
    new: Vec<Customer>,
    changes: Vec<(DocId, crate::platform::store::Change)>,
    step: impl FnMut(usize, usize) -> bool,
) -> Result<Option<Vec<DocId>>, StoreError> {
    // rows shown (and indexed for search) per frame after a large write
    const SLICE: usize = 2_000;
    let s = services();
    let Some(written) = s.store.write_all(&s.keys, &s.actor, new, changes, step).await? else {
        return Ok(None);
    };
    let (mut summaries, mut chunks) = (written.summaries, written.chunks);
    // taken from the end, so no slice moves the rest
    while !summaries.is_empty() {
        let slice = summaries.split_off(summaries.len().saturating_sub(SLICE));
        app.upsert_summaries(slice);
        let slice = chunks.split_off(chunks.len().saturating_sub(SLICE));
        s.local_changes(slice);
        if !summaries.is_empty() {
            gloo_timers::future::TimeoutFuture::new(0).await;
        }
    }
    Ok(Some(written.created))
}
