//! My tasks: every open task of every customer (from the summaries), grouped Overdue / Today /
//! Upcoming / No date, filtered by "Assigned to" (remembered on this device), completed with
//! a checkbox. Also "New task" for any customer, and the switch for reminders, whose loop
//! ([`start_reminders`]) runs from app start on every screen.

use crate::i18n::tasks::TasksMsg;
use crate::i18n::{common::Common, fill, format, use_locale, Locale};
use crate::platform::reminders::{self, Permission};
use crate::platform::now_ms;
use crate::routes::pipeline::{find_customer, CustomerPicker};
use crate::state::{edit_customer, use_app, AppState};
use crm_core::customer::{new_id, Task, TaskSummary};
use crm_core::{DocId, Edit, Summary};
use leptos::prelude::*;
use std::time::Duration;

/// How often the page regroups (a task due at 10:00 becomes overdue at 10:00).
const REGROUP_EVERY: Duration = Duration::from_secs(30);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Group {
    Overdue,
    Today,
    Upcoming,
    NoDate,
}

const GROUPS: [Group; 4] = [Group::Overdue, Group::Today, Group::Upcoming, Group::NoDate];

impl Group {
    fn of(due: i64, now: i64, tomorrow: i64) -> Group {
        if due <= 0 {
            Group::NoDate
        } else if due < now {
            Group::Overdue
        } else if due < tomorrow {
            Group::Today
        } else {
            Group::Upcoming
        }
    }
    fn name(self, l: Locale) -> &'static str {
        let t = TasksMsg::of(l);
        match self {
            Group::Overdue => t.overdue,
            Group::Today => t.today,
            Group::Upcoming => t.upcoming,
            Group::NoDate => t.no_date,
        }
    }
    fn class(self) -> &'static str {
        match self {
            Group::Overdue => "overdue",
            Group::Today => "today",
            Group::Upcoming => "upcoming",
            Group::NoDate => "no-date",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
struct Row {
    customer: String,
    customer_name: String,
    task: TaskSummary,
}

impl Row {
    fn key(&self) -> String {
        let t = &self.task;
        format!("{}:{}\u{0}{}\u{0}{}\u{0}{}\u{0}{}\u{0}{}", self.customer, t.id, t.title, t.due, t.remind_at, t.assignee, self.customer_name)
    }
}

/// Local midnight at the end of today (DST-safe: the calendar's next day, not +24 h).
fn start_of_tomorrow_ms() -> i64 {
    let d = js_sys::Date::new(&(format::start_of_today_ms() as f64).into());
    d.set_date(d.get_date() + 1);
    d.get_time() as i64
}

fn assigned_to(task: &TaskSummary, who: &str) -> bool {
    let who = who.trim();
    who.is_empty() || task.assignee.trim().to_lowercase() == who.to_lowercase()
}

fn open_tasks(all: &[Summary], who: &str) -> Vec<Row> {
    let mut rows: Vec<Row> = all
        .iter()
        .filter(|s| !s.is_deleted())
        .flat_map(|s| {
            s.tasks.iter().filter(|t| assigned_to(t, who)).map(|t| Row { customer: s.id.clone(), customer_name: s.name.clone(), task: t.clone() })
        })
        .collect();
    rows.sort_by(|a, b| (a.task.due, &a.task.title).cmp(&(b.task.due, &b.task.title)));
    rows
}

#[component]
pub fn TasksPage() -> impl IntoView {
    let app = use_app();
    let locale = use_locale();
    let t = move || TasksMsg::of(locale.get());
    let who = RwSignal::new(reminders::me());
    let now = RwSignal::new(now_ms());
    let tomorrow = RwSignal::new(start_of_tomorrow_ms());
    if let Ok(h) = set_interval_with_handle(
        move || {
            now.set(now_ms());
            tomorrow.set(start_of_tomorrow_ms());
        },
        REGROUP_EVERY,
    ) {
        on_cleanup(move || h.clear());
    }
    let rows = Memo::new(move |_| {
        let w = who.get();
        app.summaries.with(|all| open_tasks(all, &w))
    });
    let assignees = Memo::new(move |_| {
        app.summaries.with(|all| {
            let mut v: Vec<String> = all.iter().flat_map(|s| s.tasks.iter().map(|t| t.assignee.trim().to_string())).filter(|a| !a.is_empty()).collect();
            v.sort();
            v.dedup();
            v
        })
    });
    // the last completed task, for "Undo"
    let done = RwSignal::new(None::<(DocId, String, String)>);
    let notice = RwSignal::new(String::new());
    let complete = Callback::new(move |row: Row| {
        let Ok(doc) = row.customer.parse::<DocId>() else { return };
        leptos::task::spawn_local(async move {
            let edit = Edit::SetTaskDone { id: row.task.id.clone(), done: true, at: now_ms() };
            if edit_customer(app, doc, vec![edit]).await.is_some() {
                notice.set(fill(TasksMsg::of(locale.get_untracked()).completed, &[&row.task.title]));
                done.set(Some((doc, row.task.id, row.task.title)));
            }
        });
    });
    let undo = move |_| {
        if let Some((doc, id, title)) = done.get_untracked() {
            leptos::task::spawn_local(async move {
                if edit_customer(app, doc, vec![Edit::SetTaskDone { id, done: false, at: 0 }]).await.is_some() {
                    notice.set(fill(TasksMsg::of(locale.get_untracked()).reopened, &[&title]));
                    done.set(None);
                }
            });
        }
    };
    let empty_text = move || {
        let w = who.get();
        if w.trim().is_empty() {
            t().empty.to_string()
        } else {
            fill(t().empty_filtered, &[&w.trim()])
        }
    };

    view! {
        <section class="tasks">
            <div class="page-head">
                <h1>{move || t().title}</h1>
            </div>
            <div class="field assigned">
                <label for="tasks-assigned">{move || t().assigned_to}</label>
                <input
                    id="tasks-assigned"
                    type="text"
                    list="tasks-assignees"
                    autocomplete="off"
                    aria-describedby="tasks-assigned-hint"
                    placeholder=move || t().assigned_placeholder
                    prop:value=move || who.get()
                    on:input=move |ev| {
                        let v = event_target_value(&ev);
                        reminders::set_me(&v);
                        who.set(v);
                    }
                />
                <datalist id="tasks-assignees">
                    {move || assignees.get().into_iter().map(|a| view! { <option value=a></option> }).collect_view()}
                </datalist>
                <span id="tasks-assigned-hint" class="hint">{move || t().assigned_hint}</span>
            </div>
            <ReminderSwitch/>
            <div class="notice" role="status">
                <span>{move || notice.get()}</span>
                {move || done.get().map(|_| view! { <button type="button" on:click=undo>{move || t().undo}</button> })}
            </div>
            <p class="count">{move || fill(t().count, &[&format::number(locale.get(), rows.with(|r| r.len()) as f64)])}</p>
            {move || rows.with(|r| r.is_empty()).then(|| view! { <p class="empty">{empty_text}</p> })}
            {GROUPS
                .into_iter()
                .map(|g| {
                    let group_rows = move || {
                        let (n, tm) = (now.get(), tomorrow.get());
                        rows.with(|r| r.iter().filter(|r| Group::of(r.task.due, n, tm) == g).cloned().collect::<Vec<_>>())
                    };
                    let heading = format!("tasks-{}", g.class());
                    view! {
                        <Show when=move || { rows.with(|r| r.iter().any(|r| Group::of(r.task.due, now.get(), tomorrow.get()) == g)) }>
                            <section class=format!("task-group {}", g.class())>
                                <h2 id=heading.clone()>{move || g.name(locale.get())}</h2>
                                <ul class="task-list" aria-labelledby=heading.clone()>
                                    <For each=group_rows key=|r| r.key() let:row>
                                        <TaskRow row=row complete=complete/>
                                    </For>
                                </ul>
                            </section>
                        </Show>
                    }
                })
                .collect_view()}
            <NewTask notice=notice/>
        </section>
    }
}

#[component]
fn TaskRow(row: Row, complete: Callback<Row>) -> impl IntoView {
    let locale = use_locale();
    let t = move || TasksMsg::of(locale.get());
    let task = row.task.clone();
    let (title, due, remind, assignee) = (task.title.clone(), task.due, task.remind_at, task.assignee.clone());
    let label_title = title.clone();
    let name = row.customer_name.clone();
    let href = format!("/customers/{}", row.customer);
    let checked = RwSignal::new(false);
    view! {
        <li class="task">
            <input
                type="checkbox"
                aria-label=move || fill(t().complete, &[&label_title])
                prop:checked=move || checked.get()
                on:change=move |_| {
                    checked.set(true);
                    complete.run(row.clone());
                }
            />
            <div class="task-body">
                <span class="task-title">{title}</span>
                <span class="meta">
                    <a href=href>{move || if name.is_empty() { Common::of(locale.get()).unnamed.to_string() } else { name.clone() }}</a>
                    {(due > 0).then(|| view! { <span class="due">{move || fill(t().due, &[&format::datetime(locale.get(), due)])}</span> })}
                    {(remind > 0).then(|| view! { <span class="remind">{move || fill(t().remind, &[&format::datetime(locale.get(), remind)])}</span> })}
                    {(!assignee.is_empty()).then(|| view! { <span class="assignee">{move || fill(t().assignee_is, &[&assignee])}</span> })}
                </span>
            </div>
        </li>
    }
}

/// "Enable reminders", or what reminders will do in this browser.
#[component]
fn ReminderSwitch() -> impl IntoView {
    let locale = use_locale();
    let t = move || TasksMsg::of(locale.get());
    let perm = RwSignal::new(reminders::permission());
    let enable = move |_| {
        leptos::task::spawn_local(async move {
            perm.set(reminders::request_permission().await);
        });
    };
    view! {
        <div class="reminders">
            <h2>{move || t().reminders}</h2>
            {move || match perm.get() {
                Permission::Ask => view! {
                    <p class="hint">{move || t().reminders_ask}</p>
                    <button type="button" on:click=enable>{move || t().enable_reminders}</button>
                }.into_any(),
                Permission::Granted => view! { <p class="hint">{move || t().reminders_on}</p> }.into_any(),
                Permission::Denied => view! { <p class="hint">{move || t().reminders_blocked}</p> }.into_any(),
                Permission::Unsupported => view! { <p class="hint">{move || t().reminders_unsupported}</p> }.into_any(),
            }}
        </div>
    }
}

/// "New task": a task for any customer, without opening it.
#[component]
fn NewTask(notice: RwSignal<String>) -> impl IntoView {
    let app = use_app();
    let locale = use_locale();
    let t = move || TasksMsg::of(locale.get());
    let open = RwSignal::new(false);
    let customer = RwSignal::new(String::new());
    let title = RwSignal::new(String::new());
    let due = RwSignal::new(String::new());
    let remind = RwSignal::new(String::new());
    let assignee = RwSignal::new(reminders::me());
    let problem = RwSignal::new(None::<&'static str>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let l = locale.get_untracked();
        let doc = app.summaries.with_untracked(|all| find_customer(all, &customer.get_untracked()).map(|s| s.id.clone()));
        let Some(Ok(doc)) = doc.map(|d| d.parse::<DocId>()) else {
            problem.set(Some(crate::i18n::pipeline::PipelineMsg::of(l).no_such_customer));
            return;
        };
        let name = title.get_untracked().trim().to_string();
        if name.is_empty() {
            return;
        }
        problem.set(None);
        let task = Task {
            title: name.clone(),
            due: format::from_datetime_local(&due.get_untracked()),
            remind_at: format::from_datetime_local(&remind.get_untracked()),
            assignee: assignee.get_untracked().trim().to_string(),
            created_at: now_ms(),
            ..Default::default()
        };
        leptos::task::spawn_local(async move {
            if edit_customer(app, doc, vec![Edit::PutTask { id: new_id(), task }]).await.is_some() {
                notice.set(fill(TasksMsg::of(l).added, &[&name]));
                title.set(String::new());
                due.set(String::new());
                remind.set(String::new());
            }
        });
    };
    let input = move |id: &'static str, label: fn(&TasksMsg) -> &'static str, ty: &'static str, sig: RwSignal<String>| {
        view! {
            <div class="field">
                <label for=id>{move || label(t())}</label>
                <input id=id type=ty prop:value=move || sig.get() on:input=move |ev| sig.set(event_target_value(&ev))/>
            </div>
        }
    };
    view! {
        <div class="new-task">
            <button type="button" class="primary" aria-expanded=move || open.get().to_string() on:click=move |_| open.update(|o| *o = !*o)>
                {move || t().new_task}
            </button>
            <Show when=move || open.get()>
                <form class="new-task-form" on:submit=submit>
                    <CustomerPicker
                        id="task-customer"
                        label=Signal::derive(move || t().customer.to_string())
                        placeholder=Signal::derive(move || crate::i18n::pipeline::PipelineMsg::of(locale.get()).customer_placeholder.to_string())
                        value=customer
                    />
                    {input("task-title", |t| t.task_title, "text", title)}
                    {input("task-due", |t| t.due_label, "datetime-local", due)}
                    {input("task-remind", |t| t.remind_label, "datetime-local", remind)}
                    {input("task-assignee", |t| t.assignee, "text", assignee)}
                    {move || problem.get().map(|p| view! { <p class="error" role="alert">{p}</p> })}
                    <button type="submit" class="primary">{move || t().add_task}</button>
                </form>
            </Show>
        </div>
    }
}

/// Starts the reminder loop for the life of the page (called once at app start). Reminders
/// show as browser notifications when allowed, else as messages inside the app.
pub fn start_reminders(app: AppState, locale: RwSignal<Locale>) {
    let toasts = RwSignal::new(Vec::<reminders::Due>::new());
    reminders::every_check(move || {
        let now = now_ms();
        let mut fired = reminders::Fired::load();
        let due = app.summaries.with_untracked(|all| reminders::due(all, now, &reminders::me(), &fired));
        if due.is_empty() {
            return;
        }
        // recorded before showing, so another tab's check does not show them again
        fired.mark(&due, now);
        let l = locale.get_untracked();
        let t = TasksMsg::of(l);
        for d in due {
            let body = reminder_body(l, &d);
            if !reminders::notify(&fill(t.reminder, &[&d.title]), &body, &d.key) {
                toasts.update(|v| v.push(d));
            }
        }
    });
    // the in-app reminders live outside the routes, so they show on every screen
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    let Some(host) = doc.create_element("div").ok().and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok()) else { return };
    if let Some(body) = doc.body() {
        let _ = body.append_child(&host);
        leptos::mount::mount_to(host, move || {
            provide_context(locale);
            view! { <ReminderToasts toasts=toasts/> }
        })
        .forget();
    }
}

fn reminder_body(l: Locale, d: &reminders::Due) -> String {
    let name = if d.customer_name.is_empty() { Common::of(l).unnamed.to_string() } else { d.customer_name.clone() };
    if d.due > 0 {
        fill(TasksMsg::of(l).reminder_for, &[&name, &format::datetime(l, d.due)])
    } else {
        name
    }
}

#[component]
fn ReminderToasts(toasts: RwSignal<Vec<reminders::Due>>) -> impl IntoView {
    let locale = use_locale();
    let t = move || TasksMsg::of(locale.get());
    let dismiss = move |key: String| toasts.update(|v| v.retain(|d| d.key != key));
    view! {
        <section class="toasts" aria-label=move || t().reminders>
            <For each=move || toasts.get() key=|d| d.key.clone() let:d>
                {
                    let (k1, k2) = (d.key.clone(), d.key.clone());
                    let title = d.title.clone();
                    let d2 = d.clone();
                    let name = if d.customer_name.is_empty() { None } else { Some(d.customer_name.clone()) };
                    view! {
                        <div class="toast" role="alert">
                            <strong>{move || fill(t().reminder, &[&title])}</strong>
                            <span>{move || reminder_body(locale.get(), &d2)}</span>
                            <div class="row">
                                <a href=format!("/customers/{}", d.customer_id) on:click=move |_| dismiss(k1.clone())>
                                    {move || fill(t().open_customer, &[&name.clone().unwrap_or_else(|| Common::of(locale.get()).unnamed.to_string())])}
                                </a>
                                <button type="button" on:click=move |_| dismiss(k2.clone())>{move || Common::of(locale.get()).dismiss}</button>
                            </div>
                        </div>
                    }
                }
            </For>
        </section>
    }
}
