//! Times each step kind of an analysis natively on the CDNOW sample repeated 10 times
//! (23,570 customers, 69,190 orders): `cargo run -p crm-core --release --example analytics_bench`.
//! The longest single step matters: in the browser each step runs between yields to the page.

use crm_core::analytics::{Job, Options, Phase};
use crm_core::{Customer, Summary};
use std::time::Instant;

fn main() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/cdnow_sample_orders.csv");
    let text = std::fs::read_to_string(path).expect("the CDNOW sample");
    let mut by: std::collections::BTreeMap<String, Vec<(i32, i64)>> = Default::default();
    for l in text.lines().skip(1) {
        let f: Vec<&str> = l.split(',').collect();
        let d = crm_core::dates::parse_ymd(f[1]).unwrap().to_days();
        let a = (f[3].parse::<f64>().unwrap() * 100.0).round() as i64;
        for k in 0..10 {
            by.entry(format!("{}-{k}", f[0])).or_default().push((d, a));
        }
    }
    let rows: Vec<Summary> = by
        .into_iter()
        .map(|(id, orders)| {
            let mut s = Summary::of(&id, &Customer { name: id.clone(), ..Default::default() }, 0);
            s.facts.orders = orders;
            s
        })
        .collect();
    let orders: usize = rows.iter().map(|r| r.facts.orders.len()).sum();
    println!("{} customers, {orders} orders", rows.len());
    let opts = Options::new(crm_core::dates::parse_ymd("1997-09-30").unwrap().to_days());
    let t0 = Instant::now();
    let mut job = Job::new(opts, rows.len());
    let mut longest: Vec<(Phase, f64)> = Vec::new();
    loop {
        let phase = job.progress().0;
        let t = Instant::now();
        let done = job.step(&rows);
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        match longest.iter_mut().find(|(p, _)| *p == phase) {
            Some((_, m)) => *m = m.max(ms),
            None => longest.push((phase, ms)),
        }
        if let Some(r) = done {
            let f = r.fit.as_ref().unwrap();
            println!("r {:.3} alpha {:.3} a {:.3} b {:.3} ll {:.1}", f.bgnbd.r, f.bgnbd.alpha, f.bgnbd.a, f.bgnbd.b, f.ln_likelihood);
            let seg = r.segmentation(crm_core::analytics::Dimension::Rfm).unwrap();
            println!("RFM segments: {}", seg.rows.iter().map(|x| format!("{} {}", x.key, x.customers)).collect::<Vec<_>>().join(", "));
            println!("lifecycle now: {:?}", r.lifecycle.now);
            break;
        }
    }
    println!("total {:.1} ms", t0.elapsed().as_secs_f64() * 1000.0);
    for (p, ms) in longest {
        println!("longest {p:?} step: {ms:.2} ms");
    }
}
