//! Churn risk: a score from 0 to 100 per customer and the reasons behind it, each one a fact
//! the user can check on the customer's page.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// the probability the customer is still buying fell over the last 90 days
    AliveFell { before: f64, now: f64 },
    /// the probability the customer is still buying is low
    AliveLow { now: f64 },
    /// no purchase for `days`, against a usual gap of `usual` days
    Overdue { days: i32, usual: i32 },
    /// interactions in the last 90 days against the 90 days before
    FewerInteractions { recent: u32, before: u32 },
    OpenComplaints { count: u32 },
    /// a complaint `days` ago (resolved)
    RecentComplaint { days: i32 },
    /// the latest NPS answer was 0-6
    Detractor { score: u8, day: i32 },
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Risk {
    /// 0 (none) to 100
    pub score: u8,
    /// the biggest contributions first
    pub reasons: Vec<Reason>,
}

/// A score at or above this puts a customer on the at-risk list.
pub const AT_RISK: u8 = 50;

/// What the churn score is computed from.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Signals {
    pub p_alive_now: Option<f64>,
    /// as of 90 days before, with the same model
    pub p_alive_before: Option<f64>,
    pub days_since_purchase: Option<i32>,
    pub usual_gap: Option<i32>,
    pub touches_recent: u32,
    pub touches_before: u32,
    pub open_complaints: u32,
    pub days_since_complaint: Option<i32>,
    /// the latest NPS answer in the last year: (score, day)
    pub last_nps: Option<(u8, i32)>,
}

pub fn assess(s: &Signals) -> Risk {
    let mut parts: Vec<(f64, Option<Reason>)> = Vec::new();
    if let Some(now) = s.p_alive_now {
        parts.push(((1.0 - now) * 40.0, None));
        match s.p_alive_before {
            Some(before) if before - now >= 0.2 => parts.push((15.0, Some(Reason::AliveFell { before, now }))),
            _ if now < 0.3 => parts.push((0.1, Some(Reason::AliveLow { now }))),
            _ => {}
        }
    }
    if let (Some(days), Some(usual)) = (s.days_since_purchase, s.usual_gap) {
        if usual > 0 && days > 2 * usual && days > 30 {
            parts.push((20.0, Some(Reason::Overdue { days, usual })));
        }
    }
    if s.touches_before >= 3 && s.touches_recent * 2 < s.touches_before {
        parts.push((10.0, Some(Reason::FewerInteractions { recent: s.touches_recent, before: s.touches_before })));
    }
    if s.open_complaints > 0 {
        parts.push((15.0, Some(Reason::OpenComplaints { count: s.open_complaints })));
    } else if let Some(days) = s.days_since_complaint.filter(|d| *d <= 90) {
        parts.push((8.0, Some(Reason::RecentComplaint { days })));
    }
    if let Some((score, day)) = s.last_nps.filter(|(score, _)| *score <= 6) {
        parts.push((15.0, Some(Reason::Detractor { score, day })));
    }
    let score = parts.iter().map(|p| p.0).sum::<f64>().round().clamp(0.0, 100.0) as u8;
    parts.sort_by(|a, b| b.0.total_cmp(&a.0));
    Risk { score, reasons: parts.into_iter().filter_map(|p| p.1).collect() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quiet_unhappy_customer_scores_high_with_every_reason() {
        let r = assess(&Signals {
            p_alive_now: Some(0.2),
            p_alive_before: Some(0.9),
            days_since_purchase: Some(200),
            usual_gap: Some(30),
            touches_recent: 1,
            touches_before: 8,
            open_complaints: 2,
            days_since_complaint: Some(3),
            last_nps: Some((2, 100)),
        });
        assert!(r.score >= 80, "{r:?}");
        assert_eq!(r.reasons.len(), 5, "{r:?}");
        assert!(matches!(r.reasons[0], Reason::Overdue { days: 200, usual: 30 }));
    }

    #[test]
    fn a_happy_regular_customer_scores_low_without_reasons() {
        let r = assess(&Signals {
            p_alive_now: Some(0.97),
            p_alive_before: Some(0.95),
            days_since_purchase: Some(10),
            usual_gap: Some(30),
            touches_recent: 5,
            touches_before: 5,
            last_nps: Some((9, 100)),
            ..Default::default()
        });
        assert!(r.score < 5 && r.reasons.is_empty(), "{r:?}");
    }
}
