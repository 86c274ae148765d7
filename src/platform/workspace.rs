//! Which workspace this browser is in, and invite links.
//!
//! The current workspace's original secret lives in localStorage (it never leaves the device
//! except in an invite's sealed envelope), its key ring beside it (`members.rs`). Opening
//! `<origin>/#invite=<invite secret>` redeems the invite at the relay for the ring and
//! switches to that workspace; the older `<origin>/#join=<secret>` (the original secret
//! itself) still works until the workspace's key is first rotated. Either fragment is removed
//! from the address bar and history at once.

use super::local_storage;
use super::members::{self, ApiError};
use crate::i18n::{fill, members::MembersMsg, Locale};
use crm_core::members::{InviteSecret, KeyRing};
use crm_core::WorkspaceSecret;

const CURRENT: &str = "crm.workspace-secret";

/// What the URL's fragment asks for.
enum Link {
    /// `#join=<original secret>`
    Join(Result<WorkspaceSecret, String>),
    /// `#invite=<invite secret>`
    Invite(Result<InviteSecret, String>),
}

/// The invite in the current URL, if any (and strips it from the URL).
fn take_invite_from_url() -> Option<Link> {
    let w = web_sys::window()?;
    let hash = w.location().hash().ok()?;
    let t = MembersMsg::of(Locale::initial());
    let link = if let Some(hex) = hash.strip_prefix("#join=") {
        Link::Join(WorkspaceSecret::from_hex(hex).map_err(|e| format!("This invite link is damaged: {e}")))
    } else if let Some(hex) = hash.strip_prefix("#invite=") {
        Link::Invite(InviteSecret::from_hex(hex).map_err(|_| t.invite_damaged.to_string()))
    } else {
        return None;
    };
    let path = w.location().pathname().unwrap_or_else(|_| "/".into());
    if let Ok(h) = w.history() {
        let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path));
    }
    Some(link)
}

/// Why an invite could not be redeemed, in the reader's words.
fn redeem_problem(e: &ApiError) -> String {
    let t = MembersMsg::of(Locale::initial());
    match e {
        ApiError::Refused(410, why) if why.contains("revoked") => t.invite_revoked.into(),
        ApiError::Refused(410, _) => t.invite_expired.into(),
        ApiError::Refused(404 | 401, _) => t.invite_unknown.into(),
        other => fill(t.invite_offline, &[other]),
    }
}

/// The workspace to open, as its key ring: from an invite link (redeemed at the relay), else
/// the one used last, else a new one created right here (no server involved). The second
/// value is a problem to show, if any.
pub async fn open() -> (KeyRing, Option<String>) {
    let mut problem = None;
    let joined = match take_invite_from_url() {
        Some(Link::Join(Ok(secret))) => Some(KeyRing::genesis(secret)),
        Some(Link::Invite(Ok(invite))) => match members::redeem(&invite).await {
            Ok(ring) => Some(ring),
            Err(e) => {
                problem = Some(redeem_problem(&e));
                None
            }
        },
        Some(Link::Join(Err(e)) | Link::Invite(Err(e))) => {
            problem = Some(e);
            None
        }
        None => None,
    };
    if let Some(ring) = joined {
        if let Some(s) = local_storage() {
            let _ = s.set_item(CURRENT, &ring.genesis_secret().to_hex());
        }
        // a ring older than the one kept here (an old link) must not replace it
        let kept = members::load_ring(ring.genesis_secret().clone());
        if !ring.is_prefix_of(&kept) {
            members::save_ring(&ring);
        }
        return (members::load_ring(ring.genesis_secret().clone()), None);
    }
    let (secret, p) = current();
    (members::load_ring(secret), problem.or(p))
}

/// The workspace used last, else a new one created right here.
fn current() -> (WorkspaceSecret, Option<String>) {
    let storage = local_storage();
    let mut problem = None;
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

/// The relay that served this app: same host, WebSocket scheme.
pub fn relay_url() -> String {
    let loc = web_sys::window().map(|w| w.location());
    let host = loc.as_ref().and_then(|l| l.host().ok()).unwrap_or_default();
    let secure = loc.and_then(|l| l.protocol().ok()).map(|p| p == "https:").unwrap_or(false);
    format!("{}://{host}", if secure { "wss" } else { "ws" })
}
