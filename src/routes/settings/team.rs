//! The team: who this device's person is, and every member of the workspace with their
//! devices (kept in the workspace document, so it syncs to every device). History, conflicts
//! and presence name people by it (`Settings::who`). "Remove" on a member, once confirmed,
//! rotates the workspace key (`platform::members::rotate`): the member's devices are refused
//! by the relay and cannot open anything written afterwards.

use crate::i18n::members::MembersMsg;
use crate::i18n::settings::SettingsMsg;
use crate::i18n::{fill, use_locale};
use crate::platform::{members, reminders};
use crate::state::{edit_settings, services, use_app, AppState};
use leptos::prelude::*;

/// Removes `member`: rotates the key at the relay (sealing the new ring to every remaining
/// device, this one included), records the removal in the workspace document sealed with the
/// new key, and reloads with it. Nothing changes when the relay refuses or cannot be reached.
async fn remove_member(app: AppState, member: String) -> Result<(), String> {
    let s = services();
    let device = s.store.device;
    let mine = (device.to_string(), members::device_keys(&s.keys.workspace).public_hex());
    let mut recipients: Vec<(String, String)> = app.settings.with_untracked(|st| {
        let mut after = st.clone();
        after.remove_member(&member, &device)?;
        Ok::<_, String>(after.remaining_device_keys().into_iter().map(|(d, k)| (d.to_string(), k.to_string())).collect())
    })?;
    // this device may not have published its key yet
    recipients.retain(|(d, _)| *d != mine.0);
    recipients.push(mine);
    let ring = members::rotate(&s.ring, &recipients).await.map_err(|e| e.to_string())?;
    let marked = s.store.edit_settings(&ring.keys(), &s.actor, move |st| st.remove_member(&member, &device)).await;
    if let Err(e) = marked {
        // the key was rotated all the same; the mark is retried by nobody, so say so
        app.report(e);
    }
    if let Some(w) = web_sys::window() {
        let _ = w.location().reload();
    }
    Ok(())
}

#[component]
pub fn Team(status: RwSignal<u32>) -> impl IntoView {
    let app = use_app();
    let locale = use_locale();
    let t = move || SettingsMsg::of(locale.get());
    let device = services().store.device;
    // this device's member: the one listing it, else a new member named after the device
    let mine = Memo::new(move |_| {
        app.settings.with(|s| s.member_of(&device).map(|(id, m)| (id.to_string(), m.name.clone())))
    });
    let join = move |member: String, name: String| {
        let name = name.trim().to_string();
        if !name.is_empty() {
            reminders::set_me(&name);
        }
        leptos::task::spawn_local(async move {
            if edit_settings(app, move |s| {
                s.join_member(&member, &name, &device);
                Ok(())
            })
            .await
            {
                status.update(|n| *n += 1);
            }
        });
    };
    let rename = move |ev: leptos::ev::Event| {
        let name = event_target_value(&ev);
        let member = mine.get_untracked().map(|(id, _)| id).unwrap_or_else(|| device.to_string());
        join(member, name);
    };
    let pick = move |ev: leptos::ev::Event| {
        let member = event_target_value(&ev);
        if !member.is_empty() {
            join(member, String::new());
        }
    };
    let members = Memo::new(move |_| {
        let unnamed = MembersMsg::of(locale.get()).unnamed;
        app.settings.with(|s| {
            let mut m: Vec<(String, String, Vec<String>)> = s
                .members
                .iter()
                .filter(|(_, m)| !m.devices.is_empty() || !m.name.is_empty())
                .map(|(id, m)| {
                    let name = if m.name.trim().is_empty() { fill(unnamed, &[&id.get(..8).unwrap_or(id)]) } else { m.name.clone() };
                    (id.clone(), name, m.devices.iter().filter(|(_, on)| **on).map(|(d, _)| d.clone()).collect())
                })
                .collect();
            m.sort_by(|a, b| a.1.to_lowercase().cmp(&b.1.to_lowercase()));
            m
        })
    });
    let removed = move |id: &str| app.settings.with(|s| s.members.get(id).is_some_and(|m| m.removed));
    let tm = move || MembersMsg::of(locale.get());
    // the member whose removal is being confirmed, and whether it runs
    let confirming = RwSignal::new(None::<(String, String)>);
    let removing = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    let confirm = move |_| {
        let Some((id, name)) = confirming.get_untracked() else { return };
        removing.set(true);
        problem.set(None);
        leptos::task::spawn_local(async move {
            if let Err(e) = remove_member(app, id).await {
                problem.set(Some(fill(MembersMsg::of(locale.get_untracked()).remove_failed, &[&name, &e])));
                removing.set(false);
                confirming.set(None);
            }
        });
    };
    let me_hex = device.to_string();
    view! {
        <h2 id="team-heading">{move || t().team}</h2>
        <p class="hint">{move || t().team_hint}</p>
        <div class="field">
            <label for="my-name">{move || t().your_name}</label>
            <input id="my-name" type="text" autocomplete="name"
                prop:value=move || mine.get().map(|(_, n)| n).unwrap_or_else(reminders::me)
                on:change=rename/>
        </div>
        <Show when=move || members.with(|m| m.iter().any(|(id, _, _)| Some(id) != mine.get().map(|(i, _)| i).as_ref()))>
            <div class="field">
                <label for="i-am">{move || t().this_device_is}</label>
                <select id="i-am" on:change=pick>
                    <option value="" selected=move || mine.get().is_none()>{move || t().pick_member}</option>
                    {move || members.get().into_iter().map(|(id, name, _)| {
                        let selected = mine.get().map(|(m, _)| m == id).unwrap_or(false);
                        view! { <option value=id selected=selected>{name}</option> }
                    }).collect_view()}
                </select>
            </div>
        </Show>
        <ul class="members" aria-labelledby="team-heading">
            {move || {
                let me_hex = me_hex.clone();
                members.get().into_iter().map(|(id, name, devices)| {
                    let me_hex = me_hex.clone();
                    let is_mine = devices.contains(&me_hex);
                    let gone = removed(&id);
                    let can_remove = !is_mine && !gone;
                    let label = fill(tm().remove_named, &[&name]);
                    let pick = (id.clone(), name.clone());
                    view! {
                        <li class="member" class:removed=gone>
                            <strong>{name.clone()}</strong>
                            {gone.then(|| view! { " " <span class="badge">{move || tm().removed_badge}</span> })}
                            {can_remove.then(|| view! {
                                " "
                                <button type="button" class="link-button" aria-label=label
                                    on:click=move |_| confirming.set(Some(pick.clone()))>{move || tm().remove}</button>
                            })}
                            <ul class="devices">
                                {devices.into_iter().map(|d| {
                                    let here = d == me_hex;
                                    view! {
                                        <li>
                                            <code>{d[..8].to_string()}</code>
                                            {here.then(|| view! { " " <span class="badge">{move || t().this_device}</span> })}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        </li>
                    }
                }).collect_view()
            }}
        </ul>
        {move || problem.get().map(|p| view! { <p class="error" role="alert">{p}</p> })}
        {move || confirming.get().map(|(_, name)| {
            let title = fill(tm().remove_title, &[&name]);
            let label = title.clone();
            view! {
                <div class="confirm" role="alertdialog" aria-label=label aria-describedby="remove-explain">
                    <p><strong>{title}</strong></p>
                    <p id="remove-explain">{move || tm().remove_explain}</p>
                    <button type="button" class="danger" on:click=confirm disabled=move || removing.get()>
                        {move || if removing.get() { tm().removing } else { tm().remove_confirm }}
                    </button>
                    " "
                    <button type="button" on:click=move |_| confirming.set(None) disabled=move || removing.get()>{move || tm().cancel}</button>
                </div>
            }
        })}
    }
}
