//! Words of the Analytics page and of the per-customer figures: RFM segments, value tiers,
//! lifecycle stages (the names of `customer.rs`), churn reasons as sentences with their
//! numbers, the model problems, the 6C scorecard and the phases of a run.

use super::customer::lifecycle_name;
use super::{fill, Locale};
use crm_core::analytics::churn::Reason;
use crm_core::analytics::fit::{FitProblem, SpendProblem};
use crm_core::analytics::job::Phase;
use crm_core::analytics::lifecycle::Stage;
use crm_core::analytics::report::{Dimension, ValueTier};
use crm_core::analytics::rfm::Segment;
use js_sys::{Array, Intl, Object, Reflect};
use wasm_bindgen::JsValue;

crate::messages! {
    AnalyticsMsg {
        title: "Analytics", "分析";
        go_analytics: "Go to analytics", "前往分析";
        intro: "Computed on this device from the customers’ own orders, interactions, tickets and surveys.",
               "根据本设备上客户的订单、互动、工单和调查在本地计算。";
        options: "Options", "选项";
        as_of: "As of", "截至日期";
        horizon: "Horizon (months)", "预测期（月）";
        discount: "Discount rate (% a year)", "年折现率（%）";
        recalculate: "Recalculate", "重新计算";
        progress: "Analysis progress", "分析进度";
        progress_text: "{} · {}%", "{} · {}%";
        ph_reading: "Reading customers", "读取客户数据";
        ph_fitting: "Fitting the purchase and spend models", "拟合购买与消费模型";
        ph_scoring: "Scoring customers", "计算客户评分";
        ph_summing: "Adding up", "汇总结果";
        stale: "Customers changed since these figures were computed.", "计算之后客户数据已有变化。";
        waiting: "Computing the figures…", "正在计算指标…";
        figures_of: "{} customers analysed, {} with purchases, as of {}.", "共分析 {} 位客户，其中 {} 位有购买记录，截至 {}。";
        customers_n: "{} customers", "{} 位客户";
        customers_one: "1 customer", "1 位客户";
        show_customers: "Show these customers", "查看这些客户";
        not_set: "(not set)", "（未填写）";

        // Model
        model: "Model", "模型";
        model_intro: "BG/NBD for purchases and Gamma-Gamma for spend, fitted by maximum likelihood on the orders up to the as-of date.",
                     "购买使用 BG/NBD 模型，消费金额使用 Gamma-Gamma 模型，均按截至日期前的订单以最大似然法拟合。";
        col_param: "Parameter", "参数";
        col_value: "Value", "值";
        p_r: "r (purchase rate shape)", "r（购买率形状参数）";
        p_alpha: "alpha (purchase rate scale)", "alpha（购买率尺度参数）";
        p_a: "a (dropout)", "a（流失参数）";
        p_b: "b (dropout)", "b（流失参数）";
        p_ll: "Log-likelihood", "对数似然";
        p_customers: "Customers", "客户数";
        p_repeat: "Repeat buyers", "重复购买客户";
        p_p: "p (spend shape)", "p（消费形状参数）";
        p_q: "q (spend shape across customers)", "q（客户间消费形状参数）";
        p_gamma: "gamma (spend scale)", "gamma（消费尺度参数）";
        p_spend_customers: "Customers in the spend model", "消费模型客户数";
        p_spend_ll: "Spend log-likelihood", "消费模型对数似然";
        spend_problem: "Spend model: {}", "消费模型：{}";
        nonpositive: "{} repeat buyers with no positive spend were left out of the spend model.", "{} 位平均消费不为正的重复购买客户未纳入消费模型。";
        fp_few_customers: "{} customers have bought before the as-of date; the purchase model needs at least {}.",
                          "截至日期前只有 {} 位客户有购买；购买模型至少需要 {} 位。";
        fp_few_repeat: "{} customers have bought more than once before the as-of date; the purchase model needs at least {}.",
                       "截至日期前只有 {} 位客户多次购买；购买模型至少需要 {} 位。";
        fp_one_day: "Every customer’s history is less than a day long at the as-of date: pick a later date.",
                    "在截至日期时每位客户的历史都不足一天：请选择更晚的日期。";
        fp_not_identified: "The purchase model did not settle on parameters ({}): the history is too short or too uniform to tell buying from dropping out.",
                           "购买模型的参数无法收敛（{}）：历史太短或太单一，无法区分购买与流失。";
        sp_few: "{} repeat buyers have a positive average spend; the spend model needs at least {}.",
                "只有 {} 位重复购买客户的平均消费为正；消费模型至少需要 {} 位。";
        sp_no_mean: "q came out at {}; it must be above 1 for an average spend to exist (spend varies too wildly between customers).",
                    "q 的估计值为 {}，必须大于 1 才存在平均消费（客户之间的消费差异过大）。";
        empty_model: "Import or add orders to see the purchase model.", "导入或添加订单后即可查看购买模型。";

        // RFM
        rfm: "RFM", "RFM 分析";
        rfm_intro: "Recency, frequency and monetary scores from 1 to 5 (by fifths of the customers who bought).",
                   "最近购买、购买频次和消费金额按购买客户的五等分打 1 到 5 分。";
        rfm_grid: "Customers by recency and frequency-monetary score", "按最近度与频次金额得分分布的客户";
        recency: "Recency", "最近度";
        fm: "Frequency & monetary", "频次与金额";
        rfm_cell: "Recency {}, frequency-monetary {}: {} customers", "最近度 {}，频次金额 {}：{} 位客户";
        rfm_segments: "Segments", "细分群体";
        empty_rfm: "Import or add orders to see RFM segments.", "导入或添加订单后即可查看 RFM 细分。";
        seg_champions: "Champions", "冠军客户";
        seg_loyal: "Loyal", "忠诚客户";
        seg_potential_loyalists: "Potential loyalists", "潜在忠诚客户";
        seg_new: "New", "新客户";
        seg_promising: "Promising", "有潜力客户";
        seg_need_attention: "Need attention", "需要关注";
        seg_about_to_sleep: "About to sleep", "即将沉睡";
        seg_at_risk: "At risk", "有流失风险";
        seg_cant_lose: "Can’t lose", "不能失去";
        seg_hibernating: "Hibernating", "休眠客户";
        seg_lost: "Lost", "已流失";

        // Lifetime value
        clv: "Lifetime value", "客户终身价值";
        clv_intro: "Expected spend over the next {} months, discounted {}% a year.", "未来 {} 个月的预期消费，按年折现率 {}% 折现。";
        clv_total: "Total", "合计";
        clv_average: "Average per buyer", "每位购买客户平均";
        clv_hist: "Customers by lifetime value", "按终身价值分布的客户数";
        clv_bin: "{} to {}: {} customers", "{} 至 {}：{} 位客户";
        clv_none: "Lifetime values need the purchase model (see Model).", "终身价值需要购买模型（见“模型”）。";
        empty_clv: "Import or add orders to see lifetime values.", "导入或添加订单后即可查看终身价值。";
        vt_top: "Top 10%", "前 10%";
        vt_high: "High", "高";
        vt_medium: "Medium", "中";
        vt_low: "Low", "低";
        vt_none: "No value yet", "暂无价值";

        // Churn
        churn: "Churn risk", "流失风险";
        at_risk_count: "{} customers at risk", "{} 位客户有流失风险";
        at_risk_one: "1 customer at risk", "1 位客户有流失风险";
        value_at_risk: "Value at risk: {}", "风险价值：{}";
        at_risk_list: "Customers most at risk", "流失风险最高的客户";
        col_customer: "Customer", "客户";
        col_risk: "Risk", "风险";
        col_value_at_risk: "Value at risk", "风险价值";
        col_reasons: "Why", "原因";
        risk_score: "{} / 100", "{} / 100";
        no_risk: "No customer is at risk.", "没有客户存在流失风险。";
        empty_churn: "Import or add orders to see churn risk.", "导入或添加订单后即可查看流失风险。";
        r_alive_fell: "Probability still buying fell from {} to {} in 90 days", "仍在购买的概率在 90 天内从 {} 降至 {}";
        r_alive_low: "Probability still buying is only {}", "仍在购买的概率仅为 {}";
        r_overdue: "No purchase for {} days; usually every {} days", "已 {} 天未购买；通常每 {} 天购买一次";
        r_fewer: "{} interactions in the last 90 days, {} in the 90 before", "最近 90 天互动 {} 次，之前 90 天 {} 次";
        r_open_complaints: "{} open complaints", "{} 个未解决的投诉";
        r_open_complaint: "1 open complaint", "1 个未解决的投诉";
        r_recent_complaint: "Complaint {} days ago", "{} 天前有投诉";
        r_detractor: "NPS {} (detractor) on {}", "NPS {}（贬损者），{}";

        // Lifecycle
        lifecycle: "Lifecycle", "生命周期";
        lc_now: "Customers per stage now", "当前各阶段客户数";
        lc_flow: "From 90 days before to now", "从 90 天前到现在";
        col_before: "90 days before", "90 天前";
        col_now: "Now", "现在";
        col_customers: "Customers", "客户数";
        lc_no_moves: "No customer changed stage in the last 90 days.", "近 90 天没有客户变更阶段。";
        lc_months: "Stages at the end of each month", "每月末各阶段客户数";
        lc_months_summary: "Customers per stage at the end of each month: {}", "每月末各阶段客户数：{}";
        empty_lifecycle: "Import or add customers to see lifecycle stages.", "导入或添加客户后即可查看生命周期阶段。";

        // Satisfaction
        satisfaction: "Satisfaction", "满意度";
        nps_trend: "NPS by month (−100 to 100)", "每月 NPS（−100 到 100）";
        csat_trend: "CSAT by month (1 to 5)", "每月 CSAT（1 到 5）";
        nps_total: "NPS {} from {} answers in the last 12 months", "近 12 个月 NPS {}（{} 份回答）";
        csat_total: "CSAT {} from {} answers in the last 12 months", "近 12 个月 CSAT {}（{} 份回答）";
        no_answers: "no answers", "无回答";
        trend_summary: "{}: {}", "{}：{}";
        sat_by: "By {}", "按{}";
        col_group: "Group", "分组";
        col_nps: "NPS", "NPS";
        col_csat: "CSAT", "CSAT";
        col_answers: "Answers", "回答数";
        no_surveys: "No survey answers in the last 12 months. Add NPS or CSAT responses on a customer’s page.",
                    "近 12 个月没有调查回答。可在客户页面添加 NPS 或 CSAT 回答。";

        // Segments
        segments: "Segments", "客户分群";
        group_by: "Group by", "分组依据";
        dim_province: "Province", "省份";
        dim_city: "City", "城市";
        dim_industry: "Industry", "行业";
        dim_size: "Size", "规模";
        dim_rfm: "RFM segment", "RFM 细分";
        dim_value_tier: "Value tier", "价值等级";
        dim_lifecycle: "Lifecycle stage", "生命周期阶段";
        seg_line: "{} · revenue {} · lifetime value {}", "{} · 销售额 {} · 终身价值 {}";
        no_segments: "No customers to group.", "没有可分组的客户。";
        seg_hint: "Customers, then revenue · lifetime value of each group", "每组的客户数，以及销售额 · 终身价值";

        // Loyalty
        loyalty: "Loyalty", "会员积分";
        members: "{} hold {} points", "{}持有 {} 积分";
        expiring: "{} points expire within 30 days ({} customers)", "{} 积分将在 30 天内过期（{} 位客户）";
        no_tier: "No tier", "无等级";
        tiers_list: "Customers per tier", "各等级客户数";
        no_loyalty: "No customer holds points yet.", "还没有客户持有积分。";

        // Referrals
        referrals: "Referrals", "转介绍";
        col_referrer: "Referrer", "推荐人";
        col_brought: "Customers brought", "带来的客户";
        col_revenue: "Their revenue", "其销售额";
        no_referrals: "No customer was referred by another yet. Set “Referred by” on a customer’s profile.",
                      "还没有客户由其他客户推荐。可在客户资料中设置“推荐人”。";

        // 6C scorecard
        scorecard: "6C scorecard", "6C 评分卡";
        c_customer: "Customer", "客户";
        c_cost: "Cost", "成本";
        c_convenience: "Convenience", "便利";
        c_communication: "Communication", "沟通";
        c_content: "Content", "内容";
        c_community: "Community", "社群";
        s_active: "{} active customers ({} 90 days before)", "{} 位活跃客户（90 天前 {} 位）";
        s_new: "{} first purchases in the last 90 days", "近 90 天 {} 位客户首次购买";
        s_marketing: "Marketing cost in the last 12 months: {}", "近 12 个月营销成本：{}";
        s_no_marketing: "No marketing costs entered.", "尚未录入营销成本。";
        s_acquired: "{} customers acquired in 12 months, {} revenue", "12 个月内获得 {} 位客户，销售额 {}";
        s_cac: "Cost per acquired customer: {}", "每位新客户的获客成本：{}";
        s_return: "Revenue per unit of marketing cost: {}", "每单位营销成本带来的销售额：{}";
        s_channels: "Channels used: {}", "使用的渠道：{}";
        s_no_channels: "No interactions or tickets in the last 12 months.", "近 12 个月没有互动或工单。";
        s_resolution: "Median time to resolve a ticket: {} hours ({} tickets)", "工单解决时间中位数：{} 小时（{} 个工单）";
        s_touches: "{} interactions per active customer per month", "每位活跃客户每月 {} 次互动";
        s_response: "Median time to answer: {} hours", "回复时间中位数：{} 小时";
        s_campaigns: "{} interactions from campaigns ({} of all)", "{} 次互动来自营销活动（占 {}）";
        s_no_campaigns: "No interactions came from a campaign.", "没有来自营销活动的互动。";
        s_referred: "{} customers referred by {} customers, {} revenue", "{} 位客户由 {} 位客户推荐，销售额 {}";

        // Figures on the customer page
        figures: "Figures", "客户指标";
        f_clv: "Lifetime value ({} months)", "终身价值（{} 个月）";
        f_alive: "Probability still buying", "仍在购买的概率";
        f_expected: "Expected purchases in the next 90 days", "未来 90 天预期购买次数";
        f_churn: "Churn risk", "流失风险";
        f_segment: "RFM segment", "RFM 细分";
        f_scores: "R {} · F {} · M {}", "R {} · F {} · M {}";
        f_stage: "Lifecycle stage", "生命周期阶段";
        f_set_by_hand: "set by hand; computed: {}", "手动设置；计算结果：{}";
        f_value_tier: "Value tier", "价值等级";
        f_tier: "Loyalty tier", "会员等级";
        f_balance: "Points balance", "积分余额";
        f_expiring: "Points expiring within 30 days", "30 天内过期的积分";
        f_no_purchase: "No purchases up to {}.", "截至 {} 没有购买记录。";
        f_as_of: "As of {}. ", "截至 {}。";
        f_open_analytics: "Open analytics", "打开分析";
        f_no_reasons: "No warning signs.", "没有预警信号。";
        f_unknown: "—", "—";
    }
}

/// An RFM segment's name.
pub fn segment_name(l: Locale, s: Segment) -> &'static str {
    let t = AnalyticsMsg::of(l);
    match s {
        Segment::Champions => t.seg_champions,
        Segment::Loyal => t.seg_loyal,
        Segment::PotentialLoyalists => t.seg_potential_loyalists,
        Segment::New => t.seg_new,
        Segment::Promising => t.seg_promising,
        Segment::NeedAttention => t.seg_need_attention,
        Segment::AboutToSleep => t.seg_about_to_sleep,
        Segment::AtRisk => t.seg_at_risk,
        Segment::CantLose => t.seg_cant_lose,
        Segment::Hibernating => t.seg_hibernating,
        Segment::Lost => t.seg_lost,
    }
}

pub fn value_tier_name(l: Locale, v: ValueTier) -> &'static str {
    let t = AnalyticsMsg::of(l);
    match v {
        ValueTier::Top => t.vt_top,
        ValueTier::High => t.vt_high,
        ValueTier::Medium => t.vt_medium,
        ValueTier::Low => t.vt_low,
        ValueTier::None => t.vt_none,
    }
}

/// A lifecycle stage's name: the same words as the profile's "Lifecycle stage" select.
pub fn stage_name(l: Locale, s: Stage) -> &'static str {
    lifecycle_name(l, s.key())
}

pub fn dimension_name(l: Locale, d: Dimension) -> &'static str {
    let t = AnalyticsMsg::of(l);
    match d {
        Dimension::Province => t.dim_province,
        Dimension::City => t.dim_city,
        Dimension::Industry => t.dim_industry,
        Dimension::Size => t.dim_size,
        Dimension::Rfm => t.dim_rfm,
        Dimension::ValueTier => t.dim_value_tier,
        Dimension::Lifecycle => t.dim_lifecycle,
    }
}

/// The name of a segmentation row's key: a segment, tier or stage name, else the raw value.
pub fn group_name(l: Locale, d: Dimension, key: &str) -> String {
    let named = match d {
        Dimension::Rfm => Segment::from_key(key).map(|s| segment_name(l, s)),
        Dimension::ValueTier => ValueTier::from_key(key).map(|v| value_tier_name(l, v)),
        Dimension::Lifecycle => Stage::from_key(key).map(|s| stage_name(l, s)),
        _ => None,
    };
    match named {
        Some(n) => n.to_string(),
        None if key.is_empty() => AnalyticsMsg::of(l).not_set.to_string(),
        None => key.to_string(),
    }
}

/// The name of an interaction kind or ticket channel (the 6C channels).
pub fn channel_name(l: Locale, key: &str) -> String {
    let n = super::customer::interaction_name(l, key);
    if n != key {
        return n;
    }
    super::customer::channel_name(l, key)
}

/// A number with exactly `digits` decimals, grouped for the locale.
pub fn fixed(l: Locale, n: f64, digits: u32) -> String {
    let o = Object::new();
    let d: JsValue = digits.into();
    let _ = Reflect::set(&o, &"minimumFractionDigits".into(), &d);
    let _ = Reflect::set(&o, &"maximumFractionDigits".into(), &d);
    let f = Intl::NumberFormat::new(&Array::of1(&l.tag().into()), &o);
    f.format().call1(&JsValue::NULL, &n.into()).ok().and_then(|v| v.as_string()).unwrap_or_else(|| format!("{n:.*}", digits as usize))
}

/// A share (0 to 1) as a whole percentage ("35%").
pub fn percent(l: Locale, share: f64) -> String {
    let o = Object::new();
    let _ = Reflect::set(&o, &"style".into(), &"percent".into());
    let _ = Reflect::set(&o, &"maximumFractionDigits".into(), &0.into());
    let f = Intl::NumberFormat::new(&Array::of1(&l.tag().into()), &o);
    f.format().call1(&JsValue::NULL, &share.into()).ok().and_then(|v| v.as_string()).unwrap_or_else(|| format!("{:.0}%", share * 100.0))
}

/// A day since 1970-01-01 as a date in the reader's format.
pub fn day_name(l: Locale, day: i32) -> String {
    super::format::date(l, day as i64 * 86_400_000 + 12 * 3_600_000)
}

/// `YYYY-MM-DD` of a day since 1970-01-01 (a date input's value).
pub fn day_ymd(day: i32) -> String {
    let d = crm_core::dates::Date::from_days(day);
    format!("{:04}-{:02}-{:02}", d.y, d.m, d.d)
}

/// "1997-09" as "Sep 1997" in the reader's language.
pub fn month_name(l: Locale, ym: &str) -> String {
    let Some(d) = crm_core::dates::parse_ymd(&format!("{ym}-15")) else { return ym.to_string() };
    let o = Object::new();
    let _ = Reflect::set(&o, &"year".into(), &"numeric".into());
    let _ = Reflect::set(&o, &"month".into(), &"short".into());
    let _ = Reflect::set(&o, &"timeZone".into(), &"UTC".into());
    let f = Intl::DateTimeFormat::new(&Array::of1(&l.tag().into()), &o);
    let date = js_sys::Date::new(&((d.to_days() as f64) * 86_400_000.0).into());
    f.format().call1(&JsValue::NULL, &date).ok().and_then(|v| v.as_string()).unwrap_or_else(|| ym.to_string())
}

/// A short month label for a chart axis ("Sep", "9月").
pub fn month_short(l: Locale, ym: &str) -> String {
    let Some(d) = crm_core::dates::parse_ymd(&format!("{ym}-15")) else { return ym.to_string() };
    let o = Object::new();
    let _ = Reflect::set(&o, &"month".into(), &"short".into());
    let _ = Reflect::set(&o, &"timeZone".into(), &"UTC".into());
    let f = Intl::DateTimeFormat::new(&Array::of1(&l.tag().into()), &o);
    let date = js_sys::Date::new(&((d.to_days() as f64) * 86_400_000.0).into());
    f.format().call1(&JsValue::NULL, &date).ok().and_then(|v| v.as_string()).unwrap_or_else(|| ym.to_string())
}

/// "1 customer" / "12 customers".
pub fn customers(l: Locale, n: u32) -> String {
    let t = AnalyticsMsg::of(l);
    if n == 1 && l == Locale::En {
        t.customers_one.to_string()
    } else {
        fill(t.customers_n, &[&super::format::number(l, n as f64)])
    }
}

/// A churn reason as a sentence with its numbers.
pub fn reason(l: Locale, r: &Reason) -> String {
    let t = AnalyticsMsg::of(l);
    let n = |x: f64| super::format::number(l, x);
    match r {
        Reason::AliveFell { before, now } => fill(t.r_alive_fell, &[&percent(l, *before), &percent(l, *now)]),
        Reason::AliveLow { now } => fill(t.r_alive_low, &[&percent(l, *now)]),
        Reason::Overdue { days, usual } => fill(t.r_overdue, &[&n(*days as f64), &n(*usual as f64)]),
        Reason::FewerInteractions { recent, before } => fill(t.r_fewer, &[&n(*recent as f64), &n(*before as f64)]),
        Reason::OpenComplaints { count: 1 } => t.r_open_complaint.to_string(),
        Reason::OpenComplaints { count } => fill(t.r_open_complaints, &[&n(*count as f64)]),
        Reason::RecentComplaint { days } => fill(t.r_recent_complaint, &[&n(*days as f64)]),
        Reason::Detractor { score, day } => fill(t.r_detractor, &[&n(*score as f64), &day_name(l, *day)]),
    }
}

/// Why the purchase model could not be fitted, in the reader's language.
pub fn fit_problem(l: Locale, p: &FitProblem) -> String {
    let t = AnalyticsMsg::of(l);
    let n = |x: usize| super::format::number(l, x as f64);
    match p {
        FitProblem::TooFewCustomers { have, need } => fill(t.fp_few_customers, &[&n(*have), &n(*need)]),
        FitProblem::TooFewRepeatBuyers { have, need } => fill(t.fp_few_repeat, &[&n(*have), &n(*need)]),
        FitProblem::OneDayHistories => t.fp_one_day.to_string(),
        FitProblem::NotIdentified { what } => fill(t.fp_not_identified, &[what]),
    }
}

pub fn spend_problem(l: Locale, p: &SpendProblem) -> String {
    let t = AnalyticsMsg::of(l);
    let inner = match p {
        SpendProblem::TooFewSpenders { have, need } => {
            fill(t.sp_few, &[&super::format::number(l, *have as f64), &super::format::number(l, *need as f64)])
        }
        SpendProblem::NoMeanSpend { q } => fill(t.sp_no_mean, &[&fixed(l, *q, 2)]),
    };
    fill(t.spend_problem, &[&inner])
}

/// The phase of a running analysis.
pub fn phase_name(l: Locale, p: Phase) -> &'static str {
    let t = AnalyticsMsg::of(l);
    match p {
        Phase::Reading => t.ph_reading,
        Phase::Fitting => t.ph_fitting,
        Phase::Scoring => t.ph_scoring,
        Phase::Summing => t.ph_summing,
    }
}
