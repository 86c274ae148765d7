//! The relay's one HTTP error type: every refusal before a WebSocket upgrade, and every
//! failure of a plain request, becomes an [`AppError`] and answers with a status and a
//! plain-text reason. Errors on an open socket are reported in-band instead (see `ws.rs`).

use crate::store::StoreError;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("malformed workspace id: expected 32 lowercase hex digits")]
    BadWorkspace,
    #[error("{0}")]
    Unauthorized(&'static str),
    /// A plain request refused: the status and what was wrong (members.rs).
    #[error("{1}")]
    Refused(StatusCode, String),
    #[error(transparent)]
    NotAWebSocket(#[from] WebSocketUpgradeRejection),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = match &self {
            AppError::BadWorkspace => StatusCode::BAD_REQUEST,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Refused(status, _) => *status,
            AppError::NotAWebSocket(rejection) => rejection.status(),
            AppError::Store(e) => {
                tracing::error!("storage failure: {e}");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        // never echo storage internals to a client
        let reason = match &self {
            AppError::Store(_) => "the relay's storage failed".to_string(),
            other => other.to_string(),
        };
        (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], reason).into_response()
    }
}
