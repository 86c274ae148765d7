//! The browser's side of team membership (`crm_core::members`, relay `members.rs`): where the
//! key ring and this device's key pair live, and the relay's rotation, key and invite
//! endpoints.
//!
//! Both live in localStorage beside the workspace secret, per workspace:
//! `crm.keyring.<workspace>` (the ring, hex; absent until the first rotation, meaning "the
//! original secret only") and `crm.device-key.<workspace>` (this device's X25519 private key,
//! made once; only its public half leaves the device, in the workspace document). Another tab
//! seeing the ring change reloads, so no tab goes on sealing with a replaced key.

use super::local_storage;
use crm_core::members::{hex_bytes, open_envelope, seal_envelope, DeviceKeyPair, InviteSecret, KeyRing};
use crm_core::{DeviceId, WorkspaceId};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

pub fn ring_key(workspace: &WorkspaceId) -> String {
    format!("crm.keyring.{workspace}")
}

/// The ring stored for the workspace of `genesis`, if it rotated, else the genesis ring.
/// A stored ring of another workspace (it cannot be, but storage is input) is ignored.
pub fn load_ring(genesis: crm_core::WorkspaceSecret) -> KeyRing {
    let base = KeyRing::genesis(genesis);
    let stored = local_storage()
        .and_then(|s| s.get_item(&ring_key(&base.workspace())).ok().flatten())
        .and_then(|h| KeyRing::from_hex(&h).ok());
    match stored {
        Some(r) if base.is_prefix_of(&r) => r,
        _ => base,
    }
}

/// Keeps `ring` for its workspace; false when the browser would not store it.
pub fn save_ring(ring: &KeyRing) -> bool {
    local_storage().is_some_and(|s| s.set_item(&ring_key(&ring.workspace()), &ring.to_hex()).is_ok())
}

/// This device's key pair for `workspace`, made and kept the first time.
pub fn device_keys(workspace: &WorkspaceId) -> DeviceKeyPair {
    let key = format!("crm.device-key.{workspace}");
    let storage = local_storage();
    if let Some(pair) = storage.as_ref().and_then(|s| s.get_item(&key).ok().flatten()).and_then(|h| DeviceKeyPair::from_secret_hex(&h)) {
        return pair;
    }
    let pair = DeviceKeyPair::generate();
    if let Some(s) = storage {
        let _ = s.set_item(&key, &pair.secret_hex());
    }
    pair
}

/// Reloads this tab when another one stores a new ring for `workspace`.
pub fn reload_when_ring_changes(workspace: &WorkspaceId) {
    let Some(w) = web_sys::window() else { return };
    let watched = ring_key(workspace);
    let cb = wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::StorageEvent)>::new(move |e: web_sys::StorageEvent| {
        if e.key().as_deref() == Some(watched.as_str()) {
            if let Some(w) = web_sys::window() {
                let _ = w.location().reload();
            }
        }
    });
    let _ = w.add_event_listener_with_callback("storage", cb.as_ref().unchecked_ref());
    cb.forget(); // lives as long as the page
}

/// Why a call to the relay did not do what was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// the relay could not be reached
    Network(String),
    /// it answered with this status and reason
    Refused(u16, String),
    /// it answered something this app cannot read
    Garbled(String),
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::Network(e) => write!(f, "the relay cannot be reached ({e})"),
            ApiError::Refused(status, why) => write!(f, "the relay refused ({status}): {why}"),
            ApiError::Garbled(why) => write!(f, "the relay's answer could not be read: {why}"),
        }
    }
}

/// One request to the relay that served this app; returns the JSON it answered (null for an
/// empty body).
async fn call(method: &str, path: &str, token: &str, body: Option<String>) -> Result<serde_json::Value, ApiError> {
    let w = web_sys::window().ok_or_else(|| ApiError::Network("no window".into()))?;
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    let headers = web_sys::Headers::new().map_err(|e| ApiError::Network(format!("{e:?}")))?;
    let _ = headers.set("Authorization", &format!("Bearer {token}"));
    if let Some(b) = &body {
        let _ = headers.set("Content-Type", "application/json");
        init.set_body(&wasm_bindgen::JsValue::from_str(b));
    }
    init.set_headers(&headers);
    init.set_cache(web_sys::RequestCache::NoStore);
    let resp = JsFuture::from(w.fetch_with_str_and_init(path, &init))
        .await
        .map_err(|e| ApiError::Network(e.as_string().unwrap_or_else(|| "fetch failed".into())))?;
    let resp: web_sys::Response = resp.unchecked_into();
    let text = match resp.text() {
        Ok(p) => JsFuture::from(p).await.ok().and_then(|t| t.as_string()).unwrap_or_default(),
        Err(_) => String::new(),
    };
    if !resp.ok() {
        return Err(ApiError::Refused(resp.status(), text));
    }
    if text.is_empty() {
        return Ok(serde_json::Value::Null);
    }
    serde_json::from_str(&text).map_err(|e| ApiError::Garbled(e.to_string()))
}

fn envelope_of(v: &serde_json::Value, field: &str) -> Result<Vec<u8>, ApiError> {
    v[field].as_str().and_then(hex_bytes).ok_or_else(|| ApiError::Garbled(format!("no {field} in the answer")))
}

/// What the relay says about this device's key.
#[derive(Debug)]
pub enum Access {
    /// this device's token is the current one
    Current,
    /// the key was rotated and this is the new ring (already stored)
    Rotated(KeyRing),
    /// the relay has no envelope for this device: it was removed
    Removed,
}

/// Asks the relay whether this device's key is current; when it was rotated, opens this
/// device's envelope and stores the new ring.
pub async fn check_access(ring: &KeyRing, device: &DeviceId) -> Result<Access, ApiError> {
    let keys = ring.keys();
    let path = format!("/workspaces/{}/key?device={device}", keys.workspace);
    match call("GET", &path, &keys.token.to_hex(), None).await {
        Ok(v) if v["current"].as_bool() == Some(true) => Ok(Access::Current),
        Ok(v) => {
            let env = envelope_of(&v, "envelope")?;
            let me = device_keys(&keys.workspace);
            let new = open_envelope(&env, &me, device, &keys.workspace).map_err(|e| ApiError::Garbled(e.to_string()))?;
            if !ring.is_prefix_of(&new) || new.epoch() <= ring.epoch() {
                return Err(ApiError::Garbled("the envelope holds no newer key of this workspace".into()));
            }
            save_ring(&new);
            Ok(Access::Rotated(new))
        }
        Err(ApiError::Refused(403, _)) => Ok(Access::Removed),
        Err(e) => Err(e),
    }
}

/// Rotates the workspace key at the relay: the next epoch, sealed to every device in
/// `recipients` (device hex, public key hex). On success the new ring is stored and
/// returned; the caller then records the removal and reloads.
pub async fn rotate(ring: &KeyRing, recipients: &[(String, String)]) -> Result<KeyRing, ApiError> {
    let new = ring.rotate();
    let mut envelopes = serde_json::Map::new();
    for (device, public) in recipients {
        let (Ok(d), Ok(p)) = (device.parse::<DeviceId>(), crm_core::members::parse_public_key(public)) else {
            continue; // a malformed entry in the shared document seals nothing
        };
        envelopes.insert(device.clone(), crm_core::ids::to_hex(&seal_envelope(&new, &d, &p)).into());
    }
    let body = serde_json::json!({
        "epoch": new.epoch(),
        "token_hash": crm_core::ids::to_hex(&new.keys().token.hash()),
        "envelopes": envelopes,
    });
    let keys = ring.keys();
    call("POST", &format!("/workspaces/{}/rotate", keys.workspace), &keys.token.to_hex(), Some(body.to_string())).await?;
    save_ring(&new);
    Ok(new)
}

/// An outstanding invite, as the relay lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct Invite {
    pub id: String,
    pub created_at: i64,
    pub expires_at: i64,
}

/// Makes an invite valid for `days`; returns its link.
pub async fn create_invite(ring: &KeyRing, days: i64) -> Result<String, ApiError> {
    let secret = InviteSecret::generate();
    let ik = secret.keys();
    let body = serde_json::json!({
        "id": ik.id_hex(),
        "token_hash": crm_core::ids::to_hex(&ik.token.hash()),
        "expires_at": super::now_ms() + days * 24 * 3600 * 1000,
        "envelope": crm_core::ids::to_hex(&ik.seal_ring(ring)),
    });
    let keys = ring.keys();
    call("POST", &format!("/workspaces/{}/invites", keys.workspace), &keys.token.to_hex(), Some(body.to_string())).await?;
    let origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
    Ok(format!("{origin}/#invite={}", secret.to_hex()))
}

pub async fn list_invites(ring: &KeyRing) -> Result<Vec<Invite>, ApiError> {
    let keys = ring.keys();
    let v = call("GET", &format!("/workspaces/{}/invites", keys.workspace), &keys.token.to_hex(), None).await?;
    let list = v["invites"].as_array().ok_or_else(|| ApiError::Garbled("no invites list".into()))?;
    Ok(list
        .iter()
        .filter_map(|i| {
            Some(Invite {
                id: i["id"].as_str()?.to_string(),
                created_at: i["created_at"].as_i64()?,
                expires_at: i["expires_at"].as_i64()?,
            })
        })
        .collect())
}

pub async fn revoke_invite(ring: &KeyRing, id: &str) -> Result<(), ApiError> {
    let keys = ring.keys();
    call("DELETE", &format!("/workspaces/{}/invites/{id}", keys.workspace), &keys.token.to_hex(), None).await.map(|_| ())
}

/// Redeems an invite link's secret for the workspace's key ring.
pub async fn redeem(secret: &InviteSecret) -> Result<KeyRing, ApiError> {
    let ik = secret.keys();
    let v = call("GET", &format!("/invites/{}", ik.id_hex()), &ik.token.to_hex(), None).await?;
    let ring = ik.open_ring(&envelope_of(&v, "envelope")?).map_err(|e| ApiError::Garbled(e.to_string()))?;
    if v["workspace"].as_str() != Some(ring.workspace().to_string().as_str()) {
        return Err(ApiError::Garbled("the invite names another workspace than its key".into()));
    }
    Ok(ring)
}
