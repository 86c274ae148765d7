//! How fast the customer search is, natively: builds 10k and 100k synthetic customers and
//! prints the mean and p95 time of a search per query, fresh and while typing (narrowing from
//! the previous keystroke), and the memory the index takes per customer.
//!
//! `cargo run -p crm-core --release --example search_bench`
//!
//! The budget is for wasm in a browser (DESIGN.md section 10: keystroke to painted results
//! <= 16 ms at 10k, <= 33 ms at 100k); native numbers here should be a few ms at 100k.

use crm_core::search::{SearchIndex, SearchResult};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

#[path = "../tests/search_synthetic.rs"]
mod synthetic;

/// Counts live heap bytes, to measure the index's memory.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const QUERIES: [&str; 8] = ["zs", "zhang", "张", "acme", "138", "li wei", "zhangwei", "13800"];
const LIMIT: usize = 100;
const RUNS: usize = 40;

fn main() {
    for n in [10_000, 100_000] {
        bench(n);
    }
}

fn bench(n: usize) {
    let customers = synthetic::customers(n, 42);
    let before = LIVE.load(Ordering::Relaxed);
    let started = Instant::now();
    let mut index = SearchIndex::new();
    for c in &customers {
        index.upsert(&c.id, &c.fields());
    }
    let built = started.elapsed();
    let bytes = LIVE.load(Ordering::Relaxed) - before;
    println!("\n{n} customers: built in {built:.1?}, {} bytes/customer ({:.1} MB)", bytes / n, bytes as f64 / 1e6);
    println!("{:<12} {:>8} {:>10} {:>10}", "query", "matches", "mean", "p95");

    for query in QUERIES {
        let mut total = 0;
        let times = timed(|| total = index.search(query, LIMIT).total);
        print_row(query, total, &times);
    }
    for query in ["", "z"] {
        let mut total = 0;
        let times = timed(|| total = index.search(query, LIMIT).total);
        print_row(&format!("{query:?}"), total, &times);
    }

    // typing: each keystroke narrows from the result of the one before
    for word in ["zhangwei", "acme ltd", "138 0013"] {
        let mut previous = index.search("", LIMIT);
        let mut keystrokes = Vec::new();
        let mut total = 0;
        for end in word.char_indices().map(|(i, c)| i + c.len_utf8()) {
            let typed = &word[..end];
            let mut result = SearchResult::default();
            let times = timed(|| result = index.search_after(&previous, typed, LIMIT));
            keystrokes.extend(times);
            total = result.total;
            previous = result;
        }
        print_row(&format!("typing {word:?}"), total, &keystrokes);
    }
    // keep the index alive until measured
    drop(index);
}

fn timed(mut f: impl FnMut()) -> Vec<Duration> {
    f(); // warm up
    (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            f();
            started.elapsed()
        })
        .collect()
}

fn print_row(label: &str, total: usize, times: &[Duration]) {
    let mut sorted = times.to_vec();
    sorted.sort();
    let mean = sorted.iter().sum::<Duration>() / sorted.len() as u32;
    let p95 = sorted[(sorted.len() * 95 / 100).min(sorted.len() - 1)];
    println!("{label:<12} {total:>8} {:>10} {:>10}", format!("{:.2} ms", ms(mean)), format!("{:.2} ms", ms(p95)));
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
