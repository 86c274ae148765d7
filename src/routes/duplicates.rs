//! Duplicates: customers that look like one entered twice, grouped with the reasons
//! (`crm_core::dedupe`), and "Merge" into the one chosen to stay (`crm_core::merge`).
//!
//! The scan goes over every customer's row a slice at a time, yielding to the browser between
//! slices, so 100,000 customers never freeze the page. A merge is one transaction
//! ([`write_all`]): the kept customer gets everything of the others, worked out from its
//! document as stored, and the others move to the Trash marked "merged into" it.

use crate::i18n::import::DupMsg;
use crate::i18n::{common::Common, fill, format, use_locale, Locale};
use crate::platform::store::Change;
use crate::platform::{now_ms, reminders};
use crate::state::{load_customer, use_app, write_all, AppState};
use crm_core::dedupe::{Finder, Reason};
use crm_core::merge::{mark_merged, merge_into};
use crm_core::{Customer, DocId, Kind, Summary};
use leptos::prelude::*;
use std::collections::HashMap;

/// Customers added to the scan between two yields to the browser.
const SCAN_SLICE: usize = 2_000;

#[derive(Clone, Debug, PartialEq)]
struct Member {
    id: String,
    name: String,
    kind: Kind,
    email: String,
    phone: String,
    city: String,
    contacts: usize,
    orders: u32,
}

impl Member {
    fn of(s: &Summary) -> Self {
        Member {
            id: s.id.clone(),
            name: s.name.clone(),
            kind: s.kind,
            email: s.email.clone(),
            phone: s.phone.clone(),
            city: s.city.clone(),
            contacts: s.contacts,
            orders: s.orders,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
struct Found {
    members: Vec<Member>,
    reasons: Vec<Reason>,
}

#[derive(Clone, Debug, PartialEq)]
enum Scan {
    Running { done: usize, total: usize },
    Done(Vec<Found>),
}

/// Groups the customers' likely duplicates, a slice at a time.
async fn scan(app: AppState, progress: RwSignal<Scan>) -> Vec<Found> {
    let total = app.summaries.with_untracked(Vec::len);
    let mut finder = Finder::new();
    let mut done = 0;
    while done < total {
        let end = (done + SCAN_SLICE).min(total);
        app.summaries.with_untracked(|all| {
            for s in all.get(done..end).unwrap_or(&[]) {
                finder.add(s);
            }
        });
        done = end;
        if !matches!(progress.try_get_untracked(), Some(Scan::Done(_))) {
            progress.try_set(Scan::Running { done, total });
        }
        gloo_timers::future::TimeoutFuture::new(0).await;
    }
    let groups = finder.groups();
    let wanted: HashMap<&str, usize> =
        groups.iter().flat_map(|g| g.ids.iter()).enumerate().map(|(i, id)| (id.as_str(), i)).collect();
    let members: HashMap<String, Member> = app.summaries.with_untracked(|all| {
        all.iter().filter(|s| wanted.contains_key(s.id.as_str())).map(|s| (s.id.clone(), Member::of(s))).collect()
    });
    groups
        .into_iter()
        .map(|g| Found {
            members: g.ids.iter().filter_map(|id| members.get(id).cloned()).collect(),
            reasons: g.reasons,
        })
        .filter(|f| f.members.len() >= 2)
        .collect()
}

fn reason_text(l: Locale, r: &Reason) -> String {
    let t = DupMsg::of(l);
    match r {
        Reason::Email(e) => fill(t.same_email, &[e]),
        Reason::Phone(p) => fill(t.same_phone, &[p]),
        Reason::ExternalId(x) => fill(t.same_id, &[x]),
        Reason::Name(n) => fill(t.same_name, &[n]),
    }
}

fn shown_name(l: Locale, name: &str) -> String {
    if name.trim().is_empty() {
        Common::of(l).unnamed.to_string()
    } else {
        name.to_string()
    }
}

/// Merges `others` into `keep` in one transaction; returns what to tell the user.
async fn merge(app: AppState, keep: Member, others: Vec<Member>, locale: Locale) -> Result<String, String> {
    let t = DupMsg::of(locale);
    let target: DocId = keep.id.parse().map_err(|e: crm_core::ids::IdParseError| e.to_string())?;
    let mut sources: Vec<(DocId, String, Customer)> = Vec::new();
    for m in &others {
        let id: DocId = m.id.parse().map_err(|e: crm_core::ids::IdParseError| e.to_string())?;
        let view = load_customer(app, id).await.ok_or_else(|| fill(t.incomplete, &[&shown_name(locale, &m.name)]))?;
        if !view.complete {
            return Err(fill(t.incomplete, &[&shown_name(locale, &m.name)]));
        }
        sources.push((id, m.id.clone(), view.customer));
    }
    let (now, by) = (now_ms(), reminders::me());
    let source_ids: Vec<(DocId, String)> = sources.iter().map(|(d, s, _)| (*d, s.clone())).collect();
    let into_target: Change = Box::new(move |stored: &Customer| {
        let mut current = stored.clone();
        let mut edits = Vec::new();
        for (_, sid, source) in &sources {
            let merged = merge_into(&current, source, sid);
            edits.extend(merged.edits);
            current = merged.customer;
        }
        edits
    });
    let mut changes: Vec<(DocId, Change)> = vec![(target, into_target)];
    for (doc, _) in source_ids {
        let (target_id, by) = (keep.id.clone(), by.clone());
        changes.push((doc, Box::new(move |_: &Customer| mark_merged(&target_id, now, &by))));
    }
    write_all(app, Vec::new(), changes, |_, _| true).await.map_err(|e| e.to_string())?;
    let kept = shown_name(locale, &keep.name);
    let gone: Vec<String> = others.iter().map(|m| shown_name(locale, &m.name)).collect();
    let gone = gone.join(if locale == Locale::Zh { "、" } else { ", " });
    let (contacts, orders) = app.summaries.with_untracked(|all| {
        all.iter().find(|s| s.id == keep.id).map(|s| (s.contacts, s.orders)).unwrap_or_default()
    });
    let n = |v: f64| format::number(locale, v);
    Ok(format!(
        "{} {}",
        fill(t.merged, &[&gone, &kept, &gone]),
        fill(t.merged_facts, &[&kept, &n(contacts as f64), &n(orders as f64)])
    ))
}

#[component]
pub fn DuplicatesPage() -> impl IntoView {
    let app = use_app();
    let locale = use_locale();
    let t = move || DupMsg::of(locale.get());
    let scan_state = RwSignal::new(Scan::Running { done: 0, total: 0 });
    let notice = RwSignal::new(None::<(String, String)>);
    let rescan = move || {
        leptos::task::spawn_local(async move {
            let found = scan(app, scan_state).await;
            scan_state.try_set(Scan::Done(found));
        })
    };
    rescan();
    let on_merged = Callback::new(move |(text, kept_id): (String, String)| {
        notice.set(Some((text, kept_id)));
        rescan();
    });
    let n = move |v: usize| format::number(locale.get(), v as f64);
    view! {
        <section class="duplicates">
            <h1>{move || t().title}</h1>
            <p class="hint">{move || t().intro}</p>
            <div class="notice" role="status">
                {move || notice.get().map(|(text, id)| view! {
                    <span>{text}</span>
                    " "
                    <a href=format!("/customers/{id}")>{move || t().open}</a>
                })}
            </div>
            {move || match scan_state.get() {
                Scan::Running { done, total } => view! {
                    <p class="count">{fill(t().scanning, &[&n(done), &n(total)])}</p>
                }.into_any(),
                Scan::Done(groups) if groups.is_empty() => view! { <p class="empty">{move || t().none}</p> }.into_any(),
                Scan::Done(groups) => {
                    let count = groups.len();
                    view! {
                        <p class="count">{move || fill(t().count, &[&n(count)])}</p>
                        <ol class="dup-groups" aria-label=move || t().groups_label>
                            {groups.into_iter().enumerate().map(|(i, g)| view! {
                                <li><DuplicateGroup index=i + 1 found=g on_merged=on_merged/></li>
                            }).collect_view()}
                        </ol>
                    }.into_any()
                }
            }}
        </section>
    }
}

#[component]
fn DuplicateGroup(index: usize, found: Found, on_merged: Callback<(String, String)>) -> impl IntoView {
    let app = use_app();
    let locale = use_locale();
    let t = move || DupMsg::of(locale.get());
    let keep = RwSignal::new(found.members[0].id.clone());
    let busy = RwSignal::new(false);
    let members = found.members.clone();
    let radio_name = format!("keep-{index}");
    let do_merge = move |_| {
        let keep_id = keep.get_untracked();
        let Some(kept) = members.iter().find(|m| m.id == keep_id).cloned() else { return };
        let others: Vec<Member> = members.iter().filter(|m| m.id != keep_id).cloned().collect();
        let l = locale.get_untracked();
        busy.set(true);
        leptos::task::spawn_local(async move {
            match merge(app, kept, others, l).await {
                Ok(text) => on_merged.run((text, keep_id)),
                Err(e) => {
                    app.error.set(Some(e));
                    busy.try_set(false);
                }
            }
        });
    };
    let reasons = found.reasons.clone();
    view! {
        <section class="dup-group" role="group" aria-label=move || fill(t().group, &[&index])>
            <ul class="reasons">
                {reasons.into_iter().map(|r| view! { <li>{move || reason_text(locale.get(), &r)}</li> }).collect_view()}
            </ul>
            <fieldset>
                <legend>{move || t().keep_legend}</legend>
                {found.members.into_iter().map(|m| {
                    let id = m.id.clone();
                    let id2 = m.id.clone();
                    let name = m.name.clone();
                    let facts = [m.email.clone(), m.phone.clone(), m.city.clone()]
                        .into_iter()
                        .filter(|x| !x.is_empty())
                        .collect::<Vec<_>>()
                        .join(" · ");
                    let kind = m.kind;
                    view! {
                        <label class="dup-member">
                            <input
                                type="radio"
                                name=radio_name.clone()
                                aria-label=move || fill(t().keep, &[&shown_name(locale.get(), &name)])
                                prop:checked=move || keep.get() == id
                                on:change=move |_| keep.set(id2.clone())
                            />
                            <span class="who">
                                <span class="name">{move || shown_name(locale.get(), &m.name)}</span>
                                <span class="meta">
                                    {move || match kind {
                                        Kind::Company => Common::of(locale.get()).company,
                                        Kind::Person => Common::of(locale.get()).person,
                                    }}
                                    {(!facts.is_empty()).then(|| format!(" · {facts}"))}
                                </span>
                                <span class="meta">{move || {
                                    let l = locale.get();
                                    fill(t().facts, &[&format::number(l, m.contacts as f64), &format::number(l, m.orders as f64)])
                                }}</span>
                            </span>
                        </label>
                    }
                }).collect_view()}
            </fieldset>
            <button type="button" class="primary" on:click=do_merge disabled=move || busy.get()>
                {move || if busy.get() { t().merging } else { t().merge }}
            </button>
        </section>
    }
}
