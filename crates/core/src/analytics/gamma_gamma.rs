//! The Gamma-Gamma model of spend per transaction (Fader, Hardie & Lee 2005, "RFM and CLV:
//! Using Iso-Value Curves for Customer Base Analysis", JMR 42(4)): each transaction's value
//! is gamma(p, nu) with the customer's nu gamma(q, gamma) across customers. It is fitted on
//! the average value m of the x repeat transactions of customers with x >= 1.

use super::special::ln_gamma;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct GammaGamma {
    pub p: f64,
    pub q: f64,
    pub gamma: f64,
}

/// One customer's spend: x repeat transactions averaging m (major currency units).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spend {
    pub x: u32,
    pub m: f64,
}

impl GammaGamma {
    pub fn from_log(theta: &[f64]) -> Self {
        Self { p: theta[0].exp(), q: theta[1].exp(), gamma: theta[2].exp() }
    }

    pub fn to_log(&self) -> Vec<f64> {
        vec![self.p.ln(), self.q.ln(), self.gamma.ln()]
    }

    /// ln of the density of the average m of x transactions.
    pub fn ln_likelihood(&self, s: &Spend) -> f64 {
        let Self { p, q, gamma } = *self;
        if !(p > 0.0 && q > 0.0 && gamma > 0.0) || s.x == 0 || s.m <= 0.0 {
            return f64::NEG_INFINITY;
        }
        let (x, m) = (s.x as f64, s.m);
        ln_gamma(p * x + q) - ln_gamma(p * x) - ln_gamma(q) + q * gamma.ln() + (p * x - 1.0) * m.ln() + p * x * x.ln()
            - (p * x + q) * (gamma + m * x).ln()
    }

    pub fn ln_likelihood_all(&self, all: &[Spend]) -> f64 {
        all.iter().map(|s| self.ln_likelihood(s)).sum()
    }

    /// The mean spend per transaction across customers; needs q > 1.
    pub fn population_mean(&self) -> f64 {
        if self.q <= 1.0 {
            return f64::NAN;
        }
        self.p * self.gamma / (self.q - 1.0)
    }

    /// The expected spend per transaction of a customer with this spend history (equation 5):
    /// a weighted mean of the population mean and their own average. Needs q > 1.
    pub fn expected_spend(&self, s: &Spend) -> f64 {
        let Self { p, q, gamma } = *self;
        if q <= 1.0 {
            return f64::NAN;
        }
        if s.x == 0 {
            return self.population_mean();
        }
        let x = s.x as f64;
        (gamma + s.m * x) * p / (p * x + q - 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const CDNOW: GammaGamma = GammaGamma { p: 6.25, q: 3.74, gamma: 15.44 };

    #[test]
    fn expected_spend_moves_from_the_population_mean_to_the_customers_own() {
        let pop = CDNOW.population_mean();
        assert!((pop - 6.25 * 15.44 / 2.74).abs() < 1e-9);
        assert_eq!(CDNOW.expected_spend(&Spend { x: 0, m: 0.0 }), pop);
        let one = CDNOW.expected_spend(&Spend { x: 1, m: 100.0 });
        let many = CDNOW.expected_spend(&Spend { x: 50, m: 100.0 });
        assert!(pop < one && one < many && many < 100.0, "{pop} {one} {many}");
    }

    proptest! {
        #[test]
        fn the_density_integrates_to_one(p in 0.5f64..10.0, q in 1.0f64..10.0, gamma in 1.0f64..50.0, x in 1u32..5) {
            let g = GammaGamma { p, q, gamma };
            // trapezoid over m on a log grid: ∫ f(m) dm = ∫ f(e^u) e^u du
            let (lo, hi, n) = (-15.0f64, 30.0f64, 9000);
            let h = (hi - lo) / n as f64;
            let total: f64 = (0..=n).map(|i| {
                let u = lo + i as f64 * h;
                let w = if i == 0 || i == n { 0.5 } else { 1.0 };
                w * (g.ln_likelihood(&Spend { x, m: u.exp() }) + u).exp()
            }).sum::<f64>() * h;
            prop_assert!((total - 1.0).abs() < 2e-3, "∫ = {total}");
        }

        #[test]
        fn likelihood_is_finite_for_positive_spend(p in 0.01f64..50.0, q in 0.01f64..50.0, gamma in 0.01f64..500.0, x in 1u32..100, m in 0.01f64..1e5) {
            let g = GammaGamma { p, q, gamma };
            let l = g.ln_likelihood(&Spend { x, m });
            prop_assert!(l.is_finite(), "{}", l);
            prop_assert_eq!(g.ln_likelihood(&Spend { x, m: 0.0 }), f64::NEG_INFINITY);
        }
    }
}
