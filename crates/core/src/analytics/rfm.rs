//! RFM: recency, frequency and monetary scores from 1 to 5 by quintile, and the named segments
//! marketers use, read off recency and the mean of frequency and monetary.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rfm {
    pub r: u8,
    pub f: u8,
    pub m: u8,
}

impl Rfm {
    /// The frequency-monetary score: the rounded mean of F and M.
    pub fn fm(&self) -> u8 {
        (self.f + self.m).div_ceil(2)
    }
    pub fn segment(&self) -> Segment {
        Segment::of(self.r, self.fm())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Segment {
    Champions,
    Loyal,
    PotentialLoyalists,
    New,
    Promising,
    NeedAttention,
    AboutToSleep,
    AtRisk,
    CantLose,
    Hibernating,
    Lost,
}

impl Segment {
    pub const ALL: [Segment; 11] = [
        Segment::Champions,
        Segment::Loyal,
        Segment::PotentialLoyalists,
        Segment::New,
        Segment::Promising,
        Segment::NeedAttention,
        Segment::AboutToSleep,
        Segment::AtRisk,
        Segment::CantLose,
        Segment::Hibernating,
        Segment::Lost,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Segment::Champions => "champions",
            Segment::Loyal => "loyal",
            Segment::PotentialLoyalists => "potential_loyalists",
            Segment::New => "new",
            Segment::Promising => "promising",
            Segment::NeedAttention => "need_attention",
            Segment::AboutToSleep => "about_to_sleep",
            Segment::AtRisk => "at_risk",
            Segment::CantLose => "cant_lose",
            Segment::Hibernating => "hibernating",
            Segment::Lost => "lost",
        }
    }

    pub fn from_key(k: &str) -> Option<Segment> {
        Segment::ALL.into_iter().find(|s| s.key() == k)
    }

    /// The segment of a recency score and a frequency-monetary score (both 1-5). Every one of
    /// the 25 cells has exactly one segment.
    pub fn of(r: u8, fm: u8) -> Segment {
        match (r, fm) {
            (5, 4..=5) => Segment::Champions,
            (5, 2..=3) | (4, 2..=3) => Segment::PotentialLoyalists,
            (5, _) => Segment::New,
            (3..=4, 4..=5) => Segment::Loyal,
            (4, _) => Segment::Promising,
            (3, 3) => Segment::NeedAttention,
            (3, _) => Segment::AboutToSleep,
            (_, 5) => Segment::CantLose,
            (_, 3) | (_, 4) => Segment::AtRisk,
            (1, 1) => Segment::Lost,
            _ => Segment::Hibernating,
        }
    }
}

/// Quintile scores 1-5 of `values`, higher values scoring higher. Ties share a score, the one
/// of the first of them (the share of values strictly below): when 60% of customers have one
/// order they all score F = 1, as a one-time buyer should.
pub fn quintiles(values: &[f64]) -> Vec<u8> {
    let mut sorted: Vec<f64> = values.to_vec();
    sorted.sort_unstable_by(|a, b| a.total_cmp(b));
    let n = sorted.len() as f64;
    values
        .iter()
        .map(|v| {
            let pr = sorted.partition_point(|x| x < v) as f64 / n;
            ((pr * 5.0).floor() as u8 + 1).clamp(1, 5)
        })
        .collect()
}

/// RFM scores of customers given (days since the last purchase, transactions, spend).
pub fn score(customers: &[(i32, u32, i64)]) -> Vec<Rfm> {
    let r = quintiles(&customers.iter().map(|c| -(c.0 as f64)).collect::<Vec<_>>());
    let f = quintiles(&customers.iter().map(|c| c.1 as f64).collect::<Vec<_>>());
    let m = quintiles(&customers.iter().map(|c| c.2 as f64).collect::<Vec<_>>());
    (0..customers.len()).map(|i| Rfm { r: r[i], f: f[i], m: m[i] }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_cell_has_a_segment_and_the_corners_are_the_expected_ones() {
        assert_eq!(Segment::of(5, 5), Segment::Champions);
        assert_eq!(Segment::of(1, 1), Segment::Lost);
        assert_eq!(Segment::of(1, 5), Segment::CantLose);
        assert_eq!(Segment::of(5, 1), Segment::New);
        assert_eq!(Segment::of(2, 2), Segment::Hibernating);
        assert_eq!(Segment::of(3, 3), Segment::NeedAttention);
        let used: std::collections::BTreeSet<Segment> = (1..=5).flat_map(|r| (1..=5).map(move |fm| Segment::of(r, fm))).collect();
        assert_eq!(used.len(), Segment::ALL.len(), "every segment is reachable");
        for s in Segment::ALL {
            assert_eq!(Segment::from_key(s.key()), Some(s));
        }
    }

    #[test]
    fn recent_frequent_big_spenders_are_champions() {
        let mut cs: Vec<(i32, u32, i64)> = (0..100).map(|i| (200 - i, 1 + (i as u32) / 10, 1000 * i as i64)).collect();
        cs.push((1, 30, 1_000_000));
        cs.push((400, 1, 10));
        let s = score(&cs);
        assert_eq!(s[100], Rfm { r: 5, f: 5, m: 5 });
        assert_eq!(s[100].segment(), Segment::Champions);
        assert_eq!(s[101], Rfm { r: 1, f: 1, m: 1 });
        assert_eq!(s[101].segment(), Segment::Lost);
    }

    proptest! {
        #[test]
        fn quintiles_are_monotone_and_ties_share(values in proptest::collection::vec(0u32..20, 1..200)) {
            let v: Vec<f64> = values.iter().map(|&x| x as f64).collect();
            let q = quintiles(&v);
            for i in 0..v.len() {
                prop_assert!((1..=5).contains(&q[i]));
                for j in 0..v.len() {
                    if v[i] < v[j] { prop_assert!(q[i] <= q[j]); }
                    if v[i] == v[j] { prop_assert_eq!(q[i], q[j]); }
                }
            }
        }
    }
}
