//! What analytics needs of a customer, kept in the customer's [`Summary`] row so that every
//! figure is computed from rows already in memory, never by loading 100k documents. Compact:
//! tuples and day numbers, no per-item ids. Rebuilt with the row on every change, local or
//! synced, so the figures follow the data.
//!
//! [`Summary`]: crate::customer::Summary

use crate::customer::record::{Customer, INTERACTION_KINDS};
use crate::dates::parse_ymd;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TicketFact {
    /// ms since the epoch
    pub created: i64,
    /// ms; 0 = not resolved
    pub resolved: i64,
    /// the first update's time (ms); 0 = no answer yet
    pub first_response: i64,
    pub complaint: bool,
    pub open: bool,
    pub channel: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Facts {
    /// orders as (day since 1970-01-01, amount in minor units); orders without a valid date
    /// are left out
    pub orders: Vec<(i32, i64)>,
    /// the currency most of the orders are in
    pub currency: String,
    /// interactions as (ms, index into INTERACTION_KINDS or 255, inbound)
    pub touches: Vec<(i64, u8, bool)>,
    /// interactions that came from a campaign or content: (ms, campaign)
    pub campaigns: Vec<(i64, String)>,
    pub tickets: Vec<TicketFact>,
    /// survey answers as (ms, is NPS (else CSAT), score)
    pub surveys: Vec<(i64, bool, u8)>,
    /// loyalty ledger as (ms, points, expiry day or 0 = never)
    pub loyalty: Vec<(i64, i64, i32)>,
    /// the customer id of whoever referred this customer
    pub referred_by: String,
    pub size: String,
}

impl Facts {
    pub fn of(c: &Customer) -> Self {
        let mut orders: Vec<(i32, i64)> =
            c.orders.iter().filter_map(|o| Some((parse_ymd(&o.date)?.to_days(), o.amount))).collect();
        orders.sort_unstable();
        let mut currencies: BTreeMap<&str, usize> = BTreeMap::new();
        for o in &c.orders {
            *currencies.entry(o.currency.as_str()).or_default() += 1;
        }
        let currency = currencies.into_iter().max_by_key(|(_, n)| *n).map(|(c, _)| c.to_string()).unwrap_or_default();
        let kind = |k: &str| INTERACTION_KINDS.iter().position(|x| *x == k).map(|i| i as u8).unwrap_or(u8::MAX);
        let touches = c.interactions.iter().map(|i| (i.at, kind(&i.kind), i.direction == "in")).collect();
        let campaigns =
            c.interactions.iter().filter(|i| !i.campaign.trim().is_empty()).map(|i| (i.at, i.campaign.trim().to_string())).collect();
        let tickets = c
            .tickets
            .values()
            .map(|t| TicketFact {
                created: t.created_at,
                resolved: if t.is_open() { 0 } else { t.resolved_at },
                first_response: t.updates.iter().map(|u| u.at).filter(|&a| a >= t.created_at).min().unwrap_or(0),
                complaint: t.kind == "complaint",
                open: t.is_open(),
                channel: t.channel.clone(),
            })
            .collect();
        let surveys = c
            .surveys
            .iter()
            .filter(|s| (s.kind == "nps" && (0..=10).contains(&s.score)) || (s.kind == "csat" && (1..=5).contains(&s.score)))
            .map(|s| (s.at, s.kind == "nps", s.score as u8))
            .collect();
        let loyalty = c
            .loyalty
            .iter()
            .map(|e| (e.at, e.points, parse_ymd(&e.expires).map(|d| d.to_days()).unwrap_or(0)))
            .collect();
        Facts {
            orders,
            currency,
            touches,
            campaigns,
            tickets,
            surveys,
            loyalty,
            referred_by: c.referred_by.clone(),
            size: c.size.clone(),
        }
    }
}
