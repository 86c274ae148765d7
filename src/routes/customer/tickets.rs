//! Tickets: complaints and requests, with a status workflow (new -> in progress -> waiting ->
//! resolved -> closed), an SLA due time (overdue ones in red, with the word), the resolution,
//! the customer's satisfaction and a thread of updates.

use super::dialog::FormDialog;
use super::fields::{Choice, Input, SaveSelect};
use super::{use_page, Page, Section};
use crate::components::text_field::TextField;
use crate::i18n::customer::{channel_name, priority_name, ticket_kind_name, ticket_status_name, CHANNELS};
use crate::i18n::{fill, format, Locale};
use crm_core::customer::{new_id, Ticket, TicketUpdate, TICKET_PRIORITIES, TICKET_STATUSES};
use crm_core::Edit;
use leptos::prelude::*;

const KINDS: [&str; 2] = ["complaint", "request"];

fn options(l: Locale, values: &[&str], name: fn(Locale, &str) -> String) -> Vec<(String, String)> {
    values.iter().map(|v| (v.to_string(), name(l, v))).collect()
}

/// Replaces a ticket's fields as stored now.
fn put(page: Page, id: String, change: impl FnOnce(&mut Ticket) + 'static) {
    page.update(move |c| {
        let Some(t) = c.tickets.get(&id) else { return vec![] };
        let mut t = t.clone();
        change(&mut t);
        vec![Edit::PutTicket { id, ticket: t }]
    })
}

fn set_status(t: &mut Ticket, status: String) {
    let closing = matches!(status.as_str(), "resolved" | "closed");
    if closing && t.resolved_at == 0 {
        t.resolved_at = crate::platform::now_ms();
    } else if !closing {
        t.resolved_at = 0;
    }
    t.status = status;
}

#[component]
pub fn TicketsSection() -> impl IntoView {
    let page = use_page();
    let open = RwSignal::new(false);
    // open ones first, newest first within each
    let ids = move || {
        page.with(|c| {
            let mut v: Vec<_> = c.tickets.iter().map(|(id, t)| (!t.is_open(), std::cmp::Reverse(t.created_at), id.clone())).collect();
            v.sort();
            v.into_iter().map(|(_, _, id)| id).collect::<Vec<_>>()
        })
        .unwrap_or_default()
    };
    view! {
        <Section id="tickets" title=Signal::derive(move || page.t().tickets.to_string())>
            {move || ids().is_empty().then(|| view! { <p class="empty">{page.t().no_tickets}</p> })}
            <For each=ids key=|id| id.clone() let:id>
                <TicketCard id=id/>
            </For>
            <button type="button" on:click=move |_| open.set(true)>{move || page.t().add_ticket}</button>
            <NewTicket open=open/>
        </Section>
    }
}

#[component]
fn NewTicket(open: RwSignal<bool>) -> impl IntoView {
    let page = use_page();
    let subject = RwSignal::new(String::new());
    let kind = RwSignal::new(String::new());
    let priority = RwSignal::new(String::new());
    let channel = RwSignal::new(String::new());
    let sla = RwSignal::new(String::new());
    Effect::new(move |_| {
        if open.get() {
            subject.set(String::new());
            kind.set("complaint".into());
            priority.set("normal".into());
            channel.set("phone".into());
            sla.set(String::new());
        }
    });
    let submit = Callback::new(move |_| {
        let ticket = Ticket {
            subject: subject.get_untracked().trim().to_string(),
            kind: kind.get_untracked(),
            priority: priority.get_untracked(),
            channel: channel.get_untracked(),
            status: "new".into(),
            sla_due: format::from_datetime_local(&sla.get_untracked()),
            created_at: crate::platform::now_ms(),
            ..Default::default()
        };
        page.apply_then(vec![Edit::PutTicket { id: new_id(), ticket }], move |ok| {
            if ok {
                open.set(false)
            }
        });
    });
    let t = move || page.t();
    let l = move || page.l();
    view! {
        <FormDialog id="new-ticket" open=open title=Signal::derive(move || t().new_ticket.to_string()) on_submit=submit>
            <Input id="nt-subject" label=Signal::derive(move || t().subject.to_string()) value=subject required=true/>
            <Choice id="nt-kind" label=Signal::derive(move || t().ticket_kind.to_string()) value=kind options=Signal::derive(move || options(l(), &KINDS, ticket_kind_name))/>
            <Choice id="nt-priority" label=Signal::derive(move || t().priority.to_string()) value=priority options=Signal::derive(move || options(l(), &TICKET_PRIORITIES, priority_name))/>
            <Choice id="nt-channel" label=Signal::derive(move || t().channel.to_string()) value=channel options=Signal::derive(move || options(l(), &CHANNELS, channel_name))/>
            <Input id="nt-sla" label=Signal::derive(move || t().sla_due.to_string()) value=sla ty="datetime-local"/>
        </FormDialog>
    }
}

#[component]
fn TicketCard(id: String) -> impl IntoView {
    let page = use_page();
    let ticket = {
        let id = id.clone();
        Memo::new(move |_| page.view.with(|v| v.as_ref().and_then(|v| v.customer.tickets.get(&id).cloned())).unwrap_or_default())
    };
    let t = move || page.t();
    let l = move || page.l();
    let overdue = move || ticket.with(|tk| tk.is_overdue(crate::platform::now_ms()));
    let next_status = move || {
        ticket.with(|tk| {
            let i = TICKET_STATUSES.iter().position(|s| *s == tk.status)?;
            TICKET_STATUSES.get(i + 1).map(|s| s.to_string())
        })
    };
    let path = {
        let id = id.clone();
        move |f: &str| format!("tickets.{id}.{f}")
    };
    let saver = {
        let id = id.clone();
        move |change: fn(&mut Ticket, String)| {
            let id = id.clone();
            Callback::new(move |v: String| put(page, id.clone(), move |t| change(t, v)))
        }
    };
    let on_status = saver(set_status);
    let advance = move |_| {
        if let Some(s) = next_status() {
            on_status.run(s);
        }
    };
    let add_update = {
        let id = id.clone();
        let fid = format!("tu-{id}");
        let text = RwSignal::new(String::new());
        let submit = move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let body = text.get_untracked().trim().to_string();
            if body.is_empty() {
                return;
            }
            let update = TicketUpdate { id: new_id(), at: crate::platform::now_ms(), by: page.me(), text: body };
            page.apply_then(vec![Edit::AddTicketUpdate { id: id.clone(), update }], move |ok| {
                if ok {
                    text.set(String::new())
                }
            });
        };
        view! {
            <form class="row ticket-update" on:submit=submit>
                <label for=fid.clone() class="visually-hidden">{move || t().new_update}</label>
                <input
                    id=fid
                    type="text"
                    placeholder=move || t().new_update
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                />
                <button type="submit">{move || t().add_update}</button>
            </form>
        }
    };
    let satisfaction_options = Signal::derive(move || {
        std::iter::once((String::new(), page.t().not_rated.to_string())).chain((1..=5).map(|n| (n.to_string(), "★".repeat(n) + &format!(" {n}")))).collect::<Vec<_>>()
    });
    let fields = {
        let path = path.clone();
        let id = id.clone();
        move || {
            let t = t();
            let fid = |f: &str| format!("t-{id}-{f}");
            let c = |f: &str| page.conflict(path(f));
            let (c_subject, c_status, c_priority, c_kind, c_channel, c_sla, c_resolution, c_satisfaction) = (
                c("subject"), c("status"), c("priority"), c("kind"), c("channel"), c("sla_due"), c("resolution"), c("satisfaction"),
            );
            view! {
                <TextField id=fid("subject") label=t.subject value=Signal::derive(move || ticket.with(|x| x.subject.clone())) on_commit=saver(|x, v| x.subject = v.trim().to_string())>
                    {c_subject}
                </TextField>
                <SaveSelect id=fid("status") label=t.status value=Signal::derive(move || ticket.with(|x| x.status.clone()))
                    options=Signal::derive(move || options(l(), &TICKET_STATUSES, ticket_status_name)) on_change=on_status>
                    {c_status}
                </SaveSelect>
                <SaveSelect id=fid("priority") label=t.priority value=Signal::derive(move || ticket.with(|x| x.priority.clone()))
                    options=Signal::derive(move || options(l(), &TICKET_PRIORITIES, priority_name)) on_change=saver(|x, v| x.priority = v)>
                    {c_priority}
                </SaveSelect>
                <SaveSelect id=fid("kind") label=t.ticket_kind value=Signal::derive(move || ticket.with(|x| x.kind.clone()))
                    options=Signal::derive(move || options(l(), &KINDS, ticket_kind_name)) on_change=saver(|x, v| x.kind = v)>
                    {c_kind}
                </SaveSelect>
                <SaveSelect id=fid("channel") label=t.channel value=Signal::derive(move || ticket.with(|x| x.channel.clone()))
                    options=Signal::derive(move || options(l(), &CHANNELS, channel_name)) on_change=saver(|x, v| x.channel = v)>
                    {c_channel}
                </SaveSelect>
                <TextField id=fid("sla") label=t.sla_due input_type="datetime-local"
                    value=Signal::derive(move || ticket.with(|x| format::to_datetime_local(x.sla_due)))
                    on_commit=saver(|x, v| x.sla_due = format::from_datetime_local(&v))>
                    {c_sla}
                </TextField>
                <TextField id=fid("resolution") label=t.resolution value=Signal::derive(move || ticket.with(|x| x.resolution.clone())) on_commit=saver(|x, v| x.resolution = v)>
                    {c_resolution}
                </TextField>
                <SaveSelect id=fid("satisfaction") label=t.satisfaction
                    value=Signal::derive(move || ticket.with(|x| if x.satisfaction > 0 { x.satisfaction.to_string() } else { String::new() }))
                    options=satisfaction_options on_change=saver(|x, v| x.satisfaction = v.parse().unwrap_or(0))>
                    {c_satisfaction}
                </SaveSelect>
            }
        }
    };
    view! {
        <fieldset
            class="ticket item"
            class:overdue=overdue
            aria-label=move || fill(t().ticket_n, &[&ticket.with(|x| x.subject.clone())])
        >
            <legend>
                <span>{move || ticket.with(|x| x.subject.clone())}</span>" "
                <span class="badge">{move || ticket_status_name(l(), &ticket.with(|x| x.status.clone()))}</span>" "
                <span class="badge" data-priority=move || ticket.with(|x| x.priority.clone())>{move || priority_name(l(), &ticket.with(|x| x.priority.clone()))}</span>
                {move || overdue().then(|| view! { " "<strong class="overdue-badge">{t().overdue}</strong> })}
            </legend>
            <p class="meta">
                {move || ticket.with(|x| x.sla_due).gt(&0).then(|| format!("{} {}", t().sla_due, format::datetime(l(), ticket.with(|x| x.sla_due))))}
            </p>
            {move || next_status().map(|s| {
                let label = fill(t().move_to, &[&ticket_status_name(l(), &s)]);
                view! { <button type="button" class="primary next-status" on:click=advance>{label}</button> }
            })}
            {fields}
            <h4>{move || t().updates}</h4>
            <ul class="updates plain">
                {move || ticket.get().updates.into_iter().map(|u| {
                    let when = format::datetime(l(), u.at);
                    view! {
                        <li>
                            <p>{u.text}</p>
                            <p class="meta">{when}{(!u.by.is_empty()).then(|| format!(" · {}", u.by))}</p>
                        </li>
                    }
                }).collect_view()}
            </ul>
            {add_update}
        </fieldset>
    }
}
