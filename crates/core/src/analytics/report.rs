//! What an analysis produces: per-customer figures and the workspace figures the Analytics
//! page draws. Plain data (Send + Sync), so the page can hold it in a signal.

use super::churn::Risk;
use super::fit::{FitProblem, Fitted};
use super::lifecycle::Stage;
use super::rfm::{Rfm, Segment};
use serde::{Deserialize, Serialize};

/// The longest lifetime value horizon: ten years. Each month of horizon is one more
/// hypergeometric series per customer, and the series converge slowly as the horizon grows.
pub const MAX_HORIZON_MONTHS: u32 = 120;

/// What the user chose for an analysis.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Options {
    /// the day (since 1970-01-01) the analysis is as of: orders after it are ignored
    pub as_of: i32,
    /// lifetime value horizon in months
    pub horizon_months: u32,
    /// yearly discount rate for lifetime value, e.g. 0.10
    pub annual_discount: f64,
    /// minor units per major unit of money (100 for most currencies)
    pub minor_per_major: f64,
    /// loyalty tiers: (name, minimum points), in any order
    pub tiers: Vec<(String, i64)>,
    /// marketing costs by month ("YYYY-MM", minor units), for the cost figures
    pub marketing: Vec<(String, i64)>,
}

impl Options {
    pub fn new(as_of: i32) -> Self {
        Self { as_of, horizon_months: 12, annual_discount: 0.10, minor_per_major: 100.0, tiers: Vec::new(), marketing: Vec::new() }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueTier {
    /// the top 10% by lifetime value
    Top,
    /// the next 20%
    High,
    /// the next 30%
    Medium,
    /// the rest
    Low,
    /// no lifetime value (no purchase, or no model)
    None,
}

impl ValueTier {
    pub const ALL: [ValueTier; 5] = [ValueTier::Top, ValueTier::High, ValueTier::Medium, ValueTier::Low, ValueTier::None];
    pub fn key(self) -> &'static str {
        match self {
            ValueTier::Top => "top",
            ValueTier::High => "high",
            ValueTier::Medium => "medium",
            ValueTier::Low => "low",
            ValueTier::None => "none",
        }
    }
    pub fn from_key(k: &str) -> Option<ValueTier> {
        ValueTier::ALL.into_iter().find(|t| t.key() == k)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Loyalty {
    /// points held at the as-of date (expired points no longer count)
    pub balance: i64,
    /// index into [`Options::tiers`] of the tier the balance reaches
    pub tier: Option<usize>,
    /// points that expire within 30 days after the as-of date
    pub expiring: i64,
}

/// One customer's figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    /// purchase days up to the as-of date
    pub transactions: u32,
    /// minor units, up to the as-of date
    pub revenue: i64,
    pub last_purchase: Option<i32>,
    pub rfm: Option<Rfm>,
    pub segment: Option<Segment>,
    /// probability the customer is still buying (BG/NBD)
    pub p_alive: Option<f64>,
    /// expected purchases in the 90 days after the as-of date
    pub expected_90d: Option<f64>,
    /// expected spend per purchase (major units)
    pub expected_spend: Option<f64>,
    /// lifetime value over the horizon, discounted (major units)
    pub clv: Option<f64>,
    pub churn: Risk,
    /// lifetime value times churn risk
    pub value_at_risk: f64,
    /// the stage shown: the override when set, else derived
    pub stage: Stage,
    pub derived_stage: Stage,
    pub overridden: bool,
    /// the derived stage 90 days before the as-of date
    pub stage_before: Stage,
    pub value_tier: ValueTier,
    pub loyalty: Loyalty,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    Province,
    City,
    Industry,
    Size,
    Rfm,
    ValueTier,
    Lifecycle,
}

impl Dimension {
    pub const ALL: [Dimension; 7] = [
        Dimension::Province,
        Dimension::City,
        Dimension::Industry,
        Dimension::Size,
        Dimension::Rfm,
        Dimension::ValueTier,
        Dimension::Lifecycle,
    ];
    pub fn key(self) -> &'static str {
        match self {
            Dimension::Province => "province",
            Dimension::City => "city",
            Dimension::Industry => "industry",
            Dimension::Size => "size",
            Dimension::Rfm => "rfm",
            Dimension::ValueTier => "value_tier",
            Dimension::Lifecycle => "lifecycle",
        }
    }
}

/// A group of customers in a segmentation. `key` is the raw value ("" = not set) or the key
/// of a segment, tier or stage.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SegmentRow {
    pub key: String,
    pub customers: u32,
    /// minor units, up to the as-of date
    pub revenue: i64,
    /// summed lifetime value (major units)
    pub clv: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Segmentation {
    pub dimension: Dimension,
    /// biggest first
    pub rows: Vec<SegmentRow>,
}

/// One bar of the lifetime value distribution: customers with lo <= CLV < hi (major units).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bin {
    pub lo: f64,
    pub hi: f64,
    pub customers: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Lifecycle {
    /// customers per stage now, by [`Stage::index`]
    pub now: [u32; 7],
    /// customers by (stage 90 days before, stage now)
    pub flow: [[u32; 7]; 7],
    /// customers per derived stage at the end of each of the last 12 months ("YYYY-MM"),
    /// oldest first; the last is the as-of date
    pub months: Vec<(String, [u32; 7])>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SatisfactionMonth {
    pub month: String,
    /// promoters % minus detractors %, -100 to 100
    pub nps: Option<f64>,
    pub nps_answers: u32,
    pub promoters: u32,
    pub detractors: u32,
    /// mean CSAT, 1 to 5
    pub csat: Option<f64>,
    pub csat_answers: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SatisfactionRow {
    pub key: String,
    pub nps: Option<f64>,
    pub nps_answers: u32,
    pub csat: Option<f64>,
    pub csat_answers: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Satisfaction {
    /// the last 12 months, oldest first
    pub months: Vec<SatisfactionMonth>,
    /// the last 12 months together
    pub total: SatisfactionRow,
    /// per segment of a dimension (RFM segment, lifecycle stage, province), last 12 months
    pub by: Vec<(Dimension, Vec<SatisfactionRow>)>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LoyaltyReport {
    /// customers per tier, by index into [`Options::tiers`]
    pub tiers: Vec<u32>,
    /// customers holding points
    pub members: u32,
    pub points: i64,
    /// points expiring within 30 days, and the customers holding them
    pub expiring: i64,
    pub expiring_customers: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Referrer {
    /// the referrer's customer id
    pub id: String,
    pub customers: u32,
    /// revenue of the customers they brought (minor units)
    pub revenue: i64,
}

/// The 6C scorecard of the workspace. Periods end at the as-of date.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Scorecard {
    // customer
    /// customers in a buying stage now, and 90 days before
    pub active: u32,
    pub active_before: u32,
    /// first purchase in the last 90 days
    pub new_customers: u32,
    // cost
    /// marketing costs entered for the last 12 months (minor units); None when none entered
    pub marketing_cost: Option<i64>,
    /// customers whose first purchase was in the last 12 months
    pub acquired: u32,
    /// their revenue so far (minor units)
    pub acquired_revenue: i64,
    /// cost per acquired customer (minor units)
    pub acquisition_cost: Option<f64>,
    /// acquired revenue / marketing cost
    pub marketing_return: Option<f64>,
    // convenience
    /// interaction kinds and ticket channels used in the last 12 months, most used first
    pub channels: Vec<(String, u32)>,
    /// median hours from a ticket opened to resolved (tickets resolved in the last 12 months)
    pub resolution_hours: Option<f64>,
    pub tickets_resolved: u32,
    // communication
    /// interactions per active customer per month, last 90 days
    pub interactions_per_customer_month: f64,
    /// median hours from an inbound interaction or a new ticket to our next answer
    pub response_hours: Option<f64>,
    // content
    pub campaign_interactions: u32,
    /// share of all interactions in the last 12 months
    pub campaign_share: f64,
    pub campaigns: Vec<(String, u32)>,
    // community
    pub referred_customers: u32,
    pub referred_revenue: i64,
    pub referrers: u32,
}

/// Everything an analysis found.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub options: Options,
    /// customers analysed (not in the Trash)
    pub customers: u32,
    /// of them, with a purchase up to the as-of date
    pub buyers: u32,
    /// the currency most orders are in
    pub currency: String,
    pub fit: Result<Fitted, FitProblem>,
    /// per customer, in the order of the rows given (None: in the Trash)
    pub scores: Vec<Option<Scores>>,
    /// customers by recency score (row, 1-5 as 0-4) and frequency-monetary score (column)
    pub rfm_grid: [[u32; 5]; 5],
    pub clv_bins: Vec<Bin>,
    /// rows with a churn score of at least [`super::churn::AT_RISK`], by value at risk (top 200)
    pub at_risk: Vec<usize>,
    pub at_risk_total: u32,
    pub value_at_risk: f64,
    pub lifecycle: Lifecycle,
    pub segments: Vec<Segmentation>,
    pub satisfaction: Satisfaction,
    pub loyalty: LoyaltyReport,
    /// biggest revenue first
    pub referrers: Vec<Referrer>,
    pub scorecard: Scorecard,
}

impl Report {
    pub fn segmentation(&self, d: Dimension) -> Option<&Segmentation> {
        self.segments.iter().find(|s| s.dimension == d)
    }
}
