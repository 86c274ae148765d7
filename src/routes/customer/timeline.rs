//! The timeline (calls, emails, meetings... together with deal stage changes, orders,
//! tickets and notes, newest first; built by `crm_core::customer::timeline`) and the form
//! that logs an interaction.

use super::dialog::FormDialog;
use super::fields::{parse_int, Choice, Input, TextArea};
use super::{use_page, Section};
use crate::i18n::customer::{interaction_name, stage_name_in, CustomerMsg};
use crate::i18n::{fill, format, Locale};
use crm_core::customer::timeline::{timeline, TimelineItem, TimelineKind};
use crm_core::customer::{new_id, Interaction, INTERACTION_KINDS};
use crm_core::{Customer, Edit, Settings};
use leptos::prelude::*;

fn icon(kind: &TimelineKind) -> &'static str {
    match kind {
        TimelineKind::Interaction(k) => match k.as_str() {
            "call" => "📞",
            "email" => "✉️",
            "meeting" => "👥",
            "chat" => "💬",
            "wechat" => "🟢",
            "visit" => "🚗",
            _ => "🌐",
        },
        TimelineKind::Event(e) => match e.as_str() {
            "stage" => "➡️",
            "won" => "🏆",
            "lost" => "✖️",
            "deleted" => "🗑️",
            "restored" => "♻️",
            _ => "🔀",
        },
        TimelineKind::Order => "🛒",
        TimelineKind::Ticket => "🎫",
        TimelineKind::Note => "📝",
    }
}

/// One entry as shown: (kind class, label, text, when).
fn describe(l: Locale, c: &Customer, s: &Settings, it: &TimelineItem) -> (String, String, String, String) {
    let t = CustomerMsg::of(l);
    let when = format::datetime(l, it.at);
    match &it.kind {
        TimelineKind::Interaction(k) => {
            let i = c.interactions.iter().find(|i| i.id == it.item);
            let mut label = interaction_name(l, k);
            if let Some(i) = i {
                match i.direction.as_str() {
                    "in" => label = format!("{label} · {}", t.dir_in),
                    "out" => label = format!("{label} · {}", t.dir_out),
                    _ => {}
                }
                if i.duration_min > 0 {
                    label = format!("{label} · {}", fill(t.minutes, &[&format::number(l, i.duration_min as f64)]));
                }
            }
            (format!("interaction {k}"), label, it.text.clone(), when)
        }
        TimelineKind::Event(e) => {
            let deal = c.deals.get(&it.item);
            let title = deal.map(|d| d.title.clone()).unwrap_or_default();
            let pipeline = deal.map(|d| d.pipeline.as_str()).unwrap_or("");
            let (label, text) = match e.as_str() {
                "stage" => {
                    let from = stage_name_in(l, s, pipeline, &it.from);
                    let to = stage_name_in(l, s, pipeline, &it.to);
                    (t.tl_stage, format!("{title}: {from} → {to}"))
                }
                "won" => (t.tl_won, title),
                "lost" if !it.to.is_empty() => (t.tl_lost, format!("{title} — {}", it.to)),
                "lost" => (t.tl_lost, title),
                "deleted" => (t.tl_deleted, String::new()),
                "restored" => (t.tl_restored, String::new()),
                _ => (t.tl_merged, String::new()),
            };
            (format!("event {e}"), label.to_string(), text, when)
        }
        TimelineKind::Order => {
            let o = c.orders.iter().find(|o| o.id == it.item);
            let text = match o {
                Some(o) if o.items.is_empty() => format::money(l, o.amount, &o.currency),
                Some(o) => format!("{} · {}", o.items, format::money(l, o.amount, &o.currency)),
                None => it.text.clone(),
            };
            let when = o.map(|o| format::day(l, &o.date)).unwrap_or(when);
            ("order".into(), t.tl_order.to_string(), text, when)
        }
        TimelineKind::Ticket => ("ticket".into(), t.tl_ticket.to_string(), it.text.clone(), when),
        TimelineKind::Note => ("note".into(), t.tl_note.to_string(), it.text.clone(), when),
    }
}

/// A stage move recorded together with the win or loss it led to is one thing to a reader.
fn shown(items: Vec<TimelineItem>) -> Vec<TimelineItem> {
    let closes: Vec<(i64, String)> = items
        .iter()
        .filter(|i| matches!(&i.kind, TimelineKind::Event(e) if e == "won" || e == "lost"))
        .map(|i| (i.at, i.item.clone()))
        .collect();
    items
        .into_iter()
        .filter(|i| !(matches!(&i.kind, TimelineKind::Event(e) if e == "stage") && closes.contains(&(i.at, i.item.clone()))))
        .collect()
}

#[component]
pub fn TimelineSection() -> impl IntoView {
    let page = use_page();
    let settings = page.app.settings;
    let entries = move || {
        let l = page.l();
        page.with(|c| {
            settings.with(|s| shown(timeline(c)).iter().map(|it| (icon(&it.kind), it.by.clone(), describe(l, c, s, it))).collect::<Vec<_>>())
        })
        .unwrap_or_default()
    };
    view! {
        <Section id="timeline" title=Signal::derive(move || page.t().timeline.to_string())>
            {move || {
                let entries = entries();
                if entries.is_empty() {
                    return view! { <p class="empty">{page.t().no_timeline}</p> }.into_any();
                }
                let t = page.t();
                view! {
                    <ol class="timeline">
                        {entries.into_iter().map(|(icon, by, (class, label, text, when))| view! {
                            <li class=class>
                                <span class="icon" aria-hidden="true">{icon}</span>
                                <div class="body">
                                    <p class="what"><strong>{label}</strong>" "<span class="text">{text}</span></p>
                                    <p class="when">
                                        {when}
                                        {(!by.is_empty()).then(|| format!(" · {}", fill(t.tl_by, &[&by])))}
                                    </p>
                                </div>
                            </li>
                        }).collect_view()}
                    </ol>
                }
                .into_any()
            }}
        </Section>
    }
}

/// "Log a call": a call by default, or any other kind of interaction.
#[component]
pub fn LogDialog(open: RwSignal<bool>) -> impl IntoView {
    let page = use_page();
    let kind = RwSignal::new("call".to_string());
    let direction = RwSignal::new("out".to_string());
    let when = RwSignal::new(String::new());
    let duration = RwSignal::new(String::new());
    let summary = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if open.get() {
            kind.set("call".into());
            direction.set("out".into());
            when.set(format::to_datetime_local(crate::platform::now_ms()));
            duration.set(String::new());
            summary.set(String::new());
            problem.set(None);
        }
    });
    let kinds = Signal::derive(move || {
        let l = page.l();
        INTERACTION_KINDS.iter().map(|k| (k.to_string(), interaction_name(l, k))).collect::<Vec<_>>()
    });
    let directions = Signal::derive(move || {
        let t = page.t();
        vec![("out".to_string(), t.dir_out.to_string()), ("in".to_string(), t.dir_in.to_string())]
    });
    let submit = Callback::new(move |_| {
        let t = CustomerMsg::of(page.locale.get_untracked());
        let Some(minutes) = parse_int(&duration.get_untracked()) else {
            problem.set(Some(fill(t.invalid_number, &[&duration.get_untracked()])));
            return;
        };
        let at = match format::from_datetime_local(&when.get_untracked()) {
            0 => crate::platform::now_ms(),
            at => at,
        };
        let i = Interaction {
            id: new_id(),
            kind: kind.get_untracked(),
            direction: direction.get_untracked(),
            at,
            duration_min: minutes.max(0),
            summary: summary.get_untracked().trim().to_string(),
            by: page.me(),
            campaign: String::new(),
        };
        page.apply_then(vec![Edit::LogInteraction(i)], move |ok| {
            if ok {
                open.set(false)
            }
        });
    });
    let t = move || page.t();
    view! {
        <FormDialog id="log-dialog" open=open title=Signal::derive(move || t().log_title.to_string()) on_submit=submit>
            <Choice id="log-kind" label=Signal::derive(move || t().interaction_kind.to_string()) value=kind options=kinds/>
            <Choice id="log-direction" label=Signal::derive(move || t().direction.to_string()) value=direction options=directions/>
            <Input id="log-when" label=Signal::derive(move || t().when.to_string()) value=when ty="datetime-local"/>
            <Input id="log-duration" label=Signal::derive(move || t().duration.to_string()) value=duration ty="number" min="0"/>
            <TextArea id="log-summary" label=Signal::derive(move || t().summary.to_string()) value=summary/>
            {move || problem.get().map(|p| view! { <p class="error" role="alert">{p}</p> })}
        </FormDialog>
    }
}
