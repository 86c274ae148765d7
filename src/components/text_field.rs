//! A labelled text input that saves as the person types (debounced) and at once when they
//! leave the field, and that shows changes from elsewhere without clobbering typing.

use gloo_timers::callback::Timeout;
use leptos::html;
use leptos::prelude::*;

const DEBOUNCE_MS: u32 = 300;

#[component]
pub fn TextField(
    /// DOM id, unique on the page
    #[prop(into)]
    id: String,
    #[prop(into)] label: String,
    /// the stored value
    #[prop(into)]
    value: Signal<String>,
    on_commit: Callback<String>,
    #[prop(default = "text")] input_type: &'static str,
    /// focus this field once it is shown
    #[prop(into, default = Signal::from(false))]
    focus: Signal<bool>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let node = NodeRef::<html::Input>::new();
    // typed but not yet saved
    let dirty = StoredValue::new(false);
    let timer = StoredValue::new_local(None::<Timeout>);

    Effect::new(move |_| {
        let v = value.get();
        if let Some(el) = node.get() {
            let typing = dirty.get_value() && el.matches(":focus").unwrap_or(false);
            if !typing && el.value() != v {
                el.set_value(&v);
            }
        }
    });
    Effect::new(move |_| {
        if focus.get() {
            if let Some(el) = node.get() {
                let _ = el.focus();
            }
        }
    });

    let commit = move || {
        timer.update_value(|t| {
            if let Some(t) = t.take() {
                t.cancel();
            }
        });
        if dirty.get_value() {
            dirty.set_value(false);
            if let Some(el) = node.get_untracked() {
                on_commit.run(el.value());
            }
        }
    };

    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input
                id=id
                type=input_type
                node_ref=node
                prop:value=move || value.get_untracked()
                on:input=move |_| {
                    dirty.set_value(true);
                    let t = Timeout::new(DEBOUNCE_MS, commit);
                    timer.update_value(|old| {
                        if let Some(o) = old.replace(t) {
                            o.cancel();
                        }
                    });
                }
                on:change=move |_| commit()
                on:blur=move |_| commit()
            />
            {children.map(|c| c())}
        </div>
    }
}
