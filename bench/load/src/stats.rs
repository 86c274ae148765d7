//! What the run measures, shared by every client task: the edits in flight (keyed by what the
//! receivers can see of them: a chunk's (device, seq) on our relay, a change hash on the sync
//! server) with the instant each was sent, and the fan-out latencies of their deliveries. All
//! clients live in this one process, so one monotonic clock times both ends.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// An edit as its receivers identify it: device id and seq (our relay: the chunk header),
/// or the Automerge change hash (the sync server).
pub type EditKey = [u8; 32];

struct Pending {
    sent: Instant,
    /// receivers that have not applied it yet
    remaining: u32,
}

#[derive(Default)]
struct Inner {
    pending: HashMap<EditKey, Pending>,
    /// fan-out latencies, microseconds, one per delivery
    latencies_us: Vec<u64>,
    edits_sent: u64,
    deliveries_expected: u64,
    deliveries: u64,
    /// deliveries, once edits are being sent, of something no client sent or of an edit
    /// already counted for every receiver
    unexpected: u64,
    first_send: Option<Instant>,
    last_send: Option<Instant>,
    last_delivery: Option<Instant>,
    /// edits whose every receiver applied them
    completed: u64,
}

/// The in-process map from an edit to its send instant, and the latencies.
#[derive(Default)]
pub struct Tracker {
    inner: Mutex<Inner>,
}

/// A summary of the tracker.
#[derive(Debug, Clone, Default)]
pub struct Totals {
    pub edits_sent: u64,
    pub deliveries_expected: u64,
    pub deliveries: u64,
    pub unexpected: u64,
    pub completed: u64,
    pub latencies_us: Vec<u64>,
    pub first_send: Option<Instant>,
    pub last_send: Option<Instant>,
    pub last_delivery: Option<Instant>,
}

impl Tracker {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Called just before the edit's frame is written: `receivers` clients should apply it.
    pub fn sent(&self, key: EditKey, receivers: u32, at: Instant) {
        let mut t = self.lock();
        t.edits_sent += 1;
        t.deliveries_expected += receivers as u64;
        t.first_send.get_or_insert(at);
        t.last_send = Some(at);
        if receivers == 0 {
            t.completed += 1;
        } else {
            t.pending.insert(key, Pending { sent: at, remaining: receivers });
        }
    }

    /// A receiver has applied the edit `key` (at `at`).
    pub fn delivered(&self, key: &EditKey, at: Instant) {
        let mut t = self.lock();
        let Some(p) = t.pending.get_mut(key) else {
            // (the team's document arriving during setup is not an edit)
            if t.first_send.is_some() {
                t.unexpected += 1;
            }
            return;
        };
        let us = at.saturating_duration_since(p.sent).as_micros() as u64;
        p.remaining -= 1;
        if p.remaining == 0 {
            t.pending.remove(key);
            t.completed += 1;
        }
        t.latencies_us.push(us);
        t.deliveries += 1;
        t.last_delivery = Some(at);
    }

    /// Deliveries still awaited.
    pub fn outstanding(&self) -> u64 {
        let t = self.lock();
        t.deliveries_expected - t.deliveries
    }

    pub fn totals(&self) -> Totals {
        let t = self.lock();
        Totals {
            edits_sent: t.edits_sent,
            deliveries_expected: t.deliveries_expected,
            deliveries: t.deliveries,
            unexpected: t.unexpected,
            completed: t.completed,
            latencies_us: t.latencies_us.clone(),
            first_send: t.first_send,
            last_send: t.last_send,
            last_delivery: t.last_delivery,
        }
    }
}

/// The `p`-th percentile (0..=100) of `sorted` by the nearest-rank method: the smallest value
/// with at least p% of the values at or below it. None for no values.
pub fn percentile(sorted: &[u64], p: f64) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

/// The `p`-th percentile counting `missing` values that never arrived as larger than every
/// measured one: None when the rank falls among the missing (the percentile is beyond the
/// end of the run), so a server that drops deliveries cannot look fast.
pub fn percentile_censored(sorted: &[u64], missing: u64, p: f64) -> Option<u64> {
    let n = sorted.len() as u64 + missing;
    if n == 0 {
        return None;
    }
    let rank = ((p / 100.0) * n as f64).ceil().max(1.0) as u64;
    if rank > sorted.len() as u64 {
        None
    } else {
        Some(sorted[rank as usize - 1])
    }
}

/// An edit key from a chunk key: device id, then the seq big-endian, zero padded.
pub fn chunk_edit_key(device: &[u8; 16], seq: u64) -> EditKey {
    let mut k = [0u8; 32];
    k[..16].copy_from_slice(device);
    k[16..24].copy_from_slice(&seq.to_be_bytes());
    k
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&v, 50.0), Some(50));
        assert_eq!(percentile(&v, 99.0), Some(99));
        assert_eq!(percentile(&v, 100.0), Some(100));
        assert_eq!(percentile(&v, 0.0), Some(1));
        assert_eq!(percentile(&[7], 99.0), Some(7));
        assert_eq!(percentile(&[], 50.0), None);
        // 10 values: p95 and p99 are the largest, p50 the 5th
        let v: Vec<u64> = (1..=10).map(|x| x * 10).collect();
        assert_eq!(percentile(&v, 50.0), Some(50));
        assert_eq!(percentile(&v, 95.0), Some(100));
        assert_eq!(percentile(&v, 99.0), Some(100));
    }

    #[test]
    fn missing_deliveries_count_as_slower_than_any_measured_one() {
        let v: Vec<u64> = (1..=98).collect();
        // 2 of 100 never arrived: p98 is the slowest measured, p99 is beyond the run
        assert_eq!(percentile_censored(&v, 2, 98.0), Some(98));
        assert_eq!(percentile_censored(&v, 2, 99.0), None);
        assert_eq!(percentile_censored(&v, 0, 99.0), Some(98));
        assert_eq!(percentile_censored(&[], 5, 50.0), None);
        assert_eq!(percentile_censored(&[], 0, 50.0), None);
    }

    #[test]
    fn the_tracker_times_each_delivery_and_knows_what_is_outstanding() {
        let t = Tracker::default();
        let t0 = Instant::now();
        // before the first edit: the setup's document, not counted
        t.delivered(&[8; 32], t0);
        let a = chunk_edit_key(&[1; 16], 1);
        let b = chunk_edit_key(&[1; 16], 2);
        assert_ne!(a, b);
        t.sent(a, 2, t0);
        t.sent(b, 2, t0 + Duration::from_millis(5));
        assert_eq!(t.outstanding(), 4);
        t.delivered(&a, t0 + Duration::from_millis(3));
        t.delivered(&a, t0 + Duration::from_millis(4));
        // a third delivery of a complete edit, and one of an unknown edit
        t.delivered(&a, t0 + Duration::from_millis(9));
        t.delivered(&[9; 32], t0);
        t.delivered(&b, t0 + Duration::from_millis(6));
        let s = t.totals();
        assert_eq!((s.edits_sent, s.deliveries_expected, s.deliveries, s.completed, s.unexpected), (2, 4, 3, 1, 2));
        assert_eq!(s.latencies_us, vec![3000, 4000, 1000]);
        assert_eq!(t.outstanding(), 1);
    }
}
