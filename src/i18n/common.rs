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
        conflict: "Conflict: also set to {}", "冲突：另一个值为 {}";
        conflict_badge: "conflict", "冲突";
        company: "Company", "公司";
        person: "Person", "个人";
    }
}
