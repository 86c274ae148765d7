//! Task reminders while the app is open: a timer looks at the open tasks' reminder times (in
//! the summaries, so no document is loaded) and shows a browser notification for each one
//! that came due. Which reminders already fired is remembered in localStorage, so a reload or
//! a second tab does not repeat them. Where notifications are blocked or missing, the caller
//! shows the reminder inside the app instead.
//!
//! Also here: who uses this device (`crm.me`), which the tasks filter and reminders share.

use crm_core::Summary;
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::{Notification, NotificationOptions, NotificationPermission};

/// How often the reminder times are checked.
pub const CHECK_EVERY_MS: u32 = 15_000;
/// Reminders older than this when first seen (the app was closed, or the task arrived from
/// another device much later) are not shown: a day-old reminder is no longer a reminder.
pub const STALE_AFTER_MS: i64 = 24 * 3_600_000;

const FIRED_KEY: &str = "crm.reminders.fired";
const ME_KEY: &str = "crm.me";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The name this device's person goes by in "Assigned to" (empty: not set, everyone's tasks).
pub fn me() -> String {
    storage().and_then(|s| s.get_item(ME_KEY).ok().flatten()).unwrap_or_default()
}

pub fn set_me(name: &str) {
    if let Some(s) = storage() {
        let name = name.trim();
        let _ = if name.is_empty() { s.remove_item(ME_KEY) } else { s.set_item(ME_KEY, name) };
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    Granted,
    Denied,
    /// not asked yet
    Ask,
    /// this browser has no notifications (or not in this context)
    Unsupported,
}

fn supported() -> bool {
    web_sys::window().map(|w| js_sys::Reflect::has(&w, &"Notification".into()).unwrap_or(false)).unwrap_or(false)
}

pub fn permission() -> Permission {
    if !supported() {
        return Permission::Unsupported;
    }
    match Notification::permission() {
        NotificationPermission::Granted => Permission::Granted,
        NotificationPermission::Denied => Permission::Denied,
        _ => Permission::Ask,
    }
}

/// Asks the person to allow notifications (call it from a click); returns the outcome.
pub async fn request_permission() -> Permission {
    if !supported() {
        return Permission::Unsupported;
    }
    if let Ok(p) = Notification::request_permission() {
        let _ = wasm_bindgen_futures::JsFuture::from(p).await;
    }
    permission()
}

/// Shows a browser notification; false when it could not be shown. `tag` makes two tabs
/// showing the same reminder replace each other instead of stacking up.
pub fn notify(title: &str, body: &str, tag: &str) -> bool {
    if permission() != Permission::Granted {
        return false;
    }
    let opts = NotificationOptions::new();
    opts.set_body(body);
    opts.set_tag(tag);
    match Notification::new_with_options(title, &opts) {
        Ok(n) => {
            let focus = Closure::<dyn FnMut()>::new(|| {
                if let Some(w) = web_sys::window() {
                    let _ = w.focus();
                }
            });
            n.set_onclick(Some(focus.as_ref().unchecked_ref()));
            focus.forget(); // one small closure per shown reminder
            true
        }
        Err(_) => false,
    }
}

/// A task reminder that came due.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Due {
    /// `<customer>/<task>/<remind_at>`: a changed reminder time fires again
    pub key: String,
    pub customer_id: String,
    pub customer_name: String,
    pub title: String,
    pub due: i64,
}

/// The reminders already shown on this device (all tabs), kept in localStorage.
pub struct Fired(BTreeSet<String>);

impl Fired {
    pub fn load() -> Fired {
        let raw = storage().and_then(|s| s.get_item(FIRED_KEY).ok().flatten()).unwrap_or_default();
        Fired(raw.lines().filter(|l| !l.is_empty()).map(str::to_string).collect())
    }

    pub fn contains(&self, key: &str) -> bool {
        self.0.contains(key)
    }

    /// Records `due` as shown, and forgets reminders too old to fire again (so the list
    /// stays small).
    pub fn mark(&mut self, due: &[Due], now: i64) {
        self.0.extend(due.iter().map(|d| d.key.clone()));
        self.0.retain(|k| k.rsplit('/').next().and_then(|t| t.parse::<i64>().ok()).map(|t| t > now - STALE_AFTER_MS).unwrap_or(false));
        if let Some(s) = storage() {
            let joined = self.0.iter().cloned().collect::<Vec<_>>().join("\n");
            let _ = s.set_item(FIRED_KEY, &joined);
        }
    }
}

/// Reminders of open tasks that are due at `now` and were not shown yet. With `me` set, only
/// tasks assigned to that person or to nobody.
pub fn due(summaries: &[Summary], now: i64, me: &str, fired: &Fired) -> Vec<Due> {
    let me = me.trim().to_lowercase();
    let mut out = Vec::new();
    for s in summaries.iter().filter(|s| !s.is_deleted()) {
        for t in &s.tasks {
            if t.remind_at <= 0 || t.remind_at > now || t.remind_at <= now - STALE_AFTER_MS {
                continue;
            }
            if !me.is_empty() && !t.assignee.trim().is_empty() && t.assignee.trim().to_lowercase() != me {
                continue;
            }
            let key = format!("{}/{}/{}", s.id, t.id, t.remind_at);
            if !fired.contains(&key) {
                out.push(Due { key, customer_id: s.id.clone(), customer_name: s.name.clone(), title: t.title.clone(), due: t.due });
            }
        }
    }
    out
}

/// Runs `check` soon after start and then every [`CHECK_EVERY_MS`], for the life of the page.
pub fn every_check(check: impl FnMut() + 'static) {
    let check = Rc::new(RefCell::new(check));
    let first = check.clone();
    gloo_timers::callback::Timeout::new(2_000, move || (first.borrow_mut())()).forget();
    gloo_timers::callback::Interval::new(CHECK_EVERY_MS, move || (check.borrow_mut())()).forget();
}
