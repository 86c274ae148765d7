//! Lifecycle stages derived from a customer's own purchase rhythm, so they can be computed
//! as of any date (for the flow between stages over time). A user can override the stage on
//! the customer's profile; the override wins for the current stage.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Prospect,
    New,
    Active,
    Growing,
    AtRisk,
    Lost,
    WonBack,
}

/// A first purchase within this many days makes a customer new.
pub const NEW_DAYS: i32 = 90;
/// The purchase gap assumed for a customer who has bought once.
pub const DEFAULT_GAP: i32 = 120;
/// Spend over the last half year this much above the half year before is growth (for
/// customers who bought through the whole year).
pub const GROWTH: f64 = 1.25;

impl Stage {
    pub const ALL: [Stage; 7] =
        [Stage::Prospect, Stage::New, Stage::Active, Stage::Growing, Stage::AtRisk, Stage::Lost, Stage::WonBack];

    /// The key stored in a customer's `lifecycle` override.
    pub fn key(self) -> &'static str {
        match self {
            Stage::Prospect => "prospect",
            Stage::New => "new",
            Stage::Active => "active",
            Stage::Growing => "growing",
            Stage::AtRisk => "at_risk",
            Stage::Lost => "lost",
            Stage::WonBack => "won_back",
        }
    }

    pub fn from_key(k: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|s| s.key() == k)
    }

    pub fn index(self) -> usize {
        Stage::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }

    /// Stages of customers who are buying.
    pub fn is_active(self) -> bool {
        matches!(self, Stage::New | Stage::Active | Stage::Growing | Stage::WonBack)
    }
}

/// The median gap in days between consecutive purchase days; None with fewer than two.
pub fn usual_gap(days: &[i32]) -> Option<i32> {
    let mut gaps: Vec<i32> = days.windows(2).map(|w| w[1] - w[0]).collect();
    if gaps.is_empty() {
        return None;
    }
    gaps.sort_unstable();
    Some(gaps[gaps.len() / 2])
}

/// Days of silence after which a customer with this rhythm is lost, and at risk.
pub fn thresholds(usual: Option<i32>) -> (i32, i32) {
    let g = usual.unwrap_or(DEFAULT_GAP).max(1);
    ((4 * g).max(365), (2 * g).max(90))
}

/// The stage of a customer as of `as_of`, from their transactions (day, amount) up to it.
pub fn derive(tx: &[(i32, i64)], as_of: i32) -> Stage {
    let Some(&(first, _)) = tx.first() else { return Stage::Prospect };
    if as_of - first < NEW_DAYS {
        return Stage::New;
    }
    let days: Vec<i32> = tx.iter().map(|t| t.0).collect();
    let last = *days.last().unwrap();
    let since = as_of - last;
    let (lost, at_risk) = thresholds(usual_gap(&days));
    if since > lost {
        return Stage::Lost;
    }
    if since > at_risk {
        return Stage::AtRisk;
    }
    // back after a silence that, by the rhythm before it, meant lost
    if days.len() >= 2 && since <= 180 {
        let before = &days[..days.len() - 1];
        let (lost_before, _) = thresholds(usual_gap(before));
        if last - before[before.len() - 1] > lost_before {
            return Stage::WonBack;
        }
    }
    let spend = |from: i32, to: i32| -> i64 { tx.iter().filter(|t| t.0 > from && t.0 <= to).map(|t| t.1).sum() };
    let (recent, earlier) = (spend(as_of - 180, as_of), spend(as_of - 360, as_of - 180));
    let recent_n = tx.iter().filter(|t| t.0 > as_of - 180).count();
    if recent_n >= 2 && first <= as_of - 360 && earlier > 0 && recent as f64 > GROWTH * earlier as f64 {
        return Stage::Growing;
    }
    Stage::Active
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_follow_the_customers_own_rhythm() {
        assert_eq!(derive(&[], 1000), Stage::Prospect);
        assert_eq!(derive(&[(950, 100)], 1000), Stage::New);
        // buys monthly: 70 days of silence is at risk, a year and more is lost
        let monthly: Vec<(i32, i64)> = (0..10).map(|i| (i * 30, 100)).collect();
        assert_eq!(derive(&monthly, 280), Stage::Active);
        assert_eq!(derive(&monthly, 270 + 100), Stage::AtRisk);
        assert_eq!(derive(&monthly, 270 + 400), Stage::Lost);
        // back after two years away
        let mut back = monthly.clone();
        back.push((270 + 730, 100));
        assert_eq!(derive(&back, 270 + 760), Stage::WonBack);
        // spending more in the last half year than before
        let growing = vec![(0, 100), (200, 100), (400, 100), (560, 400), (600, 400)];
        assert_eq!(derive(&growing, 610), Stage::Growing);
        for s in Stage::ALL {
            assert_eq!(Stage::from_key(s.key()), Some(s));
        }
    }
}
