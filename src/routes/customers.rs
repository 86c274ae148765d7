//! The customer list: search as you type over every customer's summary, and "New customer".

use crate::state::{create_customer, use_app};
use crm_core::customer::Query;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

/// Rows drawn at once: a search narrows the rest down (the list is virtualised later).
const MAX_ROWS: usize = 100;

#[component]
pub fn CustomerList() -> impl IntoView {
    let app = use_app();
    let query = RwSignal::new(String::new());
    let navigate = use_navigate();

    // the list order changes only with the data, not with each keystroke
    let order = Memo::new(move |_| {
        app.summaries.with(|all| {
            let mut idx: Vec<usize> = (0..all.len()).collect();
            idx.sort_by_cached_key(|&i| all[i].sort_key());
            idx
        })
    });
    // (the first MAX_ROWS matches, how many match in all)
    let matches = Memo::new(move |_| {
        let q = Query::new(&query.get());
        app.summaries.with(|all| {
            order.with(|order| {
                let mut rows = Vec::with_capacity(MAX_ROWS);
                let mut count = 0;
                for &i in order {
                    if q.matches(&all[i]) {
                        count += 1;
                        if rows.len() < MAX_ROWS {
                            rows.push(all[i].clone());
                        }
                    }
                }
                (rows, count)
            })
        })
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
                    let shown = matches.with(|m| m.1);
                    if query.with(|q| q.is_empty()) {
                        format!("{} customers", total())
                    } else {
                        format!("{shown} of {} customers match", total())
                    }
                }}
            </p>
            <ul role="list" aria-label="Customer list" class="customer-list">
                <For
                    each=move || matches.get().0
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
            {move || (matches.with(|m| m.1) > MAX_ROWS)
                .then(|| view! { <p class="count">{format!("Showing the first {MAX_ROWS}; refine the search to see others.")}</p> })}
            {move || (total() == 0).then(|| view! {
                <p class="empty">"No customers yet. Everything you add is kept on this device and syncs when online."</p>
            })}
        </section>
    }
}
