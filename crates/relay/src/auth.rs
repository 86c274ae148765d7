//! Who may open a workspace's sync socket (docs/CONTRACTS.md, DESIGN.md section 7).
//!
//! Browsers cannot set headers on a WebSocket, so the client offers two subprotocols:
//! `crm-sync.v1` and `auth.<64 hex digits>`, the workspace's auth token. The first connection
//! to an unknown workspace registers it with SHA-256(token); later ones must present a token
//! with the same hash. The relay keeps only that hash. Everything here runs before the
//! upgrade, so a rejected client never gets to send a frame.

use crate::error::AppError;
use crate::store::{Registration, Store};
use axum::http::header::SEC_WEBSOCKET_PROTOCOL;
use axum::http::HeaderMap;
use crm_core::crypto::AuthToken;
use crm_core::WorkspaceId;

/// The sync protocol's subprotocol name; the relay answers with it.
pub const PROTOCOL: &str = "crm-sync.v1";
const AUTH_PREFIX: &str = "auth.";

/// Parses the `<workspace-id>` path segment: exactly 32 lowercase hex digits.
pub fn parse_workspace(segment: &str) -> Result<WorkspaceId, AppError> {
    let lower_hex = segment.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if segment.len() != 32 || !lower_hex {
        return Err(AppError::BadWorkspace);
    }
    segment.parse().map_err(|_| AppError::BadWorkspace)
}

/// Extracts the auth token from the offered subprotocols, requiring `crm-sync.v1` among them.
pub fn token_from_headers(headers: &HeaderMap) -> Result<AuthToken, AppError> {
    let mut offered = Vec::new();
    for value in headers.get_all(SEC_WEBSOCKET_PROTOCOL) {
        let value =
            value.to_str().map_err(|_| AppError::Unauthorized("the Sec-WebSocket-Protocol header is not text"))?;
        offered.extend(value.split(',').map(str::trim).filter(|p| !p.is_empty()));
    }
    if !offered.contains(&PROTOCOL) {
        return Err(AppError::Unauthorized("the crm-sync.v1 subprotocol was not offered"));
    }
    let mut tokens = offered.iter().filter_map(|p| p.strip_prefix(AUTH_PREFIX));
    let token = tokens.next().ok_or(AppError::Unauthorized("no auth token was offered (subprotocol auth.<token>)"))?;
    if tokens.next().is_some() {
        return Err(AppError::Unauthorized("more than one auth token was offered"));
    }
    AuthToken::from_hex(token).ok_or(AppError::Unauthorized("the auth token is malformed: expected 64 hex digits"))
}

/// Registers an unknown workspace, or checks the token of a known one.
pub async fn authorize(store: &Store, workspace: WorkspaceId, token: &AuthToken) -> Result<Registration, AppError> {
    match store.register_or_check(workspace, token.hash()).await? {
        Registration::Mismatch => match store.token_epoch(workspace, token.hash()).await? {
            // it may only fetch its envelope now (members.rs)
            crate::members::TokenEpoch::Older { .. } => Err(AppError::Unauthorized(
                "this token was replaced: the workspace key was rotated (GET /workspaces/<id>/key for this device's new key)",
            )),
            _ => Err(AppError::Unauthorized("wrong auth token for this workspace")),
        },
        ok => Ok(ok),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(SEC_WEBSOCKET_PROTOCOL, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    fn reason(r: Result<AuthToken, AppError>) -> String {
        match r {
            Err(AppError::Unauthorized(why)) => why.to_string(),
            other => panic!("expected 401, got {other:?}"),
        }
    }

    #[test]
    fn token_is_read_from_the_offered_subprotocols() {
        let hex = "ab".repeat(32);
        let t = token_from_headers(&headers(&[&format!("crm-sync.v1, auth.{hex}")])).unwrap();
        assert_eq!(t.to_hex(), hex);
        // split over two header lines, in either order
        let t = token_from_headers(&headers(&[&format!("auth.{hex}"), "crm-sync.v1"])).unwrap();
        assert_eq!(t.to_hex(), hex);
    }

    #[test]
    fn missing_or_malformed_offers_are_refused_with_a_reason() {
        let hex = "ab".repeat(32);
        assert!(reason(token_from_headers(&headers(&[]))).contains("crm-sync.v1"));
        assert!(reason(token_from_headers(&headers(&[&format!("auth.{hex}")]))).contains("crm-sync.v1"));
        assert!(reason(token_from_headers(&headers(&["crm-sync.v1"]))).contains("no auth token"));
        assert!(reason(token_from_headers(&headers(&["crm-sync.v1, auth.abc"]))).contains("malformed"));
        assert!(reason(token_from_headers(&headers(&[&format!("crm-sync.v1, auth.{}", "zz".repeat(32))])))
            .contains("malformed"));
        assert!(reason(token_from_headers(&headers(&[&format!("crm-sync.v1, auth.{hex}, auth.{hex}")])))
            .contains("more than one"));
    }

    #[test]
    fn workspace_ids_must_be_32_lowercase_hex_digits() {
        let id = "0123456789abcdef0123456789abcdef";
        assert_eq!(parse_workspace(id).unwrap().to_string(), id);
        for bad in ["", "abc", &id.to_uppercase(), &format!("{id}0"), "g123456789abcdef0123456789abcdef"] {
            assert!(matches!(parse_workspace(bad), Err(AppError::BadWorkspace)), "{bad}");
        }
    }
}
