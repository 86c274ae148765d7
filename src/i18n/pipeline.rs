//! Words of the pipeline screen. The names of stages and pipelines (built-in ones are stored
//! without a name, so each reader sees theirs) come from `super::customer::stage_name`.

crate::messages! {
    PipelineMsg {
        title: "Pipeline", "销售管道";
        pipeline: "Pipeline", "管道";
        board: "Deals by stage", "按阶段查看商机";
        deals_count: "{} deals", "{} 个商机";
        deals_one: "1 deal", "1 个商机";
        weighted: "Weighted {}", "加权 {}";
        open_summary: "Open: {} · {} · weighted {}", "进行中：{} · {} · 加权 {}";
        empty: "No deals in this pipeline yet. Add one with “New deal”, or from a customer’s page.",
               "此管道还没有商机。点击“新建商机”或在客户页面添加。";
        column_empty: "No deals in this stage.", "此阶段没有商机。";
        stage_of: "Stage of {}", "{} 的阶段";
        card_keys: "Alt+← and Alt+→ move the deal to the previous or next stage.",
                   "Alt+← 和 Alt+→ 将商机移到上一个或下一个阶段。";
        moved: "Moved {} to {}.", "已将 {} 移至 {}。";
        added: "Added {} to {}.", "已将 {} 添加到 {}。";
        more: "{} more not shown.", "另有 {} 个未显示。";
        status_won: "Won", "赢单";
        status_lost: "Lost", "输单";
        lost_because: "Lost: {}", "输单：{}";
        new_deal: "New deal", "新建商机";
        customer: "Customer", "客户";
        customer_placeholder: "Type a name to find a customer", "输入名称查找客户";
        no_such_customer: "Choose a customer from the suggestions.", "请从建议中选择客户。";
        deal_title: "Deal title", "商机名称";
        amount: "Amount", "金额";
        stage: "Stage", "阶段";
        add_deal: "Add deal", "添加商机";
        lost_dialog: "Why was “{}” lost?", "“{}”为何输单？";
        lost_reason: "Lost reason", "输单原因";
        mark_lost: "Mark as lost", "标记为输单";
        no_pipelines: "There is no pipeline yet: add one in Settings.", "还没有管道：请在设置中添加。";
    }
}
