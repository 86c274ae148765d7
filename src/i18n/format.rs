//! Numbers, money and dates in the reader's locale, through the browser's `Intl`.

use super::Locale;
use js_sys::{Array, Date, Intl, Object, Reflect};
use std::cell::RefCell;
use wasm_bindgen::JsValue;

fn opts(pairs: &[(&str, &str)]) -> Object {
    let o = Object::new();
    for (k, v) in pairs {
        let _ = Reflect::set(&o, &(*k).into(), &(*v).into());
    }
    o
}

fn locales(l: Locale) -> Array {
    Array::of1(&l.tag().into())
}

thread_local! {
    static NUMBER: RefCell<Option<(Locale, Intl::NumberFormat)>> = const { RefCell::new(None) };
    static DATE: RefCell<Option<(Locale, Intl::DateTimeFormat)>> = const { RefCell::new(None) };
    static DATETIME: RefCell<Option<(Locale, Intl::DateTimeFormat)>> = const { RefCell::new(None) };
}

pub fn number(l: Locale, n: f64) -> String {
    NUMBER.with(|c| {
        let mut c = c.borrow_mut();
        if c.as_ref().map(|(x, _)| *x != l).unwrap_or(true) {
            *c = Some((l, Intl::NumberFormat::new(&locales(l), &Object::new())));
        }
        let f = &c.as_ref().expect("set above").1;
        f.format().call1(&JsValue::NULL, &n.into()).ok().and_then(|v| v.as_string()).unwrap_or_else(|| n.to_string())
    })
}

/// An amount in minor units (cents, fen) of `currency` (ISO code; empty = no symbol).
pub fn money(l: Locale, minor: i64, currency: &str) -> String {
    let value = minor as f64 / 100.0;
    if currency.len() != 3 {
        return number(l, value);
    }
    let f = Intl::NumberFormat::new(&locales(l), &opts(&[("style", "currency"), ("currency", currency)]));
    f.format().call1(&JsValue::NULL, &value.into()).ok().and_then(|v| v.as_string()).unwrap_or_else(|| format!("{value:.2} {currency}"))
}

fn with_date_format(
    cell: &'static std::thread::LocalKey<RefCell<Option<(Locale, Intl::DateTimeFormat)>>>,
    l: Locale,
    pairs: &[(&str, &str)],
    ms: f64,
) -> String {
    cell.with(|c| {
        let mut c = c.borrow_mut();
        if c.as_ref().map(|(x, _)| *x != l).unwrap_or(true) {
            *c = Some((l, Intl::DateTimeFormat::new(&locales(l), &opts(pairs))));
        }
        let f = &c.as_ref().expect("set above").1;
        f.format().call1(&JsValue::NULL, &Date::new(&ms.into())).ok().and_then(|v| v.as_string()).unwrap_or_default()
    })
}

/// A moment (ms since the epoch) as a date in the reader's time zone.
pub fn date(l: Locale, ms: i64) -> String {
    if ms == 0 {
        return String::new();
    }
    with_date_format(&DATE, l, &[("year", "numeric"), ("month", "short"), ("day", "numeric")], ms as f64)
}

/// A moment as date and time.
pub fn datetime(l: Locale, ms: i64) -> String {
    if ms == 0 {
        return String::new();
    }
    with_date_format(
        &DATETIME,
        l,
        &[("year", "numeric"), ("month", "short"), ("day", "numeric"), ("hour", "2-digit"), ("minute", "2-digit")],
        ms as f64,
    )
}

/// A stored calendar date (`YYYY-MM-DD`) in the reader's format (shown as stored if it does
/// not parse).
pub fn day(l: Locale, ymd: &str) -> String {
    match crm_core::dates::parse_ymd(ymd) {
        // noon UTC stays on the same calendar day in every time zone
        Some(d) => {
            let ms = d.to_days() as i64 * 86_400_000 + 12 * 3_600_000;
            date(l, ms)
        }
        None => ymd.to_string(),
    }
}

/// Today's date (local time zone) as `YYYY-MM-DD`.
pub fn today() -> String {
    let d = Date::new_0();
    format!("{:04}-{:02}-{:02}", d.get_full_year(), d.get_month() + 1, d.get_date())
}

/// Local midnight at the start of today, in ms.
pub fn start_of_today_ms() -> i64 {
    let d = Date::new_0();
    d.set_hours(0);
    d.set_minutes(0);
    d.set_seconds(0);
    d.set_milliseconds(0);
    d.get_time() as i64
}

/// `YYYY-MM-DDTHH:MM` (a datetime-local input's value) for a moment, in local time.
pub fn to_datetime_local(ms: i64) -> String {
    if ms == 0 {
        return String::new();
    }
    let d = Date::new(&(ms as f64).into());
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date(),
        d.get_hours(),
        d.get_minutes()
    )
}

/// Parses a datetime-local (or date) input's value, in local time; 0 when empty or invalid.
pub fn from_datetime_local(s: &str) -> i64 {
    if s.trim().is_empty() {
        return 0;
    }
    let s = if s.len() == 10 { format!("{s}T00:00") } else { s.to_string() };
    let t = Date::new(&s.into()).get_time();
    if t.is_nan() {
        0
    } else {
        t as i64
    }
}
