//! The customer list: search as you type over every customer's summary, and "New customer".

use crate::state::{create_customer, use_app};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

/// Rows drawn at once; the list is virtualised in a later iteration.
const MAX_ROWS: usize = 500;

#[component]
pub fn CustomerList() -> impl IntoView {
    let app = use_app();
    let query = RwSignal::new(String::new());
    let navigate = use_navigate();

    let matches = Memo::new(move |_| {
        let q = query.get();
        let mut rows: Vec<_> = app.summaries.with(|all| all.iter().filter(|s| q.is_empty() || s.matches(&q)).cloned().collect());
        rows.sort_by(|a, b| {
            (a.name.is_empty(), a.name.to_lowercase(), a.id.clone()).cmp(&(b.name.is_empty(), b.name.to_lowercase(), b.id.clone()))
        });
        rows
    });
    let total = move || app.summaries.with(|s| s.len());

    let new_customer = move |_| {
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            if let Some(id) = create_customer(app).await {
                navigate(&format!("/customers/{id}"), Default::default());
            }
        });
    };

    view! {
        <section class="customers">
            <div class="page-head">
                <h1>"Customers"</h1>
                <button type="button" class="primary" on:click=new_customer>"New customer"</button>
            </div>
            <div class="field search">
                <label for="customer-search">"Search customers"</label>
                <input
                    id="customer-search"
                    type="search"
                    autocomplete="off"
                    placeholder="Name, email, phone, tag, contact…"
                    on:input=move |ev| query.set(event_target_value(&ev))
                    prop:value=move || query.get()
                />
            </div>
            <p class="count">
                {move || {
                    let shown = matches.with(|m| m.len());
                    if query.with(|q| q.is_empty()) {
                        format!("{} customers", total())
                    } else {
                        format!("{shown} of {} customers match", total())
                    }
                }}
            </p>
            <ul role="list" aria-label="Customer list" class="customer-list">
                <For
                    each=move || matches.get().into_iter().take(MAX_ROWS)
                    key=|s| (s.id.clone(), s.name.clone(), s.email.clone(), s.owner.clone(), s.phone.clone(), s.conflicts)
                    let:s
                >
                    <li>
                        <a href=format!("/customers/{}", s.id)>
                            <span class="name">
                                {if s.name.is_empty() { "(no name)".to_string() } else { s.name.clone() }}
                            </span>
                            <span class="meta">
                                {[s.email.clone(), s.phone.clone(), s.owner.clone()]
                                    .into_iter()
                                    .filter(|x| !x.is_empty())
                                    .collect::<Vec<_>>()
                                    .join(" · ")}
                            </span>
                            {(s.conflicts > 0).then(|| view! { <span class="badge">"conflict"</span> })}
                        </a>
                    </li>
                </For>
            </ul>
            {move || (matches.with(|m| m.len()) > MAX_ROWS)
                .then(|| view! { <p class="count">{format!("Showing the first {MAX_ROWS}; refine the search to see others.")}</p> })}
            {move || (total() == 0).then(|| view! {
                <p class="empty">"No customers yet. Everything you add is kept on this device and syncs when online."</p>
            })}
        </section>
    }
}
