//! crm-web: the Leptos single-page app of the local-first CRM, compiled to WebAssembly.
//!
//! It owns everything that touches the browser: `platform/` adapts IndexedDB, the relay
//! WebSocket and the workspace secret around `crm-core`; `state` holds the app's signals and
//! actions; `routes/` are the screens (one per file) and `components/` their shared parts.
//! Built natively this crate is empty, so `cargo test` at the workspace root stays native.

#[cfg(target_arch = "wasm32")]
pub mod app;
#[cfg(target_arch = "wasm32")]
pub mod components;
#[cfg(target_arch = "wasm32")]
pub mod i18n;
#[cfg(target_arch = "wasm32")]
pub mod platform;
#[cfg(target_arch = "wasm32")]
pub mod routes;
#[cfg(target_arch = "wasm32")]
pub mod state;

#[cfg(target_arch = "wasm32")]
pub use app::start;
