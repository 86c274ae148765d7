//! Limits that keep one connection or one workspace from taking the relay over (issue 5,
//! "a hardened relay"):
//!
//! - **rates**, per connection (bytes and messages a second) and per workspace (bytes a second
//!   over all its connections). They are enforced by backpressure, not by disconnecting: a
//!   connection over its rate is simply not read until its budget refills, so TCP slows the
//!   sender down and an honest client that bursts (a first upload after an import) is only
//!   slowed, never cut off. Nothing unread is buffered by the relay, so memory stays bounded.
//! - **storage**, per workspace: a message whose chunks would take the workspace past its
//!   quota is refused whole with a reason, and nothing of it is stored.
//!
//! Memory per connection is bounded elsewhere: frames are at most `MAX_FRAME`, catch-up reads
//! bounded pages, and live forwarding to a slow reader is a bounded queue after which it
//! catches up from the database (`hub.rs`).

use std::time::{Duration, Instant};

#[derive(Clone, Debug, PartialEq)]
pub struct Limits {
    /// bytes a second one connection may send (its budget holds one second's worth)
    pub conn_bytes_per_sec: u64,
    /// messages a second one connection may send
    pub conn_msgs_per_sec: u64,
    /// bytes a second all of a workspace's connections together may send
    pub workspace_bytes_per_sec: u64,
    /// bytes of chunk bodies one workspace may store
    pub workspace_quota: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            conn_bytes_per_sec: 16 * 1024 * 1024,
            conn_msgs_per_sec: 2_000,
            workspace_bytes_per_sec: 64 * 1024 * 1024,
            workspace_quota: 16 * 1024 * 1024 * 1024,
        }
    }
}

/// A token bucket that may go into debt: taking more than it holds is allowed, and the
/// caller waits for the debt to be paid back. So a frame bigger than the budget still passes,
/// just later.
#[derive(Debug)]
pub struct Bucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    at: Instant,
}

impl Bucket {
    /// `rate` a second, holding at most one second's worth.
    pub fn new(rate: u64) -> Bucket {
        let rate = rate.max(1) as f64;
        Bucket { rate, burst: rate, tokens: rate, at: Instant::now() }
    }

    /// Takes `n` and returns how long to wait before going on.
    pub fn take(&mut self, n: u64) -> Duration {
        self.take_at(n, Instant::now())
    }

    fn take_at(&mut self, n: u64, now: Instant) -> Duration {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.at = now;
        self.tokens = (self.tokens + elapsed * self.rate).min(self.burst) - n as f64;
        if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-self.tokens / self.rate)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_lets_a_second_through_then_paces() {
        let t0 = Instant::now();
        let mut b = Bucket { rate: 100.0, burst: 100.0, tokens: 100.0, at: t0 };
        assert_eq!(b.take_at(60, t0), Duration::ZERO);
        assert_eq!(b.take_at(40, t0), Duration::ZERO);
        // 50 more than it holds: half a second of debt
        assert_eq!(b.take_at(50, t0), Duration::from_millis(500));
        // after the wait it is even again, and refills at the rate
        assert_eq!(b.take_at(0, t0 + Duration::from_millis(500)), Duration::ZERO);
        assert_eq!(b.take_at(10, t0 + Duration::from_millis(600)), Duration::ZERO);
        // never holds more than a second's worth, however long it was idle
        assert_eq!(b.take_at(150, t0 + Duration::from_secs(100)), Duration::from_millis(500));
    }
}
