//! Tasks for this customer: to do (overdue ones marked) and done; checking one completes it.

use super::dialog::FormDialog;
use super::fields::Input;
use super::{use_page, Section};
use crate::i18n::{fill, format};
use crm_core::customer::{new_id, Task};
use crm_core::Edit;
use leptos::prelude::*;

#[component]
pub fn TasksSection() -> impl IntoView {
    let page = use_page();
    let t = move || page.t();
    // (id, task), to do soonest first (no due date last), then done, latest first
    let tasks = move |done: bool| {
        page.with(|c| {
            let mut v: Vec<(String, Task)> = c.tasks.iter().filter(|(_, t)| t.done == done).map(|(id, t)| (id.clone(), t.clone())).collect();
            if done {
                v.sort_by_key(|(_, t)| std::cmp::Reverse(t.done_at));
            } else {
                v.sort_by_key(|(id, t)| (t.due == 0, t.due, id.clone()));
            }
            v
        })
        .unwrap_or_default()
    };
    let list = move |done: bool| {
        view! {
            <ul class="tasks plain">
                <For
                    each=move || tasks(done)
                    // a row is drawn again only when its task changed
                    key=|(id, t)| format!("{id}|{}|{}|{}|{}|{}", t.done, t.due, t.remind_at, t.assignee, t.title)
                    let:item
                >
                    <TaskRow id=item.0 task=item.1/>
                </For>
            </ul>
        }
    };
    let has = move |done: bool| page.with(|c| c.tasks.values().any(|t| t.done == done)).unwrap_or(false);
    view! {
        <Section id="tasks" title=Signal::derive(move || page.t().tasks.to_string())>
            {move || (!has(false) && !has(true)).then(|| view! { <p class="empty">{t().no_tasks}</p> })}
            {move || has(false).then(|| view! { <h3>{t().open_tasks}</h3> {list(false)} })}
            {move || has(true).then(|| view! { <h3>{t().done_tasks}</h3> {list(true)} })}
        </Section>
    }
}

#[component]
fn TaskRow(id: String, task: Task) -> impl IntoView {
    let page = use_page();
    let t = move || page.t();
    let now = crate::platform::now_ms();
    let overdue = !task.done && task.due > 0 && task.due < now;
    let cid = format!("task-{id}");
    let toggle = {
        let id = id.clone();
        move |ev: leptos::ev::Event| {
            page.apply(vec![Edit::SetTaskDone { id: id.clone(), done: event_target_checked(&ev), at: crate::platform::now_ms() }])
        }
    };
    let remove = {
        let id = id.clone();
        move |_| page.apply(vec![Edit::RemoveTask { id: id.clone() }])
    };
    let (title, due, remind, assignee) = (task.title.clone(), task.due, task.remind_at, task.assignee.clone());
    let meta = move || {
        let (l, t) = (page.l(), t());
        let mut parts = Vec::new();
        if due > 0 {
            parts.push(fill(t.due_at, &[&format::datetime(l, due)]));
        }
        if remind > 0 {
            parts.push(fill(t.remind_at, &[&format::datetime(l, remind)]));
        }
        if !assignee.is_empty() {
            parts.push(fill(t.assigned_to, &[&assignee]));
        }
        parts.join(" · ")
    };
    let remove_label = {
        let title = title.clone();
        move || fill(t().remove_task, &[&title])
    };
    view! {
        <li class="task" class:overdue=overdue class:done=task.done>
            <input type="checkbox" id=cid.clone() prop:checked=task.done on:change=toggle/>
            <div class="grow">
                <label for=cid>{title.clone()}</label>
                <p class="meta">
                    {overdue.then(|| view! { <strong class="overdue-badge">{move || t().overdue}</strong>" " })}
                    {meta}
                </p>
                {page.conflict(format!("tasks.{id}.title"))}
                {page.conflict(format!("tasks.{id}.due"))}
                {page.conflict(format!("tasks.{id}.assignee"))}
            </div>
            <button type="button" class="icon" aria-label=remove_label on:click=remove>"×"</button>
        </li>
    }
}

/// "Add task": title, due, reminder, assignee.
#[component]
pub fn TaskDialog(open: RwSignal<bool>) -> impl IntoView {
    let page = use_page();
    let title = RwSignal::new(String::new());
    let due = RwSignal::new(String::new());
    let remind = RwSignal::new(String::new());
    let assignee = RwSignal::new(String::new());
    Effect::new(move |_| {
        if open.get() {
            title.set(String::new());
            due.set(String::new());
            remind.set(String::new());
            assignee.set(page.me());
        }
    });
    let submit = Callback::new(move |_| {
        let task = Task {
            title: title.get_untracked().trim().to_string(),
            due: format::from_datetime_local(&due.get_untracked()),
            remind_at: format::from_datetime_local(&remind.get_untracked()),
            assignee: assignee.get_untracked().trim().to_string(),
            created_at: crate::platform::now_ms(),
            ..Default::default()
        };
        page.apply_then(vec![Edit::PutTask { id: new_id(), task }], move |ok| {
            if ok {
                open.set(false)
            }
        });
    });
    let t = move || page.t();
    view! {
        <FormDialog id="new-task" open=open title=Signal::derive(move || t().new_task.to_string()) on_submit=submit>
            <Input id="task-title" label=Signal::derive(move || t().task_title.to_string()) value=title required=true/>
            <Input id="task-due" label=Signal::derive(move || t().due.to_string()) value=due ty="datetime-local"/>
            <Input id="task-remind" label=Signal::derive(move || t().reminder.to_string()) value=remind ty="datetime-local"/>
            <Input id="task-assignee" label=Signal::derive(move || t().assignee.to_string()) value=assignee/>
        </FormDialog>
    }
}
