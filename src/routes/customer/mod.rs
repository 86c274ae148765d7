//! One customer: profile, tags and contacts, each edit saved as it is made; fields written
//! concurrently on two devices are marked with the other value.

use crate::components::text_field::TextField;
use crate::platform::store::CustomerView;
use crate::state::{edit_customer, load_customer, use_app};
use crm_core::customer::{new_contact_id, ContactField, Field};
use crm_core::{DocId, Edit};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn CustomerPage() -> impl IntoView {
    let app = use_app();
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse::<DocId>().ok())));
    let view_state = RwSignal::new(None::<CustomerView>);
    let missing = RwSignal::new(false);
    // the name field gets focus when the customer was just created
    let focus_name = RwSignal::new(false);

    let reload = move |first: bool| {
        if let Some(doc) = id.get_untracked() {
            leptos::task::spawn_local(async move {
                let v = load_customer(app, doc).await;
                missing.set(v.is_none());
                if first {
                    focus_name.set(v.as_ref().map(|v| v.customer.name.is_empty()).unwrap_or(false));
                }
                view_state.set(v);
            });
        }
    };
    Effect::new(move |_| {
        id.track();
        reload(true);
    });
    // another device changed this customer: show it
    Effect::new(move |prev: Option<u64>| {
        let (n, ids) = app.remote_changes.get();
        let mine = id.get_untracked().map(|d| d.to_string());
        if prev.is_some() && mine.map(|m| ids.contains(&m)).unwrap_or(false) {
            reload(false);
        }
        n
    });

    let apply = move |edits: Vec<Edit>| {
        if let Some(doc) = id.get_untracked() {
            leptos::task::spawn_local(async move {
                if let Some(v) = edit_customer(app, doc, edits).await {
                    view_state.set(Some(v));
                }
            });
        }
    };

    let field = move |f: Field| {
        Signal::derive(move || {
            view_state.with(|v| {
                v.as_ref()
                    .map(|v| f.get(&v.customer).to_string())
                    .unwrap_or_default()
            })
        })
    };
    let conflict_note = move |path: String| conflict_note(view_state, path);
    let profile_field = move |f: Field, label: &'static str, input_type: &'static str| {
        let key = f.key();
        view! {
            <TextField
                id=format!("f-{key}")
                label=label
                value=field(f)
                input_type=input_type
                focus=Signal::derive(move || f == Field::Name && focus_name.get())
                on_commit=Callback::new(move |v: String| apply(vec![Edit::Set(f, v)]))
            >
                {conflict_note(key.to_string())}
            </TextField>
        }
    };

    let new_tag = RwSignal::new(String::new());
    let add_tag = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let t = new_tag.get_untracked().trim().to_string();
        if !t.is_empty() {
            apply(vec![Edit::AddTag(t)]);
            new_tag.set(String::new());
        }
    };
    let add_contact = move |_| apply(vec![Edit::AddContact { id: new_contact_id() }]);

    let title = move || {
        view_state.with(|v| match v {
            Some(v) if !v.customer.name.is_empty() => v.customer.name.clone(),
            Some(_) => "New customer".to_string(),
            None => String::new(),
        })
    };

    view! {
        <section class="customer">
            <p class="crumbs"><a href="/">"← Customers"</a></p>
            <Show when=move || !missing.get() fallback=|| view! { <p role="alert">"This customer is not on this device."</p> }>
                <h1>{title}</h1>
                {move || view_state.with(|v| v.as_ref().map(|v| !v.complete).unwrap_or(false)).then(|| view! {
                    <p class="hint" role="status">"Still arriving from other devices…"</p>
                })}
                <form class="profile" on:submit=|ev| ev.prevent_default()>
                    {profile_field(Field::Name, "Name", "text")}
                    <div class="field">
                        <label for="f-kind">"Kind"</label>
                        <select
                            id="f-kind"
                            prop:value=field(Field::Kind)
                            on:change=move |ev| apply(vec![Edit::Set(Field::Kind, event_target_value(&ev))])
                        >
                            <option value="company">"Company"</option>
                            <option value="person">"Person"</option>
                        </select>
                        {conflict_note("kind".to_string())}
                    </div>
                    {profile_field(Field::Email, "Email", "email")}
                    {profile_field(Field::Phone, "Phone", "tel")}
                    {profile_field(Field::Owner, "Owner", "text")}
                </form>

                <h2>"Tags"</h2>
                <ul class="tags" aria-label="Tags">
                    <For
                        each=move || view_state.with(|v| v.as_ref().map(|v| v.customer.tag_list()).unwrap_or_default())
                        key=|t| t.clone()
                        let:t
                    >
                        <li class="tag">
                            <span>{t.clone()}</span>
                            <button
                                type="button"
                                class="icon"
                                aria-label=format!("Remove tag {t}")
                                on:click={
                                    let t = t.clone();
                                    move |_| apply(vec![Edit::RemoveTag(t.clone())])
                                }
                            >"×"</button>
                        </li>
                    </For>
                </ul>
                <form class="add-tag row" on:submit=add_tag>
                    <label for="new-tag" class="visually-hidden">"New tag"</label>
                    <input
                        id="new-tag"
                        type="text"
                        placeholder="Add a tag"
                        prop:value=move || new_tag.get()
                        on:input=move |ev| new_tag.set(event_target_value(&ev))
                    />
                    <button type="submit">"Add tag"</button>
                </form>

                <h2>"Contacts"</h2>
                <For
                    each=move || {
                        view_state.with(|v| {
                            v.as_ref().map(|v| v.customer.contacts.clone()).unwrap_or_default().into_iter().enumerate().collect::<Vec<_>>()
                        })
                    }
                    key=|(i, (id, _))| (*i, id.clone())
                    let:item
                >
                    <ContactCard index=item.0 cid=item.1.0 view_state=view_state apply=Callback::new(apply)/>
                </For>
                <button type="button" on:click=add_contact>"Add contact"</button>
            </Show>
        </section>
    }
}

/// The mark beside a field written concurrently: the value shown won; these are the others.
fn conflict_note(view_state: RwSignal<Option<CustomerView>>, path: String) -> impl Fn() -> Option<AnyView> {
    move || {
        view_state.with(|v| {
            v.as_ref().and_then(|v| v.conflicts.iter().find(|c| c.path == path)).map(|c| {
                let others = c.others.iter().map(|o| format!("“{o}”")).collect::<Vec<_>>().join(", ");
                view! { <span class="conflict" role="note">{format!("Conflict: also set to {others}")}</span> }.into_any()
            })
        })
    }
}

#[component]
fn ContactCard(
    index: usize,
    cid: String,
    view_state: RwSignal<Option<CustomerView>>,
    apply: Callback<Vec<Edit>>,
) -> impl IntoView {
    let contact_id = cid.clone();
    let value = move |f: ContactField| {
        let cid = cid.clone();
        Signal::derive(move || {
            view_state.with(|v| {
                v.as_ref()
                    .and_then(|v| v.customer.contacts.get(&cid))
                    .map(|c| f.get(c))
                    .unwrap_or_default()
            })
        })
    };
    let fields = [
        (ContactField::Name, "Contact name", "text"),
        (ContactField::Title, "Contact title", "text"),
        (ContactField::Email, "Contact email", "email"),
        (ContactField::Phone, "Contact phone", "tel"),
    ];
    let cid = contact_id;
    let legend = format!("Contact {}", index + 1);
    view! {
        <fieldset class="contact">
            <legend>{legend}</legend>
            {fields
                .into_iter()
                .map(|(f, label, ty)| {
                    let id = cid.clone();
                    let path = format!("contacts.{}.{}", cid, f.key());
                    view! {
                        <TextField
                            id=format!("c-{}-{}", cid, f.key())
                            label=label
                            value=value(f)
                            input_type=ty
                            on_commit=Callback::new(move |v: String| apply.run(vec![Edit::SetContact { id: id.clone(), field: f, value: v }]))
                        >
                            {conflict_note(view_state, path)}
                        </TextField>
                    }
                })
                .collect_view()}
            <button
                type="button"
                class="secondary"
                on:click={
                    let id = cid.clone();
                    move |_| apply.run(vec![Edit::RemoveContact { id: id.clone() }])
                }
            >"Remove contact"</button>
        </fieldset>
    }
}
