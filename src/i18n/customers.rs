//! Words of the customer list: search, columns, filters, saved views, export.

crate::messages! {
    CustomersMsg {
        title: "Customers", "客户";
        new_customer: "New customer", "新建客户";
        search_label: "Search customers", "搜索客户";
        search_placeholder: "Name, pinyin, email, phone, tag, contact, note…", "姓名、拼音、邮箱、电话、标签、联系人、备注…";
        count_all: "{} customers", "共 {} 位客户";
        count_match: "{} of {} customers match", "{} / {} 位客户符合";
        list: "Customer list", "客户列表";
        empty: "No customers yet. Everything you add is kept on this device and syncs when online.", "还没有客户。添加的内容保存在本设备上，联网后自动同步。";
        no_match: "No customer matches.", "没有符合条件的客户。";
        col_name: "Name", "名称";
        col_owner: "Owner", "负责人";
        col_city: "City", "城市";
        col_industry: "Industry", "行业";
        col_open_deals: "Open deals", "进行中商机";
        col_last_interaction: "Last contact", "最近联系";
        col_revenue: "Revenue", "销售额";
        col_created: "Created", "创建时间";
        sort_by: "Sort by {}", "按{}排序";
        filters: "Filters", "筛选";
        add_filter: "Add filter", "添加筛选";
        remove_filter: "Remove filter", "移除筛选";
        filter_field: "Field", "字段";
        filter_op: "Condition", "条件";
        filter_value: "Value", "值";
        clear_filters: "Clear", "清除";
        f_kind: "Kind", "类型";
        f_owner: "Owner", "负责人";
        f_tag: "Tag", "标签";
        f_province: "Province", "省份";
        f_city: "City", "城市";
        f_industry: "Industry", "行业";
        f_source: "Source", "来源";
        f_lifecycle: "Lifecycle stage", "生命周期阶段";
        f_stage: "Deal stage", "商机阶段";
        f_last_interaction: "Last contact", "最近联系";
        f_created: "Created", "创建时间";
        f_revenue: "Revenue", "销售额";
        f_open_tickets: "Open tickets", "未结工单";
        op_is: "is", "等于";
        op_is_not: "is not", "不等于";
        op_contains: "contains", "包含";
        op_before: "before / less than", "早于 / 小于";
        op_after: "after / more than", "晚于 / 大于";
        op_is_empty: "is empty", "为空";
        op_is_not_empty: "is not empty", "不为空";
        view: "View", "视图";
        all_customers: "All customers", "全部客户";
        save_view: "Save view", "保存视图";
        view_name: "View name", "视图名称";
        delete_view: "Delete view", "删除视图";
        view_saved: "View saved for the team", "视图已保存，团队可见";
        export_csv: "Export CSV", "导出 CSV";
        export_vcard: "Export vCard", "导出 vCard";
        duplicates: "Find duplicates", "查找重复";
        best_only: "Listing the best {} matches: type more to narrow the search.", "仅列出最匹配的 {} 个结果：继续输入以缩小范围。";
        row_position: "Row {} of {}", "第 {} 行，共 {} 行";
    }
}
