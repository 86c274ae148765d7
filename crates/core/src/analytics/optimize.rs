//! Nelder-Mead minimisation, one iteration at a time, so a long fit can yield to the page
//! between iterations and report progress (DESIGN.md section 10: no blocking over 50 ms).
//!
//! The models fit their parameters in log space (every parameter is positive), where the
//! likelihood surfaces of BG/NBD and Gamma-Gamma are smooth and well scaled. After the simplex
//! collapses the search restarts from the best point with a fresh simplex, the standard guard
//! against Nelder-Mead stalling on a ridge; it stops when a restart no longer improves.

/// What an objective returns for parameters outside its domain.
pub const INFEASIBLE: f64 = f64::INFINITY;

#[derive(Clone, Debug)]
pub struct NelderMead {
    simplex: Vec<(Vec<f64>, f64)>,
    step: f64,
    /// iterations done so far
    pub iterations: u32,
    pub max_iterations: u32,
    restarts: u32,
    best_at_restart: f64,
    done: bool,
    started: bool,
    start: Vec<f64>,
}

fn clean(v: f64) -> f64 {
    if v.is_finite() {
        v
    } else {
        INFEASIBLE
    }
}

impl NelderMead {
    pub fn new(start: Vec<f64>, step: f64, max_iterations: u32) -> Self {
        Self {
            simplex: Vec::new(),
            step,
            iterations: 0,
            max_iterations,
            restarts: 0,
            best_at_restart: INFEASIBLE,
            done: false,
            started: false,
            start,
        }
    }

    fn init(&mut self, at: Vec<f64>, f: &mut impl FnMut(&[f64]) -> f64) {
        let n = at.len();
        let f0 = clean(f(&at));
        self.simplex = vec![(at.clone(), f0)];
        for i in 0..n {
            let mut p = at.clone();
            p[i] += self.step;
            let v = clean(f(&p));
            self.simplex.push((p, v));
        }
        self.sort();
    }

    fn sort(&mut self) {
        self.simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
    }

    pub fn is_done(&self) -> bool {
        self.done
    }

    /// The best point so far and its value.
    pub fn best(&self) -> (&[f64], f64) {
        match self.simplex.first() {
            Some((x, v)) => (x, *v),
            None => (&self.start, INFEASIBLE),
        }
    }

    fn converged(&self) -> bool {
        let (best, fb) = (&self.simplex[0].0, self.simplex[0].1);
        let fw = self.simplex.last().unwrap().1;
        let fspread = (fw - fb).abs() <= 1e-12 * (1.0 + fb.abs());
        let xspread = self.simplex.iter().all(|(p, _)| p.iter().zip(best).all(|(a, b)| (a - b).abs() <= 1e-9));
        fb.is_finite() && fspread && xspread
    }

    /// One iteration (one reflection and what follows from it). Returns true when finished.
    pub fn step(&mut self, f: &mut impl FnMut(&[f64]) -> f64) -> bool {
        if self.done {
            return true;
        }
        if !self.started {
            self.started = true;
            let s = self.start.clone();
            self.init(s, f);
            return false;
        }
        if self.iterations >= self.max_iterations {
            self.done = true;
            return true;
        }
        if self.converged() {
            let fb = self.simplex[0].1;
            // restart from the best point; stop once a restart does not improve
            if self.restarts >= 1 && fb >= self.best_at_restart - 1e-10 * (1.0 + fb.abs()) || self.restarts >= 5 {
                self.done = true;
                return true;
            }
            self.restarts += 1;
            self.best_at_restart = fb;
            let at = self.simplex[0].0.clone();
            self.init(at, f);
            return false;
        }
        self.iterations += 1;
        let n = self.simplex.len() - 1;
        let centroid: Vec<f64> =
            (0..n).map(|j| self.simplex[..n].iter().map(|(p, _)| p[j]).sum::<f64>() / n as f64).collect();
        let worst = self.simplex[n].clone();
        let along = |t: f64| -> Vec<f64> { centroid.iter().zip(&worst.0).map(|(c, w)| c + t * (w - c)).collect() };
        let xr = along(-1.0);
        let fr = clean(f(&xr));
        if fr < self.simplex[0].1 {
            let xe = along(-2.0);
            let fe = clean(f(&xe));
            self.simplex[n] = if fe < fr { (xe, fe) } else { (xr, fr) };
        } else if fr < self.simplex[n - 1].1 {
            self.simplex[n] = (xr, fr);
        } else {
            let (xc, fc) = if fr < worst.1 {
                let xc = along(-0.5);
                let fc = clean(f(&xc));
                (xc, fc)
            } else {
                let xc = along(0.5);
                let fc = clean(f(&xc));
                (xc, fc)
            };
            if fc < worst.1.min(fr) {
                self.simplex[n] = (xc, fc);
            } else {
                // shrink towards the best point
                let best = self.simplex[0].0.clone();
                for i in 1..=n {
                    let p: Vec<f64> = best.iter().zip(&self.simplex[i].0).map(|(b, x)| b + 0.5 * (x - b)).collect();
                    let v = clean(f(&p));
                    self.simplex[i] = (p, v);
                }
            }
        }
        self.sort();
        false
    }

    /// Runs to the end (native callers and tests).
    pub fn run(mut self, mut f: impl FnMut(&[f64]) -> f64) -> Self {
        while !self.step(&mut f) {}
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_minimum_of_rosenbrock() {
        let nm = NelderMead::new(vec![-1.2, 1.0], 0.5, 5_000).run(|x| (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2));
        let (x, v) = nm.best();
        assert!((x[0] - 1.0).abs() < 1e-5 && (x[1] - 1.0).abs() < 1e-5, "{x:?} {v}");
    }

    #[test]
    fn stays_out_of_infeasible_regions() {
        let nm = NelderMead::new(vec![2.0, 2.0], 1.0, 5_000)
            .run(|x| if x[0] < 0.5 { f64::NAN } else { (x[0] - 0.5).powi(2) + (x[1] + 1.0).powi(2) });
        let (x, v) = nm.best();
        assert!(v.is_finite() && x[0] >= 0.5 && (x[1] + 1.0).abs() < 1e-4, "{x:?}");
    }
}
