//! The built web app, served from the `--dist` directory: real files as they are, and for
//! any path without a file extension the app's `index.html` (a single-page app routes those
//! itself). Content types the browser is strict about are set explicitly (`.wasm` as
//! `application/wasm`, `.webmanifest` as `application/manifest+json`), and the entry points
//! that must never go stale (`index.html`, `sw.js`, every SPA route) carry
//! `Cache-Control: no-cache`. Precompressed `.br` / `.gz` siblings written by the build are
//! served to browsers that accept them.

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use std::convert::Infallible;
use std::path::PathBuf;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

/// The last path segment, e.g. `app.wasm` for `/assets/app.wasm`, `""` for `/`.
fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or("")
}

fn extension(path: &str) -> Option<&str> {
    file_name(path).rsplit_once('.').map(|(_, ext)| ext)
}

/// A router that serves `dist` for every path it is given.
pub fn router(dist: PathBuf) -> Router {
    let index = dist.join("index.html");
    let spa = tower::service_fn(move |req: Request| {
        let index = index.clone();
        async move {
            if extension(req.uri().path()).is_some() {
                return Ok::<_, Infallible>((StatusCode::NOT_FOUND, "not found").into_response());
            }
            let res = ServeFile::new(index).oneshot(req).await?;
            Ok(res.into_response())
        }
    });
    // the build writes brotli and gzip siblings (`app.wasm.br`); serving them keeps the
    // download within its budget without compressing on every request
    let files = ServeDir::new(dist).precompressed_br().precompressed_gzip().fallback(spa);
    Router::new().fallback_service(files).layer(middleware::from_fn(set_headers))
}

async fn set_headers(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let mut res = next.run(req).await;
    if !(res.status().is_success() || res.status() == StatusCode::NOT_MODIFIED) {
        return res;
    }
    let headers = res.headers_mut();
    match extension(&path) {
        Some("wasm") => {
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/wasm"));
        }
        Some("webmanifest") => {
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/manifest+json"));
        }
        _ => {}
    }
    let name = file_name(&path);
    if name == "index.html" || name == "sw.js" || extension(&path).is_none() {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_come_from_the_last_segment_only() {
        assert_eq!(extension("/pkg/app.wasm"), Some("wasm"));
        assert_eq!(extension("/manifest.webmanifest"), Some("webmanifest"));
        assert_eq!(extension("/customers/0123abcd"), None);
        assert_eq!(extension("/v1.2/customers"), None);
        assert_eq!(extension("/"), None);
    }
}
