//! `crm-bench`: the native half of `cargo xtask bench` (bench/README.md). It talks to a
//! running relay as a device does: `crm_core::sync::Session` decides what to send and when the
//! exchange is over, this file only moves frames, over a blocking WebSocket whose socket counts
//! every byte that crosses it.
//!
//! - `seed --url <relay> --secret <hex> --first <n> --count <n> [--saves <file>]`: pushes
//!   `count` realistic customers (`generate.rs`), one sealed chunk each
//!   (`CustomerDoc::create_from`, then `WorkspaceKeys::seal`), into the workspace of `secret`, for a browser to
//!   sync in. With `--saves`, it also writes each customer's Automerge document (the `save()`
//!   of the very document whose change was pushed) to `file` for the comparator
//!   (bench/comparator): one record per customer, in order, a 4-byte little-endian length and
//!   the bytes. Without `--url` it only writes that file. Its JSON names a query that finds
//!   one customer alone (`probe_query`, `probe_name`) and the `search_queries` the bench
//!   types (`{query, kind: latin|chinese|pinyin, matches}`, matches counted by our search over
//!   customers 1 to first + count - 1).
//! - `blank --name <name> --out <file>`: writes the Automerge save of a new customer that has
//!   only a name (`CustomerDoc::create`), the start of the comparator's storage figure (the
//!   same customer crates/core/examples/compaction_bytes.rs edits 10,000 times).
//! - `reconnect --url <relay> --devices <n> --customers <n> --chunks-per-customer <n>
//!   [--changed-percent <p>]`: fills a fresh workspace with that many chunks written by that
//!   many devices, then reconnects a device that already holds all of them and counts what
//!   "nothing new" costs. With `--changed-percent`, three times: teammates edit that share of
//!   the customers and the device reconnects to catch up (`changed_runs`).
//!
//! Each prints one JSON object on stdout; `cargo xtask bench` reads it through bench/bench.mjs.

use anyhow::{anyhow, bail, Context, Result};
use crm_core::customer::session_actor;
use crm_core::replica::Replica;
use crm_core::sync::{Effect, Message, Session};
use crm_core::{Chunk, CustomerDoc, DeviceId, DocId, Edit, Field, Kind, SealedChunk, VersionVector, WorkspaceKeys, WorkspaceSecret};
mod generate;

use crm_core::search::SearchIndex;
use std::collections::HashMap;
use std::io::{self, BufWriter, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};
use tungstenite::client::IntoClientRequest;
use tungstenite::http::HeaderValue;
use tungstenite::{Message as WsMessage, WebSocket};

/// How long any single read from the relay may take.
const STEP: Duration = Duration::from_secs(60);
/// After the relay's reply, how long to keep listening for anything else it sends.
const QUIET: Duration = Duration::from_millis(300);

fn main() {
    if let Err(e) = run() {
        eprintln!("crm-bench: {e:#}");
        std::process::exit(1);
    }
}

fn run() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let command = args.next().unwrap_or_default();
    let mut opts = HashMap::new();
    while let Some(key) = args.next() {
        let key = key.strip_prefix("--").ok_or_else(|| anyhow!("expected --option, got {key:?}"))?.to_string();
        let value = args.next().ok_or_else(|| anyhow!("--{key} needs a value"))?;
        opts.insert(key, value);
    }
    let text = |k: &str| opts.get(k).cloned().ok_or_else(|| anyhow!("missing --{k}"));
    let number = |k: &str| -> Result<u64> { text(k)?.parse().with_context(|| format!("--{k} is not a number")) };
    match command.as_str() {
        "seed" => seed(opts.get("url").map(String::as_str), &text("secret")?, number("first")?, number("count")?, opts.get("saves").map(String::as_str)),
        "blank" => blank(&text("name")?, &text("out")?),
        "reconnect" => reconnect(
            &text("url")?,
            number("devices")?,
            number("customers")?,
            number("chunks-per-customer")?,
            opts.get("changed-percent").map(|p| p.parse::<f64>()).transpose().context("--changed-percent is not a number")?.unwrap_or(0.0),
        ),
        _ => bail!("usage: crm-bench seed|blank|reconnect ... (see bench/README.md)"),
    }
}

/// A TCP stream that counts the bytes read from and written to it.
struct Counted {
    tcp: TcpStream,
    read: u64,
    written: u64,
}

impl Read for Counted {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.tcp.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

impl Write for Counted {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.tcp.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.tcp.flush()
    }
}

/// Bytes on the socket, both ways.
#[derive(Clone, Copy, Default)]
struct Bytes {
    sent: u64,
    received: u64,
}

/// What one catch-up exchange took.
#[derive(Default)]
struct Exchange {
    /// `Have` requests the client had to send (each waits for the relay's answer)
    round_trips: u64,
    frames_sent: u64,
    frames_received: u64,
    chunks_received: u64,
}

/// One authenticated sync connection.
struct Client {
    ws: WebSocket<Counted>,
    session: Session,
}

impl Client {
    /// Opens `GET /sync/<workspace>` on the relay at `base` (its http:// URL) with the
    /// workspace's token. Returns the client and the bytes the upgrade handshake took.
    fn connect(base: &str, keys: &WorkspaceKeys) -> Result<(Client, Bytes)> {
        let host = base
            .trim_end_matches('/')
            .strip_prefix("http://")
            .ok_or_else(|| anyhow!("relay URL {base:?} does not start with http://"))?;
        let tcp = TcpStream::connect(host).with_context(|| format!("connecting to {host}"))?;
        tcp.set_nodelay(true)?;
        tcp.set_read_timeout(Some(STEP))?;
        let mut request = format!("ws://{host}/sync/{}", keys.workspace).into_client_request()?;
        let protocols = format!("crm-sync.v1, auth.{}", keys.token.to_hex());
        request.headers_mut().insert("Sec-WebSocket-Protocol", HeaderValue::from_str(&protocols)?);
        let (ws, _response) = tungstenite::client(request, Counted { tcp, read: 0, written: 0 })
            .map_err(|e| anyhow!("websocket handshake with {host} failed: {e}"))?;
        let handshake = Bytes { sent: ws.get_ref().written, received: ws.get_ref().read };
        Ok((Client { ws, session: Session::new() }, handshake))
    }

    fn bytes(&self) -> Bytes {
        Bytes { sent: self.ws.get_ref().written, received: self.ws.get_ref().read }
    }

    fn send(&mut self, msg: &Message) -> Result<()> {
        self.ws.send(WsMessage::Binary(msg.encode().into())).context("sending a frame to the relay")
    }

    /// The next sync message (pings are answered by tungstenite itself).
    fn recv(&mut self) -> Result<Message> {
        loop {
            match self.ws.read().context("reading from the relay")? {
                WsMessage::Binary(b) => return Message::decode(&b).context("the relay sent an undecodable frame"),
                WsMessage::Ping(_) | WsMessage::Pong(_) | WsMessage::Frame(_) => continue,
                other => bail!("the relay sent {other:?} instead of a sync message"),
            }
        }
    }

    /// Says it holds `mine`, then does what the session says until it is caught up: the
    /// relay's `Have` reply, after any chunks `mine` lacks.
    fn catch_up(&mut self, mine: &VersionVector) -> Result<Exchange> {
        let mut x = Exchange::default();
        let hello = self.session.have(mine);
        self.send(&hello)?;
        x.round_trips = 1;
        x.frames_sent = 1;
        loop {
            let msg = self.recv()?;
            x.frames_received += 1;
            for effect in self.session.receive(msg, mine) {
                match effect {
                    Effect::Send(m) => {
                        if matches!(m, Message::Have { reply: true, .. }) {
                            x.round_trips += 1;
                        }
                        self.send(&m)?;
                        x.frames_sent += 1;
                    }
                    Effect::Store(chunks) => {
                        // nothing is kept: acknowledging is all the relay waits for
                        x.chunks_received += chunks.len() as u64;
                        let ack = self.session.stored(mine);
                        self.send(&ack)?;
                        x.frames_sent += 1;
                    }
                    Effect::CaughtUp => return Ok(x),
                    Effect::Closed { reason } => bail!("the relay closed the connection: {reason}"),
                    // a bench client holds no chunk the relay lacks
                    Effect::SendMissing { .. } | Effect::PeerHas(_) | Effect::Ephemeral(_) => {}
                }
            }
        }
    }

    /// Pushes chunks in frames of the session's size and waits for each acknowledgement.
    fn push(&mut self, chunks: Vec<SealedChunk>) -> Result<VersionVector> {
        let mut acked = VersionVector::new();
        for frame in self.session.chunks_for_peer(chunks) {
            self.send(&frame)?;
            loop {
                match self.recv()? {
                    Message::Ack { vector } => {
                        acked = vector;
                        break;
                    }
                    Message::Error { reason } => bail!("the relay refused a push: {reason}"),
                    // chunks forwarded from other connections, or a re-sync
                    _ => {}
                }
            }
        }
        Ok(acked)
    }

    /// Frames that arrive within `quiet` (the socket's read timeout ends the wait).
    fn frames_within(&mut self, quiet: Duration) -> Result<u64> {
        self.ws.get_ref().tcp.set_read_timeout(Some(quiet))?;
        let deadline = Instant::now() + quiet;
        let mut frames = 0;
        while Instant::now() < deadline {
            match self.ws.read() {
                Ok(WsMessage::Binary(_)) => frames += 1,
                Ok(_) => {}
                Err(tungstenite::Error::Io(e)) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => break,
                Err(e) => return Err(e).context("listening for late frames"),
            }
        }
        self.ws.get_ref().tcp.set_read_timeout(Some(STEP))?;
        Ok(frames)
    }

    fn close(mut self) {
        let _ = self.ws.close(None);
        let _ = self.ws.get_ref().tcp.set_read_timeout(Some(Duration::from_secs(2)));
        while self.ws.read().is_ok() {}
    }
}

/// Names for the reconnect workspace, whose customers only need to exist.
const FIRST: [&str; 26] = [
    "Alder", "Birch", "Cedar", "Delta", "Ember", "Fjord", "Granite", "Harbor", "Iris", "Juniper", "Kestrel", "Lumen", "Maple",
    "Nimbus", "Orchid", "Pioneer", "Quartz", "Raven", "Summit", "Tidal", "Umber", "Vale", "Willow", "Xenon", "Yarrow", "Zephyr",
];
const SECOND: [&str; 16] = [
    "Trading", "Foods", "Logistics", "Labs", "Textiles", "Partners", "Studio", "Motors", "Energy", "Health", "Systems",
    "Outfitters", "Bakery", "Capital", "Freight", "Robotics",
];

fn customer_name(i: u64) -> String {
    format!("{} {} {i:05}", FIRST[i as usize % 26], SECOND[(i as usize / 26) % 16])
}

/// Totals of what the generated customers hold.
#[derive(Default)]
struct Made {
    contacts: usize,
    deals: usize,
    interactions: usize,
    orders: usize,
    save_bytes: usize,
}

/// Customer number `i` (generate.rs) as a new document: one chunk of `device`'s log at `seq`,
/// the document's `save()`, and its search fields indexed into `index`.
///
/// The customer is written the way an import writes one (`CustomerDoc::create_from`: one
/// change holding the whole record). Writing it as a create plus one edit per field, contact,
/// deal, interaction and order gives the same document and costs 25 ms a customer (each edit
/// reads the whole document back), 4 minutes for 10k.
fn customer_chunk(
    keys: &WorkspaceKeys,
    device: DeviceId,
    actor: &crm_core::automerge::ActorId,
    seq: u64,
    i: u64,
    index: &mut SearchIndex,
    made: &mut Made,
) -> Result<(SealedChunk, Vec<u8>)> {
    let id = DocId::random();
    let customer = generate::customer(i);
    let mut doc = CustomerDoc::create_from(id, actor.clone(), &customer);
    let data = doc.take_chunk().ok_or_else(|| anyhow!("a new customer has no changes"))?;
    let save = doc.save();
    // what the app indexes for search, from the record just written (as Summary::of does)
    let summary = crm_core::Summary::of(&id.to_string(), &customer, 0);
    index.upsert(&summary.id, &summary.search_fields());
    made.contacts += customer.contacts.len();
    made.deals += customer.deals.len();
    made.interactions += customer.interactions.len();
    made.orders += customer.orders.len();
    made.save_bytes += save.len();
    Ok((keys.seal(&Chunk { device, seq, doc: id, data }), save))
}

/// A JSON string literal.
fn json(s: &str) -> String {
    let mut out = String::from('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn seed(url: Option<&str>, secret: &str, first: u64, count: u64, saves: Option<&str>) -> Result<()> {
    let keys = WorkspaceSecret::from_hex(secret).map_err(|e| anyhow!("--secret: {e}"))?.keys();
    let started = Instant::now();
    let device = DeviceId::random();
    let actor = session_actor(device);
    let mut index = SearchIndex::new();
    let mut made = Made::default();
    let mut out = match saves {
        Some(path) => Some(BufWriter::new(std::fs::File::create(path).with_context(|| format!("creating {path}"))?)),
        None => None,
    };
    // the customers before `first` are in the workspace already (bench.mjs grows one
    // workspace through its sizes): the probe and the query counts cover them too
    for i in 1..first {
        let summary = crm_core::Summary::of(&format!("earlier-{i}"), &generate::customer(i), 0);
        index.upsert(&summary.id, &summary.search_fields());
    }
    let mut chunks = Vec::with_capacity(count as usize);
    for k in 0..count {
        let (chunk, save) = customer_chunk(&keys, device, &actor, k + 1, first + k, &mut index, &mut made)?;
        if let Some(out) = out.as_mut() {
            out.write_all(&(save.len() as u32).to_le_bytes())?;
            out.write_all(&save)?;
        }
        chunks.push(chunk);
    }
    if let Some(mut out) = out {
        out.flush().context("writing --saves")?;
    }
    // a customer in the middle of the range, to search for: its query must find it alone
    let probe = first + count / 2;
    let probe_query = generate::probe_query(probe);
    let probe_name = generate::customer(probe).name;
    let found = index.search(&probe_query, 10);
    if found.total != 1 {
        bail!("the probe query {probe_query:?} finds {} customers of 1-{}, not 1", found.total, first + count - 1);
    }
    // the queries the bench types, with how many of customers 1 to first + count - 1 each
    // finds in our search
    let queries: Vec<String> = generate::QUERIES
        .iter()
        .map(|(q, kind)| format!("{{\"query\":{},\"kind\":\"{kind}\",\"matches\":{}}}", json(q), index.search(q, 1).total))
        .collect();
    let made_ms = started.elapsed().as_secs_f64() * 1e3;
    let body_bytes: usize = chunks.iter().map(|c| c.body.len()).sum();
    // without --url, only the --saves file is wanted (the comparator alone)
    let pushed = match url {
        Some(url) => {
            let (mut client, _) = Client::connect(url, &keys)?;
            let acked = client.push(chunks)?;
            if acked.get(&device) != count {
                bail!("the relay acknowledged {} of {count} chunks", acked.get(&device));
            }
            let pushed = client.bytes();
            client.close();
            pushed
        }
        None => Bytes::default(),
    };
    println!(
        "{{\"customers\":{count},\"first\":{first},\"chunks\":{count},\"chunk_body_bytes\":{body_bytes},\"bytes_sent\":{},\"make_ms\":{made_ms:.1},\"total_ms\":{:.1},\"contacts\":{},\"deals\":{},\"interactions\":{},\"orders\":{},\"save_bytes\":{},\"saves\":{},\"probe_query\":{},\"probe_name\":{},\"search_queries\":[{}]}}",
        pushed.sent,
        started.elapsed().as_secs_f64() * 1e3,
        made.contacts,
        made.deals,
        made.interactions,
        made.orders,
        made.save_bytes,
        saves.map(json).unwrap_or_else(|| "null".into()),
        json(&probe_query),
        json(&probe_name),
        queries.join(","),
    );
    Ok(())
}

fn blank(name: &str, out: &str) -> Result<()> {
    let mut doc = CustomerDoc::create(DocId::random(), session_actor(DeviceId::random()), Kind::Company, name, crm_core::clock::now_ms());
    let save = doc.save();
    std::fs::write(out, &save).with_context(|| format!("writing {out}"))?;
    println!("{{\"name\":{},\"save_bytes\":{}}}", json(name), save.len());
    Ok(())
}

fn reconnect(url: &str, devices: u64, customers: u64, per_customer: u64, changed_percent: f64) -> Result<()> {
    let keys = WorkspaceSecret::generate().keys();
    let started = Instant::now();
    // the workspace: `devices` devices each create their share of the customers and edit each
    // one until it has `per_customer` chunks
    let mut replicas: Vec<Replica> = (0..devices).map(|_| Replica::device(DeviceId::random(), keys.clone())).collect();
    let mut chunks = Vec::new();
    let mut ids = Vec::new();
    for i in 0..customers {
        let replica = &mut replicas[(i % devices) as usize];
        let id = DocId::random();
        ids.push(id);
        chunks.push(replica.create(id, Kind::Company, &customer_name(i + 1)));
        for k in 1..per_customer {
            let phone = format!("+44 20 7946 {:04}", (i * 31 + k) % 10_000);
            chunks.extend(replica.edit(id, &[Edit::Set(Field::Phone, phone)])?);
        }
    }
    let total_chunks = chunks.len();
    let mut everything = VersionVector::new();
    for r in &replicas {
        everything.merge(r.vector());
    }
    let (mut writer, _) = Client::connect(url, &keys)?;
    let acked = writer.push(chunks)?;
    if acked != everything {
        bail!("the relay acknowledged {} devices' chunks, expected {devices}", acked.len());
    }
    writer.close();
    let filled = started.elapsed();

    // reconnect, three times, as a device that holds everything
    let mut runs = Vec::new();
    for _ in 0..3 {
        runs.push(measure_reconnect(url, &keys, &everything)?);
    }
    // then, three times: while it was away, its teammates changed `changed_percent` of the
    // customers (one new chunk each); it reconnects and catches up
    let changed = ((customers as f64) * changed_percent / 100.0).round() as u64;
    let mut changed_runs = Vec::new();
    if changed > 0 {
        for run in 0..3u64 {
            let mut news = Vec::new();
            for k in 0..changed {
                let i = (run * changed + k) * customers / (3 * changed).max(1) % customers;
                let replica = &mut replicas[(i % devices) as usize];
                let phone = format!("+44 20 7000 {:04}", (run * 1000 + k) % 10_000);
                news.extend(replica.edit(ids[i as usize], &[Edit::Set(Field::Phone, phone)])?);
            }
            let (mut writer, _) = Client::connect(url, &keys)?;
            writer.push(news)?;
            writer.close();
            changed_runs.push(measure_reconnect(url, &keys, &everything)?);
            for r in &replicas {
                everything.merge(r.vector());
            }
        }
    }
    println!(
        "{{\"devices\":{devices},\"customers\":{customers},\"chunks\":{total_chunks},\"fill_ms\":{:.0},\"quiet_ms\":{},\"runs\":[{}],\"changed_customers\":{changed},\"changed_runs\":[{}]}}",
        filled.as_secs_f64() * 1e3,
        QUIET.as_millis(),
        runs.join(","),
        changed_runs.join(",")
    );
    Ok(())
}

/// Connects as a device holding `held`, catches up, listens `QUIET` more, and says what it
/// cost (as JSON): bytes of the sync exchange both ways (the HTTP upgrade apart), round trips.
fn measure_reconnect(url: &str, keys: &WorkspaceKeys, held: &VersionVector) -> Result<String> {
    let (mut device, handshake) = Client::connect(url, keys)?;
    let t = Instant::now();
    let x = device.catch_up(held)?;
    let ms = t.elapsed().as_secs_f64() * 1e3;
    let late_frames = device.frames_within(QUIET)?;
    let b = device.bytes();
    device.close();
    Ok(format!(
        "{{\"bytes_sent\":{},\"bytes_received\":{},\"bytes\":{},\"handshake_bytes\":{},\"round_trips\":{},\"frames_sent\":{},\"frames_received\":{},\"chunks_received\":{},\"late_frames\":{late_frames},\"ms\":{ms:.2}}}",
        b.sent - handshake.sent,
        b.received - handshake.received,
        (b.sent - handshake.sent) + (b.received - handshake.received),
        handshake.sent + handshake.received,
        x.round_trips,
        x.frames_sent,
        x.frames_received,
        x.chunks_received,
    ))
}
