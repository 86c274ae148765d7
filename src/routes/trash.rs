//! The Trash: customers that were deleted (or merged into another), newest first, each with
//! "Restore". There is no hard delete: a deleted customer keeps its whole document, so a
//! restore on any device brings everything back.

use crate::i18n::trash::TrashMsg;
use crate::i18n::{common::Common, fill, format, use_locale};
use crate::platform::{now_ms, reminders};
use crate::state::{edit_customer, use_app};
use crm_core::{DocId, Edit};
use leptos::prelude::*;

#[derive(Clone, Debug, PartialEq)]
struct Deleted {
    id: String,
    name: String,
    deleted_at: i64,
    /// (id, name) of the customer it was merged into
    merged_into: Option<(String, String)>,
}

#[component]
pub fn TrashPage() -> impl IntoView {
    let app = use_app();
    let locale = use_locale();
    let t = move || TrashMsg::of(locale.get());
    let notice = RwSignal::new(String::new());
    let rows = Memo::new(move |_| {
        app.summaries.with(|all| {
            let mut v: Vec<Deleted> = all
                .iter()
                .filter(|s| s.is_deleted())
                .map(|s| Deleted {
                    id: s.id.clone(),
                    name: s.name.clone(),
                    deleted_at: s.deleted_at,
                    merged_into: (!s.merged_into.is_empty()).then(|| {
                        let target = all.iter().find(|x| x.id == s.merged_into).map(|x| x.name.clone()).unwrap_or_default();
                        (s.merged_into.clone(), target)
                    }),
                })
                .collect();
            v.sort_by(|a, b| b.deleted_at.cmp(&a.deleted_at).then_with(|| a.name.cmp(&b.name)));
            v
        })
    });
    let restore = Callback::new(move |(id, name): (String, String)| {
        let Ok(doc) = id.parse::<DocId>() else { return };
        leptos::task::spawn_local(async move {
            if edit_customer(app, doc, vec![Edit::Restore { at: now_ms(), by: reminders::me() }]).await.is_some() {
                notice.set(fill(TrashMsg::of(locale.get_untracked()).restored, &[&name]));
            }
        });
    });
    view! {
        <section class="trash">
            <h1>{move || t().title}</h1>
            <p class="hint">{move || t().intro}</p>
            <p class="notice" role="status">{move || notice.get()}</p>
            <Show
                when=move || rows.with(|r| !r.is_empty())
                fallback=move || view! { <p class="empty">{move || t().empty}</p> }
            >
                <p class="count">{move || fill(t().count, &[&format::number(locale.get(), rows.with(|r| r.len()) as f64)])}</p>
                <ul class="trash-list" aria-label=move || t().list>
                    <For each=move || rows.get() key=|r| (r.id.clone(), r.name.clone(), r.deleted_at, r.merged_into.clone()) let:row>
                        <TrashRow row=row restore=restore/>
                    </For>
                </ul>
            </Show>
        </section>
    }
}

#[component]
fn TrashRow(row: Deleted, restore: Callback<(String, String)>) -> impl IntoView {
    let locale = use_locale();
    let t = move || TrashMsg::of(locale.get());
    let name = row.name.clone();
    let shown = move || if name.is_empty() { Common::of(locale.get()).unnamed.to_string() } else { name.clone() };
    let shown2 = shown.clone();
    let (id, raw_name, at) = (row.id.clone(), row.name.clone(), row.deleted_at);
    view! {
        <li class="trash-item">
            <div class="trash-body">
                <a class="name" href=format!("/customers/{}", row.id)>{shown.clone()}</a>
                <span class="meta">{move || fill(t().deleted_on, &[&format::datetime(locale.get(), at)])}</span>
                {row.merged_into.map(|(target, target_name)| view! {
                    <a class="meta merged" href=format!("/customers/{target}")>
                        {move || {
                            let n = if target_name.is_empty() { Common::of(locale.get()).unnamed.to_string() } else { target_name.clone() };
                            fill(t().merged_into, &[&n])
                        }}
                    </a>
                })}
            </div>
            <button
                type="button"
                aria-label=move || fill(t().restore_named, &[&shown2()])
                on:click=move |_| restore.run((id.clone(), raw_name.clone()))
            >
                {move || Common::of(locale.get()).restore}
            </button>
        </li>
    }
}
