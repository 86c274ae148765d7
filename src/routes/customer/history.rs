//! History: every change to this customer, newest first, with who made it (the member's name,
//! else the device) and when; "View as of" shows the customer at that point; "Restore" puts
//! an earlier value, or a removed item, back as a new change that syncs like any edit.

use super::{use_page, Page, Section};
use crate::i18n::customer::CustomerMsg;
use crate::i18n::{fill, format};
use crate::state::services;
use crm_core::customer::{Field, FieldChange, Version};
use crm_core::{Customer, Edit};
use leptos::prelude::*;

const PAGE: usize = 30;

fn field_label(t: &CustomerMsg, f: Field) -> &'static str {
    match f {
        Field::Kind => t.kind,
        Field::Name => t.name,
        Field::Email => t.email,
        Field::Phone => t.phone,
        Field::Owner => t.owner,
        Field::ExternalId => t.external_id,
        Field::Industry => t.industry,
        Field::Size => t.size,
        Field::Province => t.province,
        Field::City => t.city,
        Field::Address => t.address,
        Field::Website => t.website,
        Field::Source => t.source,
        Field::ReferredBy => t.referred_by,
        Field::Lifecycle => t.lifecycle,
    }
}

/// A place in the customer in words: "Phone", "Contact “Li Na” · email", "Deal “Pumps”".
/// An item no longer in `c` goes by `known` (its name as the history recorded it).
fn describe(t: &CustomerMsg, c: &Customer, path: &str, known: Option<&str>) -> String {
    let parts: Vec<&str> = path.split('.').collect();
    let named = |what: &str, name: Option<&String>, id: &str| {
        let name = name
            .filter(|n| !n.is_empty())
            .cloned()
            .or_else(|| known.filter(|k| !k.is_empty() && parts.len() == 2).map(str::to_string))
            .unwrap_or_else(|| id.to_string());
        fill(what, &[&name])
    };
    let (item, rest) = match parts.as_slice() {
        [key] => {
            return Field::ALL
                .into_iter()
                .find(|f| f.key() == *key)
                .map(|f| field_label(t, f).to_string())
                .unwrap_or_else(|| key.to_string())
        }
        ["contacts", id, rest @ ..] => (named(t.history_contact, c.contacts.get(*id).map(|x| &x.name), id), rest),
        ["deals", id, rest @ ..] => (named(t.history_deal, c.deals.get(*id).map(|x| &x.title), id), rest),
        ["tasks", id, rest @ ..] => (named(t.history_task, c.tasks.get(*id).map(|x| &x.title), id), rest),
        ["tickets", id, rest @ ..] => (named(t.history_ticket, c.tickets.get(*id).map(|x| &x.subject), id), rest),
        ["notes", _, rest @ ..] => (t.notes.to_string(), rest),
        ["tags", tag] => return fill(t.history_tag, &[tag]),
        ["custom", key] => return key.to_string(),
        _ => return path.to_string(),
    };
    if rest.is_empty() {
        item
    } else {
        format!("{item} · {}", rest.join("."))
    }
}

fn quoted(page: Page, v: &str) -> String {
    if v.is_empty() {
        page.common().empty_value.to_string()
    } else {
        let short: String = v.chars().take(80).collect();
        let more = if v.chars().count() > 80 { "…" } else { "" };
        format!("“{short}{more}”")
    }
}

/// One line of a change: what, from, to; and the way back.
fn change_line(page: Page, v: &Version, ch: FieldChange, now: &Customer) -> impl IntoView {
    let t = page.t();
    let what = describe(t, now, &ch.path, if ch.item { ch.before.as_deref().or(ch.after.as_deref()) } else { None });
    let text = match (&ch.before, &ch.after, ch.item) {
        (_, None, true) => fill(t.history_removed, &[&what]),
        (_, Some(_), true) => fill(t.history_added, &[&what]),
        (None, Some(after), false) => format!("{what}: {}", quoted(page, after)),
        (Some(before), Some(after), _) => format!("{what}: {} → {}", quoted(page, before), quoted(page, after)),
        (Some(before), None, false) => fill(t.history_cleared, &[&what, &quoted(page, before)]),
        (None, None, _) => what.clone(),
    };
    // the way back: an earlier value, or the removed item
    let restore = match (&ch.before, ch.item, &ch.after) {
        (Some(_), true, None) => Some(fill(t.history_restore_item, &[&what])),
        (Some(before), false, _) if ch.after.as_deref() != Some(before.as_str()) => {
            Some(fill(t.history_restore_value, &[&what, &quoted(page, before)]))
        }
        _ => None,
    };
    let edit = Edit::RestoreValue { path: ch.path.clone(), heads: v.before.clone() };
    view! {
        <li>
            <span>{text}</span>
            {restore.map(|label| view! {
                <button type="button" class="link" on:click=move |_| page.apply(vec![edit.clone()])>{label}</button>
            })}
        </li>
    }
}

/// The customer as it was at one point of its history, with the way back for what differs.
fn as_of_view(page: Page, at: i64, heads: Vec<String>, then: Customer, close: impl Fn() + Copy + 'static) -> impl IntoView {
    let t = page.t();
    let now = page.with(|c| c.clone()).unwrap_or_default();
    let when = format::datetime(page.l(), at);
    let fields = Field::ALL
        .into_iter()
        .filter(|f| !f.get(&then).is_empty() || !f.get(&now).is_empty())
        .map(|f| {
            let (was, is) = (f.get(&then).to_string(), f.get(&now).to_string());
            let edit = Edit::RestoreValue { path: f.key().to_string(), heads: heads.clone() };
            let label = field_label(t, f);
            view! {
                <dt>{label}</dt>
                <dd>
                    {quoted(page, &was)}
                    {(was != is).then(|| view! {
                        " " <button type="button" class="link" on:click=move |_| page.apply(vec![edit.clone()])>
                            {fill(t.history_restore_value, &[&label, &quoted(page, &was)])}
                        </button>
                    })}
                </dd>
            }
        })
        .collect_view();
    let contacts = then
        .contacts
        .iter()
        .map(|(id, c)| {
            let gone = !now.contacts.contains_key(id);
            let edit = Edit::RestoreValue { path: format!("contacts.{id}"), heads: heads.clone() };
            let what = fill(t.history_contact, &[&c.name]);
            let line = [c.name.clone(), c.email.clone(), c.phone.clone()].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" · ");
            view! {
                <li>
                    {line}
                    {gone.then(|| view! {
                        " " <button type="button" class="link" on:click=move |_| page.apply(vec![edit.clone()])>
                            {fill(t.history_restore_item, &[&what])}
                        </button>
                    })}
                </li>
            }
        })
        .collect_view();
    let deals = then
        .deals
        .values()
        .map(|d| view! { <li>{format!("{} · {}", d.title, d.stage)}</li> })
        .collect_view();
    view! {
        <div class="as-of" role="region" aria-label=fill(t.history_as_of, &[&when])>
            <h3>{fill(t.history_as_of, &[&when])}</h3>
            <dl class="facts">{fields}</dl>
            <h4>{t.contacts}</h4>
            <ul>{contacts}</ul>
            <h4>{t.deals}</h4>
            <ul>{deals}</ul>
            <button type="button" on:click=move |_| close()>{t.history_back}</button>
        </div>
    }
}

#[component]
pub fn HistorySection() -> impl IntoView {
    let page = use_page();
    let open = RwSignal::new(false);
    let limit = RwSignal::new(PAGE);
    let versions = RwSignal::new(None::<Vec<Version>>);
    let as_of = RwSignal::new(None::<(i64, Vec<String>, Customer)>);
    // (re)read while open: after every edit here, in another tab or from another device
    Effect::new(move |_| {
        if !open.get() {
            return;
        }
        page.view.track();
        let n = limit.get();
        let Some(doc) = page.doc.get() else { return };
        leptos::task::spawn_local(async move {
            match services().store.history(doc, n).await {
                Ok(v) => versions.set(Some(v)),
                Err(e) => page.app.report(e),
            }
        });
    });
    let view_as_of = move |at: i64, heads: Vec<String>| {
        let Some(doc) = page.doc.get_untracked() else { return };
        leptos::task::spawn_local(async move {
            match services().store.customer_as_of(doc, &heads).await {
                Ok(c) => as_of.set(Some((at, heads, c))),
                Err(e) => page.app.report(e),
            }
        });
    };
    let entries = move || {
        let now = page.with(|c| c.clone()).unwrap_or_default();
        let t = page.t();
        versions.get().unwrap_or_default().into_iter().map(|v| {
            let who = v.device.map(|d| page.app.settings.with(|s| s.who(&d))).unwrap_or_default();
            let when = if v.at > 0 { format::datetime(page.l(), v.at) } else { t.history_unknown_time.to_string() };
            let (at, upto) = (v.at, v.upto.clone());
            let lines = v.changes.clone().into_iter().map(|ch| change_line(page, &v, ch, &now)).collect_view();
            view! {
                <li class="version">
                    <p class="who"><strong>{who}</strong>" · "<time>{when}</time></p>
                    <ul class="changes">{lines}</ul>
                    <button type="button" on:click=move |_| view_as_of(at, upto.clone())>{t.history_view_as_of}</button>
                </li>
            }
        }).collect_view()
    };
    let more = move || versions.with(|v| v.as_ref().map(|v| v.len() >= limit.get()).unwrap_or(false));
    view! {
        <Section id="history" title=Signal::derive(move || page.t().history.to_string())>
            <button type="button" aria-expanded=move || open.get().to_string() on:click=move |_| open.update(|o| *o = !*o)>
                {move || if open.get() { page.t().history_hide } else { page.t().history_show }}
            </button>
            <Show when=move || open.get()>
                {move || as_of.get().map(|(at, heads, c)| as_of_view(page, at, heads, c, move || as_of.set(None)))}
                <ol class="history" aria-label=move || page.t().history>{entries}</ol>
                <Show when=more>
                    <button type="button" on:click=move |_| limit.update(|l| *l += PAGE)>{move || page.t().history_older}</button>
                </Show>
            </Show>
        </Section>
    }
}
