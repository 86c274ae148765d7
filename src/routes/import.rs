//! (being built)

use leptos::prelude::*;

#[component]
pub fn ImportPage() -> impl IntoView {
    view! { <section class="import"></section> }
}
