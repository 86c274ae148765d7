//! A small modal form: focus moves into it when it opens and back to whatever opened it when
//! it closes; Esc, "Cancel" and a click beside it close it.

use crate::i18n::common::Common;
use crate::i18n::use_locale;
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

fn active_element() -> Option<web_sys::HtmlElement> {
    web_sys::window()?.document()?.active_element()?.dyn_into::<web_sys::HtmlElement>().ok()
}

const FOCUSABLE: &str = "input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea, button:not([disabled]), a[href]";

/// The first and last control of the dialog (the last is always "Cancel").
fn ends(panel: &web_sys::HtmlDivElement) -> Option<(web_sys::HtmlElement, web_sys::HtmlElement)> {
    let at = |sel: &str| panel.query_selector(sel).ok().flatten().and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok());
    Some((at(FOCUSABLE)?, at(".actions button:last-child")?))
}

#[component]
pub fn FormDialog(
    /// unique on the page; the title's id derives from it
    id: &'static str,
    open: RwSignal<bool>,
    #[prop(into)] title: Signal<String>,
    /// called on "Save" (the form's submit); close the dialog when done
    on_submit: Callback<()>,
    children: ChildrenFn,
) -> impl IntoView {
    let locale = use_locale();
    let common = move || Common::of(locale.get());
    let opener = StoredValue::new_local(None::<web_sys::HtmlElement>);
    let panel = NodeRef::<html::Div>::new();

    // remember who opened it; give focus back on close
    Effect::new(move |was_open: Option<bool>| {
        let is_open = open.get();
        if is_open && was_open != Some(true) {
            opener.set_value(active_element());
        } else if !is_open && was_open == Some(true) {
            if let Some(el) = opener.get_value() {
                let _ = el.focus();
            }
        }
        is_open
    });
    // focus the first field once the panel is in the page
    Effect::new(move |_| {
        if let Some(p) = panel.get() {
            let first = p.query_selector(FOCUSABLE).ok().flatten();
            if let Some(el) = first.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
                let _ = el.focus();
            }
        }
    });

    let title_id = format!("{id}-title");
    let children = StoredValue::new(children);
    view! {
        <Show when=move || open.get()>
            <div class="backdrop" on:click=move |_| open.set(false)></div>
            <div
                class="dialog"
                role="dialog"
                aria-modal="true"
                aria-labelledby=title_id.clone()
                node_ref=panel
                on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                    if ev.key() == "Escape" {
                        ev.prevent_default();
                        ev.stop_propagation();
                        open.set(false);
                    } else if ev.key() == "Tab" {
                        // keep Tab inside the dialog: the page behind it is covered
                        if let Some((first, last)) = panel.get_untracked().and_then(|p| ends(&p)) {
                            let active = active_element();
                            if ev.shift_key() && active.as_ref() == Some(&first) {
                                ev.prevent_default();
                                let _ = last.focus();
                            } else if !ev.shift_key() && active.as_ref() == Some(&last) {
                                ev.prevent_default();
                                let _ = first.focus();
                            }
                        }
                    }
                }
            >
                <h2 id=title_id.clone()>{move || title.get()}</h2>
                <form on:submit=move |ev| {
                    ev.prevent_default();
                    on_submit.run(());
                }>
                    {children.read_value()()}
                    <div class="actions">
                        <button type="submit" class="primary">{move || common().save}</button>
                        <button type="button" on:click=move |_| open.set(false)>{move || common().cancel}</button>
                    </div>
                </form>
            </div>
        </Show>
    }
}
