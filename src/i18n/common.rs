//! Words used all over the app: the shell, navigation, buttons, the sync status.

crate::messages! {
    Common {
        brand: "CRM", "CRM";
        nav_main: "Main", "主导航";
        nav_customers: "Customers", "客户";
        nav_pipeline: "Pipeline", "销售管道";
        nav_tasks: "My tasks", "我的任务";
        nav_import: "Import", "导入";
        nav_trash: "Trash", "回收站";
        nav_settings: "Settings", "设置";
        dismiss: "Dismiss", "关闭";
        not_found: "This page does not exist.", "页面不存在。";
        save: "Save", "保存";
        cancel: "Cancel", "取消";
        close: "Close", "关闭";
        delete: "Delete", "删除";
        restore: "Restore", "恢复";
        add: "Add", "添加";
        remove: "Remove", "移除";
        edit: "Edit", "编辑";
        yes: "Yes", "是";
        no: "No", "否";
        none: "None", "无";
        unnamed: "(no name)", "（未命名）";
        loading: "Loading…", "加载中…";
        sync_status: "Sync status", "同步状态";
        sync_offline: "Offline", "离线";
        sync_connecting: "Connecting…", "连接中…";
        sync_syncing: "Syncing…", "同步中…";
        sync_synced: "Synced", "已同步";
        sync_pending: "{} unsent", "{} 条未发送";
        sync_peers: "{} peer(s) direct", "直连 {} 台设备";
        conflict: "Conflict: also set to {}", "冲突：另一个值为 {}";
        conflict_badge: "conflict", "冲突";
        conflict_values: "Values written at the same time", "同时写入的值";
        conflict_explain: "Two devices changed this field at the same time. Keep one value: every device then shows it.", "两台设备同时修改了这个字段。保留其中一个值后，所有设备都会显示它。";
        conflict_shown: "shown now", "当前显示";
        keep_this: "Keep this value", "保留此值";
        choose_value: "Choose a value", "选择一个值";
        empty_value: "(empty)", "（空）";
        company: "Company", "公司";
        person: "Person", "个人";
    }
}
