//! Words of the tasks screen and of reminders.

crate::messages! {
    TasksMsg {
        title: "My tasks", "我的任务";
        assigned_to: "Assigned to", "负责人";
        assigned_placeholder: "Everyone", "所有人";
        assigned_hint: "Leave empty to see everyone’s tasks. Remembered on this device; reminders follow it.",
                       "留空显示所有人的任务。此设置保存在本设备上，提醒也按此筛选。";
        overdue: "Overdue", "已逾期";
        today: "Today", "今天";
        upcoming: "Upcoming", "即将到来";
        no_date: "No date", "无日期";
        complete: "Complete “{}”", "完成“{}”";
        due: "Due {}", "截止 {}";
        remind: "Reminder {}", "提醒 {}";
        assignee_is: "Assigned to {}", "负责人：{}";
        count: "{} open tasks", "{} 个未完成任务";
        empty: "No open tasks. Add one below or from a customer’s page.", "没有未完成的任务。可在下方或客户页面添加。";
        empty_filtered: "No open tasks assigned to {}.", "没有分配给 {} 的未完成任务。";
        completed: "Completed “{}”.", "已完成“{}”。";
        reopened: "“{}” is open again.", "“{}”已重新打开。";
        undo: "Undo", "撤销";
        new_task: "New task", "新建任务";
        customer: "Customer", "客户";
        task_title: "Task title", "任务标题";
        due_label: "Due", "截止时间";
        remind_label: "Reminder", "提醒时间";
        assignee: "Assignee", "负责人姓名";
        add_task: "Add task", "添加任务";
        added: "Added “{}”.", "已添加“{}”。";
        reminders: "Reminders", "提醒";
        enable_reminders: "Enable reminders", "开启提醒";
        reminders_ask: "Get a browser notification when a task’s reminder time comes (while the app is open).",
                       "任务提醒时间到时（应用打开期间）显示浏览器通知。";
        reminders_on: "Reminders are on: this browser notifies you while the app is open.",
                      "提醒已开启：应用打开期间，本浏览器会通知你。";
        reminders_blocked: "Notifications are blocked in this browser: reminders appear inside the app while it is open.",
                           "此浏览器已阻止通知：应用打开期间，提醒会显示在应用内。";
        reminders_unsupported: "This browser cannot show notifications: reminders appear inside the app while it is open.",
                               "此浏览器无法显示通知：应用打开期间，提醒会显示在应用内。";
        reminder: "Reminder: {}", "提醒：{}";
        reminder_for: "{} · due {}", "{} · 截止 {}";
        open_customer: "Open {}", "打开 {}";
    }
}
