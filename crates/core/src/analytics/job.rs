//! An analysis run in small steps: read the rows, fit the models (one optimiser iteration per
//! step), score the customers (a few hundred per step), then sum up. The app calls
//! [`Job::step`] until it has used a few milliseconds and then yields to the page, so a
//! workspace of 100k customers never freezes it (DESIGN.md section 10); natively [`run`]
//! does it all at once.

use super::bgnbd::{BgNbd, History};
use super::churn::{self, Signals};
use super::fit::{FitProblem, Fitted, Fitter};
use super::gamma_gamma::{GammaGamma, Spend};
use super::lifecycle::{self, Stage};
use super::purchases::{history, transactions, DAYS_PER_WEEK};
use super::report::*;
use super::rfm::{self, Segment};
use crate::customer::Summary;
use crate::dates::{days_in_month, Date};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Phase {
    Reading,
    Fitting,
    Scoring,
    Summing,
}

const DAY_MS: i64 = 86_400_000;
const READ_CHUNK: usize = 4_000;
/// Customers scored per step at a 12-month horizon (fewer for longer horizons: each month is
/// one more series per customer).
const SCORE_CHUNK: usize = 400;
/// Days of the window churn and lifecycle compare against ("90 days before").
pub const WINDOW: i32 = 90;
/// Days ahead for "expected purchases".
pub const AHEAD_DAYS: i32 = 90;

/// What one customer contributes, read from their row.
struct Row {
    index: usize,
    tx: Vec<(i32, i64)>,
    model: Option<(History, Spend)>,
}

pub struct Job {
    opts: Options,
    phase: Phase,
    next: usize,
    rows: Vec<Row>,
    total: usize,
    fitter: Option<Fitter>,
    fit: Option<Result<Fitted, FitProblem>>,
    /// what the models are fitted on, as a hash (set once reading is done), and a previous
    /// run's fit of exactly that, to take instead of fitting again
    fit_key: Option<u64>,
    previous_fit: Option<(u64, Result<Fitted, FitProblem>)>,
    scores: Vec<Option<Scores>>,
    /// per row: derived stage at each of the 12 month ends
    month_stages: Vec<[u8; 12]>,
    month_ends: Vec<(String, i32)>,
    /// the summing steps done: RFM, then one per segmentation, then the rest
    summed: usize,
    rfm_grid: [[u32; 5]; 5],
    clv_bins: Vec<Bin>,
    buyers: u32,
    segments: Vec<Segmentation>,
}

fn day_of(ms: i64) -> i32 {
    ms.div_euclid(DAY_MS) as i32
}

/// The ends of the 12 months up to the as-of date (the last one is the as-of date itself).
pub fn month_ends(as_of: i32) -> Vec<(String, i32)> {
    let d = Date::from_days(as_of);
    let (mut y, mut m) = (d.y, d.m as i32);
    let mut out = Vec::new();
    for k in 0..12 {
        let label = format!("{y:04}-{m:02}");
        let end = if k == 0 { as_of } else { Date { y, m: m as u32, d: days_in_month(y, m as u32) }.to_days() };
        out.push((label, end));
        m -= 1;
        if m == 0 {
            m = 12;
            y -= 1;
        }
    }
    out.reverse();
    out
}

/// A hash of the models' inputs, in order (FNV-1a over their bits: stable across runs and
/// platforms, unlike std's randomly keyed hasher).
fn fit_key(hs: &[History], ss: &[Spend]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |v: u64| {
        for b in v.to_le_bytes() {
            h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
        }
    };
    eat(hs.len() as u64);
    for x in hs {
        eat(x.x as u64);
        eat(x.tx.to_bits());
        eat(x.t.to_bits());
    }
    eat(ss.len() as u64);
    for x in ss {
        eat(x.x as u64);
        eat(x.m.to_bits());
    }
    h
}

impl Job {
    /// An analysis of `rows` summary rows (deleted ones are skipped).
    pub fn new(mut opts: Options, rows: usize) -> Self {
        opts.horizon_months = opts.horizon_months.clamp(1, MAX_HORIZON_MONTHS);
        let month_ends = month_ends(opts.as_of);
        Self {
            opts,
            phase: Phase::Reading,
            next: 0,
            rows: Vec::new(),
            total: rows,
            fitter: None,
            fit: None,
            fit_key: None,
            previous_fit: None,
            scores: vec![None; rows],
            month_stages: Vec::new(),
            month_ends,
            summed: 0,
            rfm_grid: [[0; 5]; 5],
            clv_bins: Vec::new(),
            buyers: 0,
            segments: Vec::new(),
        }
    }

    /// Offers the fit of an earlier run (`key` = its [`Job::fit_key`]): when this run's models
    /// come from exactly the same histories and spends, it is taken as it is instead of fitting
    /// again (most changes, a phone number, a note, leave the purchases alone, and the fit is
    /// by far the costliest part of a run).
    pub fn reuse_fit(&mut self, key: u64, fit: Result<Fitted, FitProblem>) {
        self.previous_fit = Some((key, fit));
    }

    /// The hash of what the models were fitted on, once the rows are read.
    pub fn fit_key(&self) -> Option<u64> {
        self.fit_key
    }

    /// The phase and the share of the whole job done (0 to 1).
    pub fn progress(&self) -> (Phase, f64) {
        let frac = |a: usize, b: usize| if b == 0 { 1.0 } else { a as f64 / b as f64 };
        let p = match self.phase {
            Phase::Reading => 0.1 * frac(self.next, self.total),
            Phase::Fitting => 0.1 + 0.4 * self.fitter.as_ref().map(|f| f.progress()).unwrap_or(1.0),
            Phase::Scoring => 0.5 + 0.45 * frac(self.next, self.rows.len()),
            Phase::Summing => 0.95 + 0.05 * frac(self.summed, Dimension::ALL.len() + 2),
        };
        (self.phase, p)
    }

    /// A small piece of work. `summaries` must be the rows the job was made for (rows may
    /// have been replaced by newer versions meanwhile; the next run picks those up).
    pub fn step(&mut self, summaries: &[Summary]) -> Option<Report> {
        let as_of = self.opts.as_of;
        match self.phase {
            Phase::Reading => {
                let end = (self.next + READ_CHUNK).min(self.total).min(summaries.len());
                for (index, s) in summaries.iter().enumerate().take(end).skip(self.next) {
                    if s.is_deleted() {
                        continue;
                    }
                    let tx = transactions(&s.facts.orders, as_of);
                    let model = history(&tx, as_of, self.opts.minor_per_major);
                    self.rows.push(Row { index, tx, model });
                }
                self.next = end;
                if end >= self.total.min(summaries.len()) {
                    let hs: Vec<History> = self.rows.iter().filter_map(|r| r.model.map(|m| m.0)).collect();
                    let ss: Vec<Spend> = self.rows.iter().filter_map(|r| r.model.map(|m| m.1)).filter(|s| s.x > 0).collect();
                    let key = fit_key(&hs, &ss);
                    self.fit_key = Some(key);
                    match self.previous_fit.take() {
                        Some((k, fit)) if k == key => self.fit = Some(fit),
                        _ => match Fitter::new(&hs, &ss) {
                            Ok(f) => self.fitter = Some(f),
                            Err(e) => self.fit = Some(Err(e)),
                        },
                    }
                    self.phase = Phase::Fitting;
                    self.next = 0;
                }
                None
            }
            Phase::Fitting => {
                if let Some(f) = self.fitter.as_mut() {
                    for _ in 0..2 {
                        if let Some(r) = f.step() {
                            self.fit = Some(r);
                            break;
                        }
                    }
                }
                if self.fit.is_some() {
                    self.phase = Phase::Scoring;
                }
                None
            }
            Phase::Scoring => {
                let chunk = (SCORE_CHUNK * 12 / self.opts.horizon_months.max(1) as usize).clamp(20, SCORE_CHUNK);
                let end = (self.next + chunk).min(self.rows.len());
                let models = self.models();
                for k in self.next..end {
                    let (scores, months) = self.score(&self.rows[k], &summaries[self.rows[k].index], models);
                    self.scores[self.rows[k].index] = Some(scores);
                    self.month_stages.push(months);
                }
                self.next = end;
                if end >= self.rows.len() {
                    self.phase = Phase::Summing;
                }
                None
            }
            Phase::Summing => {
                let k = self.summed;
                self.summed += 1;
                match k {
                    0 => self.sum_rfm(),
                    k if k <= Dimension::ALL.len() => {
                        let seg = self.segmentation(Dimension::ALL[k - 1], summaries);
                        self.segments.push(seg);
                    }
                    _ => return Some(self.sum(summaries)),
                }
                None
            }
        }
    }

    fn models(&self) -> (Option<BgNbd>, Option<GammaGamma>) {
        match &self.fit {
            Some(Ok(f)) => (Some(f.bgnbd), f.spend.as_ref().ok().map(|s| s.model)),
            _ => (None, None),
        }
    }

    fn score(&self, row: &Row, s: &Summary, (bg, gg): (Option<BgNbd>, Option<GammaGamma>)) -> (Scores, [u8; 12]) {
        let o = &self.opts;
        let as_of = o.as_of;
        let before = as_of - WINDOW;
        let end_ms = (as_of as i64 + 1) * DAY_MS;
        let f = &s.facts;
        let tx = &row.tx;
        // the same customer 90 days before
        let tx_before = transactions(tx, before);

        let p_alive = bg.zip(row.model).map(|(m, (h, _))| m.p_alive(&h));
        let p_alive_before =
            bg.and_then(|m| history(&tx_before, before, o.minor_per_major).map(|(h, _)| m.p_alive(&h)));
        let expected_90d = bg.zip(row.model).map(|(m, (h, _))| m.expected_purchases_given(AHEAD_DAYS as f64 / DAYS_PER_WEEK, &h));
        let expected_spend = gg.zip(row.model).map(|(g, (_, sp))| g.expected_spend(&sp));
        let clv = match (bg, row.model, expected_spend) {
            (Some(m), Some((h, _)), Some(spend)) => Some(lifetime_value(&m, &h, spend, o.horizon_months, o.annual_discount)),
            _ => None,
        };

        let days: Vec<i32> = tx.iter().map(|t| t.0).collect();
        let usual = lifecycle::usual_gap(&days);
        let touches = |from: i32, to: i32| f.touches.iter().filter(|t| day_of(t.0) > from && day_of(t.0) <= to).count() as u32;
        let complaints: Vec<_> = f.tickets.iter().filter(|t| t.complaint && t.created < end_ms).collect();
        let open_complaints =
            complaints.iter().filter(|t| t.open || (t.resolved > 0 && t.resolved >= end_ms)).count() as u32;
        let days_since_complaint = complaints.iter().map(|t| as_of - day_of(t.created)).min();
        let last_nps = f
            .surveys
            .iter()
            .filter(|(at, nps, _)| *nps && *at < end_ms && day_of(*at) > as_of - 365)
            .max_by_key(|(at, _, _)| *at)
            .map(|(at, _, score)| (*score, day_of(*at)));
        let churn = churn::assess(&Signals {
            p_alive_now: p_alive,
            p_alive_before,
            days_since_purchase: days.last().map(|d| as_of - d),
            usual_gap: usual,
            touches_recent: touches(before, as_of),
            touches_before: touches(before - WINDOW, before),
            open_complaints,
            days_since_complaint,
            last_nps,
        });
        let value_at_risk = clv.unwrap_or(0.0).max(0.0) * churn.score as f64 / 100.0;

        let derived_stage = lifecycle::derive(tx, as_of);
        let overridden_to = Stage::from_key(s.lifecycle.trim());
        let stage_before = lifecycle::derive(&tx_before, before);
        let mut months = [0u8; 12];
        for (k, (_, end)) in self.month_ends.iter().enumerate() {
            months[k] = lifecycle::derive(&transactions(tx, *end), *end).index() as u8;
        }

        // loyalty: earned points count until they expire
        let soon = as_of + 30;
        let mut balance = 0i64;
        let mut expiring = 0i64;
        for &(_, points, expires) in f.loyalty.iter().filter(|e| e.0 < end_ms) {
            if points > 0 && expires > 0 && expires <= as_of {
                continue;
            }
            balance += points;
            if points > 0 && expires > as_of && expires <= soon {
                expiring += points;
            }
        }
        let balance = balance.max(0);
        // the same rule as the customer page (`Settings::tier_for`): the highest tier reached
        let tier = o
            .tiers
            .iter()
            .enumerate()
            .filter(|(_, (_, min))| balance >= *min)
            .max_by_key(|(_, (_, min))| *min)
            .map(|(i, _)| i);
        let scores = Scores {
            transactions: tx.len() as u32,
            revenue: tx.iter().map(|t| t.1).sum(),
            last_purchase: days.last().copied(),
            rfm: None,
            segment: None,
            p_alive,
            expected_90d,
            expected_spend,
            clv,
            churn,
            value_at_risk,
            stage: overridden_to.unwrap_or(derived_stage),
            derived_stage,
            overridden: overridden_to.is_some(),
            stage_before,
            value_tier: ValueTier::None,
            loyalty: Loyalty { balance, tier, expiring: expiring.min(balance) },
        };
        (scores, months)
    }

    /// RFM scores and segments, value tiers and the lifetime value bins (they need every
    /// customer scored first).
    fn sum_rfm(&mut self) {
        let as_of = self.opts.as_of;
        // RFM over the buyers
        let buyers: Vec<usize> = self.rows.iter().map(|r| r.index).filter(|&i| self.scores[i].as_ref().is_some_and(|s| s.transactions > 0)).collect();
        let input: Vec<(i32, u32, i64)> = buyers
            .iter()
            .map(|&i| {
                let s = self.scores[i].as_ref().unwrap();
                (as_of - s.last_purchase.unwrap_or(as_of), s.transactions, s.revenue)
            })
            .collect();
        let mut rfm_grid = [[0u32; 5]; 5];
        for (k, r) in rfm::score(&input).into_iter().enumerate() {
            let s = self.scores[buyers[k]].as_mut().unwrap();
            s.rfm = Some(r);
            s.segment = Some(r.segment());
            rfm_grid[r.r as usize - 1][r.fm() as usize - 1] += 1;
        }
        // value tiers by lifetime value
        let mut by_clv: Vec<(usize, f64)> =
            buyers.iter().filter_map(|&i| self.scores[i].as_ref().unwrap().clv.map(|c| (i, c))).collect();
        by_clv.sort_by(|a, b| b.1.total_cmp(&a.1));
        let n = by_clv.len() as f64;
        for (rank, (i, _)) in by_clv.iter().enumerate() {
            let q = rank as f64 / n;
            self.scores[*i].as_mut().unwrap().value_tier =
                if q < 0.1 { ValueTier::Top } else if q < 0.3 { ValueTier::High } else if q < 0.6 { ValueTier::Medium } else { ValueTier::Low };
        }
        let clv_bins = clv_bins(&by_clv.iter().map(|x| x.1).collect::<Vec<_>>());
        self.rfm_grid = rfm_grid;
        self.clv_bins = clv_bins;
        self.buyers = buyers.len() as u32;
    }

    /// One segmentation: customers, revenue and lifetime value per group.
    fn segmentation(&self, d: Dimension, summaries: &[Summary]) -> Segmentation {
        let mut m: HashMap<String, SegmentRow> = HashMap::new();
        for r in &self.rows {
            let s = self.scores[r.index].as_ref().unwrap();
            let k = key_of(d, s, &summaries[r.index]);
            let e = m.entry(k.clone()).or_insert_with(|| SegmentRow { key: k, ..Default::default() });
            e.customers += 1;
            e.revenue += s.revenue;
            e.clv += s.clv.unwrap_or(0.0);
        }
        let mut rows: Vec<SegmentRow> = m.into_values().collect();
        rows.sort_by(|a, b| b.customers.cmp(&a.customers).then(b.revenue.cmp(&a.revenue)).then(a.key.cmp(&b.key)));
        rows.truncate(50);
        Segmentation { dimension: d, rows }
    }

    fn sum(&mut self, summaries: &[Summary]) -> Report {
        let o = self.opts.clone();
        let as_of = o.as_of;
        let live: Vec<usize> = self.rows.iter().map(|r| r.index).collect();
        let sc = |i: usize| self.scores[i].as_ref().unwrap();
        let key_of = |d: Dimension, i: usize| key_of(d, sc(i), &summaries[i]);

        // churn
        let mut at_risk: Vec<usize> = live.iter().copied().filter(|&i| sc(i).churn.score >= churn::AT_RISK).collect();
        at_risk.sort_by(|&a, &b| sc(b).value_at_risk.total_cmp(&sc(a).value_at_risk).then(sc(b).churn.score.cmp(&sc(a).churn.score)));
        let at_risk_total = at_risk.len() as u32;
        let value_at_risk = at_risk.iter().map(|&i| sc(i).value_at_risk).sum();
        at_risk.truncate(200);

        // lifecycle
        let mut lc = Lifecycle::default();
        for &i in &live {
            let s = sc(i);
            lc.now[s.stage.index()] += 1;
            lc.flow[s.stage_before.index()][s.derived_stage.index()] += 1;
        }
        lc.months = self
            .month_ends
            .iter()
            .enumerate()
            .map(|(k, (label, _))| {
                let mut c = [0u32; 7];
                for m in &self.month_stages {
                    c[m[k] as usize] += 1;
                }
                (label.clone(), c)
            })
            .collect();

        // satisfaction
        let first_ms = (self.month_ends[0].1 - days_in_month(Date::from_days(self.month_ends[0].1).y, Date::from_days(self.month_ends[0].1).m) as i32 + 1) as i64 * DAY_MS;
        let end_ms = (as_of as i64 + 1) * DAY_MS;
        let month_of = |ms: i64| -> Option<usize> {
            if ms < first_ms || ms >= end_ms {
                return None;
            }
            let d = day_of(ms);
            self.month_ends.iter().position(|(_, end)| d <= *end)
        };
        let mut acc = vec![Acc::default(); 12];
        let mut total = Acc::default();
        let by_dims = [Dimension::Rfm, Dimension::Lifecycle, Dimension::Province];
        let mut by: Vec<BTreeMap<String, Acc>> = vec![BTreeMap::new(); by_dims.len()];
        for &i in &live {
            for &(at, nps, score) in &summaries[i].facts.surveys {
                if let Some(k) = month_of(at) {
                    acc[k].add(nps, score);
                    total.add(nps, score);
                    for (j, d) in by_dims.iter().enumerate() {
                        by[j].entry(key_of(*d, i)).or_default().add(nps, score);
                    }
                }
            }
        }
        let satisfaction = Satisfaction {
            months: acc
                .iter()
                .zip(&self.month_ends)
                .map(|(a, (label, _))| SatisfactionMonth {
                    month: label.clone(),
                    nps: a.nps(),
                    nps_answers: a.nps_n,
                    promoters: a.promoters,
                    detractors: a.detractors,
                    csat: a.csat(),
                    csat_answers: a.csat_n,
                })
                .collect(),
            total: total.row(String::new()),
            by: by_dims
                .iter()
                .zip(by)
                .map(|(d, m)| (*d, m.into_iter().map(|(k, a)| a.row(k)).collect()))
                .collect(),
        };

        // loyalty
        let mut loyalty = LoyaltyReport { tiers: vec![0; o.tiers.len()], ..Default::default() };
        for &i in &live {
            let l = &sc(i).loyalty;
            if let Some(t) = l.tier {
                loyalty.tiers[t] += 1;
            }
            if l.balance > 0 {
                loyalty.members += 1;
                loyalty.points += l.balance;
            }
            if l.expiring > 0 {
                loyalty.expiring += l.expiring;
                loyalty.expiring_customers += 1;
            }
        }

        // referrals
        let mut refs: BTreeMap<&str, Referrer> = BTreeMap::new();
        for &i in &live {
            let by = summaries[i].facts.referred_by.trim();
            if by.is_empty() {
                continue;
            }
            let e = refs.entry(by).or_insert_with(|| Referrer { id: by.to_string(), ..Default::default() });
            e.customers += 1;
            e.revenue += sc(i).revenue;
        }
        let mut referrers: Vec<Referrer> = refs.into_values().collect();
        referrers.sort_by(|a, b| b.revenue.cmp(&a.revenue).then(b.customers.cmp(&a.customers)));

        let scorecard = self.scorecard(summaries, &live, &referrers);
        let fit = self.fit.clone().unwrap_or(Err(FitProblem::TooFewCustomers { have: 0, need: super::fit::MIN_CUSTOMERS }));
        let mut currencies: HashMap<&str, usize> = HashMap::new();
        for &i in &live {
            if !summaries[i].facts.currency.is_empty() {
                *currencies.entry(summaries[i].facts.currency.as_str()).or_default() += 1;
            }
        }
        Report {
            currency: currencies.into_iter().max_by_key(|(c, n)| (*n, std::cmp::Reverse(*c))).map(|(c, _)| c.to_string()).unwrap_or_default(),
            options: o,
            customers: live.len() as u32,
            buyers: self.buyers,
            fit,
            scores: std::mem::take(&mut self.scores),
            rfm_grid: self.rfm_grid,
            clv_bins: std::mem::take(&mut self.clv_bins),
            at_risk,
            at_risk_total,
            value_at_risk,
            lifecycle: lc,
            segments: std::mem::take(&mut self.segments),
            satisfaction,
            loyalty,
            referrers,
            scorecard,
        }
    }

    fn scorecard(&self, summaries: &[Summary], live: &[usize], referrers: &[Referrer]) -> Scorecard {
        let as_of = self.opts.as_of;
        let end_ms = (as_of as i64 + 1) * DAY_MS;
        let year_ms = end_ms - 365 * DAY_MS;
        let sc = |i: usize| self.scores[i].as_ref().unwrap();
        let mut c = Scorecard {
            active: live.iter().filter(|&&i| sc(i).stage.is_active()).count() as u32,
            active_before: live.iter().filter(|&&i| sc(i).stage_before.is_active()).count() as u32,
            ..Default::default()
        };
        let first = |i: usize| summaries[i].facts.orders.iter().map(|o| o.0).min();
        for &i in live {
            if let Some(f) = first(i).filter(|f| *f <= as_of) {
                if f > as_of - WINDOW {
                    c.new_customers += 1;
                }
                if f > as_of - 365 {
                    c.acquired += 1;
                    c.acquired_revenue += sc(i).revenue;
                }
            }
        }
        // cost: months fully or partly inside the last 12
        let months: Vec<String> = month_ends(as_of).into_iter().map(|m| m.0).collect();
        let cost: i64 = self.opts.marketing.iter().filter(|(m, _)| months.contains(m)).map(|(_, a)| *a).sum();
        if self.opts.marketing.iter().any(|(m, _)| months.contains(m)) {
            c.marketing_cost = Some(cost);
            if c.acquired > 0 {
                c.acquisition_cost = Some(cost as f64 / c.acquired as f64);
            }
            if cost > 0 {
                c.marketing_return = Some(c.acquired_revenue as f64 / cost as f64);
            }
        }
        // convenience and communication
        let mut channels: BTreeMap<String, u32> = BTreeMap::new();
        let mut resolution: Vec<f64> = Vec::new();
        let mut response: Vec<f64> = Vec::new();
        let mut recent_touches = 0u32;
        let mut year_touches = 0u32;
        let mut campaigns: BTreeMap<String, u32> = BTreeMap::new();
        let kinds = crate::customer::record::INTERACTION_KINDS;
        for &i in live {
            let f = &summaries[i].facts;
            let mut sorted: Vec<&(i64, u8, bool)> = f.touches.iter().filter(|t| t.0 < end_ms).collect();
            sorted.sort_by_key(|t| t.0);
            for (k, t) in sorted.iter().enumerate() {
                if t.0 >= year_ms {
                    year_touches += 1;
                    let name = kinds.get(t.1 as usize).copied().unwrap_or("other");
                    *channels.entry(name.to_string()).or_default() += 1;
                    if t.2 {
                        if let Some(reply) = sorted[k + 1..].iter().find(|r| !r.2) {
                            response.push((reply.0 - t.0) as f64 / 3_600_000.0);
                        }
                    }
                }
                if day_of(t.0) > as_of - WINDOW {
                    recent_touches += 1;
                }
            }
            for t in f.tickets.iter().filter(|t| t.created < end_ms && t.created >= year_ms) {
                if !t.channel.trim().is_empty() {
                    *channels.entry(t.channel.trim().to_string()).or_default() += 1;
                }
                if t.resolved > 0 && t.resolved < end_ms && t.resolved >= t.created {
                    resolution.push((t.resolved - t.created) as f64 / 3_600_000.0);
                }
                if t.first_response > 0 && t.first_response < end_ms {
                    response.push((t.first_response - t.created) as f64 / 3_600_000.0);
                }
            }
            for (at, name) in &f.campaigns {
                if *at < end_ms && *at >= year_ms {
                    *campaigns.entry(name.clone()).or_default() += 1;
                    c.campaign_interactions += 1;
                }
            }
        }
        let mut channels: Vec<(String, u32)> = channels.into_iter().collect();
        channels.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        c.channels = channels;
        c.tickets_resolved = resolution.len() as u32;
        c.resolution_hours = median(&mut resolution);
        c.response_hours = median(&mut response);
        c.interactions_per_customer_month = if c.active > 0 { recent_touches as f64 / c.active as f64 / 3.0 } else { 0.0 };
        c.campaign_share = if year_touches > 0 { c.campaign_interactions as f64 / year_touches as f64 } else { 0.0 };
        let mut campaigns: Vec<(String, u32)> = campaigns.into_iter().collect();
        campaigns.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        campaigns.truncate(10);
        c.campaigns = campaigns;
        c.referrers = referrers.len() as u32;
        c.referred_customers = referrers.iter().map(|r| r.customers).sum();
        c.referred_revenue = referrers.iter().map(|r| r.revenue).sum();
        c
    }
}

/// The group a customer falls in along a dimension ("" = not set).
fn key_of(d: Dimension, s: &Scores, row: &Summary) -> String {
    match d {
        Dimension::Province => row.province.trim().to_string(),
        Dimension::City => row.city.trim().to_string(),
        Dimension::Industry => row.industry.trim().to_string(),
        Dimension::Size => row.facts.size.trim().to_string(),
        Dimension::Rfm => s.segment.map(Segment::key).unwrap_or("").to_string(),
        Dimension::ValueTier => s.value_tier.key().to_string(),
        Dimension::Lifecycle => s.stage.key().to_string(),
    }
}

#[derive(Clone, Default)]
struct Acc {
    nps_n: u32,
    promoters: u32,
    detractors: u32,
    csat_n: u32,
    csat_sum: u32,
}

impl Acc {
    fn add(&mut self, nps: bool, score: u8) {
        if nps {
            self.nps_n += 1;
            if score >= 9 {
                self.promoters += 1;
            } else if score <= 6 {
                self.detractors += 1;
            }
        } else {
            self.csat_n += 1;
            self.csat_sum += score as u32;
        }
    }
    fn nps(&self) -> Option<f64> {
        (self.nps_n > 0).then(|| 100.0 * (self.promoters as f64 - self.detractors as f64) / self.nps_n as f64)
    }
    fn csat(&self) -> Option<f64> {
        (self.csat_n > 0).then(|| self.csat_sum as f64 / self.csat_n as f64)
    }
    fn row(&self, key: String) -> SatisfactionRow {
        SatisfactionRow { key, nps: self.nps(), nps_answers: self.nps_n, csat: self.csat(), csat_answers: self.csat_n }
    }
}

fn median(v: &mut [f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    Some(if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 })
}

/// Lifetime value over `months` of 30 days: the expected purchases in each month times the
/// expected spend, discounted monthly at the rate equivalent to `annual_discount`.
pub fn lifetime_value(m: &BgNbd, h: &History, spend: f64, months: u32, annual_discount: f64) -> f64 {
    let monthly = (1.0 + annual_discount).powf(1.0 / 12.0) - 1.0;
    let mut prev = 0.0;
    let mut total = 0.0;
    for i in 1..=months {
        let e = m.expected_purchases_given(i as f64 * 30.0 / DAYS_PER_WEEK, h);
        total += (e - prev) * spend / (1.0 + monthly).powi(i as i32);
        prev = e;
    }
    total
}

/// About 12 bins of round widths over the lifetime values (major units), the last one open.
pub fn clv_bins(values: &[f64]) -> Vec<Bin> {
    if values.is_empty() {
        return Vec::new();
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    // the 95th percentile sets the scale, so a few whales do not squash every other bar
    let top = sorted[((sorted.len() as f64 * 0.95) as usize).min(sorted.len() - 1)].max(1.0);
    let raw = top / 10.0;
    let mag = 10f64.powf(raw.log10().floor());
    let width = [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|k| k * mag).find(|w| *w >= raw).unwrap_or(10.0 * mag);
    let mut bins: Vec<Bin> = (0..11).map(|k| Bin { lo: k as f64 * width, hi: (k + 1) as f64 * width, customers: 0 }).collect();
    bins.last_mut().unwrap().hi = f64::INFINITY;
    for v in values {
        let k = ((v.max(0.0) / width).floor() as usize).min(bins.len() - 1);
        bins[k].customers += 1;
    }
    bins
}

/// Runs a whole analysis at once (native callers, tests, the benchmark's reference).
pub fn run(opts: Options, summaries: &[Summary]) -> Report {
    let mut job = Job::new(opts, summaries.len());
    loop {
        if let Some(r) = job.step(summaries) {
            return r;
        }
    }
}
