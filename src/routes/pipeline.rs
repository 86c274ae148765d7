//! The pipeline board: one column per stage of a pipeline, the deals of every customer as
//! cards (read from the summaries only). A deal moves by drag and drop, by its "Stage of …"
//! select, or with Alt+←/Alt+→ on the focused card; every move is recorded in the customer's
//! timeline (`Edit::MoveDeal`), and a move into a won or lost column also closes the deal
//! (lost asks for the reason first).

use crate::i18n::customer::{pipeline_name, stage_name};
use crate::i18n::pipeline::PipelineMsg;
use crate::i18n::{common::Common, fill, format, use_locale, Locale};
use crate::platform::{now_ms, reminders};
use crate::state::{edit_customer, load_customer, use_app, AppState};
use crm_core::customer::{deal_status, new_id, Deal, DealSummary, Query};
use crm_core::workspace::Stage;
use crm_core::{DocId, Edit, Settings, Summary};
use leptos::prelude::*;
use std::collections::BTreeMap;
use wasm_bindgen::JsCast;

/// Cards drawn per column; the column header still counts and sums all of them.
const MAX_CARDS: usize = 200;
/// Suggestions shown by the customer picker.
const MAX_SUGGESTIONS: usize = 30;

#[derive(Clone, Debug, PartialEq)]
struct Card {
    customer: String,
    customer_name: String,
    deal: DealSummary,
}

impl Card {
    fn dom_key(&self) -> String {
        format!("{}:{}", self.customer, self.deal.id)
    }

    /// Changes whenever anything the card shows changes, so the board redraws just that card.
    fn render_key(&self) -> String {
        let d = &self.deal;
        format!("{}:{}\u{0}{}\u{0}{}\u{0}{}\u{0}{}\u{0}{}{}\u{0}{}", self.customer, d.id, d.title, d.stage, d.status, d.expected_close, d.amount, d.currency, self.customer_name)
    }
}

#[derive(Clone, Debug, PartialEq)]
struct Column {
    stage: Stage,
    cards: Vec<Card>,
    /// per currency, minor units
    total: BTreeMap<String, i64>,
    weighted: BTreeMap<String, i64>,
}

/// Columns in board order: the stages as ordered, closing (won / lost) stages last.
fn board_stages(settings: &Settings, pipeline: &str) -> Vec<Stage> {
    let mut stages = settings.pipelines.get(pipeline).map(|p| p.stages.clone()).unwrap_or_default();
    stages.sort_by_key(|s| !s.outcome.is_empty());
    stages
}

/// The column a deal is shown in: a closed deal in its outcome's column, an open one in its
/// stage's (an unknown stage, e.g. removed meanwhile, falls back to the first open column).
fn column_of(stages: &[Stage], d: &DealSummary) -> usize {
    let outcome = |o: &str| stages.iter().position(|s| s.outcome == o);
    match d.status.as_str() {
        deal_status::WON => outcome("won"),
        deal_status::LOST => outcome("lost"),
        _ => None,
    }
    .or_else(|| stages.iter().position(|s| s.id == d.stage))
    .or_else(|| stages.iter().position(|s| s.outcome.is_empty()))
    .unwrap_or(0)
}

/// Does a deal belong on this pipeline's board? Deals of an unknown (or no) pipeline show on
/// the first one, so nothing disappears from every board.
fn on_board(settings: &Settings, first: &str, pipeline: &str, d: &DealSummary) -> bool {
    d.pipeline == pipeline || (pipeline == first && !settings.pipelines.contains_key(&d.pipeline))
}

fn build_board(settings: &Settings, summaries: &[Summary], pipeline: &str) -> Vec<Column> {
    let stages = board_stages(settings, pipeline);
    if stages.is_empty() {
        return Vec::new();
    }
    let first = settings.pipelines_sorted().first().map(|(id, _)| (*id).clone()).unwrap_or_default();
    let mut columns: Vec<Column> = stages
        .into_iter()
        .map(|stage| Column { stage, cards: Vec::new(), total: BTreeMap::new(), weighted: BTreeMap::new() })
        .collect();
    let stages: Vec<Stage> = columns.iter().map(|c| c.stage.clone()).collect();
    for s in summaries.iter().filter(|s| !s.is_deleted()) {
        for d in s.deals.iter().filter(|d| on_board(settings, &first, pipeline, d)) {
            let col = &mut columns[column_of(&stages, d)];
            *col.total.entry(d.currency.clone()).or_default() += d.amount;
            *col.weighted.entry(d.currency.clone()).or_default() += d.amount * col.stage.probability.clamp(0, 100) / 100;
            col.cards.push(Card { customer: s.id.clone(), customer_name: s.name.clone(), deal: d.clone() });
        }
    }
    for c in &mut columns {
        c.cards.sort_by(|a, b| b.deal.amount.cmp(&a.deal.amount).then_with(|| a.deal.title.cmp(&b.deal.title)));
    }
    columns
}

/// Sums per currency, as "¥1,000.00 + $20.00" (an empty board sums to 0 in `default`).
fn money_sum(l: Locale, sums: &BTreeMap<String, i64>, default: &str) -> String {
    let parts: Vec<String> = sums.iter().filter(|(_, v)| **v != 0).map(|(c, v)| format::money(l, *v, c)).collect();
    if parts.is_empty() {
        format::money(l, 0, default)
    } else {
        parts.join(" + ")
    }
}

fn count_text(l: Locale, n: usize) -> String {
    let t = PipelineMsg::of(l);
    if n == 1 {
        t.deals_one.to_string()
    } else {
        fill(t.deals_count, &[&format::number(l, n as f64)])
    }
}

/// Moves focus to a card once the board has redrawn it (in its new column).
fn focus_card(key: String) {
    request_animation_frame(move || {
        let el = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.query_selector(&format!("[data-card=\"{key}\"]")).ok().flatten())
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(el) = el {
            let _ = el.focus();
        }
    });
}

/// The edits that move a deal to `to` (and close or reopen it to match the stage's outcome).
async fn move_edits(app: AppState, doc: DocId, card: &Card, pipeline: &str, to: &Stage, reason: String) -> Option<Vec<Edit>> {
    let d = &card.deal;
    let at = now_ms();
    let by = reminders::me();
    let mut edits = Vec::new();
    let reopen = to.outcome.is_empty() && d.status != deal_status::OPEN;
    if reopen || d.pipeline != pipeline {
        // the summary does not hold the whole deal (line items, owner...): read it to rewrite it
        let view = load_customer(app, doc).await?;
        let mut deal: Deal = view.customer.deals.get(&d.id)?.clone();
        deal.pipeline = pipeline.to_string();
        if reopen {
            deal.status = deal_status::OPEN.to_string();
            deal.lost_reason.clear();
            deal.closed_at = 0;
        }
        edits.push(Edit::PutDeal { id: d.id.clone(), deal });
    }
    edits.push(Edit::MoveDeal { id: d.id.clone(), stage: to.id.clone(), at, by: by.clone() });
    match to.outcome.as_str() {
        "won" if d.status != deal_status::WON => edits.push(Edit::CloseDeal { id: d.id.clone(), won: true, reason: String::new(), at, by }),
        "lost" if d.status != deal_status::LOST => edits.push(Edit::CloseDeal { id: d.id.clone(), won: false, reason, at, by }),
        _ => {}
    }
    Some(edits)
}

#[component]
pub fn PipelinePage() -> impl IntoView {
    let app = use_app();
    let locale = use_locale();
    let t = move || PipelineMsg::of(locale.get());
    let chosen = RwSignal::new(None::<String>);
    // the pipeline shown: the chosen one while it exists, else the first
    let pipeline = Memo::new(move |_| {
        app.settings.with(|s| {
            let sorted = s.pipelines_sorted();
            chosen
                .get()
                .filter(|c| s.pipelines.contains_key(c))
                .or_else(|| sorted.first().map(|(id, _)| (*id).clone()))
                .unwrap_or_default()
        })
    });
    let board = Memo::new(move |_| {
        let p = pipeline.get();
        app.settings.with(|s| app.summaries.with(|all| build_board(s, all, &p)))
    });
    let currency = Memo::new(move |_| app.settings.with(|s| s.currency.clone()));
    let announce = RwSignal::new(String::new());
    let dragged = StoredValue::new(None::<Card>);
    let drop_target = RwSignal::new(None::<String>);
    // a move into a lost column waits here for its reason
    let asking_lost = RwSignal::new(None::<(Card, Stage)>);
    // bumped when a move is abandoned, so the cards' stage selects show the stage again
    let reset = RwSignal::new(0u32);

    let do_move = move |card: Card, to: Stage, reason: String| {
        let Ok(doc) = card.customer.parse::<DocId>() else { return };
        let p = pipeline.get_untracked();
        leptos::task::spawn_local(async move {
            let Some(edits) = move_edits(app, doc, &card, &p, &to, reason).await else {
                reset.update(|n| *n += 1);
                return;
            };
            if edit_customer(app, doc, edits).await.is_some() {
                let l = locale.get_untracked();
                announce.set(fill(PipelineMsg::of(l).moved, &[&card.deal.title, &stage_name(l, &to)]));
                focus_card(card.dom_key());
            } else {
                reset.update(|n| *n += 1);
            }
        });
    };
    // every way of moving ends here: a lost column asks why first
    let request_move = move |card: Card, to: Stage| {
        let cols = board.get_untracked();
        let from = cols.iter().position(|c| c.cards.iter().any(|x| x.dom_key() == card.dom_key()));
        if from.map(|i| cols[i].stage.id == to.id).unwrap_or(false) {
            return;
        }
        if to.outcome == "lost" && card.deal.status != deal_status::LOST {
            asking_lost.set(Some((card, to)));
        } else {
            do_move(card, to, String::new());
        }
    };
    let step = move |card: Card, delta: i64| {
        let cols = board.get_untracked();
        if let Some(i) = cols.iter().position(|c| c.cards.iter().any(|x| x.dom_key() == card.dom_key())) {
            let j = i as i64 + delta;
            if j >= 0 && (j as usize) < cols.len() {
                request_move(card, cols[j as usize].stage.clone());
            }
        }
    };

    let pipeline_options = move || {
        let l = locale.get();
        app.settings.with(|s| s.pipelines_sorted().into_iter().map(|(id, p)| (id.clone(), pipeline_name(l, id, p))).collect::<Vec<_>>())
    };
    let open_summary = move || {
        let l = locale.get();
        let cols = board.get();
        let open: Vec<&Column> = cols.iter().filter(|c| c.stage.outcome.is_empty()).collect();
        let n: usize = open.iter().map(|c| c.cards.len()).sum();
        let mut total = BTreeMap::new();
        let mut weighted = BTreeMap::new();
        for c in &open {
            for (k, v) in &c.total {
                *total.entry(k.clone()).or_insert(0) += v;
            }
            for (k, v) in &c.weighted {
                *weighted.entry(k.clone()).or_insert(0) += v;
            }
        }
        let cur = currency.get();
        fill(t().open_summary, &[&count_text(l, n), &money_sum(l, &total, &cur), &money_sum(l, &weighted, &cur)])
    };
    let empty = move || board.with(|b| b.iter().all(|c| c.cards.is_empty()));
    let column_ids = move || board.with(|b| b.iter().map(|c| c.stage.id.clone()).collect::<Vec<_>>());
    let several_pipelines = move || pipeline_options().len() > 1;

    view! {
        <section class="pipeline">
            <div class="page-head">
                <h1>{move || t().title}</h1>
                <Show when=several_pipelines>
                    <div class="field pipeline-switch">
                        <label for="pipeline-select">{move || t().pipeline}</label>
                        <select
                            id="pipeline-select"
                            prop:value=move || pipeline.get()
                            on:change=move |ev| chosen.set(Some(event_target_value(&ev)))
                        >
                            {move || {
                                let current = pipeline.get();
                                pipeline_options()
                                    .into_iter()
                                    .map(|(id, name)| view! { <option selected={id == current} value=id>{name}</option> })
                                    .collect_view()
                            }}
                        </select>
                    </div>
                </Show>
            </div>
            <p class="visually-hidden announce" role="status" aria-live="polite">{move || announce.get()}</p>
            <p id="card-keys" class="hint">{move || t().card_keys}</p>
            <Show
                when=move || !board.with(|b| b.is_empty())
                fallback=move || view! { <p class="empty">{move || t().no_pipelines}</p> }
            >
                <p class="count board-summary">{open_summary}</p>
                {move || empty().then(|| view! { <p class="empty">{move || t().empty}</p> })}
                <div class="board" role="group" aria-label=move || t().board>
                    <For
                        each=column_ids
                        key=|id| id.clone()
                        let:stage_id
                    >
                        <BoardColumn
                            stage_id=stage_id
                            board=board
                            currency=currency
                            dragged=dragged
                            drop_target=drop_target
                            reset=reset
                            request_move=Callback::new(move |(c, s): (Card, Stage)| request_move(c, s))
                            step=Callback::new(move |(c, d): (Card, i64)| step(c, d))
                        />
                    </For>
                </div>
            </Show>
            <NewDeal pipeline=pipeline announce=announce/>
            {move || asking_lost.get().map(|(card, to)| view! {
                <LostDialog
                    card=card
                    on_done=Callback::new(move |(card, reason): (Card, Option<String>)| {
                        asking_lost.set(None);
                        match reason {
                            Some(r) => do_move(card, to.clone(), r),
                            None => {
                                reset.update(|n| *n += 1);
                                focus_card(card.dom_key());
                            }
                        }
                    })
                />
            })}
        </section>
    }
}

#[component]
fn BoardColumn(
    stage_id: String,
    board: Memo<Vec<Column>>,
    currency: Memo<String>,
    dragged: StoredValue<Option<Card>>,
    drop_target: RwSignal<Option<String>>,
    reset: RwSignal<u32>,
    request_move: Callback<(Card, Stage)>,
    step: Callback<(Card, i64)>,
) -> impl IntoView {
    let locale = use_locale();
    let t = move || PipelineMsg::of(locale.get());
    let sid = stage_id.clone();
    let column = Memo::new(move |_| board.with(|b| b.iter().find(|c| c.stage.id == sid).cloned()));
    let heading_id = format!("col-{stage_id}");
    let stage = move || column.with(|c| c.as_ref().map(|c| c.stage.clone()).unwrap_or_default());
    let name = move || stage_name(locale.get(), &stage());
    let count = move || count_text(locale.get(), column.with(|c| c.as_ref().map(|c| c.cards.len()).unwrap_or(0)));
    let total = move || {
        let l = locale.get();
        column.with(|c| c.as_ref().map(|c| money_sum(l, &c.total, &currency.get())).unwrap_or_default())
    };
    let weighted = move || {
        let l = locale.get();
        column.with(|c| c.as_ref().map(|c| fill(PipelineMsg::of(l).weighted, &[&money_sum(l, &c.weighted, &currency.get())])).unwrap_or_default())
    };
    let sid = stage_id.clone();
    let is_target = move || drop_target.with(|d| d.as_deref() == Some(sid.as_str()));
    let sid = stage_id.clone();
    let on_dragover = move |ev: web_sys::DragEvent| {
        if dragged.with_value(|d| d.is_some()) {
            ev.prevent_default(); // allows the drop
            if let Some(dt) = ev.data_transfer() {
                dt.set_drop_effect("move");
            }
            if drop_target.with_untracked(|d| d.as_deref() != Some(sid.as_str())) {
                drop_target.set(Some(sid.clone()));
            }
        }
    };
    let on_drop = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        drop_target.set(None);
        if let Some(card) = dragged.get_value() {
            dragged.set_value(None);
            request_move.run((card, stage()));
        }
    };
    let cards = move || column.with(|c| c.as_ref().map(|c| c.cards.iter().take(MAX_CARDS).cloned().collect::<Vec<_>>()).unwrap_or_default());
    let hidden = move || column.with(|c| c.as_ref().map(|c| c.cards.len().saturating_sub(MAX_CARDS)).unwrap_or(0));
    view! {
        <section
            class="column"
            class:drop-target=is_target
            class:closing=move || !stage().outcome.is_empty()
            data-outcome=move || stage().outcome
            aria-labelledby=heading_id.clone()
            on:dragover=on_dragover
            on:dragleave=move |_| drop_target.set(None)
            on:drop=on_drop
        >
            <header class="column-head">
                <h2 id=heading_id.clone()>{name}</h2>
                <p class="sum">{count}" · "{total}</p>
                {move || stage().outcome.is_empty().then(|| view! { <p class="weighted">{weighted}</p> })}
            </header>
            <ul class="cards">
                <For
                    each=cards
                    key=|c| c.render_key()
                    let:card
                >
                    <li>
                        <DealCard card=card board=board dragged=dragged drop_target=drop_target reset=reset request_move=request_move step=step/>
                    </li>
                </For>
            </ul>
            {move || (column.with(|c| c.as_ref().map(|c| c.cards.is_empty()).unwrap_or(true)))
                .then(|| view! { <p class="column-empty">{move || t().column_empty}</p> })}
            {move || (hidden() > 0).then(|| view! { <p class="hint">{move || fill(t().more, &[&hidden()])}</p> })}
        </section>
    }
}

#[component]
fn DealCard(
    card: Card,
    board: Memo<Vec<Column>>,
    dragged: StoredValue<Option<Card>>,
    drop_target: RwSignal<Option<String>>,
    reset: RwSignal<u32>,
    request_move: Callback<(Card, Stage)>,
    step: Callback<(Card, i64)>,
) -> impl IntoView {
    let locale = use_locale();
    let t = move || PipelineMsg::of(locale.get());
    let key = card.dom_key();
    let stages = move || board.with(|b| b.iter().map(|c| c.stage.clone()).collect::<Vec<_>>());
    let c = card.clone();
    let current = move || {
        reset.track();
        board.with(|b| b.iter().find(|col| col.cards.iter().any(|x| x.dom_key() == c.dom_key())).map(|col| col.stage.id.clone()).unwrap_or_default())
    };
    let c = card.clone();
    let current_untracked = move || {
        board.with_untracked(|b| b.iter().find(|col| col.cards.iter().any(|x| x.dom_key() == c.dom_key())).map(|col| col.stage.id.clone()).unwrap_or_default())
    };
    let c = card.clone();
    let on_dragstart = move |ev: web_sys::DragEvent| {
        if let Some(dt) = ev.data_transfer() {
            let _ = dt.set_data("text/plain", &c.deal.title);
            dt.set_effect_allowed("move");
        }
        dragged.set_value(Some(c.clone()));
    };
    let c = card.clone();
    let on_keydown = move |ev: web_sys::KeyboardEvent| {
        if !ev.alt_key() || ev.ctrl_key() || ev.meta_key() {
            return;
        }
        let delta = match ev.key().as_str() {
            "ArrowLeft" => -1,
            "ArrowRight" => 1,
            _ => return,
        };
        ev.prevent_default();
        step.run((c.clone(), delta));
    };
    let c = card.clone();
    let on_select = move |ev: leptos::ev::Event| {
        let id = event_target_value(&ev);
        if let Some(s) = stages().into_iter().find(|s| s.id == id) {
            request_move.run((c.clone(), s));
        }
    };
    let d = card.deal.clone();
    let title = d.title.clone();
    let label_title = title.clone();
    let select_id = format!("stage-{}", key.replace(':', "-"));
    let status = d.status.clone();
    view! {
        <article
            class="deal-card"
            data-card=key
            tabindex="0"
            draggable="true"
            aria-label=title.clone()
            aria-describedby="card-keys"
            on:dragstart=on_dragstart
            on:dragend=move |_| {
                dragged.set_value(None);
                drop_target.set(None);
            }
            on:keydown=on_keydown
        >
            <h3 class="deal-title">{title.clone()}</h3>
            <a class="deal-customer" href=format!("/customers/{}", card.customer)>
                {move || if card.customer_name.is_empty() { Common::of(locale.get()).unnamed.to_string() } else { card.customer_name.clone() }}
            </a>
            <p class="deal-amount">
                {move || format::money(locale.get(), d.amount, &d.currency)}
                {(!d.expected_close.is_empty()).then(|| {
                    let close = d.expected_close.clone();
                    view! { <span class="deal-close">" · "{move || format::day(locale.get(), &close)}</span> }
                })}
                {match status.as_str() {
                    deal_status::WON => Some(view! { <span class="badge won">{move || t().status_won}</span> }.into_any()),
                    deal_status::LOST => Some(view! { <span class="badge lost">{move || t().status_lost}</span> }.into_any()),
                    _ => None,
                }}
            </p>
            <label class="visually-hidden" for=select_id.clone()>{move || fill(t().stage_of, &[&label_title])}</label>
            <select id=select_id class="move-to" prop:value=current on:change=on_select>
                {move || {
                    let l = locale.get();
                    let now_in = current_untracked();
                    // `selected` too: the select's value is set before its options exist
                    stages().into_iter().map(|s| view! { <option selected={s.id == now_in} value=s.id.clone()>{stage_name(l, &s)}</option> }).collect_view()
                }}
            </select>
        </article>
    }
}

/// Asks why a deal was lost before it moves into a lost column; Esc or "Cancel" keeps it where
/// it was.
#[component]
fn LostDialog(card: Card, on_done: Callback<(Card, Option<String>)>) -> impl IntoView {
    let locale = use_locale();
    let t = move || PipelineMsg::of(locale.get());
    let c = move || Common::of(locale.get());
    let reason = RwSignal::new(String::new());
    let input = NodeRef::<leptos::html::Input>::new();
    let cancel = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if let Some(el) = input.get() {
            let _ = el.focus();
        }
    });
    let title = card.deal.title.clone();
    let (c1, c2, c3) = (card.clone(), card.clone(), card);
    view! {
        <div class="dialog-backdrop">
            <div
                class="dialog"
                role="dialog"
                aria-modal="true"
                aria-labelledby="lost-title"
                on:keydown=move |ev: web_sys::KeyboardEvent| {
                    if ev.key() == "Escape" {
                        ev.prevent_default();
                        on_done.run((c1.clone(), None));
                    } else if ev.key() == "Tab" {
                        // keep Tab inside: the board behind is covered (first: the reason, last: Cancel)
                        let (Some(first), Some(last)) = (input.get_untracked(), cancel.get_untracked()) else { return };
                        let active = web_sys::window().and_then(|w| w.document()).and_then(|d| d.active_element());
                        if ev.shift_key() && active.as_ref() == Some(first.as_ref()) {
                            ev.prevent_default();
                            let _ = last.focus();
                        } else if !ev.shift_key() && active.as_ref() == Some(last.as_ref()) {
                            ev.prevent_default();
                            let _ = first.focus();
                        }
                    }
                }
            >
                <form on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    on_done.run((c2.clone(), Some(reason.get_untracked().trim().to_string())));
                }>
                    <h2 id="lost-title">{move || fill(t().lost_dialog, &[&title])}</h2>
                    <div class="field">
                        <label for="lost-reason">{move || t().lost_reason}</label>
                        <input
                            id="lost-reason"
                            type="text"
                            node_ref=input
                            prop:value=move || reason.get()
                            on:input=move |ev| reason.set(event_target_value(&ev))
                        />
                    </div>
                    <div class="row actions">
                        <button type="submit" class="primary">{move || t().mark_lost}</button>
                        <button type="button" node_ref=cancel on:click=move |_| on_done.run((c3.clone(), None))>{move || c().cancel}</button>
                    </div>
                </form>
            </div>
        </div>
    }
}

/// The customer whose name was picked: an exact name first, then one differing only in case.
pub fn find_customer<'a>(all: &'a [Summary], name: &str) -> Option<&'a Summary> {
    let name = name.trim();
    if name.is_empty() {
        return None;
    }
    let live = || all.iter().filter(|s| !s.is_deleted());
    live().find(|s| s.name == name).or_else(|| {
        let lower = name.to_lowercase();
        live().find(|s| s.name.to_lowercase() == lower)
    })
}

/// A text box that suggests customers by name as one types (a `datalist`, so it stays a
/// plain, keyboard-friendly input); resolve the typed name with [`find_customer`].
#[component]
pub fn CustomerPicker(
    #[prop(into)] id: String,
    #[prop(into)] label: Signal<String>,
    #[prop(into)] placeholder: Signal<String>,
    value: RwSignal<String>,
) -> impl IntoView {
    let app = use_app();
    let list_id = format!("{id}-options");
    let suggestions = Memo::new(move |_| {
        let q = Query::new(&value.get());
        app.summaries.with(|all| {
            let mut v: Vec<(String, String)> = all
                .iter()
                .filter(|s| !s.is_deleted() && !s.name.is_empty() && q.matches(s))
                .take(MAX_SUGGESTIONS)
                .map(|s| (s.name.clone(), [s.email.as_str(), s.city.as_str()].iter().filter(|x| !x.is_empty()).cloned().collect::<Vec<_>>().join(" · ")))
                .collect();
            v.sort();
            v.dedup_by(|a, b| a.0 == b.0);
            v
        })
    });
    view! {
        <div class="field">
            <label for=id.clone()>{move || label.get()}</label>
            <input
                id=id
                type="text"
                list=list_id.clone()
                autocomplete="off"
                placeholder=move || placeholder.get()
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
            <datalist id=list_id>
                {move || suggestions.get().into_iter().map(|(name, hint)| view! { <option value=name>{hint}</option> }).collect_view()}
            </datalist>
        </div>
    }
}

/// "New deal": a deal for any customer, straight onto the board.
#[component]
fn NewDeal(pipeline: Memo<String>, announce: RwSignal<String>) -> impl IntoView {
    let app = use_app();
    let locale = use_locale();
    let t = move || PipelineMsg::of(locale.get());
    let open = RwSignal::new(false);
    let customer = RwSignal::new(String::new());
    let title = RwSignal::new(String::new());
    let amount = RwSignal::new(String::new());
    let stage = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<&'static str>);
    let open_stages = move || {
        let p = pipeline.get();
        app.settings.with(|s| board_stages(s, &p)).into_iter().filter(|s| s.outcome.is_empty()).collect::<Vec<_>>()
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let l = locale.get_untracked();
        let tt = PipelineMsg::of(l);
        let Some((doc, _)) = app.summaries.with_untracked(|all| find_customer(all, &customer.get_untracked()).map(|s| (s.id.clone(), s.name.clone())))
        else {
            problem.set(Some(tt.no_such_customer));
            return;
        };
        let Ok(doc) = doc.parse::<DocId>() else { return };
        let name = title.get_untracked().trim().to_string();
        if name.is_empty() {
            return;
        }
        let minor = amount.get_untracked().trim().replace(',', "").parse::<f64>().map(|a| (a * 100.0).round() as i64).unwrap_or(0).max(0);
        let stages = open_stages();
        let Some(to) = stages.iter().find(|s| s.id == stage.get_untracked()).or(stages.first()).cloned() else { return };
        let deal = Deal {
            title: name.clone(),
            pipeline: pipeline.get_untracked(),
            stage: to.id.clone(),
            amount: minor,
            currency: app.settings.with_untracked(|s| s.currency.clone()),
            status: deal_status::OPEN.to_string(),
            owner: reminders::me(),
            created_at: now_ms(),
            ..Default::default()
        };
        problem.set(None);
        leptos::task::spawn_local(async move {
            let id = new_id();
            if edit_customer(app, doc, vec![Edit::PutDeal { id: id.clone(), deal }]).await.is_some() {
                announce.set(fill(tt.added, &[&name, &stage_name(l, &to)]));
                title.set(String::new());
                amount.set(String::new());
            }
        });
    };
    view! {
        <div class="new-deal">
            <button type="button" class="primary" aria-expanded=move || open.get().to_string() on:click=move |_| open.update(|o| *o = !*o)>
                {move || t().new_deal}
            </button>
            <Show when=move || open.get()>
                <form class="new-deal-form" on:submit=submit>
                    <CustomerPicker id="deal-customer" label=Signal::derive(move || t().customer.to_string()) placeholder=Signal::derive(move || t().customer_placeholder.to_string()) value=customer/>
                    <div class="field">
                        <label for="deal-title">{move || t().deal_title}</label>
                        <input id="deal-title" type="text" required prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev))/>
                    </div>
                    <div class="field">
                        <label for="deal-amount">{move || t().amount}</label>
                        <input id="deal-amount" type="number" min="0" step="0.01" inputmode="decimal" prop:value=move || amount.get() on:input=move |ev| amount.set(event_target_value(&ev))/>
                    </div>
                    <div class="field">
                        <label for="deal-stage">{move || t().stage}</label>
                        <select id="deal-stage" prop:value=move || stage.get() on:change=move |ev| stage.set(event_target_value(&ev))>
                            {move || {
                                let l = locale.get();
                                let chosen = stage.get_untracked();
                                open_stages().into_iter().map(|s| view! { <option selected={s.id == chosen} value=s.id.clone()>{stage_name(l, &s)}</option> }).collect_view()
                            }}
                        </select>
                    </div>
                    {move || problem.get().map(|p| view! { <p class="error" role="alert">{p}</p> })}
                    <button type="submit" class="primary">{move || t().add_deal}</button>
                </form>
            </Show>
        </div>
    }
}
