//! Keyboard first: "/" focuses the customer search, Ctrl/Cmd+K opens the command palette
//! (go to a customer, new customer, new task, switch view, go to a page), Esc closes it.

use crate::i18n::{common::Common, fill, palette::PaletteMsg, use_locale};
use crate::routes::customers::use_list_view;
use crate::state::{create_customer, use_app};
use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use wasm_bindgen::JsCast;

/// How many customers the palette lists for a query.
const MAX_CUSTOMERS: usize = 8;

#[derive(Clone, PartialEq)]
enum Action {
    Go(&'static str),
    NewCustomer,
    View(Option<String>),
    Customer(String),
}

/// True when a key press belongs to what the person is typing.
fn typing_in(target: Option<web_sys::EventTarget>) -> bool {
    let Some(el) = target.and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok()) else { return false };
    matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT") || el.is_content_editable()
}

fn focus_search() -> bool {
    let el = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("customer-search"));
    match el.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        Some(e) => {
            let _ = e.focus();
            true
        }
        None => false,
    }
}

#[component]
pub fn CommandPalette() -> impl IntoView {
    let app = use_app();
    let locale = use_locale();
    let t = move || PaletteMsg::of(locale.get());
    let tc = move || Common::of(locale.get());
    let list = use_list_view();
    let navigate = use_navigate();
    let open = RwSignal::new(false);
    let query = RwSignal::new(String::new());
    let selected = RwSignal::new(0usize);
    let input = NodeRef::<html::Input>::new();
    // where focus was before the palette opened, to give it back
    let before = StoredValue::new_local(None::<web_sys::HtmlElement>);

    let show = move || {
        before.set_value(
            web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.active_element())
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()),
        );
        query.set(String::new());
        selected.set(0);
        open.set(true);
    };
    let hide = move || {
        open.set(false);
        if let Some(el) = before.get_value() {
            let _ = el.focus();
        }
    };

    let nav = navigate.clone();
    let _keys = window_event_listener(ev::keydown, move |e: web_sys::KeyboardEvent| {
        let k = e.key();
        if (e.ctrl_key() || e.meta_key()) && (k == "k" || k == "K") {
            e.prevent_default();
            if open.get_untracked() {
                hide();
            } else {
                show();
            }
        } else if k == "/" && !e.ctrl_key() && !e.meta_key() && !e.alt_key() && !typing_in(e.target()) && !open.get_untracked() {
            e.prevent_default();
            if !focus_search() {
                nav("/", Default::default());
                leptos::task::spawn_local(async {
                    gloo_timers::future::TimeoutFuture::new(50).await;
                    focus_search();
                });
            }
        }
    });

    Effect::new(move |_| {
        if open.get() {
            if let Some(el) = input.get() {
                let _ = el.focus();
            }
        }
    });

    let items = Memo::new(move |_| {
        let t = t();
        let q = query.get().trim().to_lowercase();
        let mut out: Vec<(String, Action)> = vec![
            (t.new_customer.to_string(), Action::NewCustomer),
            (t.new_task.to_string(), Action::Go("/tasks")),
            (t.go_customers.to_string(), Action::Go("/")),
            (t.go_pipeline.to_string(), Action::Go("/pipeline")),
            (t.go_tasks.to_string(), Action::Go("/tasks")),
            (crate::i18n::analytics::AnalyticsMsg::of(locale.get()).go_analytics.to_string(), Action::Go("/analytics")),
            (t.go_import.to_string(), Action::Go("/import")),
            (t.go_trash.to_string(), Action::Go("/trash")),
            (t.go_settings.to_string(), Action::Go("/settings")),
        ];
        app.settings.with(|s| {
            for (id, v) in &s.views {
                out.push((fill(t.switch_view, &[&v.name]), Action::View(Some(id.clone()))));
            }
        });
        out.retain(|(label, _)| q.is_empty() || label.to_lowercase().contains(&q));
        if !q.is_empty() {
            let unnamed = Common::of(locale.get()).unnamed;
            app.index_gen.track();
            let result = app.index.with_value(|ix| ix.search(&q, MAX_CUSTOMERS));
            app.summaries.with(|all| {
                app.positions.with_value(|pos| {
                    for h in &result.hits {
                        let name = pos.get(&h.id).and_then(|&i| all.get(i)).map(|s| s.name.clone()).unwrap_or_default();
                        let name = if name.is_empty() { unnamed.to_string() } else { name };
                        out.push((fill(t.open_customer, &[&name]), Action::Customer(h.id.clone())));
                    }
                })
            });
        }
        out
    });

    let run = move |a: Action| {
        let navigate = navigate.clone();
        open.set(false);
        match a {
            Action::Go(path) => navigate(path, Default::default()),
            Action::Customer(id) => navigate(&format!("/customers/{id}"), Default::default()),
            Action::View(id) => {
                app.settings.with_untracked(|s| list.open(id.clone(), id.as_ref().and_then(|i| s.views.get(i))));
                navigate("/", Default::default());
            }
            Action::NewCustomer => {
                leptos::task::spawn_local(async move {
                    if let Some(id) = create_customer(app).await {
                        navigate(&format!("/customers/{id}"), Default::default());
                    }
                });
            }
        }
    };
    let run2 = run.clone();

    let on_key = move |e: web_sys::KeyboardEvent| {
        let n = items.with_untracked(|i| i.len());
        match e.key().as_str() {
            "Escape" => {
                e.prevent_default();
                hide();
            }
            "ArrowDown" if n > 0 => {
                e.prevent_default();
                selected.update(|s| *s = (*s + 1) % n);
            }
            "ArrowUp" if n > 0 => {
                e.prevent_default();
                selected.update(|s| *s = (*s + n - 1) % n);
            }
            "Enter" => {
                e.prevent_default();
                if let Some((_, a)) = items.with_untracked(|i| i.get(selected.get_untracked()).cloned()) {
                    run(a);
                }
            }
            _ => {}
        }
    };

    view! {
        <Show when=move || open.get()>
            <div class="palette-backdrop" on:click=move |_| hide()></div>
            <div class="palette" role="dialog" aria-modal="true" aria-label=move || t().title>
                <input
                    node_ref=input
                    type="text"
                    role="combobox"
                    aria-expanded="true"
                    aria-controls="palette-results"
                    aria-autocomplete="list"
                    aria-activedescendant=move || format!("palette-item-{}", selected.get())
                    aria-label=move || t().input
                    placeholder=move || t().input
                    prop:value=move || query.get()
                    on:input=move |ev| { query.set(event_target_value(&ev)); selected.set(0); }
                    on:keydown=on_key.clone()
                />
                <ul id="palette-results" role="listbox" aria-label=move || t().results>
                    {
                        let run = run2.clone();
                        move || {
                            let run = run.clone();
                            items.get().into_iter().enumerate().map(move |(i, (label, a))| {
                                let run = run.clone();
                                view! {
                                    <li
                                        id=format!("palette-item-{i}")
                                        role="option"
                                        aria-selected=move || (selected.get() == i).to_string()
                                        class:selected=move || selected.get() == i
                                        on:click=move |_| run(a.clone())
                                        on:mousemove=move |_| selected.set(i)
                                    >{label}</li>
                                }
                            }).collect_view()
                        }
                    }
                </ul>
                {move || items.with(|i| i.is_empty()).then(|| view! { <p class="empty">{move || t().nothing}</p> })}
                <p class="hint">{move || t().hint}</p>
                <button type="button" class="secondary" on:click=move |_| hide()>{move || tc().close}</button>
            </div>
        </Show>
    }
}
