//! The BG/NBD model of repeat buying (Fader, Hardie & Lee 2005, "Counting Your Customers the
//! Easy Way", Marketing Science 24(2)): while active a customer buys as a Poisson process whose
//! rate is gamma(r, alpha) distributed across customers; after each purchase they drop out with
//! a probability that is beta(a, b) distributed. A customer's history is summarised by
//! (x, t_x, T): repeat purchases, the time of the last one and the length of observation,
//! all in weeks from the first purchase.

use super::special::{hyp2f1, ln_gamma, ln_rising};
use serde::{Deserialize, Serialize};

/// One customer's purchase history as the model sees it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct History {
    /// repeat transactions (purchase days after the first)
    pub x: u32,
    /// weeks from the first purchase to the last
    pub tx: f64,
    /// weeks from the first purchase to the as-of date
    pub t: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct BgNbd {
    pub r: f64,
    pub alpha: f64,
    pub a: f64,
    pub b: f64,
}

fn log_add(p: f64, q: f64) -> f64 {
    let m = p.max(q);
    if m == f64::NEG_INFINITY {
        return m;
    }
    m + ((p - m).exp() + (q - m).exp()).ln()
}

/// a, moved off 1 where the expectation formulas divide by a - 1 (their limit is continuous)
fn off_one(a: f64) -> f64 {
    if (a - 1.0).abs() < 1e-7 {
        1.0 + 1e-7
    } else {
        a
    }
}

/// Histories grouped for fitting: the terms that depend only on x are computed once per
/// distinct x and parameter set, so an evaluation over 100k customers is a few logs each.
#[derive(Clone, Debug, Default)]
pub struct Grouped {
    /// distinct repeat counts
    xs: Vec<u32>,
    /// (index into xs, t_x, T, weight)
    rows: Vec<(usize, f64, f64, f64)>,
    pub customers: usize,
    pub repeat_buyers: usize,
}

impl Grouped {
    pub fn new(histories: &[History]) -> Self {
        let mut xs: Vec<u32> = histories.iter().map(|h| h.x).collect();
        xs.sort_unstable();
        xs.dedup();
        let mut keyed: Vec<(usize, u64, u64)> = histories
            .iter()
            .map(|h| (xs.binary_search(&h.x).unwrap(), h.tx.to_bits(), h.t.to_bits()))
            .collect();
        keyed.sort_unstable();
        let mut rows: Vec<(usize, f64, f64, f64)> = Vec::new();
        for (xi, tx, t) in keyed {
            let (tx, t) = (f64::from_bits(tx), f64::from_bits(t));
            match rows.last_mut() {
                Some(last) if last.0 == xi && last.1 == tx && last.2 == t => last.3 += 1.0,
                _ => rows.push((xi, tx, t, 1.0)),
            }
        }
        Self { xs, rows, customers: histories.len(), repeat_buyers: histories.iter().filter(|h| h.x > 0).count() }
    }
}

impl BgNbd {
    pub fn from_log(theta: &[f64]) -> Self {
        Self { r: theta[0].exp(), alpha: theta[1].exp(), a: theta[2].exp(), b: theta[3].exp() }
    }

    pub fn to_log(&self) -> Vec<f64> {
        vec![self.r.ln(), self.alpha.ln(), self.a.ln(), self.b.ln()]
    }

    fn valid(&self) -> bool {
        [self.r, self.alpha, self.a, self.b].iter().all(|v| v.is_finite() && *v > 0.0)
    }

    /// The log-likelihood of one customer's history (equation 6 of the paper).
    pub fn ln_likelihood(&self, h: &History) -> f64 {
        let Self { r, alpha, a, b } = *self;
        let x = h.x as f64;
        let common = ln_rising(r, h.x) + r * alpha.ln() + ln_gamma(a + b) - ln_gamma(a + b + x) + ln_gamma(b + x) - ln_gamma(b);
        self.tail(common, h.x, h.tx, h.t)
    }

    fn tail(&self, common: f64, x: u32, tx: f64, t: f64) -> f64 {
        let Self { r, alpha, a, b } = *self;
        let xf = x as f64;
        let a3 = -(r + xf) * (alpha + t).ln();
        if x == 0 {
            return common + a3;
        }
        let a4 = a.ln() - (b + xf - 1.0).ln() - (r + xf) * (alpha + tx).ln();
        common + log_add(a3, a4)
    }

    /// The summed log-likelihood of grouped histories; -inf outside the parameter space.
    pub fn ln_likelihood_grouped(&self, g: &Grouped) -> f64 {
        if !self.valid() {
            return f64::NEG_INFINITY;
        }
        let Self { r, alpha, a, b } = *self;
        let base = r * alpha.ln() + ln_gamma(a + b) - ln_gamma(b);
        let per_x: Vec<f64> =
            g.xs.iter().map(|&x| base + ln_rising(r, x) - ln_gamma(a + b + x as f64) + ln_gamma(b + x as f64)).collect();
        g.rows.iter().map(|&(xi, tx, t, w)| w * self.tail(per_x[xi], g.xs[xi], tx, t)).sum()
    }

    /// The probability that a customer with this history is still active (equation 13).
    pub fn p_alive(&self, h: &History) -> f64 {
        if h.x == 0 {
            return 1.0;
        }
        let Self { r, alpha, a, b } = *self;
        let x = h.x as f64;
        let ln_ratio = a.ln() - (b + x - 1.0).ln() + (r + x) * ((alpha + h.t) / (alpha + h.tx)).ln();
        1.0 / (1.0 + ln_ratio.exp())
    }

    /// Expected repeat purchases in (0, t] of a customer just acquired (equation 9).
    pub fn expected_purchases(&self, t: f64) -> f64 {
        let Self { r, alpha, b, .. } = *self;
        let a = off_one(self.a);
        if t <= 0.0 {
            return 0.0;
        }
        let z = t / (alpha + t);
        (a + b - 1.0) / (a - 1.0) * (1.0 - (alpha / (alpha + t)).powf(r) * hyp2f1(r, b, a + b - 1.0, z))
    }

    /// Expected purchases in the next t weeks of a customer with this history (equation 10).
    /// For a < 1 both factors of the formula are negative; a = 1 exactly is a removable
    /// singularity, stepped over.
    pub fn expected_purchases_given(&self, t: f64, h: &History) -> f64 {
        let Self { r, alpha, b, .. } = *self;
        let a = off_one(self.a);
        if t <= 0.0 {
            return 0.0;
        }
        let x = h.x as f64;
        let z = t / (alpha + h.t + t);
        let head = (a + b + x - 1.0) / (a - 1.0);
        let f = hyp2f1(r + x, b + x, a + b + x - 1.0, z);
        let body = 1.0 - ((alpha + h.t) / (alpha + h.t + t)).powf(r + x) * f;
        let denom = if h.x > 0 { 1.0 + a / (b + x - 1.0) * ((alpha + h.t) / (alpha + h.tx)).powf(r + x) } else { 1.0 };
        head * body / denom
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const CDNOW: BgNbd = BgNbd { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };

    #[test]
    fn grouped_likelihood_is_the_sum_of_the_customers() {
        let hs = vec![
            History { x: 0, tx: 0.0, t: 38.86 },
            History { x: 0, tx: 0.0, t: 38.86 },
            History { x: 2, tx: 30.43, t: 38.86 },
            History { x: 1, tx: 1.71, t: 38.86 },
            History { x: 7, tx: 29.43, t: 32.71 },
        ];
        let sum: f64 = hs.iter().map(|h| CDNOW.ln_likelihood(h)).sum();
        let g = Grouped::new(&hs);
        assert!((CDNOW.ln_likelihood_grouped(&g) - sum).abs() < 1e-9);
        assert_eq!((g.customers, g.repeat_buyers), (5, 3));
    }

    #[test]
    fn p_alive_is_one_without_repeats_and_falls_with_silence() {
        assert_eq!(CDNOW.p_alive(&History { x: 0, tx: 0.0, t: 30.0 }), 1.0);
        let recent = CDNOW.p_alive(&History { x: 3, tx: 30.0, t: 31.0 });
        let silent = CDNOW.p_alive(&History { x: 3, tx: 5.0, t: 31.0 });
        assert!(recent > 0.8 && silent < 0.1, "{recent} {silent}");
    }

    #[test]
    fn conditional_expectation_of_a_new_customer_is_the_unconditional_one() {
        // a customer seen for no time has told us nothing
        let h = History { x: 0, tx: 0.0, t: 0.0 };
        for m in [CDNOW, BgNbd { a: 1.5, ..CDNOW }, BgNbd { a: 1.0, ..CDNOW }] {
            let (c, u) = (m.expected_purchases_given(39.0, &h), m.expected_purchases(39.0));
            assert!(u > 0.0 && (c - u).abs() < 1e-6 * u, "{m:?}: {c} vs {u}");
        }
    }

    proptest! {
        #[test]
        fn likelihood_is_finite_and_at_most_one(
            r in 0.01f64..10.0, alpha in 0.1f64..100.0, a in 0.01f64..10.0, b in 0.01f64..10.0,
            x in 0u32..60, t in 0.1f64..200.0, frac in 0.0f64..1.0,
        ) {
            let m = BgNbd { r, alpha, a, b };
            let h = History { x, tx: if x == 0 { 0.0 } else { t * frac }, t };
            let ll = m.ln_likelihood(&h);
            prop_assert!(ll.is_finite(), "{ll}");
            // a probability (of a discrete count times a density in t_x): log of it is bounded
            // above only for x = 0, where it is a plain probability
            if x == 0 { prop_assert!(ll <= 1e-12, "{ll}"); }
            let p = m.p_alive(&h);
            prop_assert!((0.0..=1.0).contains(&p));
        }

        #[test]
        fn expected_purchases_start_at_zero_and_grow(
            r in 0.05f64..5.0, alpha in 0.5f64..50.0, a in 0.3f64..5.0, b in 0.1f64..5.0,
            x in 0u32..20, t in 1.0f64..100.0, frac in 0.0f64..1.0, h1 in 0.5f64..50.0, h2 in 0.5f64..50.0,
        ) {
            let m = BgNbd { r, alpha, a, b };
            let h = History { x, tx: if x == 0 { 0.0 } else { t * frac }, t };
            prop_assert_eq!(m.expected_purchases_given(0.0, &h), 0.0);
            let (lo, hi) = (h1.min(h2), h1.max(h2));
            let (e_lo, e_hi) = (m.expected_purchases_given(lo, &h), m.expected_purchases_given(hi, &h));
            prop_assert!(e_lo.is_finite() && e_lo >= -1e-9 && e_hi >= e_lo - 1e-9, "{e_lo} {e_hi}");
            // never more than an always-alive customer buying at the posterior mean rate
            let rate = (r + x as f64) / (alpha + t);
            prop_assert!(e_hi <= rate * hi * (1.0 + 1e-9) + 1e-9, "{e_hi} vs {}", rate * hi);
            let u = m.expected_purchases(hi);
            prop_assert!(u.is_finite() && u >= 0.0 && u <= r / alpha * hi * (1.0 + 1e-9) + 1e-9);
        }
    }
}
