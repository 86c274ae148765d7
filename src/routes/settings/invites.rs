//! Settings → Invites: make an invite link that expires (1, 7 or 30 days), see the invites
//! still outstanding and revoke any of them (`platform::members`). The relay keeps them, so
//! this needs the network; a key rotation (removing a member) revokes them all.

use crate::i18n::format::datetime;
use crate::i18n::members::MembersMsg;
use crate::i18n::settings::SettingsMsg;
use crate::i18n::{fill, use_locale};
use crate::platform::members::{self, Invite};
use crate::state::services;
use leptos::prelude::*;

#[component]
pub fn Invites() -> impl IntoView {
    let locale = use_locale();
    let t = move || MembersMsg::of(locale.get());
    let ts = move || SettingsMsg::of(locale.get());
    let days = RwSignal::new(7i64);
    let link = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let copied = RwSignal::new(false);
    let note = RwSignal::new(None::<String>);
    let problem = RwSignal::new(None::<String>);
    let invites = RwSignal::new(Vec::<Invite>::new());
    let refresh = move || {
        leptos::task::spawn_local(async move {
            match members::list_invites(&services().ring).await {
                Ok(list) => invites.set(list),
                Err(_) => problem.set(Some(MembersMsg::of(locale.get_untracked()).invites_offline.to_string())),
            }
        });
    };
    refresh();
    let create = move |_| {
        busy.set(true);
        problem.set(None);
        note.set(None);
        leptos::task::spawn_local(async move {
            match members::create_invite(&services().ring, days.get_untracked()).await {
                Ok(l) => {
                    link.set(l);
                    copied.set(false);
                    refresh();
                }
                Err(e) => problem.set(Some(format!("{} ({e})", MembersMsg::of(locale.get_untracked()).invites_offline))),
            }
            busy.set(false);
        });
    };
    let node = NodeRef::<leptos::html::Input>::new();
    let copy = move |_| {
        if let Some(el) = node.get() {
            el.select();
        }
        if let Some(w) = web_sys::window() {
            let _ = w.navigator().clipboard().write_text(&link.get_untracked());
        }
        copied.set(true);
    };
    let revoke = move |id: String| {
        leptos::task::spawn_local(async move {
            match members::revoke_invite(&services().ring, &id).await {
                Ok(()) => {
                    note.set(Some(MembersMsg::of(locale.get_untracked()).revoked.to_string()));
                    if link.get_untracked().is_empty() {
                        refresh();
                    } else {
                        link.set(String::new());
                        refresh();
                    }
                }
                Err(e) => problem.set(Some(e.to_string())),
            }
        });
    };
    view! {
        <h2 id="invites-heading">{move || t().invites}</h2>
        <p>{move || t().invites_intro}</p>
        <div class="field">
            <label for="invite-days">{move || t().expires_in}</label>
            <select id="invite-days" on:change=move |ev| days.set(event_target_value(&ev).parse().unwrap_or(7))>
                <option value="1">{move || t().one_day}</option>
                <option value="7" selected=true>{move || t().seven_days}</option>
                <option value="30">{move || t().thirty_days}</option>
            </select>
            <button type="button" on:click=create disabled=move || busy.get()>
                {move || if busy.get() { t().creating } else { t().create_invite }}
            </button>
        </div>
        <Show when=move || !link.get().is_empty()>
            <div class="field invite">
                <label for="invite-link">{move || ts().invite_link}</label>
                <div class="row">
                    <input id="invite-link" type="text" readonly node_ref=node prop:value=move || link.get()/>
                    <button type="button" on:click=copy>{move || ts().copy}</button>
                </div>
                <span class="hint" role="status">{move || if copied.get() { ts().copied } else { "" }}</span>
            </div>
        </Show>
        {move || problem.get().map(|p| view! { <p class="error" role="alert">{p}</p> })}
        <p class="hint" role="status">{move || note.get()}</p>
        <h3 id="outstanding-heading">{move || t().outstanding}</h3>
        <Show when=move || !invites.with(|i| i.is_empty()) fallback=move || view! { <p class="hint">{move || t().no_invites}</p> }>
            <ul class="invites" aria-labelledby="outstanding-heading">
                {move || invites.get().into_iter().map(|i| {
                    let l = locale.get();
                    let created = datetime(l, i.created_at);
                    let line = fill(t().invite_line, &[&created, &datetime(l, i.expires_at)]);
                    let name = fill(t().revoke_named, &[&created]);
                    let id = i.id.clone();
                    view! {
                        <li>
                            <span>{line}</span>
                            " "
                            <button type="button" aria-label=name on:click=move |_| revoke(id.clone())>{move || t().revoke}</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </Show>
    }
}
