//! Form controls of the page's dialogs and item cards, and the parsing of what people type
//! into them (money, whole numbers). Fields that save as typed use
//! `components::text_field::TextField`; these are for forms saved with a button.

use leptos::prelude::*;

/// A labelled input holding its value in `value`.
#[component]
pub fn Input(
    #[prop(into)] id: String,
    #[prop(into)] label: Signal<String>,
    value: RwSignal<String>,
    #[prop(default = "text")] ty: &'static str,
    #[prop(optional)] required: bool,
    #[prop(optional)] step: Option<&'static str>,
    #[prop(optional)] min: Option<&'static str>,
    #[prop(optional, into)] max: Option<Signal<String>>,
    #[prop(optional)] list: Option<&'static str>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id.clone()>{move || label.get()}</label>
            <input
                id=id
                type=ty
                required=required
                step=step
                min=min
                max=move || max.map(|m| m.get())
                list=list
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        </div>
    }
}

#[component]
pub fn TextArea(#[prop(into)] id: String, #[prop(into)] label: Signal<String>, value: RwSignal<String>) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id.clone()>{move || label.get()}</label>
            <textarea id=id rows="3" prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))></textarea>
        </div>
    }
}

/// A labelled select over `(value, text)` options.
#[component]
pub fn Choice(
    #[prop(into)] id: String,
    #[prop(into)] label: Signal<String>,
    value: RwSignal<String>,
    #[prop(into)] options: Signal<Vec<(String, String)>>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id.clone()>{move || label.get()}</label>
            <select id=id on:change=move |ev| value.set(event_target_value(&ev)) prop:value=move || value.get()>
                {move || options.get().into_iter().map(|(v, text)| {
                    let selected = v == value.get_untracked();
                    view! { <option value=v selected=selected>{text}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}

/// A select that saves on change (for fields of stored items), with its conflict mark.
#[component]
pub fn SaveSelect(
    #[prop(into)] id: String,
    #[prop(into)] label: Signal<String>,
    #[prop(into)] value: Signal<String>,
    #[prop(into)] options: Signal<Vec<(String, String)>>,
    on_change: Callback<String>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id.clone()>{move || label.get()}</label>
            <select id=id on:change=move |ev| on_change.run(event_target_value(&ev)) prop:value=move || value.get()>
                {move || {
                    let current = value.get();
                    let mut opts = options.get();
                    // a stored value the options lack (an import, a newer app) stays visible
                    if !opts.iter().any(|(v, _)| *v == current) {
                        opts.push((current.clone(), current.clone()));
                    }
                    opts.into_iter().map(|(v, text)| {
                        let selected = v == current;
                        view! { <option value=v selected=selected>{text}</option> }
                    }).collect_view()
                }}
            </select>
            {children.map(|c| c())}
        </div>
    }
}

/// Parses an amount as typed ("1234.5", "1,234.50", "-3") into minor units.
pub fn parse_money(s: &str) -> Option<i64> {
    let clean: String = s.chars().filter(|c| !matches!(c, ',' | ' ' | '_' | '\u{a0}')).collect();
    if clean.is_empty() {
        return Some(0);
    }
    let v: f64 = clean.parse().ok()?;
    if !v.is_finite() || v.abs() > 9.0e13 {
        return None;
    }
    Some((v * 100.0).round() as i64)
}

/// Minor units as an input's value ("1234.50"; empty for zero).
pub fn money_input(minor: i64) -> String {
    if minor == 0 {
        return String::new();
    }
    let sign = if minor < 0 { "-" } else { "" };
    let m = minor.unsigned_abs();
    format!("{sign}{}.{:02}", m / 100, m % 100)
}

/// A whole number as typed; empty is zero.
pub fn parse_int(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() {
        return Some(0);
    }
    s.parse().ok()
}

/// A decimal number as typed (quantities); empty is zero.
pub fn parse_f64(s: &str) -> Option<f64> {
    let s = s.trim();
    if s.is_empty() {
        return Some(0.0);
    }
    s.parse().ok().filter(|v: &f64| v.is_finite())
}

/// Today plus `days`, as `YYYY-MM-DD`.
pub fn days_from_today(days: i32) -> String {
    let today = crate::i18n::format::today();
    crm_core::dates::parse_ymd(&today).map(|d| crm_core::dates::Date::from_days(d.to_days() + days).to_string()).unwrap_or(today)
}
