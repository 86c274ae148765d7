//! Test harness: runs the real `crm-relay` binary on a free loopback port with a temporary
//! data directory, and speaks to it as a client would (tokio-tungstenite for the sync
//! socket, a few lines of raw HTTP/1.1 for everything else).

#![allow(dead_code)]

use crm_core::sync::Message;
use crm_core::{Chunk, DeviceId, DocId, SealedChunk, VersionVector, WorkspaceKeys};
use futures_util::{SinkExt, StreamExt};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long any single wait on the relay may take before the test fails.
pub const STEP: Duration = Duration::from_secs(20);

/// Runs a whole test body under a time limit.
pub async fn bounded<F: Future<Output = ()>>(limit_secs: u64, body: F) {
    tokio::time::timeout(Duration::from_secs(limit_secs), body).await.expect("test exceeded its time limit");
}

pub async fn step<T>(what: &str, f: impl Future<Output = T>) -> T {
    tokio::time::timeout(STEP, f).await.unwrap_or_else(|_| panic!("timed out: {what}"))
}

/// A running relay process.
pub struct Relay {
    child: Child,
    pub port: u16,
    /// The line it printed on stdout.
    pub banner: String,
    pub data: PathBuf,
    /// the temporary data directory of [`Relay::fresh`], removed with the relay
    _tmp: Option<tempfile::TempDir>,
}

impl Relay {
    /// Starts the relay on a free port with a new, empty data directory of its own.
    pub async fn fresh() -> Relay {
        let tmp = tempfile::tempdir().expect("temp dir");
        let mut relay = Self::start(tmp.path()).await;
        relay._tmp = Some(tmp);
        relay
    }

    /// Starts the relay on a free port with `data` as its data directory.
    pub async fn start(data: &Path) -> Relay {
        Self::start_with(data, &[], None).await
    }

    /// Starts the relay with extra arguments, optionally in `cwd`.
    pub async fn start_with(data: &Path, extra: &[&str], cwd: Option<&Path>) -> Relay {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_crm-relay"));
        cmd.args(["--host", "127.0.0.1", "--port", "0", "--data"])
            .arg(data)
            .args(extra)
            .env("RUST_LOG", std::env::var("RELAY_TEST_LOG").unwrap_or_else(|_| "crm_relay=warn".into()))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        if let Some(dir) = cwd {
            cmd.current_dir(dir);
        }
        let mut child = cmd.spawn().expect("spawn crm-relay");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut line = String::new();
        step("relay start", BufReader::new(stdout).read_line(&mut line)).await.expect("read banner");
        let banner = line.trim_end().to_string();
        let port = banner
            .strip_prefix("Relay listening on http://127.0.0.1:")
            .and_then(|rest| rest.strip_suffix('/'))
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("unexpected banner {banner:?}"));
        Relay { child, port, banner, data: data.to_owned(), _tmp: None }
    }

    pub fn pid(&self) -> u32 {
        self.child.id().expect("running relay")
    }

    /// Waits for the process to exit.
    pub async fn wait(&mut self) -> std::process::ExitStatus {
        self.child.wait().await.expect("wait for relay")
    }

    /// SIGKILL: no shutdown code runs.
    pub async fn kill_9(mut self) {
        self.child.kill().await.expect("kill relay");
    }

    pub fn sync_url(&self, workspace: &str) -> String {
        format!("ws://127.0.0.1:{}/sync/{workspace}", self.port)
    }

    /// Opens an authenticated sync connection for `keys`' workspace.
    pub async fn connect(&self, keys: &WorkspaceKeys) -> Peer {
        let protocols = format!("crm-sync.v1, auth.{}", keys.token.to_hex());
        match self.try_connect(&keys.workspace.to_string(), Some(&protocols)).await {
            Ok(peer) => peer,
            Err(e) => panic!("connect failed: {e}"),
        }
    }

    pub async fn try_connect(
        &self,
        workspace: &str,
        protocols: Option<&str>,
    ) -> Result<Peer, tokio_tungstenite::tungstenite::Error> {
        let mut req = self.sync_url(workspace).into_client_request()?;
        if let Some(p) = protocols {
            req.headers_mut().insert("Sec-WebSocket-Protocol", HeaderValue::from_str(p).unwrap());
        }
        let (ws, resp) = step("websocket handshake", tokio_tungstenite::connect_async(req)).await?;
        let chosen = resp.headers().get("Sec-WebSocket-Protocol").map(|v| v.to_str().unwrap().to_string());
        assert_eq!(chosen.as_deref(), Some("crm-sync.v1"), "the relay answers with crm-sync.v1");
        Ok(Peer { ws, sent_bytes: 0, received_bytes: 0 })
    }

    /// One plain HTTP/1.1 request; returns (status, headers lower-cased, body).
    pub async fn http(&self, request_head: &str) -> HttpResponse {
        http(self.port, request_head).await
    }

    pub async fn get(&self, path: &str) -> HttpResponse {
        self.http(&format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")).await
    }

    pub async fn get_accepting(&self, path: &str, encodings: &str) -> HttpResponse {
        self.http(&format!(
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: {encodings}\r\nConnection: close\r\n\r\n"
        ))
        .await
    }
}

#[derive(Debug)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends `request_head` (a full request without body) and reads one response, by
/// Content-Length when given, else to end of stream.
pub async fn http(port: u16, request_head: &str) -> HttpResponse {
    step("http request", async {
        let mut s = TcpStream::connect(("127.0.0.1", port)).await.expect("connect");
        s.write_all(request_head.as_bytes()).await.unwrap();
        let mut buf = Vec::new();
        let head_end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i;
            }
            let mut chunk = [0u8; 4096];
            let n = s.read(&mut chunk).await.expect("read response");
            assert!(n > 0, "connection closed before the response head");
            buf.extend_from_slice(&chunk[..n]);
        };
        let head = String::from_utf8(buf[..head_end].to_vec()).expect("utf-8 head");
        let mut lines = head.split("\r\n");
        let status: u16 = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let mut body = buf[head_end + 4..].to_vec();
        let len = headers.iter().find(|(n, _)| n == "content-length").map(|(_, v)| v.parse::<usize>().unwrap());
        match len {
            Some(len) => {
                while body.len() < len {
                    let mut chunk = [0u8; 4096];
                    let n = s.read(&mut chunk).await.expect("read body");
                    assert!(n > 0, "connection closed inside the body");
                    body.extend_from_slice(&chunk[..n]);
                }
                body.truncate(len);
            }
            None => {
                s.read_to_end(&mut body).await.unwrap();
            }
        }
        HttpResponse { status, headers, body }
    })
    .await
}

/// What a peer saw when the relay closed its connection.
#[derive(Debug)]
pub struct Closed {
    /// `Message::Error` reasons received before the close.
    pub errors: Vec<String>,
    pub frame: Option<CloseFrame>,
}

/// One client connection speaking the sync protocol.
pub struct Peer {
    pub ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// Encoded sync message bytes sent / received (WebSocket framing not included).
    pub sent_bytes: usize,
    pub received_bytes: usize,
}

impl Peer {
    pub async fn send(&mut self, msg: &Message) {
        let bytes = msg.encode();
        self.sent_bytes += bytes.len();
        step("send", self.ws.send(WsMessage::Binary(bytes.into()))).await.expect("send frame");
    }

    pub async fn send_raw(&mut self, msg: WsMessage) -> Result<(), tokio_tungstenite::tungstenite::Error> {
        step("send raw", self.ws.send(msg)).await
    }

    /// The next sync message; panics on a close or anything else.
    pub async fn recv(&mut self) -> Message {
        loop {
            let next = step("receive a sync message", self.ws.next()).await;
            match next {
                Some(Ok(WsMessage::Binary(b))) => {
                    self.received_bytes += b.len();
                    assert!(b.len() <= crm_core::sync::MAX_FRAME, "relay sent a {}-byte frame", b.len());
                    return Message::decode(&b).expect("relay sends valid frames");
                }
                Some(Ok(WsMessage::Ping(_) | WsMessage::Pong(_))) => continue,
                other => panic!("expected a sync message, got {other:?}"),
            }
        }
    }

    /// Waits `quiet` and asserts nothing arrived meanwhile.
    pub async fn expect_silence(&mut self, quiet: Duration) {
        if let Ok(next) = tokio::time::timeout(quiet, self.ws.next()).await {
            panic!("expected silence, got {next:?}");
        }
    }

    /// Says what it has and collects what the relay sends until its `Have` reply.
    pub async fn hello(&mut self, mine: &VersionVector) -> (Vec<SealedChunk>, VersionVector) {
        self.send(&Message::Have { vector: mine.clone(), reply: true }).await;
        let mut chunks = Vec::new();
        loop {
            match self.recv().await {
                Message::Chunks { chunks: c } => chunks.extend(c),
                Message::Have { vector, reply: false } => return (chunks, vector),
                other => panic!("unexpected during catch-up: {other:?}"),
            }
        }
    }

    /// Pushes chunks in one frame and returns the relay's acknowledgement.
    pub async fn push(&mut self, chunks: Vec<SealedChunk>) -> VersionVector {
        self.send(&Message::Chunks { chunks }).await;
        match self.recv().await {
            Message::Ack { vector } => vector,
            other => panic!("expected an Ack, got {other:?}"),
        }
    }

    /// Receives chunk frames until `n` chunks have arrived.
    pub async fn recv_chunks(&mut self, n: usize) -> Vec<SealedChunk> {
        let mut got = Vec::new();
        while got.len() < n {
            match self.recv().await {
                Message::Chunks { chunks } => got.extend(chunks),
                other => panic!("expected forwarded chunks, got {other:?}"),
            }
        }
        got
    }

    /// Reads until the relay closes the connection.
    pub async fn closed(&mut self) -> Closed {
        let mut errors = Vec::new();
        loop {
            match step("relay closes the connection", self.ws.next()).await {
                Some(Ok(WsMessage::Binary(b))) => match Message::decode(&b) {
                    Ok(Message::Error { reason }) => errors.push(reason),
                    Ok(_) => {}
                    Err(e) => panic!("relay sent an undecodable frame: {e}"),
                },
                Some(Ok(WsMessage::Close(frame))) => {
                    // reading on sends the close reply and sees the end of the stream
                    let _ = tokio::time::timeout(Duration::from_secs(2), async {
                        while let Some(Ok(_)) = self.ws.next().await {}
                    })
                    .await;
                    return Closed { errors, frame };
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => panic!("connection failed instead of closing: {e} (errors so far: {errors:?})"),
                None => return Closed { errors, frame: None },
            }
        }
    }
}

pub fn device(n: u8) -> DeviceId {
    DeviceId([n; 16])
}

/// Sealed chunks `seqs` of `device`, each with `len` bytes of plaintext.
pub fn sealed(
    keys: &WorkspaceKeys,
    device: DeviceId,
    seqs: std::ops::RangeInclusive<u64>,
    len: usize,
) -> Vec<SealedChunk> {
    seqs.map(|seq| {
        let data = format!("chunk {device} {seq} ").into_bytes().into_iter().cycle().take(len).collect();
        keys.seal(&Chunk { device, seq, doc: DocId([seq as u8; 16]), data })
    })
    .collect()
}

/// Chunks with arbitrary bodies of `len` bytes, for tests where nobody opens them.
pub fn opaque(device: DeviceId, seqs: std::ops::RangeInclusive<u64>, len: usize) -> Vec<SealedChunk> {
    seqs.map(|seq| SealedChunk { device, seq, doc: DocId([7; 16]), snapshot: None, body: vec![(seq % 251) as u8; len] }).collect()
}

pub fn vector(entries: &[(DeviceId, u64)]) -> VersionVector {
    let mut v = VersionVector::new();
    for (d, s) in entries {
        v.0.insert(*d, *s);
    }
    v
}

/// Every file in `dir`, concatenated.
pub fn dir_bytes(dir: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            all.extend(std::fs::read(&path).unwrap());
        }
    }
    all
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
