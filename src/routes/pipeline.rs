//! (being built)

use leptos::prelude::*;

#[component]
pub fn PipelinePage() -> impl IntoView {
    view! { <section class="pipeline"></section> }
}
