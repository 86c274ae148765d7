//! Runs the analytics of `crm_core::analytics` in the page without freezing it: the job takes
//! small steps for up to 5 ms, then yields until the browser has nothing more urgent (clicks,
//! typing and painting go first: `platform::yield_to_page`), and publishes its progress (at
//! most every 100 ms). A run
//! starts when a screen first needs figures ([`want`]) and again, a second after the data
//! settles, whenever customers or settings change (locally or by sync), so the figures follow
//! the data. A newer run supersedes an older one. A run over the same purchases as the last
//! one (an edit of a phone number, a note) takes the last fit instead of fitting again.

use crate::state::AppState;
use crm_core::analytics::fit::{FitProblem, Fitted};
use crm_core::analytics::{Job, Options, Phase, Report};
use crm_core::dates::Date;
use leptos::prelude::*;
use std::cell::Cell;
use std::sync::Arc;

/// What the user picked on the Analytics page.
#[derive(Clone, Debug, PartialEq)]
pub struct Choice {
    /// day since 1970-01-01; None = today
    pub as_of: Option<i32>,
    pub horizon_months: u32,
    /// a year, e.g. 0.10
    pub annual_discount: f64,
}

impl Default for Choice {
    fn default() -> Self {
        Self { as_of: None, horizon_months: 12, annual_discount: 0.10 }
    }
}

#[derive(Clone, Default)]
pub struct Analytics {
    /// the latest finished analysis
    pub report: Option<Arc<Report>>,
    /// the running analysis' phase and share done
    pub progress: Option<(Phase, f64)>,
    pub choice: Choice,
    /// the data or the choice changed since `report`: a new run is coming
    pub stale: bool,
    /// a screen has asked for figures (until then nothing runs)
    pub wanted: bool,
}

thread_local! {
    static RUN: Cell<u64> = const { Cell::new(0) };
    /// the last run's fit and the hash of what it was fitted on: a run over the same purchases
    /// (most edits) takes it instead of fitting again (`Job::reuse_fit`)
    static LAST_FIT: std::cell::RefCell<Option<(u64, Result<Fitted, FitProblem>)>> = const { std::cell::RefCell::new(None) };
}

/// Today in the user's time zone, as a day number.
pub fn today() -> i32 {
    let d = js_sys::Date::new_0();
    Date::new(d.get_full_year() as i32, d.get_month() + 1, d.get_date()).map(|d| d.to_days()).unwrap_or(0)
}

/// How long a run asked for by a screen waits, so the screen that asked paints first (opening
/// a customer must not share its first frames with the analysis).
const SETTLE_MS: u32 = 300;

/// Asks for figures: starts an analysis unless one is fresh or running.
pub fn want(app: AppState) {
    let (wanted, fresh, running) = app.analytics.with_untracked(|a| (a.wanted, a.report.is_some() && !a.stale, a.progress.is_some()));
    if !wanted {
        app.analytics.update(|a| a.wanted = true);
    }
    if !fresh && !running {
        start(app, SETTLE_MS);
    }
}

/// Analyses again with other options.
pub fn choose(app: AppState, choice: Choice) {
    app.analytics.update(|a| {
        a.choice = choice;
        a.stale = true;
        a.wanted = true;
    });
    start(app, 0);
}

/// Re-runs the analysis a second after customers or settings stop changing, once wanted.
pub fn follow_changes(app: AppState) {
    let first = Cell::new(true);
    Effect::new(move |_| {
        app.summaries.track();
        app.settings.track();
        if first.replace(false) || !app.analytics.with_untracked(|a| a.wanted) {
            return;
        }
        app.analytics.update(|a| a.stale = true);
        let gen = RUN.with(|r| r.get());
        leptos::task::spawn_local(async move {
            gloo_timers::future::TimeoutFuture::new(1_000).await;
            // nothing newer started meanwhile, and no further change re-armed the timer
            if RUN.with(|r| r.get()) == gen && app.analytics.with_untracked(|a| a.stale) {
                start(app, 0);
            }
        });
    });
}

/// Where the last fit is kept between visits, so the first analysis after a start takes it
/// too when the purchases are the same (the key covers every input of the fit, so another
/// workspace's or a changed history's fit is never taken).
const FIT_KEY: &str = "crm.analytics.last-fit";

fn stored_fit() -> Option<(u64, Result<Fitted, FitProblem>)> {
    let text = super::local_storage()?.get_item(FIT_KEY).ok()??;
    serde_json::from_str(&text).ok()
}

fn store_fit(fit: &(u64, Result<Fitted, FitProblem>)) {
    if let (Some(storage), Ok(text)) = (super::local_storage(), serde_json::to_string(fit)) {
        // a full storage only costs the next start a fit
        let _ = storage.set_item(FIT_KEY, &text);
    }
}

fn options(app: AppState) -> Options {
    let choice = app.analytics.with_untracked(|a| a.choice.clone());
    let mut o = Options::new(choice.as_of.unwrap_or_else(today));
    o.horizon_months = choice.horizon_months;
    o.annual_discount = choice.annual_discount;
    app.settings.with_untracked(|s| {
        o.tiers = s.tiers.iter().map(|t| (t.id.clone(), t.min_points)).collect();
        o.marketing = s.marketing_costs.iter().map(|(m, a)| (m.clone(), *a)).collect();
    });
    o
}

fn start(app: AppState, after_ms: u32) {
    let gen = RUN.with(|r| {
        r.set(r.get() + 1);
        r.get()
    });
    app.analytics.update(|a| a.progress = Some((Phase::Reading, 0.0)));
    leptos::task::spawn_local(async move {
        if after_ms > 0 {
            gloo_timers::future::TimeoutFuture::new(after_ms).await;
        }
        // the options and rows as they are now, not as they were when asked
        let opts = options(app);
        let rows = app.summaries.with_untracked(Vec::len);
        let mut job = Job::new(opts, rows);
        if let Some((key, fit)) = LAST_FIT.with(|f| f.borrow().clone()).or_else(stored_fit) {
            job.reuse_fit(key, fit);
        }
        // progress is shown at most every 100 ms: each update re-renders whoever shows it
        let mut shown = 0.0;
        loop {
            if RUN.with(|r| r.get()) != gen {
                return;
            }
            let t0 = js_sys::Date::now();
            let done = app.summaries.with_untracked(|all| loop {
                if let Some(r) = job.step(all) {
                    break Some(r);
                }
                if js_sys::Date::now() - t0 > 5.0 {
                    break None;
                }
            });
            match done {
                Some(report) => {
                    if let Some(key) = job.fit_key() {
                        let last = (key, report.fit.clone());
                        store_fit(&last);
                        LAST_FIT.with(|f| *f.borrow_mut() = Some(last));
                    }
                    app.analytics.update(|a| {
                        a.report = Some(Arc::new(report));
                        a.progress = None;
                        a.stale = false;
                    });
                    return;
                }
                None => {
                    if t0 - shown >= 100.0 {
                        shown = t0;
                        let p = job.progress();
                        app.analytics.update(|a| a.progress = Some(p));
                    }
                    crate::platform::yield_to_page().await;
                }
            }
        }
    });
}
