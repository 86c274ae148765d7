//! (being built)

use leptos::prelude::*;

#[component]
pub fn TrashPage() -> impl IntoView {
    view! { <section class="trash"></section> }
}
