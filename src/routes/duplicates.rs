//! (being built)

use leptos::prelude::*;

#[component]
pub fn DuplicatesPage() -> impl IntoView {
    view! { <section class="duplicates"></section> }
}
