//! Words of the command palette and keyboard shortcuts.

crate::messages! {
    PaletteMsg {
        title: "Command palette", "命令面板";
        input: "Type a command or a customer", "输入命令或客户名称";
        results: "Commands and customers", "命令和客户";
        new_customer: "New customer", "新建客户";
        new_task: "New task", "新建任务";
        go_customers: "Go to customers", "前往客户";
        go_pipeline: "Go to pipeline", "前往销售管道";
        go_tasks: "Go to my tasks", "前往我的任务";
        go_import: "Go to import", "前往导入";
        go_trash: "Go to trash", "前往回收站";
        go_settings: "Go to settings", "前往设置";
        switch_view: "Switch view: {}", "切换视图：{}";
        open_customer: "Open {}", "打开 {}";
        nothing: "Nothing matches.", "没有匹配项。";
        hint: "↑↓ to choose, Enter to run, Esc to close", "↑↓ 选择，回车执行，Esc 关闭";
    }
}
