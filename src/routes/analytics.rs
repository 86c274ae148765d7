//! Analytics: the figures of DESIGN.md section 8, computed on this device
//! (`platform::analytics` runs `crm_core::analytics::job` in slices and keeps the report in
//! `AppState::analytics`). Every count is a link to the customers behind it: the customer list
//! opened with the matching filters (`/?filters=<JSON>`), where it can be saved as a view or
//! exported.

use crate::components::charts::{Bar, BarList, Column, HeatCell, HeatGrid, Histogram, Point, Stack, StackedBars, Trend};
use crate::i18n::analytics::{
    channel_name, customers, day_name, day_ymd, dimension_name, fit_problem, fixed, group_name, month_name, month_short,
    percent, phase_name, reason, segment_name, spend_problem, stage_name, value_tier_name, AnalyticsMsg,
};
use crate::i18n::customer::tier_name;
use crate::i18n::{common::Common, fill, format, use_locale, Locale};
use crate::platform::analytics::{choose, want, Choice};
use crate::state::{use_app, AppState};
use crm_core::analytics::churn::AT_RISK;
use crm_core::analytics::lifecycle::Stage;
use crm_core::analytics::report::{Dimension, Report, SatisfactionRow, ValueTier};
use crm_core::analytics::rfm::Segment;
use crm_core::views::{Filter, FilterField, Op};
use leptos::prelude::*;
use std::sync::Arc;

/// At-risk customers listed on the page (the link shows all of them).
const AT_RISK_SHOWN: usize = 20;
/// Groups of a segmentation drawn as bars.
const GROUPS_SHOWN: usize = 30;
/// Referrers listed.
const REFERRERS_SHOWN: usize = 50;

/// The customer list showing exactly the customers these filters select.
pub fn customers_link(filters: &[Filter]) -> String {
    let json = serde_wasm_bindgen::to_value(filters)
        .ok()
        .and_then(|v| js_sys::JSON::stringify(&v).ok())
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| "[]".to_string());
    format!("/?filters={}", String::from(js_sys::encode_uri_component(&json)))
}

pub fn filter(field: FilterField, op: Op, value: impl Into<String>) -> Filter {
    Filter { field, op, value: value.into() }
}

fn link1(field: FilterField, op: Op, value: impl Into<String>) -> String {
    customers_link(&[filter(field, op, value)])
}

/// A report, compared by identity (a report is replaced, never changed in place).
#[derive(Clone)]
pub(crate) struct Rep(pub Arc<Report>);

impl PartialEq for Rep {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

pub(crate) fn use_report(app: AppState) -> Memo<Option<Rep>> {
    Memo::new(move |_| app.analytics.with(|a| a.report.clone().map(Rep)))
}

/// Money in major units of the report's currency.
pub(crate) fn major(l: Locale, v: f64, currency: &str) -> String {
    format::money(l, (v * 100.0).round() as i64, currency)
}

/// Money in major units, short ("$1.2K"), for chart axes.
fn compact(l: Locale, v: f64, currency: &str) -> String {
    use js_sys::{Array, Intl, Object, Reflect};
    let o = Object::new();
    if currency.len() == 3 {
        let _ = Reflect::set(&o, &"style".into(), &"currency".into());
        let _ = Reflect::set(&o, &"currency".into(), &currency.into());
    }
    let _ = Reflect::set(&o, &"notation".into(), &"compact".into());
    let _ = Reflect::set(&o, &"maximumFractionDigits".into(), &1.into());
    let f = Intl::NumberFormat::new(&Array::of1(&l.tag().into()), &o);
    f.format().call1(&wasm_bindgen::JsValue::NULL, &v.into()).ok().and_then(|v| v.as_string()).unwrap_or_else(|| format!("{v:.0}"))
}

fn n(l: Locale, v: f64) -> String {
    format::number(l, v)
}

/// The number to type into a percentage field (10 for 0.10, 7.5 for 0.075).
fn percent_input(share: f64) -> String {
    let p = (share * 1000.0).round() / 10.0;
    if p.fract() == 0.0 {
        format!("{p:.0}")
    } else {
        format!("{p}")
    }
}

/// A titled part of the page, a region named by its heading.
#[component]
fn Part(id: &'static str, #[prop(into)] title: Signal<String>, children: Children) -> impl IntoView {
    let heading = format!("an-{id}-h");
    let labelled_by = heading.clone();
    view! {
        <section id=format!("an-{id}") class="card an-part" aria-labelledby=labelled_by>
            <h2 id=heading>{move || title.get()}</h2>
            {children()}
        </section>
    }
}

/// What a part of the page shows of a report.
type PartBody = fn(Arc<Report>, Locale, &'static AnalyticsMsg, AppState) -> Option<AnyView>;

/// A part drawn from the latest report: nothing before there is one, `empty`'s words when
/// nobody has bought anything (if given), else `body`.
#[component]
fn ReportPart(
    id: &'static str,
    #[prop(into)] title: Signal<String>,
    report: Memo<Option<Rep>>,
    #[prop(optional)] empty: Option<fn(&'static AnalyticsMsg) -> &'static str>,
    body: PartBody,
) -> impl IntoView {
    let app = use_app();
    let locale = use_locale();
    let content = move || {
        let r = report.get()?.0;
        let l = locale.get();
        let t = AnalyticsMsg::of(l);
        if let Some(v) = empty.and_then(|e| no_orders(&r, e(t))) {
            return Some(v);
        }
        body(r, l, t, app)
    };
    view! { <Part id=id title=title>{content}</Part> }
}

#[component]
pub fn AnalyticsPage() -> impl IntoView {
    let app = use_app();
    let locale = use_locale();
    let t = move || AnalyticsMsg::of(locale.get());
    want(app);
    let report = use_report(app);
    let ts = move |f: fn(&'static AnalyticsMsg) -> &'static str| Signal::derive(move || f(AnalyticsMsg::of(locale.get())).to_string());

    view! {
        <section class="analytics">
            <h1>{move || t().title}</h1>
            <p class="hint">{move || t().intro}</p>
            <OptionsForm/>
            <RunStatus/>
            {move || report.get().map(|r| {
                let r = r.0;
                let l = locale.get();
                view! {
                    <p class="count an-summary">
                        {fill(t().figures_of, &[&n(l, r.customers as f64), &n(l, r.buyers as f64), &day_name(l, r.options.as_of)])}
                    </p>
                }
            })}
            {move || report.with(|r| r.is_none()).then(|| view! { <p class="empty" role="status">{move || t().waiting}</p> })}
            <div class="an-parts">
                <ReportPart id="model" title=ts(|t| t.model) report=report empty={|t: &'static AnalyticsMsg| t.empty_model} body=model_part/>
                <ReportPart id="rfm" title=ts(|t| t.rfm) report=report empty={|t: &'static AnalyticsMsg| t.empty_rfm} body=rfm_part/>
                <ReportPart id="clv" title=ts(|t| t.clv) report=report empty={|t: &'static AnalyticsMsg| t.empty_clv} body=clv_part/>
                <ReportPart id="churn" title=ts(|t| t.churn) report=report empty={|t: &'static AnalyticsMsg| t.empty_churn} body=churn_part/>
                <ReportPart id="lifecycle" title=ts(|t| t.lifecycle) report=report body=lifecycle_part/>
                <ReportPart id="satisfaction" title=ts(|t| t.satisfaction) report=report body=satisfaction_part/>
                <Part id="segments" title=ts(|t| t.segments)><SegmentsPart report=report/></Part>
                <ReportPart id="loyalty" title=ts(|t| t.loyalty) report=report body=loyalty_part/>
                <ReportPart id="referrals" title=ts(|t| t.referrals) report=report body=referrals_part/>
                <ReportPart id="scorecard" title=ts(|t| t.scorecard) report=report body=scorecard_part/>
            </div>
        </section>
    }
}

/// As of, horizon and discount rate; a change re-runs the analysis.
#[component]
fn OptionsForm() -> impl IntoView {
    let app = use_app();
    let locale = use_locale();
    let t = move || AnalyticsMsg::of(locale.get());
    let current = move || app.analytics.with_untracked(|a| a.choice.clone());
    let as_of = move || app.analytics.with(|a| a.choice.as_of).map(day_ymd).unwrap_or_else(format::today);
    let horizon = move || app.analytics.with(|a| a.choice.horizon_months).to_string();
    let discount = move || percent_input(app.analytics.with(|a| a.choice.annual_discount));
    let set_as_of = move |ev: leptos::ev::Event| {
        let v = event_target_value(&ev);
        let day = if v.trim().is_empty() { None } else { crm_core::dates::parse_ymd(&v).map(|d| d.to_days()) };
        if day.is_none() && !v.trim().is_empty() {
            return;
        }
        // today is "None": the figures follow the calendar
        let day = day.filter(|d| *d != crate::platform::analytics::today());
        choose(app, Choice { as_of: day, ..current() });
    };
    let set_horizon = move |ev: leptos::ev::Event| {
        if let Ok(m) = event_target_value(&ev).trim().parse::<u32>() {
            if (1..=crm_core::analytics::report::MAX_HORIZON_MONTHS).contains(&m) {
                choose(app, Choice { horizon_months: m, ..current() });
            }
        }
    };
    let set_discount = move |ev: leptos::ev::Event| {
        if let Ok(p) = event_target_value(&ev).trim().replace(',', ".").parse::<f64>() {
            if (0.0..=100.0).contains(&p) {
                choose(app, Choice { annual_discount: p / 100.0, ..current() });
            }
        }
    };
    view! {
        <fieldset class="an-options">
            <legend class="visually-hidden">{move || t().options}</legend>
            <div class="field">
                <label for="an-as-of">{move || t().as_of}</label>
                <input id="an-as-of" type="date" prop:value=as_of on:change=set_as_of/>
            </div>
            <div class="field">
                <label for="an-horizon">{move || t().horizon}</label>
                <input id="an-horizon" type="number" min="1" max="120" step="1" inputmode="numeric" prop:value=horizon on:change=set_horizon/>
            </div>
            <div class="field">
                <label for="an-discount">{move || t().discount}</label>
                <input id="an-discount" type="number" min="0" max="100" step="0.5" inputmode="decimal" prop:value=discount on:change=set_discount/>
            </div>
        </fieldset>
    }
}

/// The progress bar while a run is under way; a note with "Recalculate" when the figures are
/// older than the data.
#[component]
fn RunStatus() -> impl IntoView {
    let app = use_app();
    let locale = use_locale();
    let t = move || AnalyticsMsg::of(locale.get());
    let progress = move || app.analytics.with(|a| a.progress);
    let stale = move || app.analytics.with(|a| a.stale && a.progress.is_none() && a.report.is_some());
    view! {
        {move || progress().map(|(phase, done)| {
            let pct = (done.clamp(0.0, 1.0) * 100.0).round() as u32;
            let text = fill(t().progress_text, &[&phase_name(locale.get(), phase), &pct]);
            view! {
                <div class="an-progress">
                    <div
                        class="bar"
                        role="progressbar"
                        aria-label=move || t().progress
                        aria-valuemin="0"
                        aria-valuemax="100"
                        aria-valuenow=pct
                        aria-valuetext=text.clone()
                    >
                        <span class="fill" style=format!("width: {pct}%")></span>
                    </div>
                    <p class="progress-text">{text}</p>
                </div>
            }
        })}
        {move || stale().then(|| view! {
            <p class="notice an-stale" role="status">
                <span>{move || t().stale}</span>
                <button type="button" on:click=move |_| want(app)>{move || t().recalculate}</button>
            </p>
        })}
    }
}

/// The empty state of a part when nobody has bought anything.
fn no_orders(r: &Report, text: &'static str) -> Option<AnyView> {
    (r.buyers == 0).then(|| view! { <p class="empty">{text}</p> }.into_any())
}

// ---- Model -----------------------------------------------------------------------------

fn model_part(r: Arc<Report>, l: Locale, t: &'static AnalyticsMsg, _app: AppState) -> Option<AnyView> {
    let fit = match &r.fit {
        Ok(f) => f,
        Err(p) => return Some(view! { <p class="error" role="alert">{fit_problem(l, p)}</p> }.into_any()),
    };
    let m = &fit.bgnbd;
    let mut rows: Vec<(&'static str, &'static str, f64, String)> = vec![
        ("r", t.p_r, m.r, fixed(l, m.r, 3)),
        ("alpha", t.p_alpha, m.alpha, fixed(l, m.alpha, 3)),
        ("a", t.p_a, m.a, fixed(l, m.a, 3)),
        ("b", t.p_b, m.b, fixed(l, m.b, 3)),
        ("ll", t.p_ll, fit.ln_likelihood, fixed(l, fit.ln_likelihood, 1)),
        ("customers", t.p_customers, fit.customers as f64, n(l, fit.customers as f64)),
        ("repeat_buyers", t.p_repeat, fit.repeat_buyers as f64, n(l, fit.repeat_buyers as f64)),
    ];
    if let Ok(s) = &fit.spend {
        rows.extend([
            ("p", t.p_p, s.model.p, fixed(l, s.model.p, 3)),
            ("q", t.p_q, s.model.q, fixed(l, s.model.q, 3)),
            ("gamma", t.p_gamma, s.model.gamma, fixed(l, s.model.gamma, 3)),
            ("spend_customers", t.p_spend_customers, s.customers as f64, n(l, s.customers as f64)),
            ("spend_ll", t.p_spend_ll, s.ln_likelihood, fixed(l, s.ln_likelihood, 1)),
        ]);
    }
    Some(
        view! {
            <p class="hint">{t.model_intro}</p>
            <table class="an-table model" aria-labelledby="an-model-h">
                <thead><tr><th scope="col">{t.col_param}</th><th scope="col" class="num">{t.col_value}</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|(key, label, raw, shown)| view! {
                        <tr data-param=key>
                            <th scope="row">{label}</th>
                            <td class="num" data-param=key data-value=raw.to_string()>{shown}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            {match &fit.spend {
                Err(p) => Some(view! { <p class="warn" role="status">{spend_problem(l, p)}</p> }),
                Ok(_) => None,
            }}
            {(fit.nonpositive_spend > 0).then(|| view! {
                <p class="hint">{fill(t.nonpositive, &[&n(l, fit.nonpositive_spend as f64)])}</p>
            })}
        }
        .into_any(),
    )
}

// ---- RFM -------------------------------------------------------------------------------

fn rfm_part(r: Arc<Report>, l: Locale, t: &'static AnalyticsMsg, _app: AppState) -> Option<AnyView> {
    let rows: Vec<(String, Vec<HeatCell>)> = (1..=5u8)
        .rev()
        .map(|rs| {
            let cells = (1..=5u8)
                .map(|fm| {
                    let count = r.rfm_grid[(rs - 1) as usize][(fm - 1) as usize];
                    HeatCell {
                        count,
                        shown: n(l, count as f64),
                        name: fill(t.rfm_cell, &[&rs, &fm, &n(l, count as f64)]),
                        href: Some(link1(FilterField::RfmCell, Op::Is, format!("{rs},{fm}"))),
                        key: format!("{rs},{fm}"),
                    }
                })
                .collect();
            (format!("R{rs}"), cells)
        })
        .collect();
    let columns = (1..=5).map(|fm| format!("FM{fm}")).collect();
    let counts = r.segmentation(Dimension::Rfm).map(|s| s.rows.clone()).unwrap_or_default();
    let bars: Vec<Bar> = Segment::ALL
        .into_iter()
        .map(|s| {
            let c = counts.iter().find(|row| row.key == s.key()).map(|row| row.customers).unwrap_or(0);
            Bar {
                label: segment_name(l, s).to_string(),
                value: c as f64,
                shown: customers(l, c),
                href: (c > 0).then(|| link1(FilterField::RfmSegment, Op::Is, s.key())),
                key: s.key().to_string(),
                meta: String::new(),
            }
        })
        .collect();
    Some(
        view! {
            <p class="hint">{t.rfm_intro}</p>
            <div class="heat-wrap">
                <HeatGrid caption=t.rfm_grid.to_string() corner="R \\ FM" columns=columns rows=rows/>
                <p class="hint axis-note">{format!("R = {} · FM = {}", t.recency, t.fm)}</p>
            </div>
            <h3>{t.rfm_segments}</h3>
            <BarList label=t.rfm_segments bars=bars/>
        }
        .into_any(),
    )
}

// ---- Lifetime value --------------------------------------------------------------------

fn clv_part(r: Arc<Report>, l: Locale, t: &'static AnalyticsMsg, _app: AppState) -> Option<AnyView> {
    let cur = r.currency.clone();
    let intro = fill(t.clv_intro, &[&n(l, r.options.horizon_months as f64), &percent_input(r.options.annual_discount)]);
    let (total, valued) = r.scores.iter().flatten().filter_map(|s| s.clv).fold((0.0, 0u32), |(t, c), v| (t + v, c + 1));
    if valued == 0 {
        return Some(view! { <p class="hint">{intro}</p><p class="empty">{t.clv_none}</p> }.into_any());
    }
    let columns: Vec<Column> = r
        .clv_bins
        .iter()
        .map(|b| {
            let mut fs = vec![filter(FilterField::Clv, Op::After, format!("{}", b.lo - 0.005))];
            let hi = if b.hi.is_finite() {
                fs.push(filter(FilterField::Clv, Op::Before, format!("{}", b.hi)));
                major(l, b.hi, &cur)
            } else {
                "∞".to_string()
            };
            Column {
                axis: compact(l, b.lo, &cur),
                name: fill(t.clv_bin, &[&major(l, b.lo, &cur), &hi, &n(l, b.customers as f64)]),
                value: b.customers as f64,
                shown: compact(l, b.customers as f64, ""),
                href: (b.customers > 0).then(|| customers_link(&fs)),
            }
        })
        .collect();
    let tiers = r.segmentation(Dimension::ValueTier).map(|s| s.rows.clone()).unwrap_or_default();
    let tier_bars: Vec<Bar> = ValueTier::ALL
        .into_iter()
        .map(|v| {
            let row = tiers.iter().find(|row| row.key == v.key());
            let c = row.map(|row| row.customers).unwrap_or(0);
            Bar {
                label: value_tier_name(l, v).to_string(),
                value: c as f64,
                shown: customers(l, c),
                href: (c > 0).then(|| link1(FilterField::ValueTier, Op::Is, v.key())),
                key: v.key().to_string(),
                meta: row.map(|row| major(l, row.clv, &cur)).unwrap_or_default(),
            }
        })
        .collect();
    Some(
        view! {
            <p class="hint">{intro}</p>
            <dl class="facts an-totals">
                <dt>{t.clv_total}</dt>
                <dd data-figure="clv_total" data-value=total.to_string()>{major(l, total, &cur)}</dd>
                <dt>{t.clv_average}</dt>
                <dd data-figure="clv_average">{major(l, total / valued as f64, &cur)}</dd>
            </dl>
            <h3>{t.clv_hist}</h3>
            <Histogram label=t.clv_hist columns=columns/>
            <h3>{t.dim_value_tier}</h3>
            <BarList label=t.dim_value_tier bars=tier_bars/>
        }
        .into_any(),
    )
}

// ---- Churn -----------------------------------------------------------------------------

fn churn_part(r: Arc<Report>, l: Locale, t: &'static AnalyticsMsg, app: AppState) -> Option<AnyView> {
    let cur = r.currency.clone();
    let unnamed = Common::of(l).unnamed;
    let all_link = link1(FilterField::ChurnRisk, Op::After, (AT_RISK - 1).to_string());
    let total_text = if r.at_risk_total == 1 && l == Locale::En {
        t.at_risk_one.to_string()
    } else {
        fill(t.at_risk_count, &[&n(l, r.at_risk_total as f64)])
    };
    let rows: Vec<(String, String, u8, f64, Vec<String>)> = app.summaries.with_untracked(|all| {
        r.at_risk
            .iter()
            .take(AT_RISK_SHOWN)
            .filter_map(|&i| {
                let s = all.get(i)?;
                let sc = r.scores.get(i)?.as_ref()?;
                let name = if s.name.is_empty() { unnamed.to_string() } else { s.name.clone() };
                Some((s.id.clone(), name, sc.churn.score, sc.value_at_risk, sc.churn.reasons.iter().map(|x| reason(l, x)).collect()))
            })
            .collect()
    });
    if r.at_risk_total == 0 {
        return Some(view! { <p class="empty">{t.no_risk}</p> }.into_any());
    }
    Some(
        view! {
            <p class="an-headline">
                <a href=all_link data-figure="at_risk_total">{total_text}</a>
                " · "
                <span>{fill(t.value_at_risk, &[&major(l, r.value_at_risk, &cur)])}</span>
            </p>
            <h3 id="an-risk-list-h">{t.at_risk_list}</h3>
            <ol class="risk-list" aria-labelledby="an-risk-list-h">
                {rows.into_iter().map(|(id, name, score, var, reasons)| view! {
                    <li>
                        <p class="risk-head">
                            <a class="name" href=format!("/customers/{id}")>{name}</a>
                            <span class="risk-score" data-score=score>{format!("{} {}", t.col_risk, fill(t.risk_score, &[&score]))}</span>
                        </p>
                        <p class="meta">{format!("{}: {}", t.col_value_at_risk, major(l, var, &cur))}</p>
                        {(!reasons.is_empty()).then(|| view! {
                            <ul class="reasons">{reasons.into_iter().map(|x| view! { <li>{x}</li> }).collect_view()}</ul>
                        })}
                    </li>
                }).collect_view()}
            </ol>
        }
        .into_any(),
    )
}

// ---- Lifecycle -------------------------------------------------------------------------

fn lifecycle_part(r: Arc<Report>, l: Locale, t: &'static AnalyticsMsg, _app: AppState) -> Option<AnyView> {
    if r.customers == 0 {
        return Some(view! { <p class="empty">{t.empty_lifecycle}</p> }.into_any());
    }
    let lc = &r.lifecycle;
    let now: Vec<Bar> = Stage::ALL
        .into_iter()
        .map(|s| {
            let c = lc.now[s.index()];
            Bar {
                label: stage_name(l, s).to_string(),
                value: c as f64,
                shown: customers(l, c),
                href: (c > 0).then(|| link1(FilterField::LifecycleStage, Op::Is, s.key())),
                key: s.key().to_string(),
                meta: String::new(),
            }
        })
        .collect();
    let mut moves: Vec<(Stage, Stage, u32)> = Vec::new();
    for from in Stage::ALL {
        for to in Stage::ALL {
            let c = lc.flow[from.index()][to.index()];
            if from != to && c > 0 {
                moves.push((from, to, c));
            }
        }
    }
    moves.sort_by_key(|m| std::cmp::Reverse(m.2));
    let series: Vec<String> = Stage::ALL.iter().map(|s| stage_name(l, *s).to_string()).collect();
    let stacks: Vec<Stack> =
        lc.months.iter().map(|(m, counts)| Stack { axis: month_short(l, m), name: month_name(l, m), parts: counts.to_vec() }).collect();
    Some(
        view! {
            <h3>{t.lc_now}</h3>
            <BarList label=t.lc_now bars=now/>
            <h3 id="an-flow-h">{t.lc_flow}</h3>
            {if moves.is_empty() {
                view! { <p class="empty">{t.lc_no_moves}</p> }.into_any()
            } else {
                view! {
                    <table class="an-table flow" aria-labelledby="an-flow-h">
                        <thead><tr>
                            <th scope="col">{t.col_before}</th>
                            <th scope="col">{t.col_now}</th>
                            <th scope="col" class="num">{t.col_customers}</th>
                        </tr></thead>
                        <tbody>
                            {moves.into_iter().map(|(from, to, c)| {
                                let href = customers_link(&[
                                    filter(FilterField::StageBefore, Op::Is, from.key()),
                                    filter(FilterField::LifecycleStage, Op::Is, to.key()),
                                ]);
                                let name = format!("{} → {}: {}", stage_name(l, from), stage_name(l, to), customers(l, c));
                                view! {
                                    <tr data-from=from.key() data-to=to.key()>
                                        <td>{stage_name(l, from)}</td>
                                        <td>{format!("→ {}", stage_name(l, to))}</td>
                                        <td class="num"><a href=href aria-label=name>{n(l, c as f64)}</a></td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }
                .into_any()
            }}
            {(!stacks.is_empty()).then(|| view! {
                <h3>{t.lc_months}</h3>
                <StackedBars summary=t.lc_months legend_label=t.dim_lifecycle series=series stacks=stacks/>
            })}
        }
        .into_any(),
    )
}

// ---- Satisfaction ----------------------------------------------------------------------

fn sat_cells(l: Locale, t: &AnalyticsMsg, row: &SatisfactionRow) -> (String, String, String) {
    let nps = row.nps.map(|v| fixed(l, v, 0)).unwrap_or_else(|| t.f_unknown.to_string());
    let csat = row.csat.map(|v| fixed(l, v, 2)).unwrap_or_else(|| t.f_unknown.to_string());
    (nps, csat, n(l, (row.nps_answers + row.csat_answers) as f64))
}

fn satisfaction_part(r: Arc<Report>, l: Locale, t: &'static AnalyticsMsg, _app: AppState) -> Option<AnyView> {
    let s = &r.satisfaction;
    if s.total.nps_answers + s.total.csat_answers == 0 {
        return Some(view! { <p class="empty">{t.no_surveys}</p> }.into_any());
    }
    let nps_points: Vec<Point> = s
        .months
        .iter()
        .map(|m| Point { axis: month_short(l, &m.month), name: month_name(l, &m.month), value: m.nps, shown: m.nps.map(|v| fixed(l, v, 0)).unwrap_or_default() })
        .collect();
    let csat_points: Vec<Point> = s
        .months
        .iter()
        .map(|m| Point { axis: month_short(l, &m.month), name: month_name(l, &m.month), value: m.csat, shown: m.csat.map(|v| fixed(l, v, 1)).unwrap_or_default() })
        .collect();
    let totals = [
        s.total.nps.map(|v| fill(t.nps_total, &[&fixed(l, v, 0), &n(l, s.total.nps_answers as f64)])),
        s.total.csat.map(|v| fill(t.csat_total, &[&fixed(l, v, 2), &n(l, s.total.csat_answers as f64)])),
    ];
    let by = s.by.clone();
    Some(
        view! {
            <ul class="an-lines">{totals.into_iter().flatten().map(|x| view! { <li>{x}</li> }).collect_view()}</ul>
            <h3>{t.nps_trend}</h3>
            <Trend summary=t.nps_trend points=nps_points min=-100.0 max=100.0 ticks=["−100".to_string(), "0".to_string(), "100".to_string()] missing=t.no_answers/>
            <h3>{t.csat_trend}</h3>
            <Trend summary=t.csat_trend points=csat_points min=1.0 max=5.0 ticks=["1".to_string(), "3".to_string(), "5".to_string()] missing=t.no_answers/>
            {by.into_iter().filter(|(_, rows)| !rows.is_empty()).map(|(d, rows)| {
                let head = fill(t.sat_by, &[&dimension_name(l, d)]);
                let id = format!("an-sat-{}", d.key());
                view! {
                    <h3 id=id.clone()>{head}</h3>
                    <table class="an-table sat" aria-labelledby=id>
                        <thead><tr>
                            <th scope="col">{t.col_group}</th>
                            <th scope="col" class="num">{t.col_nps}</th>
                            <th scope="col" class="num">{t.col_csat}</th>
                            <th scope="col" class="num">{t.col_answers}</th>
                        </tr></thead>
                        <tbody>
                            {rows.iter().map(|row| {
                                let (nps, csat, answers) = sat_cells(l, t, row);
                                view! {
                                    <tr>
                                        <th scope="row">{group_name(l, d, &row.key)}</th>
                                        <td class="num">{nps}</td>
                                        <td class="num">{csat}</td>
                                        <td class="num">{answers}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }
            }).collect_view()}
        }
        .into_any(),
    )
}

// ---- Segments --------------------------------------------------------------------------

/// The customer-list filter selecting one group of a segmentation.
fn group_filter(d: Dimension, key: &str) -> Option<Filter> {
    let field = match d {
        Dimension::Province => FilterField::Province,
        Dimension::City => FilterField::City,
        Dimension::Industry => FilterField::Industry,
        Dimension::Size => FilterField::Size,
        Dimension::Rfm => FilterField::RfmSegment,
        Dimension::ValueTier => FilterField::ValueTier,
        Dimension::Lifecycle => FilterField::LifecycleStage,
    };
    Some(if key.is_empty() { filter(field, Op::IsEmpty, "") } else { filter(field, Op::Is, key) })
}

#[component]
fn SegmentsPart(report: Memo<Option<Rep>>) -> impl IntoView {
    let locale = use_locale();
    let t = move || AnalyticsMsg::of(locale.get());
    let dim = RwSignal::new(Dimension::Province);
    let bars = move || {
        let r = report.get()?.0;
        let l = locale.get();
        let t = AnalyticsMsg::of(l);
        let d = dim.get();
        let seg = r.segmentation(d)?;
        if seg.rows.is_empty() {
            return Some(view! { <p class="empty">{t.no_segments}</p> }.into_any());
        }
        let cur = r.currency.clone();
        let more = seg.rows.len().saturating_sub(GROUPS_SHOWN);
        let bars: Vec<Bar> = seg
            .rows
            .iter()
            .take(GROUPS_SHOWN)
            .map(|row| Bar {
                label: group_name(l, d, &row.key),
                value: row.customers as f64,
                shown: customers(l, row.customers),
                href: group_filter(d, &row.key).map(|f| customers_link(&[f])),
                key: row.key.clone(),
                meta: format!("{} · {}", format::money(l, row.revenue, &cur), major(l, row.clv, &cur)),
            })
            .collect();
        let label = dimension_name(l, d);
        Some(
            view! {
                <BarList label=label bars=bars/>
                {(more > 0).then(|| view! { <p class="hint">{format!("+{}", n(l, more as f64))}</p> })}
            }
            .into_any(),
        )
    };
    view! {
        <div class="field an-dimension">
            <label for="an-dimension">{move || t().group_by}</label>
            <select
                id="an-dimension"
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    if let Some(d) = Dimension::ALL.into_iter().find(|d| d.key() == v) {
                        dim.set(d);
                    }
                }
            >
                {move || {
                    let l = locale.get();
                    Dimension::ALL
                        .into_iter()
                        .map(|d| view! { <option value=d.key() selected=move || dim.get() == d>{dimension_name(l, d)}</option> })
                        .collect_view()
                }}
            </select>
        </div>
        <p class="hint">{move || t().seg_hint}</p>
        {bars}
    }
}

// ---- Loyalty ---------------------------------------------------------------------------

fn loyalty_part(r: Arc<Report>, l: Locale, t: &'static AnalyticsMsg, app: AppState) -> Option<AnyView> {
    let lr = &r.loyalty;
    if lr.members == 0 && lr.points == 0 {
        return Some(view! { <p class="empty">{t.no_loyalty}</p> }.into_any());
    }
    let names = tier_names(app, l, &r);
    let bars: Vec<Bar> = lr
        .tiers
        .iter()
        .enumerate()
        .map(|(i, &c)| Bar {
            label: names.get(i).cloned().unwrap_or_else(|| format!("{}", i + 1)),
            value: c as f64,
            shown: customers(l, c),
            href: (c > 0).then(|| link1(FilterField::LoyaltyTier, Op::Is, i.to_string())),
            key: i.to_string(),
            meta: String::new(),
        })
        .collect();
    Some(
        view! {
            <ul class="an-lines">
                <li>{fill(t.members, &[&customers(l, lr.members), &n(l, lr.points as f64)])}</li>
                {(lr.expiring > 0).then(|| view! {
                    <li class="warn">{fill(t.expiring, &[&n(l, lr.expiring as f64), &n(l, lr.expiring_customers as f64)])}</li>
                })}
            </ul>
            {(!bars.is_empty()).then(|| view! { <h3>{t.tiers_list}</h3><BarList label=t.tiers_list bars=bars/> })}
        }
        .into_any(),
    )
}

/// The reader's names of the report's loyalty tiers (by the settings' tier of that id, whose
/// built-in name is in the reader's language; else the name given, else the minimum).
pub(crate) fn tier_names(app: AppState, l: Locale, r: &Report) -> Vec<String> {
    app.settings.with_untracked(|s| {
        r.options
            .tiers
            .iter()
            .map(|(name, min)| {
                let tier = s.tiers.iter().find(|t| t.id == *name).or_else(|| s.tiers.iter().find(|t| t.name.is_empty() && name.is_empty() && t.min_points == *min));
                match tier {
                    Some(t) => tier_name(l, t),
                    None if !name.is_empty() => name.clone(),
                    None => n(l, *min as f64),
                }
            })
            .collect()
    })
}

// ---- Referrals -------------------------------------------------------------------------

fn referrals_part(r: Arc<Report>, l: Locale, t: &'static AnalyticsMsg, app: AppState) -> Option<AnyView> {
    if r.referrers.is_empty() {
        return Some(view! { <p class="empty">{t.no_referrals}</p> }.into_any());
    }
    let unnamed = Common::of(l).unnamed;
    let cur = r.currency.clone();
    let rows: Vec<(String, String, u32, i64)> = app.summaries.with_untracked(|all| {
        app.positions.with_value(|pos| {
            r.referrers
                .iter()
                .take(REFERRERS_SHOWN)
                .map(|x| {
                    let name = pos.get(&x.id).and_then(|&i| all.get(i)).map(|s| s.name.clone()).unwrap_or_default();
                    let name = if name.is_empty() { unnamed.to_string() } else { name };
                    (x.id.clone(), name, x.customers, x.revenue)
                })
                .collect()
        })
    });
    Some(
        view! {
            <table class="an-table referrals" aria-labelledby="an-referrals-h">
                <thead><tr>
                    <th scope="col">{t.col_referrer}</th>
                    <th scope="col" class="num">{t.col_brought}</th>
                    <th scope="col" class="num">{t.col_revenue}</th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|(id, name, c, revenue)| {
                        let label = format!("{name}: {}", customers(l, c));
                        view! {
                            <tr>
                                <th scope="row"><a href=format!("/customers/{id}")>{name.clone()}</a></th>
                                <td class="num"><a href=link1(FilterField::ReferredBy, Op::Is, id.clone()) aria-label=label>{n(l, c as f64)}</a></td>
                                <td class="num">{format::money(l, revenue, &cur)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        }
        .into_any(),
    )
}

// ---- 6C scorecard ----------------------------------------------------------------------

fn scorecard_part(r: Arc<Report>, l: Locale, t: &'static AnalyticsMsg, _app: AppState) -> Option<AnyView> {
    let s = &r.scorecard;
    let cur = r.currency.clone();
    let hours = |h: f64| fixed(l, h, 1);
    let customer = vec![
        fill(t.s_active, &[&n(l, s.active as f64), &n(l, s.active_before as f64)]),
        fill(t.s_new, &[&n(l, s.new_customers as f64)]),
    ];
    let mut cost = vec![match s.marketing_cost {
        Some(c) => fill(t.s_marketing, &[&format::money(l, c, &cur)]),
        None => t.s_no_marketing.to_string(),
    }];
    cost.push(fill(t.s_acquired, &[&n(l, s.acquired as f64), &format::money(l, s.acquired_revenue, &cur)]));
    if let Some(c) = s.acquisition_cost {
        cost.push(fill(t.s_cac, &[&format::money(l, c.round() as i64, &cur)]));
    }
    if let Some(x) = s.marketing_return {
        cost.push(fill(t.s_return, &[&fixed(l, x, 2)]));
    }
    let mut convenience = vec![if s.channels.is_empty() {
        t.s_no_channels.to_string()
    } else {
        let list = s.channels.iter().map(|(c, k)| format!("{} {}", channel_name(l, c), n(l, *k as f64))).collect::<Vec<_>>().join(", ");
        fill(t.s_channels, &[&list])
    }];
    if let Some(h) = s.resolution_hours {
        convenience.push(fill(t.s_resolution, &[&hours(h), &n(l, s.tickets_resolved as f64)]));
    }
    let mut communication = vec![fill(t.s_touches, &[&fixed(l, s.interactions_per_customer_month, 2)])];
    if let Some(h) = s.response_hours {
        communication.push(fill(t.s_response, &[&hours(h)]));
    }
    let mut content = vec![if s.campaign_interactions == 0 {
        t.s_no_campaigns.to_string()
    } else {
        fill(t.s_campaigns, &[&n(l, s.campaign_interactions as f64), &percent(l, s.campaign_share)])
    }];
    content.extend(s.campaigns.iter().take(5).map(|(c, k)| format!("{c}: {}", n(l, *k as f64))));
    let community = vec![fill(
        t.s_referred,
        &[&n(l, s.referred_customers as f64), &n(l, s.referrers as f64), &format::money(l, s.referred_revenue, &cur)],
    )];
    let cards = [
        ("customer", t.c_customer, customer),
        ("cost", t.c_cost, cost),
        ("convenience", t.c_convenience, convenience),
        ("communication", t.c_communication, communication),
        ("content", t.c_content, content),
        ("community", t.c_community, community),
    ];
    Some(
        view! {
            <ul class="sixc">
                {cards.into_iter().map(|(key, title, lines)| {
                    let id = format!("an-6c-{key}");
                    let labelled_by = id.clone();
                    view! {
                        <li>
                            <article class="c6" data-c=key aria-labelledby=labelled_by>
                                <h3 id=id>{title}</h3>
                                {lines.into_iter().map(|x| view! { <p>{x}</p> }).collect_view()}
                            </article>
                        </li>
                    }
                }).collect_view()}
            </ul>
        }
        .into_any(),
    )
}
