//! The relay's plain HTTP surface and command line: the startup line, `/healthz`, and the
//! built app from `--dist` with its SPA fallback, content types and caching headers.

mod common;

use common::*;
use std::path::Path;

fn write(dir: &Path, rel: &str, body: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, body).unwrap();
}

#[tokio::test]
async fn startup_prints_one_listening_line_creates_the_database_and_answers_healthz() {
    bounded(60, async {
        let root = tempfile::tempdir().unwrap();
        let data = root.path().join("nested").join("data");
        let relay = Relay::start(&data).await;
        assert_eq!(relay.banner, format!("Relay listening on http://127.0.0.1:{}/", relay.port));
        assert!(data.join("relay.sqlite3").is_file(), "the data dir and database are created");
        let r = relay.get("/healthz").await;
        assert_eq!((r.status, r.text().as_str()), (200, "ok"));
    })
    .await;
}

#[tokio::test]
async fn the_built_app_is_served_with_spa_fallback_content_types_and_no_cache_entry_points() {
    bounded(60, async {
        let data = tempfile::tempdir().unwrap();
        let dist = tempfile::tempdir().unwrap();
        write(dist.path(), "index.html", "<!doctype html><title>CRM</title>");
        write(dist.path(), "sw.js", "self.addEventListener('fetch', () => {});");
        write(dist.path(), "crm-web_bg.wasm", "\0asm");
        write(dist.path(), "manifest.webmanifest", "{}");
        write(dist.path(), "assets/style.css", "body{}");
        let relay = Relay::start_with(data.path(), &["--dist", dist.path().to_str().unwrap()], None).await;

        let root = relay.get("/").await;
        assert_eq!(root.status, 200);
        assert!(root.text().contains("<title>CRM</title>"));
        assert_eq!(root.header("cache-control"), Some("no-cache"));
        let index = relay.get("/index.html").await;
        assert_eq!(index.header("cache-control"), Some("no-cache"));

        let sw = relay.get("/sw.js").await;
        assert_eq!(sw.status, 200);
        assert_eq!(sw.header("cache-control"), Some("no-cache"));

        let wasm = relay.get("/crm-web_bg.wasm").await;
        assert_eq!((wasm.status, wasm.header("content-type")), (200, Some("application/wasm")));
        assert_eq!(wasm.header("cache-control"), None);
        let manifest = relay.get("/manifest.webmanifest").await;
        assert_eq!(manifest.header("content-type"), Some("application/manifest+json"));
        let css = relay.get("/assets/style.css").await;
        assert_eq!(css.status, 200);
        assert!(css.header("content-type").unwrap().starts_with("text/css"));

        // app routes (no extension) get index.html; missing files with an extension do not
        let route = relay.get("/customers/0123456789abcdef0123456789abcdef").await;
        assert_eq!(route.status, 200);
        assert!(route.text().contains("<title>CRM</title>"));
        assert_eq!(route.header("cache-control"), Some("no-cache"));
        assert_eq!(relay.get("/settings").await.status, 200);
        assert_eq!(relay.get("/missing.js").await.status, 404);

        // a precompressed sibling is served to browsers that accept it, with the original type
        write(dist.path(), "crm-web_bg.wasm.br", "BROTLI");
        let br = relay.get_accepting("/crm-web_bg.wasm", "gzip, deflate, br").await;
        assert_eq!(br.header("content-encoding"), Some("br"));
        assert_eq!(br.header("content-type"), Some("application/wasm"));
        assert_eq!(br.text(), "BROTLI");
        let plain = relay.get_accepting("/crm-web_bg.wasm", "identity").await;
        assert_eq!((plain.header("content-encoding"), plain.body.as_slice()), (None, &b"\0asm"[..]));

        // the API still wins over the app
        assert_eq!(relay.get("/healthz").await.text(), "ok");
        assert_eq!(relay.get("/stats").await.text(), r#"{"connections":0}"#);
    })
    .await;
}

#[tokio::test]
async fn without_a_dist_directory_only_the_api_is_served() {
    bounded(60, async {
        let data = tempfile::tempdir().unwrap();
        let cwd = tempfile::tempdir().unwrap();
        // no --dist and no ./dist in the working directory
        let relay = Relay::start_with(data.path(), &[], Some(cwd.path())).await;
        assert_eq!(relay.get("/").await.status, 404);
        assert_eq!(relay.get("/healthz").await.status, 200);
    })
    .await;
}

#[tokio::test]
async fn a_dist_directory_in_the_working_directory_is_served_by_default() {
    bounded(60, async {
        let data = tempfile::tempdir().unwrap();
        let cwd = tempfile::tempdir().unwrap();
        write(cwd.path(), "dist/index.html", "default dist");
        let relay = Relay::start_with(data.path(), &[], Some(cwd.path())).await;
        assert_eq!(relay.get("/").await.text(), "default dist");
    })
    .await;
}
