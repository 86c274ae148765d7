//! One customer, complete: profile, contacts, deals, timeline, tasks, notes, tickets and
//! purchases, each in its own section file. Every edit is saved as it is made; fields written
//! concurrently on two devices are marked with the other value.
//!
//! The page keeps the customer as last read or written ([`Page::view`]) and hands a [`Page`]
//! to every section through context. Sections never hold their own copy: they read through
//! `Page` and write through [`Page::apply`] (edits that stand alone) or [`Page::update`]
//! (edits built from the item as stored right now, so replacing a deal or a ticket never
//! writes back a stale field another device just changed).

mod contacts;
mod deals;
mod dialog;
mod fields;
mod figures;
mod history;
mod notes;
mod presence;
mod profile;
mod purchases;
mod tasks;
mod tickets;
mod timeline;

use crate::i18n::common::Common;
use crate::i18n::customer::CustomerMsg;
use crate::i18n::{fill, format, use_locale, Locale};
use crate::platform::store::CustomerView;
use crate::state::{edit_customer, load_customer, use_app, AppState};
use crm_core::{Customer, DocId, Edit};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};

/// What every section of the page shares. All handles, so it is `Copy`.
#[derive(Clone, Copy)]
pub(crate) struct Page {
    pub app: AppState,
    pub doc: Memo<Option<DocId>>,
    /// the customer as last loaded or saved
    pub view: RwSignal<Option<CustomerView>>,
    pub locale: RwSignal<Locale>,
    /// (requests started, newest request shown): a slow answer never replaces a newer one
    order: StoredValue<(u64, u64)>,
    pub notes: notes::NoteSync,
    /// this page's saves: how many are being written, and how the last one ended
    saves: RwSignal<Saves>,
}

/// What the page's save line says: "Saving…" while any edit is being written to this
/// device's storage, then "Saved" (or "Not saved" when the last write failed).
#[derive(Clone, Copy, Default, PartialEq)]
struct Saves {
    pending: u32,
    any: bool,
    failed: bool,
}

impl Page {
    pub fn t(&self) -> &'static CustomerMsg {
        CustomerMsg::of(self.locale.get())
    }
    pub fn common(&self) -> &'static Common {
        Common::of(self.locale.get())
    }
    pub fn l(&self) -> Locale {
        self.locale.get()
    }

    /// Reads the customer (tracked).
    pub fn with<R>(&self, f: impl FnOnce(&Customer) -> R) -> Option<R> {
        self.view.with(|v| v.as_ref().map(|v| f(&v.customer)))
    }

    /// Who did something, for `by` / `author` fields: the customer's owner until the app
    /// knows the team's members.
    pub fn me(&self) -> String {
        self.view.with_untracked(|v| v.as_ref().map(|v| v.customer.owner.clone()).unwrap_or_default())
    }

    fn begin(&self) -> u64 {
        self.order.update_value(|(started, _)| *started += 1);
        self.order.with_value(|(started, _)| *started)
    }

    fn show(&self, request: u64, v: CustomerView) {
        let newest = self.order.with_value(|(_, shown)| request >= *shown);
        if newest {
            self.order.update_value(|(_, shown)| *shown = request);
            self.view.set(Some(v));
        }
    }

    /// Saves edits; `done(true)` once stored (a failure is shown by `edit_customer`).
    pub fn apply_then(&self, edits: Vec<Edit>, done: impl FnOnce(bool) + 'static) {
        let page = *self;
        let Some(doc) = self.doc.get_untracked() else { return };
        if edits.is_empty() {
            return done(true);
        }
        self.saves.update(|s| {
            s.pending += 1;
            s.any = true;
        });
        leptos::task::spawn_local(async move {
            let request = page.begin();
            let saved = edit_customer(page.app, doc, edits).await;
            let ok = saved.is_some();
            if let Some(v) = saved {
                page.show(request, v);
            }
            page.saves.update(|s| {
                s.pending -= 1;
                s.failed = !ok;
            });
            done(ok);
        });
    }

    pub fn apply(&self, edits: Vec<Edit>) {
        self.apply_then(edits, |_| {});
    }

    /// Builds edits from the customer as stored now (not as last shown), then saves them.
    pub fn update(&self, f: impl FnOnce(&Customer) -> Vec<Edit> + 'static) {
        self.update_then(f, |_| {});
    }

    pub fn update_then(&self, f: impl FnOnce(&Customer) -> Vec<Edit> + 'static, done: impl FnOnce(bool) + 'static) {
        let page = *self;
        let Some(doc) = self.doc.get_untracked() else { return };
        leptos::task::spawn_local(async move {
            let Some(current) = load_customer(page.app, doc).await else { return done(false) };
            let edits = f(&current.customer);
            page.apply_then(edits, done);
        });
    }

    /// Reads the customer again, after committing any note typing (see `notes.rs`).
    pub fn refresh(&self) {
        notes::flush(*self, true);
    }

    /// The mark beside a field written concurrently: the value shown won; the mark opens the
    /// list of every value with who wrote it and when, and keeping one resolves the conflict
    /// on every device (`Edit::KeepValue`, an ordinary change).
    pub fn conflict(&self, path: String) -> impl Fn() -> Option<AnyView> + Send + Sync + 'static {
        let page = *self;
        let open = RwSignal::new(false);
        move || {
            let common = page.common();
            let c = page.view.with(|v| v.as_ref().and_then(|v| v.conflicts.iter().find(|c| c.path == path).cloned()))?;
            let others = c.others.iter().map(|o| format!("“{o}”")).collect::<Vec<_>>().join(", ");
            let panel_id = format!("conflict-{}", path.replace('.', "-"));
            let values = c.values.clone();
            let path = c.path.clone();
            Some(view! {
                <span class="conflict-wrap">
                    <span class="conflict" role="note">{fill(common.conflict, &[&others])}</span>
                    <button type="button" class="conflict-open" aria-expanded=move || open.get().to_string() aria-controls=panel_id.clone()
                        on:click=move |_| open.update(|o| *o = !*o)>
                        {move || page.common().choose_value}
                    </button>
                    <Show when=move || open.get()>
                        <div class="conflict-panel" id=panel_id.clone() role="group" aria-label=move || page.common().conflict_values>
                            <p class="hint">{move || page.common().conflict_explain}</p>
                            <ul>
                                {values.iter().enumerate().map(|(i, v)| {
                                    let keep = Edit::KeepValue { path: path.clone(), op: v.op.clone() };
                                    let who = v.device.map(|d| page.app.settings.with(|s| s.who(&d))).unwrap_or_default();
                                    let when = format::datetime(page.l(), v.at);
                                    let shown = if v.value.is_empty() { page.common().empty_value.to_string() } else { format!("“{}”", v.value) };
                                    view! {
                                        <li class="conflict-value">
                                            <span class="value">{shown}</span>
                                            <span class="hint">{[who, when].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" · ")}</span>
                                            {(i == 0).then(|| view! { <span class="badge">{move || page.common().conflict_shown}</span> })}
                                            <button type="button" on:click=move |_| { open.set(false); page.apply(vec![keep.clone()]); }>
                                                {move || page.common().keep_this}
                                            </button>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        </div>
                    </Show>
                </span>
            }
            .into_any())
        }
    }
}

pub(crate) fn use_page() -> Page {
    expect_context::<Page>()
}

/// A titled section of the page, reachable from the section links at the top.
#[component]
pub(crate) fn Section(id: &'static str, #[prop(into)] title: Signal<String>, children: Children) -> impl IntoView {
    let heading = format!("{id}-h");
    let labelled_by = heading.clone();
    view! {
        <section id=id class="card" aria-labelledby=labelled_by>
            <h2 id=heading tabindex="-1">{move || title.get()}</h2>
            {children()}
        </section>
    }
}

const SECTIONS: [&str; 10] =
    ["profile", "figures", "contacts", "deals", "timeline", "tasks", "notes", "tickets", "purchases", "history"];

fn section_title(t: &CustomerMsg, id: &str) -> &'static str {
    match id {
        "profile" => t.profile,
        "contacts" => t.contacts,
        "deals" => t.deals,
        "timeline" => t.timeline,
        "tasks" => t.tasks,
        "notes" => t.notes,
        "tickets" => t.tickets,
        "history" => t.history,
        _ => t.purchases,
    }
}

/// Jump links: move focus to the section's heading, so keyboard users land where they look.
#[component]
fn SectionNav() -> impl IntoView {
    let page = use_page();
    let jump = |id: &'static str| {
        move |ev: leptos::ev::MouseEvent| {
            ev.prevent_default();
            let heading = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id(&format!("{id}-h")));
            if let Some(h) = heading.and_then(|h| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(h).ok()) {
                h.scroll_into_view();
                let _ = h.focus();
            }
        }
    };
    view! {
        <nav class="section-nav" aria-label=move || page.t().sections>
            {SECTIONS
                .into_iter()
                .map(|id| view! {
                    <a href=format!("#{id}") rel="external" on:click=jump(id)>{move || match id {
                        "figures" => crate::i18n::analytics::AnalyticsMsg::of(page.l()).figures,
                        _ => section_title(page.t(), id),
                    }}</a>
                })
                .collect_view()}
        </nav>
    }
}

#[component]
pub fn CustomerPage() -> impl IntoView {
    let app = use_app();
    let locale = use_locale();
    let params = use_params_map();
    let doc = Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse::<DocId>().ok())));
    let view_state = RwSignal::new(None::<CustomerView>);
    let missing = RwSignal::new(false);
    // the name field gets focus when the customer was just created
    let focus_name = RwSignal::new(false);
    let page = Page {
        app,
        doc,
        view: view_state,
        locale,
        order: StoredValue::new((0, 0)),
        notes: notes::NoteSync::new(),
        saves: RwSignal::new(Saves::default()),
    };
    provide_context(page);

    Effect::new(move |_| {
        let Some(id) = doc.get() else {
            missing.set(true);
            return;
        };
        view_state.set(None);
        leptos::task::spawn_local(async move {
            let request = page.begin();
            let v = load_customer(app, id).await;
            missing.set(v.is_none());
            focus_name.set(v.as_ref().map(|v| v.customer.name.is_empty()).unwrap_or(false));
            if let Some(v) = v {
                page.show(request, v);
            }
        });
    });
    // another device or tab changed this customer: show it (after saving note typing)
    Effect::new(move |prev: Option<u64>| {
        let (n, ids) = app.remote_changes.get();
        let mine = doc.get_untracked().map(|d| d.to_string());
        if prev.is_some() && mine.map(|m| ids.contains(&m)).unwrap_or(false) {
            page.refresh();
        }
        n
    });

    let t = move || CustomerMsg::of(locale.get());
    let title = move || {
        view_state.with(|v| match v {
            Some(v) if !v.customer.name.is_empty() => v.customer.name.clone(),
            Some(_) => t().new_customer.to_string(),
            None => String::new(),
        })
    };
    let loaded = move || view_state.with(|v| v.is_some());
    let deleted_at = move || page.with(|c| c.deleted_at).unwrap_or(0);
    let restore = move |_| page.apply(vec![Edit::Restore { at: crate::platform::now_ms(), by: page.me() }]);

    view! {
        <section class="customer" on:focusin=move |ev| presence::follow_focus(page, ev, true) on:focusout=move |ev| presence::follow_focus(page, ev, false)>
            <p class="crumbs"><a href="/">{move || t().back}</a></p>
            <Show when=move || !missing.get() fallback=move || view! { <p role="alert">{move || t().not_here}</p> }>
                <h1>{title}</h1>
                <SaveLine/>
                <presence::PresenceLine/>
                <Show when=loaded>
                    {move || view_state.with(|v| v.as_ref().map(|v| !v.complete).unwrap_or(false)).then(|| view! {
                        <p class="hint" role="status">{move || t().arriving}</p>
                    })}
                    {move || (deleted_at() > 0).then(|| view! {
                        <div class="trash-banner" role="region" aria-label=move || t().in_trash>
                            <p>
                                <strong>{move || t().in_trash}</strong>" "
                                {move || fill(t().in_trash_since, &[&format::date(locale.get(), deleted_at())])}
                            </p>
                            <button type="button" class="primary" on:click=restore>{move || Common::of(locale.get()).restore}</button>
                        </div>
                    })}
                    <QuickActions/>
                    <SectionNav/>
                    <div class="sections">
                        <profile::ProfileSection focus_name=focus_name/>
                        <figures::FiguresSection/>
                        <contacts::ContactsSection/>
                        <deals::DealsSection/>
                        <timeline::TimelineSection/>
                        <tasks::TasksSection/>
                        <notes::NotesSection/>
                        <tickets::TicketsSection/>
                        <purchases::PurchasesSection/>
                        <history::HistorySection/>
                        <DeleteCustomer/>
                    </div>
                </Show>
            </Show>
        </section>
    }
}

/// "Saving…" / "Saved" / "Not saved": whether this page's edits are stored on this device
/// (`data-state`: idle, saving, saved, failed). Nothing is shown before the first edit.
#[component]
fn SaveLine() -> impl IntoView {
    let page = use_page();
    let state = move || {
        page.saves.with(|s| match s {
            s if s.pending > 0 => "saving",
            s if !s.any => "idle",
            s if s.failed => "failed",
            _ => "saved",
        })
    };
    view! {
        <p class="save-state" role="status" aria-live="polite" data-state=state>
            {move || match state() {
                "saving" => page.t().saving,
                "saved" => page.t().saved,
                "failed" => page.t().not_saved,
                _ => "",
            }}
        </p>
    }
}

/// The actions people take most, above everything else.
#[component]
fn QuickActions() -> impl IntoView {
    let page = use_page();
    let log_open = RwSignal::new(false);
    let task_open = RwSignal::new(false);
    view! {
        <div class="quick-actions" role="group" aria-label=move || page.t().quick_actions>
            <button type="button" class="primary" on:click=move |_| log_open.set(true)>{move || page.t().log_call}</button>
            <button type="button" on:click=move |_| task_open.set(true)>{move || page.t().add_task}</button>
        </div>
        <timeline::LogDialog open=log_open/>
        <tasks::TaskDialog open=task_open/>
    }
}

#[component]
fn DeleteCustomer() -> impl IntoView {
    let page = use_page();
    let navigate = use_navigate();
    let delete = move |_| {
        let navigate = navigate.clone();
        page.apply_then(vec![Edit::Delete { at: crate::platform::now_ms(), by: page.me() }], move |ok| {
            if ok {
                navigate("/", Default::default());
            }
        });
    };
    view! {
        <Show when=move || page.with(|c| !c.is_deleted()).unwrap_or(false)>
            {
                let delete = delete.clone();
                view! {
                    <Section id="danger" title=Signal::derive(move || page.t().danger.to_string())>
                        <p class="hint">{move || page.t().delete_hint}</p>
                        <button type="button" class="danger" on:click=delete>{move || page.t().delete_customer}</button>
                    </Section>
                }
            }
        </Show>
    }
}
