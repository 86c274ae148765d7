//! Analytics on real records: the CDNOW sample imported as orders reproduces the published
//! BG/NBD and Gamma-Gamma parameters (within 1% each), and every figure of the report follows
//! from the customers' orders, interactions, tickets, surveys and loyalty entries.

use crm_core::analytics::churn::Reason;
use crm_core::analytics::fit::FitProblem;
use crm_core::analytics::job::{lifetime_value, Job, Phase};
use crm_core::analytics::lifecycle::Stage;
use crm_core::analytics::rfm::Segment;
use crm_core::analytics::{run, Dimension, Options, Report};
use crm_core::customer::record::{Interaction, LoyaltyEntry, Order, Survey, Ticket};
use crm_core::dates::parse_ymd;
use crm_core::import::{guess_mapping, sniff, ImportJob, ImportKind};
use crm_core::merge::{ImportPlan, OnDuplicate, PlanOptions};
use crm_core::{Customer, Summary};

const DAY_MS: i64 = 86_400_000;

fn day(s: &str) -> i32 {
    parse_ymd(s).expect("date").to_days()
}

fn ms(s: &str) -> i64 {
    day(s) as i64 * DAY_MS + 10 * 3_600_000
}

/// The CDNOW sample read by the import (as the Import page does) into customers, and their rows.
fn cdnow() -> Vec<Summary> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/cdnow_sample_orders.csv");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("the CDNOW sample is needed at {path}: {e}"));
    let headers = sniff(&text, 0).expect("header").headers;
    let mut job = ImportJob::new(&text, ImportKind::Orders, &guess_mapping(ImportKind::Orders, &headers)).expect("mapping");
    let mut plan = ImportPlan::new(
        &[],
        PlanOptions {
            on_duplicate: OnDuplicate::Skip,
            currency: "USD".into(),
            now: 0,
            author: "test".into(),
            name_for_id: "Customer {}".into(),
        },
    );
    loop {
        let b = job.next_batch(1000);
        assert!(b.errors.is_empty());
        for r in b.records {
            plan.add(r).expect("row");
        }
        if b.done {
            break;
        }
    }
    let (new, _, _) = plan.into_parts();
    new.iter().enumerate().map(|(i, c)| Summary::of(&format!("c{i}"), c, 0)).collect()
}

fn within(name: &str, got: f64, want: f64, tol: f64) {
    let off = (got - want).abs() / want.abs();
    assert!(off <= tol, "{name} = {got}, published {want}: {:.3}% off (tolerance {}%)", off * 100.0, tol * 100.0);
}

/// Customer 00004 is the worked example of Fader, Hardie & Lee (x = 2, t_x = 30.43, T = 38.86).
/// Its lifetime value with the fitted parameters (12 months, 10% a year, as of 1997-09-30),
/// in US dollars; the end-to-end test reads the same figure off the customer's page.
pub const CDNOW_CLV_00004: f64 = 36.30;

#[test]
fn cdnow_reproduces_the_published_bgnbd_and_gamma_gamma_parameters() {
    let rows = cdnow();
    assert_eq!(rows.len(), 2357);
    let report = run(Options::new(day("1997-09-30")), &rows);
    let fit = report.fit.as_ref().expect("the models fit");
    let m = fit.bgnbd;
    // README of ../shared/data: Fader, Hardie & Lee (2005)
    within("r", m.r, 0.243, 0.01);
    within("alpha", m.alpha, 4.414, 0.01);
    within("a", m.a, 0.793, 0.01);
    within("b", m.b, 2.426, 0.01);
    within("log-likelihood", fit.ln_likelihood, -9582.4, 0.01);
    assert_eq!((fit.customers, fit.repeat_buyers), (2357, 946));
    let g = fit.spend.as_ref().expect("the spend model fits").model;
    within("p", g.p, 6.25, 0.01);
    within("q", g.q, 3.74, 0.01);
    within("gamma", g.gamma, 15.44, 0.01);
    assert_eq!(fit.spend.as_ref().unwrap().customers, 946);

    let i = rows.iter().position(|s| s.external_id == "00004").unwrap();
    let s = report.scores[i].as_ref().unwrap();
    println!("customer 00004: {s:?}");
    let clv = s.clv.expect("a lifetime value");
    within("CLV of 00004", clv, CDNOW_CLV_00004, 0.001);
    assert!(clv > 0.0 && s.p_alive.unwrap() > 0.0 && s.p_alive.unwrap() <= 1.0);
    // 00004 bought on 1997-01-01, 01-18 and 08-02 before the as-of date: x = 2
    assert_eq!(s.transactions, 3);
}

#[test]
fn orders_after_the_as_of_date_are_ignored() {
    let mut rows = cdnow();
    let before = run(Options::new(day("1997-09-30")), &rows);
    // a burst of purchases in 1998 by everyone changes nothing as of 1997-09-30
    for r in rows.iter_mut().take(500) {
        r.facts.orders.push((day("1998-03-01"), 10_000));
    }
    let after = run(Options::new(day("1997-09-30")), &rows);
    assert_eq!(before.fit, after.fit);
    assert_eq!(before.rfm_grid, after.rfm_grid);
    // and a later as-of date sees the whole history (the data runs to 1998-06-30)
    let later = run(Options::new(day("1998-06-30")), &cdnow());
    let fl = later.fit.as_ref().unwrap();
    assert!(fl.repeat_buyers > 946, "{}", fl.repeat_buyers);
}

#[test]
fn the_chunked_job_reports_progress_and_equals_the_whole_run() {
    let rows = cdnow();
    let opts = Options::new(day("1997-09-30"));
    let mut job = Job::new(opts.clone(), rows.len());
    let mut phases = Vec::new();
    let mut last = -1.0;
    let report = loop {
        let (phase, p) = job.progress();
        assert!(p >= last && p <= 1.0, "progress goes forward: {p} after {last}");
        last = p;
        if phases.last() != Some(&phase) {
            phases.push(phase);
        }
        if let Some(r) = job.step(&rows) {
            break r;
        }
    };
    assert_eq!(phases, [Phase::Reading, Phase::Fitting, Phase::Scoring, Phase::Summing]);
    assert_eq!(report, run(opts, &rows));
}

#[test]
fn report_totals_add_up() {
    let rows = cdnow();
    let r: Report = run(Options::new(day("1997-09-30")), &rows);
    assert_eq!((r.customers, r.buyers), (2357, 2357));
    assert_eq!(r.rfm_grid.iter().flatten().sum::<u32>(), 2357);
    let seg = r.segmentation(Dimension::Rfm).unwrap();
    assert_eq!(seg.rows.iter().map(|x| x.customers).sum::<u32>(), 2357);
    assert!(seg.rows.iter().any(|x| x.key == Segment::Champions.key() && x.customers > 0));
    assert_eq!(r.clv_bins.iter().map(|b| b.customers).sum::<u32>(), 2357);
    assert_eq!(r.lifecycle.now.iter().sum::<u32>(), 2357);
    assert_eq!(r.lifecycle.flow.iter().flatten().sum::<u32>(), 2357);
    assert_eq!(r.lifecycle.months.len(), 12);
    assert_eq!(r.lifecycle.months[11].0, "1997-09");
    // everyone first bought in Q1 1997: prospects in 1996's months... none before January
    assert_eq!(r.lifecycle.months[2].0, "1996-12");
    assert_eq!(r.lifecycle.months[2].1[Stage::Prospect.index()], 2357);
    assert_eq!(r.currency, "USD");
    let tiers = r.segmentation(Dimension::ValueTier).unwrap();
    let top = tiers.rows.iter().find(|x| x.key == "top").unwrap().customers;
    assert!((230..=240).contains(&top), "top 10%: {top}");
    assert!(r.at_risk.windows(2).all(|w| {
        let (a, b) = (r.scores[w[0]].as_ref().unwrap(), r.scores[w[1]].as_ref().unwrap());
        a.value_at_risk >= b.value_at_risk
    }));
}

#[test]
fn lifetime_value_without_discount_is_expected_purchases_times_spend() {
    let rows = cdnow();
    let r = run(Options::new(day("1997-09-30")), &rows);
    let m = r.fit.as_ref().unwrap().bgnbd;
    let h = crm_core::analytics::bgnbd::History { x: 2, tx: 30.43, t: 38.86 };
    let e = m.expected_purchases_given(12.0 * 30.0 / 7.0, &h);
    assert!((lifetime_value(&m, &h, 40.0, 12, 0.0) - 40.0 * e).abs() < 1e-9);
    assert!(lifetime_value(&m, &h, 40.0, 12, 0.1) < 40.0 * e);
    // Fader, Hardie & Lee (2005) worked example: this customer expects 1.226 purchases in the
    // next 39 weeks
    let e39 = crm_core::analytics::bgnbd::BgNbd { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }.expected_purchases_given(39.0, &h);
    assert!((e39 - 1.226).abs() < 0.005, "{e39}");
}

fn rows_of(customers: &[Customer]) -> Vec<Summary> {
    customers.iter().enumerate().map(|(i, c)| Summary::of(&format!("c{i}"), c, 0)).collect()
}

fn buyer(n: usize, first: &str, every_days: i32, count: usize, amount: i64) -> Customer {
    let start = day(first);
    Customer {
        name: format!("Buyer {n}"),
        orders: (0..count)
            .map(|k| Order {
                id: format!("{n}-{k}"),
                date: crm_core::dates::Date::from_days(start + k as i32 * every_days).to_string(),
                amount,
                currency: "CNY".into(),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}

#[test]
fn too_little_data_gives_a_clear_message_not_numbers() {
    let as_of = day("2024-06-30");
    // nobody
    let r = run(Options::new(as_of), &[]);
    assert!(matches!(r.fit, Err(FitProblem::TooFewCustomers { have: 0, .. })));
    // 30 one-off buyers: nothing to learn dropout from
    let once: Vec<Customer> = (0..30).map(|i| buyer(i, "2024-01-10", 0, 1, 1000)).collect();
    let r = run(Options::new(as_of), &rows_of(&once));
    assert_eq!(r.fit, Err(FitProblem::TooFewRepeatBuyers { have: 0, need: 10 }));
    assert!(r.fit.as_ref().unwrap_err().to_string().contains("bought more than once"));
    // the other figures are still there
    assert_eq!(r.rfm_grid.iter().flatten().sum::<u32>(), 30);
    assert!(r.scores.iter().all(|s| s.as_ref().unwrap().clv.is_none()));
    // everyone bought on the as-of date
    let today: Vec<Customer> = (0..30).map(|i| buyer(i, "2024-06-30", 0, 2, 1000)).collect();
    assert_eq!(run(Options::new(as_of), &rows_of(&today)).fit, Err(FitProblem::OneDayHistories));
}

#[test]
fn zero_and_negative_spend_is_left_out_of_the_spend_model_and_counted() {
    let mut rows = cdnow();
    let as_of = day("1997-09-30");
    let repeaters: Vec<usize> =
        (0..rows.len()).filter(|&i| crm_core::analytics::purchases::transactions(&rows[i].facts.orders, as_of).len() >= 3).take(4).collect();
    for &i in &repeaters[..3] {
        for o in rows[i].facts.orders.iter_mut() {
            o.1 = 0;
        }
    }
    // a refund bigger than the purchases
    rows[repeaters[3]].facts.orders.push((day("1997-09-01"), -1_000_000));
    let r = run(Options::new(day("1997-09-30")), &rows);
    let fit = r.fit.as_ref().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(fit.nonpositive_spend, 4);
    assert_eq!(fit.spend.as_ref().unwrap().customers, fit.repeat_buyers - 4);
    assert!(r.scores.iter().flatten().all(|s| s.clv.map_or(true, f64::is_finite)));
}

#[test]
fn a_workspace_where_nobody_ever_stops_buying_is_refused_with_a_reason() {
    // 60 clockwork customers: nothing tells buying apart from dropping out
    let cs: Vec<Customer> = (0..60).map(|i| buyer(i, "2024-01-05", 20 + (i % 7) as i32 * 9, 2 + i % 5, 500)).collect();
    let r = run(Options::new(day("2024-12-31")), &rows_of(&cs));
    match &r.fit {
        Err(FitProblem::NotIdentified { what }) => assert!(what.contains('='), "{what}"),
        other => panic!("{other:?}"),
    }
    assert!(r.scores.iter().flatten().all(|s| s.p_alive.is_none() && s.clv.is_none()));
}

#[test]
fn churn_reasons_come_from_the_customers_records() {
    let as_of = day("2024-06-30");
    let mut cs: Vec<Customer> = (0..40).map(|i| buyer(i, "2023-01-01", 30, 18, 10_000)).collect();
    // one regular buyer went quiet in September 2023, complains and is a detractor
    let q = &mut cs[0];
    q.orders.truncate(9);
    q.tickets.insert(
        "t".into(),
        Ticket { subject: "broken".into(), kind: "complaint".into(), status: "new".into(), created_at: ms("2024-06-01"), ..Default::default() },
    );
    q.surveys.push(Survey { id: "s".into(), at: ms("2024-05-01"), kind: "nps".into(), score: 2, comment: String::new() });
    for k in 0..8 {
        q.interactions.push(Interaction { id: format!("i{k}"), kind: "call".into(), at: ms("2024-02-01") + k * DAY_MS, ..Default::default() });
    }
    let r = run(Options::new(as_of), &rows_of(&cs));
    let s = r.scores[0].as_ref().unwrap();
    assert!(s.churn.score >= 50, "{s:?}");
    let kinds: Vec<&str> = s
        .churn
        .reasons
        .iter()
        .map(|x| match x {
            Reason::Overdue { .. } => "overdue",
            Reason::OpenComplaints { .. } => "complaint",
            Reason::Detractor { score: 2, .. } => "detractor",
            Reason::FewerInteractions { recent: 0, before: 8 } => "quieter",
            Reason::AliveFell { .. } | Reason::AliveLow { .. } => "alive",
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    for k in ["overdue", "complaint", "detractor", "quieter"] {
        assert!(kinds.contains(&k), "{k} in {kinds:?}");
    }
    assert_eq!(s.derived_stage, Stage::AtRisk, "10 months quiet against a monthly rhythm");
    assert_eq!(r.at_risk[0], 0, "the only customer at risk heads the list");
    let steady = r.scores[1].as_ref().unwrap();
    assert!(steady.churn.score < 50 && steady.churn.reasons.is_empty(), "{steady:?}");
}

#[test]
fn satisfaction_loyalty_referrals_lifecycle_override_and_the_scorecard() {
    let as_of = day("2024-06-30");
    let mut cs: Vec<Customer> = (0..30).map(|i| buyer(i, "2024-01-01", 25, 6, 20_000)).collect();
    let nps = |at: &str, score| Survey { id: format!("{at}{score}"), at: ms(at), kind: "nps".into(), score, comment: String::new() };
    cs[0].surveys = vec![nps("2024-06-02", 10), nps("2024-05-02", 3)];
    cs[1].surveys = vec![nps("2024-06-03", 9), Survey { id: "c".into(), at: ms("2024-06-04"), kind: "csat".into(), score: 4, comment: String::new() }];
    cs[2].surveys = vec![nps("2024-06-05", 5), nps("2023-01-01", 10)];
    cs[3].loyalty = vec![
        LoyaltyEntry { id: "a".into(), at: ms("2024-01-01"), points: 1500, reason: "buy".into(), expires: "2024-07-15".into() },
        LoyaltyEntry { id: "b".into(), at: ms("2024-02-01"), points: 400, reason: "buy".into(), expires: "2024-03-01".into() },
        LoyaltyEntry { id: "c".into(), at: ms("2024-08-01"), points: 9000, reason: "later".into(), expires: String::new() },
    ];
    cs[4].referred_by = "c5".into();
    cs[6].referred_by = "c5".into();
    cs[7].lifecycle = "at_risk".into();
    cs[8].interactions.push(Interaction { id: "x".into(), kind: "wechat".into(), direction: "in".into(), at: ms("2024-06-10"), campaign: "618 sale".into(), ..Default::default() });
    cs[8].interactions.push(Interaction { id: "y".into(), kind: "call".into(), direction: "out".into(), at: ms("2024-06-10") + 2 * 3_600_000, ..Default::default() });
    let mut opts = Options::new(as_of);
    opts.tiers = vec![("gold".into(), 5000), ("bronze".into(), 0), ("silver".into(), 1000)];
    opts.marketing = vec![("2024-03".into(), 300_000), ("2024-04".into(), 300_000), ("2022-01".into(), 999_999)];
    let r = run(opts, &rows_of(&cs));

    let june = r.satisfaction.months.last().unwrap();
    assert_eq!(june.month, "2024-06");
    // 10, 9 promoters; 5 detractor: (2 - 1) / 3
    assert_eq!((june.nps_answers, june.promoters, june.detractors), (3, 2, 1));
    assert!((june.nps.unwrap() - 100.0 / 3.0).abs() < 1e-9);
    assert_eq!((june.csat, june.csat_answers), (Some(4.0), 1));
    let may = &r.satisfaction.months[10];
    assert_eq!((may.month.as_str(), may.nps), ("2024-05", Some(-100.0)));
    assert_eq!(r.satisfaction.total.nps_answers, 4, "the 2023 answer is outside the last 12 months");

    let l = &r.scores[3].as_ref().unwrap().loyalty;
    assert_eq!((l.balance, l.tier, l.expiring), (1500, Some(2), 1500), "expired and later points do not count; silver");
    assert_eq!(r.loyalty.tiers, vec![0, 29, 1], "everyone else has 0 points: bronze, as on the customer page");

    assert_eq!(r.referrers.len(), 1);
    assert_eq!((r.referrers[0].id.as_str(), r.referrers[0].customers, r.referrers[0].revenue), ("c5", 2, 240_000));

    let s7 = r.scores[7].as_ref().unwrap();
    assert_eq!((s7.stage, s7.overridden), (Stage::AtRisk, true));
    assert_ne!(s7.derived_stage, Stage::AtRisk);

    let c = &r.scorecard;
    assert_eq!(c.acquired, 30);
    assert_eq!(c.marketing_cost, Some(600_000));
    assert_eq!(c.acquisition_cost, Some(20_000.0));
    assert!((c.marketing_return.unwrap() - 30.0 * 120_000.0 / 600_000.0).abs() < 1e-9);
    assert_eq!(c.channels, vec![("call".to_string(), 1), ("wechat".to_string(), 1)]);
    assert_eq!(c.response_hours, Some(2.0));
    assert_eq!((c.campaign_interactions, c.campaigns.clone()), (1, vec![("618 sale".to_string(), 1)]));
    assert_eq!((c.referrers, c.referred_customers), (1, 2));
}

#[test]
fn every_segment_of_the_report_is_a_view_that_lists_its_customers() {
    use crm_core::views::{apply_scored, name_ranks, Filter, FilterField, Op, ViewSpec};
    let rows = cdnow();
    let r = run(Options::new(day("1997-09-30")), &rows);
    let ranks = name_ranks(&rows);
    let count = |filters: Vec<Filter>| {
        // a view goes through JSON when it is saved or put in a link
        let spec = ViewSpec::from_json(&ViewSpec { filters, ..Default::default() }.to_json()).unwrap();
        apply_scored(&spec, &rows, &ranks, &r.scores).len() as u32
    };
    let f = |field, op, v: &str| Filter { field, op, value: v.into() };
    for row in &r.segmentation(Dimension::Rfm).unwrap().rows {
        assert_eq!(count(vec![f(FilterField::RfmSegment, Op::Is, &row.key)]), row.customers, "{}", row.key);
    }
    assert_eq!(count(vec![f(FilterField::RfmCell, Op::Is, "5,5")]), r.rfm_grid[4][4]);
    assert_eq!(count(vec![f(FilterField::ChurnRisk, Op::After, "49")]), r.at_risk_total);
    for (k, stage) in Stage::ALL.iter().enumerate() {
        assert_eq!(count(vec![f(FilterField::LifecycleStage, Op::Is, stage.key())]), r.lifecycle.now[k]);
        assert_eq!(
            count(vec![f(FilterField::StageBefore, Op::Is, Stage::AtRisk.key()), f(FilterField::LifecycleStage, Op::Is, stage.key())]),
            r.lifecycle.flow[Stage::AtRisk.index()][k]
        );
    }
    let bin = &r.clv_bins[1];
    let in_bin = count(vec![f(FilterField::Clv, Op::After, &format!("{}", bin.lo - 1e-9)), f(FilterField::Clv, Op::Before, &format!("{}", bin.hi))]);
    assert_eq!(in_bin, bin.customers);
    for row in &r.segmentation(Dimension::ValueTier).unwrap().rows {
        assert_eq!(count(vec![f(FilterField::ValueTier, Op::Is, &row.key)]), row.customers);
    }
    // without figures the analytics filters admit no one (the list says figures are coming)
    let spec = ViewSpec { filters: vec![f(FilterField::RfmSegment, Op::Is, "champions")], ..Default::default() };
    assert!(apply_scored(&spec, &rows, &ranks, &[]).is_empty());
}

#[test]
fn a_longer_horizon_is_worth_more_and_stays_finite() {
    let rows = cdnow();
    let i = rows.iter().position(|s| s.external_id == "00004").unwrap();
    let clv = |months| {
        let mut o = Options::new(day("1997-09-30"));
        o.horizon_months = months;
        let r = run(o, &rows);
        assert!(r.scores.iter().flatten().all(|s| s.clv.is_some_and(f64::is_finite)), "{months} months");
        r.scores[i].as_ref().unwrap().clv.unwrap()
    };
    let (one, ten, capped) = (clv(12), clv(120), clv(10_000));
    assert!(ten > one, "{ten} > {one}");
    assert_eq!(capped, ten, "the horizon is capped at ten years");
}

/// Runs a job to its report, offering `previous` (a fit and its key); returns the report, the
/// job's fit key, and how many steps it took.
fn run_reusing(opts: Options, rows: &[Summary], previous: Option<(u64, Result<crm_core::analytics::fit::Fitted, FitProblem>)>) -> (Report, u64, usize) {
    let mut job = Job::new(opts, rows.len());
    if let Some((key, fit)) = previous {
        job.reuse_fit(key, fit);
    }
    let mut steps = 0;
    loop {
        steps += 1;
        if let Some(r) = job.step(rows) {
            return (r, job.fit_key().expect("read"), steps);
        }
    }
}

#[test]
fn a_run_over_the_same_purchases_takes_the_previous_fit_and_any_other_fits_again() {
    let mut rows = cdnow();
    let opts = Options::new(day("1997-09-30"));
    let (first, key, fitting_steps) = run_reusing(opts.clone(), &rows, None);
    // a change that leaves the purchases alone (a phone number, a note): the same fit, taken
    rows[3].phone = "+1 555 0100".into();
    let (again, key2, steps) = run_reusing(opts.clone(), &rows, Some((key, first.fit.clone())));
    assert_eq!(key2, key);
    assert_eq!(again, first);
    assert!(steps * 2 < fitting_steps, "no fitting: {steps} steps against {fitting_steps}");
    // one more order before the as-of date: another key, and a fit of the new data
    rows[3].facts.orders.push((day("1997-09-01"), 5_000));
    let (changed, key3, _) = run_reusing(opts.clone(), &rows, Some((key, first.fit.clone())));
    assert_ne!(key3, key);
    assert_eq!(changed.fit, run(opts, &rows).fit);
    assert_ne!(changed.fit, first.fit);
}
