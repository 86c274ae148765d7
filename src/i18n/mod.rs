//! English and Simplified Chinese. Every screen's words live in a message table per feature
//! (`common.rs`, `customers.rs`, ...), declared with [`messages!`] so each key is written in
//! both languages side by side: a key missing in one language does not compile, so no screen
//! can fall back to the other language.
//!
//! Numbers, money and dates are formatted by the browser's `Intl` (the locale's own digit
//! grouping, currency symbols and date order), not by hand.
//!
//! Why not a translation crate: the tables are small and static, and a typed struct gives
//! compile-time completeness at no download cost (the wasm budget is tight, DESIGN.md 10).

pub mod analytics;
pub mod common;
pub mod customer;
pub mod customers;
pub mod format;
pub mod import;
pub mod members;
pub mod palette;
pub mod pipeline;
pub mod settings;
pub mod tasks;
pub mod trash;

use leptos::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Locale {
    #[default]
    En,
    Zh,
}

impl Locale {
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Zh => "zh-CN",
        }
    }
    pub fn parse(s: &str) -> Option<Locale> {
        let s = s.to_ascii_lowercase();
        if s.starts_with("zh") {
            Some(Locale::Zh)
        } else if s.starts_with("en") {
            Some(Locale::En)
        } else {
            None
        }
    }

    /// The saved choice, else the browser's first language we speak, else English.
    pub fn initial() -> Locale {
        let w = web_sys::window();
        let saved = w.as_ref().and_then(|w| w.local_storage().ok().flatten()).and_then(|s| s.get_item(STORAGE_KEY).ok().flatten());
        if let Some(l) = saved.as_deref().and_then(Locale::parse) {
            return l;
        }
        if let Some(w) = w {
            for lang in w.navigator().languages().iter() {
                if let Some(l) = lang.as_string().as_deref().and_then(Locale::parse) {
                    return l;
                }
            }
        }
        Locale::En
    }
}

const STORAGE_KEY: &str = "crm.locale";

/// Declares a message table: `name: "English", "中文";` per key.
#[macro_export]
macro_rules! messages {
    ($(#[$m:meta])* $name:ident { $($key:ident : $en:expr, $zh:expr;)* }) => {
        $(#[$m])*
        pub struct $name { $(pub $key: &'static str,)* }
        impl $name {
            pub fn of(l: $crate::i18n::Locale) -> &'static $name {
                const EN: $name = $name { $($key: $en,)* };
                const ZH: $name = $name { $($key: $zh,)* };
                match l {
                    $crate::i18n::Locale::En => &EN,
                    $crate::i18n::Locale::Zh => &ZH,
                }
            }
        }
    };
}

/// The reader's language, as a signal (provided at the root).
pub fn use_locale() -> RwSignal<Locale> {
    expect_context::<RwSignal<Locale>>()
}

/// Switches the language everywhere and remembers it on this device.
pub fn set_locale(sig: RwSignal<Locale>, l: Locale) {
    sig.set(l);
    if let Some(w) = web_sys::window() {
        if let Ok(Some(s)) = w.local_storage() {
            let _ = s.set_item(STORAGE_KEY, l.tag());
        }
        if let Some(html) = w.document().and_then(|d| d.document_element()) {
            let _ = html.set_attribute("lang", l.tag());
        }
    }
}

/// Fills `{}` placeholders in order.
pub fn fill(template: &str, args: &[&dyn std::fmt::Display]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut args = args.iter();
    let mut rest = template;
    while let Some(i) = rest.find("{}") {
        out.push_str(&rest[..i]);
        if let Some(a) = args.next() {
            out.push_str(&a.to_string());
        }
        rest = &rest[i + 2..];
    }
    out.push_str(rest);
    out
}
