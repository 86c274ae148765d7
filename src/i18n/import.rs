//! Words of getting data in and out: the import screen ([`ImportMsg`]), the reasons a row is
//! rejected ([`ProblemMsg`]), the duplicates screen ([`DupMsg`]) and exported files
//! ([`ExportMsg`]).

crate::messages! {
    ImportMsg {
        title: "Import", "导入";
        intro: "Bring customers, contacts or orders in from a CSV file (saved from Excel or another CRM). Nothing is saved until you press Import, and a cancelled import leaves nothing behind.",
               "从 CSV 文件（Excel 或其他 CRM 导出）导入客户、联系人或订单。按下“导入”之前不会保存任何内容；取消的导入不会留下任何数据。";
        kind_legend: "What the file holds", "文件内容";
        kind_customers: "Customers", "客户";
        kind_contacts: "Contacts", "联系人";
        kind_orders: "Orders", "订单";
        file_label: "CSV file", "CSV 文件";
        drop_hint: "Choose a CSV file, or drop one here.", "选择 CSV 文件，或将文件拖放到这里。";
        reading_file: "Reading {}…", "正在读取 {}…";
        detected: "Detected: {}", "检测到编码：{}";
        enc_utf8: "UTF-8", "UTF-8";
        enc_utf8_bom: "UTF-8 with BOM", "UTF-8（带 BOM）";
        enc_gb: "GB18030 (GBK)", "GB18030（GBK）";
        file_facts: "{}: {} columns", "{}：{} 列";
        mapping_title: "Columns", "列对应";
        mapping_hint: "Choose the field each column goes to. Your choice is remembered for files with the same columns.",
                      "为每一列选择对应的字段。相同列的文件下次会沿用这次的选择。";
        column_field: "Field for column {}", "“{}”列对应的字段";
        first_value: "First row: {}", "首行：{}";
        preview_title: "Preview", "预览";
        preview_label: "First rows of the file", "文件的前几行";
        options_title: "Options", "选项";
        date_order: "Dates written like 03/05/2024", "形如 03/05/2024 的日期";
        date_auto: "Work it out from the file", "根据文件自动判断";
        date_day_first: "Day first (3 May 2024)", "日在前（2024年5月3日）";
        date_month_first: "Month first (March 5, 2024)", "月在前（2024年3月5日）";
        dup_customers: "Customers already here (same customer ID, email or phone)", "已存在的客户（客户编号、邮箱或电话相同）";
        dup_contacts: "Contacts the customer already has", "客户已有的联系人";
        dup_orders: "Order numbers the customer already has", "客户已有的订单号";
        dup_skip: "Skip them", "跳过";
        dup_fill: "Fill in their empty fields", "补全其空白字段";
        dup_new: "Import them as new", "作为新记录导入";
        currency: "Currency of amounts without one", "未注明币种的金额所用币种";
        import_button: "Import", "导入";
        another_file: "Choose another file", "重新选择文件";
        progress_label: "Import progress", "导入进度";
        reading_rows: "Reading the file: {} rows", "正在读取文件：{} 行";
        saving: "Saving: {} of {} customers", "正在保存：{} / {} 个客户";
        cancel_button: "Cancel import", "取消导入";
        cancelling: "Cancelling…", "正在取消…";
        cancelled: "Import cancelled: nothing was imported.", "已取消导入：没有导入任何内容。";
        finished: "Import finished", "导入完成";
        summary_label: "Import summary", "导入摘要";
        s_imported: "Imported rows", "已导入的行";
        s_skipped: "Skipped", "已跳过";
        s_duplicates: "Duplicates", "重复";
        s_rejected: "Rejected", "被拒绝";
        s_new_customers: "New customers", "新建客户";
        s_updated_customers: "Customers updated", "更新的客户";
        s_contacts: "Contacts added", "新增联系人";
        s_orders: "Orders added", "新增订单";
        rejected_title: "Rejected rows", "被拒绝的行";
        rejected_line: "Line {}: {}", "第 {} 行：{}";
        rejected_more: "… and {} more: every rejected row is in the download.", "……另有 {} 行：下载的文件中包含全部被拒绝的行。";
        download_rejected: "Download rejected rows", "下载被拒绝的行";
        find_duplicates: "Find duplicates", "查找重复客户";
        go_customers: "Go to customers", "查看客户";
        ignore: "Don't import", "不导入";
        custom_field: "Custom field “{}”", "自定义字段“{}”";
        t_external_id: "Customer ID", "客户编号";
        t_name: "Name", "名称";
        t_kind: "Type (company or person)", "类型（公司或个人）";
        t_email: "Email", "邮箱";
        t_phone: "Phone", "电话";
        t_owner: "Owner", "负责人";
        t_industry: "Industry", "行业";
        t_size: "Size", "规模";
        t_province: "Province", "省份";
        t_city: "City", "城市";
        t_source: "Source", "来源";
        t_tags: "Tags", "标签";
        t_referred_by: "Referred by", "推荐人";
        t_do_not_call: "Do not call", "勿致电";
        t_email_opt_in: "Email opt-in", "接收邮件";
        t_notes: "Notes", "备注";
        t_customer: "Customer (ID, email or name)", "所属客户（编号、邮箱或名称）";
        t_title: "Title", "职位";
        t_role: "Role", "角色";
        t_wechat: "WeChat", "微信";
        t_birthday: "Birthday", "生日";
        t_order_id: "Order number", "订单号";
        t_date: "Date", "日期";
        t_amount: "Amount", "金额";
        t_currency: "Currency", "币种";
        t_quantity: "Quantity", "数量";
        t_items: "Items", "商品";
        name_for_id: "Customer {}", "客户 {}";
        err_no_header: "The file is empty: it needs a header row naming the columns.", "文件是空的：需要一行表头写明各列名称。";
        err_not_utf8: "The file is not UTF-8 text (first bad byte on line {}). In Excel, save it as “CSV UTF-8” and import it again.",
                      "文件不是 UTF-8 文本（第 {} 行有无效字节）。请在 Excel 中另存为“CSV UTF-8”后重新导入。";
        err_not_gb: "The file is neither UTF-8 nor GB18030 (GBK) text. In Excel, save it as “CSV UTF-8” and import it again.",
                    "文件既不是 UTF-8 也不是 GB18030（GBK）文本。请在 Excel 中另存为“CSV UTF-8”后重新导入。";
        err_missing: "Choose a column for “{}”: every row needs it.", "请为“{}”选择一列：每一行都需要它。";
        err_twice: "Columns “{}” and “{}” both go to “{}”: choose something else for one of them.", "“{}”列和“{}”列都对应“{}”：请为其中一列另选字段。";
        err_not_for_kind: "Column “{}” goes to “{}”, which this kind of import does not have.", "“{}”列对应的“{}”不适用于这种导入。";
        err_read: "The file could not be read: {}", "无法读取文件：{}";
        export_title: "Export", "导出";
        export_hint: "Every customer not in the Trash: a spreadsheet (CSV, opens in Excel) or contact cards (vCard) for phones and mail programs.",
                     "导出回收站以外的全部客户：电子表格（CSV，可用 Excel 打开）或供手机和邮件程序使用的联系人名片（vCard）。";
        export_csv: "Export CSV", "导出 CSV";
        export_vcard: "Export vCard", "导出 vCard";
        exported_csv: "Exported {} customers.", "已导出 {} 个客户。";
        exported_vcard: "Exported {} contact cards.", "已导出 {} 张联系人名片。";
    }
}

crate::messages! {
    /// Why a row was rejected. `{}` placeholders in the order of the variant's fields; the
    /// field a problem is about is named with the `t_*` words of [`ImportMsg`].
    ProblemMsg {
        field_count: "{} fields where the header has {}", "有 {} 个字段，而表头有 {} 个";
        missing: "{} is missing", "缺少{}";
        not_a_number: "{} “{}” is not a number", "{}“{}”不是数字";
        not_whole: "{} “{}” is not a whole number", "{}“{}”不是整数";
        too_large: "{} “{}” is too large", "{}“{}”太大";
        not_a_date: "{} “{}” is not a date (write it like 2024-03-05, 2024/3/5 or 2024年3月5日)", "{}“{}”不是日期（请写成 2024-03-05、2024/3/5 或 2024年3月5日）";
        not_yes_no: "{} “{}” is neither yes nor no", "{}“{}”既不是“是”也不是“否”";
        not_a_kind: "Type “{}” is neither company nor person", "类型“{}”既不是公司也不是个人";
        not_an_email: "Email “{}” is not an email address", "邮箱“{}”不是有效的邮箱地址";
        not_a_phone: "Phone “{}” has no digits", "电话“{}”中没有数字";
        mangled: "{} “{}” was turned into a number by Excel and lost digits: format the column as text and export again",
                 "{}“{}”被 Excel 转成了数字并丢失了位数：请把该列设为文本格式后重新导出";
        not_a_currency: "Currency “{}” is not a currency (use CNY, USD, ¥, $ …)", "币种“{}”无法识别（请用 CNY、USD、¥、$ 等）";
        currency_conflict: "Amount “{}” is in {} but the currency column says {}", "金额“{}”的币种是 {}，但币种列是 {}";
        unreadable: "The row could not be read: {}", "无法读取该行：{}";
        ambiguous: "Customer “{}” fits {} customers: use their customer ID or email", "客户“{}”对应 {} 个客户：请改用客户编号或邮箱";
    }
}

crate::messages! {
    DupMsg {
        title: "Duplicates", "重复客户";
        intro: "Customers that look like one entered twice: the same email, phone, customer ID or name. Merging keeps everything of both; the merged-away customer moves to the Trash and can be restored.",
               "看起来被重复录入的客户：邮箱、电话、客户编号或名称相同。合并会保留双方的全部资料；被合并的客户移到回收站，可以恢复。";
        scanning: "Looking for duplicates… {} of {}", "正在查找重复客户……{} / {}";
        none: "No likely duplicates.", "没有发现可能重复的客户。";
        count: "{} groups of likely duplicates", "{} 组可能重复的客户";
        groups_label: "Likely duplicates", "可能重复的客户";
        group: "Duplicate group {}", "重复组 {}";
        same_email: "Same email: {}", "邮箱相同：{}";
        same_phone: "Same phone: {}", "电话相同：{}";
        same_id: "Same customer ID: {}", "客户编号相同：{}";
        same_name: "Same name: {}", "名称相同：{}";
        keep_legend: "Which one stays", "保留哪一个";
        keep: "Keep {}", "保留 {}";
        facts: "{} contacts · {} orders", "{} 个联系人 · {} 个订单";
        merge: "Merge", "合并";
        merging: "Merging…", "正在合并…";
        merged: "Merged {} into {}; {} is in the Trash.", "已将 {} 合并到 {}；{} 已移到回收站。";
        merged_facts: "{} now has {} contacts and {} orders.", "{} 现有 {} 个联系人、{} 个订单。";
        incomplete: "{} has not fully arrived from the other devices yet: try again once sync completes.", "{} 尚未从其他设备完整同步：请在同步完成后重试。";
        open: "Open", "打开";
    }
}

crate::messages! {
    /// Column headers of the customer spreadsheet. They are names the importer recognises,
    /// so an exported file imports back.
    ExportMsg {
        name: "Name", "客户名称";
        kind: "Type", "类型";
        external_id: "Customer ID", "客户编号";
        email: "Email", "邮箱";
        phone: "Phone", "电话";
        owner: "Owner", "负责人";
        tags: "Tags", "标签";
        industry: "Industry", "行业";
        province: "Province", "省份";
        city: "City", "城市";
        source: "Source", "来源";
        contacts: "Contacts", "联系人数";
        open_deals: "Open deal value", "进行中商机金额";
        last_interaction: "Last interaction", "最近互动";
        orders: "Orders", "订单数";
        revenue: "Revenue", "累计消费";
        last_order: "Last order", "最近下单";
        created: "Created", "创建日期";
        csv_file: "customers-{}.csv", "客户-{}.csv";
        vcard_file: "contacts-{}.vcf", "联系人-{}.vcf";
        rejected_file: "rejected-rows-{}.csv", "被拒绝的行-{}.csv";
    }
}
