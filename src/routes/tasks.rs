//! (being built)

use leptos::prelude::*;

#[component]
pub fn TasksPage() -> impl IntoView {
    view! { <section class="tasks"></section> }
}
