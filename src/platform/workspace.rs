//! Which workspace this browser is in, and invite links.
//!
//! The current workspace secret lives in localStorage (it never leaves the device except in
//! an invite link's fragment, which browsers do not send to servers). Opening
//! `<origin>/#join=<secret>` switches to that workspace and removes the fragment from the
//! address bar and history.

use crm_core::WorkspaceSecret;

const CURRENT: &str = "crm.workspace-secret";

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The secret from an invite link in the current URL, if any (and strips it from the URL).
fn take_invite_from_url() -> Option<Result<WorkspaceSecret, String>> {
    let w = web_sys::window()?;
    let hash = w.location().hash().ok()?;
    let hex = hash.strip_prefix("#join=")?;
    let parsed = WorkspaceSecret::from_hex(hex).map_err(|e| format!("This invite link is damaged: {e}"));
    let path = w.location().pathname().unwrap_or_else(|_| "/".into());
    if let Ok(h) = w.history() {
        let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path));
    }
    Some(parsed)
}

/// The workspace to open: from an invite link, else the one used last, else a new one
/// created right here (no server involved). The second value is a problem to show, if any.
pub fn current() -> (WorkspaceSecret, Option<String>) {
    let storage = local_storage();
    let mut problem = None;
    if let Some(invite) = take_invite_from_url() {
        match invite {
            Ok(secret) => {
                if let Some(s) = &storage {
                    let _ = s.set_item(CURRENT, &secret.to_hex());
                }
                return (secret, None);
            }
            Err(e) => problem = Some(e),
        }
    }
    if let Some(secret) =
        storage.as_ref().and_then(|s| s.get_item(CURRENT).ok().flatten()).and_then(|h| WorkspaceSecret::from_hex(&h).ok())
    {
        return (secret, problem);
    }
    let secret = WorkspaceSecret::generate();
    match &storage {
        Some(s) if s.set_item(CURRENT, &secret.to_hex()).is_ok() => {}
        _ => problem = Some("This browser does not allow local storage: the workspace will not be kept.".into()),
    }
    (secret, problem)
}

pub fn invite_link(secret: &WorkspaceSecret) -> String {
    let origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
    format!("{origin}/#join={}", secret.to_hex())
}

/// The relay that served this app: same host, WebSocket scheme.
pub fn relay_url() -> String {
    let loc = web_sys::window().map(|w| w.location());
    let host = loc.as_ref().and_then(|l| l.host().ok()).unwrap_or_default();
    let secure = loc.and_then(|l| l.protocol().ok()).map(|p| p == "https:").unwrap_or(false);
    format!("{}://{host}", if secure { "wss" } else { "ws" })
}
