//! `crm-load`: the "relay under load" figure of `cargo xtask bench` (issue 6; bench/README.md).
//!
//! N concurrent WebSocket clients, in teams of 10 that each share one customer document, over
//! real sockets on 127.0.0.1, against one of two servers:
//!
//! - `--target ours --url http://127.0.0.1:PORT`: our relay (crates/relay). Each team is a
//!   workspace of its own; every client is a device speaking `crm_core::sync` with sealed
//!   chunks ([`ours`]).
//! - `--target automerge --url ws://127.0.0.1:PORT`: `@automerge/automerge-repo-sync-server`.
//!   Each team is one automerge-repo document; every client is an automerge-repo peer with an
//!   Automerge sync state for the server ([`am`]).
//!
//! Once every client is connected and holds the team's document, each makes one small edit
//! (sets the customer's phone) every `--interval-ms`, phases spread evenly over the interval,
//! for `--seconds`; then a drain waits (at most `--drain-ms`) for the last deliveries. The
//! fan-out latency of an edit is the time from its sender writing it to the socket until each
//! other member of the team has received and applied it (one process, one clock). With
//! `--pid`, the server's VmRSS / VmHWM and CPU time are read from /proc.
//!
//! Prints one JSON object on stdout, also when the run fails (then with an `error` field and
//! exit status 1). The whole run is bounded by `--timeout-s`.

mod am;
mod ours;
mod procfs;
mod stats;

use anyhow::{anyhow, bail, Context, Result};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use stats::{percentile, percentile_censored, EditKey, Tracker};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio::sync::{watch, Notify, Semaphore};
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How long one step of a client's setup (a handshake, one reply) may take.
const SETUP_STEP: Duration = Duration::from_secs(60);
/// The clients' WebSocket read buffer. tungstenite zero-fills its whole read buffer (128 KiB
/// by default) before every socket read; frames here are small, so a smaller one saves the
/// load generator CPU the servers need (larger frames still fit: the buffer grows for them).
pub const READ_BUFFER: usize = 16 * 1024;

pub fn ws_config() -> tokio_tungstenite::tungstenite::protocol::WebSocketConfig {
    tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default().read_buffer_size(READ_BUFFER)
}

/// Times a client whose setup failed tries again.
const SETUP_RETRIES: u32 = 2;
/// Error messages kept for the report.
const ERROR_SAMPLES: usize = 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Ours,
    Automerge,
}

#[derive(Clone, Debug)]
pub struct Opts {
    pub target: Target,
    pub url: String,
    pub clients: usize,
    pub team_size: usize,
    pub interval: Duration,
    pub seconds: f64,
    pub drain: Duration,
    pub timeout: Duration,
    pub pid: Option<u32>,
    /// clients connecting (handshake + first sync) at the same time
    pub connect_concurrency: usize,
    pub threads: usize,
    /// automerge: peers say they have storage (a storage id, `isEphemeral: false`), as browser
    /// peers with IndexedDB do, so the server keeps and persists a sync state for each
    pub peer_storage: bool,
}

impl Opts {
    fn parse(args: impl Iterator<Item = String>) -> Result<Opts> {
        let mut args = args.peekable();
        let mut o: HashMap<String, String> = HashMap::new();
        while let Some(key) = args.next() {
            let key = key.strip_prefix("--").ok_or_else(|| anyhow!("expected --option, got {key:?}"))?.to_string();
            if key == "help" {
                bail!("{USAGE}");
            }
            let value = args.next().ok_or_else(|| anyhow!("--{key} needs a value"))?;
            o.insert(key, value);
        }
        let num = |k: &str, default: f64| -> Result<f64> {
            match o.get(k) {
                None => Ok(default),
                Some(v) => v.parse::<f64>().ok().filter(|x| x.is_finite() && *x >= 0.0).ok_or_else(|| anyhow!("--{k} {v:?} is not a number")),
            }
        };
        let target = match o.get("target").map(String::as_str) {
            Some("ours") => Target::Ours,
            Some("automerge") => Target::Automerge,
            other => bail!("--target must be ours or automerge (got {other:?})\n{USAGE}"),
        };
        let url = o.get("url").cloned().ok_or_else(|| anyhow!("missing --url\n{USAGE}"))?;
        let clients = num("clients", 100.0)? as usize;
        let team_size = num("team", 10.0)? as usize;
        if team_size < 2 || clients < team_size || clients % team_size != 0 {
            bail!("--clients ({clients}) must be a multiple of --team ({team_size}), which must be at least 2");
        }
        let known = ["target", "url", "clients", "team", "interval-ms", "seconds", "drain-ms", "timeout-s", "pid", "connect-concurrency", "threads", "peer-storage"];
        if let Some(k) = o.keys().find(|k| !known.contains(&k.as_str())) {
            bail!("unknown option --{k}\n{USAGE}");
        }
        Ok(Opts {
            target,
            url,
            clients,
            team_size,
            interval: Duration::from_secs_f64(num("interval-ms", 1000.0)?.max(1.0) / 1e3),
            seconds: num("seconds", 10.0)?,
            drain: Duration::from_secs_f64(num("drain-ms", 5000.0)? / 1e3),
            timeout: Duration::from_secs_f64(num("timeout-s", 180.0)?),
            pid: o.get("pid").map(|p| p.parse().context("--pid")).transpose()?,
            connect_concurrency: (num("connect-concurrency", 50.0)? as usize).max(1),
            threads: (num("threads", 2.0)? as usize).max(1),
            peer_storage: match o.get("peer-storage").map(String::as_str) {
                None | Some("1" | "true") => true,
                Some("0" | "false") => false,
                Some(v) => bail!("--peer-storage takes 1 or 0 (got {v:?})"),
            },
        })
    }
}

const USAGE: &str = "usage: crm-load --target ours|automerge --url <server> [--clients 100] [--team 10] \
[--interval-ms 1000] [--seconds 10] [--drain-ms 5000] [--timeout-s 180] [--pid <server pid>] \
[--connect-concurrency 50] [--threads 2] [--peer-storage 1|0 (automerge)]";

/// Where the run is; clients watch it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Phase {
    /// connecting and syncing the team documents
    Setup,
    /// editing: the edit schedule starts at this instant
    Run(Instant),
    /// the drain is over: close
    Stop,
}

/// One team: `size` clients sharing one document.
pub struct Team {
    pub index: usize,
    /// members that are connected, synced and still up
    pub live: AtomicU32,
    /// set once the first member has put the document on the server; false forever if it failed
    pub doc_ready: watch::Sender<Option<bool>>,
}

impl Team {
    fn new(index: usize) -> Team {
        Team { index, live: AtomicU32::new(0), doc_ready: watch::Sender::new(None) }
    }

    /// Waits until the team's first member has put the document on the server.
    pub async fn wait_doc(&self) -> Result<()> {
        let mut rx = self.doc_ready.subscribe();
        let ok = *rx.wait_for(|v| v.is_some()).await.map_err(|_| anyhow!("team setup abandoned"))?;
        if ok == Some(true) {
            Ok(())
        } else {
            bail!("the team's first member failed to put the document on the server")
        }
    }
}

/// Everything the client tasks share.
pub struct Ctx {
    pub opts: Opts,
    pub tracker: Tracker,
    pub connecting: Semaphore,
    pub phase: watch::Sender<Phase>,
    ready: AtomicUsize,
    failed: AtomicUsize,
    settled: Notify,
    errors: Mutex<Vec<String>>,
    error_count: AtomicU64,
    retries: Mutex<Vec<String>>,
    retry_count: AtomicU64,
    /// WebSocket handshake (TCP connect + HTTP upgrade), microseconds
    pub handshake_us: Mutex<Vec<u64>>,
    /// handshake + join + first sync, until the client holds the team's document
    pub ready_us: Mutex<Vec<u64>>,
    /// our relay: from writing a chunk until the relay's ack covers it, microseconds
    pub ack_us: Mutex<Vec<u64>>,
    /// how late each edit was started against its schedule (a busy load generator shows here;
    /// tokio's timer adds up to 1 ms)
    pub send_lag_us: Mutex<Vec<u64>>,
    /// making an edit (the Automerge change, sealing), before it is sent
    pub edit_us: Mutex<Vec<u64>>,
    /// edits the protocol had no message for at once (Automerge sync: waiting for the server)
    pub deferred: AtomicU64,
    pub frames_sent: AtomicU64,
    pub bytes_sent: AtomicU64,
    pub frames_received: AtomicU64,
    pub bytes_received: AtomicU64,
    /// set when the run is being torn down: errors after this are not counted
    closing: AtomicBool,
}

impl Ctx {
    pub fn error(&self, what: String) {
        if self.closing.load(Ordering::SeqCst) {
            return;
        }
        self.error_count.fetch_add(1, Ordering::SeqCst);
        let mut e = self.errors.lock().unwrap_or_else(|p| p.into_inner());
        if e.len() < ERROR_SAMPLES {
            e.push(what);
        }
    }

    fn retry(&self, what: String) {
        self.retry_count.fetch_add(1, Ordering::SeqCst);
        let mut r = self.retries.lock().unwrap_or_else(|p| p.into_inner());
        if r.len() < ERROR_SAMPLES {
            r.push(what);
        }
    }

    fn settle(&self, ok: bool) {
        if ok {
            self.ready.fetch_add(1, Ordering::SeqCst);
        } else {
            self.failed.fetch_add(1, Ordering::SeqCst);
        }
        self.settled.notify_waiters();
    }

    pub fn push_us(v: &Mutex<Vec<u64>>, d: Duration) {
        v.lock().unwrap_or_else(|p| p.into_inner()).push(d.as_micros() as u64);
    }

    /// Sends one frame, counting it.
    pub async fn send(&self, ws: &mut Ws, msg: WsMessage) -> Result<()> {
        let n = match &msg {
            WsMessage::Binary(b) => b.len(),
            _ => 0,
        };
        ws.send(msg).await.context("writing to the server")?;
        self.frames_sent.fetch_add(1, Ordering::Relaxed);
        self.bytes_sent.fetch_add(n as u64, Ordering::Relaxed);
        Ok(())
    }

    fn received(&self, n: usize) {
        self.frames_received.fetch_add(1, Ordering::Relaxed);
        self.bytes_received.fetch_add(n as u64, Ordering::Relaxed);
    }

    /// The next binary frame during setup (pings are answered by tungstenite), within
    /// [`SETUP_STEP`].
    pub async fn recv_setup(&self, ws: &mut Ws) -> Result<Vec<u8>> {
        let deadline = tokio::time::Instant::now() + SETUP_STEP;
        loop {
            let frame = tokio::time::timeout_at(deadline, ws.next())
                .await
                .map_err(|_| anyhow!("no reply from the server within {} s during setup", SETUP_STEP.as_secs()))?;
            match frame {
                None => bail!("the server closed the connection during setup"),
                Some(Err(e)) => bail!("reading from the server during setup: {e}"),
                Some(Ok(WsMessage::Binary(b))) => {
                    self.received(b.len());
                    return Ok(b.to_vec());
                }
                Some(Ok(WsMessage::Close(c))) => bail!("the server closed the connection during setup: {c:?}"),
                Some(Ok(WsMessage::Text(t))) => bail!("the server sent a text frame: {}", truncate(&t, 200)),
                Some(Ok(_)) => {}
            }
        }
    }
}

fn truncate(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// The protocol-specific half of a client once it is set up.
pub trait Proto: Send {
    /// Makes edit number `n` and returns its key and the frames that carry it (none when the
    /// protocol sends it later).
    fn edit(&mut self, n: u64) -> Result<(EditKey, Vec<WsMessage>)>;
    /// Handles one binary frame from the server: reports what it delivered to the tracker and
    /// returns the frames to send in answer.
    fn incoming(&mut self, ctx: &Ctx, frame: &[u8]) -> Result<Vec<WsMessage>>;
}

/// The edit loop of one client, from the end of its setup until the run stops. Writes go
/// through a queue to a writer beside the loop, as a browser's `WebSocket.send` buffers: an
/// edit is made on schedule even when the server reads slowly (open loop), and the frames
/// from the server are read meanwhile. Closes the socket at the end.
pub async fn edit_loop<P: Proto>(ctx: &Ctx, team: &Team, global: usize, ws: Ws, mut proto: P) -> Result<()> {
    let (mut sink, mut stream) = ws.split();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<WsMessage>();
    let writer = async {
        while let Some(msg) = rx.recv().await {
            let n = if let WsMessage::Binary(b) = &msg { b.len() } else { 0 };
            sink.send(msg).await.context("writing to the server")?;
            ctx.frames_sent.fetch_add(1, Ordering::Relaxed);
            ctx.bytes_sent.fetch_add(n as u64, Ordering::Relaxed);
        }
        // the loop is over and everything queued is written: close, briefly
        let _ = tokio::time::timeout(Duration::from_secs(2), sink.close()).await;
        Ok::<(), anyhow::Error>(())
    };
    let reader = async move {
        let tx = tx;
        let o = &ctx.opts;
        let offset = o.interval.mul_f64(global as f64 / o.clients as f64);
        let window = Duration::from_secs_f64(o.seconds);
        let mut phase_rx = ctx.phase.subscribe();
        let mut n: u64 = 0;
        let mut next: Option<Instant> = None;
        let mut scheduled = false;
        let send = |frames: Vec<WsMessage>| -> Result<()> {
            for f in frames {
                tx.send(f).map_err(|_| anyhow!("the writer has stopped"))?;
            }
            Ok(())
        };
        loop {
            let phase = *phase_rx.borrow_and_update();
            match phase {
                Phase::Stop => return Ok(()),
                Phase::Run(t0) if !scheduled => {
                    scheduled = true;
                    next = Some(t0 + offset).filter(|_| offset < window);
                }
                _ => {}
            }
            let sleep_to = next.map(tokio::time::Instant::from_std);
            tokio::select! {
                changed = phase_rx.changed() => {
                    if changed.is_err() {
                        return Ok(());
                    }
                }
                _ = async { tokio::time::sleep_until(sleep_to.unwrap()).await }, if sleep_to.is_some() => {
                    let due = next.take().expect("scheduled");
                    let Phase::Run(t0) = phase else { unreachable!("edits are scheduled only while running") };
                    let woke = Instant::now();
                    let (key, frames) = proto.edit(n)?;
                    let now = Instant::now();
                    Ctx::push_us(&ctx.send_lag_us, woke.saturating_duration_since(due));
                    Ctx::push_us(&ctx.edit_us, now - woke);
                    let receivers = team.live.load(Ordering::SeqCst).saturating_sub(1);
                    ctx.tracker.sent(key, receivers, now);
                    if frames.is_empty() {
                        ctx.deferred.fetch_add(1, Ordering::Relaxed);
                    }
                    send(frames)?;
                    n += 1;
                    let at = offset + o.interval * n as u32;
                    next = Some(t0 + at).filter(|_| at < window);
                }
                frame = stream.next() => match frame {
                    None => bail!("the server closed the connection"),
                    Some(Err(e)) => bail!("reading from the server: {e}"),
                    Some(Ok(WsMessage::Binary(b))) => {
                        ctx.received(b.len());
                        send(proto.incoming(ctx, &b)?)?;
                    }
                    Some(Ok(WsMessage::Close(c))) => bail!("the server closed the connection: {c:?}"),
                    Some(Ok(WsMessage::Text(t))) => bail!("the server sent a text frame: {}", truncate(&t, 200)),
                    Some(Ok(_)) => {}
                }
            }
        }
    };
    tokio::try_join!(reader, writer).map(|_| ())
}

/// Runs one client to the end, accounting for its setup and its failure. A client whose
/// setup fails tries again (after a second, at most [`SETUP_RETRIES`] times), as the app and
/// automerge-repo's WebSocket client reconnect; the retries are reported. A failure once it
/// is set up ends it: its missing deliveries show in the report.
async fn client(ctx: Arc<Ctx>, team: Arc<Team>, shared: Arc<TeamData>, member: usize, global: usize) {
    let mut readied = false;
    let started = Instant::now();
    let mut attempt = 0;
    loop {
        // the first member creates the document, unless an earlier attempt already put it there
        let creator = member == 0 && team.doc_ready.borrow().is_none();
        let result = match &*shared {
            TeamData::Ours(t) => ours::client(&ctx, &team, t, creator, global, &mut readied).await,
            TeamData::Automerge(t) => am::client(&ctx, &team, t, creator, global, &mut readied).await,
        };
        let Err(e) = result else { return };
        let at = started.elapsed().as_secs_f64();
        let what = format!("team {} member {member}, {at:.1} s after it started: {e:#}", team.index);
        if !readied && attempt < SETUP_RETRIES && *ctx.phase.borrow() == Phase::Setup {
            attempt += 1;
            ctx.retry(what);
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        }
        ctx.error(what);
        if readied {
            team.live.fetch_sub(1, Ordering::SeqCst);
        } else {
            ctx.settle(false);
        }
        if member == 0 {
            team.doc_ready.send_if_modified(|v| {
                if v.is_none() {
                    *v = Some(false);
                    true
                } else {
                    false
                }
            });
        }
        return;
    }
}

/// Called by a client once it is connected and holds the team's document.
pub fn mark_ready(ctx: &Ctx, team: &Team, started: Instant, readied: &mut bool) {
    Ctx::push_us(&ctx.ready_us, started.elapsed());
    team.live.fetch_add(1, Ordering::SeqCst);
    *readied = true;
    ctx.settle(true);
}

/// What a team's clients share besides [`Team`].
pub enum TeamData {
    Ours(ours::TeamKeys),
    Automerge(am::TeamDoc),
}

fn main() {
    let opts = match Opts::parse(std::env::args().skip(1)) {
        Ok(o) => o,
        Err(e) => {
            println!("{}", json!({ "error": format!("{e:#}") }));
            std::process::exit(2);
        }
    };
    let nofile = procfs::raise_nofile(opts.clients as u64 * 2 + 256);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(opts.threads).enable_all().build();
    let report = match runtime {
        Ok(rt) => rt.block_on(run(opts.clone(), nofile)),
        Err(e) => json!({ "error": format!("cannot start the async runtime: {e}") }),
    };
    println!("{report}");
    // tasks still running (a hung socket) must not keep the process alive
    std::process::exit(if report.get("error").is_some() { 1 } else { 0 });
}

async fn run(opts: Opts, nofile: u64) -> Value {
    let ctx = Arc::new(Ctx {
        tracker: Tracker::default(),
        connecting: Semaphore::new(opts.connect_concurrency),
        phase: watch::Sender::new(Phase::Setup),
        ready: AtomicUsize::new(0),
        failed: AtomicUsize::new(0),
        settled: Notify::new(),
        errors: Mutex::new(Vec::new()),
        error_count: AtomicU64::new(0),
        retries: Mutex::new(Vec::new()),
        retry_count: AtomicU64::new(0),
        handshake_us: Mutex::new(Vec::new()),
        ready_us: Mutex::new(Vec::new()),
        ack_us: Mutex::new(Vec::new()),
        send_lag_us: Mutex::new(Vec::new()),
        edit_us: Mutex::new(Vec::new()),
        deferred: AtomicU64::new(0),
        frames_sent: AtomicU64::new(0),
        bytes_sent: AtomicU64::new(0),
        frames_received: AtomicU64::new(0),
        bytes_received: AtomicU64::new(0),
        closing: AtomicBool::new(false),
        opts: opts.clone(),
    });
    let mut marks = Marks { loadavg_start: procfs::loadavg(), ..Marks::default() };
    let sampler = opts.pid.map(Sampler::start);
    marks.server_start = opts.pid.and_then(procfs::sample);
    let outcome = tokio::time::timeout(opts.timeout, drive(&ctx, &mut marks)).await;
    ctx.closing.store(true, Ordering::SeqCst);
    ctx.phase.send_replace(Phase::Stop);
    let error = match outcome {
        Ok(Ok(())) => None,
        Ok(Err(e)) => Some(format!("{e:#}")),
        Err(_) => Some(format!("the run did not finish within --timeout-s {}", opts.timeout.as_secs_f64())),
    };
    marks.server_end = opts.pid.and_then(procfs::sample);
    marks.loadavg_end = procfs::loadavg();
    let peak = sampler.map(|s| s.stop());
    report(&ctx, &marks, peak, error, nofile)
}

/// Instants and samples taken along the run.
#[derive(Default)]
struct Marks {
    setup_start: Option<Instant>,
    setup_end: Option<Instant>,
    run_start: Option<Instant>,
    run_end: Option<Instant>,
    drain_end: Option<Instant>,
    server_start: Option<procfs::Sample>,
    server_setup: Option<procfs::Sample>,
    server_run_end: Option<procfs::Sample>,
    server_drained: Option<procfs::Sample>,
    server_end: Option<procfs::Sample>,
    own_cpu_run_start: Duration,
    loadavg_start: Option<f64>,
    loadavg_end: Option<f64>,
    pressure_run_start: Option<Duration>,
    pressure_run_end: Option<Duration>,
    own_cpu_run_end: Duration,
    traffic_at_run_start: [u64; 4],
    traffic_at_run_end: [u64; 4],
}

fn traffic(ctx: &Ctx) -> [u64; 4] {
    [
        ctx.frames_sent.load(Ordering::Relaxed),
        ctx.bytes_sent.load(Ordering::Relaxed),
        ctx.frames_received.load(Ordering::Relaxed),
        ctx.bytes_received.load(Ordering::Relaxed),
    ]
}

/// Setup, edit window, drain.
async fn drive(ctx: &Arc<Ctx>, marks: &mut Marks) -> Result<()> {
    let o = &ctx.opts;
    let teams = o.clients / o.team_size;
    marks.setup_start = Some(Instant::now());
    let mut tasks = Vec::with_capacity(o.clients);
    for t in 0..teams {
        let team = Arc::new(Team::new(t));
        let data = Arc::new(match o.target {
            Target::Ours => TeamData::Ours(ours::TeamKeys::new(&o.url)?),
            Target::Automerge => TeamData::Automerge(am::TeamDoc::new(&o.url, t)?),
        });
        for m in 0..o.team_size {
            let global = t * o.team_size + m;
            tasks.push(tokio::spawn(client(ctx.clone(), team.clone(), data.clone(), m, global)));
        }
    }
    // every client is ready or has failed
    loop {
        let settled = ctx.settled.notified();
        let (ready, failed) = (ctx.ready.load(Ordering::SeqCst), ctx.failed.load(Ordering::SeqCst));
        if ready + failed >= o.clients {
            break;
        }
        settled.await;
    }
    marks.setup_end = Some(Instant::now());
    marks.server_setup = o.pid.and_then(procfs::sample);
    let ready = ctx.ready.load(Ordering::SeqCst);
    if ready < 2 {
        bail!("only {ready} of {} clients connected and synced", o.clients);
    }

    // the edit window
    let t0 = Instant::now() + Duration::from_millis(100);
    marks.run_start = Some(t0);
    ctx.phase.send_replace(Phase::Run(t0));
    tokio::time::sleep_until(tokio::time::Instant::from_std(t0)).await;
    marks.own_cpu_run_start = procfs::own_cpu();
    marks.pressure_run_start = procfs::cpu_pressure();
    marks.traffic_at_run_start = traffic(ctx);
    let server_at_t0 = o.pid.and_then(procfs::sample);
    tokio::time::sleep_until(tokio::time::Instant::from_std(t0 + Duration::from_secs_f64(o.seconds))).await;
    marks.run_end = Some(Instant::now());
    marks.own_cpu_run_end = procfs::own_cpu();
    marks.pressure_run_end = procfs::cpu_pressure();
    marks.traffic_at_run_end = traffic(ctx);
    marks.server_run_end = o.pid.and_then(procfs::sample);
    // CPU of the server over the window is from the sample at t0
    if let (Some(a), Some(b)) = (server_at_t0, marks.server_run_end.as_mut()) {
        b.cpu = b.cpu.saturating_sub(a.cpu);
    }

    // drain: until every delivery is in, or the drain time is up
    let drain_until = Instant::now() + o.drain;
    while ctx.tracker.outstanding() > 0 && Instant::now() < drain_until {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    marks.drain_end = Some(Instant::now());
    marks.server_drained = o.pid.and_then(procfs::sample);
    ctx.closing.store(true, Ordering::SeqCst);
    ctx.phase.send_replace(Phase::Stop);
    // clients close their sockets; those that do not within 5 s are dropped with the process
    let _ = tokio::time::timeout(Duration::from_secs(5), futures_util::future::join_all(tasks)).await;
    Ok(())
}

/// Samples the server's memory every 50 ms for the peak resident size seen during the run.
struct Sampler {
    stop: Arc<AtomicBool>,
    peak: Arc<AtomicU64>,
}

impl Sampler {
    fn start(pid: u32) -> Sampler {
        let stop = Arc::new(AtomicBool::new(false));
        let peak = Arc::new(AtomicU64::new(0));
        let (s, p) = (stop.clone(), peak.clone());
        std::thread::spawn(move || {
            while !s.load(Ordering::SeqCst) {
                if let Some(x) = procfs::sample(pid) {
                    p.fetch_max(x.rss, Ordering::SeqCst);
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        });
        Sampler { stop, peak }
    }

    fn stop(self) -> u64 {
        self.stop.store(true, Ordering::SeqCst);
        self.peak.load(Ordering::SeqCst)
    }
}

fn ms(us: u64) -> f64 {
    (us as f64 / 1000.0 * 100.0).round() / 100.0
}

fn dist_ms(v: &Mutex<Vec<u64>>) -> Value {
    let mut v = v.lock().unwrap_or_else(|p| p.into_inner()).clone();
    v.sort_unstable();
    dist_of(&v)
}

fn dist_of(sorted: &[u64]) -> Value {
    if sorted.is_empty() {
        return json!({ "count": 0 });
    }
    let p = |x| percentile(sorted, x).map(ms);
    let mean = sorted.iter().sum::<u64>() as f64 / sorted.len() as f64;
    json!({
        "count": sorted.len(),
        "p50": p(50.0), "p95": p(95.0), "p99": p(99.0), "max": ms(*sorted.last().unwrap()),
        "mean": ms(mean.round() as u64),
    })
}

fn sample_json(s: Option<procfs::Sample>) -> Value {
    match s {
        Some(s) => json!({ "rss": s.rss, "hwm": s.hwm, "cpu_s": (s.cpu.as_secs_f64() * 1000.0).round() / 1000.0 }),
        None => Value::Null,
    }
}

fn secs(a: Option<Instant>, b: Option<Instant>) -> Option<f64> {
    Some(b?.saturating_duration_since(a?).as_secs_f64())
}

fn round(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}

fn report(ctx: &Ctx, m: &Marks, peak_rss: Option<u64>, error: Option<String>, nofile: u64) -> Value {
    let o = &ctx.opts;
    let t = ctx.tracker.totals();
    let mut lat = t.latencies_us.clone();
    lat.sort_unstable();
    let missing = t.deliveries_expected - t.deliveries;
    // from the first edit sent to the last delivery (or the last send, if nothing arrived)
    let span = t.first_send.and_then(|f| Some(t.last_delivery.max(t.last_send)?.saturating_duration_since(f).as_secs_f64()));
    let per_s = |n: u64| span.filter(|s| *s > 0.0).map(|s| round(n as f64 / s, 1));
    let window = secs(m.run_start, m.run_end);
    let run_cpu = |s: Option<procfs::Sample>| s.map(|s| s.cpu.as_secs_f64());
    let server_cpu_run = run_cpu(m.server_run_end);
    let own_cpu_run = (m.own_cpu_run_end.saturating_sub(m.own_cpu_run_start)).as_secs_f64();
    let conns = ctx.ready.load(Ordering::SeqCst).max(1) as f64;
    let teams = (o.clients / o.team_size) as f64;
    let d = |i: usize| m.traffic_at_run_end[i].saturating_sub(m.traffic_at_run_start[i]) as f64;
    let rate = |x: f64, per: f64| window.filter(|w| *w > 0.0).map(|w| round(x / w / per, 1));
    let frames_per_conn = rate(d(0), conns);
    let bytes_per_conn = rate(d(1), conns);
    let bytes_per_workspace = rate(d(1), teams);
    let errors = ctx.errors.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let mut out = json!({
        "target": match o.target { Target::Ours => "ours", Target::Automerge => "automerge" },
        "url": o.url,
        "clients": o.clients,
        "team_size": o.team_size,
        "teams": o.clients / o.team_size,
        "interval_ms": o.interval.as_secs_f64() * 1e3,
        "seconds": o.seconds,
        "drain_ms_max": o.drain.as_millis() as u64,
        "threads": o.threads,
        "nofile_limit": nofile,
        "connect": {
            "ready": ctx.ready.load(Ordering::SeqCst),
            "failed": ctx.failed.load(Ordering::SeqCst),
            "all_ready_ms": secs(m.setup_start, m.setup_end).map(|s| round(s * 1e3, 1)),
            "concurrency": o.connect_concurrency,
            // setups that failed and were tried again
            "retries": ctx.retry_count.load(Ordering::SeqCst),
            "retry_samples": ctx.retries.lock().unwrap_or_else(|p| p.into_inner()).clone(),
            "handshake_ms": dist_ms(&ctx.handshake_us),
            "ready_ms": dist_ms(&ctx.ready_us),
        },
        "offered_edits_per_s": round(o.clients as f64 / o.interval.as_secs_f64(), 1),
        "edits_sent": t.edits_sent,
        "edits_completed": t.completed,
        "achieved_edits_per_s": per_s(t.completed),
        "deliveries_expected": t.deliveries_expected,
        "deliveries": t.deliveries,
        "deliveries_missing": missing,
        "deliveries_unexpected": t.unexpected,
        "deliveries_per_s": per_s(t.deliveries),
        "span_s": span.map(|s| round(s, 3)),
        "drain_ms": secs(m.run_end, m.drain_end).map(|s| round(s * 1e3, 1)),
        "fanout_ms": dist_of(&lat),
        // counting deliveries that never arrived as slower than any that did
        "fanout_ms_p99_censored": percentile_censored(&lat, missing, 99.0).map(ms),
        "send_lag_ms": dist_ms(&ctx.send_lag_us),
        "edit_make_ms": dist_ms(&ctx.edit_us),
        "deferred_edits": ctx.deferred.load(Ordering::Relaxed),
        "errors": ctx.error_count.load(Ordering::SeqCst),
        "error_samples": errors,
        "traffic_during_window": {
            "frames_sent_per_conn_per_s": frames_per_conn,
            "bytes_sent_per_conn_per_s": bytes_per_conn,
            "bytes_sent_per_team_per_s": bytes_per_workspace,
            "frames_received_per_conn_per_s": rate(d(2), conns),
            "bytes_received_per_conn_per_s": rate(d(3), conns),
        },
        // how busy the machine was: other work on it shows here (so does this run's own load)
        "machine": {
            "loadavg_1m_before": m.loadavg_start,
            "loadavg_1m_after": m.loadavg_end,
            // share of the window in which some runnable task waited for a CPU
            "cpu_pressure_pct_window": m.pressure_run_start.zip(m.pressure_run_end).zip(window)
                .map(|((a, b), w)| round(b.saturating_sub(a).as_secs_f64() / w * 100.0, 1)),
            "nproc": std::thread::available_parallelism().map(|n| n.get()).ok(),
        },
        "loadgen": {
            "cpu_s_window": round(own_cpu_run, 3),
            "cpu_pct_window": window.map(|w| round(own_cpu_run / w * 100.0, 1)),
        },
    });
    if o.target == Target::Automerge {
        out["peer_storage"] = json!(o.peer_storage);
    }
    if o.target == Target::Ours {
        let ack = dist_ms(&ctx.ack_us);
        out["ack_ms"] = ack;
        out["relay_limits"] = ours::limits_note(frames_per_conn, bytes_per_conn, bytes_per_workspace);
    }
    if let Some(pid) = o.pid {
        out["server"] = json!({
            "pid": pid,
            "at_start": sample_json(m.server_start),
            "after_setup": sample_json(m.server_setup),
            "after_drain": sample_json(m.server_drained),
            "at_end": sample_json(m.server_end),
            // the highest VmRSS sampled every 50 ms during the run
            "rss_peak_sampled": peak_rss,
            // the peak since the server started (a fresh one per run): VmHWM at the end, or a
            // higher sample (the kernel updates VmHWM lazily, so it can lag behind VmRSS)
            "rss_peak": m.server_end.or(m.server_drained).map(|s| s.hwm).max(peak_rss),
            "cpu_s_window": server_cpu_run.map(|c| round(c, 3)),
            "cpu_pct_window": server_cpu_run.zip(window).map(|(c, w)| round(c / w * 100.0, 1)),
        });
    }
    if let Some(e) = error {
        out["error"] = json!(e);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> impl Iterator<Item = String> + '_ {
        s.split_whitespace().map(String::from)
    }

    #[test]
    fn options_are_checked() {
        let o = Opts::parse(args("--target ours --url http://127.0.0.1:1 --clients 20 --interval-ms 500")).unwrap();
        assert_eq!((o.target, o.clients, o.team_size, o.interval), (Target::Ours, 20, 10, Duration::from_millis(500)));
        assert_eq!((o.seconds, o.drain, o.pid), (10.0, Duration::from_secs(5), None));
        assert!(Opts::parse(args("--target x --url u")).is_err());
        assert!(Opts::parse(args("--target ours --url u --clients 15")).is_err(), "not a multiple of the team");
        assert!(Opts::parse(args("--target ours --url u --bogus 1")).is_err());
        assert!(Opts::parse(args("--target ours")).is_err());
    }
}
