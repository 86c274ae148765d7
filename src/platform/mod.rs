//! Browser adapters around the core: IndexedDB storage, the relay WebSocket, the workspace
//! secret, and small browser facilities. Nothing outside this folder talks to web-sys
//! storage or sockets.

pub mod store;
pub mod sync_client;
pub mod workspace;

pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// Registers the service worker that caches the app shell for offline starts.
pub fn register_service_worker() {
    if let Some(w) = web_sys::window() {
        let sw = w.navigator().service_worker();
        let _ = sw.register("/sw.js");
    }
}

/// Asks the browser not to evict this origin's data under storage pressure.
pub fn request_persistent_storage() {
    if let Some(w) = web_sys::window() {
        if let Ok(storage) = js_sys::Reflect::get(&w.navigator(), &"storage".into()) {
            if !storage.is_undefined() {
                let sm: web_sys::StorageManager = wasm_bindgen::JsCast::unchecked_into(storage);
                let _ = sm.persist();
            }
        }
    }
}
