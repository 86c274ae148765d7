//! Deals: what the customer may buy, where it stands in the team's pipeline, and how it
//! ended. Stage moves and closing go through `MoveDeal` / `CloseDeal` so the timeline
//! records them.

use super::dialog::FormDialog;
use super::fields::{money_input, parse_f64, parse_money, Choice, Input, SaveSelect};
use super::{use_page, Page, Section};
use crate::components::text_field::TextField;
use crate::i18n::customer::{pipeline_name, stage_name, CustomerMsg};
use crate::i18n::{fill, format, Locale};
use crm_core::customer::{deal_status, new_id, Deal, LineItem};
use crm_core::{Customer, Edit, Settings};
use leptos::prelude::*;

/// `(id, name)` of a pipeline's stages; only the open ones unless `all`.
fn stage_options(l: Locale, s: &Settings, pipeline: &str, all: bool) -> Vec<(String, String)> {
    s.pipelines
        .get(pipeline)
        .map(|p| p.stages.iter().filter(|st| all || st.outcome.is_empty()).map(|st| (st.id.clone(), stage_name(l, st))).collect())
        .unwrap_or_default()
}

/// The stage of `pipeline` whose outcome is `outcome` ("won" / "lost"), if it has one.
fn closing_stage(s: &Settings, pipeline: &str, outcome: &str) -> Option<String> {
    s.pipelines.get(pipeline)?.stages.iter().find(|st| st.outcome == outcome).map(|st| st.id.clone())
}

/// Edits that close a deal, moving it to the pipeline's closing stage first.
fn close_edits(page: Page, c: &Customer, id: &str, won: bool, reason: String) -> Vec<Edit> {
    let Some(d) = c.deals.get(id) else { return vec![] };
    let at = crate::platform::now_ms();
    let by = page.me();
    let mut edits = Vec::new();
    let outcome = if won { deal_status::WON } else { deal_status::LOST };
    if let Some(stage) = page.app.settings.with_untracked(|s| closing_stage(s, &d.pipeline, outcome)) {
        edits.push(Edit::MoveDeal { id: id.to_string(), stage, at, by: by.clone() });
    }
    edits.push(Edit::CloseDeal { id: id.to_string(), won, reason, at, by });
    edits
}

/// Edits that reopen a closed deal at `stage`.
fn reopen_edits(page: Page, c: &Customer, id: &str, stage: String) -> Vec<Edit> {
    let Some(d) = c.deals.get(id) else { return vec![] };
    let mut open = d.clone();
    open.status = deal_status::OPEN.to_string();
    open.closed_at = 0;
    open.lost_reason.clear();
    vec![
        Edit::PutDeal { id: id.to_string(), deal: open },
        Edit::MoveDeal { id: id.to_string(), stage, at: crate::platform::now_ms(), by: page.me() },
    ]
}

#[component]
pub fn DealsSection() -> impl IntoView {
    let page = use_page();
    let open = RwSignal::new(false);
    let ids = move || {
        page.with(|c| {
            let mut v: Vec<_> = c.deals.iter().map(|(id, d)| (d.created_at, id.clone())).collect();
            v.sort();
            v.into_iter().map(|(_, id)| id).collect::<Vec<_>>()
        })
        .unwrap_or_default()
    };
    view! {
        <Section id="deals" title=Signal::derive(move || page.t().deals.to_string())>
            {move || ids().is_empty().then(|| view! { <p class="empty">{page.t().no_deals}</p> })}
            <For each=ids key=|id| id.clone() let:id>
                <DealCard id=id/>
            </For>
            <button type="button" on:click=move |_| open.set(true)>{move || page.t().add_deal}</button>
            <NewDeal open=open/>
        </Section>
    }
}

#[component]
fn NewDeal(open: RwSignal<bool>) -> impl IntoView {
    let page = use_page();
    let settings = page.app.settings;
    let title = RwSignal::new(String::new());
    let pipeline = RwSignal::new(String::new());
    let stage = RwSignal::new(String::new());
    let amount = RwSignal::new(String::new());
    let currency = RwSignal::new(String::new());
    let close = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    // a fresh form each time it opens
    Effect::new(move |_| {
        if open.get() {
            let (p, st, cur) = settings.with_untracked(|s| {
                let p = s.pipelines_sorted().first().map(|(id, _)| (*id).clone()).unwrap_or_default();
                let st = stage_options(Locale::En, s, &p, false).first().map(|o| o.0.clone()).unwrap_or_default();
                (p, st, s.currency.clone())
            });
            title.set(String::new());
            pipeline.set(p);
            stage.set(st);
            amount.set(String::new());
            currency.set(cur);
            close.set(String::new());
            problem.set(None);
        }
    });
    // another pipeline: start at its first stage
    Effect::new(move |prev: Option<String>| {
        let p = pipeline.get();
        if prev.is_some_and(|prev| prev != p) {
            stage.set(settings.with_untracked(|s| stage_options(Locale::En, s, &p, false).first().map(|o| o.0.clone()).unwrap_or_default()));
        }
        p
    });
    let pipelines = Signal::derive(move || {
        let l = page.l();
        settings.with(|s| s.pipelines_sorted().into_iter().map(|(id, p)| (id.clone(), pipeline_name(l, id, p))).collect::<Vec<_>>())
    });
    let stages = Signal::derive(move || {
        let l = page.l();
        let p = pipeline.get();
        settings.with(|s| stage_options(l, s, &p, false))
    });
    let submit = Callback::new(move |_| {
        let t = CustomerMsg::of(page.locale.get_untracked());
        let Some(minor) = parse_money(&amount.get_untracked()) else {
            problem.set(Some(fill(t.invalid_number, &[&amount.get_untracked()])));
            return;
        };
        let deal = Deal {
            title: title.get_untracked().trim().to_string(),
            pipeline: pipeline.get_untracked(),
            stage: stage.get_untracked(),
            amount: minor,
            currency: currency.get_untracked().trim().to_uppercase(),
            expected_close: close.get_untracked(),
            status: deal_status::OPEN.to_string(),
            owner: page.me(),
            created_at: crate::platform::now_ms(),
            ..Default::default()
        };
        page.apply_then(vec![Edit::PutDeal { id: new_id(), deal }], move |ok| {
            if ok {
                open.set(false)
            }
        });
    });
    let t = move || page.t();
    view! {
        <FormDialog id="new-deal" open=open title=Signal::derive(move || t().new_deal.to_string()) on_submit=submit>
            <Input id="nd-title" label=Signal::derive(move || t().deal_title.to_string()) value=title required=true/>
            <Choice id="nd-pipeline" label=Signal::derive(move || t().pipeline.to_string()) value=pipeline options=pipelines/>
            <Choice id="nd-stage" label=Signal::derive(move || t().stage.to_string()) value=stage options=stages/>
            <Input id="nd-amount" label=Signal::derive(move || t().amount.to_string()) value=amount ty="number" step="0.01"/>
            <Input id="nd-currency" label=Signal::derive(move || t().currency.to_string()) value=currency/>
            <Input id="nd-close" label=Signal::derive(move || t().expected_close.to_string()) value=close ty="date"/>
            {move || problem.get().map(|p| view! { <p class="error" role="alert">{p}</p> })}
        </FormDialog>
    }
}

#[component]
fn DealCard(id: String) -> impl IntoView {
    let page = use_page();
    let settings = page.app.settings;
    let deal = {
        let id = id.clone();
        Memo::new(move |_| page.view.with(|v| v.as_ref().and_then(|v| v.customer.deals.get(&id).cloned())).unwrap_or_default())
    };
    let lost_open = RwSignal::new(false);
    let t = move || page.t();
    let l = move || page.l();

    // replace one field of the deal as stored now
    let put = {
        let id = id.clone();
        move |change: fn(&mut Deal, String), v: String| {
            let id = id.clone();
            page.update(move |c| {
                let Some(d) = c.deals.get(&id) else { return vec![] };
                let mut d = d.clone();
                change(&mut d, v);
                vec![Edit::PutDeal { id, deal: d }]
            })
        }
    };
    let set_title = {
        let put = put.clone();
        Callback::new(move |v: String| put(|d, v| d.title = v.trim().to_string(), v))
    };
    let set_currency = {
        let put = put.clone();
        Callback::new(move |v: String| put(|d, v| d.currency = v.trim().to_uppercase(), v))
    };
    let set_close = {
        let put = put.clone();
        Callback::new(move |v: String| put(|d, v| d.expected_close = v, v))
    };
    let set_amount = {
        let put = put.clone();
        Callback::new(move |v: String| {
            match parse_money(&v) {
                Some(minor) => put(|d, v| d.amount = v.parse().unwrap_or(0), minor.to_string()),
                None => page.app.error.set(Some(fill(CustomerMsg::of(page.locale.get_untracked()).invalid_number, &[&v]))),
            }
        })
    };
    let set_stage = {
        let id = id.clone();
        Callback::new(move |stage: String| {
            let outcome = settings.with_untracked(|s| s.stage(&deal.get_untracked().pipeline, &stage).map(|st| st.outcome.clone()));
            let id = id.clone();
            match outcome.as_deref() {
                Some("lost") => lost_open.set(true),
                Some("won") => page.update(move |c| close_edits(page, c, &id, true, String::new())),
                _ => page.update(move |c| {
                    let Some(d) = c.deals.get(&id) else { return vec![] };
                    if d.status != deal_status::OPEN {
                        reopen_edits(page, c, &id, stage)
                    } else {
                        vec![Edit::MoveDeal { id: id.clone(), stage, at: crate::platform::now_ms(), by: page.me() }]
                    }
                }),
            }
        })
    };
    let mark_won = {
        let id = id.clone();
        move |_| {
            let id = id.clone();
            page.update(move |c| close_edits(page, c, &id, true, String::new()))
        }
    };
    let reopen = {
        let id = id.clone();
        move |_| {
            let id = id.clone();
            let first = settings.with_untracked(|s| {
                stage_options(Locale::En, s, &deal.get_untracked().pipeline, false).first().map(|o| o.0.clone()).unwrap_or_default()
            });
            page.update(move |c| reopen_edits(page, c, &id, first))
        }
    };
    let remove = {
        let id = id.clone();
        move |_| page.apply(vec![Edit::RemoveDeal { id: id.clone() }])
    };
    let stages = Signal::derive(move || {
        let l = l();
        let p = deal.with(|d| d.pipeline.clone());
        settings.with(|s| stage_options(l, s, &p, true))
    });
    let probability = move || {
        let d = deal.get();
        match d.status.as_str() {
            deal_status::WON => 100,
            deal_status::LOST => 0,
            _ => settings.with(|s| s.stage(&d.pipeline, &d.stage).map(|st| st.probability).unwrap_or(0)),
        }
    };
    let status = move || {
        let t = t();
        match deal.with(|d| d.status.clone()).as_str() {
            deal_status::WON => t.deal_won,
            deal_status::LOST => t.deal_lost,
            _ => t.deal_open,
        }
    };
    let is_open = move || deal.with(|d| d.status != deal_status::WON && d.status != deal_status::LOST);
    let path = {
        let id = id.clone();
        move |f: &str| format!("deals.{id}.{f}")
    };
    view! {
        <fieldset
            class="deal item"
            data-status=move || deal.with(|d| d.status.clone())
            aria-label=move || fill(t().deal_n, &[&deal.with(|d| d.title.clone())])
        >
            <legend>
                <span>{move || deal.with(|d| d.title.clone())}</span>
                " "
                <span class="badge status">{status}</span>
            </legend>
            {move || {
                let t = t();
                let id_ = path("");
                let (c_title, c_stage, c_amount, c_currency, c_close) =
                    (page.conflict(path("title")), page.conflict(path("stage")), page.conflict(path("amount")), page.conflict(path("currency")), page.conflict(path("expected_close")));
                view! {
                    <TextField id=format!("{id_}title") label=t.deal_title value=Signal::derive(move || deal.with(|d| d.title.clone())) on_commit=set_title>
                        {c_title}
                    </TextField>
                    <SaveSelect id=format!("{id_}stage") label=t.stage value=Signal::derive(move || deal.with(|d| d.stage.clone())) options=stages on_change=set_stage>
                        {c_stage}
                    </SaveSelect>
                    <TextField
                        id=format!("{id_}amount")
                        label=t.amount
                        input_type="number"
                        value=Signal::derive(move || deal.with(|d| money_input(d.amount)))
                        on_commit=set_amount
                    >
                        {c_amount}
                    </TextField>
                    <TextField id=format!("{id_}currency") label=t.currency value=Signal::derive(move || deal.with(|d| d.currency.clone())) on_commit=set_currency>
                        {c_currency}
                    </TextField>
                    <TextField
                        id=format!("{id_}close")
                        label=t.expected_close
                        input_type="date"
                        value=Signal::derive(move || deal.with(|d| d.expected_close.clone()))
                        on_commit=set_close
                    >
                        {c_close}
                    </TextField>
                }
            }}
            <p class="deal-facts">
                <span>{move || format::money(l(), deal.with(|d| d.amount), &deal.with(|d| d.currency.clone()))}</span>
                " · "
                <span>{move || fill(t().probability, &[&probability()])}</span>
                {move || deal.with(|d| (d.status == deal_status::LOST && !d.lost_reason.is_empty()).then(|| d.lost_reason.clone())).map(|r| view! {
                    " · "<span>{fill(t().lost_because, &[&r])}</span>
                })}
            </p>
            <LineItems id=id.clone() deal=deal/>
            <div class="row wrap">
                <Show
                    when=is_open
                    fallback=move || view! { <button type="button" on:click=reopen.clone()>{move || t().reopen}</button> }
                >
                    <button type="button" class="ok" on:click=mark_won.clone()>{move || t().mark_won}</button>
                    <button type="button" on:click=move |_| lost_open.set(true)>{move || t().mark_lost}</button>
                </Show>
                <button type="button" class="secondary" on:click=remove>{move || t().remove_deal}</button>
            </div>
            <LostDialog id=id open=lost_open/>
        </fieldset>
    }
}

#[component]
fn LostDialog(id: String, open: RwSignal<bool>) -> impl IntoView {
    let page = use_page();
    let reason = RwSignal::new(String::new());
    Effect::new(move |_| {
        if open.get() {
            reason.set(String::new());
        }
    });
    let submit = Callback::new(move |_| {
        let id = id.clone();
        let r = reason.get_untracked().trim().to_string();
        page.update_then(move |c| close_edits(page, c, &id, false, r), move |ok| {
            if ok {
                open.set(false)
            }
        });
    });
    let t = move || page.t();
    view! {
        <FormDialog id="lost-dialog" open=open title=Signal::derive(move || t().mark_lost.to_string()) on_submit=submit>
            <Input id="lost-reason" label=Signal::derive(move || t().lost_reason.to_string()) value=reason/>
        </FormDialog>
    }
}

/// A change to a deal's line items, applied to the deal as stored.
type ItemsChange = Box<dyn FnOnce(&mut Vec<LineItem>)>;

/// What the deal is made of: name, quantity, unit price.
#[component]
fn LineItems(id: String, deal: Memo<Deal>) -> impl IntoView {
    let page = use_page();
    let t = move || page.t();
    let name = RwSignal::new(String::new());
    let qty = RwSignal::new("1".to_string());
    let price = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let put_items = {
        let id = id.clone();
        move |change: ItemsChange| {
            let id = id.clone();
            page.update(move |c| {
                let Some(d) = c.deals.get(&id) else { return vec![] };
                let mut d = d.clone();
                change(&mut d.items);
                vec![Edit::PutDeal { id, deal: d }]
            })
        }
    };
    let add = {
        let put_items = put_items.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let t = CustomerMsg::of(page.locale.get_untracked());
            let n = name.get_untracked().trim().to_string();
            if n.is_empty() {
                return;
            }
            let Some(q) = parse_f64(&qty.get_untracked()) else {
                problem.set(Some(fill(t.invalid_number, &[&qty.get_untracked()])));
                return;
            };
            let Some(p) = parse_money(&price.get_untracked()) else {
                problem.set(Some(fill(t.invalid_number, &[&price.get_untracked()])));
                return;
            };
            problem.set(None);
            put_items(Box::new(move |items| items.push(LineItem { name: n, quantity: q, unit_price: p })));
            name.set(String::new());
            qty.set("1".into());
            price.set(String::new());
        }
    };
    let currency = move || deal.with(|d| d.currency.clone());
    let total = move || deal.with(|d| d.items.iter().map(|i| (i.quantity * i.unit_price as f64).round() as i64).sum::<i64>());
    let fid = format!("li-{id}");
    view! {
        <details class="line-items">
            <summary>{move || t().line_items}" ("{move || deal.with(|d| d.items.len())}")"</summary>
            <ul class="plain">
                {move || {
                    let l = page.l();
                    let cur = currency();
                    deal.get().items.into_iter().enumerate().map(|(i, item)| {
                        let put_items = put_items.clone();
                        let label = fill(t().remove_item, &[&item.name]);
                        view! {
                            <li class="row">
                                <span class="grow">
                                    {item.name.clone()}" · "{format::number(l, item.quantity)}" × "{format::money(l, item.unit_price, &cur)}
                                </span>
                                <button type="button" class="icon" aria-label=label on:click=move |_| {
                                    put_items(Box::new(move |items| if i < items.len() { items.remove(i); }))
                                }>"×"</button>
                            </li>
                        }
                    }).collect_view()
                }}
            </ul>
            <p class="hint">{move || fill(t().items_total, &[&format::money(page.l(), total(), &currency())])}</p>
            <form class="line-item-form" on:submit=add>
                <Input id=format!("{fid}-name") label=Signal::derive(move || t().item_name.to_string()) value=name/>
                <Input id=format!("{fid}-qty") label=Signal::derive(move || t().quantity.to_string()) value=qty ty="number" step="any"/>
                <Input id=format!("{fid}-price") label=Signal::derive(move || t().unit_price.to_string()) value=price ty="number" step="0.01"/>
                {move || problem.get().map(|p| view! { <p class="error" role="alert">{p}</p> })}
                <button type="submit">{move || t().add_item}</button>
            </form>
        </details>
    }
}
