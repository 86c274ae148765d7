//! Fitting BG/NBD and Gamma-Gamma by maximum likelihood on the workspace's own orders, one
//! optimiser iteration per [`Fitter::step`], with the guards that turn data the models cannot
//! use into a message instead of nonsense.

use super::bgnbd::{BgNbd, Grouped, History};
use super::gamma_gamma::{GammaGamma, Spend};
use super::optimize::NelderMead;
use serde::{Deserialize, Serialize};

/// Fewest customers with a purchase before the as-of date the purchase model is fitted on.
pub const MIN_CUSTOMERS: usize = 20;
/// Fewest customers with a repeat purchase: the dropout process is learnt from them.
pub const MIN_REPEAT_BUYERS: usize = 10;

/// Why the models could not be fitted, in terms a user can act on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, thiserror::Error)]
pub enum FitProblem {
    #[error("{have} customers have bought before the as-of date; the purchase model needs at least {need}")]
    TooFewCustomers { have: usize, need: usize },
    #[error("{have} customers have bought more than once before the as-of date; the purchase model needs at least {need}")]
    TooFewRepeatBuyers { have: usize, need: usize },
    #[error("every customer's history is less than a day long at the as-of date: pick a later date")]
    OneDayHistories,
    #[error("the purchase model did not settle on parameters (they ran off to {what}): the history is too short or too uniform to tell buying from dropping out")]
    NotIdentified { what: String },
}

/// Why the spend model could not be fitted; the purchase model can still be used.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, thiserror::Error)]
pub enum SpendProblem {
    #[error("{have} repeat buyers have a positive average spend; the spend model needs at least {need}")]
    TooFewSpenders { have: usize, need: usize },
    #[error("the spend model's q came out at {q:.2}; it must be above 1 for an average spend to exist (spend varies too wildly between customers)")]
    NoMeanSpend { q: f64 },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpendFit {
    pub model: GammaGamma,
    pub ln_likelihood: f64,
    /// repeat buyers it was fitted on
    pub customers: usize,
}

/// The fitted models and what they came from, shown so a person can check them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fitted {
    pub bgnbd: BgNbd,
    pub ln_likelihood: f64,
    /// customers with a purchase before the as-of date
    pub customers: usize,
    pub repeat_buyers: usize,
    pub spend: Result<SpendFit, SpendProblem>,
    /// repeat buyers left out of the spend model: zero or negative average spend
    pub nonpositive_spend: usize,
    pub iterations: u32,
}

enum Stage {
    Purchases(NelderMead),
    Spend(BgNbd, f64, u32, NelderMead),
    Done,
}

pub struct Fitter {
    grouped: Grouped,
    spends: Vec<Spend>,
    nonpositive_spend: usize,
    stage: Stage,
    result: Option<Result<Fitted, FitProblem>>,
}

const MAX_ITERATIONS: u32 = 4_000;

impl Fitter {
    /// Checks the data and starts fitting. `spends` are the repeat buyers' average repeat
    /// spends (major units); those at or below zero are left out and counted.
    pub fn new(histories: &[History], spends: &[Spend]) -> Result<Self, FitProblem> {
        if histories.len() < MIN_CUSTOMERS {
            return Err(FitProblem::TooFewCustomers { have: histories.len(), need: MIN_CUSTOMERS });
        }
        if histories.iter().all(|h| h.t < 1.0 / 7.0) {
            return Err(FitProblem::OneDayHistories);
        }
        let repeat = histories.iter().filter(|h| h.x > 0).count();
        if repeat < MIN_REPEAT_BUYERS {
            return Err(FitProblem::TooFewRepeatBuyers { have: repeat, need: MIN_REPEAT_BUYERS });
        }
        let good: Vec<Spend> = spends.iter().copied().filter(|s| s.x > 0 && s.m > 0.0 && s.m.is_finite()).collect();
        let nonpositive_spend = spends.len() - good.len();
        let mean_t = histories.iter().map(|h| h.t).sum::<f64>() / histories.len() as f64;
        // start: a modest rate, alpha on the scale of the observation window, a neutral dropout
        let start = BgNbd { r: 0.5, alpha: mean_t.max(1.0) / 4.0, a: 1.0, b: 1.0 };
        Ok(Self {
            grouped: Grouped::new(histories),
            spends: good,
            nonpositive_spend,
            stage: Stage::Purchases(NelderMead::new(start.to_log(), 0.7, MAX_ITERATIONS)),
            result: None,
        })
    }

    /// A rough share of the work done, 0 to 1.
    pub fn progress(&self) -> f64 {
        match &self.stage {
            Stage::Purchases(nm) => 0.8 * (nm.iterations as f64 / 600.0).min(0.95),
            Stage::Spend(_, _, _, nm) => 0.8 + 0.2 * (nm.iterations as f64 / 300.0).min(0.95),
            Stage::Done => 1.0,
        }
    }

    /// One optimiser iteration (a few likelihood evaluations). Returns the result once done.
    pub fn step(&mut self) -> Option<Result<Fitted, FitProblem>> {
        if let Some(r) = &self.result {
            return Some(r.clone());
        }
        let g = &self.grouped;
        match &mut self.stage {
            Stage::Purchases(nm) => {
                if nm.step(&mut |th| -BgNbd::from_log(th).ln_likelihood_grouped(g)) {
                    let (th, v) = nm.best();
                    let m = BgNbd::from_log(th);
                    let iterations = nm.iterations;
                    if let Some(what) = runaway(&[("r", m.r), ("alpha", m.alpha), ("a", m.a), ("b", m.b)]) {
                        return self.finish(Err(FitProblem::NotIdentified { what }));
                    }
                    if self.spends.len() < MIN_REPEAT_BUYERS {
                        let spend = Err(SpendProblem::TooFewSpenders { have: self.spends.len(), need: MIN_REPEAT_BUYERS });
                        return self.finish(Ok(self.fitted(m, -v, iterations, spend)));
                    }
                    let mean_m = self.spends.iter().map(|s| s.m).sum::<f64>() / self.spends.len() as f64;
                    let start = GammaGamma { p: 2.0, q: 3.0, gamma: mean_m.max(1e-6) };
                    self.stage = Stage::Spend(m, -v, iterations, NelderMead::new(start.to_log(), 0.7, MAX_ITERATIONS));
                }
                None
            }
            Stage::Spend(m, ll, it, nm) => {
                let spends = &self.spends;
                if nm.step(&mut |th| -GammaGamma::from_log(th).ln_likelihood_all(spends)) {
                    let (th, v) = nm.best();
                    let gg = GammaGamma::from_log(th);
                    let (m, ll, iterations) = (*m, *ll, *it + nm.iterations);
                    let spend = if gg.q <= 1.0 {
                        Err(SpendProblem::NoMeanSpend { q: gg.q })
                    } else {
                        Ok(SpendFit { model: gg, ln_likelihood: -v, customers: spends.len() })
                    };
                    return self.finish(Ok(self.fitted(m, ll, iterations, spend)));
                }
                None
            }
            Stage::Done => self.result.clone(),
        }
    }

    fn fitted(&self, bgnbd: BgNbd, ln_likelihood: f64, iterations: u32, spend: Result<SpendFit, SpendProblem>) -> Fitted {
        Fitted {
            bgnbd,
            ln_likelihood,
            customers: self.grouped.customers,
            repeat_buyers: self.grouped.repeat_buyers,
            spend,
            nonpositive_spend: self.nonpositive_spend,
            iterations,
        }
    }

    fn finish(&mut self, r: Result<Fitted, FitProblem>) -> Option<Result<Fitted, FitProblem>> {
        self.stage = Stage::Done;
        self.result = Some(r.clone());
        Some(r)
    }

    /// Runs to the end (native callers and tests).
    pub fn run(mut self) -> Result<Fitted, FitProblem> {
        loop {
            if let Some(r) = self.step() {
                return r;
            }
        }
    }
}

/// A parameter the optimiser drove towards zero or infinity: the data cannot pin it down.
fn runaway(params: &[(&str, f64)]) -> Option<String> {
    params
        .iter()
        .find(|(_, v)| !v.is_finite() || *v > 1e5 || *v < 1e-5)
        .map(|(n, v)| format!("{n} = {v:.3e}"))
}
