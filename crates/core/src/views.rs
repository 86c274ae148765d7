//! Views of the customer list: filters on any field, a sort, and a search query. A view can
//! be saved by name in the workspace settings ([`crate::workspace::SavedView`], as JSON), so
//! the whole team shares it.
//!
//! Filters read only [`Summary`] rows, never documents, so filtering 100k customers is a scan
//! of plain structs.

use crate::analytics::Scores;
use crate::customer::{deal_status, Summary};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "f", content = "k", rename_all = "snake_case")]
pub enum FilterField {
    Kind,
    Owner,
    Tag,
    Province,
    City,
    Industry,
    Source,
    Lifecycle,
    /// has an open deal in this stage (value = stage id)
    Stage,
    /// last interaction (value = YYYY-MM-DD)
    LastInteraction,
    /// created (value = YYYY-MM-DD)
    Created,
    /// revenue in major units
    Revenue,
    OpenTickets,
    Custom(String),
    /// the customer id of whoever referred them
    ReferredBy,
    /// company size
    Size,
    // analytics figures (they need a report, see [`apply_scored`])
    /// RFM segment key ([`crate::analytics::rfm::Segment::key`])
    RfmSegment,
    /// an RFM grid cell: "r,fm" (recency score, frequency-monetary score)
    RfmCell,
    /// [`crate::analytics::ValueTier::key`]
    ValueTier,
    /// the lifecycle stage shown (the override, else derived): a stage key
    LifecycleStage,
    /// the derived stage 90 days before the as-of date
    StageBefore,
    /// churn risk score, 0-100
    ChurnRisk,
    /// lifetime value in major units
    Clv,
    /// loyalty tier, by its index in the workspace's tiers
    LoyaltyTier,
}

impl FilterField {
    /// Whether the filter reads analytics figures.
    pub fn needs_scores(&self) -> bool {
        matches!(
            self,
            FilterField::RfmSegment
                | FilterField::RfmCell
                | FilterField::ValueTier
                | FilterField::LifecycleStage
                | FilterField::StageBefore
                | FilterField::ChurnRisk
                | FilterField::Clv
                | FilterField::LoyaltyTier
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Is,
    IsNot,
    Contains,
    /// dates: strictly before the day; numbers: less than
    Before,
    /// dates: after the day (from the next day on); numbers: more than
    After,
    IsEmpty,
    IsNotEmpty,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filter {
    pub field: FilterField,
    pub op: Op,
    #[serde(default)]
    pub value: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SortColumn {
    #[default]
    Name,
    Owner,
    City,
    Industry,
    OpenDeals,
    LastInteraction,
    Revenue,
    Created,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Sort {
    pub column: SortColumn,
    #[serde(default)]
    pub desc: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ViewSpec {
    #[serde(default)]
    pub query: String,
    #[serde(default)]
    pub filters: Vec<Filter>,
    #[serde(default)]
    pub sort: Sort,
}

#[derive(Debug, thiserror::Error)]
#[error("the saved view could not be read: {0}")]
pub struct ViewError(String);

impl ViewSpec {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
    pub fn from_json(s: &str) -> Result<ViewSpec, ViewError> {
        serde_json::from_str(s).map_err(|e| ViewError(e.to_string()))
    }
    /// True when the customer passes every filter (deleted customers never do: they are in
    /// the Trash).
    pub fn admits(&self, s: &Summary) -> bool {
        self.admits_scored(s, None)
    }

    /// As [`Self::admits`], with the customer's analytics figures for the filters that need
    /// them (without figures those filters admit no one).
    pub fn admits_scored(&self, s: &Summary, scores: Option<&Scores>) -> bool {
        !s.is_deleted() && self.filters.iter().all(|f| f.admits_scored(s, scores))
    }

    pub fn needs_scores(&self) -> bool {
        self.filters.iter().any(|f| f.field.needs_scores())
    }
}

fn day_ms(v: &str) -> Option<i64> {
    crate::dates::parse_ymd(v).map(|d| d.to_days() as i64 * 86_400_000)
}

fn eq_ci(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

fn compare_number(op: Op, n: Option<f64>, v: &str) -> bool {
    let x = v.replace(',', "").parse::<f64>();
    match (op, n, x) {
        (Op::IsEmpty, n, _) => n.is_none(),
        (Op::IsNotEmpty, n, _) => n.is_some(),
        (_, None, _) => false,
        (Op::Before, Some(n), Ok(x)) => n < x,
        (Op::After, Some(n), Ok(x)) => n > x,
        (Op::Is, Some(n), Ok(x)) => (n - x).abs() < 0.005,
        (Op::IsNot, Some(n), Ok(x)) => (n - x).abs() >= 0.005,
        _ => true,
    }
}

fn compare_key(op: Op, key: Option<&str>, v: &str) -> bool {
    match (op, key) {
        (Op::IsEmpty, k) => k.is_none_or(str::is_empty),
        (Op::IsNotEmpty, k) => k.is_some_and(|k| !k.is_empty()),
        (Op::IsNot, k) => k != Some(v),
        (Op::Contains, Some(k)) => k.contains(v),
        (_, k) => k == Some(v),
    }
}

impl Filter {
    pub fn admits(&self, s: &Summary) -> bool {
        self.admits_scored(s, None)
    }

    pub fn admits_scored(&self, s: &Summary, sc: Option<&Scores>) -> bool {
        let v = self.value.trim();
        if self.field.needs_scores() {
            let Some(sc) = sc else { return false };
            return match &self.field {
                FilterField::ChurnRisk => compare_number(self.op, Some(sc.churn.score as f64), v),
                FilterField::Clv => compare_number(self.op, sc.clv, v),
                FilterField::RfmSegment => compare_key(self.op, sc.segment.map(|x| x.key()), v),
                FilterField::RfmCell => {
                    let cell = sc.rfm.map(|r| format!("{},{}", r.r, r.fm()));
                    compare_key(self.op, cell.as_deref(), v)
                }
                FilterField::ValueTier => compare_key(self.op, Some(sc.value_tier.key()), v),
                FilterField::LifecycleStage => compare_key(self.op, Some(sc.stage.key()), v),
                FilterField::StageBefore => compare_key(self.op, Some(sc.stage_before.key()), v),
                FilterField::LoyaltyTier => {
                    let t = sc.loyalty.tier.map(|t| t.to_string());
                    compare_key(self.op, t.as_deref(), v)
                }
                _ => true,
            };
        }
        match &self.field {
            FilterField::ReferredBy => compare_key(self.op, Some(s.facts.referred_by.as_str()), v),
            FilterField::Tag => {
                let has = s.tags.iter().any(|t| eq_ci(t, v));
                match self.op {
                    Op::Is | Op::Contains => has,
                    Op::IsNot => !has,
                    Op::IsEmpty => s.tags.is_empty(),
                    Op::IsNotEmpty => !s.tags.is_empty(),
                    _ => true,
                }
            }
            FilterField::Stage => {
                let has = s.deals.iter().any(|d| d.status == deal_status::OPEN && d.stage == v);
                match self.op {
                    Op::IsNot => !has,
                    Op::IsEmpty => !s.deals.iter().any(|d| d.status == deal_status::OPEN),
                    Op::IsNotEmpty => s.deals.iter().any(|d| d.status == deal_status::OPEN),
                    _ => has,
                }
            }
            FilterField::LastInteraction | FilterField::Created => {
                let at = if self.field == FilterField::Created { s.created_at } else { s.last_interaction };
                match (self.op, day_ms(v)) {
                    (Op::IsEmpty, _) => at == 0,
                    (Op::IsNotEmpty, _) => at != 0,
                    (Op::Before, Some(d)) => at != 0 && at < d,
                    (Op::After, Some(d)) => at >= d + 86_400_000,
                    (Op::Is, Some(d)) => at >= d && at < d + 86_400_000,
                    // an incomplete date filters nothing yet (the person is still typing)
                    _ => true,
                }
            }
            FilterField::Revenue | FilterField::OpenTickets => {
                let n = if self.field == FilterField::Revenue { s.revenue as f64 / 100.0 } else { s.open_tickets as f64 };
                match self.op {
                    // no revenue, no open tickets: empty
                    Op::IsEmpty => n == 0.0,
                    Op::IsNotEmpty => n != 0.0,
                    _ => compare_number(self.op, Some(n), v),
                }
            }
            text => {
                let field: &str = match text {
                    FilterField::Kind => s.kind.as_str(),
                    FilterField::Owner => &s.owner,
                    FilterField::Province => &s.province,
                    FilterField::City => &s.city,
                    FilterField::Industry => &s.industry,
                    FilterField::Source => &s.source,
                    FilterField::Lifecycle => &s.lifecycle,
                    FilterField::Size => &s.facts.size,
                    FilterField::Custom(k) => s.custom.get(k).map(String::as_str).unwrap_or(""),
                    _ => "",
                };
                match self.op {
                    Op::Is => eq_ci(field, v),
                    Op::IsNot => !eq_ci(field, v),
                    Op::Contains => field.to_lowercase().contains(&v.to_lowercase()),
                    Op::IsEmpty => field.trim().is_empty(),
                    Op::IsNotEmpty => !field.trim().is_empty(),
                    // dates and numbers held as text (custom fields): compare as such
                    Op::Before | Op::After => {
                        let ord = match (field.trim().parse::<f64>(), v.parse::<f64>()) {
                            (Ok(a), Ok(b)) => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
                            _ => field.trim().cmp(v),
                        };
                        !field.trim().is_empty() && ord == if self.op == Op::Before { Ordering::Less } else { Ordering::Greater }
                    }
                }
            }
        }
    }
}

/// Each summary's rank in the default (name) order: computed once per change of the data,
/// it breaks ties in every other order without comparing strings again.
pub fn name_ranks(all: &[Summary]) -> Vec<u32> {
    let mut idx: Vec<usize> = (0..all.len()).collect();
    idx.sort_by_cached_key(|&i| all[i].sort_key());
    let mut rank = vec![0u32; all.len()];
    for (r, i) in idx.into_iter().enumerate() {
        rank[i] = r as u32;
    }
    rank
}

/// Orders indexes of `all` by `sort`; `ranks` from [`name_ranks`] (ties by name, then id, so
/// the order is stable).
pub fn sort_indexes(sort: &Sort, all: &[Summary], ranks: &[u32], idx: &mut [usize]) {
    use std::cmp::Reverse;
    let text_key = |s: &str| (s.is_empty(), s.to_lowercase());
    let number = |i: usize| match sort.column {
        SortColumn::OpenDeals => all[i].open_deal_value,
        SortColumn::LastInteraction => all[i].last_interaction,
        SortColumn::Revenue => all[i].revenue,
        SortColumn::Created => all[i].created_at,
        _ => 0,
    };
    match sort.column {
        SortColumn::Name => {
            idx.sort_by_key(|&i| ranks[i]);
            if sort.desc {
                idx.reverse();
            }
        }
        SortColumn::Owner | SortColumn::City | SortColumn::Industry => {
            let text = |i: usize| match sort.column {
                SortColumn::Owner => &all[i].owner,
                SortColumn::City => &all[i].city,
                _ => &all[i].industry,
            };
            idx.sort_by_cached_key(|&i| (text_key(text(i)), ranks[i]));
            if sort.desc {
                idx.reverse();
            }
        }
        // numbers: biggest or smallest first, equal values always by name
        _ if sort.desc => idx.sort_by_key(|&i| (Reverse(number(i)), ranks[i])),
        _ => idx.sort_by_key(|&i| (number(i), ranks[i])),
    }
}

/// Indexes of `all` admitted by the view's filters, in the view's order.
pub fn apply(spec: &ViewSpec, all: &[Summary], ranks: &[u32]) -> Vec<usize> {
    apply_scored(spec, all, ranks, &[])
}

/// As [`apply`], with each row's analytics figures (`scores[i]` for `all[i]`; rows without
/// figures fail the filters that need them).
pub fn apply_scored(spec: &ViewSpec, all: &[Summary], ranks: &[u32], scores: &[Option<Scores>]) -> Vec<usize> {
    let mut idx: Vec<usize> =
        (0..all.len()).filter(|&i| spec.admits_scored(&all[i], scores.get(i).and_then(Option::as_ref))).collect();
    sort_indexes(&spec.sort, all, ranks, &mut idx);
    idx
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customer::DealSummary;

    fn s(name: &str, f: impl FnOnce(&mut Summary)) -> Summary {
        let mut x = Summary { id: name.into(), name: name.into(), ..Default::default() };
        f(&mut x);
        x
    }

    fn day(d: &str) -> i64 {
        day_ms(d).unwrap() + 3_600_000
    }

    #[test]
    fn filters_on_company_size_and_referrer_read_the_analytics_facts() {
        let all = vec![
            s("Big", |x| {
                x.facts.size = "500+".into();
                x.facts.referred_by = "ref-1".into();
            }),
            s("Small", |x| x.facts.size = "1-10".into()),
            s("Unknown", |_| {}),
        ];
        let ranks = name_ranks(&all);
        let names = |f: Filter| {
            let spec = ViewSpec { filters: vec![f], ..Default::default() };
            apply(&spec, &all, &ranks).into_iter().map(|i| all[i].name.clone()).collect::<Vec<_>>()
        };
        let f = |field, op, v: &str| Filter { field, op, value: v.into() };
        assert_eq!(names(f(FilterField::Size, Op::Is, "500+")), ["Big"]);
        assert_eq!(names(f(FilterField::Size, Op::IsEmpty, "")), ["Unknown"]);
        assert_eq!(names(f(FilterField::ReferredBy, Op::Is, "ref-1")), ["Big"]);
        // analytics filters need a report: without one they admit no one
        assert!(names(f(FilterField::RfmSegment, Op::Is, "champions")).is_empty());
    }

    #[test]
    fn filters_on_stage_owner_tags_region_custom_fields_and_last_interaction() {
        let all = vec![
            s("Acme", |x| {
                x.owner = "Li".into();
                x.tags = vec!["VIP".into()];
                x.province = "广东".into();
                x.city = "深圳".into();
                x.custom.insert("tier".into(), "A".into());
                x.last_interaction = day("2024-03-01");
                x.deals = vec![DealSummary { stage: "proposal".into(), status: "open".into(), ..Default::default() }];
            }),
            s("Bolt", |x| {
                x.owner = "wang".into();
                x.city = "北京".into();
                x.last_interaction = day("2024-05-01");
                x.deals = vec![DealSummary { stage: "proposal".into(), status: "won".into(), ..Default::default() }];
            }),
            s("Gone", |x| {
                x.owner = "li".into();
                x.deleted_at = 5;
            }),
        ];
        let ranks = name_ranks(&all);
        let names = |spec: &ViewSpec| apply(spec, &all, &ranks).into_iter().map(|i| all[i].name.clone()).collect::<Vec<_>>();
        let f = |field, op, v: &str| Filter { field, op, value: v.into() };
        let one = |flt| ViewSpec { filters: vec![flt], ..Default::default() };
        assert_eq!(names(&one(f(FilterField::Owner, Op::Is, "LI"))), ["Acme"], "case-insensitive, deleted excluded");
        assert_eq!(names(&one(f(FilterField::Stage, Op::Is, "proposal"))), ["Acme"], "only open deals count");
        assert_eq!(names(&one(f(FilterField::Tag, Op::Is, "vip"))), ["Acme"]);
        assert_eq!(names(&one(f(FilterField::Tag, Op::IsNot, "vip"))), ["Bolt"]);
        assert_eq!(names(&one(f(FilterField::City, Op::Is, "北京"))), ["Bolt"]);
        assert_eq!(names(&one(f(FilterField::Custom("tier".into()), Op::Is, "a"))), ["Acme"]);
        assert_eq!(names(&one(f(FilterField::LastInteraction, Op::Before, "2024-04-01"))), ["Acme"]);
        assert_eq!(names(&one(f(FilterField::LastInteraction, Op::After, "2024-03-01"))), ["Bolt"]);
        assert_eq!(names(&one(f(FilterField::LastInteraction, Op::After, "2024-0"))), ["Acme", "Bolt"], "half-typed date");
        let both = ViewSpec { filters: vec![f(FilterField::Owner, Op::Contains, "l"), f(FilterField::Province, Op::IsNotEmpty, "")], ..Default::default() };
        assert_eq!(names(&both), ["Acme"]);
    }

    #[test]
    fn sorting_is_stable_and_reversible_and_views_round_trip_as_json() {
        let all = vec![
            s("b", |x| x.revenue = 5),
            s("a", |x| x.revenue = 5),
            s("c", |x| x.revenue = 9),
            s("", |x| x.revenue = 1),
        ];
        let mut spec = ViewSpec { sort: Sort { column: SortColumn::Revenue, desc: true }, ..Default::default() };
        let ranks = name_ranks(&all);
        let order = |spec: &ViewSpec| apply(spec, &all, &ranks).into_iter().map(|i| all[i].name.clone()).collect::<Vec<_>>();
        assert_eq!(order(&spec), ["c", "a", "b", ""]);
        spec.sort = Sort { column: SortColumn::Name, desc: false };
        assert_eq!(order(&spec), ["a", "b", "c", ""], "unnamed last");
        spec.filters.push(Filter { field: FilterField::Custom("区域".into()), op: Op::Is, value: "华南".into() });
        spec.query = "zs".into();
        assert_eq!(ViewSpec::from_json(&spec.to_json()).unwrap(), spec);
        assert!(ViewSpec::from_json("{not json").is_err());
    }
}
