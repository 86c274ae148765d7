//! Who else has this customer open right now, and which field they are editing: a line under
//! the title, and a mark on the field itself. This tab says the same of itself
//! (`platform::presence`): the customer when the page opens, the field on focus.

use super::use_page;
use crate::i18n::fill;
use crate::platform::presence::set_here;
use crate::state::services;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

fn label_of(id: &str) -> String {
    let doc = web_sys::window().and_then(|w| w.document());
    let label = doc
        .as_ref()
        .and_then(|d| d.query_selector(&format!("label[for=\"{id}\"]")).ok().flatten())
        .and_then(|l| l.text_content())
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty());
    // a control without its own label: its aria-label
    label.unwrap_or_else(|| {
        doc.and_then(|d| d.get_element_by_id(id)).and_then(|e| e.get_attribute("aria-label")).unwrap_or_else(|| id.to_string())
    })
}

/// Follows focus on the page: tells the team which field this tab is editing.
pub fn follow_focus(page: super::Page, ev: leptos::ev::FocusEvent, focused: bool) {
    let Some(doc) = page.doc.get_untracked() else { return };
    let field = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .filter(|e| focused && matches!(e.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA"))
        .map(|e| e.id())
        .filter(|id| !id.is_empty());
    set_here(Some(doc), field);
}

#[component]
pub fn PresenceLine() -> impl IntoView {
    let page = use_page();
    let app = page.app;
    let me = services().store.device;
    // say "here" when the page opens a customer, and "gone" when it closes
    Effect::new(move |_| set_here(page.doc.get(), None));
    on_cleanup(|| set_here(None, None));
    let others = Memo::new(move |_| {
        let Some(doc) = page.doc.get() else { return Vec::new() };
        app.presence.with(|b| {
            b.on(&doc, &me)
                .into_iter()
                .map(|p| {
                    let who = if p.name.is_empty() { app.settings.with(|s| s.who(&p.device)) } else { p.name.clone() };
                    (who, p.field.clone())
                })
                .collect::<Vec<_>>()
        })
    });
    // mark the fields being edited elsewhere and name them by their labels: after rendering,
    // when the page's controls are in the document
    let marked = StoredValue::new_local(Vec::<web_sys::Element>::new());
    let lines = RwSignal::new(Vec::<String>::new());
    Effect::new(move |_| {
        let now = others.get();
        let t = page.t();
        marked.update_value(|m| {
            for e in m.drain(..) {
                let _ = e.remove_attribute("data-editing-by");
            }
            let doc = web_sys::window().and_then(|w| w.document());
            for (who, field) in &now {
                if let Some(el) = field.as_ref().and_then(|f| doc.as_ref().and_then(|d| d.get_element_by_id(f))) {
                    let _ = el.set_attribute("data-editing-by", who);
                    m.push(el);
                }
            }
        });
        lines.set(
            now.into_iter()
                .map(|(who, field)| match field {
                    Some(f) => fill(t.presence_editing, &[&who, &label_of(&f)]),
                    None => fill(t.presence_here, &[&who]),
                })
                .collect(),
        );
    });
    on_cleanup(move || {
        marked.update_value(|m| {
            for e in m.drain(..) {
                let _ = e.remove_attribute("data-editing-by");
            }
        })
    });
    view! {
        <ul class="presence" role="status" aria-label=move || page.t().presence_label>
            {move || lines.get().into_iter().map(|text| view! { <li>{text}</li> }).collect_view()}
        </ul>
    }
}
