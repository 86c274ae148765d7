//! The customer list: search as you type, filters on any field, sortable columns, saved views
//! shared with the team, and a virtualised list that stays smooth at 100k customers (only
//! the rows in view are in the DOM).

use crate::i18n::{common::Common, customers::CustomersMsg, fill, format, use_locale, Locale};
use crate::state::{create_customer, edit_settings, use_app};
use crm_core::views::{self, Filter, FilterField, Op, Sort, SortColumn, ViewSpec};
use crm_core::search::{Hit, SearchField, SearchResult};
use crm_core::workspace::SavedView;
use crm_core::Summary;
use leptos::html;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

/// Height of one row in px (kept in step with `.customer-list li` in style/app.css).
const ROW_H: f64 = 60.0;
/// Rows drawn above and below the visible ones, so fast scrolling never shows a gap.
const OVERSCAN: usize = 8;

/// The list's current view (query, filters, sort) and which saved view it came from. Lives
/// at the app root so the command palette can switch views and it survives navigation.
#[derive(Clone, Copy)]
pub struct ListView {
    pub spec: RwSignal<ViewSpec>,
    pub saved: RwSignal<Option<String>>,
}

impl ListView {
    pub fn new() -> Self {
        Self { spec: RwSignal::new(ViewSpec::default()), saved: RwSignal::new(None) }
    }
    /// Switches to a saved view (or back to all customers with `None`).
    pub fn open(&self, id: Option<String>, saved: Option<&SavedView>) {
        let spec = saved.and_then(|v| ViewSpec::from_json(&v.spec).ok()).unwrap_or_default();
        self.spec.set(spec);
        self.saved.set(id);
    }
}

impl Default for ListView {
    fn default() -> Self {
        Self::new()
    }
}

pub fn use_list_view() -> ListView {
    expect_context::<ListView>()
}

/// How many ranked hits a search keeps when no filter is set (the count still says how many
/// matched in all, and a line says only the best are listed); with filters every hit is kept,
/// so filtering never hides a match. Each kept hit costs work on every keystroke.
const SEARCH_LIMIT: usize = 300;

/// One row of the list: the summary's index, and what the search matched in it.
#[derive(Clone, PartialEq)]
pub struct Row {
    pub idx: usize,
    pub hit: Option<Hit>,
}

fn field_label(t: &CustomersMsg, f: &FilterField) -> String {
    match f {
        FilterField::Kind => t.f_kind.into(),
        FilterField::Owner => t.f_owner.into(),
        FilterField::Tag => t.f_tag.into(),
        FilterField::Province => t.f_province.into(),
        FilterField::City => t.f_city.into(),
        FilterField::Industry => t.f_industry.into(),
        FilterField::Source => t.f_source.into(),
        FilterField::Lifecycle => t.f_lifecycle.into(),
        FilterField::Stage => t.f_stage.into(),
        FilterField::LastInteraction => t.f_last_interaction.into(),
        FilterField::Created => t.f_created.into(),
        FilterField::Revenue => t.f_revenue.into(),
        FilterField::OpenTickets => t.f_open_tickets.into(),
        FilterField::Custom(k) => k.clone(),
        FilterField::ReferredBy => t.f_referred_by.into(),
        FilterField::Size => t.f_size.into(),
        FilterField::RfmSegment => t.f_rfm_segment.into(),
        FilterField::RfmCell => t.f_rfm_cell.into(),
        FilterField::ValueTier => t.f_value_tier.into(),
        FilterField::LifecycleStage => t.f_lifecycle_stage.into(),
        FilterField::StageBefore => t.f_stage_before.into(),
        FilterField::ChurnRisk => t.f_churn_risk.into(),
        FilterField::Clv => t.f_clv.into(),
        FilterField::LoyaltyTier => t.f_loyalty_tier.into(),
    }
}

const BUILTIN_FIELDS: [(&str, FilterField); 23] = [
    ("kind", FilterField::Kind),
    ("owner", FilterField::Owner),
    ("tag", FilterField::Tag),
    ("province", FilterField::Province),
    ("city", FilterField::City),
    ("industry", FilterField::Industry),
    ("source", FilterField::Source),
    ("lifecycle", FilterField::Lifecycle),
    ("stage", FilterField::Stage),
    ("last_interaction", FilterField::LastInteraction),
    ("created", FilterField::Created),
    ("revenue", FilterField::Revenue),
    ("open_tickets", FilterField::OpenTickets),
    ("size", FilterField::Size),
    ("referred_by", FilterField::ReferredBy),
    ("rfm_segment", FilterField::RfmSegment),
    ("rfm_cell", FilterField::RfmCell),
    ("value_tier", FilterField::ValueTier),
    ("lifecycle_stage", FilterField::LifecycleStage),
    ("stage_before", FilterField::StageBefore),
    ("churn_risk", FilterField::ChurnRisk),
    ("clv", FilterField::Clv),
    ("loyalty_tier", FilterField::LoyaltyTier),
];

fn field_key(f: &FilterField) -> String {
    match f {
        FilterField::Custom(k) => format!("custom:{k}"),
        other => BUILTIN_FIELDS.iter().find(|(_, x)| x == other).map(|(k, _)| k.to_string()).unwrap_or_default(),
    }
}

fn field_from_key(k: &str) -> FilterField {
    match k.strip_prefix("custom:") {
        Some(c) => FilterField::Custom(c.to_string()),
        None => BUILTIN_FIELDS.iter().find(|(x, _)| *x == k).map(|(_, f)| f.clone()).unwrap_or(FilterField::Owner),
    }
}

const OPS: [(&str, Op); 7] = [
    ("is", Op::Is),
    ("is_not", Op::IsNot),
    ("contains", Op::Contains),
    ("before", Op::Before),
    ("after", Op::After),
    ("is_empty", Op::IsEmpty),
    ("is_not_empty", Op::IsNotEmpty),
];

fn op_label(t: &CustomersMsg, op: Op) -> &'static str {
    match op {
        Op::Is => t.op_is,
        Op::IsNot => t.op_is_not,
        Op::Contains => t.op_contains,
        Op::Before => t.op_before,
        Op::After => t.op_after,
        Op::IsEmpty => t.op_is_empty,
        Op::IsNotEmpty => t.op_is_not_empty,
    }
}

fn input_type(f: &FilterField) -> &'static str {
    match f {
        FilterField::LastInteraction | FilterField::Created => "date",
        FilterField::Revenue | FilterField::OpenTickets | FilterField::ChurnRisk | FilterField::Clv => "number",
        _ => "text",
    }
}

#[component]
pub fn CustomerList() -> impl IntoView {
    let app = use_app();
    let locale = use_locale();
    let t = move || CustomersMsg::of(locale.get());
    let list = use_list_view();
    let spec = list.spec;
    let navigate = use_navigate();

    // name order: recomputed only when the data changes
    let ranks = Memo::new(move |_| app.summaries.with(|all| views::name_ranks(all)));
    // filters + sort: recomputed when the data or the view changes, not per keystroke
    // (filters that read analytics figures use the latest report, and ask for one)
    let filtered = Memo::new(move |_| {
        let (filters, sort) = spec.with(|s| (s.filters.clone(), s.sort.clone()));
        let probe = ViewSpec { filters, sort, query: String::new() };
        if probe.needs_scores() {
            let report = app.analytics.with(|a| a.report.clone());
            let scores = report.as_ref().map(|r| &r.scores[..]).unwrap_or(&[]);
            return app.summaries.with(|all| ranks.with(|r| views::apply_scored(&probe, all, r, scores)));
        }
        app.summaries.with(|all| ranks.with(|r| views::apply(&probe, all, r)))
    });
    Effect::new(move |_| {
        if spec.with(|s| s.needs_scores()) {
            crate::platform::analytics::want(app);
        }
    });
    let figures_coming = Memo::new(move |_| {
        spec.with(|s| s.needs_scores()) && app.analytics.with(|a| a.report.is_none())
    });
    // a link from the Analytics page: /?filters=<JSON> opens the customers behind a number
    let query_map = leptos_router::hooks::use_query_map();
    Effect::new(move |_| {
        let json = query_map.with(|q| q.get("filters"));
        if let Some(filters) = json.and_then(|j| serde_json::from_str::<Vec<Filter>>(&j).ok()) {
            list.saved.set(None);
            spec.set(ViewSpec { filters, ..Default::default() });
        }
    });
    let query = Memo::new(move |_| spec.with(|s| s.query.clone()));
    let has_filters = Memo::new(move |_| spec.with(|s| !s.filters.is_empty()));
    // the rows the filters admit, as a set for search hits: built when the data or the
    // filters change, not on every keystroke (None = no filter, everyone is admitted)
    let admitted = Memo::new(move |_| {
        has_filters.get().then(|| filtered.with(|f| f.iter().copied().collect::<std::collections::HashSet<usize>>()))
    });
    // the previous search, so typing on only looks at its matches
    let last = StoredValue::new_local(None::<SearchResult>);
    // (rows in order, how many matched in all)
    let matches = Memo::new(move |_| {
        let q = query.get();
        app.index_gen.track();
        if q.trim().is_empty() {
            return filtered.with(|f| (f.iter().map(|&idx| Row { idx, hit: None }).collect::<Vec<_>>(), f.len()));
        }
        let limit = if has_filters.get() { usize::MAX } else { SEARCH_LIMIT };
        let result = app.index.with_value(|ix| match last.get_value() {
            Some(prev) => ix.search_after(&prev, &q, limit),
            None => ix.search(&q, limit),
        });
        let rows = app.positions.with_value(|pos| {
            admitted.with(|admitted| {
                result
                    .hits
                    .iter()
                    .filter_map(|h| pos.get(&h.id).copied().map(|idx| (idx, h)))
                    .filter(|(idx, _)| admitted.as_ref().is_none_or(|a| a.contains(idx)))
                    .map(|(idx, h)| Row { idx, hit: Some(h.clone()) })
                    .collect::<Vec<_>>()
            })
        });
        let total = if has_filters.get_untracked() { rows.len() } else { result.total };
        last.set_value(Some(result));
        (rows, total)
    });
    let total = Memo::new(move |_| app.summaries.with(|s| s.iter().filter(|s| !s.is_deleted()).count()));

    let new_customer = move |_| {
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            if let Some(id) = create_customer(app).await {
                navigate(&format!("/customers/{id}"), Default::default());
            }
        });
    };

    view! {
        <section class="customers">
            <div class="page-head">
                <h1>{move || t().title}</h1>
                <button type="button" class="primary" on:click=new_customer>{move || t().new_customer}</button>
            </div>
            <ViewBar rows=matches/>
            <div class="field search">
                <label for="customer-search">{move || t().search_label}</label>
                <input
                    id="customer-search"
                    type="search"
                    autocomplete="off"
                    placeholder=move || t().search_placeholder
                    on:input=move |ev| spec.update(|s| s.query = event_target_value(&ev))
                    prop:value=move || query.get()
                />
            </div>
            <FilterBar/>
            // data-query: the query whose results are on screen (the bench waits for it)
            <p class="count" aria-live="polite" data-query=move || query.get()>
                {move || {
                    let n = matches.with(|m| m.1);
                    let all = total.get();
                    // any search or filter says how many of all match, even when all do
                    let narrowed = spec.with(|s| !s.query.trim().is_empty() || !s.filters.is_empty());
                    if !narrowed { fill(t().count_all, &[&format::number(locale.get(), all as f64)]) } else {
                        fill(t().count_match, &[&format::number(locale.get(), n as f64), &format::number(locale.get(), all as f64)])
                    }
                }}
            </p>
            <SortHeader/>
            <VirtualList matches=matches/>
            {move || {
                let (shown, total) = matches.with(|m| (m.0.len(), m.1));
                (shown < total).then(|| view! {
                    <p class="count">{fill(t().best_only, &[&format::number(locale.get(), shown as f64)])}</p>
                })
            }}
            {move || (total.get() == 0).then(|| view! { <p class="empty">{move || t().empty}</p> })}
            {move || figures_coming.get().then(|| view! { <p class="empty" role="status">{move || t().figures_coming}</p> })}
            {move || (total.get() > 0 && !figures_coming.get() && matches.with(|m| m.0.is_empty())).then(|| view! { <p class="empty">{move || t().no_match}</p> })}
        </section>
    }
}

/// Column headers that sort the list (click again to reverse).
#[component]
fn SortHeader() -> impl IntoView {
    let locale = use_locale();
    let t = move || CustomersMsg::of(locale.get());
    let spec = use_list_view().spec;
    let column = move |col: SortColumn, label: fn(&CustomersMsg) -> &'static str, class: &'static str| {
        let c2 = col.clone();
        let c3 = col.clone();
        view! {
            <span role="columnheader" class=class aria-sort=move || spec.with(|s| {
                if s.sort.column != c3 { "none" } else if s.sort.desc { "descending" } else { "ascending" }
            })>
                <button
                    type="button"
                    aria-label=move || fill(t().sort_by, &[&label(t())])
                    on:click=move |_| spec.update(|s| {
                        if s.sort.column == c2 { s.sort.desc = !s.sort.desc } else { s.sort = Sort { column: c2.clone(), desc: false } }
                    })
                >
                    {move || label(t())}
                    {let c = col.clone(); move || spec.with(|s| if s.sort.column != c { "" } else if s.sort.desc { " ↓" } else { " ↑" })}
                </button>
            </span>
        }
    };
    view! {
        <div class="list-header" role="row">
            {column(SortColumn::Name, |t| t.col_name, "c-name")}
            {column(SortColumn::Owner, |t| t.col_owner, "c-owner")}
            {column(SortColumn::City, |t| t.col_city, "c-city")}
            {column(SortColumn::OpenDeals, |t| t.col_open_deals, "c-deals")}
            {column(SortColumn::LastInteraction, |t| t.col_last_interaction, "c-last")}
            {column(SortColumn::Revenue, |t| t.col_revenue, "c-revenue")}
        </div>
    }
}

/// Only the rows in view are drawn; the list's full height is kept by its own size.
#[component]
fn VirtualList(matches: Memo<(Vec<Row>, usize)>) -> impl IntoView {
    let app = use_app();
    let locale = use_locale();
    let t = move || CustomersMsg::of(locale.get());
    let tc = move || Common::of(locale.get());
    let viewport = NodeRef::<html::Div>::new();
    let scroll_top = RwSignal::new(0.0f64);
    let height = RwSignal::new(720.0f64);
    let focus_pos = RwSignal::new(None::<usize>);

    // a new search or filter starts at the top; already there (typing a query), nothing is
    // touched: setting scrollTop forces a layout of the rows just drawn, on every keystroke
    Effect::new(move |_| {
        matches.track();
        if scroll_top.get_untracked() != 0.0 {
            if let Some(el) = viewport.get_untracked() {
                el.set_scroll_top(0);
            }
            scroll_top.set(0.0);
        }
    });
    let window = Memo::new(move |_| {
        let n = matches.with(|(r, _)| r.len());
        let first = (scroll_top.get() / ROW_H) as usize;
        let visible = (height.get() / ROW_H).ceil() as usize + 1;
        let start = first.saturating_sub(OVERSCAN).min(n);
        let end = (first + visible + OVERSCAN).min(n);
        (start, end)
    });
    let drawn = Memo::new(move |_| {
        let (start, end) = window.get();
        app.summaries.with(|all| {
            matches.with(|(r, _)| {
                r[start..end]
                    .iter()
                    .enumerate()
                    .filter_map(|(k, row)| all.get(row.idx).map(|s| (start + k, s.clone(), row.hit.clone())))
                    .collect::<Vec<_>>()
            })
        })
    });
    let on_scroll = move |_| {
        if let Some(el) = viewport.get_untracked() {
            scroll_top.set(el.scroll_top() as f64);
            height.set(el.client_height() as f64);
        }
    };
    // arrow keys move between rows, scrolling the list as they go
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let n = matches.with_untracked(|(r, _)| r.len());
        if n == 0 {
            return;
        }
        let cur = focus_pos.get_untracked().unwrap_or(0);
        let next = match ev.key().as_str() {
            "ArrowDown" => (cur + 1).min(n - 1),
            "ArrowUp" => cur.saturating_sub(1),
            "PageDown" => (cur + 10).min(n - 1),
            "PageUp" => cur.saturating_sub(10),
            "Home" if ev.ctrl_key() => 0,
            "End" if ev.ctrl_key() => n - 1,
            _ => return,
        };
        ev.prevent_default();
        if let Some(el) = viewport.get_untracked() {
            let top = next as f64 * ROW_H;
            let h = el.client_height() as f64;
            let st = el.scroll_top() as f64;
            if top < st {
                el.set_scroll_top(top as i32);
            } else if top + ROW_H > st + h {
                el.set_scroll_top((top + ROW_H - h) as i32);
            }
            scroll_top.set(el.scroll_top() as f64);
        }
        focus_pos.set(Some(next));
        // focus once the row is drawn
        leptos::task::spawn_local(async move {
            gloo_timers::future::TimeoutFuture::new(0).await;
            if let Some(el) = viewport.get_untracked() {
                if let Ok(Some(a)) = el.query_selector(&format!("a[data-pos=\"{next}\"]")) {
                    if let Ok(a) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(a) {
                        let _ = a.focus();
                    }
                }
            }
        });
    };

    view! {
        <div class="list-viewport" node_ref=viewport on:scroll=on_scroll on:keydown=on_key>
            <ul
                role="list"
                aria-label=move || t().list
                class="customer-list"
                style:height=move || format!("{}px", matches.with(|(r, _)| r.len()) as f64 * ROW_H)
            >
                <For
                    each=move || drawn.get()
                    key=|(pos, s, hit)| (*pos, s.id.clone(), s.name.clone(), s.owner.clone(), s.email.clone(), s.phone.clone(), s.city.clone(), s.open_deal_value, s.last_interaction, s.revenue, s.conflicts, hit.as_ref().map(|h| h.ranges.clone()))
                    let:item
                >
                    {
                        let (pos, s, hit) = item;
                        let l = locale.get_untracked();
                        let total = matches.with_untracked(|(r, _)| r.len());
                        row(l, pos, total, &s, hit.as_ref(), tc().unnamed, tc().conflict_badge)
                    }
                </For>
            </ul>
        </div>
    }
}

/// `text` with the byte `ranges` wrapped in <mark>.
pub fn highlighted(text: &str, ranges: &[(usize, usize)]) -> AnyView {
    let mut parts = Vec::new();
    let mut at = 0;
    for &(a, b) in ranges {
        if a < at || b > text.len() || !text.is_char_boundary(a) || !text.is_char_boundary(b) {
            continue;
        }
        if a > at {
            parts.push(text[at..a].to_string().into_any());
        }
        parts.push(view! { <mark>{text[a..b].to_string()}</mark> }.into_any());
        at = b;
    }
    parts.push(text[at..].to_string().into_any());
    parts.into_any()
}

fn row(
    l: Locale,
    pos: usize,
    total: usize,
    s: &Summary,
    hit: Option<&Hit>,
    unnamed: &'static str,
    conflict: &'static str,
) -> impl IntoView {
    let plain_meta = [s.email.clone(), s.phone.clone()].into_iter().filter(|x| !x.is_empty()).collect::<Vec<_>>().join(" · ");
    let name = if s.name.is_empty() { unnamed.to_string() } else { s.name.clone() };
    let (name_view, meta) = match hit {
        Some(h) if h.field == SearchField::Name && h.text == s.name => (highlighted(&s.name, &h.ranges), plain_meta.into_any()),
        Some(h) => (name.into_any(), highlighted(&h.text, &h.ranges)),
        None => (name.into_any(), plain_meta.into_any()),
    };
    let currency = s.deals.first().map(|d| d.currency.clone()).unwrap_or_default();
    view! {
        <li
            style:transform=format!("translateY({}px)", pos as f64 * ROW_H)
            aria-posinset=(pos + 1).to_string()
            aria-setsize=total.to_string()
        >
            <a href=format!("/customers/{}", s.id) data-pos=pos.to_string()>
                <span class="c-name">
                    <span class="name">{name_view}</span>
                    <span class="meta">{meta}</span>
                </span>
                <span class="c-owner">{s.owner.clone()}</span>
                <span class="c-city">{s.city.clone()}</span>
                <span class="c-deals">{(s.open_deal_value != 0).then(|| format::money(l, s.open_deal_value, &currency))}</span>
                <span class="c-last">{format::date(l, s.last_interaction)}</span>
                <span class="c-revenue">{(s.revenue != 0).then(|| format::money(l, s.revenue, ""))}</span>
                {(s.conflicts > 0).then(|| view! { <span class="badge">{conflict}</span> })}
            </a>
        </li>
    }
}

/// Filters on any field; each row is field, condition, value.
#[component]
fn FilterBar() -> impl IntoView {
    let app = use_app();
    let locale = use_locale();
    let t = move || CustomersMsg::of(locale.get());
    let spec = use_list_view().spec;
    let count = move || spec.with(|s| s.filters.len());
    let add = move |_| {
        spec.update(|s| s.filters.push(Filter { field: FilterField::Owner, op: Op::Is, value: String::new() }))
    };
    let field_options = move || {
        let t = t();
        let mut opts: Vec<(String, String)> =
            BUILTIN_FIELDS.iter().map(|(k, f)| (k.to_string(), field_label(t, f))).collect();
        app.settings.with(|s| {
            let mut defs: Vec<_> = s.custom_fields.iter().collect();
            defs.sort_by_key(|(k, d)| (d.order, (*k).clone()));
            for (k, d) in defs {
                opts.push((format!("custom:{k}"), if d.label.is_empty() { k.clone() } else { d.label.clone() }));
            }
        });
        opts
    };
    view! {
        <details class="filters" open={move || count() > 0}>
            <summary>{move || t().filters} {move || (count() > 0).then(|| format!(" ({})", count()))}</summary>
            <ol class="filter-rows">
                <For each={move || (0..count()).collect::<Vec<_>>()} key=|i| *i let:i>
                    {
                        let get = move || spec.with(|s| s.filters.get(i).cloned());
                        let set = move |f: Box<dyn FnOnce(&mut Filter)>| spec.update(|s| if let Some(x) = s.filters.get_mut(i) { f(x) });
                        view! {
                            <li class="filter-row row">
                                <label class="visually-hidden" for=format!("flt-field-{i}")>{move || t().filter_field}</label>
                                <select
                                    id=format!("flt-field-{i}")
                                    on:change=move |ev| { let k = event_target_value(&ev); set(Box::new(move |f| f.field = field_from_key(&k))) }
                                    prop:value=move || get().map(|f| field_key(&f.field)).unwrap_or_default()
                                >
                                    {move || field_options().into_iter().map(|(k, label)| {
                                        let selected = get().map(|f| field_key(&f.field) == k).unwrap_or(false);
                                        view! { <option value=k selected=selected>{label}</option> }
                                    }).collect_view()}
                                </select>
                                <label class="visually-hidden" for=format!("flt-op-{i}")>{move || t().filter_op}</label>
                                <select
                                    id=format!("flt-op-{i}")
                                    on:change=move |ev| {
                                        let k = event_target_value(&ev);
                                        let op = OPS.iter().find(|(x, _)| *x == k).map(|(_, o)| *o).unwrap_or(Op::Is);
                                        set(Box::new(move |f| f.op = op))
                                    }
                                >
                                    {move || OPS.iter().map(|(k, op)| {
                                        let selected = get().map(|f| f.op == *op).unwrap_or(false);
                                        view! { <option value=*k selected=selected>{op_label(t(), *op)}</option> }
                                    }).collect_view()}
                                </select>
                                <label class="visually-hidden" for=format!("flt-value-{i}")>{move || t().filter_value}</label>
                                <input
                                    id=format!("flt-value-{i}")
                                    type=move || get().map(|f| input_type(&f.field)).unwrap_or("text")
                                    prop:value=move || get().map(|f| f.value).unwrap_or_default()
                                    on:input=move |ev| { let v = event_target_value(&ev); set(Box::new(move |f| f.value = v)) }
                                />
                                <button
                                    type="button"
                                    class="icon"
                                    aria-label=move || t().remove_filter
                                    on:click=move |_| spec.update(|s| { if i < s.filters.len() { s.filters.remove(i); } })
                                >"×"</button>
                            </li>
                        }
                    }
                </For>
            </ol>
            <div class="row">
                <button type="button" on:click=add>{move || t().add_filter}</button>
                {move || (count() > 0).then(|| view! {
                    <button type="button" class="secondary" on:click=move |_| spec.update(|s| s.filters.clear())>{move || t().clear_filters}</button>
                })}
            </div>
        </details>
    }
}

/// Saved views: pick one (shared with the team through the workspace settings), save the
/// current one under a name, delete one.
#[component]
fn ViewBar(rows: Memo<(Vec<Row>, usize)>) -> impl IntoView {
    let app = use_app();
    let locale = use_locale();
    let t = move || CustomersMsg::of(locale.get());
    let list = use_list_view();
    let name = RwSignal::new(String::new());
    let views = move || {
        app.settings.with(|s| {
            let mut v: Vec<(String, String)> = s.views.iter().map(|(id, v)| (id.clone(), v.name.clone())).collect();
            v.sort_by(|a, b| a.1.to_lowercase().cmp(&b.1.to_lowercase()));
            v
        })
    };
    let choose = move |ev: leptos::ev::Event| {
        let id = event_target_value(&ev);
        if id.is_empty() {
            list.open(None, None);
        } else {
            app.settings.with_untracked(|s| list.open(Some(id.clone()), s.views.get(&id)));
        }
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let n = name.get_untracked().trim().to_string();
        if n.is_empty() {
            return;
        }
        let spec = list.spec.get_untracked().to_json();
        let id = crm_core::customer::new_id();
        let id2 = id.clone();
        leptos::task::spawn_local(async move {
            let ok = edit_settings(app, move |s| {
                s.views.insert(
                    id2,
                    SavedView { name: n, spec, created_by: String::new(), created_at: crate::platform::now_ms() },
                );
                Ok(())
            })
            .await;
            if ok {
                list.saved.set(Some(id));
                name.set(String::new());
            }
        });
    };
    let delete = move |_| {
        if let Some(id) = list.saved.get_untracked() {
            leptos::task::spawn_local(async move {
                if edit_settings(app, move |s| {
                    s.views.remove(&id);
                    Ok(())
                })
                .await
                {
                    list.open(None, None);
                }
            });
        }
    };
    // export exactly what the view shows, in its order
    let shown_ids = move || {
        app.summaries.with_untracked(|all| {
            rows.with_untracked(|r| r.0.iter().filter_map(|row| all.get(row.idx).map(|s| s.id.clone())).collect::<Vec<_>>())
        })
    };
    let export_csv = move |_| {
        let ids = shown_ids();
        let l = locale.get_untracked();
        leptos::task::spawn_local(async move {
            if let Err(e) = crate::platform::files::export_view_csv(app, l, &ids).await {
                app.error.set(Some(e));
            }
        });
    };
    let export_vcard = move |_| {
        let ids = shown_ids();
        let l = locale.get_untracked();
        leptos::task::spawn_local(async move {
            if let Err(e) = crate::platform::files::export_vcards(l, &ids).await {
                app.error.set(Some(e));
            }
        });
    };
    view! {
        <div class="view-bar row">
            <div class="field">
                <label for="view-select">{move || t().view}</label>
                <select id="view-select" on:change=choose prop:value=move || list.saved.get().unwrap_or_default()>
                    <option value="" selected=move || list.saved.get().is_none()>{move || t().all_customers}</option>
                    {move || views().into_iter().map(|(id, n)| {
                        let sel = list.saved.get().as_deref() == Some(id.as_str());
                        view! { <option value=id selected=sel>{n}</option> }
                    }).collect_view()}
                </select>
            </div>
            {move || list.saved.get().is_some().then(|| view! {
                <button type="button" class="secondary" on:click=delete>{move || t().delete_view}</button>
            })}
            <form class="row save-view" on:submit=save>
                <label for="view-name" class="visually-hidden">{move || t().view_name}</label>
                <input id="view-name" type="text" placeholder=move || t().view_name prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                <button type="submit">{move || t().save_view}</button>
            </form>
            <button type="button" class="secondary" on:click=export_csv>{move || t().export_csv}</button>
            <button type="button" class="secondary" on:click=export_vcard>{move || t().export_vcard}</button>
            <a class="button secondary" href="/duplicates">{move || t().duplicates}</a>
        </div>
    }
}
