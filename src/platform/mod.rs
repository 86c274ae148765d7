//! Browser adapters around the core: IndexedDB storage, the relay WebSocket, the workspace
//! secret, and small browser facilities. Nothing outside this folder talks to web-sys
//! storage or sockets.

pub mod analytics;
pub mod files;
pub mod members;
pub mod peers;
pub mod presence;
pub mod reminders;
pub mod store;
pub mod sync_client;
pub mod tabs;
pub mod workspace;

/// The page's localStorage (None where the browser has none or refuses it).
pub fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// Waits until the browser has nothing more urgent to do: long background work (the analysis)
/// awaits this between its slices, so clicks, typing and painting go first. Uses
/// `scheduler.postTask` at "background" priority where the browser has it, else a timeout.
pub async fn yield_to_page() {
    use wasm_bindgen::JsCast;
    let global = js_sys::global();
    let post = js_sys::Reflect::get(&global, &"scheduler".into())
        .ok()
        .filter(|s| s.is_object())
        .and_then(|s| js_sys::Reflect::get(&s, &"postTask".into()).ok().map(|f| (s, f)))
        .and_then(|(s, f)| f.dyn_into::<js_sys::Function>().ok().map(|f| (s, f)));
    if let Some((scheduler, post_task)) = post {
        let opts = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&opts, &"priority".into(), &"background".into());
        // the task itself does nothing: its promise resolving is the turn given back
        thread_local! {
            static NOOP: wasm_bindgen::closure::Closure<dyn Fn()> = wasm_bindgen::closure::Closure::new(|| {});
        }
        let task = NOOP.with(|f| post_task.call2(&scheduler, f.as_ref().unchecked_ref(), &opts));
        if let Ok(p) = task.and_then(|p| p.dyn_into::<js_sys::Promise>()) {
            let _ = wasm_bindgen_futures::JsFuture::from(p).await;
            return;
        }
    }
    gloo_timers::future::TimeoutFuture::new(0).await;
}

/// Saves what is being typed before the page goes away: leaving the focused field commits it
/// (see `components::text_field`), instead of waiting for its debounce.
pub fn commit_typing_on_pagehide() {
    use wasm_bindgen::JsCast;
    let Some(w) = web_sys::window() else { return };
    let blur = wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::Event)>::new(|e: web_sys::Event| {
        let doc = web_sys::window().and_then(|w| w.document());
        // pagehide always means leaving; visibilitychange only when the page became hidden
        if e.type_() == "visibilitychange" && !doc.as_ref().map(|d| d.hidden()).unwrap_or(true) {
            return;
        }
        if let Some(el) = doc.and_then(|d| d.active_element()).and_then(|a| a.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = el.blur();
        }
    });
    let _ = w.add_event_listener_with_callback("pagehide", blur.as_ref().unchecked_ref());
    let _ = w.add_event_listener_with_callback("visibilitychange", blur.as_ref().unchecked_ref());
    blur.forget(); // lives as long as the page
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
