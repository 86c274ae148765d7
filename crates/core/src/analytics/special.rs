//! The special functions the purchase models need: the log-gamma function (from `libm`) and
//! the Gauss hypergeometric function 2F1, summed as its power series.

/// ln Γ(x) for x > 0.
pub fn ln_gamma(x: f64) -> f64 {
    libm::lgamma(x)
}

/// ln Γ(r + n) − ln Γ(r) for a whole number n, as a sum of logs: exact where the difference of
/// two large log-gammas would cancel.
pub fn ln_rising(r: f64, n: u32) -> f64 {
    if n > 64 {
        return ln_gamma(r + n as f64) - ln_gamma(r);
    }
    (0..n).map(|k| (r + k as f64).ln()).sum()
}

/// The Gauss hypergeometric function ₂F₁(a, b; c; z) for 0 <= z < 1 and c > 0, by its power
/// series. The terms are summed until they stop changing the sum in the 15th digit; the series
/// converges for |z| < 1, slowly only as z nears 1 (the purchase models keep z well below 1 for
/// horizons of a few years). c may be negative (BG/NBD has c = a + b - 1), but not 0 or a
/// negative whole number. Returns NaN when it has not converged after 100,000 terms.
pub fn hyp2f1(a: f64, b: f64, c: f64, z: f64) -> f64 {
    if !(0.0..1.0).contains(&z) || (c <= 0.0 && c == c.round()) {
        return f64::NAN;
    }
    let mut term = 1.0;
    let mut sum = 1.0;
    for n in 0..100_000u32 {
        let n = n as f64;
        term *= (a + n) * (b + n) / ((c + n) * (n + 1.0)) * z;
        sum += term;
        if term.abs() <= 1e-15 * sum.abs() && n > 2.0 {
            return sum;
        }
    }
    f64::NAN
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * (1.0 + b.abs())
    }

    #[test]
    fn ln_gamma_matches_factorials() {
        assert!(close(ln_gamma(1.0), 0.0, 1e-14));
        assert!(close(ln_gamma(5.0), 24f64.ln(), 1e-14));
        assert!(close(ln_gamma(0.5), std::f64::consts::PI.sqrt().ln(), 1e-14));
        assert!(close(ln_rising(0.3, 4), ln_gamma(4.3) - ln_gamma(0.3), 1e-12));
        assert!(close(ln_rising(2.5, 100), ln_gamma(102.5) - ln_gamma(2.5), 1e-12));
    }

    #[test]
    fn hyp2f1_matches_closed_forms() {
        // 2F1(1, 1; 2; z) = -ln(1 - z) / z
        for z in [0.01, 0.3, 0.7, 0.95] {
            assert!(close(hyp2f1(1.0, 1.0, 2.0, z), -(1.0 - z as f64).ln() / z, 1e-12), "z = {z}");
        }
        // 2F1(a, b; b; z) = (1 - z)^-a
        assert!(close(hyp2f1(2.5, 3.0, 3.0, 0.4), 0.6f64.powf(-2.5), 1e-12));
        assert_eq!(hyp2f1(1.0, 1.0, 2.0, 0.0), 1.0);
        assert!(hyp2f1(1.0, 1.0, 2.0, 1.0).is_nan());
    }
}
