//! What the customer bought and how they feel about it: orders (with totals), survey
//! responses (NPS 0-10, CSAT 1-5) and the loyalty ledger (balance, tier, points expiring soon).

use super::dialog::FormDialog;
use super::fields::{days_from_today, parse_int, parse_money, Choice, Input, TextArea};
use super::{use_page, Section};
use crate::i18n::customer::{tier_name, CustomerMsg};
use crate::i18n::{fill, format};
use crm_core::customer::{new_id, LoyaltyEntry, Order, Survey};
use crm_core::Edit;
use leptos::prelude::*;
use std::collections::BTreeMap;

#[component]
pub fn PurchasesSection() -> impl IntoView {
    let page = use_page();
    view! {
        <Section id="purchases" title=Signal::derive(move || page.t().purchases.to_string())>
            <Orders/>
            <Surveys/>
            <Loyalty/>
        </Section>
    }
}

/// A sub-section with its own heading (a region named by it).
#[component]
fn Part(id: &'static str, #[prop(into)] title: Signal<String>, children: Children) -> impl IntoView {
    let heading = format!("{id}-h");
    let labelled_by = heading.clone();
    view! {
        <section class="part" aria-labelledby=labelled_by>
            <h3 id=heading>{move || title.get()}</h3>
            {children()}
        </section>
    }
}

#[component]
fn Orders() -> impl IntoView {
    let page = use_page();
    let open = RwSignal::new(false);
    let t = move || page.t();
    let orders = move || {
        page.with(|c| {
            let mut v = c.orders.clone();
            v.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.id.cmp(&b.id)));
            v
        })
        .unwrap_or_default()
    };
    let totals = move || {
        let l = page.l();
        let list = orders();
        let mut by_currency: BTreeMap<String, i64> = BTreeMap::new();
        for o in &list {
            *by_currency.entry(o.currency.clone()).or_default() += o.amount;
        }
        let sums = by_currency.iter().map(|(cur, minor)| format::money(l, *minor, cur)).collect::<Vec<_>>().join(" + ");
        (!list.is_empty()).then(|| fill(t().orders_total, &[&format::number(l, list.len() as f64), &sums]))
    };
    view! {
        <Part id="orders" title=Signal::derive(move || t().orders.to_string())>
            {move || totals().map(|s| view! { <p class="totals">{s}</p> })}
            {move || {
                let list = orders();
                if list.is_empty() {
                    return view! { <p class="empty">{t().no_orders}</p> }.into_any();
                }
                let l = page.l();
                view! {
                    <ul class="orders plain">
                        {list.into_iter().map(|o| {
                            let what = if o.quantity > 0 && !o.items.is_empty() {
                                fill(t().order_line, &[&format::number(l, o.quantity as f64), &o.items])
                            } else {
                                o.items.clone()
                            };
                            view! {
                                <li class="row">
                                    <span class="date">{format::day(l, &o.date)}</span>
                                    <span class="grow">{what}</span>
                                    <span class="amount">{format::money(l, o.amount, &o.currency)}</span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }
                .into_any()
            }}
            <button type="button" on:click=move |_| open.set(true)>{move || t().add_order}</button>
            <NewOrder open=open/>
        </Part>
    }
}

#[component]
fn NewOrder(open: RwSignal<bool>) -> impl IntoView {
    let page = use_page();
    let date = RwSignal::new(String::new());
    let amount = RwSignal::new(String::new());
    let currency = RwSignal::new(String::new());
    let quantity = RwSignal::new(String::new());
    let items = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if open.get() {
            date.set(format::today());
            amount.set(String::new());
            currency.set(page.app.settings.with_untracked(|s| s.currency.clone()));
            quantity.set("1".into());
            items.set(String::new());
            problem.set(None);
        }
    });
    let submit = Callback::new(move |_| {
        let t = CustomerMsg::of(page.locale.get_untracked());
        let d = date.get_untracked();
        if crm_core::dates::parse_ymd(&d).is_none() {
            problem.set(Some(t.invalid_date.to_string()));
            return;
        }
        let Some(minor) = parse_money(&amount.get_untracked()) else {
            problem.set(Some(fill(t.invalid_number, &[&amount.get_untracked()])));
            return;
        };
        let Some(q) = parse_int(&quantity.get_untracked()) else {
            problem.set(Some(fill(t.invalid_number, &[&quantity.get_untracked()])));
            return;
        };
        let order = Order {
            id: new_id(),
            external_id: String::new(),
            date: d,
            amount: minor,
            currency: currency.get_untracked().trim().to_uppercase(),
            quantity: q,
            items: items.get_untracked().trim().to_string(),
        };
        page.apply_then(vec![Edit::AddOrder(order)], move |ok| {
            if ok {
                open.set(false)
            }
        });
    });
    let t = move || page.t();
    view! {
        <FormDialog id="new-order" open=open title=Signal::derive(move || t().new_order.to_string()) on_submit=submit>
            <Input id="no-date" label=Signal::derive(move || t().order_date.to_string()) value=date ty="date" required=true/>
            <Input id="no-amount" label=Signal::derive(move || t().amount.to_string()) value=amount ty="number" step="0.01" required=true/>
            <Input id="no-currency" label=Signal::derive(move || t().currency.to_string()) value=currency/>
            <Input id="no-quantity" label=Signal::derive(move || t().quantity.to_string()) value=quantity ty="number" min="0"/>
            <Input id="no-items" label=Signal::derive(move || t().order_items.to_string()) value=items/>
            {move || problem.get().map(|p| view! { <p class="error" role="alert">{p}</p> })}
        </FormDialog>
    }
}

fn nps_group(t: &CustomerMsg, score: i64) -> &'static str {
    match score {
        9.. => t.promoter,
        7..=8 => t.passive,
        _ => t.detractor,
    }
}

#[component]
fn Surveys() -> impl IntoView {
    let page = use_page();
    let open = RwSignal::new(false);
    let t = move || page.t();
    let list = move || {
        page.with(|c| {
            let mut v = c.surveys.clone();
            v.sort_by_key(|s| std::cmp::Reverse(s.at));
            v
        })
        .unwrap_or_default()
    };
    view! {
        <Part id="surveys" title=Signal::derive(move || t().surveys.to_string())>
            {move || {
                let list = list();
                if list.is_empty() {
                    return view! { <p class="empty">{t().no_surveys}</p> }.into_any();
                }
                let (l, t) = (page.l(), t());
                view! {
                    <ul class="surveys plain">
                        {list.into_iter().map(|s| {
                            let what = if s.kind == "nps" {
                                format!("NPS {} · {}", s.score, nps_group(t, s.score))
                            } else {
                                format!("CSAT {}/5", s.score)
                            };
                            view! {
                                <li>
                                    <p><strong>{what}</strong>{(!s.comment.is_empty()).then(|| format!(" — {}", s.comment))}</p>
                                    <p class="meta">{format::date(l, s.at)}</p>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }
                .into_any()
            }}
            <button type="button" on:click=move |_| open.set(true)>{move || t().add_survey}</button>
            <NewSurvey open=open/>
        </Part>
    }
}

#[component]
fn NewSurvey(open: RwSignal<bool>) -> impl IntoView {
    let page = use_page();
    let kind = RwSignal::new(String::new());
    let score = RwSignal::new(String::new());
    let comment = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if open.get() {
            kind.set("nps".into());
            score.set(String::new());
            comment.set(String::new());
            problem.set(None);
        }
    });
    let submit = Callback::new(move |_| {
        let t = CustomerMsg::of(page.locale.get_untracked());
        let Some(n) = parse_int(&score.get_untracked()).filter(|_| !score.get_untracked().trim().is_empty()) else {
            problem.set(Some(fill(t.invalid_number, &[&score.get_untracked()])));
            return;
        };
        let s = Survey { id: new_id(), at: crate::platform::now_ms(), kind: kind.get_untracked(), score: n, comment: comment.get_untracked().trim().to_string() };
        page.apply_then(vec![Edit::AddSurvey(s)], move |ok| {
            if ok {
                open.set(false)
            }
        });
    });
    let t = move || page.t();
    let kinds = Signal::derive(move || vec![("nps".to_string(), t().nps.to_string()), ("csat".to_string(), t().csat.to_string())]);
    let max = Signal::derive(move || if kind.get() == "csat" { "5".to_string() } else { "10".to_string() });
    view! {
        <FormDialog id="new-survey" open=open title=Signal::derive(move || t().new_survey.to_string()) on_submit=submit>
            <Choice id="ns-kind" label=Signal::derive(move || t().survey_kind.to_string()) value=kind options=kinds/>
            <Input id="ns-score" label=Signal::derive(move || t().score.to_string()) value=score ty="number" min="0" max=max required=true/>
            <TextArea id="ns-comment" label=Signal::derive(move || t().comment.to_string()) value=comment/>
            {move || problem.get().map(|p| view! { <p class="error" role="alert">{p}</p> })}
        </FormDialog>
    }
}

#[component]
fn Loyalty() -> impl IntoView {
    let page = use_page();
    let open = RwSignal::new(false);
    let t = move || page.t();
    let balance = move || page.with(|c| c.loyalty_balance(&format::today())).unwrap_or(0);
    let tier = move || {
        let l = page.l();
        let b = balance();
        page.app.settings.with(|s| s.tier_for(b).map(|tier| tier_name(l, tier)))
    };
    let expiring = move || {
        let (today, soon) = (format::today(), days_from_today(30));
        page.with(|c| {
            c.loyalty.iter().filter(|e| e.points > 0 && !e.expires.is_empty() && e.expires >= today && e.expires <= soon).map(|e| e.points).sum::<i64>()
        })
        .unwrap_or(0)
    };
    let ledger = move || {
        page.with(|c| {
            let mut v = c.loyalty.clone();
            v.sort_by_key(|e| std::cmp::Reverse(e.at));
            v
        })
        .unwrap_or_default()
    };
    view! {
        <Part id="loyalty" title=Signal::derive(move || t().loyalty.to_string())>
            <dl class="facts">
                <dt>{move || t().points_balance}</dt>
                <dd class="balance">{move || format::number(page.l(), balance() as f64)}</dd>
                <dt>{move || t().tier}</dt>
                <dd class="tier">{move || tier().unwrap_or_else(|| page.common().none.to_string())}</dd>
            </dl>
            {move || (expiring() > 0).then(|| view! {
                <p class="warn" role="note">{fill(t().expiring_soon, &[&format::number(page.l(), expiring() as f64)])}</p>
            })}
            {move || {
                let list = ledger();
                if list.is_empty() {
                    return view! { <p class="empty">{t().no_loyalty}</p> }.into_any();
                }
                let (l, t) = (page.l(), t());
                let today = format::today();
                view! {
                    <ul class="ledger plain">
                        {list.into_iter().map(|e| {
                            let expired = !e.expires.is_empty() && e.expires < today;
                            let points = if e.points > 0 { format!("+{}", format::number(l, e.points as f64)) } else { format::number(l, e.points as f64) };
                            let expiry = if e.expires.is_empty() {
                                String::new()
                            } else if expired {
                                format!(" · {}", t.expired)
                            } else {
                                format!(" · {}", fill(t.expires_on, &[&format::day(l, &e.expires)]))
                            };
                            view! {
                                <li class="row" class:expired=expired>
                                    <span class="points">{points}</span>
                                    <span class="grow">{e.reason.clone()}<span class="meta">{expiry}</span></span>
                                    <span class="meta">{format::date(l, e.at)}</span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }
                .into_any()
            }}
            <button type="button" on:click=move |_| open.set(true)>{move || t().add_points}</button>
            <NewPoints open=open/>
        </Part>
    }
}

#[component]
fn NewPoints(open: RwSignal<bool>) -> impl IntoView {
    let page = use_page();
    let points = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let expires = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if open.get() {
            points.set(String::new());
            reason.set(String::new());
            expires.set(String::new());
            problem.set(None);
        }
    });
    let submit = Callback::new(move |_| {
        let t = CustomerMsg::of(page.locale.get_untracked());
        let Some(p) = parse_int(&points.get_untracked()).filter(|p| *p != 0) else {
            problem.set(Some(fill(t.invalid_number, &[&points.get_untracked()])));
            return;
        };
        let e = LoyaltyEntry {
            id: new_id(),
            at: crate::platform::now_ms(),
            points: p,
            reason: reason.get_untracked().trim().to_string(),
            expires: expires.get_untracked(),
        };
        page.apply_then(vec![Edit::AddLoyalty(e)], move |ok| {
            if ok {
                open.set(false)
            }
        });
    });
    let t = move || page.t();
    view! {
        <FormDialog id="new-points" open=open title=Signal::derive(move || t().new_points.to_string()) on_submit=submit>
            <Input id="np-points" label=Signal::derive(move || t().points.to_string()) value=points ty="number" required=true/>
            <Input id="np-reason" label=Signal::derive(move || t().reason.to_string()) value=reason/>
            <Input id="np-expires" label=Signal::derive(move || t().expires.to_string()) value=expires ty="date"/>
            {move || problem.get().map(|p| view! { <p class="error" role="alert">{p}</p> })}
        </FormDialog>
    }
}
