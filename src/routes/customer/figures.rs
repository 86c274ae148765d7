//! The customer's figures from the latest analysis (the Analytics page's report): lifetime
//! value, probability still buying, expected purchases, churn risk with its reasons, RFM
//! segment and scores, lifecycle stage (derived, or set by hand), value tier and loyalty.

use super::{use_page, Section};
use crate::i18n::analytics::{
    day_name, fixed, percent, reason, segment_name, stage_name, value_tier_name, AnalyticsMsg,
};
use crate::i18n::{fill, format};
use crate::platform::analytics::want;
use crate::routes::analytics::{major, tier_names, use_report};
use leptos::prelude::*;

#[component]
pub fn FiguresSection() -> impl IntoView {
    let page = use_page();
    let app = page.app;
    want(app);
    let report = use_report(app);
    let title = Signal::derive(move || AnalyticsMsg::of(page.locale.get()).figures.to_string());
    let body = move || {
        let l = page.l();
        let t = AnalyticsMsg::of(l);
        let progress = app.analytics.with(|a| a.progress);
        let Some(r) = report.get().map(|r| r.0) else {
            let text = match progress {
                Some((_, done)) => format!("{} {}", t.waiting, percent(l, done)),
                None => t.waiting.to_string(),
            };
            return view! { <p class="empty" role="status">{text}</p> }.into_any();
        };
        let id = page.doc.get().map(|d| d.to_string()).unwrap_or_default();
        let row = app.positions.with_value(|p| p.get(&id).copied());
        let Some(s) = row.and_then(|i| r.scores.get(i).cloned().flatten()) else {
            return view! { <p class="empty">{t.waiting}</p> }.into_any();
        };
        let cur = r.currency.clone();
        let as_of = day_name(l, r.options.as_of);
        let unknown = t.f_unknown;
        let stage = if s.overridden {
            format!("{} ({})", stage_name(l, s.stage), fill(t.f_set_by_hand, &[&stage_name(l, s.derived_stage)]))
        } else {
            stage_name(l, s.stage).to_string()
        };
        let tier = s
            .loyalty
            .tier
            .and_then(|i| tier_names(app, l, &r).get(i).cloned())
            .unwrap_or_else(|| t.no_tier.to_string());
        let segment = match (s.segment, s.rfm) {
            (Some(seg), Some(rfm)) => format!("{} · {}", segment_name(l, seg), fill(t.f_scores, &[&rfm.r, &rfm.f, &rfm.m])),
            _ => unknown.to_string(),
        };
        let bought = s.transactions > 0;
        let reasons: Vec<String> = s.churn.reasons.iter().map(|x| reason(l, x)).collect();
        view! {
            <p class="hint">
                {fill(t.f_as_of, &[&as_of])}
                <a href="/analytics">{t.f_open_analytics}</a>
            </p>
            {(!bought).then(|| view! { <p class="empty">{fill(t.f_no_purchase, &[&as_of])}</p> })}
            <dl class="facts figures">
                <dt>{fill(t.f_clv, &[&format::number(l, r.options.horizon_months as f64)])}</dt>
                <dd data-figure="clv" data-value=s.clv.map(|v| v.to_string()).unwrap_or_default()>
                    {s.clv.map(|v| major(l, v, &cur)).unwrap_or_else(|| unknown.to_string())}
                </dd>
                <dt>{t.f_alive}</dt>
                <dd data-figure="p_alive" data-value=s.p_alive.map(|v| v.to_string()).unwrap_or_default()>
                    {s.p_alive.map(|v| percent(l, v)).unwrap_or_else(|| unknown.to_string())}
                </dd>
                <dt>{t.f_expected}</dt>
                <dd data-figure="expected_90d" data-value=s.expected_90d.map(|v| v.to_string()).unwrap_or_default()>
                    {s.expected_90d.map(|v| fixed(l, v, 2)).unwrap_or_else(|| unknown.to_string())}
                </dd>
                <dt>{t.f_churn}</dt>
                <dd data-figure="churn" data-value=s.churn.score.to_string()>
                    {fill(t.risk_score, &[&s.churn.score])}
                    {if reasons.is_empty() {
                        view! { <span class="meta">{format!(" · {}", t.f_no_reasons)}</span> }.into_any()
                    } else {
                        view! { <ul class="reasons">{reasons.into_iter().map(|x| view! { <li>{x}</li> }).collect_view()}</ul> }.into_any()
                    }}
                </dd>
                <dt>{t.f_segment}</dt>
                <dd data-figure="segment" data-value=s.segment.map(|x| x.key()).unwrap_or_default()>{segment}</dd>
                <dt>{t.f_stage}</dt>
                <dd data-figure="stage" data-value=s.stage.key()>{stage}</dd>
                <dt>{t.f_value_tier}</dt>
                <dd data-figure="value_tier" data-value=s.value_tier.key()>{value_tier_name(l, s.value_tier)}</dd>
                <dt>{t.f_tier}</dt>
                <dd data-figure="loyalty_tier">{tier}</dd>
                <dt>{t.f_balance}</dt>
                <dd data-figure="points">{format::number(l, s.loyalty.balance as f64)}</dd>
                <dt>{t.f_expiring}</dt>
                <dd data-figure="expiring">{format::number(l, s.loyalty.expiring as f64)}</dd>
            </dl>
        }
        .into_any()
    };
    view! {
        <Section id="figures" title=title>
            {body}
        </Section>
    }
}
