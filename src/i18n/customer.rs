//! Words of the customer screen, and the reader's-language names of the built-in pipeline,
//! stages and loyalty tiers (stored with an empty name so each reader sees their own words).

use super::Locale;
use crm_core::workspace::{Pipeline, Stage, Tier};

crate::messages! {
    CustomerMsg {
        back: "← Customers", "← 客户列表";
        not_here: "This customer is not on this device.", "此设备上没有这个客户。";
        new_customer: "New customer", "新客户";
        arriving: "Still arriving from other devices…", "仍在从其他设备同步…";
        saving: "Saving…", "正在保存…";
        saved: "Saved on this device", "已保存到此设备";
        not_saved: "Not saved", "未保存";
        sections: "Sections", "页面分区";
        quick_actions: "Quick actions", "快捷操作";
        in_trash: "In the Trash", "已在回收站";
        in_trash_since: "Deleted on {}. Restore it to bring it back to the list.", "删除于 {}。恢复后会重新出现在客户列表中。";
        delete_customer: "Delete customer", "删除客户";
        delete_hint: "The customer moves to the Trash, where it can be restored.", "客户将移到回收站，可以从回收站恢复。";
        danger: "Delete", "删除";

        profile: "Profile", "基本资料";
        tags: "Tags", "标签";
        contacts: "Contacts", "联系人";
        deals: "Deals", "商机";
        timeline: "Timeline", "时间线";
        tasks: "Tasks", "任务";
        notes: "Notes", "笔记";
        tickets: "Tickets", "工单";
        purchases: "Purchases", "购买";
        presence_label: "Also here", "同时在看";
        presence_here: "{} is here", "{} 正在查看";
        presence_editing: "{} is editing {}", "{} 正在编辑{}";
        history: "History", "修改历史";
        history_show: "Show history", "显示修改历史";
        history_hide: "Hide history", "隐藏修改历史";
        history_older: "Show older changes", "显示更早的修改";
        history_view_as_of: "View as of this change", "查看此次修改后的状态";
        history_as_of: "As of {}", "{} 时的状态";
        history_back: "Back to now", "回到当前";
        history_unknown_time: "time not recorded", "未记录时间";
        history_contact: "Contact “{}”", "联系人“{}”";
        history_deal: "Deal “{}”", "商机“{}”";
        history_task: "Task “{}”", "任务“{}”";
        history_ticket: "Ticket “{}”", "工单“{}”";
        history_tag: "Tag “{}”", "标签“{}”";
        history_added: "Added {}", "添加了{}";
        history_removed: "Removed {}", "删除了{}";
        history_cleared: "{}: {} cleared", "{}：清空了 {}";
        history_restore_value: "Restore {} to {}", "将{}恢复为 {}";
        history_restore_item: "Restore {}", "恢复{}";
        orders: "Orders", "订单";
        surveys: "Surveys", "满意度调查";
        loyalty: "Loyalty", "会员积分";

        name: "Name", "名称";
        kind: "Kind", "类型";
        email: "Email", "邮箱";
        phone: "Phone", "电话";
        owner: "Owner", "负责人";
        industry: "Industry", "行业";
        size: "Size", "规模";
        province: "Province", "省份";
        city: "City", "城市";
        address: "Address", "地址";
        website: "Website", "网站";
        source: "Source", "来源";
        external_id: "External ID", "外部编号";
        lifecycle: "Lifecycle stage", "生命周期阶段";
        lifecycle_auto: "Automatic", "自动判断";
        lc_prospect: "Prospect", "潜在客户";
        lc_new: "New", "新客户";
        lc_active: "Active", "活跃";
        lc_growing: "Growing", "成长中";
        lc_at_risk: "At risk", "有流失风险";
        lc_lost: "Lost", "已流失";
        lc_won_back: "Won back", "已挽回";
        referred_by: "Referred by", "推荐人";
        referred_by_unknown: "No customer is called “{}”: pick one from the list.", "没有名为“{}”的客户：请从列表中选择。";
        referrer: "Referrer:", "推荐人：";
        consent: "Consent", "授权";
        do_not_call: "Do not call", "请勿致电";
        email_opt_in: "Email opt-in", "同意接收邮件";
        custom_fields: "More fields", "更多字段";
        choose: "(none)", "（未选择）";
        new_tag: "New tag", "新标签";
        tag_placeholder: "Add a tag", "输入标签";
        add_tag: "Add tag", "添加标签";
        remove_tag: "Remove tag {}", "移除标签 {}";

        add_contact: "Add contact", "添加联系人";
        contact_n: "Contact {}", "联系人 {}";
        contact_name: "Contact name", "联系人姓名";
        contact_title: "Contact title", "职位";
        contact_role: "Contact role", "角色";
        contact_email: "Contact email", "联系人邮箱";
        contact_phone: "Contact phone", "联系人电话";
        other_emails: "Other emails", "其他邮箱";
        other_phones: "Other phones", "其他电话";
        comma_hint: "Separate several with commas.", "多个请用逗号分隔。";
        wechat: "WeChat", "微信";
        birthday: "Birthday", "生日";
        contact_note: "Contact note", "联系人备注";
        remove_contact: "Remove contact", "删除联系人";
        no_contacts: "No contacts yet.", "还没有联系人。";

        add_deal: "Add deal", "添加商机";
        new_deal: "New deal", "新商机";
        deal_n: "Deal {}", "商机 {}";
        deal_title: "Deal title", "商机名称";
        pipeline: "Pipeline", "销售管道";
        stage: "Stage", "阶段";
        amount: "Amount", "金额";
        currency: "Currency", "币种";
        expected_close: "Expected close", "预计成交日期";
        probability: "Probability {}%", "成交概率 {}%";
        deal_open: "Open", "进行中";
        deal_won: "Won", "赢单";
        deal_lost: "Lost", "输单";
        mark_won: "Mark won", "标记赢单";
        mark_lost: "Mark lost", "标记输单";
        reopen: "Reopen", "重新打开";
        lost_reason: "Lost reason", "输单原因";
        lost_because: "Lost: {}", "输单原因：{}";
        remove_deal: "Delete deal", "删除商机";
        no_deals: "No deals yet.", "还没有商机。";
        line_items: "Line items", "明细";
        item_name: "Item", "品名";
        quantity: "Quantity", "数量";
        unit_price: "Unit price", "单价";
        add_item: "Add item", "添加明细";
        remove_item: "Remove item {}", "删除明细 {}";
        items_total: "Items total: {}", "明细合计：{}";

        st_lead: "Lead", "线索";
        st_qualified: "Qualified", "已确认需求";
        st_proposal: "Proposal", "方案报价";
        st_negotiation: "Negotiation", "商务谈判";
        st_won: "Won", "赢单";
        st_lost: "Lost", "输单";
        pl_sales: "Sales", "销售";
        tier_bronze: "Bronze", "铜牌";
        tier_silver: "Silver", "银牌";
        tier_gold: "Gold", "金牌";

        log_call: "Log a call", "记录通话";
        log_title: "Log an interaction", "记录沟通";
        interaction_kind: "Type", "类型";
        ik_call: "Call", "电话";
        ik_email: "Email", "邮件";
        ik_meeting: "Meeting", "会议";
        ik_chat: "Chat", "在线聊天";
        ik_wechat: "WeChat", "微信";
        ik_visit: "Visit", "拜访";
        ik_social: "Social", "社交媒体";
        direction: "Direction", "方向";
        dir_out: "Outgoing", "我方发起";
        dir_in: "Incoming", "客户发起";
        when: "When", "时间";
        duration: "Duration (minutes)", "时长（分钟）";
        minutes: "{} min", "{} 分钟";
        summary: "Summary", "摘要";

        add_task: "Add task", "添加任务";
        new_task: "New task", "新任务";
        task_title: "Task title", "任务名称";
        due: "Due", "截止时间";
        reminder: "Reminder", "提醒时间";
        assignee: "Assignee", "执行人";
        open_tasks: "To do", "待办";
        done_tasks: "Done", "已完成";
        overdue: "Overdue", "已逾期";
        due_at: "Due {}", "截止 {}";
        remind_at: "Reminder {}", "提醒 {}";
        assigned_to: "Assignee: {}", "执行人：{}";
        remove_task: "Delete task {}", "删除任务 {}";
        no_tasks: "No tasks yet.", "还没有任务。";

        add_note: "Add note", "添加笔记";
        note_n: "Note {}", "笔记 {}";
        note_by: "{} · edited {}", "{} · 编辑于 {}";
        note_edited: "Edited {}", "编辑于 {}";
        remove_note: "Delete note {}", "删除笔记 {}";
        no_notes: "No notes yet.", "还没有笔记。";

        add_ticket: "Add ticket", "新建工单";
        new_ticket: "New ticket", "新工单";
        ticket_n: "Ticket {}", "工单 {}";
        subject: "Subject", "主题";
        ticket_kind: "Ticket type", "工单类型";
        tk_complaint: "Complaint", "投诉";
        tk_request: "Request", "需求";
        priority: "Priority", "优先级";
        pr_low: "Low", "低";
        pr_normal: "Normal", "普通";
        pr_high: "High", "高";
        pr_urgent: "Urgent", "紧急";
        channel: "Channel", "渠道";
        ch_phone: "Phone", "电话";
        ch_email: "Email", "邮件";
        ch_wechat: "WeChat", "微信";
        ch_visit: "Visit", "上门";
        ch_web: "Web", "网站";
        ch_other: "Other", "其他";
        status: "Status", "状态";
        ts_new: "New", "新建";
        ts_in_progress: "In progress", "处理中";
        ts_waiting: "Waiting", "等待中";
        ts_resolved: "Resolved", "已解决";
        ts_closed: "Closed", "已关闭";
        move_to: "Move to {}", "转为{}";
        sla_due: "SLA due", "SLA 截止时间";
        resolution: "Resolution", "处理结果";
        satisfaction: "Satisfaction", "满意度";
        not_rated: "Not rated", "未评分";
        updates: "Updates", "处理进展";
        new_update: "New update", "新进展";
        add_update: "Add update", "添加进展";
        no_tickets: "No tickets yet.", "还没有工单。";

        add_order: "Add order", "添加订单";
        new_order: "New order", "新订单";
        order_date: "Order date", "下单日期";
        order_items: "Items", "商品";
        order_line: "{} × {}", "{} × {}";
        orders_total: "Orders: {} · Total: {}", "订单：{} 笔 · 合计：{}";
        no_orders: "No orders yet.", "还没有订单。";

        add_survey: "Add response", "添加反馈";
        new_survey: "New survey response", "新的调查反馈";
        survey_kind: "Survey", "问卷";
        nps: "NPS (0–10)", "NPS（0–10）";
        csat: "CSAT (1–5)", "CSAT（1–5）";
        score: "Score", "评分";
        comment: "Comment", "评论";
        promoter: "Promoter", "推荐者";
        passive: "Passive", "被动者";
        detractor: "Detractor", "贬损者";
        no_surveys: "No responses yet.", "还没有反馈。";

        points_balance: "Points balance", "积分余额";
        tier: "Tier", "等级";
        add_points: "Add points", "添加积分";
        new_points: "Loyalty points", "会员积分";
        points: "Points", "积分";
        reason: "Reason", "原因";
        expires: "Expires", "过期日期";
        expires_on: "expires {}", "{} 过期";
        expired: "expired", "已过期";
        expiring_soon: "{} points expire within 30 days", "{} 积分将在 30 天内过期";
        no_loyalty: "No points yet.", "还没有积分。";

        tl_stage: "Stage changed", "阶段变更";
        tl_won: "Deal won", "赢单";
        tl_lost: "Deal lost", "输单";
        tl_deleted: "Moved to the Trash", "移到回收站";
        tl_restored: "Restored", "已恢复";
        tl_merged: "Merged into another customer", "已合并到其他客户";
        tl_order: "Order", "订单";
        tl_ticket: "Ticket", "工单";
        tl_note: "Note", "笔记";
        tl_by: "by {}", "{}";
        no_timeline: "Nothing has happened yet.", "还没有任何记录。";
        invalid_number: "“{}” is not a number.", "“{}”不是有效的数字。";
        invalid_date: "Please enter a date.", "请输入日期。";
    }
}

/// The built-in name of a stage, pipeline or tier id in the reader's language.
fn builtin(l: Locale, id: &str) -> Option<&'static str> {
    let t = CustomerMsg::of(l);
    Some(match id {
        "lead" => t.st_lead,
        "qualified" => t.st_qualified,
        "proposal" => t.st_proposal,
        "negotiation" => t.st_negotiation,
        "won" => t.st_won,
        "lost" => t.st_lost,
        "sales" => t.pl_sales,
        "bronze" => t.tier_bronze,
        "silver" => t.tier_silver,
        "gold" => t.tier_gold,
        _ => return None,
    })
}

fn named(l: Locale, name: &str, id: &str) -> String {
    if !name.is_empty() {
        name.to_string()
    } else {
        builtin(l, id).map(str::to_string).unwrap_or_else(|| id.to_string())
    }
}

/// A stage's name as the reader sees it (built-in stages are stored without a name).
pub fn stage_name(l: Locale, s: &Stage) -> String {
    named(l, &s.name, &s.id)
}

/// A pipeline's name as the reader sees it; `id` is its key in the settings.
pub fn pipeline_name(l: Locale, id: &str, p: &Pipeline) -> String {
    named(l, &p.name, id)
}

/// A loyalty tier's name as the reader sees it.
pub fn tier_name(l: Locale, t: &Tier) -> String {
    named(l, &t.name, &t.id)
}

/// The stored stage id's name in a pipeline, or the id itself when the settings lack it.
pub fn stage_name_in(l: Locale, settings: &crm_core::Settings, pipeline: &str, stage: &str) -> String {
    match settings.stage(pipeline, stage) {
        Some(s) => stage_name(l, s),
        None => named(l, "", stage),
    }
}

/// Hand-set lifecycle stages (the stored values), in order.
pub const LIFECYCLES: [&str; 7] = ["prospect", "new", "active", "growing", "at_risk", "lost", "won_back"];

pub fn lifecycle_name(l: Locale, v: &str) -> &'static str {
    let t = CustomerMsg::of(l);
    match v {
        "prospect" => t.lc_prospect,
        "new" => t.lc_new,
        "active" => t.lc_active,
        "growing" => t.lc_growing,
        "at_risk" => t.lc_at_risk,
        "lost" => t.lc_lost,
        "won_back" => t.lc_won_back,
        _ => t.lifecycle_auto,
    }
}

/// An interaction kind (`crm_core::customer::INTERACTION_KINDS`) in the reader's language.
pub fn interaction_name(l: Locale, kind: &str) -> String {
    let t = CustomerMsg::of(l);
    match kind {
        "call" => t.ik_call,
        "email" => t.ik_email,
        "meeting" => t.ik_meeting,
        "chat" => t.ik_chat,
        "wechat" => t.ik_wechat,
        "visit" => t.ik_visit,
        "social" => t.ik_social,
        other => return other.to_string(),
    }
    .to_string()
}

/// A ticket status (`crm_core::customer::TICKET_STATUSES`) in the reader's language.
pub fn ticket_status_name(l: Locale, s: &str) -> String {
    let t = CustomerMsg::of(l);
    match s {
        "new" => t.ts_new,
        "in_progress" => t.ts_in_progress,
        "waiting" => t.ts_waiting,
        "resolved" => t.ts_resolved,
        "closed" => t.ts_closed,
        other => return other.to_string(),
    }
    .to_string()
}

pub fn priority_name(l: Locale, p: &str) -> String {
    let t = CustomerMsg::of(l);
    match p {
        "low" => t.pr_low,
        "normal" => t.pr_normal,
        "high" => t.pr_high,
        "urgent" => t.pr_urgent,
        other => return other.to_string(),
    }
    .to_string()
}

/// Ticket channels offered in the form (a ticket from an import may hold any text).
pub const CHANNELS: [&str; 6] = ["phone", "email", "wechat", "visit", "web", "other"];

pub fn channel_name(l: Locale, c: &str) -> String {
    let t = CustomerMsg::of(l);
    match c {
        "phone" => t.ch_phone,
        "email" => t.ch_email,
        "wechat" => t.ch_wechat,
        "visit" => t.ch_visit,
        "web" => t.ch_web,
        "other" => t.ch_other,
        other => return other.to_string(),
    }
    .to_string()
}

pub fn ticket_kind_name(l: Locale, k: &str) -> String {
    let t = CustomerMsg::of(l);
    match k {
        "complaint" => t.tk_complaint,
        "request" => t.tk_request,
        other => return other.to_string(),
    }
    .to_string()
}
