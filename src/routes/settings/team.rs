//! The team: who this device's person is, and every member of the workspace with their
//! devices (kept in the workspace document, so it syncs to every device). History, conflicts
//! and presence name people by it (`Settings::who`).

use crate::i18n::settings::SettingsMsg;
use crate::i18n::use_locale;
use crate::platform::reminders;
use crate::state::{edit_settings, services, use_app};
use leptos::prelude::*;

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
        app.settings.with(|s| {
            let mut m: Vec<(String, String, Vec<String>)> = s
                .members
                .iter()
                .map(|(id, m)| (id.clone(), m.name.clone(), m.devices.iter().filter(|(_, on)| **on).map(|(d, _)| d.clone()).collect()))
                .collect();
            m.sort_by(|a, b| a.1.to_lowercase().cmp(&b.1.to_lowercase()));
            m
        })
    });
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
                members.get().into_iter().map(|(_, name, devices)| {
                    let me_hex = me_hex.clone();
                    view! {
                        <li class="member">
                            <strong>{name}</strong>
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
    }
}
